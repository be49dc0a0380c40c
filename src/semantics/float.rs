//! Float semantics (float32, float64): NumPy's algorithms and the C library's
//! functions, in the argument's own width.

use super::{F32Fn1, F32Fn2, F64Fn1, F64Fn2};
use crate::vmath::{Binary, Unary};
use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

// ---------------------------------------------------------------------------
// Float -> int casts

/// NaN and values outside `[-2^63, 2^63)` give `i64::MIN`; others truncate.
#[inline]
pub fn f64_to_i64(x: f64) -> i64 {
    // Written as `in range` so that NaN (all comparisons false) falls through.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

/// NaN and values whose truncation is outside the int32 range give `i32::MIN`.
#[inline]
pub fn f64_to_i32(x: f64) -> i32 {
    if x > -2_147_483_649.0 && x < 2_147_483_648.0 {
        x as i32
    } else {
        i32::MIN
    }
}

#[inline]
pub fn f32_to_i64(x: f32) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

#[inline]
pub fn f32_to_i32(x: f32) -> i32 {
    // No float32 lies strictly between -2^31 - 1 and -2^31, so `>=` is exact here.
    if (-2_147_483_648.0..2_147_483_648.0).contains(&x) {
        x as i32
    } else {
        i32::MIN
    }
}

/// `np.fmin`: the smaller operand, ignoring a NaN one (NaN only if both are); on
/// a tie the second operand, as NumPy's SIMD loops give (its scalar loop, for
/// short arrays, gives the first: `fmin(0.0, -0.0)` depends on the length there).
#[inline]
pub fn fmin<T: Float>(a: T, b: T) -> T {
    if a < b || b.is_nan() {
        a
    } else {
        b
    }
}

/// `np.fmax`, the mirror of [`fmin`].
#[inline]
pub fn fmax<T: Float>(a: T, b: T) -> T {
    if a > b || b.is_nan() {
        a
    } else {
        b
    }
}

/// `np.heaviside(x, h)` (`npy_heaviside`): 0 below zero, `h` at ±0, 1 above, NaN for NaN.
#[inline]
pub fn heaviside<T: Float>(x: T, h: T) -> T {
    if x.is_nan() {
        x
    } else if x == T::ZERO {
        h
    } else if x < T::ZERO {
        T::ZERO
    } else {
        T::ONE
    }
}

/// `np.logaddexp` and `np.logaddexp2` (`npy_logaddexp`, `npy_logaddexp2`) in one
/// width, with the C library's `exp`, `exp2` and `log1p` of that width, as NumPy.
macro_rules! logaddexp {
    ($t:ident, $e:ident, $two:ident) => {
        /// `log(exp(x) + exp(y))` without overflow; equal arguments (also equal
        /// infinities) give `x + log 2`.
        pub fn $e(x: $t, y: $t) -> $t {
            if x == y {
                return x + std::$t::consts::LN_2;
            }
            let tmp = x - y;
            if tmp > 0.0 {
                x + (-tmp).exp().ln_1p()
            } else if tmp <= 0.0 {
                y + tmp.exp().ln_1p()
            } else {
                tmp
            }
        }

        /// `log2(2**x + 2**y)` without overflow.
        pub fn $two(x: $t, y: $t) -> $t {
            if x == y {
                return x + 1.0;
            }
            let tmp = x - y;
            if tmp > 0.0 {
                x + std::$t::consts::LOG2_E * (-tmp).exp2().ln_1p()
            } else if tmp <= 0.0 {
                y + std::$t::consts::LOG2_E * tmp.exp2().ln_1p()
            } else {
                tmp
            }
        }
    };
}
logaddexp!(f64, logaddexp_f64, logaddexp2_f64);
logaddexp!(f32, logaddexp_f32, logaddexp2_f32);

/// The float dtypes (float32, float64). The NumPy algorithms are default methods,
/// written once; the primitives come from std in the type's own width.
pub trait Float:
    crate::array::Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Rem<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const HALF: Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    fn rint(self) -> Self;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    /// `self * a + b` rounded once, in this width (`fma`/`fmaf`: correctly
    /// rounded on every host, an instruction where the CPU has FMA).
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn powf(self, b: Self) -> Self;
    fn copysign(self, b: Self) -> Self;
    fn nextafter(self, b: Self) -> Self;
    fn is_nan(self) -> bool;
    fn is_infinite(self) -> bool;
    fn is_finite(self) -> bool;
    fn signbit(self) -> bool;
    /// `self / n` the way `np.mean` divides a sum by its element count: the count
    /// is an `intp`, so the division promotes to float64 and the quotient is
    /// rounded back to this type.
    fn div_count(self, n: usize) -> Self;
    /// This width's function of a pair (a row of [`super::func_impl`]).
    fn pick1(f64: F64Fn1, f32: F32Fn1) -> extern "C" fn(Self) -> Self;
    /// This width's function of a pair of two-argument functions.
    fn pick2(f64: F64Fn2, f32: F32Fn2) -> extern "C" fn(Self, Self) -> Self;
    /// `u` over a slice by vmath's block kernel.
    fn map_block1(u: Unary, x: &[Self]) -> Vec<Self>;
    /// `out[i] = b(x[i], y[i])` by vmath's block kernel.
    fn map_block2(b: Binary, x: &[Self], y: &[Self], out: &mut [Self]);

    /// NumPy's `npy_divmod`: Python's floor division and remainder, computed from
    /// `fmod` so that `a == b * div + mod` holds as closely as floats allow.
    #[inline]
    fn divmod(self, b: Self) -> (Self, Self) {
        let a = self;
        let mut m = a % b;
        if b == Self::ZERO {
            return (a / b, m);
        }
        let mut div = (a - m) / b;
        // `m != 0` is also true for NaN, as C's `if (mod)` is.
        if m != Self::ZERO {
            if (b < Self::ZERO) != (m < Self::ZERO) {
                m = m + b;
                div = div - Self::ONE;
            }
        } else {
            m = Self::ZERO.copysign(b);
        }
        let floordiv = if div != Self::ZERO {
            let f = div.floor();
            if div - f > Self::HALF {
                f + Self::ONE
            } else {
                f
            }
        } else {
            Self::ZERO.copysign(a / b)
        };
        (floordiv, m)
    }

    /// `np.floor_divide` (`npy_floor_divide`): `x // 0.0` is `x / 0.0`.
    #[inline]
    fn floor_div(self, b: Self) -> Self {
        if b == Self::ZERO {
            self / b
        } else {
            self.divmod(b).0
        }
    }

    /// `np.remainder` (`npy_remainder`): the sign of the divisor, `x % 0.0` is NaN.
    #[inline]
    fn remainder(self, b: Self) -> Self {
        if b == Self::ZERO {
            self % b
        } else {
            self.divmod(b).1
        }
    }

    /// `np.sign`: -1, 1, +0.0 for either zero, NaN for NaN.
    #[inline]
    fn sign(self) -> Self {
        if self > Self::ZERO {
            Self::ONE
        } else if self < Self::ZERO {
            -Self::ONE
        } else if self == Self::ZERO {
            Self::ZERO
        } else {
            self
        }
    }
}

