//! Measurement behind `jitexpr bench`: one expression on every engine configuration.
//!
//! Input: an expression, the inputs given on the command line and a [`BenchConfig`].
//! Output: a [`Report`] with one [`Row`] per engine configuration (printed as a
//! table or as JSON by [`report`]).
//!
//! - Inputs: every free variable without a given value gets a seeded random array
//!   of `n` elements ([`random_array`]: floats uniform in [0.1, 1.1), so `log` and
//!   `sqrt` are defined).
//! - Rows: `interp` (one thread), `jit-unfused` (one thread), `jit` (one thread),
//!   `jit` (`threads`). Each row: one warm-up evaluation (which compiles and caches
//!   the kernels), then `repeat` timed evaluations into a preallocated output.
//! - Compile time (JIT rows): parse, lower, plan, generate code and make the first
//!   call, on a cold [`KernelCache`], with inputs shrunk to at most 2 elements per
//!   dimension ([`shrink`]): the same kernels and layouts as the real inputs, but
//!   (almost) no work to run.
//! - Traffic: the compulsory bytes, every input read once and the output written
//!   once; GB/s divides it by the median time.
//! - Math: the JIT rows run in the configured [`Math`] mode; the `interp` row
//!   always runs the exact program (NumPy's bits), so it is the speed baseline
//!   and the reference in both modes.
//! - Agreement: `max_ulp_vs_interp`, the largest distance in units in the last
//!   place between a row's result and the *exact* interpreter's ([`max_ulp`]): 0
//!   in exact mode (every engine is bit-identical), the fast rewrites' actual
//!   error on these inputs in fast mode.
//!
//! Invariant: no timing decides anything; the numbers are only reported.

pub mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::array::alloc::{out_of_memory, try_collect, try_with_capacity};
use crate::array::{Array, Data};
use crate::diag::{Error, ErrorKind, Result};
use crate::inputs::SplitMix64;
use crate::ir::Inst;
use crate::syntax::ast::{self, ExprKind, Stmt};
use crate::types::DType;
use crate::{Compiled, Engine, EvalConfig, Expr, KernelCache, Math};

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Elements of every generated input.
    pub n: usize,
    /// The dtype of generated inputs.
    pub dtype: DType,
    /// Threads of the last `jit` row (1: that row is left out, it would repeat the
    /// one-thread row).
    pub threads: usize,
    /// Timed evaluations per row; `None`: as many as fit in [`AUTO_BUDGET`] (at
    /// least [`AUTO_MIN`], at most [`AUTO_MAX`]).
    pub repeat: Option<usize>,
    /// After `repeat` evaluations, a row keeps timing until it has spent this long
    /// (at most [`MAX_REPEAT`] evaluations): fast rows get many samples and slow rows
    /// no more than `repeat`, so a median is steady on a noisy machine.
    /// [`Duration::ZERO`]: exactly `repeat`.
    pub min_time: Duration,
    /// The math mode of the JIT rows (the `interp` row is always exact).
    pub math: Math,
}

/// Time spent per row when the repeat count is automatic.
pub const AUTO_BUDGET: Duration = Duration::from_millis(500);
/// The fewest timed evaluations per row without `--repeat`.
pub const AUTO_MIN: usize = 5;
/// The most timed evaluations per row without `--repeat`.
pub const AUTO_MAX: usize = 10_000;
/// Cold compilations per JIT row; the median is reported.
const COMPILE_RUNS: usize = 3;

/// Which engine a row measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchEngine {
    /// The interpreter (the baseline).
    Interp,
    /// The JIT with fusion off: one operation per loop.
    JitUnfused,
    /// The JIT with fusion: one loop per stage.
    Jit,
}

impl BenchEngine {
    /// The name in the table and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            BenchEngine::Interp => "interp",
            BenchEngine::JitUnfused => "jit-unfused",
            BenchEngine::Jit => "jit",
        }
    }

    fn config(self, threads: usize, cache: &Arc<KernelCache>, math: Math) -> EvalConfig {
        let (engine, fuse, math) = match self {
            BenchEngine::Interp => (Engine::Interp, true, Math::Exact),
            BenchEngine::JitUnfused => (Engine::Jit, false, math),
            BenchEngine::Jit => (Engine::Jit, true, math),
        };
        EvalConfig { engine, threads: Some(threads), fuse, cache: Some(cache.clone()), math, ..EvalConfig::default() }
    }
}

