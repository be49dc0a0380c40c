//! sinh, cosh, tanh from the double-double exponential.
//!
//! With `e^|x| = 2^k p` (`p` a double-double from [`exp_dd`]):
//! `cosh x = 2^(k-1) (p + 2^-2k / p)` and `sinh x = 2^(k-1) (p - 2^-2k / p)`,
//! summed in double-double so the result is rounded once (sinh only for
//! `|x| >= 1`, where the cancellation is at most 1.2x; below, `x + x^3 S(x^2)`).
//! `tanh |x| = (e^2|x| - 1)/(e^2|x| + 1)`, both from expm1's kernel as double-doubles,
//! so small `|x|` keeps its relative accuracy without a separate polynomial.
//! The exponent is applied last, so the overflow threshold is exact.
//!
//! Coefficients: `tools/vmath_coeffs.py`.

use super::dd::{fast_two_sum, fma, poly, pow2i, scale, two_sum, Dd};
use super::exp::{clamp_nan, exp_dd, expm1_parts};

// sinh x = x + x^3 S(x^2), |x| <= 1.
const SINH_S: [f64; 9] = [
    0.16666666666666666,
    0.008333333333333333,
    0.0001984126984126984,
    2.7557319223985825e-06,
    2.5052108385476088e-08,
    1.6059043826896534e-10,
    7.647165415099664e-13,
    2.8112909313026636e-15,
    8.309180841540786e-18,
];
/// `e^a = 2^k p` and `2^-2k / p` as a double-double, for `0 <= a <= 711`.
#[inline(always)]
fn exp_and_inverse(a: f64) -> (i64, Dd, Dd) {
    let (k, p) = exp_dd(a, 0.0);
    let inv = 1.0 / p.hi;
    // 1/(p_hi + p_lo) = inv (1 + (1 - inv p_hi - inv p_lo)) to second order.
    let inv_lo = inv * (fma(-inv, p.hi, 1.0) - inv * p.lo);
    // 2^-2k underflows (to a term far below an ulp of p) beyond k = 511.
    let m = if k > 511 { 0.0 } else { pow2i(-2 * k.clamp(0, 511)) };
    (k, p, Dd::new(inv * m, inv_lo * m))
}

#[inline(always)]
pub fn cosh(x: f64) -> f64 {
    let a = clamp_nan(x.abs(), 0.0, 711.0);
    let (k, p, q) = exp_and_inverse(a);
    let (s, e) = two_sum(p.hi, q.hi);
    scale(s + (e + (p.lo + q.lo)), k - 1)
}

#[inline(always)]
pub fn sinh(x: f64) -> f64 {
    let a = clamp_nan(x.abs(), 0.0, 711.0);
    let (k, p, q) = exp_and_inverse(a);
    let (s, e) = two_sum(p.hi, -q.hi);
    let big = scale(s + (e + (p.lo - q.lo)), k - 1);
    let z = a * a;
    let small = fma(a * z, poly(z, &SINH_S), a);
    let res = if a < 1.0 { small } else { big };
    res.copysign(x)
}

/// `tanh x = (e^2|x| - 1) / (e^2|x| + 1)`, numerator and denominator as double-doubles
/// sharing `e^2|x| - 1` (so small `|x|` keeps its relative accuracy), one division.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    // tanh 20 rounds to 1; the clamp keeps NaN a NaN.
    let y = 2.0 * clamp_nan(x.abs(), 0.0, 20.0);
    let (t, r, m_lo) = expm1_parts(y);
    // e^y -+ 1 = (2^k -+ 1) + 2^k (r + m_lo): r + m_lo normalized first (m_lo ~ r^2/2), and
    // 2^k -+ 1 kept exact for k > 53.
    let (m, m_e) = fast_two_sum(r, m_lo);
    let (b, b_lo) = (t * m, t * m_e);
    let (tm, tm_e) = fast_two_sum(t, -1.0);
    let (tp, tp_e) = fast_two_sum(t, 1.0);
    let (n, n_e) = fast_two_sum(tm, b);
    let (d, d_e) = fast_two_sum(tp, b);
    let (n_lo, d_lo) = (n_e + (tm_e + b_lo), d_e + (tp_e + b_lo));
    let rc = 1.0 / d;
    let q = n * rc;
    let q_lo = (fma(-q, d, n) + fma(-q, d_lo, n_lo)) * rc;
    (q + q_lo).copysign(x)
}
