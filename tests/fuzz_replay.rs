//! The fuzz targets' checks (`fuzz/src/`, included by path) under `cargo test`:
//! every committed input of `fuzz/regressions/TARGET/` replays through its
//! target's check, and a few hundred seeded random programs run the
//! differential check, so the checks and their regressions run in CI without
//! cargo-fuzz or a nightly toolchain. `fuzz/run.sh` runs the fuzzers themselves.

#[path = "../fuzz/src/check.rs"]
mod check;
#[path = "../fuzz/src/gen.rs"]
mod gen;
mod layouts;

use std::path::Path;

/// The committed inputs of one target, in a stable order.
fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("a readable regression input")))
        .collect();
    files.sort();
    files
}

fn differential(data: &[u8]) {
    if let Ok(case) = gen::Case::generate(&mut arbitrary::Unstructured::new(data)) {
        check::differential(&case);
    }
}

#[test]
fn compile_regressions_replay() {
    for (_, data) in regressions("compile") {
        check::compile_source(&data);
    }
}

#[test]
fn npy_regressions_replay() {
    for (_, data) in regressions("npy") {
        check::read_npy(&data);
    }
}

#[test]
fn differential_regressions_replay() {
    for (_, data) in regressions("differential") {
        differential(&data);
    }
}

/// Seeded pseudo-random bytes (xorshift) through the differential check: a
/// smoke of the generator and the check that needs no fuzzer
/// (`JITEXPR_FUZZ_CASES=N` runs N cases instead of 300).
#[test]
fn differential_holds_on_seeded_random_programs() {
    let cases = std::env::var("JITEXPR_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..cases {
        let data: Vec<u8> = (0..512)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        differential(&data);
    }
}

/// What the generator makes of seeded random bytes; prints only.
/// `cargo test --release --test fuzz_replay -- --ignored --nocapture samples`
#[test]
#[ignore]
fn samples() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..30 {
        let data: Vec<u8> = (0..512)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        if let Ok(case) = gen::Case::generate(&mut arbitrary::Unstructured::new(&data)) {
            let inputs: Vec<String> = case
                .inputs
                .iter()
                .map(|i| format!("{} {} {:?} {:?}", i.name, i.array.dtype(), i.array.shape(), i.placement))
                .collect();
            println!("--- {} | outputs {:?} {:?}\n{}", inputs.join("; "), case.outputs, case.exactness, case.source);
        }
    }
}
