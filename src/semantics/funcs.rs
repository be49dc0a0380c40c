//! The function table's second half: what every function computes.
//!
//! [`crate::ir::ops`] says what a function is called and how it types its
//! arguments; [`func_impl`] says what it computes, once, as data: per dtype class
//! (float, int, bool) either a [`Builtin`] operation that every engine lowers
//! inline, or scalar `extern "C"` functions (one per width) that the interpreter
//! maps over arrays and the JIT calls by address; plus the [`crate::vmath`] block
//! kernel, when there is one, that the interpreter maps over whole slices and the
//! JIT calls on blocks. The interpreter, the code generator, the vectorizer and
//! the block planner dispatch on the row, so a function made of existing parts is
//! one row here and one in `ir::ops`; both matches are exhaustive, so the
//! compiler names a missing row.
//!
//! A scalar function backed by a block kernel computes one element through that
//! kernel (see [`kernel1!`]): every engine, and the constant folder, get the same
//! bits, and a row cannot name a kernel vmath does not have.

use super::float::*;
use super::int::*;
use super::{CastFrom, F32Fn1, F32Fn2, F64Fn1, F64Fn2};
use crate::ir::ops::{BinaryOp, Func};
use crate::vmath::{self, Binary, Kernel, Unary};

/// `extern "C" fn(i64) -> i64`, an integer function the JIT calls by address.
pub type I64Fn1 = extern "C" fn(i64) -> i64;
/// `extern "C" fn(i32) -> i32`.
pub type I32Fn1 = extern "C" fn(i32) -> i32;
/// `extern "C" fn(i64, i64) -> i64`.
pub type I64Fn2 = extern "C" fn(i64, i64) -> i64;
/// `extern "C" fn(i32, i32) -> i32`.
pub type I32Fn2 = extern "C" fn(i32, i32) -> i32;

/// Operations every engine implements inline, by name: the interpreter with a
/// generic loop, the JIT with Cranelift instructions (lane-wise too where
/// `codegen::vector` says so). A new function that is none of these is scalar
/// functions in its row, not a new variant here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `where(c, x, y)`.
    Where,
    /// IEEE square root.
    Sqrt,
    /// `x * x` (wrapping for ints).
    Square,
    /// `|x|` (wrapping for ints: `abs(INT_MIN)` is `INT_MIN`).
    Abs,
    /// -1, 0 or 1; NaN stays NaN; ±0 gives +0.
    Sign,
    /// Round down.
    Floor,
    /// Round up.
    Ceil,
    /// Round toward zero.
    Trunc,
    /// Round half to even.
    Rint,
    /// `|x|` with `y`'s sign.
    Copysign,
    /// NumPy's NaN-propagating minimum; on a tie the second operand.
    Minimum,
    /// NumPy's NaN-propagating maximum; on a tie the second operand.
    Maximum,
    /// `minimum(maximum(x, lo), hi)`.
    Clip,
    /// `x` unchanged.
    Identity,
    /// 0 (`imag` of a real number).
    Zero,
    /// 1 (`ones_like`).
    One,
    /// Whether `x` is NaN.
    Isnan,
    /// Whether `x` is ±inf.
    Isinf,
    /// Whether `x` is neither NaN nor infinite.
    Isfinite,
    /// Whether `x`'s sign bit is set.
    Signbit,
    /// Integer remainder with the dividend's sign (C `%`); by 0 gives 0.
    TruncRem,
    /// Float `1 / x`.
    Reciprocal,
    /// Float `x*y + z` rounded once (`mul_add` in the operands' own width: a
    /// float32 fma is not a float64 one rounded to float32).
    Fma,
}

/// How a function computes on float32/float64 operands.
#[derive(Clone, Copy, Debug)]
pub enum FloatImpl {
    /// Inline.
    Op(Builtin),
    /// One-argument scalar functions, per width.
    Call1(F64Fn1, F32Fn1),
    /// Two-argument scalar functions, per width.
    Call2(F64Fn2, F32Fn2),
}

/// How a function computes on int32/int64 operands.
#[derive(Clone, Copy, Debug)]
pub enum IntImpl {
    /// Inline.
    Op(Builtin),
    /// One-argument scalar functions, per width.
    Call1(I64Fn1, I32Fn1),
    /// Two-argument scalar functions, per width.
    Call2(I64Fn2, I32Fn2),
}

