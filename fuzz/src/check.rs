//! What each fuzz target checks on one input. Every check panics on a failure
//! (libFuzzer records the input as a crash; a replaying test fails), and never
//! on an input jitexpr rightly refuses with an `Error`.
//!
//! - [`compile_source`]: any text → parse → lower → optimize → fuse → codegen →
//!   run on tiny inputs, on the JIT and the interpreter, and the diagnostics
//!   rendered: nothing may panic.
//! - [`read_npy`]: any bytes → the `.npy` reader: an array or an error, never a
//!   panic; an array read writes back to bytes that read as the same array.
//! - [`differential`]: a generated [`Case`] on the interpreter and the JIT
//!   (fused, unfused, 1 and 2 threads), with its inputs in C order and in their
//!   own layout: every JIT run gives the same bits, every layout the same bits as
//!   C order, and the JIT the interpreter's bits, except after a float sum,
//!   product or mean (see [`Exactness`]).

use jitexpr::{Array, ArrayView, DType, Data, Engine, Error, EvalConfig, Expr, Order, Scalar};

use crate::gen::{Case, Exactness, Input, Placement};
use crate::layouts::Relaid;

/// The inputs `compile_source` programs may use: one per dtype, in shapes that
/// broadcast (and `e`, 0-d). Names a program does not use are fine.
fn tiny_inputs() -> Vec<(&'static str, Array)> {
    let f64s = Array::new(Data::Float64(vec![0.5, -1.0, f64::NAN, 3.0, 0.0, -0.0]), vec![2, 3]);
    vec![
        ("a", f64s.expect("2 x 3 holds 6")),
        ("b", Array::from_vec(vec![1.5f64, f64::INFINITY, -2.0])),
        ("c", Array::from_vec(vec![0.25f32, -7.0, 1e30])),
        ("i", Array::from_vec(vec![3i32, -2, i32::MIN])),
        ("j", Array::from_vec(vec![i64::MAX, 0, -5])),
        ("m", Array::from_vec(vec![true, false, true])),
        ("x", Array::scalar(Scalar::Float64(2.0))),
        ("y", Array::scalar(Scalar::Int32(7))),
    ]
}

/// Any text through every stage: errors are fine (and rendered), panics are not.
pub fn compile_source(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let expr = match Expr::parse(source) {
        Ok(expr) => expr,
        Err(e) => {
            let _ = e.render(source);
            return;
        }
    };
    let inputs = tiny_inputs();
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (*n, a.dtype())).collect();
    let compiled = match expr.compile(&sig) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.render(source);
            return;
        }
    };
    let named: Vec<(&str, &Array)> = inputs.iter().map(|(n, a)| (*n, a)).collect();
    let jit = EvalConfig { threads: Some(1), ..EvalConfig::default() };
    let _ = compiled.emit_opt(&[None]);
    let _ = compiled.emit_fused(&[None], &jit);
    for config in [jit, EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }] {
        if let Err(e) = compiled.eval_with(&named, &[None], &config) {
            let _ = e.render(source);
        }
    }
}

/// Any bytes through the `.npy` reader; what it reads must survive a round trip.
pub fn read_npy(data: &[u8]) {
    let Ok(array) = jitexpr::npy::read(data) else { return };
    let bytes = jitexpr::npy::write(&array);
    let again = jitexpr::npy::read(&bytes).expect("what the writer writes, the reader reads");
    assert_eq!(again.order(), array.order(), "the round trip keeps the memory order");
    assert!(same_bits(&array, &again), "the round trip keeps every bit\nread:  {array:?}\nagain: {again:?}");
    assert_eq!(again.view().to_array().shape(), array.shape());
}

