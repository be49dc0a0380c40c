//! NumPy arrays as jitexpr views, without copies: the only `unsafe` of the
//! bindings.
//!
//! Input: any `numpy.ndarray` of bool, int32, int64, float32 or float64. Output:
//! an [`ArrayView`] over the array's own memory (strides in bytes become strides
//! in elements; negative strides and zero strides for broadcast axes are kept),
//! or a C-contiguous [`ArrayViewMut`] over an output array.
//!
//! The documented exception: an array whose data or strides are not aligned to
//! its item size, or whose byte order is not native, cannot be read as Rust
//! values in place, so it is first copied by NumPy into an aligned native array.
//!
//! Soundness rests on three checks made here: the element type matches the
//! dtype; data and strides are aligned; and no output's memory overlaps an input's
//! or another output's (the Python layer buffers such calls before they get here).
//! The `Bound` references the caller keeps alive own the memory for the call, and
//! NumPy refuses to resize an array that other references see.

use jitexpr::{ArrayView, ArrayViewMut, DType};
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{IntoPyDict, PyAny};
use smallvec::SmallVec;

/// A shape or strides, inline up to 6 dimensions (no allocation per call).
type Dims<T> = SmallVec<[T; 6]>;

const SUPPORTED: &str = "bool, int32, int64, float32, float64";

/// An input array, possibly replaced by an aligned native copy, with what a
/// view of it needs.
pub struct Operand<'py> {
    /// Owns the memory the view reads, keeping it alive for the call.
    _owner: Bound<'py, PyUntypedArray>,
    pub dtype: DType,
    data: usize,
    shape: Dims<usize>,
    /// In elements.
    strides: Dims<isize>,
}

/// The jitexpr dtype of a NumPy dtype, if it is one of the five (any byte order).
fn dtype_of(descr: &Bound<'_, numpy::PyArrayDescr>) -> Option<DType> {
    match (descr.kind(), descr.itemsize()) {
        (b'b', 1) => Some(DType::Bool),
        (b'i', 4) => Some(DType::Int32),
        (b'i', 8) => Some(DType::Int64),
        (b'f', 4) => Some(DType::Float32),
        (b'f', 8) => Some(DType::Float64),
        _ => None,
    }
}

fn unsupported(what: &str, descr: &Bound<'_, numpy::PyArrayDescr>) -> PyErr {
    let name = descr.str().map(|s| s.to_string()).unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("{what} has dtype {name}; jitexpr supports {SUPPORTED}"))
}

/// A fresh aligned, native-order C-contiguous copy of `a` with dtype `dtype`.
fn native_copy<'py>(a: &Bound<'py, PyUntypedArray>, dtype: DType) -> PyResult<Bound<'py, PyUntypedArray>> {
    static ARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = a.py();
    let array = ARRAY.import(py, "numpy", "array")?;
    let kwargs = [("dtype", dtype.name()), ("order", "C")].into_py_dict(py)?;
    Ok(array.call((a,), Some(&kwargs))?.cast_into::<PyUntypedArray>()?)
}

impl<'py> Operand<'py> {
    /// `obj` (a NumPy array) ready to be viewed; `name` names it in errors.
    pub fn new(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Operand<'py>> {
        let array = obj
            .cast::<PyUntypedArray>()
            .map_err(|_| PyTypeError::new_err(format!("input `{name}` is not a numpy.ndarray")))?
            .clone();
        let descr = array.dtype();
        let dtype = dtype_of(&descr).ok_or_else(|| unsupported(&format!("input `{name}`"), &descr))?;
        Operand::of(array, &descr, dtype)
    }

