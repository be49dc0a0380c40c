//! Vectorized math library: exp, expm1, exp2, log, log1p, log2, log10, sin, cos,
//! tan, arcsin, arccos, arctan, arctan2, sinh, cosh, tanh, pow, cbrt, hypot, erf, for
//! float64 and float32, within 2 ulp over the whole domain; and sqrt and float
//! division, single IEEE operations here only for the width of AVX-512 (`arith`).
//!
//! Input: blocks of arguments (raw pointers, for JIT code, or slices). Output: the
//! results, elementwise. Nothing here allocates, panics on values or traps.
//!
//! # Design
//!
//! Cranelift emits 128-bit vectors only and has no math library, so instead of
//! inline vector code the fused JIT loop computes a cache-resident block of
//! arguments into a small buffer and calls a **block kernel**
//! ([`Block1F64`], [`Block2F64`], [`Block1F32`], [`Block2F32`]) compiled ahead of
//! time by rustc. [`block1_f64`] and friends return the best variant for this
//! CPU, chosen once at run time ([`Variant::best`]):
//!
//! - [`Variant::Avx512`]: `avx512f,avx512dq,avx2,fma`, 8 float64 lanes;
//! - [`Variant::Avx2`]: `avx2,fma`, 4 lanes;
//! - [`Variant::Libm`]: the scalar C library per element — the x86-64 baseline,
//!   for CPUs without FMA (pre-2013), where emulated FMA would be slower;
//! - [`Variant::Portable`]: the vector code without target features — what
//!   non-x86 builds use (aarch64 has FMA and NEON); on x86 it is only tested.
//!
//! The math is written once as branch-free element functions in plain Rust
//! (`exp::exp(x: f64) -> f64`, ...): polynomials, bit manipulation through
//! `to_bits`/`from_bits`, rounding by the 1.5·2^52 trick, and selects written as
//! `if` over values already computed, which LLVM turns into blends. Each block
//! kernel is a loop over one element function inside a `#[target_feature]`
//! function, so LLVM auto-vectorizes it with the variant's widest registers.
//! Every multiply-add that matters is `f64::mul_add`, an exact FMA in every
//! variant, so the AVX-512, AVX2 and portable variants give bit-identical results
//! (the tests check this); the libm variant is the C library's (< 1 ulp).
//!
//! float32 computes in float64 and rounds once at the end: the float64 result is
//! within ~1 ulp of float64, so the float32 result is correctly rounded except in
//! rare double-rounding cases (< 0.5 + 2^-28 ulp), with no separate kernels to
//! maintain; it costs float32 half its lanes.
//!
//! Algorithms (details in each family's module): Cody-Waite range reduction with
//! double-double arithmetic where the last bits matter (Dekker/Knuth error-free
//! transformations), minimax-like polynomials fitted by `tools/vmath_coeffs.py`,
//! and the argument reductions of fdlibm/musl, SLEEF and CORE-MATH without tables
//! (table lookups would need gathers). sin/cos/tan reduce exactly up to
//! `|x| <= 2^20`; a block with a larger argument (or an infinity) computes those
//! elements with the C library.
//!
//! # The block ABI
//!
//! `kernel(x, [y,] out, n)` reads `n` elements from each input and writes `n`
//! results. Each input either is `out` itself (in place) or does not overlap it.
//! The kernels are `unsafe` only for that contract and for the CPU features of
//! their variant, which [`block1_f64_for`] checks before handing one out.

mod arith;
mod atrig;
mod dd;
mod erf;
mod exp;
mod hyper;
mod kernels;
mod pow;
mod trig;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

/// The NaN a domain error gives (`log(-1)`, `arcsin(2)`, `(-8)**0.5`): the one
/// the hardware's invalid operation produces, as the C library's `(x - x) / (x -
/// x)` and every IEEE operation (`0/0`, `sqrt(-1)`) give it, and so NumPy. On x86
/// that is the "default NaN" with the sign bit set (`signbit(log(-1))` is True);
/// elsewhere (aarch64, RISC-V) the positive quiet NaN. A named constant, not
/// `0.0 / 0.0`, because constant folding would give the positive NaN everywhere.
pub(crate) const DEFAULT_NAN: f64 = if cfg!(any(target_arch = "x86", target_arch = "x86_64")) {
    f64::from_bits(0xFFF8_0000_0000_0000)
} else {
    f64::NAN
};

