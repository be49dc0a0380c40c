//! The optimizer: typed IR to an equivalent, cheaper typed IR.
//!
//! Input: a [`Program`] satisfying the invariants of [`crate::ir`], the nodes
//! requested as outputs, and an [`OptConfig`]. Output: [`Optimized`]: a program
//! that computes the same outputs, the outputs' ids in it, and a report of every
//! rewrite that fired ([`Rewrite`], printed by `--emit opt`).
//!
//! The interpreter keeps running the *unoptimized* IR: it is the oracle the
//! optimized program (run by the JIT) is tested against.
//!
//! # Passes
//!
//! One forward sweep over the nodes in topological order builds the new arena.
//! Each node, with its arguments already final, is
//! 1. **folded** if every argument is a constant: evaluated by
//!    [`interp::eval_node`] on 0-d arrays, the very code evaluation runs, so the
//!    constant is bit-identical to what evaluation would compute (integer division
//!    by zero gives 0, as at run time). Constants are 0-d and so is any node of
//!    constants (a reduction of a 0-d array included), so folding never changes a
//!    shape. A node whose evaluation fails (a reduction axis out of bounds for a
//!    0-d array) is left in place to fail at evaluation, as it would have;
//! 2. **simplified**: power strength reduction (`opt/pow.rs`), the exact
//!    algebraic identities of `opt/identity.rs` (`x*1`, `-(-x)`, `x - 0.0`, ...),
//!    and division by a power of two as multiplication by its exact reciprocal
//!    (`x / 2 -> x * 0.5`: both round the same real once; a multiplication costs a
//!    fraction of a division); with `--math fast` ([`OptConfig::fast`]), also the
//!    inexact rewrites of `opt/fast.rs` (Horner form, reciprocals, FMA
//!    contraction), whose bounds that module states;
//! 3. **shared** (CSE by hash-consing): an identical `(instruction, dtype)` already
//!    in the arena is reused, across statements; constants compare by bits
//!    ([`Scalar::same_bits`]: `0.0` and `-0.0` differ), and the operands of
//!    commutative operators match in either order.
//!
//! Every rewrite looks only at a node and its final arguments, and nodes a rewrite
//! creates go through the same three steps, so the sweep reaches the fixed point:
//! optimizing an optimized program changes nothing (a test checks it).
//! Then **dead-code elimination** keeps the nodes the requested outputs reach,
//! renumbered densely in the same (topological) order. A node keeps the span of
//! its first occurrence (after CSE, an evaluation error points there).
//!
//! No rewrite changes a shape or drops an operand whose evaluation could fail:
//! `x**0` becomes `ones_like(x)`, not a 0-d constant, and every identity keeps its
//! non-constant operand. So evaluation errors (shape errors, bad axes) happen on
//! the optimized program exactly when they happen on the original one.
//!
//! # Exactness
//!
//! A rewrite is [`Exactness::Exact`] when the optimized program gives the same
//! bits as the interpreter on the original program for every input, where any NaN
//! equals any NaN (NaN payloads and signs are not part of the semantics: on x86 the
//! operand order of a commutative operation picks the payload). Folding, CSE and
//! the identities are exact. For float powers every engine computes vmath's `pow`
//! (`vmath/pow.rs`): correctly rounded but for near-ties where it takes its exact
//! paths, and within ~0.5 ulp elsewhere. It computes `x**2` as `x*x`, `x**-1` as
//! `1/x` and `x**0.5` as `sqrt(x)` (but at `-0.0` and `-inf`), which are NumPy 2's
//! fast paths for an exponent that is one scalar (`POWER_FAST_PATH` in NumPy's
//! `loops_umath_fp.dispatch.c.src`); `x**3`, `x**2.5`, `x**-1.5` and the other
//! multiples of 1/2 up to 8.5 take an exact double-double path in vmath, which
//! makes them cheap without a rewrite here.
//!
//! | float `x ** c`         | becomes            | class       | versus the interpreter's `pow`         |
//! |------------------------|--------------------|-------------|----------------------------------------|
//! | `c = 1`                | `x`                | exact       | `pow(x, 1)` is representable: it is `x` |
//! | `c = 0`                | `ones_like(x)`     | exact       | `pow(x, 0)` is 1 for every `x`, NaN too |
//! | `c = 2`                | `x*x`              | exact       | vmath's `pow(x, 2)` is `x*x`           |
//! | `c = -1`               | `1/x`              | exact       | vmath's `pow(x, -1)` is `1/x`          |
//! | `c = 0.5`              | `sqrt(x)`          | numpy       | `-0.0`, `-inf`: `pow` gives `+0`, `+inf` |
//! | `c = n`, `3 <= n <= 8` | products of `x`    | `<= n` ulp  | max 1, 2, 4, 5 ulp for n = 3, 4, 7, 8  |
//! | `c = -n`, `2 <= n <= 8`| `1/(x*...*x)`      | `<= n+1` ulp | normal results; see below              |
//!
//! float32 computes `pow` in float64 and rounds once; for `x*x`, `1/x` and `sqrt(x)`
//! that is the float32 operation's own result (53 >= 2·24 + 2 bits: the double
//! rounding is innocuous). Integer `x**c` with `0 <= c <= 8` becomes `ones_like(x)`,
//! `x`, or wrapping products: exact, since wrapping multiplication is associative (a
//! negative integer exponent stays a power). `opt/tests/exactness.rs` checks each
//! class on special values and 10⁶ random values. The product bounds follow from one
//! rounding per multiplication, with squaring doubling the error so far (and `1/x`
//! adding one rounding that the chain multiplies by `n`).
//!
//! The "numpy" rewrite gives NumPy's own results bit for bit; products match neither
//! NumPy nor the interpreter, and are no faster than vmath's exact path. Lowering
//! already turns a *literal* `0.5` exponent into `sqrt` (NumPy's fast path); the
//! rewrite here catches the strong constants (`a ** float32(0.5)`). Negative powers
//! divide once, `1/(x**n)` (as Numba and C compilers' `powi` do): one rounding more
//! than the chain. Where `|x|**n` overflows, the true `x**-n` is below 2⁻¹⁰²⁴
//! (subnormal) and the rewrite gives `±0` (`1/(x*x)` is 0 for `x = 1.5e154`, not
//! `4.4e-309`), and where `|x|**n` is subnormal it has lost bits: the bound holds
//! where `x**n` and `x**-n` are both normal.
//!
//! # Which power rewrites apply: [`PowRewrites`], default `Exact`
//!
//! Exact rewrites always apply. NumPy's fast paths for *literal* exponents (`a**2`,
//! `a**0.5`, `a**-1`, `a**0`, `a**1`) are semantics, not optimization: lowering
//! already emits `x*x`, `sqrt(x)`, `1/x`, `ones_like(x)` and `x` for them, so the
//! interpreter equals NumPy there bit for bit. What remains for the `NumPy` class
//! here is a strong `0.5` exponent (`a ** float32(0.5)`), where NumPy also takes
//! its fast path but `pow` differs at `-0.0` and `-inf`; rewriting it would make the
//! JIT differ from the interpreter there, which the engine-equality tests forbid.
//! So the default is [`PowRewrites::Exact`]: every engine gives the same bits.
//! [`PowRewrites::NumPy`] and [`PowRewrites::Chains`] are opt-in levels; chains
//! match neither NumPy nor the interpreter (numexpr's default does them;
//! jitexpr's semantics are NumPy's).
//!
//! # Outputs and names
//!
//! [`Optimized::outputs`] are the requested nodes' new ids, in the requested order.
//! [`Program::names`] keeps every name whose node survives (a name nobody needs is
//! dropped with its nodes; a name whose node feeds an output stays, so `--emit opt`
//! dumps read like the source). [`Program::result`] is the result's new id if it
//! was requested or feeds an output, else the first output's (nothing else is left
//! to point at). With no outputs requested, the result is the one output.
//! [`Program::inputs`] is unchanged: it is the signature, even for inputs no longer
//! read.

