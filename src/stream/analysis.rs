//! Which values of a planned program are cut into windows, along which axis,
//! and how windows must be aligned for reductions to keep their bits.
//!
//! Input: the planned (optimized) program, its plan, every needed node's full
//! shape and the sources. Output: a [`Windowing`], or the reason the program
//! cannot stream exactly.
//!
//! The window axis is the outermost storage axis of the largest input (see
//! [`super::source::storage_axis`]), of extent `n`. An input is *windowed* when
//! it has that axis (counted from the end, as broadcasting aligns axes) with
//! extent `n`; every other input is *whole*, in memory. An elementwise value is
//! windowed when one of its arguments is. A reduction of a windowed value over
//! another axis is windowed too (each window reduces whole lanes); over the
//! window axis, or over all axes, it *crosses* windows: its lanes are cut into
//! pieces, one per window, and the pieces' block partials are combined in the
//! fixed order ([`crate::exec::LaneCombiner`]). That needs every window to start
//! at a block boundary of every lane: windows start at multiples of
//! [`Windowing::align`] slabs.
//!
//! Not streamable exactly (an error names the reason): windowed values whose
//! window axes do not line up after broadcasting, a reduction over all axes
//! whose lane order (C) is not the window order (a Fortran-order input with
//! more than one axis of extent > 1), an input whose window axis is not its
//! outermost storage axis, a stored value whose window axis is neither its
//! outermost C nor its outermost Fortran axis.

use crate::array::{fmt_shape, Order};
use crate::codegen::FOLD_BLOCK;
use crate::diag::{Error, ErrorKind};
use crate::fuse::Plan;
use crate::ir::{Inst, NodeId, Op, Program};

use super::source::{storage_axis, Source};

/// How one evaluation is cut into windows.
#[derive(Debug)]
pub struct Windowing {
    /// Extent of the window axis.
    pub n: usize,
    /// Per node: the window axis's position counted from the end of the node's
    /// shape, if the node is windowed.
    pub from_end: Vec<Option<usize>>,
    /// Windows start at multiples of this many slabs.
    pub align: usize,
}

impl Windowing {
    pub fn is_windowed(&self, id: NodeId) -> bool {
        self.from_end[id.index()].is_some()
    }

    /// The window axis of a windowed node of `shape`.
    pub fn axis(&self, id: NodeId, shape: &[usize]) -> usize {
        shape.len() - 1 - self.from_end[id.index()].expect("the node is windowed")
    }

    /// The order a windowed value is stored in so that each window is one
    /// contiguous run: C if every axis before the window axis has extent 1,
    /// else Fortran if every axis after it has; `None` otherwise.
    pub fn storage_order(&self, id: NodeId, shape: &[usize]) -> Option<Order> {
        let d = self.axis(id, shape);
        if shape[..d].iter().all(|&k| k == 1) {
            Some(Order::C)
        } else if shape[d + 1..].iter().all(|&k| k == 1) {
            Some(Order::Fortran)
        } else {
            None
        }
    }
}

/// Why a program cannot be evaluated window by window with the in-memory bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotStreamable(pub String);

impl NotStreamable {
    pub fn into_error(self) -> Error {
        Error::new(ErrorKind::Usage, format!("cannot stream this program exactly: {}", self.0))
    }
}

fn not_streamable(reason: String) -> NotStreamable {
    NotStreamable(reason)
}

/// Decide the windowing; `Ok(None)` when nothing is worth cutting (no input
/// has an axis of extent > 1).
pub fn analyze(
    program: &Program,
    plan: &Plan,
    shapes: &[Option<Vec<usize>>],
    sources: &[&dyn Source],
) -> Result<Option<Windowing>, NotStreamable> {
    // The largest input decides the window axis.
    let Some(big) = (0..sources.len()).max_by_key(|&k| sources[k].shape().iter().product::<usize>()) else {
        return Ok(None);
    };
    let Some(axis) = storage_axis(sources[big].shape(), sources[big].order()) else {
        return Ok(None);
    };
    let n = sources[big].shape()[axis];
    let fe = sources[big].shape().len() - 1 - axis;
    // Inputs that meet windowed values along their own axis of extent `n` are
    // windowed there too (a vector of `n` against row sums of an `(n, m)`
    // matrix): found one at a time, each forcing a new round.
    let mut forced: Vec<Option<usize>> = vec![None; sources.len()];
    loop {
        match windowing(program, plan, shapes, sources, n, fe, &forced)? {
            Round::Done(w) => return Ok(Some(w)),
            Round::Force(k, f) => forced[k] = Some(f),
        }
    }
}

