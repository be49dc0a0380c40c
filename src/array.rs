//! Typed N-d arrays: the values that go into and come out of every engine.
//!
//! An [`Array`] owns a contiguous buffer of one of the five dtypes, a shape and a
//! memory [`Order`]: C (row-major, what every engine produces) or Fortran
//! (column-major, what a Fortran-order `.npy` file holds, kept as read). A 0-d
//! array (shape `[]`) holds one element. Engines read their inputs through
//! borrowed [`ArrayView`]s of any strides and write outputs into C-contiguous
//! [`ArrayViewMut`]s (see [`view`]). The [`Element`] trait maps Rust element types
//! to dtypes so engine code can be written once, generically, and dispatched on
//! the dtype outside the loops.

pub mod alloc;
pub mod dims;
pub mod view;

use std::borrow::Cow;

use crate::diag::{Error, ErrorKind, Result};
use crate::types::{DType, Scalar};
pub use view::{ArrayView, ArrayViewMut};
use view::{DataMut, DataRef, Raw};

/// A typed, owned, contiguous buffer.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// `bool` elements.
    Bool(Vec<bool>),
    /// `int32` elements.
    Int32(Vec<i32>),
    /// `int64` elements.
    Int64(Vec<i64>),
    /// `float32` elements.
    Float32(Vec<f32>),
    /// `float64` elements.
    Float64(Vec<f64>),
}

impl Data {
    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        match self {
            Data::Bool(_) => DType::Bool,
            Data::Int32(_) => DType::Int32,
            Data::Int64(_) => DType::Int64,
            Data::Float32(_) => DType::Float32,
            Data::Float64(_) => DType::Float64,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            Data::Bool(v) => v.len(),
            Data::Int32(v) => v.len(),
            Data::Int64(v) => v.len(),
            Data::Float32(v) => v.len(),
            Data::Float64(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `n` zeros (False) of a dtype.
    pub fn zeros(dtype: DType, n: usize) -> Data {
        match dtype {
            DType::Bool => Data::Bool(vec![false; n]),
            DType::Int32 => Data::Int32(vec![0; n]),
            DType::Int64 => Data::Int64(vec![0; n]),
            DType::Float32 => Data::Float32(vec![0.0; n]),
            DType::Float64 => Data::Float64(vec![0.0; n]),
        }
    }

    /// `self` with room for `n` more elements, for small scratch buffers that
    /// grow by pushes (bounded by the thread team, not by a user's sizes).
    pub(crate) fn reserved(mut self, n: usize) -> Data {
        match &mut self {
            Data::Bool(v) => v.reserve(n),
            Data::Int32(v) => v.reserve(n),
            Data::Int64(v) => v.reserve(n),
            Data::Float32(v) => v.reserve(n),
            Data::Float64(v) => v.reserve(n),
        }
        self
    }

    /// The buffer, borrowed.
    pub(crate) fn as_ref(&self) -> DataRef<'_> {
        match self {
            Data::Bool(v) => DataRef::Bool(Raw::new(v)),
            Data::Int32(v) => DataRef::Int32(Raw::new(v)),
            Data::Int64(v) => DataRef::Int64(Raw::new(v)),
            Data::Float32(v) => DataRef::Float32(Raw::new(v)),
            Data::Float64(v) => DataRef::Float64(Raw::new(v)),
        }
    }

    /// The buffer, borrowed mutably.
    pub(crate) fn as_mut(&mut self) -> DataMut<'_> {
        match self {
            Data::Bool(v) => DataMut::Bool(v),
            Data::Int32(v) => DataMut::Int32(v),
            Data::Int64(v) => DataMut::Int64(v),
            Data::Float32(v) => DataMut::Float32(v),
            Data::Float64(v) => DataMut::Float64(v),
        }
    }

    /// Element `i` as a scalar (panics if out of range: an internal invariant).
    pub fn get(&self, i: usize) -> Scalar {
        match self {
            Data::Bool(v) => Scalar::Bool(v[i]),
            Data::Int32(v) => Scalar::Int32(v[i]),
            Data::Int64(v) => Scalar::Int64(v[i]),
            Data::Float32(v) => Scalar::Float32(v[i]),
            Data::Float64(v) => Scalar::Float64(v[i]),
        }
    }
}

