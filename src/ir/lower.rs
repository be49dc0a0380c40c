//! Lowering: the AST and a signature to the typed IR.
//!
//! Input: an [`ast::Program`] and the [`Signature`] (input names and dtypes).
//! Output: a [`Program`] satisfying the invariants of [`crate::ir`], or the first
//! user error (unknown name, wrong arity, an operation undefined for its dtypes, a
//! literal out of range) with its span.
//!
//! - Names resolve per statement, in order: earlier assignments (an assignment to
//!   an input's name shadows it from then on), then the inputs, then the constants
//!   `pi e inf nan`.
//! - NEP 50: literals and arithmetic on literals only are *weak* Python values,
//!   evaluated here with Python semantics ([`weak`]), as Python does before NumPy
//!   sees them. Where a weak value meets a strong operand, [`promote`] decides the
//!   dtype and the value becomes a constant of the dtype the operation computes in
//!   (an int that does not fit is an error, as in NumPy; comparisons are exact
//!   instead). Function calls and casts give strong results.
//! - Every conversion is an explicit `Cast` node carrying the span of the operand
//!   it converts, so the operands of a node are already in the dtype it computes in.
//!
//! No optimization: strong constants are not folded and nothing is shared beyond
//! what names refer to; that is the optimizer's job.

mod weak;

use super::ops::{self, BinaryOp, Callee, Func, FuncRule, ReduceOp, UnaryOp};
use super::{Input, Inst, Node, NodeId, Op, Program, Signature};
use crate::diag::{excerpt, Error, ErrorKind, Result, Span};
use crate::syntax::ast::{self, Expr, ExprKind, Ident, Stmt};
use crate::types::{promote, DType, Scalar, Ty};
use weak::{Folded, Py};

/// Type the program for the inputs in `sig`.
pub fn lower(ast: &ast::Program, sig: &Signature) -> Result<Program> {
    lower_with(ast, sig, &[])
}

/// Type the program for the inputs in `sig` and the *weak* named values in
/// `weak`: Python scalars bound to names, which lower as literals do (NEP 50 weak,
/// folded with Python semantics, constants in the IR), so `a * x` with `a`
/// float32 and `x` the Python float 2.5 stays float32. A bool is a strong bool
/// constant, as `True` is; an int or float of any width is a Python int or float.
pub fn lower_with(ast: &ast::Program, sig: &Signature, weak: &[(String, Scalar)]) -> Result<Program> {
    check_signature(sig)?;
    if let Some((name, _)) = weak.iter().find(|(n, _)| sig.iter().any(|(m, _)| m == n)) {
        return Err(Error::new(ErrorKind::Input, format!("input `{name}` is given twice")));
    }
    let mut cx = Lowerer { sig, weak, nodes: Vec::new(), input_nodes: vec![None; sig.len()], vars: Vec::new() };
    let mut last = None;
    for stmt in &ast.stmts {
        last = Some(cx.stmt(stmt)?);
    }
    let last = last.ok_or_else(|| {
        Error::new(ErrorKind::Parse, "the program is empty").with_help("write an expression, e.g. `2*a + b`")
    })?;
    let vars = std::mem::take(&mut cx.vars);
    let mut names = Vec::with_capacity(vars.len());
    for (name, value) in vars {
        names.push((name, cx.materialize(value)?));
    }
    let result = match last {
        Last::Var(i) => names[i].1,
        Last::Expr(value) => cx.materialize(value)?,
    };
    let inputs = sig.iter().map(|(name, dtype)| Input { name: name.clone(), dtype: *dtype }).collect();
    let program = Program { inputs, nodes: cx.nodes, result, names };
    if cfg!(debug_assertions) {
        program.validate();
    }
    Ok(program)
}

fn check_signature(sig: &Signature) -> Result<()> {
    for (i, (name, _)) in sig.iter().enumerate() {
        if sig[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::new(ErrorKind::Input, format!("input `{name}` is given twice")));
        }
    }
    Ok(())
}

/// The named constants: weak Python floats.
pub const CONSTANTS: [(&str, f64); 4] =
    [("pi", std::f64::consts::PI), ("e", std::f64::consts::E), ("inf", f64::INFINITY), ("nan", f64::NAN)];

