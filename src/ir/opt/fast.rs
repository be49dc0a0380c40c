//! `--math fast`: rewrites that change the bits of float results, within stated
//! bounds, for speed.
//!
//! Input: a node of the optimizer's sweep ([`super::Builder`]) whose arguments are
//! final. Output: the node computing it the fast way, and the rule that fired.
//! These rules run only with [`Math::Fast`] ([`super::OptConfig::fast`]); every engine then
//! runs the *rewritten* program (the interpreter too), so the engines still agree
//! bit for bit with each other in fast mode, and the rewrites' distance from the
//! exact program is what the bounds below state (`opt/tests/fast.rs` checks them).
//!
//! `u` is the unit roundoff (2⁻⁵³ for float64, 2⁻²⁴ for float32); bounds hold for
//! results in the normal range (subnormal results have fewer bits, so relative
//! bounds become absolute ones of the order of the smallest normal).
//!
//! | rewrite | example | bound versus the exact program |
//! |---|---|---|
//! | integer powers as products (square and multiply), `\|n\| <= 8` | `a**3 -> a*a*a`, `a**-2 -> 1/(a*a)` | `x**n` has relative error `<= (n-1)·u` before the interpreter's `pow` (itself within 0.5 ulp): `<= n` ulp apart; `x**-n = 1/x**n` adds the division: `<= n + 1` ulp, where `x**n` and `x**-n` are both normal (when `\|x\|**n` overflows, `x**-n`, below 2⁻¹⁰²⁴, comes out `±0`) |
//! | division by a constant as multiplication by its reciprocal (when `1/c` is finite and normal and not exact) | `x / 3 -> x * 0.333…` | `x*RN(1/c)` is within `u·\|x/c\| + 0.5 ulp` of `x/c`, below 1.5 ulp of the exact quotient, so at most 1 ulp from the correctly rounded `x/c` |
//! | polynomials in one value in Horner form, each step one `fma` | `0.25*a**3 + 0.75*a**2 - 1.5*a - 2 -> fma(fma(fma(0.25, a, 0.75), a, -1.5), a, -2)` | no relative bound: near a root both forms cancel differently. Absolute: both are within `2d·u·Σ\|c_k\|·\|x\|^k` of the real value (Higham, *Accuracy and Stability*, §5.1; `d` the degree; with `fma` steps the Horner form's own error is at most half that), and the exact program's powers add one rounding per term, so the forms differ by at most `(4d+1)·u·Σ\|c_k\|·\|x\|^k` |
//! | FMA contraction: a product with one use, added or subtracted, as `fma` (one rounding instead of two) | `a*b + c -> fma(a, b, c)`, `a*b - c -> fma(a, b, -c)`, `c - a*b -> fma(-a, b, c)` | no relative bound: under cancellation (`a*b ≈ -c`) the exact program's result is mostly the rounding error of `a*b`, which `fma` does not make, so the relative difference is arbitrary. Absolute: with `s = a*b + c` (real), the exact program is `RN(s + e)` with `\|e\| <= u·\|a*b\|` and `fma` is `RN(s)`, so they differ by at most `(1+u)·u·\|a*b\| + 2u·\|s\|` |
//!
//! A polynomial is a sum of monomials `c·x**k` of one value `x` (any node: an
//! input, `sin(b)`, ...), with constant coefficients the program spells (`c` at
//! most one constant factor per monomial, each degree at most once: coefficients
//! are never computed, so the Horner form uses exactly the program's constants).
//! It is rewritten where it is *rooted*: at an `Add`/`Sub` node of the input
//! program that is not the only use of a further `+ - *` (so `p - 2` is rewritten
//! once, not at every partial sum), when its degree is at least 2 and it has two
//! or more non-constant terms.
//!
//! A product is contracted where its `+`/`-` is swept, when it is a float
//! multiplication (of the program, or what a rewrite made of a node, such as the
//! chain `a*(a*a)` for `a**3`) whose node has one use in the program as written
//! (a requested output counts as a use), so the contraction removes a rounding
//! and an instruction, and a value the program names and uses again keeps its
//! rounded product. When both operands are such products the left one is
//! contracted. `fma` is correctly rounded on every host (an instruction where the
//! CPU has FMA, libm's `fma` where not), so the rewritten program has one meaning
//! everywhere, and exact mode never contracts (NumPy rounds `a*b` first).

