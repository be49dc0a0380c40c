//! Interpreter tests on hand-built programs: every operator, function and cast on
//! every allowed dtype against NumPy's results (`numpy_cases.rs`; `fma`, which
//! NumPy lacks, against exact rationals in `fma_cases.rs`), reductions,
//! broadcasting, errors, output handling and the memory discipline.

mod fma_cases;
mod numpy_cases;
mod source;

use super::testing::{arr, eval1, Builder};
use super::{eval, eval_node, run, Stats};
use crate::array::{Array, Data};
use crate::diag::{ErrorKind, Span};
use crate::ir::ops::{BinaryOp, Func, FuncRule, ReduceOp, UnaryOp};
use crate::ir::NodeId;
use crate::types::{DType, Scalar};
use numpy_cases::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Binary,
    Unary,
    Call,
    Cast,
}

/// One operation on one dtype with NumPy's result. `name` is the ufunc, function
/// or (for casts) target dtype name; `dtype` the operand dtype.
pub(super) struct Case {
    pub kind: Kind,
    pub name: &'static str,
    pub dtype: DType,
    pub expect: Data,
}

pub(super) struct ReduceCase {
    pub op: &'static str,
    pub dtype: DType,
    pub shape: &'static [usize],
    pub axis: Option<i64>,
    pub out_shape: &'static [usize],
    pub expect: Data,
}

fn edge(dt: DType) -> Array {
    match dt {
        DType::Bool => Array::from_vec(EDGE_BOOL.to_vec()),
        DType::Int32 => Array::from_vec(EDGE_INT32.to_vec()),
        DType::Int64 => Array::from_vec(EDGE_INT64.to_vec()),
        DType::Float32 => Array::from_vec(EDGE_FLOAT32.to_vec()),
        DType::Float64 => Array::from_vec(EDGE_FLOAT64.to_vec()),
    }
}

fn clip_bounds(dt: DType) -> Array {
    match dt {
        DType::Bool => Array::from_vec(CLIP_BOOL.to_vec()),
        DType::Int32 => Array::from_vec(CLIP_INT32.to_vec()),
        DType::Int64 => Array::from_vec(CLIP_INT64.to_vec()),
        DType::Float32 => Array::from_vec(CLIP_FLOAT32.to_vec()),
        DType::Float64 => Array::from_vec(CLIP_FLOAT64.to_vec()),
    }
}

fn reshaped(a: Array, shape: &[usize]) -> Array {
    a.reshape(shape.to_vec()).expect("test reshape keeps the size")
}

/// `a` as a column `(n, 1)`.
fn column(a: Array) -> Array {
    let n = a.len();
    reshaped(a, &[n, 1])
}

/// Evaluate one case: build the one-node program and run it on the edge inputs.
fn run_case(c: &Case) -> Array {
    let dt = c.dtype;
    let mut b = Builder::new();
    let x = b.input("x", dt);
    match c.kind {
        Kind::Unary => {
            let op = UnaryOp::ALL.into_iter().find(|o| o.name() == c.name).expect("unary op name");
            let r = b.unary(op, x);
            eval1(&b.build(r), &[&edge(dt)])
        }
        Kind::Cast => {
            let r = b.cast(x, DType::from_name(c.name).expect("dtype name"));
            eval1(&b.build(r), &[&edge(dt)])
        }
        Kind::Binary => {
            let op = BinaryOp::ALL.into_iter().find(|o| o.name() == c.name).expect("binary op name");
            let y = b.input("y", dt);
            let r = b.binary(op, x, y);
            let rhs = match (op, dt) {
                (BinaryOp::Pow, DType::Int32) => Array::from_vec(EXPONENT_INT32.to_vec()),
                (BinaryOp::Pow, DType::Int64) => Array::from_vec(EXPONENT_INT64.to_vec()),
                _ => edge(dt),
            };
            eval1(&b.build(r), &[&column(edge(dt)), &rhs])
        }
        Kind::Call => run_call(c, b, x),
    }
    .unwrap_or_else(|e| panic!("{} on {dt}: {e}", c.name))
}

