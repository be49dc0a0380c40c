//! Strided inputs on every engine: larger arrays than the corpus's, in every test
//! layout (Fortran order, rotated axes, reversed, stepped), mixed with C-order
//! and broadcast inputs, must give exactly the result of C-contiguous copies;
//! outputs written into caller views; Fortran `.npy` files through the CLI.

mod layouts;

use std::process::Command;

use jitexpr::{Array, ArrayView, ArrayViewMut, DType, Data, Engine, ErrorKind, EvalConfig, Expr, Order};
use layouts::{Relaid, LAYOUTS};

/// Every engine configuration, with small chunks so tasks split rows.
fn engines() -> Vec<(&'static str, EvalConfig)> {
    let jit = |fuse: bool, threads: usize| EvalConfig {
        fuse,
        threads: Some(threads),
        chunk: Some(256),
        ..EvalConfig::default()
    };
    vec![
        ("interp", EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }),
        ("jit", EvalConfig::default()),
        ("jit-1t", jit(true, 1)),
        ("jit-4t", jit(true, 4)),
        ("jit-unfused-1t", jit(false, 1)),
        ("jit-unfused-4t", jit(false, 4)),
    ]
}

/// Deterministic, varied values: negatives, fractions, zeros and (for floats) a NaN.
fn values(dtype: DType, shape: &[usize], seed: u64) -> Array {
    let n: usize = shape.iter().product();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 2001) as i64 - 1000
    };
    let data = match dtype {
        DType::Bool => Data::Bool((0..n).map(|_| next() > 0).collect()),
        DType::Int32 => Data::Int32((0..n).map(|_| next() as i32).collect()),
        DType::Int64 => Data::Int64((0..n).map(|_| next() * 1_000_003).collect()),
        DType::Float32 => Data::Float32((0..n).map(|i| if i == 5 { f32::NAN } else { next() as f32 / 7.0 }).collect()),
        DType::Float64 => Data::Float64((0..n).map(|i| if i == 7 { f64::NAN } else { next() as f64 / 3.0 }).collect()),
    };
    Array::new(data, shape.to_vec()).expect("shape fits")
}

/// Bit-for-bit equality, except that any NaN equals any NaN.
fn same(a: &Array, b: &Array) -> bool {
    let bits = |a: &Array, i: usize| match a.get(i) {
        jitexpr::Scalar::Float32(v) if v.is_nan() => u64::MAX,
        jitexpr::Scalar::Float64(v) if v.is_nan() => u64::MAX,
        jitexpr::Scalar::Float32(v) => u64::from(v.to_bits()),
        jitexpr::Scalar::Float64(v) => v.to_bits(),
        jitexpr::Scalar::Bool(v) => u64::from(v),
        jitexpr::Scalar::Int32(v) => v as u64,
        jitexpr::Scalar::Int64(v) => v as u64,
    };
    a.dtype() == b.dtype() && a.shape() == b.shape() && (0..a.len()).all(|i| bits(a, i) == bits(b, i))
}

/// Programs over a (33, 70) matrix family and a (6, 5, 40) float32 family, with
/// broadcast operands, reductions, several outputs and an input passed through.
const PROGRAMS: &[&str] = &[
    "a * 2 + b",
    "sin(a) - b / 3",
    "where(m, a, b)",
    "a + i",
    "i * 3 - (i >> 2) + k",
    "c * b + a",
    "sum(a, axis=0) + b",
    "sum(a, axis=1) * 0.5",
    "x = a * c; y = x - b; y / max(x)",
    "a",
    "~m | (a > c)",
    "t * u + 1",
    "sqrt(abs(t)) - u * s",
    "mean(t, axis=1) * 2",
    "min(t) + t",
    "int64(t) // 3 + 5",
    // Block calls (vmath) reading strided operands through buffers, writing outputs.
    "x = exp(a / 400); y = tanh(x) ** c; x * y - b",
    "abs(t) ** 2.5 + cos(u)",
];

