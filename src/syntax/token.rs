//! The lexer: source text to tokens. The only user of the `logos` crate.
//!
//! Input: the expression source (`&str`).
//! Output: a `Vec<Token>`, each with its [`TokenKind`] and byte [`Span`]; or the first
//! lexical error (`ErrorKind::Lex`) with the span of the offending text.
//!
//! Invariants:
//! - spans are non-empty, increasing, and on `char` boundaries;
//! - spaces, tabs, `\r`, `# comments` and backslash-newline continuations produce no
//!   token; every other `\n` is a [`TokenKind::Newline`] (a statement separator, which
//!   the parser ignores inside parentheses);
//! - `and`, `or`, `not` are plain identifiers here; the parser explains them.
//!
//! Malformed numbers (`1e`, `1__0`, `0x10`, `2pi`) are matched whole by a catch-all
//! pattern that is longer than any valid prefix, so the error covers the whole
//! literal instead of splitting it into a number and an identifier.

use crate::diag::{Error, ErrorKind, Result, Span};
use logos::Logos;
use std::fmt;

/// What went wrong while lexing, before the span is attached.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LexError {
    message: String,
    help: Option<String>,
}

impl LexError {
    fn new(message: impl Into<String>, help: Option<&str>) -> LexError {
        LexError { message: message.into(), help: help.map(str::to_string) }
    }

    /// The default error: no pattern matched this character.
    fn unexpected(lex: &mut logos::Lexer<'_, TokenKind>) -> LexError {
        let text = lex.slice();
        let c = text.chars().next().unwrap_or(' ');
        // An invisible character in a message looks like nothing, or a space: name
        // it by its code point instead.
        if is_invisible(c) {
            let name = invisible_name(c).map_or(String::new(), |n| format!(" ({n})"));
            let help = "it looks like a space or nothing at all; delete it, or type an ordinary space";
            return LexError::new(format!("unexpected invisible character U+{:04X}{name}", u32::from(c)), Some(help));
        }
        LexError::new(format!("unexpected character `{c}`"), unexpected_char_help(c))
    }
}

/// Characters that show as nothing or as a space: controls, non-ASCII spaces
/// and Unicode format characters (zero-width spaces and joiners, direction
/// marks, the byte-order mark, the soft hyphen).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && !c.is_ascii())
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// The Unicode name of the invisible characters pasted most often.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00A0}' => "no-break space",
        '\u{00AD}' => "soft hyphen",
        '\u{200B}' => "zero width space",
        '\u{200C}' => "zero width non-joiner",
        '\u{200D}' => "zero width joiner",
        '\u{2009}' => "thin space",
        '\u{202F}' => "narrow no-break space",
        '\u{3000}' => "ideographic space",
        '\u{FEFF}' => "zero width no-break space, a byte-order mark",
        _ => return None,
    })
}

fn unexpected_char_help(c: char) -> Option<&'static str> {
    match c {
        '\\' => Some("a backslash continues a line only when it is the last character on the line"),
        '"' | '\'' => Some("strings are not supported"),
        '[' | ']' | '{' | '}' => Some("indexing and literals with brackets are not supported"),
        '.' => Some("attribute access is not supported; a number needs a digit next to its `.`"),
        '\u{2212}' => Some("this is a Unicode minus sign; use the ASCII `-`"),
        _ => None,
    }
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error(LexError, LexError::unexpected))]
#[logos(subpattern digits = r"[0-9](_?[0-9])*")]
#[logos(subpattern exponent = r"[eE][+-]?(?&digits)")]
#[logos(skip r"[ \t\r\f]+")]
// A comment runs to the end of its line, so reading to `\n` is the intent.
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
#[logos(skip r"\\\r?\n")]
// Text that looks like a number but is not one. Lower priority than the valid
// number patterns, so it only wins when it is strictly longer than them.
#[logos(skip(
    r"[0-9][0-9A-Za-z_]*(\.[0-9A-Za-z_]*)?([eE][+-][0-9A-Za-z_]*)?|\.[0-9][0-9A-Za-z_]*([eE][+-][0-9A-Za-z_]*)?",
    callback = bad_number,
    priority = 1
))]
#[logos(skip("!", callback = bang))]
pub enum TokenKind {
    #[regex(r"(?&digits)", lex_int, priority = 10)]
    Int(u64),
    #[regex(r"(?&digits)\.(?&digits)?(?&exponent)?", lex_float, priority = 10)]
    #[regex(r"\.(?&digits)(?&exponent)?", lex_float, priority = 10)]
    #[regex(r"(?&digits)(?&exponent)", lex_float, priority = 10)]
    Float(f64),
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),
    #[token("True")]
    True,
    #[token("False")]
    False,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token("=")]
    Assign,
    #[token(";")]
    Semi,
    #[token("\n")]
    Newline,
}

