//! The per-call fast path: a cached evaluation whose plan is one elementwise
//! kernel, or one kernel of whole-array reductions (every output a reduction
//! over all axes of one argument shape: `sum(a*b)`), repeated with the
//! signature of the previous call, runs that kernel without planning, inferring
//! shapes, ordering axes or looking up the kernel again. A reduction runs the
//! general path's fold ([`WholeFold`]: same kernel, partition and order), so
//! the same bits; `sum(a*b)` at n = 1000 went from 1.95 to 0.78 µs per call.
//!
//! Input: the call as [`crate::Compiled`] receives it (named input views, named
//! output views, the configuration). Output: the outputs written, or `None`
//! when the call differs from the prepared one in anything the preparation
//! depended on, and the general path ([`super::eval`]) runs instead.
//!
//! What a call costs beyond its kernel was measured at n = 10 (`examples/call_overhead.rs`
//! under callgrind): ~16,500 instructions for `a + b` through the general path,
//! most of them allocations (views, shape tables, iteration vectors, operand
//! lists) and the kernel cache's hash of the whole kernel.
//!
//! Invariant (the unsafe boundary): the bounds proof a prepared call holds is
//! reused only for a call with the same dtype, shape, strides, offset and buffer
//! length of every input and the same dtype and shape of every output. Base
//! pointers change between calls; the proof is relative to them. The run
//! re-checks [`Iteration::check_bounds`] anyway, which costs a few dozen
//! instructions.

use std::sync::{Arc, Mutex};

use crate::array::view::c_strides;
use crate::array::{Array, ArrayView, ArrayViewMut, Data};
use crate::codegen::{CompiledKernel, KernelCache};
use crate::diag::Result;
use crate::fuse::{Plan, Stage};
use crate::ir::{Inst, Program};
use crate::shape::Strided;
use crate::types::DType;
use crate::{Engine, EvalConfig, Math};

use super::reduce::WholeFold;
use super::{check_out, operand_layouts, requested_threads, strided, Iteration, Operand, Runner, Shapes};

/// The last prepared call of one program: at most one, replaced by the next
/// call with another signature. Cloning gives an empty memo.
#[derive(Default)]
pub struct CallMemo(Mutex<Option<Prepared>>);

impl Clone for CallMemo {
    fn clone(&self) -> Self {
        CallMemo::default()
    }
}

impl std::fmt::Debug for CallMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prepared = self.0.try_lock().map(|p| p.is_some()).unwrap_or(false);
        write!(f, "CallMemo({})", if prepared { "prepared" } else { "empty" })
    }
}

/// A call, named as the caller gave it.
pub struct Call<'c, 'i, 'a, 'o, 'n, 'p> {
    pub inputs: &'c [(&'i str, ArrayView<'a>)],
    pub outputs: &'o mut [(Option<&'n str>, ArrayViewMut<'p>)],
    pub config: &'c EvalConfig,
}

/// The layout of one input the preparation was made for.
#[derive(Debug, PartialEq, Eq)]
struct Geometry {
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
    len: usize,
}

impl Geometry {
    fn of(v: &ArrayView<'_>) -> Geometry {
        Geometry {
            dtype: v.dtype(),
            shape: v.shape().to_vec(),
            strides: v.strides().to_vec(),
            offset: v.offset(),
            len: v.data().len(),
        }
    }

    fn matches(&self, v: &ArrayView<'_>) -> bool {
        self.dtype == v.dtype()
            && self.offset == v.offset()
            && self.len == v.data().len()
            && *self.shape == *v.shape()
            && *self.strides == *v.strides()
    }
}

/// Where a kernel operand's buffer comes from on each call.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// The program's `k`-th input, found at this index of the call's inputs.
    Input(usize),
    /// The `k`-th output view of the call.
    Out(usize),
    /// A whole-array reduction's accumulator placeholder (no buffer: the
    /// partition's own scratch holds the accumulators).
    Accumulator,
}

