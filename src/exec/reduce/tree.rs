//! The combination tree of a lane's blocks, cut into tasks and evaluated as
//! the blocks stream through, so partial results take memory bounded by the
//! thread count and the output, not by the number of blocks.
//!
//! Input: how many lanes there are, how many blocks (leaves) each has, how
//! many blocks a task should cover, the team's size. Output: a [`Cut`] saying
//! which subtrees each task computes, and [`tree`], which computes one subtree
//! from its leaves in order, holding one partial result per tree level.
//!
//! The tree is the one [`super::pairwise`] builds over a lane's block partials
//! (split at the middle, the left half the shorter: [`mid`]). It is evaluated
//! as the leaves arrive by [`Pending`], a stack of partial results: push each
//! leaf, then combine the subtrees it finishes ([`Pending::finish_leaf`]). The
//! same stack serves the tasks here and [`super::combine::LaneCombiner`], which
//! is fed a lane's block partials a window at a time. A folding task, whose
//! leaves come a window of blocks at a time, uses [`tree_held`]: a subtree
//! whose leaves are all in the window is `pairwise` over them at once, and only
//! the few nodes that straddle windows go through the stack (per-leaf stack
//! work cost more instructions than the kernel folding the elements). A lane is either
//! computed whole by one task (several lanes per task when lanes are short), or
//! cut into `pieces` (a power of two) subtrees: the nodes at depth
//! `log2(pieces)`, which `pairwise` over the pieces' results, in order, joins
//! exactly as the lane's own tree would (halving a power of two splits it at
//! the same places). So the bits are those of `pairwise` over every block.

use std::ops::Range;

use super::{pairwise, Acc, Data, Red};

/// Subtrees per thread when lanes are cut: enough tasks for the team to even
/// out, few enough that their results stay small.
const PIECES_PER_THREAD: usize = 16;

/// How lanes of `leaves` blocks each are cut into tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Cut {
    lanes: usize,
    leaves: usize,
    /// Subtrees per lane computed by separate tasks (a power of two).
    pub pieces: usize,
    /// Whole lanes per task (when `pieces` is 1).
    lanes_per_task: usize,
    /// Leaves per task when every leaf is its own subtree ([`Cut::leaves`]),
    /// 0 otherwise.
    leaves_per_task: usize,
}

impl Cut {
    /// `per_task`: the blocks a task should cover (at least 1). A lane longer
    /// than that is cut into at most `leaves / per_task` pieces, and at most
    /// [`PIECES_PER_THREAD`] per thread over all lanes (but whole lanes always).
    pub fn new(lanes: usize, leaves: usize, per_task: usize, threads: usize) -> Cut {
        debug_assert!(leaves >= 1 && per_task >= 1);
        if leaves <= per_task {
            return Cut { lanes, leaves, pieces: 1, lanes_per_task: per_task / leaves, leaves_per_task: 0 };
        }
        let cap = (PIECES_PER_THREAD * threads / lanes.max(1)).max(1);
        let want = (leaves / per_task).min(cap);
        Cut { lanes, leaves, pieces: 1 << want.ilog2(), lanes_per_task: 1, leaves_per_task: 0 }
    }

    /// Every leaf its own subtree, `per_task` leaves (in lane-major order) per
    /// task: the tasks return each lane's block partials uncombined, in order,
    /// for a caller that combines them across windows (`stream`). Partials
    /// then grow with the blocks, which the caller's window bounds.
    pub fn leaves(lanes: usize, leaves: usize, per_task: usize) -> Cut {
        debug_assert!(leaves >= 1 && per_task >= 1);
        Cut { lanes, leaves, pieces: leaves, lanes_per_task: 1, leaves_per_task: per_task }
    }

    pub fn tasks(&self) -> usize {
        if self.leaves_per_task > 0 {
            (self.lanes * self.leaves).div_ceil(self.leaves_per_task)
        } else if self.pieces > 1 {
            self.lanes * self.pieces
        } else {
            self.lanes.div_ceil(self.lanes_per_task)
        }
    }

    /// The partial results the tasks return (per reduction, per element of a
    /// lane's width): one per piece of every lane.
    pub fn partials(&self) -> usize {
        self.lanes * self.pieces
    }

