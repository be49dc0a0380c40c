//! Reductions on the JIT: every reduction, dtype and axis form against the
//! interpreter on awkward lengths; determinism across threads and chunk sizes;
//! accuracy of float sums; reductions fused with elementwise work.

use jitexpr::{Array, DType, Data, Engine, Error, EvalConfig, Expr, Scalar};

mod common;
use common::same_bits;

/// Elements per parallel task in most tests: small, so that even short lanes
/// are split over many tasks.
const CHUNK: usize = 64;

fn interp() -> EvalConfig {
    EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }
}

/// The JIT, fused and optimized (what users run) or unfused without the
/// optimizer (raw code generation).
fn jit(fuse: bool, threads: usize, chunk: Option<usize>) -> EvalConfig {
    EvalConfig { engine: Engine::Jit, fuse, optimize: fuse, threads: Some(threads), chunk, ..EvalConfig::default() }
}

/// The JIT configurations every case runs on.
fn jit_configs(chunk: Option<usize>) -> Vec<EvalConfig> {
    let mut v = Vec::new();
    for fuse in [true, false] {
        for threads in [1, 4] {
            v.push(jit(fuse, threads, chunk));
        }
    }
    v
}

fn eval(
    src: &str,
    inputs: &[(&str, &Array)],
    outputs: &[Option<&str>],
    config: &EvalConfig,
) -> Result<Vec<Array>, Error> {
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (*n, a.dtype())).collect();
    Expr::parse(src)?.compile(&sig)?.eval_with(inputs, outputs, config)
}

fn as_f64(s: Scalar) -> f64 {
    match s {
        Scalar::Bool(v) => f64::from(u8::from(v)),
        Scalar::Int32(v) => f64::from(v),
        Scalar::Int64(v) => v as f64,
        Scalar::Float32(v) => f64::from(v),
        Scalar::Float64(v) => v,
    }
}

