//! # jitexpr
//!
//! A JIT-compiling array expression engine with NumPy/numexpr syntax and NumPy 2
//! semantics.
//!
//! ```text
//! &str ──lex (logos)──▶ tokens ──parse (Pratt)──▶ Ast with spans ──lower (NEP 50)──▶ typed IR
//!                                                                                   │
//!          ┌────────────────────────────────────────────────────────────────────────┤
//!          ▼                                                                        ▼
//!   interp: one operation at a time over    plan: optimize (fold, CSE, powers; Math::Fast adds
//!   whole arrays, like NumPy (the oracle)         chains, Horner, reciprocals) ──▶ fuse into kernels
//!                                                                                   │
//!                            codegen: Cranelift (SIMD, vmath block calls), or the  ▼
//!                            AVX2 emitter for fused float loops; KernelCache ──▶ native fn
//!                                                                                   │
//!                            exec: shapes, strides, bounds proof, chunks run on    ▼
//!                            a rayon team (tiny n on the caller) ──────────────▶ arrays
//!                            stream: the same stages window by window over .npy files
//! ```
//!
//! Every stage takes the scalar meaning of each operation from one place:
//! `ir::ops` (names, arity, dtype rules) and `semantics` (what each computes,
//! with `vmath`'s block kernels), so the interpreter and the JIT agree bit for
//! bit.
//!
//! Compile once for the input dtypes, evaluate many times on arrays of any shape:
//!
//! ```
//! use jitexpr::{Array, DType, Expr};
//!
//! let expr = Expr::parse("2*a + b")?;
//! let compiled = expr.compile(&[("a", DType::Float64), ("b", DType::Float64)])?;
//! let a = Array::from_vec(vec![1.0, 2.0, 3.0]);
//! let b = Array::from_vec(vec![0.5, 0.5, 0.5]);
//! let out = compiled.eval(&[("a", &a), ("b", &b)])?;
//! assert_eq!(out.as_slice::<f64>(), Some(&[2.5, 4.5, 6.5][..]));
//! # Ok::<(), jitexpr::Error>(())
//! ```
//!
//! Views in, views out: [`Compiled::eval_views_into`] reads strided views in
//! place (a NumPy array or an ndarray without a copy) and writes into
//! caller-owned memory; a repeated call with the same layouts skips planning.
//!
//! ```
//! use jitexpr::{Array, DType, EvalConfig, Expr};
//!
//! let c = Expr::parse("sqrt(x*x + y*y)")?.compile(&[("x", DType::Float64), ("y", DType::Float64)])?;
//! let x = Array::from_vec(vec![3.0, 5.0]);
//! let y = Array::from_vec(vec![4.0, 12.0]);
//! let mut out = Array::zeros(DType::Float64, vec![2])?;
//! for _ in 0..3 {
//!     let mut outs = [(None, out.view_mut()?)];
//!     c.eval_views_into(&[("x", x.view()), ("y", y.view())], &mut outs, &EvalConfig::default())?;
//! }
//! assert_eq!(out.as_slice::<f64>(), Some(&[5.0, 13.0][..]));
//! # Ok::<(), jitexpr::Error>(())
//! ```
//!
//! Arrays travel as `.npy` files ([`npy`]), NumPy's own format:
//!
//! ```
//! let a = jitexpr::Array::from_vec(vec![1i64, 2, 3]);
//! let bytes = jitexpr::npy::write(&a);
//! assert_eq!(jitexpr::npy::read(&bytes)?.as_slice::<i64>(), Some(&[1, 2, 3][..]));
//! # Ok::<(), jitexpr::Error>(())
//! ```
//!
//! Errors are data: an [`Error`] has a kind, a message and the byte span it is
//! about; [`Error::render`] draws it with a caret under the source.
//!
//! ```
//! let err = jitexpr::Expr::parse("2 * (a + ").unwrap_err();
//! assert_eq!(err.kind, jitexpr::ErrorKind::Parse);
//! assert!(err.render("2 * (a + ").contains('^'));
//! ```

#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

// In pipeline order (blank lines keep rustfmt from sorting them).
// Errors, shared by every stage.
pub(crate) mod diag;

// Text to typed IR.
pub(crate) mod syntax;

pub(crate) mod types;

pub(crate) mod ir;

// What each operation computes on scalars, and its block kernels.
pub(crate) mod semantics;

pub(crate) mod vmath;

// Shapes per evaluation, and the interpreter (the oracle).
pub(crate) mod shape;

pub(crate) mod interp;

// The JIT: optimize and fuse into kernels, compile them, run them.
pub(crate) mod fuse;

pub(crate) mod plan;

pub(crate) mod codegen;