/// One function's row: what it computes on each dtype class its
/// [`FuncRule`](crate::ir::ops::FuncRule) lets through (`None`: lowering casts or
/// refuses that class, so no engine meets it), and its vmath block kernel.
#[derive(Clone, Copy, Debug)]
pub struct FuncImpl {
    /// On float operands.
    pub float: Option<FloatImpl>,
    /// On integer operands.
    pub int: Option<IntImpl>,
    /// On bool operands.
    pub bool: Option<Builtin>,
    /// A block kernel computing the float function on whole blocks, bit for bit
    /// as `float` does.
    pub block: Option<Kernel>,
}

impl FuncImpl {
    const NONE: FuncImpl = FuncImpl { float: None, int: None, bool: None, block: None };

    /// A floats-only function (math functions: lowering casts ints to float64).
    const fn float(f: FloatImpl) -> FuncImpl {
        FuncImpl { float: Some(f), ..FuncImpl::NONE }
    }

    /// The same inline operation on every dtype class.
    const fn op(b: Builtin) -> FuncImpl {
        FuncImpl { float: Some(FloatImpl::Op(b)), int: Some(IntImpl::Op(b)), bool: Some(b), block: None }
    }

    const fn int(self, i: IntImpl) -> FuncImpl {
        FuncImpl { int: Some(i), ..self }
    }

    const fn bool(self, b: Builtin) -> FuncImpl {
        FuncImpl { bool: Some(b), ..self }
    }

    const fn block(self, k: Kernel) -> FuncImpl {
        FuncImpl { block: Some(k), ..self }
    }
}

/// A float function computed one element at a time through vmath's block kernel
/// `Unary::$k` (and that kernel for blocks).
macro_rules! kernel1 {
    ($k:ident) => {{
        extern "C" fn double(x: f64) -> f64 {
            let mut out = [0.0];
            vmath::map1_f64(Unary::$k, &[x], &mut out);
            out[0]
        }
        extern "C" fn single(x: f32) -> f32 {
            let mut out = [0.0];
            vmath::map1_f32(Unary::$k, &[x], &mut out);
            out[0]
        }
        FuncImpl::float(FloatImpl::Call1(double, single)).block(Kernel::Unary(Unary::$k))
    }};
}

/// [`kernel1!`] for the two-argument kernel `Binary::$k`.
macro_rules! kernel2 {
    ($k:ident) => {{
        extern "C" fn double(a: f64, b: f64) -> f64 {
            let mut out = [0.0];
            vmath::map2_f64(Binary::$k, &[a], &[b], &mut out);
            out[0]
        }
        extern "C" fn single(a: f32, b: f32) -> f32 {
            let mut out = [0.0];
            vmath::map2_f32(Binary::$k, &[a], &[b], &mut out);
            out[0]
        }
        FuncImpl::float(FloatImpl::Call2(double, single)).block(Kernel::Binary(Binary::$k))
    }};
}

/// A float function from scalar expressions per width (`|x| ...`).
macro_rules! math1 {
    ($f64:expr, $f32:expr) => {{
        extern "C" fn double(x: f64) -> f64 {
            $f64(x)
        }
        extern "C" fn single(x: f32) -> f32 {
            $f32(x)
        }
        FloatImpl::Call1(double, single)
    }};
}

/// A two-argument float function from scalar expressions per width (`|a, b| ...`).
macro_rules! math2 {
    ($f64:expr, $f32:expr) => {{
        extern "C" fn double(a: f64, b: f64) -> f64 {
            $f64(a, b)
        }
        extern "C" fn single(a: f32, b: f32) -> f32 {
            $f32(a, b)
        }
        FloatImpl::Call2(double, single)
    }};
}

/// A one-argument integer function from scalar expressions per width.
macro_rules! int1 {
    ($i64:expr, $i32:expr) => {{
        extern "C" fn wide(x: i64) -> i64 {
            $i64(x)
        }
        extern "C" fn narrow(x: i32) -> i32 {
            $i32(x)
        }
        IntImpl::Call1(wide, narrow)
    }};
}

/// A two-argument integer function from scalar expressions per width.
macro_rules! int2 {
    ($i64:expr, $i32:expr) => {{
        extern "C" fn wide(a: i64, b: i64) -> i64 {
            $i64(a, b)
        }
        extern "C" fn narrow(a: i32, b: i32) -> i32 {
            $i32(a, b)
        }
        IntImpl::Call2(wide, narrow)
    }};
}