/// The outcome of one round of [`analyze`].
enum Round {
    Done(Windowing),
    /// Input `k` must be windowed at this position from the end.
    Force(usize, usize),
}

fn windowing(
    program: &Program,
    plan: &Plan,
    shapes: &[Option<Vec<usize>>],
    sources: &[&dyn Source],
    n: usize,
    fe: usize,
    forced: &[Option<usize>],
) -> Result<Round, NotStreamable> {
    let shape = |id: NodeId| shapes[id.index()].as_deref().expect("needed nodes have shapes");
    let mut from_end: Vec<Option<usize>> = vec![None; program.nodes.len()];
    let mut align = 1;
    for (i, node) in program.nodes.iter().enumerate() {
        if !plan.needed[i] {
            continue;
        }
        let id = NodeId(i as u32);
        from_end[i] = match &node.inst {
            Inst::Input(k) => {
                let s = sources[*k].shape();
                let fe = forced[*k].unwrap_or(fe);
                if s.len() <= fe || s[s.len() - 1 - fe] != n {
                    None
                } else if storage_axis(s, sources[*k].order()) != Some(s.len() - 1 - fe) {
                    return Err(not_streamable(format!(
                        "input `{}` {} has the window axis ({} elements) but not as its outermost axis in memory",
                        program.inputs[*k].name,
                        fmt_shape(s),
                        n
                    )));
                } else {
                    Some(fe)
                }
            }
            Inst::Op(Op::Const(_)) => None,
            Inst::Op(Op::Unary(..) | Op::Binary(..) | Op::Call(..) | Op::Cast(_)) => {
                let mut w = None;
                for a in node.inst.args() {
                    match (w, from_end[a.index()]) {
                        (_, None) => {}
                        (None, f) => w = f,
                        (Some(x), Some(y)) if x == y => {}
                        (Some(_), Some(_)) => {
                            return Err(not_streamable(format!(
                                "windowed values of shapes {} meet on different axes",
                                fmt_shape(shape(id))
                            )))
                        }
                    }
                }
                // A whole argument spanning the window axis must be cut too.
                if let Some(f) = w {
                    for a in node.inst.args() {
                        let s = shape(a);
                        if from_end[a.index()].is_none() && s.len() > f && s[s.len() - 1 - f] == n {
                            return match program.node(a).inst {
                                Inst::Input(k) if forced[k].is_none() => Ok(Round::Force(k, f)),
                                _ => Err(not_streamable(format!(
                                    "a value of shape {} spans the window axis ({n}) but is not cut into windows",
                                    fmt_shape(s)
                                ))),
                            };
                        }
                    }
                }
                w
            }
            Inst::Reduce { arg, axis, .. } => match from_end[arg.index()] {
                None => None,
                Some(f) => {
                    let s = shape(*arg);
                    let d = s.len() - 1 - f;
                    let reduced = crate::shape::normalize_axis(*axis, s.len()).expect("shapes were inferred");
                    match reduced {
                        // Lanes in C order over all axes: windows are runs of
                        // them only if no axis before the window axis is > 1.
                        None if s[..d].iter().all(|&k| k == 1) => {
                            let inner: usize = s[d + 1..].iter().product();
                            align = align.max(FOLD_BLOCK / gcd(inner.max(1), FOLD_BLOCK));
                            None
                        }
                        None => {
                            return Err(not_streamable(format!(
                                "a reduction over all axes of {} in Fortran order: its elements are summed in C \
                                 order, which crosses every window",
                                fmt_shape(s)
                            )))
                        }
                        Some(a) if a == d => {
                            align = FOLD_BLOCK;
                            None
                        }
                        Some(a) if a < d => Some(f),
                        Some(_) => Some(f - 1),
                    }
                }
            },
        };
    }
    let w = Windowing { n, from_end, align };
    // Values a pass stores (requested outputs and windowed reductions) are
    // written, and read back, a window at a time.
    for stage in &plan.stages {
        for &id in stage.roots.iter().chain(&stage.reductions) {
            if w.is_windowed(id) && w.storage_order(id, shape(id)).is_none() {
                return Err(not_streamable(format!(
                    "a value of shape {} has the window axis in the middle of its other axes",
                    fmt_shape(shape(id))
                )));
            }
        }
    }
    Ok(Round::Done(w))
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
