//! Borrowed views: [`ArrayView`] (read-only, any strides) and [`ArrayViewMut`]
//! (C-contiguous, what engines write their outputs into).
//!
//! Input: a buffer (a slice, an [`Array`], or with the `ndarray` feature an
//! ndarray view), a shape, strides in elements and the offset of the first
//! element. Output: a view the engines read in place, without copying.
//!
//! Invariant, checked by every constructor (an error, never a panic or UB): every
//! element the shape and strides reach — `offset + Σ index[d] * strides[d]` for
//! every index — lies inside the buffer, and the element count fits `usize`.
//! Strides may be negative (reversed axes) or zero (one element repeated along an
//! axis). The transforms ([`ArrayView::transpose`], [`ArrayView::permute`],
//! [`ArrayView::reversed`], [`ArrayView::slice`]) reach a subset of the elements
//! reached before, so they keep the invariant.
//!
//! The buffer is held as a raw base pointer and length with the borrow's
//! lifetime ([`Raw`]) rather than a slice: a view converted from a strided
//! ndarray view spans elements it does not borrow (the odd columns of an
//! `s![.., ..;2]` slice may be mutably borrowed elsewhere), and a `&[T]` over
//! them would claim they are immutable. Reads go through [`Raw::get`] and
//! [`Raw::slice`], which check bounds; engines only read elements of the view
//! (offsets computed from its own shape and strides).

use std::marker::PhantomData;

use super::dims::Dims;
use super::{fmt_shape, shape_size, Array, Data, Element};
use crate::diag::{Error, ErrorKind, Result};
use crate::types::{DType, Scalar};

/// A borrowed buffer of `len` elements at `ptr`, valid for reads of the view's
/// elements for `'a` (like `&'a [T]`, without claiming the elements in between).
pub struct Raw<'a, T> {
    ptr: *const T,
    len: usize,
    _borrow: PhantomData<&'a [T]>,
}

impl<T> Clone for Raw<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Raw<'_, T> {}

// SAFETY: a `Raw` is a shared borrow of `T`s, like `&[T]`, which is `Send` and
// `Sync` when `T: Sync`.
unsafe impl<T: Sync> Send for Raw<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Raw<'_, T> {}

impl<'a, T: Copy> Raw<'a, T> {
    pub(crate) fn new(v: &'a [T]) -> Raw<'a, T> {
        Raw { ptr: v.as_ptr(), len: v.len(), _borrow: PhantomData }
    }

    /// # Safety
    /// For `'a`, every element a view built on this buffer reaches must be
    /// valid for reads and not written through any other pointer; `ptr` must be
    /// non-null and aligned, and `ptr..ptr + len` one allocation.
    pub(crate) unsafe fn from_raw_parts(ptr: *const T, len: usize) -> Raw<'a, T> {
        Raw { ptr, len, _borrow: PhantomData }
    }

    pub(crate) fn len(self) -> usize {
        self.len
    }

    pub(crate) fn ptr(self) -> *const T {
        self.ptr
    }

    /// Element `off` of the buffer (panics if out of bounds).
    #[inline(always)]
    pub(crate) fn get(self, off: usize) -> T {
        assert!(off < self.len, "element {off} of a buffer of {}", self.len);
        // SAFETY: `off < len`, so the element is inside the borrowed buffer, and
        // callers read elements of their view only (see the module docs).
        unsafe { *self.ptr.add(off) }
    }

    /// Elements `off..off + n` (panics if out of bounds); every one of them must
    /// be an element of the view (a contiguous run of it).
    pub(crate) fn slice(self, off: usize, n: usize) -> &'a [T] {
        assert!(off.checked_add(n).is_some_and(|end| end <= self.len), "elements {off}..+{n} of {}", self.len);
        if n == 0 {
            return &[];
        }
        // SAFETY: the range is inside the buffer (checked above), `ptr` is
        // non-null and aligned, and the run consists of elements of the view,
        // which are borrowed for `'a` and not written meanwhile.
        unsafe { std::slice::from_raw_parts(self.ptr.add(off), n) }
    }
}

