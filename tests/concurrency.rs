//! Many evaluations at once: threads with their own teams, different
//! programs, one small kernel cache evicting under them. Results must equal
//! the same evaluations run one after another (issue #11, "Concurrency and
//! memory").

use std::sync::Arc;

use jitexpr::{Array, DType, Data, EvalConfig, Expr, KernelCache};

/// Program `t`: elementwise, vmath calls, reductions of every level, each
/// with its own constants so that the threads compile different kernels.
fn program(t: usize) -> String {
    let k = t as f64 + 1.5;
    match t % 4 {
        0 => format!("sin(a*{k}) * cos(b) + exp(-a)"),
        1 => format!("sum(a*{k} + b)"),
        2 => format!("e = exp(a - max(a)); e / sum(e) + {k}"),
        _ => format!("mean((a - {k})**2, axis=0) + max(b*{k}, axis=0)"),
    }
}

fn inputs(t: usize, rep: usize) -> (Array, Array) {
    let (rows, cols) = (1 + (t * 7 + rep * 13) % 40, 1 + (t * 3 + rep) % 50);
    let v = |s: usize| (0..rows * cols).map(|i| ((i * 31 + s * 17) % 101) as f64 / 50.0 - 1.0).collect::<Vec<_>>();
    let shape = vec![rows, cols];
    (
        Array::new(Data::Float64(v(t + rep)), shape.clone()).unwrap(),
        Array::new(Data::Float64(v(t * rep + 5)), shape).unwrap(),
    )
}

fn run(t: usize, rep: usize, config: &EvalConfig) -> Array {
    let sig = [("a", DType::Float64), ("b", DType::Float64)];
    let (a, b) = inputs(t, rep);
    let compiled = Expr::parse(&program(t)).unwrap().compile(&sig).unwrap();
    compiled.eval_with(&[("a", &a), ("b", &b)], &[None], config).unwrap().pop().expect("one output")
}

fn bits(a: &Array) -> (Vec<usize>, Vec<u64>) {
    let Data::Float64(v) = a.data() else { panic!("float64 results") };
    (a.shape().to_vec(), v.iter().map(|x| x.to_bits()).collect())
}

#[test]
fn sixteen_threads_with_two_thread_teams_share_an_evicting_cache() {
    const THREADS: usize = 16;
    const REPS: usize = 40;
    let config = |cache: Arc<KernelCache>| EvalConfig {
        threads: Some(2),
        chunk: Some(32),
        cache: Some(cache),
        ..EvalConfig::default()
    };
    // Serially, each with a cache large enough to keep everything.
    let serial = config(Arc::new(KernelCache::new(1024)));
    let want: Vec<Vec<_>> = (0..THREADS).map(|t| (0..REPS).map(|r| bits(&run(t, r, &serial))).collect()).collect();
    // At once, through a cache far smaller than the kernels in use.
    let cache = Arc::new(KernelCache::new(3));
    let shared = config(cache.clone());
    std::thread::scope(|s| {
        for (t, want) in want.iter().enumerate() {
            let shared = &shared;
            s.spawn(move || {
                for (r, want) in want.iter().enumerate() {
                    assert_eq!(&bits(&run(t, r, shared)), want, "thread {t}, repetition {r}");
                }
            });
        }
    });
    let stats = cache.stats();
    assert!(stats.len <= 3, "{stats:?}");
    assert!(stats.evictions > 0, "the cache was under eviction: {stats:?}");
}
