//! The SIMD emitter (`codegen/simd.rs`) at both widths (AVX-512 and AVX2)
//! against Cranelift and the interpreter: every operation it covers, float64 and
//! float32, on special values (NaN, ±inf, ±0, subnormals), lengths around its
//! vector and unroll widths (so every masked and scalar tail length), misaligned
//! slices, 0-d (invariant) and bool inputs, bool outputs. On a CPU without
//! AVX-512 (or AVX2) that row runs the narrower code (or Cranelift) and the test
//! still holds.

use std::sync::Arc;

use jitexpr::{Array, Backend, DType, Engine, EvalConfig, Expr, KernelCache};

mod common;
use common::same_bits;

/// Expressions over float inputs `a`, `b`, `c`, bool input `m` and 0-d float `s`.
const EXPRS: &[&str] = &[
    "a*b+c",
    "a - b / c",
    "sqrt(a**2 + b**2 + c**2)",
    "sqrt(a)",
    "((a*b - 4.1*a) > 2.5*b) & (c < 0.5)",
    "(a < b) | (a <= c) ^ (b == c)",
    "(a > b) & ~(a >= c) | (b != c)",
    "where(a>b, a-b, 0.0)",
    "where(m, a, b*s)",
    "m & (a < s)",
    "2*a+3*b",
    "-a + abs(b) * s",
    "minimum(a, b) - maximum(c, a)",
    "maximum(a, 0.0) + minimum(-0.0, b)",
    "copysign(a, b) + floor(c) - ceil(a) * trunc(b) + rint(c)",
    "reciprocal(a) + a**2",
    "+a",
    "s * 2.0",
    // `fma` in each register situation of the emitter: every operand in memory,
    // the result in a factor's or the addend's register, an invariant factor,
    // one value as both factors, nested.
    "fma(a, b, c)",
    "fma(a*b, c, a)",
    "fma(s, a, b*c)",
    "fma(a, a*c, s)",
    "fma(a-b, a-b, c)",
    "fma(a, b, fma(c, s, -a))",
    // Integer powers inline (float64 3..=8 with a slow path for lanes outside
    // the special path's domain, float32 3 and 4), an invariant one, one
    // beside a fold, and the ones that stay with Cranelift.
    "a**3",
    "0.25*a**3 + 0.75*a**2 - 1.5*a - 2",
    "a**4 - b**5 * c**6",
    "(a**7 + b**8) / (c**3 - 1.0)",
    "s**3 + a**4",
    "where(m, a**3, b)",
    "a**9 + b**2.5 - c**-3",
    // Comparisons only a `where` reads (AVX-512 compares them into `k2` there):
    // mirrored, invariant, NaN-sensitive, nested; and a bool-valued `where`.
    "where(s < a, b, c)",
    "where(a != a, s, b) + where(a >= b, where(b < c, a, c), -b)",
    "where(a > b, a > c, m)",
    // More constants than the AVX-512 high bank holds; streams read many times.
    "a*1.5 + b*2.5 - c*3.5 + a*4.5 - b*5.5 + c*6.5 - a*7.5 + b*8.5 - c*9.5 + a*10.5 - b*11.5 + c*12.5 \
     - a*13.5 + b*14.5 - c*15.5 + a*16.5 - b*17.5 + c*18.5",
    "a*a + a*b - b/a + (a - b)*(b - a)",
];

/// Special values first, then ordinary ones: every lane position of a vector
/// meets each special value against each other one over the lengths below.
fn values(len: usize, seed: u64, dtype: DType) -> Array {
    // (1e30 and -3e-20 are outside `pow`'s special path: |x| > 2^60, < 2^-60.)
    let special =
        [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 5e-324, -1.5, 2.5, 1.0, -1.0, 0.5, 1e30, -3e-20];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let v: Vec<f64> = (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (i + seed as usize).is_multiple_of(3) {
                special[(x % special.len() as u64) as usize]
            } else {
                (x % 2001) as f64 / 400.0 - 2.5
            }
        })
        .collect();
    match dtype {
        DType::Float32 => Array::from_vec(v.iter().map(|&f| f as f32).collect()),
        _ => Array::from_vec(v),
    }
}

