//! Fallible allocation of element buffers: the one place where memory whose size
//! a user controls (an input, a generator, a result, a temporary) is obtained.
//!
//! Input: an element count (from [`super::shape_size`], itself checked).
//! Output: a buffer, or `None` / an [`ErrorKind::Memory`] error when the system
//! refuses the memory, where `vec![...]` and `Vec::with_capacity` would abort the
//! process.
//!
//! Invariants: nothing here panics or aborts on a size; zeroed buffers come from
//! the zeroing allocator, so large ones are untouched zero pages until written.

use super::{fmt_shape, Data, Element};
use crate::diag::{Error, ErrorKind, Result};
use crate::types::DType;

/// An empty vector with room for exactly `n` elements, or `None`.
pub fn try_with_capacity<T>(n: usize) -> Option<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(n).ok()?;
    advise_huge_pages(v.as_ptr().cast(), v.capacity().saturating_mul(size_of::<T>()));
    Some(v)
}

/// Buffers from this size on ask for transparent huge pages, as NumPy's do (its
/// threshold too): a loop streaming three 8 MB arrays otherwise walks the page
/// tables every 4 KiB of each, and NumPy, numexpr and Numba, whose arrays are
/// NumPy's, do not.
const HUGE_FROM: usize = 4 << 20;

/// Ask Linux to back the whole 4 KiB pages of `bytes` bytes at `ptr` (a live
/// allocation, not yet written) with transparent huge pages where its policy is
/// `madvise`: the advice only changes how the kernel maps the range, never its
/// contents, and is ignored where it does not apply (other systems, small
/// buffers, kernels without THP, other page sizes).
fn advise_huge_pages(ptr: *const u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        if bytes < HUGE_FROM {
            return;
        }
        let start = (ptr as usize).next_multiple_of(PAGE);
        let end = (ptr as usize).saturating_add(bytes) & !(PAGE - 1);
        if end > start {
            // SAFETY: `[start, end)` lies inside the caller's live allocation, and
            // `MADV_HUGEPAGE` reads and writes no memory and keeps the range's
            // contents; a failure (an error return) only means no huge pages.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes);
}

/// The elements of `items` (of which there are `n`, as for a `map` over a
/// range), collected into a vector allocated fallibly.
pub fn try_collect<T>(n: usize, items: impl Iterator<Item = T>) -> Option<Vec<T>> {
    let mut v = try_with_capacity(n)?;
    v.extend(items.take(n));
    Some(v)
}

/// `n` zeros from the zeroing allocator, or `None` if the allocation fails.
pub fn try_zeroed<T: Element>(n: usize) -> Option<Vec<T>> {
    if n == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(n).ok()?;
    // SAFETY: `layout` has non-zero size (n > 0 and every element type has
    // size >= 1).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return None;
    }
    advise_huge_pages(ptr.cast(), layout.size());
    // SAFETY: `ptr` was allocated by the global allocator with the layout of
    // `[T; n]`, so capacity `n` matches; all `n` elements are initialized because
    // all-zero bytes are a valid `bool` (false), integer (0) and float (+0.0).
    Some(unsafe { Vec::from_raw_parts(ptr, n, n) })
}

impl Data {
    /// `n` zeros (False) of a dtype, or `None` if the memory is not available.
    pub fn try_zeros(dtype: DType, n: usize) -> Option<Data> {
        Some(match dtype {
            DType::Bool => Data::Bool(try_zeroed(n)?),
            DType::Int32 => Data::Int32(try_zeroed(n)?),
            DType::Int64 => Data::Int64(try_zeroed(n)?),
            DType::Float32 => Data::Float32(try_zeroed(n)?),
            DType::Float64 => Data::Float64(try_zeroed(n)?),
        })
    }
}

/// Check that an array of this dtype and shape could be allocated now, by
/// allocating (untouched) and releasing its buffer: for code whose buffers are
/// made by infallible collection, such as the interpreter's loops, so that a
/// result too large for the machine is an error before the work starts rather
/// than an abort during it.
pub fn check_room(dtype: DType, shape: &[usize]) -> Result<()> {
    let bytes = super::shape_size(shape).and_then(|n| n.checked_mul(dtype.size()));
    match bytes.and_then(try_with_capacity::<u8>) {
        Some(_) => Ok(()),
        None => Err(out_of_memory(dtype, shape)),
    }
}

/// The error for an array whose memory the system refused.
pub fn out_of_memory(dtype: DType, shape: &[usize]) -> Error {
    let bytes = super::shape_size(shape).and_then(|n| n.checked_mul(dtype.size()));
    let size = bytes.map_or("more than memory can address".to_string(), human_bytes);
    Error::new(ErrorKind::Memory, format!("cannot allocate a {dtype} array of shape {} ({size})", fmt_shape(shape)))
}

/// A byte count for people: `7.2 GB`.
fn human_bytes(b: usize) -> String {
    match b {
        0..1_000_000 => format!("{b} bytes"),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        _ => format!("{:.1} GB", b as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_too_large_for_any_machine_are_errors_not_aborts() {
        assert!(try_with_capacity::<f64>(1 << 59).is_none());
        assert!(try_zeroed::<f64>(1 << 59).is_none());
        assert!(Data::try_zeros(DType::Float64, 1 << 59).is_none());
        let err = check_room(DType::Float64, &[1 << 30, 1 << 29]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Memory);
        assert_eq!(err.message, "cannot allocate a float64 array of shape (1073741824, 536870912) (4611686018.4 GB)");
        assert_eq!(Data::try_zeros(DType::Int32, 3), Some(Data::Int32(vec![0; 3])));
        assert_eq!(try_collect(3, 0..10), Some(vec![0, 1, 2]));
    }
}
