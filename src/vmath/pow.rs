//! pow (float exponents), cbrt, hypot.
//!
//! pow: `x^y = e^(y log|x|)` with `log|x|` from [`log_dd`] (~2^-68 relative) and
//! `y log|x|` as an exact-enough double-double fed to [`exp_dd`], so the result
//! is within ~0.5 ulp before the final rounding (the structure of SLEEF's and
//! CORE-MATH's pow, without tables). C99 Annex F special values, which are
//! NumPy's: `x^0 = 1` and `1^y = 1` even for NaN, negative `x` with a non-integer
//! `y` is NaN, signs of zeros and infinities by the parity of `y`.
//!
//! Exponents that are small multiples of one half (`y = k/2`, `1 <= |k| <= 17`,
//! so `x**3`, `x**-2`, `x**2.5`, `x**-1.5`) take an exact-arithmetic path instead
//! of the logarithm: `x^n` by binary powering in double-double (every product's
//! rounding error kept by an fma), times `sqrt(x)` as a double-double for the half,
//! and a double-double reciprocal for a negative `y`. It is as accurate as the
//! general path (~2^-100 relative before the final rounding: correctly rounded
//! but for near-ties) and 10-50 times cheaper, which is what makes polynomials
//! and `r**-1.5` run at memory speed. It applies where no intermediate can
//! overflow or underflow, `2^-60 <= |x| <= 2^60` (and `x > 0` for a half); other
//! `x` take the general path. `y = 2` is `x*x` for every `x`, NumPy's own fast
//! path. The special path is part of `pow`'s definition ([`pow`] selects it element by
//! element), so every engine and every block split computes the same bits; the
//! block kernels only find it faster when a block's exponent is uniform.
//! `y = -1` is `1/x` and `y = 0.5` is `sqrt(x)` (but at `-0` and `-inf`) likewise:
//! one correctly rounded operation, NumPy's fast paths ([`pow_exact`]).
//!
//! cbrt: `|x| = 2^(3q) a`, `a` in `[1, 8)`; `a^(-1/3)` from a degree-5 fit and
//! three Newton steps (no division), then one correction of `a^(1/3)` with the
//! residual `a - y^3` in double-double (musl's final step, without a divide).
//!
//! hypot: `sqrt(x^2 + y^2)` with one fma, after scaling by a power of two when
//! the larger argument is beyond `2^±500`.

use super::dd::{fma, i64_to_f64, poly, pow2i, round_int, scale, two_prod, Dd};
use super::exp::{exp_dd, is_normal_positive, log_dd, log_dd_normal, MIN_NORMAL};
use super::DEFAULT_NAN;

/// The arguments [`pow_fast`] takes: `x` positive, normal and finite, `y` finite
/// and neither an [`exact_exponent`] nor one of the special path ([`special_exponent`]).
#[inline(always)]
pub fn in_pow_fast_domain(x: f64, y: f64) -> bool {
    is_normal_positive(x) && y.is_finite() && !special_exponent(y) && !exact_exponent(y)
}

/// The exponents with a single correctly rounded operation for every `x`: `x^2 = x*x`,
/// `x^-1 = 1/x`, `x^0.5 = sqrt(x)` (but `+0` at `-0` and `+inf` at `-inf`, Annex F's
/// values). They are NumPy's fast paths, and [`pow_exact`] computes them.
#[inline(always)]
pub fn exact_exponent(y: f64) -> bool {
    y == 2.0 || y == -1.0 || y == 0.5
}

/// `x^y` for an [`exact_exponent`] `y`.
#[inline(always)]
pub fn pow_exact(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        x * x
    } else if y == -1.0 {
        1.0 / x
    } else if x == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        // `+ 0.0` turns sqrt's `-0` into pow's `+0` and leaves every other value alone.
        x.sqrt() + 0.0
    }
}

// ------------------------------------------------------------------ the special path

/// The largest `|y|` of the special path: `y = k/2` with `1 <= |k| <= 2 * SPECIAL_N + 1`.
pub const SPECIAL_N: u32 = 8;
/// Below `2^-60` or above `2^60`, `|x|^8.5` or one of its partial products could leave
/// the normal range, where double-double loses its exactness.
const SPECIAL_X_MIN: f64 = 8.673617379884035e-19; // 2^-60
const SPECIAL_X_MAX: f64 = 1.152921504606847e18; // 2^60

/// Whether `y = k/2` with an integer `1 <= |k| <= 2 SPECIAL_N + 1`, other than the
/// [`exact_exponent`]s.
#[inline(always)]
pub fn special_exponent(y: f64) -> bool {
    let t = y + y;
    let at = t.abs();
    at.trunc() == at && (1.0..=(2 * SPECIAL_N + 1) as f64).contains(&at) && !exact_exponent(y)
}

/// `|y| = whole + half/2`: the integer part of `|y|` and whether a half remains
/// (meaningful for a [`special_exponent`]).
#[inline(always)]
pub fn split_exponent(y: f64) -> (f64, bool) {
    let k = (y + y).abs();
    let whole = (0.5 * k).trunc();
    (whole, k - (whole + whole) == 1.0)
}

