//! Single-thread throughput of the vmath block kernels, in ns per element, for
//! every function and variant, against the C library called per element.
//! A cache-resident block of 4096 elements is processed repeatedly.
//!
//! `cargo run --release --example vmath_bench [filter]`

// The block kernels are not public API: `__private` is a hidden escape hatch
// for this benchmark (ARCHITECTURE.md, "Public surface").
use jitexpr::__private::{self as vmath, Binary, Unary, Variant};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 4096;

/// The best of several timings of `reps` calls, in ns per element (the machine may be
/// shared: the minimum is the least disturbed).
fn time(mut run: impl FnMut()) -> f64 {
    run();
    let reps = 200;
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                run();
            }
            t.elapsed().as_nanos() as f64 / (reps * N) as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[0]
}

/// Inputs like the benchmarks: uniform in [0.1, 1.1), inside the domain.
fn inputs(f: &str) -> Vec<f64> {
    let scale = if f == "arcsin" || f == "arccos" { 0.85 } else { 1.0 };
    (0..N).map(|i| scale * (0.1 + ((i as f64 * 0.618_034) % 1.0))).collect()
}

fn variants() -> Vec<Variant> {
    Variant::ALL.into_iter().filter(|v| v.is_supported()).collect()
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let unary = [
        Unary::Exp,
        Unary::Expm1,
        Unary::Exp2,
        Unary::Log,
        Unary::Log1p,
        Unary::Log2,
        Unary::Log10,
        Unary::Sin,
        Unary::Cos,
        Unary::Tan,
        Unary::Arcsin,
        Unary::Arccos,
        Unary::Arctan,
        Unary::Sinh,
        Unary::Cosh,
        Unary::Tanh,
        Unary::Cbrt,
    ];
    println!("best variant: {:?}; ns/element at n = {N}, single thread", Variant::best());
    println!("{:<10} {:>6} {:>8} {:>8} {:>8} {:>8}", "function", "dtype", "avx512", "avx2", "portable", "libm");
    for f in unary {
        let name = format!("{f:?}").to_lowercase();
        let name = name.as_str();
        if !name.contains(&filter) {
            continue;
        }
        let x = inputs(name);
        let mut out = vec![0.0; N];
        let cells: Vec<f64> = variants()
            .into_iter()
            .map(|v| time(|| vmath::map1_f64_with(v, f, black_box(&x), black_box(&mut out))))
            .collect();
        row(name, "f64", &cells);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![0.0f32; N];
        let cells: Vec<f64> = variants()
            .into_iter()
            .map(|v| time(|| vmath::map1_f32_with(v, f, black_box(&x32), black_box(&mut out32))))
            .collect();
        row(name, "f32", &cells);
    }
    let binary = [("arctan2", Binary::Arctan2), ("hypot", Binary::Hypot), ("power", Binary::Pow)];
    for (name, f) in binary {
        if !name.contains(&filter) {
            continue;
        }
        let x = inputs(name);
        let y: Vec<f64> = x.iter().map(|v| 2.5 * v).collect();
        let mut out = vec![0.0; N];
        let cells: Vec<f64> = variants()
            .into_iter()
            .map(|v| time(|| vmath::map2_f64_with(v, f, black_box(&x), black_box(&y), black_box(&mut out))))
            .collect();
        row(name, "f64", &cells);
        let (x32, y32): (Vec<f32>, Vec<f32>) = x.iter().zip(&y).map(|(&a, &b)| (a as f32, b as f32)).unzip();
        let mut out32 = vec![0.0f32; N];
        let cells: Vec<f64> = variants()
            .into_iter()
            .map(|v| time(|| vmath::map2_f32_with(v, f, black_box(&x32), black_box(&y32), black_box(&mut out32))))
            .collect();
        row(name, "f32", &cells);
    }
}

/// One table row; a variant this CPU lacks is a blank cell.
fn row(name: &str, dtype: &str, cells: &[f64]) {
    let mut line = format!("{name:<10} {dtype:>6}");
    let mut it = cells.iter();
    for v in Variant::ALL {
        match v.is_supported().then(|| it.next()).flatten() {
            Some(ns) => line += &format!(" {ns:>8.3}"),
            None => line += &format!(" {:>8}", "-"),
        }
    }
    println!("{line}");
}