pub(crate) mod exec;

// Data, files and the front ends.
pub(crate) mod array;
pub mod bench;
pub mod inputs;
#[cfg(feature = "ndarray")]
pub(crate) mod ndarray_interop;
pub mod npy;
pub(crate) mod repr;
pub mod stream;

#[cfg(test)]
mod jit_tests;

pub use array::{Array, ArrayView, ArrayViewMut, Data, Element, Order};
pub use codegen::{Backend, CacheStats, KernelCache};
pub use diag::{Error, ErrorKind, Span};
pub use exec::{DEFAULT_CHUNK, MAX_THREADS};
pub use ir::opt::Math;
pub use types::{DType, Scalar};

use diag::Result;
use std::sync::Arc;

/// Which engine evaluates a program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// One operation at a time over whole arrays, like NumPy: the semantic oracle.
    Interp,
    /// Fused native loops compiled with Cranelift, run in parallel chunks.
    #[default]
    Jit,
}

/// How to evaluate. Build it with struct update syntax:
/// `EvalConfig { threads: Some(1), ..EvalConfig::default() }`.
#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Which engine evaluates: the JIT (default) or the interpreter.
    pub engine: Engine,
    /// JIT threads, the calling thread included; `None`: all cores. At most
    /// [`exec::MAX_THREADS`] (more is an `ErrorKind::Limit` error); an evaluation
    /// with less work than threads starts fewer.
    pub threads: Option<usize>,
    /// JIT: fuse all elementwise work between reductions into one loop; `false`
    /// runs one operation at a time with temporaries (to measure what fusion buys).
    pub fuse: bool,
    /// JIT: run the optimizer (constant folding, CSE, dead-code elimination, exact
    /// power rewrites) before planning; results are bit-identical either way.
    pub optimize: bool,
    /// JIT: elements per parallel task; `None`: [`exec::DEFAULT_CHUNK`].
    pub chunk: Option<usize>,
    /// JIT: where compiled kernels are kept; `None`: [`KernelCache::shared`].
    pub cache: Option<Arc<KernelCache>>,
    /// How float arithmetic may be evaluated: [`Math::Exact`] (NumPy's bits) or
    /// [`Math::Fast`] (the rewrites of `ir::opt::fast`, within their stated
    /// bounds). It selects the program every engine runs, the interpreter
    /// included, so it is part of the plan's key; the kernels it makes differ,
    /// so they are distinct entries of the kernel cache.
    pub math: Math,
}

impl EvalConfig {
    /// The threads an evaluation with this configuration may use, the calling
    /// thread included: `threads`, or all cores when it is `None`. Zero threads
    /// is an [`ErrorKind::Usage`] error and more than [`MAX_THREADS`] an
    /// [`ErrorKind::Limit`] error, as evaluation would report them.
    ///
    /// ```
    /// use jitexpr::{ErrorKind, EvalConfig};
    ///
    /// assert_eq!(EvalConfig { threads: Some(2), ..EvalConfig::default() }.thread_count()?, 2);
    /// let zero = EvalConfig { threads: Some(0), ..EvalConfig::default() };
    /// assert_eq!(zero.thread_count().unwrap_err().kind, ErrorKind::Usage);
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn thread_count(&self) -> Result<usize> {
        exec::requested_threads(self)
    }
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            engine: Engine::default(),
            threads: None,
            fuse: true,
            optimize: true,
            chunk: None,
            cache: None,
            math: Math::Exact,
        }
    }
}

/// A parsed program, not yet typed.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
    ast: syntax::ast::Program,
}

impl Expr {
    /// Lex and parse `source`.
    pub fn parse(source: &str) -> Result<Expr> {
        Ok(Expr { source: source.to_string(), ast: syntax::parse(source)? })
    }

