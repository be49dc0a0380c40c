//! Golden dumps of programs before and after optimization, and checks that the
//! interpreter gives the same results on both.

mod corpus;
mod exactness;
mod fast;
mod powers;
mod prop;

use super::*;
use crate::array::Array;
use crate::diag::ErrorKind;
use crate::types::DType::{self, *};
use expect_test::{expect, Expect};

/// Lower `src` for the signature.
pub(super) fn compile(src: &str, sig: &[(&str, DType)]) -> Program {
    let ast = crate::syntax::parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.render(src)));
    let sig: Vec<(String, DType)> = sig.iter().map(|(n, d)| (n.to_string(), *d)).collect();
    crate::ir::lower(&ast, &sig).unwrap_or_else(|e| panic!("{src}: {}", e.render(src)))
}

/// The node ids of the named outputs (`None`: the result).
fn output_ids(p: &Program, names: &[Option<&str>]) -> Vec<NodeId> {
    names.iter().map(|n| p.output(*n).unwrap_or_else(|| panic!("no output {n:?}"))).collect()
}

/// Whether two arrays are the same value: dtype, shape, and bits (any NaN equals
/// any NaN).
pub(super) fn same(a: &Array, b: &Array) -> bool {
    a.dtype() == b.dtype() && a.shape() == b.shape() && (0..a.len()).all(|i| ulps_apart(a.get(i), b.get(i)) == 0)
}

/// How many representable values apart two scalars of one dtype are: 0 for the
/// same bits or two NaNs, `u64::MAX` for a NaN and a number; `-0.0` and `0.0` are
/// one apart.
pub(super) fn ulps_apart(a: Scalar, b: Scalar) -> u64 {
    assert_eq!(a.dtype(), b.dtype(), "{a:?} and {b:?}");
    match (place(a), place(b)) {
        (None, None) => 0,
        (Some(x), Some(y)) => x.abs_diff(y),
        _ => u64::MAX,
    }
}

/// A scalar's place on the line of all values of its dtype (for floats, the
/// order of the values, `-0.0` just below `0.0`); `None` for NaN.
fn place(s: Scalar) -> Option<i64> {
    let float = |bits: i64, magnitude: i64| if bits < 0 { -(bits & magnitude) - 1 } else { bits };
    match s {
        Scalar::Float32(v) if v.is_nan() => None,
        Scalar::Float64(v) if v.is_nan() => None,
        Scalar::Float32(v) => Some(float(i64::from(v.to_bits() as i32), i64::from(i32::MAX))),
        Scalar::Float64(v) => Some(float(v.to_bits() as i64, i64::MAX)),
        Scalar::Int32(v) => Some(v.into()),
        Scalar::Int64(v) => Some(v),
        Scalar::Bool(v) => Some(v.into()),
    }
}

/// Eight awkward values of a dtype.
fn sample(dtype: DType) -> Array {
    let f = [-0.0, 0.0, 1.5, -2.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 3.0e-5];
    match dtype {
        Bool => Array::from_vec(vec![true, false, true, true, false, false, true, false]),
        Int32 => Array::from_vec(vec![0, 1, -1, 7, i32::MIN, i32::MAX, 3, -5]),
        Int64 => Array::from_vec(vec![0, 1, -1, 7, i64::MIN, i64::MAX, 3, -5]),
        Float32 => Array::from_vec(f.iter().map(|&v| v as f32).collect::<Vec<f32>>()),
        Float64 => Array::from_vec(f.to_vec()),
    }
}

/// The interpreter's outputs, or the kind of error it stopped with.
fn run(p: &Program, inputs: &[&Array], outputs: &[NodeId]) -> Result<Vec<Array>, ErrorKind> {
    crate::interp::eval(p, inputs, outputs).map_err(|e| e.kind)
}