/// A borrowed typed buffer.
#[derive(Clone, Copy)]
pub enum DataRef<'a> {
    Bool(Raw<'a, bool>),
    Int32(Raw<'a, i32>),
    Int64(Raw<'a, i64>),
    Float32(Raw<'a, f32>),
    Float64(Raw<'a, f64>),
}

impl DataRef<'_> {
    pub fn dtype(&self) -> DType {
        match self {
            DataRef::Bool(_) => DType::Bool,
            DataRef::Int32(_) => DType::Int32,
            DataRef::Int64(_) => DType::Int64,
            DataRef::Float32(_) => DType::Float32,
            DataRef::Float64(_) => DType::Float64,
        }
    }

    /// Elements in the buffer.
    pub(crate) fn len(&self) -> usize {
        match self {
            DataRef::Bool(r) => r.len(),
            DataRef::Int32(r) => r.len(),
            DataRef::Int64(r) => r.len(),
            DataRef::Float32(r) => r.len(),
            DataRef::Float64(r) => r.len(),
        }
    }

    /// The start of the buffer, for exec's kernel calls.
    pub(crate) fn ptr(&self) -> *const u8 {
        match self {
            DataRef::Bool(r) => r.ptr() as *const u8,
            DataRef::Int32(r) => r.ptr() as *const u8,
            DataRef::Int64(r) => r.ptr() as *const u8,
            DataRef::Float32(r) => r.ptr() as *const u8,
            DataRef::Float64(r) => r.ptr() as *const u8,
        }
    }
}

/// A mutably borrowed typed buffer.
pub enum DataMut<'a> {
    Bool(&'a mut [bool]),
    Int32(&'a mut [i32]),
    Int64(&'a mut [i64]),
    Float32(&'a mut [f32]),
    Float64(&'a mut [f64]),
}

impl DataMut<'_> {
    fn dtype(&self) -> DType {
        self.as_ref().dtype()
    }

    fn as_ref(&self) -> DataRef<'_> {
        match self {
            DataMut::Bool(v) => DataRef::Bool(Raw::new(v)),
            DataMut::Int32(v) => DataRef::Int32(Raw::new(v)),
            DataMut::Int64(v) => DataRef::Int64(Raw::new(v)),
            DataMut::Float32(v) => DataRef::Float32(Raw::new(v)),
            DataMut::Float64(v) => DataRef::Float64(Raw::new(v)),
        }
    }

    fn reborrow(&mut self) -> DataMut<'_> {
        match self {
            DataMut::Bool(v) => DataMut::Bool(v),
            DataMut::Int32(v) => DataMut::Int32(v),
            DataMut::Int64(v) => DataMut::Int64(v),
            DataMut::Float32(v) => DataMut::Float32(v),
            DataMut::Float64(v) => DataMut::Float64(v),
        }
    }

    fn ptr_mut(&mut self) -> *mut u8 {
        match self {
            DataMut::Bool(v) => v.as_mut_ptr() as *mut u8,
            DataMut::Int32(v) => v.as_mut_ptr() as *mut u8,
            DataMut::Int64(v) => v.as_mut_ptr() as *mut u8,
            DataMut::Float32(v) => v.as_mut_ptr() as *mut u8,
            DataMut::Float64(v) => v.as_mut_ptr() as *mut u8,
        }
    }
}

/// C-order strides (in elements) of a shape.
pub(crate) fn c_strides(shape: &[usize]) -> Dims<isize> {
    let mut strides = Dims::filled(0isize, shape.len());
    let mut step = 1isize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = step;
        step = step.wrapping_mul(d as isize);
    }
    strides
}

/// Fortran-order strides (in elements) of a shape.
pub(crate) fn f_strides(shape: &[usize]) -> Dims<isize> {
    let mut strides = Dims::filled(0isize, shape.len());
    let mut step = 1isize;
    for (s, &d) in strides.iter_mut().zip(shape) {
        *s = step;
        step = step.wrapping_mul(d as isize);
    }
    strides
}

fn layout_error(msg: String) -> Error {
    Error::new(ErrorKind::Shape, msg)
}

/// The lowest and highest element offsets a non-empty layout reaches from
/// `offset`, given its (extent, stride) pairs, or `None` if they overflow (then
/// they are far outside any buffer): the lowest adds the negative
/// `(extent - 1) * stride` terms, the highest the positive ones. The one bounds
/// rule: views check it at construction, `ArrayView::from_raw_parts` derives
/// its buffer from it, `exec` proves every kernel call's reach with it.
pub(crate) fn extent(dims: impl IntoIterator<Item = (usize, isize)>, offset: usize) -> Option<(i128, i128)> {
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (d, s) in dims {
        let span = (d as i128 - 1).checked_mul(s as i128)?;
        if span < 0 {
            lo = lo.checked_add(span)?;
        } else {
            hi = hi.checked_add(span)?;
        }
    }
    Some((lo, hi))
}

/// Check the view invariant (see the module docs) for a buffer of `len` elements.
fn check_layout(len: usize, shape: &[usize], strides: &[isize], offset: usize) -> Result<()> {
    if strides.len() != shape.len() {
        return Err(layout_error(format!(
            "a view of shape {} needs {} strides, not {}",
            fmt_shape(shape),
            shape.len(),
            strides.len()
        )));
    }
    super::check_shape(shape)?;
    let n = shape_size(shape).expect("check_shape checked the element count");
    if n == 0 {
        return if offset <= len {
            Ok(())
        } else {
            Err(layout_error(format!("offset {offset} is past the end of a buffer of {len} elements")))
        };
    }
    match extent(shape.iter().copied().zip(strides.iter().copied()), offset) {
        Some((lo, hi)) if lo >= 0 && hi < len as i128 => Ok(()),
        reach => {
            let stride_list: Vec<String> = strides.iter().map(|s| s.to_string()).collect();
            let what = match reach {
                Some((lo, _)) if lo < 0 => format!("reaches element {lo}"),
                Some((_, hi)) => format!("reaches element {hi}"),
                None => "reaches an element whose offset overflows".to_string(),
            };
            Err(layout_error(format!(
                "a view of shape {} with strides ({}) from offset {offset} {what}, outside a buffer of {len} elements",
                fmt_shape(shape),
                stride_list.join(", ")
            )))
        }
    }
}

/// A read-only view of N-d data with arbitrary strides (in elements; negative for
/// reversed axes, 0 for repeated elements). Cheap to clone; borrows its buffer.
#[derive(Clone)]
pub struct ArrayView<'a> {
    data: DataRef<'a>,
    shape: Dims<usize>,
    strides: Dims<isize>,
    offset: usize,
}

impl std::fmt::Debug for ArrayView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayView")
            .field("dtype", &self.dtype())
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .field("offset", &self.offset)
            .field("buffer_len", &self.data.len())
            .finish()
    }
}

