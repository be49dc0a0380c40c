//! Building blocks shared by the kernels: fused multiply-add, error-free
//! transformations (double-double arithmetic), polynomial evaluation, rounding
//! to an integer and scaling by powers of two — all branch-free and written so
//! that LLVM vectorizes them (`mul_add` is exact FMA in every variant).

/// `a * b + c` with one rounding.
#[inline(always)]
pub fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `a + b` as `(s, e)` with `s = fl(a + b)` and `s + e == a + b` exactly (Knuth).
#[inline(always)]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// [`two_sum`] when `|a| >= |b|` (or `a == 0`) (Dekker).
#[inline(always)]
pub fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

/// `a * b` as `(p, e)` with `p + e == a * b` exactly (no overflow or underflow).
#[inline(always)]
pub fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, fma(a, b, -p))
}

/// A double-double `hi + lo` (|lo| <= ulp(hi)/2 after normalization).
#[derive(Clone, Copy)]
pub struct Dd {
    pub hi: f64,
    pub lo: f64,
}

impl Dd {
    #[inline(always)]
    pub fn new(hi: f64, lo: f64) -> Dd {
        Dd { hi, lo }
    }

    /// Normalized sum of two doubles.
    #[inline(always)]
    pub fn sum(a: f64, b: f64) -> Dd {
        let (hi, lo) = two_sum(a, b);
        Dd { hi, lo }
    }

    /// `self + b` for a double `b`.
    #[inline(always)]
    pub fn add_f(self, b: f64) -> Dd {
        let (s, e) = two_sum(self.hi, b);
        let (hi, lo) = fast_two_sum(s, e + self.lo);
        Dd { hi, lo }
    }

    /// `self * b`, relative error ~2^-102.
    #[inline(always)]
    pub fn mul(self, b: Dd) -> Dd {
        let (p, e) = two_prod(self.hi, b.hi);
        let (hi, lo) = fast_two_sum(p, fma(self.hi, b.lo, fma(self.lo, b.hi, e)));
        Dd { hi, lo }
    }

    /// `self * b` for a double `b`.
    #[inline(always)]
    pub fn mul_f(self, b: f64) -> Dd {
        let (p, e) = two_prod(self.hi, b);
        let (hi, lo) = fast_two_sum(p, fma(self.lo, b, e));
        Dd { hi, lo }
    }
}

/// Horner's rule with coefficients from the constant term up.
#[inline(always)]
pub fn poly<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut p = c[N - 1];
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        p = fma(p, x, c[i]);
    }
    p
}

/// The degree-10 polynomial of [`poly`] by Estrin's scheme: pairs of coefficients
/// combined with `x`, then with `x^2`, `x^4`, `x^8`: a dependency chain of 5
/// operations instead of 10, for 3 more multiplications. The bits differ from
/// Horner's.
#[inline(always)]
pub fn poly11_estrin(x: f64, c: &[f64; 11]) -> f64 {
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let p01 = fma(c[1], x, c[0]);
    let p23 = fma(c[3], x, c[2]);
    let p45 = fma(c[5], x, c[4]);
    let p67 = fma(c[7], x, c[6]);
    let p89 = fma(c[9], x, c[8]);
    let q0 = fma(p23, x2, p01);
    let q1 = fma(p67, x2, p45);
    let q2 = fma(c[10], x2, p89);
    fma(q2, x8, fma(q1, x4, q0))
}

/// 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer
/// (ties to even), which then sits in the low bits of the sum.
pub const SHIFT: f64 = 6755399441055744.0;

/// `x` rounded to the nearest integer (ties to even), as a double and as an
/// integer, for `|x| < 2^51`. Plain arithmetic, so it vectorizes without
/// SSE4.1 `roundpd` or a float-to-int conversion.
#[inline(always)]
pub fn round_int(x: f64) -> (f64, i64) {
    let s = x + SHIFT;
    (s - SHIFT, (s.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64))
}

/// 2^k for an integer `-1022 <= k <= 1023`.
#[inline(always)]
pub fn pow2i(k: i64) -> f64 {
    f64::from_bits((k.wrapping_add(1023) as u64) << 52)
}

/// `x * 2^k` for `|k| <= 2044`, rounded once when the result is subnormal,
/// infinite on overflow: two steps keep each factor a normal double.
#[inline(always)]
pub fn scale(x: f64, k: i64) -> f64 {
    let k1 = k >> 1;
    x * pow2i(k1) * pow2i(k.wrapping_sub(k1))
}

/// The exponent of a positive normal double and its significand in `[sqrt(1/2), sqrt(2))`:
/// `x == m * 2^e`. Subnormals must be scaled up first.
#[inline(always)]
pub fn frexp_sqrt2(x: f64) -> (f64, i64) {
    // Moving the boundary from 1 to sqrt(1/2) by offsetting the bits.
    const OFF: u64 = 0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd;
    let bits = x.to_bits().wrapping_add(OFF);
    let e = (bits >> 52) as i64 - 1023; // garbage (no overflow) for negative or non-finite x
    let m = f64::from_bits(x.to_bits().wrapping_sub((e as u64) << 52));
    (m, e)
}

/// A small integer held in an `i64` as a double, without `cvtqq2pd` (AVX-512DQ only).
#[inline(always)]
pub fn i64_to_f64(k: i64) -> f64 {
    f64::from_bits((SHIFT.to_bits() as i64).wrapping_add(k) as u64) - SHIFT
}