/// A lowered expression: a weak Python value not yet given a dtype, or a node.
#[derive(Clone, Copy, Debug)]
enum Value {
    Weak(Py),
    Strong(NodeId),
}

/// A value and the span of the expression that produced it here (a use of a
/// variable has the span of the use, so casts inserted for it point there).
#[derive(Clone, Copy, Debug)]
struct Term {
    value: Value,
    span: Span,
}

/// What the last statement was: it decides the program's result.
enum Last {
    /// An assignment, to `vars[i]`.
    Var(usize),
    Expr(Term),
}

struct Lowerer<'a> {
    sig: &'a Signature,
    /// Named Python scalars, weak like literals.
    weak: &'a [(String, Scalar)],
    nodes: Vec<Node>,
    /// The node of each input, made at its first use.
    input_nodes: Vec<Option<NodeId>>,
    /// Assigned names with their current values, in order of first assignment.
    vars: Vec<(String, Term)>,
}

impl Lowerer<'_> {
    fn stmt(&mut self, stmt: &Stmt) -> Result<Last> {
        match stmt {
            Stmt::Assign { name, value } => {
                let value = self.expr(value)?;
                Ok(Last::Var(self.assign(name, value)))
            }
            Stmt::Expr(e) => Ok(Last::Expr(self.expr(e)?)),
        }
    }

    fn assign(&mut self, name: &Ident, value: Term) -> usize {
        if let Some(i) = self.vars.iter().position(|(n, _)| *n == name.name) {
            self.vars[i].1 = value;
            i
        } else {
            self.vars.push((name.name.clone(), value));
            self.vars.len() - 1
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<Term> {
        let value = match &e.kind {
            ExprKind::Int(v) => Value::Weak(Py::Int(i128::from(*v))),
            ExprKind::Float(v) => Value::Weak(Py::Float(*v)),
            ExprKind::Bool(b) => Value::Strong(self.push(Inst::constant(Scalar::Bool(*b)), DType::Bool, e.span)),
            ExprKind::Name(name) => self.name(name, e.span)?,
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand)?;
                return self.unary(*op, x, e.span);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                return self.binary(*op, a, b, e.span, lhs);
            }
            ExprKind::Call { func, args, kwargs } => return self.call(func, args, kwargs, e.span),
        };
        Ok(Term { value, span: e.span })
    }

    // ---- nodes ----

    fn push(&mut self, inst: Inst, dtype: DType, span: Span) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).expect("fewer than 2^32 nodes"));
        self.nodes.push(Node { inst, dtype, span });
        id
    }

    fn strong(&mut self, inst: Inst, dtype: DType, span: Span) -> Term {
        Term { value: Value::Strong(self.push(inst, dtype, span)), span }
    }

    fn dtype(&self, id: NodeId) -> DType {
        self.nodes[id.index()].dtype
    }

    fn ty(&self, x: Term) -> Ty {
        match x.value {
            Value::Weak(p) => Ty { dtype: p.default_dtype(), weak: true },
            Value::Strong(id) => Ty::strong(self.dtype(id)),
        }
    }

    /// `x` as a node of `dtype`, the dtype an operation computes in: a weak value
    /// becomes a constant (an int must fit), a node of another dtype is cast.
    fn operand_as(&mut self, x: Term, dtype: DType) -> Result<NodeId> {
        match x.value {
            Value::Weak(p) => {
                let scalar = p.to_scalar(dtype).map_err(|e| e.or_at(x.span))?;
                Ok(self.push(Inst::constant(scalar), dtype, x.span))
            }
            Value::Strong(id) if self.dtype(id) == dtype => Ok(id),
            Value::Strong(id) => Ok(self.push(Inst::Op(Op::Cast(id)), dtype, x.span)),
        }
    }

    /// `x` as a node; a weak value alone takes its default dtype (int64, float64).
    fn materialize(&mut self, x: Term) -> Result<NodeId> {
        let dtype = self.ty(x).dtype;
        self.operand_as(x, dtype)
    }

    // ---- names ----

    fn name(&mut self, name: &str, span: Span) -> Result<Value> {
        if let Some((_, x)) = self.vars.iter().find(|(n, _)| n == name) {
            return Ok(x.value);
        }
        if let Some(i) = self.sig.iter().position(|(n, _)| n == name) {
            return Ok(Value::Strong(self.input(i, span)));
        }
        if let Some((_, v)) = self.weak.iter().find(|(n, _)| n == name) {
            return Ok(match *v {
                Scalar::Bool(b) => Value::Strong(self.push(Inst::constant(Scalar::Bool(b)), DType::Bool, span)),
                Scalar::Int32(i) => Value::Weak(Py::Int(i128::from(i))),
                Scalar::Int64(i) => Value::Weak(Py::Int(i128::from(i))),
                Scalar::Float32(f) => Value::Weak(Py::Float(f64::from(f))),
                Scalar::Float64(f) => Value::Weak(Py::Float(f)),
            });
        }
        if let Some((_, v)) = CONSTANTS.iter().find(|(n, _)| *n == name) {
            return Ok(Value::Weak(Py::Float(*v)));
        }
        if ops::lookup(name).is_some() {
            return Err(Error::at(ErrorKind::Name, span, format!("`{name}` is a function, not a value"))
                .with_help(format!("call it, e.g. `{name}(x)`")));
        }
        let err = Error::at(ErrorKind::Name, span, format!("unknown name `{}`", excerpt(name)));
        let known = self.value_names();
        Err(match suggest(name, &known) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None if self.sig.is_empty() => err.with_help("the program has no inputs"),
            None => {
                let inputs: Vec<String> = self.sig.iter().map(|(n, _)| format!("`{n}`")).collect();
                err.with_help(format!("the inputs are {}", inputs.join(", ")))
            }
        })
    }

    fn input(&mut self, i: usize, span: Span) -> NodeId {
        if let Some(id) = self.input_nodes[i] {
            return id;
        }
        let id = self.push(Inst::Input(i), self.sig[i].1, span);
        self.input_nodes[i] = Some(id);
        id
    }

    /// Every name a value can have at this point: variables, inputs, constants.
    fn value_names(&self) -> Vec<&str> {
        let vars = self.vars.iter().map(|(n, _)| n.as_str());
        let inputs = self.sig.iter().map(|(n, _)| n.as_str());
        let weak = self.weak.iter().map(|(n, _)| n.as_str());
        vars.chain(inputs).chain(weak).chain(CONSTANTS.iter().map(|(n, _)| *n)).collect()
    }

    fn unknown_function(&self, func: &Ident) -> Error {
        let name = &func.name;
        if self.value_names().contains(&name.as_str()) {
            let what = if self.vars.iter().any(|(n, _)| n == name) {
                "a variable"
            } else if self.sig.iter().any(|(n, _)| n == name) {
                "an input"
            } else {
                "a constant"
            };
            return Error::at(ErrorKind::Name, func.span, format!("`{name}` is {what}, not a function"));
        }
        let err = Error::at(ErrorKind::Name, func.span, format!("unknown function `{}`", excerpt(name)));
        match suggest(name, &ops::all_names()) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err,
        }
    }

    // ---- operators ----

    fn unary(&mut self, op: UnaryOp, x: Term, span: Span) -> Result<Term> {
        match x.value {
            Value::Weak(p) => {
                let value = Value::Weak(Py::unary(op, p).map_err(|e| e.or_at(span))?);
                Ok(Term { value, span })
            }
            Value::Strong(id) => {
                let dtype = op.result(self.dtype(id)).map_err(|m| Error::at(ErrorKind::Type, span, m))?;
                Ok(self.strong(Inst::Op(Op::Unary(op, id)), dtype, span))
            }
        }
    }

    /// `a op b`; `base` is the left operand's syntax, for hints.
    fn binary(&mut self, op: BinaryOp, a: Term, b: Term, span: Span, base: &Expr) -> Result<Term> {
        if let (Value::Weak(x), Value::Weak(y)) = (a.value, b.value) {
            return match Py::binary(op, x, y).map_err(|e| e.or_at(span))? {
                Folded::Py(p) => Ok(Term { value: Value::Weak(p), span }),
                Folded::Bool(v) => Ok(self.strong(Inst::constant(Scalar::Bool(v)), DType::Bool, span)),
            };
        }
        let (op, a, b) = if op.is_comparison() { self.clamp_comparison(op, a, b) } else { (op, a, b) };
        let mut promoted = promote(self.ty(a), self.ty(b)).dtype;
        if op.is_comparison() {
            promoted = comparison_dtype(promoted, a, b);
        }
        let (compute, result) = op.compute(promoted).map_err(|m| Error::at(ErrorKind::Type, span, m))?;
        if let (BinaryOp::Pow, true, Value::Weak(Py::Int(e))) = (op, compute.is_int(), b.value) {
            if e < 0 {
                return Err(Error::at(ErrorKind::Value, b.span, "integers to negative integer powers are not allowed")
                    .with_help(format!("use a float base, e.g. `float64({}) ** {e}`", spelling(base))));
            }
        }
        let x = self.operand_as(a, compute)?;
        if op == BinaryOp::Pow && compute.is_float() {
            if let Some(fast) = self.pow_fast_path(x, b, compute, span) {
                return Ok(fast);
            }
        }
        let y = self.operand_as(b, compute)?;
        Ok(self.strong(Inst::Op(Op::Binary(op, x, y)), result, span))
    }

    /// NumPy computes `float_array ** scalar` for the exponents 2, 0.5, -1, 0 and 1
    /// without `pow` (`POWER_FAST_PATH`): as `x*x`, `sqrt(x)`, `1/x`, `ones_like(x)`
    /// and `x`. These differ from `pow` in the last bit for some inputs (and at
    /// -0.0 and -inf for 0.5), so lowering follows NumPy for literal exponents.
    fn pow_fast_path(&mut self, x: NodeId, exponent: Term, dtype: DType, span: Span) -> Option<Term> {
        let e = match exponent.value {
            Value::Weak(Py::Int(e)) => e as f64,
            Value::Weak(Py::Float(e)) => e,
            Value::Strong(_) => return None,
        };
        let inst = if e == 2.0 {
            Inst::Op(Op::Binary(BinaryOp::Mul, x, x))
        } else if e == 0.5 {
            Inst::Op(Op::Call(Func::Sqrt, vec![x]))
        } else if e == -1.0 {
            let one = Scalar::from_f64(1.0, dtype);
            let one = self.push(Inst::constant(one), dtype, exponent.span);
            Inst::Op(Op::Binary(BinaryOp::Div, one, x))
        } else if e == 0.0 {
            Inst::Op(Op::Call(Func::OnesLike, vec![x]))
        } else if e == 1.0 {
            return Some(Term { value: Value::Strong(x), span });
        } else {
            return None;
        };
        Some(self.strong(inst, dtype, span))
    }

    /// An int operand compared with a Python int beyond int64 has the same answer
    /// for every element, which NumPy 2 gives exactly. Compare with the nearest
    /// int64 bound instead, the operator adjusted so the answer is unchanged (and
    /// the result keeps the operand's shape): `a < 2**70` becomes `a <= MAX`.
    fn clamp_comparison(&self, op: BinaryOp, a: Term, b: Term) -> (BinaryOp, Term, Term) {
        let int_operand = |x: Term| match x.value {
            Value::Strong(id) => !self.dtype(id).is_float(),
            Value::Weak(_) => false,
        };
        let beyond = |x: Term| match x.value {
            Value::Weak(Py::Int(v)) if !weak::fits(v, DType::Int64) => Some(v),
            Value::Weak(_) | Value::Strong(_) => None,
        };
        // Normalize to `array OP literal`.
        let (op, arr, lit, v) = match (beyond(a), beyond(b)) {
            (None, Some(v)) if int_operand(a) => (op, a, b, v),
            (Some(v), None) if int_operand(b) => (mirror(op), b, a, v),
            _ => return (op, a, b),
        };
        use BinaryOp::*;
        let (new_op, bound) = if v > 0 {
            match op {
                Lt | Le | Ne => (Le, i64::MAX),
                Gt | Ge | Eq => (Gt, i64::MAX),
                _ => unreachable!("clamp_comparison is called for comparisons only"),
            }
        } else {
            match op {
                Gt | Ge | Ne => (Ge, i64::MIN),
                Lt | Le | Eq => (Lt, i64::MIN),
                _ => unreachable!("clamp_comparison is called for comparisons only"),
            }
        };
        (new_op, arr, Term { value: Value::Weak(Py::Int(bound as i128)), span: lit.span })
    }

    // ---- calls ----

    fn call(&mut self, func: &Ident, args: &[Expr], kwargs: &[(Ident, Expr)], span: Span) -> Result<Term> {
        let callee = ops::lookup(&func.name).ok_or_else(|| self.unknown_function(func))?;
        match callee {
            Callee::Reduce(op) => self.reduce(op, func, args, kwargs, span),
            Callee::Func(f) => {
                let xs = self.args(func, args, kwargs, f.info().arity, span)?;
                self.func(f, &func.name, &xs, span)
            }
            Callee::Binary(op) => {
                let xs = self.args(func, args, kwargs, 2, span)?;
                self.binary(op, xs[0], xs[1], span, &args[0])
            }
            Callee::Cast(dtype) => {
                let xs = self.args(func, args, kwargs, 1, span)?;
                let id = self.materialize(xs[0])?;
                if self.dtype(id) == dtype {
                    return Ok(Term { value: Value::Strong(id), span });
                }
                Ok(self.strong(Inst::Op(Op::Cast(id)), dtype, span))
            }
        }
    }

    /// Check the argument count (no keywords) and lower the arguments.
    fn args(
        &mut self,
        func: &Ident,
        args: &[Expr],
        kwargs: &[(Ident, Expr)],
        arity: usize,
        span: Span,
    ) -> Result<Vec<Term>> {
        let name = &func.name;
        if let Some((key, _)) = kwargs.first() {
            return Err(Error::at(ErrorKind::Arity, key.span, format!("`{name}` takes no keyword arguments")));
        }
        if args.len() != arity {
            let msg = format!("`{name}` takes {}, but {} given", count(arity, "argument"), were(args.len()));
            return Err(Error::at(ErrorKind::Arity, span, msg));
        }
        args.iter().map(|a| self.expr(a)).collect()
    }

    fn func(&mut self, f: Func, name: &str, xs: &[Term], span: Span) -> Result<Term> {
        let rule = f.info().rule;
        if rule == FuncRule::Where {
            let cond = self.operand_as(xs[0], DType::Bool)?;
            let dtype = self.promote_all(&xs[1..]);
            let x = self.operand_as(xs[1], dtype)?;
            let y = self.operand_as(xs[2], dtype)?;
            return Ok(self.strong(Inst::Op(Op::Call(f, vec![cond, x, y])), dtype, span));
        }
        let promoted = self.promote_all(xs);
        let (compute, result) = rule.compute(name, promoted).map_err(|msg| {
            // The cast that gives NumPy's answer a dtype jitexpr has.
            let cast_to = if rule == FuncRule::Math { DType::Float32 } else { DType::Int32 };
            match promoted {
                DType::Bool => bool_argument(msg, name, cast_to, span),
                _ => Error::at(ErrorKind::Type, span, msg),
            }
        })?;
        self.call_node(f, xs, compute, result, span)
    }

    fn call_node(&mut self, f: Func, xs: &[Term], compute: DType, result: DType, span: Span) -> Result<Term> {
        let args = xs.iter().map(|x| self.operand_as(*x, compute)).collect::<Result<Vec<_>>>()?;
        Ok(self.strong(Inst::Op(Op::Call(f, args)), result, span))
    }

    /// NEP 50 promotion of several operands; weak only gives the default dtype.
    fn promote_all(&self, xs: &[Term]) -> DType {
        let tys = xs.iter().map(|x| self.ty(*x));
        tys.reduce(promote).expect("functions take at least one argument").dtype
    }

    /// `sum(x)`, `sum(x, axis=k)`, `sum(x, k)` (numexpr's positional axis).
    fn reduce(
        &mut self,
        op: ReduceOp,
        func: &Ident,
        args: &[Expr],
        kwargs: &[(Ident, Expr)],
        span: Span,
    ) -> Result<Term> {
        let name = &func.name;
        if args.is_empty() || args.len() > 2 {
            let msg = format!("`{name}` takes an array and an optional axis, but {} given", were(args.len()));
            return Err(Error::at(ErrorKind::Arity, span, msg));
        }
        let mut axis = args.get(1);
        for (key, value) in kwargs {
            if key.name != "axis" {
                let msg = format!("`{name}` has no keyword argument `{}`", key.name);
                return Err(Error::at(ErrorKind::Arity, key.span, msg).with_help("the only keyword is `axis=`"));
            }
            if axis.is_some() {
                return Err(Error::at(ErrorKind::Arity, key.span, format!("`{name}` got the axis twice")));
            }
            axis = Some(value);
        }
        let positional = args.len() == 2;
        let axis = axis.map(axis_literal).transpose().map_err(|e| match op {
            // `max(a, b)` is NumPy's `max(a, axis=b)`; the elementwise one is `maximum`.
            ReduceOp::Min | ReduceOp::Max if positional => {
                let elementwise = if op == ReduceOp::Min { "minimum" } else { "maximum" };
                e.with_help(format!(
                    "`{name}(x, k)` reduces along axis k; for the elementwise {elementwise} of two arrays, \
                     write `{elementwise}(...)`"
                ))
            }
            _ => e,
        })?;
        let axis = axis.flatten();
        let x = self.expr(&args[0])?;
        let dtype = self.ty(x).dtype;
        let acc = op.accumulator(dtype);
        let arg = self.operand_as(x, acc)?;
        Ok(self.strong(Inst::Reduce { op, arg, axis }, acc, span))
    }
}