/// Float results of a reordered sum: within `rtol * (|x| + scale)`, where
/// `scale` bounds the magnitude of what was summed.
fn close(a: &Array, b: &Array, scale: f64) -> bool {
    let rtol = if a.dtype() == DType::Float32 { 1e-5 } else { 1e-13 };
    a.shape() == b.shape()
        && a.dtype() == b.dtype()
        && (0..a.len()).all(|i| {
            let (x, y) = (as_f64(a.get(i)), as_f64(b.get(i)));
            (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= rtol * (x.abs().max(y.abs()) + scale)
        })
}

fn magnitude(inputs: &[(&str, &Array)]) -> f64 {
    inputs.iter().flat_map(|(_, a)| (0..a.len()).map(|i| as_f64(a.get(i)).abs())).filter(|v| v.is_finite()).sum()
}

/// Run `src` on the interpreter and every JIT configuration: the JIT runs agree
/// bit for bit with each other, and with the interpreter unless `reordered`
/// (float sum, mean, prod), then within [`close`]. Errors must match exactly.
/// Returns the interpreter's outcome.
fn check(src: &str, inputs: &[(&str, &Array)], reordered: bool, chunk: Option<usize>) -> Result<Vec<Array>, Error> {
    let want = eval(src, inputs, &[None], &interp());
    let mut first: Option<Vec<Array>> = None;
    for config in jit_configs(chunk) {
        let got = eval(src, inputs, &[None], &config);
        let what =
            format!("`{src}` (fuse {}, threads {:?}, chunk {chunk:?}) on {inputs:?}", config.fuse, config.threads);
        match (&want, &got) {
            (Ok(w), Ok(g)) => {
                let agree = if reordered { close(&w[0], &g[0], magnitude(inputs)) } else { same_bits(&w[0], &g[0]) };
                assert!(agree, "{what}\ninterp: {:?}\njit:    {:?}", w[0], g[0]);
                let f = first.get_or_insert_with(|| g.clone());
                assert!(same_bits(&f[0], &g[0]), "{what}: JIT configurations disagree\n{:?}\n{:?}", f[0], g[0]);
            }
            (Err(w), Err(g)) => {
                assert_eq!((w.kind, &w.message, w.span), (g.kind, &g.message, g.span), "{what}");
            }
            _ => panic!("{what}: engines disagree\ninterp: {want:?}\njit:    {got:?}"),
        }
    }
    want
}

/// Values whose float sums round (so reordering shows), all near 1 so that
/// products neither overflow nor vanish.
fn smooth(i: usize) -> f64 {
    1.0 + (((i * 7919) % 1013) as f64 - 506.0) * 1e-4 + 1e-3 / (i + 1) as f64
}

/// Values of many magnitudes, whose sums depend on the order of additions even
/// for a handful of them.
fn rough(i: usize) -> f64 {
    (((i * 7919) % 1013) as f64 * 0.37 - 150.3 + 1.0 / (i + 1) as f64) * 10f64.powi((i % 7) as i32 - 3)
}

/// Special values: NaN, both zeros, infinities.
const SPECIALS: [f64; 12] =
    [0.0, -0.0, 1.5, -2.5, f64::NAN, 7.0, -0.0, 0.0, f64::INFINITY, 3.25, f64::NEG_INFINITY, -7.0];

fn array(dtype: DType, shape: &[usize], special: bool) -> Array {
    let n: usize = shape.iter().product();
    let f = |i: usize| if special { SPECIALS[(i * 5 + i / 7) % SPECIALS.len()] } else { smooth(i) };
    let ints = |i: usize| [3i64, -1, 2, i64::MAX, 7, i64::MIN, -2, 0, 1, 5][(i * 3 + i / 11) % 10];
    let data = match dtype {
        DType::Bool => Data::Bool((0..n).map(|i| (i * 7 + i / 5) % 3 != 0 || special && i % 2 == 0).collect()),
        DType::Int32 => Data::Int32((0..n).map(|i| ints(i) as i32).collect()),
        DType::Int64 => Data::Int64((0..n).map(ints).collect()),
        DType::Float32 => Data::Float32((0..n).map(|i| f(i) as f32).collect()),
        DType::Float64 => Data::Float64((0..n).map(f).collect()),
    };
    Array::new(data, shape.to_vec()).unwrap()
}

/// Every spelling of the axes a reduction of a rank-`rank` array can take.
fn axis_forms(op: &str, rank: usize) -> Vec<String> {
    let mut v = vec![format!("{op}(a)")];
    for k in 0..rank as i64 {
        v.push(format!("{op}(a, axis={k})"));
        v.push(format!("{op}(a, {})", k - rank as i64));
    }
    v
}

const OPS: [&str; 7] = ["sum", "prod", "min", "max", "mean", "any", "all"];

fn reordered(op: &str, dtype: DType) -> bool {
    // Float accumulators: float inputs, and the mean of anything.
    matches!(op, "sum" | "prod" | "mean") && (dtype.is_float() || op == "mean")
}

#[test]
fn every_reduction_dtype_and_axis_form_matches_interp() {
    let shapes: [&[usize]; 9] =
        [&[], &[0], &[1], &[CHUNK - 1], &[3 * CHUNK + 7], &[CHUNK + 1, 3], &[3, CHUNK + 1], &[0, 4], &[2, 129, 3]];
    for op in OPS {
        for dtype in DType::ALL {
            for shape in shapes {
                for special in [false, true] {
                    let a = array(dtype, shape, special);
                    for src in axis_forms(op, shape.len()) {
                        let _ = check(&src, &[("a", &a)], reordered(op, dtype), Some(CHUNK));
                    }
                }
            }
        }
    }
}

/// Lengths around the default chunk and the block of 128, through the default
/// chunk size.
#[test]
fn awkward_lengths_around_chunks_and_blocks_match_interp() {
    let chunk = jitexpr::DEFAULT_CHUNK;
    for n in [127, 128, 129, 1000, chunk - 1, chunk, chunk + 1, 3 * chunk + 7] {
        for dtype in [DType::Float64, DType::Float32, DType::Int64] {
            let a = array(dtype, &[n], true);
            for op in ["sum", "max", "min", "mean"] {
                check(&format!("{op}(a)"), &[("a", &a)], reordered(op, dtype), None).unwrap();
            }
        }
        let a = array(DType::Float64, &[n], false);
        check("sum(a * a - 1)", &[("a", &a)], true, None).unwrap();
    }
}

#[test]
fn empty_min_and_max_fail_like_the_interpreter() {
    for shape in [&[0usize][..], &[0, 3], &[3, 0]] {
        let a = array(DType::Float64, shape, false);
        let err = check("max(a)", &[("a", &a)], false, Some(CHUNK)).unwrap_err();
        assert!(err.message.contains("zero-size array"), "{err}");
    }
    // An empty kept axis is fine: nothing to reduce into.
    let a = array(DType::Float64, &[0, 3], false);
    let ok = check("min(a, axis=1)", &[("a", &a)], false, Some(CHUNK)).unwrap();
    assert_eq!(ok[0].shape(), &[0]);
    let means = check("mean(a, axis=0)", &[("a", &a)], true, Some(CHUNK)).unwrap();
    assert!(means[0].as_slice::<f64>().unwrap().iter().all(|v| v.is_nan()));
}

/// min/max keep the interpreter's element order: NaN anywhere wins, and among
/// tied zeros the last one (its sign) is the result.
#[test]
fn min_max_ties_and_nan_are_bit_identical() {
    for (data, want_max) in [
        (vec![0.0, -0.0], -0.0),
        (vec![-0.0, 0.0], 0.0),
        (vec![-1.0, 0.0, -0.0, -3.0], -0.0),
        (vec![1.0, f64::NAN, 2.0], f64::NAN),
    ] {
        let mut long: Vec<f64> = vec![-5.0; 300];
        long.extend(&data);
        for values in [data.clone(), long] {
            let a = Array::from_vec(values);
            let got = check("max(a)", &[("a", &a)], false, Some(7)).unwrap();
            let got = got[0].as_slice::<f64>().unwrap()[0];
            assert!(got.to_bits() == want_max.to_bits() || got.is_nan() && want_max.is_nan(), "{got} vs {want_max}");
            check("min(-a)", &[("a", &a)], false, Some(7)).unwrap();
        }
    }
}

/// The JIT's float sums give the same bits for any thread count and any chunk
/// size (the partition into blocks is fixed by the shape).
#[test]
fn float_sums_are_identical_for_any_threads_and_chunk() {
    let a = Array::from_vec((0..100_003).map(rough).collect::<Vec<f64>>());
    let b = Array::new(Data::Float32((0..301 * 333).map(|i| rough(i) as f32).collect()), vec![301, 333]).unwrap();
    let cases: [(&str, &Array); 5] =
        [("sum(a)", &a), ("sum(a * a)", &a), ("mean(a)", &a), ("sum(a, axis=0)", &b), ("sum(a * 2, axis=-1)", &b)];
    for (src, input) in cases {
        let reference = eval(src, &[("a", input)], &[None], &jit(true, 1, None)).unwrap();
        for threads in [1, 2, 3, 4, 7] {
            for chunk in [None, Some(1), Some(100), Some(4096)] {
                for fuse in [true, false] {
                    let got = eval(src, &[("a", input)], &[None], &jit(fuse, threads, chunk)).unwrap();
                    assert!(
                        same_bits(&reference[0], &got[0]),
                        "{src}: threads {threads}, chunk {chunk:?}, fuse {fuse}"
                    );
                }
            }
        }
    }
}

/// NumPy's pairwise summation sums 2e7 float32 ones exactly; a naive loop
/// stops at 2^24.
#[test]
fn float32_sum_of_twenty_million_ones_is_exact() {
    let ones = Array::from_vec(vec![1.0f32; 20_000_000]);
    for threads in [1, 4] {
        let got = eval("sum(a)", &[("a", &ones)], &[None], &jit(true, threads, None)).unwrap();
        assert_eq!(got[0].as_slice::<f32>().unwrap(), &[2e7f32], "{threads} threads");
    }
}

/// The error of a float32 sum against the exact sum stays within the pairwise
/// bound `(16 + 3 + log2(n / 128) + 1) * eps * sum(|x|)`, along either axis.
#[test]
fn float32_sum_error_is_within_the_pairwise_bound() {
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| (smooth(i) as f32 - 1.0) * 1e3 + 0.1).collect();
    let exact: f64 = x.iter().map(|&v| f64::from(v)).sum();
    let abs: f64 = x.iter().map(|&v| f64::from(v).abs()).sum();
    let bound = (16.0 + 3.0 + (n as f64 / 128.0).log2() + 1.0) * f64::from(f32::EPSILON) * abs;
    // Two equal columns: a reduction along axis 0 runs with a row of accumulators.
    let columns = Array::new(Data::Float32(x.iter().flat_map(|&v| [v, v]).collect()), vec![n, 2]).unwrap();
    let row = Array::from_vec(x);
    for (src, a) in [("sum(a)", &row), ("sum(a, axis=0)", &columns)] {
        let got = eval(src, &[("a", a)], &[None], &jit(true, 2, None)).unwrap();
        for &v in got[0].as_slice::<f32>().unwrap() {
            let err = (f64::from(v) - exact).abs();
            assert!(err <= bound, "{src}: error {err} > bound {bound}");
        }
    }
}

