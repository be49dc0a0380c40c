//! `--math fast`: golden dumps of each rewrite, and each rewrite class against the
//! exact program on a million values, within the bound `opt/fast.rs` states.

use super::exactness::{values_f32, values_f64};
use super::*;
use crate::ir::ops::Func;

/// The fast program of `src` and its report, after the usual checks (a second
/// optimization changes nothing; dtypes and shapes match the original's).
fn check_fast(src: &str, sig: &[(&str, DType)], expect: Expect) {
    let p = compile(src, sig);
    assert_agrees(src, &p, &[p.result]);
    let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
    expect.assert_eq(&opt.to_string());
}

#[test]
fn polynomials_take_horner_form() {
    check_fast(
        "0.25*a**3 + 0.75*a**2 - 1.5*a - 2",
        &[("a", Float64)],
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const 0.25 : float64
            %2 = const 0.75 : float64
            %3 = fma %1, %0, %2 : float64
            %4 = const -1.5 : float64
            %5 = fma %3, %0, %4 : float64
            %6 = const -2.0 : float64
            %7 = fma %5, %0, %6 : float64
            result = %7
            rewrites (node numbers of the input program):
              %2 = power %0, 3.0 -> multiply %0, t1 where t1 = multiply %0, %0 (power, <=3 ulp) at 5..9
              %5 = multiply %0, %0 -> multiply %0, %0 (cse, exact) at 17..21
              %13 = subtract %11, 2.0 -> fma t2, %0, -2.0 where t1 = fma 0.25, %0, 0.75, t2 = fma t1, %0, -1.5 (horner, absolute bound) at 0..33
        "#]],
    );
}