/// A function applied to bools where NumPy's answer is a dtype jitexpr lacks.
fn bool_argument(msg: String, name: &str, cast_to: DType, span: Span) -> Error {
    Error::at(ErrorKind::Type, span, msg).with_help(format!("cast the argument first, e.g. `{name}({cast_to}(x))`"))
}

/// A reduction's axis: an integer literal (`-1` allowed) or `None` (all axes).
fn axis_literal(e: &Expr) -> Result<Option<i64>> {
    let bad = || {
        Error::at(ErrorKind::Arity, e.span, "the axis must be an integer literal or `None`")
            .with_help("e.g. `sum(x, axis=-1)`")
    };
    let int = |v: u64, negate: bool| i64::try_from(v).map(|v| Some(if negate { -v } else { v })).map_err(|_| bad());
    match &e.kind {
        ExprKind::Name(n) if n == "None" => Ok(None),
        ExprKind::Int(v) => int(*v, false),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => match operand.kind {
            ExprKind::Int(v) => int(v, true),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// NumPy 2 compares an int array with a Python int that does not fit its dtype
/// correctly instead of raising: in int64 if the int fits that, else in float64.
fn comparison_dtype(promoted: DType, a: Term, b: Term) -> DType {
    let outside = [a, b].into_iter().find_map(|x| match x.value {
        Value::Weak(Py::Int(v)) if promoted.is_int() && !weak::fits(v, promoted) => Some(v),
        Value::Weak(_) | Value::Strong(_) => None,
    });
    match outside {
        None => promoted,
        Some(v) if weak::fits(v, DType::Int64) => DType::Int64,
        Some(_) => DType::Float64,
    }
}

/// The comparison with its operands swapped: `a < b` is `b > a`.
fn mirror(op: BinaryOp) -> BinaryOp {
    use BinaryOp::*;
    match op {
        Lt => Gt,
        Le => Ge,
        Gt => Lt,
        Ge => Le,
        Eq | Ne => op,
        BitOr | BitXor | BitAnd | Shl | Shr | Add | Sub | Mul | Div | FloorDiv | Mod | Pow => {
            unreachable!("mirror is called for comparisons only")
        }
    }
}

/// How to write an operand in a hint: its name if it has one.
fn spelling(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Unary { .. }
        | ExprKind::Binary { .. }
        | ExprKind::Call { .. } => "x".to_string(),
    }
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn were(n: usize) -> String {
    format!("{n} {}", if n == 1 { "was" } else { "were" })
}

/// The known name closest to `name`: one that differs only in case (`Sin` is
/// `sin`, not `min`), else the closest by edit distance if it is close enough
/// to be a plausible typo (at most a third of the letters wrong, and not all
/// of them).
fn suggest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(k);
    }
    let len = name.chars().count();
    if len > 64 {
        // No name is that long, and the distance would cost len * |k| steps.
        return None;
    }
    let limit = (len / 3).max(1);
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= limit && *d < len)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