/// A Rust type that is the element type of one dtype.
pub trait Element: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// The dtype whose elements are this type.
    const DTYPE: DType;
    /// The elements of `data`, if it has this dtype.
    fn slice(data: &Data) -> Option<&[Self]>;
    /// The elements of `data`, mutably, if it has this dtype.
    fn slice_mut(data: &mut Data) -> Option<&mut [Self]>;
    /// A buffer of this dtype holding `v`.
    fn wrap(v: Vec<Self>) -> Data;
    /// The vector of a buffer of this dtype (the inverse of `wrap`).
    fn into_vec(data: Data) -> Option<Vec<Self>>;
    /// The element as a typed scalar.
    fn scalar(self) -> Scalar;
    #[doc(hidden)]
    fn raw<'a>(data: DataRef<'a>) -> Option<Raw<'a, Self>>;
    #[doc(hidden)]
    fn wrap_raw(raw: Raw<'_, Self>) -> DataRef<'_>;
    #[doc(hidden)]
    fn slice_of_mut<'a>(data: DataMut<'a>) -> Option<&'a mut [Self]>;
    #[doc(hidden)]
    fn wrap_mut(v: &mut [Self]) -> DataMut<'_>;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn slice(data: &Data) -> Option<&[Self]> {
                match data {
                    Data::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(data: &mut Data) -> Option<&mut [Self]> {
                match data {
                    Data::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn wrap(v: Vec<Self>) -> Data {
                Data::$variant(v)
            }
            fn into_vec(data: Data) -> Option<Vec<Self>> {
                match data {
                    Data::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn scalar(self) -> Scalar {
                Scalar::$variant(self)
            }
            fn raw<'a>(data: DataRef<'a>) -> Option<Raw<'a, Self>> {
                match data {
                    DataRef::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn wrap_raw(raw: Raw<'_, Self>) -> DataRef<'_> {
                DataRef::$variant(raw)
            }
            fn slice_of_mut<'a>(data: DataMut<'a>) -> Option<&'a mut [Self]> {
                match data {
                    DataMut::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn wrap_mut(v: &mut [Self]) -> DataMut<'_> {
                DataMut::$variant(v)
            }
        }
    };
}
element!(bool, Bool);
element!(i32, Int32);
element!(i64, Int64);
element!(f32, Float32);
element!(f64, Float64);

/// How an owned array's elements are laid out in its buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Order {
    /// Row-major: the last index varies fastest.
    #[default]
    C,
    /// Column-major: the first index varies fastest.
    Fortran,
}

/// An owned N-d array: a contiguous buffer in C or Fortran order.
///
/// Equality is by dtype, shape and elements (in index order), whatever the
/// memory orders.
#[derive(Clone, Debug)]
pub struct Array {
    data: Data,
    shape: Vec<usize>,
    order: Order,
}

impl Array {
    /// An array from a C-order buffer and a shape whose product must be the
    /// buffer length.
    pub fn new(data: Data, shape: Vec<usize>) -> Result<Array> {
        Array::with_order(data, shape, Order::C)
    }

    /// An array from a buffer laid out in `order`.
    pub fn with_order(data: Data, shape: Vec<usize>, order: Order) -> Result<Array> {
        check_shape(&shape)?;
        let n = shape_size(&shape).expect("check_shape checked the element count");
        if n != data.len() {
            return Err(Error::new(
                ErrorKind::Shape,
                format!("shape {} needs {n} elements but the buffer has {}", fmt_shape(&shape), data.len()),
            ));
        }
        Ok(Array { data, shape, order })
    }

    /// A 1-d array from a vector.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Array {
        let n = v.len();
        Array { data: T::wrap(v), shape: vec![n], order: Order::C }
    }

    /// A 0-d array.
    pub fn scalar(s: Scalar) -> Array {
        let data = match s {
            Scalar::Bool(v) => Data::Bool(vec![v]),
            Scalar::Int32(v) => Data::Int32(vec![v]),
            Scalar::Int64(v) => Data::Int64(vec![v]),
            Scalar::Float32(v) => Data::Float32(vec![v]),
            Scalar::Float64(v) => Data::Float64(vec![v]),
        };
        Array { data, shape: vec![], order: Order::C }
    }

    /// An array of zeros (False); an [`ErrorKind::Memory`] error, not an
    /// abort, when the memory is not available.
    pub fn zeros(dtype: DType, shape: Vec<usize>) -> Result<Array> {
        check_shape(&shape)?;
        let n = shape_size(&shape).expect("check_shape checked the element count");
        let data = Data::try_zeros(dtype, n).ok_or_else(|| alloc::out_of_memory(dtype, &shape))?;
        Array::new(data, shape)
    }

    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// The extent of every dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The memory order of the buffer.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The buffer, in memory order (see [`Array::order`]).
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The typed buffer, mutably (its length cannot change).
    pub fn data_mut(&mut self) -> &mut Data {
        &mut self.data
    }

    /// The buffer, in memory order (see [`Array::order`]).
    pub fn into_data(self) -> Data {
        self.data
    }

    /// The elements as a typed slice in memory order, if the dtype is `T`'s.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        T::slice(&self.data)
    }

    /// The elements, mutably, if `T` is the dtype.
    pub fn as_slice_mut<T: Element>(&mut self) -> Option<&mut [T]> {
        T::slice_mut(&mut self.data)
    }

    /// Element `i` in C (index) order, whatever the memory order.
    pub fn get(&self, i: usize) -> Scalar {
        match self.order {
            Order::C => self.data.get(i),
            Order::Fortran => self.view().get(i),
        }
    }

    /// The same elements under another shape of equal size, in C index order
    /// (a Fortran-order array is first copied into C order, as NumPy's
    /// `reshape` does).
    pub fn reshape(self, shape: Vec<usize>) -> Result<Array> {
        Array::new(self.into_c_order().data, shape)
    }

    /// The array in C order: itself, or a copy if it is in Fortran order.
    pub fn to_c_order(&self) -> Cow<'_, Array> {
        match self.order {
            Order::C => Cow::Borrowed(self),
            Order::Fortran => Cow::Owned(self.view().to_array()),
        }
    }

    /// The array in C order: itself, or a copy if it is in Fortran order.
    pub fn into_c_order(self) -> Array {
        match self.order {
            Order::C => self,
            Order::Fortran => self.view().to_array(),
        }
    }

    /// A borrowed view of every element (strides follow the memory order).
    pub fn view(&self) -> ArrayView<'_> {
        let strides = match self.order {
            Order::C => view::c_strides(&self.shape),
            Order::Fortran => view::f_strides(&self.shape),
        };
        ArrayView::from_parts(self.data.as_ref(), self.shape[..].into(), strides, 0)
            .expect("an array's own layout stays inside its buffer")
    }

    /// A mutable C-contiguous view to overwrite every element: what engines
    /// write outputs into. A Fortran-order array (with more than one
    /// dimension longer than 1) has none: an error.
    pub fn view_mut(&mut self) -> Result<ArrayViewMut<'_>> {
        // C order, or no elements, or Fortran order with at most one dimension
        // longer than 1 (what `ArrayView::is_c_contiguous` says of its view).
        let c_contiguous =
            self.order == Order::C || self.shape.contains(&0) || self.shape.iter().filter(|&&d| d > 1).count() <= 1;
        if !c_contiguous {
            return Err(Error::new(
                ErrorKind::Shape,
                format!(
                    "the output array of shape {} is in Fortran order; outputs are written in C order",
                    fmt_shape(&self.shape)
                ),
            ));
        }
        Ok(ArrayViewMut::from_parts(self.data.as_mut(), self.shape[..].into()))
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        if self.dtype() != other.dtype() || self.shape != other.shape {
            return false;
        }
        if self.order == other.order || self.shape.iter().filter(|&&d| d > 1).count() <= 1 {
            return self.data == other.data;
        }
        self.to_c_order().data == other.to_c_order().data
    }
}

