//! `--math fast`: golden dumps of each rewrite, and each rewrite class against the
//! exact program on a million values, within the bound `opt/fast.rs` states.

use super::exactness::{values_f32, values_f64};
use super::*;

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
            %3 = multiply %1, %0 : float64
            %4 = add %3, %2 : float64
            %5 = multiply %4, %0 : float64
            %6 = const -1.5 : float64
            %7 = add %5, %6 : float64
            %8 = multiply %7, %0 : float64
            %9 = const -2.0 : float64
            %10 = add %8, %9 : float64
            result = %10
            rewrites (node numbers of the input program):
              %2 = power %0, 3.0 -> multiply %0, t1 where t1 = multiply %0, %0 (power, <=3 ulp) at 5..9
              %5 = multiply %0, %0 -> multiply %0, %0 (cse, exact) at 17..21
              %13 = subtract %11, 2.0 -> add t5, -2.0 where t1 = multiply 0.25, %0, t2 = add t1, 0.75, t3 = multiply t2, %0, t4 = add t3, -1.5, t5 = multiply t4, %0 (horner, absolute bound) at 0..33
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
            %4 = multiply %2, %1 : float32
            %5 = const -1.0 : float32
            %6 = add %4, %5 : float32
            %7 = multiply %6, %1 : float32
            %8 = add %7, %3 : float32
            result = %8
            rewrites (node numbers of the input program):
              %3 = power %1, 4.0 -> multiply t1, t1 where t1 = multiply %1, %1 (power, <=4 ulp) at 0..9
              %4 = sin %0 -> %1 (cse, exact) at 12..18
              %7 = add %5, 3.0 -> add t4, 3.0 where t1 = multiply %1, %1, t2 = multiply t1, %1, t3 = add t2, -1.0, t4 = multiply t3, %1 (horner, absolute bound) at 0..22
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
            %2 = multiply %0, %1 : float64
            %3 = const 0.25 : float64
            %4 = multiply %0, %3 : float64
            %5 = add %2, %4 : float64
            %6 = const 1e-310 : float64
            %7 = divide %0, %6 : float64
            %8 = add %5, %7 : float64
            result = %8
            rewrites (node numbers of the input program):
              %2 = divide %0, 3.0 -> multiply %0, 0.3333333333333333 (reciprocal, <=1 ulp) at 0..5
              %4 = divide %0, 4.0 -> multiply %0, 0.25 (reciprocal, exact) at 8..13
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