/// N-d arrays reduced along every axis, with lanes longer than a block and rows
/// wider than a tile, and broadcasting inside the reduced expression.
#[test]
fn nd_axes_and_broadcasting_inside_the_reduction_match_interp() {
    let a = array(DType::Float64, &[3, 130, 5], false);
    for src in axis_forms("sum", 3).iter().chain(&axis_forms("max", 3)) {
        check(src, &[("a", &a)], src.starts_with("sum"), Some(CHUNK)).unwrap();
    }
    let wide = array(DType::Float64, &[5, 2100], false);
    let long = array(DType::Float32, &[300, 7], false);
    for (src, a) in [("sum(a, axis=0)", &wide), ("mean(a, axis=0)", &long), ("prod(a, axis=0)", &long)] {
        check(src, &[("a", a)], true, Some(CHUNK)).unwrap();
        check(src, &[("a", a)], true, None).unwrap();
    }
    let col = array(DType::Float64, &[300, 1], false);
    let mat = array(DType::Float64, &[300, 200], false);
    for src in ["sum(c * m)", "sum(c * m, axis=0)", "sum(c * m, axis=1)", "max(c - m, axis=0)", "mean(m - c, -1)"] {
        check(src, &[("c", &col), ("m", &mat)], !src.starts_with("max"), Some(CHUNK)).unwrap();
    }
}

