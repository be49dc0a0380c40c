//! The special path of pow (`y = k/2`, `1 <= |k| <= 17`): exact big-integer
//! references for its accuracy, bit-identity of its unrolled and branch-free forms,
//! and block kernels that give the element function's bits whatever the block holds.

use super::super::pow::{in_special_domain, pow, pow_special, pow_special_n, special_exponent, SPECIAL_N};
use super::{for_f32_blocks, map2_f32_with, map2_f64_with, same64, vector_variants, Binary, Rng, POINTS};
use num_bigint::BigInt;

const POW: Binary = Binary::Pow;

/// Every special exponent: `k/2` for `1 <= |k| <= 2 SPECIAL_N + 1`, except 2, -1 and 0.5.
fn special_exponents() -> Vec<f64> {
    let kmax = 2 * SPECIAL_N as i32 + 1;
    (-kmax..=kmax).filter(|&k| k != 0 && k != 4 && k != -2 && k != 1).map(|k| k as f64 / 2.0).collect()
}

/// `n 2^e`, exactly.
#[derive(Clone)]
struct Dyadic(BigInt, i64);

impl Dyadic {
    fn of(v: f64) -> Dyadic {
        let bits = v.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (m, e) = if exp == 0 { (frac, -1074) } else { (frac | 1 << 52, exp - 1075) };
        let m = BigInt::from(m);
        Dyadic(if v < 0.0 { -m } else { m }, e)
    }
    fn one() -> Dyadic {
        Dyadic(BigInt::from(1), 0)
    }
    fn mul(&self, o: &Dyadic) -> Dyadic {
        Dyadic(&self.0 * &o.0, self.1 + o.1)
    }
    fn pow(&self, n: u32) -> Dyadic {
        (0..n).fold(Dyadic::one(), |acc, _| acc.mul(self))
    }
    fn sub(&self, o: &Dyadic) -> Dyadic {
        let e = self.1.min(o.1);
        Dyadic((&self.0 << (self.1 - e) as usize) - (&o.0 << (o.1 - e) as usize), e)
    }
    /// `|self / o|` as a double (`o` nonzero).
    fn ratio(&self, o: &Dyadic) -> f64 {
        let (n, d) = (self.0.magnitude(), o.0.magnitude());
        if n.bits() == 0 {
            return 0.0;
        }
        // Scale the quotient to ~64 bits, then divide the scale out in floating point.
        let shift = 64 - (n.bits() as i64 - d.bits() as i64);
        let q = if shift >= 0 { (n << shift as usize) / d } else { n / (d << (-shift) as usize) };
        let q = q.to_u64_digits().iter().rev().fold(0.0, |acc, &w| acc * 2f64.powi(64) + w as f64);
        q * 2f64.powi((self.1 - o.1 - shift) as i32)
    }
}

/// The error of `r ~ x^y` in units of `r`'s last place, from exact arithmetic: with
/// `X = x^|2y|` for a half-integral `y` (`r^2 ~ X^±1`) and `X = x^|y|` otherwise.
fn ulp_error(x: f64, y: f64, r: f64) -> f64 {
    let half = (2.0 * y).rem_euclid(2.0) == 1.0;
    let big_x = Dyadic::of(x).pow(if half { (2.0 * y).abs() } else { y.abs() } as u32);
    let rd = Dyadic::of(r);
    // r is normal here: a 53-bit significand, so its last place is 2^(its exponent).
    let ulp = Dyadic(BigInt::from(1), rd.1);
    // |r - T| / ulp for T = X, 1/X, sqrt(X), 1/sqrt(X) (the last two to first order,
    // |r - T| = |r^2 - T^2| / (r + T), exact enough for an error near 0.5).
    let one = Dyadic::one();
    let two_r = rd.mul(&Dyadic(BigInt::from(2), 0));
    match (half, y < 0.0) {
        (false, false) => rd.sub(&big_x).ratio(&ulp),
        (false, true) => rd.mul(&big_x).sub(&one).ratio(&big_x.mul(&ulp)),
        (true, false) => rd.mul(&rd).sub(&big_x).ratio(&two_r.mul(&ulp)),
        (true, true) => rd.mul(&rd).mul(&big_x).sub(&one).ratio(&two_r.mul(&big_x).mul(&ulp)),
    }
}

