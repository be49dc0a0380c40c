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
//! operations — measured ~10% faster, 1.1 vs 1.2 ns per float64 element. For the same
//! reason the vector kernels run it in two passes over sub-blocks ([`tanh_parts`],
//! then [`tanh_finish`]: the same operations), which let the core overlap more
//! elements: 1.05 -> 0.80 ns at n = 1e5 on one thread.
//! The exponent is applied last, so the overflow threshold is exact.
//!
//! float32 tanh is computed in float32, not widened ([`tanh_f32`]): a piecewise
//! polynomial of degree 5 on 30 slots of `|x|` (quarter octaves from 1/16 to 9.5, and
//! one slot below 1/16), the slot picked by five bits of `|x|`, so the AVX-512 kernel
//! looks each coefficient up with one 32-entry permute (`vpermt2ps`) instead of a
//! gather: ~17 vector operations per 16 elements against ~60 per 8 for the
//! double-double tanh. Within 1 ulp of the correctly rounded result (tested over
//! every float32).
//!
//! Coefficients: `tools/vmath_coeffs.py`, and `tools/vmath_tanh32.py` for the float32
//! table (`tanh32_table.rs`).

use super::dd::{fast_two_sum, fma, poly, pow2i, scale, two_sum, Dd};
use super::exp::{clamp_nan, exp_dd, expm1_parts};
use super::tanh32_table::TANH32;

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
    let (t, r, m_lo) = tanh_parts(x);
    tanh_finish(x, t, r, m_lo)
}

/// [`tanh`]'s exponential: `e^2|x| - 1` in parts (see [`expm1_parts`]).
#[inline(always)]
pub fn tanh_parts(x: f64) -> (f64, f64, f64) {
    // tanh 20 rounds to 1; the clamp keeps NaN a NaN.
    let y = 2.0 * clamp_nan(x.abs(), 0.0, 20.0);
    expm1_parts(y)
}

/// The rest of [`tanh`] after [`tanh_parts`].
#[inline(always)]
pub fn tanh_finish(x: f64, t: f64, r: f64, m_lo: f64) -> f64 {
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

/// Above this `|x|` float32 tanh is 1 (the correctly rounded tanh is 1 from 9.011 on;
/// the last slot's polynomial gives 1 up to here).
pub const TANH32_MAX: f32 = 9.5;
/// The bits of the float32 just below 1/16: every `|x|` below 1/16 takes its slot.
pub const TANH32_SMALL_BITS: u32 = 0x3d7f_ffff;

/// The slot of `a = min(|x|, TANH32_MAX)` (as bits) in [`TANH32`]: bits 21..25, the
/// low exponent bits and two leading significand bits, after raising `a` to the
/// float32 just below 1/16. The slots of `[1/16, 9.5]` are 30 distinct values mod 32.
#[inline(always)]
pub fn tanh32_slot(a_bits: u32) -> usize {
    ((a_bits.max(TANH32_SMALL_BITS) >> 21) & 31) as usize
}

/// float32 tanh in float32 arithmetic: `c0 + t (c1 + t (c2 + ...))` with `t = a - b`
/// exact, from the slot's row of [`TANH32`], then the sign of `x` (the polynomial is
/// nonnegative). The AVX-512 kernel (`kernels::tanh_f32_avx512`) computes the same
/// operations, so the same bits; NaN stays NaN (the clamp keeps it, so does `t`).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let ax = x.abs();
    let a = if ax > TANH32_MAX { TANH32_MAX } else { ax };
    let i = tanh32_slot(a.to_bits());
    let c = |k: usize| TANH32[k][i];
    let t = a - c(0);
    let q = c(6).mul_add(t, c(5)).mul_add(t, c(4)).mul_add(t, c(3)).mul_add(t, c(2));
    let r = t.mul_add(q, c(1));
    f32::from_bits(r.to_bits() | (x.to_bits() & 0x8000_0000))
}
