//! Shapes at evaluation time.
//!
//! Input: a typed [`Program`] (which has no shapes) and the shapes of the arrays
//! bound to its inputs. Output: the shape of every node the requested outputs
//! need, or a [`ErrorKind::Shape`] error with the node's span and NumPy's wording.
//! Also the iteration helpers the engines share: broadcast strides and the
//! coalesced loop nest of an elementwise operation ([`Loops`]).
//!
//! Invariants: broadcasting follows NumPy (dims align from the right, a dim of
//! size 1 stretches, size 0 broadcasts only with 1); shapes of nodes no requested
//! output reads are not inferred, so a mistake in an unused assignment does not
//! stop the evaluation of the others.

use crate::array::{check_shape, fmt_shape, shape_size};
use crate::diag::{Error, ErrorKind, Result};
use crate::ir::ops::ReduceOp;
use crate::ir::{Inst, Node, NodeId, Op, Program};

/// The shape of `a` and `b` broadcast together, or `None` if they do not broadcast.
pub fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
    (0..n)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Which nodes the given outputs need (an output needs itself and, recursively,
/// the arguments of every node it needs).
pub fn needed(program: &Program, outputs: &[NodeId]) -> Vec<bool> {
    crate::ir::reachable(&program.nodes, outputs)
}

/// The shape of every node the `outputs` need (`None` for the others), given the
/// shapes of the program's inputs in [`Program::inputs`] order.
pub fn infer(program: &Program, input_shapes: &[&[usize]], outputs: &[NodeId]) -> Result<Vec<Option<Vec<usize>>>> {
    if input_shapes.len() != program.inputs.len() {
        return Err(Error::new(
            ErrorKind::Input,
            format!("the program has {} inputs but {} shapes were given", program.inputs.len(), input_shapes.len()),
        ));
    }
    let need = needed(program, outputs);
    let mut shapes: Vec<Option<Vec<usize>>> = vec![None; program.nodes.len()];
    for (i, node) in program.nodes.iter().enumerate() {
        if !need[i] {
            continue;
        }
        let shape = match node.inst {
            Inst::Input(k) => input_shapes[k].to_vec(),
            _ => {
                let args = node.inst.args();
                let arg_shapes: Vec<&[usize]> = args
                    .iter()
                    .map(|a| shapes[a.index()].as_deref().expect("arguments of a needed node are needed"))
                    .collect();
                node_shape(node, &arg_shapes)?
            }
        };
        shapes[i] = Some(shape);
    }
    Ok(shapes)
}

/// The shape a computing node produces from its arguments' shapes (in
/// [`Inst::args`] order). `Input` nodes have no rule here: their shape is the bound
/// array's.
/// The result must be a shape an array can have (see [`check_shape`]), so
/// every engine may multiply its dimensions.
pub fn node_shape(node: &Node, args: &[&[usize]]) -> Result<Vec<usize>> {
    let shape = match &node.inst {
        Inst::Input(_) => Err(Error::at(ErrorKind::Input, node.span, "an input's shape comes from its array")),
        Inst::Op(Op::Const(_)) => Ok(vec![]),
        Inst::Op(Op::Unary(..) | Op::Cast(_)) => Ok(args[0].to_vec()),
        Inst::Op(Op::Binary(..) | Op::Call(..)) => broadcast_args(node, args),
        Inst::Reduce { op, axis, .. } => reduce_shape(node, *op, *axis, args[0]),
    }?;
    check_shape(&shape).map_err(|e| e.or_at(node.span))?;
    Ok(shape)
}

fn broadcast_args(node: &Node, args: &[&[usize]]) -> Result<Vec<usize>> {
    let mut out = args[0].to_vec();
    for a in &args[1..] {
        out = broadcast(&out, a).ok_or_else(|| {
            let shapes: Vec<String> = args.iter().map(|s| fmt_shape(s)).collect();
            Error::at(
                ErrorKind::Shape,
                node.span,
                format!("operands could not be broadcast together with shapes {}", shapes.join(" ")),
            )
        })?;
    }
    Ok(out)
}

fn reduce_shape(node: &Node, op: ReduceOp, axis: Option<i64>, arg: &[usize]) -> Result<Vec<usize>> {
    let axis = normalize_axis(axis, arg.len()).map_err(|m| Error::at(ErrorKind::Shape, node.span, m))?;
    // Not `reduce_extent`: the dimensions beside an empty axis may multiply past
    // any array's size (the result's shape is checked by the caller).
    let len = match axis {
        None => shape_size(arg).expect("an argument's shape was checked"),
        Some(k) => arg[k],
    };
    if len == 0 && !op.has_identity() {
        let name = match op {
            ReduceOp::Min => "minimum",
            ReduceOp::Max => "maximum",
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => op.name(),
        };
        return Err(Error::at(
            ErrorKind::Shape,
            node.span,
            format!("zero-size array to reduction operation {name} which has no identity"),
        ));
    }
    Ok(match axis {
        None => vec![],
        Some(k) => arg.iter().enumerate().filter(|&(i, _)| i != k).map(|(_, &d)| d).collect(),
    })
}

/// The axis a reduction runs along, counted from the front, or `None` for all
/// elements. A negative axis counts from the end. Like NumPy, a 0-d array accepts
/// axis 0 and -1 (a reduction over its one element).
pub fn normalize_axis(axis: Option<i64>, rank: usize) -> Result<Option<usize>, String> {
    let Some(k) = axis else { return Ok(None) };
    let r = rank as i64;
    if rank == 0 && (k == 0 || k == -1) {
        return Ok(None);
    }
    let k2 = if k < 0 { k + r } else { k };
    if (0..r).contains(&k2) {
        Ok(Some(k2 as usize))
    } else {
        Err(format!("axis {k} is out of bounds for array of dimension {rank}"))
    }
}

/// A reduction's loop nest over a C-order array: `(outer, len, inner)` with the
/// element `[o, j, i]` at `(o * len + j) * inner + i`; the reduction runs over `j`.
/// `axis: None` is the whole array as one lane. The shape and the reduction's
/// result shape must be checked ones (shape inference does that), so no
/// product overflows.
pub fn reduce_extent(shape: &[usize], axis: Option<usize>) -> (usize, usize, usize) {
    let size = |dims: &[usize]| shape_size(dims).expect("checked shapes have countable elements");
    match axis {
        None => (1, size(shape), 1),
        Some(k) => (size(&shape[..k]), shape[k], size(&shape[k + 1..])),
    }
}

/// The layout of one operand of a loop nest: its shape, its strides in elements
/// (any sign; 0 repeats an element) and the offset of its first element.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a> {
    pub shape: &'a [usize],
    pub strides: &'a [isize],
    pub offset: usize,
}

