//! Elementwise instructions: `Unary`, `Binary`, `Call` and `Cast` over whole arrays.
//!
//! Input: argument views (any strides) whose dtypes satisfy the IR invariants
//! (see [`crate::ir`]), and the output shape from [`crate::shape`]. Output: the result
//! buffer. Dispatch happens here, once per node, on the dtype and then the
//! operator; each match arm hands a scalar function from [`crate::semantics`] to
//! a generic loop in [`super::lanes`].
//!
//! An operator/dtype pair the operator table rejects (e.g. `~` on floats) cannot
//! reach this module from lowering; meeting one is a bug in a pass and panics
//! with the invariant it broke.

use super::lanes::{map1, map2, map3, Arg};
use crate::array::{ArrayView, Data, Element};
use crate::ir::ops::{BinaryOp, Func, UnaryOp};
use crate::semantics::{
    binary_impl, clip, func_impl, maximum, minimum, Builtin, CastFrom, Float, FloatImpl, Int, IntImpl,
};
use crate::shape::Strided;
use crate::types::DType;
use crate::vmath::{Binary, Kernel};

/// An IR invariant was broken upstream: the interpreter has no meaning for it.
fn invalid(what: impl std::fmt::Display) -> ! {
    panic!("IR invariant violated: {what} (the operator table rejects this; a pass produced it)")
}

/// Arg `a` read as elements of `T`.
fn operand<'a, T: Element>(a: &'a ArrayView<'_>) -> Arg<'a, T> {
    let data = a.raw::<T>().unwrap_or_else(|| invalid(format!("operand of dtype {} used as {}", a.dtype(), T::DTYPE)));
    let layout = Strided { shape: a.shape(), strides: a.strides(), offset: a.offset() };
    Arg { data, layout, contiguous: a.as_slice::<T>() }
}

// ---------------------------------------------------------------------------
// Unary operators

pub(super) fn unary(op: UnaryOp, a: &ArrayView<'_>) -> Data {
    let out = a.shape();
    match a.dtype() {
        DType::Bool => match op {
            UnaryOp::Invert => Data::Bool(map1(out, operand(a), |v: bool| !v)),
            UnaryOp::Neg | UnaryOp::Pos => invalid(format!("`{}` on bool", op.symbol())),
        },
        DType::Int32 => unary_int::<i32>(op, operand(a), out),
        DType::Int64 => unary_int::<i64>(op, operand(a), out),
        DType::Float32 => unary_float::<f32>(op, operand(a), out),
        DType::Float64 => unary_float::<f64>(op, operand(a), out),
    }
}

fn unary_int<T: Int>(op: UnaryOp, x: Arg<T>, out: &[usize]) -> Data {
    T::wrap(match op {
        UnaryOp::Neg => map1(out, x, T::neg),
        UnaryOp::Pos => map1(out, x, |v| v),
        UnaryOp::Invert => map1(out, x, T::not),
    })
}

fn unary_float<T: Float>(op: UnaryOp, x: Arg<T>, out: &[usize]) -> Data {
    T::wrap(match op {
        UnaryOp::Neg => map1(out, x, |v: T| -v),
        UnaryOp::Pos => map1(out, x, |v| v),
        UnaryOp::Invert => invalid("`~` on a float"),
    })
}

// ---------------------------------------------------------------------------
// Binary operators

pub(super) fn binary(op: BinaryOp, a: &ArrayView<'_>, b: &ArrayView<'_>, out: &[usize]) -> Data {
    match a.dtype() {
        DType::Bool => binary_bool(op, operand(a), operand(b), out),
        DType::Int32 => binary_int::<i32>(op, operand(a), operand(b), out),
        DType::Int64 => binary_int::<i64>(op, operand(a), operand(b), out),
        DType::Float32 => binary_float::<f32>(op, operand(a), operand(b), out),
        DType::Float64 => binary_float::<f64>(op, operand(a), operand(b), out),
    }
}