pub mod fast;
mod identity;
mod pow;
mod report;

#[cfg(test)]
mod tests;

pub use fast::Math;
pub use report::{Exactness, Rewrite, Rule};

use super::ops::BinaryOp;
use super::{Inst, Node, NodeId, Op, Program};
use crate::array::Array;
use crate::diag::Span;
use crate::interp;
use crate::shape;
use crate::types::{DType, Scalar};
use std::collections::HashMap;

/// Which power rewrites apply, from the most to the least faithful to the
/// interpreter. See the module docs for the table and the reasoning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PowRewrites {
    /// Only rewrites bit-identical to the interpreter.
    #[default]
    Exact,
    /// Also NumPy's fast path `x**0.5 -> sqrt(x)` for a constant exponent: NumPy's
    /// results bit for bit, different from `pow` at `-0.0` and `-inf`.
    NumPy,
    /// Also multiplication chains for integral exponents up to 8 in magnitude: a
    /// few ulp from both NumPy and the interpreter.
    Chains,
}

impl PowRewrites {
    /// Whether a rewrite of this exactness may apply.
    fn allows(self, exactness: Exactness) -> bool {
        match exactness {
            Exactness::Exact => true,
            Exactness::NumPy => self >= PowRewrites::NumPy,
            Exactness::Ulps(_) | Exactness::Absolute => self >= PowRewrites::Chains,
        }
    }
}

