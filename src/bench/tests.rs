use super::report::{fmt_seconds, json_f64, json_str};
use super::*;
use expect_test::expect;

fn free(src: &str) -> Vec<String> {
    free_names(&Expr::parse(src).expect("parses"))
}

#[test]
fn free_names_are_read_before_assigned_and_not_constants() {
    assert_eq!(free("2*a + sin(b)**2 > c"), ["a", "b", "c"]);
    assert_eq!(free("x = a*b; y = x + c; y / pi + e*inf - nan"), ["a", "b", "c"]);
    // Reading an input then shadowing it still needs the input.
    assert_eq!(free("a = a + 1; a * b"), ["a", "b"]);
    assert_eq!(free("sum(q, axis=0) + where(q > r, q, 0.0)"), ["q", "r"]);
    assert!(free("1 + 2").is_empty());
}

#[test]
fn generated_inputs_fill_only_the_missing_names() {
    let expr = Expr::parse("a + b * c").expect("parses");
    let given = vec![("b".to_string(), Array::from_vec(vec![1.0f64, 2.0]))];
    let inputs = complete_inputs(&expr, given, 4, DType::Float32).expect("small inputs");
    let summary: Vec<(&str, DType, usize, bool)> =
        inputs.iter().map(|i| (i.name.as_str(), i.array.dtype(), i.array.len(), i.generated)).collect();
    assert_eq!(
        summary,
        [("b", DType::Float64, 2, false), ("a", DType::Float32, 4, true), ("c", DType::Float32, 4, true)]
    );
    // Seeds follow the position among free names, so a given input does not shift them.
    let alone = complete_inputs(&expr, Vec::new(), 4, DType::Float32).expect("small inputs");
    assert_eq!(alone[2].array, inputs[2].array);
}

#[test]
fn random_arrays_are_seeded_and_in_range() {
    let f = random_array(DType::Float64, 10_000, 3).expect("a small array");
    assert_eq!(f, random_array(DType::Float64, 10_000, 3).expect("a small array"));
    assert_ne!(f, random_array(DType::Float64, 10_000, 4).expect("a small array"));
    let v = f.as_slice::<f64>().expect("float64");
    assert!(v.iter().all(|&x| (0.1..1.1).contains(&x)));
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    assert!((mean - 0.6).abs() < 0.02, "mean {mean}");
    let i = random_array(DType::Int32, 1000, 0).expect("a small array");
    assert!(i.as_slice::<i32>().expect("int32").iter().all(|x| (1..=100).contains(x)));
    let b = random_array(DType::Bool, 1000, 0).expect("a small array");
    let trues = b.as_slice::<bool>().expect("bool").iter().filter(|&&x| x).count();
    assert!((400..600).contains(&trues), "{trues} trues");
    let f32s = random_array(DType::Float32, 1000, 0).expect("a small array");
    assert!(f32s.as_slice::<f32>().expect("float32").iter().all(|&x| (0.1..=1.1).contains(&x)));
}

#[test]
fn ulp_distances() {
    assert_eq!(ulp_f64(1.0, 1.0), 0);
    assert_eq!(ulp_f64(1.0, f64::from_bits(1.0f64.to_bits() + 1)), 1);
    assert_eq!(ulp_f64(0.0, -0.0), 0);
    assert_eq!(ulp_f64(f64::from_bits(1), -f64::from_bits(1)), 2);
    assert_eq!(ulp_f64(f64::NAN, -f64::NAN), 0);
    assert!(ulp_f64(f64::NAN, 1.0) > 1 << 50);
    assert_eq!(ulp_f64(f64::MAX, f64::INFINITY), 1);
    assert_eq!(ulp_f32(-1.0, f32::from_bits((-1.0f32).to_bits() + 3)), 3);
    assert_eq!(ulp_f32(0.0, -0.0), 0);

    let a = Array::from_vec(vec![1.0f64, 2.0, f64::NAN]);
    let b = Array::from_vec(vec![1.0f64, f64::from_bits(2.0f64.to_bits() + 5), f64::NAN]);
    assert_eq!(max_ulp(&a, &b), 5.0);
    assert_eq!(max_ulp(&Array::from_vec(vec![3i64, -4]), &Array::from_vec(vec![3i64, 6])), 10.0);
    assert_eq!(max_ulp(&Array::from_vec(vec![true]), &Array::from_vec(vec![false])), 1.0);
    assert_eq!(max_ulp(&Array::from_vec(vec![1i32]), &Array::from_vec(vec![1i64])), f64::INFINITY);
    assert_eq!(max_ulp(&Array::from_vec(vec![1i32]), &Array::from_vec(vec![1i32, 2])), f64::INFINITY);
    assert_eq!(max_ulp(&Array::from_vec(Vec::<f32>::new()), &Array::from_vec(Vec::<f32>::new())), 0.0);
}

