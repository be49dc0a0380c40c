//! arctan, arctan2, arcsin, arccos. arctan and arctan2 share one kernel: the angle of the point `(b, a)`
//! (`a, b >= 0`, given as double-doubles), `atan(a/b)`.
//!
//! The ratio is reduced around the nearest of the centres `c = 0, 1/2, 1, 2, inf`
//! (`atan(a/b) = atan c + atan u`, `u = (a - c b)/(b + c a)`, or `-b/a` at inf),
//! so `|u| <= 1/4` and `atan u = u + u^3 A(u^2)` needs 11 terms. The centres are
//! powers of two: `a - c b` is exact (Sterbenz) and `b + c a` is an exact
//! double-double, so `u` is accurate to ~2^-100 with one division (fdlibm
//! `s_atan.c` uses the same idea with centres 0, 1/2, 1, 3/2, inf).
//!
//! arcsin and arccos have their own kernel (fdlibm's reduction, no division):
//! `asin x = x + x^3 P(x^2)` for `|x| <= 1/2`, and `pi/2 - 2 asin sqrt((1 - |x|)/2)`
//! above, with the square root as a double-double; arccos from the same pieces.
//!
//! Coefficients: `tools/vmath_coeffs.py`.

use super::dd::{fast_two_sum, fma, poly, two_sum, Dd};
use super::DEFAULT_NAN;

// atan u = u + u^3 A(u^2), |u| <= 1/4.
const ATAN_A: [f64; 11] = [
    -0.3333333333333333,
    0.19999999999999998,
    -0.14285714285714085,
    0.11111111111061196,
    -0.09090909084507684,
    0.07692307212621745,
    -0.0666664420669411,
    0.05881675152412459,
    -0.05249936534819437,
    0.04599771145913838,
    -0.031895913266464536,
];

// asin x = x + x^3 P(x^2), |x| <= 1/2.
const ASIN_P: [f64; 13] = [
    0.16666666666666669,
    0.07499999999998425,
    0.04464285714637338,
    0.030381944137085216,
    0.022372173002005596,
    0.017352391265909227,
    0.013971235301124539,
    0.011478952690257387,
    0.010324318288744113,
    0.005450878187720551,
    0.017419357964884856,
    -0.014881409392818063,
    0.02877844261259304,
];

const ZERO: Dd = Dd { hi: 0.0, lo: 0.0 };
const ATAN_HALF: Dd = Dd { hi: 0.4636476090008061, lo: 2.2698777452961687e-17 };
const PIO4: Dd = Dd { hi: std::f64::consts::FRAC_PI_4, lo: 3.061616997868383e-17 };
const ATAN_TWO: Dd = Dd { hi: 1.1071487177940904, lo: 9.40447137356638e-17 };
const PIO2: Dd = Dd { hi: std::f64::consts::FRAC_PI_2, lo: 6.123233995736766e-17 };
const PI: Dd = Dd { hi: std::f64::consts::PI, lo: 1.2246467991473532e-16 };

#[inline(always)]
fn pick(c: bool, a: Dd, b: Dd) -> Dd {
    Dd::new(if c { a.hi } else { b.hi }, if c { a.lo } else { b.lo })
}

/// `atan(a/b)` in `[0, pi/2]` as a double-double, for finite `a, b >= 0`, not both
/// zero, with `max(a, b)` in `[2^500, 2^502)` (callers scale) or `b == 1`.
#[inline(always)]
fn angle(a: Dd, b: Dd) -> Dd {
    let (ah, bh) = (a.hi, b.hi);
    let c_inf = ah > 4.0 * bh;
    let c2 = ah > 1.5 * bh;
    let c1 = ah > 0.75 * bh;
    let c_half = ah > 0.25 * bh;
    // num = alpha a - beta b, den = beta a + alpha b; (alpha, beta) = (1, c), or (0, 1) at inf.
    let beta = if c_inf {
        1.0
    } else if c2 {
        2.0
    } else if c1 {
        1.0
    } else if c_half {
        0.5
    } else {
        0.0
    };
    let alpha = if c_inf { 0.0 } else { 1.0 };
    let base = if c_inf {
        PIO2
    } else if c2 {
        ATAN_TWO
    } else if c1 {
        PIO4
    } else {
        pick(c_half, ATAN_HALF, ZERO)
    };
    let num_hi = alpha * ah - beta * bh; // exact: the centre is within a factor 2 of a/b
    let (num, num_lo) = fast_two_sum(num_hi, alpha * a.lo - beta * b.lo);
    let den = Dd::sum(beta * ah, alpha * bh).add_f(beta * a.lo + alpha * b.lo);
    let rc = 1.0 / den.hi;
    let u0 = num * rc;
    let u_lo = (fma(-u0, den.hi, num) + fma(-u0, den.lo, num_lo)) * rc;
    let (u, u_lo) = fast_two_sum(u0, u_lo);
    let z = u * u;
    let t = fma(u * z, poly(z, &ATAN_A), u_lo);
    let (s, e) = two_sum(base.hi, u);
    let (hi, lo) = fast_two_sum(s, e + (base.lo + t));
    Dd::new(hi, lo)
}