    /// Task `t`'s subtrees, in order: (lane, its leaves).
    pub fn nodes(&self, t: usize) -> Vec<(usize, Range<usize>)> {
        if self.leaves_per_task > 0 {
            let k = self.leaves_per_task;
            let units = t * k..((t + 1) * k).min(self.lanes * self.leaves);
            return units.map(|u| (u / self.leaves, u % self.leaves..u % self.leaves + 1)).collect();
        }
        if self.pieces == 1 {
            let lanes = t * self.lanes_per_task..((t + 1) * self.lanes_per_task).min(self.lanes);
            return lanes.map(|l| (l, 0..self.leaves)).collect();
        }
        let (lane, piece) = (t / self.pieces, t % self.pieces);
        let mut leaves = 0..self.leaves;
        for level in (0..self.pieces.ilog2()).rev() {
            let m = mid(&leaves);
            leaves = if (piece >> level) & 1 == 0 { leaves.start..m } else { m..leaves.end };
        }
        vec![(lane, leaves)]
    }
}

/// Where the tree splits `leaves` (at least 2): the left half is the shorter,
/// as [`super::pairwise`] splits a slice.
fn mid(leaves: &Range<usize>) -> usize {
    leaves.start + leaves.len() / 2
}

/// How many subtrees of the tree over `leaves` leaf `u` finishes: the nodes on
/// its path from the root (the leaf aside) whose last leaf it is, innermost
/// first, since once `u` ends a node it is in the right half of every node below.
fn finished_by(mut leaves: Range<usize>, u: usize) -> usize {
    let mut finished = 0;
    while leaves.len() >= 2 {
        finished += usize::from(leaves.end == u + 1);
        let m = mid(&leaves);
        leaves = if u < m { leaves.start..m } else { m..leaves.end };
    }
    finished
}

/// Partial results of pending subtrees, per reduction: one frame of `w`
/// elements (a lane's width) per subtree, at most one per tree level.
#[derive(Debug)]
pub(super) struct Pending {
    data: Vec<Data>,
    pub w: usize,
}

impl Pending {
    pub fn new(reds: &[Red], w: usize) -> Pending {
        // Room for 16 frames of one element (a tree over 2^15 leaves) or 4 of a
        // row, so pushes rarely reallocate.
        let room = if w == 1 { 16 } else { 4 * w };
        Pending { data: reds.iter().map(|r| Data::zeros(r.dtype, 0).reserved(room)).collect(), w }
    }

    /// Push frame `at` of `from` (per reduction, frames of `w` elements).
    pub fn push(&mut self, from: &[Data], at: usize) {
        let w = self.w;
        for (d, f) in self.data.iter_mut().zip(from) {
            typed2!(d, f, |d, f| d.extend_from_slice(&f[at * w..(at + 1) * w]));
        }
    }

    /// Push `pairwise` over elements `r` of `from` (per reduction), as one
    /// frame; only for frames of one element (`w == 1`).
    pub fn push_pairwise(&mut self, from: &[Data], r: Range<usize>, reds: &[Red]) {
        debug_assert_eq!(self.w, 1, "one element per frame");
        for ((d, f), red) in self.data.iter_mut().zip(from).zip(reds) {
            typed2!(d, f, |d, f| d.push(pairwise(red.op, &f[r.clone()])));
        }
    }

    /// Leaf `u` of the tree over `leaves` has just been pushed: combine the
    /// subtrees it finishes, innermost first.
    pub fn finish_leaf(&mut self, leaves: &Range<usize>, u: usize, reds: &[Red]) {
        for _ in 0..finished_by(leaves.clone(), u) {
            self.combine_top(reds);
        }
    }

    /// Replace the top two frames by their combination (the lower one left).
    fn combine_top(&mut self, reds: &[Red]) {
        fn combine<T: Acc>(red: Red, v: &mut Vec<T>, w: usize) {
            let n = v.len();
            let (a, b) = v[n - 2 * w..].split_at_mut(w);
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x = T::combine(red.op, *x, *y);
            }
            v.truncate(n - w);
        }
        let w = self.w;
        for (d, red) in self.data.iter_mut().zip(reds) {
            typed1!(d, |v| combine(*red, v, w));
        }
    }

    /// Move the only frame to the end of `out` (per reduction).
    pub fn pop_into(&mut self, out: &mut [Data]) {
        for (d, o) in self.data.iter_mut().zip(out) {
            debug_assert_eq!(d.len(), self.w, "one subtree finished");
            typed2!(o, d, |o, d| o.append(d));
        }
    }
}

