//! pow (float exponents), cbrt, hypot.
//!
//! pow: `x^y = e^(y log|x|)` with `log|x|` from [`log_dd`] (~2^-68 relative) and
//! `y log|x|` as an exact-enough double-double fed to [`exp_dd`], so the result
//! is within ~0.5 ulp before the final rounding (the structure of SLEEF's and
//! CORE-MATH's pow, without tables). C99 Annex F special values, which are
//! NumPy's: `x^0 = 1` and `1^y = 1` even for NaN, negative `x` with a non-integer
//! `y` is NaN, signs of zeros and infinities by the parity of `y`.
//!
//! cbrt: `|x| = 2^(3q) a`, `a` in `[1, 8)`; `a^(-1/3)` from a degree-5 fit and
//! three Newton steps (no division), then one correction of `a^(1/3)` with the
//! residual `a - y^3` in double-double (musl's final step, without a divide).
//!
//! hypot: `sqrt(x^2 + y^2)` with one fma, after scaling by a power of two when
//! the larger argument is beyond `2^±500`.

use super::dd::{fma, i64_to_f64, poly, pow2i, round_int, scale, two_prod, Dd};
use super::exp::{exp_dd, is_normal_positive, log_dd, log_dd_normal, MIN_NORMAL};

/// The arguments [`pow_fast`] takes: `x` positive, normal and finite, `y` finite.
#[inline(always)]
pub fn in_pow_fast_domain(x: f64, y: f64) -> bool {
    is_normal_positive(x) && y.is_finite()
}

/// `y log x` as a double-double, clamped to `[-1100, 1100]` (beyond, the result is
/// inf or 0 whatever the low part: tested on the plain product, as the double-double
/// one is NaN when it overflows).
#[inline(always)]
fn y_log_x(l: Dd, y: f64) -> (f64, f64) {
    let t = l.mul_f(y);
    let big = l.hi * y;
    let out = !(-1100.0..=1100.0).contains(&big);
    // Written as single-value selects: LLVM vectorizes those, not a chain over tuples.
    let hi = if out { 1100f64.copysign(big) } else { t.hi };
    (hi, if out { 0.0 } else { t.lo })
}

/// `x^y` for `x` positive, normal and finite and `y` finite (see [`in_pow_fast_domain`]):
/// no special values to sort out, and `x = 1` or `y = 0` give exactly 1 by themselves.
#[inline(always)]
pub fn pow_fast(x: f64, y: f64) -> f64 {
    let (t_hi, t_lo) = y_log_x(log_dd_normal(x, 0.0), y);
    let (k, p) = exp_dd(t_hi, t_lo);
    scale(p.hi, k)
}

#[inline(always)]
pub fn pow(x: f64, y: f64) -> f64 {
    let ax = x.abs();
    let regular = ax > 0.0 && ax < f64::INFINITY;
    let (t_hi, t_lo) = y_log_x(log_dd(if regular { ax } else { 1.0 }), y);
    let (k, p) = exp_dd(t_hi, t_lo);
    let res = scale(p.hi, k);

    let y_int = y.trunc() == y; // true for infinities
    let y_half = 0.5 * y;
    let y_odd = y_int && y_half.trunc() != y_half;
    let ay = y.abs();
    let res = if ax == 0.0 {
        if y < 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        res
    };
    let res = if ax == f64::INFINITY {
        if y < 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        res
    };
    let res = if ay == f64::INFINITY {
        if ax == 1.0 {
            1.0
        } else if (ax < 1.0) == (y < 0.0) {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        res
    };
    let res = if x.is_sign_negative() && y_odd { -res } else { res };
    let res = if x < 0.0 && ax < f64::INFINITY && !y_int { f64::NAN } else { res };
    let res = if x.is_nan() || y.is_nan() { x + y } else { res };
    if y == 0.0 || x == 1.0 {
        1.0
    } else {
        res
    }
}

// a^(-1/3) on [1, 8], relative error ~2^-6.7.
const RCBRT_0: [f64; 6] = [
    1.3994427296412673,
    -0.5538784978606232,
    0.1792104144854146,
    -0.03233586898392608,
    0.002967073319555683,
    -0.00010790352720438857,
];
const TWO54: f64 = 18014398509481984.0;
const THIRD: f64 = 1.0 / 3.0;

#[inline(always)]
pub fn cbrt(x: f64) -> f64 {
    let ax = x.abs();
    let sub = ax < MIN_NORMAL;
    let xs = if sub { ax * TWO54 } else { ax };
    let bits = xs.to_bits();
    let e = (bits >> 52) as i64 - 1023;
    // q = floor(e/3) as round((e - 1)/3): the fraction is 0 or +-1/3, far from a tie.
    let (_, q) = round_int((i64_to_f64(e) - 1.0) * THIRD);
    let rem = e.wrapping_sub(3 * q); // 0, 1 or 2
    let a = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | ((rem.wrapping_add(1023) as u64) << 52));
    let mut z = poly(a, &RCBRT_0);
    for _ in 0..3 {
        // Newton for a^(-1/3): z += z (1 - a z^3)/3.
        let t = fma(-(a * z), z * z, 1.0);
        z = fma(z * t, THIRD, z);
    }
    let y = a * z * z;
    // One correction y += (a - y^3)/(3 y^2), the residual in double-double, 1/y^2 = z^2.
    let (y2, y2e) = two_prod(y, y);
    let (y3, y3e) = two_prod(y2, y);
    let resid = (a - y3) - fma(y2e, y, y3e);
    let y = fma(resid * z * z, THIRD, y);
    let q = q - if sub { 18 } else { 0 };
    let res = (y * pow2i(q)).copysign(x);
    if ax == 0.0 || !ax.is_finite() {
        x
    } else {
        res
    }
}

const BIG: f64 = 3.273390607896142e150; // 2^500
const SMALL: f64 = 3.054936363499605e-151; // 2^-500
const DOWN: f64 = 2.409919865102884e-181; // 2^-600
const UP: f64 = 4.149515568880993e180; // 2^600

#[inline(always)]
pub fn hypot(x: f64, y: f64) -> f64 {
    let (a, b) = (x.abs(), y.abs());
    let m = if a > b { a } else { b };
    let (sc, unsc) = if m > BIG {
        (DOWN, UP)
    } else if m < SMALL {
        (UP, DOWN)
    } else {
        (1.0, 1.0)
    };
    let (a, b) = (a * sc, b * sc);
    let res = fma(a, a, b * b).sqrt() * unsc;
    let res = if x.is_nan() || y.is_nan() { x + y } else { res };
    if a == f64::INFINITY || b == f64::INFINITY {
        f64::INFINITY
    } else {
        res
    }
}
