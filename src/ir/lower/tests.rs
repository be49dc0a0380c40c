//! Golden tests of lowering: the IR dump, or the rendered error.

use super::*;
use crate::types::DType::{self, *};
use expect_test::{expect, Expect};

fn lower_src(src: &str, sig: &[(&str, DType)]) -> Result<Program> {
    let ast = crate::syntax::parse(src)?;
    let sig: Vec<(String, DType)> = sig.iter().map(|(n, d)| (n.to_string(), *d)).collect();
    let program = lower(&ast, &sig)?;
    program.validate();
    Ok(program)
}

fn check(src: &str, sig: &[(&str, DType)], expect: Expect) {
    let actual = match lower_src(src, sig) {
        Ok(program) => program.to_string(),
        Err(err) => err.render(src),
    };
    expect.assert_eq(&actual);
}

/// Inputs named after their dtypes, for tables.
const ALL: [(&str, DType); 5] = [("b", Bool), ("i32", Int32), ("i64", Int64), ("f32", Float32), ("f64", Float64)];

/// The result dtype, or `error`.
fn result_dtype(src: &str) -> String {
    match lower_src(src, &ALL) {
        Ok(p) => p.node(p.result).dtype.to_string(),
        Err(_) => "error".to_string(),
    }
}

/// Result dtypes checked against NumPy 2.4 (`np.result_type` of the same
/// expression on arrays `b i32 i64 f32 f64`, functions from `np`, casts as
/// `astype`). Where NumPy gives int8 or float16, which jitexpr lacks, the table
/// says `error` (a project decision); other deliberate differences are marked.
#[test]
fn result_dtypes_match_numpy() {
    let table = [
        // NEP 50: weak literals take the array's dtype when their kind allows.
        ("f32 * 2.5", "float32"),
        ("i32 + 1", "int32"),
        ("i32 + 2.5", "float64"),
        ("i32 + 3000000000", "error"),
        ("i32 < 3000000000", "bool"),
        ("i64 < 2**70", "bool"),
        ("b + 1", "int64"),
        ("b + True", "bool"),
        ("f32 * (1/3)", "float32"),
        ("f32 + pi", "float32"),
        ("f32 + 2**100", "float32"),
        ("i32 + (2 < 3)", "int32"),
        // Strong promotion.
        ("i32 + i64", "int64"),
        ("i32 + f32", "float64"),
        ("i64 + f32", "float64"),
        ("f32 + f64", "float64"),
        ("b * b", "bool"),
        ("b - b", "error"),
        ("b // b", "error"),
        ("b - 1", "int64"),
        // NumPy's `b**2` gives int8 through its square fast path; we follow np.power(b, 2).
        ("b ** 2", "int64"),
        ("b ** 3", "int64"),
        ("b ** -1", "error"),
        ("i32 / 2", "float64"),
        ("f32 / 2", "float32"),
        // NumPy converts a Python int to the dtype of the loop, so only the last fails.
        ("i32 / 3000000000", "float64"),
        ("arctan2(i32, 3000000000)", "float64"),
        ("i32 % 3000000000", "error"),
        ("b + 2**70", "error"),
        ("i32 // 2", "int32"),
        ("i32 % 2.5", "float64"),
        ("i32 ** 2", "int32"),
        ("i32 ** 0.5", "float64"),
        ("i32 ** -1", "error"),
        ("f32 ** -1", "float32"),
        ("i32 << 40", "int32"),
        ("b << 1", "int64"),
        ("b >> b", "error"),
        ("i32 & 1.5", "error"),
        ("f32 == 0.1", "bool"),
        // Unary.
        ("-b", "error"),
        ("+b", "error"),
        ("~b", "bool"),
        ("~f32", "error"),
        // Math functions: ints to float64, float32 stays, bool would be float16.
        ("sqrt(2)", "float64"),
        ("sqrt(i32)", "float64"),
        ("sqrt(f32)", "float32"),
        ("sqrt(b)", "error"),
        ("rint(i32)", "float64"),
        ("rint(b)", "error"),
        ("arctan2(i32, f32)", "float64"),
        ("arctan2(b, b)", "error"),
        ("arctan2(b, 1)", "float64"),
        ("hypot(f32, 2)", "float32"),
        ("copysign(i32, 1)", "float64"),
        ("nextafter(f32, 1)", "float32"),
        // Dtype-keeping functions.
        ("floor(i32)", "int32"),
        ("floor(b)", "bool"),
        ("trunc(i32)", "int32"),
        ("round(i32)", "int32"),
        ("round(b)", "error"),
        ("square(i32)", "int32"),
        ("square(b)", "error"),
        ("sign(i32)", "int32"),
        ("sign(b)", "error"),
        ("fmod(b, b)", "error"),
        ("fmod(i32, 2.5)", "float64"),
        ("abs(b)", "bool"),
        ("abs(-2)", "int64"),
        ("conj(b)", "error"),
        ("real(b)", "bool"),
        ("minimum(f32, 2.5)", "float32"),
        ("minimum(b, b)", "bool"),
        ("minimum(b, 1)", "int64"),
        ("minimum(i32, 3000000000)", "error"),
        ("maximum(2, 2.5)", "float64"),
        ("clip(i32, 0, 1.5)", "float64"),
        ("clip(b, 0, 1)", "int64"),
        ("clip(b, False, True)", "bool"),
        // NumPy 2.4 clips an out-of-range Python int bound to the dtype; we refuse it.
        ("clip(i32, 0, 3000000000)", "error"),
        // Predicates.
        ("isnan(b)", "bool"),
        ("isnan(i32)", "bool"),
        ("signbit(i32)", "bool"),
        ("isfinite(2)", "bool"),
        // where: the condition becomes bool, x and y promote NEP 50 style.
        ("where(b, i32, 0)", "int32"),
        ("where(b, 0, 1.5)", "float64"),
        ("where(b, f32, 2.5)", "float32"),
        ("where(b, b, 1)", "int64"),
        ("where(b, b, True)", "bool"),
        ("where(1, i32, f32)", "float64"),
        // NumPy 2.4 wraps 3000000000 to int32 here (np.where casts unsafely); we refuse it.
        ("where(b, i32, 3000000000)", "error"),
        // Casts.
        ("float32(i32)", "float32"),
        ("int32(2.5)", "int32"),
        ("bool(f64)", "bool"),
        // Reductions: NumPy's accumulator dtypes.
        ("sum(i32)", "int64"),
        ("sum(b)", "int64"),
        ("sum(f32, axis=-1)", "float32"),
        ("prod(b)", "int64"),
        ("mean(i32)", "float64"),
        ("mean(b)", "float64"),
        ("mean(f32)", "float32"),
        ("min(b)", "bool"),
        ("max(i32, axis=-1)", "int32"),
        ("any(f32)", "bool"),
        ("sum(2)", "int64"),
        ("sum(2.5)", "float64"),
    ];
    let mut wrong = Vec::new();
    for (src, want) in table {
        let got = result_dtype(src);
        if got != want {
            wrong.push(format!("{src}: jitexpr {got}, numpy {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ---- NEP 50 ----

#[test]
fn weak_float_stays_float32() {
    check(
        "a * 2.5",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 2.5 : float32
            %2 = multiply %0, %1 : float32
            result = %2
        "#]],
    );
}

#[test]
fn weak_int_stays_int32() {
    check(
        "a + 1",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = const 1 : int32
            %2 = add %0, %1 : int32
            result = %2
        "#]],
    );
}

#[test]
fn weak_float_with_int32_goes_to_float64() {
    check(
        "a + 2.5",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = cast %0 : float64
            %2 = const 2.5 : float64
            %3 = add %1, %2 : float64
            result = %3
        "#]],
    );
}

#[test]
fn int_literal_out_of_bounds_is_an_error() {
    check(
        "a + 3000000000",
        &[("a", Int32)],
        expect![[r#"
            error: Python integer 3000000000 out of bounds for int32
              |
            1 | a + 3000000000
              |     ^^^^^^^^^^
        "#]],
    );
}

#[test]
fn int_literal_out_of_bounds_in_weak_arithmetic_points_at_the_subtree() {
    check(
        "a * (2**40 + 1)",
        &[("a", Int32)],
        expect![[r#"
            error: Python integer 1099511627777 out of bounds for int32
              |
            1 | a * (2**40 + 1)
              |     ^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn comparison_with_out_of_bounds_int_compares_in_int64() {
    check(
        "a < 3000000000",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = cast %0 : int64
            %2 = const 3000000000 : int64
            %3 = less %1, %2 : bool
            result = %3
        "#]],
    );
}

#[test]
fn comparison_beyond_int64_compares_with_the_bound() {
    // Exact, as NumPy 2: `a == 2**70` is False for every int64, `a < 2**70` True.
    check(
        "a == 2**70",
        &[("a", Int64)],
        expect![[r#"
            inputs: a: int64
            %0 = input a : int64
            %1 = const 9223372036854775807 : int64
            %2 = greater %0, %1 : bool
            result = %2
        "#]],
    );
}

#[test]
fn comparison_with_literal_on_the_left_beyond_int64() {
    check(
        "-2**70 < a",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = cast %0 : int64
            %2 = const -9223372036854775808 : int64
            %3 = greater_equal %1, %2 : bool
            result = %3
        "#]],
    );
}

#[test]
fn pow_fast_path_literals_follow_numpy() {
    check(
        "a ** 0.5 + a ** 2 + a ** -1 + a ** 0 + a ** 1 + a ** 3",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = sqrt %0 : float32
            %2 = multiply %0, %0 : float32
            %3 = add %1, %2 : float32
            %4 = const 1.0 : float32
            %5 = divide %4, %0 : float32
            %6 = add %3, %5 : float32
            %7 = ones_like %0 : float32
            %8 = add %6, %7 : float32
            %9 = add %8, %0 : float32
            %10 = const 3.0 : float32
            %11 = power %0, %10 : float32
            %12 = add %9, %11 : float32
            result = %12
        "#]],
    );
}

#[test]
fn bool_plus_int_literal_is_int64() {
    check(
        "b + 1",
        &[("b", Bool)],
        expect![[r#"
            inputs: b: bool
            %0 = input b : bool
            %1 = cast %0 : int64
            %2 = const 1 : int64
            %3 = add %1, %2 : int64
            result = %3
        "#]],
    );
}

#[test]
fn weak_only_program_materializes_as_int64() {
    check(
        "2 + 3",
        &[],
        expect![[r#"
            inputs: (none)
            %0 = const 5 : int64
            result = %0
        "#]],
    );
}

#[test]
fn weak_subtree_is_evaluated_as_python_float() {
    check(
        "a * (1/3)",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 0.33333334 : float32
            %2 = multiply %0, %1 : float32
            result = %2
        "#]],
    );
}

#[test]
fn constants_are_weak_floats() {
    check(
        "a + pi; ",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 3.1415927 : float32
            %2 = add %0, %1 : float32
            result = %2
        "#]],
    );
    check(
        "where(a > 0, inf, -inf) + e",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 0.0 : float32
            %2 = greater %0, %1 : bool
            %3 = const inf : float64
            %4 = const -inf : float64
            %5 = where %2, %3, %4 : float64
            %6 = const 2.718281828459045 : float64
            %7 = add %5, %6 : float64
            result = %7
        "#]],
    );
}

#[test]
fn weak_comparison_is_a_strong_bool() {
    check(
        "a + (2 < 3)",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = const True : bool
            %2 = cast %1 : int32
            %3 = add %0, %2 : int32
            result = %3
        "#]],
    );
}

#[test]
fn true_plus_one_is_int64() {
    check(
        "True + 1",
        &[],
        expect![[r#"
            inputs: (none)
            %0 = const True : bool
            %1 = cast %0 : int64
            %2 = const 1 : int64
            %3 = add %1, %2 : int64
            result = %3
        "#]],
    );
}

#[test]
fn int64_min_literal_fits() {
    check(
        "a + -9223372036854775808",
        &[("a", Int64)],
        expect![[r#"
            inputs: a: int64
            %0 = input a : int64
            %1 = const -9223372036854775808 : int64
            %2 = add %0, %1 : int64
            result = %2
        "#]],
    );
}

#[test]
fn python_semantics_of_weak_arithmetic() {
    check(
        "x = 7 // -2; y = -7 % 3; z = 2 ** -1; w = 2 ** 10; v = ~5 << 2",
        &[],
        expect![[r#"
            inputs: (none)
            %0 = const -4 : int64
            %1 = const 2 : int64
            %2 = const 0.5 : float64
            %3 = const 1024 : int64
            %4 = const -24 : int64
            result = %4
            x = %0
            y = %1
            z = %2
            w = %3
            v = %4
        "#]],
    );
}

// ---- binary rules on bool / int / float ----

#[test]
fn every_binary_operator_on_bool_int_float() {
    let mut out = String::new();
    for op in BinaryOp::ALL {
        let sym = op.symbol();
        let row: Vec<String> = ["b", "i", "f"]
            .iter()
            .map(|x| {
                let src = format!("{x} {sym} {x}");
                match lower_src(&src, &[("b", Bool), ("i", Int32), ("f", Float64)]) {
                    Ok(p) => {
                        let (Inst::Op(Op::Binary(_, a, _)), dtype) = (&p.node(p.result).inst, p.node(p.result).dtype)
                        else {
                            panic!("{src} is not a binary node")
                        };
                        format!("{} -> {dtype}", p.node(*a).dtype)
                    }
                    Err(e) => format!("error ({})", e.kind.as_str()),
                }
            })
            .collect();
        out.push_str(&format!("{sym:>2}  {}\n", row.join(" | ")));
    }
    expect![[r#"
         <  bool -> bool | int32 -> bool | float64 -> bool
        <=  bool -> bool | int32 -> bool | float64 -> bool
         >  bool -> bool | int32 -> bool | float64 -> bool
        >=  bool -> bool | int32 -> bool | float64 -> bool
        ==  bool -> bool | int32 -> bool | float64 -> bool
        !=  bool -> bool | int32 -> bool | float64 -> bool
         |  bool -> bool | int32 -> int32 | error (type)
         ^  bool -> bool | int32 -> int32 | error (type)
         &  bool -> bool | int32 -> int32 | error (type)
        <<  error (type) | int32 -> int32 | error (type)
        >>  error (type) | int32 -> int32 | error (type)
         +  bool -> bool | int32 -> int32 | float64 -> float64
         -  error (type) | int32 -> int32 | float64 -> float64
         *  bool -> bool | int32 -> int32 | float64 -> float64
         /  float64 -> float64 | float64 -> float64 | float64 -> float64
        //  error (type) | int32 -> int32 | float64 -> float64
         %  error (type) | int32 -> int32 | float64 -> float64
        **  error (type) | int32 -> int32 | float64 -> float64
    "#]]
    .assert_eq(&out);
}

#[test]
fn true_division_of_ints_casts_both_operands() {
    check(
        "a / b",
        &[("a", Int32), ("b", Int64)],
        expect![[r#"
            inputs: a: int32, b: int64
            %0 = input a : int32
            %1 = input b : int64
            %2 = cast %0 : float64
            %3 = cast %1 : float64
            %4 = divide %2, %3 : float64
            result = %4
        "#]],
    );
}

#[test]
fn bitwise_on_floats_is_a_type_error() {
    check(
        "a & b",
        &[("a", Float64), ("b", Int32)],
        expect![[r#"
            error: `&` is not defined for float64; it needs bool or integer operands
              |
            1 | a & b
              | ^^^^^
        "#]],
    );
}

#[test]
fn bool_subtract_is_a_type_error() {
    check(
        "a - a",
        &[("a", Bool)],
        expect![[r#"
            error: the numpy boolean subtract, the `-` operator, is not supported; use `^` instead
              |
            1 | a - a
              | ^^^^^
        "#]],
    );
}

#[test]
fn unary_minus_on_bool_is_a_type_error() {
    check(
        "-a",
        &[("a", Bool)],
        expect![[r#"
            error: the numpy boolean negative, the `-` operator, is not supported; use `~` instead
              |
            1 | -a
              | ^^
        "#]],
    );
}

#[test]
fn negative_int_power_is_a_value_error() {
    check(
        "a ** -1",
        &[("a", Int32)],
        expect![[r#"
            error: integers to negative integer powers are not allowed
              |
            1 | a ** -1
              |      ^^ use a float base, e.g. `float64(a) ** -1`
        "#]],
    );
    check(
        "pow(a, 1 - 3)",
        &[("a", Int64)],
        expect![[r#"
            error: integers to negative integer powers are not allowed
              |
            1 | pow(a, 1 - 3)
              |        ^^^^^ use a float base, e.g. `float64(a) ** -2`
        "#]],
    );
}

#[test]
fn float_power_with_negative_literal_is_fine() {
    check(
        "a ** -1",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 1.0 : float32
            %2 = divide %1, %0 : float32
            result = %2
        "#]],
    );
}

#[test]
fn weak_division_by_zero_is_a_value_error() {
    check(
        "a + 1 / 0",
        &[("a", Float64)],
        expect![[r#"
            error: division by zero
              |
            1 | a + 1 / 0
              |     ^^^^^
        "#]],
    );
}

#[test]
fn weak_overflow_is_a_value_error() {
    check(
        "2 ** 200",
        &[],
        expect![[r#"
            error: integer overflow in `**`: integer literal arithmetic is limited to 128 bits
              |
            1 | 2 ** 200
              | ^^^^^^^^
        "#]],
    );
}

#[test]
fn weak_result_out_of_int64_is_a_value_error() {
    check(
        "2 ** 64",
        &[],
        expect![[r#"
            error: Python integer 18446744073709551616 out of bounds for int64
              |
            1 | 2 ** 64
              | ^^^^^^^
        "#]],
    );
}

#[test]
fn weak_power_raises_like_python() {
    check(
        "a + 0 ** -1",
        &[("a", Float64)],
        expect![[r#"
            error: 0.0 cannot be raised to a negative power
              |
            1 | a + 0 ** -1
              |     ^^^^^^^
        "#]],
    );
    check(
        "a + (-8) ** 0.5",
        &[("a", Float64)],
        expect![[r#"
            error: a negative number raised to a fractional power is complex, which jitexpr does not support
              |
            1 | a + (-8) ** 0.5
              |     ^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn invert_of_a_float_literal_is_a_type_error() {
    check(
        "~2.5",
        &[],
        expect![[r#"
            error: `~` is not defined for float64; it needs bool or integer operands
              |
            1 | ~2.5
              | ^^^^
        "#]],
    );
}

// ---- functions ----

#[test]
fn math_function_casts_ints_to_float64() {
    check(
        "sqrt(a) + sqrt(b)",
        &[("a", Int32), ("b", Float32)],
        expect![[r#"
            inputs: a: int32, b: float32
            %0 = input a : int32
            %1 = cast %0 : float64
            %2 = sqrt %1 : float64
            %3 = input b : float32
            %4 = sqrt %3 : float32
            %5 = cast %4 : float64
            %6 = add %2, %5 : float64
            result = %6
        "#]],
    );
}

#[test]
fn math_function_of_bool_is_a_type_error() {
    check(
        "exp(a)",
        &[("a", Bool)],
        expect![[r#"
            error: `exp` of bool gives float16 in NumPy, which jitexpr does not support
              |
            1 | exp(a)
              | ^^^^^^ cast the argument first, e.g. `exp(float32(x))`
        "#]],
    );
}

#[test]
fn same_function_keeps_the_promoted_dtype() {
    check(
        "minimum(a, 2.5) + abs(b)",
        &[("a", Float32), ("b", Bool)],
        expect![[r#"
            inputs: a: float32, b: bool
            %0 = input a : float32
            %1 = const 2.5 : float32
            %2 = minimum %0, %1 : float32
            %3 = input b : bool
            %4 = absolute %3 : bool
            %5 = cast %4 : float32
            %6 = add %2, %5 : float32
            result = %6
        "#]],
    );
}

#[test]
fn same_function_without_bool_support_is_a_type_error() {
    check(
        "square(a)",
        &[("a", Bool)],
        expect![[r#"
            error: `square` of bool is not supported (NumPy gives int8 or float16, or refuses)
              |
            1 | square(a)
              | ^^^^^^^^^ cast the argument first, e.g. `square(int32(x))`
        "#]],
    );
}

#[test]
fn predicate_takes_any_dtype_without_a_cast() {
    check(
        "isnan(a) | signbit(b)",
        &[("a", Int32), ("b", Float32)],
        expect![[r#"
            inputs: a: int32, b: float32
            %0 = input a : int32
            %1 = isnan %0 : bool
            %2 = input b : float32
            %3 = signbit %2 : bool
            %4 = bitwise_or %1, %3 : bool
            result = %4
        "#]],
    );
}

#[test]
fn where_casts_the_condition_and_promotes_the_branches() {
    check(
        "where(c, a, 0)",
        &[("c", Float64), ("a", Int32)],
        expect![[r#"
            inputs: c: float64, a: int32
            %0 = input c : float64
            %1 = input a : int32
            %2 = cast %0 : bool
            %3 = const 0 : int32
            %4 = where %2, %1, %3 : int32
            result = %4
        "#]],
    );
}

#[test]
fn clip_promotes_all_three_arguments() {
    check(
        "clip(a, 0, 1.5)",
        &[("a", Int32)],
        expect![[r#"
            inputs: a: int32
            %0 = input a : int32
            %1 = cast %0 : float64
            %2 = const 0.0 : float64
            %3 = const 1.5 : float64
            %4 = clip %1, %2, %3 : float64
            result = %4
        "#]],
    );
}

#[test]
fn aliases_and_pow_resolve() {
    check(
        "arcsin(a) + asin(a) + pow(a, 2)",
        &[("a", Float64)],
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = arcsin %0 : float64
            %2 = arcsin %0 : float64
            %3 = add %1, %2 : float64
            %4 = multiply %0, %0 : float64
            %5 = add %3, %4 : float64
            result = %5
        "#]],
    );
}

#[test]
fn weak_argument_alone_takes_its_default_dtype() {
    check(
        "sqrt(2) + abs(-3)",
        &[],
        expect![[r#"
            inputs: (none)
            %0 = const 2.0 : float64
            %1 = sqrt %0 : float64
            %2 = const -3 : int64
            %3 = absolute %2 : int64
            %4 = cast %3 : float64
            %5 = add %1, %4 : float64
            result = %5
        "#]],
    );
}

// ---- casts ----

#[test]
fn casts_are_nodes_except_to_the_same_dtype() {
    check(
        "float32(a) + float64(b) + int32(2.5)",
        &[("a", Int32), ("b", Float64)],
        expect![[r#"
            inputs: a: int32, b: float64
            %0 = input a : int32
            %1 = cast %0 : float32
            %2 = input b : float64
            %3 = cast %1 : float64
            %4 = add %3, %2 : float64
            %5 = const 2.5 : float64
            %6 = cast %5 : int32
            %7 = cast %6 : float64
            %8 = add %4, %7 : float64
            result = %8
        "#]],
    );
}

#[test]
fn cast_takes_one_argument() {
    check(
        "int32(a, b)",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
            error: `int32` takes 1 argument, but 2 were given
              |
            1 | int32(a, b)
              | ^^^^^^^^^^^
        "#]],
    );
}

// ---- reductions ----

#[test]
fn reduction_axis_forms_and_accumulators() {
    check(
        "s = sum(a); t = sum(a, axis=-1); m = mean(a, 1); n = max(b, axis=None); any(b, 0)",
        &[("a", Int32), ("b", Float32)],
        expect![[r#"
            inputs: a: int32, b: float32
            %0 = input a : int32
            %1 = cast %0 : int64
            %2 = sum %1 : int64
            %3 = cast %0 : int64
            %4 = sum %3 axis=-1 : int64
            %5 = cast %0 : float64
            %6 = mean %5 axis=1 : float64
            %7 = input b : float32
            %8 = max %7 : float32
            %9 = cast %7 : bool
            %10 = any %9 axis=0 : bool
            result = %10
            s = %2
            t = %4
            m = %6
            n = %8
        "#]],
    );
}

#[test]
fn reduction_axis_must_be_an_integer_literal() {
    check(
        "sum(a, axis=b)",
        &[("a", Float64), ("b", Int64)],
        expect![[r#"
            error: the axis must be an integer literal or `None`
              |
            1 | sum(a, axis=b)
              |             ^ e.g. `sum(x, axis=-1)`
        "#]],
    );
}

#[test]
fn reduction_keyword_errors() {
    check(
        "sum(a, axes=1)",
        &[("a", Float64)],
        expect![[r#"
            error: `sum` has no keyword argument `axes`
              |
            1 | sum(a, axes=1)
              |        ^^^^ the only keyword is `axis=`
        "#]],
    );
    check(
        "sum(a, 0, axis=1)",
        &[("a", Float64)],
        expect![[r#"
            error: `sum` got the axis twice
              |
            1 | sum(a, 0, axis=1)
              |           ^^^^
        "#]],
    );
    check(
        "sum()",
        &[],
        expect![[r#"
            error: `sum` takes an array and an optional axis, but 0 were given
              |
            1 | sum()
              | ^^^^^
        "#]],
    );
}

#[test]
fn keyword_on_an_elementwise_function_is_an_error() {
    check(
        "sqrt(a, axis=1)",
        &[("a", Float64)],
        expect![[r#"
            error: `sqrt` takes no keyword arguments
              |
            1 | sqrt(a, axis=1)
              |         ^^^^
        "#]],
    );
}

// ---- programs and names ----

#[test]
fn shadowing_and_names() {
    check(
        "x = a + 1\na = x * 2\ny = a - b\nx = y / 2",
        &[("a", Float64), ("b", Float32), ("unused", Int32)],
        expect![[r#"
            inputs: a: float64, b: float32, unused: int32
            %0 = input a : float64
            %1 = const 1.0 : float64
            %2 = add %0, %1 : float64
            %3 = const 2.0 : float64
            %4 = multiply %2, %3 : float64
            %5 = input b : float32
            %6 = cast %5 : float64
            %7 = subtract %4, %6 : float64
            %8 = const 2.0 : float64
            %9 = divide %7, %8 : float64
            result = %9
            x = %9
            a = %4
            y = %7
        "#]],
    );
}

#[test]
fn assigned_literal_stays_weak() {
    check(
        "k = 2; a * k",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = input a : float32
            %1 = const 2.0 : float32
            %2 = multiply %0, %1 : float32
            %3 = const 2 : int64
            result = %2
            k = %3
        "#]],
    );
}

#[test]
fn assigned_weak_result_is_shared_by_the_name() {
    check(
        "k = 2 * pi",
        &[],
        expect![[r#"
            inputs: (none)
            %0 = const 6.283185307179586 : float64
            result = %0
            k = %0
        "#]],
    );
}

// ---- name errors ----

#[test]
fn unknown_name_suggests_a_close_one() {
    check(
        "alpha + betta",
        &[("alpha", Float64), ("beta", Float64)],
        expect![[r#"
            error: unknown name `betta`
              |
            1 | alpha + betta
              |         ^^^^^ did you mean `beta`?
        "#]],
    );
}

#[test]
fn unknown_name_without_a_close_one_lists_the_inputs() {
    check(
        "a + zzz",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
            error: unknown name `zzz`
              |
            1 | a + zzz
              |     ^^^ the inputs are `a`, `b`
        "#]],
    );
}

#[test]
fn unknown_function_suggests_a_close_one() {
    check(
        "2*a + sine(b)",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
            error: unknown function `sine`
              |
            1 | 2*a + sine(b)
              |       ^^^^ did you mean `sin`?
        "#]],
    );
}

#[test]
fn function_used_as_a_value() {
    check(
        "sin + 1",
        &[],
        expect![[r#"
            error: `sin` is a function, not a value
              |
            1 | sin + 1
              | ^^^ call it, e.g. `sin(x)`
        "#]],
    );
}

#[test]
fn variable_called_as_a_function() {
    check(
        "a(1)",
        &[("a", Float64)],
        expect![[r#"
            error: `a` is an input, not a function
              |
            1 | a(1)
              | ^
        "#]],
    );
    check(
        "x = 1; x(2)",
        &[],
        expect![[r#"
            error: `x` is a variable, not a function
              |
            1 | x = 1; x(2)
              |        ^
        "#]],
    );
}

#[test]
fn arity_error_names_the_function_and_count() {
    check(
        "where(a, 1)",
        &[("a", Bool)],
        expect![[r#"
            error: `where` takes 3 arguments, but 2 were given
              |
            1 | where(a, 1)
              | ^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn name_used_before_assignment_is_unknown() {
    check(
        "y = x + 1; x = 2",
        &[],
        expect![[r#"
            error: unknown name `x`
              |
            1 | y = x + 1; x = 2
              |     ^ the program has no inputs
        "#]],
    );
}

#[test]
fn duplicate_input_is_an_error() {
    let ast = crate::syntax::parse("a").expect("parses");
    let sig = vec![("a".to_string(), Float64), ("a".to_string(), Int32)];
    let err = lower(&ast, &sig).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
}

// ---- spans ----

#[test]
fn casts_carry_the_span_of_their_operand() {
    let src = "a + (b * 2)";
    let p = lower_src(src, &[("a", Int32), ("b", Float64)]).expect("lowers");
    let text = |id: NodeId| &src[p.node(id).span.start..p.node(id).span.end];
    let Inst::Op(Op::Binary(BinaryOp::Add, lhs, rhs)) = p.node(p.result).inst else { panic!("result is an add") };
    assert!(matches!(p.node(lhs).inst, Inst::Op(Op::Cast(_))));
    assert_eq!(text(lhs), "a");
    assert_eq!(text(rhs), "(b * 2)");
    assert_eq!(text(p.result), src);
}

#[test]
fn suggestions_need_a_plausible_typo() {
    assert_eq!(suggest("sine", &["sin", "sinh"]), Some("sin"));
    assert_eq!(suggest("x", &["a"]), None);
    assert_eq!(suggest("arctan3", &["arctan", "arctan2"]), Some("arctan"));
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn error_hint_case_differs_suggests_the_lowercase_name() {
    // `min` is one edit from `Sin` too; a case-only difference wins.
    assert_eq!(suggest("Sin", &["min", "sin"]), Some("sin"));
    let err = lower_src("Sin(a)", &[("a", DType::Float64)]).unwrap_err();
    assert_eq!(err.help.as_deref(), Some("did you mean `sin`?"));
}

#[test]
fn error_hint_max_of_two_arrays_points_to_maximum() {
    let sig = [("a", DType::Float64), ("b", DType::Float64)];
    for (src, want) in [("max(a, b)", "maximum"), ("min(a, b)", "minimum")] {
        let err = lower_src(src, &sig).unwrap_err();
        assert!(err.help.as_deref().is_some_and(|h| h.contains(&format!("`{want}(...)`"))), "{src}: {err:?}");
    }
}

#[test]
fn error_huge_unknown_name_is_cut_in_the_message() {
    let name = "q".repeat(100_000);
    let err = lower_src(&format!("{name} + 1"), &[]).unwrap_err();
    assert_eq!(err.message, format!("unknown name `{}... (100000 characters)`", "q".repeat(30)));
}
