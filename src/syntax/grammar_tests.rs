//! `grammar/jitexpr.ebnf` is normative: every example in it parses to the dump it
//! shows, every error example fails with the message it shows, and its precedence
//! table agrees with the binding powers in `src/syntax/ops.rs`.

use super::ops::{BinaryOp, UnaryOp};
use super::parse;

const GRAMMAR: &str = include_str!("../../grammar/jitexpr.ebnf");

/// One `/* example: ... */` or `/* error example: ... */` line.
struct Example {
    /// 1-based line in the grammar file, for failure messages.
    line: usize,
    source: String,
    /// The dump (or, for an error example, the message) after ` => `.
    expected: Option<String>,
    is_error: bool,
}

/// `\n` is a newline and `\\` a backslash; any other escape is a mistake in the file.
fn unescape(text: &str, line: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            other => panic!("grammar line {line}: unknown escape `\\{}`", other.map(String::from).unwrap_or_default()),
        }
    }
    out
}

fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for (i, text) in GRAMMAR.lines().enumerate() {
        let line = i + 1;
        let (body, is_error) = if let Some(body) = text.strip_prefix("/* example: ") {
            (body, false)
        } else if let Some(body) = text.strip_prefix("/* error example: ") {
            (body, true)
        } else {
            continue;
        };
        let body = body.strip_suffix(" */").unwrap_or_else(|| panic!("grammar line {line}: end an example with ` */`"));
        assert!(!body.contains("*/"), "grammar line {line}: `*/` inside an example would end the comment");
        let (source, expected) = match body.rsplit_once(" => ") {
            Some((source, expected)) => (source, Some(expected.to_string())),
            None => (body, None),
        };
        out.push(Example { line, source: unescape(source, line), expected, is_error });
    }
    out
}

/// The S-expression dump on one line, statements joined by `; `.
fn dump(source: &str) -> Result<String, String> {
    parse(source).map(|p| p.to_string().trim_end().replace('\n', "; ")).map_err(|e| e.message)
}

#[test]
fn the_grammar_has_examples_of_both_kinds() {
    let all = examples();
    let errors = all.iter().filter(|e| e.is_error).count();
    assert!(all.len() - errors >= 30, "only {} examples", all.len() - errors);
    assert!(errors >= 10, "only {errors} error examples");
}

#[test]
fn every_example_parses_to_its_dump() {
    let mut failures = Vec::new();
    for ex in examples().iter().filter(|e| !e.is_error) {
        match (dump(&ex.source), &ex.expected) {
            (Ok(got), Some(want)) if got != *want => {
                failures.push(format!("line {}: {:?}\n  want {want}\n  got  {got}", ex.line, ex.source))
            }
            (Ok(_), _) => {}
            (Err(msg), _) => failures.push(format!("line {}: {:?} fails: {msg}", ex.line, ex.source)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_example_fails_with_its_message() {
    let mut failures = Vec::new();
    for ex in examples().iter().filter(|e| e.is_error) {
        let want = ex.expected.as_deref().unwrap_or_else(|| panic!("line {}: give the error message", ex.line));
        match dump(&ex.source) {
            Err(got) if got == want => {}
            Err(got) => failures.push(format!("line {}: {:?}\n  want {want}\n  got  {got}", ex.line, ex.source)),
            Ok(got) => failures.push(format!("line {}: {:?} parses as {got}", ex.line, ex.source)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One `/* prec <level> <assoc> : <operators> */` line.
struct Level {
    line: usize,
    assoc: String,
    ops: Vec<String>,
}

fn precedence_table() -> Vec<Level> {
    let mut levels = Vec::new();
    for (i, text) in GRAMMAR.lines().enumerate() {
        let Some(body) = text.strip_prefix("/* prec ").and_then(|b| b.strip_suffix(" */")) else {
            continue;
        };
        let (head, ops) = body.split_once(':').unwrap_or_else(|| panic!("grammar line {}: no `:`", i + 1));
        let mut head = head.split_whitespace();
        let number: usize = head.next().and_then(|n| n.parse().ok()).expect("a level number");
        assert_eq!(number, levels.len() + 1, "grammar line {}: levels are numbered 1, 2, ...", i + 1);
        let assoc = head.next().expect("an associativity").to_string();
        levels.push(Level { line: i + 1, assoc, ops: ops.split_whitespace().map(String::from).collect() });
    }
    levels
}

/// How tightly a level binds: the left binding power of its binary operators, or
/// the binding power of its prefix operators.
fn strength(level: &Level) -> u8 {
    let powers: Vec<u8> = level
        .ops
        .iter()
        .map(|sym| match level.assoc.as_str() {
            "prefix" => {
                let sym = sym.strip_suffix('x').expect("prefix operators are written `-x`");
                let op = UnaryOp::ALL.into_iter().find(|op| op.symbol() == sym).expect("a unary operator");
                op.binding_power()
            }
            assoc => {
                let op = BinaryOp::ALL.into_iter().find(|op| op.symbol() == sym).expect("a binary operator");
                let (left, right) = op.binding_power();
                match assoc {
                    "left" => assert!(right > left, "line {}: `{sym}` is not left-associative", level.line),
                    "right" => assert!(right < left, "line {}: `{sym}` is not right-associative", level.line),
                    "none" => assert!(op.is_comparison() && right > left, "line {}: `{sym}`", level.line),
                    other => panic!("line {}: unknown associativity `{other}`", level.line),
                }
                left
            }
        })
        .collect();
    assert!(powers.windows(2).all(|w| w[0] == w[1]), "line {}: one level, one binding power", level.line);
    powers[0]
}

#[test]
fn precedence_table_matches_the_binding_powers() {
    let levels = precedence_table();
    let strengths: Vec<u8> = levels.iter().map(strength).collect();
    assert!(strengths.windows(2).all(|w| w[0] < w[1]), "levels must bind ever tighter: {strengths:?}");
    let listed: Vec<&str> = levels.iter().flat_map(|l| l.ops.iter().map(|s| s.trim_end_matches('x'))).collect();
    for sym in BinaryOp::ALL.map(BinaryOp::symbol).into_iter().chain(UnaryOp::ALL.map(UnaryOp::symbol)) {
        let n = listed.iter().filter(|s| **s == sym).count();
        let binary_and_unary = ["-", "+"].contains(&sym);
        assert_eq!(n, if binary_and_unary { 2 } else { 1 }, "`{sym}` in the precedence table");
    }
}

#[test]
fn every_operator_is_a_terminal_of_the_grammar() {
    for op in BinaryOp::ALL {
        assert!(GRAMMAR.contains(&format!("\"{}\"", op.symbol())), "`{}` missing", op.symbol());
    }
    for op in UnaryOp::ALL {
        assert!(GRAMMAR.contains(&format!("\"{}\"", op.symbol())), "`{}` missing", op.symbol());
    }
}
