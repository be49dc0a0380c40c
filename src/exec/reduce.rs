//! Stages that reduce: kernels with accumulators, run over a fixed partition.
//!
//! Input: a stage whose kernel feeds reductions (and may store roots), the
//! shapes, the materialized values. Output: one array per reduction (a
//! temporary) and the stored roots.
//!
//! A stage's reductions are grouped by (argument shape, axis); roots of the same
//! shape as a group's argument are stored by the same loop; the rest run as
//! elementwise kernels. A group iterates over its argument's shape like an
//! elementwise kernel, with one extra operand per reduction: the output,
//! broadcast along the reduced axes (stride 0 there). Dimension merging then
//! decides the accumulator layout: if the innermost dimension is reduced, the
//! kernel *folds* a run of elements into one partial ([`fold`]); otherwise it runs
//! along kept dimensions and updates a *row* of partials ([`rows`]).
//!
//! The partition (the fixed tree of additions). Every output element's *lane*
//! (the elements reduced into it, in C order) is cut into blocks of [`BLOCK`]
//! elements; element `j` of a block goes into slot `j mod K` of the block
//! ([`accumulator_slots`]: `K = 8` for float sums, means and products, else 1),
//! each slot adding its elements in order; after the block's `n` elements the
//! slots are combined in a balanced tree, starting from slot `n mod K`; the
//! block partials of a lane are combined in a balanced tree (halving) over the
//! block index, in order. A folding kernel keeps the slots in order across calls
//! (see [`crate::codegen`]), a row kernel accumulates row `j` of a block into slot
//! row `j mod K`: the same additions either way. So each output element's bits
//! depend only on the values of its lane and their order: not on the thread
//! count, the chunk size, fusion, broadcasting or which layout the loop takes.
//! Parallel tasks compute whole subtrees of a lane's tree of blocks, combining
//! each block's partial as soon as it is folded ([`tree`]); their results (one
//! per lane, or a few pieces of a long lane, bounded by the team) are gathered
//! in order and joined by the top of the same tree. So the memory for partials
//! does not grow with the number of elements reduced.
//!
//! Accuracy: a float sum adds at most `BLOCK / 8 = 16` elements into a slot, then
//! `log2(8) = 3` tree levels, then `ceil(log2(blocks))` levels: the error bound
//! is `(16 + 3 + log2(n / 128)) * eps * sum(|x|)`, NumPy's pairwise bound (NumPy
//! sums a non-last axis row by row, `n * eps`; this scheme stays pairwise there).
//! min/max/any/all and integer sums and products are exact in any order of
//! combination, and min/max combine in element order, so they are bit-identical
//! to the interpreter (up to NaN payloads).

use crate::array::view::c_strides;
use crate::array::{ArrayView, Data, Element};
use crate::codegen::{accumulator_slots, accumulator_start, CompiledKernel, Layout, FOLD_BLOCK};
use crate::diag::Result;
use crate::fuse::{self, Plan, Stage};
use crate::ir::ops::ReduceOp;
use crate::ir::{Inst, NodeId, Program};
use crate::semantics::{maximum, minimum, Float};
use crate::shape::Strided;
use crate::types::{DType, Scalar};

use tree::{tree, tree_held, Cut, Leaves, Pending};

use super::{
    alloc, operand_layouts, place_roots, run_group, stage_operands, strided, Bases, Iteration, Loc, Operand,
    Reductions, Runner, Shapes, Values,
};

/// Elements of a lane per block: the leaves of the combination tree.
const BLOCK: usize = FOLD_BLOCK;
/// Output elements a row-layout task accumulates at once (`8 * TILE` partials
/// stay in cache while every row of the block streams through).
const TILE: usize = 1024;

/// Run a stage with reductions: one kernel per group of equal iteration.
pub(super) fn run_stage(
    program: &Program,
    plan: &Plan,
    stage: &Stage,
    shapes: &Shapes,
    vals: &mut Values<'_, '_, '_>,
    runner: &Runner,
) -> Result<()> {
    let groups = groups(program, stage, shapes);
    for g in &groups {
        let sub;
        let kernel_stage = if groups.len() == 1 {
            stage
        } else {
            sub = fuse::build_stage(program, &g.roots, &g.reductions, |id| stage.params.contains(&id));
            &sub
        };
        if g.reductions.is_empty() {
            run_group(program, plan, kernel_stage, &g.shape, vals, runner)?;
        } else {
            run_reduce_group(program, plan, kernel_stage, &g.shape, g.axis, shapes, vals, runner)?;
        }
    }
    Ok(())
}

/// Values of a stage that one loop computes: reductions over the same shape and
/// axis, and roots of that shape (or only roots, of one shape).
struct Group {
    shape: Vec<usize>,
    /// The normalized reduced axis (`None`: all of them).
    axis: Option<usize>,
    roots: Vec<NodeId>,
    reductions: Vec<NodeId>,
}