/// `x` for exponent `y`: log-uniform over the special domain (either sign for
/// integral `y`), uniform in the benchmarks' `[0.1, 1.1)`, or near 1.
fn special_x(r: &mut Rng, y: f64) -> f64 {
    let half = (2.0 * y).rem_euclid(2.0) == 1.0;
    match r.next() % 3 {
        0 => r.log_uniform(8.7e-19, 1.15e18, !half),
        1 => r.uniform(0.1, 1.1),
        _ => 1.0 + r.log_uniform(1e-16, 1e-3, true),
    }
}

#[test]
fn special_path_is_correctly_rounded_but_for_near_ties() {
    let ys = special_exponents();
    let per = POINTS / ys.len();
    let mut rng = Rng(0x9077);
    let mut report = String::new();
    for &y in &ys {
        let (mut worst, mut at, mut above_half) = (0.0f64, 0.0, 0);
        for _ in 0..per {
            let x = special_x(&mut rng, y);
            let r = pow(x, y);
            let err = ulp_error(x, y, r);
            above_half += usize::from(err > 0.5);
            if err > worst {
                (worst, at) = (err, x);
            }
        }
        report += &format!("x**{y}: max {worst:.6} ulp ({above_half} of {per} above 0.5)\n");
        // 0.5 ulp is correct rounding; the double-double result is ~2^-100 from exact,
        // so only a value within that of a tie may round the other way.
        assert!(worst < 0.5 + 1e-9, "x**{y}: {worst} ulp at x = {at:e}");
    }
    println!("{report}");
}

#[test]
fn special_path_is_the_same_unrolled_and_branch_free() {
    macro_rules! check {
        ($($n:literal)*) => {$(
            for (half, neg) in [(false, false), (false, true), (true, false), (true, true)] {
                let y = (if neg { -1.0 } else { 1.0 }) * ($n as f64 + if half { 0.5 } else { 0.0 });
                if !special_exponent(y) {
                    continue; // y = 0, 2, -1 or 0.5
                }
                let unrolled: fn(f64) -> f64 = match (half, neg) {
                    (false, false) => pow_special_n::<$n, false, false>,
                    (false, true) => pow_special_n::<$n, false, true>,
                    (true, false) => pow_special_n::<$n, true, false>,
                    (true, true) => pow_special_n::<$n, true, true>,
                };
                let mut rng = Rng(0x5eed + $n);
                for _ in 0..2000 {
                    let x = special_x(&mut rng, y);
                    assert_eq!(unrolled(x).to_bits(), pow_special(x, y).to_bits(), "x = {x:e}, y = {y}");
                }
            }
        )*};
    }
    check!(0 1 2 3 4 5 6 7 8);
    assert_eq!(SPECIAL_N, 8, "the list above covers 0..=SPECIAL_N");
}

/// Arguments around and beyond the special domain, and special values.
fn awkward_x() -> Vec<f64> {
    let mut xs = vec![0.0, -0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 5e-324, -5e-324, 1e-310];
    xs.extend([2f64.powi(-60), 2f64.powi(60), 2f64.powi(-61), 2f64.powi(61), 1e300, -1e300, 1e-300, 3.5, -3.5]);
    xs.extend([f64::MAX, f64::MIN_POSITIVE, 0.7, -0.7, 1.5e154, 2.0, -2.0]);
    xs
}

#[test]
fn numpy_fast_paths_are_pow_everywhere() {
    for x in awkward_x() {
        assert!(same64(&[pow(x, 2.0)], &[x * x]), "x = {x:e}");
        assert!(same64(&[pow(x, -1.0)], &[1.0 / x]), "x = {x:e}");
        let root = if x == f64::NEG_INFINITY || x == 0.0 { x.abs() } else { x.sqrt() };
        assert!(same64(&[pow(x, 0.5)], &[root]), "x = {x:e}");
    }
}