    /// The source text, as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn ast(&self) -> &syntax::ast::Program {
        &self.ast
    }

    /// Type the program for inputs of these names and dtypes (NEP 50 promotion,
    /// name resolution, explicit casts). Names the program does not use are fine.
    pub fn compile(&self, signature: &[(&str, DType)]) -> Result<Compiled> {
        let sig: Vec<(String, DType)> = signature.iter().map(|(n, d)| (n.to_string(), *d)).collect();
        let program = ir::lower(&self.ast, &sig)?;
        Compiled::new(self.source.clone(), program)
    }

    /// [`Expr::compile`] with named *weak* scalars besides the inputs: values that
    /// type as Python numbers do under NEP 50 (as a literal in their place would),
    /// so `a * x` with `a` float32 and `x = Scalar::Float64(2.5)` stays float32.
    /// An int or float of any width is a Python int or float, a bool a strong
    /// `True`/`False`. Their values are compiled in as constants, so a new value
    /// means a new compilation (the Python package passes Python scalars this way).
    ///
    /// ```
    /// use jitexpr::{DType, Expr, Scalar};
    ///
    /// let c = Expr::parse("a * x")?.compile_with(&[("a", DType::Float32)], &[("x", Scalar::Float64(2.5))])?;
    /// assert_eq!(c.output_dtype(None), Some(DType::Float32));
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn compile_with(&self, signature: &[(&str, DType)], weak: &[(&str, Scalar)]) -> Result<Compiled> {
        let sig: Vec<(String, DType)> = signature.iter().map(|(n, d)| (n.to_string(), *d)).collect();
        let weak: Vec<(String, Scalar)> = weak.iter().map(|(n, v)| (n.to_string(), *v)).collect();
        let program = ir::lower::lower_with(&self.ast, &sig, &weak)?;
        Compiled::new(self.source.clone(), program)
    }

    /// The names the program reads before assigning them, in order of first use:
    /// what a caller must bind as inputs (a named constant `pi e inf nan` among
    /// them is used as the constant unless an input of that name is given).
    ///
    /// ```
    /// let e = jitexpr::Expr::parse("t = a * 2; t + sin(b) + pi")?;
    /// assert_eq!(e.free_names(), ["a", "b", "pi"]);
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn free_names(&self) -> Vec<&str> {
        self.ast.free_names()
    }

    /// The `--emit tokens` dump of the source.
    pub fn emit_tokens(&self) -> Result<String> {
        Ok(syntax::token::dump_tokens(&syntax::lex(&self.source)?))
    }

    /// The `--emit ast` dump.
    pub fn emit_ast(&self) -> String {
        self.ast.to_string()
    }
}

/// How a program's result splits over blocks of its inputs ([`Compiled::split`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// No reduction: any block of the result is the program on the same blocks.
    Elementwise,
    /// The result is the reduction `op` (`"sum"`, `"max"`, ...) over `axis` (all
    /// axes when `None`) of an elementwise argument.
    Reduction {
        /// The reduction's name.
        op: &'static str,
        /// The axis reduced, `None` for all axes.
        axis: Option<i64>,
    },
    /// Reductions feed further work: the program needs several passes
    /// ([`Compiled::passes`]).
    Staged,
}

/// A program cut into dependent passes over its inputs ([`Compiled::passes`]):
/// what a distributed caller runs as stages, each a whole pass over the data.
#[derive(Clone, Debug)]
pub struct Passes {
    /// The reductions the result needs, in dependency order. Pass `k`'s value is
    /// input `#k` of later passes (`#` cannot start a name, so it never clashes).
    pub reductions: Vec<ReductionPass>,
    /// The elementwise rest over the original inputs and the reductions' values,
    /// or `None` when the result is the last reduction itself.
    pub finish: Option<Compiled>,
}

/// One reduction of [`Passes`]: `program`'s result is `op` over `axis` (all
/// axes when `None`) of an elementwise argument of the original inputs and
/// earlier passes' values. For `mean` the program computes the `sum` (in
/// mean's accumulator dtype), so blocks' partial results combine; the caller
/// divides by the count.
#[derive(Clone, Debug)]
pub struct ReductionPass {
    /// The pass's program: its result is the reduction (a `sum` for a `mean`).
    pub program: Compiled,
    /// The reduction's name (`"sum"`, `"max"`, ...).
    pub op: &'static str,
    /// The axis reduced, `None` for all axes.
    pub axis: Option<i64>,
}

/// How far [`Math::Fast`] may take a program's result from [`Math::Exact`]'s
/// ([`Compiled::fast_math_bound`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathBound {
    /// No inexact rewrite applies: fast mode gives the exact bits.
    Exact,
    /// The only inexact rewrite is of the result itself, within this many ulps.
    Ulps(u32),
    /// Inexact rewrites without an ulp bound on the result: of inner nodes
    /// (later operations can amplify their error, as `sin` of a large
    /// argument does), or with only an absolute bound (Horner form, FMA).
    Unbounded,
}

/// A typed program, ready to evaluate on arrays of any shape.
#[derive(Clone, Debug)]
pub struct Compiled {
    source: String,
    program: ir::Program,
    /// JIT plans already made, so re-evaluation does not plan again.
    plans: plan::PlanMemo,
    /// The last call prepared, so a repeated call runs its kernel at once.
    calls: exec::CallMemo,
}