    /// `array`, whose descriptor `descr` is of `dtype`, ready to be viewed.
    fn of(
        mut array: Bound<'py, PyUntypedArray>,
        descr: &Bound<'py, numpy::PyArrayDescr>,
        dtype: DType,
    ) -> PyResult<Operand<'py>> {
        let size = dtype.size() as isize;
        let native = descr.is_native_byteorder() != Some(false);
        let aligned = |a: &Bound<'py, PyUntypedArray>| {
            // SAFETY: reading the `data` field of a live array object.
            let data = unsafe { (*a.as_array_ptr()).fields.data } as usize;
            data.is_multiple_of(dtype.size()) && a.strides().iter().all(|s| s % size == 0)
        };
        if !native || !aligned(&array) {
            array = native_copy(&array, dtype)?;
        }
        // SAFETY: reading the `data` field of a live array object.
        let data = unsafe { (*array.as_array_ptr()).fields.data } as usize;
        let shape = Dims::from_slice(array.shape());
        let strides = array.strides().iter().map(|s| s / size).collect();
        Ok(Operand { _owner: array, dtype, data, shape, strides })
    }

    /// `obj` ready to be viewed if it is exactly a `numpy.ndarray` (no
    /// subclass) of `dtype` in any byte order; `None` (nothing done) for anything
    /// else, which the caller converts first. The hot path of a call: a type
    /// check and field reads.
    pub fn exact(obj: &Bound<'py, PyAny>, dtype: DType) -> PyResult<Option<Operand<'py>>> {
        // SAFETY: comparing the type of a live object with NumPy's array type.
        if unsafe { numpy::npyffi::PyArray_CheckExact(obj.py(), obj.as_ptr()) } == 0 {
            return Ok(None);
        }
        // SAFETY: checked just above: `obj` is a `numpy.ndarray`.
        let array = unsafe { obj.cast_unchecked::<PyUntypedArray>() };
        let descr = array.dtype();
        if dtype_of(&descr) != Some(dtype) {
            return Ok(None);
        }
        Operand::of(array.clone(), &descr, dtype).map(Some)
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The byte range `[lo, hi)` the array's elements span (empty for an empty
    /// array), to detect overlap with an output.
    pub fn extent(&self) -> (usize, usize) {
        extent(self.data, &self.shape, &self.strides, self.dtype.size())
    }

    /// A view over the array's memory, valid while `self` is alive.
    pub fn view(&self) -> PyResult<ArrayView<'_>> {
        fn typed<'a, T: jitexpr::Element>(op: &Operand<'_>) -> Result<ArrayView<'a>, jitexpr::Error> {
            // SAFETY: `data` is the array's first element, aligned (checked, or
            // a fresh copy), of dtype `T` (matched on the dtype); NumPy keeps
            // every element the shape and strides reach inside its buffer; the
            // `Bound` in `op` keeps the buffer alive for the view's use within
            // the call; NumPy bools are 0 or 1. Outputs never overlap it (checked
            // by `check_disjoint`).
            unsafe { ArrayView::from_raw_parts(op.data as *const T, &op.shape, &op.strides) }
        }
        let view = match self.dtype {
            DType::Bool => typed::<bool>(self),
            DType::Int32 => typed::<i32>(self),
            DType::Int64 => typed::<i64>(self),
            DType::Float32 => typed::<f32>(self),
            DType::Float64 => typed::<f64>(self),
        };
        view.map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

/// The byte range an array with these parameters spans.
fn extent(data: usize, shape: &[usize], strides: &[isize], itemsize: usize) -> (usize, usize) {
    if shape.contains(&0) {
        return (data, data);
    }
    let (mut lo, mut hi) = (data as isize, data as isize);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as isize - 1) * s * itemsize as isize;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    (lo as usize, hi as usize + itemsize)
}

/// An output array: C-contiguous, aligned, native, writeable, of its dtype.
pub struct Output<'py> {
    pub array: Bound<'py, PyUntypedArray>,
    dtype: DType,
    data: usize,
    shape: Dims<usize>,
}

