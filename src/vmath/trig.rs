//! sin, cos, tan.
//!
//! Reduction: `x = n pi/2 + r` with `n = round(x 2/pi)` and `r` a double-double
//! from a four-part Cody-Waite split of pi/2 (33 + 33 + 33 + 53 bits: the first
//! three products `n * part` are exact for `|n| < 2^20`), accurate to ~2^-105
//! relative even for the `x` closest to a multiple of pi/2 below [`TRIG_MAX`].
//! Larger `|x|` (and infinities) take the scalar C library path in the block
//! kernels, which does the full Payne-Hanek reduction.
//!
//! Kernels on `|r| <= pi/4`: `sin r = r + r^3 S(r^2)` and
//! `cos r = 1 - r^2/2 + r^4 C(r^2)` (the fdlibm `__kernel_sin`/`__kernel_cos`
//! forms, with the low part of `r` folded in), both as double-doubles; the
//! quadrant `n mod 4` picks and negates. tan divides the two double-doubles.
//!
//! float32 sin and cos ([`sin_f32_fast`], [`cos_f32_fast`]) reduce in float64 with
//! pi/2 in two parts and evaluate the first five terms of the same polynomials in
//! float64, then round once: a float32 result needs none of the double-double steps.
//! NaN, infinities and `|x| > TRIG32_MAX` take the float64 path.
//!
//! Coefficients: `tools/vmath_coeffs.py`.

use super::dd::{fast_two_sum, fma, poly, round_int, two_prod, two_sum, Dd, SHIFT};

/// Above this `|x|` the block kernels call the scalar libm function instead.
pub const TRIG_MAX: f64 = 1048576.0;

// sin r = r + r^3 S(r^2), |r| <= pi/4.
const SIN_S: [f64; 8] = [
    -0.16666666666666666,
    0.008333333333333333,
    -0.00019841269841269839,
    2.75573192239811e-06,
    -2.5052108382388815e-08,
    1.605904278076985e-10,
    -7.646961311710078e-13,
    2.791242229090309e-15,
];
// cos r = 1 - r^2/2 + r^4 C(r^2), |r| <= pi/4.
const COS_C: [f64; 8] = [
    0.041666666666666664,
    -0.001388888888888889,
    2.4801587301587298e-05,
    -2.7557319223983495e-07,
    2.0876756986340885e-09,
    -1.1470745069454793e-11,
    4.7793760797086676e-14,
    -1.5518099807987152e-16,
];

const TWO_OVER_PI: f64 = std::f64::consts::FRAC_2_PI;
// pi/2 = PIO2_0 + PIO2_1 + PIO2_2 + PIO2_3 (33, 33, 33, 53 significant bits).
const PIO2_0: f64 = 1.5707963267341256;
const PIO2_1: f64 = 6.077100506303966e-11;
const PIO2_2: f64 = 2.0222662487111665e-21;
const PIO2_3: f64 = 8.4784276603689e-32;

/// `x = n pi/2 + r`, `|r| <= pi/4 (1 + 2^-30)`, for `|x| <= TRIG_MAX`.
#[inline(always)]
fn reduce(x: f64) -> (i64, Dd) {
    let (nd, n) = round_int(x * TWO_OVER_PI);
    let r1 = fma(-nd, PIO2_0, x); // exact
    let (a, a_lo) = two_sum(r1, -nd * PIO2_1);
    let (b, b_lo) = two_sum(a, -nd * PIO2_2);
    let (hi, lo) = two_sum(b, (a_lo + b_lo) - nd * PIO2_3);
    (n, Dd::new(hi, lo))
}

/// `sin r` as a double-double.
#[inline(always)]
fn sin_kernel(r: Dd) -> Dd {
    let z = r.hi * r.hi;
    // sin(r + r_lo) = sin r + r_lo cos r, and cos r ~ 1 - z/2 is enough for r_lo.
    let t = fma(r.hi * z, poly(z, &SIN_S), r.lo * fma(-0.5, z, 1.0));
    let (hi, lo) = fast_two_sum(r.hi, t);
    Dd::new(hi, lo)
}

/// `cos r` as a double-double.
#[inline(always)]
fn cos_kernel(r: Dd) -> Dd {
    let (z, z_lo) = two_prod(r.hi, r.hi);
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    // (1 - w) - hz is the rounding error of w, exactly; cos(r + r_lo) = cos r - r_lo sin r.
    let corr = ((1.0 - w) - hz) + (z * z * poly(z, &COS_C) - fma(0.5, z_lo, r.hi * r.lo));
    let (hi, lo) = fast_two_sum(w, corr);
    Dd::new(hi, lo)
}

/// Above this `|x|` (and for NaN) float32 sin and cos take the float64 path.
pub const TRIG32_MAX: f32 = 1048576.0;

