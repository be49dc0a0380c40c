//! Streaming evaluation against the in-memory JIT: same bits for every program
//! form, many tiny windows, awkward lengths, Fortran order, generators, files;
//! failures leave no output; the CLI's streaming flags.

use std::path::{Path, PathBuf};
use std::process::Command;

use jitexpr::inputs::parse_input_source;
use jitexpr::inputs::InputValue;
use jitexpr::npy::{self, NpyReader};
use jitexpr::stream::{self, Output, Source, StreamConfig, Target};
use jitexpr::{Array, DType, Data, EvalConfig, Expr, Order};

/// Every element's bits in C order (every NaN the same: payloads may differ).
fn bits(a: &Array) -> (DType, Vec<usize>, Vec<u64>) {
    let c = a.to_c_order();
    let v = (0..c.len())
        .map(|i| match c.get(i) {
            jitexpr::Scalar::Bool(x) => u64::from(x),
            jitexpr::Scalar::Int32(x) => x as u32 as u64,
            jitexpr::Scalar::Int64(x) => x as u64,
            jitexpr::Scalar::Float32(x) if x.is_nan() => u64::MAX,
            jitexpr::Scalar::Float32(x) => u64::from(x.to_bits()),
            jitexpr::Scalar::Float64(x) if x.is_nan() => u64::MAX,
            jitexpr::Scalar::Float64(x) => x.to_bits(),
        })
        .collect();
    (a.dtype(), a.shape().to_vec(), v)
}

fn random(shape: &[usize], seed: u64) -> Array {
    let mut rng = jitexpr::inputs::SplitMix64(seed);
    let n = shape.iter().product();
    // Signs and magnitudes that make the order of additions matter.
    let v: Vec<f64> = (0..n).map(|_| (rng.next_f64() - 0.4) * 10f64.powi((rng.next_u64() % 12) as i32)).collect();
    Array::new(Data::Float64(v), shape.to_vec()).unwrap()
}

fn fortran(a: &Array) -> Array {
    // Fortran order of a shape is C order of the reversed shape, transposed.
    let data = a.view().transpose().to_array().into_data();
    Array::with_order(data, a.shape().to_vec(), Order::Fortran).unwrap()
}

/// Stream `expr` with each window size and compare every output with the
/// in-memory JIT's, bit for bit.
fn check(expr: &str, inputs: &[(&str, &Array)], outputs: &[Option<&str>], windows: &[usize]) {
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (*n, a.dtype())).collect();
    let compiled = Expr::parse(expr).unwrap().compile(&sig).unwrap();
    let expected = compiled.eval_with(inputs, outputs, &EvalConfig::default()).unwrap();
    let sources: Vec<(&str, &dyn Source)> = inputs.iter().map(|(n, a)| (*n, *a as &dyn Source)).collect();
    let targets: Vec<Output<'_>> = outputs.iter().map(|&name| Output { name, target: Target::Memory }).collect();
    assert_eq!(stream::check(&compiled, &sources, outputs, &EvalConfig::default()).unwrap(), None, "{expr}");
    for &w in windows {
        let config = StreamConfig { memory: 1 << 30, window: Some(w), ..StreamConfig::default() };
        let got = stream::eval(&compiled, &sources, &targets, &config).unwrap_or_else(|e| panic!("{expr}: {e}"));
        for (k, (g, e)) in got.iter().zip(&expected).enumerate() {
            let g = g.as_ref().expect("memory targets are returned");
            assert_eq!(bits(g), bits(e), "{expr}, output {k}, window {w}");
        }
    }
}

#[test]
fn elementwise_programs_of_every_dtype() {
    let a = random(&[1000], 1);
    let b = random(&[1000], 2);
    check("sqrt(a**2 + b**2)", &[("a", &a), ("b", &b)], &[None], &[1, 7, 128, 999, 1000]);
    check("where(a > b, sin(a), b // 3)", &[("a", &a), ("b", &b)], &[None], &[3, 100]);
    let i = Array::from_vec((0..1001).map(|x: i64| x * 7919 % 1000 - 500).collect::<Vec<i64>>());
    let j = Array::from_vec((0..1001).map(|x: i32| x % 17 - 8).collect::<Vec<i32>>());
    check("i // j + i % j", &[("i", &i), ("j", &j)], &[None], &[1, 5, 64]);
    check("(i > 0) & (j < 3)", &[("i", &i), ("j", &j)], &[None], &[2, 333]);
    let f = Array::new(Data::Float32((0..777).map(|x| x as f32 * 0.37 - 100.0).collect()), vec![777]).unwrap();
    check("exp(f / 50) * f", &[("f", &f)], &[None], &[1, 10, 777]);
}

