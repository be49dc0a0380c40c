//! Execution: runs a fused [`Plan`] over arrays, the only caller of JIT code.
//!
//! Input: a program, its plan, views of the inputs (any strides) and an
//! [`EvalConfig`]. Output: the requested output arrays, new (C order) or written
//! into caller-provided C-contiguous views.
//!
//! Shapes come first, by the interpreter's rules, and a failing node gets the
//! interpreter's error ([`crate::shape::infer`]). For each elementwise stage:
//! group the roots by shape (one kernel per shape, usually one), broadcast every
//! parameter against it, choose the order of the axes, drop size-1 dimensions
//! and merge neighbours every operand steps through evenly ([`Nest`]),
//! then run the kernel along the innermost merged dimension with a loop in Rust
//! over the others. Along the inner dimension a parameter with stride 0 is
//! *invariant* (compiled to load once), one with stride 1 *contiguous*, any
//! other (transposed, reversed, sliced views; outputs when the order is not
//! theirs) *strided*: the kernel gets its stride at run time. Inputs are never
//! copied. The flattened iteration space is split into chunks of `chunk`
//! elements run by a [`team`] of threads (the caller and rayon workers); every
//! element is computed by the same code whatever the split, so results do not
//! depend on the thread count. Stages
//! with reductions run in [`reduce`]. A temporary is freed after the last stage
//! that reads it.
//!
//! Invariant (the unsafe boundary): every pointer handed to a kernel covers the
//! elements that call reads or writes. [`Iteration::check_bounds`] proves it once
//! per stage from the shapes and strides (of any sign) before any call; chunks
//! write disjoint elements of the outputs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::array::view::{c_strides, extent};
use crate::array::{fmt_shape, Array, ArrayView, ArrayViewMut};
use crate::codegen::{CompiledKernel, KernelCache, KernelFn, Layout, Stores};
use crate::diag::{Error, ErrorKind, Result};
use crate::fuse::{self, Plan, Stage};
use crate::ir::{Inst, NodeId, Op, Program};
use crate::shape::{Nest, Strided};
use crate::types::DType;
use crate::EvalConfig;

mod call;
mod reduce;
mod team;

pub use call::{Call, CallMemo};
pub use reduce::combine::LaneCombiner;

use team::Team;

/// Elements per parallel task when the configuration does not say.
pub const DEFAULT_CHUNK: usize = 16 * 1024;

/// Where the values of program nodes live during one evaluation.
#[derive(Clone, Copy, Debug)]
enum Loc {
    Input(usize),
    Temp,
    /// The `k`-th caller-provided output array.
    Out(usize),
}

struct Values<'a, 'o, 'p> {
    inputs: &'a [ArrayView<'a>],
    outs: &'o mut [ArrayViewMut<'p>],
    /// Per program node: where its value is, once computed.
    locs: Vec<Option<Loc>>,
    temps: Vec<Option<Array>>,
}

impl Values<'_, '_, '_> {
    fn view(&self, id: NodeId) -> ArrayView<'_> {
        match self.locs[id.index()].expect("stages run after the stages they read") {
            Loc::Input(k) => self.inputs[k].clone(),
            Loc::Temp => self.temps[id.index()].as_ref().expect("temporaries live until their last reader").view(),
            Loc::Out(k) => self.outs[k].view(),
        }
    }
}

