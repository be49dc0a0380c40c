//! The loops: elementwise maps over whole arrays with NumPy broadcasting.
//!
//! Input: typed operands (views of any strides) and a scalar function. Output: a
//! new C-order buffer of the broadcast shape. The function is a generic parameter,
//! so every (operation, dtype) pair gets its own monomorphized loop with the
//! operation inlined; nothing is decided per element.
//!
//! The iteration is the coalesced loop nest of [`Loops`]: an outer odometer over
//! lanes and an inner loop along the last dim, where each operand is a contiguous
//! slice, one repeated value, or (for strided views) a walk with a stride. The
//! inner loop is specialized for each combination of the first two lane kinds, so
//! equal shapes, scalar operands and rows broadcast against matrices all run as
//! straight slice loops; an operand with any other inner stride sends the whole
//! operation through the walking loop, which reads every operand by offset.

use crate::array::alloc;
use crate::array::view::Raw;
use crate::shape::{Loops, Strided};

/// One argument of an elementwise operation: its buffer and layout.
#[derive(Clone, Copy)]
pub(super) struct Arg<'a, T> {
    pub data: Raw<'a, T>,
    pub layout: Strided<'a>,
    /// Its elements in C order, when it is C-contiguous.
    pub contiguous: Option<&'a [T]>,
}

/// What the inner loop reads an operand through.
trait Lane<T>: Copy {
    fn at(self, j: usize) -> T;
}

/// A contiguous run, exactly as long as the lane (so the index check folds away).
#[derive(Clone, Copy)]
struct Contig<'a, T>(&'a [T]);

/// One value repeated along the lane (a broadcast operand).
#[derive(Clone, Copy)]
struct Splat<T>(T);

/// Any stride: element `j` of the lane is at `start + j * stride`.
#[derive(Clone, Copy)]
struct Walk<'a, T> {
    data: Raw<'a, T>,
    start: usize,
    stride: isize,
}

impl<T: Copy> Lane<T> for Contig<'_, T> {
    #[inline(always)]
    fn at(self, j: usize) -> T {
        self.0[j]
    }
}

impl<T: Copy> Lane<T> for Splat<T> {
    #[inline(always)]
    fn at(self, _: usize) -> T {
        self.0
    }
}

impl<T: Copy> Lane<T> for Walk<'_, T> {
    #[inline(always)]
    fn at(self, j: usize) -> T {
        self.data.get((self.start as isize + j as isize * self.stride) as usize)
    }
}

/// The lane of operand `$op` starting at `$at`, `$n` long.
macro_rules! contig {
    ($op:ident, $plan:ident, $k:expr, $at:expr, $n:expr) => {
        Contig($op.data.slice($at, $n))
    };
}

macro_rules! splat {
    ($op:ident, $plan:ident, $k:expr, $at:expr, $n:expr) => {
        Splat($op.data.get($at))
    };
}

macro_rules! walk {
    ($op:ident, $plan:ident, $k:expr, $at:expr, $n:expr) => {
        Walk { data: $op.data, start: $at, stride: $plan.inner_stride($k) }
    };
}

/// How the inner loop reads operand `k` of a plan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Contig,
    Splat,
    Walk,
}

fn kinds<const K: usize>(plan: &Loops<K>) -> [Kind; K] {
    let kinds: [Kind; K] = std::array::from_fn(|k| match plan.inner_stride(k) {
        0 => Kind::Splat,
        1 => Kind::Contig,
        _ => Kind::Walk,
    });
    // One walking operand walks them all: one loop instead of 3^K.
    if kinds.contains(&Kind::Walk) {
        [Kind::Walk; K]
    } else {
        kinds
    }
}

/// An empty vector with room for `n` results, from [`alloc`]: large ones ask
/// for transparent huge pages like every other buffer (an interpreted
/// `sqrt(a**2 + b**2 + c**2)` at n = 1e7 spent most of its time faulting in
/// 4 KiB pages of its temporaries).
fn buffer<R>(n: usize) -> Vec<R> {
    // Where the allocation fails, `Vec::with_capacity` reports it as before.
    alloc::try_with_capacity(n).unwrap_or_else(|| Vec::with_capacity(n))
}

