//! Test support: the values of an array in other memory layouts, read through
//! views, so tests can check that layouts never change results.
//!
//! Each [`Layout`] places the elements of an array in a buffer (with filler
//! elements between them where the layout skips some) and describes the view
//! that reads them back in index order: the same logical array.

use jitexpr::{Array, ArrayView, DType, Data, Order, Scalar};

/// The layouts tests run on, C first.
pub const LAYOUTS: [Layout; 6] =
    [Layout::C, Layout::Fortran, Layout::Rotated, Layout::Reversed, Layout::Stepped, Layout::SteppedReversed];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// C order, contiguous.
    C,
    /// An owned Fortran-order array (`Array::with_order`).
    Fortran,
    /// A C-order buffer of the shape with its first axis moved last, viewed
    /// with the axes rotated back (for 2-d: the transpose of the transpose).
    Rotated,
    /// Every axis reversed: negative strides.
    Reversed,
    /// Every other element along the last axis, from element 1 of rows of
    /// `2 * n + 1` (NumPy's `x[..., 1::2]`).
    Stepped,
    /// `Stepped`, with the first axis reversed too.
    SteppedReversed,
}

/// An array's values in a layout: the buffer and the view that reads them.
pub struct Relaid {
    buffer: Array,
    shape: Vec<usize>,
    strides: Vec<isize>,
    offset: usize,
}

impl Relaid {
    pub fn new(a: &Array, layout: Layout) -> Relaid {
        let shape = a.shape().to_vec();
        let nd = shape.len();
        let n = a.len();
        let (strides, offset, len) = match layout {
            Layout::C => (c_strides(&shape), 0, n),
            Layout::Fortran => {
                let strides = f_strides(&shape);
                let data = embed(a, &strides, 0, n).into_data();
                let buffer = Array::with_order(data, shape.clone(), Order::Fortran).expect("same element count");
                return Relaid { buffer, shape, strides, offset: 0 };
            }
            Layout::Rotated if nd >= 2 => {
                let mut buffer_shape = shape[1..].to_vec();
                buffer_shape.push(shape[0]);
                let bs = c_strides(&buffer_shape);
                let mut strides = vec![bs[nd - 1]];
                strides.extend_from_slice(&bs[..nd - 1]);
                (strides, 0, n)
            }
            Layout::Rotated => (c_strides(&shape), 0, n),
            Layout::Reversed => {
                let strides: Vec<isize> = c_strides(&shape).iter().map(|s| -s).collect();
                (strides, n.saturating_sub(1), n)
            }
            Layout::Stepped | Layout::SteppedReversed if nd >= 1 => {
                let mut buffer_shape = shape.clone();
                buffer_shape[nd - 1] = 2 * shape[nd - 1] + 1;
                let mut strides = c_strides(&buffer_shape);
                strides[nd - 1] *= 2;
                // An empty view may not start past its (empty) buffer.
                let mut offset = usize::from(n > 0);
                if layout == Layout::SteppedReversed && n > 0 {
                    offset += (shape[0] - 1) * strides[0] as usize;
                    strides[0] = -strides[0];
                }
                (strides, offset, buffer_shape.iter().product())
            }
            Layout::Stepped | Layout::SteppedReversed => (c_strides(&shape), 0, n),
        };
        Relaid { buffer: embed(a, &strides, offset, len), shape, strides, offset }
    }

    pub fn view(&self) -> ArrayView<'_> {
        if self.buffer.order() == Order::Fortran {
            return self.buffer.view();
        }
        let (shape, strides, offset) = (&self.shape[..], &self.strides[..], self.offset);
        match self.buffer.data() {
            Data::Bool(v) => ArrayView::new(v, shape, strides, offset),
            Data::Int32(v) => ArrayView::new(v, shape, strides, offset),
            Data::Int64(v) => ArrayView::new(v, shape, strides, offset),
            Data::Float32(v) => ArrayView::new(v, shape, strides, offset),
            Data::Float64(v) => ArrayView::new(v, shape, strides, offset),
        }
        .expect("test layouts stay inside their buffers")
    }
}

fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0; shape.len()];
    let mut step = 1;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = step;
        step *= d as isize;
    }
    strides
}

fn f_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0; shape.len()];
    let mut step = 1;
    for (s, &d) in strides.iter_mut().zip(shape) {
        *s = step;
        step *= d as isize;
    }
    strides
}

/// A 1-d buffer of `len` filler elements with `a`'s elements where a view of
/// `a.shape()` with these strides and offset reads them.
fn embed(a: &Array, strides: &[isize], offset: usize, len: usize) -> Array {
    let mut data = filler(a.dtype(), len);
    let shape = a.shape();
    for i in 0..a.len() {
        let (mut rest, mut off) = (i, offset as isize);
        for (&d, &s) in shape.iter().zip(strides).rev() {
            off += (rest % d) as isize * s;
            rest /= d;
        }
        set(&mut data, off as usize, a.get(i));
    }
    Array::new(data, vec![len]).expect("a 1-d buffer")
}

/// Values no test input has, so reading one by mistake shows.
fn filler(dtype: DType, len: usize) -> Data {
    match dtype {
        DType::Bool => Data::Bool(vec![true; len]),
        DType::Int32 => Data::Int32(vec![-123_456_789; len]),
        DType::Int64 => Data::Int64(vec![-1_234_567_890_123; len]),
        DType::Float32 => Data::Float32(vec![-7.25e33; len]),
        DType::Float64 => Data::Float64(vec![-7.25e233; len]),
    }
}

fn set(data: &mut Data, i: usize, s: Scalar) {
    match (data, s) {
        (Data::Bool(v), Scalar::Bool(x)) => v[i] = x,
        (Data::Int32(v), Scalar::Int32(x)) => v[i] = x,
        (Data::Int64(v), Scalar::Int64(x)) => v[i] = x,
        (Data::Float32(v), Scalar::Float32(x)) => v[i] = x,
        (Data::Float64(v), Scalar::Float64(x)) => v[i] = x,
        (d, s) => panic!("a {s:?} in a buffer of {}", d.dtype()),
    }
}