/// Reductions of one level share one pass, and values of that pass requested
/// as outputs are stored by it; later stages read them.
#[test]
fn programs_mixing_reductions_and_elementwise_work_match_interp() {
    let x = array(DType::Float64, &[1000], false);
    let m = array(DType::Float32, &[40, 30], false);
    let programs = [
        "e = exp(x - max(x)); e / sum(e)",
        "x / sum(x) + min(x)",
        "s = sum(x); t = sum(x * x); t / s - mean(x)",
        "any(x > 1.01) & all(x > 0)",
        "sum(x > 1.0)",
    ];
    for src in programs {
        let outputs: Vec<Option<&str>> = if src.starts_with("e =") { vec![None, Some("e")] } else { vec![None] };
        let want = eval(src, &[("x", &x)], &outputs, &interp()).unwrap();
        for config in jit_configs(Some(CHUNK)) {
            let got = eval(src, &[("x", &x)], &outputs, &config).unwrap();
            for (w, g) in want.iter().zip(&got) {
                assert!(close(w, g, magnitude(&[("x", &x)])), "{src}: {w:?} vs {g:?}");
            }
        }
    }
    let src = "(a - mean(a, axis=0)) / sqrt(mean((a - mean(a, axis=0))**2, axis=0))";
    check(src, &[("a", &m)], true, Some(CHUNK)).unwrap();
}