fn groups(program: &Program, stage: &Stage, shapes: &Shapes) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for &r in &stage.reductions {
        let Inst::Reduce { arg, axis, .. } = program.node(r).inst else {
            unreachable!("stage reductions are Reduce nodes")
        };
        let shape = shapes.of(arg);
        let axis = crate::shape::normalize_axis(axis, shape.len()).expect("shape inference checked the axis");
        match groups.iter_mut().find(|g| g.shape == shape && g.axis == axis) {
            Some(g) => g.reductions.push(r),
            None => groups.push(Group { shape: shape.to_vec(), axis, roots: vec![], reductions: vec![r] }),
        }
    }
    for &root in &stage.roots {
        let shape = shapes.of(root);
        match groups.iter_mut().find(|g| g.shape == shape) {
            Some(g) => g.roots.push(root),
            None => groups.push(Group { shape: shape.to_vec(), axis: None, roots: vec![root], reductions: vec![] }),
        }
    }
    groups
}

/// What the partition needs to know about one reduction.
#[derive(Clone, Copy, Debug)]
struct Red {
    op: ReduceOp,
    dtype: DType,
    slots: usize,
    /// The number of elements reduced into each output element (for `mean`).
    count: usize,
}

impl Red {
    fn new(op: ReduceOp, dtype: DType, count: usize) -> Red {
        Red { op, dtype, slots: accumulator_slots(op, dtype), count }
    }