/// Everything a repeated call needs, and the signature it is valid for.
pub struct Prepared {
    // The signature.
    input_names: Vec<String>,
    output_names: Vec<Option<String>>,
    /// Per program input (in signature order), its index among the call's
    /// inputs: the first with its name.
    bind: Vec<usize>,
    /// Per program input, in signature order.
    inputs: Vec<Geometry>,
    /// Per output: its dtype and shape.
    outputs: Vec<(DType, Vec<usize>)>,
    fuse: bool,
    optimize: bool,
    /// The math mode picks the program, so the kernel.
    math: Math,
    threads: Option<usize>,
    chunk: Option<usize>,
    /// The configuration's cache (`None`: the shared one), compared by address.
    cache: Option<Arc<KernelCache>>,
    // The call.
    kernel: Arc<CompiledKernel>,
    iter: Iteration,
    /// Per kernel operand (parameters, then outputs): its buffer and the
    /// element count, size and first-element offset the bounds proof used.
    operands: Vec<(Source, usize, usize, usize)>,
    runner: Runner,
    /// For a stage of whole-array reductions: the fold, and per output the
    /// reduction it is.
    fold: Option<(WholeFold, Vec<usize>)>,
}

impl Prepared {
    /// Whether `call` has the signature this preparation was made for.
    fn matches(&self, call: &Call<'_, '_, '_, '_, '_, '_>) -> bool {
        let config = call.config;
        config.engine == Engine::Jit
            && (config.fuse, config.optimize, config.math, config.threads, config.chunk)
                == (self.fuse, self.optimize, self.math, self.threads, self.chunk)
            && match (&config.cache, &self.cache) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
            && call.inputs.len() == self.input_names.len()
            && call.inputs.iter().zip(&self.input_names).all(|((n, _), m)| n == m)
            && call.outputs.len() == self.output_names.len()
            && call.outputs.iter().zip(&self.output_names).zip(&self.outputs).all(|(((n, v), m), (dtype, shape))| {
                *n == m.as_deref() && v.dtype() == *dtype && v.shape() == &shape[..]
            })
            && self.bind.iter().zip(&self.inputs).all(|(&k, g)| g.matches(&call.inputs[k].1))
    }

    /// Run the prepared kernel on this call's buffers.
    fn run(&self, call: &mut Call<'_, '_, '_, '_, '_, '_>) {
        /// Operands kept on the stack: more are rare.
        const STACK: usize = 16;
        let empty = Operand { ptr: std::ptr::null_mut(), len: 0, size: 0, start: 0 };
        let mut on_stack = [empty; STACK];
        let mut on_heap = Vec::new();
        let ops: &mut [Operand] = if self.operands.len() <= STACK {
            &mut on_stack[..self.operands.len()]
        } else {
            on_heap.resize(self.operands.len(), empty);
            &mut on_heap
        };
        for (op, &(source, len, size, start)) in ops.iter_mut().zip(&self.operands) {
            let ptr = match source {
                // Cast to `*mut` only to share one pointer array with outputs:
                // kernels never write parameters.
                Source::Input(k) => call.inputs[k].1.data().ptr() as *mut u8,
                Source::Out(k) => call.outputs[k].1.ptr_mut(),
                Source::Accumulator => std::ptr::null_mut(),
            };
            *op = Operand { ptr, len, size, start };
        }
        let Some((fold, order)) = &self.fold else {
            return self.runner.run(&self.kernel, &self.iter, ops);
        };
        let mut values = fold.run(&self.kernel, &self.iter, ops, &self.runner);
        for ((_, out), &r) in call.outputs.iter_mut().zip(order) {
            let value = std::mem::replace(&mut values[r], Data::Bool(Vec::new()));
            let value = Array::new(value, Vec::new()).expect("one element is a 0-d array");
            out.assign(&value.view());
        }
    }
}

impl CallMemo {
    /// Evaluate `call` with the prepared kernel if it has the prepared call's
    /// signature; `false` (nothing done) otherwise, or while another thread
    /// runs the prepared call.
    pub fn run(&self, call: &mut Call<'_, '_, '_, '_, '_, '_>) -> bool {
        let Ok(guard) = self.0.try_lock() else { return false };
        match guard.as_ref() {
            Some(prepared) if prepared.matches(call) => {
                prepared.run(call);
                true
            }
            _ => false,
        }
    }

    /// The shapes of `outputs` for inputs of `input_shapes` (in signature
    /// order), when the prepared call had exactly these inputs' shapes and
    /// outputs: shape inference is a function of those alone, so its answer is
    /// the prepared outputs' shapes. `None` (infer them) otherwise, or while
    /// another thread holds the memo.
    pub fn output_shapes(&self, input_shapes: &[&[usize]], outputs: &[Option<&str>]) -> Option<Vec<Vec<usize>>> {
        let guard = self.0.try_lock().ok()?;
        let prepared = guard.as_ref()?;
        let same = input_shapes.len() == prepared.inputs.len()
            && input_shapes.iter().zip(&prepared.inputs).all(|(s, g)| *s == &g.shape[..])
            && outputs.len() == prepared.output_names.len()
            && outputs.iter().zip(&prepared.output_names).all(|(n, m)| *n == m.as_deref());
        same.then(|| prepared.outputs.iter().map(|(_, shape)| shape.clone()).collect())
    }