impl<'a> From<&'a Array> for ArrayView<'a> {
    fn from(a: &'a Array) -> ArrayView<'a> {
        a.view()
    }
}

impl<'a> ArrayView<'a> {
    /// A view of `data` with this shape, strides (in elements) and offset of the
    /// first element; an error if any element it reaches is outside `data`.
    ///
    /// ```
    /// # use jitexpr::ArrayView;
    /// let data = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    /// // The transpose of a 2x3 C-order matrix: shape (3, 2), strides (1, 3).
    /// let t = ArrayView::new(&data, &[3, 2], &[1, 3], 0)?;
    /// assert_eq!(t.to_array().as_slice::<f64>(), Some(&[0.0, 3.0, 1.0, 4.0, 2.0, 5.0][..]));
    /// assert!(ArrayView::new(&data, &[3, 2], &[1, 4], 0).is_err());
    /// # Ok::<(), jitexpr::Error>(())
    /// ```
    pub fn new<T: Element>(data: &'a [T], shape: &[usize], strides: &[isize], offset: usize) -> Result<ArrayView<'a>> {
        ArrayView::from_parts(T::wrap_raw(Raw::new(data)), shape.into(), strides.into(), offset)
    }

    /// A view of memory the caller owns, given the address of its first element
    /// (index 0 along every axis), its shape and its strides in elements (negative
    /// for reversed axes, 0 for broadcast ones): how the ndarray feature and the
    /// Python package read ndarray views and NumPy arrays without copies. The
    /// buffer is taken to run from the lowest to the highest element the view
    /// reaches; an error if those offsets overflow.
    ///
    /// # Safety
    /// For `'a`: `first` is non-null and aligned for `T`; every element the shape
    /// and strides reach from `first` lies in one allocation, holds a valid `T`
    /// (a `bool` is 0 or 1), and is not written through any other pointer.
    pub unsafe fn from_raw_parts<T: Element>(
        first: *const T,
        shape: &[usize],
        strides: &[isize],
    ) -> Result<ArrayView<'a>> {
        if shape.len() != strides.len() {
            return Err(layout_error(format!("{} strides for {} dimensions", strides.len(), shape.len())));
        }
        let overflow = || layout_error(format!("the view of shape {} overflows", fmt_shape(shape)));
        let empty = shape.contains(&0);
        let (lo, hi) = if empty {
            (0, 0)
        } else {
            let (lo, hi) = extent(shape.iter().copied().zip(strides.iter().copied()), 0).ok_or_else(overflow)?;
            (isize::try_from(lo).map_err(|_| overflow())?, isize::try_from(hi).map_err(|_| overflow())?)
        };
        let len = if empty { 0 } else { hi.abs_diff(lo).checked_add(1).ok_or_else(overflow)? };
        // SAFETY: `lo` is the offset of the view's lowest element, inside the
        // allocation (the caller's contract), so the pointer stays in it; every
        // element of the view is in `base..base + len`, valid for reads and not
        // written for `'a`. Elements in between that the view skips are never
        // read: engines read elements of the view only (see `Raw`). For an
        // empty view `len` is 0 and nothing is read.
        let raw = unsafe { Raw::from_raw_parts(first.wrapping_offset(lo), len) };
        ArrayView::from_parts(T::wrap_raw(raw), shape.into(), strides.into(), lo.unsigned_abs())
    }