fn config(engine: Engine, backend: Backend, threads: usize) -> EvalConfig {
    EvalConfig {
        engine,
        threads: Some(threads),
        chunk: Some(64),
        cache: Some(Arc::new(KernelCache::with_backend(64, backend))),
        ..EvalConfig::default()
    }
}

#[test]
fn simd_emitter_matches_cranelift_and_the_interpreter_at_every_width() {
    let engines = [
        ("interp", config(Engine::Interp, Backend::Auto, 1)),
        ("auto-1t", config(Engine::Jit, Backend::Auto, 1)),
        ("auto-2t", config(Engine::Jit, Backend::Auto, 2)),
        ("avx512", config(Engine::Jit, Backend::Avx512, 1)),
        ("avx2", config(Engine::Jit, Backend::Avx2, 1)),
        ("cranelift", config(Engine::Jit, Backend::Cranelift, 1)),
    ];
    let mut failures = Vec::new();
    for dtype in [DType::Float64, DType::Float32] {
        for src in EXPRS {
            let expr = Expr::parse(src).expect("the expressions parse");
            let sig = [("a", dtype), ("b", dtype), ("c", dtype), ("m", DType::Bool), ("s", dtype)];
            let compiled = expr.compile(&sig).expect("the expressions type-check");
            for len in (0..=66).chain([95, 96, 97, 100, 127, 128, 129, 255, 256, 257]) {
                // Offset 1 misaligns every float row (slices of a longer array).
                for offset in [0, 1] {
                    let whole: Vec<Array> = (0..3).map(|k| values(len + offset, k, dtype)).collect();
                    let float: Vec<_> =
                        whole.iter().map(|w| w.view().slice(0, offset, offset + len, 1).expect("in bounds")).collect();
                    let m = Array::from_vec((0..len).map(|i| i % 3 != 1).collect::<Vec<bool>>());
                    let s = match dtype {
                        DType::Float32 => Array::scalar(jitexpr::Scalar::Float32(-0.75)),
                        _ => Array::scalar(jitexpr::Scalar::Float64(-0.75)),
                    };
                    let inputs = [
                        ("a", float[0].clone()),
                        ("b", float[1].clone()),
                        ("c", float[2].clone()),
                        ("m", m.view()),
                        ("s", s.view()),
                    ];
                    let results: Vec<Array> = engines
                        .iter()
                        .map(|(_, cfg)| compiled.eval_views_with(&inputs, &[None], cfg).expect("evaluates").remove(0))
                        .collect();
                    for ((name, _), got) in engines.iter().zip(&results).skip(1) {
                        if !same_bits(&results[0], got) {
                            failures.push(format!("{src} [{dtype}, {name}, len {len}, offset {offset}]"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(jitexpr::__private::simd_encode_bugs(), 0, "the emitter built code iced cannot encode");
}

/// Finite values of magnitudes 1e-3 to 1e3, so that every change in the order
/// of a sum changes its bits (special values would make most sums NaN).
fn finite(len: usize, seed: u64, dtype: DType) -> Array {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let v: Vec<f64> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 2001) as f64 / 400.0 - 2.5) * 10f64.powi((x >> 20) as i32 % 7 - 3)
        })
        .collect();
    match dtype {
        DType::Float32 => Array::from_vec(v.iter().map(|&f| f as f32).collect()),
        _ => Array::from_vec(v),
    }
}

/// Programs whose reductions the emitter folds (float sums, means, products;
/// several in one loop; stored roots beside them), and some it declines.
const FOLDS: &[&str] = &[
    "sum(a*b)",
    "mean(a)",
    "sum(a) + mean(b*c)",
    "prod(a*0.01 + 1.0)",
    "sum(where(m, a, b*s))",
    "mean(sqrt(abs(a)) - c)",
    "sum(a*0.0 + s)",
    "sum(a*b, axis=1)",
    "mean(a - c, axis=-1) * prod(b, axis=1)",
    "sum(a*b, axis=0)",
    "e = a*b + c; sum(e) + prod(e*0.125)",
    "max(a*b)",
    "sum(m & (a < b))",
    "sum(a**3) + mean(b**4)",
];

/// Folded reductions on every backend against Cranelift's kernel, bit for bit
/// (the interpreter sums in NumPy's order; `tests/reduce.rs` compares with
/// it): lengths around the 8 slots, the 128-element blocks and the 2 and 4
/// interleaved blocks; chunks that split lanes between calls and threads; and
/// sliced matrices reduced whole or per row, where every row is one call
/// starting anywhere inside a block (any phase, not only multiples of 8).
#[test]
fn folded_reductions_match_cranelift_at_every_width() {
    let with_chunk = |backend, threads, chunk| EvalConfig { chunk, ..config(Engine::Jit, backend, threads) };
    let engines = [
        ("cranelift", with_chunk(Backend::Cranelift, 1, Some(64))),
        ("avx512", with_chunk(Backend::Avx512, 1, Some(64))),
        ("avx2", with_chunk(Backend::Avx2, 1, Some(64))),
        ("avx2-2t", with_chunk(Backend::Avx2, 2, Some(64))),
        ("avx512-chunk-1000", with_chunk(Backend::Avx512, 1, Some(1000))),
        ("avx2-default-chunk", with_chunk(Backend::Avx2, 2, None)),
        ("cranelift-default-chunk", with_chunk(Backend::Cranelift, 2, None)),
    ];
    let lengths = [0, 1, 2, 7, 8, 9, 15, 17, 127, 128, 129, 255, 256, 257, 383, 385, 511, 512, 513, 1000, 1029, 2053];
    let matrices = [(5, 1), (4, 3), (3, 13), (6, 100), (2, 130), (3, 300)];
    let mut failures = Vec::new();
    for dtype in [DType::Float64, DType::Float32] {
        for src in FOLDS {
            let expr = Expr::parse(src).expect("the programs parse");
            let sig = [("a", dtype), ("b", dtype), ("c", dtype), ("m", DType::Bool), ("s", dtype)];
            let compiled = expr.compile(&sig).expect("the programs type-check");
            let outputs: &[Option<&str>] = if src.starts_with("e =") { &[None, Some("e")] } else { &[None] };
            let s = match dtype {
                DType::Float32 => Array::scalar(jitexpr::Scalar::Float32(-0.75)),
                _ => Array::scalar(jitexpr::Scalar::Float64(-0.75)),
            };
            // (name, [rows, cols + 1] arrays sliced to `cols` columns: rows
            // are not contiguous with each other, so each row is one call).
            let shapes = lengths.iter().map(|&n| (1, n)).chain(matrices);
            for (rows, cols) in shapes {
                let whole: Vec<Array> = (0..3)
                    .map(|k| finite(rows * (cols + 1), k, dtype).reshape(vec![rows, cols + 1]).expect("reshapes"))
                    .collect();
                let mask: Vec<bool> = (0..rows * (cols + 1)).map(|i| i % 3 != 1).collect();
                let m = Array::from_vec(mask).reshape(vec![rows, cols + 1]).expect("reshapes");
                let sliced: Vec<_> =
                    whole.iter().chain([&m]).map(|w| w.view().slice(1, 0, cols, 1).expect("in bounds")).collect();
                let inputs = [
                    ("a", sliced[0].clone()),
                    ("b", sliced[1].clone()),
                    ("c", sliced[2].clone()),
                    ("m", sliced[3].clone()),
                    ("s", s.view()),
                ];
                // (`max` of nothing is an error on every engine alike.)
                let results: Vec<Vec<Array>> = engines
                    .iter()
                    .map(|(_, cfg)| compiled.eval_views_with(&inputs, outputs, cfg).unwrap_or_default())
                    .collect();
                for ((name, _), got) in engines.iter().zip(&results).skip(1) {
                    let agree = results[0].len() == got.len();
                    if !agree || !results[0].iter().zip(got).all(|(w, g)| same_bits(w, g)) {
                        failures.push(format!("{src} [{dtype}, {name}, {rows}x{cols}]"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(jitexpr::__private::simd_encode_bugs(), 0, "the emitter built code iced cannot encode");
}

/// Outputs of at least 2 MiB are written by the emitter's streaming variant
/// when the stage's data exceeds the last-level cache, here taken to be 1 MiB
/// (non-temporal stores when the output starts on a vector boundary, ordinary
/// ones otherwise): the same bits as the interpreter, into outputs at every
/// skew within a cache line, on 1 and 2 threads; and with rows of 999 elements
/// (an input broadcast along the outer axis), whose calls start at every skew
/// and take both branches of the streaming kernel.
#[test]
fn large_outputs_stream_with_the_same_bits() {
    // Other tests running meanwhile may stream too: it never changes results.
    jitexpr::__private::set_llc_bytes(1 << 20);
    let engines = [
        ("auto-1t", config(Engine::Jit, Backend::Auto, 1)),
        ("auto-2t", EvalConfig { chunk: None, ..config(Engine::Jit, Backend::Auto, 2) }),
        ("avx2", EvalConfig { chunk: None, ..config(Engine::Jit, Backend::Avx2, 1) }),
    ];
    let interp = config(Engine::Interp, Backend::Auto, 1);
    let mut failures = Vec::new();
    for dtype in [DType::Float64, DType::Float32] {
        let len = (4 << 20) / dtype.size() + 37;
        for src in ["a*b+c", "sqrt(a**2 + b**2 + c**2)", "where(a>b, a-b, 0.0)", "fma(a, b, c) / s"] {
            let sig = [("a", dtype), ("b", dtype), ("c", dtype), ("s", dtype)];
            let compiled = Expr::parse(src).expect("parses").compile(&sig).expect("type-checks");
            let whole: Vec<Array> = (0..3).map(|k| values(len + 1, k, dtype)).collect();
            let s = match dtype {
                DType::Float32 => Array::scalar(jitexpr::Scalar::Float32(-0.75)),
                _ => Array::scalar(jitexpr::Scalar::Float64(-0.75)),
            };
            // Flat: inputs at skew 0 and one element, outputs at every skew.
            for input_skew in [0, 1] {
                let v: Vec<_> = whole
                    .iter()
                    .map(|w| w.view().slice(0, input_skew, input_skew + len, 1).expect("in bounds"))
                    .collect();
                let inputs = [("a", v[0].clone()), ("b", v[1].clone()), ("c", v[2].clone()), ("s", s.view())];
                let want = compiled.eval_views_with(&inputs, &[None], &interp).expect("evaluates").remove(0);
                for (name, cfg) in &engines {
                    for out_skew in 0..64 / dtype.size() {
                        let got = into_skewed(&compiled, &inputs, dtype, len, out_skew, cfg);
                        if !same_bits(&want, &got) {
                            failures.push(format!("{src} [{dtype}, {name}, inputs +{input_skew}, output +{out_skew}]"));
                        }
                    }
                }
            }
            // Rows of 999: `b` broadcast along the outer axis.
            let rows = len / 999;
            let a = whole[0].view().slice(0, 0, rows * 999, 1).expect("in bounds").to_array();
            let a = Array::new(a.data().clone(), vec![rows, 999]).expect("reshapes");
            let b = whole[1].view().slice(0, 0, 999, 1).expect("in bounds");
            let c = whole[2].view().slice(0, 0, 999, 1).expect("in bounds");
            let inputs = [("a", a.view()), ("b", b), ("c", c), ("s", s.view())];
            let want = compiled.eval_views_with(&inputs, &[None], &interp).expect("evaluates").remove(0);
            for (name, cfg) in &engines {
                let got = compiled.eval_views_with(&inputs, &[None], cfg).expect("evaluates").remove(0);
                if !same_bits(&want, &got) {
                    failures.push(format!("{src} [{dtype}, {name}, rows of 999]"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(jitexpr::__private::simd_encode_bugs(), 0, "the emitter built code iced cannot encode");
}

/// `compiled` on `inputs` into an output `skew` elements past a 64-byte
/// boundary.
fn into_skewed(
    compiled: &jitexpr::Compiled,
    inputs: &[(&str, jitexpr::ArrayView<'_>)],
    dtype: DType,
    len: usize,
    skew: usize,
    cfg: &EvalConfig,
) -> Array {
    fn run<T: jitexpr::Element + Default + Clone>(
        compiled: &jitexpr::Compiled,
        inputs: &[(&str, jitexpr::ArrayView<'_>)],
        len: usize,
        skew: usize,
        cfg: &EvalConfig,
    ) -> Array {
        let size = std::mem::size_of::<T>();
        let mut buf = vec![T::default(); len + 64];
        let first = (0..64 / size).find(|&k| (buf.as_ptr() as usize + k * size).is_multiple_of(64)).expect("aligned");
        let out = &mut buf[first + skew..first + skew + len];
        let view = jitexpr::ArrayViewMut::new(out, &[len]).expect("one dimension");
        compiled.eval_views_into(inputs, &mut [(None, view)], cfg).expect("evaluates");
        Array::from_vec(out.to_vec())
    }
    match dtype {
        DType::Float32 => run::<f32>(compiled, inputs, len, skew, cfg),
        _ => run::<f64>(compiled, inputs, len, skew, cfg),
    }
}

/// The inline powers' slow path (lanes outside pow's special domain call the
/// pow block kernel from a stub that saves every register) inside folded
/// reductions, whose accumulators live in registers the stub must keep, and
/// for an invariant base computed before the loops: every backend gives the
/// same bits (and the interpreter's for the elementwise program).
#[test]
fn inline_powers_slow_path_keeps_folds_and_invariants() {
    let backends = [Backend::Cranelift, Backend::Avx512, Backend::Avx2];
    let n = 1031;
    // Half the lanes outside 2^-60..2^60 (huge, tiny, zero), half inside.
    let a: Vec<f64> = (0..n)
        .map(|i| match i % 4 {
            0 => 1e25 * (i as f64 - 500.0),
            1 => 1e-25 * (i as f64 - 500.0),
            2 => 0.0,
            _ => (i as f64 - 500.0) / 97.0,
        })
        .collect();
    let a = Array::from_vec(a);
    let sig = [("a", DType::Float64), ("s", DType::Float64)];
    for src in ["sum(a**3) + mean(a**4) * prod(a**5 * 1e-300)", "s**3 + a**7", "sum(s**5 + a**3)"] {
        let compiled = Expr::parse(src).expect("parses").compile(&sig).expect("type-checks");
        for s in [0.0, 1e30, -2.5, f64::NAN, f64::INFINITY, 3e-19] {
            let s = Array::scalar(jitexpr::Scalar::Float64(s));
            let inputs = [("a", a.view()), ("s", s.view())];
            let run = |backend| {
                let cfg = config(Engine::Jit, backend, 1);
                compiled.eval_views_with(&inputs, &[None], &cfg).expect("evaluates").remove(0)
            };
            let want = run(Backend::Cranelift);
            for backend in backends {
                assert!(same_bits(&want, &run(backend)), "{src} [{backend:?}]");
            }
            if !src.contains("sum") {
                let interp = compiled.eval_views_with(&inputs, &[None], &config(Engine::Interp, Backend::Auto, 1));
                assert!(same_bits(&want, &interp.expect("evaluates").remove(0)), "{src} [interp]");
            }
        }
    }
}