/// [`DEFAULT_NAN`] in float32.
pub(crate) const DEFAULT_NAN_F32: f32 =
    if cfg!(any(target_arch = "x86", target_arch = "x86_64")) { f32::from_bits(0xFFC0_0000) } else { f32::NAN };

/// `out[i] = f(x[i])` for `i < n`; see the module docs for the contract.
pub type Block1F64 = unsafe extern "C" fn(x: *const f64, out: *mut f64, n: usize);
/// `out[i] = f(x[i], y[i])` for `i < n`; see the module docs for the contract.
pub type Block2F64 = unsafe extern "C" fn(x: *const f64, y: *const f64, out: *mut f64, n: usize);
/// `out[i] = f(x[i])` for `i < n`; see the module docs for the contract.
pub type Block1F32 = unsafe extern "C" fn(x: *const f32, out: *mut f32, n: usize);
/// `out[i] = f(x[i], y[i])` for `i < n`; see the module docs for the contract.
pub type Block2F32 = unsafe extern "C" fn(x: *const f32, y: *const f32, out: *mut f32, n: usize);

/// A compiled flavour of the kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// AVX-512F/DQ with AVX2 and FMA (x86-64 only).
    Avx512,
    /// AVX2 with FMA (x86-64 only).
    Avx2,
    /// The element functions compiled for the target's baseline features.
    Portable,
    /// The scalar C library, element by element.
    Libm,
}

impl Variant {
    /// Every variant, fastest first.
    pub const ALL: [Variant; 4] = [Variant::Avx512, Variant::Avx2, Variant::Portable, Variant::Libm];

    /// Whether this CPU can run the variant.
    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Variant::Avx512 => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512dq")
                    && Variant::Avx2.is_supported()
            }
            #[cfg(target_arch = "x86_64")]
            Variant::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            Variant::Avx512 | Variant::Avx2 => false,
            Variant::Portable | Variant::Libm => true,
        }
    }

    /// The fastest variant this CPU supports, detected once.
    pub fn best() -> Variant {
        static BEST: OnceLock<Variant> = OnceLock::new();
        *BEST.get_or_init(|| {
            if cfg!(target_arch = "x86_64") {
                [Variant::Avx512, Variant::Avx2].into_iter().find(|v| v.is_supported()).unwrap_or(Variant::Libm)
            } else {
                Variant::Portable
            }
        })
    }
}

/// The one-argument functions with block kernels. Which language function uses
/// which kernel is its row in `semantics::func_impl`; vmath knows no
/// operator table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // the names say it
pub enum Unary {
    Exp,
    Expm1,
    Exp2,
    Log,
    Log1p,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Cbrt,
    Erf,
    Sqrt,
}

/// The two-argument functions with block kernels (`Pow` is float `**` and
/// `float_power`, `Div` float `/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // the names say it
pub enum Binary {
    Arctan2,
    Hypot,
    Pow,
    Div,
}

/// A block kernel of either arity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `out[i] = f(x[i])`.
    Unary(Unary),
    /// `out[i] = f(x[i], y[i])`.
    Binary(Binary),
}

/// The best float64 block kernel for `u`.
pub fn block1_f64(u: Unary) -> Block1F64 {
    kernels::unary(Variant::best(), u).0
}

/// The best float32 block kernel for `u`.
pub fn block1_f32(u: Unary) -> Block1F32 {
    kernels::unary(Variant::best(), u).1
}

/// The best float64 block kernel for `b`.
pub fn block2_f64(b: Binary) -> Block2F64 {
    kernels::binary(Variant::best(), b).0
}

/// The best float32 block kernel for `b`.
pub fn block2_f32(b: Binary) -> Block2F32 {
    kernels::binary(Variant::best(), b).1
}