/// Strides, in elements, of an operand of shape `shape` and strides `strides`
/// read as if it had the (broadcast) shape `out`: 0 on dims it stretches or lacks.
pub fn broadcast_strides(shape: &[usize], strides: &[isize], out: &[usize]) -> Vec<isize> {
    debug_assert!(shape.len() <= out.len(), "operand rank exceeds output rank");
    let lead = out.len() - shape.len();
    let mut full = vec![0; out.len()];
    for (i, (&d, &s)) in shape.iter().zip(strides).enumerate() {
        if d != 1 {
            full[lead + i] = s;
        }
    }
    full
}

/// A loop nest over an output shape: its dimensions, outermost first, with
/// size-1 dimensions dropped and neighbours merged wherever every operand steps
/// through them evenly, and each operand's strides (in elements) over them.
/// The one dimension merging of the crate: the interpreter's [`Loops`] and the
/// executor's iteration space are both made by [`Nest::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nest {
    /// Extents, outermost first; empty when every dimension has size 1.
    pub dims: Vec<usize>,
    /// Per operand, its stride along each of `dims`.
    pub strides: Vec<Vec<isize>>,
}

impl Nest {
    /// The nest of `operands` read as if they had the (broadcast) shape `out`.
    /// The axes are ordered by [`axis_order`], in which the first `voters`
    /// operands vote (with none, C order).
    pub fn new(out: &[usize], operands: &[Strided<'_>], voters: usize) -> Nest {
        let full: Vec<Vec<isize>> = operands.iter().map(|op| broadcast_strides(op.shape, op.strides, out)).collect();
        let mut dims: Vec<usize> = Vec::new();
        let mut strides: Vec<Vec<isize>> = vec![Vec::new(); operands.len()];
        for d in axis_order(out, &full[..voters]) {
            let mergeable = !dims.is_empty()
                && full
                    .iter()
                    .zip(&strides)
                    .all(|(f, m)| *m.last().expect("one stride per dim") == out[d] as isize * f[d]);
            if mergeable {
                *dims.last_mut().expect("checked non-empty") *= out[d];
                for (m, f) in strides.iter_mut().zip(&full) {
                    *m.last_mut().expect("one stride per dim") = f[d];
                }
            } else {
                dims.push(out[d]);
                for (m, f) in strides.iter_mut().zip(&full) {
                    m.push(f[d]);
                }
            }
        }
        Nest { dims, strides }
    }
}

/// The order to iterate the dimensions of `shape` in, outermost first, without
/// the size-1 ones, given the voters' strides over `shape`.
///
/// The cost rule: memory is read fastest along small strides, so the voters
/// (the JIT's parameters) vote. Starting from C order (the outputs' order), a
/// dimension moves inside another when more voters have a smaller absolute
/// stride along it than along the other (voters with stride 0 along either have
/// no say); ties keep C order. So a lone Fortran-order input iterates in Fortran
/// order (its reads contiguous, the output written with a stride), an equal mix
/// of C and Fortran inputs in C order, and C-order operands exactly as before.
fn axis_order(shape: &[usize], voters: &[Vec<isize>]) -> Vec<usize> {
    let inside = |a: usize, b: usize| {
        let votes: i32 = voters
            .iter()
            .filter(|s| s[a] != 0 && s[b] != 0)
            .map(|s| match s[a].unsigned_abs().cmp(&s[b].unsigned_abs()) {
                std::cmp::Ordering::Less => 1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => -1,
            })
            .sum();
        votes > 0
    };
    let mut order: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] != 1).collect();
    // Insertion sort, innermost last: stable, so ties keep C order.
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && inside(order[j - 1], order[j]) {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    order
}

