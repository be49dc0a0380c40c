//! Execution: runs a fused [`Plan`] over arrays, the only caller of JIT code.
//!
//! Input: a program, its plan, the input arrays and an [`EvalConfig`].
//! Output: the requested output arrays, new or written into caller-provided ones.
//!
//! Shapes come first, by the interpreter's rules, and a failing node gets the
//! interpreter's error ([`crate::shape::infer`]). For each elementwise stage:
//! group the roots by shape (one kernel per shape, usually one), broadcast every
//! parameter against it, drop size-1 dimensions and merge dimensions that are
//! contiguous for every operand, then run the kernel along the innermost merged
//! dimension with a loop in Rust over the others. A parameter whose stride along the inner dimension is 0 is
//! *invariant* (compiled to load once), otherwise *contiguous*. The flattened
//! iteration space is split into chunks of `chunk` elements run on a rayon pool;
//! every element is computed by the same code whatever the split, so results do
//! not depend on the thread count. Reduce stages call the interpreter. A
//! temporary is freed after the last stage that reads it.
//!
//! Invariant (the unsafe boundary): every pointer handed to a kernel covers the
//! elements that call reads or writes. [`Iteration::check_bounds`] proves it once
//! per stage from the shapes and strides before any call; chunks write disjoint
//! element ranges of the outputs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::array::{fmt_shape, Array, Data};
use crate::codegen::{CompiledKernel, KernelCache, Layout};
use crate::diag::{Error, ErrorKind, Result};
use crate::fuse::{self, FuseConfig, Plan, Stage};
use crate::ir::{Inst, NodeId, Program};
use crate::types::DType;
use crate::EvalConfig;

mod reduce;

/// Elements per parallel task when the configuration does not say.
pub const DEFAULT_CHUNK: usize = 16 * 1024;

/// Plans already made for a program, by requested outputs and fusion mode, so a
/// cached evaluation does not plan again. Cloning gives an empty memo.
#[derive(Default)]
pub struct PlanMemo(Mutex<Vec<Arc<Plan>>>);

impl PlanMemo {
    /// How many plans one program keeps (distinct output requests are few).
    const CAPACITY: usize = 16;

    pub fn get(&self, program: &Program, outputs: &[NodeId], config: FuseConfig) -> Arc<Plan> {
        let mut plans = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = plans.iter().find(|p| p.config == config && p.outputs == outputs) {
            return p.clone();
        }
        let plan = Arc::new(fuse::plan(program, outputs, config));
        if plans.len() == Self::CAPACITY {
            plans.remove(0);
        }
        plans.push(plan.clone());
        plan
    }
}

impl Clone for PlanMemo {
    fn clone(&self) -> Self {
        PlanMemo::default()
    }
}

impl std::fmt::Debug for PlanMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlanMemo({})", self.0.lock().map(|p| p.len()).unwrap_or(0))
    }
}

/// Where the values of program nodes live during one evaluation.
#[derive(Clone, Copy, Debug)]
enum Loc {
    Input(usize),
    Temp,
    /// The `k`-th caller-provided output array.
    Out(usize),
}

struct Values<'a, 'o, 'p> {
    inputs: &'a [&'a Array],
    outs: &'o mut [&'p mut Array],
    /// Per program node: where its value is, once computed.
    locs: Vec<Option<Loc>>,
    temps: Vec<Option<Array>>,
}

impl Values<'_, '_, '_> {
    fn array(&self, id: NodeId) -> &Array {
        match self.locs[id.index()].expect("stages run after the stages they read") {
            Loc::Input(k) => self.inputs[k],
            Loc::Temp => self.temps[id.index()].as_ref().expect("temporaries live until their last reader"),
            Loc::Out(k) => &*self.outs[k],
        }
    }
}

