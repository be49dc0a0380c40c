//! `jitexpr._jitexpr`: the Python bindings of jitexpr (PyO3 + rust-numpy).
//!
//! A translation layer only, like polars' `py-polars`: it converts NumPy arrays
//! to views (`convert`), releases the GIL while compiling and evaluating,
//! calls the core's public API and maps its errors to Python exceptions
//! (`errors`). No semantics live here; the user API (`evaluate`, `compile`,
//! name lookup, caches, `out=` casting) is the Python package `jitexpr`.

#![deny(clippy::undocumented_unsafe_blocks)]

mod convert;
mod errors;

use convert::{check_disjoint, disjoint, Operand, Output};
use jitexpr::{Compiled as CoreCompiled, DType, Engine, EvalConfig, Expr as CoreExpr, Math, Scalar};
use numpy::PyUntypedArrayMethods;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyTuple};
use smallvec::SmallVec;

/// A parsed program (`jitexpr.Expr` in the core).
#[pyclass(frozen, module = "jitexpr._jitexpr")]
struct Expr {
    expr: CoreExpr,
}

/// The dtype named `name` (`"float64"`, ...).
fn dtype_named(name: &str) -> PyResult<DType> {
    DType::from_name(name).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "dtype {name} is not supported; jitexpr supports bool, int32, int64, float32, float64"
        ))
    })
}

/// A Python bool, int or float as the core's weak scalar.
fn weak_scalar(name: &str, v: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if v.is_instance_of::<PyBool>() {
        Ok(Scalar::Bool(v.extract()?))
    } else if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| {
            PyValueError::new_err(format!("the Python int `{name}` is outside int64; pass it as a float or an array"))
        })?;
        Ok(Scalar::Int64(i))
    } else if v.is_instance_of::<PyFloat>() {
        Ok(Scalar::Float64(v.extract()?))
    } else {
        Err(PyTypeError::new_err(format!("`{name}` is not a Python bool, int or float")))
    }
}

#[pymethods]
impl Expr {
    #[new]
    fn new(py: Python<'_>, source: String) -> PyResult<Expr> {
        let expr = py.detach(|| CoreExpr::parse(&source)).map_err(|e| errors::to_py(&e, &source))?;
        Ok(Expr { expr })
    }

    #[getter]
    fn source(&self) -> &str {
        self.expr.source()
    }

    /// Names the program reads before assigning them, in order of first use.
    #[getter]
    fn free_names(&self) -> Vec<String> {
        self.expr.free_names().into_iter().map(str::to_string).collect()
    }

    /// Type the program for `signature` (input name, dtype name) and the weak
    /// Python scalars `weak` (name, value).
    fn compile(
        &self,
        py: Python<'_>,
        signature: Vec<(String, String)>,
        weak: Vec<(String, Bound<'_, PyAny>)>,
    ) -> PyResult<Compiled> {
        let sig = signature.iter().map(|(n, d)| Ok((n.as_str(), dtype_named(d)?))).collect::<PyResult<Vec<_>>>()?;
        let weak = weak.iter().map(|(n, v)| Ok((n.as_str(), weak_scalar(n, v)?))).collect::<PyResult<Vec<_>>>()?;
        let compiled =
            py.detach(|| self.expr.compile_with(&sig, &weak)).map_err(|e| errors::to_py(&e, self.expr.source()))?;
        Ok(Compiled { compiled })
    }

    fn emit_tokens(&self) -> PyResult<String> {
        self.expr.emit_tokens().map_err(|e| errors::to_py(&e, self.expr.source()))
    }

    fn emit_ast(&self) -> String {
        self.expr.emit_ast()
    }
}

/// A typed program (`jitexpr.Compiled` in the core).
#[pyclass(frozen, module = "jitexpr._jitexpr")]
struct Compiled {
    compiled: CoreCompiled,
}

/// Evaluations whose largest array has fewer elements run with the GIL held:
/// releasing and taking it back costs about as much as a call's whole overhead
/// (~0.3 µs), more than such a kernel runs (16 Ki float64 additions take
/// ~5 µs), and other Python threads would gain nothing from so short a pause.
const GIL_RELEASE_ELEMENTS: usize = 1 << 14;

/// The evaluation settings the Python layer passes.
fn config(engine: &str, threads: usize, math: &str) -> PyResult<EvalConfig> {
    let engine = match engine {
        "jit" => Engine::Jit,
        "interp" => Engine::Interp,
        other => return Err(PyValueError::new_err(format!("unknown engine {other:?}; use 'jit' or 'interp'"))),
    };
    let math = match math {
        "exact" => Math::Exact,
        "fast" => Math::Fast,
        other => return Err(PyValueError::new_err(format!("unknown math {other:?}; use 'exact' or 'fast'"))),
    };
    Ok(EvalConfig { engine, threads: Some(threads.max(1)), math, ..EvalConfig::default() })
}

impl Compiled {
    fn err(&self, e: jitexpr::Error) -> PyErr {
        errors::to_py(&e, self.compiled.source())
    }