/// Optimize `p` (the program of `src`) for `outputs` in every configuration and
/// check the result: optimizing it again changes nothing, and the interpreter on
/// it agrees with the interpreter on `p`: the same error kind, or the same dtypes
/// and shapes, and the same bits when every rewrite that fired is exact.
pub(super) fn check_every_config(src: &str, p: &Program, inputs: &[&Array], outputs: &[NodeId]) {
    let want = run(p, inputs, outputs);
    let pows = [PowRewrites::Exact, PowRewrites::NumPy, PowRewrites::Chains];
    let configs = pows.map(|pow| OptConfig { pow, ..OptConfig::default() });
    for config in configs.into_iter().chain([OptConfig::fast()]) {
        let opt = optimize_with(p, outputs, &config);
        let again = optimize_with(&opt.program, &opt.outputs, &config);
        // Dumps, not `==`: a NaN constant is not `==` to itself.
        assert_eq!(again.program.to_string(), opt.program.to_string(), "{src}: a second optimization changed it");
        assert_eq!(again.outputs, opt.outputs, "{src}");
        assert!(again.report.is_empty(), "{src}: a second optimization rewrote {:?}", again.report);
        let exact = opt.report.iter().all(|r| r.rule.exactness() == Exactness::Exact);
        match (&want, run(&opt.program, inputs, &opt.outputs)) {
            (Ok(want), Ok(got)) => {
                for (w, g) in want.iter().zip(&got) {
                    assert_eq!((w.dtype(), w.shape()), (g.dtype(), g.shape()), "{src} with {config:?}");
                    assert!(!exact || same(w, g), "{src} with {config:?}:\nwant {w:?}\n got {g:?}\n{opt}");
                }
            }
            (Err(w), Err(g)) => assert_eq!(*w, g, "{src} with {config:?}"),
            (w, g) => panic!("{src} with {config:?}: the original gives {w:?}, the optimized {g:?}"),
        }
    }
}

/// [`check_every_config`] on sample inputs.
pub(super) fn assert_agrees(src: &str, p: &Program, outputs: &[NodeId]) {
    let arrays: Vec<Array> = p.inputs.iter().map(|i| sample(i.dtype)).collect();
    let inputs: Vec<&Array> = arrays.iter().collect();
    check_every_config(src, p, &inputs, outputs);
}

pub(super) fn check_with(src: &str, sig: &[(&str, DType)], outputs: &[Option<&str>], pow: PowRewrites, expect: Expect) {
    let p = compile(src, sig);
    let ids = output_ids(&p, outputs);
    assert_agrees(src, &p, &ids);
    let opt = optimize_with(&p, &ids, &OptConfig { pow, ..OptConfig::default() });
    let outs: Vec<String> = opt.outputs.iter().map(|o| format!("%{}", o.0)).collect();
    expect.assert_eq(&format!("{p}--- optimized (outputs {}):\n{opt}", outs.join(", ")));
}

/// The result of `src` with the default configuration.
fn check(src: &str, sig: &[(&str, DType)], expect: Expect) {
    check_with(src, sig, &[None], PowRewrites::default(), expect);
}