    pub(crate) fn from_parts(
        data: DataRef<'a>,
        shape: Dims<usize>,
        strides: Dims<isize>,
        offset: usize,
    ) -> Result<ArrayView<'a>> {
        check_layout(data.len(), &shape, &strides, offset)?;
        Ok(ArrayView { data, shape, strides, offset })
    }

    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// The extent of every dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Strides in elements, one per dimension.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Offset of the first element (index `[0, 0, ...]`) in the buffer.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn data(&self) -> DataRef<'a> {
        self.data
    }

    /// The typed buffer, if the dtype is `T`'s.
    pub(crate) fn raw<T: Element>(&self) -> Option<Raw<'a, T>> {
        T::raw(self.data)
    }

    fn check_axis(&self, axis: usize) -> Result<()> {
        if axis < self.ndim() {
            Ok(())
        } else {
            Err(layout_error(format!("axis {axis} is out of bounds for a view of dimension {}", self.ndim())))
        }
    }

    /// The axes in reverse order (NumPy's `.T`).
    pub fn transpose(mut self) -> ArrayView<'a> {
        self.shape.reverse();
        self.strides.reverse();
        self
    }

    /// The axes reordered: axis `k` of the result is axis `axes[k]` of `self`.
    pub fn permute(self, axes: &[usize]) -> Result<ArrayView<'a>> {
        let mut seen = vec![false; self.ndim()];
        let valid =
            axes.len() == self.ndim() && axes.iter().all(|&a| a < seen.len() && !std::mem::replace(&mut seen[a], true));
        if !valid {
            return Err(layout_error(format!("{axes:?} is not a permutation of the {} axes", self.ndim())));
        }
        let shape = axes.iter().map(|&a| self.shape[a]).collect();
        let strides = axes.iter().map(|&a| self.strides[a]).collect();
        Ok(ArrayView { shape, strides, ..self })
    }

    /// Axis `axis` in reverse order (NumPy's `x[..., ::-1, ...]`): a negative stride.
    pub fn reversed(mut self, axis: usize) -> Result<ArrayView<'a>> {
        self.check_axis(axis)?;
        let (d, s) = (self.shape[axis], self.strides[axis]);
        if !self.is_empty() {
            // The new first element (index d-1 on `axis`) is an element of the view.
            self.offset = usize::try_from(self.offset as i128 + (d as i128 - 1) * s as i128)
                .expect("the last element along an axis is inside the buffer");
        }
        self.strides[axis] = -s;
        Ok(self)
    }

    /// Every `|step|`-th element of `start..stop` along `axis`, from `start`
    /// upwards if `step > 0`, from `stop - 1` downwards if `step < 0` (NumPy's
    /// `x[start:stop][::step]`). Needs `start <= stop <= shape[axis]`, `step != 0`.
    pub fn slice(mut self, axis: usize, start: usize, stop: usize, step: isize) -> Result<ArrayView<'a>> {
        self.check_axis(axis)?;
        let (d, s) = (self.shape[axis], self.strides[axis]);
        if step == 0 {
            return Err(layout_error("a slice step cannot be zero".to_string()));
        }
        if start > stop || stop > d {
            return Err(layout_error(format!("slice {start}..{stop} is out of range for axis {axis} of length {d}")));
        }
        let count = (stop - start).div_ceil(step.unsigned_abs());
        if count > 1 {
            self.strides[axis] =
                s.checked_mul(step).ok_or_else(|| layout_error(format!("stride {s} times step {step} overflows")))?;
        }
        if count > 0 && !self.is_empty() {
            let first = if step > 0 { start } else { stop - 1 };
            self.offset = usize::try_from(self.offset as i128 + first as i128 * s as i128)
                .expect("the first element of a slice is inside the buffer");
        }
        self.shape[axis] = count;
        Ok(self)
    }

    /// Whether the elements are consecutive in C order (as an owned C-order
    /// array's are); dimensions of length 1 may have any stride.
    pub fn is_c_contiguous(&self) -> bool {
        if self.is_empty() {
            return true;
        }
        let mut expect = 1isize;
        for (&d, &s) in self.shape.iter().zip(self.strides.iter()).rev() {
            if d != 1 && s != expect {
                return false;
            }
            match expect.checked_mul(d as isize) {
                Some(e) => expect = e,
                None => return false,
            }
        }
        true
    }

    /// The elements in C order as a slice of the buffer, if the view is
    /// C-contiguous and its dtype is `T`'s.
    pub fn as_slice<T: Element>(&self) -> Option<&'a [T]> {
        let raw = self.raw::<T>()?;
        self.is_c_contiguous().then(|| raw.slice(self.offset, self.len()))
    }

    /// Element offset of every element, in C (index) order.
    pub(crate) fn for_each_offset(&self, mut f: impl FnMut(usize)) {
        if self.is_empty() {
            return;
        }
        let nd = self.ndim();
        let mut index = vec![0usize; nd];
        let mut off = self.offset as isize;
        loop {
            f(off as usize);
            let mut d = nd;
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                index[d] += 1;
                off += self.strides[d];
                if index[d] < self.shape[d] {
                    break;
                }
                off -= self.strides[d] * self.shape[d] as isize;
                index[d] = 0;
            }
        }
    }

    /// Element `i` in C (index) order (panics if `i >= len()`).
    pub fn get(&self, i: usize) -> Scalar {
        assert!(i < self.len(), "index {i} out of range for a view of {} elements", self.len());
        let mut rest = i;
        let mut off = self.offset as isize;
        for (&d, &s) in self.shape.iter().zip(self.strides.iter()).rev() {
            off += (rest % d) as isize * s;
            rest /= d;
        }
        let off = off as usize;
        match self.data {
            DataRef::Bool(r) => Scalar::Bool(r.get(off)),
            DataRef::Int32(r) => Scalar::Int32(r.get(off)),
            DataRef::Int64(r) => Scalar::Int64(r.get(off)),
            DataRef::Float32(r) => Scalar::Float32(r.get(off)),
            DataRef::Float64(r) => Scalar::Float64(r.get(off)),
        }
    }

    /// A C-order copy.
    pub fn to_array(&self) -> Array {
        fn go<T: Element>(v: &ArrayView<'_>, raw: Raw<'_, T>) -> Data {
            if let Some(s) = v.as_slice::<T>() {
                return T::wrap(s.to_vec());
            }
            let mut out = Vec::with_capacity(v.len());
            v.for_each_offset(|o| out.push(raw.get(o)));
            T::wrap(out)
        }
        let data = match self.data {
            DataRef::Bool(r) => go(self, r),
            DataRef::Int32(r) => go(self, r),
            DataRef::Int64(r) => go(self, r),
            DataRef::Float32(r) => go(self, r),
            DataRef::Float64(r) => go(self, r),
        };
        Array::new(data, self.shape.to_vec()).expect("a copy has its view's element count")
    }
}