use super::{Builder, Exactness, Rule};
use crate::diag::Span;
use crate::ir::ops::{BinaryOp, Func, UnaryOp};
use crate::ir::{Inst, Node, NodeId, Op, Program};
use crate::types::{DType, Scalar};

/// How float arithmetic may be evaluated: the library's and the CLI's `--math`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Math {
    /// NumPy's results bit for bit: every operation rounds as NumPy's does.
    #[default]
    Exact,
    /// The rewrites of `ir::opt::fast` (README, "Fast math"): faster, within their stated
    /// bounds of the exact results. The interpreter runs the same rewritten
    /// program, so the engines still agree with each other bit for bit.
    Fast,
}

/// The most monomials and the highest degree a polynomial may have, and how deep
/// the recognizer walks: bounded, so a 10 000-term sum costs no more than a short
/// one (it is simply not a polynomial here).
const MAX_DEGREE: u32 = 16;
const MAX_DEPTH: u32 = 64;

/// Per input-program node: whether a Horner polynomial may be rooted there (an
/// `Add`/`Sub` that is not the only use of a further `+`, `-`, `*` or negation).
pub(super) fn poly_roots(program: &Program) -> Vec<bool> {
    let mut uses = vec![0u32; program.nodes.len()];
    let mut continued = vec![false; program.nodes.len()];
    for node in &program.nodes {
        let args = node.inst.args();
        let arith = matches!(
            node.inst,
            Inst::Op(Op::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, ..))
                | Inst::Op(Op::Unary(UnaryOp::Neg, _))
        );
        for a in args {
            uses[a.index()] += 1;
            continued[a.index()] |= arith;
        }
    }
    program
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            matches!(n.inst, Inst::Op(Op::Binary(BinaryOp::Add | BinaryOp::Sub, ..))) && !(uses[i] == 1 && continued[i])
        })
        .collect()
}

/// Per input-program node, its uses by the nodes the requested outputs need
/// (`outputs`, or the result when none is requested), a requested output
/// counting as one: what the optimized program will count, so optimizing it
/// again contracts nothing more.
pub(super) fn uses(program: &Program, outputs: &[NodeId]) -> Vec<u32> {
    let requested = if outputs.is_empty() { std::slice::from_ref(&program.result) } else { outputs };
    let needed = crate::shape::needed(program, requested);
    let mut uses = vec![0u32; program.nodes.len()];
    for (node, _) in program.nodes.iter().zip(&needed).filter(|(_, &n)| n) {
        for a in node.inst.args() {
            uses[a.index()] += 1;
        }
    }
    for o in requested {
        uses[o.index()] += 1;
    }
    uses
}

/// Per input-program node: whether it is a `+`/`-` whose only use (`uses`, from
/// [`uses`]) is another `+`/`-` (or the addend of an `fma`), an inner node of a sum. Contraction waits for
/// the sum's root: contracting inner nodes first would hide a polynomial from
/// the Horner rewrite there.
pub(super) fn inner_sums(program: &Program, uses: &[u32]) -> Vec<bool> {
    let sum = |inst: &Inst| matches!(inst, Inst::Op(Op::Binary(BinaryOp::Add | BinaryOp::Sub, ..)));
    let mut summed = vec![false; program.nodes.len()];
    // Only the nodes the outputs need: exactly those with uses.
    for (node, _) in program.nodes.iter().zip(uses).filter(|(_, &u)| u > 0) {
        match &node.inst {
            Inst::Op(Op::Binary(BinaryOp::Add | BinaryOp::Sub, a, b)) => {
                [*a, *b].iter().for_each(|a| summed[a.index()] = true)
            }
            // An addend of `fma` too: what a contracted sum looks like, so a
            // second optimization treats it as the first did.
            Inst::Op(Op::Call(Func::Fma, args)) => summed[args[2].index()] = true,
            _ => {}
        }
    }
    program.nodes.iter().enumerate().map(|(i, n)| sum(&n.inst) && uses[i] == 1 && summed[i]).collect()
}

