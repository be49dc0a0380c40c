//! pow (float exponents), cbrt, hypot.
//!
//! pow: `x^y = e^(y log|x|)`, the table-driven scheme of glibc's and ARM's
//! optimized-routines pow (Szabolcs Nagy's design), with our own tables
//! (`tools/vmath_pow_tables.py`, `pow_tables.rs`):
//!
//! - log: `|x| = 2^k z`, `z` in `[0.705, 1.41)` split by its top 7 significand bits into
//!   128 subintervals, each with `invc ~ 1/c` of 8 significant bits, so `r = z invc - 1`
//!   is exact in one fma (`|r| < 0.0059`), and `log c` as a double-double (the high part
//!   on the 2^-43 grid, so `k ln2_hi + log c` is exact); `log1p(r) = r - r^2/2 + r^3 P(r)`
//!   with `P` of degree 6, the `r^2/2` rounding error kept. The subinterval holding 1 has
//!   `c = 1` exactly, so there is no cancellation near 1. Result: `log|x|` as a
//!   double-double with relative error ~2^-67.5.
//! - `y log|x|` as a double-double (one fma for the product's error), clamped to
//!   `±1100` (beyond, the result is inf or 0 anyway).
//! - exp: `t = (128 e + j) ln2/128 + r`, `|r| <= ln2/256`, `e^r = 1 + r + r^2 Q(r)` with
//!   `Q` of degree 3, `2^(j/128) = T_j (1 + tail_j)` from a 128-entry table; the low part
//!   of `t` is added to `r`. `T_j (1 + m)` is rounded once (an fma), then scaled by `2^e`
//!   (exact unless the result is subnormal, where it is rounded once more).
//!
//! The relative error before the final rounding is about `|y log x| 2^-67.5 + 2^-62`, so at
//! most ~2^-58 (~0.003 ulp) even where `|y log x|` nears 745: pow is within ~0.52 ulp
//! (faithful; correctly rounded but for near-ties), tested over millions of points
//! against glibc (itself < 0.52 ulp) and against a high-precision reference
//! (`examples/pow_dump.rs`, `tools/pow_check.py`). Five table lookups (gathers in the
//! vector kernels) replace the division and the double-double polynomial of the
//! table-free version, ~4x faster. The vector kernels run this general path in
//! three passes over sub-blocks of 64 elements ([`pow_fast_log`], [`pow_reduce`],
//! [`pow_finish`]: the same operations, so the same bits): its gathers make it bound
//! by latency, and three short dependency chains let the core overlap more
//! elements than one long one (~20% faster); a block's few bases or exponents outside
//! [`in_pow_fast_domain`] (zeros, negatives, NaNs) are computed afterwards, gathered
//! into one short vector loop, instead of sending the whole block down the slow path.
//! C99 Annex F special values, which are
//! NumPy's: `x^0 = 1` and `1^y = 1` even for NaN, negative `x` with a non-integer
//! `y` is NaN, signs of zeros and infinities by the parity of `y`.
//!
//! Exponents that are small multiples of one half (`y = k/2`, `1 <= |k| <= 17`,
//! so `x**3`, `x**-2`, `x**2.5`, `x**-1.5`) take an exact-arithmetic path instead
//! of the logarithm: `x^n` by binary powering in double-double (every product's
//! rounding error kept by an fma), times `sqrt(x)` as a double-double for the half,
//! and a double-double reciprocal for a negative `y`; a whole positive `y` rounds
//! its last step once as an fma (`x^3 = fma(p, x, e*x)` with `x^2 = p + e`). It is as accurate as the
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
//! float32 `x**3` and `x**4` are one float64 product ([`pow_f32_int`]): `x*x` is exact
//! for a float32 `x` (48 bits), so `(x*x)*x` and `(x*x)*(x*x)` round the exact `x^n`
//! once — the correctly rounded float64 power, which is also what the special path
//! gives (its error terms are zero for such `x`: the last fma rounds the exact power), and
//! for `|x|` outside its domain the float32 result is `±0` or `±inf` either way. So
//! the float32 kernels take the product for a uniform exponent 3 or 4 without
//! changing a bit (`vmath/tests/pow_special.rs`: a sample of 2^22 float32 values in
//! every run, all 2^32 in an ignored test); ~10x less work than the double-double.
//!
//! cbrt: `|x| = 2^(3q) a`, `a` in `[1, 8)`; `a^(-1/3)` from a degree-5 fit and
//! three Newton steps (no division), then one correction of `a^(1/3)` with the
//! residual `a - y^3` in double-double (musl's final step, without a divide).
//!
//! hypot: `sqrt(x^2 + y^2)` with one fma, after scaling by a power of two when
//! the larger argument is beyond `2^±500`.