/// Leaves computed a window at a time, for [`tree_held`].
pub(super) trait Leaves {
    /// Compute the leaves from `u` on (the first leaf not held yet); return the
    /// ones now held: a range starting at `u`, not empty.
    fn hold(&mut self, u: usize) -> Range<usize>;
    /// Push the combination of the held leaves `r` on `pending`: [`super::pairwise`]
    /// over them, the subtree of the lane's tree they make up.
    fn push_tree(&mut self, r: Range<usize>, pending: &mut Pending);
}

/// [`tree`] for leaves computed a window at a time: a subtree whose leaves are
/// all held is combined at once by `pairwise` over them (the same tree, so the
/// same bits), without a stack frame per leaf; only the nodes that straddle a
/// window boundary go through `pending`. `held` is the range `src` holds (empty
/// at first); the leaves are asked for in order, as [`tree`] visits them.
pub(super) fn tree_held(
    leaves: Range<usize>,
    held: &mut Range<usize>,
    pending: &mut Pending,
    reds: &[Red],
    src: &mut dyn Leaves,
) {
    if !held.contains(&leaves.start) {
        *held = src.hold(leaves.start);
        debug_assert!(held.start == leaves.start && held.end > held.start, "a window starts at the leaf asked for");
    }
    if leaves.end <= held.end {
        src.push_tree(leaves, pending);
        return;
    }
    // At least two leaves: the first one is held, the last one is not.
    let m = mid(&leaves);
    tree_held(leaves.start..m, held, pending, reds, src);
    tree_held(m..leaves.end, held, pending, reds, src);
    pending.combine_top(reds);
}

