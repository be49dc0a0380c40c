//! Float semantics (float32, float64): NumPy's algorithms and the C library's
//! functions, in the argument's own width.

use super::{F32Fn1, F32Fn2, F64Fn1, F64Fn2};
use crate::ir::ops::{BinaryOp, Func};
use crate::vmath::Math2;
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

/// Round half to even (`np.rint`, `np.round` on floats).
#[inline]
pub fn round_half_even_f64(x: f64) -> f64 {
    x.round_ties_even()
}

#[inline]
pub fn round_half_even_f32(x: f32) -> f32 {
    x.round_ties_even()
}

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
    /// The `extern "C"` function for a one-argument [`FuncRule::Math`](crate::ir::ops::FuncRule) function.
    fn math1(f: Func) -> Option<extern "C" fn(Self) -> Self>;
    /// `f` over a slice, whole blocks at a time (vmath's kernels where it has one).
    fn map_math1(f: Func, x: &[Self]) -> Vec<Self>;
    /// The `extern "C"` function for a two-argument math function.
    fn math2(f: Func) -> Option<extern "C" fn(Self, Self) -> Self>;
    /// `out[i] = f(x[i], y[i])` by vmath's block kernels (arctan2, hypot, `**`, `/`).
    fn map_math2(f: Math2, x: &[Self], y: &[Self], out: &mut [Self]);

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

// The transcendental functions are vmath's (one element through the block kernel the
// JIT calls on whole blocks), so every engine and the constant folder agree bit for bit.

fn vm1_f64(f: Func, x: f64) -> f64 {
    let mut out = [0.0];
    crate::vmath::map1_f64(f, &[x], &mut out);
    out[0]
}

fn vm1_f32(f: Func, x: f32) -> f32 {
    let mut out = [0.0];
    crate::vmath::map1_f32(f, &[x], &mut out);
    out[0]
}

fn vm2_f64(f: Math2, a: f64, b: f64) -> f64 {
    let mut out = [0.0];
    crate::vmath::map2_f64(f, &[a], &[b], &mut out);
    out[0]
}

fn vm2_f32(f: Math2, a: f32, b: f32) -> f32 {
    let mut out = [0.0];
    crate::vmath::map2_f32(f, &[a], &[b], &mut out);
    out[0]
}

/// `r`, unless it is a NaN `x` did not bring: then the platform's default NaN
/// (see [`crate::vmath::DEFAULT_NAN`]).
fn domain_nan(x: f64, r: f64) -> f64 {
    if r.is_nan() && !x.is_nan() {
        crate::vmath::DEFAULT_NAN
    } else {
        r
    }
}

/// [`domain_nan`] in float32.
fn domain_nan32(x: f32, r: f32) -> f32 {
    if r.is_nan() && !x.is_nan() {
        crate::vmath::DEFAULT_NAN_F32
    } else {
        r
    }
}

