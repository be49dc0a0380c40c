//! Any bytes through the `.npy` reader (and what it reads back through the writer).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jitexpr_fuzz::check::read_npy(data));
