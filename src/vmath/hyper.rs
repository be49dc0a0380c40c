//! sinh, cosh, tanh from the double-double exponential.
//!
//! With `e^|x| = 2^k p` (`p` a double-double from [`exp_dd`]):
//! `cosh x = 2^(k-1) (p + 2^-2k / p)` and `sinh x = 2^(k-1) (p - 2^-2k / p)`,
//! summed in double-double so the result is rounded once (sinh only for
//! `|x| >= 1`, where the cancellation is at most 1.2x; below, `x + x^3 S(x^2)`).
//! `tanh |x| = n/(n + 2)` with `n = e^2|x| - 1` a double-double from expm1's kernel,
//! so small `|x|` keeps its relative accuracy without a separate polynomial; the
//! denominator shares `n` (one two-sum), and one division is corrected by its
//! remainder. The exponential's polynomial is evaluated by Estrin's scheme there
//! (a chain of 5 instead of 10 fmas): tanh, like pow, is bound by latency, not by
//! operations — measured ~10% faster, 1.1 vs 1.2 ns per float64 element.
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

/// `tanh x = n / (n + 2)` with `n = e^2|x| - 1` as a double-double from expm1's kernel
/// (so small `|x|` keeps its relative accuracy), the denominator's rounding error kept,
/// and one division corrected by its remainder.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    // tanh 20 rounds to 1; the clamp keeps NaN a NaN.
    let y = 2.0 * clamp_nan(x.abs(), 0.0, 20.0);
    let (t, r, m_lo) = expm1_parts(y);
    // e^y - 1 = (2^k - 1) + 2^k (r + m_lo), r + m_lo normalized first (m_lo ~ r^2/2 is
    // not small beside r); 2^k - 1 and 2^k m exact (k <= 58), 2^k - 1 the larger unless 0.
    let (m, m_e) = fast_two_sum(r, m_lo);
    let (n, n_e) = fast_two_sum(t - 1.0, t * m);
    let n_lo = fma(t, m_e, n_e);
    // d = n + 2 exactly as d + d_lo: the larger of the two first.
    let (d, d_e) = fast_two_sum(n.max(2.0), n.min(2.0));
    let d_lo = d_e + n_lo;
    let rc = 1.0 / d;
    let q = n * rc;
    // n + n_lo = q (d + d_lo) + rem, rem = (n - q d) + n_lo - q d_lo.
    let q_lo = (fma(-q, d, n) + fma(-q, d_lo, n_lo)) * rc;
    (q + q_lo).copysign(x)
}
