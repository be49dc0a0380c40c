//! Edge-case tables for the scalar semantics. Every expected value below was
//! computed with NumPy 2.4 (`np.floor_divide`, `np.remainder`, ... on arrays of
//! the given dtype) and pasted in as a literal; the tests do not need Python.

use super::*;
use crate::ir::ops::{BinaryOp, Func};
use crate::types::DType;

/// The float64 scalar function of `f`'s row, the one the JIT calls by address
/// (inline operations by their scalar definition).
fn math1_f64(f: Func) -> Option<Box<dyn Fn(f64) -> f64>> {
    Some(match func_impl(f).float? {
        FloatImpl::Call1(d, _) => Box::new(move |x| d(x)),
        FloatImpl::Op(Builtin::Sqrt) => Box::new(<f64 as Float>::sqrt),
        FloatImpl::Op(Builtin::Rint) => Box::new(<f64 as Float>::rint),
        FloatImpl::Op(_) | FloatImpl::Call2(..) => return None,
    })
}

fn math1_f32(f: Func) -> Option<Box<dyn Fn(f32) -> f32>> {
    Some(match func_impl(f).float? {
        FloatImpl::Call1(_, s) => Box::new(move |x| s(x)),
        FloatImpl::Op(Builtin::Rint) => Box::new(<f32 as Float>::rint),
        FloatImpl::Op(_) | FloatImpl::Call2(..) => return None,
    })
}

fn math2_f64(f: Func) -> Option<Box<dyn Fn(f64, f64) -> f64>> {
    Some(match func_impl(f).float? {
        FloatImpl::Call2(d, _) => Box::new(move |a, b| d(a, b)),
        FloatImpl::Op(Builtin::Copysign) => Box::new(<f64 as Float>::copysign),
        FloatImpl::Op(_) | FloatImpl::Call1(..) => return None,
    })
}

fn math2_f32(f: Func) -> Option<F32Fn2> {
    match func_impl(f).float? {
        FloatImpl::Call2(_, s) => Some(s),
        FloatImpl::Op(_) | FloatImpl::Call1(..) => None,
    }
}

fn binop_f64(op: BinaryOp) -> Option<F64Fn2> {
    binary_impl(op).0.map(|(d, _)| d)
}

fn binop_f32(op: BinaryOp) -> Option<F32Fn2> {
    binary_impl(op).0.map(|(_, s)| s)
}

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// Same bits, or both NaN (NumPy does not pin NaN payloads or signs).
fn same64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn same32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Within `ulps` units in the last place (same sign), or [`same64`]. Transcendental
/// functions get 1: on AVX-512 machines NumPy's array loops use SVML, which differs
/// from the C library (what std calls, and what NumPy's scalars give) in the last bit.
fn near64(a: f64, b: f64, ulps: u64) -> bool {
    same64(a, b) || (a.is_sign_negative() == b.is_sign_negative() && a.to_bits().abs_diff(b.to_bits()) <= ulps)
}

fn near32(a: f32, b: f32, ulps: u32) -> bool {
    same32(a, b) || (a.is_sign_negative() == b.is_sign_negative() && a.to_bits().abs_diff(b.to_bits()) <= ulps)
}

fn check_table64(name: &str, vals: &[f64], table: &[[f64; 12]; 12], f: impl Fn(f64, f64) -> f64, ulps: u64) {
    for (i, &a) in vals.iter().enumerate() {
        for (j, &b) in vals.iter().enumerate() {
            let got = f(a, b);
            assert!(near64(got, table[i][j], ulps), "{name}({a:?}, {b:?}) = {got:?}, NumPy gives {:?}", table[i][j]);
        }
    }
}

fn check_table32(name: &str, vals: &[f32], table: &[[f32; 12]; 12], f: F32Fn2, ulps: u32) {
    for (i, &a) in vals.iter().enumerate() {
        for (j, &b) in vals.iter().enumerate() {
            let got = f(a, b);
            assert!(near32(got, table[i][j], ulps), "{name}({a:?}, {b:?}) = {got:?}, NumPy gives {:?}", table[i][j]);
        }
    }
}

fn check_int_table<T: Copy + PartialEq + std::fmt::Debug, const N: usize, const M: usize>(
    name: &str,
    lhs: &[T; M],
    rhs: &[T; N],
    table: &[[T; N]; M],
    f: fn(T, T) -> T,
) {
    for (i, &a) in lhs.iter().enumerate() {
        for (j, &b) in rhs.iter().enumerate() {
            assert_eq!(f(a, b), table[i][j], "{name}({a:?}, {b:?})");
        }
    }
}

#[test]
fn float_division_family_matches_numpy_f64() {
    let bin = |op| {
        let g = binop_f64(op).expect("float binop");
        move |a, b| g(a, b)
    };
    check_table64("floor_divide", &V_F64, &FLOOR_DIVIDE_F64, bin(BinaryOp::FloorDiv), 0);
    check_table64("remainder", &V_F64, &REMAINDER_F64, bin(BinaryOp::Mod), 0);
    check_table64("power", &V_F64, &POWER_F64, bin(BinaryOp::Pow), 1);
    check_table64("fmod", &V_F64, &FMOD_F64, math2_f64(Func::Fmod).expect("fmod"), 0);
}