fn run_call(c: &Case, mut b: Builder, x: NodeId) -> crate::Result<Array> {
    let dt = c.dtype;
    let f = Func::ALL.into_iter().find(|f| f.info().name == c.name).expect("function name");
    match f {
        Func::Where => {
            let cond = b.input("c", DType::Bool);
            let y = b.input("y", dt);
            let r = b.call(f, &[cond, x, y]);
            let mut rev = edge(dt);
            rev = reversed(&rev);
            let c2 = arr(vec![true, false], &[2, 1]);
            let p = b.build(r);
            // Inputs are in declaration order: x, c, y.
            eval1(&p, &[&edge(dt), &c2, &rev])
        }
        Func::Fma => {
            let (y, z) = (b.input("y", dt), b.input("z", dt));
            let r = b.call(f, &[x, y, z]);
            let n = edge(dt).len();
            let xs = reshaped(edge(dt), &[n, 1, 1]);
            let zs = match dt {
                DType::Float32 => Array::from_vec(fma_cases::FMA_ADDEND_FLOAT32.to_vec()),
                _ => Array::from_vec(fma_cases::FMA_ADDEND_FLOAT64.to_vec()),
            };
            eval1(&b.build(r), &[&xs, &column(edge(dt)), &zs])
        }
        Func::Clip => {
            let (lo, hi) = (b.input("lo", dt), b.input("hi", dt));
            let r = b.call(f, &[x, lo, hi]);
            let n = edge(dt).len();
            let xs = reshaped(edge(dt), &[n, 1, 1]);
            eval1(&b.build(r), &[&xs, &column(clip_bounds(dt)), &clip_bounds(dt)])
        }
        _ if f.info().arity == 2 => {
            let y = b.input("y", dt);
            let r = b.call(f, &[x, y]);
            eval1(&b.build(r), &[&column(edge(dt)), &edge(dt)])
        }
        _ => {
            let r = b.call(f, &[x]);
            eval1(&b.build(r), &[&edge(dt)])
        }
    }
}

fn reversed(a: &Array) -> Array {
    let n = a.len();
    let idx: Vec<usize> = (0..n).rev().collect();
    match a.data() {
        Data::Bool(v) => Array::from_vec(idx.iter().map(|&i| v[i]).collect()),
        Data::Int32(v) => Array::from_vec(idx.iter().map(|&i| v[i]).collect()),
        Data::Int64(v) => Array::from_vec(idx.iter().map(|&i| v[i]).collect()),
        Data::Float32(v) => Array::from_vec(idx.iter().map(|&i| v[i]).collect()),
        Data::Float64(v) => Array::from_vec(idx.iter().map(|&i| v[i]).collect()),
    }
}

/// Compare element by element: ints and bools exactly, floats to the same bits
/// (any NaN equals any NaN), or within `ulps` for transcendental functions.
fn compare(got: &Data, want: &Data, ulps: u64) -> Result<(), String> {
    fn floats<T: Copy + std::fmt::Debug>(
        got: &[T],
        want: &[T],
        bits: impl Fn(T) -> (u64, bool, bool),
        ulps: u64,
    ) -> Result<(), String> {
        if got.len() != want.len() {
            return Err(format!("length {} != {}", got.len(), want.len()));
        }
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let ((gb, gnan, gneg), (wb, wnan, wneg)) = (bits(g), bits(w));
            let ok = gb == wb || (gnan && wnan) || (!gnan && !wnan && gneg == wneg && gb.abs_diff(wb) <= ulps);
            if !ok {
                return Err(format!("element {i}: got {g:?}, NumPy gives {w:?}"));
            }
        }
        Ok(())
    }
    match (got, want) {
        (Data::Float32(g), Data::Float32(w)) => {
            floats(g, w, |v: f32| (v.to_bits() as u64, v.is_nan(), v.is_sign_negative()), ulps)
        }
        (Data::Float64(g), Data::Float64(w)) => {
            floats(g, w, |v: f64| (v.to_bits(), v.is_nan(), v.is_sign_negative()), ulps)
        }
        (g, w) if g == w => Ok(()),
        (g, w) => Err(format!("got {g:?}, NumPy gives {w:?}")),
    }
}

