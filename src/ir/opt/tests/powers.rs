//! Golden dumps of every power rewrite, in each configuration.

use super::*;

#[test]
fn strong_constant_exponents_keep_pow_only_where_rewrites_differ() {
    check(
        "p2 = a**float32(2); p1 = a**float32(1); p0 = a**float32(0); h = a**float32(0.5); r = a**float32(-1); p2 + p1 + p0 + h + r",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 2 : int64
            %2 = cast %1 : float32
            %3 = power %0, %2 : float32
            %4 = const 1 : int64
            %5 = cast %4 : float32
            %6 = power %0, %5 : float32
            %7 = const 0 : int64
            %8 = cast %7 : float32
            %9 = power %0, %8 : float32
            %10 = const 0.5 : float64
            %11 = cast %10 : float32
            %12 = power %0, %11 : float32
            %13 = const -1 : int64
            %14 = cast %13 : float32
            %15 = power %0, %14 : float32
            %16 = add %3, %6 : float32
            %17 = add %16, %9 : float32
            %18 = add %17, %12 : float32
            %19 = add %18, %15 : float32
            result = %19
            p2 = %3
            p1 = %6
            p0 = %9
            h = %12
            r = %15
            --- optimized (outputs %10):
            inputs: a: float32
            %0 = input a : float32
            %1 = multiply %0, %0 : float32
            %2 = const 1.0 : float32
            %3 = ones_like %0 : float32
            %4 = const 0.5 : float32
            %5 = power %0, %4 : float32
            %6 = divide %2, %0 : float32
            %7 = add %1, %0 : float32
            %8 = add %7, %3 : float32
            %9 = add %8, %5 : float32
            %10 = add %9, %6 : float32
            result = %10
            p2 = %1
            p1 = %0
            p0 = %3
            h = %5
            r = %6
            rewrites (node numbers of the input program):
              %2 = cast 2 to float32 -> const 2.0 (fold, exact) at 8..18
              %3 = power %0, 2.0 -> multiply %0, %0 (power, exact) at 5..18
              %5 = cast 1 to float32 -> const 1.0 (fold, exact) at 28..38
              %6 = power %0, 1.0 -> %0 (power, exact) at 25..38
              %8 = cast 0 to float32 -> const 0.0 (fold, exact) at 48..58
              %9 = power %0, 0.0 -> ones_like %0 (power, exact) at 45..58
              %11 = cast 0.5 to float32 -> const 0.5 (fold, exact) at 67..79
              %14 = cast -1 to float32 -> const -1.0 (fold, exact) at 88..99
              %15 = power %0, -1.0 -> divide 1.0, %0 (power, exact) at 85..99
        "#]],
    );
}

#[test]
fn exact_configuration_keeps_powers_that_are_not_bit_identical() {
    check_with(
        "a**float64(2) + a**float64(1) + a**float64(0) + a**float64(0.5) + a**float64(-1)",
        &[("a", Float64)],
        &[None],
        PowRewrites::Exact,
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const 2 : int64
            %2 = cast %1 : float64
            %3 = power %0, %2 : float64
            %4 = const 1 : int64
            %5 = cast %4 : float64
            %6 = power %0, %5 : float64
            %7 = add %3, %6 : float64
            %8 = const 0 : int64
            %9 = cast %8 : float64
            %10 = power %0, %9 : float64
            %11 = add %7, %10 : float64
            %12 = const 0.5 : float64
            %13 = power %0, %12 : float64
            %14 = add %11, %13 : float64
            %15 = const -1 : int64
            %16 = cast %15 : float64
            %17 = power %0, %16 : float64
            %18 = add %14, %17 : float64
            result = %18
            --- optimized (outputs %10):
            inputs: a: float64
            %0 = input a : float64
            %1 = multiply %0, %0 : float64
            %2 = const 1.0 : float64
            %3 = add %1, %0 : float64
            %4 = ones_like %0 : float64
            %5 = add %3, %4 : float64
            %6 = const 0.5 : float64
            %7 = power %0, %6 : float64
            %8 = add %5, %7 : float64
            %9 = divide %2, %0 : float64
            %10 = add %8, %9 : float64
            result = %10
            rewrites (node numbers of the input program):
              %2 = cast 2 to float64 -> const 2.0 (fold, exact) at 3..13
              %3 = power %0, 2.0 -> multiply %0, %0 (power, exact) at 0..13
              %5 = cast 1 to float64 -> const 1.0 (fold, exact) at 19..29
              %6 = power %0, 1.0 -> %0 (power, exact) at 16..29
              %9 = cast 0 to float64 -> const 0.0 (fold, exact) at 35..45
              %10 = power %0, 0.0 -> ones_like %0 (power, exact) at 32..45
              %16 = cast -1 to float64 -> const -1.0 (fold, exact) at 69..80
              %17 = power %0, -1.0 -> divide 1.0, %0 (power, exact) at 66..80
        "#]],
    );
}

