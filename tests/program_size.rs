//! Programs far larger than anyone writes by hand: every engine configuration
//! runs them to the interpreter's bits, on the calling thread's 2 MiB test
//! stack and on 2 MiB workers.
//!
//! Regression tests for issue #11, defect 1: a kernel's stack frame grew with
//! the program (a 512-element buffer per vmath call, on the stack), so a
//! 450-statement program took a 9 MB frame and crashed with SIGSEGV, and a
//! 150-term sum overflowed a worker's stack. Frames are now bounded (fusion
//! splits a kernel past `MAX_KERNEL_NODES`, buffers shrink their block), and
//! every pass over the program is iterative or bounded by the parser's depth
//! limit.

use jitexpr::{Array, DType, Data, Engine, ErrorKind, EvalConfig, Expr};

/// Every engine configuration: the interpreter, the JIT unfused and fused, on
/// 1 and 2 threads, with small tasks so that 2 threads share the work. The
/// optimizer is off in most, so that repeated terms are not merged away and
/// kernels stay as large as the program.
fn configs() -> Vec<(String, EvalConfig)> {
    let mut v = vec![("interp".to_string(), EvalConfig { engine: Engine::Interp, ..EvalConfig::default() })];
    for (fuse, optimize) in [(false, false), (true, false), (true, true)] {
        for threads in [1, 2] {
            let config = EvalConfig {
                engine: Engine::Jit,
                fuse,
                optimize,
                threads: Some(threads),
                chunk: Some(64),
                ..EvalConfig::default()
            };
            v.push((format!("jit fuse={fuse} optimize={optimize} threads={threads}"), config));
        }
    }
    v
}

/// Bit equality, any NaN equal to any NaN (see tests/jit.rs).
fn same_bits(a: &Array, b: &Array) -> bool {
    a.shape() == b.shape()
        && match (a.data(), b.data()) {
            (Data::Float64(x), Data::Float64(y)) => {
                x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
            }
            (x, y) => x == y,
        }
}

fn input(n: usize) -> Array {
    Array::from_vec((0..n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.3).collect::<Vec<_>>())
}

/// Run `source` on `a` (n elements) in every configuration; all equal the interpreter's.
fn check(source: &str, n: usize) {
    let compiled = Expr::parse(source).unwrap().compile(&[("a", DType::Float64)]).unwrap();
    let a = input(n);
    let mut want: Option<Array> = None;
    for (name, config) in configs() {
        let got = compiled.eval_with(&[("a", &a)], &[None], &config).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = got.into_iter().next().expect("one output");
        match &want {
            None => want = Some(got),
            Some(w) => assert!(same_bits(w, &got), "{name} differs from the interpreter"),
        }
    }
}

/// `(t0 + t1) + (t2 + t3) ...` over `terms`, split at the middle.
fn balanced(terms: &[String]) -> String {
    match terms {
        [t] => t.clone(),
        _ => {
            let (l, r) = terms.split_at(terms.len() / 2);
            format!("({} + {})", balanced(l), balanced(r))
        }
    }
}

/// The first reproducer: 449 statements of three vmath calls each took
/// a 9 MB frame and crashed (exit 139).
#[test]
fn four_hundred_fifty_math_statements_ran_out_of_stack() {
    let body: Vec<String> = (1..450).map(|i| format!("x{i} = sin(x{p}) * cos(x{p}) + exp(-x{p})", p = i - 1)).collect();
    check(&format!("x0 = a; {}", body.join("; ")), 10);
}

/// The second: 2,000 statements of `x = x/1.5 + x*x - 0.5` (a vmath division
/// each) crashed with a 16 MB frame.
#[test]
fn two_thousand_division_statements_ran_out_of_stack() {
    check(&format!("x = a; {}", vec!["x = x/1.5 + x*x - 0.5"; 2000].join("; ")), 10);
}

/// The third: a balanced 150-term sum of `sin(a*k1)*cos(a*k2)` overflowed a
/// worker thread's stack (2.4 MB frame; fine on the larger main thread).
#[test]
fn balanced_sum_of_150_products_overflowed_a_worker_stack() {
    let terms: Vec<String> =
        (0..150).map(|i| format!("sin(a*{}) * cos(a*{})", 0.1 + i as f64 / 97.0, 1.9 - i as f64 / 83.0)).collect();
    check(&balanced(&terms), 1000);
}

#[test]
fn five_thousand_statement_programs_run_everywhere() {
    check(&format!("x = a; {}", vec!["x = x*0.5 + a"; 5000].join("; ")), 100);
    check(&format!("x = a; {}", vec!["x = sin(x)*0.5 + a"; 5000].join("; ")), 100);
}

/// A 10,000-term flat sum as statements: a left-deep IR 10,000 nodes deep.
#[test]
fn ten_thousand_term_flat_sum_runs_everywhere() {
    check(&format!("x = a; {}", vec!["x = x + a"; 9999].join("; ")), 100);
}

/// In one expression the flat sum is a parse error (too deep), not a crash.
#[test]
fn ten_thousand_term_flat_expression_is_a_clear_error() {
    let e = Expr::parse(&vec!["a"; 10_000].join(" + ")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert!(e.message.contains("nested too deeply"), "{}", e.message);
}

#[test]
fn ten_thousand_term_balanced_sum_runs_everywhere() {
    check(&balanced(&vec!["a".to_string(); 10_000]), 100);
    let terms: Vec<String> = (0..10_000).map(|i| format!("a*{}", i % 7 + 1)).collect();
    check(&balanced(&terms), 100);
}

/// 1,000 reductions of one level: more accumulators than one kernel may carry.
#[test]
fn a_thousand_reductions_in_one_level_run_everywhere() {
    check(&balanced(&vec!["sum(a*a)".to_string(); 1000]), 1000);
    check(&balanced(&vec!["max(a)".to_string(); 1000]), 1000);
}