/// Float `**` (and `float_power`): vmath's pow, one element at a time.
pub extern "C" fn power_f64(a: f64, b: f64) -> f64 {
    let mut out = [0.0];
    vmath::map2_f64(Binary::Pow, &[a], &[b], &mut out);
    out[0]
}

/// Float32 `**`.
pub extern "C" fn power_f32(a: f32, b: f32) -> f32 {
    let mut out = [0.0];
    vmath::map2_f32(Binary::Pow, &[a], &[b], &mut out);
    out[0]
}

/// What function `f` computes: its row. One arm per function, on purpose: a new
/// function does not compile until it has a row.
pub fn func_impl(f: Func) -> FuncImpl {
    use Builtin as B;
    match f {
        Func::Where => FuncImpl::op(B::Where),
        // sqrt is one instruction inline; the block kernel is for AVX-512's width.
        Func::Sqrt => FuncImpl::float(FloatImpl::Op(B::Sqrt)).block(Kernel::Unary(Unary::Sqrt)),
        Func::Cbrt => kernel1!(Cbrt),
        Func::Square => FuncImpl { bool: None, ..FuncImpl::op(B::Square) },
        Func::Exp => kernel1!(Exp),
        Func::Expm1 => kernel1!(Expm1),
        Func::Exp2 => kernel1!(Exp2),
        Func::Log => kernel1!(Log),
        Func::Log1p => kernel1!(Log1p),
        Func::Log2 => kernel1!(Log2),
        Func::Log10 => kernel1!(Log10),
        Func::Sin => kernel1!(Sin),
        Func::Cos => kernel1!(Cos),
        Func::Tan => kernel1!(Tan),
        Func::Arcsin => kernel1!(Arcsin),
        Func::Arccos => kernel1!(Arccos),
        Func::Arctan => kernel1!(Arctan),
        Func::Arctan2 => kernel2!(Arctan2),
        Func::Sinh => kernel1!(Sinh),
        Func::Cosh => kernel1!(Cosh),
        Func::Tanh => kernel1!(Tanh),
        // std implements the inverse hyperbolics itself, and its acosh overflows for
        // huge arguments (acosh(1e308) = inf); libm has the C library's algorithms.
        Func::Arcsinh => FuncImpl::float(math1!(libm::asinh, libm::asinhf)),
        Func::Arccosh => FuncImpl::float(math1!(libm::acosh, libm::acoshf)),
        // libm's atanh negates its result for negative arguments, NaN included:
        // a domain error must give the default NaN, as every other function does.
        Func::Arctanh => FuncImpl::float(math1!(|x: f64| super::float::domain_nan(x, libm::atanh(x)), |x: f32| {
            super::float::domain_nan32(x, libm::atanhf(x))
        })),
        Func::Hypot => kernel2!(Hypot),
        Func::Fmod => FuncImpl::float(math2!(|a: f64, b| a % b, |a: f32, b| a % b)).int(IntImpl::Op(B::TruncRem)),
        Func::Abs => FuncImpl::op(B::Abs).bool(B::Identity),
        Func::Sign => FuncImpl { bool: None, ..FuncImpl::op(B::Sign) },
        // Integers are already integral: NumPy returns them unchanged.
        Func::Floor => FuncImpl::op(B::Floor).int(IntImpl::Op(B::Identity)).bool(B::Identity),
        Func::Ceil => FuncImpl::op(B::Ceil).int(IntImpl::Op(B::Identity)).bool(B::Identity),
        // np.round with 0 decimals is rint: half to even.
        Func::Round => FuncImpl::float(FloatImpl::Op(B::Rint)).int(IntImpl::Op(B::Identity)),
        Func::Rint => FuncImpl::float(FloatImpl::Op(B::Rint)),
        Func::Trunc => FuncImpl::op(B::Trunc).int(IntImpl::Op(B::Identity)).bool(B::Identity),
        Func::Minimum => FuncImpl::op(B::Minimum),
        Func::Maximum => FuncImpl::op(B::Maximum),
        Func::Clip => FuncImpl::op(B::Clip),
        Func::Copysign => FuncImpl::float(FloatImpl::Op(B::Copysign)),
        Func::Nextafter => FuncImpl::float(math2!(<f64 as Float>::nextafter, <f32 as Float>::nextafter)),
        Func::Isnan => FuncImpl::op(B::Isnan),
        Func::Isinf => FuncImpl::op(B::Isinf),
        Func::Isfinite => FuncImpl::op(B::Isfinite),
        Func::Signbit => FuncImpl::op(B::Signbit),
        Func::Erf => kernel1!(Erf),
        Func::Erfc => FuncImpl::float(math1!(libm::erfc, libm::erfcf)),
        Func::Copy | Func::Real => FuncImpl::op(B::Identity),
        Func::Conj => FuncImpl { bool: None, ..FuncImpl::op(B::Identity) },
        Func::OnesLike => FuncImpl::op(B::One),
        Func::Imag => FuncImpl::op(B::Zero),
        Func::Logaddexp => FuncImpl::float(math2!(logaddexp_f64, logaddexp_f32)),
        Func::Logaddexp2 => FuncImpl::float(math2!(logaddexp2_f64, logaddexp2_f32)),
        Func::Fmin => FuncImpl::float(math2!(fmin::<f64>, fmin::<f32>)).int(IntImpl::Op(B::Minimum)).bool(B::Minimum),
        Func::Fmax => FuncImpl::float(math2!(fmax::<f64>, fmax::<f32>)).int(IntImpl::Op(B::Maximum)).bool(B::Maximum),
        // NumPy multiplies by the constant rounded to the width (`NPY_PIf / 180.0f`).
        Func::Deg2rad => FuncImpl::float(
            math1!(|x: f64| x * (std::f64::consts::PI / 180.0), |x: f32| x * (std::f32::consts::PI / 180.0))
        ),
        Func::Rad2deg => FuncImpl::float(
            math1!(|x: f64| x * (180.0 / std::f64::consts::PI), |x: f32| x * (180.0 / std::f32::consts::PI))
        ),
        Func::Heaviside => FuncImpl::float(math2!(heaviside::<f64>, heaviside::<f32>)),
        // NumPy's integer loop is `1.0 / x` in float64 cast back: 0 for |x| > 1,
        // INT_MIN for 0 (the cast of inf), as jitexpr's cast rule gives.
        Func::Reciprocal => FuncImpl::float(FloatImpl::Op(B::Reciprocal))
            .int(int1!(|x| i64::cast_from(1.0 / x as f64), |x| i32::cast_from(1.0 / x as f64))),
        Func::Gcd => FuncImpl::NONE.int(int2!(gcd_i64, gcd_i32)),
        Func::Lcm => FuncImpl::NONE.int(int2!(lcm_i64, lcm_i32)),
        Func::Fabs => FuncImpl::float(FloatImpl::Op(B::Abs)),
        Func::FloatPower => FuncImpl::float(FloatImpl::Call2(power_f64, power_f32)).block(Kernel::Binary(Binary::Pow)),
        Func::Fma => FuncImpl::float(FloatImpl::Op(B::Fma)),
    }
}