use super::dd::{fast_two_sum, fma, i64_to_f64, poly, pow2i, round_int, scale, two_prod, SHIFT};
use super::exp::{is_normal_positive, LN2_0, LN2_1, MIN_NORMAL};
use super::pow_tables::{EXP_Q, EXP_TABLE, INV_LN2N, LN2N_HI, LN2N_LO, LOG1P_P, LOG_OFF, LOG_TABLE};
use super::DEFAULT_NAN;

/// The fast path's arguments: `x` positive, normal and finite, `y` finite and
/// neither an [`exact_exponent`] nor one of the special path ([`special_exponent`]).
/// There `x^y` is [`pow_fast_log`], [`pow_reduce`], [`pow_finish`] in turn, with no
/// special values to sort out (`x = 1` and `y = 0` give exactly 1 by themselves).
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

/// `x^N` for `N = 3` or `4` and `x` a float32 value (widened): one float64 product
/// after exact ones, so the correctly rounded float64 `x^N`, which the special path
/// also gives for such `x` (see the module docs). Rounded to float32 it is `pow`'s
/// float32 result, bit for bit, for every float32 `x` (a test checks all of them).
#[inline(always)]
pub fn pow_f32_int<const N: u32>(x: f64) -> f64 {
    // x*x is exact (48 significant bits); so is its square's input.
    let s = x * x;
    if N == 4 {
        s * s
    } else {
        s * x
    }
}

// ------------------------------------------------------------------ the special path

/// The largest `|y|` of the special path: `y = k/2` with `1 <= |k| <= 2 * SPECIAL_N + 1`.
pub const SPECIAL_N: u32 = 8;
/// Below `2^-60` or above `2^60`, `|x|^8.5` or one of its partial products could leave
/// the normal range, where double-double loses its exactness.
pub const SPECIAL_X_MIN: f64 = 8.673617379884035e-19; // 2^-60
pub const SPECIAL_X_MAX: f64 = 1.152921504606847e18; // 2^60

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

