//! The `jitexpr` binary as a user runs it: output, exit codes, `.npy` round trips,
//! every input form, and rendered errors.

use expect_test::{expect, Expect};
use jitexpr::{npy, Array};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn jitexpr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitexpr")).args(args).output().expect("the jitexpr binary runs")
}

/// Run, and show exit code, stdout and stderr in one string for golden comparison.
fn check(args: &[&str], expect: Expect) {
    let out = jitexpr(args);
    let text = format!(
        "exit {}\n{}{}",
        out.status.code().map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    expect.assert_eq(&text);
}

/// A fresh path in a per-process scratch directory.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("jitexpr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(format!("{}-{name}", N.fetch_add(1, Ordering::Relaxed)))
}

#[test]
fn readme_example_evaluates() {
    check(
        &["eval", "2*a + sin(b)**2 > c", "-i", "a=linspace(0,1,5)", "-i", "b=arange(5)", "-i", "c=1.5"],
        expect![[r#"
            exit 0
            array([False, False,  True,  True,  True])
        "#]],
    );
}

#[test]
fn every_input_form() {
    let file = scratch("in.npy");
    npy::write_file(&file, &Array::from_vec(vec![1i32, 2, 3])).unwrap();
    let file_arg = format!("f={}", file.display());
    check(
        &[
            "eval",
            "f + n + x + t + ar + ls + z + o",
            "-i",
            &file_arg,
            "-i",
            "n=3",
            "-i",
            "x=0.5",
            "-i",
            "t=True",
            "-i",
            "ar=arange(3)",
            "-i",
            "ls=linspace(0, 1, 3)",
            "-i",
            "z=zeros(3)",
            "-i",
            "o=ones(3)",
        ],
        expect![[r#"
            exit 0
            array([ 6.5,  9. , 11.5])
        "#]],
    );
    // random(N, SEED) is deterministic.
    let a = jitexpr(&["eval", "r", "-i", "r=random(4, 42)"]);
    let b = jitexpr(&["eval", "r", "-i", "r=random(4, 42)"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn npy_round_trip_of_result_and_named_outputs() {
    let result = scratch("result.npy");
    let named = scratch("x.npy");
    let out = jitexpr(&[
        "eval",
        "x = a * 2; x + 1",
        "-i",
        "a=arange(4)",
        "-o",
        result.to_str().unwrap(),
        "-o",
        &format!("x={}", named.display()),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "with -o for the result nothing is printed");
    assert_eq!(npy::read_file(&result).unwrap().as_slice::<i64>(), Some(&[1i64, 3, 5, 7][..]));
    assert_eq!(npy::read_file(&named).unwrap().as_slice::<i64>(), Some(&[0i64, 2, 4, 6][..]));
    // And back in as an input.
    check(
        &["eval", "r // 2", "-i", &format!("r={}", result.display())],
        expect![[r#"
            exit 0
            array([0, 1, 2, 3])
        "#]],
    );
}

#[test]
fn emit_stages() {
    check(
        &["eval", "a * 2.5", "--emit", "tokens"],
        expect![[r#"
            exit 0
            Ident(a) 0..1
            * 2..3
            Float(2.5) 4..7
        "#]],
    );
    check(
        &["eval", "-a**2", "--emit", "ast"],
        expect![[r#"
            exit 0
            (- (** a 2))
        "#]],
    );
    check(
        &["eval", "a * 2.5", "-i", "a=arange(3)", "--emit", "ir"],
        expect![[r#"
            exit 0
            inputs: a: int64
            %0 = input a : int64
            %1 = cast %0 : float64
            %2 = const 2.5 : float64
            %3 = multiply %1, %2 : float64
            result = %3
        "#]],
    );
}

#[test]
fn syntax_error_has_caret_and_exit_2() {
    check(
        &["eval", "0 < a < 1", "-i", "a=random(3)"],
        expect![[r#"
            exit 2
            error: comparisons cannot be chained
              |
            1 | 0 < a < 1
              |       ^ write `(0 < a) & (a < 1)`
        "#]],
    );
}

#[test]
fn unknown_variable_suggests_an_input() {
    check(
        &["eval", "a + b", "-i", "a=1"],
        expect![[r#"
            exit 2
            error: unknown name `b`
              |
            1 | a + b
              |     ^ give it a value with `-i b=...`
        "#]],
    );
}

#[test]
fn shape_error_names_both_shapes() {
    check(
        &["eval", "a + b", "-i", "a=arange(3)", "-i", "b=arange(4)"],
        expect![[r#"
            exit 2
            error: operands could not be broadcast together with shapes (3,) (4,)
              |
            1 | a + b
              | ^^^^^
        "#]],
    );
}

#[test]
fn bad_input_argument_is_rendered_against_itself() {
    check(
        &["eval", "a", "-i", "a=linspace(0, 1)"],
        expect![[r#"
            exit 2
            error: linspace takes 3 arguments (start, stop, num), got 2
              |
            1 | a=linspace(0, 1)
              |   ^^^^^^^^^^^^^^
        "#]],
    );
    check(
        &["eval", "a", "-i", "a=1", "-i", "a=2"],
        expect![[r#"
            exit 2
            error: input `a` is given twice
              |
            1 | a=2
              | ^
        "#]],
    );
}

#[test]
fn missing_or_corrupt_file_is_exit_2() {
    let out = jitexpr(&["eval", "a", "-i", "a=/nonexistent/x.npy"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.npy"));

    let bad = scratch("bad.npy");
    std::fs::write(&bad, b"\x93NUMPY\x01\x00\xff\xff{'descr'").unwrap();
    let out = jitexpr(&["eval", "a", "-i", &format!("a={}", bad.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[test]
fn bad_flags_are_exit_2() {
    assert_eq!(jitexpr(&["eval"]).status.code(), Some(2));
    assert_eq!(jitexpr(&["eval", "a", "--engine", "gpu"]).status.code(), Some(2));
    assert_eq!(jitexpr(&["eval", "a", "--emit", "nothing"]).status.code(), Some(2));
    assert_eq!(jitexpr(&["frobnicate"]).status.code(), Some(2));
    check(
        &["eval", "a", "-i", "a=1", "--threads", "0"],
        expect![[r#"
            exit 2
            error: --threads must be at least 1
        "#]],
    );
    check(
        &["eval", "a", "-i", "a=1", "-o", "nosuch=x.npy"],
        expect![[r#"
            exit 2
            error: `nosuch` is not assigned in the program, so it cannot be an output
        "#]],
    );
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(jitexpr(&["--help"]).status.code(), Some(0));
    assert_eq!(jitexpr(&["--version"]).status.code(), Some(0));
}

#[test]
fn every_emit_stage_prints_its_representation() {
    // One marker per dump: a token, an S-expression, an IR node, a rewrite report,
    // a stage report, Cranelift IR, an x86-64 or aarch64 instruction.
    let markers = [
        ("tokens", "Ident"),
        ("ast", "(+"),
        ("ir", "= input a"),
        ("opt", "rewrites:"),
        ("fused", "stage"),
        ("clif", "function"),
        ("asm", "ret"),
    ];
    for (emit, marker) in markers {
        let out = jitexpr(&["eval", "a*2 + 1", "-i", "a=arange(4)", "--emit", emit]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "--emit {emit}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains(marker), "--emit {emit} lacks {marker:?}:\n{text}");
    }
}
