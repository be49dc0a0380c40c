//! Cached evaluations of one expression on 10 elements into a preallocated
//! output, for counting the instructions a call costs beyond the arithmetic:
//! run it under `valgrind --tool=callgrind` with two call counts and divide the
//! difference of the totals by the difference of the counts (prints only).
//!
//! `cargo run --release --example call_overhead -- 'a + b' 100000`

use std::time::Instant;

use jitexpr::{bench, Array, DType, EvalConfig, Expr};

fn main() -> Result<(), jitexpr::Error> {
    let mut args = std::env::args().skip(1);
    let source = args.next().unwrap_or_else(|| "a*b + c*a - b/c + a*a - c + b*2.0 - a".to_string());
    let calls: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let expr = Expr::parse(&source)?;
    let names = bench::free_names(expr.ast());
    let arrays: Vec<(&str, Array)> = names
        .iter()
        .enumerate()
        .map(|(k, name)| Ok((name.as_str(), bench::random_array(DType::Float64, 10, k as u64)?)))
        .collect::<Result<_, jitexpr::Error>>()?;
    let sig: Vec<(&str, DType)> = arrays.iter().map(|(n, _)| (*n, DType::Float64)).collect();
    let compiled = expr.compile(&sig)?;
    let named: Vec<(&str, &Array)> = arrays.iter().map(|(n, a)| (*n, a)).collect();
    let config = EvalConfig::default();
    let mut out = compiled.eval_with(&named, &[None], &config)?.remove(0);
    let start = Instant::now();
    for _ in 0..calls {
        compiled.eval_into(std::hint::black_box(&named), &mut [(None, &mut out)], &config)?;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    println!("{source}: {:.3} µs per call ({calls} calls)", per_call * 1e6);
    Ok(())
}
