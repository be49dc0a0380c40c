//! Exponentials and logarithms: exp, expm1, exp2, log, log1p, log2, log10, and
//! the double-double `exp_dd` kernel that the hyperbolic functions build on (pow has
//! its own table-driven log and exp, `pow.rs`).
//!
//! exp: `x = k ln2 + r` (Cody-Waite: `k ln2_hi` is exact, `|r| <= ln2/2`), then
//! `e^r = 1 + r + r^2 G(r)` with a degree-10 fit G, and `2^k` applied in two
//! steps so subnormal results are rounded once and overflow gives inf (the
//! scheme of fdlibm/musl `exp`, without their table).
//!
//! log: `x = 2^e m`, `m` in `[sqrt(1/2), sqrt(2))`, `f = m - 1`, `s = f/(2 + f)` (one
//! division), `log m = 2 atanh s = 2s + s^3 Q(s^2)` as in fdlibm `e_log.c`. log itself
//! uses fdlibm's arrangement `f - f^2/2 + s (f^2/2 + s^2 Q)`, where `s` only scales small
//! terms (< 0.8 ulp, the fewest operations); log2, log10 and log1p keep `s` as a
//! double-double so they can multiply and add it exactly enough (~0.55 ulp).
//!
//! Fast paths: the block kernels scan a block first; when every argument is in the
//! common range (`|x| <= 708` for exp, normal positive `x` for log, ...) they run a
//! variant without the special-value selects and with the exponent added straight to
//! the result's bits, otherwise the full function for the whole block.
//!
//! float32 exp and log are computed in float32 ([`exp_f32`], [`log_f32`]), not
//! widened: the same schemes with float32 polynomials (degree 7 for exp, `s z Q(z)`
//! with `Q` of degree 3 for log), `ln 2` in two parts (16 significant bits in the
//! first, so `k ln2_hi` is exact), 16 lanes instead of 8 and no double-double.
//! Both are within 1 ulp of the correctly rounded result (tested on every
//! float32); the fast paths' scan is the float64 kernels'.
//!
//! Coefficients: `tools/vmath_coeffs.py`.

use super::dd::{
    fast_two_sum, fma, frexp_sqrt2, i64_to_f64, poly, pow2i, round_int, scale, two_prod, two_sum, Dd, SHIFT,
};
use super::{DEFAULT_NAN, DEFAULT_NAN_F32};

// e^r = 1 + r + r^2 G(r), |r| <= 0.3467: |err| 2.6e-18.
const EXP_G: [f64; 11] = [
    0.5,
    0.1666666666666667,
    0.04166666666666667,
    0.00833333333332612,
    0.0013888888888883737,
    0.00019841269874873975,
    2.480158732558584e-05,
    2.755725533255441e-06,
    2.7557273594799413e-07,
    2.510524515390137e-08,
    2.0914707069612355e-09,
];
// log m = 2s + s z Q(z), z = s^2 <= 0.02944: relative error ~2^-60.7.
const LOG_Q: [f64; 8] = [
    0.6666666666666666,
    0.4000000000000088,
    0.2857142857080323,
    0.2222222239180047,
    0.18181795630884753,
    0.15386240205813478,
    0.13268759668560612,
    0.13086767009948175,
];
/// ln 2 = LN2_0 + LN2_1; LN2_0 has 42 significant bits, so `k * LN2_0` is exact for |k| < 2^11.
pub(super) const LN2_0: f64 = 0.6931471805598903;
pub(super) const LN2_1: f64 = 5.497923018708371e-14;
/// ln 2 as a double-double.
const LN2D: Dd = Dd { hi: std::f64::consts::LN_2, lo: 2.3190468138462996e-17 };
const INV_LN2: Dd = Dd { hi: std::f64::consts::LOG2_E, lo: 2.0355273740931033e-17 };
/// log10(2) = LOG10_2_0 + LOG10_2_1, 42 significant bits in the first part.
const LOG10_2_0: f64 = 0.30102999566395283;
const LOG10_2_1: f64 = 2.8363394551044964e-14;
const INV_LN10: Dd = Dd { hi: std::f64::consts::LOG10_E, lo: 1.098319650216765e-17 };

/// The smallest positive normal double, 2^-1022.
pub(super) const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
const TWO54: f64 = 18014398509481984.0;

// ---------------------------------------------------------------------------
// exp kernels

