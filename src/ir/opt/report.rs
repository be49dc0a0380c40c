//! The optimizer's report: which rewrites fired, and its `--emit opt` printer.
//!
//! Input: the rewrites [`super::Builder`] records as it sweeps. Output: one line
//! per rewrite, in terms of the *input* program (the `--emit ir` dump): the node,
//! what it was (constant arguments shown inline), what computes it now, the rule,
//! how exact it is, and the source span:
//!
//! ```text
//! %4 = power %0, 2.0 -> multiply %0, %0 (power, numpy) at 0..4
//! ```
//!
//! Nodes a rewrite created have no number in the input program; they get
//! temporary names defined at the end of the line:
//! `multiply t1, t1 where t1 = multiply %0, %0`.

use super::{Builder, Optimized};
use crate::diag::Span;
use crate::ir::{Inst, NodeId, Op};
use crate::types::DType;
use std::fmt;

/// Which rewrite fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Every argument constant: evaluated once by the interpreter.
    Fold,
    /// An identical node exists (common-subexpression elimination).
    Cse,
    /// An exact algebraic identity (`x*1 -> x`, `-(-x) -> x`, ...).
    Identity,
    /// Power strength reduction.
    Pow(Exactness),
    /// Division by a constant as multiplication by its reciprocal: exact for a
    /// power of two; `--math fast` also for other constants (within 1 ulp).
    Reciprocal(Exactness),
    /// `--math fast`: a polynomial in one value evaluated in Horner form.
    Horner,
    /// `--math fast`: `a*b + c` (or `-`) contracted into `fma`, one rounding.
    Fma,
}

impl Rule {
    pub fn exactness(self) -> Exactness {
        match self {
            Rule::Pow(e) | Rule::Reciprocal(e) => e,
            Rule::Horner | Rule::Fma => Exactness::Absolute,
            Rule::Fold | Rule::Cse | Rule::Identity => Exactness::Exact,
        }
    }
}

/// How a rewrite's results compare with the interpreter on the original program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exactness {
    /// The same bits on every input (any NaN equals any NaN).
    Exact,
    /// NumPy's own result for a constant exponent: within 1 ulp of the
    /// interpreter's `pow`, except on the special values the module docs list.
    NumPy,
    /// Within this many ulp of the interpreter's result on the original program.
    Ulps(u32),
    /// No relative bound (cancellation near a root can make the relative error
    /// of either form arbitrary); an absolute bound, stated in `opt/fast.rs`.
    Absolute,
}

/// One rewrite, in terms of the input program.
#[derive(Clone, Debug, PartialEq)]
pub struct Rewrite {
    /// The input-program node rewritten.
    pub node: NodeId,
    pub span: Span,
    pub rule: Rule,
    /// The node's instruction, constant arguments inline: `power %1, 2.0`.
    pub before: String,
    /// What computes it now: `multiply %1, %1`, `const 6.0`, `%2`, or with
    /// temporaries `multiply t1, t1 where t1 = multiply %1, %1`.
    pub after: String,
}

impl fmt::Display for Exactness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exactness::Exact => f.write_str("exact"),
            Exactness::NumPy => f.write_str("numpy"),
            Exactness::Ulps(n) => write!(f, "<={n} ulp"),
            Exactness::Absolute => f.write_str("absolute bound"),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Rule::Fold => "fold",
            Rule::Cse => "cse",
            Rule::Identity => "identity",
            Rule::Pow(_) => "power",
            Rule::Reciprocal(_) => "reciprocal",
            Rule::Horner => "horner",
            Rule::Fma => "fma",
        };
        write!(f, "{name}, {}", self.exactness())
    }
}

impl fmt::Display for Rewrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{} = {} -> {} ({}) at {}", self.node.0, self.before, self.after, self.rule, self.span)
    }
}

/// The `--emit opt` dump: the optimized program, then the rewrites.
impl fmt::Display for Optimized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.program)?;
        if self.report.is_empty() {
            return writeln!(f, "rewrites: (none)");
        }
        writeln!(f, "rewrites (node numbers of the input program):")?;
        for r in &self.report {
            writeln!(f, "  {r}")?;
        }
        Ok(())
    }
}

/// Names for nodes a rewrite created, which have no input-program number:
/// `t1`, `t2`, ... with their definitions, in dependency order.
#[derive(Default)]
pub(super) struct Temps {
    defs: Vec<(NodeId, String)>,
}

impl Temps {
    /// ` where t1 = ..., t2 = ...`, or nothing.
    pub(super) fn clause(&self) -> String {
        if self.defs.is_empty() {
            return String::new();
        }
        let defs: Vec<String> = self.defs.iter().enumerate().map(|(i, (_, d))| format!("t{} = {d}", i + 1)).collect();
        format!(" where {}", defs.join(", "))
    }
}

impl Builder<'_> {
    /// How the report refers to new node `id` as a whole: `const 2.0`, `%3` (its
    /// input-program number), or its instruction.
    pub(super) fn describe(&self, id: NodeId, temps: &mut Temps) -> String {
        let node = &self.nodes[id.index()];
        match (&node.inst, self.origin[id.index()]) {
            (Inst::Op(Op::Const(c)), _) => format!("const {}", c.0),
            (_, Some(old)) => format!("%{}", old.0),
            (inst, None) => self.describe_inst(inst, node.dtype, temps),
        }
    }

    /// How the report refers to new node `id` as an argument: a constant's value,
    /// its input-program number, or a temporary name.
    fn describe_arg(&self, id: NodeId, temps: &mut Temps) -> String {
        let node = &self.nodes[id.index()];
        match (&node.inst, self.origin[id.index()]) {
            (Inst::Op(Op::Const(c)), _) => c.0.to_string(),
            (_, Some(old)) => format!("%{}", old.0),
            (inst, None) => {
                let k = match temps.defs.iter().position(|(t, _)| *t == id) {
                    Some(k) => k,
                    None => {
                        let def = self.describe_inst(inst, node.dtype, temps);
                        temps.defs.push((id, def));
                        temps.defs.len() - 1
                    }
                };
                format!("t{}", k + 1)
            }
        }
    }

    /// An instruction over new nodes, in the IR printer's words.
    pub(super) fn describe_inst(&self, inst: &Inst, dtype: DType, temps: &mut Temps) -> String {
        let mut arg = |a: &NodeId| self.describe_arg(*a, temps);
        match inst {
            Inst::Input(k) => format!("input {}", self.src.inputs[*k].name),
            // The IR printer's words; a cast also names its target.
            Inst::Op(op @ Op::Cast(_)) => format!("{} to {dtype}", op.display(|a| arg(&a))),
            Inst::Op(op) => op.display(|a| arg(&a)),
            Inst::Reduce { op, arg: a, axis } => match axis {
                Some(k) => format!("{} {} axis={k}", op.name(), arg(a)),
                None => format!("{} {}", op.name(), arg(a)),
            },
        }
    }
}
