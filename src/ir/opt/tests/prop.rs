//! Random programs over random dtypes: the interpreter on the optimized program
//! agrees with the interpreter on the original (bit for bit when every rewrite
//! that fired is exact), and optimizing twice changes nothing.

use super::*;
use proptest::prelude::*;
use proptest::sample::select;

/// The signature: every dtype, a 0-d input, and shapes that broadcast to (2, 4)
/// (or fail to, with a reduction along an axis).
const INPUTS: [(&str, DType, &[usize]); 6] = [
    ("a", Float64, &[4]),
    ("b", Float32, &[4]),
    ("f", Float64, &[]),
    ("i", Int32, &[2, 1]),
    ("j", Int64, &[4]),
    ("p", Bool, &[4]),
];

fn leaf() -> impl Strategy<Value = String> {
    let leaves = [
        "a",
        "b",
        "f",
        "i",
        "j",
        "p",
        "x",
        "y",
        "0",
        "1",
        "2",
        "3",
        "-1",
        "0.5",
        "2.5",
        "-0.0",
        "0.0",
        "nan",
        "inf",
        "1e300",
        "True",
        "float32(2)",
        "float64(-0.0)",
        "float64(0.5)",
        "int32(0)",
        "int64(3)",
        "int32(-1)",
        "float32(1)",
    ];
    select(leaves.to_vec()).prop_map(str::to_string)
}

