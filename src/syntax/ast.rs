//! The abstract syntax tree: what the user wrote, with a byte span on every node.
//!
//! Produced by [`super::parse`], consumed by [`crate::ir::lower`]. Knows nothing of
//! types or shapes. `Display` prints an S-expression dump (`--emit ast`).

use super::ops::{BinaryOp, UnaryOp};
use crate::diag::Span;
use std::fmt;

/// A whole program: statements separated by `;` or newlines.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `name = value`
    Assign { name: Ident, value: Expr },
    /// A bare expression: the program's result when it is the last statement.
    Expr(Expr),
}

/// A name with its place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal. Unsigned: `-5` is `Neg(5)`; range checks come at lowering,
    /// where the literal's dtype is known (so `-9223372036854775808` works).
    Int(u64),
    Float(f64),
    Bool(bool),
    /// A variable or a named constant (`pi`, `e`, `inf`, `nan`).
    Name(String),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `func(args..., key=value...)`
    Call {
        func: Ident,
        args: Vec<Expr>,
        kwargs: Vec<(Ident, Expr)>,
    },
}

impl Program {
    /// The names the program reads before assigning them, in order of first use:
    /// the inputs it needs (and any named constant it uses, which an input of that
    /// name shadows). Function names are not values, so they are not listed.
    pub fn free_names(&self) -> Vec<&str> {
        let mut assigned: Vec<&str> = Vec::new();
        let mut free: Vec<&str> = Vec::new();
        for stmt in &self.stmts {
            let value = match stmt {
                Stmt::Assign { value, .. } | Stmt::Expr(value) => value,
            };
            value.visit_names(&mut |n| {
                if !assigned.contains(&n) && !free.contains(&n) {
                    free.push(n);
                }
            });
            if let Stmt::Assign { name, .. } = stmt {
                assigned.push(&name.name);
            }
        }
        free
    }
}

impl Expr {
    /// Call `f` on every variable name the expression reads, left to right.
    fn visit_names<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match &self.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) => {}
            ExprKind::Name(n) => f(n),
            ExprKind::Unary { operand, .. } => operand.visit_names(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.visit_names(f);
                rhs.visit_names(f);
            }
            ExprKind::Call { args, kwargs, .. } => {
                args.iter().for_each(|a| a.visit_names(f));
                kwargs.iter().for_each(|(_, v)| v.visit_names(f));
            }
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for stmt in &self.stmts {
            match stmt {
                Stmt::Assign { name, value } => writeln!(f, "(= {} {value})", name.name)?,
                Stmt::Expr(e) => writeln!(f, "{e}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(v) => write!(f, "{v}"),
            // `{:?}` keeps the decimal point (`1.0`), telling floats from ints.
            ExprKind::Float(v) => write!(f, "{v:?}"),
            ExprKind::Bool(v) => write!(f, "{}", if *v { "True" } else { "False" }),
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::Unary { op, operand } => write!(f, "({} {operand})", op.symbol()),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({} {lhs} {rhs})", op.symbol()),
            ExprKind::Call { func, args, kwargs } => {
                write!(f, "(call {}", func.name)?;
                for a in args {
                    write!(f, " {a}")?;
                }
                for (k, v) in kwargs {
                    write!(f, " {}={v}", k.name)?;
                }
                f.write_str(")")
            }
        }
    }
}
