//! Combining block partials that arrive piece by piece, in the fixed order.
//!
//! Input: the block partials of many lanes ([`super::Reductions::Partials`]),
//! a batch of consecutive blocks per lane at a time. Output: each lane's
//! finished reduction, with the bits [`super::eval`] gives for the whole lane.
//!
//! [`super::reduce`] combines the `B` block partials of a lane in a balanced tree:
//! split the sequence at `B / 2` (the left part the smaller), recursively. The
//! same tree can be evaluated as the leaves arrive: keep the path from the root
//! to the next leaf, and at each node on it the finished value of its left
//! subtree. A leaf completes nodes upwards while it is a right child; at the
//! first node where it is a left child it is parked, and the path descends into
//! that node's right subtree. Every lane has the same `B`, so the path is shared
//! and each lane keeps only one parked value per level: `O(lanes * log B)`
//! memory whatever the length of the lanes.

use crate::array::{Array, Data, Element};
use crate::codegen::accumulator_start;
use crate::diag::{Error, ErrorKind, Result};
use crate::ir::ops::ReduceOp;
use crate::types::DType;

use super::reduce::Acc;

/// A node of the combination tree on the path to the next leaf: leaves
/// `..hi`, split at `mid`; `parked` once its left subtree is finished.
#[derive(Clone, Copy, Debug)]
struct Frame {
    mid: usize,
    hi: usize,
    parked: bool,
}

/// The tree over `blocks` leaves, shared by every lane.
#[derive(Debug)]
struct Path {
    frames: Vec<Frame>,
    /// Leaves received so far.
    seen: usize,
    blocks: usize,
}

impl Path {
    fn new(blocks: usize) -> Path {
        let mut path = Path { frames: Vec::new(), seen: 0, blocks };
        path.descend(0, blocks);
        path
    }

    /// Push the nodes from `lo..hi` down its leftmost branch to a leaf.
    fn descend(&mut self, lo: usize, mut hi: usize) {
        while hi - lo >= 2 {
            let mid = lo + (hi - lo) / 2;
            self.frames.push(Frame { mid, hi, parked: false });
            hi = mid;
        }
    }

    fn depth(&self) -> usize {
        // A balanced tree over `blocks` leaves has ceil(log2(blocks)) levels.
        (usize::BITS - self.blocks.saturating_sub(1).leading_zeros()) as usize
    }
}

/// Lanes of one dtype.
#[derive(Debug)]
struct Lanes<T> {
    /// `parked[lane * depth + level]`.
    parked: Vec<T>,
    /// Each lane's finished value, once every leaf has arrived.
    done: Vec<T>,
    /// Scratch: the value climbing the tree, per lane.
    carry: Vec<T>,
}

/// Typed lanes, one variant per accumulator dtype.
#[derive(Debug)]
enum AnyLanes {
    Bool(Lanes<bool>),
    Int32(Lanes<i32>),
    Int64(Lanes<i64>),
    Float32(Lanes<f32>),
    Float64(Lanes<f64>),
}

/// Combines the block partials of `lanes` lanes of `blocks` blocks each, fed
/// in order a few blocks at a time, into finished values.
#[derive(Debug)]
pub struct LaneCombiner {
    op: ReduceOp,
    dtype: DType,
    lanes: usize,
    /// Elements per lane, for `mean`.
    count: usize,
    path: Path,
    values: AnyLanes,
}

impl LaneCombiner {
    /// A combiner for a reduction `op` in `dtype` whose every lane has `count`
    /// elements, in `lanes` lanes.
    pub fn new(op: ReduceOp, dtype: DType, lanes: usize, count: usize) -> LaneCombiner {
        let blocks = count.div_ceil(crate::codegen::FOLD_BLOCK);
        let path = Path::new(blocks);
        let depth = path.depth();
        fn lanes_of<T: Element>(n: usize, depth: usize, start: T) -> Lanes<T> {
            Lanes { parked: vec![start; n * depth], done: vec![start; n], carry: vec![start; n] }
        }
        let start = accumulator_start(op, dtype);
        let values = match dtype {
            DType::Bool => AnyLanes::Bool(lanes_of(lanes, depth, bool::from_scalar(start))),
            DType::Int32 => AnyLanes::Int32(lanes_of(lanes, depth, i32::from_scalar(start))),
            DType::Int64 => AnyLanes::Int64(lanes_of(lanes, depth, i64::from_scalar(start))),
            DType::Float32 => AnyLanes::Float32(lanes_of(lanes, depth, f32::from_scalar(start))),
            DType::Float64 => AnyLanes::Float64(lanes_of(lanes, depth, f64::from_scalar(start))),
        };
        LaneCombiner { op, dtype, lanes, count, path, values }
    }