#[inline(always)]
pub fn atan(x: f64) -> f64 {
    let a = x.abs();
    let th = angle(Dd::new(a, 0.0), Dd::new(1.0, 0.0));
    let res = if a == f64::INFINITY { PIO2.hi } else { th.hi };
    // copysign keeps NaN a NaN.
    res.copysign(x)
}

const TINY: f64 = 3.872591914849318e-121; // 2^-400
const UP: f64 = 4.149515568880993e180; // 2^600

#[inline(always)]
pub fn atan2(y: f64, x: f64) -> f64 {
    let (a, b) = (y.abs(), x.abs());
    let m = if a > b { a } else { b };
    // Scale both by powers of two so the larger is in [2^500, 2^502): the ratio is kept,
    // the smaller stays normal whenever the angle is not below 2^-1000, and no
    // intermediate overflows or underflows.
    let pre = if m < TINY { UP } else { 1.0 };
    let be = ((m * pre).to_bits() >> 52).min(2045);
    let sc = f64::from_bits((2546 - be) << 52);
    let th = angle(Dd::new(a * pre * sc, 0.0), Dd::new(b * pre * sc, 0.0));
    let (a_inf, b_inf) = (a == f64::INFINITY, b == f64::INFINITY);
    let th = pick(a_inf, pick(b_inf, PIO4, PIO2), pick(b_inf || a == 0.0, ZERO, th));
    // Left half-plane (including x = -0): pi - angle.
    let (s, e) = two_sum(PI.hi, -th.hi);
    let left = s + (e + (PI.lo - th.lo));
    let res = if x.is_sign_negative() { left } else { th.hi };
    let res = if x.is_nan() || y.is_nan() { x + y } else { res };
    res.copysign(y)
}

/// The shared part of asin and acos for `a = |x|`: `(u, r)` with `asin a = u + r` when
/// `a <= 1/2` (`u = a`), and `asin a = pi/2 - 2 (u + r)` above, where `u + r = asin s`,
/// `s = sqrt((1 - a)/2)` (as in fdlibm `e_asin.c`); `r` is the small tail, with the
/// low part of `s` folded in. One polynomial, on `a^2` or `s^2`, serves both.
#[inline(always)]
fn asin_parts(a: f64) -> (f64, f64) {
    let w = fma(-0.5, a, 0.5); // exact for a >= 1/2
    let s = w.sqrt();
    // s_lo = (w - s^2) / 2s; 1/s only needs ~20 bits: a bit-trick rsqrt and two Newton steps.
    let mut y = f64::from_bits(0x5fe6_eb50_c7b5_37a9u64.wrapping_sub(w.to_bits() >> 1));
    y *= fma(-0.5 * w * y, y, 1.5);
    y *= fma(-0.5 * w * y, y, 1.5);
    let s_lo = fma(-s, s, w) * (0.5 * y);
    let small = a <= 0.5;
    let u = if small { a } else { s };
    let z = if small { a * a } else { w };
    let r = fma(u * z, poly(z, &ASIN_P), if small { 0.0 } else { s_lo });
    (u, r)
}

#[inline(always)]
pub fn asin(x: f64) -> f64 {
    let a = x.abs();
    let (u, r) = asin_parts(a);
    let (h, e) = fast_two_sum(PIO2.hi, -2.0 * u);
    let big = h + (e + fma(-2.0, r, PIO2.lo));
    let res = if a <= 0.5 { u + r } else { big };
    let res = res.copysign(x);
    if a > 1.0 {
        DEFAULT_NAN
    } else {
        res
    }
}

#[inline(always)]
pub fn acos(x: f64) -> f64 {
    let a = x.abs();
    let (u, r) = asin_parts(a);
    // a <= 1/2: pi/2 - asin x; x > 1/2: 2 asin s; x < -1/2: pi - 2 asin s.
    let (h, e) = fast_two_sum(PIO2.hi, -x);
    let mid = h + (e + (PIO2.lo - r.copysign(x)));
    let right = fma(2.0, u, 2.0 * r);
    let (h, e) = fast_two_sum(PI.hi, -2.0 * u);
    let left = h + (e + fma(-2.0, r, PI.lo));
    let res = if a <= 0.5 {
        mid
    } else if x > 0.0 {
        right
    } else {
        left
    };
    if x.is_nan() {
        x
    } else if a > 1.0 {
        DEFAULT_NAN
    } else {
        res
    }
}
