//! `pow`'s special path (`x ** c` for a constant `c = ±(n + half/2)`, see the
//! module docs of `vmath::pow`): every special exponent, float64 and float32,
//! through the interpreter and the JIT (default and Cranelift backends, fused
//! and unfused, 1 and 2 threads, contiguous and strided inputs, lengths around
//! the vector widths and the block length) on values inside its domain, at its
//! edges and outside it, alone and inside fused expressions; every engine must
//! give the interpreter's bits. (The JIT reaches the path through vmath's block
//! kernel, which takes it only for blocks entirely in the domain.)

use std::sync::Arc;

use jitexpr::{Array, ArrayView, Backend, DType, Engine, EvalConfig, Expr, KernelCache};

mod common;
use common::same_bits;

/// Every special exponent: `k/2` for `1 <= |k| <= 17`, except `2`, `-1` and
/// `0.5` (one correctly rounded operation each, lowered elsewhere).
fn exponents() -> Vec<f64> {
    (1..=17).flat_map(|k| [k as f64 / 2.0, -(k as f64) / 2.0]).filter(|&y| y != 2.0 && y != -1.0 && y != 0.5).collect()
}

/// Values log-uniform over the domain `2^±60` (positive for `every == 0`, else
/// of both signs), every `every`-th one from the edges and outside of it.
fn values(len: usize, seed: u64, every: usize) -> Vec<f64> {
    let edges = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5e-324,
        2f64.powi(-60),
        2f64.powi(60),
        -(2f64.powi(60)),
        f64::from_bits(2f64.powi(-60).to_bits() - 1),
        f64::from_bits(2f64.powi(60).to_bits() + 1),
        2f64.powi(-61),
        -(2f64.powi(61)),
        1e300,
        -1.5,
        1.0,
        -1.0,
    ];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if every > 0 && (i + seed as usize).is_multiple_of(every) {
                edges[(x % edges.len() as u64) as usize]
            } else {
                // Mostly near 1 (the benchmarks' range), some anywhere in the domain.
                let t = (x >> 11) as f64 / (1u64 << 53) as f64;
                let e = if x & 4 == 0 { 4.0 * t - 2.0 } else { 120.0 * t - 60.0 };
                let v = e.exp2();
                // Without edges, positive only: every vector in the domain of every
                // exponent, halves included (negative `x` is outside theirs).
                if x & 2 == 0 || every == 0 {
                    v
                } else {
                    -v
                }
            }
        })
        .collect()
}

fn array(v: &[f64], dtype: DType) -> Array {
    match dtype {
        DType::Float32 => Array::from_vec(v.iter().map(|&f| f as f32).collect()),
        _ => Array::from_vec(v.to_vec()),
    }
}

fn config(engine: Engine, backend: Backend, threads: usize, fuse: bool) -> EvalConfig {
    EvalConfig {
        engine,
        threads: Some(threads),
        chunk: Some(64),
        fuse,
        cache: Some(Arc::new(KernelCache::with_backend(256, backend))),
        ..EvalConfig::default()
    }
}

fn engines() -> Vec<(&'static str, EvalConfig)> {
    vec![
        ("interp", config(Engine::Interp, Backend::Auto, 1, true)),
        ("jit", config(Engine::Jit, Backend::Auto, 1, true)),
        ("jit-2t", config(Engine::Jit, Backend::Auto, 2, true)),
        ("cranelift", config(Engine::Jit, Backend::Cranelift, 1, true)),
        ("unfused", config(Engine::Jit, Backend::Auto, 1, false)),
    ]
}

/// Evaluate `src` over `a` (and `b`) on every engine; describe each disagreement
/// with the interpreter.
fn check(src: &str, dtype: DType, inputs: &[(&str, ArrayView<'_>)], what: &str, failures: &mut Vec<String>) {
    let expr = Expr::parse(src).expect("the expressions parse");
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, _)| (*n, dtype)).collect();
    let compiled = expr.compile(&sig).expect("the expressions type-check");
    let engines = engines();
    let results: Vec<Array> = engines
        .iter()
        .map(|(_, cfg)| compiled.eval_views_with(inputs, &[None], cfg).expect("evaluates").remove(0))
        .collect();
    for ((name, _), got) in engines.iter().zip(&results).skip(1) {
        if !same_bits(&results[0], got) {
            failures.push(format!("{src} [{dtype}, {name}, {what}]"));
        }
    }
}

#[test]
fn every_special_exponent_matches_the_interpreter() {
    let mut failures = Vec::new();
    for dtype in [DType::Float64, DType::Float32] {
        for y in exponents() {
            let src = format!("a**({y:?})");
            for len in [1, 2, 3, 4, 5, 7, 8, 9, 17, 100, 600, 1500] {
                for every in [0, 3, 41] {
                    let whole = array(&values(2 * len + 1, len as u64 + every as u64, every), dtype);
                    let contiguous = whole.view().slice(0, 1, len + 1, 1).expect("in bounds");
                    check(&src, dtype, &[("a", contiguous)], &format!("len {len}, edges every {every}"), &mut failures);
                    let strided = whole.view().slice(0, 0, 2 * len, 2).expect("in bounds");
                    check(
                        &src,
                        dtype,
                        &[("a", strided)],
                        &format!("len {len} strided, edges every {every}"),
                        &mut failures,
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn powers_in_fused_expressions_match_the_interpreter() {
    // Beside other arithmetic, after a block call (a later phase), twice with one base.
    let exprs = [
        "0.25*a**3 + 0.75*a**2 - 1.5*a - 2",
        "a**3 - b**-1.5",
        "exp(a)**2.5 + b",
        "sqrt(a**-2 + b**4) * a**7.5",
        "where(a > b, a**5, b**-3)",
        "(a - b)**8.5 + (a + b)**-8.5",
    ];
    let mut failures = Vec::new();
    for dtype in [DType::Float64, DType::Float32] {
        for src in exprs {
            for len in [1, 3, 4, 9, 33, 515, 1100] {
                for every in [0, 7] {
                    let a = array(&values(len, 1 + len as u64, every), dtype);
                    let b = array(&values(len, 2 + len as u64, every), dtype);
                    let what = format!("len {len}, edges every {every}");
                    check(src, dtype, &[("a", a.view()), ("b", b.view())], &what, &mut failures);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}