/// How to optimize.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OptConfig {
    pub pow: PowRewrites,
    /// [`Math::Fast`]: the rewrites of [`fast`] apply too.
    pub math: Math,
}

impl OptConfig {
    /// `--math fast`: every power chain and the rewrites of [`fast`].
    pub fn fast() -> OptConfig {
        OptConfig { pow: PowRewrites::Chains, math: Math::Fast }
    }
}

/// An optimized program and what happened to it.
#[derive(Clone, Debug)]
pub struct Optimized {
    pub program: Program,
    /// The requested outputs' ids in `program`, in the requested order.
    pub outputs: Vec<NodeId>,
    /// Every rewrite that fired on a node the outputs need, in program order.
    /// Node numbers in it are the *input* program's (see [`Rewrite`]).
    pub report: Vec<Rewrite>,
}

/// Optimize `program` for the nodes `outputs` with the default configuration.
pub fn optimize(program: &Program, outputs: &[NodeId]) -> Optimized {
    optimize_with(program, outputs, &OptConfig::default())
}

/// Optimize `program` for the nodes `outputs`.
///
/// Fast mode sweeps until nothing more fires: its contraction asks whether a
/// product has one use, counted on the program being swept, and merging
/// duplicates (CSE) or rewriting a user (Horner) can leave a product with one
/// use only in the swept result. Sweeping that again contracts it, so the
/// result is a fixed point: optimizing it again changes nothing. Exact mode
/// needs one sweep (its rewrites do not depend on use counts).
pub fn optimize_with(program: &Program, outputs: &[NodeId], config: &OptConfig) -> Optimized {
    let (mut opt, mut origin) = sweep(program, outputs, config);
    if matches!(config.math, Math::Fast) {
        let requested = if outputs.is_empty() { program.result } else { outputs[0] };
        for _ in 0..MAX_FAST_SWEEPS {
            let (next, next_origin) = sweep(&opt.program, &opt.outputs, config);
            if next.report.is_empty() {
                break;
            }
            // Reports name input-program nodes: map back through the sweeps
            // (a node a rewrite created is charged to the first output).
            let back = |id: NodeId| origin[id.index()].unwrap_or(requested);
            opt.report.extend(next.report.into_iter().map(|r| Rewrite { node: back(r.node), ..r }));
            origin = next_origin.iter().map(|o| o.and_then(|o| origin[o.index()])).collect();
            (opt.program, opt.outputs) = (next.program, next.outputs);
        }
    }
    opt
}

/// The most extra sweeps fast mode takes (each one only contracts what the
/// previous exposed; one is all the tests have seen).
const MAX_FAST_SWEEPS: usize = 4;

/// One sweep over `program`, and for each node of the result the input-program
/// node it stands for (`None` for nodes a rewrite created).
fn sweep(program: &Program, outputs: &[NodeId], config: &OptConfig) -> (Optimized, Vec<Option<NodeId>>) {
    let mut b = Builder::new(program, *config);
    let n = program.nodes.len();
    let (roots, uses) = match config.math {
        Math::Fast => (fast::poly_roots(program), fast::uses(program, outputs)),
        Math::Exact => (vec![false; n], vec![0; n]),
    };
    let inner = match config.math {
        Math::Fast => fast::inner_sums(program, &uses),
        Math::Exact => vec![false; n],
    };
    for (i, node) in program.nodes.iter().enumerate() {
        let old = NodeId(i as u32);
        (b.poly_root, b.inner_sum) = (roots[i], inner[i]);
        let inst = node.inst.map(|a| b.map[a.index()]);
        let before = b.nodes.len();
        let id = b.value(inst, node.dtype, node.span, Some(old));
        b.origin[id.index()].get_or_insert(old);
        b.uses[id.index()] += uses[i];
        b.deferred[id.index()] |= inner[i] && id.index() >= before;
        b.map.push(id);
    }
    let map = std::mem::take(&mut b.map);
    let requested = if outputs.is_empty() { std::slice::from_ref(&program.result) } else { outputs };
    let roots: Vec<NodeId> = requested.iter().map(|o| map[o.index()]).collect();
    let (nodes, renumber) = compact(b.nodes, &roots);
    let mut origin = vec![None; nodes.len()];
    for (i, r) in renumber.iter().enumerate() {
        if let Some(r) = r {
            origin[r.index()] = b.origin[i];
        }
    }
    let new = |id: NodeId| renumber[id.index()];
    let result = new(map[program.result.index()]).unwrap_or_else(|| new(roots[0]).expect("roots are kept"));
    let names = program.names.iter().filter_map(|(name, id)| Some((name.clone(), new(map[id.index()])?))).collect();
    let optimized = Program { inputs: program.inputs.clone(), nodes, result, names };
    if cfg!(debug_assertions) {
        optimized.validate();
    }
    // Rewrites of nodes the outputs did not need are noise.
    let needed = shape::needed(program, requested);
    let report = b.report.into_iter().filter(|r| needed[r.node.index()]).collect();
    let outputs = outputs.iter().map(|o| new(map[o.index()]).expect("outputs are kept")).collect();
    (Optimized { program: optimized, outputs, report }, origin)
}