/// A token and the bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Split `src` into tokens, or report the first lexical error.
pub fn lex(src: &str) -> Result<Vec<Token>> {
    TokenKind::lexer(src)
        .spanned()
        .map(|(kind, range)| {
            let span = Span::new(range.start, range.end);
            match kind {
                Ok(kind) => Ok(Token { kind, span }),
                Err(e) => {
                    let err = Error::at(ErrorKind::Lex, span, e.message);
                    Err(match e.help {
                        Some(help) => err.with_help(help),
                        None => err,
                    })
                }
            }
        })
        .collect()
}

/// One token per line, `kind start..end` (for `--emit tokens`).
pub fn dump_tokens(tokens: &[Token]) -> String {
    tokens.iter().map(|t| format!("{} {}\n", t.kind, t.span)).collect()
}

fn lex_int(lex: &mut logos::Lexer<'_, TokenKind>) -> Result<u64, LexError> {
    let digits = lex.slice().replace('_', "");
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
        let help = format!("write `{}`", digits.trim_start_matches('0'));
        return Err(LexError::new("leading zeros are not allowed in an integer literal", Some(&help)));
    }
    digits.parse().map_err(|_| {
        LexError::new(
            "integer literal is too large",
            Some("the largest integer literal is 18446744073709551615; write a float such as `1e20` instead"),
        )
    })
}

fn lex_float(lex: &mut logos::Lexer<'_, TokenKind>) -> Result<f64, LexError> {
    // The pattern only admits the forms Rust's parser accepts once `_` is gone
    // (`1.`, `.5`, `1.e5`, `2.5E+10`); overflow gives infinity, as in Python.
    lex.slice()
        .replace('_', "")
        .parse()
        .map_err(|_| LexError::new(format!("malformed number `{}`", crate::diag::excerpt(lex.slice())), None))
}

/// `!` without `=`: Python has no `!` operator, and neither do we.
fn bang(_: &mut logos::Lexer<'_, TokenKind>) -> Result<(), LexError> {
    Err(LexError::new("unexpected character `!`", Some("use `!=` for not-equal, or `~` for logical not")))
}

/// Explain why number-like text is not a number. Always an error.
fn bad_number(lex: &mut logos::Lexer<'_, TokenKind>) -> Result<(), LexError> {
    let text = lex.slice();
    let lower = text.to_ascii_lowercase();
    let msg = format!("malformed number `{}`", crate::diag::excerpt(text));
    let help = if ["0x", "0o", "0b"].iter().any(|p| lower.starts_with(p)) {
        "hexadecimal, octal and binary literals are not supported; write the value in decimal"
    } else if text.contains("__") || text.ends_with('_') || text.contains("_.") || text.contains("._") {
        "`_` may only separate two digits, as in `1_000`"
    } else if lower.ends_with('e') || lower.ends_with("e+") || lower.ends_with("e-") {
        "the exponent needs digits, as in `1e-3`"
    } else {
        "a number cannot be followed directly by a letter; missing an operator, as in `2*x`?"
    };
    Err(LexError::new(msg, Some(help)))
}