    /// Evaluate `operands` (in signature order, of the compiled dtypes) for the
    /// outputs `wanted`, each into its `outs` array or a new one; returns the
    /// output arrays. An `outs` array that cannot take its output in place (see
    /// `Output::given`, `check_disjoint`) is an error when `strict`, else
    /// `None` with nothing done. The GIL is released for large work.
    fn run<'py>(
        &self,
        py: Python<'py>,
        operands: &[Operand<'py>],
        wanted: &[Option<&str>],
        outs: &[Option<Bound<'py, PyAny>>],
        config: &EvalConfig,
        strict: bool,
    ) -> PyResult<Option<Vec<Output<'py>>>> {
        let shapes: SmallVec<[&[usize]; 8]> = operands.iter().map(Operand::shape).collect();
        let out_shapes = self.compiled.output_shapes(&shapes, wanted).map_err(|e| self.err(e))?;
        let mut results = Vec::with_capacity(wanted.len());
        for ((name, shape), out) in wanted.iter().zip(&out_shapes).zip(outs) {
            let dtype = self.compiled.output_dtype(*name).expect("output_shapes checked the name");
            results.push(match out {
                Some(obj) if strict => Output::given(obj, dtype, shape)?,
                Some(obj) => match Output::exact(obj, dtype, shape) {
                    Some(o) => o,
                    None => return Ok(None),
                },
                None => Output::empty(py, dtype, shape)?,
            });
        }
        if strict {
            check_disjoint(operands, &results)?;
        } else if !disjoint(operands, &results) {
            return Ok(None);
        }
        let mut named: SmallVec<[(&str, jitexpr::ArrayView<'_>); 4]> = SmallVec::new();
        for (op, (name, _)) in operands.iter().zip(self.compiled.inputs()) {
            named.push((name, op.view()?));
        }
        let mut targets: SmallVec<[_; 2]> = SmallVec::new();
        for (name, out) in wanted.iter().zip(&results) {
            targets.push((*name, out.view_mut()?));
        }
        let compiled = &self.compiled;
        let mut run = || compiled.eval_views_into(&named, &mut targets, config);
        let work = out_shapes
            .iter()
            .map(Vec::as_slice)
            .chain(shapes.iter().copied())
            .map(|s| s.iter().product::<usize>())
            .max()
            .unwrap_or(0);
        let result = if work < GIL_RELEASE_ELEMENTS { run() } else { py.detach(run) };
        result.map_err(|e| self.err(e))?;
        drop(targets);
        Ok(Some(results))
    }
}

#[pymethods]
impl Compiled {
    /// Input names in signature order.
    #[getter]
    fn input_names(&self) -> Vec<String> {
        self.compiled.inputs().map(|(n, _)| n.to_string()).collect()
    }

    /// Input dtype names in signature order.
    #[getter]
    fn input_dtypes(&self) -> Vec<&'static str> {
        self.compiled.inputs().map(|(_, d)| d.name()).collect()
    }

    /// Assigned names, each a possible output.
    #[getter]
    fn output_names(&self) -> Vec<String> {
        self.compiled.output_names().map(str::to_string).collect()
    }

    /// The dtype name of an output (`None`: the result).
    #[pyo3(signature = (name=None))]
    fn dtype(&self, name: Option<&str>) -> PyResult<&'static str> {
        self.compiled
            .output_dtype(name)
            .map(DType::name)
            .ok_or_else(|| PyValueError::new_err(format!("`{}` is not assigned in the program", name.unwrap_or(""))))
    }

    /// How the result splits over blocks: `("elementwise", None, None)`,
    /// `("reduction", op, axis)` or `("staged", None, None)`.
    fn split(&self) -> (&'static str, Option<&'static str>, Option<i64>) {
        match self.compiled.split() {
            jitexpr::Split::Elementwise => ("elementwise", None, None),
            jitexpr::Split::Reduction { op, axis } => ("reduction", Some(op), axis),
            jitexpr::Split::Staged => ("staged", None, None),
        }
    }