/// Dead-code elimination: the nodes `roots` reach, in their order, and each old
/// node's new id (`None` if dropped).
fn compact(nodes: Vec<Node>, roots: &[NodeId]) -> (Vec<Node>, Vec<Option<NodeId>>) {
    let live = super::reachable(&nodes, roots);
    let mut renumber = vec![None; nodes.len()];
    let mut kept = Vec::new();
    for (i, node) in nodes.into_iter().enumerate() {
        if live[i] {
            renumber[i] = Some(NodeId(kept.len() as u32));
            kept.push(Node { inst: node.inst.map(|a| renumber[a.index()].expect("arguments are kept")), ..node });
        }
    }
    (kept, renumber)
}

/// The new arena under construction.
struct Builder<'p> {
    src: &'p Program,
    config: OptConfig,
    nodes: Vec<Node>,
    /// For each new node, the first input-program node it stands for (how reports
    /// refer to it); `None` for nodes a rewrite created.
    origin: Vec<Option<NodeId>>,
    /// Input-program node -> new node, for the nodes swept so far.
    map: Vec<NodeId>,
    interned: HashMap<Key, NodeId>,
    report: Vec<Rewrite>,
    /// Whether the input-program node being swept may root a Horner polynomial
    /// (`--math fast`; see [`fast::poly_roots`]).
    poly_root: bool,
    /// Per new node, the uses of the input-program nodes it stands for
    /// (`--math fast`, where [`fast::uses`] counts them; 0 otherwise): a
    /// product with one use may be contracted into the `+`/`-` using it.
    uses: Vec<u32>,
    /// Whether the input-program node being swept is a `+`/`-` whose only use
    /// is another (`--math fast`; see [`fast::inner_sums`]): its contraction
    /// waits for the sum's root, which may be a Horner polynomial.
    inner_sum: bool,
    /// Per new node: an inner sum left uncontracted, for its root to rebuild.
    deferred: Vec<bool>,
}