#[test]
fn chains_share_their_squares() {
    check_with(
        "a**2 + a**3 + a**4 + a**7",
        &[("a", Float64)],
        &[None],
        PowRewrites::Chains,
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = multiply %0, %0 : float64
            %2 = const 3.0 : float64
            %3 = power %0, %2 : float64
            %4 = add %1, %3 : float64
            %5 = const 4.0 : float64
            %6 = power %0, %5 : float64
            %7 = add %4, %6 : float64
            %8 = const 7.0 : float64
            %9 = power %0, %8 : float64
            %10 = add %7, %9 : float64
            result = %10
            --- optimized (outputs %7):
            inputs: a: float64
            %0 = input a : float64
            %1 = multiply %0, %0 : float64
            %2 = multiply %0, %1 : float64
            %3 = add %1, %2 : float64
            %4 = multiply %1, %1 : float64
            %5 = add %3, %4 : float64
            %6 = multiply %2, %4 : float64
            %7 = add %5, %6 : float64
            result = %7
            rewrites (node numbers of the input program):
              %3 = power %0, 3.0 -> multiply %0, %1 (power, <=3 ulp) at 7..11
              %6 = power %0, 4.0 -> multiply %1, %1 (power, <=4 ulp) at 14..18
              %9 = power %0, 7.0 -> multiply %3, %6 (power, <=7 ulp) at 21..25
        "#]],
    );
}

/// `x**-n` divides once, `1/x**n`, sharing the chain of `x**n`.
#[test]
fn negative_chains_divide_once() {
    check_with(
        "a**-2 + a**-5 + a**-1",
        &[("a", Float64)],
        &[None],
        PowRewrites::Chains,
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const -2.0 : float64
            %2 = power %0, %1 : float64
            %3 = const -5.0 : float64
            %4 = power %0, %3 : float64
            %5 = add %2, %4 : float64
            %6 = const 1.0 : float64
            %7 = divide %6, %0 : float64
            %8 = add %5, %7 : float64
            result = %8
            --- optimized (outputs %9):
            inputs: a: float64
            %0 = input a : float64
            %1 = multiply %0, %0 : float64
            %2 = const 1.0 : float64
            %3 = divide %2, %1 : float64
            %4 = multiply %1, %1 : float64
            %5 = multiply %0, %4 : float64
            %6 = divide %2, %5 : float64
            %7 = add %3, %6 : float64
            %8 = divide %2, %0 : float64
            %9 = add %7, %8 : float64
            result = %9
            rewrites (node numbers of the input program):
              %2 = power %0, -2.0 -> divide 1.0, t1 where t1 = multiply %0, %0 (power, <=3 ulp) at 0..5
              %4 = power %0, -5.0 -> divide 1.0, t3 where t1 = multiply %0, %0, t2 = multiply t1, t1, t3 = multiply %0, t2 (power, <=6 ulp) at 8..13
        "#]],
    );
}