/// `x_hi + x_lo = k ln2 + r_hi + r_lo`, `|r_hi| <= ln2/2 (1 + 2^-40)`, for |x_hi| < 1500.
#[inline(always)]
pub(super) fn exp_reduce(x_hi: f64, x_lo: f64) -> (i64, f64, f64) {
    let (kd, k) = round_int(x_hi * INV_LN2.hi);
    let r1 = fma(-kd, LN2_0, x_hi); // exact: kd * LN2_0 is exact and close to x_hi
    let (r, e) = two_sum(r1, -kd * LN2_1);
    let (r_hi, r_lo) = two_sum(r, e + x_lo);
    (k, r_hi, r_lo)
}

/// `e^(r + r_lo)` as a double-double with relative error ~2^-57, for the output of [`exp_reduce`].
#[inline(always)]
pub(super) fn exp_eval(r: f64, r_lo: f64) -> Dd {
    let q = r * r * super::dd::poly11_estrin(r, &EXP_G);
    let (a, e1) = fast_two_sum(1.0, r);
    // e^(r + r_lo) = e^r (1 + r_lo) and e^r = 1 + r + q: r_lo * r is the first cross term.
    let lo = e1 + (fma(r_lo, r, r_lo) + q);
    let (hi, lo) = fast_two_sum(a, lo);
    Dd::new(hi, lo)
}

/// `e^(x_hi + x_lo) = 2^k (p.hi + p.lo)` for |x_hi| < 1500 (callers clamp).
#[inline(always)]
pub(super) fn exp_dd(x_hi: f64, x_lo: f64) -> (i64, Dd) {
    let (k, r, r_lo) = exp_reduce(x_hi, x_lo);
    (k, exp_eval(r, r_lo))
}

/// Clamp to `[lo, hi]`, keeping NaN (so the special-value selects still see it).
#[inline(always)]
pub(super) fn clamp_nan(x: f64, lo: f64, hi: f64) -> f64 {
    let x = if x > hi { hi } else { x };
    if x < lo {
        lo
    } else {
        x
    }
}

#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Beyond these bounds the result is already inf or +0, so clamping changes nothing.
    let xc = clamp_nan(x, -746.0, 710.0);
    let (k, p) = exp_dd(xc, 0.0);
    scale(p.hi, k)
}

/// Above this `|x|`, [`exp_fast`] does not apply (the block kernels then use [`exp`]).
pub const EXP_FAST_MAX: f64 = 708.0;

/// `e^x` for `|x| <= EXP_FAST_MAX` (not NaN), where the result is a normal double and
/// `2^k` can be added to the exponent bits directly. ~25 vector operations.
#[inline(always)]
pub fn exp_fast(x: f64) -> f64 {
    // k = round(x / ln2) in the low bits of kd (one rounding, in the fma).
    let kd = fma(x, INV_LN2.hi, SHIFT);
    let k = kd - SHIFT;
    let r = fma(-k, LN2_1, fma(-k, LN2_0, x));
    let q = r * r * poly(r, &EXP_G);
    let (a, e1) = fast_two_sum(1.0, r);
    let p = a + (e1 + q);
    f64::from_bits(p.to_bits().wrapping_add(kd.to_bits() << 52))
}

/// `2^k` for the integer `k` held in the low bits of `kd = k + SHIFT`, `|k| <= 1022`.
#[inline(always)]
pub(super) fn pow2_shifted(kd: f64) -> f64 {
    f64::from_bits((kd.to_bits() << 52).wrapping_add(1f64.to_bits()))
}

/// Above this `|x|`, [`exp2_fast`] does not apply.
pub const EXP2_FAST_MAX: f64 = 1020.0;

/// `2^x` for `|x| <= EXP2_FAST_MAX` (not NaN): a normal result.
#[inline(always)]
pub fn exp2_fast(x: f64) -> f64 {
    let kd = x + SHIFT;
    let r = x - (kd - SHIFT); // exact, |r| <= 1/2
                              // 2^r = e^(r ln2), r ln2 as a double-double: |t| <= 0.3466.
    let (t, t_e) = two_prod(r, LN2D.hi);
    let t_lo = fma(r, LN2D.lo, t_e);
    let q = t * t * super::dd::poly11_estrin(t, &EXP_G);
    let (a, e1) = fast_two_sum(1.0, t);
    let p = a + (e1 + (t_lo + q));
    f64::from_bits(p.to_bits().wrapping_add(kd.to_bits() << 52))
}

/// Above this `|x|`, [`expm1_fast`] does not apply.
pub const EXPM1_FAST_MAX: f64 = 36.0;

