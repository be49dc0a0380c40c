//! The engine-independent corpus: every case of `tests/corpus/*.toml` on every engine.
//!
//! # Format
//!
//! Each file is a list of `[[case]]` tables:
//!
//! ```toml
//! [[case]]
//! name = "add_int32_float32_promotes_to_float64"   # unique across all files
//! expr = "a + b"                                    # a program: statements split by `;` or newlines
//! inputs.a = { dtype = "int32", shape = [3], data = [1, -2, 2147483647] }
//! inputs.b = { dtype = "float32", data = [0.5, 1.5, -0.0] }        # shape defaults to [len(data)]
//! expect = { dtype = "float64", shape = [3], data = [1.5, -0.5, 2147483647.0] }
//!
//! [[case]]
//! name = "chained_comparison_is_an_error"
//! expr = "0 < a < 1"
//! inputs.a = { dtype = "float64", data = [0.5] }
//! error = { kind = "parse", contains = "(0 < a) & (a < 1)" }
//! ```
//!
//! - `inputs.NAME`: an array. `dtype` is `bool`, `int32`, `int64`, `float32` or `float64`;
//!   `shape` is optional (`[]` is 0-d; the default is 1-d); `data` is flat, in C order: TOML
//!   booleans, integers or floats (`nan`, `-nan`, `inf`, `-inf`, `-0.0`; integers are accepted
//!   for float dtypes). The program is compiled for exactly these names and dtypes.
//! - `expect`: the program's result, an array in the same format.
//! - `outputs.NAME`: the final value of an assigned name. A case may check `expect`,
//!   `outputs` or both; all are requested from one `eval_with` call.
//! - `ulp = N`: floats may differ by up to N units in the last place (transcendental
//!   functions: NumPy uses SVML and its own SIMD code, jitexpr uses libm). Under `ulp`,
//!   `-0.0` equals `0.0`; NaN must still be NaN and an infinity must be exact.
//! - `error = { kind, contains, span }`: the case must fail, at parse, compile or evaluation
//!   time, with the [`jitexpr::ErrorKind`] whose `as_str()` is `kind`, and the error's
//!   `Display` (message and help) must contain `contains` (a string, or a list of strings
//!   that must all appear; `""` checks nothing). The error must carry a span unless its kind
//!   is `input`, `io` or `usage`, or the case says `span = false`.
//!
//! Without `ulp`, values compare bit for bit, except that any NaN equals any NaN (payload
//! and sign are not compared): `-0.0` differs from `0.0`.
//!
//! Expected values come from NumPy: `tests/corpus/generate.py` holds the cases and writes
//! the files (`/tmp/venv/bin/python tests/corpus/generate.py`); cases where jitexpr
//! documents a deviation from NumPy have hand-written expectations with a comment.
//!
//! # Tests
//!
//! - [`corpus_holds_on_every_engine`]: every case on every engine of [`engines`], against
//!   the expectation; all failures are reported, with a diff, before the test fails.
//! - [`engines_agree_with_the_interpreter_on_awkward_lengths`]: every non-error case whose
//!   inputs are 1-d (or 0-d) is re-run with its 1-d inputs tiled to awkward lengths and
//!   shifted (a sub-slice starting at element 1 or 3 of the tiled buffer), and every engine
//!   is compared with the interpreter on the same inputs.
//! - [`layouts_do_not_change_results`]: every case is re-run with its inputs in
//!   other memory layouts (Fortran order, axes rotated, reversed, stepped, stepped
//!   and reversed; a different one per input, so C and strided inputs mix), read
//!   in place through views; every engine must give exactly what it gives on the
//!   C-contiguous inputs.
//! - [`corpus_is_well_formed`], [`corpus_calls_every_function`].

mod layouts;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::Once;

use jitexpr::{Array, ArrayView, DType, Data, Engine, Error, ErrorKind, EvalConfig, Expr, Math, MathBound, Scalar};
use layouts::{Relaid, LAYOUTS};
use serde::Deserialize;