/// The `n` items of `items` in a [`buffer`].
fn filled<R>(n: usize, items: impl Iterator<Item = R>) -> Vec<R> {
    let mut v = buffer(n);
    v.extend(items);
    v
}

/// `f` over every element of `a` (of shape `out`).
pub(super) fn map1<A: Copy, R>(out: &[usize], a: Arg<'_, A>, f: impl Fn(A) -> R) -> Vec<R> {
    if let Some(x) = a.contiguous {
        return filled(x.len(), x.iter().map(|&x| f(x)));
    }
    let plan = Loops::new(out, [a.layout]);
    let mut v = buffer(plan.dims.iter().product());
    macro_rules! run {
        ($la:ident) => {
            plan.for_each_lane(|[i], n| {
                let x = $la!(a, plan, 0, i, n);
                v.extend((0..n).map(|k| f(x.at(k))));
            })
        };
    }
    match kinds(&plan) {
        [Kind::Contig] => run!(contig),
        [Kind::Splat] => run!(splat),
        [Kind::Walk] => run!(walk),
    }
    v
}

/// `f` over `a` and `b` broadcast to `out`.
pub(super) fn map2<A: Copy, B: Copy, R>(out: &[usize], a: Arg<'_, A>, b: Arg<'_, B>, f: impl Fn(A, B) -> R) -> Vec<R> {
    if let (Some(x), Some(y), true) = (a.contiguous, b.contiguous, a.layout.shape == out && b.layout.shape == out) {
        return filled(x.len(), x.iter().zip(y).map(|(&x, &y)| f(x, y)));
    }
    let plan = Loops::new(out, [a.layout, b.layout]);
    let mut v = buffer(plan.dims.iter().product());
    macro_rules! run {
        ($la:ident, $lb:ident) => {
            plan.for_each_lane(|[i, j], n| {
                let (x, y) = ($la!(a, plan, 0, i, n), $lb!(b, plan, 1, j, n));
                v.extend((0..n).map(|k| f(x.at(k), y.at(k))));
            })
        };
    }
    match kinds(&plan) {
        [Kind::Contig, Kind::Contig] => run!(contig, contig),
        [Kind::Contig, Kind::Splat] => run!(contig, splat),
        [Kind::Splat, Kind::Contig] => run!(splat, contig),
        [Kind::Splat, Kind::Splat] => run!(splat, splat),
        _ => run!(walk, walk),
    }
    v
}