/// `map2` wrapped into a buffer of the result's dtype.
fn zip<A: Copy, R: Element>(out: &[usize], a: Arg<A>, b: Arg<A>, f: impl Fn(A, A) -> R) -> Data {
    R::wrap(map2(out, a, b, f))
}

/// Comparisons, on any dtype (IEEE for floats: NaN compares unequal to everything).
fn compare<T: PartialOrd + Copy>(op: BinaryOp, a: Arg<T>, b: Arg<T>, out: &[usize]) -> Data {
    match op {
        BinaryOp::Lt => zip(out, a, b, |x, y| x < y),
        BinaryOp::Le => zip(out, a, b, |x, y| x <= y),
        BinaryOp::Gt => zip(out, a, b, |x, y| x > y),
        BinaryOp::Ge => zip(out, a, b, |x, y| x >= y),
        BinaryOp::Eq => zip(out, a, b, |x, y| x == y),
        BinaryOp::Ne => zip(out, a, b, |x, y| x != y),
        BinaryOp::BitOr
        | BinaryOp::BitXor
        | BinaryOp::BitAnd
        | BinaryOp::Shl
        | BinaryOp::Shr
        | BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::FloorDiv
        | BinaryOp::Mod
        | BinaryOp::Pow => unreachable!("compare() is only called for comparisons, not `{}`", op.symbol()),
    }
}

fn binary_bool(op: BinaryOp, a: Arg<bool>, b: Arg<bool>, out: &[usize]) -> Data {
    match op {
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
            compare(op, a, b, out)
        }
        // NumPy: `+` on bools is logical or, `*` logical and; bitwise ops are logical.
        BinaryOp::Add | BinaryOp::BitOr => zip(out, a, b, |x, y| x | y),
        BinaryOp::Mul | BinaryOp::BitAnd => zip(out, a, b, |x, y| x & y),
        BinaryOp::BitXor => zip(out, a, b, |x, y| x ^ y),
        BinaryOp::Sub
        | BinaryOp::Div
        | BinaryOp::FloorDiv
        | BinaryOp::Mod
        | BinaryOp::Pow
        | BinaryOp::Shl
        | BinaryOp::Shr => invalid(format!("`{}` on bool", op.symbol())),
    }
}

fn binary_int<T: Int>(op: BinaryOp, a: Arg<T>, b: Arg<T>, out: &[usize]) -> Data {
    match op {
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
            compare(op, a, b, out)
        }
        BinaryOp::BitOr => zip(out, a, b, T::or),
        BinaryOp::BitXor => zip(out, a, b, T::xor),
        BinaryOp::BitAnd => zip(out, a, b, T::and),
        BinaryOp::Shl => zip(out, a, b, T::shl),
        BinaryOp::Shr => zip(out, a, b, T::shr),
        BinaryOp::Add => zip(out, a, b, T::add),
        BinaryOp::Sub => zip(out, a, b, T::sub),
        BinaryOp::Mul => zip(out, a, b, T::mul),
        BinaryOp::FloorDiv => zip(out, a, b, T::floor_div),
        BinaryOp::Mod => zip(out, a, b, T::modulo),
        BinaryOp::Pow => zip(out, a, b, T::pow),
        BinaryOp::Div => invalid("`/` computing in an integer dtype"),
    }
}

fn binary_float<T: Float>(op: BinaryOp, a: Arg<T>, b: Arg<T>, out: &[usize]) -> Data {
    match op {
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
            compare(op, a, b, out)
        }
        BinaryOp::Add => zip(out, a, b, |x, y| x + y),
        BinaryOp::Sub => zip(out, a, b, |x, y| x - y),
        BinaryOp::Mul => zip(out, a, b, |x, y| x * y),
        BinaryOp::Div => blocks2(kernel(op), a, b, out, |x, y| x / y),
        BinaryOp::FloorDiv => zip(out, a, b, T::floor_div),
        BinaryOp::Mod => zip(out, a, b, T::remainder),
        BinaryOp::Pow => blocks2(kernel(op), a, b, out, T::powf),
        BinaryOp::BitOr | BinaryOp::BitXor | BinaryOp::BitAnd | BinaryOp::Shl | BinaryOp::Shr => {
            invalid(format!("`{}` on a float", op.symbol()))
        }
    }
}