/// Evaluate `plan` on `inputs` (in signature order). With `outs` non-empty, the
/// requested outputs are written into those arrays (one per output, same order)
/// and nothing is returned; otherwise the outputs are returned as new arrays.
pub fn eval(
    program: &Program,
    plan: &Plan,
    inputs: &[&Array],
    outs: &mut [&mut Array],
    config: &EvalConfig,
) -> Result<Vec<Array>> {
    let runner = Runner::new(config)?;
    // Shapes (and every shape error, with the interpreter's wording and order)
    // before any work.
    let shapes = Shapes::infer(program, plan, inputs)?;
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

/// Move (or copy) the requested values into the result list or the caller's
/// arrays.
fn finish_outputs(program: &Program, plan: &Plan, mut vals: Values<'_, '_, '_>) -> Result<Vec<Array>> {
    if vals.outs.is_empty() {
        let mut result = Vec::with_capacity(plan.outputs.len());
        for (k, &o) in plan.outputs.iter().enumerate() {
            let used_later = plan.outputs[k + 1..].contains(&o);
            let arr = match vals.locs[o.index()] {
                Some(Loc::Temp) if !used_later => vals.temps[o.index()].take().expect("computed outputs exist"),
                _ => vals.array(o).clone(),
            };
            result.push(arr);
        }
        return Ok(result);
    }
    for (k, &o) in plan.outputs.iter().enumerate() {
        if matches!(vals.locs[o.index()], Some(Loc::Out(j)) if j == k) {
            continue;
        }
        let src = vals.array(o).clone();
        check_out(program, o, vals.outs[k], src.shape())?;
        *vals.outs[k] = src;
    }
    Ok(Vec::new())
}

/// A caller-provided output must have the result's dtype and shape.
fn check_out(program: &Program, id: NodeId, out: &Array, shape: &[usize]) -> Result<()> {
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
    let iter = {
        let shapes: Vec<&[usize]> = stage.params.iter().map(|&p| vals.array(p).shape()).collect();
        Iteration::new(shape, &shapes, stage.roots.len())
    };
    let operands = stage_operands(program, stage, vals);
    let layouts: Vec<Layout> = (0..stage.params.len())
        .map(|k| if iter.inner_strides[k] == 0 { Layout::Invariant } else { Layout::Contiguous })
        .collect();
    let kernel = runner.cache.get_or_compile(&stage.kernel, &layouts)?;
    runner.run(&kernel, &iter, &operands);
    Ok(())
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
                check_out(program, root, vals.outs[k], shape)?;
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
        let a = vals.array(p);
        // The kernel reads `dtype` elements: a buffer of another dtype would be
        // read out of bounds.
        assert_eq!(a.dtype(), dtype, "parameter %{} has the dtype its kernel was built for", p.0);
        operands.push(Operand { ptr: data_ptr(a.data()), len: a.len(), size: a.dtype().size() });
    }
    for &root in &stage.roots {
        let a: &mut Array = match vals.locs[root.index()].expect("roots were just placed") {
            Loc::Out(k) => &mut *vals.outs[k],
            Loc::Temp => vals.temps[root.index()].as_mut().expect("roots were just allocated"),
            Loc::Input(_) => unreachable!("a kernel never stores into an input"),
        };
        assert_eq!(a.dtype(), program.node(root).dtype, "output %{} has its node's dtype", root.0);
        let (len, size) = (a.len(), a.dtype().size());
        operands.push(Operand { ptr: data_ptr_mut(a.data_mut()), len, size });
    }
    operands
}

/// The shape of every node the outputs need, as indices into a table of the
/// distinct shapes (few per program), so inference allocates once per distinct
/// shape instead of once per node. Same rules as [`crate::shape::infer`], which
/// is asked for the error whenever a node fails, so errors are the
/// interpreter's, for the same node.
struct Shapes {
    table: Vec<Vec<usize>>,
    of: Vec<u32>,
}

impl Shapes {
    fn infer(program: &Program, plan: &Plan, inputs: &[&Array]) -> Result<Shapes> {
        let mut shapes = Shapes { table: Vec::new(), of: vec![u32::MAX; program.nodes.len()] };
        let error = || {
            let input_shapes: Vec<&[usize]> = inputs.iter().map(|a| a.shape()).collect();
            match crate::shape::infer(program, &input_shapes, &plan.outputs) {
                Err(e) => e,
                Ok(_) => unreachable!("shape::infer fails where the interned inference does"),
            }
        };
        for (i, node) in program.nodes.iter().enumerate() {
            if !plan.needed[i] {
                continue;
            }
            shapes.of[i] = match &node.inst {
                Inst::Input(k) => shapes.intern(inputs[*k].shape()),
                Inst::Const(_) => shapes.intern(&[]),
                Inst::Unary(_, a) | Inst::Cast(a) => shapes.of[a.index()],
                Inst::Binary(..) | Inst::Call(..) => {
                    let args = node.inst.args();
                    let mut acc = shapes.of[args[0].index()];
                    for a in &args[1..] {
                        acc = shapes.broadcast(acc, shapes.of[a.index()]).ok_or_else(error)?;
                    }
                    acc
                }
                Inst::Reduce { arg, .. } => {
                    let s = crate::shape::node_shape(node, &[shapes.of(*arg)])?;
                    shapes.intern(&s)
                }
            };
        }
        Ok(shapes)
    }

