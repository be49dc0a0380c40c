//! The exactness classes of the power rewrites, checked against the interpreter
//! on special values and 10⁶ random values per exponent: `Exact` rewrites give the
//! same bits, `NumPy` ones are within 1 ulp except on their listed special values,
//! `Ulps(n)` ones within `n` ulp.

use super::*;

/// A deterministic xorshift generator: the same values on every run.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A float in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const RANDOM: usize = 1_000_000;

/// Values where powers go wrong: zeros, infinities, NaNs (quiet, negative,
/// signaling), the ends of the normal and subnormal ranges, a 27-bit odd integer
/// (its square is a rounding midpoint), and bases whose squares or reciprocals
/// overflow or underflow.
fn specials() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.0,
        -3.0,
        0.5,
        0.1,
        -0.1,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        f64::MAX,
        f64::MIN,
        134_217_727.0,
        1e154,
        1.5e154,
        1e-154,
        1e-160,
        1e308,
        1e-308,
        3.4e38,
        1.2e-38,
        1e-45,
    ]
}

/// Special values, then random ones: arbitrary bit patterns (every class of
/// float), and uniform values in `[0, 10)` and `[-100, 100)`.
pub(super) fn values_f64() -> Vec<f64> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut v = specials();
    v.extend((0..RANDOM).map(|i| match i % 3 {
        0 => f64::from_bits(rng.next()),
        1 => rng.unit() * 10.0,
        _ => rng.unit() * 200.0 - 100.0,
    }));
    v
}

pub(super) fn values_f32() -> Vec<f32> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut v: Vec<f32> = specials().into_iter().map(|x| x as f32).collect();
    v.push(f32::from_bits(0x7f80_0001));
    v.extend((0..RANDOM).map(|i| match i % 3 {
        0 => f32::from_bits(rng.next() as u32),
        1 => (rng.unit() * 10.0) as f32,
        _ => (rng.unit() * 200.0 - 100.0) as f32,
    }));
    v
}

/// Where a `NumPy` rewrite may differ from the interpreter by more than 1 ulp:
/// `(-0.0)**0.5` and `(-inf)**0.5` (sqrt's answers), and `x**0` for a signaling
/// NaN `x` (the C library's `pow` gives NaN, NumPy 1).
fn numpy_exception(x: f64, e: f64) -> bool {
    let signaling = x.is_nan() && x.to_bits() & (1 << 51) == 0;
    (e == 0.5 && (x == f64::NEG_INFINITY || x.to_bits() == (-0.0f64).to_bits())) || (e == 0.0 && signaling)
}

/// `a ** e` evaluated by the interpreter, unoptimized and optimized with every
/// power rewrite allowed; the exactness the report claims; the base values.
fn powers(dtype: DType, e: &str) -> (Vec<f64>, Array, Array, Exactness) {
    // A strong exponent: lowering itself turns a literal `0.5` into `sqrt`.
    let p = compile(&format!("a ** {dtype}({e})"), &[("a", dtype)]);
    let opt = optimize_with(&p, &[p.result], &OptConfig { pow: PowRewrites::Chains, ..OptConfig::default() });
    let exactness = match opt.report.iter().map(|r| r.rule).find(|r| matches!(r, Rule::Pow(_))) {
        Some(rule) => rule.exactness(),
        None => panic!("a ** {dtype}({e}) is not rewritten: {:?}", opt.report),
    };
    let (input, xs): (Array, Vec<f64>) = match dtype {
        Float64 => {
            let v = values_f64();
            (Array::from_vec(v.clone()), v)
        }
        Float32 => {
            let v = values_f32();
            (Array::from_vec(v.clone()), v.iter().map(|&x| widen(x)).collect())
        }
        Bool | Int32 | Int64 => unreachable!("float dtypes only"),
    };
    let mut want = crate::interp::eval(&p, &[&input], &[p.result]).expect("a power evaluates");
    let mut got = crate::interp::eval(&opt.program, &[&input], &opt.outputs).expect("a rewritten power evaluates");
    (xs, want.remove(0), got.remove(0), exactness)
}