/// `r`, unless it is a NaN `x` did not bring: then the platform's default NaN
/// (see [`crate::vmath::DEFAULT_NAN`]).
pub(crate) fn domain_nan(x: f64, r: f64) -> f64 {
    if r.is_nan() && !x.is_nan() {
        crate::vmath::DEFAULT_NAN
    } else {
        r
    }
}

/// [`domain_nan`] in float32.
pub(crate) fn domain_nan32(x: f32, r: f32) -> f32 {
    if r.is_nan() && !x.is_nan() {
        crate::vmath::DEFAULT_NAN_F32
    } else {
        r
    }
}

macro_rules! impl_float {
    ($t:ty, $pick:tt, $power:path, $map1:path, $map2:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const HALF: Self = 0.5;
            #[inline]
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            #[inline]
            fn ceil(self) -> Self {
                <$t>::ceil(self)
            }
            #[inline]
            fn trunc(self) -> Self {
                <$t>::trunc(self)
            }
            #[inline]
            fn rint(self) -> Self {
                <$t>::round_ties_even(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline]
            fn powf(self, b: Self) -> Self {
                $power(self, b)
            }
            #[inline]
            fn copysign(self, b: Self) -> Self {
                <$t>::copysign(self, b)
            }
            /// The next representable value after `self` towards `b` (C `nextafter`):
            /// NaN if either is NaN, `b` if they are equal (so the sign of a zero
            /// `b` wins), the smallest subnormal with `b`'s sign from a zero.
            #[inline]
            fn nextafter(self, b: Self) -> Self {
                if self.is_nan() || b.is_nan() {
                    return self + b;
                }
                if self == b {
                    return b;
                }
                if self == 0.0 {
                    return <$t>::from_bits(1).copysign(b);
                }
                // Moving away from zero increments the magnitude's bit pattern.
                let away = (b > self) == (self > 0.0);
                let bits = self.to_bits();
                <$t>::from_bits(if away { bits + 1 } else { bits - 1 })
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline]
            fn is_infinite(self) -> bool {
                <$t>::is_infinite(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline]
            fn signbit(self) -> bool {
                self.is_sign_negative()
            }
            #[inline]
            fn div_count(self, n: usize) -> Self {
                (self as f64 / n as f64) as $t
            }
            fn pick1(f64: F64Fn1, f32: F32Fn1) -> extern "C" fn(Self) -> Self {
                (f64, f32).$pick
            }
            fn pick2(f64: F64Fn2, f32: F32Fn2) -> extern "C" fn(Self, Self) -> Self {
                (f64, f32).$pick
            }
            fn map_block1(u: Unary, x: &[Self]) -> Vec<Self> {
                let mut out = vec![0.0; x.len()];
                $map1(u, x, &mut out);
                out
            }
            fn map_block2(b: Binary, x: &[Self], y: &[Self], out: &mut [Self]) {
                $map2(b, x, y, out)
            }
        }
    };
}
impl_float!(f64, 0, super::power_f64, crate::vmath::map1_f64, crate::vmath::map2_f64);
impl_float!(f32, 1, super::power_f32, crate::vmath::map1_f32, crate::vmath::map2_f32);