/// The kernel of variant `v` for `u`, if this CPU supports `v`.
pub fn block1_f64_for(v: Variant, u: Unary) -> Option<Block1F64> {
    v.is_supported().then(|| kernels::unary(v, u).0)
}

/// The kernel of variant `v` for `u`, if this CPU supports `v`.
pub fn block1_f32_for(v: Variant, u: Unary) -> Option<Block1F32> {
    v.is_supported().then(|| kernels::unary(v, u).1)
}

fn block2_f64_for(v: Variant, b: Binary) -> Option<Block2F64> {
    v.is_supported().then_some(kernels::binary(v, b).0)
}

fn block2_f32_for(v: Variant, b: Binary) -> Option<Block2F32> {
    v.is_supported().then_some(kernels::binary(v, b).1)
}

/// `out[i] = u(x[i])` with the best variant. Panics if the lengths differ (a
/// caller bug).
pub fn map1_f64(u: Unary, x: &[f64], out: &mut [f64]) {
    map1_f64_with(Variant::best(), u, x, out)
}

/// `map1_f64` with a chosen variant (the best one if this CPU lacks `v`).
pub fn map1_f64_with(v: Variant, u: Unary, x: &[f64], out: &mut [f64]) {
    assert_eq!(x.len(), out.len(), "map1_f64: argument and output lengths differ");
    let k = block1_f64_for(v, u).unwrap_or_else(|| block1_f64(u));
    // SAFETY: the variant is supported (checked by `block1_f64_for`, and the best one
    // always is), both slices hold `x.len()` elements and the borrow rules keep them apart.
    unsafe { k(x.as_ptr(), out.as_mut_ptr(), x.len()) }
}

/// `out[i] = u(x[i])` in float32; see [`map1_f64`].
pub fn map1_f32(u: Unary, x: &[f32], out: &mut [f32]) {
    map1_f32_with(Variant::best(), u, x, out)
}

/// `map1_f32` with a chosen variant.
pub fn map1_f32_with(v: Variant, u: Unary, x: &[f32], out: &mut [f32]) {
    assert_eq!(x.len(), out.len(), "map1_f32: argument and output lengths differ");
    let k = block1_f32_for(v, u).unwrap_or_else(|| block1_f32(u));
    // SAFETY: as in `map1_f64_with`.
    unsafe { k(x.as_ptr(), out.as_mut_ptr(), x.len()) }
}

/// `out[i] = b(x[i], y[i])` with the best variant. Panics if the lengths differ
/// (a caller bug).
pub fn map2_f64(b: Binary, x: &[f64], y: &[f64], out: &mut [f64]) {
    map2_f64_with(Variant::best(), b, x, y, out)
}

/// `map2_f64` with a chosen variant (libm's if this CPU lacks `v`).
pub fn map2_f64_with(v: Variant, b: Binary, x: &[f64], y: &[f64], out: &mut [f64]) {
    assert!(x.len() == out.len() && y.len() == out.len(), "map2_f64: argument and output lengths differ");
    let k = block2_f64_for(v, b).unwrap_or_else(|| kernels::binary(Variant::Libm, b).0);
    // SAFETY: the variant is supported, all slices hold `out.len()` elements and `out` is
    // borrowed mutably, so it overlaps neither input.
    unsafe { k(x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), out.len()) }
}

/// `out[i] = b(x[i], y[i])` in float32; see [`map2_f64`].
pub fn map2_f32(b: Binary, x: &[f32], y: &[f32], out: &mut [f32]) {
    map2_f32_with(Variant::best(), b, x, y, out)
}

/// `map2_f32` with a chosen variant.
pub fn map2_f32_with(v: Variant, b: Binary, x: &[f32], y: &[f32], out: &mut [f32]) {
    assert!(x.len() == out.len() && y.len() == out.len(), "map2_f32: argument and output lengths differ");
    let k = block2_f32_for(v, b).unwrap_or_else(|| kernels::binary(Variant::Libm, b).1);
    // SAFETY: as in `map2_f64_with`.
    unsafe { k(x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), out.len()) }
}
