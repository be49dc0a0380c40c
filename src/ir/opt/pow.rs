//! Power strength reduction: `x ** c` for a constant `c` as cheaper operations.
//!
//! Input: the base node and the exponent's value (of the base's dtype, as the IR
//! invariants make it). Output: the node computing the power another way and how
//! exact that is; the table and the measurements are in the docs of [`super`].
//! Nodes are made through [`Builder::value`], so the squares of a chain are shared
//! with every other use of them (CSE), e.g. between `x**2` and `x**4`.

use super::{Builder, Exactness};
use crate::diag::Span;
use crate::ir::ops::{BinaryOp, Func};
use crate::ir::{Inst, NodeId, Op};
use crate::types::Scalar;

/// The largest exponent magnitude rewritten into a chain of multiplications.
const MAX_CHAIN: u32 = 8;

/// How to compute the power.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `ones_like(x)`: `x**0` is 1 for every `x` (NaN included), with `x`'s shape.
    Ones,
    Sqrt,
    /// `x**n`, `n != 0`, by repeated squaring; a negative `n` raises `1/x` to `-n`.
    Power(i32),
}

/// The cheaper form of `x ** e`, if there is one the configuration allows.
pub(super) fn rewrite(b: &mut Builder, x: NodeId, e: Scalar, span: Span) -> Option<(NodeId, Exactness)> {
    let (plan, exactness) = match e {
        Scalar::Float32(v) => float_plan(f64::from(v))?,
        Scalar::Float64(v) => float_plan(v)?,
        Scalar::Int32(v) => int_plan(i64::from(v))?,
        Scalar::Int64(v) => int_plan(v)?,
        // `**` on bool is a type error in the operator table: lowering never makes it.
        Scalar::Bool(_) => return None,
    };
    if !b.config.pow.allows(exactness) {
        return None;
    }
    Some((build(b, x, e, plan, span), exactness))
}

/// Float exponents. See the table in the docs of [`super`] for the classes.
fn float_plan(v: f64) -> Option<(Form, Exactness)> {
    if v == 0.0 {
        // `pow(x, 0)` is 1 for every `x`, NaN included.
        return Some((Form::Ones, Exactness::Exact));
    }
    if v == 0.5 {
        // `pow` is `sqrt` but at -0 and -inf (+0 and +inf there).
        return Some((Form::Sqrt, Exactness::NumPy));
    }
    if v != v.trunc() || v.abs() > f64::from(MAX_CHAIN) {
        return None;
    }
    let n = v as i32;
    let exactness = match n {
        // `pow` is within 1 ulp and `x` is representable, so `pow(x, 1) == x`; vmath's
        // `pow` computes `x^2` as `x*x` and `x^-1` as `1/x` (float32 through float64,
        // which rounds those to the float32 result: 53 >= 2*24 + 2 bits).
        1 | 2 | -1 => Exactness::Exact,
        // Any chain of multiplications computing `x**n` has relative error at most
        // `(n - 1)·u` (each rounding's error is raised to the power its product
        // enters the result with, and those powers sum to at most `n - 1`): below
        // `n - 1` ulp, so `n` ulp from `pow`'s (within half an ulp). The division
        // of `1/x**n` adds one rounding: `n + 1`.
        3.. => Exactness::Ulps(n.unsigned_abs()),
        _ => Exactness::Ulps(n.unsigned_abs() + 1),
    };
    Some((Form::Power(n), exactness))
}

/// Integer exponents: wrapping multiplication is associative and commutative, so
/// every chain gives the interpreter's (repeated-squaring) bits. Negative
/// exponents (`trunc(1 / x**n)`) stay powers.
fn int_plan(v: i64) -> Option<(Form, Exactness)> {
    match v {
        0 => Some((Form::Ones, Exactness::Exact)),
        1..=8 => Some((Form::Power(v as i32), Exactness::Exact)),
        _ => None,
    }
}

fn build(b: &mut Builder, x: NodeId, e: Scalar, plan: Form, span: Span) -> NodeId {
    let dtype = b.nodes[x.index()].dtype;
    match plan {
        Form::Ones => b.value(Inst::Op(Op::Call(Func::OnesLike, vec![x])), dtype, span, None),
        Form::Sqrt => b.value(Inst::Op(Op::Call(Func::Sqrt, vec![x])), dtype, span, None),
        Form::Power(n) => {
            let power = chain(b, x, n.unsigned_abs(), span);
            if n > 0 {
                return power;
            }
            let one = match e {
                Scalar::Float32(_) => Scalar::Float32(1.0),
                Scalar::Float64(_) => Scalar::Float64(1.0),
                Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_) => {
                    unreachable!("negative powers are only planned for floats")
                }
            };
            let one = b.value(Inst::constant(one), dtype, span, None);
            b.value(Inst::Op(Op::Binary(BinaryOp::Div, one, power)), dtype, span, None)
        }
    }
}

/// `x**n`, `n >= 1`, by repeated squaring, multiplying in the powers for the set
/// bits of `n` from the lowest (`x**7 = (x * x**2) * x**4`).
fn chain(b: &mut Builder, x: NodeId, n: u32, span: Span) -> NodeId {
    let dtype = b.nodes[x.index()].dtype;
    let mut acc: Option<NodeId> = None;
    let (mut square, mut rest) = (x, n);
    loop {
        if rest & 1 == 1 {
            acc = Some(match acc {
                None => square,
                Some(a) => b.value(Inst::Op(Op::Binary(BinaryOp::Mul, a, square)), dtype, span, None),
            });
        }
        rest >>= 1;
        if rest == 0 {
            return acc.expect("n >= 1 has a set bit");
        }
        square = b.value(Inst::Op(Op::Binary(BinaryOp::Mul, square, square)), dtype, span, None);
    }
}