/// Evaluate `plan` on `inputs` (in signature order). With `outs` non-empty, the
/// requested outputs are written into those views (one per output, same order)
/// and nothing is returned; otherwise the outputs are returned as new arrays.
pub fn eval(
    program: &Program,
    plan: &Plan,
    inputs: &[ArrayView<'_>],
    outs: &mut [ArrayViewMut<'_>],
    config: &EvalConfig,
) -> Result<Vec<Array>> {
    let threads = requested_threads(config)?;
    // Shapes (and every shape error, with the interpreter's wording and order)
    // before any work.
    let shapes = Shapes::infer(program, plan, inputs)?;
    let runner = Runner::new(config, threads, shapes.most_elements())?;
    let mut locs = vec![None; program.nodes.len()];
    for (i, node) in program.nodes.iter().enumerate() {
        if let Inst::Input(k) = node.inst {
            locs[i] = Some(Loc::Input(k));
        }
    }
    let mut vals = Values { inputs, outs, locs, temps: vec![None; program.nodes.len()] };
    for (stage, release) in plan.stages.iter().zip(&plan.release) {
        if stage.reductions.is_empty() {
            run_elementwise(program, plan, stage, &shapes, &mut vals, &runner)?;
        } else {
            reduce::run_stage(program, plan, stage, &shapes, &mut vals, &runner)?;
        }
        // Temporaries no later stage reads: memory stays at what is live.
        for id in release {
            vals.temps[id.index()] = None;
        }
    }
    finish_outputs(program, plan, vals)
}

/// How [`eval_stage`] hands back a stage's reductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reductions {
    /// Finished values, each of its reduction's shape (as [`eval`] computes them).
    Finish,
    /// Unfinished: per output element (*lane*, C order) the partial of each
    /// [`crate::codegen::FOLD_BLOCK`]-element block of its lane, in block order,
    /// as an array of shape `[lanes, blocks]`. Partials of consecutive pieces of
    /// a lane that start at block boundaries, combined by a [`LaneCombiner`],
    /// give the bits of the whole lane's reduction.
    Partials,
}

/// The values one stage computes: its roots (stored values) and its reductions,
/// in the stage's order.
#[derive(Debug)]
pub struct StageValues {
    pub roots: Vec<Array>,
    pub reductions: Vec<Array>,
}

/// Run one stage of a plan on its parameters alone (`params`: one view per
/// `stage.params`, in order), for callers that run a plan piece by piece (the
/// streaming driver runs stages over windows). The stage's kernels, partition
/// and order are those of [`eval`], so its values have the same bits.
pub fn eval_stage(
    program: &Program,
    plan: &Plan,
    stage: &Stage,
    params: &[ArrayView<'_>],
    reductions: Reductions,
    config: &EvalConfig,
) -> Result<StageValues> {
    let threads = requested_threads(config)?;
    let shapes = Shapes::for_stage(program, stage, params)?;
    let mut runner = Runner::new(config, threads, shapes.most_elements())?;
    runner.reductions = reductions;
    let mut locs = vec![None; program.nodes.len()];
    for (k, p) in stage.params.iter().enumerate() {
        locs[p.index()] = Some(Loc::Input(k));
    }
    let mut vals = Values { inputs: params, outs: &mut [], locs, temps: vec![None; program.nodes.len()] };
    if stage.reductions.is_empty() {
        run_elementwise(program, plan, stage, &shapes, &mut vals, &runner)?;
    } else {
        reduce::run_stage(program, plan, stage, &shapes, &mut vals, &runner)?;
    }
    let mut take = |id: NodeId| vals.temps[id.index()].take().expect("a stage computes its roots and reductions");
    Ok(StageValues {
        roots: stage.roots.iter().map(|&r| take(r)).collect(),
        reductions: stage.reductions.iter().map(|&r| take(r)).collect(),
    })
}

/// Move (or copy) the requested values into the result list or the caller's
/// views.
fn finish_outputs(program: &Program, plan: &Plan, mut vals: Values<'_, '_, '_>) -> Result<Vec<Array>> {
    if vals.outs.is_empty() {
        let mut result = Vec::with_capacity(plan.outputs.len());
        for (k, &o) in plan.outputs.iter().enumerate() {
            let used_later = plan.outputs[k + 1..].contains(&o);
            let arr = match vals.locs[o.index()] {
                Some(Loc::Temp) if !used_later => vals.temps[o.index()].take().expect("computed outputs exist"),
                _ => vals.view(o).to_array(),
            };
            result.push(arr);
        }
        return Ok(result);
    }
    for (k, &o) in plan.outputs.iter().enumerate() {
        if matches!(vals.locs[o.index()], Some(Loc::Out(j)) if j == k) {
            continue;
        }
        // An input, a reduction's result or an output requested twice: copied
        // (through an owned array when it lives in another caller view).
        let src = vals.view(o).to_array();
        check_out(program, o, &vals.outs[k], src.shape())?;
        vals.outs[k].assign(&src.view());
    }
    Ok(Vec::new())
}

/// A caller-provided output must have the result's dtype and shape.
fn check_out(program: &Program, id: NodeId, out: &ArrayViewMut<'_>, shape: &[usize]) -> Result<()> {
    let dtype = program.node(id).dtype;
    if out.dtype() != dtype || out.shape() != shape {
        return Err(Error::new(
            ErrorKind::Shape,
            format!(
                "the output array is {} {} but the value is {} {}",
                out.dtype(),
                fmt_shape(out.shape()),
                dtype,
                fmt_shape(shape)
            ),
        ));
    }
    Ok(())
}

fn run_elementwise(
    program: &Program,
    plan: &Plan,
    stage: &Stage,
    shapes: &Shapes,
    vals: &mut Values<'_, '_, '_>,
    runner: &Runner,
) -> Result<()> {
    let shape = |id: NodeId| shapes.of(id);
    let first = shape(stage.roots[0]);
    if stage.roots.iter().all(|&r| shape(r) == first) {
        return run_group(program, plan, stage, first, vals, runner);
    }
    // Outputs of different shapes cannot share one loop: one kernel per shape.
    let mut done = vec![false; stage.roots.len()];
    for i in 0..stage.roots.len() {
        if done[i] {
            continue;
        }
        let group_shape = shape(stage.roots[i]);
        let group: Vec<NodeId> = (i..stage.roots.len())
            .filter(|&j| shape(stage.roots[j]) == group_shape)
            .inspect(|&j| done[j] = true)
            .map(|j| stage.roots[j])
            .collect();
        let sub = fuse::build_stage(program, &group, &[], |id| stage.params.contains(&id));
        run_group(program, plan, &sub, group_shape, vals, runner)?;
    }
    Ok(())
}

/// Run one kernel whose roots all have `shape`.
fn run_group(
    program: &Program,
    plan: &Plan,
    stage: &Stage,
    shape: &[usize],
    vals: &mut Values<'_, '_, '_>,
    runner: &Runner,
) -> Result<()> {
    place_roots(program, plan, &stage.roots, shape, vals)?;
    let out_strides = c_strides(shape);
    let iter = {
        let params: Vec<ArrayView<'_>> = stage.params.iter().map(|&p| vals.view(p)).collect();
        let mut layouts: Vec<Strided<'_>> = params.iter().map(strided).collect();
        layouts.extend(std::iter::repeat_n(Strided { shape, strides: &out_strides, offset: 0 }, stage.roots.len()));
        Iteration::new(shape, &layouts, params.len())
    };
    let operands = stage_operands(program, stage, vals);
    let layouts = operand_layouts(&iter.inner_strides, stage.params.len());
    let kernel = runner.cache.get_or_compile(&stage.kernel, &layouts)?;
    runner.run(&kernel, &iter, &operands);
    Ok(())
}

fn strided<'v>(v: &'v ArrayView<'_>) -> Strided<'v> {
    Strided { shape: v.shape(), strides: v.strides(), offset: v.offset() }
}

/// The layout of each operand from its stride along the inner dimension.
fn operand_layouts(inner_strides: &[isize], params: usize) -> Vec<Layout> {
    inner_strides
        .iter()
        .enumerate()
        .map(|(k, &s)| match s {
            0 if k < params => Layout::Invariant,
            // An output's inner stride is 0 only when the inner dimension has one element.
            0 | 1 => Layout::Contiguous,
            _ => Layout::Strided,
        })
        .collect()
}

/// Decide where each root of `shape` goes: the caller's array if it is a
/// requested output (its first request), else a new temporary.
fn place_roots(
    program: &Program,
    plan: &Plan,
    roots: &[NodeId],
    shape: &[usize],
    vals: &mut Values<'_, '_, '_>,
) -> Result<()> {
    for &root in roots {
        let dtype = program.node(root).dtype;
        let out_slot = if vals.outs.is_empty() { None } else { plan.outputs.iter().position(|&o| o == root) };
        match out_slot {
            Some(k) => {
                check_out(program, root, &vals.outs[k], shape)?;
                vals.locs[root.index()] = Some(Loc::Out(k));
            }
            None => {
                vals.temps[root.index()] = Some(alloc(dtype, shape)?);
                vals.locs[root.index()] = Some(Loc::Temp);
            }
        }
    }
    Ok(())
}

/// The buffers of a stage's parameters, then of its (placed) roots.
fn stage_operands(program: &Program, stage: &Stage, vals: &mut Values<'_, '_, '_>) -> Vec<Operand> {
    let mut operands: Vec<Operand> = Vec::with_capacity(stage.params.len() + stage.roots.len());
    for (&p, &dtype) in stage.params.iter().zip(&stage.kernel.params) {
        let v = vals.view(p);
        // The kernel reads `dtype` elements: a buffer of another dtype would be
        // read out of bounds.
        assert_eq!(v.dtype(), dtype, "parameter %{} has the dtype its kernel was built for", p.0);
        // Cast to `*mut` only to share one pointer array with outputs: kernels
        // never write parameters.
        let ptr = v.data().ptr() as *mut u8;
        operands.push(Operand { ptr, len: v.data().len(), size: dtype.size(), start: v.offset() });
    }
    for &root in &stage.roots {
        let mut out: ArrayViewMut<'_> = match vals.locs[root.index()].expect("roots were just placed") {
            Loc::Out(k) => vals.outs[k].reborrow(),
            Loc::Temp => vals.temps[root.index()]
                .as_mut()
                .expect("roots were just allocated")
                .view_mut()
                .expect("temporaries are C order"),
            Loc::Input(_) => unreachable!("a kernel never stores into an input"),
        };
        assert_eq!(out.dtype(), program.node(root).dtype, "output %{} has its node's dtype", root.0);
        let (len, size) = (out.len(), out.dtype().size());
        operands.push(Operand { ptr: out.ptr_mut(), len, size, start: 0 });
    }
    operands
}

/// The shape of every node the outputs need, as indices into a table of the
/// distinct shapes (few per program), so inference allocates once per distinct
/// shape instead of once per node. Each node's shape is
/// [`crate::shape::node_shape`]'s, the rule [`crate::shape::infer`] applies in
/// the same node order, so errors are the interpreter's, for the same node.
struct Shapes {
    table: Vec<Vec<usize>>,
    of: Vec<u32>,
}

impl Shapes {
    fn infer(program: &Program, plan: &Plan, inputs: &[ArrayView<'_>]) -> Result<Shapes> {
        let mut shapes = Shapes { table: Vec::new(), of: vec![u32::MAX; program.nodes.len()] };
        for (i, node) in program.nodes.iter().enumerate() {
            if !plan.needed[i] {
                continue;
            }
            shapes.of[i] = match &node.inst {
                Inst::Input(k) => shapes.intern(inputs[*k].shape()),
                _ => shapes.node(node)?,
            };
        }
        Ok(shapes)
    }

    /// The shapes of the nodes one stage computes, from the shapes of its
    /// parameters (`params`, in the stage's parameter order). The stage's values
    /// must broadcast: the caller checked the whole program's shapes first.
    fn for_stage(program: &Program, stage: &Stage, params: &[ArrayView<'_>]) -> Result<Shapes> {
        let n = program.nodes.len();
        let mut shapes = Shapes { table: Vec::new(), of: vec![u32::MAX; n] };
        let mut needed = vec![false; n];
        for &id in stage.roots.iter().chain(&stage.reductions) {
            needed[id.index()] = true;
        }
        for (&p, v) in stage.params.iter().zip(params) {
            shapes.of[p.index()] = shapes.intern(v.shape());
        }
        // Back from the stage's values to its parameters: what the kernel computes.
        for i in (0..n).rev() {
            if needed[i] && shapes.of[i] == u32::MAX {
                for a in program.nodes[i].inst.args() {
                    needed[a.index()] = true;
                }
            }
        }
        for (i, node) in program.nodes.iter().enumerate() {
            if !needed[i] || shapes.of[i] != u32::MAX {
                continue;
            }
            shapes.of[i] = match &node.inst {
                Inst::Input(k) => unreachable!("input {k} is a parameter of every stage that reads it"),
                _ => shapes.node(node)?,
            };
        }
        Ok(shapes)
    }

    /// The shape of a computed node from its arguments' shapes by
    /// [`crate::shape::node_shape`], the rule (and the errors) of
    /// [`crate::shape::infer`].
    fn node(&mut self, node: &crate::ir::Node) -> Result<u32> {
        let args = node.inst.args();
        let same = !args.is_empty() && args.iter().all(|a| self.of[a.index()] == self.of[args[0].index()]);
        match &node.inst {
            Inst::Input(_) => unreachable!("inputs have the shapes they are given"),
            // Elementwise of arguments of one shape: that shape (the common
            // case, without allocating).
            Inst::Op(Op::Unary(..) | Op::Cast(_) | Op::Binary(..) | Op::Call(..)) if same => {
                Ok(self.of[args[0].index()])
            }
            _ => {
                let arg_shapes: Vec<&[usize]> = args.iter().map(|&a| self.of(a)).collect();
                let shape = crate::shape::node_shape(node, &arg_shapes)?;
                Ok(self.intern(&shape))
            }
        }
    }

    fn of(&self, id: NodeId) -> &[usize] {
        &self.table[self.of[id.index()] as usize]
    }

    /// The element count of the largest shape: a bound on every stage's work.
    fn most_elements(&self) -> usize {
        self.table.iter().map(|s| crate::array::shape_size(s).unwrap_or(0)).max().unwrap_or(0)
    }

    fn intern(&mut self, shape: &[usize]) -> u32 {
        match self.table.iter().position(|s| s == shape) {
            Some(k) => k as u32,
            None => {
                self.table.push(shape.to_vec());
                self.table.len() as u32 - 1
            }
        }
    }
}

/// A zeroed array, or an error (not an abort) when the memory is not available.
fn alloc(dtype: DType, shape: &[usize]) -> Result<Array> {
    Array::zeros(dtype, shape.to_vec())
}

/// One buffer a kernel reads or writes: its start, element count, element size
/// and the offset of the operand's first element.
#[derive(Clone, Copy)]
struct Operand {
    ptr: *mut u8,
    len: usize,
    size: usize,
    start: usize,
}

/// The iteration space of a stage after broadcasting, ordering and merging
/// dimensions.
#[derive(Debug)]
struct Iteration {
    /// Outer dimensions, outermost first, iterated in Rust.
    outer: Vec<usize>,
    /// Per operand, its element stride along each outer dimension.
    outer_strides: Vec<Vec<isize>>,
    /// Length of the inner dimension (what one kernel call processes at most).
    inner: usize,
    /// Per operand, its element stride along the inner dimension: 0 (invariant),
    /// 1 (contiguous) or anything else (strided).
    inner_strides: Vec<isize>,
    total: usize,
    /// How many of the operands are parameters (the rest are outputs).
    params: usize,
}

impl Iteration {
    /// The iteration over `shape` of `operands`: the parameters (the first
    /// `params`, broadcast against `shape`), then the outputs (C order, exactly
    /// `shape`).
    fn new(shape: &[usize], operands: &[Strided<'_>], params: usize) -> Iteration {
        let total = shape.iter().product();
        let n = operands.len();
        // Common case: every operand is C-contiguous with the full shape, or a
        // single element.
        let full = |op: &Strided<'_>| op.shape == shape && *c_strides(op.shape) == *op.strides;
        if operands.iter().all(|op| full(op) || op.shape.iter().product::<usize>() == 1) {
            let inner_strides = operands.iter().map(|op| isize::from(full(op))).collect();
            return Iteration {
                outer: Vec::new(),
                outer_strides: vec![Vec::new(); n],
                inner: total,
                inner_strides,
                total,
                params,
            };
        }
        // The parameters vote on the axis order; outputs are C order.
        let Nest { dims: mut outer, strides: mut outer_strides } = Nest::new(shape, operands, params);
        let inner = outer.pop().unwrap_or(1);
        let inner_strides = outer_strides.iter_mut().map(|m| m.pop().unwrap_or(0)).collect();
        Iteration { outer, outer_strides, inner, inner_strides, total, params }
    }

    /// Whether every element offset the iteration produces is inside its
    /// operand: the lowest is `start` plus the negative `(extent - 1) * stride`
    /// terms over all dimensions, the highest `start` plus the positive ones.
    fn check_bounds(&self, operands: &[Operand]) -> bool {
        if self.total == 0 {
            return true;
        }
        operands.iter().enumerate().all(|(k, op)| {
            let outer = self.outer.iter().copied().zip(self.outer_strides[k].iter().copied());
            let dims = outer.chain([(self.inner, self.inner_strides[k])]);
            matches!(extent(dims, op.start), Some((lo, hi)) if lo >= 0 && hi < op.len as i128)
        })
    }

    /// Element offset of operand `k` at the start of outer row `row`, relative
    /// to its first element.
    fn row_offset(&self, k: usize, mut row: usize) -> isize {
        let mut off = 0;
        for d in (0..self.outer.len()).rev() {
            off += (row % self.outer[d]) as isize * self.outer_strides[k][d];
            row /= self.outer[d];
        }
        off
    }
}

/// Pointers shared by the tasks of one stage.
struct Bases<'a> {
    operands: &'a [Operand],
}

// SAFETY: the pointers are only dereferenced by kernel calls in `run_range`,
// which read parameters (never written during the stage) and write disjoint
// element ranges of the outputs, so sharing them between threads is race-free.
unsafe impl Sync for Bases<'_> {}

/// The resolved execution settings of one evaluation.
struct Runner {
    cache: Arc<KernelCache>,
    team: Team,
    chunk: usize,
    reductions: Reductions,
}

/// The most threads an evaluation runs on (`EvalConfig::threads`, `--threads`):
/// more is surely a mistake, and would only cost memory and start-up time.
pub const MAX_THREADS: usize = 1024;

/// The cores this process may run on, asked of the system once: on Linux
/// `available_parallelism` reads cgroup files (~30 µs), which on every call
/// was 95% of a cached evaluation at n = 10.
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The thread count a configuration asks for: all cores by default; 0 and more
/// than [`MAX_THREADS`] are errors.
pub fn requested_threads(config: &EvalConfig) -> Result<usize> {
    match config.threads {
        None => Ok(cores()),
        Some(0) => Err(Error::new(ErrorKind::Usage, "the number of threads must be at least 1")),
        Some(n) if n > MAX_THREADS => Err(Error::new(
            ErrorKind::Limit,
            format!(
                "{n} threads is more than jitexpr runs (at most {MAX_THREADS}; this machine has {} cores)",
                cores()
            ),
        )),
        Some(n) => Ok(n),
    }
}

impl Runner {
    /// A runner for an evaluation whose largest array has `elements` elements.
    /// No more threads start than there are tasks of `chunk` elements: with
    /// fewer tasks than `threads`, the largest power of two that is not more
    /// (so teams come in few sizes, each built once and reused).
    fn new(config: &EvalConfig, threads: usize, elements: usize) -> Result<Runner> {
        let cache = config.cache.clone().unwrap_or_else(KernelCache::shared);
        let chunk = config.chunk.unwrap_or(DEFAULT_CHUNK).max(1);
        let tasks = elements.div_ceil(chunk).max(1);
        let threads = if tasks >= threads { threads } else { 1 << tasks.ilog2() };
        Ok(Runner { cache, team: Team::new(threads)?, chunk, reductions: Reductions::Finish })
    }

    fn run(&self, kernel: &CompiledKernel, iter: &Iteration, operands: &[Operand]) {
        assert!(iter.check_bounds(operands), "iteration leaves an operand's buffer: {iter:?}");
        if iter.total == 0 {
            return;
        }
        let bases = Bases { operands };
        let stores = if streams(iter, operands) { Stores::Streaming } else { Stores::Cached };
        let entry = kernel.entry_for(stores);
        if self.team.threads() == 1 {
            return run_range(entry, iter, &bases, 0, iter.total);
        }
        // Equal tasks of at most `chunk` elements (no tiny last task), as many for
        // each thread where there are elements enough (its share, see `team`).
        let threads = self.team.threads();
        let size = iter.total.div_ceil(iter.total.div_ceil(self.chunk).next_multiple_of(threads).min(iter.total));
        // Recounted: every task holds elements.
        let tasks = iter.total.div_ceil(size);
        self.team.for_each(tasks, &|t| run_range(entry, iter, &bases, t * size, ((t + 1) * size).min(iter.total)));
    }

    /// `f(0), f(1), ..., f(tasks - 1)` on the team, results in task order.
    fn map_tasks<R: Send>(&self, tasks: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
        self.team.map(tasks, f)
    }
}

/// Whether a stage writes its outputs with non-temporal stores where the
/// kernel has such a variant ([`Stores::Streaming`]): when its outputs take at
/// least [`STREAM_FROM`] bytes and everything it touches (inputs read and
/// outputs written) at least the last-level cache ([`llc_bytes`]). Such a
/// stage's data cannot stay cached until the next evaluation anyway, and
/// streaming saves reading every output line before writing it and evicting
/// the inputs: `a+b` at n = 1e7 ran 1.3–1.5x faster. A smaller stage stays in
/// the shared cache from one call to the next, where ordinary stores win:
/// measured at n = 1e6 (2 threads, 32 MiB L3, best of 3 interleaved rounds),
/// cached/streaming time for float64 `a+b` (24 MB touched) 0.67–0.71,
/// `a*b+c` (32 MB) 0.84–0.94, float32 `a+b` 0.60–0.80, the float32 cubic
/// 0.69–0.78; only the float64 cubic (16 MB) was faster streaming (1.13).
fn streams(iter: &Iteration, operands: &[Operand]) -> bool {
    let bytes =
        |ops: &[Operand]| -> usize { ops.iter().map(|op| op.len.min(iter.total).saturating_mul(op.size)).sum() };
    let out = bytes(&operands[iter.params..]);
    out >= STREAM_FROM && out.saturating_add(bytes(&operands[..iter.params])) >= llc_bytes()
}

/// The least output size that can stream: twice the 1 MiB L2 of the
/// development machine's cores (outputs this large leave the core's caches).
const STREAM_FROM: usize = 2 << 20;

/// A last-level cache size tests set (`__private::set_llc_bytes`); 0 for none.
pub(crate) static LLC_OVERRIDE: AtomicUsize = AtomicUsize::new(0);

/// The size of the CPU's last-level cache (read once from Linux's sysfs; 32 MiB
/// where it cannot be read).
fn llc_bytes() -> usize {
    static LLC: OnceLock<usize> = OnceLock::new();
    let forced = LLC_OVERRIDE.load(Ordering::Relaxed);
    if forced > 0 {
        return forced;
    }
    *LLC.get_or_init(|| {
        let read = |k: usize, what: &str| {
            std::fs::read_to_string(format!("/sys/devices/system/cpu/cpu0/cache/index{k}/{what}")).ok()
        };
        let size = |text: String| -> Option<usize> {
            let t = text.trim();
            let (digits, unit) = match t.strip_suffix('K') {
                Some(d) => (d, 1 << 10),
                None => t.strip_suffix('M').map_or((t, 1), |d| (d, 1 << 20)),
            };
            digits.parse::<usize>().ok().map(|v| v.saturating_mul(unit))
        };
        (0..8)
            .filter_map(|k| Some((read(k, "level")?.trim().parse::<u32>().ok()?, size(read(k, "size")?)?)))
            .max()
            .map_or(32 << 20, |(_, bytes)| bytes)
    })
}

/// Calls of at least this many elements start with a short call that brings the
/// anchor operand to a cache-line boundary, so the vector loop's accesses (64
/// bytes wide on AVX-512) do not each straddle two lines. Large buffers from
/// `malloc` (and NumPy's) start 16 bytes past a page: with 512-bit vectors,
/// `sqrt(a**2 + b**2 + c**2)` at n = 1e6 took 1.7x the time of aligned buffers.
/// Every element is computed by the same code whatever the call boundaries, so
/// the split does not change results.
const ALIGN_FROM: usize = 1024;

/// How many elements of `size` bytes from `ptr` precede the next 64-byte
/// boundary, if any do and the boundary can be reached in whole elements.
fn elements_to_alignment(ptr: *mut u8, size: usize) -> Option<usize> {
    let skew = ptr.addr() % 64;
    (skew != 0 && skew.is_multiple_of(size)).then(|| (64 - skew) / size)
}

/// How many elements a long call first runs alone so that the most of
/// `anchors` (row pointer, element size, is an output) start on a cache line
/// after it: each counts once, an output twice (a store that splits a line
/// costs most), ties go to the shorter peel; `None` when the best is to peel
/// nothing. Buffers of one kind share their skew (`malloc` puts large ones 16
/// bytes past a page), but inputs read from `.npy` files or sliced need not
/// share the output's: three inputs 16 bytes off and an aligned output made
/// `sqrt(a**2 + b**2 + c**2)` 1.8x slower at 512 bits when the output won.
fn best_peel(anchors: impl Iterator<Item = (*mut u8, usize, bool)>) -> Option<usize> {
    let mut votes = [0usize; 64];
    for (ptr, size, output) in anchors {
        let peel = if ptr.addr().is_multiple_of(64) { Some(0) } else { elements_to_alignment(ptr, size) };
        if let Some(p) = peel {
            votes[p] += if output { 2 } else { 1 };
        }
    }
    let best = (0..64).max_by_key(|&p| (votes[p], std::cmp::Reverse(p)))?;
    (votes[best] > 0 && best > 0).then_some(best)
}

/// Run the kernel over flat elements `start..end` of the iteration space, one
/// call per (part of an) inner row (and a short first call, see [`ALIGN_FROM`]).
fn run_range(entry: KernelFn, iter: &Iteration, bases: &Bases<'_>, start: usize, end: usize) {
    /// Slots on the stack: a row pointer and a stride for 16 operands.
    const STACK: usize = 32;
    let ops = bases.operands;
    let mut on_stack = [std::ptr::null_mut::<u8>(); STACK];
    let mut on_heap = Vec::new();
    let ptrs: &mut [*mut u8] = if 2 * ops.len() <= STACK {
        &mut on_stack[..2 * ops.len()]
    } else {
        on_heap.resize(2 * ops.len(), std::ptr::null_mut());
        &mut on_heap
    };
    // After the row pointers, the byte stride of every operand along the inner
    // dimension (the kernel reads those of strided operands).
    for (k, op) in ops.iter().enumerate() {
        ptrs[ops.len() + k] = std::ptr::without_provenance_mut((iter.inner_strides[k] * op.size as isize) as usize);
    }
    // The operands whose vector accesses a long call aligns: the contiguous
    // ones with the widest elements (whose vectors span the most bytes).
    let widest = (0..ops.len()).filter(|&k| iter.inner_strides[k] == 1).map(|k| ops[k].size).max();
    let anchors = || (0..ops.len()).filter(move |&k| iter.inner_strides[k] == 1 && Some(ops[k].size) == widest);
    let mut idx = start;
    while idx < end {
        let (row, col) = (idx / iter.inner, idx % iter.inner);
        let mut n = (iter.inner - col).min(end - idx);
        for (k, op) in ops.iter().enumerate() {
            let off = op.start as isize + iter.row_offset(k, row) + col as isize * iter.inner_strides[k];
            // SAFETY: `off` is the element offset of a point of the iteration
            // space, which `check_bounds` proved lies in `0..op.len`.
            ptrs[k] = unsafe { op.ptr.add(off as usize * op.size) };
        }
        if n >= ALIGN_FROM {
            n = n.min(best_peel(anchors().map(|k| (ptrs[k], ops[k].size, k >= iter.params))).unwrap_or(n));
        }
        // SAFETY: each pointer covers what the kernel touches: `n` elements from
        // `ptrs[k]`, `inner_strides[k]` elements apart (1: contiguous, any other:
        // strided, with that stride in bytes in `ptrs[ops.len() + k]`), or one
        // element (invariant, stride 0). Those are the points `col..col + n` of
        // this row of the iteration space, inside the operand by `check_bounds`.
        // Outputs are written only at the points of flat indices `idx..idx + n`,
        // which no other task covers, and an output (C-contiguous, exactly the
        // iteration shape, dimensions permuted and merged) has a distinct element
        // for every point, so tasks write disjoint elements; parameters are never
        // written. The kernel is alive for the whole call: `entry` is one of its
        // entry points, and `Runner::run`, the only caller, borrows it.
        unsafe { entry(ptrs.as_ptr(), n) };
        idx += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_calls_split_at_the_anchors_next_cache_line() {
        let at = |addr: usize| std::ptr::without_provenance_mut::<u8>(addr);
        assert_eq!(elements_to_alignment(at(4096), 8), None);
        assert_eq!(elements_to_alignment(at(4096 + 16), 8), Some(6));
        assert_eq!(elements_to_alignment(at(4096 + 60), 4), Some(1));
        assert_eq!(elements_to_alignment(at(4096 + 63), 1), Some(1));
        // Not reachable in whole elements (a view at an odd byte offset).
        assert_eq!(elements_to_alignment(at(4096 + 4), 8), None);
    }

    #[test]
    fn the_peel_aligns_most_operands_outputs_counting_twice() {
        let at = |addr: usize| std::ptr::without_provenance_mut::<u8>(addr);
        let (input, output) = (false, true);
        // All share a skew: peel to it.
        assert_eq!(best_peel([(at(16), 8, input), (at(4112), 8, output)].into_iter()), Some(6));
        // Three inputs 16 bytes off outvote an aligned output: peel for them.
        let npy = [(at(16), 8, input), (at(8208), 8, input), (at(16400), 8, input), (at(65536), 8, output)];
        assert_eq!(best_peel(npy.into_iter()), Some(6));
        // One input against the output: the output wins, and it is aligned.
        assert_eq!(best_peel([(at(16), 8, input), (at(64), 8, output)].into_iter()), None);
        // Unreachable skews do not vote.
        assert_eq!(best_peel([(at(4), 8, output), (at(40), 8, input)].into_iter()), Some(3));
        assert_eq!(best_peel(std::iter::empty()), None);
    }

    #[test]
    fn defect4_no_more_threads_start_than_there_are_tasks() {
        let asked = EvalConfig { threads: Some(1000), ..EvalConfig::default() };
        assert_eq!(Runner::new(&asked, 1000, 10).expect("a runner").team.threads(), 1);
        // 10 tasks of one element: the largest power of two not above 10.
        let small_chunks = EvalConfig { threads: Some(1000), chunk: Some(1), ..EvalConfig::default() };
        assert_eq!(Runner::new(&small_chunks, 1000, 10).expect("a runner").team.threads(), 8);
        let enough = EvalConfig { threads: Some(3), chunk: Some(1), ..EvalConfig::default() };
        assert_eq!(Runner::new(&enough, 3, 10).expect("a runner").team.threads(), 3);
        let absurd = EvalConfig { threads: Some(100_000), ..EvalConfig::default() };
        assert_eq!(requested_threads(&absurd).unwrap_err().kind, ErrorKind::Limit);
    }

    fn operand(len: usize, start: usize) -> Operand {
        Operand { ptr: std::ptr::null_mut(), len, size: 8, start }
    }

    /// The iteration of C-contiguous parameters of these shapes and one output.
    fn c_order(shape: &[usize], params: &[&[usize]]) -> Iteration {
        let strides: Vec<crate::array::dims::Dims<isize>> =
            params.iter().chain([&shape]).map(|s| c_strides(s)).collect();
        let ops: Vec<Strided<'_>> = params
            .iter()
            .chain([&shape])
            .zip(&strides)
            .map(|(s, st)| Strided { shape: s, strides: st, offset: 0 })
            .collect();
        Iteration::new(shape, &ops, params.len())
    }

    #[test]
    fn merges_contiguous_dimensions_and_keeps_broadcast_ones() {
        let it = c_order(&[300, 200], &[&[300, 1], &[300, 200]]);
        assert_eq!((it.outer.clone(), it.inner), (vec![300], 200));
        assert_eq!(it.inner_strides, vec![0, 1, 1]);
        assert_eq!(it.outer_strides, vec![vec![1], vec![200], vec![200]]);
        assert!(it.check_bounds(&[operand(300, 0), operand(60000, 0), operand(60000, 0)]));
        let it = c_order(&[4, 5, 6], &[&[4, 5, 6], &[1, 5, 6]]);
        assert_eq!((it.outer.clone(), it.inner), (vec![4], 30));
        assert_eq!(it.inner_strides, vec![1, 1, 1]);
        assert_eq!(it.outer_strides, vec![vec![30], vec![0], vec![30]]);
        let it = c_order(&[4, 5, 6], &[&[4, 5, 6], &[]]);
        assert_eq!((it.outer.len(), it.inner, it.inner_strides.clone()), (0, 120, vec![1, 0, 1]));
    }

    #[test]
    fn zero_d_iteration_is_one_element() {
        let it = c_order(&[], &[&[], &[]]);
        assert_eq!((it.inner, it.total), (1, 1));
        assert!(it.check_bounds(&[operand(1, 0), operand(1, 0), operand(1, 0)]));
    }

    #[test]
    fn size_one_dimensions_vanish() {
        let it = c_order(&[3, 1], &[&[3, 1], &[1]]);
        assert_eq!((it.outer.len(), it.inner, it.inner_strides.clone()), (0, 3, vec![1, 0, 1]));
        let it = c_order(&[1, 1], &[&[1, 1]]);
        assert_eq!((it.inner, it.total), (1, 1));
    }

    #[test]
    fn a_lone_fortran_input_iterates_in_fortran_order() {
        // (4, 5, 6) in Fortran order: one contiguous run for the input, the
        // output written with strides.
        let f = Strided { shape: &[4, 5, 6], strides: &[1, 4, 20], offset: 0 };
        let c = Strided { shape: &[4, 5, 6], strides: &[30, 6, 1], offset: 0 };
        let it = Iteration::new(&[4, 5, 6], &[f, c], 1);
        assert_eq!((it.outer.clone(), it.inner), (vec![6, 5], 4));
        assert_eq!(it.inner_strides, vec![1, 30]);
        assert_eq!(it.outer_strides, vec![vec![20, 4], vec![1, 6]]);
        // Against a C-order input, the tie goes to C order.
        let it = Iteration::new(&[4, 5, 6], &[f, c, c], 2);
        assert_eq!((it.outer.clone(), it.inner, it.inner_strides.clone()), (vec![4, 5], 6, vec![20, 1, 1]));
        // Two Fortran inputs outvote one C input.
        let it = Iteration::new(&[4, 5, 6], &[f, c, f, c], 3);
        assert_eq!((it.inner, it.inner_strides.clone()), (4, vec![1, 30, 1, 30]));
    }

    #[test]
    fn negative_strides_are_bounded_from_below() {
        // A reversed vector of 10 starting at element 9 reaches 0..=9.
        let rev = Strided { shape: &[10], strides: &[-1], offset: 9 };
        let out = Strided { shape: &[10], strides: &[1], offset: 0 };
        let it = Iteration::new(&[10], &[rev, out], 1);
        assert_eq!((it.inner, it.inner_strides.clone()), (10, vec![-1, 1]));
        assert!(it.check_bounds(&[operand(10, 9), operand(10, 0)]));
        // Starting at 8 it would reach element -1; at 10, element 10.
        assert!(!it.check_bounds(&[operand(10, 8), operand(10, 0)]));
        assert!(!it.check_bounds(&[operand(10, 10), operand(10, 0)]));
    }
}
