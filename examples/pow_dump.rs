//! Dumps `x y pow(x, y)` (hex bits) for points where pow is hardest: `x` near the
//! table's subinterval ends and near 1 with large `|y|`, results near overflow and
//! underflow, random `x` and `y`. A high-precision script measures the ulp errors:
//! `cargo run --release --example pow_dump N > pts && python3 tools/pow_check.py pts`.

use jitexpr::__private::{self as vmath, Binary};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let mut s = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
        let v = (next() >> 11) as f64 / (1u64 << 53) as f64;
        let (x, y) = match i % 4 {
            // x near 1 (within a few subintervals), |y log x| up to ~740.
            0 => {
                let x = 1.0 + (u - 0.5) * 0.05;
                let t = (v - 0.5) * 1480.0;
                (x, t / x.ln())
            }
            // random x over the whole range, result anywhere up to near overflow/underflow.
            1 => {
                let x = f64::from_bits(0x0010_0000_0000_0000 + (next() % 0x7fd0_0000_0000_0000));
                let t = (v - 0.5) * 1480.0;
                (x, t / x.ln())
            }
            // moderate x and y.
            2 => (u * 10.0, (v - 0.5) * 40.0),
            // x near the subinterval ends (bits with the 45 low bits near 0 or 2^45).
            _ => {
                let b = 0x3fe0_0000_0000_0000u64 + ((next() % (1 << 20)) << 45);
                let b = b.wrapping_add((next() % 64).wrapping_sub(32));
                let x = f64::from_bits(b);
                (x, (v - 0.5) * 1480.0 / x.ln().abs().max(1e-3))
            }
        };
        if x.is_finite() && y.is_finite() && x > 0.0 {
            xs.push(x);
            ys.push(y);
        }
    }
    let mut out = vec![0.0; xs.len()];
    vmath::map2_f64_with(vmath::Variant::best(), Binary::Pow, &xs, &ys, &mut out);
    for i in 0..xs.len() {
        println!("{:016x} {:016x} {:016x}", xs[i].to_bits(), ys[i].to_bits(), out[i].to_bits());
    }
}
