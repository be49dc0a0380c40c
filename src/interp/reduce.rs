//! Reductions: `sum prod min max mean any all`, over the whole array or one axis.
//!
//! Input: the argument (its dtype is the accumulator dtype, an IR invariant) and
//! the normalized axis. Output: the reduced buffer, in C order of the remaining
//! dims. The array is viewed as `(outer, len, inner)` ([`reduce_extent`]): the
//! reduction runs over `len`.
//!
//! - Float `sum` and `mean` use NumPy's pairwise summation (blocks of up to 128
//!   with 8 accumulators, halving above), then add the identity `0.0` as NumPy
//!   does (so a sum of `-0.0`s is `0.0`). Along a non-last axis the same pairwise
//!   tree runs over a tile of lanes at once, reading rows contiguously; every lane
//!   gets exactly the additions it would get alone. (NumPy itself adds rows one
//!   by one along a non-last axis, so it can differ there in the last bits.)
//! - Everything else folds in order: `prod` from 1, integer `sum` from 0
//!   (wrapping), `min`/`max` from the first element with NaN propagating,
//!   `any`/`all` with or/and.
//! - An empty `min`/`max` never gets here ([`crate::shape`] reports it); an empty
//!   `mean` is `0/0 = NaN`.

use crate::array::{ArrayView, Data, Element};
use crate::ir::ops::ReduceOp;
use crate::semantics::{maximum, minimum, Float, Int};
use crate::shape::reduce_extent;
use crate::types::DType;

/// Reduce `x` (C-contiguous) along `axis` (`None`: everything).
pub(super) fn reduce(op: ReduceOp, x: &ArrayView<'_>, axis: Option<usize>) -> Data {
    fn elems<'a, T: Element>(x: &ArrayView<'a>) -> &'a [T] {
        x.as_slice::<T>().expect("reductions read C-contiguous arguments of their dtype")
    }
    let ext = reduce_extent(x.shape(), axis);
    match x.dtype() {
        DType::Bool => reduce_bool(op, elems(x), ext),
        DType::Int32 => reduce_int::<i32>(op, elems(x), ext),
        DType::Int64 => reduce_int::<i64>(op, elems(x), ext),
        DType::Float32 => reduce_float::<f32>(op, elems(x), ext),
        DType::Float64 => reduce_float::<f64>(op, elems(x), ext),
    }
}

type Extent = (usize, usize, usize);

fn invalid(op: ReduceOp, dtype: &str) -> ! {
    panic!("IR invariant violated: `{}` accumulating in {dtype} (the operator table never does this)", op.name())
}

fn reduce_bool(op: ReduceOp, x: &[bool], ext: Extent) -> Data {
    Data::Bool(match op {
        // On bools `max` is `any` and `min` is `all`.
        ReduceOp::Any | ReduceOp::Max => fold(x, ext, Some(false), |a, b| a | b),
        ReduceOp::All | ReduceOp::Min => fold(x, ext, Some(true), |a, b| a & b),
        ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean => invalid(op, "bool"),
    })
}

fn reduce_int<T: Int>(op: ReduceOp, x: &[T], ext: Extent) -> Data {
    T::wrap(match op {
        ReduceOp::Sum => fold(x, ext, Some(T::ZERO), T::add),
        ReduceOp::Prod => fold(x, ext, Some(T::ONE), T::mul),
        ReduceOp::Min => fold(x, ext, None, minimum),
        ReduceOp::Max => fold(x, ext, None, maximum),
        ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => invalid(op, "an integer dtype"),
    })
}

fn reduce_float<T: Float>(op: ReduceOp, x: &[T], ext: Extent) -> Data {
    T::wrap(match op {
        ReduceOp::Sum => sum(x, ext),
        ReduceOp::Mean => {
            let mut s = sum(x, ext);
            s.iter_mut().for_each(|v| *v = v.div_count(ext.1));
            s
        }
        ReduceOp::Prod => fold(x, ext, Some(T::ONE), |a, b| a * b),
        ReduceOp::Min => fold(x, ext, None, minimum),
        ReduceOp::Max => fold(x, ext, None, maximum),
        ReduceOp::Any | ReduceOp::All => invalid(op, "a float dtype"),
    })
}

/// Fold every lane in order, starting from `init` (or from the lane's first
/// element when `None`: min and max, whose lanes are never empty).
fn fold<T: Copy>(x: &[T], (outer, len, inner): Extent, init: Option<T>, f: impl Fn(T, T) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(outer * inner);
    if outer * inner == 0 {
        return out;
    }
    let block = len * inner;
    for o in 0..outer {
        let src = &x[o * block..(o + 1) * block];
        if inner == 1 {
            // The lane is contiguous: a plain scalar fold.
            let (acc, rest) = match init {
                Some(v) => (v, src),
                None => (src[0], &src[1..]),
            };
            out.push(rest.iter().fold(acc, |a, &b| f(a, b)));
        } else {
            // Lanes are columns: combine whole rows so memory is read in order.
            let start = out.len();
            let first_row = match init {
                Some(v) => {
                    out.resize(start + inner, v);
                    0
                }
                None => {
                    out.extend_from_slice(&src[..inner]);
                    1
                }
            };
            let acc = &mut out[start..];
            for row in src.chunks_exact(inner).skip(first_row) {
                for (a, &b) in acc.iter_mut().zip(row) {
                    *a = f(*a, b);
                }
            }
        }
    }
    out
}