    /// Every reduction of `stage`, each reducing `count` elements per output element.
    fn of(stage: &Stage, count: usize) -> Vec<Red> {
        (0..stage.reductions.len())
            .map(|r| Red::new(stage.kernel.reductions[r].op, stage.kernel.reduction_dtype(r), count))
            .collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn run_reduce_group(
    program: &Program,
    plan: &Plan,
    stage: &Stage,
    shape: &[usize],
    axis: Option<usize>,
    shapes: &Shapes,
    vals: &mut Values<'_, '_, '_>,
    runner: &Runner,
) -> Result<()> {
    place_roots(program, plan, &stage.roots, shape, vals)?;
    let mut operands = stage_operands(program, stage, vals);
    let np = stage.params.len();
    let total: usize = shape.iter().product();
    let count = axis.map_or(total, |k| shape[k]);
    let out_shape = shapes.of(stage.reductions[0]);
    let out_len: usize = out_shape.iter().product();
    let reds = Red::of(stage, count);
    // Unfinished, a reduction is one row of block partials per lane.
    let result_shape = match runner.reductions {
        Reductions::Finish => out_shape.to_vec(),
        Reductions::Partials => vec![out_len, count.div_ceil(BLOCK)],
    };
    let mut outs: Vec<Data> =
        reds.iter().map(|r| alloc(r.dtype, &result_shape).map(|a| a.into_data())).collect::<Result<_>>()?;
    if total == 0 {
        // Nothing to iterate: every output element reduces an empty lane.
        for (out, red) in outs.iter_mut().zip(&reds) {
            fill_finished(*red, out);
        }
    } else {
        let (iter, fold, layouts) = {
            let params: Vec<ArrayView<'_>> = stage.params.iter().map(|&p| vals.view(p)).collect();
            let params: Vec<Strided<'_>> = params.iter().map(strided).collect();
            group_iteration(shape, axis, &params, stage.roots.len(), reds.len())
        };
        // The iteration's operand order is parameters, accumulator, roots.
        operands.insert(np, Operand { ptr: std::ptr::null_mut(), len: out_len, size: 1, start: 0 });
        assert!(iter.check_bounds(&operands), "iteration leaves an operand's buffer: {iter:?}");
        let kernel = runner.cache.get_or_compile(&stage.kernel, &layouts)?;
        let run = Run { kernel: &kernel, iter: &iter, bases: Bases { operands: &operands }, params: np, reds: &reds };
        if fold {
            fold::run(&run, count, runner, &mut outs);
        } else {
            rows::run(&run, runner, &mut outs);
        }
    }
    for ((&r, data), red) in stage.reductions.iter().zip(outs).zip(&reds) {
        debug_assert_eq!(data.dtype(), red.dtype);
        vals.temps[r.index()] = Some(crate::array::Array::new(data, result_shape.clone())?);
        vals.locs[r.index()] = Some(Loc::Temp);
    }
    Ok(())
}

/// A group's iteration over `shape` (its operands: `params`, the accumulator —
/// the output broadcast along the reduced axes —, then `roots` stored roots in
/// C order), whether its kernel folds, and the kernel's layouts (with `reds`
/// accumulators).
fn group_iteration(
    shape: &[usize],
    axis: Option<usize>,
    params: &[Strided<'_>],
    roots: usize,
    reds: usize,
) -> (Iteration, bool, Vec<Layout>) {
    let acc_shape: Vec<usize> =
        shape.iter().enumerate().map(|(d, &n)| if axis.is_none_or(|k| k == d) { 1 } else { n }).collect();
    let (acc_strides, out_strides) = (c_strides(&acc_shape), c_strides(shape));
    let mut layouts = params.to_vec();
    layouts.push(Strided { shape: &acc_shape, strides: &acc_strides, offset: 0 });
    layouts.extend(std::iter::repeat_n(Strided { shape, strides: &out_strides, offset: 0 }, roots));
    // No parameter votes on the order of the axes: a lane is reduced in C order
    // whatever the layout of the inputs, so its bits are too.
    let iter = Iteration::new(shape, &layouts, 0);
    let np = params.len();
    let fold = axis.is_none() || iter.inner_strides[np] == 0;
    let acc_layout = if fold { Layout::Invariant } else { Layout::Contiguous };
    let mut inner_strides = iter.inner_strides.clone();
    inner_strides.remove(np);
    let mut kernel_layouts = operand_layouts(&inner_strides, np);
    kernel_layouts.extend(std::iter::repeat_n(acc_layout, reds));
    (iter, fold, kernel_layouts)
}

/// A stage whose reductions all reduce every axis of one non-empty argument
/// shape, prepared for repeated calls (`exec/call.rs`): what
/// [`run_reduce_group`] derives from the signature alone, so a call only
/// folds (the same kernel, partition and order, so the same bits).
pub(super) struct WholeFold {
    reds: Vec<Red>,
    count: usize,
}

impl WholeFold {
    /// For `stage` (reductions only) over `shape` with parameters laid out as
    /// `params`: the preparation, its iteration (parameters, then the
    /// accumulator) and the kernel's layouts. `None` when some reduction keeps
    /// an axis, or reduces nothing.
    pub(super) fn new(
        program: &Program,
        stage: &Stage,
        shape: &[usize],
        params: &[Strided<'_>],
    ) -> Option<(WholeFold, Iteration, Vec<Layout>)> {
        let count: usize = shape.iter().product();
        let whole = |&r: &NodeId| match program.node(r).inst {
            Inst::Reduce { axis, .. } => crate::shape::normalize_axis(axis, shape.len()) == Ok(None),
            _ => false,
        };
        if count == 0 || !stage.roots.is_empty() || !stage.reductions.iter().all(whole) {
            return None;
        }
        let reds = Red::of(stage, count);
        let (iter, _, kernel_layouts) = group_iteration(shape, None, params, 0, reds.len());
        Some((WholeFold { reds, count }, iter, kernel_layouts))
    }

    /// The dtype of reduction `r`'s result.
    pub(super) fn dtype(&self, r: usize) -> DType {
        self.reds[r].dtype
    }

    /// The finished value of every reduction (one element each), from
    /// `operands`: the parameters, then the accumulator placeholder.
    pub(super) fn run(
        &self,
        kernel: &CompiledKernel,
        iter: &Iteration,
        operands: &[Operand],
        runner: &Runner,
    ) -> Vec<Data> {
        assert!(iter.check_bounds(operands), "iteration leaves an operand's buffer: {iter:?}");
        let mut outs: Vec<Data> = self.reds.iter().map(|r| Data::zeros(r.dtype, 1)).collect();
        let run = Run { kernel, iter, bases: Bases { operands }, params: operands.len() - 1, reds: &self.reds };
        fold::run(&run, self.count, runner, &mut outs);
        outs
    }
}

/// One compiled reduce kernel over its iteration.
struct Run<'a> {
    kernel: &'a CompiledKernel,
    iter: &'a Iteration,
    /// Parameters, the accumulator placeholder, roots (the iteration's order).
    bases: Bases<'a>,
    params: usize,
    reds: &'a [Red],
}

impl Run<'_> {
    /// Call the kernel on `n` elements from iteration row `row`, column `col`,
    /// with accumulator pointers `accs` (one per reduction) and, for folding
    /// kernels, the `phase`: how many elements of the first block earlier calls
    /// folded.
    ///
    /// # Safety
    /// `col + n <= iter.inner` and `row` is an outer row of the iteration, and
    /// each `accs[r]` is valid for reading and writing what the kernel touches:
    /// `n` elements of reduction `r`'s dtype for a row layout; for a fold, the
    /// slot groups of the `ceil((phase + n) / BLOCK)` blocks the call reaches.
    unsafe fn call(
        &self,
        ptrs: &mut Vec<*mut u8>,
        row: usize,
        col: usize,
        n: usize,
        accs: &[*mut u8],
        phase: Option<usize>,
    ) {
        let ops = self.bases.operands;
        let operands = || ops.iter().enumerate().filter(|&(k, _)| k != self.params);
        ptrs.clear();
        // Kernel order: parameters, roots, accumulators (skipping the placeholder).
        for (k, op) in operands() {
            let off = op.start as isize + self.iter.row_offset(k, row) + col as isize * self.iter.inner_strides[k];
            // SAFETY: `off` is the element offset of a point of the iteration
            // space (the caller's row and column), which `check_bounds` proved
            // lies in `0..op.len`.
            ptrs.push(unsafe { op.ptr.add(off as usize * op.size) });
        }
        ptrs.extend_from_slice(accs);
        // Then the byte strides along the inner dimension, in the same order
        // (accumulators have none), then the phase: numbers in pointer-sized
        // words, never dereferenced.
        for (k, op) in operands() {
            ptrs.push(std::ptr::without_provenance_mut((self.iter.inner_strides[k] * op.size as isize) as usize));
        }
        ptrs.extend(std::iter::repeat_n(std::ptr::null_mut(), accs.len()));
        ptrs.extend(phase.map(std::ptr::without_provenance_mut::<u8>));
        // SAFETY: parameters and roots cover the `n` points `col..col + n` of the
        // row, `inner_strides[k]` elements apart (their byte strides follow the
        // pointers), inside the operands by `check_bounds`; roots are written
        // only at these points, which no other call covers (every point of the
        // iteration belongs to one block of one task) and which are distinct
        // elements (roots are C-contiguous and the iteration is in C order);
        // accumulators are the caller's promise. The kernel is alive for the
        // call (`self.kernel`).
        unsafe { (self.kernel.entry())(ptrs.as_ptr(), n) };
    }
}

/// The reduction element types, with the combining step of every operation the
/// operator table gives them.
pub(super) trait Acc: Element {
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self;
    /// The value of a lane once all its partials are combined.
    fn finish(op: ReduceOp, v: Self, count: usize) -> Self;
    fn from_scalar(s: Scalar) -> Self;
}

fn invalid(op: ReduceOp, dtype: DType) -> ! {
    unreachable!("the operator table never accumulates `{}` in {dtype}", op.name())
}

macro_rules! float_acc {
    ($t:ty, $variant:ident) => {
        impl Acc for $t {
            #[inline(always)]
            fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
                match op {
                    ReduceOp::Sum | ReduceOp::Mean => a + b,
                    ReduceOp::Prod => a * b,
                    ReduceOp::Min => minimum(a, b),
                    ReduceOp::Max => maximum(a, b),
                    ReduceOp::Any | ReduceOp::All => invalid(op, Self::DTYPE),
                }
            }
            fn finish(op: ReduceOp, v: Self, count: usize) -> Self {
                // NumPy adds the sum's identity 0.0 last (a sum of -0.0s is 0.0).
                match op {
                    ReduceOp::Sum => 0.0 + v,
                    ReduceOp::Mean => (0.0 + v).div_count(count),
                    ReduceOp::Prod | ReduceOp::Min | ReduceOp::Max | ReduceOp::Any | ReduceOp::All => v,
                }
            }
            fn from_scalar(s: Scalar) -> Self {
                match s {
                    Scalar::$variant(v) => v,
                    _ => unreachable!("accumulator start of another dtype"),
                }
            }
        }
    };
}
float_acc!(f32, Float32);
float_acc!(f64, Float64);

impl Acc for i64 {
    #[inline(always)]
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
        match op {
            ReduceOp::Sum => a.wrapping_add(b),
            ReduceOp::Prod => a.wrapping_mul(b),
            ReduceOp::Min => a.min(b),
            ReduceOp::Max => a.max(b),
            ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => invalid(op, DType::Int64),
        }
    }
    fn finish(_: ReduceOp, v: Self, _: usize) -> Self {
        v
    }
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Int64(v) => v,
            _ => unreachable!("accumulator start of another dtype"),
        }
    }
}

