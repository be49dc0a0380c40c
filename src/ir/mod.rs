//! The typed intermediate representation.
//!
//! Produced by [`lower`] from the AST and a [`Signature`] (input names and dtypes);
//! consumed by the interpreter, the optimizer and the fuser. A [`Program`] is an
//! arena of [`Node`]s in topological order (every argument precedes its user).
//!
//! Invariants (checked by [`Program::check`] whenever a `Compiled` is made):
//! - every node has a concrete dtype; weak literals have been resolved (NEP 50);
//! - operands of an elementwise node have already been cast to the dtype the
//!   operation computes in: `Binary` operands share one dtype, `Call` arguments
//!   share one dtype (except `where`'s bool condition), `Reduce` input and output
//!   dtypes are equal; the only conversions are explicit `Cast` nodes;
//! - shapes are not part of the IR: they are inferred per evaluation
//!   ([`crate::shape`]), so one compiled program serves arrays of any shape;
//! - spans point at the source text the node came from.

pub mod lower;
pub mod ops;
pub mod opt;
pub mod print;

use crate::diag::{Error, ErrorKind, Result, Span};
use crate::types::{ConstBits, DType, Scalar};
use ops::{BinaryOp, Func, FuncRule, ReduceOp, UnaryOp};

pub use lower::lower;

/// An index into [`Program::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The names and dtypes of the inputs a program is compiled for, in order.
pub type Signature = [(String, DType)];

#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub name: String,
    pub dtype: DType,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub inst: Inst,
    /// The dtype this node produces.
    pub dtype: DType,
    pub span: Span,
}

/// An elementwise operation: one value per element from the same element of
/// its operands. Generic over how operands are named, so the IR (`Op<NodeId>`,
/// inside [`Inst`]) and fused kernels (`Op<u32>`, inside
/// [`crate::fuse::KOp`]) share one definition and every algorithm over it.
/// Equality and hashing compare constants by bits ([`ConstBits`]): what CSE and
/// the kernel cache need.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op<Id> {
    /// A constant, already of the node's dtype.
    Const(ConstBits),
    Unary(UnaryOp, Id),
    Binary(BinaryOp, Id, Id),
    /// An elementwise function; `where(c, x, y)` is `Call(Func::Where, [c, x, y])`.
    Call(Func, Vec<Id>),
    /// NumPy `astype` to the node's dtype.
    Cast(Id),
}

impl<Id: Copy> Op<Id> {
    /// The operands, in order.
    pub fn args(&self) -> Vec<Id> {
        match self {
            Op::Const(_) => vec![],
            Op::Unary(_, a) | Op::Cast(a) => vec![*a],
            Op::Binary(_, a, b) => vec![*a, *b],
            Op::Call(_, args) => args.clone(),
        }
    }

    /// The same operation with every operand renamed by `f` (in operand order).
    pub fn map<J>(&self, mut f: impl FnMut(Id) -> J) -> Op<J> {
        match self {
            Op::Const(c) => Op::Const(*c),
            Op::Unary(op, a) => Op::Unary(*op, f(*a)),
            Op::Binary(op, a, b) => {
                let a = f(*a);
                Op::Binary(*op, a, f(*b))
            }
            Op::Call(func, args) => Op::Call(*func, args.iter().map(|&a| f(a)).collect()),
            Op::Cast(a) => Op::Cast(f(*a)),
        }
    }

    /// The printers' spelling, `multiply %0, %1`, with each operand spelled by
    /// `arg` (called in operand order): `const 2.5`, `negative x`, `cast x`.
    pub fn display(&self, mut arg: impl FnMut(Id) -> String) -> String {
        match self {
            Op::Const(c) => format!("const {}", c.0),
            Op::Unary(op, a) => format!("{} {}", op.name(), arg(*a)),
            Op::Binary(op, a, b) => {
                let a = arg(*a);
                format!("{} {a}, {}", op.name(), arg(*b))
            }
            Op::Call(func, args) => {
                let args: Vec<String> = args.iter().map(|&a| arg(a)).collect();
                format!("{} {}", func.info().name, args.join(", "))
            }
            Op::Cast(a) => format!("cast {}", arg(*a)),
        }
    }
}

/// One IR instruction: an input, an elementwise operation or a reduction.
/// Compared and hashed with constants by bits, so `(DType, Inst)` is what
/// makes two nodes the same computation (the optimizer's CSE key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    /// The `i`-th input of the signature.
    Input(usize),
    /// An elementwise operation.
    Op(Op<NodeId>),
    /// A reduction over all elements (`axis: None`) or one axis. A negative axis
    /// counts from the end; it is checked against the rank at evaluation.
    Reduce { op: ReduceOp, arg: NodeId, axis: Option<i64> },
}

impl From<Op<NodeId>> for Inst {
    fn from(op: Op<NodeId>) -> Inst {
        Inst::Op(op)
    }
}

impl Inst {
    /// The constant instruction `s`.
    pub fn constant(s: Scalar) -> Inst {
        Inst::Op(Op::Const(ConstBits(s)))
    }

    /// The value of a constant instruction.
    pub fn as_constant(&self) -> Option<Scalar> {
        match self {
            Inst::Op(Op::Const(c)) => Some(c.0),
            _ => None,
        }
    }