/// A lane's result depends only on its values: a column reduced with a row of
/// accumulators (axis 0), the same values as a row (folded, axis -1) and as a
/// whole array give the same bits, for lengths that end inside a block.
#[test]
fn a_lane_gives_the_same_bits_in_either_accumulator_layout() {
    for n in [5usize, 13, 131, 1003, 40_000] {
        let x: Vec<f64> = (0..n).map(rough).collect();
        let columns = Array::new(Data::Float64(x.iter().flat_map(|&v| [v, -v, v]).collect()), vec![n, 3]).unwrap();
        let rows = Array::new(Data::Float64([x.clone(), x.clone()].concat()), vec![2, n]).unwrap();
        let flat = Array::from_vec(x);
        let config = jit(true, 2, Some(CHUNK));
        let whole = eval("sum(a)", &[("a", &flat)], &[None], &config).unwrap()[0].as_slice::<f64>().unwrap()[0];
        let by_col = eval("sum(a, axis=0)", &[("a", &columns)], &[None], &config).unwrap();
        let by_row = eval("sum(a, axis=1)", &[("a", &rows)], &[None], &config).unwrap();
        let by_col = by_col[0].as_slice::<f64>().unwrap();
        let by_row = by_row[0].as_slice::<f64>().unwrap();
        assert_eq!(by_col[0].to_bits(), whole.to_bits(), "n = {n}");
        assert_eq!(by_col[2].to_bits(), whole.to_bits(), "n = {n}");
        assert_eq!(by_col[1].to_bits(), (-whole).to_bits(), "n = {n}");
        assert_eq!((by_row[0].to_bits(), by_row[1].to_bits()), (whole.to_bits(), whole.to_bits()), "n = {n}");
    }
}

/// A value requested as an output and reduced in the same pass is written
/// straight into the caller's array.
#[test]
fn a_reduced_output_is_written_into_the_callers_array() {
    let x = array(DType::Float64, &[3, 500], false);
    let sig = [("x", DType::Float64)];
    let c = Expr::parse("e = exp(x - max(x)); s = sum(e, axis=1); e / sum(e)").unwrap().compile(&sig).unwrap();
    let want = c.eval_with(&[("x", &x)], &[None, Some("e"), Some("s")], &interp()).unwrap();
    for config in jit_configs(Some(CHUNK)) {
        let mut outs: Vec<Array> = want.iter().map(|w| Array::zeros(w.dtype(), w.shape().to_vec()).unwrap()).collect();
        let [r, e, s] = &mut outs[..] else { unreachable!("three outputs") };
        c.eval_into(&[("x", &x)], &mut [(None, r), (Some("e"), e), (Some("s"), s)], &config).unwrap();
        assert!(same_bits(&want[1], &outs[1]), "e is elementwise: bit-identical");
        assert!(close(&want[0], &outs[0], 1.0) && close(&want[2], &outs[2], 1.0));
    }
}

/// The vector loop of reducing kernels lowers through `codegen/vector.rs`, as
/// phase loops do, so it now takes floor, minimum, copysign, clip, reciprocal...
/// Fused (the reducing kernel's vector loop) and unfused (the elementwise
/// kernel's, then a plain sum) must give the same bits.
#[test]
fn reductions_over_lane_wise_functions_agree_fused_and_unfused() {
    for dtype in [DType::Float64, DType::Float32] {
        let a = array(dtype, &[1037], false);
        // Magnitudes around 1 of both signs; the special values (NaN, zeros,
        // infinities) only where they leave something to compare.
        let b = eval("(a - 1) * 40", &[("a", &a)], &[None], &interp()).unwrap().remove(0);
        let specials = array(dtype, &[1037], true);
        check("max(minimum(a, s)) + min(maximum(s, a))", &[("a", &a), ("s", &specials)], false, Some(CHUNK)).unwrap();
        for src in [
            "sum(floor(a * 3) + ceil(b) - trunc(a) + rint(a * 2.5))",
            "sum(minimum(a, b) + maximum(b, a))",
            "prod(copysign(a, b) * clip(a, 0.97, 1.02))",
            "mean(reciprocal(a) + abs(b - a))",
        ] {
            check(src, &[("a", &a), ("b", &b)], true, Some(CHUNK)).unwrap();
            check(src, &[("a", &a), ("b", &b)], true, None).unwrap();
        }
    }
}

