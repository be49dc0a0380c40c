//! Combining block partials that arrive piece by piece, in the fixed order.
//!
//! Input: the block partials of many lanes ([`crate::exec::Reductions::Partials`]),
//! a batch of consecutive blocks per lane at a time. Output: each lane's
//! finished reduction, with the bits [`crate::exec::eval`] gives for the whole lane.
//!
//! [`super`] combines the `B` block partials of a lane in a balanced tree, which
//! [`super::tree::Pending`] evaluates as the leaves arrive, holding one partial
//! per tree level. Every lane has the same `B`, so one stack serves them all:
//! a frame holds one partial per lane, `O(lanes * log B)` memory whatever the
//! length of the lanes.

use std::ops::Range;

use crate::array::{Array, Data};
use crate::diag::{Error, ErrorKind, Result};
use crate::ir::ops::ReduceOp;
use crate::types::DType;

use super::tree::Pending;
use super::{starts, Acc, Red, BLOCK};

/// Combines the block partials of `lanes` lanes of `blocks` blocks each, fed
/// in order a few blocks at a time, into finished values.
#[derive(Debug)]
pub struct LaneCombiner {
    red: Red,
    lanes: usize,
    /// The tree's leaves: every lane's blocks.
    blocks: Range<usize>,
    /// Leaves received so far.
    seen: usize,
    pending: Pending,
    /// Scratch: the next leaf, one block partial per lane.
    leaf: [Data; 1],
}

impl LaneCombiner {
    /// A combiner for a reduction `op` in `dtype` whose every lane has `count`
    /// elements, in `lanes` lanes.
    pub fn new(op: ReduceOp, dtype: DType, lanes: usize, count: usize) -> LaneCombiner {
        let red = Red::new(op, dtype, count);
        let blocks = 0..count.div_ceil(BLOCK);
        LaneCombiner {
            red,
            lanes,
            blocks,
            seen: 0,
            pending: Pending::new(&[red], lanes),
            leaf: [Data::zeros(dtype, lanes)],
        }
    }

    /// Feed the next blocks of every lane: `partials` is `[lanes, k]`, lane by
    /// lane, as [`crate::exec::Reductions::Partials`] gives them.
    pub fn push(&mut self, partials: &Array) -> Result<()> {
        let k = match partials.shape() {
            [l, k] if *l == self.lanes && partials.dtype() == self.red.dtype => *k,
            _ => return Err(mismatch(partials, self.lanes, self.red.dtype)),
        };
        if self.seen + k > self.blocks.end {
            return Err(Error::new(ErrorKind::Shape, "more block partials than the lanes have blocks"));
        }
        for b in 0..k {
            typed2!(&mut self.leaf[0], partials.data(), |leaf, p| {
                for (lane, l) in leaf.iter_mut().enumerate() {
                    *l = p[lane * k + b];
                }
            });
            self.pending.push(&self.leaf, 0);
            self.pending.finish_leaf(&self.blocks, self.seen, &[self.red]);
            self.seen += 1;
        }
        Ok(())
    }

    /// The finished values, once every block has been fed, as an array of
    /// `shape` (whose size is the number of lanes).
    pub fn finish(mut self, shape: Vec<usize>) -> Result<Array> {
        if self.seen != self.blocks.end {
            return Err(Error::new(
                ErrorKind::Shape,
                format!("{} of {} block partials were fed before finishing", self.seen, self.blocks.end),
            ));
        }
        let red = self.red;
        let [mut data] = if self.blocks.is_empty() {
            // Empty lanes: each is the accumulator start.
            [starts(red, self.lanes)]
        } else {
            let mut root = [Data::zeros(red.dtype, 0)];
            self.pending.pop_into(&mut root);
            root
        };
        fn done<T: Acc>(red: Red, v: &mut [T]) {
            v.iter_mut().for_each(|x| *x = T::finish(red.op, *x, red.count));
        }
        typed1!(&mut data, |v| done(red, v));
        Array::new(data, shape)
    }
}

fn mismatch(partials: &Array, lanes: usize, dtype: DType) -> Error {
    Error::new(
        ErrorKind::Shape,
        format!(
            "block partials of {} {} do not fit {lanes} lanes of {dtype}",
            partials.dtype(),
            crate::array::fmt_shape(partials.shape())
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::pairwise;
    use super::*;

    #[test]
    fn streamed_tree_equals_the_recursive_one_for_every_split() {
        for blocks in [1usize, 2, 3, 4, 5, 7, 8, 9, 13, 64, 100, 257] {
            // Values whose sum depends on the order of additions.
            let leaves: Vec<f64> =
                (0..blocks).map(|i| 1.0 / (i as f64 + 1.0) * if i % 3 == 0 { 1e16 } else { 1.0 }).collect();
            for piece in [1usize, 2, 3, 7, blocks] {
                let count = blocks * crate::codegen::FOLD_BLOCK;
                let mut c = LaneCombiner::new(ReduceOp::Sum, DType::Float64, 1, count);
                for chunk in leaves.chunks(piece) {
                    let part = Array::new(Data::Float64(chunk.to_vec()), vec![1, chunk.len()]).unwrap();
                    c.push(&part).unwrap();
                }
                let got = c.finish(vec![]).unwrap().as_slice::<f64>().unwrap()[0];
                assert_eq!(
                    got.to_bits(),
                    (0.0 + pairwise(ReduceOp::Sum, &leaves)).to_bits(),
                    "blocks {blocks}, piece {piece}"
                );
            }
        }
    }

    #[test]
    fn empty_lanes_finish_as_the_reduction_of_nothing() {
        let c = LaneCombiner::new(ReduceOp::Prod, DType::Float64, 3, 0);
        assert_eq!(c.finish(vec![3]).unwrap().as_slice::<f64>().unwrap(), [1.0; 3]);
        let c = LaneCombiner::new(ReduceOp::Sum, DType::Int64, 0, 300);
        assert!(c.finish(vec![0]).is_err(), "3 blocks were due");
    }

    #[test]
    fn unfinished_lanes_are_an_error() {
        let c = LaneCombiner::new(ReduceOp::Sum, DType::Float64, 2, 300);
        assert!(c.finish(vec![2]).is_err());
    }
}
