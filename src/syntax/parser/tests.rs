//! Golden tests of the parser: AST dumps (S-expressions), spans, and rendered errors.

use super::*;
use expect_test::{expect, Expect};
use proptest::prelude::*;

/// The program's S-expression dump, or the error drawn under the source.
fn render(src: &str) -> String {
    match parse(src) {
        Ok(program) => program.to_string(),
        Err(err) => err.render(src),
    }
}

fn check(src: &str, expect: Expect) {
    expect.assert_eq(&render(src));
}

/// One line per input: `input  =>  dump` (statements joined with `; `, newlines in
/// the input shown as `\n`), or the error message, for compact tables of small cases.
fn check_each(srcs: &[&str], expect: Expect) {
    let mut out = String::new();
    for src in srcs {
        let result = match parse(src) {
            Ok(program) => program.to_string().trim_end().replace('\n', "; "),
            Err(err) => format!("error: {}", err.message),
        };
        out.push_str(&format!("{}  =>  {result}\n", src.replace('\n', "\\n")));
    }
    expect.assert_eq(&out);
}

/// Every expression node, indented by depth, with the source text its span covers.
fn check_spans(src: &str, expect: Expect) {
    fn walk(src: &str, e: &Expr, depth: usize, out: &mut String) {
        out.push_str(&format!("{}{}\n", "  ".repeat(depth), &src[e.span.start..e.span.end]));
        for child in children(e) {
            walk(src, child, depth + 1, out);
        }
    }
    let program = parse(src).expect("check_spans takes a valid program");
    let mut out = String::new();
    for stmt in &program.stmts {
        match stmt {
            Stmt::Assign { name, value } => {
                out.push_str(&format!("{} =\n", &src[name.span.start..name.span.end]));
                walk(src, value, 1, &mut out);
            }
            Stmt::Expr(e) => walk(src, e, 0, &mut out),
        }
    }
    expect.assert_eq(&out);
}

fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Name(_) => vec![],
        ExprKind::Unary { operand, .. } => vec![operand],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Call { args, kwargs, .. } => args.iter().chain(kwargs.iter().map(|(_, v)| v)).collect(),
    }
}