// One-argument math functions as `extern "C"` functions, for each float width.
// `x` names the argument in the bodies.
macro_rules! math1_fns {
    ($( $name:ident => $f64:expr, $f32:expr; )*) => {
        mod math1_f64_fns {
            use super::*;
            $( pub extern "C" fn $name(x: f64) -> f64 { $f64(x) } )*
        }
        mod math1_f32_fns {
            use super::*;
            $( pub extern "C" fn $name(x: f32) -> f32 { $f32(x) } )*
        }
    };
}
math1_fns! {
    sqrt => f64::sqrt, f32::sqrt;
    cbrt => |x| vm1_f64(Func::Cbrt, x), |x| vm1_f32(Func::Cbrt, x);
    exp => |x| vm1_f64(Func::Exp, x), |x| vm1_f32(Func::Exp, x);
    expm1 => |x| vm1_f64(Func::Expm1, x), |x| vm1_f32(Func::Expm1, x);
    exp2 => |x| vm1_f64(Func::Exp2, x), |x| vm1_f32(Func::Exp2, x);
    log => |x| vm1_f64(Func::Log, x), |x| vm1_f32(Func::Log, x);
    log1p => |x| vm1_f64(Func::Log1p, x), |x| vm1_f32(Func::Log1p, x);
    log2 => |x| vm1_f64(Func::Log2, x), |x| vm1_f32(Func::Log2, x);
    log10 => |x| vm1_f64(Func::Log10, x), |x| vm1_f32(Func::Log10, x);
    sin => |x| vm1_f64(Func::Sin, x), |x| vm1_f32(Func::Sin, x);
    cos => |x| vm1_f64(Func::Cos, x), |x| vm1_f32(Func::Cos, x);
    tan => |x| vm1_f64(Func::Tan, x), |x| vm1_f32(Func::Tan, x);
    arcsin => |x| vm1_f64(Func::Arcsin, x), |x| vm1_f32(Func::Arcsin, x);
    arccos => |x| vm1_f64(Func::Arccos, x), |x| vm1_f32(Func::Arccos, x);
    arctan => |x| vm1_f64(Func::Arctan, x), |x| vm1_f32(Func::Arctan, x);
    sinh => |x| vm1_f64(Func::Sinh, x), |x| vm1_f32(Func::Sinh, x);
    cosh => |x| vm1_f64(Func::Cosh, x), |x| vm1_f32(Func::Cosh, x);
    tanh => |x| vm1_f64(Func::Tanh, x), |x| vm1_f32(Func::Tanh, x);
    // std implements the inverse hyperbolics itself, and its acosh overflows for
    // huge arguments (acosh(1e308) = inf); libm has the C library's algorithms.
    arcsinh => libm::asinh, libm::asinhf;
    arccosh => libm::acosh, libm::acoshf;
    // libm's atanh negates its result for negative arguments, NaN included:
    // a domain error must give the default NaN, as every other function does.
    arctanh => |x: f64| domain_nan(x, libm::atanh(x)), |x: f32| domain_nan32(x, libm::atanhf(x));
    erf => |x| vm1_f64(Func::Erf, x), |x| vm1_f32(Func::Erf, x);
    erfc => libm::erfc, libm::erfcf;
    rint => f64::round_ties_even, f32::round_ties_even;
}

macro_rules! math2_fns {
    ($( $name:ident => $f64:expr, $f32:expr; )*) => {
        mod math2_f64_fns {
            use super::*;
            $( pub extern "C" fn $name(a: f64, b: f64) -> f64 { $f64(a, b) } )*
        }
        mod math2_f32_fns {
            use super::*;
            $( pub extern "C" fn $name(a: f32, b: f32) -> f32 { $f32(a, b) } )*
        }
    };
}
math2_fns! {
    arctan2 => |a, b| vm2_f64(Math2::Func(Func::Arctan2), a, b), |a, b| vm2_f32(Math2::Func(Func::Arctan2), a, b);
    hypot => |a, b| vm2_f64(Math2::Func(Func::Hypot), a, b), |a, b| vm2_f32(Math2::Func(Func::Hypot), a, b);
    copysign => f64::copysign, f32::copysign;
    nextafter => <f64 as Float>::nextafter, <f32 as Float>::nextafter;
    fmod => <f64 as Rem>::rem, <f32 as Rem>::rem;
    floor_divide => <f64 as Float>::floor_div, <f32 as Float>::floor_div;
    remainder => <f64 as Float>::remainder, <f32 as Float>::remainder;
    power => |a, b| vm2_f64(Math2::Op(BinaryOp::Pow), a, b), |a, b| vm2_f32(Math2::Op(BinaryOp::Pow), a, b);
}