/// The shared part of expm1 and tanh: for `|x| <= 36`, returns `2^k` and `r + r_lo` with `e^x = 2^k e^(r + r_lo)`,
/// and `m_lo` with `e^(r + r_lo) - 1 = r + m_lo` (relative error ~2^-56).
#[inline(always)]
pub(super) fn expm1_parts(x: f64) -> (f64, f64, f64) {
    let kd = fma(x, INV_LN2.hi, SHIFT);
    let k = kd - SHIFT;
    let r1 = fma(-k, LN2_0, x); // exact
    let r = fma(-k, LN2_1, r1);
    let r_lo = fma(-k, LN2_1, r1 - r);
    let q = r * r * super::dd::poly11_estrin(r, &EXP_G);
    (pow2_shifted(kd), r, r_lo + q)
}

/// `e^x - 1` for `|x| <= EXPM1_FAST_MAX` (not NaN).
#[inline(always)]
pub fn expm1_fast(x: f64) -> f64 {
    let (t, r, m_lo) = expm1_parts(x);
    // 2^k (1 + r + m_lo) - 1 = (2^k - 1) + 2^k r + 2^k m_lo; 2^k - 1 is exact and, unless
    // zero, the larger.
    let (s, e) = fast_two_sum(t - 1.0, t * r);
    let res = s + fma(t, m_lo, e);
    if x == 0.0 {
        x
    } else {
        res
    }
}

#[inline(always)]
pub fn exp2(x: f64) -> f64 {
    let xc = clamp_nan(x, -1080.0, 1025.0);
    let (kd, k) = round_int(xc);
    // 2^x = 2^k e^(r ln 2), r = x - k exact; r ln 2 as a double-double.
    let t = LN2D.mul_f(xc - kd);
    scale(exp_eval(t.hi, t.lo).hi, k)
}

#[inline(always)]
pub fn expm1(x: f64) -> f64 {
    let xc = clamp_nan(x, -40.0, 710.0);
    let (k, r, r_lo) = exp_reduce(xc, 0.0);
    // e^r - 1 = r + (r_lo + r r_lo + q) exactly enough; then 2^k (1 + m) - 1 = (2^k - 1) + 2^k m.
    let q = r * r * super::dd::poly11_estrin(r, &EXP_G);
    let m_lo = fma(r_lo, r, r_lo) + q;
    let kc = if k > 60 { 60 } else { k };
    let t = pow2i(kc);
    let (s, e) = two_sum(t - 1.0, t * r);
    let small = s + (e + t * m_lo);
    // For large k, e^x - 1 rounds like e^x.
    let (a, e1) = fast_two_sum(1.0, r);
    let big = scale(a + (e1 + m_lo), k);
    let res = if k > 60 { big } else { small };
    if x == 0.0 {
        x
    } else {
        res
    }
}

// ---------------------------------------------------------------------------
// log kernels

/// `x = 2^e m` with `m` in `[sqrt(1/2), sqrt(2))` and `s = (m - 1)/(m + 1)` as an
/// (unnormalized) double-double, for a positive normal finite `x`; other inputs give
/// garbage the callers replace.
#[inline(always)]
fn log_reduce(x: f64) -> (f64, Dd) {
    let (m, e) = frexp_sqrt2(x);
    let f = m - 1.0; // exact
    let (d, d_lo) = fast_two_sum(2.0, f);
    let rc = 1.0 / d;
    let s_hi = f * rc;
    let s_lo = (fma(-s_hi, d, f) - s_hi * d_lo) * rc;
    (i64_to_f64(e), Dd::new(s_hi, s_lo))
}

/// `core(x', e_adj)` with subnormal `x` scaled to normal (`x = x' 2^e_adj`), then the
/// special values of a logarithm of `x`.
#[inline(always)]
fn log_full(x: f64, core: impl Fn(f64, f64) -> f64) -> f64 {
    let sub = x < MIN_NORMAL;
    let res = core(if sub { x * TWO54 } else { x }, if sub { -54.0 } else { 0.0 });
    log_special(x, res)
}

/// `log m = 2s + s z Q(z)` as a double-double (relative error ~2^-60).
#[inline(always)]
fn log_m(s: Dd) -> Dd {
    let z = s.hi * s.hi;
    let t = s.hi * z * poly(z, &LOG_Q);
    let (hi, lo) = fast_two_sum(2.0 * s.hi, fma(2.0, s.lo, t));
    Dd::new(hi, lo)
}