/// Every engine configuration the corpus runs on. A new engine or mode is one more line.
fn engines() -> Vec<(&'static str, EvalConfig)> {
    // JIT chunks of 1024 elements, so the awkward lengths straddle task boundaries.
    let jit = |fuse: bool, threads: Option<usize>| EvalConfig { fuse, threads, chunk: Some(1024), ..on(Engine::Jit) };
    vec![
        ("interp", on(Engine::Interp)),
        ("jit", on(Engine::Jit)),
        ("jit-1t", jit(true, Some(1))),
        ("jit-4t", jit(true, Some(4))),
        ("jit-unfused-1t", jit(false, Some(1))),
        ("jit-unfused-4t", jit(false, Some(4))),
        // The rows above use the default backend: the widest SIMD emitter the
        // CPU runs, for the kernels it covers. These pin the 512-bit emitter
        // (the 256-bit one, or Cranelift, without AVX-512), the 256-bit one
        // (Cranelift without AVX2) and Cranelift.
        ("jit-avx512-1t", EvalConfig { cache: Some(cache(jitexpr::Backend::Avx512)), ..jit(true, Some(1)) }),
        ("jit-avx2-1t", EvalConfig { cache: Some(cache(jitexpr::Backend::Avx2)), ..jit(true, Some(1)) }),
        ("jit-cranelift-1t", EvalConfig { cache: Some(cache(jitexpr::Backend::Cranelift)), ..jit(true, Some(1)) }),
    ]
}

/// A kernel cache that compiles every kernel with `backend`.
fn cache(backend: jitexpr::Backend) -> std::sync::Arc<jitexpr::KernelCache> {
    std::sync::Arc::new(jitexpr::KernelCache::with_backend(jitexpr::KernelCache::DEFAULT_CAPACITY, backend))
}

/// The oracle the engines are compared with on awkward lengths.
fn reference() -> EvalConfig {
    on(Engine::Interp)
}

/// The default configuration with another engine (whatever other fields `EvalConfig` grows).
fn on(engine: Engine) -> EvalConfig {
    fn with(mut config: EvalConfig, engine: Engine) -> EvalConfig {
        config.engine = engine;
        config
    }
    with(EvalConfig::default(), engine)
}

/// Lengths that straddle chunk and vector boundaries.
const AWKWARD_LENGTHS: [usize; 7] = [0, 1, 7, 1023, 1024, 1025, 3 * 1024 + 7];
/// Sub-slices start this many elements into the tiled buffer (0: the buffer itself).
const OFFSETS: [usize; 3] = [0, 1, 3];
/// Relative tolerance for results that went through a float sum, product or mean, whose
/// order of operations may differ between engines.
const REDUCTION_RTOL_F32: f64 = 1e-4;
const REDUCTION_RTOL_F64: f64 = 1e-11;