#[test]
fn float_division_family_matches_numpy_f32() {
    let bin = |op| binop_f32(op).expect("float binop");
    check_table32("floor_divide", &V_F32, &FLOOR_DIVIDE_F32, bin(BinaryOp::FloorDiv), 0);
    check_table32("remainder", &V_F32, &REMAINDER_F32, bin(BinaryOp::Mod), 0);
    check_table32("power", &V_F32, &POWER_F32, bin(BinaryOp::Pow), 1);
    check_table32("fmod", &V_F32, &FMOD_F32, math2_f32(Func::Fmod).expect("fmod"), 0);
}

#[test]
fn int_division_family_matches_numpy() {
    check_int_table("floor_divide", &V_I64, &V_I64, &FLOOR_DIVIDE_I64, floor_div_i64);
    check_int_table("remainder", &V_I64, &V_I64, &REMAINDER_I64, mod_i64);
    check_int_table("fmod", &V_I64, &V_I64, &FMOD_I64, fmod_i64);
    check_int_table("floor_divide", &V_I32, &V_I32, &FLOOR_DIVIDE_I32, floor_div_i32);
    check_int_table("remainder", &V_I32, &V_I32, &REMAINDER_I32, mod_i32);
    check_int_table("fmod", &V_I32, &V_I32, &FMOD_I32, fmod_i32);
}

#[test]
fn int_power_and_shifts_match_numpy() {
    check_int_table("power", &V_I64, &E_I64, &POWER_I64, pow_i64);
    check_int_table("power", &V_I32, &E_I32, &POWER_I32, pow_i32);
    check_int_table("left_shift", &V_I64, &S_I64, &LEFT_SHIFT_I64, shl_i64);
    check_int_table("right_shift", &V_I64, &S_I64, &RIGHT_SHIFT_I64, shr_i64);
    check_int_table("left_shift", &V_I32, &S_I32, &LEFT_SHIFT_I32, shl_i32);
    check_int_table("right_shift", &V_I32, &S_I32, &RIGHT_SHIFT_I32, shr_i32);
}

#[test]
fn int_power_negative_exponent_is_reciprocal_truncated() {
    // NumPy raises here; jitexpr defines trunc(1 / base**|e|) (README).
    for (base, exp, want) in [(1, -5, 1), (-1, -3, -1), (-1, -4, 1), (2, -1, 0), (0, -1, 0), (i64::MIN, -1, 0)] {
        assert_eq!(pow_i64(base, exp), want, "{base} ** {exp}");
        assert_eq!(i64::from(pow_i32(base.max(-2) as i32, exp as i32)), pow_i64(base.max(-2), exp));
    }
}

#[test]
fn int_sign_and_wrapping() {
    assert_eq!([sign_i64(i64::MIN), sign_i64(0), sign_i64(9)], [-1, 0, 1]);
    assert_eq!([sign_i32(i32::MIN), sign_i32(0), sign_i32(9)], [-1, 0, 1]);
    assert_eq!(Int::abs(i64::MIN), i64::MIN);
    assert_eq!(Int::neg(i32::MIN), i32::MIN);
    assert_eq!(Int::add(i32::MAX, 1), i32::MIN);
}

#[test]
fn float_to_int_casts_give_int_min_outside_range() {
    // np.array([...]).astype(np.int64 / np.int32) on x86-64.
    let xs = [NAN, INF, -INF, 1e300, -1e300, 2.5, -2.5, -0.9, 3e9, -3e9, 9223372036854775808.0, 2147483648.0];
    let to64 = [i64::MIN, i64::MIN, i64::MIN, i64::MIN, i64::MIN, 2, -2, 0, 3_000_000_000, -3_000_000_000, i64::MIN];
    let to32 = [i32::MIN, i32::MIN, i32::MIN, i32::MIN, i32::MIN, 2, -2, 0, i32::MIN, i32::MIN, i32::MIN, i32::MIN];
    for (i, &x) in xs.iter().enumerate() {
        if let Some(&want) = to64.get(i) {
            assert_eq!(f64_to_i64(x), want, "f64 {x} -> i64");
        }
        assert_eq!(f64_to_i32(x), to32[i], "f64 {x} -> i32");
    }
    assert_eq!(f64_to_i64(2147483648.0), 2147483648);
    assert_eq!(f64_to_i64(-9223372036854775808.0), i64::MIN);
    assert_eq!(f64_to_i32(-2147483648.9), i32::MIN);
    assert_eq!(f64_to_i32(2147483647.9), i32::MAX);
    // float32 sources: 2^31 - 1 rounds to 2^31 in float32, which is out of int32 range.
    let xs32 = [f32::NAN, f32::INFINITY, -1e30, 2.5, -2.5, 2147483647.0, -2147483648.0, 3e9];
    let want64 = [i64::MIN, i64::MIN, i64::MIN, 2, -2, 2147483648, -2147483648, 3_000_000_000];
    let want32 = [i32::MIN, i32::MIN, i32::MIN, 2, -2, i32::MIN, i32::MIN, i32::MIN];
    for (i, &x) in xs32.iter().enumerate() {
        assert_eq!(f32_to_i64(x), want64[i], "f32 {x} -> i64");
        assert_eq!(f32_to_i32(x), want32[i], "f32 {x} -> i32");
    }
}