/// Where in the input program the node being rewritten is (both `false` for
/// nodes a rewrite made).
#[derive(Clone, Copy)]
pub(super) struct Sweep {
    /// A Horner polynomial may be rooted here ([`poly_roots`]).
    pub poly_root: bool,
    /// An inner node of a sum ([`inner_sums`]): not contracted yet.
    pub inner_sum: bool,
}

/// The fast form of `inst`, if a fast rule applies.
pub(super) fn rewrite(b: &mut Builder, inst: &Inst, dtype: DType, span: Span, at: Sweep) -> Option<(NodeId, Rule)> {
    if !dtype.is_float() {
        return None;
    }
    if at.poly_root {
        if let Some(id) = horner(b, inst, dtype, span) {
            return Some((id, Rule::Horner));
        }
    }
    if !at.inner_sum {
        if let Some(id) = contract_sum(b, inst, dtype, span) {
            return Some((id, Rule::Fma));
        }
    }
    match *inst {
        Inst::Op(Op::Binary(BinaryOp::Div, x, c)) => {
            let r = reciprocal(b.constant(c)?)?;
            let r = b.value(Inst::constant(r), dtype, span, None);
            let id = b.value(Inst::Op(Op::Binary(BinaryOp::Mul, x, r)), dtype, span, None);
            Some((id, Rule::Reciprocal(Exactness::Ulps(1))))
        }
        _ => None,
    }
}

/// A sum (`+`/`-`) with its products contracted, the inner sums it roots
/// included; `None` if nothing contracts.
fn contract_sum(b: &mut Builder, inst: &Inst, dtype: DType, span: Span) -> Option<NodeId> {
    let (l, r, op) = match *inst {
        Inst::Op(Op::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), l, r)) => (l, r, op),
        _ => return None,
    };
    let (l2, r2) = (expand(b, l, MAX_DEPTH), expand(b, r, MAX_DEPTH));
    if let Some(id) = contract(b, l2, r2, op == BinaryOp::Sub, dtype, span) {
        return Some(id);
    }
    ((l2, r2) != (l, r)).then(|| b.value(Inst::Op(Op::Binary(op, l2, r2)), dtype, span, None))
}

/// Deferred inner sum `id` rebuilt, so its products contract (`depth` bounds
/// the walk down a long chain of sums: below it they stay as they are).
fn expand(b: &mut Builder, id: NodeId, depth: u32) -> NodeId {
    let node = &b.nodes[id.index()];
    let (op, l, r, dtype, span) = match node.inst {
        Inst::Op(Op::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), l, r)) if b.deferred[id.index()] && depth > 0 => {
            (op, l, r, node.dtype, node.span)
        }
        _ => return id,
    };
    let (l2, r2) = (expand(b, l, depth - 1), expand(b, r, depth - 1));
    match contract(b, l2, r2, op == BinaryOp::Sub, dtype, span) {
        Some(f) => f,
        None if (l2, r2) != (l, r) => b.value(Inst::Op(Op::Binary(op, l2, r2)), dtype, span, None),
        None => id,
    }
}

/// `a*b ± c` or `c ± a*b` as one `fma`, when operand `l` or `r` is a product
/// with one use.
fn contract(b: &mut Builder, l: NodeId, r: NodeId, sub: bool, dtype: DType, span: Span) -> Option<NodeId> {
    let neg = |b: &mut Builder, x: NodeId| b.value(Inst::Op(Op::Unary(UnaryOp::Neg, x)), dtype, span, None);
    let args = if let Some((x, y)) = product(b, l, dtype) {
        // a*b - c = fma(a, b, -c): negation is exact.
        let z = if sub { neg(b, r) } else { r };
        vec![x, y, z]
    } else {
        let (x, y) = product(b, r, dtype)?;
        // c - a*b = fma(-a, b, c), negating a constant factor if there is one
        // (it folds).
        let (x, y) = match sub {
            false => (x, y),
            true if b.constant(y).is_some() => (x, neg(b, y)),
            true => (neg(b, x), y),
        };
        vec![x, y, l]
    };
    Some(b.value(Inst::Op(Op::Call(Func::Fma, args)), dtype, span, None))
}

