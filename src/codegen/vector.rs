//! Vector lowering: which kernel operations have a lane-wise Cranelift
//! instruction giving exactly the scalar result, and their emission.
//!
//! Input: a node's operation, dtypes and vector argument values. Output: a vector
//! value of the node's lane type.
//!
//! A phase loop is vectorized when every value it loads, computes or stores has
//! one lane type: float64 in `f64x2`, float32 in `f32x4`. Lane-wise IEEE
//! arithmetic, sqrt, abs, neg, floor/ceil/trunc/nearest, copysign and
//! NumPy's NaN-propagating minimum/maximum give the scalar results bit for bit.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;

use crate::fuse::{KNode, KOp};
use crate::ir::ops::{BinaryOp, Func, UnaryOp};
use crate::types::DType;

/// The vector type holding `dtype`, if vector loops support it.
pub(super) fn vector_type(dtype: DType) -> Option<Type> {
    match dtype {
        DType::Float64 => Some(types::F64X2),
        DType::Float32 => Some(types::F32X4),
        DType::Bool | DType::Int32 | DType::Int64 => None,
    }
}

/// Whether `node` (whose arguments have `arg_dtype`) has an exact vector lowering.
pub(super) fn supported(node: &KNode, arg_dtype: DType) -> bool {
    if node.dtype != arg_dtype || vector_type(node.dtype).is_none() {
        return false;
    }
    match &node.op {
        KOp::Param(_) | KOp::Const(_) => true,
        KOp::Unary(op, _) => match op {
            UnaryOp::Neg | UnaryOp::Pos => true,
            UnaryOp::Invert => false,
        },
        KOp::Binary(op, ..) => matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div),
        KOp::Call(f, _) => matches!(
            f,
            Func::Sqrt
                | Func::Abs
                | Func::Square
                | Func::Copy
                | Func::Conj
                | Func::Real
                | Func::Floor
                | Func::Ceil
                | Func::Trunc
                | Func::Round
                | Func::Rint
                | Func::Copysign
                | Func::Minimum
                | Func::Maximum
                | Func::Clip
        ),
        KOp::Cast(_) => false,
    }
}

/// Emit the vector lowering of `node` on `args` (`supported` said yes).
pub(super) fn emit(b: &mut FunctionBuilder<'_>, node: &KNode, args: &[Value]) -> Value {
    let x = args.first().copied();
    let x = || x.expect("the operation has an argument");
    match &node.op {
        KOp::Unary(UnaryOp::Neg, _) => b.ins().fneg(x()),
        KOp::Unary(UnaryOp::Pos, _) => x(),
        KOp::Binary(BinaryOp::Add, ..) => b.ins().fadd(x(), args[1]),
        KOp::Binary(BinaryOp::Sub, ..) => b.ins().fsub(x(), args[1]),
        KOp::Binary(BinaryOp::Mul, ..) => b.ins().fmul(x(), args[1]),
        KOp::Binary(BinaryOp::Div, ..) => b.ins().fdiv(x(), args[1]),
        KOp::Call(f, _) => match f {
            Func::Sqrt => b.ins().sqrt(x()),
            Func::Abs => b.ins().fabs(x()),
            Func::Square => b.ins().fmul(x(), x()),
            Func::Copy | Func::Conj | Func::Real => x(),
            Func::Floor => b.ins().floor(x()),
            Func::Ceil => b.ins().ceil(x()),
            Func::Trunc => b.ins().trunc(x()),
            Func::Round | Func::Rint => b.ins().nearest(x()),
            Func::Copysign => copysign(b, x(), args[1]),
            Func::Minimum => minmax(b, FloatCC::LessThan, x(), args[1]),
            Func::Maximum => minmax(b, FloatCC::GreaterThan, x(), args[1]),
            Func::Clip => {
                let lo = minmax(b, FloatCC::GreaterThan, x(), args[1]);
                minmax(b, FloatCC::LessThan, lo, args[2])
            }
            _ => unreachable!("`supported` admits only the functions above"),
        },
        KOp::Param(_) | KOp::Const(_) | KOp::Unary(..) | KOp::Binary(..) | KOp::Cast(_) => {
            unreachable!("`supported` admits only the operations above")
        }
    }
}

/// NumPy's minimum/maximum lane-wise: `x` where it wins or is NaN, else `y`.
fn minmax(b: &mut FunctionBuilder<'_>, cc: FloatCC, x: Value, y: Value) -> Value {
    let wins = b.ins().fcmp(cc, x, y);
    let nan = b.ins().fcmp(FloatCC::Unordered, x, x);
    let take_x = b.ins().bor(wins, nan);
    bitselect(b, take_x, x, y)
}

/// `|x|` with `y`'s sign, by bits (x86 Cranelift has no vector `fcopysign`).
fn copysign(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let sign = match ty.lane_type() {
        types::F32 => b.ins().f32const(-0.0),
        _ => b.ins().f64const(-0.0),
    };
    let sign = b.ins().splat(ty, sign);
    let magnitude = b.ins().band_not(x, sign);
    let sign = b.ins().band(y, sign);
    b.ins().bor(magnitude, sign)
}

/// Lane-wise `mask ? x : y` for a comparison mask (all ones or zeros per lane).
fn bitselect(b: &mut FunctionBuilder<'_>, mask: Value, x: Value, y: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let mask = b.ins().bitcast(ty, cranelift_codegen::ir::MemFlagsData::new().with_endianness(
        cranelift_codegen::ir::Endianness::Little,
    ), mask);
    b.ins().bitselect(mask, x, y)
}