#[test]
fn other_casts_follow_astype() {
    assert_eq!(<i32 as CastFrom<i64>>::cast_from(4294967301), 5);
    assert_eq!(<i32 as CastFrom<i64>>::cast_from(3_000_000_000), -1294967296);
    assert!(<bool as CastFrom<f64>>::cast_from(NAN));
    assert!(!<bool as CastFrom<f64>>::cast_from(-0.0));
    assert_eq!(<f32 as CastFrom<i64>>::cast_from(16777217), 16777216.0);
    assert_eq!(<f64 as CastFrom<bool>>::cast_from(true), 1.0);
    assert_eq!(<f32 as CastFrom<f64>>::cast_from(1e300), f32::INFINITY);
}

#[test]
fn nextafter_matches_numpy() {
    let f = math2_f64(Func::Nextafter).expect("nextafter");
    let cases = [
        (0.0, 1.0, 5e-324),
        (0.0, -1.0, -5e-324),
        (-0.0, 0.0, 0.0),
        (0.0, -0.0, -0.0),
        (INF, 0.0, f64::MAX),
        (f64::MAX, INF, INF),
        (1.0, INF, 1.0000000000000002),
        (1.0, 0.0, 0.9999999999999999),
        (-1.0, 0.0, -0.9999999999999999),
        (-1.0, -INF, -1.0000000000000002),
        (5e-324, 0.0, 0.0),
    ];
    for (a, b, want) in cases {
        assert!(same64(f(a, b), want), "nextafter({a}, {b}) = {}", f(a, b));
    }
    assert!(f(1.0, NAN).is_nan() && f(NAN, 1.0).is_nan());
    let g = math2_f32(Func::Nextafter).expect("nextafter");
    assert_eq!(g(1.0, 2.0), 1.0000001);
    assert_eq!(g(0.0, 1.0), 1e-45);
    assert!(same32(g(0.0, -0.0), -0.0));
}

#[test]
fn sign_of_zeros_and_nan() {
    // np.sign gives +0.0 for both zeros.
    for z in [0.0, -0.0] {
        assert!(same64(Float::sign(z), 0.0));
        assert!(same32(Float::sign(z as f32), 0.0));
    }
    assert!(Float::sign(NAN).is_nan());
    assert_eq!(Float::sign(-INF), -1.0);
    assert_eq!(Float::sign(1e-300), 1.0);
}

#[test]
fn minimum_maximum_propagate_nan_and_break_ties_like_numpy() {
    assert!(maximum(NAN, 1.0).is_nan() && maximum(1.0, NAN).is_nan());
    assert!(minimum(NAN, 1.0).is_nan() && minimum(1.0, NAN).is_nan());
    // np.maximum(0.0, -0.0) is -0.0 and np.maximum(-0.0, 0.0) is 0.0: the second wins a tie.
    assert!(same64(maximum(0.0, -0.0), -0.0) && same64(maximum(-0.0, 0.0), 0.0));
    assert!(same64(minimum(0.0, -0.0), -0.0) && same64(minimum(-0.0, 0.0), 0.0));
    assert!(maximum(true, false));
    assert_eq!(minimum(-3i64, 2), -3);
    // np.clip on arrays: clip(-0.0, 0.0, 1.0) is 0.0; NaN anywhere gives NaN; lo > hi gives hi.
    assert!(same64(clip(-0.0, 0.0, 1.0), 0.0));
    assert!(clip(NAN, 0.0, 1.0).is_nan() && clip(0.5, NAN, 1.0).is_nan() && clip(0.5, 0.0, NAN).is_nan());
    assert_eq!(clip(5.0, 3.0, 1.0), 1.0);
    assert_eq!(clip(5i32, 3, 1), 1);
}

#[test]
fn math_functions_on_exact_edge_values() {
    let m = |f| math1_f64(f).expect("math1");
    let cases = [
        (Func::Arccosh, 1e308, 709.889355822726),
        (Func::Arcsinh, -0.0, -0.0),
        (Func::Arcsinh, 1e300, 691.4686750787737),
        (Func::Arctanh, 1.0, INF),
        (Func::Sqrt, -0.0, -0.0),
        (Func::Cbrt, -8.0, -2.0),
        (Func::Expm1, -0.0, -0.0),
        (Func::Log1p, -1.0, -INF),
        (Func::Exp2, -1074.0, 5e-324),
        (Func::Log2, 0.125, -3.0),
        (Func::Log10, 1e-300, -300.0),
        (Func::Exp, -INF, 0.0),
        (Func::Log, 0.0, -INF),
        (Func::Tanh, INF, 1.0),
        (Func::Erf, INF, 1.0),
        (Func::Erf, 0.5, 0.5204998778130465),
        (Func::Erfc, -30.0, 2.0),
        (Func::Erfc, 30.0, 0.0),
        (Func::Rint, 2.5, 2.0),
    ];
    for (f, x, want) in cases {
        let got = m(f)(x);
        assert!(near64(got, want, 1), "{f:?}({x}) = {got}, NumPy gives {want}");
    }
    assert!(m(Func::Log)(-1.0).is_nan());
    let m32 = |f| math1_f32(f).expect("math1");
    assert_eq!(m32(Func::Arccosh)(3e38), 89.28999);
    assert_eq!(m32(Func::Arcsinh)(-3e38), -89.28999);
    assert_eq!(m32(Func::Rint)(3.5), 4.0);
    let m2 = |f| math2_f64(f).expect("math2");
    assert_eq!(m2(Func::Hypot)(INF, NAN), INF);
    assert_eq!(m2(Func::Arctan2)(-0.0, -0.0), -std::f64::consts::PI);
    assert_eq!(m2(Func::Copysign)(1.0, -NAN), -1.0);
}