/// `x` as an f64, keeping a NaN's payload (the conversion instruction would quiet
/// a signaling NaN).
fn widen(x: f32) -> f64 {
    if x.is_nan() {
        let b = u64::from(x.to_bits());
        f64::from_bits((b >> 31) << 63 | 0x7ff << 52 | (b & 0x7f_ffff) << 29)
    } else {
        f64::from(x)
    }
}

/// Whether a float is zero or subnormal (or NaN: not a normal result either).
fn below_normal(s: Scalar) -> bool {
    match s {
        Scalar::Float64(v) => !v.is_normal() && !v.is_infinite(),
        Scalar::Float32(v) => !v.is_normal() && !v.is_infinite(),
        Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_) => false,
    }
}

/// `1/s` for a float.
fn recip(s: Scalar) -> Scalar {
    match s {
        Scalar::Float64(v) => Scalar::Float64(1.0 / v),
        Scalar::Float32(v) => Scalar::Float32(1.0 / v),
        Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_) => s,
    }
}

fn check_class(dtype: DType, e: &str) {
    let (xs, want, got, exactness) = powers(dtype, e);
    let exp: f64 = e.parse().expect("a numeric exponent");
    for (i, x) in xs.iter().enumerate() {
        let (w, g) = (want.get(i), got.get(i));
        let d = ulps_apart(w, g);
        let ok = match exactness {
            Exactness::Exact => d == 0,
            Exactness::NumPy => d <= 1 || numpy_exception(*x, exp),
            // `1/x**n` is `±0` where `|x|**n` overflows, and loses bits where it is
            // subnormal: the bound is for `x**n` and `x**-n` both normal.
            Exactness::Ulps(n) => d <= u64::from(n) || (exp < 0.0 && (below_normal(w) || below_normal(recip(w)))),
            Exactness::Absolute => unreachable!("power rewrites have ulp bounds"),
        };
        assert!(ok, "{dtype} {x:e} ** {e}: pow gives {w}, the rewrite {g} ({d} ulp apart, claimed {exactness})");
    }
}

#[test]
fn float64_powers_stay_within_their_class() {
    for e in ["1", "0", "2", "0.5", "-1", "3", "4", "5", "6", "7", "8", "-2", "-3", "-5", "-8"] {
        check_class(Float64, e);
    }
}

#[test]
fn float32_powers_stay_within_their_class() {
    for e in ["1", "0", "2", "0.5", "-1", "3", "4", "7", "8", "-2", "-8"] {
        check_class(Float32, e);
    }
}

/// The classes are not looser than they need be: the `NumPy` rewrite (`sqrt`) does
/// differ from vmath's `pow` (at `-0` and `-inf`), so `Exact` would be wrong.
#[test]
fn numpy_rewrites_do_differ_from_pow() {
    for dtype in [Float64, Float32] {
        let (_, want, got, exactness) = powers(dtype, "0.5");
        assert_eq!(exactness, Exactness::NumPy);
        let differ = (0..want.len()).filter(|&i| ulps_apart(want.get(i), got.get(i)) != 0).count();
        assert!(differ > 0, "{dtype} a ** 0.5 agrees with pow everywhere: it could be classed exact");
    }
}

#[test]
fn integer_chains_are_exact() {
    let mut rng = Rng(7);
    let mut v: Vec<i64> = vec![0, 1, -1, 2, -2, 3, i64::MAX, i64::MIN, i64::from(i32::MAX), i64::from(i32::MIN)];
    v.extend((0..RANDOM / 10).map(|i| if i % 2 == 0 { rng.next() as i64 } else { (rng.next() % 2001) as i64 - 1000 }));
    let v32: Vec<i32> = v.iter().map(|&x| x as i32).collect();
    for (dtype, input) in [(Int64, Array::from_vec(v)), (Int32, Array::from_vec(v32))] {
        for e in 0..=8 {
            let p = compile(&format!("a ** {e}"), &[("a", dtype)]);
            let opt = optimize_with(&p, &[p.result], &OptConfig { pow: PowRewrites::Exact, ..OptConfig::default() });
            assert_eq!(opt.report.len(), 1, "{dtype} a ** {e} is rewritten");
            let want = crate::interp::eval(&p, &[&input], &[p.result]).expect("evaluates");
            let got = crate::interp::eval(&opt.program, &[&input], &opt.outputs).expect("evaluates");
            assert!(same(&want[0], &got[0]), "{dtype} a ** {e}");
        }
    }
}
