//! Compile latency, cached-call overhead and throughput of the JIT, time per
//! chunk size (how `exec::DEFAULT_CHUNK` was chosen) and reduction throughput
//! (prints only; timings live here and in `benches/`, never in tests).
//!
//! `cargo run --release --example jit_timing`

use std::sync::Arc;
use std::time::Instant;

use jitexpr::{Array, DType, Engine, EvalConfig, Expr, KernelCache};

/// A 10-operation expression.
const TEN_OPS: &str = "sqrt(((a*b + c) * a - b / c) * 2 + a*a - b)";

fn per_call(reps: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / reps as f64
}

fn inputs(n: usize) -> Vec<(&'static str, Array)> {
    let arr = |k: f64| Array::from_vec((0..n).map(|i| 1.0 + k + (i % 1000) as f64 * 1e-3).collect::<Vec<_>>());
    vec![("a", arr(0.0)), ("b", arr(0.3)), ("c", arr(0.7))]
}

fn main() -> Result<(), jitexpr::Error> {
    let sig = [("a", DType::Float64), ("b", DType::Float64), ("c", DType::Float64)];
    let small = inputs(10);
    let small: Vec<(&str, &Array)> = small.iter().map(|(n, a)| (*n, a)).collect();

    let front = per_call(2000, || {
        Expr::parse(TEN_OPS).and_then(|e| e.compile(&sig)).map(drop).expect("valid expression");
    });
    let uncached = EvalConfig { threads: Some(1), cache: Some(Arc::new(KernelCache::new(0))), ..EvalConfig::default() };
    let compiled = Expr::parse(TEN_OPS)?.compile(&sig)?;
    let cold = per_call(300, || {
        compiled.eval_with(&small, &[None], &uncached).map(drop).expect("evaluates");
    });
    let warm = EvalConfig { threads: Some(1), ..EvalConfig::default() };
    compiled.eval_with(&small, &[None], &warm)?;
    let cached = per_call(200_000, || {
        compiled.eval_with(&small, &[None], &warm).map(drop).expect("evaluates");
    });
    let mut out = Array::zeros(DType::Float64, vec![10])?;
    let into = per_call(200_000, || {
        compiled.eval_into(&small, &mut [(None, &mut out)], &warm).expect("evaluates");
    });
    println!("10-op expression: {TEN_OPS}");
    println!("  parse + lower:                          {:8.1} us", front * 1e6);
    println!("  fuse + codegen + first call (n=10):     {:8.1} us", cold * 1e6);
    println!("  cached eval_with, n=10:                 {:8.0} ns", cached * 1e9);
    println!("  cached eval_into, n=10:                 {:8.0} ns", into * 1e9);

    for n in [1_000_000usize, 10_000_000] {
        let data = inputs(n);
        let ins: Vec<(&str, &Array)> = data.iter().map(|(n, a)| (*n, a)).collect();
        println!("n = {n}");
        for expr in ["a*b + c", TEN_OPS, "exp(-(a*a)/2) / sqrt(2*3.141592653589793)", "where(a > b, a - b, 0.0)"] {
            let c = Expr::parse(expr)?.compile(&sig)?;
            let configs = [
                ("interp", EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }),
                ("jit unfused", EvalConfig { fuse: false, ..EvalConfig::default() }),
                ("jit 1 thread", EvalConfig { threads: Some(1), ..EvalConfig::default() }),
                ("jit", EvalConfig::default()),
            ];
            let mut line = format!("  {expr:45}");
            for (label, config) in configs {
                if c.eval_with(&ins, &[None], &config).is_err() {
                    line.push_str(&format!(" {label} n/a  "));
                    continue;
                }
                let t = per_call(5, || {
                    c.eval_with(&ins, &[None], &config).map(drop).expect("evaluates");
                });
                line.push_str(&format!(" {label} {:7.2} ms", t * 1e3));
            }
            println!("{line}");
        }
    }
    chunk_sizes(&sig)?;
    reductions()
}

/// Time per evaluation of the 10-op expression for several chunk sizes (all cores).
fn chunk_sizes(sig: &[(&str, DType)]) -> Result<(), jitexpr::Error> {
    let c = Expr::parse(TEN_OPS)?.compile(sig)?;
    for n in [10_000usize, 100_000, 1_000_000] {
        let data = inputs(n);
        let ins: Vec<(&str, &Array)> = data.iter().map(|(n, a)| (*n, a)).collect();
        let mut out = Array::zeros(DType::Float64, vec![n])?;
        for chunk in [1 << 11, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 18, usize::MAX] {
            let config = EvalConfig { chunk: Some(chunk), ..EvalConfig::default() };
            let t = per_call(20_000_000 / n, || {
                c.eval_into(&ins, &mut [(None, &mut out)], &config).expect("evaluates");
            });
            println!("n={n:8} chunk={chunk:20} {:9.1} us", t * 1e6);
        }
    }
    Ok(())
}

/// `sum(a*b)` and friends on 1e7 float64 elements per engine configuration.
fn reductions() -> Result<(), jitexpr::Error> {
    let n = 10_000_000;
    let smooth = |i: usize| 1.0 + (((i * 7919) % 1013) as f64 - 506.0) * 1e-4 + 1e-3 / (i + 1) as f64;
    let a = Array::from_vec((0..n).map(smooth).collect::<Vec<f64>>());
    let b = Array::from_vec((0..n).map(|i| smooth(i + 1)).collect::<Vec<f64>>());
    let m = a.clone().reshape(vec![n / 1000, 1000])?;
    let sources = [
        "sum(a * b)",
        "sum(a)",
        "max(abs(a - b))",
        "e = exp(a - max(a)); e / sum(e)",
        "sum(m, axis=0)",
        "sum(m, axis=1)",
    ];
    for src in sources {
        let inputs = [("a", &a), ("b", &b), ("m", &m)];
        let used: Vec<(&str, &Array)> = inputs.iter().copied().filter(|(name, _)| src.contains(name)).collect();
        let sig: Vec<(&str, DType)> = used.iter().map(|(name, x)| (*name, x.dtype())).collect();
        let c = Expr::parse(src)?.compile(&sig)?;
        let configs = [
            ("interp", EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }),
            ("jit 1t", EvalConfig { threads: Some(1), ..EvalConfig::default() }),
            ("jit 2t", EvalConfig { threads: Some(2), ..EvalConfig::default() }),
            ("jit unfused 2t", EvalConfig { fuse: false, optimize: false, threads: Some(2), ..EvalConfig::default() }),
        ];
        for (label, config) in configs {
            c.eval_with(&used, &[None], &config)?;
            let t = per_call(5, || {
                std::hint::black_box(c.eval_with(&used, &[None], &config).expect("evaluates"));
            });
            println!("{src:34} {label:16} {:8.2} ms", t * 1e3);
        }
    }
    Ok(())
}