    /// Feed the next blocks of every lane: `partials` is `[lanes, k]`, lane by
    /// lane, as [`super::Reductions::Partials`] gives them.
    pub fn push(&mut self, partials: &Array) -> Result<()> {
        let k = match partials.shape() {
            [l, k] if *l == self.lanes && partials.dtype() == self.dtype => *k,
            _ => return Err(mismatch(partials, self.lanes, self.dtype)),
        };
        if self.path.seen + k > self.path.blocks {
            return Err(Error::new(ErrorKind::Shape, "more block partials than the lanes have blocks"));
        }
        let (op, path) = (self.op, &mut self.path);
        match (&mut self.values, partials.data()) {
            (AnyLanes::Bool(v), Data::Bool(p)) => feed(op, k, path, v, p),
            (AnyLanes::Int32(v), Data::Int32(p)) => feed(op, k, path, v, p),
            (AnyLanes::Int64(v), Data::Int64(p)) => feed(op, k, path, v, p),
            (AnyLanes::Float32(v), Data::Float32(p)) => feed(op, k, path, v, p),
            (AnyLanes::Float64(v), Data::Float64(p)) => feed(op, k, path, v, p),
            _ => unreachable!("dtypes checked above"),
        }
        Ok(())
    }

    /// The finished values, once every block has been fed, as an array of
    /// `shape` (whose size is the number of lanes).
    pub fn finish(self, shape: Vec<usize>) -> Result<Array> {
        if self.path.seen != self.path.blocks {
            return Err(Error::new(
                ErrorKind::Shape,
                format!("{} of {} block partials were fed before finishing", self.path.seen, self.path.blocks),
            ));
        }
        let (op, count) = (self.op, self.count);
        fn done<T: Acc>(op: ReduceOp, count: usize, v: Lanes<T>) -> Vec<T> {
            v.done.into_iter().map(|x| T::finish(op, x, count)).collect()
        }
        let data = match self.values {
            AnyLanes::Bool(v) => Data::Bool(done(op, count, v)),
            AnyLanes::Int32(v) => Data::Int32(done(op, count, v)),
            AnyLanes::Int64(v) => Data::Int64(done(op, count, v)),
            AnyLanes::Float32(v) => Data::Float32(done(op, count, v)),
            AnyLanes::Float64(v) => Data::Float64(done(op, count, v)),
        };
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

/// Feed blocks `0..k` of `partials` (`[lanes, k]`) into the tree.
fn feed<T: Acc>(op: ReduceOp, k: usize, path: &mut Path, v: &mut Lanes<T>, partials: &[T]) {
    let depth = path.depth();
    for b in 0..k {
        for (lane, c) in v.carry.iter_mut().enumerate() {
            *c = partials[lane * k + b];
        }
        path.seen += 1;
        loop {
            let Some(level) = path.frames.len().checked_sub(1) else {
                // The root is finished: the last leaf has arrived.
                v.done.copy_from_slice(&v.carry);
                break;
            };
            let frame = path.frames[level];
            if frame.parked {
                for (lane, c) in v.carry.iter_mut().enumerate() {
                    *c = T::combine(op, v.parked[lane * depth + level], *c);
                }
                path.frames.pop();
            } else {
                for (lane, c) in v.carry.iter().enumerate() {
                    v.parked[lane * depth + level] = *c;
                }
                path.frames[level].parked = true;
                path.descend(frame.mid, frame.hi);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recursive tree `exec::reduce` uses, over plain f64 sums.
    fn pairwise(xs: &[f64]) -> f64 {
        match xs {
            [] => 0.0,
            [a] => *a,
            _ => {
                let (l, r) = xs.split_at(xs.len() / 2);
                pairwise(l) + pairwise(r)
            }
        }
    }

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
                assert_eq!(got.to_bits(), (0.0 + pairwise(&leaves)).to_bits(), "blocks {blocks}, piece {piece}");
            }
        }
    }

    #[test]
    fn unfinished_lanes_are_an_error() {
        let c = LaneCombiner::new(ReduceOp::Sum, DType::Float64, 2, 300);
        assert!(c.finish(vec![2]).is_err());
    }
}