impl<'p> Builder<'p> {
    fn new(src: &'p Program, config: OptConfig) -> Builder<'p> {
        Builder {
            src,
            config,
            nodes: Vec::new(),
            origin: Vec::new(),
            map: Vec::with_capacity(src.nodes.len()),
            interned: HashMap::new(),
            report: Vec::new(),
            poly_root: false,
            uses: Vec::new(),
            inner_sum: false,
            deferred: Vec::new(),
        }
    }

    /// The node computing `inst`: folded, simplified, or shared with an identical
    /// one. `from` is the input-program node it replaces; rewrites of it are
    /// reported (nodes a rewrite creates have none).
    fn value(&mut self, inst: Inst, dtype: DType, span: Span, from: Option<NodeId>) -> NodeId {
        let rewritten = match self.fold(&inst, dtype, span) {
            Some(c) => Some((self.intern(&Inst::constant(c), dtype, span).0, Rule::Fold)),
            None => self.simplify(&inst, dtype, span, from.is_some()),
        };
        let (id, rule) = match rewritten {
            Some((id, rule)) => (id, Some(rule)),
            None => {
                let (id, shared) = self.intern(&inst, dtype, span);
                let cse = shared && !matches!(inst, Inst::Input(_) | Inst::Op(Op::Const(_)));
                (id, cse.then_some(Rule::Cse))
            }
        };
        if let (Some(node), Some(rule)) = (from, rule) {
            let mut temps = report::Temps::default();
            let before = self.describe_inst(&inst, dtype, &mut temps);
            let after = self.describe(id, &mut temps) + &temps.clause();
            self.report.push(Rewrite { node, span, rule, before, after });
        }
        id
    }

    /// The constant `inst` evaluates to, if its arguments are all constants and
    /// its evaluation succeeds.
    fn fold(&self, inst: &Inst, dtype: DType, span: Span) -> Option<Scalar> {
        if matches!(inst, Inst::Input(_) | Inst::Op(Op::Const(_))) {
            return None;
        }
        let args = inst.args().iter().map(|a| self.constant(*a).map(Array::scalar)).collect::<Option<Vec<_>>>()?;
        let refs: Vec<&Array> = args.iter().collect();
        let node = Node { inst: inst.clone(), dtype, span };
        let value = interp::eval_node(&node, &refs).ok()?;
        value.shape().is_empty().then(|| value.get(0))
    }

    /// A rewrite of `inst` into cheaper nodes, and which rule it was. `source`:
    /// `inst` is an input-program node (not one a rewrite made).
    fn simplify(&mut self, inst: &Inst, dtype: DType, span: Span, source: bool) -> Option<(NodeId, Rule)> {
        if let Inst::Op(Op::Binary(BinaryOp::Pow, x, e)) = *inst {
            let (id, exactness) = pow::rewrite(self, x, self.constant(e)?, span)?;
            return Some((id, Rule::Pow(exactness)));
        }
        if let Some(id) = identity::rewrite(&self.nodes, inst) {
            return Some((id, Rule::Identity));
        }
        if let Some(id) = self.exact_reciprocal(inst, span) {
            return Some((id, Rule::Reciprocal(Exactness::Exact)));
        }
        match self.config.math {
            Math::Fast => {
                let at = fast::Sweep { poly_root: source && self.poly_root, inner_sum: source && self.inner_sum };
                fast::rewrite(self, inst, dtype, span, at)
            }
            Math::Exact => None,
        }
    }

    /// `x / c` as `x * (1/c)` when the reciprocal is exact.
    fn exact_reciprocal(&mut self, inst: &Inst, span: Span) -> Option<NodeId> {
        let Inst::Op(Op::Binary(BinaryOp::Div, x, c)) = *inst else { return None };
        let r = identity::exact_reciprocal(self.constant(c)?)?;
        let dtype = self.nodes[x.index()].dtype;
        let r = self.value(Inst::constant(r), dtype, span, None);
        Some(self.value(Op::Binary(BinaryOp::Mul, x, r).into(), dtype, span, None))
    }

    /// The value of `id` if it is a constant.
    fn constant(&self, id: NodeId) -> Option<Scalar> {
        self.nodes[id.index()].inst.as_constant()
    }

    /// The existing node computing `(inst, dtype)`, or a new one; and whether it existed.
    fn intern(&mut self, inst: &Inst, dtype: DType, span: Span) -> (NodeId, bool) {
        let key = Key::new(inst, dtype);
        let found = self.interned.get(&key).or_else(|| key.swapped().and_then(|k| self.interned.get(&k)));
        if let Some(&id) = found {
            return (id, true);
        }
        let id = NodeId(u32::try_from(self.nodes.len()).expect("fewer than 2^32 nodes"));
        self.nodes.push(Node { inst: inst.clone(), dtype, span });
        self.origin.push(None);
        self.uses.push(0);
        self.deferred.push(false);
        self.interned.insert(key, id);
        (id, false)
    }
}

/// What makes two nodes the same computation: the instruction, whose constants
/// compare by their bits, and the dtype (a `Cast`'s target is only in the dtype).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    dtype: DType,
    inst: Inst,
}

impl Key {
    fn new(inst: &Inst, dtype: DType) -> Key {
        Key { dtype, inst: inst.clone() }
    }

    /// The same computation with the operands of a commutative operator swapped.
    fn swapped(&self) -> Option<Key> {
        match self.inst {
            Inst::Op(Op::Binary(op, a, b)) if commutes(op) => {
                Some(Key { dtype: self.dtype, inst: Op::Binary(op, b, a).into() })
            }
            _ => None,
        }
    }
}

/// Whether `a op b` equals `b op a` bit for bit, for every dtype (up to NaN
/// payloads). `minimum`/`maximum` are functions and do not: on a tie of `0.0` and
/// `-0.0` they return the second operand.
fn commutes(op: BinaryOp) -> bool {
    match op {
        BinaryOp::Add | BinaryOp::Mul | BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => true,
        BinaryOp::Eq | BinaryOp::Ne => true,
        BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::Shl
        | BinaryOp::Shr
        | BinaryOp::Sub
        | BinaryOp::Div
        | BinaryOp::FloorDiv
        | BinaryOp::Mod
        | BinaryOp::Pow => false,
    }
}