#[test]
fn whole_reductions_keep_their_bits_over_windows_of_blocks() {
    for n in [1usize, 127, 128, 129, 1000, 128 * 9 + 5] {
        let a = random(&[n], n as u64);
        for expr in ["sum(a)", "mean(a)", "prod(a / 3)", "min(a)", "max(a)", "any(a > 1)", "all(a < 1e9)"] {
            check(expr, &[("a", &a)], &[None], &[1, 3, 128, 1000]);
        }
        let f = Array::new(Data::Float32((0..n).map(|x| (x as f32).sin() * 1e3).collect()), vec![n]).unwrap();
        check("sum(f)", &[("f", &f)], &[None], &[1, 2]);
        let i = Array::from_vec((0..n as i64).map(|x| x * x - 7).collect::<Vec<i64>>());
        check("sum(i) + prod(i % 3 + 1)", &[("i", &i)], &[None], &[1, 5]);
    }
}

#[test]
fn reductions_over_all_axes_of_c_order_matrices() {
    // Rows of 7: a window must start at a multiple of 128 elements, 128 rows.
    let a = random(&[300, 7], 3);
    check("sum(a) + mean(a * 2)", &[("a", &a)], &[None], &[1, 50, 300]);
    let b = random(&[40, 48], 4);
    check("sum(b)", &[("b", &b)], &[None], &[1, 3, 40]);
}

#[test]
fn per_axis_reductions_of_c_order_arrays() {
    let a = random(&[300, 7], 5);
    for axis in ["0", "1", "-1"] {
        for op in ["sum", "mean", "min", "prod"] {
            check(&format!("{op}(a, axis={axis})"), &[("a", &a)], &[None], &[1, 100, 300]);
        }
    }
    let c = random(&[200, 4, 3], 6);
    for axis in ["0", "1", "2"] {
        check(&format!("sum(c, axis={axis})"), &[("c", &c)], &[None], &[1, 129]);
    }
    // A per-row reduction read by a later stage.
    let v = random(&[300], 7);
    check("s = sum(a, axis=1); s / v + max(s)", &[("a", &a), ("v", &v)], &[None, Some("s")], &[1, 64]);
}

#[test]
fn fortran_order_inputs_stream_along_their_last_axis() {
    let a = fortran(&random(&[7, 300], 8));
    let b = fortran(&random(&[7, 300], 9));
    check("a * b - 1", &[("a", &a), ("b", &b)], &[None], &[1, 13, 300]);
    check("sum(a, axis=0)", &[("a", &a)], &[None], &[1, 13]);
    check("mean(a, axis=1) + max(b, axis=1)", &[("a", &a), ("b", &b)], &[None], &[1, 13, 300]);
    check("e = exp(a - max(a, axis=0)); e / sum(e, axis=0)", &[("a", &a)], &[None], &[1, 200]);
}

#[test]
fn a_reduction_over_all_axes_of_a_fortran_matrix_cannot_stream_exactly() {
    // Its lanes run in C order, across every window: a documented refusal.
    let a = fortran(&random(&[7, 300], 10));
    let compiled = Expr::parse("sum(a)").unwrap().compile(&[("a", DType::Float64)]).unwrap();
    let sources: Vec<(&str, &dyn Source)> = vec![("a", &a)];
    let reason = stream::check(&compiled, &sources, &[None], &EvalConfig::default()).unwrap();
    assert!(reason.unwrap().contains("Fortran order"));
    let targets = [Output { name: None, target: Target::Memory }];
    let err = stream::eval(&compiled, &sources, &targets, &StreamConfig::default()).unwrap_err();
    assert!(err.message.contains("cannot stream"), "{err}");
    // A Fortran vector is a C vector: no problem there.
    let v = fortran(&random(&[1000], 11));
    check("sum(v)", &[("v", &v)], &[None], &[1, 3]);
}