// ---------------------------------------------------------------------------------------
// The format.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    case: Vec<Case>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    expr: String,
    #[serde(default)]
    inputs: BTreeMap<String, ArraySpec>,
    expect: Option<ArraySpec>,
    #[serde(default)]
    outputs: BTreeMap<String, ArraySpec>,
    error: Option<ErrorSpec>,
    ulp: Option<u64>,
    /// The file the case came from, for reports.
    #[serde(skip)]
    file: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArraySpec {
    dtype: String,
    shape: Option<Vec<usize>>,
    data: Vec<toml::Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorSpec {
    kind: String,
    contains: Strings,
    span: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Strings {
    One(String),
    Many(Vec<String>),
}

impl Strings {
    fn all(&self) -> Vec<&str> {
        match self {
            Strings::One(s) => vec![s.as_str()],
            Strings::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

impl ArraySpec {
    fn to_array(&self) -> Result<Array, String> {
        let dtype = DType::from_name(&self.dtype).ok_or_else(|| format!("unknown dtype `{}`", self.dtype))?;
        let data = match dtype {
            DType::Bool => Data::Bool(self.values(toml::Value::as_bool)?),
            DType::Int32 => Data::Int32(self.values(|v| v.as_integer().and_then(|i| i32::try_from(i).ok()))?),
            DType::Int64 => Data::Int64(self.values(toml::Value::as_integer)?),
            DType::Float32 => Data::Float32(self.values(|v| float(v).map(|f| f as f32))?),
            DType::Float64 => Data::Float64(self.values(float)?),
        };
        let shape = self.shape.clone().unwrap_or_else(|| vec![data.len()]);
        Array::new(data, shape).map_err(|e| e.to_string())
    }

    fn values<T>(&self, get: impl Fn(&toml::Value) -> Option<T>) -> Result<Vec<T>, String> {
        self.data.iter().map(|v| get(v).ok_or_else(|| format!("`{v}` is not a {}", self.dtype))).collect()
    }
}

fn float(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

impl Case {
    fn inputs(&self) -> Vec<(String, Array)> {
        let array = |(n, s): (&String, &ArraySpec)| {
            (n.clone(), s.to_array().unwrap_or_else(|e| panic!("{}: input `{n}`: {e}", self.name)))
        };
        self.inputs.iter().map(array).collect()
    }

    /// The outputs to request, each with its expectation (if any): the result first.
    fn requests(&self) -> Vec<(Option<&str>, Option<&ArraySpec>)> {
        let mut out = Vec::new();
        if self.expect.is_some() || self.error.is_some() {
            out.push((None, self.expect.as_ref()));
        }
        out.extend(self.outputs.iter().map(|(n, s)| (Some(n.as_str()), Some(s))));
        out
    }

    fn title(&self) -> String {
        format!("{}: {}\n  expr: {:?}", self.file, self.name, self.expr)
    }
}

fn load_files() -> Vec<(String, Result<Vec<Case>, String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let file = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| toml::from_str::<CorpusFile>(&text).map_err(|e| e.to_string()))
                .map(|f| f.case.into_iter().map(|c| Case { file: file.clone(), ..c }).collect());
            (file, parsed)
        })
        .collect()
}

fn load() -> Vec<Case> {
    let mut cases = Vec::new();
    for (file, parsed) in load_files() {
        cases.extend(parsed.unwrap_or_else(|e| panic!("{file}: {e}")));
    }
    assert!(!cases.is_empty(), "no corpus cases found");
    cases
}

// ---------------------------------------------------------------------------------------
// Running a case.

/// What an engine made of a case.
enum Outcome {
    Values(Vec<Array>),
    Error(Error),
    Panic(String),
}

fn run(case: &Case, inputs: &[(String, Array)], config: &EvalConfig) -> Outcome {
    let requests: Vec<Option<&str>> = case.requests().into_iter().map(|(n, _)| n).collect();
    let result = catch_panic(|| {
        let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (n.as_str(), a.dtype())).collect();
        let compiled = Expr::parse(&case.expr)?.compile(&sig)?;
        let refs: Vec<(&str, &Array)> = inputs.iter().map(|(n, a)| (n.as_str(), a)).collect();
        compiled.eval_with(&refs, &requests, config)
    });
    match result {
        Ok(Ok(arrays)) => Outcome::Values(arrays),
        Ok(Err(e)) => Outcome::Error(e),
        Err(panic) => Outcome::Panic(panic),
    }
}

/// [`run`] on views of the inputs.
fn run_views(case: &Case, inputs: &[(String, ArrayView<'_>)], config: &EvalConfig) -> Outcome {
    let requests: Vec<Option<&str>> = case.requests().into_iter().map(|(n, _)| n).collect();
    let result = catch_panic(|| {
        let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (n.as_str(), a.dtype())).collect();
        let compiled = Expr::parse(&case.expr)?.compile(&sig)?;
        let views: Vec<(&str, ArrayView<'_>)> = inputs.iter().map(|(n, a)| (n.as_str(), a.clone())).collect();
        compiled.eval_views_with(&views, &requests, config)
    });
    match result {
        Ok(Ok(arrays)) => Outcome::Values(arrays),
        Ok(Err(e)) => Outcome::Error(e),
        Err(panic) => Outcome::Panic(panic),
    }
}

thread_local! {
    /// `Some` while [`catch_panic`] runs on this thread: the panic hook stores the message
    /// here instead of printing it, so the report shows it next to its case.
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = PANIC_MESSAGE.with(|m| m.borrow_mut().as_mut().map(|m| *m = info.to_string()).is_some());
            if !captured {
                default(info);
            }
        }));
    });
    PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(String::new()));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    let message = PANIC_MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_default();
    result.map_err(|_| message)
}

// ---------------------------------------------------------------------------------------
// Comparing.

