//! Scalar lowering of every operator, function and cast, by operation family.
//!
//! Each method turns typed operand values into the Cranelift instructions that
//! compute exactly what [`crate::semantics`] and the interpreter compute:
//! - integers wrap; division and modulo by zero give 0 and `INT_MIN / -1` wraps,
//!   with the divisor replaced by 1 before `sdiv`/`srem` (which trap on both);
//! - shifts by a count outside `0..bits` give 0 (or -1 for `>>` of a negative);
//! - float -> int casts of NaN or out-of-range values give `INT_MIN`;
//! - float operations with an exact instruction (arithmetic, sqrt, floor, ceil,
//!   trunc, round-half-even, abs, copysign) use it; the rest call the `extern "C"`
//!   functions the interpreter uses, by address.
//!
//! Bools are `i8` values 0 or 1 (Cranelift comparisons produce exactly that).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, SigRef, Signature, Type, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;

use crate::ir::ops::{BinaryOp, Func, UnaryOp};
use crate::semantics::{self, Builtin, FloatImpl, IntImpl};
use crate::types::{DType, Scalar};

pub(super) fn clif_type(dtype: DType) -> Type {
    match dtype {
        DType::Bool => types::I8,
        DType::Int32 => types::I32,
        DType::Int64 => types::I64,
        DType::Float32 => types::F32,
        DType::Float64 => types::F64,
    }
}

/// A function builder plus the signatures imported for calls.
pub(super) struct Emitter<'a> {
    pub b: FunctionBuilder<'a>,
    call_conv: CallConv,
    ptr_ty: Type,
    sigs: Vec<((Type, usize), SigRef)>,
}

impl<'a> Emitter<'a> {
    pub fn new(b: FunctionBuilder<'a>, call_conv: CallConv, ptr_ty: Type) -> Self {
        Emitter { b, call_conv, ptr_ty, sigs: Vec::new() }
    }