#[test]
fn precedence_of_each_pair_of_adjacent_levels() {
    check_each(
        &[
            "a < b | c",
            "a | b < c",
            "a | b ^ c",
            "a ^ b | c",
            "a ^ b & c",
            "a & b ^ c",
            "a & b << c",
            "a >> b & c",
            "a << b + c",
            "a - b >> c",
            "a + b * c",
            "a / b - c",
            "a // b % c",
            "-a * b",
            "a * -b",
            "-a ** b",
            "a ** b * c",
            "a == b + c",
            "a != b & c",
            "2*a+3*b",
        ],
        expect![[r#"
            a < b | c  =>  (< a (| b c))
            a | b < c  =>  (< (| a b) c)
            a | b ^ c  =>  (| a (^ b c))
            a ^ b | c  =>  (| (^ a b) c)
            a ^ b & c  =>  (^ a (& b c))
            a & b ^ c  =>  (^ (& a b) c)
            a & b << c  =>  (& a (<< b c))
            a >> b & c  =>  (& (>> a b) c)
            a << b + c  =>  (<< a (+ b c))
            a - b >> c  =>  (>> (- a b) c)
            a + b * c  =>  (+ a (* b c))
            a / b - c  =>  (- (/ a b) c)
            a // b % c  =>  (% (// a b) c)
            -a * b  =>  (* (- a) b)
            a * -b  =>  (* a (- b))
            -a ** b  =>  (- (** a b))
            a ** b * c  =>  (* (** a b) c)
            a == b + c  =>  (== a (+ b c))
            a != b & c  =>  (!= a (& b c))
            2*a+3*b  =>  (+ (* 2 a) (* 3 b))
        "#]],
    );
}

#[test]
fn associativity() {
    check_each(
        &["a-b-c", "a/b/c", "a//b*c", "a%b%c", "a<<b>>c", "a|b|c", "a&b&c", "a^b^c", "a**b**c", "a**b**c**d"],
        expect![[r#"
            a-b-c  =>  (- (- a b) c)
            a/b/c  =>  (/ (/ a b) c)
            a//b*c  =>  (* (// a b) c)
            a%b%c  =>  (% (% a b) c)
            a<<b>>c  =>  (>> (<< a b) c)
            a|b|c  =>  (| (| a b) c)
            a&b&c  =>  (& (& a b) c)
            a^b^c  =>  (^ (^ a b) c)
            a**b**c  =>  (** a (** b c))
            a**b**c**d  =>  (** a (** b (** c d)))
        "#]],
    );
}

#[test]
fn unary_operators_and_power() {
    check_each(
        &["-a**2", "2**-a", "-2**2", "2**-1", "~a & b", "~(a & b)", "--a", "-+~a", "a**-b**c", "(-a)**2", "-a**-b"],
        expect![[r#"
            -a**2  =>  (- (** a 2))
            2**-a  =>  (** 2 (- a))
            -2**2  =>  (- (** 2 2))
            2**-1  =>  (** 2 (- 1))
            ~a & b  =>  (& (~ a) b)
            ~(a & b)  =>  (~ (& a b))
            --a  =>  (- (- a))
            -+~a  =>  (- (+ (~ a)))
            a**-b**c  =>  (** a (- (** b c)))
            (-a)**2  =>  (** (- a) 2)
            -a**-b  =>  (- (** a (- b)))
        "#]],
    );
}

#[test]
fn literals_and_names() {
    check_each(
        &["42", "1_000", "-5", "1.5", ".5", "1e-3", "True", "False", "pi", "_x1", "18446744073709551615"],
        expect![[r#"
            42  =>  42
            1_000  =>  1000
            -5  =>  (- 5)
            1.5  =>  1.5
            .5  =>  0.5
            1e-3  =>  0.001
            True  =>  True
            False  =>  False
            pi  =>  pi
            _x1  =>  _x1
            18446744073709551615  =>  18446744073709551615
        "#]],
    );
}

#[test]
fn calls_with_positional_and_keyword_arguments() {
    check_each(
        &[
            "f()",
            "f(x, y)",
            "f(a,)",
            "sum(a, axis=1)",
            "sum(a, axis=1,)",
            "f(a, b=1, c=2)",
            "f(x == 1)",
            "where(a > b, a, b)",
            "sin(a)**2 + cos(b)**2",
            "log(1 + exp(a))",
            "-f(x)**2",
        ],
        expect![[r#"
            f()  =>  (call f)
            f(x, y)  =>  (call f x y)
            f(a,)  =>  (call f a)
            sum(a, axis=1)  =>  (call sum a axis=1)
            sum(a, axis=1,)  =>  (call sum a axis=1)
            f(a, b=1, c=2)  =>  (call f a b=1 c=2)
            f(x == 1)  =>  (call f (== x 1))
            where(a > b, a, b)  =>  (call where (> a b) a b)
            sin(a)**2 + cos(b)**2  =>  (+ (** (call sin a) 2) (** (call cos b) 2))
            log(1 + exp(a))  =>  (call log (+ 1 (call exp a)))
            -f(x)**2  =>  (- (** (call f x) 2))
        "#]],
    );
}

#[test]
fn programs_with_semicolons_and_newlines() {
    check(
        "x = a + 1; y = x * 2\n\n# the result\ny - 1\n",
        expect![[r#"
            (= x (+ a 1))
            (= y (* x 2))
            (- y 1)
        "#]],
    );
    check_each(
        &[
            ";;a;;",
            "\n\na\n\n",
            "x = 1; y = 2",
            "x = 1\ny = x",
            "r = (a +\n     b)",
            "f(\n  a,\n  b=1,\n)",
            "a + \\\n b",
        ],
        expect![[r#"
            ;;a;;  =>  a
            \n\na\n\n  =>  a
            x = 1; y = 2  =>  (= x 1); (= y 2)
            x = 1\ny = x  =>  (= x 1); (= y x)
            r = (a +\n     b)  =>  (= r (+ a b))
            f(\n  a,\n  b=1,\n)  =>  (call f a b=1)
            a + \\n b  =>  (+ a b)
        "#]],
    );
}

#[test]
fn spans_cover_the_full_source_text() {
    check_spans(
        "y = -(a + b) * f(x, k=2)**2",
        expect![[r#"
            y =
              -(a + b) * f(x, k=2)**2
                -(a + b)
                  (a + b)
                    a
                    b
                f(x, k=2)**2
                  f(x, k=2)
                    x
                    2
                  2
        "#]],
    );
}

#[test]
fn error_chained_comparison() {
    check(
        "0 < a < 1",
        expect![[r#"
            error: comparisons cannot be chained
              |
            1 | 0 < a < 1
              |       ^ write `(0 < a) & (a < 1)`
        "#]],
    );
    check(
        "x + 1 <= a * 2 == (b)",
        expect![[r#"
            error: comparisons cannot be chained
              |
            1 | x + 1 <= a * 2 == (b)
              |                ^^ write `(x + 1 <= a * 2) & (a * 2 == (b))`
        "#]],
    );
    check(
        "0 < a < ",
        expect![[r#"
            error: comparisons cannot be chained
              |
            1 | 0 < a < 
              |       ^ write `(0 < a) & (a < ...)`
        "#]],
    );
    check_each(
        &["(0 < a) < 1", "a < (b < c)", "a < b | c < d"],
        expect![[r#"
            (0 < a) < 1  =>  (< (< 0 a) 1)
            a < (b < c)  =>  (< a (< b c))
            a < b | c < d  =>  error: `|` binds more tightly than comparisons; parenthesize each comparison
        "#]],
    );
}

#[test]
fn error_hint_bitwise_between_comparisons_parenthesizes_each_comparison() {
    check(
        "a < 1 | b > 2",
        expect![[r#"
            error: `|` binds more tightly than comparisons; parenthesize each comparison
              |
            1 | a < 1 | b > 2
              |       ^ write `(a < 1) | (b > 2)`
        "#]],
    );
    check(
        "x >= 0 & y != 3",
        expect![[r#"
            error: `&` binds more tightly than comparisons; parenthesize each comparison
              |
            1 | x >= 0 & y != 3
              |        ^ write `(x >= 0) & (y != 3)`
        "#]],
    );
    // Parenthesized on purpose: still a chain.
    check(
        "a < (1 | b) > 2",
        expect![[r#"
            error: comparisons cannot be chained
              |
            1 | a < (1 | b) > 2
              |             ^ write `(a < (1 | b)) & ((1 | b) > 2)`
        "#]],
    );
}

#[test]
fn error_expected_an_expression() {
    check(
        "a + )",
        expect![[r#"
            error: expected an expression, found `)`
              |
            1 | a + )
              |     ^
        "#]],
    );
    check(
        "2 * (a + ",
        expect![[r#"
            error: expected an expression, found end of input
              |
            1 | 2 * (a + 
              |          ^
        "#]],
    );
    check(
        "x = a +\n  b",
        expect![[r#"
            error: expected an expression, found a newline
              |
            1 | x = a +
              |        ^ to continue on the next line, end this line with `\` or wrap the expression in parentheses
        "#]],
    );
    check(
        "f(a, , b)",
        expect![[r#"
            error: expected an expression, found `,`
              |
            1 | f(a, , b)
              |      ^
        "#]],
    );
}

#[test]
fn error_unclosed_parenthesis_points_at_it() {
    check(
        "2 * (a + b",
        expect![[r#"
            error: unexpected end of input: expected `)`
              |
            1 | 2 * (a + b
              |     ^ this `(` is never closed
        "#]],
    );
    check(
        "sum(a, axis=1",
        expect![[r#"
            error: unexpected end of input: expected `)`
              |
            1 | sum(a, axis=1
              |    ^ this `(` is never closed
        "#]],
    );
    check(
        "f(a,\n",
        expect![[r#"
            error: unexpected end of input: expected `)`
              |
            1 | f(a,
              |  ^ this `(` is never closed
        "#]],
    );
}

#[test]
fn error_missing_operator_and_stray_tokens() {
    check(
        "a 3",
        expect![[r#"
            error: unexpected token `3` after expression; missing an operator?
              |
            1 | a 3
              |   ^
        "#]],
    );
    check(
        "f(a b)",
        expect![[r#"
            error: unexpected token `b` after expression; missing an operator?
              |
            1 | f(a b)
              |     ^
        "#]],
    );
    check(
        "a + b)",
        expect![[r#"
            error: unmatched `)`
              |
            1 | a + b)
              |      ^
        "#]],
    );
    check(
        "x = (a +\n  b\ny = 2",
        expect![[r#"
            error: unexpected token `y` after expression; missing an operator?
              |
            3 | y = 2
              | ^ a `(` before this line is still open, so the line break did not end the statement; missing a `)`?
        "#]],
    );
    check(
        "(a, b)",
        expect![[r#"
            error: expected `)`, found `,`
              |
            1 | (a, b)
              |   ^
        "#]],
    );
    check(
        "a, b",
        expect![[r#"
            error: expected `;` or a newline, found `,`
              |
            1 | a, b
              |  ^
        "#]],
    );
}

#[test]
fn error_only_a_name_can_be_called() {
    check(
        "(a)(b)",
        expect![[r#"
            error: `(a)` cannot be called: only a function name can be called
              |
            1 | (a)(b)
              |    ^ missing an operator before the `(`?
        "#]],
    );
    check_each(
        &["2(3)", "f(x)(y)", "True(1)", "a (b)"],
        expect![[r#"
            2(3)  =>  error: `2` cannot be called: only a function name can be called
            f(x)(y)  =>  error: `f(x)` cannot be called: only a function name can be called
            True(1)  =>  error: `True` cannot be called: only a function name can be called
            a (b)  =>  (call a b)
        "#]],
    );
}

#[test]
fn error_keyword_arguments() {
    check(
        "where(a = 1, x, y)",
        expect![[r#"
            error: positional argument after a keyword argument
              |
            1 | where(a = 1, x, y)
              |              ^ arguments after `a=` need names too; to compare, use `==`
        "#]],
    );
    check(
        "sum(a, axis=0, axis=1)",
        expect![[r#"
            error: duplicate keyword argument `axis`
              |
            1 | sum(a, axis=0, axis=1)
              |                ^^^^
        "#]],
    );
}

#[test]
fn error_statements() {
    check(
        "a + 1; b",
        expect![[r#"
            error: only the last statement may be a bare expression; assign it to a name
              |
            1 | a + 1; b
              | ^^^^^ e.g. `t = a + 1`
        "#]],
    );
    check(
        "x = 1\na + 1 = 2",
        expect![[r#"
            error: cannot assign to `a + 1`
              |
            2 | a + 1 = 2
              | ^^^^^ only a name can be assigned to; to compare, use `==`
        "#]],
    );
    check(
        "True = 1",
        expect![[r#"
            error: cannot assign to `True`
              |
            1 | True = 1
              | ^^^^ `True` and `False` are constants; to compare, use `==`
        "#]],
    );
    check(
        "x = y = 1",
        expect![[r#"
            error: unexpected `=` after expression
              |
            1 | x = y = 1
              |       ^ to compare, use `==`; `=` assigns to a name at the start of a statement
        "#]],
    );
    check(
        "where((a = 1), x, y)",
        expect![[r#"
            error: unexpected `=` after expression
              |
            1 | where((a = 1), x, y)
              |          ^ to compare, use `==`; `=` assigns to a name at the start of a statement
        "#]],
    );
}

#[test]
fn error_empty_program() {
    for src in ["", "  ", "\n;\n", "# only a comment"] {
        expect![[r#"
            error: empty expression
              = help: write an expression such as `2*a + b`
        "#]]
        .assert_eq(&render(src));
    }
}

#[test]
fn error_python_boolean_words() {
    check(
        "(a < 1) and (b > 2)",
        expect![[r#"
            error: Python's `and` is not supported
              |
            1 | (a < 1) and (b > 2)
              |         ^^^ use `&` with parentheses around comparisons, as in numexpr: `(a < 1) & (b > 2)`
        "#]],
    );
    check(
        "not a",
        expect![[r#"
            error: Python's `not` is not supported
              |
            1 | not a
              | ^^^ use `~` with parentheses, as in numexpr: `~(a < 1)`
        "#]],
    );
    check_each(
        &["a or b", "f(a and b)", "x if c else y", "and = 1", "notes + 1"],
        expect![[r#"
            a or b  =>  error: Python's `or` is not supported
            f(a and b)  =>  error: Python's `and` is not supported
            x if c else y  =>  error: conditional expressions are not supported
            and = 1  =>  error: Python's `and` is not supported
            notes + 1  =>  (+ notes 1)
        "#]],
    );
}

#[test]
fn lexer_errors_pass_through() {
    check(
        "a ! b",
        expect![[r#"
            error: unexpected character `!`
              |
            1 | a ! b
              |   ^ use `!=` for not-equal, or `~` for logical not
        "#]],
    );
}

fn assert_too_deep(src: &str) -> Span {
    let err = parse(src).expect_err("nesting beyond the limit must be refused");
    assert_eq!(err.kind, ErrorKind::Parse);
    assert_eq!(err.message, "expression is nested too deeply (limit 200)");
    err.span.expect("the depth error points at the level that is too deep")
}

#[test]
fn depth_limit_refuses_deep_nesting_without_overflowing() {
    let n = 100_000;
    assert_too_deep(&"(".repeat(n));
    assert_too_deep(&format!("{}a{}", "(".repeat(n), ")".repeat(n)));
    assert_too_deep(&format!("{}a", "-".repeat(n)));
    assert_too_deep(&format!("{}a", "a**".repeat(n)));
    assert_too_deep(&format!("{}a", "a+".repeat(n)));
    assert_too_deep(&format!("{}a{}", "f(".repeat(n), ")".repeat(n)));
    assert_too_deep(&format!("{}a{}", "(a+".repeat(n), ")".repeat(n)));
}

#[test]
fn depth_limit_is_exactly_max_depth() {
    let ok = |src: String| assert!(parse(&src).is_ok(), "{src}");
    let d = MAX_DEPTH;
    ok(format!("{}a{}", "(".repeat(d), ")".repeat(d)));
    assert_eq!(assert_too_deep(&format!("{}a{}", "(".repeat(d + 1), ")".repeat(d + 1))), Span::new(d, d + 1));
    ok(format!("{}a", "-".repeat(d)));
    assert_too_deep(&format!("{}a", "-".repeat(d + 1)));
    ok(format!("{}a", "a**".repeat(d)));
    assert_too_deep(&format!("{}a", "a**".repeat(d + 1)));
    ok(format!("{}a", "a+".repeat(d)));
    // The chain is refused at the operator that makes it one level too deep.
    assert_eq!(assert_too_deep(&format!("{}a", "a+".repeat(d + 1))), Span::new(2 * d + 1, 2 * d + 2));
    // Left-nested parenthesized chains: heights add up even though each chain
    // parses without recursion.
    ok(format!("{}a{}", "(".repeat(d / 2), "+a)".repeat(d / 2)));
    assert_too_deep(&format!("{}a{}", "(".repeat(d / 2 + 1), "+a)".repeat(d / 2 + 1)));
}

/// Regression: unoptimized builds once spent ~10 KiB of stack per nesting level, so
/// `MAX_DEPTH` nested calls overflowed a 2 MiB test thread. The recursive path now
/// keeps its frames small; pin that with half the default thread stack.
#[test]
fn max_depth_fits_in_one_mebibyte_of_stack() {
    let d = MAX_DEPTH;
    let deepest = [
        format!("{}a{}", "f(".repeat(d), ")".repeat(d)),
        format!("{}a{}", "f(x, k=".repeat(d), ")".repeat(d)),
        format!("{}a{}", "(".repeat(d), ")".repeat(d)),
        format!("{}a", "-".repeat(d)),
        format!("{}a", "a**".repeat(d)),
        format!("{}a{}", "(a+".repeat(d / 2), ")".repeat(d / 2)),
    ];
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            for src in &deepest {
                assert!(parse(src).is_ok(), "{src}");
                assert_too_deep(&format!("({src})"));
            }
        })
        .expect("spawn a thread")
        .join()
        .expect("parsing at the depth limit fits in 1 MiB of stack");
}

/// Every node's span lies inside its parent's, and inside the source.
fn assert_spans_nest(src: &str, e: &Expr) {
    assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{src:?}: {}", e.span);
    for child in children(e) {
        assert!(e.span.start <= child.span.start && child.span.end <= e.span.end, "{src:?}");
        assert_spans_nest(src, child);
    }
}

fn token_soup() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "a", "b1", "f", "sum", "axis", "and", "not", "True", "0", "42", "1.5", ".5", "1e3", "1e", "0x1", "+", "-", "*",
        "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "~", "<", "<=", ">", ">=", "==", "!=", "!", "(", ")", ",",
        "=", ";", "\n", " ", "#", "\\\n", "\\", "$", "é",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn parse_never_panics_on_token_soup(src in token_soup()) {
        if let Ok(program) = parse(&src) {
            for stmt in &program.stmts {
                match stmt {
                    Stmt::Assign { value, .. } => assert_spans_nest(&src, value),
                    Stmt::Expr(e) => assert_spans_nest(&src, e),
                }
            }
        }
    }

    #[test]
    fn parse_never_panics_on_arbitrary_text(src in "\\PC{0,60}") {
        let _ = parse(&src);
    }
}

#[test]
fn limits_on_source_length_and_statements_are_errors() {
    let long = format!("a{}", " ".repeat(MAX_SOURCE_BYTES));
    assert_eq!(parse(&long).unwrap_err().kind, ErrorKind::Limit);
    let many = "x = 1\n".repeat(MAX_STATEMENTS);
    assert!(parse(&many).is_ok());
    let err = parse(&format!("{many}x")).unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Limit, "more than 100000 statements"));
}
