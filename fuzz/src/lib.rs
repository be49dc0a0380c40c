//! Fuzzing support for jitexpr: the checks each fuzz target runs on one input.
//! `tests/fuzz_replay.rs` in the main crate includes the same modules by path,
//! so committed regression inputs replay under a plain `cargo test`.

pub mod check;
pub mod gen;
/// The test layouts of the main crate's tests (C, Fortran, rotated, reversed,
/// stepped): one definition of "the same array in another layout".
#[path = "../../tests/layouts/mod.rs"]
pub mod layouts;
