//! A bounded kernel cache frees the code of the kernels it evicts. Alone in its
//! own test binary: the check reads the whole process's resident size, which the
//! other tests of a shared binary (their arrays of millions of elements) would
//! move by tens of MB.

use std::sync::Arc;

use jitexpr::{Array, DType, EvalConfig, Expr, KernelCache};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: usize = statm.split_whitespace().nth(1).expect("resident field").parse().expect("a number");
    pages * 4096
}

#[test]
fn evicted_kernels_free_their_memory() {
    let cache = Arc::new(KernelCache::new(16));
    let config = EvalConfig { threads: Some(1), cache: Some(cache.clone()), ..EvalConfig::default() };
    let a = Array::from_vec(vec![1.0, 2.0, 3.0]);
    // A distinct constant each time: a distinct kernel.
    let run = |i: usize| {
        let compiled =
            Expr::parse(&format!("a*{i}.0 + a")).and_then(|e| e.compile(&[("a", DType::Float64)])).expect("compiles");
        let out = compiled.eval_with(&[("a", &a)], &[None], &config).expect("evaluates").pop().expect("one output");
        assert_eq!(out.as_slice::<f64>().expect("float64")[2], 3.0 * i as f64 + 3.0);
    };
    (0..2_000).for_each(run);
    let before = resident_bytes();
    (2_000..20_000).for_each(run);
    let grown = resident_bytes().saturating_sub(before);
    let stats = cache.stats();
    assert_eq!((stats.len, stats.evictions), (16, 20_000 - 16), "{stats:?}");
    // Without freeing, 18 000 kernels hold at least one 4 KiB code page each (70+ MB).
    assert!(grown < 16 << 20, "resident memory grew by {} KiB", grown >> 10);
    cache.clear();
    assert_eq!(cache.len(), 0);
}