#[test]
fn broadcasting_between_streamed_and_small_inputs() {
    let a = random(&[300, 7], 12);
    let row = random(&[7], 13);
    let col = random(&[300, 1], 14);
    let k = Array::scalar(jitexpr::Scalar::Float64(2.5));
    check("a * row + col - k", &[("a", &a), ("row", &row), ("col", &col), ("k", &k)], &[None], &[1, 7, 300]);
    check("sum(a * row, axis=0) + sum(row)", &[("a", &a), ("row", &row)], &[None], &[1, 128]);
    // The windowed input is the smaller-rank one, broadcast along new leading axes.
    let v = random(&[1000], 15);
    check("v * 2 + sum(v)", &[("v", &v)], &[None], &[1, 999]);
}

#[test]
fn programs_with_a_reduction_before_the_elementwise_part_take_several_passes() {
    let a = random(&[1000], 16);
    check("e = exp(a - max(a)); e / sum(e)", &[("a", &a)], &[None], &[1, 128, 1000]);
    let m = random(&[300, 5], 17);
    check("d = m - mean(m, axis=0); d / sqrt(mean(d**2, axis=0))", &[("m", &m)], &[None], &[1, 128, 300]);
}

#[test]
fn named_outputs_and_a_stored_output_read_by_a_later_pass() {
    let a = random(&[1000], 18);
    let outs = [Some("e"), Some("s"), None, Some("e")];
    check("e = exp(a - max(a)); s = e / sum(e); t = sum(s)", &[("a", &a)], &outs, &[1, 256]);
    // An input requested as an output is copied window by window.
    check("b = a; c = a * 2", &[("a", &a)], &[Some("b"), Some("c")], &[3]);
}

#[test]
fn generators_make_any_window_with_the_bits_of_the_whole() {
    for arg in [
        "a=random(1000, 42)",
        "a=random((30, 7))",
        "a=arange(5, 1000, 3)",
        "a=arange(0.1, 99.3, 0.17)",
        "a=linspace(-1.5, 2.25, 1001)",
        "a=linspace(0, 1e-320, 300)",
        "a=ones((4, 9))",
    ] {
        let (_, value) = parse_input_source(arg).unwrap();
        let InputValue::Generated(g) = value else { panic!("{arg} is a generator") };
        let whole = g.array().unwrap();
        let n = g.shape()[0];
        let slab = whole.len() / n;
        let mut r0 = 0;
        while r0 < n {
            let r1 = (r0 + 7).min(n);
            let w = g.window(r0..r1).unwrap();
            let expected: Vec<u64> = bits(&whole).2[r0 * slab..r1 * slab].to_vec();
            assert_eq!(bits(&w).2, expected, "{arg} at {r0}..{r1}");
            r0 = r1;
        }
    }
    let (_, value) = parse_input_source("a=random(3e9)").unwrap();
    assert!(matches!(value, InputValue::Generated(g) if g.shape() == [3_000_000_000]));
}

/// A scratch directory per test (tests run in parallel threads).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jitexpr-stream-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save(dir: &Path, name: &str, a: &Array) -> PathBuf {
    let p = dir.join(name);
    npy::write_file(&p, a).unwrap();
    p
}