/// Every dtype class a function's rule lets through has a row entry, and only those:
/// the engines meet no function they cannot compute.
#[test]
fn function_table_covers_every_dtype_the_rules_allow() {
    for f in Func::ALL {
        let (info, row) = (f.info(), func_impl(f));
        let reach = |d: DType| info.rule.compute(info.name, d).ok().map(|(compute, _)| compute);
        let classes = DType::ALL.map(reach);
        let any = |pred: fn(DType) -> bool| classes.iter().flatten().any(|&d| pred(d));
        assert_eq!(row.float.is_some(), any(DType::is_float), "{} on floats", info.name);
        assert_eq!(row.int.is_some(), any(|d| matches!(d, DType::Int32 | DType::Int64)), "{} on ints", info.name);
        assert_eq!(row.bool.is_some(), any(|d| d == DType::Bool), "{} on bool", info.name);
        if row.block.is_some() {
            assert!(row.float.is_some(), "{}: a block kernel needs a float row", info.name);
        }
    }
    for op in BinaryOp::ALL {
        let want = matches!(op, BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow);
        assert_eq!(binop_f64(op).is_some(), want, "{op:?}");
        assert_eq!(binop_f32(op).is_some(), want, "{op:?}");
    }
}

// ---------------------------------------------------------------------------
// Tables generated with NumPy 2.4: `table[i][j] = op(V[i], V[j])` on arrays of the dtype.