/// The loop nest of an elementwise operation with `K` operands, in C order
/// (the interpreter's: its results must not depend on layouts): a [`Nest`]
/// with the offset of each operand's first element.
///
/// `dims` is never empty (a one-element output is `[1]`). The innermost stride of
/// an operand is 0 when it is broadcast along the inner loop, 1 when it is
/// contiguous there, anything else for strided views.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loops<const K: usize> {
    pub dims: Vec<usize>,
    pub strides: [Vec<isize>; K],
    pub offsets: [usize; K],
}

impl<const K: usize> Loops<K> {
    pub fn new(out: &[usize], operands: [Strided<'_>; K]) -> Loops<K> {
        let Nest { mut dims, strides } = Nest::new(out, &operands, 0);
        let mut strides = strides.into_iter();
        let mut strides: [Vec<isize>; K] = std::array::from_fn(|_| strides.next().expect("one list per operand"));
        if dims.is_empty() {
            dims.push(1);
            for s in &mut strides {
                s.push(0);
            }
        }
        Loops { dims, strides, offsets: operands.map(|op| op.offset) }
    }

    /// Operand `k`'s stride along the inner loop.
    pub fn inner_stride(&self, k: usize) -> isize {
        *self.strides[k].last().expect("dims is never empty")
    }

    /// Call `f(offsets, len)` for every inner lane in C order: `offsets[k]` is where
    /// operand `k`'s lane starts, `len` the lane length (the innermost dim).
    pub fn for_each_lane(&self, mut f: impl FnMut([usize; K], usize)) {
        let r = self.dims.len();
        let inner = self.dims[r - 1];
        if inner == 0 || self.dims.contains(&0) {
            return;
        }
        let outer = &self.dims[..r - 1];
        let mut index = vec![0usize; outer.len()];
        // Offsets of elements of valid views: never negative.
        let mut offsets: [isize; K] = self.offsets.map(|o| o as isize);
        loop {
            f(offsets.map(|o| o as usize), inner);
            // Odometer over the outer dims, last fastest, updating offsets incrementally.
            let mut d = outer.len();
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                index[d] += 1;
                for (k, off) in offsets.iter_mut().enumerate() {
                    *off += self.strides[k][d];
                }
                if index[d] < outer[d] {
                    break;
                }
                for (k, off) in offsets.iter_mut().enumerate() {
                    *off -= self.strides[k][d] * outer[d] as isize;
                }
                index[d] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests;