impl Acc for i32 {
    #[inline(always)]
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
        match op {
            ReduceOp::Min => a.min(b),
            ReduceOp::Max => a.max(b),
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => {
                invalid(op, DType::Int32)
            }
        }
    }
    fn finish(_: ReduceOp, v: Self, _: usize) -> Self {
        v
    }
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Int32(v) => v,
            _ => unreachable!("accumulator start of another dtype"),
        }
    }
}

impl Acc for bool {
    #[inline(always)]
    fn combine(op: ReduceOp, a: Self, b: Self) -> Self {
        match op {
            ReduceOp::Any | ReduceOp::Max => a | b,
            ReduceOp::All | ReduceOp::Min => a & b,
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean => invalid(op, DType::Bool),
        }
    }
    fn finish(_: ReduceOp, v: Self, _: usize) -> Self {
        v
    }
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(v) => v,
            _ => unreachable!("accumulator start of another dtype"),
        }
    }
}

/// Combine `xs` in a balanced tree (split at the middle, recursively), keeping
/// their order; the accumulator start if there are none.
#[inline]
fn pairwise<T: Acc>(op: ReduceOp, xs: &[T]) -> T {
    let mut out = [T::from_scalar(accumulator_start(op, T::DTYPE))];
    pairwise_chunks(op, xs, xs.len().max(1), &mut out);
    out[0]
}