/// How far a got value may be from the expected one.
#[derive(Clone, Copy, Debug, Default)]
struct Tolerance {
    /// Units in the last place (0: bit for bit).
    ulp: u64,
    /// For results of float reductions: `|e - g| <= rtol * (max(|e|, |g|) + scale)`.
    reduction: Option<(f64, f64)>,
}

fn ordered_f64(x: f64) -> i128 {
    let bits = x.to_bits() as i64;
    i128::from(if bits < 0 { i64::MIN - bits } else { bits })
}

fn ordered_f32(x: f32) -> i128 {
    let bits = x.to_bits() as i32;
    i128::from(if bits < 0 { i32::MIN - bits } else { bits })
}

fn floats_match(e: f64, g: f64, ulps: u64, tol: Tolerance) -> bool {
    if e.is_nan() || g.is_nan() {
        return e.is_nan() && g.is_nan();
    }
    if e.to_bits() == g.to_bits() {
        return true;
    }
    if e.is_infinite() || g.is_infinite() {
        return false;
    }
    if tol.ulp > 0 && ulps <= tol.ulp {
        return true;
    }
    tol.reduction.is_some_and(|(rtol, scale)| (e - g).abs() <= rtol * (e.abs().max(g.abs()) + scale))
}

fn scalars_match(e: Scalar, g: Scalar, tol: Tolerance) -> bool {
    match (e, g) {
        (Scalar::Float32(e), Scalar::Float32(g)) => {
            let ulps = (ordered_f32(e) - ordered_f32(g)).unsigned_abs() as u64;
            floats_match(f64::from(e), f64::from(g), ulps, tol)
        }
        (Scalar::Float64(e), Scalar::Float64(g)) => {
            let ulps = u64::try_from((ordered_f64(e) - ordered_f64(g)).unsigned_abs()).unwrap_or(u64::MAX);
            floats_match(e, g, ulps, tol)
        }
        (e, g) => e == g,
    }
}

fn fmt_shape(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    if let [one] = dims.as_slice() {
        format!("({one},)")
    } else {
        format!("({})", dims.join(", "))
    }
}

/// The first elements of an array, for reports.
fn preview(a: &Array) -> String {
    let n = a.len().min(12);
    let items: Vec<String> = (0..n).map(|i| a.get(i).to_string()).collect();
    let more = if a.len() > n { ", ..." } else { "" };
    format!("{} {} [{}{more}]", a.dtype(), fmt_shape(a.shape()), items.join(", "))
}

/// `Ok` if `got` matches `expected`, else what differs.
fn compare(expected: &Array, got: &Array, tol: Tolerance, inputs: &[(String, Array)]) -> Result<(), String> {
    if expected.dtype() != got.dtype() || expected.shape() != got.shape() {
        return Err(format!("expected {}\n       got {}", preview(expected), preview(got)));
    }
    let bad: Vec<usize> = (0..expected.len()).filter(|&i| !scalars_match(expected.get(i), got.get(i), tol)).collect();
    if bad.is_empty() {
        return Ok(());
    }
    let mut report = format!("{} of {} elements differ ({})", bad.len(), expected.len(), expected.dtype());
    for &i in bad.iter().take(8) {
        report.push_str(&format!("\n    [{i}] expected {}, got {}", expected.get(i), got.get(i)));
        // The inputs at the same index, when they are elementwise with the result.
        let args: Vec<String> = inputs
            .iter()
            .filter(|(_, a)| a.shape() == expected.shape())
            .map(|(n, a)| format!("{n} = {}", a.get(i)))
            .collect();
        if !args.is_empty() {
            report.push_str(&format!("   ({})", args.join(", ")));
        }
    }
    if bad.len() > 8 {
        report.push_str("\n    ...");
    }
    Err(report)
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Values(arrays) => arrays.iter().map(preview).collect::<Vec<_>>().join("; "),
        Outcome::Error(e) => format!("{} error: {e} (span {:?})", e.kind.as_str(), e.span),
        Outcome::Panic(p) => format!("PANIC: {p}"),
    }
}