/// The factors of `id`, if it is a float product with one use.
fn product(b: &Builder, id: NodeId, dtype: DType) -> Option<(NodeId, NodeId)> {
    let node = &b.nodes[id.index()];
    match node.inst {
        Inst::Op(Op::Binary(BinaryOp::Mul, x, y)) if node.dtype == dtype && b.uses[id.index()] == 1 => Some((x, y)),
        _ => None,
    }
}

/// `acc*x + c` for a Horner step: one `fma`, unless the product simplifies
/// (`1*x` is `x`), then an addition.
fn horner_step(b: &mut Builder, acc: NodeId, x: NodeId, c: NodeId, dtype: DType, span: Span) -> NodeId {
    let p = b.value(Inst::Op(Op::Binary(BinaryOp::Mul, acc, x)), dtype, span, None);
    match b.nodes[p.index()].inst {
        Inst::Op(Op::Binary(BinaryOp::Mul, ..)) => {
            b.value(Inst::Op(Op::Call(Func::Fma, vec![acc, x, c])), dtype, span, None)
        }
        _ => b.value(Inst::Op(Op::Binary(BinaryOp::Add, p, c)), dtype, span, None),
    }
}

/// `RN(1/c)` when it is finite and normal (so it carries all its bits), for a
/// float constant `c`.
fn reciprocal(c: Scalar) -> Option<Scalar> {
    match c {
        Scalar::Float64(v) => {
            let r = 1.0 / v;
            r.is_normal().then_some(Scalar::Float64(r))
        }
        Scalar::Float32(v) => {
            let r = 1.0 / v;
            r.is_normal().then_some(Scalar::Float32(r))
        }
        Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_) => None,
    }
}

/// A polynomial in one value: coefficients by degree (`None`: no such term;
/// `Some(None)`: the implicit coefficient 1, `Some(Some(c))` a constant).
#[derive(Clone, Debug)]
struct Poly {
    var: Option<NodeId>,
    terms: Vec<Option<Coef>>,
}

/// A monomial's coefficient: the constant the program spells, and its sign.
#[derive(Clone, Copy, Debug)]
struct Coef {
    value: Option<Scalar>,
    negated: bool,
}

impl Coef {
    const ONE: Coef = Coef { value: None, negated: false };

    fn negate(self) -> Coef {
        Coef { negated: !self.negated, ..self }
    }

    /// The coefficient as a constant of `dtype` (negation is exact).
    fn scalar(self, dtype: DType) -> Scalar {
        let v = self.value.unwrap_or_else(|| Scalar::from_f64(1.0, dtype));
        match (v, self.negated) {
            (v, false) => v,
            (Scalar::Float64(x), true) => Scalar::Float64(-x),
            (Scalar::Float32(x), true) => Scalar::Float32(-x),
            (Scalar::Bool(_) | Scalar::Int32(_) | Scalar::Int64(_), true) => {
                unreachable!("polynomials are recognized on floats only")
            }
        }
    }
}

impl Poly {
    fn constant(c: Scalar) -> Poly {
        Poly { var: None, terms: vec![Some(Coef { value: Some(c), negated: false })] }
    }

    fn var(x: NodeId) -> Poly {
        Poly { var: Some(x), terms: vec![None, Some(Coef::ONE)] }
    }

    fn degree(&self) -> usize {
        self.terms.len() - 1
    }

    fn negate(mut self) -> Poly {
        for t in self.terms.iter_mut().flatten() {
            *t = t.negate();
        }
        self
    }

    /// The single term, if this is a monomial.
    fn monomial(&self) -> Option<(usize, Coef)> {
        let mut it = self.terms.iter().enumerate().filter_map(|(k, t)| t.map(|c| (k, c)));
        let one = it.next()?;
        it.next().is_none().then_some(one)
    }

