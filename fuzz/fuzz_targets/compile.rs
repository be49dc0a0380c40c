//! Any text through parse → lower → optimize → fuse → codegen → run on tiny inputs.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jitexpr_fuzz::check::compile_source(data));
