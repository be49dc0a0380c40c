//! Compile latency per stage (parse, lower, optimize, fuse, codegen) and end to end
//! (source text to a first result on a cold kernel cache).
//!
//! `cargo bench --bench compile`; filter with e.g. `cargo bench --bench compile -- codegen`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
// The stages one at a time are not public API: `__private` is a hidden escape
// hatch for this bench (ARCHITECTURE.md, "Public surface").
use jitexpr::__private as stage;
use jitexpr::{bench, Array, DType, EvalConfig, Expr, KernelCache};

/// Small, medium and large programs (operations: 2, 10, 30).
const PROGRAMS: [(&str, &str); 3] = [
    ("2-ops", "a*b + c"),
    ("10-ops", "sqrt(((a*b + c) * a - b / c) * 2 + a*a - b)"),
    (
        "30-ops",
        "x = sin(a)**2 + cos(b)**2; y = exp(-(a*a)/2) / sqrt(2*pi) + where(a > b, a - b, 0.0); \
         z = log(1 + exp(c)) * tanh(a) - 0.25*a**3 + 0.75*a**2 - 1.5*a - 2; x * y + z / (x + 1)",
    ),
];

fn signature() -> Vec<(String, DType)> {
    ["a", "b", "c"].iter().map(|n| (n.to_string(), DType::Float64)).collect()
}

fn plan(ast: &stage::Ast) -> (stage::Program, stage::Plan) {
    let program = stage::lower(ast, &signature()).expect("lowers");
    let plan = stage::fuse(&program);
    (program, plan)
}

fn stages(c: &mut Criterion) {
    let sig = signature();
    for (label, source) in PROGRAMS {
        let mut group = c.benchmark_group(format!("compile/{label}"));
        let ast = stage::parse(source).expect("parses");
        let (program, plan) = plan(&ast);
        group.bench_function("parse", |b| b.iter(|| stage::parse(black_box(source))));
        group.bench_function("lower", |b| b.iter(|| stage::lower(black_box(&ast), &sig)));
        group.bench_function("optimize", |b| b.iter(|| stage::optimize(black_box(&program))));
        group.bench_function("fuse", |b| b.iter(|| stage::fuse(black_box(&program))));
        group.bench_function("codegen", |b| b.iter(|| stage::codegen(black_box(&plan)).expect("compiles")));
        group.finish();
    }
}

/// Source text to a first result on 16 elements, with a cold cache every time.
fn end_to_end(c: &mut Criterion) {
    let inputs: Vec<(&str, Array)> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(k, n)| (*n, bench::random_array(DType::Float64, 16, k as u64).expect("16 elements fit")))
        .collect();
    let named: Vec<(&str, &Array)> = inputs.iter().map(|(n, a)| (*n, a)).collect();
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, _)| (*n, DType::Float64)).collect();
    let mut group = c.benchmark_group("compile/end-to-end");
    for (label, source) in PROGRAMS {
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                let config = EvalConfig {
                    threads: Some(1),
                    cache: Some(Arc::new(KernelCache::new(16))),
                    ..EvalConfig::default()
                };
                let compiled = Expr::parse(source).and_then(|e| e.compile(&sig)).expect("compiles");
                compiled.eval_with(&named, &[None], &config).expect("evaluates")
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! { name = benches; config = config(); targets = stages, end_to_end }
criterion_main!(benches);