#[test]
fn folds_chains_of_strong_constants() {
    check(
        "float32(2) * float32(3) + sqrt(float32(16)) + a",
        &[("a", Float32)],
        expect![[r#"
            inputs: a: float32
            %0 = const 2 : int64
            %1 = cast %0 : float32
            %2 = const 3 : int64
            %3 = cast %2 : float32
            %4 = multiply %1, %3 : float32
            %5 = const 16 : int64
            %6 = cast %5 : float32
            %7 = sqrt %6 : float32
            %8 = add %4, %7 : float32
            %9 = input a : float32
            %10 = add %8, %9 : float32
            result = %10
            --- optimized (outputs %2):
            inputs: a: float32
            %0 = const 10.0 : float32
            %1 = input a : float32
            %2 = add %0, %1 : float32
            result = %2
            rewrites (node numbers of the input program):
              %1 = cast 2 to float32 -> const 2.0 (fold, exact) at 0..10
              %3 = cast 3 to float32 -> const 3.0 (fold, exact) at 13..23
              %4 = multiply 2.0, 3.0 -> const 6.0 (fold, exact) at 0..23
              %6 = cast 16 to float32 -> const 16.0 (fold, exact) at 31..42
              %7 = sqrt 16.0 -> const 4.0 (fold, exact) at 26..43
              %8 = add 6.0, 4.0 -> const 10.0 (fold, exact) at 0..43
        "#]],
    );
}

#[test]
fn folds_reductions_of_constants_which_are_0d() {
    check(
        "sum(float64(3)) + mean(int32(4), axis=0) + a",
        &[("a", Float64)],
        expect![[r#"
        inputs: a: float64
        %0 = const 3 : int64
        %1 = cast %0 : float64
        %2 = sum %1 : float64
        %3 = const 4 : int64
        %4 = cast %3 : int32
        %5 = cast %4 : float64
        %6 = mean %5 axis=0 : float64
        %7 = add %2, %6 : float64
        %8 = input a : float64
        %9 = add %7, %8 : float64
        result = %9
        --- optimized (outputs %2):
        inputs: a: float64
        %0 = const 7.0 : float64
        %1 = input a : float64
        %2 = add %0, %1 : float64
        result = %2
        rewrites (node numbers of the input program):
          %1 = cast 3 to float64 -> const 3.0 (fold, exact) at 4..14
          %2 = sum 3.0 -> const 3.0 (fold, exact) at 0..15
          %4 = cast 4 to int32 -> const 4 (fold, exact) at 23..31
          %5 = cast 4 to float64 -> const 4.0 (fold, exact) at 23..31
          %6 = mean 4.0 axis=0 -> const 4.0 (fold, exact) at 18..40
          %7 = add 3.0, 4.0 -> const 7.0 (fold, exact) at 0..40
    "#]],
    );
}

#[test]
fn folding_int_division_by_zero_gives_zero_as_at_run_time() {
    check(
        "int32(7) // int32(0) + int32(7) % int32(0) + i",
        &[("i", Int32)],
        expect![[r#"
        inputs: i: int32
        %0 = const 7 : int64
        %1 = cast %0 : int32
        %2 = const 0 : int64
        %3 = cast %2 : int32
        %4 = floor_divide %1, %3 : int32
        %5 = const 7 : int64
        %6 = cast %5 : int32
        %7 = const 0 : int64
        %8 = cast %7 : int32
        %9 = remainder %6, %8 : int32
        %10 = add %4, %9 : int32
        %11 = input i : int32
        %12 = add %10, %11 : int32
        result = %12
        --- optimized (outputs %0):
        inputs: i: int32
        %0 = input i : int32
        result = %0
        rewrites (node numbers of the input program):
          %1 = cast 7 to int32 -> const 7 (fold, exact) at 0..8
          %3 = cast 0 to int32 -> const 0 (fold, exact) at 12..20
          %4 = floor_divide 7, 0 -> const 0 (fold, exact) at 0..20
          %6 = cast 7 to int32 -> const 7 (fold, exact) at 23..31
          %8 = cast 0 to int32 -> const 0 (fold, exact) at 34..42
          %9 = remainder 7, 0 -> const 0 (fold, exact) at 23..42
          %10 = add 0, 0 -> const 0 (fold, exact) at 0..42
          %12 = add 0, %11 -> %11 (identity, exact) at 0..46
    "#]],
    );
}

#[test]
fn a_node_whose_evaluation_fails_is_not_folded() {
    // A 0-d array has no axis 1: the error stays an evaluation error.
    check(
        "sum(float64(2), axis=1) + a",
        &[("a", Float64)],
        expect![[r#"
        inputs: a: float64
        %0 = const 2 : int64
        %1 = cast %0 : float64
        %2 = sum %1 axis=1 : float64
        %3 = input a : float64
        %4 = add %2, %3 : float64
        result = %4
        --- optimized (outputs %3):
        inputs: a: float64
        %0 = const 2.0 : float64
        %1 = sum %0 axis=1 : float64
        %2 = input a : float64
        %3 = add %1, %2 : float64
        result = %3
        rewrites (node numbers of the input program):
          %1 = cast 2 to float64 -> const 2.0 (fold, exact) at 4..14
    "#]],
    );
}

#[test]
fn cse_across_statements_and_commuted_operands() {
    check(
        "x = a*b; y = b*a + 1; x + y + a*b",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = input b : float64
        %2 = multiply %0, %1 : float64
        %3 = multiply %1, %0 : float64
        %4 = const 1.0 : float64
        %5 = add %3, %4 : float64
        %6 = add %2, %5 : float64
        %7 = multiply %0, %1 : float64
        %8 = add %6, %7 : float64
        result = %8
        x = %2
        y = %5
        --- optimized (outputs %6):
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = input b : float64
        %2 = multiply %0, %1 : float64
        %3 = const 1.0 : float64
        %4 = add %2, %3 : float64
        %5 = add %2, %4 : float64
        %6 = add %5, %2 : float64
        result = %6
        x = %2
        y = %4
        rewrites (node numbers of the input program):
          %3 = multiply %1, %0 -> %2 (cse, exact) at 13..16
          %7 = multiply %0, %1 -> %2 (cse, exact) at 30..33
    "#]],
    );
}

#[test]
fn constants_are_shared_by_bits() {
    // 0.0 and -0.0 stay apart; the two 2.5 are one node.
    check(
        "a*2.5 + b*2.5 + a*0.0 + b*-0.0",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = const 2.5 : float64
        %2 = multiply %0, %1 : float64
        %3 = input b : float64
        %4 = const 2.5 : float64
        %5 = multiply %3, %4 : float64
        %6 = add %2, %5 : float64
        %7 = const 0.0 : float64
        %8 = multiply %0, %7 : float64
        %9 = add %6, %8 : float64
        %10 = const -0.0 : float64
        %11 = multiply %3, %10 : float64
        %12 = add %9, %11 : float64
        result = %12
        --- optimized (outputs %11):
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = const 2.5 : float64
        %2 = multiply %0, %1 : float64
        %3 = input b : float64
        %4 = multiply %3, %1 : float64
        %5 = add %2, %4 : float64
        %6 = const 0.0 : float64
        %7 = multiply %0, %6 : float64
        %8 = add %5, %7 : float64
        %9 = const -0.0 : float64
        %10 = multiply %3, %9 : float64
        %11 = add %8, %10 : float64
        result = %11
        rewrites: (none)
    "#]],
    );
}

#[test]
fn dead_code_of_an_unrequested_name_is_dropped() {
    check(
        "x = a*2; y = b*3; t = x + 1; t * 2",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = const 2.0 : float64
        %2 = multiply %0, %1 : float64
        %3 = input b : float64
        %4 = const 3.0 : float64
        %5 = multiply %3, %4 : float64
        %6 = const 1.0 : float64
        %7 = add %2, %6 : float64
        %8 = const 2.0 : float64
        %9 = multiply %7, %8 : float64
        result = %9
        x = %2
        y = %5
        t = %7
        --- optimized (outputs %5):
        inputs: a: float64, b: float64
        %0 = input a : float64
        %1 = const 2.0 : float64
        %2 = multiply %0, %1 : float64
        %3 = const 1.0 : float64
        %4 = add %2, %3 : float64
        %5 = multiply %4, %1 : float64
        result = %5
        x = %2
        t = %4
        rewrites: (none)
    "#]],
    );
}

#[test]
fn only_the_requested_name_survives_and_the_result_points_at_it() {
    check_with(
        "x = a*2; y = b*3; x + 1",
        &[("a", Float64), ("b", Float64)],
        &[Some("y")],
        PowRewrites::default(),
        expect![[r#"
            inputs: a: float64, b: float64
            %0 = input a : float64
            %1 = const 2.0 : float64
            %2 = multiply %0, %1 : float64
            %3 = input b : float64
            %4 = const 3.0 : float64
            %5 = multiply %3, %4 : float64
            %6 = const 1.0 : float64
            %7 = add %2, %6 : float64
            result = %7
            x = %2
            y = %5
            --- optimized (outputs %2):
            inputs: a: float64, b: float64
            %0 = input b : float64
            %1 = const 3.0 : float64
            %2 = multiply %0, %1 : float64
            result = %2
            y = %2
            rewrites: (none)
        "#]],
    );
}

#[test]
fn outputs_in_the_requested_order_map_to_their_new_ids() {
    check_with(
        "x = a*2; y = x*x; x + 1",
        &[("a", Float64)],
        &[Some("y"), None, Some("x"), Some("y")],
        PowRewrites::default(),
        expect![[r#"
            inputs: a: float64
            %0 = input a : float64
            %1 = const 2.0 : float64
            %2 = multiply %0, %1 : float64
            %3 = multiply %2, %2 : float64
            %4 = const 1.0 : float64
            %5 = add %2, %4 : float64
            result = %5
            x = %2
            y = %3
            --- optimized (outputs %3, %5, %2, %3):
            inputs: a: float64
            %0 = input a : float64
            %1 = const 2.0 : float64
            %2 = multiply %0, %1 : float64
            %3 = multiply %2, %2 : float64
            %4 = const 1.0 : float64
            %5 = add %2, %4 : float64
            result = %5
            x = %2
            y = %3
            rewrites: (none)
        "#]],
    );
}

#[test]
fn exact_identities() {
    check(
        "-(-a) + (+b) + a*1 + 1*b + a/1 + a - 0.0 + a + -0.0",
        &[("a", Float64), ("b", Float64)],
        expect![[r#"
            inputs: a: float64, b: float64
            %0 = input a : float64
            %1 = negative %0 : float64
            %2 = negative %1 : float64
            %3 = input b : float64
            %4 = positive %3 : float64
            %5 = add %2, %4 : float64
            %6 = const 1.0 : float64
            %7 = multiply %0, %6 : float64
            %8 = add %5, %7 : float64
            %9 = const 1.0 : float64
            %10 = multiply %9, %3 : float64
            %11 = add %8, %10 : float64
            %12 = const 1.0 : float64
            %13 = divide %0, %12 : float64
            %14 = add %11, %13 : float64
            %15 = add %14, %0 : float64
            %16 = const 0.0 : float64
            %17 = subtract %15, %16 : float64
            %18 = add %17, %0 : float64
            %19 = const -0.0 : float64
            %20 = add %18, %19 : float64
            result = %20
            --- optimized (outputs %7):
            inputs: a: float64, b: float64
            %0 = input a : float64
            %1 = input b : float64
            %2 = add %0, %1 : float64
            %3 = add %2, %0 : float64
            %4 = add %3, %1 : float64
            %5 = add %4, %0 : float64
            %6 = add %5, %0 : float64
            %7 = add %6, %0 : float64
            result = %7
            rewrites (node numbers of the input program):
              %2 = negative %1 -> %0 (identity, exact) at 0..5
              %4 = positive %3 -> %3 (identity, exact) at 8..12
              %7 = multiply %0, 1.0 -> %0 (identity, exact) at 15..18
              %10 = multiply 1.0, %3 -> %3 (identity, exact) at 21..24
              %13 = divide %0, 1.0 -> %0 (identity, exact) at 27..30
              %17 = subtract %15, 0.0 -> %15 (identity, exact) at 0..40
              %20 = add %18, -0.0 -> %18 (identity, exact) at 0..51
        "#]],
    );
}

#[test]
fn inexact_identities_are_left_alone() {
    // x + 0.0 is not x for x = -0.0; x - -0.0 neither; x - x and x*0 are not 0 for NaN.
    check(
        "(a + 0.0) + (a - -0.0) + (a - a) + a*0",
        &[("a", Float64)],
        expect![[r#"
        inputs: a: float64
        %0 = input a : float64
        %1 = const 0.0 : float64
        %2 = add %0, %1 : float64
        %3 = const -0.0 : float64
        %4 = subtract %0, %3 : float64
        %5 = add %2, %4 : float64
        %6 = subtract %0, %0 : float64
        %7 = add %5, %6 : float64
        %8 = const 0.0 : float64
        %9 = multiply %0, %8 : float64
        %10 = add %7, %9 : float64
        result = %10
        --- optimized (outputs %9):
        inputs: a: float64
        %0 = input a : float64
        %1 = const 0.0 : float64
        %2 = add %0, %1 : float64
        %3 = const -0.0 : float64
        %4 = subtract %0, %3 : float64
        %5 = add %2, %4 : float64
        %6 = subtract %0, %0 : float64
        %7 = add %5, %6 : float64
        %8 = multiply %0, %1 : float64
        %9 = add %7, %8 : float64
        result = %9
        rewrites: (none)
    "#]],
    );
}

#[test]
fn integer_and_bool_identities() {
    check(
        "~~(i + 0) * 1 - 0 + (p | False) * 0 + int64(p * True)",
        &[("i", Int64), ("p", Bool)],
        expect![[r#"
        inputs: i: int64, p: bool
        %0 = input i : int64
        %1 = const 0 : int64
        %2 = add %0, %1 : int64
        %3 = invert %2 : int64
        %4 = invert %3 : int64
        %5 = const 1 : int64
        %6 = multiply %4, %5 : int64
        %7 = const 0 : int64
        %8 = subtract %6, %7 : int64
        %9 = input p : bool
        %10 = const False : bool
        %11 = bitwise_or %9, %10 : bool
        %12 = cast %11 : int64
        %13 = const 0 : int64
        %14 = multiply %12, %13 : int64
        %15 = add %8, %14 : int64
        %16 = const True : bool
        %17 = multiply %9, %16 : bool
        %18 = cast %17 : int64
        %19 = add %15, %18 : int64
        result = %19
        --- optimized (outputs %9):
        inputs: i: int64, p: bool
        %0 = input i : int64
        %1 = const 0 : int64
        %2 = input p : bool
        %3 = const False : bool
        %4 = bitwise_or %2, %3 : bool
        %5 = cast %4 : int64
        %6 = multiply %5, %1 : int64
        %7 = add %0, %6 : int64
        %8 = cast %2 : int64
        %9 = add %7, %8 : int64
        result = %9
        rewrites (node numbers of the input program):
          %2 = add %0, 0 -> %0 (identity, exact) at 2..9
          %4 = invert %3 -> %0 (identity, exact) at 0..9
          %6 = multiply %0, 1 -> %0 (identity, exact) at 0..13
          %8 = subtract %0, 0 -> %0 (identity, exact) at 0..17
          %17 = multiply %9, True -> %9 (identity, exact) at 44..52
    "#]],
    );
}

#[test]
fn division_by_a_power_of_two_multiplies_by_its_reciprocal() {
    check(
        "a / 2 + a / -0.25 + a / 3 + a / 0.0",
        &[("a", Float64)],
        expect![[r#"
        inputs: a: float64
        %0 = input a : float64
        %1 = const 2.0 : float64
        %2 = divide %0, %1 : float64
        %3 = const -0.25 : float64
        %4 = divide %0, %3 : float64
        %5 = add %2, %4 : float64
        %6 = const 3.0 : float64
        %7 = divide %0, %6 : float64
        %8 = add %5, %7 : float64
        %9 = const 0.0 : float64
        %10 = divide %0, %9 : float64
        %11 = add %8, %10 : float64
        result = %11
        --- optimized (outputs %11):
        inputs: a: float64
        %0 = input a : float64
        %1 = const 0.5 : float64
        %2 = multiply %0, %1 : float64
        %3 = const -4.0 : float64
        %4 = multiply %0, %3 : float64
        %5 = add %2, %4 : float64
        %6 = const 3.0 : float64
        %7 = divide %0, %6 : float64
        %8 = add %5, %7 : float64
        %9 = const 0.0 : float64
        %10 = divide %0, %9 : float64
        %11 = add %8, %10 : float64
        result = %11
        rewrites (node numbers of the input program):
          %2 = divide %0, 2.0 -> multiply %0, 0.5 (reciprocal, exact) at 0..5
          %4 = divide %0, -0.25 -> multiply %0, -4.0 (reciprocal, exact) at 8..17
    "#]],
    );
}

/// `x / c` and `x * (1/c)` for every power-of-two `c` with an exact reciprocal, on
/// special values and values whose quotients overflow, underflow or round.
#[test]
fn reciprocal_rewrites_are_bit_identical() {
    let mut xs = vec![0.0, -0.0, 1.0, -3.0, f64::MAX, f64::MIN_POSITIVE, 5e-324, 7e-310, f64::INFINITY, f64::NAN];
    let mut s = 0x1234_5678_9abc_def1u64;
    xs.extend((0..4000).map(|_| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        f64::from_bits(s)
    }));
    let x64 = Array::from_vec(xs.clone());
    let x32 = Array::from_vec(xs.iter().map(|&v| v as f32).collect::<Vec<f32>>());
    for k in [-1023, -1022, -600, -1, 1, 2, 60, 1000, 1023] {
        let c = 2f64.powi(k);
        for (dtype, input, c) in [(Float64, &x64, c), (Float32, &x32, c.clamp(2f64.powi(-126), 2f64.powi(127)))] {
            for c in [c, -c] {
                let src = format!("a / {dtype}({c:e})");
                let p = compile(&src, &[("a", dtype)]);
                let opt = optimize_with(&p, &[p.result], &OptConfig::default());
                assert!(opt.report.iter().any(|r| r.rule == Rule::Reciprocal(Exactness::Exact)), "{src}: {opt}");
                check_every_config(&src, &p, &[input], &[p.result]);
            }
        }
    }
}