// pi/2 = PIO2_HI + PIO2_LO to ~2^-107 relative.
const PIO2_HI: f64 = std::f64::consts::FRAC_PI_2;
const PIO2_LO: f64 = 6.123233995736766e-17;
// The first five terms of SIN_S and COS_C: for |r| <= pi/4 the rest is below
// 2^-36 relative, far under a float32 ulp.
const SIN32_S: [f64; 5] = [SIN_S[0], SIN_S[1], SIN_S[2], SIN_S[3], SIN_S[4]];
const COS32_C: [f64; 5] = [COS_C[0], COS_C[1], COS_C[2], COS_C[3], COS_C[4]];

/// float32 `x = n pi/2 + r` in float64, for `|x| <= TRIG32_MAX`: the bits of
/// `n + SHIFT` (its low bits are `n mod 4`), `sin r` and `cos r`. `n pi/2` in two
/// parts: `x - n PIO2_HI` is exact in the fma and rounded once, and `|n| < 2^20`
/// keeps `n PIO2_LO` and the dropped tail far below the `r` of any float32 `x`.
#[inline(always)]
fn sincos32_parts(x: f32) -> (u64, f64, f64) {
    let xd = x as f64;
    let kd = fma(xd, TWO_OVER_PI, SHIFT);
    let k = kd - SHIFT;
    let r = fma(-k, PIO2_LO, fma(-k, PIO2_HI, xd));
    let z = r * r;
    let s = fma(r * z, poly(z, &SIN32_S), r);
    let c = fma(z * z, poly(z, &COS32_C), fma(-0.5, z, 1.0));
    (kd.to_bits(), s, c)
}

/// float32 sin for `|x| <= TRIG32_MAX`: a float64 reduction and float64
/// polynomials of float32 accuracy, rounded once (within 1 ulp of the correctly
/// rounded result, tested on every float32). Faster than the float64 sin rounded,
/// whose double-double steps float32 does not need: float32
/// `sin(a)**2 + cos(b)**2` ran 2.4x faster.
#[inline(always)]
pub fn sin_f32_fast(x: f32) -> f32 {
    let (n, s, c) = sincos32_parts(x);
    let v = if n & 1 != 0 { c } else { s };
    let res = neg_if(n & 2 != 0, v) as f32;
    // sin(-0) = -0, which the polynomial would round to +0.
    if x == 0.0 {
        x
    } else {
        res
    }
}

/// float32 cos for `|x| <= TRIG32_MAX` (see [`sin_f32_fast`]).
#[inline(always)]
pub fn cos_f32_fast(x: f32) -> f32 {
    let (n, s, c) = sincos32_parts(x);
    let v = if n & 1 != 0 { s } else { c };
    neg_if(n.wrapping_add(1) & 2 != 0, v) as f32
}

/// float32 sin where [`sin_f32_fast`] does not apply (NaN, infinities, `|x| >
/// TRIG32_MAX`): the float64 path rounded, with the C library beyond `TRIG_MAX`,
/// as the widened block kernels compute it.
#[inline(always)]
pub fn sin_f32_wide(x: f32) -> f32 {
    let v = x as f64;
    (if v.abs() > TRIG_MAX { f64::sin(v) } else { sin(v) }) as f32
}

/// float32 cos where [`cos_f32_fast`] does not apply (see [`sin_f32_wide`]).
#[inline(always)]
pub fn cos_f32_wide(x: f32) -> f32 {
    let v = x as f64;
    (if v.abs() > TRIG_MAX { f64::cos(v) } else { cos(v) }) as f32
}

#[inline(always)]
fn neg_if(c: bool, x: f64) -> f64 {
    if c {
        -x
    } else {
        x
    }
}

/// `sin x` for `|x| <= TRIG_MAX` (and NaN).
#[inline(always)]
pub fn sin(x: f64) -> f64 {
    let (n, r) = reduce(x);
    let (s, c) = (sin_kernel(r), cos_kernel(r));
    let v = if n & 1 != 0 { c.hi } else { s.hi };
    let res = neg_if(n & 2 != 0, v);
    if x == 0.0 {
        x
    } else {
        res
    }
}

/// `cos x` for `|x| <= TRIG_MAX` (and NaN).
#[inline(always)]
pub fn cos(x: f64) -> f64 {
    let (n, r) = reduce(x);
    let (s, c) = (sin_kernel(r), cos_kernel(r));
    let v = if n & 1 != 0 { s.hi } else { c.hi };
    neg_if(n.wrapping_add(1) & 2 != 0, v)
}

/// `tan x` for `|x| <= TRIG_MAX` (and NaN): `sin/cos` or `-cos/sin` by quadrant, one division.
#[inline(always)]
pub fn tan(x: f64) -> f64 {
    let (n, r) = reduce(x);
    let (s, c) = (sin_kernel(r), cos_kernel(r));
    let odd = n & 1 != 0;
    let num = if odd { Dd::new(-c.hi, -c.lo) } else { s };
    let den = if odd { s } else { c };
    let rc = 1.0 / den.hi;
    let t = num.hi * rc;
    let corr = (fma(-t, den.hi, num.hi) + fma(-t, den.lo, num.lo)) * rc;
    let res = t + corr;
    if x == 0.0 {
        x
    } else {
        res
    }
}
