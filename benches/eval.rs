//! Evaluation of the benchmark set for n = 1e3 ... 1e7 on the JIT (all cores) and
//! the interpreter, into preallocated outputs with kernels cached; throughput is the
//! compulsory traffic (inputs read once, output written once). Then the call
//! overhead at n = 10.
//!
//! `cargo bench --bench eval`; one expression: `cargo bench --bench eval -- eval/poly`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jitexpr::{bench, Array, Compiled, DType, Engine, EvalConfig, Expr, KernelCache};

/// The benchmark set (float64), by short label. `benches/compare/compare.py` times
/// the same expressions on NumPy, numexpr, Numba and hand-written Rust loops.
const SUITE: [(&str, &str); 12] = [
    ("add", "a + b"),
    ("axpby", "2*a + 3*b"),
    ("fma", "a*b + c"),
    ("poly", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2"),
    ("trig", "sin(a)**2 + cos(b)**2"),
    ("gauss", "exp(-(a*a)/2)/sqrt(2*3.141592653589793)"),
    ("norm3", "sqrt(a**2 + b**2 + c**2)"),
    ("where", "where(a > b, a - b, 0.0)"),
    ("softplus", "log(1 + exp(a))"),
    ("tanh", "tanh(a)"),
    ("pow", "a**2.5"),
    ("dot", "sum(a*b)"),
];

const SIZES: [usize; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Inputs a, b, c of `n` elements, uniform in [0.1, 1.1).
fn inputs(n: usize) -> Vec<(&'static str, Array)> {
    ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(k, name)| (*name, bench::random_array(DType::Float64, n, k as u64).expect("bench inputs fit in memory")))
        .collect()
}

fn compile(source: &str) -> Compiled {
    let sig = [("a", DType::Float64), ("b", DType::Float64), ("c", DType::Float64)];
    Expr::parse(source).and_then(|e| e.compile(&sig)).expect("the benchmark set compiles")
}

fn engines() -> [(&'static str, EvalConfig); 2] {
    let cache = Arc::new(KernelCache::new(KernelCache::DEFAULT_CAPACITY));
    [
        ("jit", EvalConfig { cache: Some(cache), ..EvalConfig::default() }),
        ("interp", EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }),
    ]
}

fn evaluation(c: &mut Criterion) {
    let data: Vec<(usize, Vec<(&str, Array)>)> = SIZES.iter().map(|&n| (n, inputs(n))).collect();
    let engines = engines();
    for (label, source) in SUITE {
        let compiled = compile(source);
        let read = bench::free_names(Expr::parse(source).expect("parses").ast());
        let mut group = c.benchmark_group(format!("eval/{label}"));
        for (n, arrays) in &data {
            let named: Vec<(&str, &Array)> = arrays.iter().map(|(name, a)| (*name, a)).collect();
            let mut out = compiled.eval_with(&named, &[None], &engines[0].1).expect("evaluates").remove(0);
            let input_bytes = 8 * n * read.len();
            group.throughput(Throughput::Bytes((input_bytes + 8 * out.len()) as u64));
            for (engine, config) in &engines {
                group.bench_function(BenchmarkId::new(*engine, n), |b| {
                    b.iter(|| compiled.eval_into(&named, &mut [(None, &mut out)], config).expect("evaluates"))
                });
            }
        }
        group.finish();
    }
}

/// Cached evaluations on 10 elements: what a call costs beyond the arithmetic
/// (issue #15's goals: under 0.5 µs for `a + b`, under 1 µs for the
/// 10-operation, 3-input expression), into a preallocated output and allocating
/// it, with the default configuration (all cores: n = 10 runs on the caller alone).
fn call_overhead(c: &mut Criterion) {
    let arrays = inputs(10);
    let named: Vec<(&str, &Array)> = arrays.iter().map(|(name, a)| (*name, a)).collect();
    let jit = EvalConfig::default();
    let interp = EvalConfig { engine: Engine::Interp, ..EvalConfig::default() };
    let mut group = c.benchmark_group("call-overhead/n=10");
    for (label, source) in [("add", "a + b"), ("ten-ops", "a*b + c*a - b/c + a*a - c + b*2.0 - a")] {
        let compiled = compile(source);
        let mut out = compiled.eval_with(&named, &[None], &jit).expect("evaluates").remove(0);
        group.bench_function(BenchmarkId::new("jit eval_into", label), |b| {
            b.iter(|| compiled.eval_into(black_box(&named), &mut [(None, &mut out)], &jit).expect("evaluates"))
        });
        group.bench_function(BenchmarkId::new("jit eval_with", label), |b| {
            b.iter(|| compiled.eval_with(black_box(&named), &[None], &jit).expect("evaluates"))
        });
        group.bench_function(BenchmarkId::new("interp eval_with", label), |b| {
            b.iter(|| compiled.eval_with(black_box(&named), &[None], &interp).expect("evaluates"))
        });
    }
    group.finish();
}

fn config() -> Criterion {
    // Large n takes 10-100 ms per evaluation: few samples keep the whole run to minutes.
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! { name = benches; config = config(); targets = evaluation, call_overhead }
criterion_main!(benches);
