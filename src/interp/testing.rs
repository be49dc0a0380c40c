//! A small builder of typed programs for tests, so the interpreter can be tested
//! without the parser and lowering. Node `i` gets the span `i..i+1`, so a test can
//! tell which node an error points at. Dtypes follow the operator table; the
//! builder inserts no casts, so tests choose operand dtypes the table allows.

use crate::array::Array;
use crate::diag::{Result, Span};
use crate::ir::ops::{BinaryOp, Func, FuncRule, ReduceOp, UnaryOp};
use crate::ir::{Input, Inst, Node, NodeId, Op, Program};
use crate::types::{DType, Scalar};

#[derive(Default)]
pub(crate) struct Builder {
    inputs: Vec<Input>,
    nodes: Vec<Node>,
    names: Vec<(String, NodeId)>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    fn push(&mut self, inst: Inst, dtype: DType) -> NodeId {
        let i = self.nodes.len();
        self.nodes.push(Node { inst, dtype, span: Span::new(i, i + 1) });
        NodeId(i as u32)
    }

    fn dtype(&self, id: NodeId) -> DType {
        self.nodes[id.index()].dtype
    }

    pub fn input(&mut self, name: &str, dtype: DType) -> NodeId {
        self.inputs.push(Input { name: name.to_string(), dtype });
        self.push(Inst::Input(self.inputs.len() - 1), dtype)
    }

    pub fn constant(&mut self, s: Scalar) -> NodeId {
        self.push(Inst::constant(s), s.dtype())
    }

    pub fn unary(&mut self, op: UnaryOp, a: NodeId) -> NodeId {
        let dt = op.result(self.dtype(a)).expect("unary op allowed on this dtype");
        self.push(Inst::Op(Op::Unary(op, a)), dt)
    }

    pub fn binary(&mut self, op: BinaryOp, a: NodeId, b: NodeId) -> NodeId {
        assert_eq!(self.dtype(a), self.dtype(b), "binary operands share a dtype");
        let (compute, result) = op.compute(self.dtype(a)).expect("binary op allowed on this dtype");
        assert_eq!(compute, self.dtype(a), "operands must already be in the compute dtype");
        self.push(Inst::Op(Op::Binary(op, a, b)), result)
    }

    pub fn call(&mut self, f: Func, args: &[NodeId]) -> NodeId {
        let info = f.info();
        let values = if info.rule == FuncRule::Where { args[1] } else { args[0] };
        let (_, dt) = info.rule.compute(info.name, self.dtype(values)).expect("function allowed on this dtype");
        self.push(Inst::Op(Op::Call(f, args.to_vec())), dt)
    }

    pub fn cast(&mut self, a: NodeId, to: DType) -> NodeId {
        self.push(Inst::Op(Op::Cast(a)), to)
    }

    pub fn reduce(&mut self, op: ReduceOp, arg: NodeId, axis: Option<i64>) -> NodeId {
        let dt = self.dtype(arg);
        self.push(Inst::Reduce { op, arg, axis }, dt)
    }

    pub fn name(&mut self, name: &str, id: NodeId) {
        self.names.push((name.to_string(), id));
    }

    pub fn build(self, result: NodeId) -> Program {
        let p = Program { inputs: self.inputs, nodes: self.nodes, result, names: self.names };
        p.validate();
        p
    }
}

/// Evaluate a program's result on the given inputs.
pub(crate) fn eval1(p: &Program, inputs: &[&Array]) -> Result<Array> {
    let mut out = super::eval(p, inputs, &[p.result])?;
    Ok(out.pop().expect("one output"))
}

/// An array of a shape from a vector (test convenience).
pub(crate) fn arr<T: crate::array::Element>(v: Vec<T>, shape: &[usize]) -> Array {
    Array::new(T::wrap(v), shape.to_vec()).expect("test array shape matches its data")
}