/// `out[i] = pairwise(op, chunk i of xs)`, for consecutive chunks of `size`
/// elements (the last may be shorter), as many as `out` holds. The operator is
/// matched once here, not once per combination: folding a sum's blocks spent
/// more instructions combining each block's 8 slots than the kernel spent
/// reading and adding its 128 elements.
fn pairwise_chunks<T: Acc>(op: ReduceOp, xs: &[T], size: usize, out: &mut [T]) {
    #[inline(always)]
    fn each<T: Acc>(xs: &[T], size: usize, out: &mut [T], c: impl Fn(T, T) -> T + Copy) {
        if size == 8 {
            // The slots of float sums, means and products: the tree inline.
            let chunks = xs.chunks_exact(8);
            let rest = chunks.remainder();
            for (o, s) in out.iter_mut().zip(chunks) {
                *o = tree_small(s, c);
            }
            if let (Some(o), false) = (out.get_mut(xs.len() / 8), rest.is_empty()) {
                *o = tree_small(rest, c);
            }
            return;
        }
        for (o, chunk) in out.iter_mut().zip(xs.chunks(size)) {
            *o = tree_by(chunk, c);
        }
    }
    // `op` is a constant in each arm, so `combine` folds to one operation.
    match op {
        ReduceOp::Sum => each(xs, size, out, |a, b| T::combine(ReduceOp::Sum, a, b)),
        ReduceOp::Mean => each(xs, size, out, |a, b| T::combine(ReduceOp::Mean, a, b)),
        ReduceOp::Prod => each(xs, size, out, |a, b| T::combine(ReduceOp::Prod, a, b)),
        ReduceOp::Min => each(xs, size, out, |a, b| T::combine(ReduceOp::Min, a, b)),
        ReduceOp::Max => each(xs, size, out, |a, b| T::combine(ReduceOp::Max, a, b)),
        ReduceOp::Any => each(xs, size, out, |a, b| T::combine(ReduceOp::Any, a, b)),
        ReduceOp::All => each(xs, size, out, |a, b| T::combine(ReduceOp::All, a, b)),
    }
}

/// [`pairwise`]'s tree over a non-empty `xs`, combining with `c`.
fn tree_by<T: Copy>(xs: &[T], c: impl Fn(T, T) -> T + Copy) -> T {
    if xs.len() <= 8 {
        return tree_small(xs, c);
    }
    if xs.len().is_power_of_two() && xs.len() <= 8 * 128 {
        // A window's leaves: for a power of two, halving is pairing neighbours
        // level by level, without a call per node.
        let mut level = [xs[0]; 128];
        let mut m = xs.len() / 8;
        for (l, s) in level.iter_mut().zip(xs.chunks_exact(8)) {
            *l = tree_small(s, c);
        }
        while m > 1 {
            m /= 2;
            for k in 0..m {
                level[k] = c(level[2 * k], level[2 * k + 1]);
            }
        }
        return level[0];
    }
    let (l, r) = xs.split_at(xs.len() / 2);
    c(tree_by(l, c), tree_by(r, c))
}

/// [`tree_by`] for 1 to 8 elements, spelled out (the halving splits: 3 is 1 + 2,
/// 5 is 2 + 3, 6 is 3 + 3, 7 is 3 + 4).
#[inline(always)]
fn tree_small<T: Copy>(xs: &[T], c: impl Fn(T, T) -> T + Copy) -> T {
    let c3 = |a, b, d| c(a, c(b, d));
    let c4 = |a, b, d, e| c(c(a, b), c(d, e));
    match *xs {
        [a] => a,
        [a, b] => c(a, b),
        [a, b, d] => c3(a, b, d),
        [a, b, d, e] => c4(a, b, d, e),
        [a, b, d, e, f] => c(c(a, b), c3(d, e, f)),
        [a, b, d, e, f, g] => c(c3(a, b, d), c3(e, f, g)),
        [a, b, d, e, f, g, h] => c(c3(a, b, d), c4(e, f, g, h)),
        [a, b, d, e, f, g, h, i] => c(c4(a, b, d, e), c4(f, g, h, i)),
        _ => unreachable!("tree_small takes 1 to 8 elements"),
    }
}

/// Apply a generic function to the typed vector of a buffer.
macro_rules! typed1 {
    ($a:expr, |$x:ident| $body:expr) => {
        match $a {
            Data::Bool($x) => $body,
            Data::Int32($x) => $body,
            Data::Int64($x) => $body,
            Data::Float32($x) => $body,
            Data::Float64($x) => $body,
        }
    };
}

/// Apply a generic function to the typed slices of two buffers of one dtype.
macro_rules! typed2 {
    ($a:expr, $b:expr, |$x:ident, $y:ident| $body:expr) => {
        match ($a, $b) {
            (Data::Bool($x), Data::Bool($y)) => $body,
            (Data::Int32($x), Data::Int32($y)) => $body,
            (Data::Int64($x), Data::Int64($y)) => $body,
            (Data::Float32($x), Data::Float32($y)) => $body,
            (Data::Float64($x), Data::Float64($y)) => $body,
            _ => unreachable!("partials and results share the reduction's dtype"),
        }
    };
}

pub(super) mod combine;
mod tree;

/// Every element of `out` is the result of reducing nothing.
fn fill_finished(red: Red, out: &mut Data) {
    fn fill<T: Acc>(red: Red, out: &mut [T]) {
        let v = T::finish(red.op, pairwise::<T>(red.op, &[]), red.count);
        out.fill(v);
    }
    match out {
        Data::Bool(o) => fill(red, o),
        Data::Int32(o) => fill(red, o),
        Data::Int64(o) => fill(red, o),
        Data::Float32(o) => fill(red, o),
        Data::Float64(o) => fill(red, o),
    }
}