impl Compiled {
    /// A typed program ready to evaluate (`source` is only for diagnostics).
    /// The program is checked first ([`ir::Program::check`]): IR built by hand
    /// that breaks an invariant is an [`ErrorKind::Internal`] error here, never
    /// undefined behaviour in an engine.
    pub(crate) fn new(source: String, program: ir::Program) -> Result<Compiled> {
        program.check()?;
        Ok(Compiled { source, program, plans: plan::PlanMemo::default(), calls: exec::CallMemo::default() })
    }

    /// The source text, as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn program(&self) -> &ir::Program {
        &self.program
    }

    /// The inputs the program was compiled for, with their dtypes, in signature order.
    pub fn inputs(&self) -> impl Iterator<Item = (&str, DType)> {
        self.program.inputs.iter().map(|i| (i.name.as_str(), i.dtype))
    }

    /// The names the program assigns, each a possible named output, in order of
    /// first assignment.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.program.names.iter().map(|(n, _)| n.as_str())
    }

    /// The shapes of the requested outputs (`None`: the result) for inputs of these
    /// shapes, given in the order of [`Compiled::inputs`]: what a caller
    /// allocates before [`Compiled::eval_views_into`] (a shape or axis error is
    /// reported here, with its span, as evaluation would). Served without
    /// inference when the last prepared call (the call memo) had inputs of
    /// these shapes and these outputs, so a repeated call pays no inference.
    pub fn output_shapes(&self, input_shapes: &[&[usize]], outputs: &[Option<&str>]) -> Result<Vec<Vec<usize>>> {
        if let Some(shapes) = self.calls.output_shapes(input_shapes, outputs) {
            return Ok(shapes);
        }
        let ids = self.output_ids(outputs)?;
        let shapes = shape::infer(&self.program, input_shapes, &ids)?;
        Ok(ids
            .iter()
            .map(|id| shapes[id.index()].clone().expect("shape inference covers every requested output"))
            .collect())
    }

    /// How the program's result splits over blocks of its inputs, for callers that
    /// distribute work (the Dask integration): `Elementwise` when no reduction
    /// is computed anywhere, so each block of the result needs only the same
    /// blocks of the inputs; `Reduction` when the result is one reduction
    /// (`sum(expr, axis=k)`) of an elementwise argument and the program has no
    /// other; `Staged` otherwise (a reduction feeds later work, as in softmax).
    pub fn split(&self) -> Split {
        let reductions: Vec<&ir::Node> =
            self.program.nodes.iter().filter(|n| matches!(n.inst, ir::Inst::Reduce { .. })).collect();
        match (reductions.as_slice(), &self.program.node(self.program.result).inst) {
            ([], _) => Split::Elementwise,
            ([_], ir::Inst::Reduce { op, axis, .. }) => Split::Reduction { op: op.name(), axis: *axis },
            _ => Split::Staged,
        }
    }

    /// The program as dependent passes: each reduction the result needs, in
    /// node order (arguments precede users, so a reduction's inputs are ready
    /// before it), computed by a program of its own whose other reductions are
    /// inputs, then the elementwise rest. Taken from the typed IR, so the cut is
    /// the one evaluation makes: `e = exp(a - max(a)); e / sum(e)` is
    /// `max(a)`, `sum(exp(a - #0))`, then `exp(a - #0) / #1`. Each cut is
    /// checked as every typed program is (an invariant broken is an [`ErrorKind::Internal`] error).
    pub fn passes(&self) -> Result<Passes> {
        let program = &self.program;
        let needed = shape::needed(program, &[program.result]);
        let reduces: Vec<ir::NodeId> = (0..program.nodes.len())
            .map(|i| ir::NodeId(i as u32))
            .filter(|id| needed[id.index()] && matches!(program.node(*id).inst, ir::Inst::Reduce { .. }))
            .collect();
        let mut reductions = Vec::with_capacity(reduces.len());
        for (k, id) in reduces.iter().enumerate() {
            let ir::Inst::Reduce { op, axis, .. } = program.node(*id).inst else {
                unreachable!("filtered to reductions")
            };
            let mut sub = self.cut(*id, &reduces[..k]);
            if op == ir::ops::ReduceOp::Mean {
                let last = sub.nodes.last_mut().expect("the cut program ends at its result");
                if let ir::Inst::Reduce { op: sum, .. } = &mut last.inst {
                    *sum = ir::ops::ReduceOp::Sum;
                }
            }
            reductions.push(ReductionPass { program: Compiled::new(self.source.clone(), sub)?, op: op.name(), axis });
        }
        let finish = (reduces.last() != Some(&program.result))
            .then(|| Compiled::new(self.source.clone(), self.cut(program.result, &reduces)))
            .transpose()?;
        Ok(Passes { reductions, finish })
    }

    /// The program computing `target`, with the nodes `done` (earlier passes)
    /// read as inputs `#0`, `#1`, ... after the original inputs it uses.
    fn cut(&self, target: ir::NodeId, done: &[ir::NodeId]) -> ir::Program {
        let program = &self.program;
        let mut need = vec![false; target.index() + 1];
        need[target.index()] = true;
        for i in (0..=target.index()).rev() {
            if need[i] && !done.contains(&ir::NodeId(i as u32)) {
                for a in program.nodes[i].inst.args() {
                    need[a.index()] = true;
                }
            }
        }
        // Original inputs keep their signature order; pass values follow.
        let mut inputs = Vec::new();
        let mut input_map = vec![None; program.inputs.len()];
        for node in program.nodes[..=target.index()].iter().zip(&need).filter(|(_, n)| **n).map(|(n, _)| n) {
            if let ir::Inst::Input(j) = node.inst {
                input_map[j] = Some(j);
            }
        }
        for (j, slot) in input_map.iter_mut().enumerate() {
            if slot.is_some() {
                *slot = Some(inputs.len());
                inputs.push(program.inputs[j].clone());
            }
        }
        let mut map = vec![ir::NodeId(u32::MAX); target.index() + 1];
        let mut nodes = Vec::new();
        for (i, node) in program.nodes[..=target.index()].iter().enumerate() {
            if !need[i] {
                continue;
            }
            let inst = if let Some(k) = done.iter().position(|d| d.index() == i) {
                inputs.push(ir::Input { name: format!("#{k}"), dtype: node.dtype });
                ir::Inst::Input(inputs.len() - 1)
            } else if let ir::Inst::Input(j) = node.inst {
                ir::Inst::Input(input_map[j].expect("every used input is mapped"))
            } else {
                node.inst.map(|a| map[a.index()])
            };
            map[i] = ir::NodeId(nodes.len() as u32);
            nodes.push(ir::Node { inst, dtype: node.dtype, span: node.span });
        }
        let result = ir::NodeId(nodes.len() as u32 - 1);
        ir::Program { inputs, nodes, result, names: Vec::new() }
    }

    /// The `--emit ir` dump: the typed program before optimization.
    pub fn emit_ir(&self) -> String {
        self.program.to_string()
    }

    /// The dtype of an output (`None`: the result), if the program has it.
    pub fn output_dtype(&self, name: Option<&str>) -> Option<DType> {
        self.program.output(name).map(|id| self.program.node(id).dtype)
    }

    /// Evaluate the program's result with the default configuration.
    pub fn eval(&self, inputs: &[(&str, &Array)]) -> Result<Array> {
        let mut out = self.eval_with(inputs, &[None], &EvalConfig::default())?;
        Ok(out.pop().expect("eval_with returns one array per requested output"))
    }

    /// Evaluate the requested outputs (`None`: the result; `Some(name)`: an
    /// assigned name), in order.
    pub fn eval_with(
        &self,
        inputs: &[(&str, &Array)],
        outputs: &[Option<&str>],
        config: &EvalConfig,
    ) -> Result<Vec<Array>> {
        self.eval_views_with(&views(inputs), outputs, config)
    }

    /// Evaluate the requested outputs into caller-provided arrays, which must
    /// already have the outputs' dtypes and shapes and be in C order (no
    /// allocation for values a JIT kernel stores directly).
    pub fn eval_into(
        &self,
        inputs: &[(&str, &Array)],
        outputs: &mut [(Option<&str>, &mut Array)],
        config: &EvalConfig,
    ) -> Result<()> {
        let mut outs = Vec::with_capacity(outputs.len());
        for (name, array) in outputs.iter_mut() {
            outs.push((*name, array.view_mut()?));
        }
        self.eval_views_into(&views(inputs), &mut outs, config)
    }

    /// [`Compiled::eval`] on views of any layout (transposed, reversed, sliced,
    /// Fortran order, broadcast with stride 0), read in place without copies.
    ///
    /// ```
    /// use jitexpr::{Array, DType, Expr};
    ///
    /// let compiled = Expr::parse("a - b")?.compile(&[("a", DType::Float64), ("b", DType::Float64)])?;
    /// let m = Array::new(jitexpr::Data::Float64(vec![0.0, 1.0, 2.0, 3.0]), vec![2, 2])?;
    /// let out = compiled.eval_views(&[("a", m.view()), ("b", m.view().transpose())])?;
    /// assert_eq!(out.as_slice::<f64>(), Some(&[0.0, -1.0, 1.0, 0.0][..]));
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn eval_views(&self, inputs: &[(&str, ArrayView<'_>)]) -> Result<Array> {
        let mut out = self.eval_views_with(inputs, &[None], &EvalConfig::default())?;
        Ok(out.pop().expect("eval_views_with returns one array per requested output"))
    }

    /// [`Compiled::eval_with`] on views of any layout.
    pub fn eval_views_with(
        &self,
        inputs: &[(&str, ArrayView<'_>)],
        outputs: &[Option<&str>],
        config: &EvalConfig,
    ) -> Result<Vec<Array>> {
        let ids = self.output_ids(outputs)?;
        let views = self.bind(inputs)?;
        match config.engine {
            Engine::Interp => self.interpret(&views, &ids, config),
            Engine::Jit => {
                let planned = self.plan(&ids, config);
                exec::eval(&planned.program, &planned.plan, &views, &mut [], config)
                    .map_err(|e| self.source_error(e, &views, &ids))
            }
        }
    }

    /// A shape error of the optimized program as the interpreter reports it on the
    /// source program: CSE may have merged a failing node into an earlier one (with
    /// another span, or commuted operands), but the same shapes fail in both, so
    /// the source's first failing node is the one the user wrote.
    fn source_error(&self, e: Error, views: &[ArrayView<'_>], ids: &[ir::NodeId]) -> Error {
        if e.kind != ErrorKind::Shape {
            return e;
        }
        let shapes: Vec<&[usize]> = views.iter().map(|v| v.shape()).collect();
        shape::infer(&self.program, &shapes, ids).err().unwrap_or(e)
    }

    /// [`Compiled::eval_into`] on views: inputs of any layout, outputs written
    /// into C-contiguous mutable views (e.g. borrowed from a caller's buffer).
    pub fn eval_views_into(
        &self,
        inputs: &[(&str, ArrayView<'_>)],
        outputs: &mut [(Option<&str>, ArrayViewMut<'_>)],
        config: &EvalConfig,
    ) -> Result<()> {
        if config.engine == Engine::Jit && self.calls.run(&mut exec::Call { inputs, outputs, config }) {
            return Ok(());
        }
        let names: Vec<Option<&str>> = outputs.iter().map(|(n, _)| *n).collect();
        let ids = self.output_ids(&names)?;
        let views = self.bind(inputs)?;
        if config.engine == Engine::Jit {
            let planned = self.plan(&ids, config);
            let mut call = exec::Call { inputs, outputs, config };
            let bind = self.positions(inputs);
            match self.calls.prepare_and_run(&planned.program, &planned.plan, &views, bind, &mut call) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => return Err(self.source_error(e, &views, &ids)),
            }
        }
        let mut outs: Vec<ArrayViewMut<'_>> = outputs.iter_mut().map(|(_, v)| v.reborrow()).collect();
        match config.engine {
            Engine::Interp => {
                let values = self.interpret(&views, &ids, config)?;
                for (out, value) in outs.iter_mut().zip(&values) {
                    if out.dtype() != value.dtype() || out.shape() != value.shape() {
                        return Err(Error::new(
                            ErrorKind::Shape,
                            format!(
                                "the output array is {} {} but the value is {} {}",
                                out.dtype(),
                                array::fmt_shape(out.shape()),
                                value.dtype(),
                                array::fmt_shape(value.shape())
                            ),
                        ));
                    }
                }
                for (out, value) in outs.iter_mut().zip(&values) {
                    out.assign(&value.view());
                }
                Ok(())
            }
            Engine::Jit => {
                let planned = self.plan(&ids, config);
                exec::eval(&planned.program, &planned.plan, &views, &mut outs, config)
                    .map_err(|e| self.source_error(e, &views, &ids))?;
                Ok(())
            }
        }
    }

    /// The interpreter's values of the outputs `ids`: on the program as lowered
    /// in exact mode, on the rewritten program ([`plan::fast_program`]) in fast
    /// mode, so that it is the oracle of the JIT in both.
    fn interpret(&self, views: &[ArrayView<'_>], ids: &[ir::NodeId], config: &EvalConfig) -> Result<Vec<Array>> {
        match config.math {
            Math::Exact => interp::eval_views(&self.program, views, ids),
            Math::Fast => {
                let (program, outputs) = plan::fast_program(&self.program, ids);
                interp::eval_views(&program, views, &outputs).map_err(|e| self.source_error(e, views, ids))
            }
        }
    }

    /// The program the JIT runs for these outputs (optimized unless the config
    /// says not to, rewritten in fast mode) and its plan; in exact mode the
    /// interpreter runs the unoptimized IR.
    pub(crate) fn plan(&self, ids: &[ir::NodeId], config: &EvalConfig) -> Arc<plan::Planned> {
        let fusion = if config.fuse { fuse::Fusion::Fused } else { fuse::Fusion::Unfused };
        let optimization = if config.optimize { plan::Optimization::Exact } else { plan::Optimization::Off };
        self.plans.get(&self.program, ids, plan::Modes { fusion, optimization, math: config.math })
    }

    /// The `--emit opt` dump: the optimized program for these outputs and every
    /// rewrite that fired.
    pub fn emit_opt(&self, outputs: &[Option<&str>]) -> Result<String> {
        self.emit_opt_with(outputs, Math::Exact)
    }

    /// [`Compiled::emit_opt`] in a math mode: in fast mode, the program with the
    /// fast rewrites (what every engine runs) and the report with their bounds.
    pub fn emit_opt_with(&self, outputs: &[Option<&str>], math: Math) -> Result<String> {
        let ids = self.output_ids(outputs)?;
        let config = match math {
            Math::Exact => ir::opt::OptConfig::default(),
            Math::Fast => ir::opt::OptConfig::fast(),
        };
        Ok(ir::opt::optimize_with(&self.program, &ids, &config).to_string())
    }

    /// How far [`Math::Fast`] may take the result from [`Math::Exact`]'s, from
    /// the rewrites fast mode applies to this program (`--emit opt` with
    /// `--math fast` lists them with their bounds).
    ///
    /// ```
    /// use jitexpr::{DType, Expr, MathBound};
    ///
    /// let sig = [("a", DType::Float64), ("b", DType::Float64)];
    /// assert_eq!(Expr::parse("a + b")?.compile(&sig)?.fast_math_bound(), MathBound::Exact);
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn fast_math_bound(&self) -> MathBound {
        let program = &self.program;
        let report = ir::opt::optimize_with(program, &[program.result], &ir::opt::OptConfig::fast()).report;
        let inexact: Vec<_> = report.iter().filter(|r| r.rule.exactness() != ir::opt::Exactness::Exact).collect();
        match inexact.as_slice() {
            [] => MathBound::Exact,
            [r] if r.node == program.result => match r.rule.exactness() {
                ir::opt::Exactness::Ulps(n) => MathBound::Ulps(n),
                _ => MathBound::Unbounded,
            },
            _ => MathBound::Unbounded,
        }
    }

    /// The `--emit fused` report for these outputs.
    pub fn emit_fused(&self, outputs: &[Option<&str>], config: &EvalConfig) -> Result<String> {
        let ids = self.output_ids(outputs)?;
        let planned = self.plan(&ids, config);
        Ok(fuse::print_plan(&planned.program, &self.source, &planned.plan))
    }

    /// The `--emit clif` dump: the Cranelift IR of every kernel, compiled for
    /// contiguous parameters (0-d and broadcast parameters get a variant that
    /// loads them once before the loop) and folded reductions (a reduction along
    /// a non-innermost axis gets a variant with a row of accumulators).
    pub fn emit_clif(&self, outputs: &[Option<&str>], config: &EvalConfig) -> Result<String> {
        self.emit_kernels(outputs, config, |kernel, layouts| Ok(codegen::clif(kernel, layouts)))
    }

    /// The `--emit asm` dump: the machine code of every kernel for this CPU, for the
    /// layouts `--emit clif` shows.
    pub fn emit_asm(&self, outputs: &[Option<&str>], config: &EvalConfig) -> Result<String> {
        self.emit_kernels(outputs, config, codegen::asm)
    }

    fn emit_kernels(
        &self,
        outputs: &[Option<&str>],
        config: &EvalConfig,
        dump: impl Fn(&fuse::Kernel, &[codegen::Layout]) -> Result<String>,
    ) -> Result<String> {
        let ids = self.output_ids(outputs)?;
        let planned = self.plan(&ids, config);
        let mut out = String::new();
        for (i, s) in planned.plan.stages.iter().enumerate() {
            let mut layouts = vec![codegen::Layout::Contiguous; s.params.len() + s.kernel.outputs.len()];
            layouts.extend(std::iter::repeat_n(codegen::Layout::Invariant, s.reductions.len()));
            out.push_str(&format!("; stage {i}\n{}\n", dump(&s.kernel, &layouts)?));
        }
        Ok(out)
    }

    pub(crate) fn output_ids(&self, outputs: &[Option<&str>]) -> Result<Vec<ir::NodeId>> {
        outputs
            .iter()
            .map(|name| {
                self.program.output(*name).ok_or_else(|| {
                    let n = name.unwrap_or_default();
                    Error::new(
                        ErrorKind::Name,
                        format!("`{n}` is not assigned in the program, so it cannot be an output"),
                    )
                })
            })
            .collect()
    }

    /// Per input of the signature, the index of the first given view with its
    /// name (after [`Compiled::bind`] found one for each).
    fn positions(&self, inputs: &[(&str, ArrayView<'_>)]) -> Vec<usize> {
        self.program
            .inputs
            .iter()
            .map(|input| inputs.iter().position(|(n, _)| *n == input.name).expect("bound inputs are given"))
            .collect()
    }

    /// Match the given named views to the signature, checking dtypes.
    fn bind<'a>(&self, inputs: &[(&str, ArrayView<'a>)]) -> Result<Vec<ArrayView<'a>>> {
        self.program
            .inputs
            .iter()
            .map(|input| {
                let (_, arr) = inputs.iter().find(|(n, _)| *n == input.name).ok_or_else(|| {
                    Error::new(ErrorKind::Input, format!("no value given for input `{}`", input.name))
                })?;
                if arr.dtype() != input.dtype {
                    return Err(Error::new(
                        ErrorKind::Input,
                        format!("input `{}` was compiled for {} but is {}", input.name, input.dtype, arr.dtype()),
                    ));
                }
                Ok(arr.clone())
            })
            .collect()
    }
}

/// Views of named arrays.
fn views<'a>(inputs: &[(&'a str, &'a Array)]) -> Vec<(&'a str, ArrayView<'a>)> {
    inputs.iter().map(|(n, a)| (*n, a.view())).collect()
}

/// Every name a program can call: the functions and their aliases, the
/// reductions, the casts (dtype names) and `pow`/`power`.
///
/// ```
/// let names = jitexpr::function_names();
/// assert!(names.contains(&"sin") && names.contains(&"sum") && names.contains(&"float32"));
/// ```
pub fn function_names() -> Vec<&'static str> {
    ir::ops::all_names()
}

/// Parse, compile for the given arrays' dtypes and evaluate the result in one go.
pub fn evaluate(source: &str, inputs: &[(&str, &Array)]) -> Result<Array> {
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (*n, a.dtype())).collect();
    Expr::parse(source)?.compile(&sig)?.eval(inputs)
}

/// Not part of the API (hidden, no stability promise): the compile pipeline one
/// stage at a time, for `benches/compile.rs`, which times each stage, and the
/// block kernels for `examples/vmath_bench.rs`. They cannot time stages through
/// the public API, whose methods run several stages at once. Values are opaque.
#[doc(hidden)]
pub mod __private {
    use super::{fuse, ir, syntax, DType, Result};

    pub use crate::vmath::{map1_f32_with, map1_f64_with, map2_f32_with, map2_f64_with, Binary, Unary, Variant};

    /// A parsed program.
    pub struct Ast(syntax::ast::Program);
    /// A typed program.
    pub struct Program(ir::Program);
    /// A fused plan of kernels.
    pub struct Plan(fuse::Plan);

    /// Take the last-level cache to be `bytes` large when choosing streaming
    /// stores (0: the detected size), so tests reach the streaming kernels
    /// whatever the machine's cache. Results never depend on it.
    pub fn set_llc_bytes(bytes: usize) {
        crate::exec::LLC_OVERRIDE.store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// Kernels the AVX2 emitter built but iced could not encode (an emitter bug;
    /// those kernels ran on Cranelift). Tests check it stays 0.
    pub fn simd_encode_bugs() -> usize {
        #[cfg(all(target_arch = "x86_64", not(windows)))]
        return crate::codegen::simd_encode_bugs();
        #[cfg(not(all(target_arch = "x86_64", not(windows))))]
        return 0;
    }

    /// Lex and parse.
    pub fn parse(source: &str) -> Result<Ast> {
        syntax::parse(source).map(Ast)
    }

    /// Lower to typed IR.
    pub fn lower(ast: &Ast, signature: &[(String, DType)]) -> Result<Program> {
        ir::lower(&ast.0, signature).map(Program)
    }

    /// Optimize for the result (the optimized program is dropped).
    pub fn optimize(program: &Program) {
        drop(std::hint::black_box(ir::opt::optimize(&program.0, &[program.0.result])));
    }

    /// Fuse for the result.
    pub fn fuse(program: &Program) -> Plan {
        Plan(fuse::plan(&program.0, &[program.0.result], fuse::Fusion::Fused))
    }

    /// Compile every kernel of the plan for contiguous parameters, with no cache.
    pub fn codegen(plan: &Plan) -> Result<()> {
        for s in &plan.0.stages {
            let k = &s.kernel;
            let layouts =
                vec![crate::codegen::Layout::Contiguous; k.params.len() + k.outputs.len() + k.reductions.len()];
            drop(std::hint::black_box(crate::codegen::compile(
                k,
                &layouts,
                crate::codegen::CodegenOptions::default(),
            )?));
        }
        Ok(())
    }
}