/// The block kernel of float operator `op` (`/`, `**`).
fn kernel(op: BinaryOp) -> Binary {
    binary_impl(op).1.unwrap_or_else(|| invalid(format!("`{}` has no block kernel", op.symbol())))
}

/// A two-argument vmath function over whole slices, as NumPy runs its SIMD loops:
/// when `a` is contiguous with the result's shape and `b` is too, or is a single
/// value (a constant exponent or divisor: blocks of it repeated). Otherwise
/// element by element through `scalar`, which computes the same bits.
fn blocks2<T: Float>(f: Binary, a: Arg<T>, b: Arg<T>, out: &[usize], scalar: impl Fn(T, T) -> T) -> Data {
    const BLOCK: usize = 4096;
    let whole = |o: &Arg<T>| o.layout.shape == out;
    let (Some(xs), true) = (a.contiguous, whole(&a)) else { return zip(out, a, b, scalar) };
    let mut res = vec![T::ZERO; xs.len()];
    if let (Some(ys), true) = (b.contiguous, whole(&b)) {
        T::map_block2(f, xs, ys, &mut res);
    } else if let Some(y) = b.contiguous.filter(|y| y.len() == 1) {
        let ys = vec![y[0]; BLOCK.min(xs.len())];
        for (o, x) in res.chunks_mut(BLOCK).zip(xs.chunks(BLOCK)) {
            T::map_block2(f, x, &ys[..x.len()], o);
        }
    } else {
        return zip(out, a, b, scalar);
    }
    T::wrap(res)
}

// ---------------------------------------------------------------------------
// Function calls: dispatched on the function's row (`semantics::func_impl`), then
// on the family of the operation.