/// A buffer of `n` accumulator starts.
fn starts(red: Red, n: usize) -> Data {
    // One pass: not zeroed (a memset of every group) and then filled.
    match accumulator_start(red.op, red.dtype) {
        Scalar::Bool(v) => Data::Bool(vec![v; n]),
        Scalar::Int32(v) => Data::Int32(vec![v; n]),
        Scalar::Int64(v) => Data::Int64(vec![v; n]),
        Scalar::Float32(v) => Data::Float32(vec![v; n]),
        Scalar::Float64(v) => Data::Float64(vec![v; n]),
    }
}

/// Set the first `n` elements of `d` to the accumulator start.
fn restart(red: Red, d: &mut Data, n: usize) {
    fn fill<T: Acc>(red: Red, d: &mut [T]) {
        d.fill(T::from_scalar(accumulator_start(red.op, red.dtype)));
    }
    match d {
        Data::Bool(o) => fill(red, &mut o[..n]),
        Data::Int32(o) => fill(red, &mut o[..n]),
        Data::Int64(o) => fill(red, &mut o[..n]),
        Data::Float32(o) => fill(red, &mut o[..n]),
        Data::Float64(o) => fill(red, &mut o[..n]),
    }
}

/// The first element of a scratch buffer, for the kernel to read and write.
fn buffer_ptr(data: &mut Data) -> *mut u8 {
    match data {
        Data::Bool(v) => v.as_mut_ptr() as *mut u8,
        Data::Int32(v) => v.as_mut_ptr() as *mut u8,
        Data::Int64(v) => v.as_mut_ptr() as *mut u8,
        Data::Float32(v) => v.as_mut_ptr() as *mut u8,
        Data::Float64(v) => v.as_mut_ptr() as *mut u8,
    }
}

/// Concatenate per-task buffers (in task order) into one per reduction.
fn concat(reds: &[Red], tasks: Vec<Vec<Data>>) -> Vec<Data> {
    let total = |r: usize| tasks.iter().map(|t| t[r].len()).sum::<usize>();
    let mut all: Vec<Data> =
        reds.iter().enumerate().map(|(r, red)| Data::zeros(red.dtype, 0).reserved(total(r))).collect();
    for task in tasks {
        for (a, t) in all.iter_mut().zip(task) {
            typed2!(a, t, |a, t| a.extend(t));
        }
    }
    all
}

/// Lanes whose innermost iteration dimension is reduced: the kernel folds runs
/// of a lane into one partial per call.
mod fold {
    use super::*;

    /// Reduce every lane of `count` consecutive iteration elements into `outs`.
    pub(super) fn run(run: &Run<'_>, count: usize, runner: &Runner, outs: &mut [Data]) {
        let lanes = run.iter.total / count;
        let per_lane = count.div_ceil(BLOCK);
        let per_task = (runner.chunk / count.min(BLOCK)).max(1);
        let cut = match runner.reductions {
            Reductions::Finish => Cut::new(lanes, per_lane, per_task, runner.team.threads()),
            Reductions::Partials => Cut::leaves(lanes, per_lane, per_task),
        };
        // Blocks folded per round of kernel calls: a task's worth, at most a lane.
        let window = per_task.min(per_lane);
        let parts = runner.map_tasks(cut.tasks(), |t| task(run, count, window, &cut, t));
        let partials = concat(run.reds, parts);
        debug_assert!(partials.iter().all(|p| p.len() == cut.partials()));
        if runner.reductions == Reductions::Partials {
            // Already lane by lane, blocks in order.
            outs.iter_mut().zip(partials).for_each(|(out, p)| *out = p);
            return;
        }
        for ((out, p), red) in outs.iter_mut().zip(&partials).zip(run.reds) {
            typed2!(out, p, |o, p| finish(*red, p, cut.pieces, o));
        }
    }

    /// The value of each subtree of task `t`, per reduction.
    fn task(run: &Run<'_>, count: usize, window: usize, cut: &Cut, t: usize) -> Vec<Data> {
        let mut out: Vec<Data> = run.reds.iter().map(|r| Data::zeros(r.dtype, 0)).collect();
        let mut w = Window {
            groups: run.reds.iter().map(|r| starts(*r, window * r.slots)).collect(),
            leaves: run.reds.iter().map(|r| Data::zeros(r.dtype, window)).collect(),
            // Pointers and strides per operand, the accumulators, the phase.
            ptrs: Vec::with_capacity(2 * run.bases.operands.len() + run.reds.len() + 1),
            accs: vec![std::ptr::null_mut(); run.reds.len()],
        };
        let mut pending = Pending::new(run.reds, 1);
        for (lane, blocks) in cut.nodes(t) {
            let mut held = 0..0;
            let end = blocks.end;
            let mut src = Src { w: &mut w, run, count, window, lane, end, start: 0 };
            tree_held(blocks, &mut held, &mut pending, run.reds, &mut src);
            pending.pop_into(&mut out);
        }
        out
    }

    /// The blocks of one lane (up to `end`), folded a window at a time.
    struct Src<'a, 'r> {
        w: &'a mut Window,
        run: &'a Run<'r>,
        count: usize,
        window: usize,
        lane: usize,
        end: usize,
        /// The first block the window holds.
        start: usize,
    }