    pub fn finish(self) -> FunctionBuilder<'a> {
        self.b
    }

    pub fn constant(&mut self, s: Scalar) -> Value {
        match s {
            Scalar::Bool(v) => self.b.ins().iconst(types::I8, v as i64),
            Scalar::Int32(v) => self.b.ins().iconst(types::I32, v as u32 as i64),
            Scalar::Int64(v) => self.b.ins().iconst(types::I64, v),
            Scalar::Float32(v) => self.b.ins().f32const(v),
            Scalar::Float64(v) => self.b.ins().f64const(v),
        }
    }

    fn int(&mut self, dtype: DType, v: i64) -> Value {
        let ty = clif_type(dtype);
        let v = if ty == types::I32 { v as i32 as u32 as i64 } else { v };
        self.b.ins().iconst(ty, v)
    }

    fn float(&mut self, dtype: DType, v: f64) -> Value {
        match dtype {
            DType::Float32 => self.b.ins().f32const(v as f32),
            _ => self.b.ins().f64const(v),
        }
    }

    /// `1` or `0` of any dtype.
    fn one_or_zero(&mut self, dtype: DType, one: bool) -> Value {
        if dtype.is_float() {
            self.float(dtype, one as u8 as f64)
        } else {
            self.int(dtype, one as i64)
        }
    }

    pub fn unary(&mut self, op: UnaryOp, dtype: DType, x: Value) -> Value {
        match (op, dtype.is_float()) {
            (UnaryOp::Pos, _) => x,
            (UnaryOp::Neg, true) => self.b.ins().fneg(x),
            (UnaryOp::Neg, false) => self.b.ins().ineg(x),
            (UnaryOp::Invert, _) if dtype == DType::Bool => self.b.ins().bxor_imm_u(x, 1),
            (UnaryOp::Invert, _) => self.b.ins().bnot(x),
        }
    }

    /// A binary operator on operands of `dtype` (the result is `dtype`, or bool
    /// for comparisons).
    pub fn binary(&mut self, op: BinaryOp, dtype: DType, x: Value, y: Value) -> Value {
        if let Some(cmp) = self.compare(op, dtype, x, y) {
            return cmp;
        }
        match dtype {
            DType::Float32 | DType::Float64 => self.float_binary(op, dtype, x, y),
            DType::Bool | DType::Int32 | DType::Int64 => self.int_binary(op, dtype, x, y),
        }
    }

    fn compare(&mut self, op: BinaryOp, dtype: DType, x: Value, y: Value) -> Option<Value> {
        let (icc_signed, fcc) = match op {
            BinaryOp::Lt => (IntCC::SignedLessThan, FloatCC::LessThan),
            BinaryOp::Le => (IntCC::SignedLessThanOrEqual, FloatCC::LessThanOrEqual),
            BinaryOp::Gt => (IntCC::SignedGreaterThan, FloatCC::GreaterThan),
            BinaryOp::Ge => (IntCC::SignedGreaterThanOrEqual, FloatCC::GreaterThanOrEqual),
            BinaryOp::Eq => (IntCC::Equal, FloatCC::Equal),
            // `!=` is true when unordered: NaN != NaN.
            BinaryOp::Ne => (IntCC::NotEqual, FloatCC::NotEqual),
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
            | BinaryOp::Pow => return None,
        };
        Some(match dtype {
            DType::Float32 | DType::Float64 => self.b.ins().fcmp(fcc, x, y),
            // False < True: bools compare as unsigned 0/1.
            DType::Bool => self.b.ins().icmp(icc_signed.unsigned(), x, y),
            DType::Int32 | DType::Int64 => self.b.ins().icmp(icc_signed, x, y),
        })
    }

    fn float_binary(&mut self, op: BinaryOp, dtype: DType, x: Value, y: Value) -> Value {
        match op {
            BinaryOp::Add => self.b.ins().fadd(x, y),
            BinaryOp::Sub => self.b.ins().fsub(x, y),
            BinaryOp::Mul => self.b.ins().fmul(x, y),
            BinaryOp::Div => self.b.ins().fdiv(x, y),
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow => {
                let (d, s) =
                    semantics::binary_impl(op).0.unwrap_or_else(|| panic!("semantics has no float `{}`", op.name()));
                let addr = if dtype == DType::Float32 { s as usize } else { d as usize };
                self.call_addr(addr, clif_type(dtype), &[x, y])
            }
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
            | BinaryOp::Shr => unreachable!("lowering rejects `{}` on {dtype}", op.symbol()),
        }
    }

    fn int_binary(&mut self, op: BinaryOp, dtype: DType, x: Value, y: Value) -> Value {
        let is_bool = dtype == DType::Bool;
        match op {
            // On bool, `+` is logical or and `*` logical and (NumPy).
            BinaryOp::Add if is_bool => self.b.ins().bor(x, y),
            BinaryOp::Mul if is_bool => self.b.ins().band(x, y),
            BinaryOp::Add => self.b.ins().iadd(x, y),
            BinaryOp::Sub => self.b.ins().isub(x, y),
            BinaryOp::Mul => self.b.ins().imul(x, y),
            BinaryOp::BitOr => self.b.ins().bor(x, y),
            BinaryOp::BitXor => self.b.ins().bxor(x, y),
            BinaryOp::BitAnd => self.b.ins().band(x, y),
            BinaryOp::Shl | BinaryOp::Shr => self.shift(op, dtype, x, y),
            BinaryOp::FloorDiv => self.int_floor_div(dtype, x, y),
            BinaryOp::Mod => self.int_rem(dtype, x, y, Rounding::Floor),
            BinaryOp::Pow => {
                let addr = match dtype {
                    DType::Int32 => semantics::power_i32 as semantics::I32Fn2 as usize,
                    _ => semantics::power_i64 as semantics::I64Fn2 as usize,
                };
                self.call_addr(addr, clif_type(dtype), &[x, y])
            }
            BinaryOp::Div | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
                unreachable!("`{}` on {dtype} is lowered elsewhere or cast to float", op.symbol())
            }
        }
    }

    /// NumPy shifts: counts outside `0..bits` shift everything out.
    fn shift(&mut self, op: BinaryOp, dtype: DType, x: Value, count: Value) -> Value {
        let bits = clif_type(dtype).bits() as i64;
        // Unsigned comparison: negative counts are huge, hence out of range.
        let in_range = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, count, bits);
        let (shifted, out) = if op == BinaryOp::Shl {
            (self.b.ins().ishl(x, count), self.int(dtype, 0))
        } else {
            (self.b.ins().sshr(x, count), self.b.ins().sshr_imm_u(x, bits - 1))
        };
        self.b.ins().select(in_range, shifted, out)
    }

    /// The divisor with 0 and -1 replaced by 1 (so `sdiv`/`srem` cannot trap),
    /// and the flags `d == 0`, `d == -1`.
    fn safe_divisor(&mut self, d: Value) -> (Value, Value, Value) {
        let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, d, 0);
        let is_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, d, -1);
        let bad = self.b.ins().bor(is_zero, is_m1);
        let ty = self.b.func.dfg.value_type(d);
        let one = self.b.ins().iconst(ty, 1);
        (self.b.ins().select(bad, one, d), is_zero, is_m1)
    }

    /// Whether a nonzero truncated remainder `r` has the opposite sign of `d`
    /// (then floor rounding differs from truncation by one step).
    fn floor_adjust(&mut self, r: Value, d: Value) -> Value {
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let signs = self.b.ins().bxor(r, d);
        let differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
        self.b.ins().band(nonzero, differ)
    }

    fn int_floor_div(&mut self, dtype: DType, x: Value, d: Value) -> Value {
        let (sd, is_zero, is_m1) = self.safe_divisor(d);
        let q = self.b.ins().sdiv(x, sd);
        let r = self.b.ins().srem(x, sd);
        let adjust = self.floor_adjust(r, sd);
        let adjust = self.b.ins().uextend(clif_type(dtype), adjust);
        let q = self.b.ins().isub(q, adjust);
        // x // -1 == -x, wrapping for INT_MIN.
        let neg = self.b.ins().ineg(x);
        let q = self.b.ins().select(is_m1, neg, q);
        let zero = self.int(dtype, 0);
        self.b.ins().select(is_zero, zero, q)
    }

    fn int_rem(&mut self, dtype: DType, x: Value, d: Value, rounding: Rounding) -> Value {
        // With d == -1 the divisor becomes 1, whose remainder is 0 as wanted.
        let (sd, is_zero, _) = self.safe_divisor(d);
        let r = self.b.ins().srem(x, sd);
        let r = match rounding {
            Rounding::Floor => {
                let adjust = self.floor_adjust(r, sd);
                let shifted = self.b.ins().iadd(r, sd);
                self.b.ins().select(adjust, shifted, r)
            }
            Rounding::Trunc => r,
        };
        let zero = self.int(dtype, 0);
        self.b.ins().select(is_zero, zero, r)
    }

    /// Call an `extern "C"` function of `args.len()` arguments of type `ty`
    /// returning `ty`, by address.
    fn call_addr(&mut self, addr: usize, ty: Type, args: &[Value]) -> Value {
        let key = (ty, args.len());
        let sig = match self.sigs.iter().find(|(k, _)| *k == key) {
            Some((_, s)) => *s,
            None => {
                let mut sig = Signature::new(self.call_conv);
                sig.params.extend(args.iter().map(|_| AbiParam::new(ty)));
                sig.returns.push(AbiParam::new(ty));
                let s = self.b.import_signature(sig);
                self.sigs.push((key, s));
                s
            }
        };
        let callee = self.b.ins().iconst(self.ptr_ty, addr as i64);
        let call = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(call)[0]
    }

    /// Call a vmath block kernel `addr(ptrs...)` (pointers, then the element count),
    /// by address; it returns nothing.
    pub fn call_block(&mut self, addr: usize, args: &[Value]) {
        let mut sig = Signature::new(self.call_conv);
        sig.params.extend(args.iter().map(|_| AbiParam::new(self.ptr_ty)));
        let sig = self.b.import_signature(sig);
        let callee = self.b.ins().iconst(self.ptr_ty, addr as i64);
        self.b.ins().call_indirect(sig, callee, args);
    }

    /// An elementwise function. `dtype` is the dtype of the value arguments (for
    /// `where`, of `x` and `y`). Dispatched on the function's row
    /// ([`semantics::func_impl`]): an inline operation, or a call by address.
    pub fn call(&mut self, f: Func, dtype: DType, args: &[Value]) -> Value {
        let row = semantics::func_impl(f);
        let missing = || -> ! { unreachable!("lowering never gives `{}` {dtype} operands", f.info().name) };
        let ty = clif_type(dtype);
        match dtype {
            _ if row.bool == Some(Builtin::Where) => self.b.ins().select(args[0], args[1], args[2]),
            DType::Float32 | DType::Float64 => match row.float.unwrap_or_else(|| missing()) {
                FloatImpl::Op(op) => self.float_builtin(op, dtype, args),
                FloatImpl::Call1(d, s) => {
                    let addr = if dtype == DType::Float32 { s as usize } else { d as usize };
                    self.call_addr(addr, ty, args)
                }
                FloatImpl::Call2(d, s) => {
                    let addr = if dtype == DType::Float32 { s as usize } else { d as usize };
                    self.call_addr(addr, ty, args)
                }
            },
            DType::Int32 | DType::Int64 => match row.int.unwrap_or_else(|| missing()) {
                IntImpl::Op(op) => self.int_builtin(op, dtype, args),
                IntImpl::Call1(wide, narrow) => {
                    let addr = if dtype == DType::Int32 { narrow as usize } else { wide as usize };
                    self.call_addr(addr, ty, args)
                }
                IntImpl::Call2(wide, narrow) => {
                    let addr = if dtype == DType::Int32 { narrow as usize } else { wide as usize };
                    self.call_addr(addr, ty, args)
                }
            },
            DType::Bool => {
                let op = row.bool.unwrap_or_else(|| missing());
                self.int_builtin(op, dtype, args)
            }
        }
    }

    /// `isnan`, `isinf`, `isfinite`, `signbit` on any dtype.
    fn predicate(&mut self, p: Pred, dtype: DType, x: Value) -> Value {
        if !dtype.is_float() {
            return match p {
                Pred::Nan | Pred::Inf => self.b.ins().iconst(types::I8, 0),
                Pred::Finite => self.b.ins().iconst(types::I8, 1),
                Pred::Signbit if dtype == DType::Bool => self.b.ins().iconst(types::I8, 0),
                Pred::Signbit => self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0),
            };
        }
        let inf = self.float(dtype, f64::INFINITY);
        match p {
            Pred::Nan => self.b.ins().fcmp(FloatCC::Unordered, x, x),
            Pred::Inf => {
                let a = self.b.ins().fabs(x);
                self.b.ins().fcmp(FloatCC::Equal, a, inf)
            }
            // Ordered `<`: false for NaN.
            Pred::Finite => {
                let a = self.b.ins().fabs(x);
                self.b.ins().fcmp(FloatCC::LessThan, a, inf)
            }
            Pred::Signbit => {
                let int_ty = if dtype == DType::Float32 { types::I32 } else { types::I64 };
                let bits = self.b.ins().bitcast(int_ty, MemFlagsData::new(), x);
                self.b.ins().icmp_imm_s(IntCC::SignedLessThan, bits, 0)
            }
        }
    }

    fn float_builtin(&mut self, op: Builtin, dtype: DType, args: &[Value]) -> Value {
        let x = args[0];
        match op {
            Builtin::Sqrt => self.b.ins().sqrt(x),
            Builtin::Square => self.b.ins().fmul(x, x),
            Builtin::Abs => self.b.ins().fabs(x),
            Builtin::Floor => self.b.ins().floor(x),
            Builtin::Ceil => self.b.ins().ceil(x),
            Builtin::Trunc => self.b.ins().trunc(x),
            // Round half to even.
            Builtin::Rint => self.b.ins().nearest(x),
            Builtin::Copysign => self.b.ins().fcopysign(x, args[1]),
            Builtin::Sign => self.float_sign(dtype, x),
            Builtin::Minimum => self.float_minmax(FloatCC::LessThan, x, args[1]),
            Builtin::Maximum => self.float_minmax(FloatCC::GreaterThan, x, args[1]),
            Builtin::Clip => {
                let lo = self.float_minmax(FloatCC::GreaterThan, x, args[1]);
                self.float_minmax(FloatCC::LessThan, lo, args[2])
            }
            Builtin::Reciprocal => {
                let one = self.float(dtype, 1.0);
                self.b.ins().fdiv(one, x)
            }
            // One rounding: `vfmadd` where the ISA flags say the CPU has FMA
            // (cranelift-native detects it), else a call to libm's `fma`/`fmaf`.
            Builtin::Fma => self.b.ins().fma(x, args[1], args[2]),
            Builtin::Identity => x,
            Builtin::Zero => self.float(dtype, 0.0),
            Builtin::One => self.float(dtype, 1.0),
            Builtin::Isnan => self.predicate(Pred::Nan, dtype, x),
            Builtin::Isinf => self.predicate(Pred::Inf, dtype, x),
            Builtin::Isfinite => self.predicate(Pred::Finite, dtype, x),
            Builtin::Signbit => self.predicate(Pred::Signbit, dtype, x),
            Builtin::Where => self.b.ins().select(x, args[1], args[2]),
            Builtin::TruncRem => unreachable!("integer remainder on {dtype}"),
        }
    }

    /// NumPy's minimum/maximum: `x` if it wins the comparison or is NaN, else `y`
    /// (so NaN propagates and ties, including ±0, give `y`).
    fn float_minmax(&mut self, cc: FloatCC, x: Value, y: Value) -> Value {
        let wins = self.b.ins().fcmp(cc, x, y);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        let take_x = self.b.ins().bor(wins, nan);
        self.b.ins().select(take_x, x, y)
    }

    /// 1 for positive, -1 for negative, 0 for ±0, NaN stays NaN.
    fn float_sign(&mut self, dtype: DType, x: Value) -> Value {
        let zero = self.float(dtype, 0.0);
        let one = self.float(dtype, 1.0);
        let minus_one = self.float(dtype, -1.0);
        let pos = self.b.ins().fcmp(FloatCC::GreaterThan, x, zero);
        let neg = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, x, zero);
        let v = self.b.ins().select(is_zero, zero, x);
        let v = self.b.ins().select(neg, minus_one, v);
        self.b.ins().select(pos, one, v)
    }

    /// An inline operation on ints or bools (0/1 bytes).
    fn int_builtin(&mut self, op: Builtin, dtype: DType, args: &[Value]) -> Value {
        let x = args[0];
        let is_bool = dtype == DType::Bool;
        match op {
            Builtin::Square => self.b.ins().imul(x, x),
            Builtin::Abs if is_bool => x,
            Builtin::Abs => {
                let neg = self.b.ins().ineg(x);
                let is_neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                self.b.ins().select(is_neg, neg, x)
            }
            Builtin::Sign => {
                let pos = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, 0);
                let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                let ty = clif_type(dtype);
                let pos = self.b.ins().uextend(ty, pos);
                let neg = self.b.ins().uextend(ty, neg);
                self.b.ins().isub(pos, neg)
            }
            Builtin::Identity => x,
            Builtin::Zero => self.one_or_zero(dtype, false),
            Builtin::One => self.one_or_zero(dtype, true),
            // Bools are 0/1, so unsigned min/max are logical and/or.
            Builtin::Minimum if is_bool => self.b.ins().umin(x, args[1]),
            Builtin::Maximum if is_bool => self.b.ins().umax(x, args[1]),
            Builtin::Minimum => self.b.ins().smin(x, args[1]),
            Builtin::Maximum => self.b.ins().smax(x, args[1]),
            Builtin::Clip if is_bool => {
                let lo = self.b.ins().umax(x, args[1]);
                self.b.ins().umin(lo, args[2])
            }
            Builtin::Clip => {
                let lo = self.b.ins().smax(x, args[1]);
                self.b.ins().smin(lo, args[2])
            }
            Builtin::TruncRem => self.int_rem(dtype, x, args[1], Rounding::Trunc),
            Builtin::Isnan => self.predicate(Pred::Nan, dtype, x),
            Builtin::Isinf => self.predicate(Pred::Inf, dtype, x),
            Builtin::Isfinite => self.predicate(Pred::Finite, dtype, x),
            Builtin::Signbit => self.predicate(Pred::Signbit, dtype, x),
            Builtin::Where => self.b.ins().select(x, args[1], args[2]),
            Builtin::Sqrt
            | Builtin::Floor
            | Builtin::Ceil
            | Builtin::Trunc
            | Builtin::Rint
            | Builtin::Copysign
            | Builtin::Reciprocal
            | Builtin::Fma => unreachable!("the function table has no {op:?} on {dtype}"),
        }
    }

    /// NumPy `astype` from `from` to `to`.
    pub fn cast(&mut self, from: DType, to: DType, x: Value) -> Value {
        use DType::*;
        let ty = clif_type(to);
        match (from, to) {
            (a, b) if a == b => x,
            (Int32 | Int64, Bool) => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
            (Float32 | Float64, Bool) => {
                // NaN is truthy: `!=` is true when unordered.
                let zero = self.float(from, 0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, x, zero)
            }
            (Bool, Int32 | Int64) => self.b.ins().uextend(ty, x),
            (Bool, Float32 | Float64) => {
                let wide = self.b.ins().uextend(types::I32, x);
                self.b.ins().fcvt_from_sint(ty, wide)
            }
            (Int32, Int64) => self.b.ins().sextend(ty, x),
            (Int64, Int32) => self.b.ins().ireduce(ty, x),
            (Int32 | Int64, Float32 | Float64) => self.b.ins().fcvt_from_sint(ty, x),
            (Float32, Float64) => self.b.ins().fpromote(ty, x),
            (Float64, Float32) => self.b.ins().fdemote(ty, x),
            (Float32 | Float64, Int32 | Int64) => self.float_to_int(from, to, x),
            (Bool | Int32 | Int64 | Float32 | Float64, _) => unreachable!("every cast pair is listed: {from} -> {to}"),
        }
    }

    /// Truncate toward zero; NaN and values whose truncation does not fit give
    /// `INT_MIN` (what x86 and NumPy give).
    fn float_to_int(&mut self, from: DType, to: DType, x: Value) -> Value {
        let ty = clif_type(to);
        let half = 2f64.powi(ty.bits() as i32 - 1);
        let t = self.b.ins().trunc(x);
        let lo = self.float(from, -half);
        let hi = self.float(from, half);
        let above = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, t, lo);
        let below = self.b.ins().fcmp(FloatCC::LessThan, t, hi);
        let in_range = self.b.ins().band(above, below);
        let v = self.b.ins().fcvt_to_sint_sat(ty, x);
        let min = self.int(to, i64::MIN >> (64 - ty.bits()));
        self.b.ins().select(in_range, v, min)
    }
}

/// The floating-point class predicates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pred {
    Nan,
    Inf,
    Finite,
    Signbit,
}

/// How an integer quotient or remainder rounds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rounding {
    /// Python/NumPy `//` and `%`: toward negative infinity.
    Floor,
    /// C `fmod`: toward zero.
    Trunc,
}
