//! The reference interpreter: NumPy's evaluation model over the typed IR.
//!
//! Input: a [`Program`], the views bound to its inputs (in [`Program::inputs`]
//! order, dtypes already checked by `Compiled::bind`; any strides) and the nodes
//! to return.
//! Output: one array per requested node.
//!
//! One operation at a time over whole arrays, like NumPy: every node the outputs
//! need gets a temporary array, in program order; nodes no output needs are not
//! evaluated (and their shapes are not checked). Each temporary is dropped right
//! after its last use, counted in advance, so memory stays at what the live
//! values need. Single-threaded. This is the semantic oracle the JIT is tested
//! against: every result is defined by [`crate::semantics`], applied by the
//! monomorphized loops of [`lanes`], dispatched once per node.
//!
//! Invariants: inputs are borrowed and read in place whatever their strides,
//! never copied — except by a reduction of a non-C-contiguous input, which reads
//! a C-order copy (its pairwise summation walks C-order memory), and an input
//! requested as an output, whose value is a C-order copy; outputs are C order;
//! shape errors come from [`crate::shape`] before any work and carry the
//! offending node's span; a temporary the system has no memory for is an
//! [`ErrorKind::Memory`] error before its loop runs (checked by allocating and
//! releasing its buffer), not an abort.

mod elementwise;
mod lanes;
mod reduce;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use crate::array::alloc::check_room;
use crate::array::{Array, ArrayView};
use crate::diag::{Error, ErrorKind, Result};
use crate::ir::{Inst, Node, NodeId, Op, Program};
use crate::shape;

/// Evaluate the nodes `outputs` of `p` on `inputs` (the tests' shorthand).
#[cfg(test)]
pub fn eval(p: &Program, inputs: &[&Array], outputs: &[NodeId]) -> Result<Vec<Array>> {
    let views: Vec<ArrayView<'_>> = inputs.iter().map(|a| a.view()).collect();
    eval_views(p, &views, outputs)
}

/// Evaluate the nodes `outputs` of `p` on input views of any strides.
pub fn eval_views(p: &Program, inputs: &[ArrayView<'_>], outputs: &[NodeId]) -> Result<Vec<Array>> {
    run(p, inputs, outputs, &mut Stats::default())
}

/// Evaluate one computing node on its argument values (in [`Inst::args`] order):
/// the constant folder's entry point. Checks shapes like [`eval`] does.
pub fn eval_node(node: &Node, args: &[&Array]) -> Result<Array> {
    let arg_shapes: Vec<&[usize]> = args.iter().map(|a| a.shape()).collect();
    let shape = shape::node_shape(node, &arg_shapes)?;
    let views: Vec<ArrayView<'_>> = args.iter().map(|a| a.view()).collect();
    Ok(compute(node, &views, shape))
}

/// A node's value during evaluation: a bound input, read in place, or a temporary.
enum Value<'a> {
    Input(ArrayView<'a>),
    Temp(Array),
}

impl Value<'_> {
    fn view(&self) -> ArrayView<'_> {
        match self {
            Value::Input(v) => v.clone(),
            Value::Temp(a) => a.view(),
        }
    }

    fn into_array(self) -> Array {
        match self {
            Value::Input(v) => v.to_array(),
            Value::Temp(a) => a,
        }
    }
}

/// Bookkeeping on temporaries, for tests of the memory discipline.
#[derive(Debug, Default)]
struct Stats {
    live: usize,
    peak: usize,
}

