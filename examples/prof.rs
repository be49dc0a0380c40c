use jitexpr::{Array, DType, EvalConfig, Expr};
fn main() -> Result<(), jitexpr::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args[0].parse::<f64>().unwrap() as usize;
    let threads: usize = args[1].parse().unwrap();
    let e = &args[2];
    let reps: usize = args.get(3).map_or(1000, |r| r.parse().unwrap());
    let mk = |k: f64| Array::from_vec((0..n).map(|i| 0.1 + ((i as f64 * 0.618_034 + k) % 1.0)).collect::<Vec<f64>>());
    let (a, b, c) = (mk(0.0), mk(0.3), mk(0.7));
    let inputs = [("a", &a), ("b", &b), ("c", &c)];
    let sig = [("a", DType::Float64), ("b", DType::Float64), ("c", DType::Float64)];
    let compiled = Expr::parse(e)?.compile(&sig)?;
    let mut out = Array::from_vec(vec![0.0f64; n]);
    let config = EvalConfig { threads: Some(threads), ..EvalConfig::default() };
    let t = std::time::Instant::now();
    for _ in 0..reps {
        compiled.eval_into(&inputs, &mut [(None, &mut out)], &config)?;
    }
    println!("{:.3} ns/element", t.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64);
    Ok(())
}