#[test]
fn block_kernels_give_the_element_bits_for_any_block() {
    let mut ys = special_exponents();
    ys.extend([2.0, -1.0, 0.5, 0.0, 1.7, -2.25, 20.0, f64::NAN, f64::INFINITY, -0.5]);
    let mut rng = Rng(0xb10c);
    let typical: Vec<f64> = (0..203).map(|_| rng.uniform(0.1, 1.1)).collect();
    let mut awkward = typical.clone();
    awkward.extend(awkward_x());
    for v in vector_variants() {
        for &y in &ys {
            for xs in [&typical, &awkward] {
                let want: Vec<f64> = xs.iter().map(|&x| pow(x, y)).collect();
                // A uniform exponent, then the same exponent mixed with another.
                let uniform = vec![y; xs.len()];
                let mut mixed = uniform.clone();
                mixed[xs.len() / 2] = 1.3;
                for yv in [&uniform, &mixed] {
                    let mut out = vec![0.0; xs.len()];
                    map2_f64_with(v, POW, xs, yv, &mut out);
                    let want: Vec<f64> = xs.iter().zip(yv.iter()).map(|(&x, &y)| pow(x, y)).collect();
                    assert!(same64(&out, &want), "{v:?} y = {y}");
                }
                // In place, the exponent block being the output.
                let mut io = uniform.clone();
                let kernel = super::super::kernels::binary(v, super::super::Binary::Pow).0;
                // SAFETY: `v` is supported here; `x` holds `io.len()` elements and does not
                // overlap `io`, which is both the exponent and the output (the ABI allows it).
                unsafe { kernel(xs.as_ptr(), io.as_ptr(), io.as_mut_ptr(), io.len()) };
                assert!(same64(&io, &want), "{v:?} y = {y}, y is out");
                // float32 is the float64 result rounded.
                let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
                let mut out32 = vec![0.0f32; xs.len()];
                map2_f32_with(v, POW, &x32, &vec![y as f32; xs.len()], &mut out32);
                for (i, &x) in x32.iter().enumerate() {
                    let w = pow(x as f64, y as f32 as f64) as f32;
                    assert!(out32[i].to_bits() == w.to_bits() || (w.is_nan() && out32[i].is_nan()), "{v:?} {x:e}**{y}");
                }
            }
        }
    }
}

#[test]
fn special_domain_is_where_no_partial_product_leaves_the_normal_range() {
    // The largest power the path forms is |x|^17 for y = 8.5 (x^8, then sqrt, or x^-8.5).
    for x in [2f64.powi(-60), 2f64.powi(60)] {
        assert!(in_special_domain(x, true) && in_special_domain(-x, false));
        let p = x.powi(17);
        assert!(p.is_normal(), "{x:e}^17 = {p:e}");
    }
    assert!(!in_special_domain(2f64.powi(61), false) && !in_special_domain(-1.0, true));
}

/// float32 `x**3` and `x**4` with a uniform exponent are float64 products
/// (`pow_f32_int`); `pow` computes them by the special path (or the general one outside
/// its domain). Equal bits for the float32 bit patterns `0, step, 2 step, ...` (and their
/// neighbours): blocks with the exponent uniform against blocks where it is not (the
/// last element differs), which compute `pow` element by element.
fn f32_int_powers_match_pow(step: u64) {
    const BLOCK: usize = 4096;
    let v = super::Variant::best();
    for_f32_blocks(step, BLOCK, |block| {
        let mut xs = block.to_vec();
        xs.push(1.5);
        for y in [3.0f32, 4.0] {
            let uniform = vec![y; xs.len()];
            let mut mixed = uniform.clone();
            *mixed.last_mut().expect("not empty") = 2.5;
            let (mut got, mut want) = (vec![0.0f32; xs.len()], vec![0.0f32; xs.len()]);
            map2_f32_with(v, POW, &xs, &uniform, &mut got);
            map2_f32_with(v, POW, &xs, &mixed, &mut want);
            for i in 0..xs.len() - 1 {
                let (g, w) = (got[i], want[i]);
                assert!(
                    g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                    "{:e}**{y}: {g:e} by the product, {w:e} by pow",
                    xs[i]
                );
            }
        }
    });
}

#[test]
fn f32_cubes_and_fourth_powers_are_pow_on_a_sample() {
    // 2^22 bit patterns spread over every exponent and sign, in release builds.
    f32_int_powers_match_pow(if cfg!(debug_assertions) { 65_537 } else { 1021 });
}

/// The claim in `pow.rs` for every float32 value (4 * 2^32 pow evaluations).
#[test]
#[ignore = "every float32 value: ~3 min in release; `cargo test --release --lib f32_cubes -- --ignored`"]
fn f32_cubes_and_fourth_powers_are_pow_everywhere() {
    f32_int_powers_match_pow(1);
}