#[test]
fn non_integral_and_large_exponents_stay_powers() {
    check_with(
        "a**2.5 + a**9 + a**-9 + a**-0.5 + a**nan + a**inf",
        &[("a", Float64)],
        &[None],
        PowRewrites::Chains,
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const 2.5 : float64
            %2 = power %0, %1 : float64
            %3 = const 9.0 : float64
            %4 = power %0, %3 : float64
            %5 = add %2, %4 : float64
            %6 = const -9.0 : float64
            %7 = power %0, %6 : float64
            %8 = add %5, %7 : float64
            %9 = const -0.5 : float64
            %10 = power %0, %9 : float64
            %11 = add %8, %10 : float64
            %12 = const nan : float64
            %13 = power %0, %12 : float64
            %14 = add %11, %13 : float64
            %15 = const inf : float64
            %16 = power %0, %15 : float64
            %17 = add %14, %16 : float64
            result = %17
            --- optimized (outputs %17):
            inputs: a: float64
            %0 = input a : float64
            %1 = const 2.5 : float64
            %2 = power %0, %1 : float64
            %3 = const 9.0 : float64
            %4 = power %0, %3 : float64
            %5 = add %2, %4 : float64
            %6 = const -9.0 : float64
            %7 = power %0, %6 : float64
            %8 = add %5, %7 : float64
            %9 = const -0.5 : float64
            %10 = power %0, %9 : float64
            %11 = add %8, %10 : float64
            %12 = const nan : float64
            %13 = power %0, %12 : float64
            %14 = add %11, %13 : float64
            %15 = const inf : float64
            %16 = power %0, %15 : float64
            %17 = add %14, %16 : float64
            result = %17
            rewrites: (none)
        "#]],
    );
}