/// One input of the benchmark.
#[derive(Clone, Debug)]
pub struct BenchInput {
    /// The input's name.
    pub name: String,
    /// Its value.
    pub array: Array,
    /// Made by [`random_array`] rather than given.
    pub generated: bool,
}

/// One engine configuration's measurements.
#[derive(Clone, Debug)]
pub struct Row {
    /// The engine timed.
    pub engine: BenchEngine,
    /// The threads it ran on.
    pub threads: usize,
    /// Timed evaluations.
    pub repeat: usize,
    /// Median time of one evaluation, in seconds.
    pub median_s: f64,
    /// Fastest evaluation, in seconds.
    pub min_s: f64,
    /// Cold compile time, for JIT rows.
    pub compile_s: Option<f64>,
    /// Compulsory bytes over the median time, in 10^9 bytes per second.
    pub gbps: f64,
    /// The interpreter's median over this row's.
    pub speedup_vs_interp: f64,
    /// The largest difference from the interpreter's result, in ulps (0 for exact).
    pub max_ulp_vs_interp: f64,
}

/// Everything `jitexpr bench` measured.
#[derive(Clone, Debug)]
pub struct Report {
    /// The expression.
    pub expr: String,
    /// Elements per generated input.
    pub n: usize,
    /// The dtype of generated inputs.
    pub dtype: DType,
    /// The JIT rows' math mode.
    pub math: Math,
    /// Every input, given or generated.
    pub inputs: Vec<BenchInput>,
    /// The result's dtype.
    pub output_dtype: DType,
    /// The result's shape.
    pub output_shape: Vec<usize>,
    /// Inputs read once plus the output written once.
    pub traffic_bytes: u64,
    /// One row per engine configuration.
    pub results: Vec<Row>,
}

/// Parse `source`, give every free variable not in `given` a random array, then
/// measure every row.
pub fn run(source: &str, given: Vec<(String, Array)>, config: &BenchConfig) -> Result<Report> {
    let expr = Expr::parse(source)?;
    check_config(config)?;
    let inputs = complete_inputs(&expr, given, config.n, config.dtype)?;
    let sig: Vec<(&str, DType)> = inputs.iter().map(|i| (i.name.as_str(), i.array.dtype())).collect();
    let compiled = expr.compile(&sig)?;
    let named: Vec<(&str, &Array)> = inputs.iter().map(|i| (i.name.as_str(), &i.array)).collect();
    let cache = Arc::new(KernelCache::new(KernelCache::DEFAULT_CAPACITY));

    let mut rows_wanted = vec![(BenchEngine::JitUnfused, 1), (BenchEngine::Jit, 1)];
    if config.threads > 1 {
        rows_wanted.push((BenchEngine::Jit, config.threads));
    }
    let (reference, interp) = measure(&compiled, &named, &BenchEngine::Interp.config(1, &cache, Math::Exact), config)?;
    let traffic_bytes = input_bytes(&compiled, &named) + nbytes(&reference);
    let mut results = vec![row(BenchEngine::Interp, 1, &interp, None, traffic_bytes, interp.median, 0.0)];
    let small = shrink_all(&named)?;
    let small: Vec<(&str, &Array)> = small.iter().map(|(n, a)| (*n, a)).collect();
    for (engine, threads) in rows_wanted {
        let eval_config = engine.config(threads, &cache, config.math);
        let (out, timing) = measure(&compiled, &named, &eval_config, config)?;
        let compile = compile_time(source, &sig, &small, &eval_config)?;
        let ulp = max_ulp(&out, &reference);
        results.push(row(engine, threads, &timing, Some(compile), traffic_bytes, interp.median, ulp));
    }
    Ok(Report {
        expr: source.to_string(),
        n: config.n,
        dtype: config.dtype,
        math: config.math,
        inputs,
        output_dtype: reference.dtype(),
        output_shape: reference.shape().to_vec(),
        traffic_bytes,
        results,
    })
}