pub(super) fn call(f: Func, args: &[ArrayView<'_>], out: &[usize]) -> Data {
    let row = func_impl(f);
    let missing = |class: &str| -> ! { invalid(format!("`{}` on {class}", f.info().name)) };
    match args[0].dtype() {
        // `where`: the first argument is the condition; `select` dispatches on the values.
        _ if row.bool == Some(Builtin::Where) => select(args, out),
        DType::Bool => builtin_bool(row.bool.unwrap_or_else(|| missing("bool")), args, out),
        DType::Int32 => call_int::<i32>(row.int.unwrap_or_else(|| missing("an integer dtype")), args, out),
        DType::Int64 => call_int::<i64>(row.int.unwrap_or_else(|| missing("an integer dtype")), args, out),
        DType::Float32 => call_float::<f32>(row.float.unwrap_or_else(|| missing("a float")), row.block, args, out),
        DType::Float64 => call_float::<f64>(row.float.unwrap_or_else(|| missing("a float")), row.block, args, out),
    }
}

/// `where(c, x, y)`, dispatched on the dtype of `x` and `y`.
fn select(args: &[ArrayView<'_>], out: &[usize]) -> Data {
    fn go<T: Element>(args: &[ArrayView<'_>], out: &[usize]) -> Data {
        let (c, x, y) = (operand::<bool>(&args[0]), operand::<T>(&args[1]), operand::<T>(&args[2]));
        T::wrap(map3(out, c, x, y, |c, x, y| if c { x } else { y }))
    }
    match args[1].dtype() {
        DType::Bool => go::<bool>(args, out),
        DType::Int32 => go::<i32>(args, out),
        DType::Int64 => go::<i64>(args, out),
        DType::Float32 => go::<f32>(args, out),
        DType::Float64 => go::<f64>(args, out),
    }
}

/// A function of two arguments of `T`.
fn zip2<T: Element, R: Element>(args: &[ArrayView<'_>], out: &[usize], f: impl Fn(T, T) -> R) -> Data {
    zip(out, operand::<T>(&args[0]), operand(&args[1]), f)
}

/// `clip(x, lo, hi)` on any dtype.
fn clip3<T: Element + PartialOrd>(args: &[ArrayView<'_>], out: &[usize]) -> Data {
    T::wrap(map3(out, operand::<T>(&args[0]), operand(&args[1]), operand(&args[2]), clip))
}

/// A buffer of `out`'s size filled with `v` (`ones_like`, `imag`, constant predicates).
fn filled<T: Element>(out: &[usize], v: T) -> Data {
    T::wrap(vec![v; out.iter().product()])
}

fn builtin_bool(b: Builtin, args: &[ArrayView<'_>], out: &[usize]) -> Data {
    let x = || operand::<bool>(&args[0]);
    match b {
        Builtin::Identity => Data::Bool(map1(out, x(), |v| v)),
        Builtin::Minimum => zip2::<bool, bool>(args, out, minimum),
        Builtin::Maximum => zip2::<bool, bool>(args, out, maximum),
        Builtin::Clip => clip3::<bool>(args, out),
        Builtin::Isnan | Builtin::Isinf | Builtin::Signbit | Builtin::Zero => filled(out, false),
        Builtin::Isfinite | Builtin::One => filled(out, true),
        Builtin::Where => select(args, out),
        Builtin::Sqrt
        | Builtin::Square
        | Builtin::Abs
        | Builtin::Sign
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Trunc
        | Builtin::Rint
        | Builtin::Copysign
        | Builtin::TruncRem
        | Builtin::Reciprocal
        | Builtin::Fma => invalid(format!("{b:?} on bool")),
    }
}

fn call_int<T: Int>(imp: IntImpl, args: &[ArrayView<'_>], out: &[usize]) -> Data {
    let x = || operand::<T>(&args[0]);
    let b = match imp {
        IntImpl::Op(b) => b,
        IntImpl::Call1(wide, narrow) => {
            let g = T::pick1(wide, narrow);
            return T::wrap(map1(out, x(), |v| g(v)));
        }
        IntImpl::Call2(wide, narrow) => {
            let g = T::pick2(wide, narrow);
            return zip2::<T, T>(args, out, |a, b| g(a, b));
        }
    };
    match b {
        Builtin::Square => T::wrap(map1(out, x(), |v| v.mul(v))),
        Builtin::TruncRem => zip2::<T, T>(args, out, T::fmod),
        Builtin::Abs => T::wrap(map1(out, x(), T::abs)),
        Builtin::Sign => T::wrap(map1(out, x(), T::sign)),
        Builtin::Identity => T::wrap(map1(out, x(), |v| v)),
        Builtin::Minimum => zip2::<T, T>(args, out, minimum),
        Builtin::Maximum => zip2::<T, T>(args, out, maximum),
        Builtin::Clip => clip3::<T>(args, out),
        Builtin::Isnan | Builtin::Isinf => filled(out, false),
        Builtin::Isfinite => filled(out, true),
        Builtin::Signbit => Data::Bool(map1(out, x(), |v| v < T::ZERO)),
        Builtin::One => filled(out, T::ONE),
        Builtin::Zero => filled(out, T::ZERO),
        Builtin::Where => select(args, out),
        Builtin::Sqrt
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Trunc
        | Builtin::Rint
        | Builtin::Copysign
        | Builtin::Reciprocal
        | Builtin::Fma => invalid(format!("{b:?} computing in an integer dtype")),
    }
}

fn call_float<T: Float>(imp: FloatImpl, block: Option<Kernel>, args: &[ArrayView<'_>], out: &[usize]) -> Data {
    let x = || operand::<T>(&args[0]);
    let b = match (imp, block) {
        (FloatImpl::Op(b), _) => b,
        // Whole-slice vmath kernels: the same functions the JIT calls on blocks (one
        // element at a time through the same kernels for strided operands).
        (FloatImpl::Call1(d, s), block) => {
            let g = T::pick1(d, s);
            return match (x().contiguous, block) {
                (Some(xs), Some(Kernel::Unary(u))) => T::wrap(T::map_block1(u, xs)),
                _ => T::wrap(map1(out, x(), |v| g(v))),
            };
        }
        (FloatImpl::Call2(d, s), block) => {
            let g = T::pick2(d, s);
            let (a, b) = (operand(&args[0]), operand(&args[1]));
            return match block {
                Some(Kernel::Binary(k)) => blocks2(k, a, b, out, |a, b| g(a, b)),
                _ => zip(out, a, b, |a, b| g(a, b)),
            };
        }
    };
    match b {
        // sqrt is one instruction: keep it inline so the loop vectorizes.
        Builtin::Sqrt => T::wrap(map1(out, x(), T::sqrt)),
        Builtin::Copysign => zip2::<T, T>(args, out, T::copysign),
        Builtin::Square => T::wrap(map1(out, x(), |v| v * v)),
        Builtin::Abs => T::wrap(map1(out, x(), T::abs)),
        Builtin::Sign => T::wrap(map1(out, x(), T::sign)),
        Builtin::Floor => T::wrap(map1(out, x(), T::floor)),
        Builtin::Ceil => T::wrap(map1(out, x(), T::ceil)),
        Builtin::Trunc => T::wrap(map1(out, x(), T::trunc)),
        Builtin::Rint => T::wrap(map1(out, x(), T::rint)),
        Builtin::Reciprocal => T::wrap(map1(out, x(), |v| T::ONE / v)),
        Builtin::Minimum => zip2::<T, T>(args, out, minimum),
        Builtin::Maximum => zip2::<T, T>(args, out, maximum),
        Builtin::Clip => clip3::<T>(args, out),
        Builtin::Fma => T::wrap(map3(out, x(), operand(&args[1]), operand(&args[2]), T::mul_add)),
        Builtin::Isnan => Data::Bool(map1(out, x(), T::is_nan)),
        Builtin::Isinf => Data::Bool(map1(out, x(), T::is_infinite)),
        Builtin::Isfinite => Data::Bool(map1(out, x(), T::is_finite)),
        Builtin::Signbit => Data::Bool(map1(out, x(), T::signbit)),
        Builtin::Identity => T::wrap(map1(out, x(), |v| v)),
        Builtin::One => filled(out, T::ONE),
        Builtin::Zero => filled(out, T::ZERO),
        Builtin::Where => select(args, out),
        Builtin::TruncRem => invalid("integer remainder on a float"),
    }
}

// ---------------------------------------------------------------------------
// Casts

/// NumPy `astype` of `a` to `to` (see [`CastFrom`] for the rules).
pub(super) fn cast(a: &ArrayView<'_>, to: DType) -> Data {
    fn conv<T: Copy, U: CastFrom<T> + Element>(x: Arg<T>, out: &[usize]) -> Data {
        U::wrap(map1(out, x, U::cast_from))
    }
    fn from<T: Element>(x: Arg<T>, to: DType, out: &[usize]) -> Data
    where
        bool: CastFrom<T>,
        i32: CastFrom<T>,
        i64: CastFrom<T>,
        f32: CastFrom<T>,
        f64: CastFrom<T>,
    {
        match to {
            DType::Bool => conv::<T, bool>(x, out),
            DType::Int32 => conv::<T, i32>(x, out),
            DType::Int64 => conv::<T, i64>(x, out),
            DType::Float32 => conv::<T, f32>(x, out),
            DType::Float64 => conv::<T, f64>(x, out),
        }
    }
    let out = a.shape();
    match a.dtype() {
        DType::Bool => from::<bool>(operand(a), to, out),
        DType::Int32 => from::<i32>(operand(a), to, out),
        DType::Int64 => from::<i64>(operand(a), to, out),
        DType::Float32 => from::<f32>(operand(a), to, out),
        DType::Float64 => from::<f64>(operand(a), to, out),
    }
}