fn inputs() -> Vec<(&'static str, Array)> {
    vec![
        ("a", values(DType::Float64, &[33, 70], 1)),
        ("b", values(DType::Float64, &[70], 2)),
        ("c", values(DType::Float64, &[33, 1], 3)),
        ("i", values(DType::Int32, &[33, 70], 4)),
        ("k", values(DType::Int64, &[70], 5)),
        ("m", values(DType::Bool, &[33, 70], 6)),
        ("t", values(DType::Float32, &[6, 5, 40], 7)),
        ("u", values(DType::Float32, &[5, 1], 8)),
        ("s", values(DType::Float32, &[], 9)),
    ]
}

#[test]
fn strided_inputs_give_the_results_of_c_copies_on_every_engine() {
    let inputs = inputs();
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (*n, a.dtype())).collect();
    let relaid: Vec<Vec<Relaid>> = (0..LAYOUTS.len())
        .map(|j| {
            inputs.iter().enumerate().map(|(k, (_, a))| Relaid::new(a, LAYOUTS[(j + k) % LAYOUTS.len()])).collect()
        })
        .collect();
    let mut failures = Vec::new();
    for &src in PROGRAMS {
        let compiled = Expr::parse(src).and_then(|e| e.compile(&sig)).unwrap_or_else(|e| panic!("{src}: {e}"));
        let outputs: Vec<Option<&str>> = if src.contains(';') { vec![None, Some("x"), Some("y")] } else { vec![None] };
        for (engine, config) in engines() {
            let arrays: Vec<(&str, &Array)> = inputs.iter().map(|(n, a)| (*n, a)).collect();
            let want = compiled.eval_with(&arrays, &outputs, &config).unwrap_or_else(|e| panic!("{src}: {e}"));
            for (j, relaid) in relaid.iter().enumerate() {
                let views: Vec<(&str, ArrayView<'_>)> =
                    inputs.iter().zip(relaid).map(|((n, _), r)| (*n, r.view())).collect();
                let got = compiled.eval_views_with(&views, &outputs, &config).unwrap_or_else(|e| panic!("{src}: {e}"));
                if !want.iter().zip(&got).all(|(w, g)| same(w, g)) {
                    failures.push(format!("{src} [{engine}, layouts from {:?}]", LAYOUTS[j]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "results differ from C-contiguous inputs:\n{}", failures.join("\n"));
}

#[test]
fn outputs_are_written_into_caller_views() {
    let inputs = inputs();
    let compiled = Expr::parse("x = a * 2; x + b")
        .and_then(|e| e.compile(&[("a", DType::Float64), ("b", DType::Float64)]))
        .expect("compiles");
    let a = inputs[0].1.view().transpose();
    // c.T[:, ::-1]: a (1, 33) row, reversed, broadcast down the (70, 33) result.
    let b = inputs[2].1.view().transpose().reversed(1).expect("axis 1");
    let want =
        compiled.eval_views_with(&[("a", a.clone()), ("b", b.clone())], &[None, Some("x")], &EvalConfig::default());
    let want = want.expect("evaluates");
    for (engine, config) in engines() {
        let (mut r, mut x) = (vec![0.0f64; 70 * 33], vec![0.0f64; 70 * 33]);
        {
            let mut outs = [
                (None, ArrayViewMut::new(&mut r, &[70, 33]).expect("sizes match")),
                (Some("x"), ArrayViewMut::new(&mut x, &[70, 33]).expect("sizes match")),
            ];
            compiled.eval_views_into(&[("a", a.clone()), ("b", b.clone())], &mut outs, &config).expect("evaluates");
        }
        let array = |v: Vec<f64>| Array::new(Data::Float64(v), vec![70, 33]).expect("70 x 33");
        assert!(same(&array(r), &want[0]), "result [{engine}]");
        assert!(same(&array(x), &want[1]), "x [{engine}]");
        // A wrongly shaped output view is an error, not a write out of bounds.
        let mut short = vec![0.0f64; 33 * 69];
        let mut outs = [(None, ArrayViewMut::new(&mut short, &[33, 69]).expect("sizes match"))];
        let err = compiled.eval_views_into(&[("a", a.clone()), ("b", b.clone())], &mut outs, &config).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Shape, "{engine}");
    }
}

#[test]
fn fortran_order_output_arrays_are_refused() {
    let compiled = Expr::parse("a + 1").and_then(|e| e.compile(&[("a", DType::Float64)])).expect("compiles");
    let a = values(DType::Float64, &[3, 4], 1);
    let mut out = Array::with_order(Data::Float64(vec![0.0; 12]), vec![3, 4], Order::Fortran).expect("12 elements");
    let err = compiled.eval_into(&[("a", &a)], &mut [(None, &mut out)], &EvalConfig::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert!(err.message.contains("Fortran order"), "{}", err.message);
}

#[test]
fn views_outside_their_buffer_are_errors_not_panics() {
    let data = [1.0f64, 2.0, 3.0, 4.0];
    for (shape, strides, offset) in [
        (&[2usize, 2][..], &[2isize, 2][..], 0usize),
        (&[4][..], &[-1][..], 2),
        (&[3][..], &[2][..], 0),
        (&[usize::MAX][..], &[0][..], 4),
    ] {
        let err = ArrayView::new(&data, shape, strides, offset).unwrap_err();
        // A shape with more elements than any array can have is over a limit.
        assert!(matches!(err.kind, ErrorKind::Shape | ErrorKind::Limit), "{shape:?} {strides:?} {offset}");
    }
    let v = ArrayView::new(&data, &[2, 2], &[1, 2], 0).expect("the transpose of a 2x2");
    assert!(v.clone().slice(0, 0, 3, 1).is_err());
    assert!(v.clone().reversed(2).is_err());
    assert!(v.permute(&[1, 1]).is_err());
}

/// The CLI on a Fortran-order file prints what it prints for the C-order file
/// of the same values, on both engines.
#[test]
fn fortran_npy_files_evaluate_like_c_order_ones() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let run = |file: &str, engine: &str, expr: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_jitexpr"))
            .args(["eval", expr, "-i", &format!("a={data}/{file}"), "--engine", engine])
            .output()
            .expect("the jitexpr binary runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for engine in ["interp", "jit"] {
        for expr in ["a * 2 + 1", "a", "sum(a, axis=1) * 3", "a - sum(a)"] {
            let c = run("c_3d.npy", engine, expr);
            let f = run("fortran_3d.npy", engine, expr);
            assert_eq!(c, f, "{expr} [{engine}]");
            let f_be = run("fortran_3d_be.npy", engine, &format!("int32({expr})"));
            assert_eq!(run("c_3d.npy", engine, &format!("int32({expr})")), f_be, "{expr} [{engine}, big-endian]");
        }
    }
}

/// A cached call (`exec::CallMemo`) reuses the last call's kernel, iteration and
/// bounds proof; one compiled program evaluated into the same output with
/// another offset, stride, buffer length, input order, output name or dtype
/// must never take that shortcut: each call gives its own exact result, and a
/// view that would be read out of bounds under the old proof is refused at
/// construction, or evaluated with a proof of its own.
#[test]
fn prepared_calls_are_reused_only_for_the_same_layout() {
    let compiled = Expr::parse("a - 2*b").unwrap().compile(&[("a", DType::Float64), ("b", DType::Float64)]).unwrap();
    let data: Vec<f64> = (0..40).map(|i| i as f64 * 1.5).collect();
    let mut out = vec![0.0; 10];
    let mut run = |a: ArrayView<'_>, b: ArrayView<'_>, swap: bool| {
        let want: Vec<f64> = (0..10)
            .map(|i| a.to_array().as_slice::<f64>().unwrap()[i] - 2.0 * b.to_array().as_slice::<f64>().unwrap()[i])
            .collect();
        let mut target = [(None, ArrayViewMut::new(&mut out[..], &[10]).unwrap())];
        let inputs = if swap { [("b", b), ("a", a)] } else { [("a", a), ("b", b)] };
        compiled.eval_views_into(&inputs, &mut target, &EvalConfig::default()).unwrap();
        assert_eq!(out, want);
    };
    let view = |start: usize, step: isize, len: usize| ArrayView::new(&data[..len], &[10], &[step], start).unwrap();
    for _ in 0..2 {
        run(view(0, 1, 40), view(10, 1, 40), false);
    }
    run(view(1, 1, 40), view(10, 1, 40), false); // another offset
    run(view(0, 3, 40), view(10, 1, 40), false); // another stride
    run(view(0, 1, 10), view(10, 1, 20), false); // other buffer lengths
    run(view(0, 1, 40), view(10, 1, 40), true); // the inputs in another order
    run(view(39, -1, 40), view(10, 1, 40), false); // reversed
    run(view(0, 1, 40), view(10, 1, 40), false);
    // Another output name and dtype are errors, as on the first call.
    let mut wrong = [0.0f32; 10];
    let mut target = [(None, ArrayViewMut::new(&mut wrong[..], &[10]).unwrap())];
    let inputs = [("a", view(0, 1, 40)), ("b", view(10, 1, 40))];
    assert_eq!(
        compiled.eval_views_into(&inputs, &mut target, &EvalConfig::default()).unwrap_err().kind,
        ErrorKind::Shape
    );
    let mut target = [(Some("x"), ArrayViewMut::new(&mut out[..], &[10]).unwrap())];
    assert_eq!(
        compiled.eval_views_into(&inputs, &mut target, &EvalConfig::default()).unwrap_err().kind,
        ErrorKind::Name
    );
    // Inputs of another shape: a broadcasting error, as on the first call.
    let short = ArrayView::new(&data[..], &[4], &[1], 0).unwrap();
    let mut target = [(None, ArrayViewMut::new(&mut out[..], &[10]).unwrap())];
    let err = compiled.eval_views_into(&[("a", view(0, 1, 40)), ("b", short)], &mut target, &EvalConfig::default());
    assert_eq!(err.unwrap_err().kind, ErrorKind::Shape);
}

#[test]
fn output_shapes_after_a_prepared_call_agree_with_inference() {
    // `output_shapes` answers from the call memo when the shapes match the
    // prepared call's; any other question is inferred as before.
    let compiled = Expr::parse("x = a * 2; a + b")
        .and_then(|e| e.compile(&[("a", DType::Float64), ("b", DType::Float64)]))
        .expect("compiles");
    let data = [1.0f64; 12];
    let a = ArrayView::new(&data, &[3, 4], &[4, 1], 0).unwrap();
    let b = ArrayView::new(&data, &[4], &[1], 0).unwrap();
    let mut out = [0.0f64; 12];
    let mut target = [(None, ArrayViewMut::new(&mut out[..], &[3, 4]).unwrap())];
    for _ in 0..2 {
        compiled.eval_views_into(&[("a", a.clone()), ("b", b.clone())], &mut target, &EvalConfig::default()).unwrap();
        assert_eq!(compiled.output_shapes(&[&[3, 4], &[4]], &[None]).unwrap(), vec![vec![3, 4]]);
        assert_eq!(compiled.output_shapes(&[&[3, 4], &[4]], &[Some("x")]).unwrap(), vec![vec![3, 4]]);
        assert_eq!(compiled.output_shapes(&[&[2, 1], &[5]], &[None]).unwrap(), vec![vec![2, 5]]);
        assert_eq!(compiled.output_shapes(&[&[4], &[4]], &[None, Some("x")]).unwrap(), vec![vec![4], vec![4]]);
        assert_eq!(compiled.output_shapes(&[&[3, 4], &[5]], &[None]).unwrap_err().kind, ErrorKind::Shape);
        assert_eq!(compiled.output_shapes(&[&[3, 4], &[4]], &[Some("y")]).unwrap_err().kind, ErrorKind::Name);
    }
}