fn row(
    engine: BenchEngine,
    threads: usize,
    timing: &Timing,
    compile_s: Option<f64>,
    traffic_bytes: u64,
    interp_median: f64,
    max_ulp_vs_interp: f64,
) -> Row {
    Row {
        engine,
        threads,
        repeat: timing.repeat,
        median_s: timing.median,
        min_s: timing.min,
        compile_s,
        gbps: traffic_bytes as f64 / timing.median / 1e9,
        speedup_vs_interp: interp_median / timing.median,
        max_ulp_vs_interp,
    }
}

/// The given inputs, then a random array for every free variable of `expr` not
/// among them, in order of first use; the `k`-th free variable is seeded with `k`,
/// so giving one input does not change the values of the others.
pub fn complete_inputs(expr: &Expr, given: Vec<(String, Array)>, n: usize, dtype: DType) -> Result<Vec<BenchInput>> {
    let mut inputs: Vec<BenchInput> =
        given.into_iter().map(|(name, array)| BenchInput { name, array, generated: false }).collect();
    for (seed, name) in free_names(expr).into_iter().enumerate() {
        if !inputs.iter().any(|i| i.name == name) {
            inputs.push(BenchInput { name, array: random_array(dtype, n, seed as u64)?, generated: true });
        }
    }
    Ok(inputs)
}

/// The most timed evaluations per row (`--repeat`): more would run for days.
pub const MAX_REPEAT: usize = 1_000_000;

/// The longest `min_time` (an hour per row).
pub const MAX_MIN_TIME: Duration = Duration::from_secs(3600);

/// Refuse settings no run could finish: too many threads or repetitions.
fn check_config(config: &BenchConfig) -> Result<()> {
    crate::exec::requested_threads(&EvalConfig { threads: Some(config.threads), ..EvalConfig::default() })?;
    if config.min_time > MAX_MIN_TIME {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("--min-time {:?} is longer than a run can take (at most {MAX_MIN_TIME:?})", config.min_time),
        ));
    }
    match config.repeat {
        Some(0) => Err(Error::new(ErrorKind::Usage, "--repeat must be at least 1")),
        Some(r) if r > MAX_REPEAT => Err(Error::new(
            ErrorKind::Limit,
            format!("{r} repetitions is more than a run can take (at most {MAX_REPEAT})"),
        )),
        _ => Ok(()),
    }
}

/// The names a program reads before assigning them, in order of first use, except
/// the named constants (`pi`, `e`, `inf`, `nan`): the inputs it needs.
pub fn free_names(expr: &Expr) -> Vec<String> {
    let program = expr.ast();
    let mut assigned: Vec<&str> = Vec::new();
    let mut free: Vec<String> = Vec::new();
    for stmt in &program.stmts {
        match stmt {
            Stmt::Assign { name, value } => {
                collect_free(value, &assigned, &mut free);
                assigned.push(&name.name);
            }
            Stmt::Expr(e) => collect_free(e, &assigned, &mut free),
        }
    }
    free
}

fn collect_free(e: &ast::Expr, assigned: &[&str], free: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) => {}
        ExprKind::Name(name) => {
            let constant = crate::ir::lower::CONSTANTS.iter().any(|(c, _)| c == name);
            if !constant && !assigned.contains(&name.as_str()) && !free.contains(name) {
                free.push(name.clone());
            }
        }
        ExprKind::Unary { operand, .. } => collect_free(operand, assigned, free),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_free(lhs, assigned, free);
            collect_free(rhs, assigned, free);
        }
        ExprKind::Call { args, kwargs, .. } => {
            for arg in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
                collect_free(arg, assigned, free);
            }
        }
    }
}

