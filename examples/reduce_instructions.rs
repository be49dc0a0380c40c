//! Repeated cached evaluations of one reduction, for counting instructions per
//! element under `valgrind --tool=callgrind`: run it with two call counts and
//! divide the difference of the totals by the difference of the counts times
//! `n`. Prints the result and the fastest call's time per element. The
//! backend follows `JITEXPR_BACKEND`.
//!
//! `cargo run --release --example reduce_instructions -- 'sum(a*b)' 1000000 10 [float32]`

use jitexpr::{bench, DType, EvalConfig, Expr};

fn main() -> Result<(), jitexpr::Error> {
    let mut args = std::env::args().skip(1);
    let source = args.next().unwrap_or_else(|| "sum(a*b)".to_string());
    let n: usize = args.next().and_then(|s| s.parse::<f64>().ok()).map_or(1_000_000, |v| v as usize);
    let calls: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let dtype = if args.next().as_deref() == Some("float32") { DType::Float32 } else { DType::Float64 };
    let expr = Expr::parse(&source)?;
    let names = bench::free_names(&expr);
    let arrays = (names.iter().enumerate())
        .map(|(k, name)| Ok((name.as_str(), bench::random_array(dtype, n, k as u64)?)))
        .collect::<Result<Vec<_>, jitexpr::Error>>()?;
    let sig: Vec<(&str, DType)> = arrays.iter().map(|(n, _)| (*n, dtype)).collect();
    let compiled = expr.compile(&sig)?;
    let named: Vec<(&str, &jitexpr::Array)> = arrays.iter().map(|(n, a)| (*n, a)).collect();
    let config = EvalConfig { threads: Some(1), ..EvalConfig::default() };
    let mut last = None;
    let mut best = f64::INFINITY;
    for _ in 0..calls {
        let start = std::time::Instant::now();
        last = Some(compiled.eval_with(std::hint::black_box(&named), &[None], &config)?.remove(0));
        best = best.min(start.elapsed().as_secs_f64());
    }
    let ns = best * 1e9 / n as f64;
    println!("{source} on {n} elements, {calls} calls: {:?}, best {ns:.3} ns/element", last.map(|a| a.get(0)));
    Ok(())
}
