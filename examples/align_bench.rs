//! Does buffer alignment decide the 512-bit loops' speed? Times one expression
//! over float64 inputs whose buffers start 64-byte aligned and 16 bytes past a
//! cache line (where `malloc` puts large buffers), interleaved rounds, 1 thread by default.
//! Run once per backend (`JITEXPR_BACKEND=avx2|avx512`). Prints only.
//!
//! `cargo run --release --example align_bench -- [N] [EXPR] [ROUNDS] [THREADS]`

use std::time::Instant;

use jitexpr::{ArrayView, ArrayViewMut, DType, EvalConfig, Expr};

/// `n + 16` values uniform in [0.1, 1.1) and the offset of the first element
/// whose address is 64-byte aligned.
fn buffer(n: usize, seed: u64) -> (Vec<f64>, usize) {
    let mut s = seed | 1;
    let v: Vec<f64> = (0..n + 16)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            0.1 + (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    let off = (0..8).find(|&k| (v.as_ptr() as usize + 8 * k).is_multiple_of(64)).expect("an aligned element");
    (v, off)
}

fn view((v, off): &(Vec<f64>, usize), n: usize, skew: usize) -> Result<ArrayView<'_>, jitexpr::Error> {
    ArrayView::new(v, &[n], &[1], off + skew)
}

fn main() -> Result<(), jitexpr::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.first().and_then(|a| a.parse::<f64>().ok()).map_or(1_000_000, |v| v as usize);
    let expr = args.get(1).map_or("a*b + c", |s| s.as_str());
    let rounds = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let sig = [("a", DType::Float64), ("b", DType::Float64), ("c", DType::Float64)];
    let compiled = Expr::parse(expr)?.compile(&sig)?;
    let (a, b, c) = (buffer(n, 1), buffer(n, 2), buffer(n, 3));
    let bools = compiled.output_dtype(None) == Some(DType::Bool);
    let mut floats = buffer(n, 4);
    let mut flags = vec![false; n + 128];
    let flags_off = (0..64).find(|&k| (flags.as_ptr() as usize + k).is_multiple_of(64)).expect("an aligned element");
    let threads = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let config = EvalConfig { threads: Some(threads), ..EvalConfig::default() };
    let reps = (2e8 as usize / n).clamp(5, 200);
    let mut best = [f64::INFINITY; 2];
    for _ in 0..rounds {
        for (k, skew) in [0usize, 2].into_iter().enumerate() {
            let inputs = [("a", view(&a, n, skew)?), ("b", view(&b, n, skew)?), ("c", view(&c, n, skew)?)];
            let out = if bools {
                let start = flags_off + 8 * skew;
                ArrayViewMut::new(&mut flags[start..start + n], &[n])?
            } else {
                let start = floats.1 + skew;
                ArrayViewMut::new(&mut floats.0[start..start + n], &[n])?
            };
            let mut out = [(None, out)];
            for _ in 0..reps {
                let t = Instant::now();
                compiled.eval_views_into(&inputs, &mut out, &config)?;
                best[k] = best[k].min(t.elapsed().as_secs_f64() * 1e9 / n as f64);
            }
        }
    }
    println!("{expr}: n={n} ns/elem aligned {:.4} skewed(+16B) {:.4} ratio {:.3}", best[0], best[1], best[1] / best[0]);
    Ok(())
}