    fn same_var(&self, other: &Poly) -> Option<Option<NodeId>> {
        match (self.var, other.var) {
            (Some(a), Some(b)) if a != b => None,
            (a, b) => Some(a.or(b)),
        }
    }

    /// The sum, if no degree appears in both.
    fn add(self, other: Poly) -> Option<Poly> {
        let var = self.same_var(&other)?;
        let mut terms = vec![None; self.terms.len().max(other.terms.len())];
        for (k, t) in self.terms.into_iter().enumerate().chain(other.terms.into_iter().enumerate()) {
            if let Some(c) = t {
                if terms[k].replace(c).is_some() {
                    return None;
                }
            }
        }
        Some(Poly { var, terms })
    }

    /// The product of two monomials with at most one constant coefficient between them.
    fn mul(self, other: Poly) -> Option<Poly> {
        let var = self.same_var(&other)?;
        let ((j, a), (k, b)) = (self.monomial()?, other.monomial()?);
        let value = match (a.value, b.value) {
            (Some(_), Some(_)) => return None,
            (v, w) => v.or(w),
        };
        let degree = j + k;
        if degree > MAX_DEGREE as usize {
            return None;
        }
        let mut terms = vec![None; degree + 1];
        terms[degree] = Some(Coef { value, negated: a.negated != b.negated });
        Some(Poly { var, terms })
    }
}

/// The polynomial `id` computes, taking any node that is not `+ - *`, negation, a
/// constant or an integer power of something as a variable.
fn recognize(nodes: &[Node], id: NodeId, depth: u32) -> Option<Poly> {
    if depth > MAX_DEPTH {
        return None;
    }
    let rec = |a: NodeId| recognize(nodes, a, depth + 1);
    let structured = match nodes[id.index()].inst {
        Inst::Op(Op::Const(c)) => return Some(Poly::constant(c.0)),
        Inst::Op(Op::Binary(BinaryOp::Add, a, b)) => rec(a).and_then(|p| p.add(rec(b)?)),
        Inst::Op(Op::Binary(BinaryOp::Sub, a, b)) => rec(a).and_then(|p| p.add(rec(b)?.negate())),
        Inst::Op(Op::Binary(BinaryOp::Mul, a, b)) => rec(a).and_then(|p| p.mul(rec(b)?)),
        Inst::Op(Op::Unary(UnaryOp::Neg, a)) => rec(a).map(Poly::negate),
        _ => None,
    };
    structured.or_else(|| Some(Poly::var(id)))
}

/// `inst` (an `Add`/`Sub` of floats) in Horner form, if it is a polynomial worth it.
fn horner(b: &mut Builder, inst: &Inst, dtype: DType, span: Span) -> Option<NodeId> {
    let (l, r, sub) = match *inst {
        Inst::Op(Op::Binary(BinaryOp::Add, l, r)) => (l, r, false),
        Inst::Op(Op::Binary(BinaryOp::Sub, l, r)) => (l, r, true),
        _ => return None,
    };
    let right = recognize(&b.nodes, r, 1)?;
    let poly = recognize(&b.nodes, l, 1)?.add(if sub { right.negate() } else { right })?;
    let x = poly.var?;
    let varying = poly.terms.iter().skip(1).filter(|t| t.is_some()).count();
    if poly.degree() < 2 || varying < 2 {
        return None;
    }
    let mut terms = poly.terms.iter().rev();
    let lead = terms.next().copied().flatten().expect("the leading term exists");
    let mut acc = b.value(Inst::constant(lead.scalar(dtype)), dtype, span, None);
    for t in terms {
        acc = match t {
            Some(c) => {
                let c = b.value(Inst::constant(c.scalar(dtype)), dtype, span, None);
                horner_step(b, acc, x, c, dtype, span)
            }
            None => b.value(Inst::Op(Op::Binary(BinaryOp::Mul, acc, x)), dtype, span, None),
        };
    }
    Some(acc)
}