/// The special values of log-like functions at `x` (the argument of the logarithm).
#[inline(always)]
fn log_special(x: f64, res: f64) -> f64 {
    let res = if x == f64::INFINITY { x } else { res };
    let res = if x == 0.0 { f64::NEG_INFINITY } else { res };
    let res = if x < 0.0 { DEFAULT_NAN } else { res };
    if x.is_nan() {
        x
    } else {
        res
    }
}

/// `log(x 2^e_adj)` for a positive normal finite `x`, in fdlibm's form
/// `log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2))`: `f` is exact and `s` only scales small
/// terms, so `s` needs no low part (fewer operations than the double-double kernels).
#[inline(always)]
pub fn log_normal(x: f64, e_adj: f64) -> f64 {
    let (m, e) = frexp_sqrt2(x);
    let e = i64_to_f64(e) + e_adj;
    let f = m - 1.0; // exact
    let s = f / (2.0 + f);
    let hfsq = 0.5 * f * f;
    let z = s * s;
    let r = z * poly(z, &LOG_Q);
    fma(e, LN2_0, (fma(s, hfsq + r, e * LN2_1) - hfsq) + f)
}

#[inline(always)]
pub fn log2_normal(x: f64, e_adj: f64) -> f64 {
    let (e, s) = log_reduce(x);
    let l = log_m(s).mul(INV_LN2);
    let (a, b) = fast_two_sum(e + e_adj, l.hi);
    a + (b + l.lo)
}

#[inline(always)]
pub fn log10_normal(x: f64, e_adj: f64) -> f64 {
    let (e, s) = log_reduce(x);
    let e = e + e_adj;
    let l = log_m(s).mul(INV_LN10);
    let (a, b) = fast_two_sum(e * LOG10_2_0, l.hi);
    a + (b + fma(e, LOG10_2_1, l.lo))
}

/// Whether `x` is positive, normal and finite: the domain of the `*_normal` kernels.
#[inline(always)]
pub fn is_normal_positive(x: f64) -> bool {
    (MIN_NORMAL..=f64::MAX).contains(&x)
}

/// The `_normal` kernels for positive normal finite `x`.
#[inline(always)]
pub fn log_fast(x: f64) -> f64 {
    log_normal(x, 0.0)
}

#[inline(always)]
pub fn log2_fast(x: f64) -> f64 {
    log2_normal(x, 0.0)
}

#[inline(always)]
pub fn log10_fast(x: f64) -> f64 {
    log10_normal(x, 0.0)
}

#[inline(always)]
pub fn log(x: f64) -> f64 {
    log_full(x, log_normal)
}

#[inline(always)]
pub fn log2(x: f64) -> f64 {
    log_full(x, log2_normal)
}

#[inline(always)]
pub fn log10(x: f64) -> f64 {
    log_full(x, log10_normal)
}

#[inline(always)]
pub fn log1p(x: f64) -> f64 {
    // 1 + x = u_hi + u_lo exactly; log(u_hi + u_lo) = log(u_hi) + u_lo/u_hi.
    let (u, u_lo) = two_sum(1.0, x);
    let (e, s) = log_reduce(u); // u >= 2^-53 when x >= -1: never subnormal
    let lm = log_m(s);
    let c = u_lo / u;
    let (a, b) = fast_two_sum(e * LN2_0, lm.hi);
    let res = a + (b + (fma(e, LN2_1, lm.lo) + c));
    let res = log_special(u, res);
    // -0 stays -0.
    if x == 0.0 {
        x
    } else {
        res
    }
}

// ---------------------------------------------------------------------------
// float32 kernels, in float32

// e^r = 1 + r + r^2 G(r), |r| <= 0.3467: |err| 4.5e-09 with the float32 coefficients.
const EXP32_G: [f32; 6] = [0.5, 0.16666667, 0.041666463, 0.0083333105, 0.0013933674, 0.00019891017];
// log m = 2s + s z Q(z), z = s^2 <= 0.02944: rel ~2^-31.5 with the float32 coefficients.
const LOG32_Q: [f32; 4] = [0.6666667, 0.40000123, 0.28550816, 0.23330583];
/// ln 2 = LN2_HI32 + LN2_LO32; LN2_HI32 has 15 significant bits, so `k * LN2_HI32` is
/// exact for |k| < 2^9.
const LN2_HI32: f32 = 0.693_145_75;
const LN2_LO32: f32 = 1.428_606_8e-6;
/// 1.5 * 2^23: `x + SHIFT32` rounds `x` to an integer held in the low bits.
const SHIFT32: f32 = 12_582_912.0;
const TWO25: f32 = 33_554_432.0;