#[test]
fn npy_files_stream_through_positioned_reads_and_stay_untouched() {
    let dir = scratch("files");
    let a = random(&[500, 3], 19);
    let b = fortran(&random(&[3, 500], 20));
    let pa = save(&dir, "a.npy", &a);
    let pb = save(&dir, "b.npy", &b);
    let before = (std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
    let ra = NpyReader::open(&pa).unwrap();
    let rb = NpyReader::open(&pb).unwrap();
    assert_eq!(bits(&ra.window(0..500).unwrap()), bits(&a));
    assert_eq!(bits(&rb.window(0..500).unwrap()), bits(&b));
    let compiled = Expr::parse("s = a * 2; t = sum(s, axis=0)").unwrap().compile(&[("a", DType::Float64)]).unwrap();
    let targets = [
        Output { name: Some("s"), target: Target::File(dir.join("s.npy")) },
        Output { name: Some("t"), target: Target::File(dir.join("t.npy")) },
    ];
    let config = StreamConfig { window: Some(128), ..StreamConfig::default() };
    stream::eval(&compiled, &[("a", &ra)], &targets, &config).unwrap();
    let expected = compiled.eval_with(&[("a", &a)], &[Some("s"), Some("t")], &EvalConfig::default()).unwrap();
    assert_eq!(bits(&npy::read_file(&dir.join("s.npy")).unwrap()), bits(&expected[0]));
    assert_eq!(bits(&npy::read_file(&dir.join("t.npy")).unwrap()), bits(&expected[1]));
    assert_eq!((std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap()), before);
    // Nothing but the inputs and the outputs is left in the directory.
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["a.npy", "b.npy", "s.npy", "t.npy"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = scratch("failure");
    let a = random(&[1000], 21);
    let compiled = Expr::parse("e = exp(a); s = e / sum(e)").unwrap().compile(&[("a", DType::Float64)]).unwrap();
    // The second output cannot be created: the first must not appear either.
    let targets = [
        Output { name: Some("e"), target: Target::File(dir.join("e.npy")) },
        Output { name: Some("s"), target: Target::File(dir.join("missing").join("s.npy")) },
    ];
    let config = StreamConfig { window: Some(128), ..StreamConfig::default() };
    assert!(stream::eval(&compiled, &[("a", &a)], &targets, &config).is_err());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "no output and no temporary is left");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn jitexpr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jitexpr")).args(args).output().unwrap()
}

#[test]
fn cli_streams_with_a_tiny_budget_and_writes_the_in_memory_bits() {
    let dir = scratch("cli");
    let a = save(&dir, "a.npy", &random(&[5000], 22));
    let a_arg = format!("a={}", a.display());
    let program = "e = exp(a - max(a)); e / sum(e)";
    let (mem, streamed) = (dir.join("mem.npy"), dir.join("streamed.npy"));
    let out = jitexpr(&["eval", program, "-i", &a_arg, "-o", mem.to_str().unwrap(), "--no-stream"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 4 KiB: inputs and outputs exceed it, so `eval` streams, in many windows.
    let out = jitexpr(&["eval", program, "-i", &a_arg, "-o", streamed.to_str().unwrap(), "--memory", "4K"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "no progress bar unless stderr is a terminal");
    assert_eq!(std::fs::read(&mem).unwrap(), std::fs::read(&streamed).unwrap());
    // A generator streams too; a small result is printed.
    let out = jitexpr(&["eval", "sum(a)", "-i", "a=random(100000, 5)", "--stream", "--memory", "64K"]);
    let mem_out = jitexpr(&["eval", "sum(a)", "-i", "a=random(100000, 5)", "--no-stream"]);
    assert!(out.status.success());
    assert_eq!(out.stdout, mem_out.stdout);
    // --progress forces the bar, as lines, when stderr is not a terminal.
    let out = jitexpr(&["eval", "a + 1", "-i", &a_arg, "-o", streamed.to_str().unwrap(), "--stream", "--progress"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("elements"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_refuses_what_it_cannot_stream() {
    let dir = scratch("cli-errors");
    let a = save(&dir, "a.npy", &random(&[5000], 23));
    let a_arg = format!("a={}", a.display());
    // A printed result larger than the budget is held whole either way: the
    // automatic choice evaluates in memory; a forced `--stream` says to use -o.
    let out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--memory", "4K"]);
    let mem_out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--no-stream"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, mem_out.stdout);
    let out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--memory", "4K", "--stream"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o"), "{}", String::from_utf8_lossy(&out.stderr));
    // Streaming is the fused JIT's.
    let out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--stream", "--engine", "interp"]);
    assert_eq!(out.status.code(), Some(2));
    let out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--memory", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    let out = jitexpr(&["eval", "a * 2", "-i", &a_arg, "--stream", "--no-stream"]);
    assert_eq!(out.status.code(), Some(2));
    // Not streamable and over budget: an error that says how to run it in memory.
    let f = save(&dir, "f.npy", &fortran(&random(&[50, 100], 24)));
    let f_arg = format!("f={}", f.display());
    let out = jitexpr(&["eval", "sum(f)", "-i", &f_arg, "--memory", "1K"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-stream"));
    // Within budget, the same program runs in memory.
    let out = jitexpr(&["eval", "sum(f)", "-i", &f_arg, "--stream"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