    fn of(&self, id: NodeId) -> &[usize] {
        &self.table[self.of[id.index()] as usize]
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

    /// NumPy broadcasting of two interned shapes; `None` if they do not broadcast.
    fn broadcast(&mut self, a: u32, b: u32) -> Option<u32> {
        if a == b {
            return Some(a);
        }
        let (x, y) = (&self.table[a as usize], &self.table[b as usize]);
        let n = x.len().max(y.len());
        let dim = |s: &[usize], i: usize| if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(match (dim(x, i), dim(y, i)) {
                (p, q) if p == q => p,
                (1, q) => q,
                (p, 1) => p,
                _ => return None,
            });
        }
        Some(self.intern(&out))
    }
}

/// A zeroed array, or an error (not an abort) when the memory is not available.
fn alloc(dtype: DType, shape: &[usize]) -> Result<Array> {
    let n = crate::array::shape_size(shape);
    let data = n.and_then(|n| match dtype {
        DType::Bool => zeroed::<bool>(n).map(Data::Bool),
        DType::Int32 => zeroed::<i32>(n).map(Data::Int32),
        DType::Int64 => zeroed::<i64>(n).map(Data::Int64),
        DType::Float32 => zeroed::<f32>(n).map(Data::Float32),
        DType::Float64 => zeroed::<f64>(n).map(Data::Float64),
    });
    let data = data.ok_or_else(|| {
        Error::new(ErrorKind::Shape, format!("cannot allocate a {dtype} array of shape {}", fmt_shape(shape)))
    })?;
    Array::new(data, shape.to_vec())
}

/// `n` zeros from the zeroing allocator (large blocks come as untouched zero
/// pages, so the kernel's first write is the only pass over the memory), or
/// `None` if the allocation fails.
fn zeroed<T: crate::array::Element>(n: usize) -> Option<Vec<T>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(n).ok()?;
    // SAFETY: `layout` has non-zero size (n > 0 and every element type has
    // size >= 1).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of
    // `[T; n]`, so capacity `n` matches; all `n` elements are initialized because
    // all-zero bytes are a valid `bool` (false), integer (0) and float (+0.0).
    Some(unsafe { Vec::from_raw_parts(ptr, n, n) })
}

fn data_ptr(data: &Data) -> *mut u8 {
    // Cast to `*mut` only to share one pointer array with outputs: kernels
    // never write parameters.
    match data {
        Data::Bool(v) => v.as_ptr() as *mut u8,
        Data::Int32(v) => v.as_ptr() as *mut u8,
        Data::Int64(v) => v.as_ptr() as *mut u8,
        Data::Float32(v) => v.as_ptr() as *mut u8,
        Data::Float64(v) => v.as_ptr() as *mut u8,
    }
}

fn data_ptr_mut(data: &mut Data) -> *mut u8 {
    match data {
        Data::Bool(v) => v.as_mut_ptr() as *mut u8,
        Data::Int32(v) => v.as_mut_ptr() as *mut u8,
        Data::Int64(v) => v.as_mut_ptr() as *mut u8,
        Data::Float32(v) => v.as_mut_ptr() as *mut u8,
        Data::Float64(v) => v.as_mut_ptr() as *mut u8,
    }
}

/// One buffer a kernel reads or writes: its start, element count and size.
struct Operand {
    ptr: *mut u8,
    len: usize,
    size: usize,
}

/// The iteration space of a stage after broadcasting and merging dimensions.
#[derive(Debug)]
struct Iteration {
    /// Outer dimensions (C order), iterated in Rust.
    outer: Vec<usize>,
    /// Per operand, its element stride along each outer dimension.
    outer_strides: Vec<Vec<usize>>,
    /// Length of the inner dimension (what one kernel call processes at most).
    inner: usize,
    /// Per operand: 1 (contiguous) or 0 (invariant) along the inner dimension.
    inner_strides: Vec<usize>,
    total: usize,
}