/// Repeated calls into caller arrays take the prepared path (`exec/call.rs`)
/// for stages of whole-array reductions: the same bits as the general path
/// (`eval_with`, which never prepares), call after call with new data in the
/// same buffers, with another layout (prepared again), on every backend and
/// thread count; several reductions of one pass write their own outputs.
#[test]
fn prepared_whole_reductions_give_the_general_paths_bits() {
    /// An expression, its signature, its outputs.
    type Case<'a> = (&'a str, &'a [(&'a str, DType)], &'a [Option<&'a str>]);
    let cases: [Case<'_>; 6] = [
        ("sum(a*b)", &[("a", DType::Float64), ("b", DType::Float64)], &[None]),
        ("mean(a)", &[("a", DType::Float32)], &[None]),
        ("prod(a / b)", &[("a", DType::Float64), ("b", DType::Float64)], &[None]),
        (
            "s = sum(a); m = max(a - b); min(b)",
            &[("a", DType::Float64), ("b", DType::Float64)],
            &[None, Some("s"), Some("m")],
        ),
        ("sum(i * j)", &[("i", DType::Int64), ("j", DType::Int32)], &[None]),
        ("any(a > b)", &[("a", DType::Float64), ("b", DType::Float64)], &[None]),
    ];
    for (source, sig, outputs) in cases {
        let c = Expr::parse(source).unwrap().compile(sig).unwrap();
        for n in [1usize, 7, 128, 1003, 40_000] {
            let backends = [jitexpr::Backend::Cranelift, jitexpr::Backend::Avx2, jitexpr::Backend::Avx512].map(|b| {
                let cache =
                    std::sync::Arc::new(jitexpr::KernelCache::with_backend(jitexpr::KernelCache::DEFAULT_CAPACITY, b));
                EvalConfig { cache: Some(cache), ..jit(true, 1, Some(CHUNK)) }
            });
            for config in jit_configs(Some(CHUNK)).into_iter().chain([EvalConfig::default()]).chain(backends) {
                let mut data: Vec<Array> = sig.iter().map(|&(_, t)| array(t, &[n], false)).collect();
                let mut outs: Option<Vec<Array>> = None;
                for round in 0..3 {
                    if round > 0 {
                        // New values in the same buffers: the same signature.
                        for a in &mut data {
                            if let Data::Float64(v) = a.data_mut() {
                                v.iter_mut().for_each(|x| *x = 1.0 / (*x + 3.0));
                            }
                        }
                    }
                    let inputs: Vec<(&str, &Array)> = sig.iter().map(|&(name, _)| name).zip(&data).collect();
                    let want = c.eval_with(&inputs, outputs, &config).unwrap();
                    let outs = outs.get_or_insert_with(|| {
                        want.iter().map(|w| Array::zeros(w.dtype(), w.shape().to_vec()).unwrap()).collect()
                    });
                    let mut slots: Vec<(Option<&str>, &mut Array)> =
                        outputs.iter().copied().zip(outs.iter_mut()).collect();
                    c.eval_into(&inputs, &mut slots, &config).unwrap();
                    for (w, g) in want.iter().zip(outs.iter()) {
                        assert!(same_bits(w, g), "{source}, n = {n}, round {round}: {w:?} against {g:?}");
                    }
                }
            }
        }
    }
}

/// Reductions over functions that only have vmath block kernels (exp, log,
/// sin, tanh, `**`, arctan2) run as a split kernel (`codegen/split.rs`): a
/// producer computes the arguments a chunk at a time, a consumer folds them.
/// Lengths around the fold block (128), the producer's phase block (512) and
/// the driver's chunk (1024), task sizes that start calls inside fold blocks
/// (64, 100), both accumulator layouts (axis forms of a matrix), float64 and
/// float32, with a stored output beside the reduction: the same bits as the
/// unfused JIT (the arguments stored, then reduced) and the interpreter within
/// the reordering bound.
#[test]
fn reductions_over_math_functions_agree_fused_and_unfused() {
    let sources = [
        "sum(exp(a - 1))",
        "mean(log(a) * b)",
        "prod(sin(a) * 0.1 + 1)",
        "max(tanh(a * 3 - b))",
        "min(a ** 2.5 - b)",
        "sum(arctan2(a, b)) + max(exp(b))",
    ];
    for dtype in [DType::Float64, DType::Float32] {
        for n in [1, 15, 127, 128, 129, 511, 513, 1023, 1024, 1025, 2049, 5000] {
            let a = array(dtype, &[n], false);
            let b = eval("a * 0.5 + 0.25", &[("a", &a)], &[None], &interp()).unwrap().remove(0);
            for src in sources {
                for chunk in [None, Some(64), Some(100)] {
                    check(src, &[("a", &a), ("b", &b)], true, chunk).unwrap();
                }
            }
        }
        for shape in [[3, 700], [700, 3], [40, 129]] {
            let a = array(dtype, &shape, false);
            let b = eval("a * 0.5 + 0.25", &[("a", &a)], &[None], &interp()).unwrap().remove(0);
            for form in axis_forms("sum", 2).into_iter().chain(axis_forms("max", 2)) {
                let src = form.replacen("(a", "(exp(a - b)", 1);
                check(&src, &[("a", &a), ("b", &b)], true, Some(100)).unwrap();
                check(&src, &[("a", &a), ("b", &b)], true, None).unwrap();
            }
        }
    }
    // A stored value beside the reduction it feeds: both from one split kernel.
    let a = array(DType::Float64, &[3001], false);
    let sig = [("a", DType::Float64)];
    let compiled = Expr::parse("e = exp(a - 1); s = sum(e); e").unwrap().compile(&sig).unwrap();
    for config in [interp(), jit(true, 1, None), jit(true, 4, Some(100)), jit(false, 1, None)] {
        let out = compiled.eval_with(&[("a", &a)], &[Some("e"), Some("s")], &config).unwrap();
        let want = compiled.eval_with(&[("a", &a)], &[Some("e"), Some("s")], &jit(false, 1, None)).unwrap();
        assert!(same_bits(&out[0], &want[0]), "{config:?}");
        assert!(close(&out[1], &want[1], 3001.0 * 2.0), "{config:?}: {:?} {:?}", out[1], want[1]);
    }
}