/// `c[0] + x (c[1] + x (...))` in float32.
#[inline(always)]
fn poly32<const N: usize>(x: f32, c: &[f32; N]) -> f32 {
    let mut p = c[N - 1];
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        p = p.mul_add(x, c[i]);
    }
    p
}

/// Clamp to `[lo, hi]`, keeping NaN.
#[inline(always)]
fn clamp_nan32(x: f32, lo: f32, hi: f32) -> f32 {
    let x = if x > hi { hi } else { x };
    if x < lo {
        lo
    } else {
        x
    }
}

/// `e^x = 2^k p` for `|x| <= 104`: `k + SHIFT32` (its bits hold `k`) and `p` in
/// `[0.7, 1.42]`.
#[inline(always)]
fn exp32_parts(x: f32) -> (f32, f32) {
    let kd = x.mul_add(std::f32::consts::LOG2_E, SHIFT32);
    let k = kd - SHIFT32;
    let r = (-k).mul_add(LN2_HI32, x); // exact: k LN2_HI32 is, and close to x
    let r = (-k).mul_add(LN2_LO32, r);
    let g = poly32(r, &EXP32_G);
    (kd, 1.0 + (r * r).mul_add(g, r))
}

/// Above this `|x|`, [`exp_f32_fast`] does not apply (the result might not be normal).
pub const EXP32_FAST_MAX: f32 = 86.0;

/// float32 `e^x` for `|x| <= EXP32_FAST_MAX` (not NaN): `2^k` added to the exponent bits.
#[inline(always)]
pub fn exp_f32_fast(x: f32) -> f32 {
    let (kd, p) = exp32_parts(x);
    f32::from_bits(p.to_bits().wrapping_add(kd.to_bits() << 23))
}

/// float32 `e^x` for every `x`: `2^k` applied in two steps, so a subnormal result is
/// rounded once and an overflow gives inf.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Beyond these bounds the result is already inf or +0.
    let xc = clamp_nan32(x, -104.0, 89.0);
    let (kd, p) = exp32_parts(xc);
    let k = (kd.to_bits() as i32).wrapping_sub(SHIFT32.to_bits() as i32);
    let k1 = k >> 1;
    let two = |e: i32| f32::from_bits((e.wrapping_add(127) as u32) << 23);
    let res = p * two(k1) * two(k.wrapping_sub(k1));
    if x.is_nan() {
        x
    } else {
        res
    }
}

/// Whether `x` is positive, normal and finite: the domain of [`log_f32_fast`].
#[inline(always)]
pub fn is_normal_positive32(x: f32) -> bool {
    (f32::MIN_POSITIVE..=f32::MAX).contains(&x)
}

/// float32 `log(x 2^e_adj)` for a positive normal finite `x`, fdlibm's `logf` form
/// `log(1 + f) = f - f^2/2 + s (f^2/2 + R)`, `f = m - 1` exact, `s = f/(2 + f)`.
#[inline(always)]
fn log32_normal(x: f32, e_adj: f32) -> f32 {
    let ix = x.to_bits();
    // m in [sqrt(1/2), sqrt(2)): k counts the octaves from sqrt(1/2).
    let tmp = ix.wrapping_sub(0x3f35_04f3);
    let k = (tmp as i32) >> 23;
    let m = f32::from_bits(ix.wrapping_sub((k << 23) as u32));
    let kf = k as f32 + e_adj;
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let r = z * poly32(z, &LOG32_Q);
    let hfsq = 0.5 * f * f;
    kf.mul_add(LN2_HI32, (s.mul_add(hfsq + r, kf * LN2_LO32) - hfsq) + f)
}

/// float32 `log x` for a positive normal finite `x`.
#[inline(always)]
pub fn log_f32_fast(x: f32) -> f32 {
    log32_normal(x, 0.0)
}

/// float32 `log x` for every `x`: subnormals scaled by 2^25 first, then the special values.
#[inline(always)]
pub fn log_f32(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let res = log32_normal(if sub { x * TWO25 } else { x }, if sub { -25.0 } else { 0.0 });
    let res = if x == f32::INFINITY { x } else { res };
    let res = if x == 0.0 { f32::NEG_INFINITY } else { res };
    let res = if x < 0.0 { DEFAULT_NAN_F32 } else { res };
    if x.is_nan() {
        x
    } else {
        res
    }
}