impl TokenKind {
    /// The fixed spelling of a punctuation or keyword token; `None` for tokens
    /// that carry a value.
    pub fn symbol(&self) -> Option<&'static str> {
        Some(match self {
            TokenKind::Int(_) | TokenKind::Float(_) | TokenKind::Ident(_) => return None,
            TokenKind::True => "True",
            TokenKind::False => "False",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::SlashSlash => "//",
            TokenKind::Percent => "%",
            TokenKind::StarStar => "**",
            TokenKind::Shl => "<<",
            TokenKind::Shr => ">>",
            TokenKind::Amp => "&",
            TokenKind::Pipe => "|",
            TokenKind::Caret => "^",
            TokenKind::Tilde => "~",
            TokenKind::Lt => "<",
            TokenKind::Le => "<=",
            TokenKind::Gt => ">",
            TokenKind::Ge => ">=",
            TokenKind::EqEq => "==",
            TokenKind::Ne => "!=",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::Comma => ",",
            TokenKind::Assign => "=",
            TokenKind::Semi => ";",
            TokenKind::Newline => "\\n",
        })
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::Int(v) => write!(f, "Int({v})"),
            TokenKind::Float(v) => write!(f, "Float({v:?})"),
            TokenKind::Ident(name) => write!(f, "Ident({name})"),
            TokenKind::Newline => f.write_str("Newline"),
            other => f.write_str(other.symbol().expect("every valueless token has a symbol")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(src: &str, expect: Expect) {
        let actual = match lex(src) {
            Ok(tokens) => dump_tokens(&tokens),
            Err(err) => err.render(src),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn integers_with_underscores() {
        check(
            "42 1_000 0 00 18446744073709551615",
            expect![[r#"
                Int(42) 0..2
                Int(1000) 3..8
                Int(0) 9..10
                Int(0) 11..13
                Int(18446744073709551615) 14..34
            "#]],
        );
    }

    #[test]
    fn floats_in_every_form() {
        check(
            "1. .5 1e-3 2.5E+10 1_000.5 1.e5 1E5 1e400",
            expect![[r#"
                Float(1.0) 0..2
                Float(0.5) 3..5
                Float(0.001) 6..10
                Float(25000000000.0) 11..18
                Float(1000.5) 19..26
                Float(100000.0) 27..31
                Float(100000.0) 32..35
                Float(inf) 36..41
            "#]],
        );
    }

    #[test]
    fn every_operator_and_punctuation() {
        check(
            "+ - * / // % ** << >> & | ^ ~ < <= > >= == != ( ) , = ;",
            expect![[r#"
                + 0..1
                - 2..3
                * 4..5
                / 6..7
                // 8..10
                % 11..12
                ** 13..15
                << 16..18
                >> 19..21
                & 22..23
                | 24..25
                ^ 26..27
                ~ 28..29
                < 30..31
                <= 32..34
                > 35..36
                >= 37..39
                == 40..42
                != 43..45
                ( 46..47
                ) 48..49
                , 50..51
                = 52..53
                ; 54..55
            "#]],
        );
    }

    #[test]
    fn identifiers_keywords_and_python_words() {
        check(
            "a _b c9 True False Trueish and not",
            expect![[r#"
                Ident(a) 0..1
                Ident(_b) 2..4
                Ident(c9) 5..7
                True 8..12
                False 13..18
                Ident(Trueish) 19..26
                Ident(and) 27..30
                Ident(not) 31..34
            "#]],
        );
    }

    #[test]
    fn whitespace_comments_and_continuations_are_skipped() {
        check(
            "a\t+ b # comment\r\nc = \\\n  1\n",
            expect![[r#"
                Ident(a) 0..1
                + 2..3
                Ident(b) 4..5
                Newline 16..17
                Ident(c) 17..18
                = 19..20
                Int(1) 25..26
                Newline 26..27
            "#]],
        );
    }

    #[test]
    fn operators_without_spaces() {
        check(
            "a**-2//3<=b",
            expect![[r#"
                Ident(a) 0..1
                ** 1..3
                - 3..4
                Int(2) 4..5
                // 5..7
                Int(3) 7..8
                <= 8..10
                Ident(b) 10..11
            "#]],
        );
    }

    #[test]
    fn error_unexpected_character() {
        check(
            "a + $b",
            expect![[r#"
                error: unexpected character `$`
                  |
                1 | a + $b
                  |     ^
            "#]],
        );
    }

    #[test]
    fn error_unexpected_non_ascii_character() {
        check(
            "a \u{2212} b",
            expect![[r#"
                error: unexpected character `−`
                  |
                1 | a − b
                  |   ^ this is a Unicode minus sign; use the ASCII `-`
            "#]],
        );
    }

    #[test]
    fn error_invisible_characters_are_named_by_code_point() {
        for (src, message) in [
            ("a +\u{200B} b", "unexpected invisible character U+200B (zero width space)"),
            ("a +\u{00A0}b", "unexpected invisible character U+00A0 (no-break space)"),
            ("a +\u{1}b", "unexpected invisible character U+0001"),
        ] {
            let err = lex(src).unwrap_err();
            assert_eq!(
                (err.message.as_str(), err.span),
                (message, Some(Span::new(3, 3 + src[3..].chars().next().unwrap().len_utf8())))
            );
            assert!(err.help.is_some_and(|h| h.contains("ordinary space")));
        }
    }

    #[test]
    fn error_huge_malformed_number_is_cut_in_the_message() {
        let src = format!("a + {}x", "9".repeat(100_000));
        let err = lex(&src).unwrap_err();
        assert_eq!(err.message, format!("malformed number `{}... (100001 characters)`", "9".repeat(30)));
    }

    #[test]
    fn error_integer_too_large() {
        check(
            "x + 18446744073709551616",
            expect![[r#"
                error: integer literal is too large
                  |
                1 | x + 18446744073709551616
                  |     ^^^^^^^^^^^^^^^^^^^^ the largest integer literal is 18446744073709551615; write a float such as `1e20` instead
            "#]],
        );
    }

    #[test]
    fn error_leading_zeros() {
        check(
            "007",
            expect![[r#"
                error: leading zeros are not allowed in an integer literal
                  |
                1 | 007
                  | ^^^ write `7`
            "#]],
        );
    }

    #[test]
    fn error_exponent_without_digits() {
        check(
            "1e + 2",
            expect![[r#"
                error: malformed number `1e`
                  |
                1 | 1e + 2
                  | ^^ the exponent needs digits, as in `1e-3`
            "#]],
        );
        check(
            "2.5e-",
            expect![[r#"
                error: malformed number `2.5e-`
                  |
                1 | 2.5e-
                  | ^^^^^ the exponent needs digits, as in `1e-3`
            "#]],
        );
    }

    #[test]
    fn error_misplaced_underscore() {
        check(
            "1__0",
            expect![[r#"
                error: malformed number `1__0`
                  |
                1 | 1__0
                  | ^^^^ `_` may only separate two digits, as in `1_000`
            "#]],
        );
        check(
            "a + 1_",
            expect![[r#"
                error: malformed number `1_`
                  |
                1 | a + 1_
                  |     ^^ `_` may only separate two digits, as in `1_000`
            "#]],
        );
    }

    #[test]
    fn error_hex_literal() {
        check(
            "a & 0x10",
            expect![[r#"
                error: malformed number `0x10`
                  |
                1 | a & 0x10
                  |     ^^^^ hexadecimal, octal and binary literals are not supported; write the value in decimal
            "#]],
        );
    }

    #[test]
    fn error_number_followed_by_letter() {
        check(
            "2pi",
            expect![[r#"
                error: malformed number `2pi`
                  |
                1 | 2pi
                  | ^^^ a number cannot be followed directly by a letter; missing an operator, as in `2*x`?
            "#]],
        );
    }

    #[test]
    fn error_bang_alone() {
        check(
            "!a",
            expect![[r#"
                error: unexpected character `!`
                  |
                1 | !a
                  | ^ use `!=` for not-equal, or `~` for logical not
            "#]],
        );
    }

    #[test]
    fn error_backslash_not_at_end_of_line() {
        check(
            "a \\ b",
            expect![[r#"
                error: unexpected character `\`
                  |
                1 | a \ b
                  |   ^ a backslash continues a line only when it is the last character on the line
            "#]],
        );
    }
}
