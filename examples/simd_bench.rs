//! The issue-5 benchmark set: ns per element of the JIT (1 and 2 threads) and the
//! interpreter, float64 inputs uniform in [0.1, 1.1), into a preallocated output.
//! Prints only (no assertions); compare with `tools/simd_bench.py` (NumPy, numexpr).
//!
//! `cargo run --release --example simd_bench -- [N] [EXPR...]`

use std::time::Instant;

use jitexpr::{Array, DType, Engine, EvalConfig, Expr};

const SET: [&str; 16] = [
    "a + b",
    "2*a + 3*b",
    "a*b + c",
    "0.25*a**3 + 0.75*a**2 - 1.5*a - 2",
    "sin(a)**2 + cos(b)**2",
    "exp(-(a*a)/2)/sqrt(2*3.141592653589793)",
    "sqrt(a**2 + b**2 + c**2)",
    "where(a > b, a - b, 0.0)",
    "log(1 + exp(a))",
    "tanh(a)",
    "a**2.5",
    "exp(a)",
    "log(a)",
    "sin(a)",
    "cos(a)",
    "tanh(a) + 0",
];

/// Uniform in [0.1, 1.1) from a fixed-seed xorshift.
fn uniform(n: usize, seed: u64) -> Array {
    let mut s = seed | 1;
    let v = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            0.1 + (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect::<Vec<f64>>();
    Array::from_vec(v)
}

/// Best of `reps` runs, in ns per element.
fn best(n: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
        * 1e9
        / n as f64
}

fn main() -> Result<(), jitexpr::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse::<f64>().ok()).map_or(1_000_000, |v| v as usize);
    let exprs: Vec<&str> = if args.len() > 1 { args[1..].iter().map(|s| s.as_str()).collect() } else { SET.to_vec() };
    let reps = (2e8 as usize / n).clamp(3, 50);
    let (a, b, c) = (uniform(n, 1), uniform(n, 2), uniform(n, 3));
    let inputs = [("a", &a), ("b", &b), ("c", &c)];
    let sig = [("a", DType::Float64), ("b", DType::Float64), ("c", DType::Float64)];
    println!("n = {n}; ns per element (best of {reps}): jit-1t jit-2t interp");
    for e in exprs {
        let compiled = Expr::parse(e)?.compile(&sig)?;
        let mut out = match compiled.output_dtype(None) {
            Some(DType::Bool) => Array::from_vec(vec![false; n]),
            _ => Array::from_vec(vec![0.0f64; n]),
        };
        let mut time = |config: EvalConfig| {
            best(n, reps, || compiled.eval_into(&inputs, &mut [(None, &mut out)], &config).expect("evaluates"))
        };
        let jit1 = time(EvalConfig { threads: Some(1), ..EvalConfig::default() });
        let jit2 = time(EvalConfig { threads: Some(2), ..EvalConfig::default() });
        let interp = time(EvalConfig { engine: Engine::Interp, ..EvalConfig::default() });
        println!("{e:45} {jit1:7.3} {jit2:7.3} {interp:7.3}");
    }
    Ok(())
}
