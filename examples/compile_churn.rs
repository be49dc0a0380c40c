//! 100,000 distinct kernels compiled through a bounded `KernelCache`, printing
//! resident memory as they go: it must stay flat, because evicted kernels free
//! their code (issue #11, "Concurrency and memory"; `src/jit_tests.rs` checks
//! 20,000 in CI).
//!
//! `cargo run --release --example compile_churn [COUNT]`

use std::sync::Arc;

use jitexpr::{Array, DType, EvalConfig, Expr, KernelCache};

fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: usize = statm.split_whitespace().nth(1).expect("resident field").parse().expect("a number");
    (pages * 4096) as f64 / (1 << 20) as f64
}

fn main() {
    let count: usize = std::env::args().nth(1).map_or(100_000, |s| s.parse().expect("COUNT is a number"));
    let cache = Arc::new(KernelCache::new(16));
    let config = EvalConfig { threads: Some(1), cache: Some(cache.clone()), ..EvalConfig::default() };
    let a = Array::from_vec(vec![1.0, 2.0, 3.0]);
    let start = std::time::Instant::now();
    for i in 0..count {
        // A distinct constant: a distinct kernel, compiled, then evicted.
        let source = format!("sin(a) * {i}.5 + a");
        let compiled = Expr::parse(&source).unwrap().compile(&[("a", DType::Float64)]).unwrap();
        compiled.eval_with(&[("a", &a)], &[None], &config).unwrap();
        if (i + 1) % (count / 10).max(1) == 0 {
            let s = cache.stats();
            println!(
                "{:>7} compiles  {:>6.1} MiB resident  cache {} kernels, {} evictions  {:.1} s",
                i + 1,
                resident_mib(),
                s.len,
                s.evictions,
                start.elapsed().as_secs_f64()
            );
        }
    }
}