    impl Leaves for Src<'_, '_> {
        fn hold(&mut self, u: usize) -> std::ops::Range<usize> {
            let held = u..(u + self.window).min(self.end);
            self.w.fold(self.run, self.count, self.lane, held.clone());
            self.start = u;
            held
        }

        fn push_tree(&mut self, r: std::ops::Range<usize>, pending: &mut Pending) {
            pending.push_pairwise(&self.w.leaves, r.start - self.start..r.end - self.start, self.run.reds);
        }
    }

    /// Buffers for folding a window of consecutive blocks of one lane.
    struct Window {
        /// One group of slots per block, carried from one kernel call to the next.
        groups: Vec<Data>,
        /// Each block's partial (its slots combined).
        leaves: Vec<Data>,
        ptrs: Vec<*mut u8>,
        accs: Vec<*mut u8>,
    }

    impl Window {
        /// Fold `blocks` of lane `lane` into `self.leaves[..blocks.len()]`.
        fn fold(&mut self, run: &Run<'_>, count: usize, lane: usize, blocks: std::ops::Range<usize>) {
            // No refill of the groups: a kernel starts every block it begins
            // from the start itself (see `Layout::Invariant`).
            let inner = run.iter.inner;
            let lane_start = lane * count;
            let (mut pos, end) = (blocks.start * BLOCK, (blocks.end * BLOCK).min(count));
            while pos < end {
                let f = lane_start + pos;
                let (row, col) = (f / inner, f % inner);
                let n = (inner - col).min(end - pos);
                let group = pos / BLOCK - blocks.start;
                for ((a, g), red) in self.accs.iter_mut().zip(&mut self.groups).zip(run.reds) {
                    // SAFETY: `group < blocks.len()`, which is at most the
                    // window the buffer holds groups for.
                    *a = unsafe { buffer_ptr(g).add(group * red.slots * red.dtype.size()) };
                }
                // SAFETY: `col + n <= inner` and `row` is an outer row (`f` is an
                // element of the iteration); the call folds elements `pos..pos + n`
                // of the lane, whose blocks are this and following blocks of the
                // window (`pos + n <= end`), so their groups are in the buffer.
                unsafe { run.call(&mut self.ptrs, row, col, n, &self.accs, Some(pos % BLOCK)) };
                pos += n;
            }
            for ((l, g), red) in self.leaves.iter_mut().zip(&self.groups).zip(run.reds) {
                typed2!(l, g, |l, g| pairwise_chunks(
                    red.op,
                    &g[..blocks.len() * red.slots],
                    red.slots,
                    &mut l[..blocks.len()]
                ));
            }
        }
    }

    fn finish<T: Acc>(red: Red, partials: &[T], pieces: usize, out: &mut [T]) {
        for (lane, o) in out.iter_mut().enumerate() {
            *o = T::finish(red.op, pairwise(red.op, &partials[lane * pieces..(lane + 1) * pieces]), red.count);
        }
    }
}

/// Lanes across the innermost iteration dimension: the kernel runs along kept
/// dimensions and combines each element into its own accumulator, a row of
/// partials; rows of the reduced axis stream through it.
mod rows {
    use super::*;

    /// The iteration as `(pre, len, post)`: kept dimensions before the reduced
    /// one (`pre` outer rows), the reduced one (`len`), kept dimensions after it
    /// (`post_rows` outer rows of `inner` elements, `width` elements in all).
    struct Geometry {
        pre: usize,
        len: usize,
        post_rows: usize,
        width: usize,
        /// Output elements per lane of blocks (a tile of the width).
        tile: usize,
        tiles: usize,
        blocks: usize,
    }

    impl Geometry {
        fn new(run: &Run<'_>) -> Geometry {
            let it = run.iter;
            // The reduced dimension is the outer one along which the
            // accumulators do not move; none if its extent is 1 (dropped).
            let reduced = (0..it.outer.len()).find(|&d| it.outer_strides[run.params][d] == 0);
            let (pre, len, post_rows) = match reduced {
                Some(d) => (it.outer[..d].iter().product(), it.outer[d], it.outer[d + 1..].iter().product()),
                None => (it.outer.iter().product(), 1, 1),
            };
            let width = post_rows * it.inner;
            let tile = width.min(TILE);
            Geometry { pre, len, post_rows, width, tile, tiles: width.div_ceil(tile), blocks: len.div_ceil(BLOCK) }
        }
    }

    pub(super) fn run(run: &Run<'_>, runner: &Runner, outs: &mut [Data]) {
        let g = Geometry::new(run);
        // A lane of the tree: the blocks of one tile of one pre row.
        let per_task = (runner.chunk / (g.len.min(BLOCK) * g.tile)).max(1);
        let cut = match runner.reductions {
            Reductions::Finish => Cut::new(g.pre * g.tiles, g.blocks, per_task, runner.team.threads()),
            Reductions::Partials => Cut::leaves(g.pre * g.tiles, g.blocks, per_task),
        };
        let parts = runner.map_tasks(cut.tasks(), |t| task(run, &g, &cut, t));
        let partials = concat(run.reds, parts);
        for ((out, p), red) in outs.iter_mut().zip(&partials).zip(run.reds) {
            match runner.reductions {
                Reductions::Finish => typed2!(out, p, |o, p| finish(*red, &g, cut.pieces, p, o)),
                Reductions::Partials => typed2!(out, p, |o, p| by_lane(&g, p, o)),
            }
        }
    }