/// Last-bit differences allowed against NumPy: its array loops use SIMD math
/// (SVML on AVX-512, its own float32 kernels) where we call the C library.
fn ulps_for(c: &Case) -> u64 {
    let transcendental = match c.kind {
        Kind::Binary => c.name == "power",
        Kind::Call => {
            let f = Func::ALL.into_iter().find(|f| f.info().name == c.name).expect("function name");
            let math = f.info().rule == FuncRule::Math || f == Func::FloatPower;
            math && !matches!(f, Func::Sqrt | Func::Rint | Func::Copysign | Func::Nextafter | Func::Fma)
        }
        Kind::Unary | Kind::Cast => false,
    };
    if transcendental {
        4
    } else {
        0
    }
}

#[test]
fn every_operation_on_every_dtype_matches_numpy() {
    let mut failures = vec![];
    for c in cases().into_iter().chain(fma_cases::cases()) {
        let got = run_case(&c);
        if let Err(e) = compare(got.data(), &c.expect, ulps_for(&c)) {
            failures.push(format!("{:?} {} on {}: {e}", c.kind, c.name, c.dtype));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_numpy_cases_cover_every_allowed_operation() {
    let all = cases().into_iter().chain(fma_cases::cases());
    let have: Vec<(Kind, &str, DType)> = all.map(|c| (c.kind, c.name, c.dtype)).collect();
    let has = |k, n, d| have.contains(&(k, n, d));
    for dt in DType::ALL {
        for op in BinaryOp::ALL {
            let allowed = op.compute(dt).is_ok_and(|(compute, _)| compute == dt);
            assert_eq!(has(Kind::Binary, op.name(), dt), allowed, "{} on {dt}", op.name());
        }
        for op in UnaryOp::ALL {
            assert_eq!(has(Kind::Unary, op.name(), dt), op.result(dt).is_ok(), "{} on {dt}", op.name());
        }
        for f in Func::ALL {
            let info = f.info();
            let allowed = info.rule.compute(info.name, dt).is_ok_and(|(compute, _)| compute == dt);
            assert_eq!(has(Kind::Call, f.info().name, dt), allowed, "{} on {dt}", f.info().name);
        }
        for to in DType::ALL {
            assert!(has(Kind::Cast, to.name(), dt), "cast {dt} -> {to}");
        }
    }
}

/// The reduction inputs of `numpy_cases.rs`, from the element index.
fn reduce_input(dt: DType, shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let i = 0..n as i64;
    let data = match dt {
        DType::Bool => Data::Bool(i.map(|i| i % 3 == 0).collect()),
        DType::Int32 => Data::Int32(i.map(|i| (i * 7 % 11 - 5) as i32).collect()),
        DType::Int64 => Data::Int64(i.map(|i| i * 7 % 11 - 5).collect()),
        DType::Float32 => Data::Float32(i.map(|i| (i as f64 * 0.7 - 5.0) as f32).collect()),
        DType::Float64 => Data::Float64(i.map(|i| i as f64 * 0.7 - 5.0).collect()),
    };
    Array::new(data, shape.to_vec()).expect("shape matches")
}

#[test]
fn reductions_match_numpy() {
    let mut failures = vec![];
    for c in reduce_cases() {
        let op = ReduceOp::ALL.into_iter().find(|r| r.name() == c.op).expect("reduce name");
        let mut b = Builder::new();
        let x = b.input("x", c.dtype);
        let r = b.reduce(op, x, c.axis);
        let got = eval1(&b.build(r), &[&reduce_input(c.dtype, c.shape)]).expect("reduction evaluates");
        let what = format!("{} {} {:?} axis {:?}", c.op, c.dtype, c.shape, c.axis);
        if got.shape() != c.out_shape {
            failures.push(format!("{what}: shape {:?}, NumPy gives {:?}", got.shape(), c.out_shape));
        } else if let Err(e) = compare(got.data(), &c.expect, 0) {
            failures.push(format!("{what}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn float32_sum_of_twenty_million_ones_is_exact() {
    // Sequential float32 accumulation would stop at 2^24 = 16777216.
    let mut b = Builder::new();
    let x = b.input("x", DType::Float32);
    let s = b.reduce(ReduceOp::Sum, x, None);
    let m = b.reduce(ReduceOp::Mean, x, None);
    let p = b.build(s);
    let ones = Array::from_vec(vec![1.0f32; 20_000_000]);
    let out = eval(&p, &[&ones], &[s, m]).expect("sum evaluates");
    assert_eq!(out[0].as_slice::<f32>(), Some(&[2e7f32][..]));
    assert_eq!(out[1].as_slice::<f32>(), Some(&[1.0f32][..]));
}

#[test]
fn float_sum_along_first_axis_is_pairwise() {
    // 2e7 rows of one column: the non-last-axis path must be pairwise too.
    let mut b = Builder::new();
    let x = b.input("x", DType::Float32);
    let s = b.reduce(ReduceOp::Sum, x, Some(0));
    let ones = arr(vec![1.0f32; 20_000_000], &[10_000_000, 2]);
    let out = eval1(&b.build(s), &[&ones]).expect("sum evaluates");
    assert_eq!(out.as_slice::<f32>(), Some(&[1e7f32, 1e7][..]));
}

#[test]
fn min_max_propagate_nan_and_sum_of_negative_zeros_is_zero() {
    let x = Array::from_vec(vec![1.0, f64::NAN, -3.0]);
    for op in [ReduceOp::Min, ReduceOp::Max] {
        let mut b = Builder::new();
        let i = b.input("x", DType::Float64);
        let r = b.reduce(op, i, None);
        let got = eval1(&b.build(r), &[&x]).expect("evaluates");
        assert!(got.as_slice::<f64>().expect("f64")[0].is_nan(), "{op:?}");
    }
    let mut b = Builder::new();
    let i = b.input("x", DType::Float64);
    let r = b.reduce(ReduceOp::Sum, i, Some(-1));
    let zeros = arr(vec![-0.0f64; 20], &[2, 10]);
    let got = eval1(&b.build(r), &[&zeros]).expect("evaluates");
    assert!(got.as_slice::<f64>().expect("f64").iter().all(|v| v.to_bits() == 0), "np.sum gives +0.0");
}

/// `x op y` evaluated on two float64 arrays.
fn binary_f64(op: BinaryOp, x: &Array, y: &Array) -> crate::Result<Array> {
    let mut b = Builder::new();
    let (i, j) = (b.input("x", DType::Float64), b.input("y", DType::Float64));
    let r = b.binary(op, i, j);
    eval1(&b.build(r), &[x, y])
}

/// An f64 array `0, 1, 2, ...` of a shape.
fn iota(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    arr((0..n).map(|i| i as f64).collect(), shape)
}

/// The reference: broadcast by explicit index arithmetic, one element at a time.
fn naive_add(a: &Array, b: &Array, out: &[usize]) -> Vec<f64> {
    let (av, bv) = (a.as_slice::<f64>().expect("f64"), b.as_slice::<f64>().expect("f64"));
    let n: usize = out.iter().product();
    let at = |v: &[f64], shape: &[usize], flat: usize| {
        let (mut rem, mut off, mut stride) = (flat, 0, 1);
        for (k, &d) in out.iter().enumerate().rev() {
            let idx = rem % d;
            rem /= d;
            let lead = out.len() - shape.len();
            if k >= lead {
                let sd = shape[k - lead];
                if sd != 1 {
                    off += idx * stride;
                }
                stride *= sd;
            }
        }
        v[off]
    };
    (0..n).map(|f| at(av, a.shape(), f) + at(bv, b.shape(), f)).collect()
}

#[test]
fn broadcasting_matches_index_arithmetic() {
    let table: [(&[usize], &[usize], &[usize]); 9] = [
        (&[300, 200], &[200], &[300, 200]),
        (&[300, 1], &[300, 200], &[300, 200]),
        (&[50, 1, 7], &[4, 1], &[50, 4, 7]),
        (&[2, 1, 3, 1], &[5, 1, 4], &[2, 5, 3, 4]),
        (&[3, 4], &[], &[3, 4]),
        (&[], &[3, 4], &[3, 4]),
        (&[1, 1], &[1], &[1, 1]),
        (&[0, 3], &[3], &[0, 3]),
        (&[4, 1, 1], &[1, 1, 6], &[4, 1, 6]),
    ];
    for (sa, sb, out) in table {
        let (a, b) = (iota(sa), iota(sb));
        let got = binary_f64(BinaryOp::Add, &a, &b).expect("broadcasts");
        assert_eq!(got.shape(), out, "{sa:?} + {sb:?}");
        assert_eq!(got.as_slice::<f64>().expect("f64"), &naive_add(&a, &b, out)[..], "{sa:?} + {sb:?}");
    }
}

#[test]
fn incompatible_shapes_are_a_shape_error_at_the_node() {
    let err = binary_f64(BinaryOp::Add, &iota(&[3]), &iota(&[4])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert_eq!(err.message, "operands could not be broadcast together with shapes (3,) (4,)");
    assert_eq!(err.span, Some(Span::new(2, 3)));
}

#[test]
fn reduction_errors_follow_numpy() {
    let reduce = |op, axis, x: &Array| {
        let mut b = Builder::new();
        let i = b.input("x", DType::Float64);
        let r = b.reduce(op, i, axis);
        eval1(&b.build(r), &[x])
    };
    let err = reduce(ReduceOp::Sum, Some(2), &iota(&[2, 3])).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::Shape, "axis 2 is out of bounds for array of dimension 2")
    );
    assert_eq!(err.span, Some(Span::new(1, 2)));
    let err = reduce(ReduceOp::Sum, Some(-3), &iota(&[2, 3])).unwrap_err();
    assert_eq!(err.message, "axis -3 is out of bounds for array of dimension 2");
    let err = reduce(ReduceOp::Max, None, &iota(&[0, 3])).unwrap_err();
    assert_eq!(err.message, "zero-size array to reduction operation maximum which has no identity");
    let err = reduce(ReduceOp::Min, Some(1), &iota(&[2, 0])).unwrap_err();
    assert_eq!(err.message, "zero-size array to reduction operation minimum which has no identity");
    // An empty output needs no identity: NumPy returns an empty array.
    assert_eq!(reduce(ReduceOp::Min, Some(0), &iota(&[3, 0])).expect("empty result").shape(), &[0]);
    let mean = reduce(ReduceOp::Mean, None, &iota(&[0])).expect("mean of nothing");
    assert!(mean.as_slice::<f64>().expect("f64")[0].is_nan());
}

#[test]
fn constants_and_chained_ops_over_0d_and_empty_arrays() {
    // (x * 2.0 + 1.0) > 4.0 on a 0-d, an empty and a 2-d array.
    let mut b = Builder::new();
    let x = b.input("x", DType::Float64);
    let two = b.constant(Scalar::Float64(2.0));
    let one = b.constant(Scalar::Float64(1.0));
    let four = b.constant(Scalar::Float64(4.0));
    let m = b.binary(BinaryOp::Mul, x, two);
    let a = b.binary(BinaryOp::Add, m, one);
    let r = b.binary(BinaryOp::Gt, a, four);
    let p = b.build(r);
    let got = eval1(&p, &[&Array::scalar(Scalar::Float64(2.0))]).expect("0-d");
    assert_eq!((got.shape(), got.as_slice::<bool>()), (&[][..], Some(&[true][..])));
    let got = eval1(&p, &[&arr(Vec::<f64>::new(), &[0, 5])]).expect("empty");
    assert_eq!((got.shape(), got.len()), (&[0, 5][..], 0));
    let got = eval1(&p, &[&iota(&[2, 2])]).expect("2-d");
    assert_eq!(got.as_slice::<bool>(), Some(&[false, false, true, true][..]));
}

#[test]
fn only_needed_nodes_are_evaluated() {
    // `bad = x + y` does not broadcast, but the requested output does not need it.
    let mut b = Builder::new();
    let x = b.input("x", DType::Float64);
    let y = b.input("y", DType::Float64);
    let bad = b.binary(BinaryOp::Add, x, y);
    b.name("bad", bad);
    let good = b.call(Func::Sqrt, &[x]);
    b.name("good", good);
    let p = b.build(good);
    let got = eval1(&p, &[&iota(&[3]), &iota(&[4])]).expect("bad is not needed");
    assert_eq!(got.as_slice::<f64>(), Some(&[0.0, 1.0, 2f64.sqrt()][..]));
    assert!(eval(&p, &[&iota(&[3]), &iota(&[4])], &[bad]).is_err());
}

#[test]
fn outputs_may_repeat_and_may_be_inputs() {
    let mut b = Builder::new();
    let x = b.input("x", DType::Int64);
    let n = b.unary(UnaryOp::Neg, x);
    let p = b.build(n);
    let xs = Array::from_vec(vec![1i64, -2]);
    let out = eval(&p, &[&xs], &[n, x, n]).expect("evaluates");
    assert_eq!(out[0].as_slice::<i64>(), Some(&[-1, 2][..]));
    assert_eq!(out[1], xs);
    assert_eq!(out[2], out[0]);
}

#[test]
fn temporaries_are_freed_after_their_last_use() {
    // ((((x + 1) + 1) + 1) ... ) twenty deep: two temporaries live at a time at most
    // (the previous link while the next is computed), plus the constant.
    let mut b = Builder::new();
    let x = b.input("x", DType::Float64);
    let one = b.constant(Scalar::Float64(1.0));
    let mut v = x;
    for _ in 0..20 {
        v = b.binary(BinaryOp::Add, v, one);
    }
    let p = b.build(v);
    let mut stats = Stats::default();
    let out = run(&p, &[iota(&[1000]).view()], &[v], &mut stats).expect("evaluates");
    assert_eq!(out[0].as_slice::<f64>().expect("f64")[999], 1019.0);
    assert_eq!(stats.peak, 3, "constant + previous link + new link");
    assert_eq!(stats.live, 1, "only the output remains");
}

#[test]
fn eval_node_folds_one_node() {
    let mut b = Builder::new();
    let x = b.constant(Scalar::Int32(7));
    let y = b.constant(Scalar::Int32(-2));
    let r = b.binary(BinaryOp::FloorDiv, x, y);
    let p = b.build(r);
    let args = [Array::scalar(Scalar::Int32(7)), Array::scalar(Scalar::Int32(-2))];
    let got = eval_node(p.node(r), &[&args[0], &args[1]]).expect("folds");
    assert_eq!(got, Array::scalar(Scalar::Int32(-4)));
}

#[test]
fn wrong_input_dtype_is_an_input_error() {
    let mut b = Builder::new();
    let x = b.input("x", DType::Float64);
    let p = b.build(x);
    let err = eval1(&p, &[&Array::from_vec(vec![1i32])]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
}