/// Push the combination of `leaves` (the tree `pairwise` builds over them) on
/// `pending`; `leaf(u, pending)` pushes leaf `u`'s frame, called in order.
pub(super) fn tree(
    leaves: Range<usize>,
    pending: &mut Pending,
    reds: &[Red],
    leaf: &mut dyn FnMut(usize, &mut Pending),
) {
    for u in leaves.clone() {
        leaf(u, pending);
        pending.finish_leaf(&leaves, u, reds);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pairwise;
    use super::*;
    use crate::ir::ops::ReduceOp;
    use crate::types::DType;

    /// Chunked combination (a window's blocks of 8 slots, ragged tails) takes the
    /// tree of halving splits over each chunk, for every float operator.
    #[test]
    fn chunked_pairwise_is_the_halving_tree_per_chunk() {
        use super::super::Acc;
        fn halving(op: ReduceOp, xs: &[f64]) -> f64 {
            match xs.len() {
                0 => f64::from_scalar(crate::codegen::accumulator_start(op, DType::Float64)),
                1 => xs[0],
                n => {
                    let (l, r) = xs.split_at(n / 2);
                    f64::combine(op, halving(op, l), halving(op, r))
                }
            }
        }
        let xs: Vec<f64> = (0..203usize).map(|i| ((i * 7919) % 1000) as f64 * 1e-3 + 1e16 * (i % 3) as f64).collect();
        for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Min, ReduceOp::Max, ReduceOp::Mean] {
            for size in [1usize, 3, 8, 128] {
                for len in [0usize, 1, 8, 16, 100, 203] {
                    let mut got = vec![f64::NAN; len.div_ceil(size)];
                    super::super::pairwise_chunks(op, &xs[..len], size, &mut got);
                    let want: Vec<u64> = xs[..len].chunks(size).map(|c| halving(op, c).to_bits()).collect();
                    assert_eq!(got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), want, "{op:?} {size} {len}");
                }
                let want = halving(op, &xs[..size.min(203)]).to_bits();
                assert_eq!(pairwise(op, &xs[..size.min(203)]).to_bits(), want, "{op:?} {size}");
            }
        }
    }

    /// max(a + b) over (100000, 1) + (1, 100000) reached 1.29 GB: one partial
    /// per 128-element block of the broadcast 1e10 elements. The partials are
    /// now bounded by the team, not by the blocks.
    #[test]
    fn broadcast_reduction_partials_are_bounded_by_threads_not_blocks() {
        let blocks = 10_000_000_000usize / 128;
        for threads in [1, 2, 16] {
            let cut = Cut::new(1, blocks, 128, threads);
            assert!(cut.partials() <= PIECES_PER_THREAD * threads, "{cut:?}");
            assert!(cut.tasks() >= threads, "{cut:?}");
        }
        // Many lanes: one partial per lane (the output's size), whatever their length.
        let cut = Cut::new(100_000, blocks / 100_000, 128, 2);
        assert_eq!(cut.partials(), 100_000);
        // Short lanes: several per task.
        let cut = Cut::new(1000, 1, 128, 2);
        assert_eq!((cut.partials(), cut.tasks()), (1000, 8));
    }

    #[test]
    fn pieces_are_the_nodes_of_the_pairwise_tree_and_tile_the_lane() {
        for leaves in [2, 3, 7, 8, 100, 1001] {
            for per_task in [1, 2, 5] {
                let cut = Cut::new(1, leaves, per_task, 64);
                let mut next = 0;
                for t in 0..cut.tasks() {
                    for (_, r) in cut.nodes(t) {
                        assert_eq!(r.start, next, "{cut:?}");
                        assert!(!r.is_empty());
                        next = r.end;
                    }
                }
                assert_eq!(next, leaves);
            }
        }
    }

    /// Float64 leaves held a window at a time: `tree_held` gives the bits of
    /// `pairwise` over the subtree, whatever the window, and asks for every leaf
    /// once, in order.
    #[test]
    fn held_windows_combine_to_the_bits_of_pairwise() {
        struct Src<'a> {
            xs: &'a [f64],
            window: usize,
            end: usize,
            start: usize,
            asked: Vec<usize>,
        }
        impl Leaves for Src<'_> {
            fn hold(&mut self, u: usize) -> Range<usize> {
                self.asked.push(u);
                self.start = u;
                u..(u + self.window).min(self.end)
            }
            fn push_tree(&mut self, r: Range<usize>, pending: &mut Pending) {
                let red = Red { op: ReduceOp::Sum, dtype: DType::Float64, slots: 1, count: 1 };
                assert!(r.start >= self.start && r.end <= (self.start + self.window).min(self.end));
                pending.push_pairwise(&[Data::Float64(self.xs.to_vec())], r, &[red]);
            }
        }
        let red = Red { op: ReduceOp::Sum, dtype: DType::Float64, slots: 1, count: 1 };
        for leaves in [1, 2, 3, 5, 64, 77, 1000] {
            let xs: Vec<f64> =
                (0..leaves).map(|i| 1.0 / (i as f64 + 1.0) * if i % 3 == 0 { -1e10 } else { 1.0 }).collect();
            for sub in [0..leaves, leaves / 3..leaves] {
                if sub.is_empty() {
                    continue;
                }
                let want = pairwise(red.op, &xs[sub.clone()]);
                for window in [1, 2, 3, 7, 128, 5000] {
                    let mut src = Src { xs: &xs, window, end: sub.end, start: 0, asked: vec![] };
                    let mut pending = Pending::new(&[red], 1);
                    tree_held(sub.clone(), &mut (0..0), &mut pending, &[red], &mut src);
                    let mut out = [Data::Float64(vec![])];
                    pending.pop_into(&mut out);
                    let Data::Float64(got) = &out[0] else { unreachable!() };
                    assert_eq!(got[0].to_bits(), want.to_bits(), "{leaves} leaves {sub:?}, window {window}");
                    let asked: Vec<usize> = sub.clone().step_by(window).collect();
                    assert_eq!(src.asked, asked, "every window once, in order");
                }
            }
        }
    }

    /// Summing float64 leaves through cut trees gives the bits of `pairwise`
    /// over all of them, for any cut.
    #[test]
    fn cut_trees_combine_to_the_bits_of_pairwise() {
        let red = Red { op: ReduceOp::Sum, dtype: DType::Float64, slots: 1, count: 1 };
        for leaves in [1, 2, 3, 5, 64, 77, 1000] {
            let xs: Vec<f64> =
                (0..leaves).map(|i| 1.0 / (i as f64 + 1.0) * if i % 3 == 0 { -1e10 } else { 1.0 }).collect();
            let want = pairwise(red.op, &xs);
            let from = [Data::Float64(xs.clone())];
            for per_task in [1, 3, 16] {
                let cut = Cut::new(1, leaves, per_task, 8);
                let mut pieces = [Data::Float64(vec![])];
                for t in 0..cut.tasks() {
                    for (_, r) in cut.nodes(t) {
                        let mut pending = Pending::new(&[red], 1);
                        tree(r, &mut pending, &[red], &mut |u, p| p.push(&from, u));
                        pending.pop_into(&mut pieces);
                    }
                }
                let Data::Float64(pieces) = &pieces[0] else { unreachable!() };
                assert_eq!(pairwise(red.op, pieces).to_bits(), want.to_bits(), "{leaves} leaves, {cut:?}");
            }
        }
    }
}