/// Float min/max folds take a vector path over whole groups of 128 elements
/// (`emit_extremum_group`) and fall back to the in-order loop for a group with
/// a NaN or a zero extremum: the interpreter's bits either way — the first
/// NaN's payload, the last of tied zeros, infinities — in groups that are whole,
/// ragged or split between calls, float64 and float32, one fold or several.
#[test]
fn vector_min_max_keep_the_interpreters_nan_and_zero_rules() {
    let quiet = f64::from_bits(0x7ff8_0000_0000_0001);
    let other = f64::from_bits(0xfff8_0000_0000_0bad);
    let patterns: [&[(usize, f64)]; 8] = [
        &[],
        &[(5, 0.0), (77, -0.0)],
        &[(300, quiet), (900, other)],
        &[(1000, other), (1001, quiet)],
        &[(129, f64::INFINITY), (700, f64::NEG_INFINITY)],
        &[(0, -0.0), (255, 0.0), (256, -0.0)],
        &[(127, quiet)],
        &[(640, 9.5), (641, 9.5)],
    ];
    for dtype in [DType::Float64, DType::Float32] {
        for n in [128, 256, 1024, 1100] {
            for zeros in [false, true] {
                for pattern in patterns {
                    // Around -1 (or all zeros), so zeros and NaNs decide the extrema.
                    let mut v: Vec<f64> =
                        (0..n).map(|i| if zeros { 0.0 } else { -1.0 - (i % 37) as f64 * 0.01 }).collect();
                    for &(i, x) in pattern.iter().filter(|(i, _)| *i < n) {
                        v[i] = x;
                    }
                    let a = Array::from_vec(v);
                    let a = eval(&format!("{}(a)", dtype.name()), &[("a", &a)], &[None], &interp()).unwrap().remove(0);
                    let b = eval("a * 0.5", &[("a", &a)], &[None], &interp()).unwrap().remove(0);
                    for chunk in [None, Some(128), Some(200)] {
                        for src in ["max(a)", "min(a)", "max(a) + min(b)", "min(a - b)", "max(abs(a))"] {
                            check(src, &[("a", &a), ("b", &b)], false, chunk).unwrap();
                        }
                        // Reductions of several kinds in one kernel (split into consumers).
                        for src in ["sum(a) + max(a)", "mean(a * b) - min(a) + max(b)"] {
                            check(src, &[("a", &a), ("b", &b)], true, chunk).unwrap();
                        }
                    }
                    if n % 16 == 0 {
                        let m = Array::new(a.data().clone(), vec![n / 16, 16]).unwrap();
                        for src in ["max(a, axis=1)", "min(a, axis=0)", "max(a, axis=0)"] {
                            check(src, &[("a", &m)], false, None).unwrap();
                        }
                    }
                }
            }
        }
    }
}