    /// The nodes this instruction reads.
    pub fn args(&self) -> Vec<NodeId> {
        match self {
            Inst::Input(_) => vec![],
            Inst::Op(op) => op.args(),
            Inst::Reduce { arg, .. } => vec![*arg],
        }
    }

    /// The same instruction with every argument replaced by `f(argument)`.
    pub fn map(&self, f: impl FnMut(NodeId) -> NodeId) -> Inst {
        match self {
            Inst::Input(k) => Inst::Input(*k),
            Inst::Op(op) => Inst::Op(op.map(f)),
            Inst::Reduce { op, arg, axis } => {
                let mut f = f;
                Inst::Reduce { op: *op, arg: f(*arg), axis: *axis }
            }
        }
    }
}

/// A typed program: the nodes, the result and the assigned names.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub inputs: Vec<Input>,
    pub nodes: Vec<Node>,
    /// The program's value: its last bare expression, or the last assignment's.
    pub result: NodeId,
    /// Every assigned name with its final value, in order of first assignment.
    pub names: Vec<(String, NodeId)>,
}

/// Which of `nodes` the `roots` reach: a root reaches itself and, recursively,
/// the arguments of every node it reaches. The one reachability walk of the
/// crate (shape inference, fusion and dead-code elimination all ask it).
pub fn reachable(nodes: &[Node], roots: &[NodeId]) -> Vec<bool> {
    let mut reach = vec![false; nodes.len()];
    for r in roots {
        reach[r.index()] = true;
    }
    // Arguments precede their users, so one backward sweep closes the set.
    for i in (0..nodes.len()).rev() {
        if reach[i] {
            for a in nodes[i].inst.args() {
                reach[a.index()] = true;
            }
        }
    }
    reach
}

impl Program {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The node an output name refers to: `None` (or the empty name) means the result.
    pub fn output(&self, name: Option<&str>) -> Option<NodeId> {
        match name {
            None | Some("") => Some(self.result),
            Some(n) => self.names.iter().find(|(m, _)| m == n).map(|(_, id)| *id),
        }
    }

    /// Check the invariants listed in the module docs; panics with a message on a
    /// violation (a bug in a pass, never a user error).
    pub fn validate(&self) {
        if let Err(e) = self.check() {
            panic!("{}", e.message);
        }
    }

    /// Check the invariants listed in the module docs, and that every operation
    /// is one the operator table defines for its operand dtypes: what every
    /// engine relies on. An [`ErrorKind::Internal`] error names the first
    /// violation. `Compiled::new` runs this, so hand-built IR cannot reach an
    /// engine unchecked.
    pub fn check(&self) -> Result<()> {
        let bad =
            |i: usize, what: String| Err(Error::new(ErrorKind::Internal, format!("invalid IR at node {i}: {what}")));
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(a) = node.inst.args().into_iter().find(|a| a.index() >= i) {
                return bad(i, format!("it reads node {}, which does not precede it", a.index()));
            }
            let dt = |id: NodeId| self.node(id).dtype;
            let ok = match &node.inst {
                Inst::Input(k) => self.inputs.get(*k).is_some_and(|input| input.dtype == node.dtype),
                Inst::Op(Op::Const(c)) => c.0.dtype() == node.dtype,
                Inst::Op(Op::Unary(op, a)) => dt(*a) == node.dtype && op.result(node.dtype).is_ok(),
                Inst::Op(Op::Binary(op, a, b)) => dt(*a) == dt(*b) && op.compute(dt(*a)) == Ok((dt(*a), node.dtype)),
                Inst::Op(Op::Call(f, args)) => self.call_is_typed(*f, args, node.dtype),
                Inst::Op(Op::Cast(_)) => true,
                Inst::Reduce { op, arg, .. } => dt(*arg) == node.dtype && op.accumulator(node.dtype) == node.dtype,
            };
            if !ok {
                return bad(i, format!("{:?} of dtype {} breaks the typing rules", node.inst, node.dtype));
            }
        }
        let in_range = |id: NodeId| id.index() < self.nodes.len();
        if !in_range(self.result) || !self.names.iter().all(|(_, id)| in_range(*id)) {
            return Err(Error::new(ErrorKind::Internal, "invalid IR: the result or a name refers to no node"));
        }
        Ok(())
    }

    /// Whether `f(args)` returning `dtype` follows the function's typing rule.
    fn call_is_typed(&self, f: Func, args: &[NodeId], dtype: DType) -> bool {
        let info = f.info();
        if args.len() != info.arity {
            return false;
        }
        let dt = |id: &NodeId| self.node(*id).dtype;
        let vals = match info.rule {
            FuncRule::Where if dt(&args[0]) != DType::Bool => return false,
            FuncRule::Where => &args[1..],
            FuncRule::Math | FuncRule::Same { .. } | FuncRule::Int | FuncRule::Float64 | FuncRule::Predicate => args,
        };
        let operand = dt(&vals[0]);
        if !vals.iter().all(|a| dt(a) == operand) {
            return false;
        }
        // The rule's own typing: lowering has cast the operands already, so they
        // must be what the rule computes in, and the result what it gives.
        matches!(info.rule.compute(info.name, operand), Ok((op, out)) if op == operand && out == dtype)
    }
}