/// The last step of a whole positive power, rounded once: `(h, l)^2` as
/// `fma(h, h, 2h*l)` (`bit` clear) or `(h, l)^2 * x` as `fma(h', x, l'*x)` with
/// `(h', l') = (h, l)^2` (`bit` set). The dropped terms (`l^2`, the rounding of
/// `2h*l` or `l'*x`) are ~2^-105 of the result, so this is as accurate as
/// rounding the double-double `h + l`, one multiply and one add cheaper — what
/// the SIMD emitter's inline powers write out.
#[inline(always)]
fn last_step(h: f64, l: f64, x: f64, bit: bool) -> f64 {
    let even = fma(h, h, (h + h) * l);
    let (sh, sl) = dd_sqr(h, l);
    let odd = fma(sh, x, sl * x);
    if bit {
        odd
    } else {
        even
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
        if bit == 0 && !HALF && !NEG {
            return last_step(h, l, x, N & 1 == 1);
        }
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
    while w >= 2.0 {
        let bit = rest >= w;
        rest = if bit { rest - w } else { rest };
        (h, l) = powi_step(h, l, x, bit);
        w *= 0.5;
    }
    let bit = rest >= 1.0;
    let whole = last_step(h, l, x, bit);
    (h, l) = powi_step(h, l, x, bit);
    let res = special_finish(x, h, l, half, y < 0.0);
    if half || y < 0.0 {
        res
    } else {
        whole
    }
}

/// `log(x 2^e_adj)` for a positive normal finite `x`, as `hi + lo` with relative error
/// ~2^-67.5, table-driven (see the module docs): `x = 2^k z`, `r = z invc - 1` exact,
/// `log x = k ln2 + log c + log1p(r)`, `log1p(r) = r - r^2/2 + r^3 P(r)`.
#[inline(always)]
fn log_tab(x: f64, e_adj: f64) -> (f64, f64) {
    let ix = x.to_bits();
    let tmp = ix.wrapping_sub(LOG_OFF);
    let i = ((tmp >> 45) & 127) as usize;
    let k = (tmp as i64) >> 52;
    let z = f64::from_bits(ix.wrapping_sub(tmp & (0xfff << 52)));
    let [invc, logc_hi, logc_lo] = LOG_TABLE[i];
    let kd = i64_to_f64(k) + e_adj;
    let r = fma(z, invc, -1.0); // exact: invc has 8 significant bits
    let t1 = fma(kd, LN2_0, logc_hi); // exact: both on the 2^-43 grid, below 2^10
    let lo1 = fma(kd, LN2_1, logc_lo);
    // |t1| >= |r| or t1 = 0 (the generator checks it for k = 0).
    let (hi, lo2) = fast_two_sum(t1, r);
    let ar = -0.5 * r;
    let ar2 = ar * r;
    let lo3 = fma(ar, r, -ar2); // the rounding error of r^2/2
    let (hi, lo4) = fast_two_sum(hi, ar2);
    // r^3 P(r) by pairs (Estrin): a shorter dependency chain than Horner's.
    let r2 = r * r;
    let c = &LOG1P_P;
    let p01 = fma(c[1], r, c[0]);
    let p23 = fma(c[3], r, c[2]);
    let p45 = fma(c[5], r, c[4]);
    let p = fma(fma(c[6], r2, p45), r2 * r2, fma(p23, r2, p01));
    let p = r2 * r * p;
    let lo = lo1 + lo2 + lo3 + lo4 + p;
    let y = hi + lo;
    (y, (hi - y) + lo)
}

/// `e^(hi + lo) = v 2^e` for `|hi| <= 1100`, `|lo| <= ulp(hi)`, table-driven: `hi + lo =
/// (128 e + j) ln2/128 + r`, `e^r = 1 + r + r^2 Q(r)`, `2^(j/128)` from the table. `v`
/// (about `[1, 2)`, from [`exp_tab_finish`]) is rounded once, with relative error ~2^-62 before that rounding.
/// This part is the reduction: `r`, and `k` in the low bits of `kd`.
#[inline(always)]
fn exp_tab_reduce(hi: f64, lo: f64) -> (f64, f64) {
    let kd = fma(hi, INV_LN2N, SHIFT); // round(hi 128/ln2) in the low bits
    let kf = kd - SHIFT;
    let r = fma(-kf, LN2N_HI, hi); // exact (|k| < 2^18, result a multiple of 2^-61)
    (fma(-kf, LN2N_LO, r) + lo, kd)
}

/// [`exp_tab_reduce`]'s `e^(hi + lo)` after the reduction: the table, the polynomial.
#[inline(always)]
fn exp_tab_finish(r: f64, kd: f64) -> (f64, i64) {
    let ki = (kd.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    let [t, tail] = EXP_TABLE[(ki & 127) as usize];
    let r2 = r * r;
    let q = r2 * fma(r2, fma(EXP_Q[3], r, EXP_Q[2]), fma(EXP_Q[1], r, EXP_Q[0]));
    // 2^(j/128) e^r = t (1 + tail)(1 + r + q) = t (1 + r + (q + tail (1 + r))).
    let m = r + (q + fma(tail, r, tail));
    (fma(t, m, t), ki >> 7)
}

/// `x^y` for `x` positive and normal (given as `x 2^e_adj`, `x` normal) and `y` finite:
/// `e^(y log x)` with `y log x` a double-double, clamped to `[-1100, 1100]` (beyond, the
/// result is inf or 0 whatever the low part; tested on the plain product, as the
/// double-double one is NaN when it overflows).
#[inline(always)]
fn pow_core(x: f64, e_adj: f64, y: f64) -> f64 {
    let (l_hi, l_lo) = log_tab(x, e_adj);
    pow_from_log(l_hi, l_lo, y)
}

/// `log x` as `hi + lo` for an `x` of [`in_pow_fast_domain`]: its first half, which
/// [`pow_from_log`] finishes.
#[inline(always)]
pub fn pow_fast_log(x: f64) -> (f64, f64) {
    log_tab(x, 0.0)
}

/// `e^(y (l_hi + l_lo))`: the second half of [`pow_core`].
#[inline(always)]
pub fn pow_from_log(l_hi: f64, l_lo: f64, y: f64) -> f64 {
    let (r, kd) = pow_reduce(l_hi, l_lo, y);
    pow_finish(r, kd)
}

/// The first part of [`pow_from_log`]: `y log x` reduced for the exponential,
/// `(r, kd)` for [`pow_finish`].
#[inline(always)]
pub fn pow_reduce(l_hi: f64, l_lo: f64, y: f64) -> (f64, f64) {
    let t = y * l_hi;
    let t_lo = fma(y, l_lo, fma(y, l_hi, -t));
    let out = !(-1100.0..=1100.0).contains(&t);
    // Written as single-value selects: LLVM vectorizes those, not a chain over tuples.
    let hi = if out { 1100f64.copysign(t) } else { t };
    let lo = if out { 0.0 } else { t_lo };
    exp_tab_reduce(hi, lo)
}

/// The rest of [`pow_from_log`] after [`pow_reduce`].
#[inline(always)]
pub fn pow_finish(r: f64, kd: f64) -> f64 {
    let (v, e) = exp_tab_finish(r, kd);
    scale(v, e)
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
pub fn pow_general(x: f64, y: f64) -> f64 {
    let ax = x.abs();
    let regular = ax > 0.0 && ax < f64::INFINITY;
    let sub = ax < MIN_NORMAL;
    let xn = if sub { ax * TWO54 } else { ax };
    let res = pow_core(if regular { xn } else { 1.0 }, if sub { -54.0 } else { 0.0 }, y);

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
