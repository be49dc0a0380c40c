//! sqrt and division as block kernels: single correctly rounded IEEE operations, so
//! every variant, engine and width gives the same bits. They are here for width:
//! Cranelift emits them on 128-bit vectors, where `sqrtpd`/`divpd` cost ~0.95/0.5 ns
//! per float64 element on the machine we measure on, against ~0.25/0.12 ns for the
//! AVX-512 loops rustc compiles here. float32 goes through float64 like the rest
//! of vmath, which rounds to the float32 operation's own result (53 >= 2·24 + 2
//! bits: double rounding is innocuous for sqrt and division).

#[inline(always)]
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[inline(always)]
pub fn div(x: f64, y: f64) -> f64 {
    x / y
}

#[inline(always)]
pub fn div32(x: f32, y: f32) -> f32 {
    x / y
}
