//! Sources: inputs that hand out windows.
//!
//! A window is a range of *slabs*: positions along the source's outermost
//! storage axis of extent > 1 (the first such axis of a C-order array, the last
//! of a Fortran-order one), so every window is one contiguous run of the
//! source's memory. A window is an [`Array`] in the source's order, of the
//! source's shape with that axis cut to the window's length.

use std::ops::Range;

use crate::array::{Array, Data, Order};
use crate::diag::Result;
use crate::inputs::Generated;
use crate::npy::NpyReader;
use crate::types::DType;

/// An input read a window at a time. Implementations must give, for every
/// window, exactly the elements the whole value has there.
pub trait Source: Send + Sync {
    /// The dtype of every element.
    fn dtype(&self) -> DType;
    /// The whole value's shape.
    fn shape(&self) -> &[usize];
    /// The order its elements are stored in.
    fn order(&self) -> Order;
    /// Slabs `range` along [`storage_axis`] (the whole value when it has no such
    /// axis and `range` is `0..1`).
    fn window(&self, range: Range<usize>) -> Result<Array>;
}

/// The axis a source of this shape and order is cut along: its outermost
/// storage axis of extent > 1 (`None` for one element or none).
pub fn storage_axis(shape: &[usize], order: Order) -> Option<usize> {
    let mut axes = 0..shape.len();
    match order {
        Order::C => axes.find(|&d| shape[d] > 1),
        Order::Fortran => axes.rev().find(|&d| shape[d] > 1),
    }
}

/// The shape of a window of `len` slabs and the elements of one slab.
fn window_geometry(shape: &[usize], order: Order, len: usize) -> (Vec<usize>, usize) {
    let mut window = shape.to_vec();
    match storage_axis(shape, order) {
        Some(d) => {
            let slab = shape.iter().enumerate().filter(|&(k, _)| k != d).map(|(_, &n)| n).product();
            window[d] = len;
            (window, slab)
        }
        None => (window, shape.iter().product()),
    }
}

impl Source for NpyReader {
    fn dtype(&self) -> DType {
        NpyReader::dtype(self)
    }

    fn shape(&self) -> &[usize] {
        NpyReader::shape(self)
    }

    fn order(&self) -> Order {
        NpyReader::order(self)
    }

    fn window(&self, range: Range<usize>) -> Result<Array> {
        let (shape, slab) = window_geometry(self.shape(), self.order(), range.len());
        let data = self.read_elements(range.start * slab..range.end * slab)?;
        Array::with_order(data, shape, self.order())
    }
}

impl Source for Generated {
    fn dtype(&self) -> DType {
        Generated::dtype(self)
    }

    fn shape(&self) -> &[usize] {
        Generated::shape(self)
    }

    fn order(&self) -> Order {
        Order::C
    }

    fn window(&self, range: Range<usize>) -> Result<Array> {
        let (shape, slab) = window_geometry(self.shape(), Order::C, range.len());
        Array::new(self.elements(range.start * slab..range.end * slab), shape)
    }
}

/// An array already in memory, as a source (small inputs, values assembled by
/// an earlier pass).
impl Source for Array {
    fn dtype(&self) -> DType {
        Array::dtype(self)
    }

    fn shape(&self) -> &[usize] {
        Array::shape(self)
    }

    fn order(&self) -> Order {
        Array::order(self)
    }

    fn window(&self, range: Range<usize>) -> Result<Array> {
        let (shape, slab) = window_geometry(self.shape(), self.order(), range.len());
        let r = range.start * slab..range.end * slab;
        let data = match self.data() {
            Data::Bool(v) => Data::Bool(v[r].to_vec()),
            Data::Int32(v) => Data::Int32(v[r].to_vec()),
            Data::Int64(v) => Data::Int64(v[r].to_vec()),
            Data::Float32(v) => Data::Float32(v[r].to_vec()),
            Data::Float64(v) => Data::Float64(v[r].to_vec()),
        };
        Array::with_order(data, shape, self.order())
    }
}
