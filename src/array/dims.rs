//! `Dims`: a shape or strides, stored inline up to [`INLINE`] entries.
//!
//! Views are made on every call (one per input and output, and again when an
//! engine binds them): with `Vec`s that was two allocations per view, about a
//! third of a cached evaluation at n = 10. Arrays have at most 64 dimensions
//! (`array::MAX_DIMS`); longer lists than [`INLINE`] go to the heap.

use std::ops::{Deref, DerefMut};

/// Entries kept inline: arrays of more dimensions are rare.
pub const INLINE: usize = 6;

/// A short list of dimensions or strides; derefs to a slice.
#[derive(Clone)]
pub struct Dims<T: Copy + Default>(Repr<T>);

#[derive(Clone)]
enum Repr<T: Copy + Default> {
    Inline { len: u8, items: [T; INLINE] },
    Heap(Vec<T>),
}

impl<T: Copy + Default> Dims<T> {
    /// `len` copies of `value`.
    pub fn filled(value: T, len: usize) -> Dims<T> {
        if len <= INLINE {
            let mut items = [T::default(); INLINE];
            items[..len].fill(value);
            Dims(Repr::Inline { len: len as u8, items })
        } else {
            Dims(Repr::Heap(vec![value; len]))
        }
    }
}

impl<T: Copy + Default> From<&[T]> for Dims<T> {
    fn from(s: &[T]) -> Dims<T> {
        if s.len() <= INLINE {
            let mut items = [T::default(); INLINE];
            items[..s.len()].copy_from_slice(s);
            Dims(Repr::Inline { len: s.len() as u8, items })
        } else {
            Dims(Repr::Heap(s.to_vec()))
        }
    }
}

impl<T: Copy + Default> From<Vec<T>> for Dims<T> {
    fn from(v: Vec<T>) -> Dims<T> {
        if v.len() <= INLINE {
            Dims::from(&v[..])
        } else {
            Dims(Repr::Heap(v))
        }
    }
}

impl<T: Copy + Default> FromIterator<T> for Dims<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Dims<T> {
        let mut items = [T::default(); INLINE];
        let mut iter = iter.into_iter();
        for len in 0..=INLINE {
            match iter.next() {
                None => return Dims(Repr::Inline { len: len as u8, items }),
                Some(x) if len < INLINE => items[len] = x,
                Some(x) => {
                    let mut v = items.to_vec();
                    v.push(x);
                    v.extend(iter);
                    return Dims(Repr::Heap(v));
                }
            }
        }
        unreachable!("the loop returns by its last iteration")
    }
}

impl<T: Copy + Default> Deref for Dims<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::Inline { len, items } => &items[..*len as usize],
            Repr::Heap(v) => v,
        }
    }
}

impl<T: Copy + Default> DerefMut for Dims<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.0 {
            Repr::Inline { len, items } => &mut items[..*len as usize],
            Repr::Heap(v) => v,
        }
    }
}

impl<T: Copy + Default + std::fmt::Debug> std::fmt::Debug for Dims<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self[..].fmt(f)
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for Dims<T> {
    fn eq(&self, other: &Dims<T>) -> bool {
        self[..] == other[..]
    }
}

impl<T: Copy + Default + Eq> Eq for Dims<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_lists_hold_their_entries() {
        for len in [0, 1, INLINE, INLINE + 1, 64] {
            let want: Vec<usize> = (0..len).collect();
            let collected: Dims<usize> = want.iter().copied().collect();
            assert_eq!(&collected[..], &want[..]);
            assert_eq!(&Dims::from(&want[..])[..], &want[..]);
            assert_eq!(&Dims::from(want.clone())[..], &want[..]);
            assert_eq!(&Dims::filled(7, len)[..], &vec![7; len][..]);
        }
    }
}