/// NumPy 2's `NPY_MAXDIMS`: no array has more dimensions (deeper shapes only
/// come from mistakes or hostile input, and would make walks over axes deep).
pub const MAX_DIMS: usize = 64;

/// The most elements an array may have: its bytes (at most 8 per element) must
/// fit `isize`, as Rust's allocator and NumPy both require.
pub const MAX_ARRAY_ELEMENTS: usize = isize::MAX as usize / 8;

/// The number of elements of a shape, or `None` if it exceeds
/// [`MAX_ARRAY_ELEMENTS`] (or overflows). The one place shapes are multiplied:
/// every element count of a shape a user controls goes through here.
pub fn shape_size(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).filter(|&n| n <= MAX_ARRAY_ELEMENTS)
}

/// A shape any array may have: at most [`MAX_DIMS`] dimensions and
/// [`MAX_ARRAY_ELEMENTS`] elements; otherwise an [`ErrorKind::Limit`] error.
pub fn check_shape(shape: &[usize]) -> Result<()> {
    if shape.len() > MAX_DIMS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("an array of {} dimensions; NumPy and jitexpr allow at most {MAX_DIMS}", shape.len()),
        ));
    }
    if shape_size(shape).is_none() {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("shape {} has more elements than any array can hold (2**60)", fmt_shape(shape)),
        ));
    }
    Ok(())
}

/// NumPy's spelling of a shape: `()`, `(3,)`, `(2, 3)`.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}
