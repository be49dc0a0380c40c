//! The IR printer: `Display` for [`Program`], the `--emit ir` dump.
//!
//! Input: a typed [`Program`]. Output: one line per node, in arena order, then the
//! result and the assigned names:
//!
//! ```text
//! inputs: a: float32, b: int32
//! %0 = input a : float32
//! %1 = const 2.5 : float32
//! %2 = multiply %0, %1 : float32
//! %3 = sum %2 axis=-1 : float32
//! result = %3
//! x = %2
//! ```
//!
//! Operator names are NumPy's ufunc names from the operator table. The format is
//! stable: golden tests of every later pass compare against it.

use super::{Inst, NodeId, Program};
use std::fmt;

/// `%3`: how a node is referred to.
struct Ref(NodeId);

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.0 .0)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inputs: Vec<String> = self.inputs.iter().map(|i| format!("{}: {}", i.name, i.dtype)).collect();
        if inputs.is_empty() {
            writeln!(f, "inputs: (none)")?;
        } else {
            writeln!(f, "inputs: {}", inputs.join(", "))?;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            write!(f, "%{i} = ")?;
            self.inst(f, &node.inst)?;
            writeln!(f, " : {}", node.dtype)?;
        }
        writeln!(f, "result = {}", Ref(self.result))?;
        for (name, id) in &self.names {
            writeln!(f, "{name} = {}", Ref(*id))?;
        }
        Ok(())
    }
}

impl Program {
    fn inst(&self, f: &mut fmt::Formatter<'_>, inst: &Inst) -> fmt::Result {
        match inst {
            Inst::Input(k) => write!(f, "input {}", self.inputs[*k].name),
            Inst::Op(op) => f.write_str(&op.display(|a| Ref(a).to_string())),
            Inst::Reduce { op, arg, axis } => {
                write!(f, "{} {}", op.name(), Ref(*arg))?;
                match axis {
                    Some(k) => write!(f, " axis={k}"),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ops::{BinaryOp, Func, ReduceOp, UnaryOp};
    use super::super::{Input, Node, Op};
    use super::*;
    use crate::diag::Span;
    use crate::types::{DType, Scalar};
    use expect_test::expect;

    fn node(inst: Inst, dtype: DType) -> Node {
        Node { inst, dtype, span: Span::default() }
    }

    #[test]
    fn prints_every_instruction() {
        let n = NodeId;
        let program = Program {
            inputs: vec![
                Input { name: "a".into(), dtype: DType::Float32 },
                Input { name: "b".into(), dtype: DType::Int32 },
            ],
            nodes: vec![
                node(Inst::Input(0), DType::Float32),
                node(Inst::constant(Scalar::Float32(2.5)), DType::Float32),
                node(Inst::Op(Op::Binary(BinaryOp::Mul, n(0), n(1))), DType::Float32),
                node(Inst::Op(Op::Cast(n(2))), DType::Float64),
                node(Inst::Op(Op::Unary(UnaryOp::Neg, n(3))), DType::Float64),
                node(Inst::Op(Op::Binary(BinaryOp::Lt, n(3), n(4))), DType::Bool),
                node(Inst::Op(Op::Call(Func::Where, vec![n(5), n(3), n(4)])), DType::Float64),
                node(Inst::Reduce { op: ReduceOp::Sum, arg: n(6), axis: Some(-1) }, DType::Float64),
                node(Inst::Reduce { op: ReduceOp::Max, arg: n(6), axis: None }, DType::Float64),
            ],
            result: n(7),
            names: vec![("x".into(), n(2)), ("y".into(), n(8))],
        };
        program.validate();
        expect![[r#"
            inputs: a: float32, b: int32
            %0 = input a : float32
            %1 = const 2.5 : float32
            %2 = multiply %0, %1 : float32
            %3 = cast %2 : float64
            %4 = negative %3 : float64
            %5 = less %3, %4 : bool
            %6 = where %5, %3, %4 : float64
            %7 = sum %6 axis=-1 : float64
            %8 = max %6 : float64
            result = %7
            x = %2
            y = %8
        "#]]
        .assert_eq(&program.to_string());
    }

    #[test]
    fn prints_a_program_without_inputs() {
        let program = Program {
            inputs: vec![],
            nodes: vec![node(Inst::constant(Scalar::Int64(5)), DType::Int64)],
            result: NodeId(0),
            names: vec![],
        };
        expect![[r#"
            inputs: (none)
            %0 = const 5 : int64
            result = %0
        "#]]
        .assert_eq(&program.to_string());
    }
}