impl<'py> Output<'py> {
    /// `obj` as an output of `dtype` and `shape`; a `ValueError` unless it is a
    /// writeable, aligned, native C-contiguous array of exactly that (the Python
    /// layer evaluates into a temporary and copies in every other case).
    pub fn given(obj: &Bound<'py, PyAny>, dtype: DType, shape: &[usize]) -> PyResult<Output<'py>> {
        let array =
            obj.cast::<PyUntypedArray>().map_err(|_| PyTypeError::new_err("out is not a numpy.ndarray"))?.clone();
        Output::direct(array, dtype, shape).ok_or_else(|| {
            PyValueError::new_err(format!(
                "out must be a writeable, aligned C-contiguous {} array of shape {:?}",
                dtype.name(),
                shape
            ))
        })
    }

    /// `obj` as an output of `dtype` and `shape` if it is exactly a
    /// `numpy.ndarray` (no subclass) that [`Output::direct`] takes; `None` otherwise.
    pub fn exact(obj: &Bound<'py, PyAny>, dtype: DType, shape: &[usize]) -> Option<Output<'py>> {
        // SAFETY: comparing the type of a live object with NumPy's array type.
        if unsafe { numpy::npyffi::PyArray_CheckExact(obj.py(), obj.as_ptr()) } == 0 {
            return None;
        }
        // SAFETY: checked just above: `obj` is a `numpy.ndarray`.
        let array = unsafe { obj.cast_unchecked::<PyUntypedArray>() };
        Output::direct(array.clone(), dtype, shape)
    }

    /// `array` as an output of `dtype` and `shape` if it is a writeable,
    /// aligned, native C-contiguous array of exactly that; `None` otherwise.
    pub fn direct(array: Bound<'py, PyUntypedArray>, dtype: DType, shape: &[usize]) -> Option<Output<'py>> {
        let descr = array.dtype();
        let ok = dtype_of(&descr) == Some(dtype)
            && descr.is_native_byteorder() != Some(false)
            && array.shape() == shape
            && array.is_c_contiguous()
            && array.is_aligned()
            && writeable(&array);
        if !ok {
            return None;
        }
        // SAFETY: reading the `data` field of a live array object.
        let data = unsafe { (*array.as_array_ptr()).fields.data } as usize;
        Some(Output { array, dtype, data, shape: Dims::from_slice(shape) })
    }

    /// A new array for an output. Small ones are made directly (zeroed, so no
    /// invalid `bool` is ever viewed); larger ones by `numpy.empty`, which raises
    /// `MemoryError` when the memory cannot be had (rust-numpy's constructors
    /// would panic instead).
    pub fn empty(py: Python<'py>, dtype: DType, shape: &[usize]) -> PyResult<Output<'py>> {
        const DIRECT_BYTES: usize = 1 << 16;
        let bytes = shape.iter().try_fold(dtype.size(), |acc, &d| acc.checked_mul(d));
        if bytes.is_some_and(|b| b <= DIRECT_BYTES) {
            let array = match dtype {
                DType::Bool => numpy::PyArray::<bool, _>::zeros(py, shape, false).into_any(),
                DType::Int32 => numpy::PyArray::<i32, _>::zeros(py, shape, false).into_any(),
                DType::Int64 => numpy::PyArray::<i64, _>::zeros(py, shape, false).into_any(),
                DType::Float32 => numpy::PyArray::<f32, _>::zeros(py, shape, false).into_any(),
                DType::Float64 => numpy::PyArray::<f64, _>::zeros(py, shape, false).into_any(),
            };
            return Output::given(&array, dtype, shape);
        }
        static EMPTY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let empty = EMPTY.import(py, "numpy", "empty")?;
        let obj = empty.call1((shape.to_vec(), dtype.name()))?;
        Output::given(&obj, dtype, shape)
    }

    /// The byte range `[lo, hi)` of its elements: one run, as it is C-contiguous
    /// (empty for an empty array).
    pub fn extent(&self) -> (usize, usize) {
        let bytes: usize = self.shape.iter().product::<usize>() * self.dtype.size();
        (self.data, self.data + bytes)
    }

    /// A mutable view over the array's memory, valid while `self` is alive.
    pub fn view_mut(&self) -> PyResult<ArrayViewMut<'_>> {
        fn typed<'a, T: jitexpr::Element>(out: &Output<'_>) -> Result<ArrayViewMut<'a>, jitexpr::Error> {
            let len: usize = out.shape.iter().product();
            let slice: &mut [T] = if len == 0 {
                &mut []
            } else {
                // SAFETY: the array is C-contiguous, aligned, writeable and of
                // dtype `T` (checked in `given`), so its `len` elements are one
                // run of valid `T`s; the `Bound` keeps it alive for the call, and
                // no input or other output overlaps it (`check_disjoint`), so
                // this is the only reference to these elements while it lives.
                unsafe { std::slice::from_raw_parts_mut(out.data as *mut T, len) }
            };
            ArrayViewMut::new(slice, &out.shape)
        }
        let view = match self.dtype {
            DType::Bool => typed::<bool>(self),
            DType::Int32 => typed::<i32>(self),
            DType::Int64 => typed::<i64>(self),
            DType::Float32 => typed::<f32>(self),
            DType::Float64 => typed::<f64>(self),
        };
        view.map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

fn writeable(a: &Bound<'_, PyUntypedArray>) -> bool {
    // SAFETY: reading the `flags` field of a live array object.
    let flags = unsafe { (*a.as_array_ptr()).fields.flags };
    flags & numpy::npyffi::NPY_ARRAY_WRITEABLE != 0
}

/// A `ValueError` if an output's memory overlaps an input's or another output's:
/// writing it while reading them would alias (the Python layer buffers first).
pub fn check_disjoint(inputs: &[Operand<'_>], outputs: &[Output<'_>]) -> PyResult<()> {
    if disjoint(inputs, outputs) {
        Ok(())
    } else {
        Err(PyValueError::new_err("an output array overlaps an input or another output"))
    }
}

/// Whether no output's memory overlaps an input's or another output's (the
/// bounds of each array's elements, as `numpy.may_share_memory` compares them).
pub fn disjoint(inputs: &[Operand<'_>], outputs: &[Output<'_>]) -> bool {
    let overlap = |a: (usize, usize), b: (usize, usize)| a.0 < a.1 && b.0 < b.1 && a.0 < b.1 && b.0 < a.1;
    let outs: SmallVec<[(usize, usize); 2]> = outputs.iter().map(Output::extent).collect();
    outs.iter()
        .enumerate()
        .all(|(i, &e)| !(inputs.iter().any(|x| overlap(e, x.extent())) || outs[..i].iter().any(|&o| overlap(e, o))))
}