/// Bitwise equality of two arrays' elements in index order (whatever their
/// memory order), any NaN equal to any NaN: the engines may swap the operands
/// of a commutative operation, and x86 returns the first NaN operand's payload.
pub fn same_bits(a: &Array, b: &Array) -> bool {
    a.dtype() == b.dtype()
        && a.shape() == b.shape()
        && (0..a.len()).all(|i| match (a.get(i), b.get(i)) {
            (Scalar::Float64(x), Scalar::Float64(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            (Scalar::Float32(x), Scalar::Float32(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            (x, y) => x == y,
        })
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

/// The rule of `tests/jit.rs` for results of a reordered float sum: equal up to
/// `rtol` of the larger magnitude plus `scale` (the sum of the finite
/// magnitudes that were summed); NaN equals NaN, and also a 0 or an infinity
/// that another order of an overflowing sum or product gives. When the summed
/// values can overflow (`scale` is infinite) any order may give infinity.
fn close(a: &Array, b: &Array, scale: f64) -> bool {
    let rtol = if a.dtype() == DType::Float32 { 1e-4 } else { 1e-11 };
    let reordered_nan = |p: f64, q: f64| p.is_nan() && (q == 0.0 || q.is_infinite());
    let overflow = |p: f64, q: f64| p.is_infinite() && (scale.is_infinite() || q.abs() * 2.0 >= f64::MAX);
    a.dtype() == b.dtype()
        && a.shape() == b.shape()
        && (0..a.len()).all(|i| {
            let (x, y) = (as_f64(a.get(i)), as_f64(b.get(i)));
            (x.is_nan() && y.is_nan())
                || x == y
                || reordered_nan(x, y)
                || reordered_nan(y, x)
                || overflow(x, y)
                || overflow(y, x)
                || (x - y).abs() <= rtol * (x.abs().max(y.abs()) + scale)
        })
}

/// The sum of the finite magnitudes of an array's elements.
fn magnitude(a: &Array) -> f64 {
    (0..a.len()).map(|i| as_f64(a.get(i)).abs()).filter(|v| v.is_finite()).sum()
}

/// An input in its placement: the buffer and the view's strides and offset.
enum Placed {
    Relaid(Relaid),
    Repeated { buffer: Array, strides: Vec<isize> },
    C,
}

impl Placed {
    fn new(input: &Input) -> Placed {
        let a = &input.array;
        match input.placement {
            Placement::Layout(layout) => Placed::Relaid(Relaid::new(a, layout)),
            Placement::Repeated if a.ndim() > 0 && a.shape()[0] > 0 => {
                let slice = a.len() / a.shape()[0];
                let mut strides = vec![0isize; a.ndim()];
                let mut step = 1isize;
                for (s, &d) in strides.iter_mut().zip(a.shape()).skip(1).rev() {
                    *s = step;
                    step *= d as isize;
                }
                let head: Vec<Scalar> = (0..slice).map(|i| a.get(i)).collect();
                let buffer = Array::new(from_scalars(a.dtype(), &head), vec![slice]).expect("1-d");
                Placed::Repeated { buffer, strides }
            }
            Placement::Repeated => Placed::C,
        }
    }

    fn view<'a>(&'a self, input: &'a Input) -> ArrayView<'a> {
        match self {
            Placed::Relaid(r) => r.view(),
            Placed::C => input.array.view(),
            Placed::Repeated { buffer, strides } => {
                let shape = input.array.shape();
                match buffer.data() {
                    Data::Bool(v) => ArrayView::new(v, shape, strides, 0),
                    Data::Int32(v) => ArrayView::new(v, shape, strides, 0),
                    Data::Int64(v) => ArrayView::new(v, shape, strides, 0),
                    Data::Float32(v) => ArrayView::new(v, shape, strides, 0),
                    Data::Float64(v) => ArrayView::new(v, shape, strides, 0),
                }
                .expect("a repeated view stays inside its slice")
            }
        }
    }
}

fn from_scalars(dtype: DType, v: &[Scalar]) -> Data {
    match dtype {
        DType::Bool => Data::Bool(v.iter().map(|s| matches!(s, Scalar::Bool(true))).collect()),
        DType::Int32 => Data::Int32(v.iter().map(|s| if let Scalar::Int32(x) = s { *x } else { 0 }).collect()),
        DType::Int64 => Data::Int64(v.iter().map(|s| if let Scalar::Int64(x) = s { *x } else { 0 }).collect()),
        DType::Float32 => Data::Float32(v.iter().map(|s| if let Scalar::Float32(x) = s { *x } else { 0.0 }).collect()),
        DType::Float64 => Data::Float64(v.iter().map(|s| if let Scalar::Float64(x) = s { *x } else { 0.0 }).collect()),
    }
}

/// The engine configurations a case runs on: the interpreter first, then the
/// JIT fused and optimized (what users run) and unfused, each on 1 and 2 threads.
fn configs(case: &Case) -> Vec<(&'static str, EvalConfig)> {
    let jit = |fuse: bool, optimize: bool, threads: usize| EvalConfig {
        engine: Engine::Jit,
        fuse,
        optimize,
        threads: Some(threads),
        chunk: case.chunk,
        ..EvalConfig::default()
    };
    vec![
        ("interp", EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }),
        ("jit-1t", jit(true, true, 1)),
        ("jit-2t", jit(true, true, 2)),
        ("jit-unfused-1t", jit(false, case.unfused_optimize, 1)),
        ("jit-unfused-2t", jit(false, case.unfused_optimize, 2)),
    ]
}

type Outcome = Result<Vec<Array>, Error>;

fn same_outcome(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_bits(p, q)),
        (Err(x), Err(y)) => (x.kind, &x.message, x.span) == (y.kind, &y.message, y.span),
        _ => false,
    }
}

/// Run a differential case; panics with the case and both outcomes when two
/// runs disagree.
pub fn differential(case: &Case) {
    let sig: Vec<(&str, DType)> = case.inputs.iter().map(|i| (i.name.as_str(), i.array.dtype())).collect();
    // Compile errors come before any engine runs: nothing to compare.
    let Ok(compiled) = Expr::parse(&case.source).and_then(|e| e.compile(&sig)) else { return };
    let outputs: Vec<Option<&str>> = case.outputs.iter().map(|o| o.as_deref()).collect();
    let placed: Vec<Placed> = case.inputs.iter().map(Placed::new).collect();
    let c_views: Vec<(&str, ArrayView<'_>)> = case.inputs.iter().map(|i| (i.name.as_str(), i.array.view())).collect();
    let views: Vec<(&str, ArrayView<'_>)> =
        case.inputs.iter().zip(&placed).map(|(i, p)| (i.name.as_str(), p.view(i))).collect();
    let fail = |what: String| -> ! {
        panic!("{what}\nsource:\n{}\ncase: {case:#?}", case.source);
    };

    let mut runs: Vec<(&str, Outcome)> = Vec::new();
    for (name, config) in configs(case) {
        let c_order = compiled.eval_views_with(&c_views, &outputs, &config);
        let laid = compiled.eval_views_with(&views, &outputs, &config);
        if !same_outcome(&c_order, &laid) {
            fail(format!("[{name}] layouts change the outcome\nC order: {c_order:?}\nlayouts: {laid:?}"));
        }
        if let Ok(values) = &c_order {
            for (value, output) in values.iter().zip(&outputs) {
                if Some(value.dtype()) != compiled.output_dtype(*output) || value.order() != Order::C {
                    fail(format!(
                        "[{name}] output {output:?} is not the C-order {:?} compiled",
                        compiled.output_dtype(*output)
                    ));
                }
            }
        }
        runs.push((name, c_order));
    }

    let (_, want) = &runs[0];
    let (first_jit, first) = &runs[1];
    for (name, got) in &runs[2..] {
        if !same_outcome(first, got) {
            fail(format!("JIT configurations disagree\n[{first_jit}]: {first:?}\n[{name}]: {got:?}"));
        }
    }
    match (want, first) {
        (Err(_), Err(_)) if same_outcome(want, first) => {}
        (Ok(w), Ok(g)) => {
            for ((w, g), (exact, output)) in w.iter().zip(g).zip(case.exactness.iter().zip(&outputs)) {
                let agree = match exact {
                    Exactness::Exact => same_bits(w, g),
                    Exactness::Reordered { argument } => close(w, g, argument_magnitude(argument, &sig, &c_views)),
                    Exactness::Unbounded => w.dtype() == g.dtype() && w.shape() == g.shape(),
                };
                if !agree {
                    fail(format!("output {output:?} ({exact:?}): the JIT differs from the interpreter\ninterp: {w:?}\njit:    {g:?}"));
                }
            }
        }
        _ => fail(format!("the engines disagree\ninterp: {want:?}\n[{first_jit}]: {first:?}")),
    }

    // The same values written into caller-provided arrays.
    if let Ok(values) = first {
        let mut outs: Vec<Array> =
            values.iter().map(|v| Array::zeros(v.dtype(), v.shape().to_vec()).expect("small")).collect();
        let mut slots: Vec<(Option<&str>, &mut Array)> = outputs.iter().copied().zip(outs.iter_mut()).collect();
        let inputs: Vec<(&str, &Array)> = case.inputs.iter().map(|i| (i.name.as_str(), &i.array)).collect();
        let (_, config) = configs(case).swap_remove(1);
        if let Err(e) = compiled.eval_into(&inputs, &mut slots, &config) {
            fail(format!("eval_into fails where eval_with succeeds: {e:?}"));
        }
        if !values.iter().zip(&outs).all(|(v, o)| same_bits(v, o)) {
            fail(format!("eval_into differs from eval_with\neval_with: {values:?}\neval_into: {outs:?}"));
        }
    }
}

/// The magnitude of a reduced argument: the interpreter's value of `argument`.
fn argument_magnitude(argument: &str, sig: &[(&str, DType)], inputs: &[(&str, ArrayView<'_>)]) -> f64 {
    let interp = EvalConfig { engine: Engine::Interp, ..EvalConfig::default() };
    let value = Expr::parse(argument)
        .and_then(|e| e.compile(sig))
        .and_then(|c| c.eval_views_with(inputs, &[None], &interp))
        .unwrap_or_else(|e| panic!("the argument of a reduction that ran fails alone: {e:?}\n{argument}"));
    magnitude(&value[0])
}