/// Missing degrees skip their addition; an implicit coefficient is 1 (and `1*x`
/// is `x`); the variable may be any node.
#[test]
fn horner_skips_missing_terms_and_takes_any_value_as_variable() {
    check_fast(
        "sin(b)**4 - sin(b) + 3",
        &[("b", Float32)],
        expect![[r#"
            inputs: b: float32
            %0 = input b : float32
            %1 = sin %0 : float32
            %2 = multiply %1, %1 : float32
            %3 = const 3.0 : float32
            %4 = const -1.0 : float32
            %5 = fma %2, %1, %4 : float32
            %6 = fma %5, %1, %3 : float32
            result = %6
            rewrites (node numbers of the input program):
              %3 = power %1, 4.0 -> multiply t1, t1 where t1 = multiply %1, %1 (power, <=4 ulp) at 0..9
              %4 = sin %0 -> %1 (cse, exact) at 12..18
              %7 = add %5, 3.0 -> fma t2, %1, 3.0 where t1 = multiply %1, %1, t2 = fma t1, %1, -1.0 (horner, absolute bound) at 0..22
        "#]],
    );
}

/// Not polynomials in one value (two variables; a degree twice, whose
/// coefficients would have to be computed), or not worth it (one varying term).
#[test]
fn horner_leaves_what_is_not_one_polynomial() {
    for src in ["a**2 + b**2", "2*a**2 + 3*a**2 + a", "a**3 + 1", "a*b*a + a"] {
        let p = compile(src, &[("a", Float64), ("b", Float64)]);
        assert_agrees(src, &p, &[p.result]);
        let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
        assert!(opt.report.iter().all(|r| r.rule != Rule::Horner), "{src}: {opt}");
    }
}

#[test]
fn division_by_a_constant_multiplies_by_its_reciprocal() {
    check_fast(
        "a / 3 + a / 4 + a / 1e-310",
        &[("a", Float64)],
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const 0.3333333333333333 : float64
            %2 = const 0.25 : float64
            %3 = multiply %0, %2 : float64
            %4 = const 1e-310 : float64
            %5 = divide %0, %4 : float64
            %6 = fma %0, %1, %3 : float64
            %7 = add %6, %5 : float64
            result = %7
            rewrites (node numbers of the input program):
              %2 = divide %0, 3.0 -> multiply %0, 0.3333333333333333 (reciprocal, <=1 ulp) at 0..5
              %4 = divide %0, 4.0 -> multiply %0, 0.25 (reciprocal, exact) at 8..13
              %8 = add %5, %7 -> add t1, %7 where t1 = fma %0, 0.3333333333333333, %4 (fma, absolute bound) at 0..26
        "#]],
    );
}

/// `x * RN(1/c)` against `x / c`: at most 1 ulp apart where both are normal.
#[test]
fn reciprocals_stay_within_one_ulp() {
    let xs = values_f64();
    for c in [3.0, 7.0, 0.1, -10.0, 1e-300, -1e300, 1.7976931348623157e308 / 4.0] {
        let p = compile(&format!("a / float64({c:e})"), &[("a", Float64)]);
        let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
        assert_eq!(opt.report[0].rule, Rule::Reciprocal(Exactness::Ulps(1)), "{c}");
        let input = Array::from_vec(xs.clone());
        let want = crate::interp::eval(&p, &[&input], &[p.result]).expect("evaluates");
        let got = crate::interp::eval(&opt.program, &[&input], &opt.outputs).expect("evaluates");
        for (i, x) in xs.iter().enumerate() {
            let (w, g) = (want[0].get(i), got[0].get(i));
            let normal = |s: Scalar| matches!(s, Scalar::Float64(v) if v.is_normal());
            if normal(w) && normal(g) {
                assert!(ulps_apart(w, g) <= 1, "{x:e} / {c:e}: {w} against {g}");
            }
        }
    }
    let xs = values_f32();
    let input = Array::from_vec(xs.clone());
    let p = compile("a / float32(3)", &[("a", Float32)]);
    let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
    let want = crate::interp::eval(&p, &[&input], &[p.result]).expect("evaluates");
    let got = crate::interp::eval(&opt.program, &[&input], &opt.outputs).expect("evaluates");
    for (i, x) in xs.iter().enumerate() {
        let (w, g) = (want[0].get(i), got[0].get(i));
        let normal = |s: Scalar| matches!(s, Scalar::Float32(v) if v.is_normal());
        if normal(w) && normal(g) {
            assert!(ulps_apart(w, g) <= 1, "{x:e} / 3: {w} against {g}");
        }
    }
}

/// Horner against the exact program: within `(4d+1)·u·Σ|c_k|·|x|^k` (no relative
/// bound: near a root both forms cancel).
#[test]
fn horner_stays_within_its_absolute_bound() {
    let cases: [(&str, &[f64]); 3] = [
        ("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", &[-2.0, -1.5, 0.75, 0.25]),
        ("a**4 - 3*a**2 + 0.5*a + 7", &[7.0, 0.5, -3.0, 0.0, 1.0]),
        ("-0.1*a**5 + 2.5*a**3 - a", &[0.0, -1.0, 0.0, 2.5, 0.0, -0.1]),
    ];
    let xs: Vec<f64> = values_f64().into_iter().filter(|x| x.is_finite() && x.abs() < 1e50).collect();
    let input = Array::from_vec(xs.clone());
    for (src, coefs) in cases {
        let p = compile(src, &[("a", Float64)]);
        let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
        assert!(opt.report.iter().any(|r| r.rule == Rule::Horner), "{src}: {opt}");
        let want = crate::interp::eval(&p, &[&input], &[p.result]).expect("evaluates");
        let got = crate::interp::eval(&opt.program, &[&input], &opt.outputs).expect("evaluates");
        let d = (coefs.len() - 1) as f64;
        let u = f64::EPSILON / 2.0;
        let mut worst: f64 = 0.0;
        for (i, &x) in xs.iter().enumerate() {
            let (Scalar::Float64(w), Scalar::Float64(g)) = (want[0].get(i), got[0].get(i)) else {
                unreachable!("float64 results")
            };
            let scale: f64 = coefs.iter().enumerate().map(|(k, c)| c.abs() * x.abs().powi(k as i32)).sum();
            if !scale.is_finite() {
                continue;
            }
            let bound = (4.0 * d + 1.0) * u * scale;
            assert!((w - g).abs() <= bound, "{src} at {x:e}: exact {w:e}, horner {g:e}, bound {bound:e}");
            worst = worst.max((w - g).abs() / (u * scale));
        }
        assert!(worst > 0.0, "{src}: Horner form changed no bits: the test is not testing");
    }
}

/// A product with one use, added or subtracted, becomes one `fma`; the
/// subtracted operand (or a constant factor) is negated, which is exact.
#[test]
fn products_feeding_additions_contract_into_fma() {
    check_fast(
        "a*b + c",
        &[("a", Float64), ("b", Float64), ("c", Float64)],
        expect![[r#"
            inputs: a: float64, b: float64, c: float64
            %0 = input a : float64
            %1 = input b : float64
            %2 = input c : float64
            %3 = fma %0, %1, %2 : float64
            result = %3
            rewrites (node numbers of the input program):
              %4 = add %2, %3 -> fma %0, %1, %3 (fma, absolute bound) at 0..7
        "#]],
    );
    check_fast(
        "a*b - c",
        &[("a", Float32), ("b", Float32), ("c", Float32)],
        expect![[r#"
            inputs: a: float32, b: float32, c: float32
            %0 = input a : float32
            %1 = input b : float32
            %2 = input c : float32
            %3 = negative %2 : float32
            %4 = fma %0, %1, %3 : float32
            result = %4
            rewrites (node numbers of the input program):
              %4 = subtract %2, %3 -> fma %0, %1, t1 where t1 = negative %3 (fma, absolute bound) at 0..7
        "#]],
    );
    check_fast(
        "1 - 2*a + c - a*b",
        &[("a", Float64), ("b", Float64), ("c", Float64)],
        expect![[r#"
            inputs: a: float64, b: float64, c: float64
            %0 = input a : float64
            %1 = const 1.0 : float64
            %2 = input c : float64
            %3 = input b : float64
            %4 = const -2.0 : float64
            %5 = fma %4, %0, %1 : float64
            %6 = add %5, %2 : float64
            %7 = negative %0 : float64
            %8 = fma %7, %3, %6 : float64
            result = %8
            rewrites (node numbers of the input program):
              %9 = subtract %6, %8 -> fma t1, %7, t3 where t1 = negative %0, t2 = fma -2.0, %0, 1.0, t3 = add t2, %5 (fma, absolute bound) at 0..17
        "#]],
    );
    check_fast(
        "sqrt(a**2 + b**2 + c**2)",
        &[("a", Float64), ("b", Float64), ("c", Float64)],
        expect![[r#"
            inputs: a: float64, b: float64, c: float64
            %0 = input a : float64
            %1 = input b : float64
            %2 = multiply %1, %1 : float64
            %3 = input c : float64
            %4 = fma %0, %0, %2 : float64
            %5 = fma %3, %3, %4 : float64
            %6 = sqrt %5 : float64
            result = %6
            rewrites (node numbers of the input program):
              %7 = add %4, %6 -> fma %5, %5, t1 where t1 = fma %0, %0, %3 (fma, absolute bound) at 5..23
        "#]],
    );
}

/// A product the program uses again (by name, or as a requested output) keeps
/// its rounding; integers, exact mode and products of other widths never contract.
#[test]
fn contraction_leaves_reused_products_integers_and_exact_mode() {
    let sig = [("a", Float64), ("b", Float64), ("c", Float64)];
    let fmas = |p: &Program, outputs: &[NodeId], config: &OptConfig| {
        let opt = optimize_with(p, outputs, config);
        opt.program.nodes.iter().filter(|n| matches!(n.inst, Inst::Op(Op::Call(Func::Fma, _)))).count()
    };
    let p = compile("p = a*b; q = p + c; q * p", &sig);
    assert_eq!(fmas(&p, &[p.result], &OptConfig::fast()), 0);
    let p = compile("p = a*b; p + c", &sig);
    let (prod, result) = (p.output(Some("p")).expect("p"), p.result);
    assert_eq!(fmas(&p, &[result], &OptConfig::fast()), 1);
    assert_eq!(fmas(&p, &[prod, result], &OptConfig::fast()), 0);
    let p = compile("a*b + c", &sig);
    assert_eq!(fmas(&p, &[p.result], &OptConfig::default()), 0);
    let p = compile("a*b + c", &[("a", Int64), ("b", Int64), ("c", Int64)]);
    assert_eq!(fmas(&p, &[p.result], &OptConfig::fast()), 0);
    // float32 product, float64 sum: the cast is between them.
    let p = compile("a*b + c", &[("a", Float32), ("b", Float32), ("c", Float64)]);
    assert_eq!(fmas(&p, &[p.result], &OptConfig::fast()), 0);
}

/// `fma(a, b, ±c)` against the exact program's `a*b ± c`: with `s` the real
/// `a*b + c`, within `(1+u)·u·|a*b| + 2u·|s|` (module docs); the relative
/// difference is unbounded under cancellation, and shows up here.
#[test]
fn contraction_stays_within_its_absolute_bound() {
    fn check<T: crate::array::Element>(src: &str, dtype: DType, xs: Vec<T>, u: f64, tiny: f64) {
        let n = xs.len();
        let rot = |k: usize| -> Vec<T> { xs.iter().cycle().skip(k).take(n).copied().collect() };
        let (a, b, c) = (Array::from_vec(rot(0)), Array::from_vec(rot(n / 3)), Array::from_vec(rot(2 * n / 3)));
        let p = compile(src, &[("a", dtype), ("b", dtype), ("c", dtype)]);
        let opt = optimize_with(&p, &[p.result], &OptConfig::fast());
        assert!(opt.report.iter().any(|r| r.rule == Rule::Fma), "{src}: {opt}");
        let inputs = [&a, &b, &c];
        let want = crate::interp::eval(&p, &inputs, &[p.result]).expect("evaluates");
        let got = crate::interp::eval(&opt.program, &inputs, &opt.outputs).expect("evaluates");
        let (mut differ, mut cancelled) = (0, 0);
        for i in 0..n {
            let f = |s: Scalar| match s {
                Scalar::Float64(v) => v,
                Scalar::Float32(v) => v.into(),
                _ => unreachable!("float results"),
            };
            let (x, y) = (f(a.get(i)), f(b.get(i)));
            let (w, g) = (f(want[0].get(i)), f(got[0].get(i)));
            let product = x * y; // exact in f64 for float32 operands; else RN(ab)
            if !(w.is_finite() && g.is_finite() && product.is_finite()) {
                continue; // the bound is for finite values
            }
            let bound = ((1.0 + u) * u * product.abs() + 2.0 * u * g.abs() / (1.0 - u)) * (1.0 + 4.0 * u) + tiny;
            assert!((w - g).abs() <= bound, "{src}: a={x:e} b={y:e}: exact {w:e}, fma {g:e}, bound {bound:e}");
            differ += usize::from(w != g);
            cancelled += usize::from(w != g && (w - g).abs() > u * g.abs() * 4.0);
        }
        assert!(differ > 0, "{src} on {dtype}: contraction changed no bits: the test is not testing");
        assert!(cancelled > 0, "{src} on {dtype}: no cancellation seen");
    }
    let u64_ = f64::EPSILON / 2.0;
    let u32_ = f64::from(f32::EPSILON) / 2.0;
    let sane64: Vec<f64> = values_f64().into_iter().filter(|x| x.is_nan() || x.abs() < 1e150).collect();
    let sane32: Vec<f32> = values_f32().into_iter().filter(|x| x.is_nan() || x.abs() < 1e18).collect();
    for src in ["a*b + c", "a*b - c", "c - a*b"] {
        check(src, Float64, sane64.clone(), u64_, 2.0 * f64::from_bits(1));
        check(src, Float32, sane32.clone(), u32_, 2.0 * f64::from(f32::from_bits(1)));
    }
}