fn run(p: &Program, inputs: &[ArrayView<'_>], outputs: &[NodeId], stats: &mut Stats) -> Result<Vec<Array>> {
    check_inputs(p, inputs)?;
    let input_shapes: Vec<&[usize]> = inputs.iter().map(|a| a.shape()).collect();
    let shapes = shape::infer(p, &input_shapes, outputs)?;
    let mut uses = use_counts(p, &shapes, outputs);
    let mut values: Vec<Option<Value<'_>>> = (0..p.nodes.len()).map(|_| None).collect();
    for (i, node) in p.nodes.iter().enumerate() {
        let Some(shape) = shapes[i].as_ref() else { continue };
        let args = node.inst.args();
        let value = match node.inst {
            Inst::Input(k) => Value::Input(inputs[k].clone()),
            _ => {
                let views: Vec<ArrayView<'_>> = args
                    .iter()
                    .map(|a| values[a.index()].as_ref().expect("an argument lives until its last use").view())
                    .collect();
                // The loops collect into vectors that would abort on failure.
                check_room(node.dtype, shape).map_err(|e| e.or_at(node.span))?;
                stats.live += 1;
                stats.peak = stats.peak.max(stats.live);
                Value::Temp(compute(node, &views, shape.clone()))
            }
        };
        values[i] = Some(value);
        for a in args {
            release(&mut uses, &mut values, a, stats);
        }
    }
    Ok(outputs
        .iter()
        .map(|&id| {
            let v = if uses[id.index()] == 1 {
                values[id.index()].take().expect("an output lives until returned").into_array()
            } else {
                values[id.index()].as_ref().expect("an output lives until returned").view().to_array()
            };
            uses[id.index()] -= 1;
            v
        })
        .collect())
}

fn check_inputs(p: &Program, inputs: &[ArrayView<'_>]) -> Result<()> {
    if inputs.len() != p.inputs.len() {
        return Err(Error::new(
            ErrorKind::Input,
            format!("the program has {} inputs but {} arrays were given", p.inputs.len(), inputs.len()),
        ));
    }
    for (input, arr) in p.inputs.iter().zip(inputs) {
        if arr.dtype() != input.dtype {
            return Err(Error::new(
                ErrorKind::Input,
                format!("input `{}` was compiled for {} but is {}", input.name, input.dtype, arr.dtype()),
            ));
        }
    }
    Ok(())
}

/// How many times each evaluated node is read: by evaluated nodes and by the
/// output list (an output counts once per time it is requested).
fn use_counts(p: &Program, shapes: &[Option<Vec<usize>>], outputs: &[NodeId]) -> Vec<usize> {
    let mut uses = vec![0usize; p.nodes.len()];
    for (node, shape) in p.nodes.iter().zip(shapes) {
        if shape.is_some() {
            for a in node.inst.args() {
                uses[a.index()] += 1;
            }
        }
    }
    for id in outputs {
        uses[id.index()] += 1;
    }
    uses
}

/// One use of `id` is done; drop its value after the last.
fn release(uses: &mut [usize], values: &mut [Option<Value<'_>>], id: NodeId, stats: &mut Stats) {
    let n = &mut uses[id.index()];
    *n -= 1;
    if *n == 0 {
        if let Some(Value::Temp(_)) = values[id.index()].take() {
            stats.live -= 1;
        }
    }
}

/// The value of a computing node from its argument values.
fn compute(node: &Node, args: &[ArrayView<'_>], shape: Vec<usize>) -> Array {
    let data = match &node.inst {
        Inst::Input(_) => unreachable!("inputs are bound, not computed"),
        Inst::Op(Op::Const(c)) => return Array::scalar(c.0),
        Inst::Op(Op::Unary(op, _)) => elementwise::unary(*op, &args[0]),
        Inst::Op(Op::Binary(op, _, _)) => elementwise::binary(*op, &args[0], &args[1], &shape),
        Inst::Op(Op::Call(f, _)) => elementwise::call(*f, args, &shape),
        Inst::Op(Op::Cast(_)) => elementwise::cast(&args[0], node.dtype),
        Inst::Reduce { op, axis, .. } => {
            let axis = shape::normalize_axis(*axis, args[0].ndim()).expect("shape inference checked the axis");
            // The reduction loops walk C-order memory (their summation order is
            // defined on it): a strided input is copied first.
            let arg = if args[0].is_c_contiguous() { None } else { Some(args[0].to_array()) };
            let arg = arg.as_ref().map_or_else(|| args[0].clone(), Array::view);
            reduce::reduce(*op, &arg, axis)
        }
    };
    Array::new(data, shape).expect("a kernel fills exactly its output shape")
}