    /// The program as dependent passes (the core's `Compiled::passes`):
    /// `([(program, op, axis), ...], finish)`, `finish` `None` when the result
    /// is the last reduction.
    #[allow(clippy::type_complexity)]
    fn passes(&self) -> PyResult<(Vec<(Compiled, &'static str, Option<i64>)>, Option<Compiled>)> {
        let passes = self.compiled.passes().map_err(|e| self.err(e))?;
        let reductions =
            passes.reductions.into_iter().map(|r| (Compiled { compiled: r.program }, r.op, r.axis)).collect();
        Ok((reductions, passes.finish.map(|compiled| Compiled { compiled })))
    }

    /// The shape of an output (`None`: the result) for these input arrays.
    #[pyo3(signature = (name, inputs))]
    fn shape(&self, name: Option<&str>, inputs: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<usize>> {
        let mut shapes = Vec::with_capacity(inputs.len());
        for a in &inputs {
            shapes.push(a.cast::<numpy::PyUntypedArray>()?.shape().to_vec());
        }
        let shapes: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
        let mut out = self.compiled.output_shapes(&shapes, &[name]).map_err(|e| self.err(e))?;
        Ok(out.pop().expect("one shape per requested output"))
    }

    /// Evaluate: `inputs` are NumPy arrays in signature order; `outputs` the
    /// requested outputs (`None`: the result); `outs` an array to write each into
    /// (C-contiguous, of its exact dtype and shape, overlapping nothing) or
    /// `None` for a new one. `math`: `'exact'` or `'fast'`. Returns the output arrays.
    #[pyo3(signature = (inputs, outputs, outs, engine, threads, math="exact"))]
    #[allow(clippy::too_many_arguments)] // the Python layer's positional call
    fn eval<'py>(
        &self,
        py: Python<'py>,
        inputs: Vec<Bound<'py, PyAny>>,
        outputs: Vec<Option<String>>,
        outs: Vec<Option<Bound<'py, PyAny>>>,
        engine: &str,
        threads: usize,
        math: &str,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let config = config(engine, threads, math)?;
        let n = self.compiled.inputs().count();
        if inputs.len() != n {
            return Err(PyValueError::new_err(format!("{} inputs given for {n}", inputs.len())));
        }
        let mut operands = Vec::with_capacity(inputs.len());
        for (obj, (name, dtype)) in inputs.iter().zip(self.compiled.inputs()) {
            let op = Operand::new(obj, name)?;
            if op.dtype != dtype {
                return Err(PyTypeError::new_err(format!(
                    "input `{name}` was compiled for {dtype} but is {}",
                    op.dtype
                )));
            }
            operands.push(op);
        }
        let wanted: Vec<Option<&str>> = outputs.iter().map(Option::as_deref).collect();
        if outs.len() != wanted.len() {
            return Err(PyValueError::new_err("one `out` entry per requested output"));
        }
        let results = self.run(py, &operands, &wanted, &outs, &config, true)?.expect("strict runs return outputs");
        Ok(results.into_iter().map(|o| o.array.into_any()).collect())
    }

    /// The hot path of `Expression.__call__` and `evaluate`: the result for
    /// `args` (a tuple of NumPy arrays in signature order), written into `out`
    /// or a new array. `None`, with nothing done, when an argument is not
    /// exactly a `numpy.ndarray` of its compiled dtype, the count differs, or
    /// `out` cannot take the result in place (its dtype, shape, layout, or
    /// memory shared with an input): the caller then converts, checks and
    /// buffers (`eval`). Other errors are `eval`'s.
    #[pyo3(signature = (args, out, engine, threads, math))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        out: Option<Bound<'py, PyAny>>,
        engine: &str,
        threads: usize,
        math: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let items = args.as_slice();
        if items.len() != self.compiled.inputs().count() {
            return Ok(None);
        }
        let mut operands: SmallVec<[Operand<'py>; 4]> = SmallVec::new();
        for (obj, (_, dtype)) in items.iter().zip(self.compiled.inputs()) {
            match Operand::exact(obj, dtype)? {
                Some(op) => operands.push(op),
                None => return Ok(None),
            }
        }
        let config = config(engine, threads, math)?;
        let Some(mut results) = self.run(py, &operands, &[None], &[out], &config, false)? else { return Ok(None) };
        Ok(Some(results.pop().expect("one output requested").array.into_any()))
    }
    /// The text of one `--emit` stage after parsing (ir, opt, fused, clif, asm)
    /// for the requested outputs.
    fn explain(&self, py: Python<'_>, stage: &str, outputs: Vec<Option<String>>) -> PyResult<String> {
        let wanted: Vec<Option<&str>> = outputs.iter().map(Option::as_deref).collect();
        let config = EvalConfig::default();
        let c = &self.compiled;
        let text = py.detach(|| match stage {
            "ir" => Ok(Ok(c.emit_ir())),
            "opt" => Ok(c.emit_opt(&wanted)),
            "fused" => Ok(c.emit_fused(&wanted, &config)),
            "clif" => Ok(c.emit_clif(&wanted, &config)),
            "asm" => Ok(c.emit_asm(&wanted, &config)),
            _ => Err(()),
        });
        match text {
            Ok(r) => r.map_err(|e| self.err(e)),
            Err(()) => Err(PyValueError::new_err(format!(
                "unknown stage {stage:?}; the stages are tokens, ast, ir, opt, fused, clif, asm"
            ))),
        }
    }
}

/// The number of logical CPUs.
#[pyfunction]
fn detect_number_of_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[pymodule]
fn _jitexpr(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Expr>()?;
    m.add_class::<Compiled>()?;
    m.add_function(wrap_pyfunction!(detect_number_of_cores, m)?)?;
    Ok(())
}