/// `n` seeded pseudo-random elements ([`SplitMix64`]): floats uniform in [0.1,
/// 1.1) (positive, so `log`, `sqrt` and division are defined), integers uniform in
/// [1, 100] (no division by zero), bools fair. An [`ErrorKind::Memory`] error if
/// the memory is not available.
pub fn random_array(dtype: DType, n: usize, seed: u64) -> Result<Array> {
    let mut rng = SplitMix64(seed);
    let rng = &mut rng;
    let data = match dtype {
        DType::Bool => try_collect(n, std::iter::repeat_with(|| rng.next_u64() >> 63 == 1)).map(Data::Bool),
        DType::Int32 => try_collect(n, std::iter::repeat_with(|| 1 + (rng.next_u64() % 100) as i32)).map(Data::Int32),
        DType::Int64 => try_collect(n, std::iter::repeat_with(|| 1 + (rng.next_u64() % 100) as i64)).map(Data::Int64),
        DType::Float32 => try_collect(n, std::iter::repeat_with(|| (0.1 + rng.next_f64()) as f32)).map(Data::Float32),
        DType::Float64 => try_collect(n, std::iter::repeat_with(|| 0.1 + rng.next_f64())).map(Data::Float64),
    };
    let data = data.ok_or_else(|| out_of_memory(dtype, &[n]))?;
    Ok(Array::new(data, vec![n]).expect("n elements in shape [n]"))
}

/// Bytes of the inputs the program reads (a given input it does not use costs nothing).
fn input_bytes(compiled: &Compiled, inputs: &[(&str, &Array)]) -> u64 {
    let program = compiled.program();
    let read = |k: usize| program.nodes.iter().any(|node| matches!(node.inst, Inst::Input(i) if i == k));
    // `inputs` is in signature order, which is the program's input order.
    inputs.iter().enumerate().filter(|&(k, _)| read(k)).map(|(_, (_, a))| nbytes(a)).sum()
}

/// Bytes of an array's elements.
fn nbytes(a: &Array) -> u64 {
    (a.len() * a.dtype().size()) as u64
}

/// Median and minimum of timed evaluations.
#[derive(Clone, Copy, Debug)]
struct Timing {
    repeat: usize,
    median: f64,
    min: f64,
}

/// Warm up (compiling and caching kernels; the result becomes the preallocated
/// output), then time `bench.repeat` evaluations into that output, and more until
/// `bench.min_time` is spent. Returns the last result and the timing.
fn measure(
    compiled: &Compiled,
    inputs: &[(&str, &Array)],
    config: &EvalConfig,
    bench: &BenchConfig,
) -> Result<(Array, Timing)> {
    let mut out = compiled.eval_with(inputs, &[None], config)?.pop().expect("one output requested");
    let mut once = || -> Result<f64> {
        let start = Instant::now();
        compiled.eval_into(inputs, &mut [(None, &mut out)], config)?;
        Ok(start.elapsed().as_secs_f64())
    };
    let first = once()?;
    let repeat = bench.repeat.unwrap_or_else(|| auto_repeat(first));
    let mut times = try_with_capacity(repeat)
        .ok_or_else(|| Error::new(ErrorKind::Memory, format!("cannot allocate the times of {repeat} runs")))?;
    for _ in 0..repeat {
        times.push(once()?);
    }
    let min_time = bench.min_time.as_secs_f64();
    let mut spent: f64 = times.iter().sum();
    while spent < min_time && times.len() < MAX_REPEAT {
        let t = once()?;
        times.try_reserve(1).map_err(|_| Error::new(ErrorKind::Memory, "cannot allocate the times of the runs"))?;
        times.push(t);
        spent += t;
    }
    let repeat = times.len();
    let (median, min) = median_min(&mut times);
    Ok((out, Timing { repeat, median, min }))
}

/// How many evaluations of `once` seconds fit in [`AUTO_BUDGET`], within bounds.
pub fn auto_repeat(once: f64) -> usize {
    let fit = AUTO_BUDGET.as_secs_f64() / once.max(1e-9);
    (fit as usize).clamp(AUTO_MIN, AUTO_MAX)
}

/// The median (the mean of the middle two for an even count) and the minimum;
/// `(NaN, NaN)` for no samples.
pub fn median_min(times: &mut [f64]) -> (f64, f64) {
    if times.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2.0 };
    (median, times[0])
}

/// The median time from source text to a first result on a cold kernel cache.
fn compile_time(source: &str, sig: &[(&str, DType)], small: &[(&str, &Array)], config: &EvalConfig) -> Result<f64> {
    let mut times = Vec::with_capacity(COMPILE_RUNS);
    for _ in 0..COMPILE_RUNS {
        let cold =
            EvalConfig { cache: Some(Arc::new(KernelCache::new(KernelCache::DEFAULT_CAPACITY))), ..config.clone() };
        let start = Instant::now();
        Expr::parse(source)?.compile(sig)?.eval_with(small, &[None], &cold)?;
        times.push(start.elapsed().as_secs_f64());
    }
    Ok(median_min(&mut times).0)
}