/// A mutable C-contiguous view: a borrowed buffer to overwrite with an output.
pub struct ArrayViewMut<'a> {
    data: DataMut<'a>,
    shape: Dims<usize>,
}

impl std::fmt::Debug for ArrayViewMut<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrayViewMut").field("dtype", &self.dtype()).field("shape", &self.shape).finish()
    }
}

impl<'a> ArrayViewMut<'a> {
    /// A view of `data` as a C-order array of `shape`; an error unless the
    /// shape's element count is the slice length.
    pub fn new<T: Element>(data: &'a mut [T], shape: &[usize]) -> Result<ArrayViewMut<'a>> {
        if shape_size(shape) != Some(data.len()) {
            return Err(layout_error(format!(
                "shape {} does not have the {} elements of the buffer",
                fmt_shape(shape),
                data.len()
            )));
        }
        Ok(ArrayViewMut::from_parts(T::wrap_mut(data), shape.into()))
    }

    /// The caller guarantees the shape's element count is the buffer length.
    pub(crate) fn from_parts(data: DataMut<'a>, shape: Dims<usize>) -> ArrayViewMut<'a> {
        ArrayViewMut { data, shape }
    }

    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }

    /// The extent of every dimension.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.as_ref().len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A read-only view of the same elements.
    pub fn view(&self) -> ArrayView<'_> {
        ArrayView::from_parts(self.data.as_ref(), self.shape.clone(), c_strides(&self.shape), 0)
            .expect("a C-contiguous buffer holds its own elements")
    }

