//! Vector lowering: which kernel operations have a lane-wise Cranelift
//! instruction giving exactly the scalar result, and their emission.
//!
//! Input: a node's operation, dtypes and vector argument values. Output: a vector
//! value of the node's lane type.
//!
//! A phase loop is vectorized when every value it loads or computes has one lane
//! width: float64 in `f64x2` (bools as `i64x2` comparison masks), float32 in
//! `f32x4` (bools as `i32x4` masks). Lane-wise IEEE arithmetic, sqrt, abs, neg,
//! floor/ceil/trunc/nearest, fma (one rounding, as the scalar `fma`), copysign (by bits), NumPy's NaN-propagating
//! minimum/maximum, comparisons, logical operations on bools and `where` (a bit
//! select) give the scalar results bit for bit. Bool results are stored by
//! narrowing masks to 0/1 bytes; bool inputs, integers and casts stay scalar.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

use crate::fuse::{KNode, KOp};
use crate::ir::ops::{BinaryOp, Func, UnaryOp};
use crate::ir::Op;
use crate::semantics::{func_impl, Builtin, FloatImpl};
use crate::types::DType;

/// The vector type holding `dtype` in memory, if vector loops load and store it.
pub(super) fn vector_type(dtype: DType) -> Option<Type> {
    match dtype {
        DType::Float64 => Some(types::F64X2),
        DType::Float32 => Some(types::F32X4),
        DType::Bool | DType::Int32 | DType::Int64 => None,
    }
}

/// The type a value of `dtype` has in a loop over `vty`: `vty` for its float
/// dtype, and for bools a comparison mask of the same lane width (all ones or
/// all zeros per lane).
pub(super) fn lane_type(dtype: DType, vty: Type) -> Option<Type> {
    match dtype {
        DType::Bool => Some(if vty.lane_bits() == 64 { types::I64X2 } else { types::I32X4 }),
        _ => vector_type(dtype).filter(|&t| t == vty),
    }
}

/// Whether `node` (whose last argument has `arg_dtype`) has an exact vector lowering.
pub(super) fn supported(node: &KNode, arg_dtype: DType) -> bool {
    let float = arg_dtype.is_float();
    match &node.op {
        KOp::Param(_) | KOp::Op(Op::Const(_)) => vector_type(node.dtype).is_some(),
        KOp::Op(Op::Unary(op, _)) => match op {
            UnaryOp::Neg | UnaryOp::Pos => float,
            UnaryOp::Invert => arg_dtype == DType::Bool,
        },
        KOp::Op(Op::Binary(op, ..)) => match op {
            BinaryOp::Add | BinaryOp::Mul => float || arg_dtype == DType::Bool,
            BinaryOp::Sub | BinaryOp::Div => float,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => float,
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => arg_dtype == DType::Bool,
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr => false,
        },
        KOp::Op(Op::Call(f, _)) => float && vector_builtin(*f).is_some(),
        KOp::Op(Op::Cast(_)) => false,
    }
}

/// The inline operation float function `f` is, if it has a lane-wise form here.
fn vector_builtin(f: Func) -> Option<Builtin> {
    let Some(FloatImpl::Op(op)) = func_impl(f).float else { return None };
    let lane_wise = match op {
        Builtin::Sqrt
        | Builtin::Abs
        | Builtin::Square
        | Builtin::Identity
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Trunc
        | Builtin::Rint
        | Builtin::Copysign
        | Builtin::Minimum
        | Builtin::Maximum
        | Builtin::Clip
        | Builtin::Where
        | Builtin::Reciprocal
        | Builtin::Fma => true,
        // No lane-wise form written yet (they stay scalar, still exact).
        Builtin::Sign
        | Builtin::Zero
        | Builtin::One
        | Builtin::Isnan
        | Builtin::Isinf
        | Builtin::Isfinite
        | Builtin::Signbit
        | Builtin::TruncRem => false,
    };
    lane_wise.then_some(op)
}