#[test]
fn integer_powers_become_exact_wrapping_products() {
    check_with(
        "i**0 + i**1 + i**2 + i**3 + i**8 + i**9 + i**int64(-1)",
        &[("i", Int64)],
        &[None],
        PowRewrites::Exact,
        expect![[r#"
            inputs: i: int64
            %0 = input i : int64
            %1 = const 0 : int64
            %2 = power %0, %1 : int64
            %3 = const 1 : int64
            %4 = power %0, %3 : int64
            %5 = add %2, %4 : int64
            %6 = const 2 : int64
            %7 = power %0, %6 : int64
            %8 = add %5, %7 : int64
            %9 = const 3 : int64
            %10 = power %0, %9 : int64
            %11 = add %8, %10 : int64
            %12 = const 8 : int64
            %13 = power %0, %12 : int64
            %14 = add %11, %13 : int64
            %15 = const 9 : int64
            %16 = power %0, %15 : int64
            %17 = add %14, %16 : int64
            %18 = const -1 : int64
            %19 = power %0, %18 : int64
            %20 = add %17, %19 : int64
            result = %20
            --- optimized (outputs %15):
            inputs: i: int64
            %0 = input i : int64
            %1 = ones_like %0 : int64
            %2 = add %1, %0 : int64
            %3 = multiply %0, %0 : int64
            %4 = add %2, %3 : int64
            %5 = multiply %0, %3 : int64
            %6 = add %4, %5 : int64
            %7 = multiply %3, %3 : int64
            %8 = multiply %7, %7 : int64
            %9 = add %6, %8 : int64
            %10 = const 9 : int64
            %11 = power %0, %10 : int64
            %12 = add %9, %11 : int64
            %13 = const -1 : int64
            %14 = power %0, %13 : int64
            %15 = add %12, %14 : int64
            result = %15
            rewrites (node numbers of the input program):
              %2 = power %0, 0 -> ones_like %0 (power, exact) at 0..4
              %4 = power %0, 1 -> %0 (power, exact) at 7..11
              %7 = power %0, 2 -> multiply %0, %0 (power, exact) at 14..18
              %10 = power %0, 3 -> multiply %0, %7 (power, exact) at 21..25
              %13 = power %0, 8 -> multiply t1, t1 where t1 = multiply %7, %7 (power, exact) at 28..32
        "#]],
    );
}

/// The report lines of `a ** e` for each exponent, with chains allowed.
#[test]
fn every_power_rewrite() {
    let mut lines = String::new();
    for (dtype, exps) in [
        (
            Float64,
            &["1", "0", "-0.0", "2", "0.5", "-1", "3", "4", "5", "6", "7", "8", "-2", "-3", "-8", "2.5", "9"][..],
        ),
        (Float32, &["2", "0.5", "-1", "3"][..]),
        (Int32, &["0", "1", "2", "5", "8", "9"][..]),
    ] {
        for e in exps {
            // Strong exponents: lowering itself turns a literal `0.5` into `sqrt`.
            let p = compile(&format!("a**{dtype}({e})"), &[("a", dtype)]);
            assert_agrees(e, &p, &[p.result]);
            let opt = optimize_with(&p, &[p.result], &OptConfig { pow: PowRewrites::Chains, ..OptConfig::default() });
            let report: Vec<String> = opt
                .report
                .iter()
                .filter(|r| r.rule != Rule::Fold)
                .map(|r| format!("{} -> {} ({})", r.before, r.after, r.rule))
                .collect();
            lines +=
                &format!("{dtype} a**{e}: {}\n", if report.is_empty() { "-".to_string() } else { report.join("; ") });
        }
    }
    expect![[r#"
        float64 a**1: power %0, 1.0 -> %0 (power, exact)
        float64 a**0: power %0, 0.0 -> ones_like %0 (power, exact)
        float64 a**-0.0: power %0, -0.0 -> ones_like %0 (power, exact)
        float64 a**2: power %0, 2.0 -> multiply %0, %0 (power, exact)
        float64 a**0.5: power %0, 0.5 -> sqrt %0 (power, numpy)
        float64 a**-1: power %0, -1.0 -> divide 1.0, %0 (power, exact)
        float64 a**3: power %0, 3.0 -> multiply %0, t1 where t1 = multiply %0, %0 (power, <=3 ulp)
        float64 a**4: power %0, 4.0 -> multiply t1, t1 where t1 = multiply %0, %0 (power, <=4 ulp)
        float64 a**5: power %0, 5.0 -> multiply %0, t2 where t1 = multiply %0, %0, t2 = multiply t1, t1 (power, <=5 ulp)
        float64 a**6: power %0, 6.0 -> multiply t1, t2 where t1 = multiply %0, %0, t2 = multiply t1, t1 (power, <=6 ulp)
        float64 a**7: power %0, 7.0 -> multiply t2, t3 where t1 = multiply %0, %0, t2 = multiply %0, t1, t3 = multiply t1, t1 (power, <=7 ulp)
        float64 a**8: power %0, 8.0 -> multiply t2, t2 where t1 = multiply %0, %0, t2 = multiply t1, t1 (power, <=8 ulp)
        float64 a**-2: power %0, -2.0 -> divide 1.0, t1 where t1 = multiply %0, %0 (power, <=3 ulp)
        float64 a**-3: power %0, -3.0 -> divide 1.0, t2 where t1 = multiply %0, %0, t2 = multiply %0, t1 (power, <=4 ulp)
        float64 a**-8: power %0, -8.0 -> divide 1.0, t3 where t1 = multiply %0, %0, t2 = multiply t1, t1, t3 = multiply t2, t2 (power, <=9 ulp)
        float64 a**2.5: -
        float64 a**9: -
        float32 a**2: power %0, 2.0 -> multiply %0, %0 (power, exact)
        float32 a**0.5: power %0, 0.5 -> sqrt %0 (power, numpy)
        float32 a**-1: power %0, -1.0 -> divide 1.0, %0 (power, exact)
        float32 a**3: power %0, 3.0 -> multiply %0, t1 where t1 = multiply %0, %0 (power, <=3 ulp)
        int32 a**0: power %0, 0 -> ones_like %0 (power, exact)
        int32 a**1: power %0, 1 -> %0 (power, exact)
        int32 a**2: power %0, 2 -> multiply %0, %0 (power, exact)
        int32 a**5: power %0, 5 -> multiply %0, t2 where t1 = multiply %0, %0, t2 = multiply t1, t1 (power, exact)
        int32 a**8: power %0, 8 -> multiply t2, t2 where t1 = multiply %0, %0, t2 = multiply t1, t1 (power, exact)
        int32 a**9: -
    "#]].assert_eq(&lines);
}