/// Float sums: NumPy's pairwise summation per lane, plus the identity 0.0.
fn sum<T: Float>(x: &[T], (outer, len, inner): Extent) -> Vec<T> {
    let mut out = vec![T::ZERO; outer * inner];
    let mut scratch = Scratch::new();
    let block = len * inner;
    for o in 0..outer {
        let src = &x[o * block..(o + 1) * block];
        let dst = &mut out[o * inner..(o + 1) * inner];
        if inner == 1 {
            dst[0] = T::ZERO + pairwise(src);
        } else {
            for (t, tile) in dst.chunks_mut(TILE).enumerate() {
                pairwise_tile(src, inner, t * TILE, (0, len), tile, &mut scratch, 0);
                tile.iter_mut().for_each(|v| *v = T::ZERO + *v);
            }
        }
    }
    out
}

/// Below this many elements NumPy sums a block with 8 accumulators, not halves.
const BLOCK: usize = 128;

/// NumPy's `pairwise_sum` over a contiguous slice.
fn pairwise<T: Float>(a: &[T]) -> T {
    let n = a.len();
    if n < 8 {
        a.iter().fold(T::ZERO, |s, &v| s + v)
    } else if n <= BLOCK {
        let mut r: [T; 8] = a[..8].try_into().expect("eight elements");
        let body = n - n % 8;
        for chunk in a[8..body].chunks_exact(8) {
            for (acc, &v) in r.iter_mut().zip(chunk) {
                *acc = *acc + v;
            }
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        a[body..].iter().fold(res, |s, &v| s + v)
    } else {
        // Halve, keeping the first half a multiple of the unroll factor.
        let half = n / 2 - (n / 2) % 8;
        pairwise(&a[..half]) + pairwise(&a[half..])
    }
}

/// Lanes summed together along a non-last axis: wide enough that each row is
/// read as a long contiguous run (streaming, prefetch-friendly), small enough that
/// the 8 accumulator rows stay in cache.
const TILE: usize = 1024;

/// Buffers for [`pairwise_tile`], allocated once per reduction: the 8 accumulator
/// rows of a block (blocks are visited one after another, so one set serves all)
/// and one right-half row per recursion depth.
struct Scratch<T> {
    acc: Vec<T>,
    right: Vec<Vec<T>>,
}

impl<T: Float> Scratch<T> {
    fn new() -> Scratch<T> {
        Scratch { acc: Vec::new(), right: Vec::new() }
    }
}

/// [`pairwise`] for `out.len()` (at most [`TILE`]) adjacent lanes at once: lane
/// `i0 + t` of rows `j0..j0 + n`, row `j` starting at `a[j * inner]`. Same tree of
/// additions per lane as [`pairwise`], so the same bits.
fn pairwise_tile<T: Float>(
    a: &[T],
    inner: usize,
    i0: usize,
    (j0, n): (usize, usize),
    out: &mut [T],
    s: &mut Scratch<T>,
    depth: usize,
) {
    let w = out.len();
    let row = |j: usize| &a[j * inner + i0..j * inner + i0 + w];
    let add_row = |acc: &mut [T], j: usize| {
        for (s, &v) in acc.iter_mut().zip(row(j)) {
            *s = *s + v;
        }
    };
    if n < 8 {
        out.fill(T::ZERO);
        (j0..j0 + n).for_each(|j| add_row(out, j));
    } else if n <= BLOCK {
        s.acc.resize(8 * w, T::ZERO);
        let acc = &mut s.acc[..8 * w];
        for (k, r) in acc.chunks_exact_mut(w).enumerate() {
            r.copy_from_slice(row(j0 + k));
        }
        let body = n - n % 8;
        for j in (8..body).step_by(8) {
            for (k, r) in acc.chunks_exact_mut(w).enumerate() {
                add_row(r, j0 + j + k);
            }
        }
        let r = |k: usize, t: usize| acc[k * w + t];
        for (t, o) in out.iter_mut().enumerate() {
            *o = ((r(0, t) + r(1, t)) + (r(2, t) + r(3, t))) + ((r(4, t) + r(5, t)) + (r(6, t) + r(7, t)));
        }
        (j0 + body..j0 + n).for_each(|j| add_row(out, j));
    } else {
        let half = n / 2 - (n / 2) % 8;
        pairwise_tile(a, inner, i0, (j0, half), out, s, depth + 1);
        if s.right.len() <= depth {
            s.right.resize_with(depth + 1, Vec::new);
        }
        let mut right = std::mem::take(&mut s.right[depth]);
        right.resize(w, T::ZERO);
        pairwise_tile(a, inner, i0, (j0 + half, n - half), &mut right, s, depth + 1);
        for (o, &v) in out.iter_mut().zip(&right) {
            *o = *o + v;
        }
        s.right[depth] = right;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_sums_match_lane_sums_bit_for_bit() {
        // Awkward values so that the order of additions shows in the last bits.
        for (rows, cols) in [(1000, 3), (300, 70), (129, 65), (7, 5), (8, 130), (0, 4), (300, 2100)] {
            let x: Vec<f64> =
                (0..rows * cols).map(|i| ((i * 7919) % 1013) as f64 * 0.1 + 1e-3 / (i + 1) as f64).collect();
            let by_axis0 = sum(&x, (1, rows, cols));
            for c in 0..cols {
                let lane: Vec<f64> = (0..rows).map(|r| x[r * cols + c]).collect();
                assert_eq!(by_axis0[c].to_bits(), (0.0 + pairwise(&lane)).to_bits(), "({rows},{cols}) col {c}");
            }
        }
    }

    #[test]
    fn pairwise_matches_numpy_bits() {
        // np.sum(np.arange(n, dtype=np.float32) * np.float32(0.1)) for NumPy 2.4.
        for (n, want) in [(7usize, 2.1f32), (100, 495.0), (1000, 49950.0), (12345, 7.619334e6)] {
            let x: Vec<f32> = (0..n).map(|i| i as f32 * 0.1f32).collect();
            assert_eq!(0.0 + pairwise(&x), want, "n = {n}");
        }
    }
}