    /// Prepare `call` (whose inputs `bind` already matched to the signature:
    /// `views` in signature order, `bind` their indices in the call) for
    /// `program`'s `plan`, run it and keep the preparation for the next call.
    /// `Ok(false)` (nothing done) when the plan is not one elementwise kernel
    /// writing every output into the caller's views; errors are
    /// [`super::eval`]'s, in its order.
    pub fn prepare_and_run(
        &self,
        program: &Program,
        plan: &Plan,
        views: &[ArrayView<'_>],
        bind: Vec<usize>,
        call: &mut Call<'_, '_, '_, '_, '_, '_>,
    ) -> Result<bool> {
        let Some(prepared) = Prepared::new(program, plan, views, bind, call)? else { return Ok(false) };
        prepared.run(call);
        if let Ok(mut slot) = self.0.try_lock() {
            *slot = Some(prepared);
        }
        Ok(true)
    }
}

impl Prepared {
    fn new(
        program: &Program,
        plan: &Plan,
        views: &[ArrayView<'_>],
        bind: Vec<usize>,
        call: &Call<'_, '_, '_, '_, '_, '_>,
    ) -> Result<Option<Prepared>> {
        let config = call.config;
        let [stage] = &plan.stages[..] else { return Ok(None) };
        if !stage.reductions.is_empty() {
            return Prepared::whole_fold(program, plan, stage, views, bind, call);
        }
        // Every output a distinct root of the one stage, written in place.
        let slot = |root| plan.outputs.iter().position(|&o| o == root);
        let direct = stage.reductions.is_empty()
            && stage.roots.len() == plan.outputs.len()
            && stage.roots.len() == call.outputs.len()
            && stage.roots.iter().enumerate().all(|(i, &r)| slot(r).is_some() && !stage.roots[..i].contains(&r));
        if !direct {
            return Ok(None);
        }
        // What `eval` does first, with its errors.
        let threads = requested_threads(config)?;
        let shapes = Shapes::infer(program, plan, views)?;
        let shape = shapes.of(stage.roots[0]);
        if stage.roots.iter().any(|&r| shapes.of(r) != shape) {
            return Ok(None);
        }
        let runner = Runner::new(config, threads, shapes.most_elements())?;
        for &root in &stage.roots {
            let k = slot(root).expect("checked above");
            check_out(program, root, &call.outputs[k].1, shape)?;
        }
        let mut sources = Vec::with_capacity(stage.params.len() + stage.roots.len());
        for &p in &stage.params {
            match program.node(p).inst {
                Inst::Input(k) => sources.push((Source::Input(bind[k]), &views[k])),
                // A one-stage plan reads nothing but inputs.
                _ => return Ok(None),
            }
        }
        let out_strides = c_strides(shape);
        let iter = {
            let mut layouts: Vec<Strided<'_>> = sources.iter().map(|(_, v)| strided(v)).collect();
            layouts.extend(std::iter::repeat_n(Strided { shape, strides: &out_strides, offset: 0 }, stage.roots.len()));
            Iteration::new(shape, &layouts, stage.params.len())
        };
        let layouts = operand_layouts(&iter.inner_strides, stage.params.len());
        let kernel = runner.cache.get_or_compile(&stage.kernel, &layouts)?;
        let mut operands = param_operands(&sources, stage);
        for &root in &stage.roots {
            let k = slot(root).expect("checked above");
            let out = &call.outputs[k].1;
            assert_eq!(out.dtype(), program.node(root).dtype, "output %{} has its node's dtype", root.0);
            operands.push((Source::Out(k), out.len(), out.dtype().size(), 0));
        }
        let work = Work { kernel, iter, operands, runner, fold: None };
        Ok(Some(Prepared::assemble(call, views, bind, work)))
    }

    /// The preparation of `call` (its signature, from `views` and `bind`) for `work`.
    fn assemble(
        call: &Call<'_, '_, '_, '_, '_, '_>,
        views: &[ArrayView<'_>],
        bind: Vec<usize>,
        work: Work,
    ) -> Prepared {
        let config = call.config;
        Prepared {
            input_names: call.inputs.iter().map(|(n, _)| n.to_string()).collect(),
            output_names: call.outputs.iter().map(|(n, _)| n.map(str::to_string)).collect(),
            bind,
            inputs: views.iter().map(Geometry::of).collect(),
            outputs: call.outputs.iter().map(|(_, v)| (v.dtype(), v.shape().to_vec())).collect(),
            fuse: config.fuse,
            optimize: config.optimize,
            math: config.math,
            threads: config.threads,
            chunk: config.chunk,
            cache: config.cache.clone(),
            kernel: work.kernel,
            iter: work.iter,
            operands: work.operands,
            runner: work.runner,
            fold: work.fold,
        }
    }

    /// [`Prepared::new`] for a stage of reductions: only when every output is a
    /// distinct reduction of the stage over every axis of one argument shape
    /// (`sum(a*b)`, `[a.min(), a.max()]`), read from inputs only.
    fn whole_fold(
        program: &Program,
        plan: &Plan,
        stage: &Stage,
        views: &[ArrayView<'_>],
        bind: Vec<usize>,
        call: &Call<'_, '_, '_, '_, '_, '_>,
    ) -> Result<Option<Prepared>> {
        let config = call.config;
        let order: Option<Vec<usize>> =
            plan.outputs.iter().map(|o| stage.reductions.iter().position(|r| r == o)).collect();
        let Some(order) = order else { return Ok(None) };
        let distinct = order.iter().enumerate().all(|(i, r)| !order[..i].contains(r));
        if !distinct || order.len() != stage.reductions.len() || order.len() != call.outputs.len() {
            return Ok(None);
        }
        // What `eval` does first, with its errors.
        let threads = requested_threads(config)?;
        let shapes = Shapes::infer(program, plan, views)?;
        let runner = Runner::new(config, threads, shapes.most_elements())?;
        let Inst::Reduce { arg, .. } = program.node(stage.reductions[0]).inst else {
            unreachable!("stage reductions are Reduce nodes")
        };
        let shape = shapes.of(arg);
        if stage
            .reductions
            .iter()
            .any(|&r| matches!(program.node(r).inst, Inst::Reduce { arg, .. } if shapes.of(arg) != shape))
        {
            return Ok(None);
        }
        let mut sources = Vec::with_capacity(stage.params.len());
        for &p in &stage.params {
            match program.node(p).inst {
                Inst::Input(k) => sources.push((Source::Input(bind[k]), &views[k])),
                _ => return Ok(None),
            }
        }
        let params: Vec<Strided<'_>> = sources.iter().map(|(_, v)| strided(v)).collect();
        let Some((fold, iter, layouts)) = WholeFold::new(program, stage, shape, &params) else { return Ok(None) };
        for (k, &r) in order.iter().enumerate() {
            let id = stage.reductions[r];
            if program.node(id).dtype != fold.dtype(r) {
                return Ok(None);
            }
            check_out(program, id, &call.outputs[k].1, shapes.of(id))?;
        }
        let kernel = runner.cache.get_or_compile(&stage.kernel, &layouts)?;
        let mut operands = param_operands(&sources, stage);
        // The accumulator placeholder, as `run_reduce_group` inserts it.
        operands.push((Source::Accumulator, 1, 1, 0));
        let work = Work { kernel, iter, operands, runner, fold: Some((fold, order)) };
        Ok(Some(Prepared::assemble(call, views, bind, work)))
    }
}

/// What a preparation runs: [`Prepared`]'s call half.
struct Work {
    kernel: Arc<CompiledKernel>,
    iter: Iteration,
    operands: Vec<(Source, usize, usize, usize)>,
    runner: Runner,
    fold: Option<(WholeFold, Vec<usize>)>,
}

/// The operands of `stage`'s parameters, read from `sources` (in order).
fn param_operands(sources: &[(Source, &ArrayView<'_>)], stage: &Stage) -> Vec<(Source, usize, usize, usize)> {
    let mut operands = Vec::with_capacity(sources.len() + stage.roots.len() + 1);
    for ((source, v), &dtype) in sources.iter().zip(&stage.kernel.params) {
        // The kernel reads `dtype` elements: a buffer of another dtype would
        // be read out of bounds.
        assert_eq!(v.dtype(), dtype, "a parameter has the dtype its kernel was built for");
        operands.push((*source, v.data().len(), dtype.size(), v.offset()));
    }
    operands
}