    /// A shorter-lived view of the same buffer.
    pub fn reborrow(&mut self) -> ArrayViewMut<'_> {
        ArrayViewMut { data: self.data.reborrow(), shape: self.shape.clone() }
    }

    /// The elements in C order, if the dtype is `T`'s.
    pub fn as_slice_mut<T: Element>(&mut self) -> Option<&mut [T]> {
        T::slice_of_mut(self.data.reborrow())
    }

    /// The start of the buffer, for exec's kernel calls.
    pub(crate) fn ptr_mut(&mut self) -> *mut u8 {
        self.data.ptr_mut()
    }

    /// Copy `src` (same dtype and shape, any strides) into the view.
    pub(crate) fn assign(&mut self, src: &ArrayView<'_>) {
        fn go<T: Element>(dst: &mut [T], src: &ArrayView<'_>) {
            // A C-contiguous source (an interpreted result, an owned copy) is
            // one `memcpy`; the walk below cost 6x as much at n = 1e5.
            if let Some(s) = src.as_slice::<T>() {
                dst.copy_from_slice(s);
                return;
            }
            let raw = src.raw::<T>().expect("assign copies between equal dtypes");
            let mut k = 0;
            src.for_each_offset(|o| {
                dst[k] = raw.get(o);
                k += 1;
            });
        }
        assert_eq!((self.dtype(), self.shape()), (src.dtype(), src.shape()), "assign copies between equal layouts");
        match self.data.reborrow() {
            DataMut::Bool(d) => go(d, src),
            DataMut::Int32(d) => go(d, src),
            DataMut::Int64(d) => go(d, src),
            DataMut::Float32(d) => go(d, src),
            DataMut::Float64(d) => go(d, src),
        }
    }
}

#[cfg(test)]
mod tests;
