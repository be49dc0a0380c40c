//! Scalar semantics: what every operation computes on one element, NumPy 2's way.
//!
//! Input: element values of the five dtypes. Output: element values. This module
//! is the single source of truth for the arithmetic: the interpreter builds its
//! loops from it, the constant folder evaluates with it, and the JIT calls the
//! `extern "C"` functions of the function table ([`func_impl`], [`binary_impl`]) by
//! address for operations it has no instruction for.
//!
//! Invariants:
//! - nothing here traps or panics: integer division and modulo by zero give 0,
//!   overflow wraps, shifts by out-of-range counts follow NumPy, float -> int casts
//!   of NaN or out-of-range values give INT_MIN (decisions README.md documents);
//! - float algorithms follow NumPy's C code (`npy_divmod`, `npy_remainder`,
//!   `npy_floor_divide`, the `_NPY_MAX` family), checked against NumPy 2.4 on edge
//!   values; the transcendental functions [`crate::vmath`] covers (exp, log, trig,
//!   hyperbolic, pow, arctan2, hypot, cbrt, erf) are vmath's, one element through
//!   the same block kernel the JIT calls on whole blocks, so every engine and the
//!   constant folder agree bit for bit; the rest call the C library through std
//!   (or `libm` where std does not), in the argument's own width.

mod float;
mod funcs;
mod int;

pub use float::*;
pub use funcs::*;
pub use int::*;

pub type F64Fn1 = extern "C" fn(f64) -> f64;
pub type F64Fn2 = extern "C" fn(f64, f64) -> f64;
pub type F32Fn1 = extern "C" fn(f32) -> f32;
pub type F32Fn2 = extern "C" fn(f32, f32) -> f32;

// ---------------------------------------------------------------------------
// Generic elementwise helpers (every dtype)

/// `np.maximum`: NaN in either operand gives NaN; on a tie the second operand
/// (so `maximum(0.0, -0.0)` is `-0.0`, as NumPy gives). `a != a` is the NaN test,
/// always false for ints and bool, so one definition serves every dtype.
#[inline]
#[allow(clippy::eq_op)]
pub fn maximum<T: PartialOrd + Copy>(a: T, b: T) -> T {
    if a > b || a != a {
        a
    } else {
        b
    }
}

/// `np.minimum`, the mirror of [`maximum`].
#[inline]
#[allow(clippy::eq_op)]
pub fn minimum<T: PartialOrd + Copy>(a: T, b: T) -> T {
    if a < b || a != a {
        a
    } else {
        b
    }
}

/// `np.clip(x, lo, hi)` = `minimum(maximum(x, lo), hi)`, NaN anywhere propagates.
#[inline]
pub fn clip<T: PartialOrd + Copy>(x: T, lo: T, hi: T) -> T {
    minimum(maximum(x, lo), hi)
}

// ---------------------------------------------------------------------------
// Casts (NumPy `astype`)

/// `U::cast_from(x)` is `np.array(x).astype(U)`: bool -> number is 0/1, number ->
/// bool is `x != 0` (NaN is True), int -> int wraps, int -> float rounds to
/// nearest, float -> int by the fixed INT_MIN rule.
pub trait CastFrom<T>: Sized {
    fn cast_from(x: T) -> Self;
}

macro_rules! casts {
    ($( $from:ty => $to:ty : |$x:ident| $e:expr; )*) => {
        $( impl CastFrom<$from> for $to {
            #[inline]
            fn cast_from($x: $from) -> $to { $e }
        } )*
    };
}
casts! {
    bool => bool: |x| x;
    bool => i32: |x| x as i32;
    bool => i64: |x| x as i64;
    bool => f32: |x| x as u8 as f32;
    bool => f64: |x| x as u8 as f64;
    i32 => bool: |x| x != 0;
    i32 => i32: |x| x;
    i32 => i64: |x| x as i64;
    i32 => f32: |x| x as f32;
    i32 => f64: |x| x as f64;
    i64 => bool: |x| x != 0;
    i64 => i32: |x| x as i32;
    i64 => i64: |x| x;
    i64 => f32: |x| x as f32;
    i64 => f64: |x| x as f64;
    f32 => bool: |x| x != 0.0;
    f32 => i32: |x| f32_to_i32(x);
    f32 => i64: |x| f32_to_i64(x);
    f32 => f32: |x| x;
    f32 => f64: |x| x as f64;
    f64 => bool: |x| x != 0.0;
    f64 => i32: |x| f64_to_i32(x);
    f64 => i64: |x| f64_to_i64(x);
    f64 => f32: |x| x as f32;
    f64 => f64: |x| x;
}

#[cfg(test)]
mod tests;
