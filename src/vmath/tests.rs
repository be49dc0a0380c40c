//! Accuracy sweeps (max ulp error against the C library on ~1e6 points per
//! function in release builds), special values, bit-identical variants, and the
//! aliasing cases of the block ABI.

use super::*;

mod pow_special;

/// Points per sweep: the 1e6 the accuracy claim rests on in release builds, fewer in debug.
const POINTS: usize = if cfg!(debug_assertions) { 20_000 } else { 1_000_000 };

/// Distance in representable doubles; NaN equals NaN, and NaN against a number is huge.
fn ulps64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    let key = |v: f64| {
        let i = v.to_bits() as i64;
        if i < 0 {
            i64::MIN - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

fn ulps32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    let key = |v: f32| {
        let i = v.to_bits() as i32 as i64;
        if i < 0 {
            i32::MIN as i64 - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

/// SplitMix64: reproducible points without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Log-uniform magnitude in [lo, hi] (lo > 0), random sign if `signed`.
    fn log_uniform(&mut self, lo: f64, hi: f64, signed: bool) -> f64 {
        let m = (lo.ln() + (hi.ln() - lo.ln()) * self.unit()).exp();
        if signed && self.next() & 1 == 1 {
            -m
        } else {
            m
        }
    }
}

const SPECIALS: [f64; 26] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    f64::MIN_POSITIVE,
    -f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    709.782712893384,
    709.7827128933841,
    710.0,
    -745.1332191019411,
    -745.1332191019412,
    -746.0,
    1e-20,
    -1e-20,
    1048576.0,
    1048577.0,
];

/// The points of a one-argument sweep: `POINTS` from `gen`, then the specials.
fn points1(seed: u64, gen: impl Fn(&mut Rng) -> f64) -> Vec<f64> {
    let mut rng = Rng(seed);
    let mut xs: Vec<f64> = (0..POINTS).map(|_| gen(&mut rng)).collect();
    xs.extend(SPECIALS);
    xs
}

/// The domain of each one-argument function: a mix of log-uniform and uniform points.
fn domain1(f: Unary, r: &mut Rng) -> f64 {
    let pick = r.next() % 4;
    match f {
        Unary::Exp | Unary::Expm1 | Unary::Sinh | Unary::Cosh => match pick {
            0 => r.uniform(-746.0, 711.0),
            1 => r.uniform(-5.0, 5.0),
            _ => r.log_uniform(1e-300, 750.0, true),
        },
        Unary::Exp2 => match pick {
            0 => r.uniform(-1080.0, 1030.0),
            1 => r.uniform(-3.0, 3.0),
            _ => r.log_uniform(1e-300, 1100.0, true),
        },
        Unary::Log | Unary::Log2 | Unary::Log10 => match pick {
            0 => r.uniform(0.5, 2.0),
            1 => 1.0 + r.log_uniform(1e-18, 0.3, true),
            _ => r.log_uniform(5e-324, f64::MAX, false),
        },
        Unary::Log1p => match pick {
            0 => -r.log_uniform(1e-300, 1.0, false),
            1 => r.uniform(-0.5, 1.0),
            _ => r.log_uniform(1e-300, 1e300, false),
        },
        Unary::Sin | Unary::Cos | Unary::Tan => match pick {
            0 => r.uniform(-10.0, 10.0),
            1 => r.log_uniform(1e6, 1e300, true),
            _ => r.log_uniform(1e-300, 1048576.0, true),
        },
        Unary::Arcsin | Unary::Arccos => match pick {
            0 => r.uniform(-1.0, 1.0),
            1 => (1.0 - r.log_uniform(1e-17, 0.5, false)).copysign(r.uniform(-1.0, 1.0)),
            _ => r.log_uniform(1e-300, 1.0, true),
        },
        Unary::Erf => match pick {
            0 => r.uniform(-7.0, 7.0),
            1 => r.uniform(-1.5, 1.5),
            _ => r.log_uniform(1e-300, 30.0, true),
        },
        Unary::Tanh => match pick {
            0 => r.uniform(-2.0, 2.0),
            _ => r.log_uniform(1e-300, 30.0, true),
        },
        _ => match pick {
            0 => r.uniform(-10.0, 10.0),
            _ => r.log_uniform(5e-324, f64::MAX, true),
        },
    }
}

const UNARY: [Unary; 18] = [
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
    Unary::Erf,
];

/// The C library's function (glibc's, < 1 ulp), the reference of the sweeps. Not
/// the scalar semantics: that is vmath itself.
fn libm1(f: Unary) -> fn(f64) -> f64 {
    match f {
        Unary::Exp => f64::exp,
        Unary::Expm1 => f64::exp_m1,
        Unary::Exp2 => f64::exp2,
        Unary::Log => f64::ln,
        Unary::Log1p => f64::ln_1p,
        Unary::Log2 => f64::log2,
        Unary::Log10 => f64::log10,
        Unary::Sin => f64::sin,
        Unary::Cos => f64::cos,
        Unary::Tan => f64::tan,
        Unary::Arcsin => f64::asin,
        Unary::Arccos => f64::acos,
        Unary::Arctan => f64::atan,
        Unary::Sinh => f64::sinh,
        Unary::Cosh => f64::cosh,
        Unary::Tanh => f64::tanh,
        Unary::Cbrt => f64::cbrt,
        Unary::Erf => ::libm::erf,
        Unary::Sqrt => f64::sqrt,
    }
}

const BINARY: [Binary; 3] = [Binary::Arctan2, Binary::Hypot, Binary::Pow];

fn reference2(f: Binary) -> fn(f64, f64) -> f64 {
    match f {
        Binary::Arctan2 => f64::atan2,
        Binary::Hypot => f64::hypot,
        Binary::Pow => f64::powf,
        Binary::Div => |a, b| a / b,
    }
}

fn domain2(f: Binary, r: &mut Rng) -> (f64, f64) {
    let pick = r.next() % 4;
    match f {
        Binary::Pow | Binary::Div => match pick {
            0 => (r.uniform(0.0, 10.0), r.uniform(-20.0, 20.0)),
            1 => (1.0 + r.log_uniform(1e-17, 0.1, true), r.log_uniform(1.0, 1e18, true)),
            2 => (-r.log_uniform(1e-10, 1e10, false), (r.uniform(-60.0, 60.0)).round()),
            _ => (r.log_uniform(5e-324, f64::MAX, false), r.log_uniform(1e-5, 1e3, true)),
        },
        _ => match pick {
            0 => (r.uniform(-3.0, 3.0), r.uniform(-3.0, 3.0)),
            _ => (r.log_uniform(5e-324, f64::MAX, true), r.log_uniform(5e-324, f64::MAX, true)),
        },
    }
}

fn points2(f: Binary) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(0x5eed ^ (f as u64 + 1));
    let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = (0..POINTS).map(|_| domain2(f, &mut rng)).unzip();
    for a in SPECIALS {
        for b in SPECIALS {
            xs.push(a);
            ys.push(b);
        }
    }
    (xs, ys)
}

/// Infinities, zeros (with their sign) and NaN must match the reference exactly:
/// a finite result where libm overflows, or 0 where it gives the smallest
/// subnormal, counts as a huge error, not as one ulp.
fn special_mismatch(got_bits: u64, want_bits: u64, got_special: bool, want_special: bool) -> bool {
    (got_special || want_special) && got_bits != want_bits
}

fn err64(got: f64, want: f64) -> u64 {
    let special = |v: f64| v == 0.0 || v.is_infinite();
    if got.is_nan() || want.is_nan() {
        ulps64(got, want)
    } else if special_mismatch(got.to_bits(), want.to_bits(), special(got), special(want)) {
        u64::MAX
    } else {
        ulps64(got, want)
    }
}

fn err32(got: f32, want: f32) -> u64 {
    let special = |v: f32| v == 0.0 || v.is_infinite();
    if got.is_nan() || want.is_nan() {
        ulps32(got, want)
    } else if special_mismatch(got.to_bits() as u64, want.to_bits() as u64, special(got), special(want)) {
        u64::MAX
    } else {
        ulps32(got, want)
    }
}

fn worst64(xs: &[f64], got: &[f64], want: impl Fn(usize) -> f64) -> (u64, usize) {
    (0..xs.len()).map(|i| (err64(got[i], want(i)), i)).max().unwrap_or((0, 0))
}

fn worst32(xs: &[f32], got: &[f32], want: impl Fn(usize) -> f32) -> (u64, usize) {
    (0..xs.len()).map(|i| (err32(got[i], want(i)), i)).max().unwrap_or((0, 0))
}

/// Bitwise equal, any NaN equal to any NaN.
fn same64(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

fn same32(a: &[f32], b: &[f32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

fn vector_variants() -> Vec<Variant> {
    [Variant::Avx512, Variant::Avx2].into_iter().filter(|v| v.is_supported()).chain([Variant::Portable]).collect()
}

/// The portable variant calls `fma` out of line on x86: check it on fewer points.
fn stride(v: Variant) -> usize {
    if v == Variant::Portable && cfg!(target_arch = "x86_64") {
        16
    } else {
        1
    }
}

#[test]
fn unary_f64_within_2_ulp_of_libm() {
    let mut report = String::new();
    for (k, &f) in UNARY.iter().enumerate() {
        let xs: Vec<f64> = points1(k as u64 + 1, |r| domain1(f, r));
        let want = libm1(f);
        for v in vector_variants() {
            let xs: Vec<f64> = xs.iter().copied().step_by(stride(v)).collect();
            let mut out = vec![0.0; xs.len()];
            map1_f64_with(v, f, &xs, &mut out);
            let (u, i) = worst64(&xs, &out, |i| want(xs[i]));
            report += &format!("{f:?} f64 {v:?}: max {u} ulp\n");
            assert!(u <= 2, "{f:?} {v:?}: {u} ulp at x = {:e}: got {:e}, libm {:e}", xs[i], out[i], want(xs[i]));
        }
    }
    println!("{report}");
}

#[test]
fn unary_f32_within_2_ulp_of_rounded_f64() {
    let mut report = String::new();
    for (k, &f) in UNARY.iter().enumerate() {
        let xs: Vec<f32> = points1(k as u64 + 100, |r| domain1(f, r)).iter().map(|&x| x as f32).collect();
        let want = libm1(f);
        for v in vector_variants() {
            let xs: Vec<f32> = xs.iter().copied().step_by(stride(v)).collect();
            let mut out = vec![0.0; xs.len()];
            map1_f32_with(v, f, &xs, &mut out);
            let (u, i) = worst32(&xs, &out, |i| want(xs[i] as f64) as f32);
            report += &format!("{f:?} f32 {v:?}: max {u} ulp\n");
            assert!(u <= 2, "{f:?} {v:?}: {u} ulp at x = {:e}: got {:e}", xs[i], out[i]);
        }
    }
    println!("{report}");
}

#[test]
fn binary_within_2_ulp_of_libm() {
    let mut report = String::new();
    for f in BINARY {
        let (xs, ys) = points2(f);
        let want = reference2(f);
        for v in vector_variants() {
            let s = stride(v);
            let xs: Vec<f64> = xs.iter().copied().step_by(s).collect();
            let ys: Vec<f64> = ys.iter().copied().step_by(s).collect();
            let mut out = vec![0.0; xs.len()];
            map2_f64_with(v, f, &xs, &ys, &mut out);
            let (u, i) = worst64(&xs, &out, |i| want(xs[i], ys[i]));
            report += &format!("{f:?} f64 {v:?}: max {u} ulp\n");
            assert!(u <= 2, "{f:?} {v:?}: {u} ulp at ({:e}, {:e}): got {:e}", xs[i], ys[i], out[i]);

            let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let y32: Vec<f32> = ys.iter().map(|&y| y as f32).collect();
            let mut out32 = vec![0.0; xs.len()];
            map2_f32_with(v, f, &x32, &y32, &mut out32);
            let (u, i) = worst32(&x32, &out32, |i| want(x32[i] as f64, y32[i] as f64) as f32);
            report += &format!("{f:?} f32 {v:?}: max {u} ulp\n");
            assert!(u <= 2, "{f:?} f32 {v:?}: {u} ulp at ({:e}, {:e}): got {:e}", x32[i], y32[i], out32[i]);
        }
    }
    println!("{report}");
}

/// pow's hard cases for the table-driven log and exp: `x` near 1 (neighbouring
/// subintervals, `|y log x|` up to 740), `x` anywhere with the result near overflow or
/// underflow, `x` at the ends of the log table's subintervals, and negative `x` with
/// integer `y`. Both pow and glibc's are within ~0.52 ulp of the exact value, so they
/// differ by at most 1 ulp; the sweep also covers the exponent loop-invariant (a
/// uniform block, the JIT's `a**2.7`).
#[test]
fn pow_within_1_ulp_of_glibc_on_hard_cases() {
    let mut r = Rng(0x9e37);
    let n = if cfg!(debug_assertions) { 20_000 } else { 2_000_000 };
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    while xs.len() < n {
        let t = r.uniform(-740.0, 740.0);
        let (x, y) = match r.next() % 4 {
            0 => {
                let x = 1.0 + r.uniform(-0.03, 0.03);
                (x, t / x.ln())
            }
            1 => {
                let x = r.log_uniform(5e-324, f64::MAX, false);
                (x, t / x.ln())
            }
            2 => {
                // 2^e (1 + j/128) and a few ulps around it: the table's subinterval ends.
                let b = 0x3fe0_0000_0000_0000u64 + ((r.next() % (1 << 20)) << 45);
                let x = f64::from_bits(b.wrapping_add((r.next() % 64).wrapping_sub(32)));
                (x, t / x.ln().abs().max(1e-3))
            }
            _ => (-r.log_uniform(1e-3, 1e3, false), (r.uniform(-100.0, 100.0)).round()),
        };
        if y.is_finite() && y != 0.0 {
            xs.push(x);
            ys.push(y);
        }
    }
    for v in vector_variants() {
        let s = stride(v);
        let xs: Vec<f64> = xs.iter().copied().step_by(s).collect();
        let ys: Vec<f64> = ys.iter().copied().step_by(s).collect();
        let mut out = vec![0.0; xs.len()];
        map2_f64_with(v, Binary::Pow, &xs, &ys, &mut out);
        let (u, i) = worst64(&xs, &out, |i| xs[i].powf(ys[i]));
        assert!(u <= 1, "pow {v:?}: {u} ulp at ({:e}, {:e}): got {:e}", xs[i], ys[i], out[i]);
        // The same exponent for a whole block: the uniform path.
        for &y in &[2.7, -0.3, 1e-3, 123.456, -77.7] {
            let ys = vec![y; xs.len().min(100_000)];
            let xs: Vec<f64> = xs.iter().map(|x| x.abs()).take(ys.len()).collect();
            let mut out = vec![0.0; xs.len()];
            map2_f64_with(v, Binary::Pow, &xs, &ys, &mut out);
            let (u, i) = worst64(&xs, &out, |i| xs[i].powf(y));
            assert!(u <= 1, "pow {v:?}: {u} ulp at ({:e}, {y:e}): got {:e}", xs[i], out[i]);
        }
    }
}

#[test]
fn vector_variants_give_identical_bits() {
    let vs = vector_variants();
    for (k, &f) in UNARY.iter().enumerate() {
        // Every 16th point: the portable variant is slow on x86.
        let xs: Vec<f64> = points1(k as u64 + 1, |r| domain1(f, r)).into_iter().step_by(16).collect();
        let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        let outs: Vec<(Vec<f64>, Vec<f32>)> = vs
            .iter()
            .map(|&v| {
                let (mut o, mut o32) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
                map1_f64_with(v, f, &xs, &mut o);
                map1_f32_with(v, f, &x32, &mut o32);
                (o, o32)
            })
            .collect();
        for (v, o) in vs.iter().zip(&outs) {
            assert!(same64(&o.0, &outs[0].0) && same32(&o.1, &outs[0].1), "{f:?}: {v:?} differs from {:?}", vs[0]);
        }
    }
    for f in BINARY {
        let (xs, ys) = points2(f);
        let (xs, ys): (Vec<f64>, Vec<f64>) =
            (xs.into_iter().step_by(16).collect(), ys.into_iter().step_by(16).collect());
        let outs: Vec<Vec<f64>> = vs
            .iter()
            .map(|&v| {
                let mut o = vec![0.0; xs.len()];
                map2_f64_with(v, f, &xs, &ys, &mut o);
                o
            })
            .collect();
        for (v, o) in vs.iter().zip(&outs) {
            assert!(same64(o, &outs[0]), "{f:?}: {v:?} differs from {:?}", vs[0]);
        }
    }
}

/// The block ABI allows `out` to be an input: the kernels take another loop then.
#[test]
fn kernels_compute_in_place() {
    let xs: Vec<f64> = (0..37).map(|i| 0.37 * i as f64 - 3.0).collect();
    let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    for v in vector_variants().into_iter().chain([Variant::Libm]) {
        for f in UNARY {
            let (mut want, mut want32) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
            map1_f64_with(v, f, &xs, &mut want);
            map1_f32_with(v, f, &x32, &mut want32);
            let (mut io, mut io32) = (xs.clone(), x32.clone());
            let (k, k32) = (block1_f64_for(v, f).expect("supported"), block1_f32_for(v, f).expect("supported"));
            // SAFETY: the variant is supported; `io` is valid for its length, in place.
            unsafe {
                k(io.as_ptr(), io.as_mut_ptr(), io.len());
                k32(io32.as_ptr(), io32.as_mut_ptr(), io32.len());
            }
            assert!(same64(&io, &want) && same32(&io32, &want32), "{f:?} {v:?} in place");
        }
        for f in BINARY {
            let ys: Vec<f64> = xs.iter().map(|x| 0.5 - x).collect();
            let k = block2_f64_for(v, f).expect("supported");
            let mut want = vec![0.0; xs.len()];
            map2_f64_with(v, f, &xs, &ys, &mut want);
            let (mut ox, mut oy) = (xs.clone(), ys.clone());
            let mut want_xx = vec![0.0; xs.len()];
            map2_f64_with(v, f, &xs, &xs, &mut want_xx);
            let mut oxx = xs.clone();
            // SAFETY: supported variant; each output buffer is one of the inputs, same length.
            unsafe {
                k(ox.as_ptr(), ys.as_ptr(), ox.as_mut_ptr(), xs.len());
                k(xs.as_ptr(), oy.as_ptr(), oy.as_mut_ptr(), xs.len());
                k(oxx.as_ptr(), oxx.as_ptr(), oxx.as_mut_ptr(), xs.len());
            }
            assert!(same64(&ox, &want) && same64(&oy, &want) && same64(&oxx, &want_xx), "{f:?} {v:?} in place");
        }
    }
}

/// pow's general path runs in passes over sub-blocks of 64 (`kernels::pow_passes`):
/// in place or not, with a uniform exponent or not, across sub-block ends, float64
/// and float32, with and without bases and exponents outside the passes' domain
/// (patched afterwards, one element or a whole sub-block), it gives the element
/// function's bits.
#[test]
fn pow_passes_give_the_element_functions_bits() {
    let n = 64 * 5 + 5;
    let clean: Vec<f64> = (0..n).map(|i| 0.013 + 0.71 * i as f64).collect();
    let specials = [0.0, -0.0, -2.5, 5e-324, -1e-310, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1.0, -1.0];
    // One outside base in the second sub-block, two in the fourth, every other
    // element of the last two.
    let mut dirty = clean.clone();
    dirty[70] = f64::NAN;
    (dirty[200], dirty[255]) = (0.0, -3.0);
    for i in (256..n).step_by(2) {
        dirty[i] = specials[i % specials.len()];
    }
    let ys: Vec<f64> = (0..n).map(|i| -3.3 + 0.037 * i as f64).collect();
    let mut odd_ys = ys.clone();
    for (i, y) in [(3, f64::NAN), (64, f64::INFINITY), (65, 2.0), (66, 0.5), (67, -1.0), (130, 1.5), (131, 3.0)] {
        odd_ys[i] = y;
    }
    odd_ys[200] = f64::NEG_INFINITY;
    for v in vector_variants() {
        let k = block2_f64_for(v, Binary::Pow).expect("supported");
        let k32 = block2_f32_for(v, Binary::Pow).expect("supported");
        for (xs, ys) in [
            (&clean, ys.clone()),
            (&clean, vec![2.3; n]),
            (&dirty, ys.clone()),
            (&dirty, vec![2.3; n]),
            (&dirty, vec![-0.7; n]),
            (&clean, odd_ys.clone()),
            (&dirty, odd_ys.clone()),
            (&dirty, vec![f64::INFINITY; n]),
        ] {
            let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let want: Vec<f64> = xs.iter().zip(&ys).map(|(&x, &y)| pow::pow(x, y)).collect();
            let y32: Vec<f32> = ys.iter().map(|&y| y as f32).collect();
            let want32: Vec<f32> = x32.iter().zip(&y32).map(|(&x, &y)| pow::pow(x.into(), y.into()) as f32).collect();
            let (mut out, mut ox, mut oy) = (vec![0.0; n], xs.clone(), ys.clone());
            let (mut out32, mut ox32) = (vec![0.0f32; n], x32.clone());
            // SAFETY: supported variant; every buffer holds `n` elements; each output
            // is a separate buffer or one of the inputs.
            unsafe {
                k(xs.as_ptr(), ys.as_ptr(), out.as_mut_ptr(), n);
                k(ox.as_ptr(), ys.as_ptr(), ox.as_mut_ptr(), n);
                k(xs.as_ptr(), oy.as_ptr(), oy.as_mut_ptr(), n);
                k32(x32.as_ptr(), y32.as_ptr(), out32.as_mut_ptr(), n);
                k32(ox32.as_ptr(), y32.as_ptr(), ox32.as_mut_ptr(), n);
            }
            assert!(same64(&out, &want) && same64(&ox, &want) && same64(&oy, &want), "{v:?} float64 {:?}", ys[0]);
            assert!(same32(&out32, &want32) && same32(&ox32, &want32), "{v:?} float32 {:?}", ys[0]);
        }
    }
}

/// float64 tanh runs in two passes over sub-blocks of 64 (`kernels::two_passes`):
/// in place or not, across sub-block ends, with special values, it gives the
/// element function's bits.
#[test]
fn tanh_passes_give_the_element_functions_bits() {
    let mut xs: Vec<f64> = (0..64 * 3 + 5).map(|i| -7.3 + 0.077 * i as f64).collect();
    xs.extend([0.0, -0.0, 1e-300, -5e-324, 19.9, 20.0, 1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN]);
    let want: Vec<f64> = xs.iter().map(|&x| hyper::tanh(x)).collect();
    for v in vector_variants() {
        let k = block1_f64_for(v, Unary::Tanh).expect("supported");
        let (mut out, mut io) = (vec![0.0; xs.len()], xs.clone());
        // SAFETY: supported variant; both buffers hold `xs.len()` elements; `io` in place.
        unsafe {
            k(xs.as_ptr(), out.as_mut_ptr(), xs.len());
            k(io.as_ptr(), io.as_mut_ptr(), io.len());
        }
        assert!(same64(&out, &want) && same64(&io, &want), "{v:?}");
    }
}

/// Large arguments of sin/cos/tan take the C library path, mixed with small ones in a block.
#[test]
fn trig_beyond_the_reduction_limit_matches_libm() {
    let xs = [0.5, 1e6, 1048576.5, 1e22, -1e300, f64::INFINITY, 3.0, f64::NAN, -2.5e15];
    for (f, want) in [(Unary::Sin, f64::sin as fn(f64) -> f64), (Unary::Cos, f64::cos), (Unary::Tan, f64::tan)] {
        for v in vector_variants() {
            let mut out = [0.0; 9];
            map1_f64_with(v, f, &xs, &mut out);
            for (x, o) in xs.iter().zip(out) {
                assert!(err64(o, want(*x)) <= 1, "{f:?}({x:e}) = {o:e}");
            }
        }
    }
}

/// sqrt and division are one IEEE operation: every variant's kernel gives exactly
/// the operation's bits, in float64 and float32 (through float64), on any bits.
#[test]
fn sqrt_and_division_kernels_are_the_ieee_operations() {
    let mut rng = Rng(0xd1u64);
    let mut xs: Vec<f64> = (0..20_000).map(|_| f64::from_bits(rng.next())).collect();
    xs.extend(SPECIALS);
    let ys: Vec<f64> = xs.iter().rev().copied().collect();
    let (x32, y32): (Vec<f32>, Vec<f32>) = xs.iter().zip(&ys).map(|(&a, &b)| (a as f32, b as f32)).unzip();
    let (x32, y32): (Vec<f32>, Vec<f32>) = x32
        .iter()
        .zip(&y32)
        .enumerate()
        .map(|(i, (&a, &b))| if i % 2 == 0 { (a, b) } else { (f32::from_bits(a.to_bits() ^ 0x5a5a_5a5a), b) })
        .unzip();
    for v in Variant::ALL.into_iter().filter(|v| v.is_supported()) {
        let mut out = vec![0.0; xs.len()];
        map1_f64_with(v, Unary::Sqrt, &xs, &mut out);
        assert!(same64(&out, &xs.iter().map(|x| x.sqrt()).collect::<Vec<_>>()), "{v:?} sqrt f64");
        map2_f64_with(v, Binary::Div, &xs, &ys, &mut out);
        assert!(same64(&out, &xs.iter().zip(&ys).map(|(x, y)| x / y).collect::<Vec<_>>()), "{v:?} div f64");
        let mut out32 = vec![0.0f32; x32.len()];
        map1_f32_with(v, Unary::Sqrt, &x32, &mut out32);
        assert!(same32(&out32, &x32.iter().map(|x| x.sqrt()).collect::<Vec<_>>()), "{v:?} sqrt f32");
        map2_f32_with(v, Binary::Div, &x32, &y32, &mut out32);
        assert!(same32(&out32, &x32.iter().zip(&y32).map(|(x, y)| x / y).collect::<Vec<_>>()), "{v:?} div f32");
    }
}

/// Issue #11, defect 8: a domain error gives the hardware's default NaN (negative
/// on x86, as NumPy's `log(-1)` through the FPU), in every vector variant, so
/// `signbit` and `copysign` of the result agree with NumPy. (The libm variant,
/// for CPUs without FMA, is the C library's, whose `log10` gives +NaN.)
#[test]
fn defect8_domain_error_nans_have_the_default_nan_sign() {
    let negative_default = cfg!(any(target_arch = "x86", target_arch = "x86_64"));
    assert_eq!(DEFAULT_NAN.is_sign_negative(), negative_default);
    let cases: [(Unary, &[f64]); 6] = [
        (Unary::Log, &[-1.0, -9.0, f64::NEG_INFINITY, -1e-30]),
        (Unary::Log2, &[-1.0, -9.0, f64::NEG_INFINITY]),
        (Unary::Log10, &[-1.0, -9.0, f64::NEG_INFINITY]),
        (Unary::Log1p, &[-2.0, -10.0, f64::NEG_INFINITY]),
        (Unary::Arcsin, &[2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY]),
        (Unary::Arccos, &[2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY]),
    ];
    for (f, xs) in cases {
        let x32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        for v in vector_variants() {
            let (mut out, mut out32) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
            map1_f64_with(v, f, xs, &mut out);
            map1_f32_with(v, f, &x32, &mut out32);
            for (i, (&r, &r32)) in out.iter().zip(&out32).enumerate() {
                assert!(r.is_nan() && r32.is_nan(), "{f:?}({}) on {v:?}: {r}, {r32}", xs[i]);
                assert_eq!(
                    (r.is_sign_negative(), r32.is_sign_negative()),
                    (negative_default, negative_default),
                    "{f:?}({}) on {v:?}",
                    xs[i]
                );
            }
        }
    }
    // A negative base to a non-integer power (`x**2.5`, `x**0.3`).
    let (xs, ys) = ([-1.0, -9.0, -1.0, -0.5], [2.5, 2.5, 0.3, -1.5]);
    for v in vector_variants() {
        let mut out = [0.0; 4];
        map2_f64_with(v, Binary::Pow, &xs, &ys, &mut out);
        assert!(out.iter().all(|r| r.is_nan() && r.is_sign_negative() == negative_default), "pow on {v:?}: {out:?}");
    }
}

/// `f` on the float32 bit patterns `0, step, 2 step, ...` below 2^32, `block` at a time.
fn for_f32_blocks(step: u64, block: usize, mut f: impl FnMut(&[f32])) {
    let mut xs = Vec::with_capacity(block);
    let mut bits: u64 = 0;
    while bits < 1 << 32 {
        xs.clear();
        while xs.len() < block && bits < 1 << 32 {
            xs.push(f32::from_bits(bits as u32));
            bits += step;
        }
        f(&xs);
    }
}

/// The functions whose float32 kernels compute in float32 (`kernels::native_f32`).
const NATIVE_F32: [Unary; 5] = [Unary::Exp, Unary::Log, Unary::Sin, Unary::Cos, Unary::Tanh];

/// The float32-native kernels are within 1 ulp of the correctly rounded result (the C
/// library's float64 function rounded: one of the two float32 neighbours of the exact
/// value, so a faithful result is within 1 ulp of it) on the float32 bit patterns `0,
/// step, 2 step, ...`, in every vector variant (the portable one only on samples).
fn native_f32_within_1_ulp(step: u64) {
    const BLOCK: usize = 1 << 16;
    let mut report = String::new();
    for f in NATIVE_F32 {
        let want = libm1(f);
        let mut worst = (0u64, 0u32);
        for_f32_blocks(step, BLOCK, |xs| {
            let mut out = vec![0.0f32; xs.len()];
            for v in vector_variants().into_iter().filter(|&v| v != Variant::Portable || step > 1000) {
                map1_f32_with(v, f, xs, &mut out);
                for (&x, &o) in xs.iter().zip(&out) {
                    let e = err32(o, want(x as f64) as f32);
                    assert!(e <= 1, "{f:?}({x:e}) on {v:?}: {o:e}, {e} ulp");
                    worst = worst.max((e, x.to_bits()));
                }
            }
        });
        report += &format!("float32 {f:?}: max {} ulp (at {:e})\n", worst.0, f32::from_bits(worst.1));
    }
    println!("{report}");
}

#[test]
fn native_f32_within_1_ulp_on_a_sample() {
    native_f32_within_1_ulp(if cfg!(debug_assertions) { 65_537 } else { 1021 });
}

#[test]
#[ignore = "every float32 value: ~5 min in release; `cargo test --release --lib native_f32 -- --ignored`"]
fn native_f32_within_1_ulp_everywhere() {
    native_f32_within_1_ulp(1);
}