// The function tables, once per width. Exhaustive over `Func` on purpose: a new
// function must be placed here.
macro_rules! math_tables {
    ($math1:ident, $math2:ident, $binop:ident, $fn1:ty, $fn2:ty, $m1:ident, $m2:ident) => {
        /// The one-argument math function `f` (see the module docs), or `None`.
        pub fn $math1(f: Func) -> Option<$fn1> {
            use $m1 as m;
            Some(match f {
                Func::Sqrt => m::sqrt,
                Func::Cbrt => m::cbrt,
                Func::Exp => m::exp,
                Func::Expm1 => m::expm1,
                Func::Exp2 => m::exp2,
                Func::Log => m::log,
                Func::Log1p => m::log1p,
                Func::Log2 => m::log2,
                Func::Log10 => m::log10,
                Func::Sin => m::sin,
                Func::Cos => m::cos,
                Func::Tan => m::tan,
                Func::Arcsin => m::arcsin,
                Func::Arccos => m::arccos,
                Func::Arctan => m::arctan,
                Func::Sinh => m::sinh,
                Func::Cosh => m::cosh,
                Func::Tanh => m::tanh,
                Func::Arcsinh => m::arcsinh,
                Func::Arccosh => m::arccosh,
                Func::Arctanh => m::arctanh,
                Func::Erf => m::erf,
                Func::Erfc => m::erfc,
                Func::Rint => m::rint,
                Func::Where
                | Func::Square
                | Func::Arctan2
                | Func::Hypot
                | Func::Fmod
                | Func::Abs
                | Func::Sign
                | Func::Floor
                | Func::Ceil
                | Func::Round
                | Func::Trunc
                | Func::Minimum
                | Func::Maximum
                | Func::Clip
                | Func::Copysign
                | Func::Nextafter
                | Func::Isnan
                | Func::Isinf
                | Func::Isfinite
                | Func::Signbit
                | Func::Copy
                | Func::OnesLike
                | Func::Conj
                | Func::Real
                | Func::Imag => return None,
            })
        }

        /// The two-argument float function `f` (arctan2 hypot copysign nextafter fmod), or `None`.
        pub fn $math2(f: Func) -> Option<$fn2> {
            use $m2 as m;
            Some(match f {
                Func::Arctan2 => m::arctan2,
                Func::Hypot => m::hypot,
                Func::Copysign => m::copysign,
                Func::Nextafter => m::nextafter,
                Func::Fmod => m::fmod,
                Func::Where
                | Func::Sqrt
                | Func::Cbrt
                | Func::Square
                | Func::Exp
                | Func::Expm1
                | Func::Exp2
                | Func::Log
                | Func::Log1p
                | Func::Log2
                | Func::Log10
                | Func::Sin
                | Func::Cos
                | Func::Tan
                | Func::Arcsin
                | Func::Arccos
                | Func::Arctan
                | Func::Sinh
                | Func::Cosh
                | Func::Tanh
                | Func::Arcsinh
                | Func::Arccosh
                | Func::Arctanh
                | Func::Abs
                | Func::Sign
                | Func::Floor
                | Func::Ceil
                | Func::Round
                | Func::Rint
                | Func::Trunc
                | Func::Minimum
                | Func::Maximum
                | Func::Clip
                | Func::Isnan
                | Func::Isinf
                | Func::Isfinite
                | Func::Signbit
                | Func::Erf
                | Func::Erfc
                | Func::Copy
                | Func::OnesLike
                | Func::Conj
                | Func::Real
                | Func::Imag => return None,
            })
        }

        /// Float binary operators that need more than one instruction (`//`, `%`, `**`), or `None`.
        pub fn $binop(op: BinaryOp) -> Option<$fn2> {
            use $m2 as m;
            Some(match op {
                BinaryOp::FloorDiv => m::floor_divide,
                BinaryOp::Mod => m::remainder,
                BinaryOp::Pow => m::power,
                BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::BitOr
                | BinaryOp::BitXor
                | BinaryOp::BitAnd
                | BinaryOp::Shl
                | BinaryOp::Shr
                | BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div => return None,
            })
        }
    };
}
math_tables!(math1_f64, math2_f64, binop_f64, F64Fn1, F64Fn2, math1_f64_fns, math2_f64_fns);
math_tables!(math1_f32, math2_f32, binop_f32, F32Fn1, F32Fn2, math1_f32_fns, math2_f32_fns);

macro_rules! impl_float {
    ($t:ty, $math1:ident, $math2:ident, $binop:ident, $map1:path, $map2:path) => {
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
            fn powf(self, b: Self) -> Self {
                $binop(BinaryOp::Pow).expect("float power")(self, b)
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
            fn math1(f: Func) -> Option<extern "C" fn(Self) -> Self> {
                $math1(f)
            }
            fn map_math1(f: Func, x: &[Self]) -> Vec<Self> {
                let mut out = vec![0.0; x.len()];
                $map1(f, x, &mut out);
                out
            }
            fn math2(f: Func) -> Option<extern "C" fn(Self, Self) -> Self> {
                $math2(f)
            }
            fn map_math2(f: Math2, x: &[Self], y: &[Self], out: &mut [Self]) {
                $map2(f, x, y, out)
            }
        }
    };
}
impl_float!(f64, math1_f64, math2_f64, binop_f64, crate::vmath::map1_f64, crate::vmath::map2_f64);
impl_float!(f32, math1_f32, math2_f32, binop_f32, crate::vmath::map1_f32, crate::vmath::map2_f32);