/// Whether the special path applies to `x` for the special exponent `y` (see the module docs).
#[inline(always)]
pub fn in_special_domain(x: f64, half: bool) -> bool {
    let ax = x.abs();
    (SPECIAL_X_MIN..=SPECIAL_X_MAX).contains(&ax) && (!half || x > 0.0)
}

/// [`in_special_domain`] for every element of `xs` (f64 or f32), as a maximum of
/// unsigned distances to the domain's low end: vector lanes, no chain of masks.
#[inline(always)]
pub fn all_in_special_domain<T: Copy + Into<f64>>(xs: &[T], half: bool) -> bool {
    let (lo, hi) = (SPECIAL_X_MIN.to_bits(), SPECIAL_X_MAX.to_bits());
    // With a half, negative `x` (sign bit set) lands far above the range.
    let mask = if half { u64::MAX } else { u64::MAX >> 1 };
    let far = xs.iter().fold(0u64, |acc, &v| acc.max((v.into().to_bits() & mask).wrapping_sub(lo)));
    far <= hi - lo
}

/// `(h, l)^2` in double-double: the rounding error of `h*h` exactly (fma), `2hl` added.
#[inline(always)]
fn dd_sqr(h: f64, l: f64) -> (f64, f64) {
    let p = h * h;
    (p, fma(h + h, l, fma(h, h, -p)))
}

/// `(h, l) * x` in double-double.
#[inline(always)]
fn dd_mul_f(h: f64, l: f64, x: f64) -> (f64, f64) {
    let p = h * x;
    (p, fma(l, x, fma(h, x, -p)))
}

/// One step of left-to-right binary powering: square, then multiply by `x` if `bit`.
/// Starting from `(1, 0)` the leading steps are exact identities (`1*1`, `1*x`), so
/// every `n` takes the same operations on its significant bits.
#[inline(always)]
fn powi_step(h: f64, l: f64, x: f64, bit: bool) -> (f64, f64) {
    let (h, l) = dd_sqr(h, l);
    let (mh, ml) = dd_mul_f(h, l, x);
    // Single-value selects vectorize; a select of tuples may not.
    (if bit { mh } else { h }, if bit { ml } else { l })
}

/// `x^(±(n + half/2))` from `x^n = (h, l)`: the half as `sqrt(x)` in double-double,
/// the sign as a double-double reciprocal, then the one rounding.
#[inline(always)]
fn special_finish(x: f64, h: f64, l: f64, half: bool, neg: bool) -> f64 {
    // sqrt(x) = s + (x - s^2)/(2s) to ~2^-104; the residual is exact.
    let s = x.sqrt();
    let s_lo = fma(-s, s, x) / (s + s);
    let p = h * s;
    let e = fma(h, s_lo, fma(l, s, fma(h, s, -p)));
    let (h, l) = (if half { p } else { h }, if half { e } else { l });
    // 1/(h + l) = r (1 + e), e = 1 - (h + l) r computed exactly enough by two fmas.
    let r = 1.0 / h;
    let inv = fma(r, fma(-l, r, fma(-h, r, 1.0)), r);
    if neg {
        inv
    } else {
        h + l
    }
}

/// The special path for `y = ±(n + half/2)` known at compile time, `n <= SPECIAL_N`:
/// the same operations as [`pow_special`] with the powering unrolled.
#[inline(always)]
pub fn pow_special_n<const N: u32, const HALF: bool, const NEG: bool>(x: f64) -> f64 {
    let (mut h, mut l) = (1.0, 0.0);
    let mut bit = 32 - N.leading_zeros();
    while bit > 0 {
        bit -= 1;
        (h, l) = powi_step(h, l, x, (N >> bit) & 1 == 1);
    }
    special_finish(x, h, l, HALF, NEG)
}

/// The special path for any special `y`, branch-free (the bits of `n` as selects):
/// equal to [`pow_special_n`] for the same exponent, bit for bit (a test checks it).
#[inline(always)]
pub fn pow_special(x: f64, y: f64) -> f64 {
    let (n, half) = split_exponent(y);
    // n <= 8 in binary: bits 3..0; leading zero bits keep (1, 0) exactly.
    let (mut h, mut l) = (1.0, 0.0);
    let mut rest = n;
    let mut w = 8.0;
    while w >= 1.0 {
        let bit = rest >= w;
        rest = if bit { rest - w } else { rest };
        (h, l) = powi_step(h, l, x, bit);
        w *= 0.5;
    }
    special_finish(x, h, l, half, y < 0.0)
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

/// `x^y` for any `x` and `y`: the special path where it applies, else the general one.
#[inline(always)]
pub fn pow(x: f64, y: f64) -> f64 {
    let special = special_exponent(y) && in_special_domain(x, split_exponent(y).1);
    let res = if special { pow_special(x, y) } else { pow_general(x, y) };
    if exact_exponent(y) {
        pow_exact(x, y)
    } else {
        res
    }
}

/// `x^y` by the logarithm, with every special value.
#[inline(always)]
fn pow_general(x: f64, y: f64) -> f64 {
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
    let res = if x < 0.0 && ax < f64::INFINITY && !y_int { DEFAULT_NAN } else { res };
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
