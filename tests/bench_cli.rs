//! `jitexpr bench`: the JSON output against its schema, the table, flags and errors.
//! Tiny `n` and repeat counts: these check the shape of the output, never timings.

use serde_json::Value;
use std::process::{Command, Output};

fn jitexpr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitexpr")).args(args).output().expect("the jitexpr binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

fn bench_json(args: &[&str]) -> Value {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.push("--json");
    let text = stdout(&jitexpr(&all));
    assert_eq!(text.lines().count(), 1, "exactly one JSON object on one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get(name).unwrap_or_else(|| panic!("no field `{name}` in {v}"))
}

/// The schema of issue 6: `{"expr": str, "n": int, "dtype": str, "results": [{"engine":
/// "interp"|"jit-unfused"|"jit", "threads": int, "median_s": float, "min_s": float,
/// "compile_s": float|null, "gbps": float, "max_ulp_vs_interp": float}]}`.
fn check_schema(v: &Value) {
    assert!(field(v, "expr").is_string());
    assert!(field(v, "n").is_u64());
    assert!(field(v, "dtype").is_string());
    let results = field(v, "results").as_array().expect("results is an array");
    assert!(!results.is_empty());
    for r in results {
        let engine = field(r, "engine").as_str().expect("engine is a string");
        assert!(["interp", "jit-unfused", "jit"].contains(&engine), "{engine}");
        assert!(field(r, "threads").as_u64().is_some_and(|t| t >= 1), "{r}");
        for name in ["median_s", "min_s", "gbps", "max_ulp_vs_interp"] {
            let x = field(r, name).as_f64().unwrap_or_else(|| panic!("{name} is not a number in {r}"));
            assert!(x.is_finite() && x >= 0.0, "{name} = {x}");
        }
        let compile = field(r, "compile_s");
        if engine == "interp" {
            assert!(compile.is_null(), "{r}");
        } else {
            assert!(compile.as_f64().is_some_and(|c| c > 0.0), "{r}");
        }
    }
}

fn rows(v: &Value) -> Vec<(String, u64)> {
    field(v, "results")
        .as_array()
        .expect("results is an array")
        .iter()
        .map(|r| (field(r, "engine").as_str().expect("string").to_string(), field(r, "threads").as_u64().expect("int")))
        .collect()
}

#[test]
fn json_matches_the_schema() {
    let v = bench_json(&["sqrt(a**2 + b**2 + c**2)", "-n", "1000", "--repeat", "2", "--threads", "2"]);
    check_schema(&v);
    assert_eq!(field(&v, "expr"), "sqrt(a**2 + b**2 + c**2)");
    assert_eq!(field(&v, "n"), 1000);
    assert_eq!(field(&v, "dtype"), "float64");
    let expected: Vec<(String, u64)> =
        [("interp", 1), ("jit-unfused", 1), ("jit", 1), ("jit", 2)].iter().map(|(e, t)| (e.to_string(), *t)).collect();
    assert_eq!(rows(&v), expected);
    for r in field(&v, "results").as_array().expect("array") {
        assert_eq!(field(r, "max_ulp_vs_interp").as_f64(), Some(0.0), "{r}");
        assert_eq!(field(r, "repeat"), 2);
    }
    // Three inputs read, one output written, 8 bytes each.
    assert_eq!(field(&v, "traffic_bytes"), 4 * 1000 * 8);
}

#[test]
fn json_for_reductions_dtypes_and_given_inputs() {
    let v = bench_json(&["sum(a*b)", "-n", "1e3", "--repeat", "1", "--threads", "1"]);
    check_schema(&v);
    assert_eq!(rows(&v).len(), 3, "one thread: no second jit row");
    assert_eq!(field(field(&v, "output"), "shape"), &serde_json::json!([]));

    let v = bench_json(&["a // b + a % 7", "-n", "500", "--dtype", "int32", "--repeat", "1"]);
    check_schema(&v);
    assert_eq!(field(&v, "dtype"), "int32");
    assert_eq!(field(field(&v, "output"), "dtype"), "int32");

    let v = bench_json(&["x * y", "-i", "x=linspace(0, 1, 7)", "-i", "y=2", "--repeat", "1"]);
    check_schema(&v);
    let inputs = field(&v, "inputs").as_array().expect("inputs is an array");
    assert!(inputs.iter().all(|i| field(i, "generated") == false), "{v}");
    assert_eq!(field(field(&v, "output"), "shape"), &serde_json::json!([7]));
}

#[test]
fn the_table_lists_every_row() {
    let text = stdout(&jitexpr(&["bench", "where(a > b, a - b, 0.0)", "-n", "100", "--repeat", "1", "--threads", "2"]));
    let header = text.lines().position(|l| l.starts_with("engine")).expect("a header line");
    let engines: Vec<&str> = text.lines().skip(header + 1).map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(engines, ["interp", "jit-unfused", "jit", "jit"], "{text}");
}

#[test]
fn user_errors_exit_with_2() {
    for (args, message) in [
        (vec!["bench", "a +"], "error: "),
        (vec!["bench", "a", "-n", "ten"], "`ten` is not a count"),
        (vec!["bench", "a", "--threads", "0"], "--threads must be at least 1"),
        (vec!["bench", "a", "--repeat", "0"], "--repeat must be at least 1"),
        (vec!["bench", "a", "--min-time=-1"], "out of range"),
        (vec!["bench", "a", "--min-time", "soon"], "not a number of seconds"),
        (vec!["bench", "a + b", "-n", "3", "-i", "b=arange(4)"], "broadcast"),
        (vec!["bench", "a", "--dtype", "int8"], "int8"),
    ] {
        let out = jitexpr(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `--math fast`: the JIT rows run the rewritten program, the `interp` row stays exact,
/// and `max_ulp_vs_interp` measures the distance to it (`a / 3` becomes `a * (1/3)`:
/// within 1 ulp, and on 1000 random values some differ).
#[test]
fn fast_math_reports_its_distance_to_the_exact_interpreter() {
    let v = bench_json(&["a / 3", "-n", "1000", "--repeat", "2", "--threads", "1", "--math", "fast"]);
    check_schema(&v);
    assert_eq!(field(&v, "math"), "fast");
    for r in field(&v, "results").as_array().expect("array") {
        let ulp = field(r, "max_ulp_vs_interp").as_f64().expect("a number");
        match field(r, "engine").as_str().expect("string") {
            "interp" => assert_eq!(ulp, 0.0, "{r}"),
            _ => assert_eq!(ulp, 1.0, "{r}"),
        }
    }
    assert_eq!(field(&bench_json(&["a / 3", "-n", "10", "--repeat", "1"]), "math"), "exact");
}