    /// Per reduction, the partial row (the tile's width) of each subtree of task `t`.
    fn task(run: &Run<'_>, g: &Geometry, cut: &Cut, t: usize) -> Vec<Data> {
        let inner = run.iter.inner;
        let mut out: Vec<Data> = run.reds.iter().map(|r| Data::zeros(r.dtype, 0)).collect();
        let mut ptrs = Vec::new();
        let mut accs = vec![std::ptr::null_mut(); run.reds.len()];
        // Slot rows: row `j` of a block accumulates into slot row `j mod K`.
        let mut slots: Vec<Data> = run.reds.iter().map(|r| starts(*r, r.slots * g.tile)).collect();
        let mut leaf: Vec<Data> = run.reds.iter().map(|r| Data::zeros(r.dtype, g.tile)).collect();
        for (lane, blocks) in cut.nodes(t) {
            let (o, p0) = (lane / g.tiles, (lane % g.tiles) * g.tile);
            let w = g.tile.min(g.width - p0);
            let mut pending = Pending::new(run.reds, w);
            tree(blocks, &mut pending, run.reds, &mut |b, pending| {
                slots.iter_mut().zip(run.reds).for_each(|(s, red)| restart(*red, s, red.slots * g.tile));
                for j in b * BLOCK..((b + 1) * BLOCK).min(g.len) {
                    let mut p = p0;
                    while p < p0 + w {
                        let (prow, col) = (p / inner, p % inner);
                        let n = (inner - col).min(p0 + w - p);
                        for ((a, s), red) in accs.iter_mut().zip(&mut slots).zip(run.reds) {
                            let at = ((j - b * BLOCK) % red.slots) * g.tile + (p - p0);
                            // SAFETY: `at + n <= (slot + 1) * tile` since `p - p0 + n
                            // <= w <= tile`: inside the slot buffer.
                            *a = unsafe { buffer_ptr(s).add(at * red.dtype.size()) };
                        }
                        let row = (o * g.len + j) * g.post_rows + prow;
                        // SAFETY: `col + n <= inner`, `row` is an outer row (`o`, `j`,
                        // `prow` are in range); each row accumulator covers `n`
                        // elements of its slot (above).
                        unsafe { run.call(&mut ptrs, row, col, n, &accs, None) };
                        p += n;
                    }
                }
                let rows = ((b + 1) * BLOCK).min(g.len) - b * BLOCK;
                for ((l, s), red) in leaf.iter_mut().zip(&slots).zip(run.reds) {
                    typed2!(l, s, |l, s| combine_slots(*red, s, rows, g.tile, w, l));
                }
                pending.push(&leaf, 0);
            });
            pending.pop_into(&mut out);
        }
        out
    }

    /// `out[c] = tree(slot rows at column c)` for the first `w` columns, the slot
    /// rows taken in the order a fold's slots would be in after `rows` elements
    /// (the one the next element would meet first), so a lane's result does not
    /// depend on the accumulator layout.
    fn combine_slots<T: Acc>(red: Red, slots: &[T], rows: usize, tile: usize, w: usize, out: &mut [T]) {
        let k = red.slots;
        let mut column = Vec::with_capacity(k);
        for (c, o) in out[..w].iter_mut().enumerate() {
            column.clear();
            column.extend((0..k).map(|s| slots[((rows + s) % k) * tile + c]));
            *o = pairwise(red.op, &column);
        }
    }

    /// The block partials of every lane (`Cut::leaves`: a lane's pieces are its
    /// blocks, each a partial row of the lane's width), moved into
    /// `out[element * blocks + b]`.
    fn by_lane<T: Acc>(g: &Geometry, partials: &[T], out: &mut [T]) {
        for o in 0..g.pre {
            for p in 0..g.width {
                let (t, c) = (p / g.tile, p % g.tile);
                let w = g.tile.min(g.width - t * g.tile);
                let base = (o * g.width + t * g.tile) * g.blocks;
                for b in 0..g.blocks {
                    out[(o * g.width + p) * g.blocks + b] = partials[base + b * w + c];
                }
            }
        }
    }

    /// `partials` holds, per lane (pre row, tile) in order, its `pieces`
    /// partial rows of the tile's width.
    fn finish<T: Acc>(red: Red, g: &Geometry, pieces: usize, partials: &[T], out: &mut [T]) {
        let mut lane = Vec::with_capacity(pieces);
        for o in 0..g.pre {
            for p in 0..g.width {
                let (t, c) = (p / g.tile, p % g.tile);
                let w = g.tile.min(g.width - t * g.tile);
                let base = (o * g.width + t * g.tile) * pieces;
                lane.clear();
                lane.extend((0..pieces).map(|k| partials[base + k * w + c]));
                out[o * g.width + p] = T::finish(red.op, pairwise(red.op, &lane), red.count);
            }
        }
    }
}
