//! Generated typed programs: interpreter == JIT fused == JIT unfused, 1 and 2
//! threads, every input layout.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    if let Ok(case) = jitexpr_fuzz::gen::Case::generate(&mut u) {
        jitexpr_fuzz::check::differential(&case);
    }
});