impl Iteration {
    /// The iteration over `shape` of parameters of shapes `params` (C-contiguous,
    /// broadcast against `shape`) and `outputs` arrays of exactly `shape`.
    fn new(shape: &[usize], params: &[&[usize]], outputs: usize) -> Iteration {
        let total = shape.iter().product();
        let n = params.len() + outputs;
        // Common case: every parameter has the full shape or is a single element.
        if params.iter().all(|p| *p == shape || p.iter().product::<usize>() == 1) {
            let inner_strides = (0..n).map(|k| usize::from(k >= params.len() || params[k] == shape)).collect();
            return Iteration {
                outer: Vec::new(),
                outer_strides: vec![Vec::new(); n],
                inner: total,
                inner_strides,
                total,
            };
        }
        let nd = shape.len();
        // Broadcast strides in elements: 0 along dimensions an operand lacks or
        // has as 1.
        let strides: Vec<Vec<usize>> = params
            .iter()
            .copied()
            .chain(std::iter::repeat_n(shape, outputs))
            .map(|op| {
                let mut s = vec![0; nd];
                let off = nd - op.len();
                let mut acc = 1;
                for d in (0..op.len()).rev() {
                    if op[d] != 1 {
                        s[off + d] = acc;
                    }
                    acc *= op[d];
                }
                s
            })
            .collect();
        let mut dims: Vec<usize> = Vec::new();
        let mut merged: Vec<Vec<usize>> = vec![Vec::new(); n];
        for d in (0..nd).filter(|&d| shape[d] != 1) {
            let mergeable = !dims.is_empty()
                && strides.iter().zip(&merged).all(|(s, m)| *m.last().expect("same length as dims") == s[d] * shape[d]);
            if mergeable {
                *dims.last_mut().expect("checked non-empty") *= shape[d];
                for (m, s) in merged.iter_mut().zip(&strides) {
                    *m.last_mut().expect("same length as dims") = s[d];
                }
            } else {
                dims.push(shape[d]);
                for (m, s) in merged.iter_mut().zip(&strides) {
                    m.push(s[d]);
                }
            }
        }
        let inner = dims.pop().unwrap_or(1);
        let inner_strides = merged.iter_mut().map(|m| m.pop().unwrap_or(0)).collect();
        Iteration { outer: dims, outer_strides: merged, inner, inner_strides, total }
    }

    /// Whether every element offset the iteration produces is inside its
    /// operand (the largest offset is the sum over dimensions of
    /// `(extent - 1) * stride`) and every inner stride is one the kernel can
    /// follow (0: invariant, 1: contiguous).
    fn check_bounds(&self, operands: &[Operand]) -> bool {
        if self.inner_strides.iter().any(|&s| s > 1) {
            return false;
        }
        if self.total == 0 {
            return true;
        }
        operands.iter().enumerate().all(|(k, op)| {
            let outer: usize = self.outer.iter().zip(&self.outer_strides[k]).map(|(&n, &s)| (n - 1) * s).sum();
            outer + (self.inner - 1) * self.inner_strides[k] < op.len
        })
    }