/// `f` over `a`, `b` and `c` broadcast to `out` (`where`, `clip`).
pub(super) fn map3<A: Copy, B: Copy, C: Copy, R>(
    out: &[usize],
    a: Arg<'_, A>,
    b: Arg<'_, B>,
    c: Arg<'_, C>,
    f: impl Fn(A, B, C) -> R,
) -> Vec<R> {
    let all_full = a.layout.shape == out && b.layout.shape == out && c.layout.shape == out;
    if let (Some(x), Some(y), Some(z), true) = (a.contiguous, b.contiguous, c.contiguous, all_full) {
        return filled(x.len(), x.iter().zip(y).zip(z).map(|((&x, &y), &z)| f(x, y, z)));
    }
    let plan = Loops::new(out, [a.layout, b.layout, c.layout]);
    let mut v = buffer(plan.dims.iter().product());
    macro_rules! run {
        ($la:ident, $lb:ident, $lc:ident) => {
            plan.for_each_lane(|[i, j, l], n| {
                let (x, y, z) = ($la!(a, plan, 0, i, n), $lb!(b, plan, 1, j, n), $lc!(c, plan, 2, l, n));
                v.extend((0..n).map(|k| f(x.at(k), y.at(k), z.at(k))));
            })
        };
    }
    match kinds(&plan) {
        [Kind::Contig, Kind::Contig, Kind::Contig] => run!(contig, contig, contig),
        [Kind::Contig, Kind::Contig, Kind::Splat] => run!(contig, contig, splat),
        [Kind::Contig, Kind::Splat, Kind::Contig] => run!(contig, splat, contig),
        [Kind::Contig, Kind::Splat, Kind::Splat] => run!(contig, splat, splat),
        [Kind::Splat, Kind::Contig, Kind::Contig] => run!(splat, contig, contig),
        [Kind::Splat, Kind::Contig, Kind::Splat] => run!(splat, contig, splat),
        [Kind::Splat, Kind::Splat, Kind::Contig] => run!(splat, splat, contig),
        [Kind::Splat, Kind::Splat, Kind::Splat] => run!(splat, splat, splat),
        _ => run!(walk, walk, walk),
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A C-order operand.
    fn op<'a, T: Copy>(data: &'a [T], shape: &'a [usize]) -> Arg<'a, T> {
        let strides: &'static [isize] = Box::leak(crate::array::view::c_strides(shape).to_vec().into_boxed_slice());
        Arg { data: Raw::new(data), layout: Strided { shape, strides, offset: 0 }, contiguous: Some(data) }
    }

    /// An operand of any layout.
    fn strided<'a, T: Copy>(data: &'a [T], shape: &'a [usize], strides: &'a [isize], offset: usize) -> Arg<'a, T> {
        Arg { data: Raw::new(data), layout: Strided { shape, strides, offset }, contiguous: None }
    }

    #[test]
    fn strided_operands_walk_in_c_order() {
        let m = [0, 1, 2, 3, 4, 5];
        // m.T (3, 2) and a reversed row against a column.
        assert_eq!(map1(&[3, 2], strided(&m, &[3, 2], &[1, 3], 0), |x| x), [0, 3, 1, 4, 2, 5]);
        let got = map2(&[2, 3], strided(&m, &[3], &[-2], 4), op(&[10, 20], &[2, 1]), |a, b| a + b);
        assert_eq!(got, [14, 12, 10, 24, 22, 20]);
        let got = map3(&[3, 2], strided(&m, &[3, 2], &[1, 3], 0), op(&[1], &[]), op(&m, &[3, 2]), |a, b, c| a * b - c);
        assert_eq!(got, [0, 2, -1, 1, -2, 0]);
    }

    #[test]
    fn map2_broadcasts_row_column_and_scalar() {
        let col = [10, 20];
        let row = [1, 2, 3];
        let got = map2(&[2, 3], op(&col, &[2, 1]), op(&row, &[3]), |a, b| a + b);
        assert_eq!(got, [11, 12, 13, 21, 22, 23]);
        let got = map2(&[3], op(&row, &[3]), op(&[100], &[]), |a, b| a * b);
        assert_eq!(got, [100, 200, 300]);
        let got = map2(&[3], op(&[100], &[1]), op(&row, &[3]), |a, b| a - b);
        assert_eq!(got, [99, 98, 97]);
    }

    #[test]
    fn map2_three_d_against_two_d() {
        // (2,1,3) + (4,1) -> (2,4,3)
        let a: Vec<i32> = (0..6).collect();
        let b = [100, 200, 300, 400];
        let got = map2(&[2, 4, 3], op(&a, &[2, 1, 3]), op(&b, &[4, 1]), |x, y| x + y);
        let mut want = vec![];
        for i in 0..2 {
            for bj in b {
                for k in 0..3 {
                    want.push(a[i * 3 + k] + bj);
                }
            }
        }
        assert_eq!(got, want);
    }

    #[test]
    fn map3_all_lane_kinds() {
        let c = [true, false, true, false, true, false];
        let x = [1, 2, 3];
        let got = map3(&[2, 3], op(&c, &[2, 3]), op(&x, &[3]), op(&[0], &[]), |c, x, y| if c { x } else { y });
        assert_eq!(got, [1, 0, 3, 0, 2, 0]);
        let got = map3(&[2, 3], op(&[true], &[]), op(&[7], &[1, 1]), op(&c, &[2, 3]), |c, x, y| c && x == 7 && y);
        assert_eq!(got, c);
    }

    #[test]
    fn empty_outputs_run_no_lanes() {
        let got: Vec<i32> = map2(&[0, 3], op(&[], &[0, 1]), op(&[1, 2, 3], &[3]), |a: i32, b| a + b);
        assert!(got.is_empty());
    }
}