#[test]
fn median_and_min() {
    assert_eq!(median_min(&mut [3.0, 1.0, 2.0]), (2.0, 1.0));
    assert_eq!(median_min(&mut [4.0, 1.0, 2.0, 3.0]), (2.5, 1.0));
    assert!(median_min(&mut []).0.is_nan());
}

#[test]
fn auto_repeat_fills_the_budget_within_bounds() {
    assert_eq!(auto_repeat(0.01), 50);
    assert_eq!(auto_repeat(10.0), AUTO_MIN);
    assert_eq!(auto_repeat(0.0), AUTO_MAX);
}

#[test]
fn counts() {
    assert_eq!(parse_count("1000").ok(), Some(1000));
    assert_eq!(parse_count("1_000_000").ok(), Some(1_000_000));
    assert_eq!(parse_count("1e7").ok(), Some(10_000_000));
    assert_eq!(parse_count("2.5E3").ok(), Some(2500));
    assert_eq!(parse_count("0").ok(), Some(0));
    for bad in ["", "-3", "1.5", "1e-3", "ten", "nan", "inf"] {
        let err = parse_count(bad).expect_err(bad);
        assert_eq!(err.kind, ErrorKind::Usage);
    }
    expect![["1e12 elements is too many (the limit is 2**32)"]].assert_eq(&parse_count("1e12").unwrap_err().message);
}

#[test]
fn shrinking_keeps_broadcasting() {
    let a = Array::zeros(DType::Int32, vec![1000, 1, 0, 2]).expect("shape");
    let s = shrink(&a).expect("small");
    assert_eq!((s.dtype(), s.shape()), (DType::Int32, &[2, 1, 0, 2][..]));
    assert_eq!(shrink(&Array::from_vec(vec![1.5f64])).expect("small").shape(), [1]);
}