/// The float function computing binary operator `op` when no single instruction
/// does (`//`, `%`, `**`), and its block kernel (`**`, and `/` for AVX-512's
/// width). One arm per operator, as in [`func_impl`].
pub fn binary_impl(op: BinaryOp) -> (Option<(F64Fn2, F32Fn2)>, Option<Binary>) {
    match op {
        BinaryOp::FloorDiv => (Some((floor_divide_f64, floor_divide_f32)), None),
        BinaryOp::Mod => (Some((remainder_f64, remainder_f32)), None),
        BinaryOp::Pow => (Some((power_f64, power_f32)), Some(Binary::Pow)),
        BinaryOp::Div => (None, Some(Binary::Div)),
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
        | BinaryOp::Mul => (None, None),
    }
}

extern "C" fn floor_divide_f64(a: f64, b: f64) -> f64 {
    a.floor_div(b)
}

extern "C" fn floor_divide_f32(a: f32, b: f32) -> f32 {
    a.floor_div(b)
}

extern "C" fn remainder_f64(a: f64, b: f64) -> f64 {
    a.remainder(b)
}

extern "C" fn remainder_f32(a: f32, b: f32) -> f32 {
    a.remainder(b)
}

/// `pow_i64` by address, for the JIT's integer `**`.
pub extern "C" fn power_i64(base: i64, exp: i64) -> i64 {
    pow_i64(base, exp)
}

/// `pow_i32` by address.
pub extern "C" fn power_i32(base: i32, exp: i32) -> i32 {
    pow_i32(base, exp)
}