    /// Element offset of operand `k` at the start of outer row `row`.
    fn row_offset(&self, k: usize, mut row: usize) -> usize {
        let mut off = 0;
        for d in (0..self.outer.len()).rev() {
            off += (row % self.outer[d]) * self.outer_strides[k][d];
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
    pool: Option<Arc<rayon::ThreadPool>>,
    threads: usize,
    chunk: usize,
}

impl Runner {
    fn new(config: &EvalConfig) -> Result<Runner> {
        let cache = config.cache.clone().unwrap_or_else(KernelCache::shared);
        let chunk = config.chunk.unwrap_or(DEFAULT_CHUNK).max(1);
        let (pool, threads) = match config.threads {
            None => (None, rayon::current_num_threads()),
            Some(0) => return Err(Error::new(ErrorKind::Usage, "the number of threads must be at least 1")),
            Some(1) => (None, 1),
            Some(n) => (Some(thread_pool(n)?), n),
        };
        Ok(Runner { cache, pool, threads, chunk })
    }

    fn run(&self, kernel: &CompiledKernel, iter: &Iteration, operands: &[Operand]) {
        assert!(iter.check_bounds(operands), "iteration leaves an operand's buffer: {iter:?}");
        if iter.total == 0 {
            return;
        }
        let bases = Bases { operands };
        // Equal tasks of at most `chunk` elements (no tiny last task).
        let tasks = iter.total.div_ceil(self.chunk);
        let size = iter.total.div_ceil(tasks);
        let task = |t: usize| run_range(kernel, iter, &bases, t * size, ((t + 1) * size).min(iter.total));
        if tasks == 1 || self.threads == 1 {
            run_range(kernel, iter, &bases, 0, iter.total);
        } else if let Some(pool) = &self.pool {
            pool.install(|| (0..tasks).into_par_iter().for_each(task));
        } else {
            (0..tasks).into_par_iter().for_each(task);
        }
    }
}

impl Runner {
    /// `f(0), f(1), ..., f(tasks - 1)` on the pool, results in task order.
    fn map_tasks<R: Send>(&self, tasks: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
        if tasks <= 1 || self.threads == 1 {
            return (0..tasks).map(f).collect();
        }
        match &self.pool {
            Some(pool) => pool.install(|| (0..tasks).into_par_iter().map(f).collect()),
            None => (0..tasks).into_par_iter().map(f).collect(),
        }
    }
}

/// Run the kernel over flat elements `start..end` of the iteration space, one
/// call per (part of an) inner row.
fn run_range(kernel: &CompiledKernel, iter: &Iteration, bases: &Bases<'_>, start: usize, end: usize) {
    const STACK: usize = 16;
    let ops = bases.operands;
    let mut on_stack = [std::ptr::null_mut::<u8>(); STACK];
    let mut on_heap = Vec::new();
    let ptrs: &mut [*mut u8] = if ops.len() <= STACK {
        &mut on_stack[..ops.len()]
    } else {
        on_heap.resize(ops.len(), std::ptr::null_mut());
        &mut on_heap
    };
    let entry = kernel.entry();
    let mut idx = start;
    while idx < end {
        let (row, col) = (idx / iter.inner, idx % iter.inner);
        let n = (iter.inner - col).min(end - idx);
        for (k, op) in ops.iter().enumerate() {
            let off = iter.row_offset(k, row) + col * iter.inner_strides[k];
            // SAFETY: `off` is an element offset of the iteration space, which
            // `check_bounds` proved lies inside the operand (`off < op.len`).
            ptrs[k] = unsafe { op.ptr.add(off * op.size) };
        }
        // SAFETY: each pointer covers what the kernel touches: a contiguous
        // operand `n` elements from `ptrs[k]` (offsets `off..off + n` stay within
        // the row, so within the bounds checked by `check_bounds`), an invariant
        // one element. Outputs are written only at flat elements `idx..idx + n`,
        // a range no other task covers, and parameters are never written. The
        // kernel is alive (`kernel` is borrowed) for the whole call.
        unsafe { entry(ptrs.as_ptr(), n) };
        idx += n;
    }
}

/// A rayon pool per thread count, built once and reused by every evaluation.
fn thread_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&threads) {
        return Ok(p.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("jitexpr-{i}"))
        .build()
        .map_err(|e| Error::new(ErrorKind::Usage, format!("cannot start {threads} threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.insert(threads, pool.clone());
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operand(shape: &[usize]) -> Operand {
        let len = shape.iter().product();
        Operand { ptr: std::ptr::null_mut(), len, size: 8 }
    }

    #[test]
    fn merges_contiguous_dimensions_and_keeps_broadcast_ones() {
        let it = Iteration::new(&[300, 200], &[&[300, 1], &[300, 200]], 1);
        assert_eq!((it.outer.clone(), it.inner), (vec![300], 200));
        assert_eq!(it.inner_strides, vec![0, 1, 1]);
        assert_eq!(it.outer_strides, vec![vec![1], vec![200], vec![200]]);
        assert!(it.check_bounds(&[operand(&[300, 1]), operand(&[300, 200]), operand(&[300, 200])]));
        let it = Iteration::new(&[4, 5, 6], &[&[4, 5, 6], &[1, 5, 6]], 1);
        assert_eq!((it.outer.clone(), it.inner), (vec![4], 30));
        assert_eq!(it.inner_strides, vec![1, 1, 1]);
        assert_eq!(it.outer_strides, vec![vec![30], vec![0], vec![30]]);
        let it = Iteration::new(&[4, 5, 6], &[&[4, 5, 6], &[]], 1);
        assert_eq!((it.outer.len(), it.inner, it.inner_strides.clone()), (0, 120, vec![1, 0, 1]));
    }

    #[test]
    fn zero_d_iteration_is_one_element() {
        let it = Iteration::new(&[], &[&[], &[]], 1);
        assert_eq!((it.inner, it.total), (1, 1));
        assert!(it.check_bounds(&[operand(&[]), operand(&[]), operand(&[])]));
    }

    #[test]
    fn size_one_dimensions_vanish() {
        let it = Iteration::new(&[3, 1], &[&[3, 1], &[1]], 1);
        assert_eq!((it.outer.len(), it.inner, it.inner_strides.clone()), (0, 3, vec![1, 0, 1]));
        let it = Iteration::new(&[1, 1], &[&[1, 1]], 1);
        assert_eq!((it.inner, it.total), (1, 1));
    }
}