#[test]
fn json_pieces() {
    assert_eq!(json_str("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
    assert_eq!(json_f64(1.0), "1.0");
    assert_eq!(json_f64(1e-7), "1e-7");
    assert_eq!(json_f64(0.25), "0.25");
    assert_eq!(json_f64(f64::INFINITY), "null");
    assert_eq!(json_f64(f64::NAN), "null");
}

#[test]
fn seconds_are_printed_with_a_unit() {
    let printed: Vec<String> = [812e-9, 12.34e-6, 4.567e-3, 123.4e-3, 1.5, f64::NAN].map(fmt_seconds).into();
    assert_eq!(printed, ["812 ns", "12.3 µs", "4.57 ms", "123 ms", "1.50 s", "-"]);
}

fn tiny(threads: usize) -> BenchConfig {
    BenchConfig {
        n: 1000,
        dtype: DType::Float64,
        threads,
        repeat: Some(3),
        min_time: Duration::ZERO,
        math: crate::Math::Exact,
    }
}

#[test]
fn run_measures_every_row_and_agrees_with_the_interpreter() {
    // IEEE-exact operations only: every engine must agree bit for bit.
    let report = run("sqrt(a**2 + b**2) * a - 1.5", Vec::new(), &tiny(2)).expect("runs");
    let rows: Vec<(&str, usize, usize, bool)> =
        report.results.iter().map(|r| (r.engine.name(), r.threads, r.repeat, r.compile_s.is_some())).collect();
    assert_eq!(rows, [("interp", 1, 3, false), ("jit-unfused", 1, 3, true), ("jit", 1, 3, true), ("jit", 2, 3, true)]);
    for r in &report.results {
        assert!(r.median_s > 0.0 && r.min_s <= r.median_s, "{r:?}");
        assert!(r.gbps > 0.0 && r.speedup_vs_interp > 0.0, "{r:?}");
        assert_eq!(r.max_ulp_vs_interp, 0.0, "{r:?}");
    }
    assert_eq!(report.results[0].speedup_vs_interp, 1.0);
    // Two inputs read and one result written, 8 bytes each.
    assert_eq!(report.traffic_bytes, 3 * 1000 * 8);
    assert_eq!((report.output_dtype, report.output_shape.as_slice()), (DType::Float64, &[1000][..]));
}

/// `min_time` adds samples to fast rows: every row ran at least `repeat` times and,
/// unless it hit the cap, for at least `min_time`.
#[test]
fn min_time_keeps_timing_past_repeat() {
    let config = BenchConfig { min_time: Duration::from_millis(20), ..tiny(1) };
    let report = run("a + 1", Vec::new(), &config).expect("runs");
    for r in &report.results {
        // A 1000-element `a + 1` takes microseconds: 20 ms is far more than 3 runs.
        assert!(r.repeat > 3, "{r:?}");
    }
    let too_long = BenchConfig { min_time: MAX_MIN_TIME + Duration::from_secs(1), ..tiny(1) };
    let err = run("a + 1", Vec::new(), &too_long).expect_err("refused");
    assert!(err.message.contains("--min-time"), "{}", err.message);
}

#[test]
fn one_thread_gives_no_duplicate_row_and_reductions_work() {
    let n = Array::scalar(crate::types::Scalar::Int64(3));
    let report = run("x = a*b; sum(x) / n", vec![("n".into(), n)], &tiny(1)).expect("runs");
    assert_eq!(report.results.len(), 3);
    assert_eq!(report.output_shape, Vec::<usize>::new());
    // a, b and n read; the 0-d result written.
    assert_eq!(report.traffic_bytes, 2 * 1000 * 8 + 8 + 8);
    let names: Vec<&str> = report.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["n", "a", "b"]);
    assert!(report.results.iter().all(|r| r.max_ulp_vs_interp == 0.0));
}

#[test]
fn integer_and_bool_inputs() {
    for dtype in [DType::Int32, DType::Int64, DType::Bool, DType::Float32] {
        let config = BenchConfig { dtype, ..tiny(2) };
        let report = run("a * b + a", Vec::new(), &config).expect("runs");
        assert!(report.results.iter().all(|r| r.max_ulp_vs_interp == 0.0), "{dtype}");
    }
}

#[test]
fn user_errors_come_back_with_spans() {
    let err = run("a +", Vec::new(), &tiny(1)).expect_err("parse error");
    assert_eq!(err.kind, ErrorKind::Parse);
    let a = Array::from_vec(vec![1.0f64, 2.0]);
    let err = run("a + b", vec![("a".into(), a)], &tiny(1)).expect_err("shapes (2,) and (1000,)");
    assert_eq!(err.kind, ErrorKind::Shape);
    assert!(err.span.is_some());
}

#[test]
fn table_and_json_name_every_row() {
    let unused = Array::from_vec(vec![0.5f64; 10_000]);
    let report = run("a + 1", vec![("z".into(), unused)], &tiny(2)).expect("runs");
    assert_eq!(report.traffic_bytes, 2 * 1000 * 8, "an unused input is not traffic");
    let table = report.to_table();
    assert!(
        table.starts_with(
            "expr     a + 1\nmath     exact (jit rows; interp is exact; max ulp: against the exact interp)\n\
             input    z float64 (10000,) (given)\ninput    a float64 (1000,) (random)\n"
        ),
        "{table}"
    );
    assert_eq!(table.lines().filter(|l| l.starts_with("jit ")).count(), 2, "{table}");
    let json = report.to_json();
    assert!(json
        .starts_with(r#"{"expr": "a + 1", "n": 1000, "dtype": "float64", "math": "exact", "inputs": [{"name": "z""#));
    assert_eq!(json.matches(r#""engine": "#).count(), 4);
    assert!(json.ends_with("}\n") && json.lines().count() == 1);
}