/// Emit the vector lowering of `op` on `args` (`supported` said yes).
pub(super) fn emit(b: &mut FunctionBuilder<'_>, op: &Op<u32>, arg_dtype: DType, args: &[Value]) -> Value {
    let x = args.first().copied();
    let x = || x.expect("the operation has an argument");
    let float = arg_dtype.is_float();
    let cmp = |b: &mut FunctionBuilder<'_>, cc| b.ins().fcmp(cc, args[0], args[1]);
    match op {
        Op::Unary(UnaryOp::Neg, _) => b.ins().fneg(x()),
        Op::Unary(UnaryOp::Pos, _) => x(),
        Op::Unary(UnaryOp::Invert, _) => b.ins().bnot(x()),
        Op::Binary(op, ..) => match op {
            BinaryOp::Add if float => b.ins().fadd(x(), args[1]),
            BinaryOp::Mul if float => b.ins().fmul(x(), args[1]),
            // On bool masks, `+` is logical or and `*` logical and (NumPy).
            BinaryOp::Add | BinaryOp::BitOr => b.ins().bor(x(), args[1]),
            BinaryOp::Mul | BinaryOp::BitAnd => b.ins().band(x(), args[1]),
            BinaryOp::BitXor => b.ins().bxor(x(), args[1]),
            BinaryOp::Sub => b.ins().fsub(x(), args[1]),
            BinaryOp::Div => b.ins().fdiv(x(), args[1]),
            BinaryOp::Lt => cmp(b, FloatCC::LessThan),
            BinaryOp::Le => cmp(b, FloatCC::LessThanOrEqual),
            BinaryOp::Gt => cmp(b, FloatCC::GreaterThan),
            BinaryOp::Ge => cmp(b, FloatCC::GreaterThanOrEqual),
            BinaryOp::Eq => cmp(b, FloatCC::Equal),
            // `!=` is true when unordered: NaN != NaN.
            BinaryOp::Ne => cmp(b, FloatCC::NotEqual),
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr => {
                unreachable!("`supported` rejects `{}`", op.symbol())
            }
        },
        Op::Call(f, _) => match vector_builtin(*f).expect("`supported` admits only lane-wise functions") {
            Builtin::Sqrt => b.ins().sqrt(x()),
            Builtin::Abs => b.ins().fabs(x()),
            Builtin::Square => b.ins().fmul(x(), x()),
            Builtin::Identity => x(),
            Builtin::Floor => b.ins().floor(x()),
            Builtin::Ceil => b.ins().ceil(x()),
            Builtin::Trunc => b.ins().trunc(x()),
            Builtin::Rint => b.ins().nearest(x()),
            Builtin::Copysign => copysign(b, x(), args[1]),
            Builtin::Minimum => minmax(b, FloatCC::LessThan, x(), args[1]),
            Builtin::Maximum => minmax(b, FloatCC::GreaterThan, x(), args[1]),
            Builtin::Clip => {
                let lo = minmax(b, FloatCC::GreaterThan, x(), args[1]);
                minmax(b, FloatCC::LessThan, lo, args[2])
            }
            Builtin::Where => bitselect(b, x(), args[1], args[2]),
            // `vfmadd` on FMA CPUs; a `fma` libcall per lane otherwise.
            Builtin::Fma => b.ins().fma(x(), args[1], args[2]),
            Builtin::Reciprocal => {
                let ty = b.func.dfg.value_type(x());
                let one = match ty.lane_type() {
                    types::F32 => b.ins().f32const(1.0),
                    _ => b.ins().f64const(1.0),
                };
                let one = b.ins().splat(ty, one);
                b.ins().fdiv(one, x())
            }
            Builtin::Sign
            | Builtin::Zero
            | Builtin::One
            | Builtin::Isnan
            | Builtin::Isinf
            | Builtin::Isfinite
            | Builtin::Signbit
            | Builtin::TruncRem => unreachable!("`vector_builtin` admits only lane-wise operations"),
        },
        Op::Const(_) | Op::Cast(_) => unreachable!("constants are hoisted; `supported` rejects casts"),
    }
}

/// Store the bool mask `mask` as one 0/1 byte per lane at `addr`: gather each
/// lane's low byte into the vector's first bytes, store them as one integer.
pub(super) fn store_mask(b: &mut FunctionBuilder<'_>, flags: MemFlagsData, mask: Value, addr: Value) {
    let ty = b.func.dfg.value_type(mask);
    let lanes = ty.lane_count() as u8;
    let stride = 16 / lanes;
    let mut picks = [0u8; 16];
    picks.iter_mut().take(lanes as usize).enumerate().for_each(|(i, p)| *p = i as u8 * stride);
    let bytes = b.ins().bitcast(types::I8X16, little(), mask);
    let picks = b.func.dfg.immediates.push(picks.to_vec().into());
    let packed = b.ins().shuffle(bytes, bytes, picks);
    let int_ty = if lanes == 2 { types::I16 } else { types::I32 };
    let vec_ty = if lanes == 2 { types::I16X8 } else { types::I32X4 };
    let packed = b.ins().bitcast(vec_ty, little(), packed);
    let v = b.ins().extractlane(packed, 0);
    let ones = if lanes == 2 { 0x0101 } else { 0x0101_0101 };
    let v = b.ins().band_imm_u(v, ones);
    debug_assert_eq!(b.func.dfg.value_type(v), int_ty);
    b.ins().store(flags, v, addr, 0);
}

fn little() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// NumPy's minimum/maximum lane-wise: `x` where it wins or is NaN, else `y`.
fn minmax(b: &mut FunctionBuilder<'_>, cc: FloatCC, x: Value, y: Value) -> Value {
    let wins = b.ins().fcmp(cc, x, y);
    let nan = b.ins().fcmp(FloatCC::Unordered, x, x);
    let take_x = b.ins().bor(wins, nan);
    bitselect(b, take_x, x, y)
}

/// `y < x ? x : y` lane-wise, which x86 lowers to one `maxpd`/`maxps`: the
/// larger value, but `y` where either is NaN or the two are equal (so not
/// NumPy's NaN and signed-zero rules): for folds that check for both.
pub(super) fn pmax(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let lt = b.ins().fcmp(FloatCC::LessThan, y, x);
    bitselect(b, lt, x, y)
}

/// `x < y ? x : y` lane-wise, one `minpd`/`minps` on x86; as [`pmax`].
pub(super) fn pmin(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let lt = b.ins().fcmp(FloatCC::LessThan, x, y);
    bitselect(b, lt, x, y)
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
    let mask = if b.func.dfg.value_type(mask) == ty { mask } else { b.ins().bitcast(ty, little(), mask) };
    b.ins().bitselect(mask, x, y)
}