fn expr() -> impl Strategy<Value = String> {
    let binary = select(&["+", "-", "*", "/", "//", "%", "**", "<", "==", "&", "|", "<<"][..]);
    // `~` of a float is a type error: invert an int or a bool.
    let unary = select(&["-", "+", "~int64", "~bool"][..]);
    let func1 = select(&["sqrt", "abs", "exp", "ones_like", "copy", "square", "float32", "int64", "floor"][..]);
    let func2 = select(&["minimum", "maximum", "arctan2", "fmod", "pow"][..]);
    let exponent = select(&["0", "1", "2", "3", "4", "7", "8", "9", "-1", "-2", "-8", "0.5", "2.5", "-0.0"][..]);
    let reduce = select(&["sum", "max", "mean", "prod", "any"][..]);
    let axis = select(&["", ", axis=0", ", axis=-1", ", axis=1"][..]);
    leaf().prop_recursive(4, 32, 3, move |e| {
        prop_oneof![
            (e.clone(), binary.clone(), e.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (unary.clone(), e.clone()).prop_map(|(op, a)| format!("{op}({a})")),
            (func1.clone(), e.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (func2.clone(), e.clone(), e.clone()).prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (e.clone(), e.clone(), e.clone(), e.clone()).prop_map(|(c, d, x, y)| format!("where({c} < {d}, {x}, {y})")),
            (e.clone(), exponent.clone()).prop_map(|(a, k)| format!("({a})**{k}")),
            (reduce.clone(), e.clone(), axis.clone()).prop_map(|(r, a, k)| format!("{r}({a}{k})")),
        ]
    })
}

/// Three statements; some templates repeat an expression's text, for CSE.
fn program() -> impl Strategy<Value = String> {
    const TEMPLATES: [&str; 3] =
        ["x = {x}; y = {y}; {r}", "x = {x}; y = ({x}) * ({y}); {r} + ({y})", "x = {x}; y = {y}; ({x}) - ({r}) + x"];
    let template = select(&TEMPLATES[..]);
    (template, expr(), expr(), expr())
        .prop_map(|(t, x, y, r)| t.replace("{x}", &x).replace("{y}", &y).replace("{r}", &r))
}

fn float() -> impl Strategy<Value = f64> {
    let specials = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-310, 1e300];
    prop_oneof![select(specials.to_vec()), any::<f64>(), -10.0..10.0f64]
}

fn int() -> impl Strategy<Value = i64> {
    let specials = [0, 1, -1, 2, 3, 31, 64, i64::from(i32::MIN), i64::from(i32::MAX), i64::MIN, i64::MAX];
    prop_oneof![select(specials.to_vec()), any::<i64>(), -5..5i64]
}

/// Arrays for [`INPUTS`].
fn arrays() -> impl Strategy<Value = Vec<Array>> {
    let values = (proptest::collection::vec(float(), 8), proptest::collection::vec(int(), 8));
    values.prop_map(|(fs, is)| {
        INPUTS
            .iter()
            .map(|(_, dtype, shape)| {
                let n: usize = shape.iter().product();
                let data = match dtype {
                    Bool => Array::from_vec(is[..n].iter().map(|v| v % 2 == 0).collect::<Vec<bool>>()),
                    Int32 => Array::from_vec(is[..n].iter().map(|&v| v as i32).collect::<Vec<i32>>()),
                    Int64 => Array::from_vec(is[..n].to_vec()),
                    Float32 => Array::from_vec(fs[..n].iter().map(|&v| v as f32).collect::<Vec<f32>>()),
                    Float64 => Array::from_vec(fs[..n].to_vec()),
                };
                data.reshape(shape.to_vec()).expect("n elements fill the shape")
            })
            .collect()
    })
}

fn check_program(src: &str, arrays: &[Array], names: &[Option<&str>]) {
    let sig: Vec<(String, DType)> = INPUTS.iter().map(|(n, d, _)| (n.to_string(), *d)).collect();
    let Ok(ast) = crate::syntax::parse(src) else { return };
    let Ok(p) = crate::ir::lower(&ast, &sig) else { return };
    let inputs: Vec<&Array> = arrays.iter().collect();
    check_every_config(src, &p, &inputs, &output_ids(&p, names));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn optimized_programs_agree_with_the_original(
        src in program(),
        arrays in arrays(),
        names in proptest::sample::subsequence(vec![None, Some("x"), Some("y")], 1..=3),
    ) {
        check_program(&src, &arrays, &names);
    }
}

/// Found by the property above: `x`'s Horner form drops a use of `a*a` that the
/// CSE'd `y` shares, so `y`'s sum contracts only once that use is gone (a second
/// sweep, inside one optimization).
#[test]
fn fast_mode_contracts_what_horner_and_cse_expose() {
    let src = "x = ((a)**2 + a); y = (((a)**2 + a)) * (a); a + (a)";
    let arrays: Vec<Array> = INPUTS.iter().map(|(_, d, _)| sample(*d)).collect();
    for names in [vec![Some("x"), Some("y")], vec![None, Some("x"), Some("y")], vec![Some("y")]] {
        check_program(src, &arrays, &names);
    }
}

/// Every binary operator between every input and every constant (on both sides),
/// and every unary operator twice over, on inputs holding every special value:
/// each local rewrite (identity, power, fold) meets its edge cases here.
#[test]
fn every_operator_with_every_constant_agrees_on_special_values() {
    let floats =
        vec![-0.0, 0.0, 1.0, -1.0, 0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-310, f64::MAX, -3.0, 7.0];
    let ints = vec![0, 1, -1, 2, 3, 63, -64, i64::from(i32::MIN), i64::from(i32::MAX), i64::MIN, i64::MAX, 5];
    let arrays: Vec<Array> = INPUTS
        .iter()
        .map(|(_, dtype, shape)| {
            let all = match dtype {
                Bool => Array::from_vec(ints.iter().map(|v| v % 2 == 0).collect::<Vec<bool>>()),
                Int32 => Array::from_vec(ints.iter().map(|&v| v as i32).collect::<Vec<i32>>()),
                Int64 => Array::from_vec(ints.clone()),
                Float32 => Array::from_vec(floats.iter().map(|&v| v as f32).collect::<Vec<f32>>()),
                Float64 => Array::from_vec(floats.clone()),
            };
            // Every special value in one dimension; a 0-d input takes the first.
            if shape.is_empty() {
                Array::scalar(all.get(0))
            } else {
                all
            }
        })
        .collect();
    let constants = [
        "0",
        "1",
        "2",
        "-1",
        "0.0",
        "-0.0",
        "1.0",
        "0.5",
        "2.0",
        "3",
        "-2",
        "True",
        "False",
        "int32(0)",
        "int32(1)",
        "float32(1)",
        "float32(-0.0)",
        "float32(0)",
        "int64(1)",
        "nan",
    ];
    let operators = ["+", "-", "*", "/", "//", "%", "**", "<", "==", "&", "|", "^", "<<", ">>"];
    let mut programs = Vec::new();
    for (x, _, _) in INPUTS {
        for op in operators {
            for c in constants {
                programs.push(format!("{x} {op} {c}"));
                programs.push(format!("{c} {op} {x}"));
            }
        }
        for u in ["-", "+", "~"] {
            for v in ["-", "+", "~"] {
                programs.push(format!("{u}({v}{x})"));
            }
        }
    }
    for src in &programs {
        check_program(src, &arrays, &[None]);
    }
}
