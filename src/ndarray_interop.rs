//! The `ndarray` feature: evaluate on ndarray views of any layout and get ndarray
//! arrays back, without copies.
//!
//! Input: `ndarray::ArrayView<'a, T, D>` (any dimension type, any strides:
//! transposed, reversed, sliced with steps, broadcast) for `T` one of `bool`,
//! `i32`, `i64`, `f32`, `f64`, converted with `From` into an [`ArrayView`] over
//! the same memory. Output: an [`Array`] moved into an `ndarray::ArrayD` with
//! [`Array::into_ndarray`] (the buffer is moved, not copied), or results written
//! straight into a C-contiguous `ndarray::ArrayViewMut` converted with `TryFrom`
//! into an [`ArrayViewMut`]. A view that is not C-contiguous cannot take
//! outputs: the conversion is an error saying so (evaluate into an owned array
//! and `assign` it).
//!
//! ```
//! use jitexpr::{ArrayViewMut, DType, EvalConfig, Expr};
//! use ndarray::{array, s, Array2};
//!
//! let compiled = Expr::parse("a + 10 * b")?.compile(&[("a", DType::Float64), ("b", DType::Float64)])?;
//! let a = array![[1.0, 2.0], [3.0, 4.0]];
//! let b = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let result = compiled
//!     .eval_views(&[("a", a.t().into()), ("b", b.slice(s![.., ..;2]).into())])?
//!     .into_ndarray::<f64>()?;
//! assert_eq!(result, array![[11.0, 33.0], [42.0, 64.0]].into_dyn());
//!
//! let mut out = Array2::<f64>::zeros((2, 2));
//! let views = [("a", a.view().into()), ("b", b.slice(s![.., 1..]).into())];
//! compiled.eval_views_into(&views, &mut [(None, ArrayViewMut::try_from(out.view_mut())?)], &EvalConfig::default())?;
//! assert_eq!(out, array![[21.0, 32.0], [53.0, 64.0]]);
//! # Ok::<(), jitexpr::Error>(())
//! ```

use ::ndarray::{ArrayD, Dimension, IxDyn, ShapeBuilder};

use crate::array::{fmt_shape, Array, ArrayView, ArrayViewMut, Element, Order};
use crate::diag::{Error, ErrorKind, Result};

impl<'a, T: Element, D: Dimension> From<::ndarray::ArrayView<'a, T, D>> for ArrayView<'a> {
    fn from(v: ::ndarray::ArrayView<'a, T, D>) -> ArrayView<'a> {
        // SAFETY: ndarray's invariant for `ArrayView`: every element the view
        // reaches from `as_ptr()` is in one allocation, initialized, aligned and
        // not written while the borrow `'a` lasts.
        unsafe { ArrayView::from_raw_parts(v.as_ptr(), v.shape(), v.strides()) }
            .expect("a view's own span holds every element it reaches")
    }
}

impl<'a, T: Element, D: Dimension> TryFrom<::ndarray::ArrayViewMut<'a, T, D>> for ArrayViewMut<'a> {
    type Error = Error;

    /// The view as an output: it must be C-contiguous (standard layout).
    fn try_from(v: ::ndarray::ArrayViewMut<'a, T, D>) -> Result<ArrayViewMut<'a>> {
        let shape = v.shape().to_vec();
        let slice = v.into_slice().ok_or_else(|| {
            Error::new(
                ErrorKind::Shape,
                format!(
                    "the output view of shape {} is not C-contiguous; evaluate into an owned array and assign it",
                    fmt_shape(&shape)
                ),
            )
        })?;
        ArrayViewMut::new(slice, &shape)
    }
}

impl Array {
    /// The array as an `ndarray::ArrayD<T>`, moving the buffer (a Fortran-order
    /// array stays in Fortran order); an error if `T` is not its dtype's type.
    pub fn into_ndarray<T: Element>(self) -> Result<ArrayD<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::new(ErrorKind::Input, format!("the array is {}, not {}", self.dtype(), T::DTYPE)));
        }
        let (shape, order) = (IxDyn(self.shape()), self.order());
        let vec = T::into_vec(self.into_data()).expect("the dtype was just checked");
        let result = match order {
            Order::C => ArrayD::from_shape_vec(shape, vec),
            Order::Fortran => ArrayD::from_shape_vec(shape.f(), vec),
        };
        Ok(result.expect("an array's shape matches its buffer"))
    }
}