fn shrink_all<'a>(inputs: &[(&'a str, &Array)]) -> Result<Vec<(&'a str, Array)>> {
    inputs.iter().map(|(n, a)| Ok((*n, shrink(a)?))).collect()
}

/// A zero array of `a`'s dtype with every dimension cut to at most 2. Broadcasting
/// compatibility is kept (equal dimensions stay equal, 1 stays 1, 0 stays 0), and
/// so are the kernels and parameter layouts the JIT compiles for it.
pub fn shrink(a: &Array) -> Result<Array> {
    Array::zeros(a.dtype(), a.shape().iter().map(|&d| d.min(2)).collect())
}

/// The largest distance between corresponding elements of two arrays: in units in
/// the last place for floats (adjacent floats are 1 apart, `0.0 == -0.0`, any two
/// NaNs are equal, a NaN and a number are as far apart as their bit patterns), the
/// absolute difference for integers, 0 or 1 for bools. Infinite if the dtypes or
/// shapes differ.
pub fn max_ulp(a: &Array, b: &Array) -> f64 {
    if a.shape() != b.shape() {
        return f64::INFINITY;
    }
    let max = |d: &mut dyn Iterator<Item = u128>| d.max().unwrap_or(0) as f64;
    match (a.data(), b.data()) {
        (Data::Float64(x), Data::Float64(y)) => max(&mut x.iter().zip(y).map(|(&p, &q)| ulp_f64(p, q))),
        (Data::Float32(x), Data::Float32(y)) => max(&mut x.iter().zip(y).map(|(&p, &q)| ulp_f32(p, q))),
        (Data::Int64(x), Data::Int64(y)) => max(&mut x.iter().zip(y).map(|(&p, &q)| i128::from(p).abs_diff(q.into()))),
        (Data::Int32(x), Data::Int32(y)) => max(&mut x.iter().zip(y).map(|(&p, &q)| i128::from(p).abs_diff(q.into()))),
        (Data::Bool(x), Data::Bool(y)) => max(&mut x.iter().zip(y).map(|(p, q)| u128::from(p != q))),
        _ => f64::INFINITY,
    }
}

/// Units in the last place between two f64 (see [`max_ulp`]).
pub fn ulp_f64(a: f64, b: f64) -> u128 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    // Map the bit patterns onto integers ordered like the floats: negative floats
    // count down from -0.0 == 0.
    let key = |x: f64| {
        let bits = x.to_bits() as i64;
        i128::from(if bits < 0 { i64::MIN.wrapping_sub(bits) } else { bits })
    };
    key(a).abs_diff(key(b))
}

/// Units in the last place between two f32 (see [`max_ulp`]).
pub fn ulp_f32(a: f32, b: f32) -> u128 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    let key = |x: f32| {
        let bits = x.to_bits() as i32;
        i128::from(if bits < 0 { i32::MIN.wrapping_sub(bits) } else { bits })
    };
    key(a).abs_diff(key(b))
}

/// A count written as an integer (`1000000`, `1_000_000`) or in scientific notation
/// (`1e6`, `2.5e6`) that is a whole number.
pub fn parse_count(text: &str) -> Result<usize> {
    let clean: String = text.trim().chars().filter(|&c| c != '_').collect();
    let bad = || {
        Error::new(ErrorKind::Usage, format!("`{text}` is not a count"))
            .with_help("write e.g. 1000000, 1_000_000 or 1e6")
    };
    let v: f64 = match clean.parse::<u64>() {
        Ok(v) => v as f64,
        Err(_) if clean.contains(['e', 'E']) => clean.parse().map_err(|_| bad())?,
        Err(_) => return Err(bad()),
    };
    if !(v >= 0.0 && v.fract() == 0.0) {
        return Err(bad());
    }
    if v > crate::inputs::MAX_ELEMENTS as f64 {
        return Err(Error::new(ErrorKind::Usage, format!("{text} elements is too many (the limit is 2**32)")));
    }
    Ok(v as usize)
}

#[cfg(test)]
mod tests;
