//! Streaming evaluation: inputs larger than memory, read and written a window
//! at a time, with the bits of the in-memory JIT.
//!
//! Input: a [`Compiled`] program, [`Source`]s (`.npy` files read with
//! positioned reads, generators, arrays), the requested outputs with their
//! [`Target`]s, a [`StreamConfig`]. Output: the outputs written to their files
//! (through a temporary renamed at the end, see [`crate::npy::NpyWriter`]) or
//! returned.
//!
//! The driver runs the JIT's own plan (`fuse::Plan`): each stage is
//! one pass over the windows, and `exec::eval_stage` runs the stage's
//! kernel on each window, so there is one executor. `analysis` decides which
//! values are cut into windows; per stage, the part that only reads whole
//! values runs once, the windowed part once per window: stored values go to
//! their targets window by window, reductions that cross windows collect block
//! partials (`exec::Reductions::Partials`) into
//! `exec::LaneCombiner`s, which combine them in the tree the in-memory
//! reduction uses. Windows start at block boundaries, so every block holds the
//! elements it holds in memory: same partials, same tree, same bits.
//!
//! Memory: a window holds `window` slabs of every windowed value a pass reads
//! or writes (a slab: one position along the window axis); whole values, the
//! combiners (`lanes * log2(blocks)` partials each) come on top; so does the
//! process itself (code, compiled kernels, thread stacks: ~30 MiB), which the
//! budget does not count. [`StreamConfig::memory`] chooses the window so that
//! the window buffers, counted twice (a window read and the kernel's result,
//! or a result and its conversion to the file's order, can be alive together),
//! fit what the budget leaves after the whole values: `window = (memory -
//! whole) / 2 / slab bytes`, rounded up to the alignment, at least one.

mod analysis;
mod source;

use std::path::PathBuf;
use std::sync::Arc;

use crate::array::{Array, Data, Order};
use crate::diag::{Error, ErrorKind, Result};
use crate::exec::{self, LaneCombiner, Reductions};
use crate::fuse::{self, Stage};
use crate::ir::{Inst, NodeId};
use crate::npy::{NpyReader, NpyWriter};
use crate::{Compiled, Engine, EvalConfig};

pub(crate) use analysis::Windowing;
pub use source::{storage_axis, Source};

/// The default memory budget: 256 MiB.
pub const DEFAULT_MEMORY: usize = 256 << 20;

/// How a streaming evaluation runs.
#[derive(Clone)]
pub struct StreamConfig {
    /// Bytes the evaluation may hold: windows, whole values, combiners.
    pub memory: usize,
    /// Slabs per window instead of what the budget allows (rounded up to the
    /// alignment reductions need); for tests and tuning.
    pub window: Option<usize>,
    /// Threads, cache and the like; streaming always runs the fused JIT.
    pub eval: EvalConfig,
    /// Called after every window.
    pub progress: Option<ProgressFn>,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig { memory: DEFAULT_MEMORY, window: None, eval: EvalConfig::default(), progress: None }
    }
}

impl std::fmt::Debug for StreamConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamConfig")
            .field("memory", &self.memory)
            .field("window", &self.window)
            .field("eval", &self.eval)
            .finish_non_exhaustive()
    }
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Work done so far, in elements of the largest input (each pass counts its
/// elements again).
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Work done so far, in elements.
    pub done: u64,
    /// All the work, in elements.
    pub total: u64,
}

/// Where a requested output goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// A `.npy` file, written a window at a time.
    File(PathBuf),
    /// Returned in memory (it must fit the budget).
    Memory,
}

/// A requested output: the program's result (`None`) or an assigned name.
#[derive(Clone, Debug)]
pub struct Output<'a> {
    /// The output: `None` for the result, or an assigned name.
    pub name: Option<&'a str>,
    /// Where its value goes.
    pub target: Target,
}