/// Check an outcome against the case's expectation.
fn check(case: &Case, inputs: &[(String, Array)], outcome: &Outcome) -> Result<(), String> {
    if let Some(spec) = &case.error {
        return check_error(spec, &case.expr, outcome);
    }
    let Outcome::Values(arrays) = outcome else {
        return Err(format!("expected values, got {}", describe(outcome)));
    };
    let tol = Tolerance { ulp: case.ulp.unwrap_or(0), reduction: None };
    let mut problems = Vec::new();
    for ((name, spec), got) in case.requests().into_iter().zip(arrays) {
        let expected = spec.expect("value cases expect every requested output").to_array()?;
        if let Err(diff) = compare(&expected, got, tol, inputs) {
            problems.push(format!("{}: {diff}", name.map_or("result".to_string(), |n| format!("output `{n}`"))));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn check_error(spec: &ErrorSpec, source: &str, outcome: &Outcome) -> Result<(), String> {
    let want = format!("expected a {} error containing {:?}", spec.kind, spec.contains.all());
    let Outcome::Error(err) = outcome else {
        return Err(format!("{want}\n  got {}", describe(outcome)));
    };
    let text = err.to_string();
    let missing: Vec<&str> = spec.contains.all().into_iter().filter(|s| !text.contains(s)).collect();
    let needs_span = spec.span.unwrap_or(!matches!(err.kind, ErrorKind::Input | ErrorKind::Io | ErrorKind::Usage));
    if err.kind.as_str() != spec.kind || !missing.is_empty() {
        return Err(format!("{want}\n  got {}\n{}", describe(outcome), err.render(source).trim_end()));
    }
    if needs_span && err.span.is_none() {
        return Err(format!("the error has no span: {}", describe(outcome)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Awkward lengths.

/// `len` elements of the endless repetition of `a`'s data, starting at `offset`, as 1-d.
fn tile(a: &Array, len: usize, offset: usize) -> Array {
    fn rep<T: Copy>(v: &[T], len: usize, offset: usize) -> Vec<T> {
        (offset..offset + len).map(|i| v[i % v.len()]).collect()
    }
    let data = match a.data() {
        Data::Bool(v) => Data::Bool(rep(v, len, offset)),
        Data::Int32(v) => Data::Int32(rep(v, len, offset)),
        Data::Int64(v) => Data::Int64(rep(v, len, offset)),
        Data::Float32(v) => Data::Float32(rep(v, len, offset)),
        Data::Float64(v) => Data::Float64(rep(v, len, offset)),
    };
    Array::new(data, vec![len]).expect("a 1-d shape fits its data")
}

/// Whether a case can be tiled: no error expected, inputs 0-d or 1-d, and the 1-d ones
/// (at least one) of one common, non-zero length, so tiling keeps them broadcastable.
fn tileable(case: &Case, inputs: &[(String, Array)]) -> bool {
    let lens: Vec<usize> = inputs.iter().filter(|(_, a)| a.ndim() == 1).map(|(_, a)| a.len()).collect();
    case.error.is_none()
        && inputs.iter().all(|(_, a)| a.ndim() <= 1)
        && lens.first().is_some_and(|&n| n > 0 && lens.iter().all(|&m| m == n))
}

/// Engines may sum floats in another order: results that went through a float sum,
/// product or mean get a relative tolerance, scaled by the inputs' magnitude.
fn engine_tolerance(case: &Case, inputs: &[(String, Array)]) -> Tolerance {
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (n.as_str(), a.dtype())).collect();
    let float_reduction = Expr::parse(&case.expr).and_then(|e| e.compile(&sig)).ok().and_then(|c| {
        c.passes()
            .ok()?
            .reductions
            .iter()
            .filter(|r| matches!(r.op, "sum" | "prod" | "mean"))
            .filter_map(|r| r.program.output_dtype(None))
            .filter(|d| d.is_float())
            .min()
    });
    let reduction = float_reduction.map(|dtype| {
        let rtol = if dtype == DType::Float32 { REDUCTION_RTOL_F32 } else { REDUCTION_RTOL_F64 };
        (rtol, inputs.iter().map(|(_, a)| abs_sum(a)).sum::<f64>())
    });
    Tolerance { ulp: case.ulp.unwrap_or(0), reduction }
}

fn abs_sum(a: &Array) -> f64 {
    (0..a.len())
        .map(|i| match a.get(i) {
            Scalar::Bool(v) => f64::from(u8::from(v)),
            Scalar::Int32(v) => f64::from(v).abs(),
            Scalar::Int64(v) => (v as f64).abs(),
            Scalar::Float32(v) => f64::from(v).abs(),
            Scalar::Float64(v) => v.abs(),
        })
        .filter(|v| v.is_finite())
        .sum()
}

/// Compare an engine's outcome with the reference's on the same inputs.
fn agree(reference: &Outcome, got: &Outcome, tol: Tolerance, inputs: &[(String, Array)]) -> Result<(), String> {
    match (reference, got) {
        (Outcome::Values(want), Outcome::Values(got)) => {
            want.iter().zip(got).try_for_each(|(w, g)| compare(w, g, tol, inputs))
        }
        (Outcome::Error(w), Outcome::Error(g)) if w.kind == g.kind => Ok(()),
        _ => Err(format!("interpreter: {}\n  engine: {}", describe(reference), describe(got))),
    }
}

// ---------------------------------------------------------------------------------------
// The tests.

fn fail_with(failures: &[String], total: usize, what: &str) {
    if failures.is_empty() {
        return;
    }
    for f in failures {
        eprintln!("FAIL {f}\n");
    }
    panic!("{} of {total} {what} failed (listed above)", failures.len());
}

#[test]
fn corpus_holds_on_every_engine() {
    let cases = load();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        let inputs = case.inputs();
        for (engine, config) in engines() {
            runs += 1;
            let outcome = run(case, &inputs, &config);
            if let Err(diff) = check(case, &inputs, &outcome) {
                failures.push(format!("{} [{engine}]\n  {diff}", case.title()));
            }
        }
    }
    fail_with(&failures, runs, "case runs");
    assert_eq!(jitexpr::__private::simd_encode_bugs(), 0, "the SIMD emitter built code iced cannot encode");
}

#[test]
fn engines_agree_with_the_interpreter_on_awkward_lengths() {
    let cases = load();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        let original = case.inputs();
        if !tileable(case, &original) {
            continue;
        }
        let tol = engine_tolerance(case, &original);
        for len in AWKWARD_LENGTHS {
            for offset in OFFSETS {
                let inputs: Vec<(String, Array)> = original
                    .iter()
                    .map(|(n, a)| (n.clone(), if a.ndim() == 1 { tile(a, len, offset) } else { a.clone() }))
                    .collect();
                let want = run(case, &inputs, &reference());
                for (engine, config) in engines() {
                    runs += 1;
                    let got = run(case, &inputs, &config);
                    let result = match (&want, &got) {
                        (Outcome::Panic(p), _) | (_, Outcome::Panic(p)) => Err(format!("PANIC: {p}")),
                        _ => agree(&want, &got, tol, &inputs),
                    };
                    if let Err(diff) = result {
                        failures.push(format!("{} [{engine}, length {len}, offset {offset}]\n  {diff}", case.title()));
                    }
                }
            }
        }
    }
    fail_with(&failures, runs, "tiled runs");
}

#[test]
fn layouts_do_not_change_results() {
    let cases = load();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        let inputs = case.inputs();
        let relaid: Vec<Vec<Relaid>> = (0..LAYOUTS.len())
            .map(|j| {
                inputs.iter().enumerate().map(|(k, (_, a))| Relaid::new(a, LAYOUTS[(j + k) % LAYOUTS.len()])).collect()
            })
            .collect();
        for (engine, config) in engines() {
            let want = run(case, &inputs, &config);
            for (j, arrays) in relaid.iter().enumerate() {
                runs += 1;
                let views: Vec<(String, ArrayView<'_>)> =
                    inputs.iter().zip(arrays).map(|((n, _), r)| (n.clone(), r.view())).collect();
                let got = run_views(case, &views, &config);
                let result = match (&want, &got) {
                    (Outcome::Panic(p), _) | (_, Outcome::Panic(p)) => Err(format!("PANIC: {p}")),
                    _ => agree(&want, &got, Tolerance::default(), &inputs),
                };
                if let Err(diff) = result {
                    let kinds: Vec<String> =
                        (0..inputs.len()).map(|k| format!("{:?}", LAYOUTS[(j + k) % LAYOUTS.len()])).collect();
                    failures.push(format!("{} [{engine}, layouts {}]\n  {diff}", case.title(), kinds.join(", ")));
                }
            }
        }
    }
    fail_with(&failures, runs, "runs on other layouts");
}

const KINDS: [ErrorKind; 14] = [
    ErrorKind::Lex,
    ErrorKind::Parse,
    ErrorKind::Name,
    ErrorKind::Arity,
    ErrorKind::Type,
    ErrorKind::Shape,
    ErrorKind::Value,
    ErrorKind::Input,
    ErrorKind::Io,
    ErrorKind::Usage,
    ErrorKind::Limit,
    ErrorKind::Memory,
    ErrorKind::Thread,
    ErrorKind::Internal,
];

// ---------------------------------------------------------------------------------------
// `--math fast`: the engines agree with the interpreter on the same rewritten program, and
// the rewrites stay within their stated bounds of exact mode where a bound exists.

fn fast(config: EvalConfig) -> EvalConfig {
    EvalConfig { math: Math::Fast, ..config }
}

/// The case's inputs tiled to an awkward length when they can be, else as they are.
fn awkward_inputs(case: &Case) -> Vec<(String, Array)> {
    let inputs = case.inputs();
    if !tileable(case, &inputs) {
        return inputs;
    }
    inputs.iter().map(|(n, a)| (n.clone(), if a.ndim() == 1 { tile(a, 1025, 1) } else { a.clone() })).collect()
}

#[test]
fn fast_math_engines_agree_with_the_fast_interpreter() {
    let cases = load();
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        let inputs = awkward_inputs(case);
        let tol = engine_tolerance(case, &inputs);
        let want = run(case, &inputs, &fast(reference()));
        for (engine, config) in engines() {
            runs += 1;
            let got = run(case, &inputs, &fast(config));
            let result = match (&want, &got) {
                (Outcome::Panic(p), _) | (_, Outcome::Panic(p)) => Err(format!("PANIC: {p}")),
                _ => agree(&want, &got, tol, &inputs),
            };
            if let Err(diff) = result {
                failures.push(format!("{} [{engine}, --math fast]\n  {diff}", case.title()));
            }
        }
    }
    fail_with(&failures, runs, "fast-math runs");
}

/// Fast mode against exact mode, both on the interpreter. A case whose fast program has
/// no inexact rewrite must give the same bits; one whose only inexact rewrite is its
/// result node, of a class with an ulp bound (power chains, reciprocals), must stay
/// within it. The others are skipped on purpose: Horner form and FMA contraction have
/// no relative bound (cancellation near a root), and an error in an inner node can be
/// amplified by what follows it (`sin` of a large argument), so no per-rewrite bound
/// holds for the result.
#[test]
fn fast_math_stays_within_its_bounds_of_exact_mode() {
    let cases = load();
    let (mut same, mut bounded, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in cases.iter().filter(|c| c.error.is_none() && c.outputs.is_empty()) {
        let inputs = awkward_inputs(case);
        let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (n.as_str(), a.dtype())).collect();
        let Ok(compiled) = Expr::parse(&case.expr).and_then(|e| e.compile(&sig)) else { continue };
        let mut tol = engine_tolerance(case, &inputs);
        match compiled.fast_math_bound() {
            MathBound::Exact => same += 1,
            MathBound::Ulps(n) => {
                tol.ulp = u64::from(n);
                bounded += 1;
            }
            MathBound::Unbounded => {
                skipped += 1;
                continue;
            }
        }
        let want = run(case, &inputs, &reference());
        let got = run(case, &inputs, &fast(reference()));
        if let Err(diff) = agree(&want, &got, tol, &inputs) {
            failures.push(format!("{} [exact vs fast, tolerance {} ulp]\n  {diff}", case.title(), tol.ulp));
        }
    }
    eprintln!("fast vs exact: {same} cases identical, {bounded} within a rewrite's bound, {skipped} skipped");
    // The corpus has few powers and divisions by constants; `src/ir/opt/tests/fast.rs`
    // checks each rewrite class's bound on a million values.
    assert!(same > 0, "the corpus exercises the identity check");
    fail_with(&failures, same + bounded, "fast-vs-exact cases");
}

/// What is wrong with a case's definition, if anything.
fn lint(case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let has_values = case.expect.is_some() || !case.outputs.is_empty();
    match (&case.error, has_values) {
        (Some(_), true) => problems.push("has both `error` and expected values".to_string()),
        (None, false) => problems.push("has neither `error` nor `expect`/`outputs`".to_string()),
        _ => {}
    }
    if let Some(e) = &case.error {
        if !KINDS.iter().any(|k| k.as_str() == e.kind) {
            problems.push(format!("unknown error kind `{}`", e.kind));
        }
        if case.ulp.is_some() {
            problems.push("`ulp` on an error case".to_string());
        }
    }
    let arrays = case.inputs.iter().map(|(n, s)| (format!("input `{n}`"), s));
    let arrays = arrays.chain(case.expect.iter().map(|s| ("expect".to_string(), s)));
    let arrays = arrays.chain(case.outputs.iter().map(|(n, s)| (format!("output `{n}`"), s)));
    for (what, spec) in arrays {
        if let Err(e) = spec.to_array() {
            problems.push(format!("{what}: {e}"));
        }
    }
    problems
}

#[test]
fn corpus_is_well_formed() {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (file, parsed) in load_files() {
        let cases = match parsed {
            Ok(cases) => cases,
            Err(e) => {
                problems.push(format!("{file} does not parse: {e}"));
                continue;
            }
        };
        for case in cases {
            if let Some(first) = seen.insert(case.name.clone(), file.clone()) {
                problems.push(format!("{file}: case name `{}` is also used in {first}", case.name));
            }
            problems.extend(lint(&case).into_iter().map(|p| format!("{file}: {}: {p}", case.name)));
        }
    }
    assert!(!seen.is_empty(), "no corpus cases found");
    assert!(problems.is_empty(), "malformed corpus:\n{}", problems.join("\n"));
}

/// Whether `expr` calls `name` (as a whole identifier followed by `(`).
fn calls(expr: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    expr.match_indices(&pattern)
        .any(|(i, _)| expr[..i].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_')))
}

#[test]
fn corpus_calls_every_function() {
    let cases = load();
    let missing: Vec<&str> =
        jitexpr::function_names().into_iter().filter(|n| !cases.iter().any(|c| calls(&c.expr, n))).collect();
    assert!(missing.is_empty(), "no corpus case calls {missing:?}: add cases to tests/corpus/generate.py");
}

#[test]
fn signed_nan_inputs_keep_their_sign() {
    let spec: ArraySpec = toml::from_str("dtype = \"float64\"\ndata = [-nan, nan]").expect("valid TOML");
    let a = spec.to_array().expect("a float array");
    let v = a.as_slice::<f64>().expect("float64 data");
    assert!(v[0].is_nan() && v[0].is_sign_negative() && v[1].is_sign_positive(), "{v:?}");
}

#[test]
fn comparison_rules() {
    let exact = Tolerance::default();
    let ulp2 = Tolerance { ulp: 2, reduction: None };
    let f = |x: f64| Scalar::Float64(x);
    assert!(scalars_match(f(f64::NAN), f(-f64::NAN), exact));
    assert!(!scalars_match(f(0.0), f(-0.0), exact));
    assert!(scalars_match(f(0.0), f(-0.0), ulp2));
    assert!(scalars_match(f(1.0), f(1.0 + 2.0 * f64::EPSILON), ulp2));
    assert!(!scalars_match(f(1.0), f(1.0 + 4.0 * f64::EPSILON), ulp2));
    assert!(!scalars_match(f(f64::INFINITY), f(f64::MAX), ulp2));
    assert!(!scalars_match(f(1.0), f(f64::NAN), ulp2));
    assert!(scalars_match(Scalar::Float32(-1e-45), Scalar::Float32(1e-45), ulp2));
    assert!(!scalars_match(Scalar::Int32(1), Scalar::Int64(1), exact));
    assert!(calls("arcsin(a) + sin(b)", "sin") && !calls("arcsin(a)", "sin") && !calls("asin(a)", "sin"));
}
