//! Exact algebraic identities: a node that computes one of its operands.
//!
//! Input: an instruction whose arguments are final nodes of the new arena. Output:
//! the existing node it equals, bit for bit on every input (any NaN equals any
//! NaN), with the same shape and dtype. Each identity keeps the non-constant
//! operand, so no evaluation error disappears:
//!
//! - `+x -> x`; `-(-x) -> x` (wrapping for ints, a sign flip for floats); `~~x -> x`;
//! - `x*1`, `1*x -> x` (and `x*True` on bool: logical and); `x/1.0 -> x`;
//! - `x+0`, `0+x -> x` for ints and bool (logical or), but for floats only with
//!   `-0.0`: `-0.0 + 0.0` is `+0.0`, while `x + -0.0` is `x` for every `x`;
//! - `x-0 -> x` for ints, and for floats only with `+0.0` (`x - 0.0 == x`, but
//!   `-0.0 - -0.0` is `+0.0`).
//!
//! Not here, because they are not exact: `x - x -> 0` (NaN, inf), `x*0 -> 0` (NaN,
//! -0.0, and the shape), `where(c, x, x) -> x` (the shape of `c`).

use crate::ir::ops::{BinaryOp, UnaryOp};
use crate::ir::{Inst, Node, NodeId, Op};
use crate::types::Scalar;

/// The operand `inst` equals, if an identity applies.
pub(super) fn rewrite(nodes: &[Node], inst: &Inst) -> Option<NodeId> {
    let constant = |id: NodeId| nodes[id.index()].inst.as_constant();
    let Inst::Op(op) = inst else { return None };
    match *op {
        Op::Unary(UnaryOp::Pos, x) => Some(x),
        Op::Unary(op @ (UnaryOp::Neg | UnaryOp::Invert), y) => match nodes[y.index()].inst {
            Inst::Op(Op::Unary(inner, x)) if inner == op => Some(x),
            _ => None,
        },
        Op::Binary(op, a, b) => {
            let right = |unit: fn(Scalar) -> bool| constant(b).is_some_and(unit).then_some(a);
            let left = |unit: fn(Scalar) -> bool| constant(a).is_some_and(unit).then_some(b);
            match op {
                BinaryOp::Mul => right(is_one).or_else(|| left(is_one)),
                BinaryOp::Div => right(is_one),
                BinaryOp::Add => right(adds_nothing).or_else(|| left(adds_nothing)),
                BinaryOp::Sub => right(subtracts_nothing),
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
                | BinaryOp::FloorDiv
                | BinaryOp::Mod
                | BinaryOp::Pow => None,
            }
        }
        Op::Const(_) | Op::Call(..) | Op::Cast(_) => None,
    }
}

/// `1/c` when it is exact, for a float divisor `c`: `c = ±2^k` with `2^-k`
/// representable. Then `x / c` and `x * (1/c)` are the same real rounded once, so
/// they agree bit for bit for every `x` (overflow, subnormal results and NaN
/// included).
pub(super) fn exact_reciprocal(c: Scalar) -> Option<Scalar> {
    fn power_of_two(bits: u64, mantissa: u64, exponent: u64) -> bool {
        match bits & exponent {
            0 => (bits & mantissa).count_ones() == 1, // subnormal: one bit
            e if e == exponent => false,              // inf, NaN
            _ => bits & mantissa == 0,
        }
    }
    match c {
        Scalar::Float64(v) => {
            let ok = power_of_two(v.to_bits(), (1 << 52) - 1, 0x7ff << 52) && (1.0 / v).is_finite();
            ok.then(|| Scalar::Float64(1.0 / v))
        }
        Scalar::Float32(v) => {
            let bits = u64::from(v.to_bits());
            let ok = power_of_two(bits, (1 << 23) - 1, 0xff << 23) && (1.0 / v).is_finite();
            ok.then(|| Scalar::Float32(1.0 / v))
        }
        Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_) => None,
    }
}

/// The unit of `*` (and of `/` on the right).
fn is_one(s: Scalar) -> bool {
    match s {
        Scalar::Bool(v) => v,
        Scalar::Int32(v) => v == 1,
        Scalar::Int64(v) => v == 1,
        Scalar::Float32(v) => v == 1.0,
        Scalar::Float64(v) => v == 1.0,
    }
}

/// The unit of `+`: for floats only `-0.0` (`-0.0 + 0.0` is `+0.0`).
fn adds_nothing(s: Scalar) -> bool {
    match s {
        Scalar::Bool(v) => !v,
        Scalar::Int32(v) => v == 0,
        Scalar::Int64(v) => v == 0,
        Scalar::Float32(v) => v.to_bits() == (-0.0f32).to_bits(),
        Scalar::Float64(v) => v.to_bits() == (-0.0f64).to_bits(),
    }
}

/// The right unit of `-`: for floats only `+0.0` (`-0.0 - -0.0` is `+0.0`).
fn subtracts_nothing(s: Scalar) -> bool {
    match s {
        // `-` on bool is a type error; lowering never makes it.
        Scalar::Bool(_) => false,
        Scalar::Int32(v) => v == 0,
        Scalar::Int64(v) => v == 0,
        Scalar::Float32(v) => v.to_bits() == 0.0f32.to_bits(),
        Scalar::Float64(v) => v.to_bits() == 0.0f64.to_bits(),
    }
}