/// Evaluate `compiled` on `inputs` a window at a time. Returns, per output,
/// the array for [`Target::Memory`] and `None` for a file.
pub fn eval(
    compiled: &Compiled,
    inputs: &[(&str, &dyn Source)],
    outputs: &[Output<'_>],
    config: &StreamConfig,
) -> Result<Vec<Option<Array>>> {
    let prepared = Prepared::new(compiled, inputs, outputs, config)?;
    prepared.run(outputs, config)
}

/// Whether the program streams with the in-memory bits on these inputs: `Ok(None)`
/// if it does, `Ok(Some(reason))` if not (the caller may evaluate in memory
/// instead), `Err` for errors either way would report (names, shapes).
pub fn check(
    compiled: &Compiled,
    inputs: &[(&str, &dyn Source)],
    outputs: &[Option<&str>],
    config: &EvalConfig,
) -> Result<Option<String>> {
    let ids = compiled.output_ids(outputs)?;
    let sources = bind(compiled, inputs)?;
    let input_shapes: Vec<&[usize]> = sources.iter().map(|s| s.shape()).collect();
    crate::shape::infer(compiled.program(), &input_shapes, &ids)?;
    let planned = compiled.plan(&ids, config);
    let shapes = crate::shape::infer(&planned.program, &input_shapes, &planned.plan.outputs)?;
    Ok(analysis::analyze(&planned.program, &planned.plan, &shapes, &sources).err().map(|e| e.0))
}

/// The bytes an in-memory evaluation of these outputs holds at least: every
/// input and every output. The CLI streams when this exceeds the budget.
pub fn in_memory_bytes(compiled: &Compiled, inputs: &[(&str, &dyn Source)], outputs: &[Option<&str>]) -> Result<u64> {
    let sources = bind(compiled, inputs)?;
    let shapes: Vec<&[usize]> = sources.iter().map(|s| s.shape()).collect();
    let ids = compiled.output_ids(outputs)?;
    let all = crate::shape::infer(compiled.program(), &shapes, &ids)?;
    let bytes = |shape: &[usize], size: usize| shape.iter().product::<usize>() as u64 * size as u64;
    let ins: u64 = sources.iter().map(|s| bytes(s.shape(), s.dtype().size())).sum();
    let outs: u64 = ids
        .iter()
        .map(|&id| bytes(all[id.index()].as_deref().unwrap_or(&[]), compiled.program().node(id).dtype.size()))
        .sum();
    Ok(ins + outs)
}

/// The sources in the program's input order, dtypes checked.
fn bind<'a>(compiled: &Compiled, inputs: &[(&str, &'a dyn Source)]) -> Result<Vec<&'a dyn Source>> {
    compiled
        .program()
        .inputs
        .iter()
        .map(|input| {
            let (_, src) = inputs
                .iter()
                .find(|(n, _)| *n == input.name)
                .ok_or_else(|| Error::new(ErrorKind::Input, format!("no value given for input `{}`", input.name)))?;
            if src.dtype() != input.dtype {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!("input `{}` was compiled for {} but is {}", input.name, input.dtype, src.dtype()),
                ));
            }
            Ok(*src)
        })
        .collect()
}

/// Everything decided before the first pass.
struct Prepared<'a> {
    planned: Arc<crate::plan::Planned>,
    sources: Vec<&'a dyn Source>,
    shapes: Vec<Option<Vec<usize>>>,
    windowing: Option<Windowing>,
    /// Slabs per window.
    window: usize,
    /// Elements of the largest input per slab, for progress.
    slab_elements: u64,
}