const V_F64: [f64; 12] = [0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 0.3, 1e+300, 5e-324, INF, -INF, NAN];
#[rustfmt::skip]
const FLOOR_DIVIDE_F64: [[f64; 12]; 12] = [
    [NAN, NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, NAN],
    [NAN, NAN, -0.0, 0.0, -0.0, 0.0, -0.0, -0.0, -0.0, -0.0, 0.0, NAN],
    [INF, -INF, 1.0, -1.0, 0.0, -1.0, 3.0, 0.0, INF, 0.0, -1.0, NAN],
    [-INF, INF, -1.0, 1.0, -1.0, 0.0, -4.0, -1.0, -INF, -1.0, 0.0, NAN],
    [INF, -INF, 2.0, -3.0, 1.0, -1.0, 8.0, 0.0, INF, 0.0, -1.0, NAN],
    [-INF, INF, -7.0, 7.0, -3.0, 1.0, -24.0, -1.0, -INF, -1.0, 0.0, NAN],
    [INF, -INF, 0.0, -1.0, 0.0, -1.0, 1.0, 0.0, INF, 0.0, -1.0, NAN],
    [INF, -INF, 1e+300, -1e+300, 4e+299, -1.4285714285714286e+299, 3.3333333333333335e+300, 1.0, INF, 0.0, -1.0, NAN],
    [INF, -INF, 0.0, -1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0, NAN],
    [INF, -INF, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [-INF, INF, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
];
#[rustfmt::skip]
const REMAINDER_F64: [[f64; 12]; 12] = [
    [NAN, NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, NAN],
    [NAN, NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, NAN],
    [NAN, NAN, 0.0, -0.0, 1.0, -6.0, 0.10000000000000003, 1.0, 0.0, 1.0, -INF, NAN],
    [NAN, NAN, 0.0, -0.0, 1.5, -1.0, 0.19999999999999996, 1e+300, 0.0, INF, -1.0, NAN],
    [NAN, NAN, 0.5, -0.5, 0.0, -4.5, 0.10000000000000009, 2.5, 0.0, 2.5, -INF, NAN],
    [NAN, NAN, 0.0, -0.0, 0.5, -0.0, 0.19999999999999973, 1e+300, 0.0, INF, -7.0, NAN],
    [NAN, NAN, 0.3, -0.7, 0.3, -6.7, 0.0, 0.3, 0.0, 0.3, -INF, NAN],
    [NAN, NAN, 0.0, -0.0, 0.0, -6.0, 0.15321850028067768, 0.0, 0.0, 1e+300, -INF, NAN],
    [NAN, NAN, 5e-324, -1.0, 5e-324, -7.0, 5e-324, 5e-324, 0.0, 5e-324, -INF, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
];
#[rustfmt::skip]
const FMOD_F64: [[f64; 12]; 12] = [
    [NAN, NAN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, NAN],
    [NAN, NAN, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, NAN],
    [NAN, NAN, 0.0, 0.0, 1.0, 1.0, 0.10000000000000003, 1.0, 0.0, 1.0, 1.0, NAN],
    [NAN, NAN, -0.0, -0.0, -1.0, -1.0, -0.10000000000000003, -1.0, -0.0, -1.0, -1.0, NAN],
    [NAN, NAN, 0.5, 0.5, 0.0, 2.5, 0.10000000000000009, 2.5, 0.0, 2.5, 2.5, NAN],
    [NAN, NAN, -0.0, -0.0, -2.0, -0.0, -0.10000000000000026, -7.0, -0.0, -7.0, -7.0, NAN],
    [NAN, NAN, 0.3, 0.3, 0.3, 0.3, 0.0, 0.3, 0.0, 0.3, 0.3, NAN],
    [NAN, NAN, 0.0, 0.0, 0.0, 1.0, 0.15321850028067768, 0.0, 0.0, 1e+300, 1e+300, NAN],
    [NAN, NAN, 5e-324, 5e-324, 5e-324, 5e-324, 5e-324, 5e-324, 0.0, 5e-324, 5e-324, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
];
#[rustfmt::skip]
const POWER_F64: [[f64; 12]; 12] = [
    [1.0, 1.0, 0.0, INF, 0.0, INF, 0.0, 0.0, 0.0, 0.0, INF, NAN],
    [1.0, 1.0, -0.0, -INF, 0.0, -INF, 0.0, 0.0, 0.0, 0.0, INF, NAN],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    [1.0, 1.0, -1.0, -1.0, NAN, -1.0, NAN, 1.0, NAN, 1.0, 1.0, NAN],
    [1.0, 1.0, 2.5, 0.4, 9.882117688026185, 0.0016384, 1.3163822043342375, INF, 1.0, INF, 0.0, NAN],
    [1.0, 1.0, -7.0, -0.14285714285714285, NAN, -1.2142656789020123e-06, NAN, INF, NAN, INF, 0.0, NAN],
    [1.0, 1.0, 0.3, 3.3333333333333335, 0.049295030175464945, 4572.4737082761785, 0.696845301935949, 0.0, 1.0, 0.0, INF, NAN],
    [1.0, 1.0, 1e+300, 9.999999999999999e-301, INF, 0.0, 9.999999999999924e+89, INF, 1.0, INF, 0.0, NAN],
    [1.0, 1.0, 5e-324, INF, 0.0, INF, 1.018908996936868e-97, 0.0, 1.0, 0.0, INF, NAN],
    [1.0, 1.0, INF, 0.0, INF, 0.0, INF, INF, INF, INF, 0.0, NAN],
    [1.0, 1.0, -INF, -0.0, INF, -0.0, INF, INF, INF, INF, 0.0, NAN],
    [1.0, 1.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
];
const V_F32: [f32; 12] = [0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 0.3, 1e+30, 1e-45, f32::INFINITY, -f32::INFINITY, f32::NAN];
#[rustfmt::skip]
const FLOOR_DIVIDE_F32: [[f32; 12]; 12] = [
    [f32::NAN, f32::NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, f32::NAN],
    [f32::NAN, f32::NAN, -0.0, 0.0, -0.0, 0.0, -0.0, -0.0, -0.0, -0.0, 0.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, 1.0, -1.0, 0.0, -1.0, 3.0, 0.0, f32::INFINITY, 0.0, -1.0, f32::NAN],
    [-f32::INFINITY, f32::INFINITY, -1.0, 1.0, -1.0, 0.0, -4.0, -1.0, -f32::INFINITY, -1.0, 0.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, 2.0, -3.0, 1.0, -1.0, 8.0, 0.0, f32::INFINITY, 0.0, -1.0, f32::NAN],
    [-f32::INFINITY, f32::INFINITY, -7.0, 7.0, -3.0, 1.0, -24.0, -1.0, -f32::INFINITY, -1.0, 0.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, 0.0, -1.0, 0.0, -1.0, 1.0, 0.0, f32::INFINITY, 0.0, -1.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, 1e+30, -1e+30, 4e+29, -1.4285715e+29, 3.3333334e+30, 1.0, f32::INFINITY, 0.0, -1.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, 0.0, -1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0, f32::NAN],
    [f32::INFINITY, -f32::INFINITY, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [-f32::INFINITY, f32::INFINITY, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
];
#[rustfmt::skip]
const REMAINDER_F32: [[f32; 12]; 12] = [
    [f32::NAN, f32::NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, -0.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, -0.0, 1.0, -6.0, 0.099999964, 1.0, 0.0, 1.0, -f32::INFINITY, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, -0.0, 1.5, -1.0, 0.20000005, 1e+30, 0.0, f32::INFINITY, -1.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.5, -0.5, 0.0, -4.5, 0.099999905, 2.5, 0.0, 2.5, -f32::INFINITY, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, -0.0, 0.5, -0.0, 0.20000029, 1e+30, 0.0, f32::INFINITY, -7.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.3, -0.7, 0.3, -6.7, 0.0, 0.3, 0.0, 0.3, -f32::INFINITY, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, -0.0, 0.0, -6.0, 0.004301071, 0.0, 0.0, 1e+30, -f32::INFINITY, f32::NAN],
    [f32::NAN, f32::NAN, 1e-45, -1.0, 1e-45, -7.0, 1e-45, 1e-45, 0.0, 1e-45, -f32::INFINITY, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
];
#[rustfmt::skip]
const FMOD_F32: [[f32; 12]; 12] = [
    [f32::NAN, f32::NAN, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, f32::NAN],
    [f32::NAN, f32::NAN, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, 0.0, 1.0, 1.0, 0.099999964, 1.0, 0.0, 1.0, 1.0, f32::NAN],
    [f32::NAN, f32::NAN, -0.0, -0.0, -1.0, -1.0, -0.099999964, -1.0, -0.0, -1.0, -1.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.5, 0.5, 0.0, 2.5, 0.099999905, 2.5, 0.0, 2.5, 2.5, f32::NAN],
    [f32::NAN, f32::NAN, -0.0, -0.0, -2.0, -0.0, -0.099999726, -7.0, -0.0, -7.0, -7.0, f32::NAN],
    [f32::NAN, f32::NAN, 0.3, 0.3, 0.3, 0.3, 0.0, 0.3, 0.0, 0.3, 0.3, f32::NAN],
    [f32::NAN, f32::NAN, 0.0, 0.0, 0.0, 1.0, 0.004301071, 0.0, 0.0, 1e+30, 1e+30, f32::NAN],
    [f32::NAN, f32::NAN, 1e-45, 1e-45, 1e-45, 1e-45, 1e-45, 1e-45, 0.0, 1e-45, 1e-45, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
    [f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
];
#[rustfmt::skip]
const POWER_F32: [[f32; 12]; 12] = [
    [1.0, 1.0, 0.0, f32::INFINITY, 0.0, f32::INFINITY, 0.0, 0.0, 0.0, 0.0, f32::INFINITY, f32::NAN],
    [1.0, 1.0, -0.0, -f32::INFINITY, 0.0, -f32::INFINITY, 0.0, 0.0, 0.0, 0.0, f32::INFINITY, f32::NAN],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    [1.0, 1.0, -1.0, -1.0, f32::NAN, -1.0, f32::NAN, 1.0, f32::NAN, 1.0, 1.0, f32::NAN],
    [1.0, 1.0, 2.5, 0.4, 9.882117, 0.0016384, 1.3163823, f32::INFINITY, 1.0, f32::INFINITY, 0.0, f32::NAN],
    [1.0, 1.0, -7.0, -0.14285715, f32::NAN, -1.2142657e-06, f32::NAN, f32::INFINITY, f32::NAN, f32::INFINITY, 0.0, f32::NAN],
    [1.0, 1.0, 0.3, 3.3333333, 0.049295034, 4572.4727, 0.6968453, 0.0, 1.0, 0.0, f32::INFINITY, f32::NAN],
    [1.0, 1.0, 1e+30, 9.999999e-31, f32::INFINITY, 0.0, 1.00000083e+09, f32::INFINITY, 1.0, f32::INFINITY, 0.0, f32::NAN],
    [1.0, 1.0, 1e-45, f32::INFINITY, 0.0, f32::INFINITY, 3.4991185e-14, 0.0, 1.0, 0.0, f32::INFINITY, f32::NAN],
    [1.0, 1.0, f32::INFINITY, 0.0, f32::INFINITY, 0.0, f32::INFINITY, f32::INFINITY, f32::INFINITY, f32::INFINITY, 0.0, f32::NAN],
    [1.0, 1.0, -f32::INFINITY, -0.0, f32::INFINITY, -0.0, f32::INFINITY, f32::INFINITY, f32::INFINITY, f32::INFINITY, 0.0, f32::NAN],
    [1.0, 1.0, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN, f32::NAN],
];

const V_I64: [i64; 11] = [i64::MIN, i64::MIN + 1, -7, -3, -1, 0, 1, 2, 3, 7, i64::MAX];
#[rustfmt::skip]
const FLOOR_DIVIDE_I64: [[i64; 11]; 11] = [
    [1, 1, 1317624576693539401, 3074457345618258602, i64::MIN, 0, i64::MIN, -4611686018427387904, -3074457345618258603, -1317624576693539402, -2],
    [0, 1, 1317624576693539401, 3074457345618258602, i64::MAX, 0, i64::MIN + 1, -4611686018427387904, -3074457345618258603, -1317624576693539401, -1],
    [0, 0, 1, 2, 7, 0, -7, -4, -3, -1, -1],
    [0, 0, 0, 1, 3, 0, -3, -2, -1, -1, -1],
    [0, 0, 0, 0, 1, 0, -1, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [-1, -1, -1, -1, -1, 0, 1, 0, 0, 0, 0],
    [-1, -1, -1, -1, -2, 0, 2, 1, 0, 0, 0],
    [-1, -1, -1, -1, -3, 0, 3, 1, 1, 0, 0],
    [-1, -1, -1, -3, -7, 0, 7, 3, 2, 1, 0],
    [-1, -1, -1317624576693539401, -3074457345618258603, i64::MIN + 1, 0, i64::MAX, 4611686018427387903, 3074457345618258602, 1317624576693539401, 1],
];
#[rustfmt::skip]
const REMAINDER_I64: [[i64; 11]; 11] = [
    [0, -1, -1, -2, 0, 0, 0, 0, 1, 6, 9223372036854775806],
    [i64::MIN + 1, 0, 0, -1, 0, 0, 0, 1, 2, 0, 0],
    [-7, -7, 0, -1, 0, 0, 0, 1, 2, 0, 9223372036854775800],
    [-3, -3, -3, 0, 0, 0, 0, 1, 0, 4, 9223372036854775804],
    [-1, -1, -1, -1, 0, 0, 0, 1, 2, 6, 9223372036854775806],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [i64::MIN + 1, -9223372036854775806, -6, -2, 0, 0, 0, 1, 1, 1, 1],
    [-9223372036854775806, -9223372036854775805, -5, -1, 0, 0, 0, 0, 2, 2, 2],
    [-9223372036854775805, -9223372036854775804, -4, 0, 0, 0, 0, 1, 0, 3, 3],
    [-9223372036854775801, -9223372036854775800, 0, -2, 0, 0, 0, 1, 1, 0, 7],
    [-1, 0, 0, -2, 0, 0, 0, 1, 1, 0, 0],
];
#[rustfmt::skip]
const FMOD_I64: [[i64; 11]; 11] = [
    [0, -1, -1, -2, 0, 0, 0, 0, -2, -1, -1],
    [i64::MIN + 1, 0, 0, -1, 0, 0, 0, -1, -1, 0, 0],
    [-7, -7, 0, -1, 0, 0, 0, -1, -1, 0, -7],
    [-3, -3, -3, 0, 0, 0, 0, -1, 0, -3, -3],
    [-1, -1, -1, -1, 0, 0, 0, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1],
    [2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 2],
    [3, 3, 3, 0, 0, 0, 0, 1, 0, 3, 3],
    [7, 7, 0, 1, 0, 0, 0, 1, 1, 0, 7],
    [i64::MAX, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0],
];
const E_I64: [i64; 8] = [0, 1, 2, 3, 31, 62, 63, 64];
#[rustfmt::skip]
const POWER_I64: [[i64; 8]; 11] = [
    [1, i64::MIN, 0, 0, 0, 0, 0, 0],
    [1, i64::MIN + 1, 1, i64::MIN + 1, i64::MIN + 1, 1, i64::MIN + 1, 1],
    [1, -7, 49, -343, 7409217536257189193, 3049328099758616273, -2898552624600762295, 1843124298495784449],
    [1, -3, 9, -27, -617673396283947, 5069619362125685561, 3237885987332494933, 8733086111712066817],
    [1, -1, 1, -1, -1, 1, -1, 1],
    [1, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 1],
    [1, 2, 4, 8, 2147483648, 4611686018427387904, i64::MIN, 0],
    [1, 3, 9, 27, 617673396283947, 5069619362125685561, -3237885987332494933, 8733086111712066817],
    [1, 7, 49, 343, -7409217536257189193, 3049328099758616273, 2898552624600762295, 1843124298495784449],
    [1, i64::MAX, 1, i64::MAX, i64::MAX, 1, i64::MAX, 1],
];
const S_I64: [i64; 10] = [-65, -1, 0, 1, 5, 31, 32, 63, 64, 65];
#[rustfmt::skip]
const LEFT_SHIFT_I64: [[i64; 10]; 11] = [
    [0, 0, i64::MIN, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, i64::MIN + 1, 2, 32, 2147483648, 4294967296, i64::MIN, 0, 0],
    [0, 0, -7, -14, -224, -15032385536, -30064771072, i64::MIN, 0, 0],
    [0, 0, -3, -6, -96, -6442450944, -12884901888, i64::MIN, 0, 0],
    [0, 0, -1, -2, -32, -2147483648, -4294967296, i64::MIN, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 2, 32, 2147483648, 4294967296, i64::MIN, 0, 0],
    [0, 0, 2, 4, 64, 4294967296, 8589934592, 0, 0, 0],
    [0, 0, 3, 6, 96, 6442450944, 12884901888, i64::MIN, 0, 0],
    [0, 0, 7, 14, 224, 15032385536, 30064771072, i64::MIN, 0, 0],
    [0, 0, i64::MAX, -2, -32, -2147483648, -4294967296, i64::MIN, 0, 0],
];
#[rustfmt::skip]
const RIGHT_SHIFT_I64: [[i64; 10]; 11] = [
    [-1, -1, i64::MIN, -4611686018427387904, -288230376151711744, -4294967296, -2147483648, -1, -1, -1],
    [-1, -1, i64::MIN + 1, -4611686018427387904, -288230376151711744, -4294967296, -2147483648, -1, -1, -1],
    [-1, -1, -7, -4, -1, -1, -1, -1, -1, -1],
    [-1, -1, -3, -2, -1, -1, -1, -1, -1, -1],
    [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 2, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 3, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 7, 3, 0, 0, 0, 0, 0, 0],
    [0, 0, i64::MAX, 4611686018427387903, 288230376151711743, 4294967295, 2147483647, 0, 0, 0],
];
const V_I32: [i32; 11] = [i32::MIN, i32::MIN + 1, -7, -3, -1, 0, 1, 2, 3, 7, i32::MAX];
#[rustfmt::skip]
const FLOOR_DIVIDE_I32: [[i32; 11]; 11] = [
    [1, 1, 306783378, 715827882, i32::MIN, 0, i32::MIN, -1073741824, -715827883, -306783379, -2],
    [0, 1, 306783378, 715827882, i32::MAX, 0, i32::MIN + 1, -1073741824, -715827883, -306783379, -1],
    [0, 0, 1, 2, 7, 0, -7, -4, -3, -1, -1],
    [0, 0, 0, 1, 3, 0, -3, -2, -1, -1, -1],
    [0, 0, 0, 0, 1, 0, -1, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [-1, -1, -1, -1, -1, 0, 1, 0, 0, 0, 0],
    [-1, -1, -1, -1, -2, 0, 2, 1, 0, 0, 0],
    [-1, -1, -1, -1, -3, 0, 3, 1, 1, 0, 0],
    [-1, -1, -1, -3, -7, 0, 7, 3, 2, 1, 0],
    [-1, -1, -306783379, -715827883, i32::MIN + 1, 0, i32::MAX, 1073741823, 715827882, 306783378, 1],
];
#[rustfmt::skip]
const REMAINDER_I32: [[i32; 11]; 11] = [
    [0, -1, -2, -2, 0, 0, 0, 0, 1, 5, 2147483646],
    [i32::MIN + 1, 0, -1, -1, 0, 0, 0, 1, 2, 6, 0],
    [-7, -7, 0, -1, 0, 0, 0, 1, 2, 0, 2147483640],
    [-3, -3, -3, 0, 0, 0, 0, 1, 0, 4, 2147483644],
    [-1, -1, -1, -1, 0, 0, 0, 1, 2, 6, 2147483646],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [i32::MIN + 1, -2147483646, -6, -2, 0, 0, 0, 1, 1, 1, 1],
    [-2147483646, -2147483645, -5, -1, 0, 0, 0, 0, 2, 2, 2],
    [-2147483645, -2147483644, -4, 0, 0, 0, 0, 1, 0, 3, 3],
    [-2147483641, -2147483640, 0, -2, 0, 0, 0, 1, 1, 0, 7],
    [-1, 0, -6, -2, 0, 0, 0, 1, 1, 1, 0],
];
#[rustfmt::skip]
const FMOD_I32: [[i32; 11]; 11] = [
    [0, -1, -2, -2, 0, 0, 0, 0, -2, -2, -1],
    [i32::MIN + 1, 0, -1, -1, 0, 0, 0, -1, -1, -1, 0],
    [-7, -7, 0, -1, 0, 0, 0, -1, -1, 0, -7],
    [-3, -3, -3, 0, 0, 0, 0, -1, 0, -3, -3],
    [-1, -1, -1, -1, 0, 0, 0, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1],
    [2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 2],
    [3, 3, 3, 0, 0, 0, 0, 1, 0, 3, 3],
    [7, 7, 0, 1, 0, 0, 0, 1, 1, 0, 7],
    [i32::MAX, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0],
];
const E_I32: [i32; 8] = [0, 1, 2, 3, 31, 62, 63, 64];
#[rustfmt::skip]
const POWER_I32: [[i32; 8]; 11] = [
    [1, i32::MIN, 0, 0, 0, 0, 0, 0],
    [1, i32::MIN + 1, 1, i32::MIN + 1, i32::MIN + 1, 1, i32::MIN + 1, 1],
    [1, -7, 49, -343, -265001655, 767209169, -1075496887, -1061456383],
    [1, -3, 9, -27, -1264544299, 703701817, -2111105451, 2038349057],
    [1, -1, 1, -1, -1, 1, -1, 1],
    [1, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 1],
    [1, 2, 4, 8, i32::MIN, 0, 0, 0],
    [1, 3, 9, 27, 1264544299, 703701817, 2111105451, 2038349057],
    [1, 7, 49, 343, 265001655, 767209169, 1075496887, -1061456383],
    [1, i32::MAX, 1, i32::MAX, i32::MAX, 1, i32::MAX, 1],
];
const S_I32: [i32; 10] = [-65, -1, 0, 1, 5, 31, 32, 63, 64, 65];
#[rustfmt::skip]
const LEFT_SHIFT_I32: [[i32; 10]; 11] = [
    [0, 0, i32::MIN, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, i32::MIN + 1, 2, 32, i32::MIN, 0, 0, 0, 0],
    [0, 0, -7, -14, -224, i32::MIN, 0, 0, 0, 0],
    [0, 0, -3, -6, -96, i32::MIN, 0, 0, 0, 0],
    [0, 0, -1, -2, -32, i32::MIN, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 2, 32, i32::MIN, 0, 0, 0, 0],
    [0, 0, 2, 4, 64, 0, 0, 0, 0, 0],
    [0, 0, 3, 6, 96, i32::MIN, 0, 0, 0, 0],
    [0, 0, 7, 14, 224, i32::MIN, 0, 0, 0, 0],
    [0, 0, i32::MAX, -2, -32, i32::MIN, 0, 0, 0, 0],
];
#[rustfmt::skip]
const RIGHT_SHIFT_I32: [[i32; 10]; 11] = [
    [-1, -1, i32::MIN, -1073741824, -67108864, -1, -1, -1, -1, -1],
    [-1, -1, i32::MIN + 1, -1073741824, -67108864, -1, -1, -1, -1, -1],
    [-1, -1, -7, -4, -1, -1, -1, -1, -1, -1],
    [-1, -1, -3, -2, -1, -1, -1, -1, -1, -1],
    [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 2, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 3, 1, 0, 0, 0, 0, 0, 0],
    [0, 0, 7, 3, 0, 0, 0, 0, 0, 0],
    [0, 0, i32::MAX, 1073741823, 67108863, 0, 0, 0, 0, 0],
];