impl<'a> Prepared<'a> {
    fn new(
        compiled: &Compiled,
        inputs: &[(&str, &'a dyn Source)],
        outputs: &[Output<'_>],
        config: &StreamConfig,
    ) -> Result<Prepared<'a>> {
        if config.eval.engine != Engine::Jit || !config.eval.fuse {
            return Err(Error::new(
                ErrorKind::Usage,
                "streaming runs the fused JIT only (not --engine interp or --no-fuse)",
            ));
        }
        let names: Vec<Option<&str>> = outputs.iter().map(|o| o.name).collect();
        let ids = compiled.output_ids(&names)?;
        let sources = bind(compiled, inputs)?;
        let input_shapes: Vec<&[usize]> = sources.iter().map(|s| s.shape()).collect();
        // Shape errors against the source program, with its spans.
        crate::shape::infer(compiled.program(), &input_shapes, &ids)?;
        let planned = compiled.plan(&ids, &config.eval);
        let (program, plan) = (&planned.program, &planned.plan);
        let shapes = crate::shape::infer(program, &input_shapes, &plan.outputs)?;
        let windowing = analysis::analyze(program, plan, &shapes, &sources).map_err(|e| e.into_error())?;
        let shape = |id: NodeId| shapes[id.index()].as_deref().unwrap_or(&[]);
        let bytes = |id: NodeId| shape(id).iter().product::<usize>() * program.node(id).dtype.size();
        let (mut window, mut slab_elements) = (1, 1);
        if let Some(w) = &windowing {
            // Whole values held at once: inputs, everything a stage computes
            // whole, and the windowed values that are kept in memory.
            let mut whole = 0usize;
            let mut slab = 0usize;
            for (i, node) in program.nodes.iter().enumerate() {
                let id = NodeId(i as u32);
                if !plan.needed[i] {
                    continue;
                }
                let stored = matches!(node.inst, Inst::Input(_) | Inst::Reduce { .. }) || plan.outputs.contains(&id);
                if !stored {
                    continue;
                }
                if w.is_windowed(id) {
                    slab += bytes(id) / w.n;
                    let kept = matches!(node.inst, Inst::Reduce { .. })
                        || outputs
                            .iter()
                            .zip(&plan.outputs)
                            .any(|(o, &p)| p == id && matches!(o.target, Target::Memory));
                    if kept {
                        whole += bytes(id);
                    }
                } else {
                    whole += bytes(id);
                }
            }
            if whole > config.memory {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "streaming still holds {} MiB in memory (inputs not cut into windows, reduction results, \
                         outputs returned in memory), more than the {} MiB budget",
                        whole >> 20,
                        config.memory >> 20
                    ),
                )
                .with_help("write large outputs to files with -o, or raise --memory"));
            }
            let left = config.memory - whole;
            let fit = left / 2 / slab.max(1);
            let chosen = config.window.unwrap_or(fit).clamp(1, w.n);
            window = chosen.div_ceil(w.align).max(1) * w.align;
            let big = sources.iter().max_by_key(|s| s.shape().iter().product::<usize>()).expect("windowed: inputs");
            slab_elements = (big.shape().iter().product::<usize>() / w.n) as u64;
        }
        Ok(Prepared { planned, sources, shapes, windowing, window, slab_elements })
    }

    fn shape(&self, id: NodeId) -> &[usize] {
        self.shapes[id.index()].as_deref().expect("needed nodes have shapes")
    }

    fn run(&self, outputs: &[Output<'_>], config: &StreamConfig) -> Result<Vec<Option<Array>>> {
        let (program, plan) = (&self.planned.program, &self.planned.plan);
        let mut values: Vec<Option<Value>> = (0..program.nodes.len()).map(|_| None).collect();
        for (i, node) in program.nodes.iter().enumerate() {
            if let Inst::Input(k) = node.inst {
                if plan.needed[i] {
                    let id = NodeId(i as u32);
                    values[i] = Some(match &self.windowing {
                        Some(w) if w.is_windowed(id) => Value::Source(self.sources[k]),
                        _ => Value::Whole(self.sources[k].window(0..whole_slabs(self.sources[k]))?),
                    });
                }
            }
        }
        let mut sinks = Sinks::new(outputs, plan.outputs.as_slice());
        let passes = plan.stages.iter().filter(|s| self.split(s).1.is_some()).count() as u64;
        let mut progress = Progress { done: 0, total: passes * self.n() as u64 * self.slab_elements };
        for stage in &plan.stages {
            let (whole, windowed) = self.split(stage);
            if let Some(sub) = whole {
                self.run_whole(&sub, &mut values, &mut sinks, config)?;
            }
            if let Some(sub) = windowed {
                self.run_windowed(&sub, &mut values, &mut sinks, config, &mut progress)?;
            }
        }
        // Requested values no stage computes (inputs, or a value requested twice).
        for (k, &id) in plan.outputs.iter().enumerate() {
            if sinks.done[k] {
                continue;
            }
            match values[id.index()].as_ref().expect("every output is computed or an input") {
                Value::Whole(a) => sinks.whole(k, a)?,
                v => self.copy_pass(k, id, v.source(), &mut sinks)?,
            }
        }
        sinks.commit()
    }

    fn n(&self) -> usize {
        self.windowing.as_ref().map_or(1, |w| w.n)
    }

    /// A stage's whole part (reads whole values only, runs once) and windowed
    /// part (runs per window), each as its own stage.
    fn split(&self, stage: &Stage) -> (Option<Stage>, Option<Stage>) {
        let program = &self.planned.program;
        let windowed = |id: NodeId| self.windowing.as_ref().is_some_and(|w| w.is_windowed(id));
        let arg_windowed = |r: NodeId| match program.node(r).inst {
            Inst::Reduce { arg, .. } => windowed(arg),
            _ => unreachable!("stage reductions are Reduce nodes"),
        };
        let build = |roots: Vec<NodeId>, reds: Vec<NodeId>| {
            (!roots.is_empty() || !reds.is_empty())
                .then(|| fuse::build_stage(program, &roots, &reds, |id| stage.params.contains(&id)))
        };
        let (win_roots, whole_roots): (Vec<NodeId>, Vec<NodeId>) = stage.roots.iter().partition(|&&r| windowed(r));
        let (win_reds, whole_reds): (Vec<NodeId>, Vec<NodeId>) =
            stage.reductions.iter().partition(|&&r| arg_windowed(r));
        (build(whole_roots, whole_reds), build(win_roots, win_reds))
    }

    fn run_whole(
        &self,
        stage: &Stage,
        values: &mut [Option<Value<'a>>],
        sinks: &mut Sinks,
        config: &StreamConfig,
    ) -> Result<()> {
        let (program, plan) = (&self.planned.program, &self.planned.plan);
        let params: Vec<Array> = stage.params.iter().map(|&p| whole_value(values, p)).collect::<Result<_>>()?;
        let views: Vec<_> = params.iter().map(|a| a.view()).collect();
        let out = exec::eval_stage(program, plan, stage, &views, Reductions::Finish, &config.eval)?;
        for (&id, a) in stage.roots.iter().chain(&stage.reductions).zip(out.roots.into_iter().chain(out.reductions)) {
            for k in sinks.slots(id) {
                sinks.whole(k, &a)?;
            }
            values[id.index()] = Some(Value::Whole(a));
        }
        Ok(())
    }

    fn run_windowed(
        &self,
        stage: &Stage,
        values: &mut [Option<Value<'a>>],
        sinks: &mut Sinks,
        config: &StreamConfig,
        progress: &mut Progress,
    ) -> Result<()> {
        let (program, plan) = (&self.planned.program, &self.planned.plan);
        let w = self.windowing.as_ref().expect("a windowed part exists only with a windowing");
        // Whole parameters, read once.
        let whole: Vec<Option<Array>> = stage
            .params
            .iter()
            .map(|&p| if w.is_windowed(p) { Ok(None) } else { whole_value(values, p).map(Some) })
            .collect::<Result<_>>()?;
        // Per stored value (windowed roots and windowed reductions): its writers.
        let stored: Vec<NodeId> =
            stage.roots.iter().copied().chain(stage.reductions.iter().copied().filter(|&r| w.is_windowed(r))).collect();
        let mut keep: Vec<Option<Vec<Data>>> = Vec::new();
        for &id in &stored {
            let order = w.storage_order(id, self.shape(id)).expect("analysis checked the stored values");
            for k in sinks.slots(id) {
                sinks.begin(k, program.node(id).dtype, self.shape(id), order)?;
            }
            // Kept in memory when a later stage reads it or it is returned,
            // unless a file being written can be read back.
            let in_file = sinks.slots(id).into_iter().any(|k| sinks.is_file(k));
            keep.push((!in_file).then(Vec::new));
        }
        // Cross-window reductions: one combiner each.
        let mut combiners: Vec<Option<LaneCombiner>> = stage
            .reductions
            .iter()
            .enumerate()
            .map(|(j, &r)| {
                (!w.is_windowed(r)).then(|| {
                    let Inst::Reduce { op, arg, axis } = program.node(r).inst else { unreachable!("reductions") };
                    let s = self.shape(arg);
                    let count = match crate::shape::normalize_axis(axis, s.len()).expect("shapes were inferred") {
                        None => s.iter().product(),
                        Some(a) => s[a],
                    };
                    let lanes = self.shape(r).iter().product();
                    LaneCombiner::new(op, stage.kernel.reduction_dtype(j), lanes, count)
                })
            })
            .collect();
        let mut r0 = 0;
        while r0 < w.n {
            let r1 = (r0 + self.window).min(w.n);
            let windows: Vec<Option<Array>> = stage
                .params
                .iter()
                .zip(&whole)
                .map(|(&p, wh)| match wh {
                    Some(_) => Ok(None),
                    None => {
                        values[p.index()].as_ref().expect("parameters are computed").source().window(r0..r1).map(Some)
                    }
                })
                .collect::<Result<_>>()?;
            let views: Vec<_> = whole
                .iter()
                .zip(&windows)
                .map(|(a, b)| a.as_ref().or(b.as_ref()).expect("one of them").view())
                .collect();
            let out = exec::eval_stage(program, plan, stage, &views, Reductions::Partials, &config.eval)?;
            let mut results = out.roots.into_iter();
            let mut done_stored = 0;
            for (&id, a) in stage.roots.iter().zip(&mut results) {
                self.store(id, a, done_stored, &mut keep, sinks)?;
                done_stored += 1;
            }
            for ((&r, partials), comb) in stage.reductions.iter().zip(out.reductions).zip(&mut combiners) {
                match comb {
                    Some(c) => c.push(&partials)?,
                    None => {
                        // Whole lanes in this window: finish them here.
                        let Inst::Reduce { op, arg, axis } = program.node(r).inst else { unreachable!("reductions") };
                        let arg_shape = window_shape(self.shape(arg), w.axis(arg, self.shape(arg)), r1 - r0);
                        let a =
                            crate::shape::normalize_axis(axis, arg_shape.len()).expect("inferred").expect("an axis");
                        let lanes = partials.shape()[0];
                        let mut c = LaneCombiner::new(op, partials.dtype(), lanes, arg_shape[a]);
                        c.push(&partials)?;
                        let out_shape = window_shape(self.shape(r), w.axis(r, self.shape(r)), r1 - r0);
                        let finished = c.finish(out_shape)?;
                        self.store(r, finished, done_stored, &mut keep, sinks)?;
                        done_stored += 1;
                    }
                }
            }
            progress.done += ((r1 - r0) as u64) * self.slab_elements;
            if let Some(f) = &config.progress {
                f(*progress);
            }
            r0 = r1;
        }
        for (&id, kept) in stored.iter().zip(keep) {
            let order = w.storage_order(id, self.shape(id)).expect("checked");
            values[id.index()] = Some(match kept {
                Some(parts) => Value::Assembled(concat(parts, self.shape(id).to_vec(), order)?),
                None => {
                    let k = sinks.slots(id).into_iter().find(|&k| sinks.is_file(k)).expect("a file keeps it");
                    Value::Stored(sinks.reader(k)?)
                }
            });
            for k in sinks.slots(id) {
                sinks.done[k] = true;
            }
        }
        for (&r, comb) in stage.reductions.iter().zip(combiners) {
            if let Some(c) = comb {
                let a = c.finish(self.shape(r).to_vec())?;
                for k in sinks.slots(r) {
                    sinks.whole(k, &a)?;
                }
                values[r.index()] = Some(Value::Whole(a));
            }
        }
        Ok(())
    }

    /// Send one window of stored value number `at` of the pass to its writers
    /// and, if kept, to memory, in its storage order.
    fn store(
        &self,
        id: NodeId,
        window: Array,
        at: usize,
        keep: &mut [Option<Vec<Data>>],
        sinks: &mut Sinks,
    ) -> Result<()> {
        let w = self.windowing.as_ref().expect("windowed");
        let data = match w.storage_order(id, self.shape(id)).expect("checked") {
            Order::C => window.into_c_order().into_data(),
            // Fortran order of a shape is C order of the reversed shape.
            Order::Fortran => window.view().transpose().to_array().into_data(),
        };
        for k in sinks.slots(id) {
            sinks.write(k, &data)?;
        }
        if let Some(parts) = &mut keep[at] {
            parts.push(data);
        }
        Ok(())
    }

    /// Write a windowed value that no stage computes (an input requested as an
    /// output) window by window.
    fn copy_pass(&self, k: usize, id: NodeId, src: &dyn Source, sinks: &mut Sinks) -> Result<()> {
        let program = &self.planned.program;
        let shape = self.shape(id).to_vec();
        let order = src.order();
        sinks.begin(k, program.node(id).dtype, &shape, order)?;
        let n = storage_axis(&shape, order).map_or(1, |d| shape[d]);
        let mut r0 = 0;
        while r0 < n {
            let r1 = (r0 + self.window).min(n);
            sinks.write(k, src.window(r0..r1)?.data())?;
            r0 = r1;
        }
        sinks.done[k] = true;
        Ok(())
    }
}

/// The shape of `shape` with axis `d` cut to `len`.
fn window_shape(shape: &[usize], d: usize, len: usize) -> Vec<usize> {
    let mut s = shape.to_vec();
    s[d] = len;
    s
}

/// Slabs of a source as a whole.
fn whole_slabs(src: &dyn Source) -> usize {
    storage_axis(src.shape(), src.order()).map_or(1, |d| src.shape()[d])
}

/// Where a materialized value lives.
enum Value<'a> {
    /// In memory, whole.
    Whole(Array),
    /// A windowed input.
    Source(&'a dyn Source),
    /// A windowed value an earlier pass wrote to a file.
    Stored(NpyReader),
    /// A windowed value an earlier pass assembled in memory.
    Assembled(Array),
}

impl Value<'_> {
    fn source(&self) -> &dyn Source {
        match self {
            Value::Whole(a) | Value::Assembled(a) => a,
            Value::Source(s) => *s,
            Value::Stored(r) => r,
        }
    }
}

/// A whole value (a copy: whole values are small).
fn whole_value(values: &[Option<Value<'_>>], id: NodeId) -> Result<Array> {
    match values[id.index()].as_ref().expect("parameters are computed before they are read") {
        Value::Whole(a) => Ok(a.clone()),
        v => {
            let src = v.source();
            src.window(0..whole_slabs(src))
        }
    }
}

/// Windows of storage-order data, concatenated into the whole value.
fn concat(parts: Vec<Data>, shape: Vec<usize>, order: Order) -> Result<Array> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_else(|| Data::zeros(crate::types::DType::Bool, 0));
    for p in parts {
        match (&mut all, p) {
            (Data::Bool(a), Data::Bool(b)) => a.extend(b),
            (Data::Int32(a), Data::Int32(b)) => a.extend(b),
            (Data::Int64(a), Data::Int64(b)) => a.extend(b),
            (Data::Float32(a), Data::Float32(b)) => a.extend(b),
            (Data::Float64(a), Data::Float64(b)) => a.extend(b),
            _ => unreachable!("windows of one value share its dtype"),
        }
    }
    Array::with_order(all, shape, order)
}

/// An output returned in memory, windows collected in storage order, with its
/// shape and order.
type Assembly = (Vec<Data>, Vec<usize>, Order);

/// The requested outputs' destinations.
struct Sinks {
    targets: Vec<Target>,
    /// The node each output is.
    nodes: Vec<NodeId>,
    writers: Vec<Option<NpyWriter>>,
    memory: Vec<Option<Array>>,
    /// Per output: written (or returned) completely.
    done: Vec<bool>,
    /// Per output being assembled in memory: its windows.
    parts: Vec<Option<Assembly>>,
}

impl Sinks {
    fn new(outputs: &[Output<'_>], nodes: &[NodeId]) -> Sinks {
        let n = outputs.len();
        Sinks {
            targets: outputs.iter().map(|o| o.target.clone()).collect(),
            nodes: nodes.to_vec(),
            writers: (0..n).map(|_| None).collect(),
            memory: vec![None; n],
            done: vec![false; n],
            parts: (0..n).map(|_| None).collect(),
        }
    }

    /// The outputs that are node `id` and not yet done.
    fn slots(&self, id: NodeId) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&k| self.nodes[k] == id && !self.done[k]).collect()
    }

    fn is_file(&self, k: usize) -> bool {
        matches!(self.targets[k], Target::File(_))
    }

    fn begin(&mut self, k: usize, dtype: crate::types::DType, shape: &[usize], order: Order) -> Result<()> {
        match &self.targets[k] {
            Target::File(path) => self.writers[k] = Some(NpyWriter::create(path, dtype, shape, order)?),
            Target::Memory => self.parts[k] = Some((Vec::new(), shape.to_vec(), order)),
        }
        Ok(())
    }

    fn write(&mut self, k: usize, data: &Data) -> Result<()> {
        match (&mut self.writers[k], &mut self.parts[k]) {
            (Some(w), _) => w.write(data),
            (None, Some((parts, _, _))) => {
                parts.push(data.clone());
                Ok(())
            }
            (None, None) => unreachable!("outputs are begun before they are written"),
        }
    }

    /// A complete output at once.
    fn whole(&mut self, k: usize, a: &Array) -> Result<()> {
        match &self.targets[k] {
            Target::File(path) => {
                let mut w = NpyWriter::create(path, a.dtype(), a.shape(), a.order())?;
                w.write(a.data())?;
                self.writers[k] = Some(w);
            }
            Target::Memory => self.memory[k] = Some(a.clone()),
        }
        self.done[k] = true;
        Ok(())
    }

    /// A reader of the file output `k` is being written to, for later passes.
    fn reader(&mut self, k: usize) -> Result<NpyReader> {
        let w = self.writers[k].as_mut().expect("a file output has a writer");
        w.flush()?;
        NpyReader::open(w.temporary())
    }

    /// Rename every file into place; return the in-memory outputs.
    fn commit(mut self) -> Result<Vec<Option<Array>>> {
        let mut result = Vec::with_capacity(self.targets.len());
        for k in 0..self.targets.len() {
            if let Some(w) = self.writers[k].take() {
                w.commit()?;
            }
            result.push(match self.parts[k].take() {
                Some((parts, shape, order)) => Some(concat(parts, shape, order)?),
                None => self.memory[k].take(),
            });
        }
        Ok(result)
    }
}
