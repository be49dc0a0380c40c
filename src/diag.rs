//! Spans and diagnostics: the one error type of every stage.
//!
//! Input: byte offsets produced by the lexer and carried through the AST and IR.
//! Output: [`Error`] values (data, not strings) that [`Error::render`] draws as a
//! one-line `error: ...` followed by the offending source line with `^^^` under the
//! span, the way rustc and regex-syntax do.
//!
//! Every stage reports errors of the same shape (kind, message, optional span,
//! optional help), so there is one struct with an [`ErrorKind`] instead of one type
//! per stage; the kind says which stage (and which class of mistake) produced it.

use std::fmt;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Which stage, and which class of mistake, an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A character or literal the lexer cannot read.
    Lex,
    /// A token sequence that is not a program.
    Parse,
    /// An unknown variable or function, or a name used wrongly.
    Name,
    /// Wrong number or kind of arguments to a function.
    Arity,
    /// An operation not defined for the operand dtypes.
    Type,
    /// Shapes that do not broadcast, a bad axis, an empty reduction.
    Shape,
    /// A value out of range (an int literal that does not fit, a bad constant).
    Value,
    /// A missing, malformed or unsupported input (file, generator, array).
    Input,
    /// A file that could not be read or written.
    Io,
    /// A command-line flag that is missing or malformed.
    Usage,
    /// A documented limit was exceeded (source length, statements, dimensions,
    /// element count, threads; see README).
    Limit,
    /// Memory for an array could not be allocated.
    Memory,
    /// The operating system refused to start a worker thread.
    Thread,
    /// A bug in jitexpr: code generation failed, or a program broke an IR
    /// invariant. Never caused by user input; please report it.
    Internal,
}

impl ErrorKind {
    /// The kind's name as the CLI prints it (`parse`, `type`, `shape`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Lex => "lex",
            ErrorKind::Parse => "parse",
            ErrorKind::Name => "name",
            ErrorKind::Arity => "arity",
            ErrorKind::Type => "type",
            ErrorKind::Shape => "shape",
            ErrorKind::Value => "value",
            ErrorKind::Input => "input",
            ErrorKind::Io => "io",
            ErrorKind::Usage => "usage",
            ErrorKind::Limit => "limit",
            ErrorKind::Memory => "memory",
            ErrorKind::Thread => "thread",
            ErrorKind::Internal => "internal",
        }
    }
}

/// An error: what went wrong, where (if it has a place in the source) and how to
/// fix it (if we know).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The stage or class of mistake.
    pub kind: ErrorKind,
    /// What went wrong, for humans (no location: that is `span`).
    pub message: String,
    /// The bytes of the source the error is about, when it has a place there.
    pub span: Option<Span>,
    /// A short hint shown after the caret, e.g. "did you mean `sin`?".
    pub help: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error without a place in the source.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), span: None, help: None }
    }

    /// An error about the source bytes `span`.
    pub fn at(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), span: Some(span), help: None }
    }

    /// The error with a hint of what to do instead.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// Attach a span if the error has none yet (used when an inner routine that
    /// knows nothing of the source reports a problem about a node that does).
    pub fn or_at(mut self, span: Span) -> Error {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// Draw the error against `source` (the text the spans point into):
    ///
    /// ```text
    /// error: unknown function `sine`
    ///   |
    /// 1 | 2*a + sine(b)
    ///   |       ^^^^ did you mean `sin`?
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}\n", self.message);
        let Some(span) = self.span else {
            if let Some(help) = &self.help {
                out.push_str(&format!("  = help: {help}\n"));
            }
            return out;
        };
        let start = clamp_to_char_boundary(source, span.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let line_no = source[..line_start].matches('\n').count() + 1;
        let gutter = line_no.to_string();
        let pad = " ".repeat(gutter.len());
        let end = clamp_to_char_boundary(source, span.end.clamp(start, line_end));
        let shown = excerpt_line(&source[line_start..line_end], start - line_start, end - line_start);
        out.push_str(&format!("{pad} |\n{gutter} | {}\n{pad} | ", shown.line));
        out.push_str(&" ".repeat(shown.caret_col));
        out.push_str(&"^".repeat(shown.caret_width));
        if let Some(help) = &self.help {
            out.push(' ');
            out.push_str(help);
        }
        out.push('\n');
        out
    }
}

/// The most characters of a source line a diagnostic shows; a longer line is cut
/// to a window around the caret, with `...` where text was left out.
const MAX_SHOWN: usize = 100;
/// How much of the line before the caret a cut line keeps.
const SHOWN_BEFORE: usize = 30;
/// Columns a tab is drawn as (tabs are drawn as spaces so the caret lines up).
const TAB: usize = 4;

/// A source line as drawn, and where the caret goes under it.
struct ShownLine {
    line: String,
    caret_col: usize,
    caret_width: usize,
}

/// Draw `line` with a caret under bytes `start..end`: tabs as spaces, columns
/// in characters (so the caret lines up under non-ASCII text), at most
/// [`MAX_SHOWN`] characters around the caret.
fn excerpt_line(line: &str, start: usize, end: usize) -> ShownLine {
    let chars: Vec<char> = line.chars().collect();
    let col = line[..start].chars().count();
    let width = line[start..end].chars().count().max(1);
    let (lo, hi) = if chars.len() <= MAX_SHOWN {
        (0, chars.len())
    } else {
        let lo = col.saturating_sub(SHOWN_BEFORE).min(chars.len() - MAX_SHOWN);
        (lo, lo + MAX_SHOWN)
    };
    let mut shown = ShownLine { line: String::new(), caret_col: 0, caret_width: 0 };
    if lo > 0 {
        shown.line.push_str("...");
        shown.caret_col += 3;
    }
    for (i, &c) in chars.iter().enumerate().take(hi).skip(lo) {
        let cols = if c == '\t' { TAB } else { 1 };
        if c == '\t' {
            shown.line.push_str(&" ".repeat(TAB));
        } else {
            shown.line.push(c);
        }
        if i < col {
            shown.caret_col += cols;
        } else if i < col + width {
            shown.caret_width += cols;
        }
    }
    if hi < chars.len() {
        shown.line.push_str("...");
    }
    // A caret at the end of the line (or past the window) still shows.
    shown.caret_width = shown.caret_width.max(1);
    shown
}

/// Source text quoted in a message, cut to its first characters if it is long
/// (a 100 KB literal or name would otherwise be echoed whole).
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    let n = text.chars().count();
    if n <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX - 10).collect();
    format!("{head}... ({n} characters)")
}

fn clamp_to_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn render_points_at_span_with_help() {
        let err =
            Error::at(ErrorKind::Name, Span::new(6, 10), "unknown function `sine`").with_help("did you mean `sin`?");
        expect![[r#"
            error: unknown function `sine`
              |
            1 | 2*a + sine(b)
              |       ^^^^ did you mean `sin`?
        "#]]
        .assert_eq(&err.render("2*a + sine(b)"));
    }

    #[test]
    fn render_second_line_of_program() {
        let src = "x = a + 1\ny = x +* 2";
        let err = Error::at(ErrorKind::Parse, Span::new(17, 18), "expected an expression, found `*`");
        expect![[r#"
            error: expected an expression, found `*`
              |
            2 | y = x +* 2
              |        ^
        "#]]
        .assert_eq(&err.render(src));
    }

    #[test]
    fn render_span_at_end_of_input_draws_one_caret() {
        let err = Error::at(ErrorKind::Parse, Span::new(4, 4), "unexpected end of input");
        expect![[r#"
            error: unexpected end of input
              |
            1 | a + 
              |     ^
        "#]]
        .assert_eq(&err.render("a + "));
    }

    #[test]
    fn render_caret_after_a_tab_lines_up() {
        let err = Error::at(ErrorKind::Name, Span::new(5, 6), "unknown name `b`");
        expect![[r#"
            error: unknown name `b`
              |
            1 |     a + b
              |         ^
        "#]]
        .assert_eq(&err.render("\ta + b"));
    }

    #[test]
    fn render_long_line_is_cut_around_the_caret() {
        let src = format!("{} + $ + {}", "a".repeat(50_000), "b".repeat(50_000));
        let err = Error::at(ErrorKind::Lex, Span::new(50_003, 50_004), "unexpected character `$`");
        let shown = err.render(&src);
        assert!(shown.len() < 400, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[3].find('^').expect("a caret");
        assert_eq!(lines[2].as_bytes()[caret], b'$', "{shown}");
        assert!(lines[2].starts_with("1 | ...") && lines[2].ends_with("..."), "{shown}");
        assert_eq!(excerpt(&"9".repeat(1000)), format!("{}... (1000 characters)", "9".repeat(30)));
    }

    #[test]
    fn render_without_span() {
        let err = Error::new(ErrorKind::Io, "cannot read `x.npy`: not found");
        expect![[r#"
            error: cannot read `x.npy`: not found
        "#]]
        .assert_eq(&err.render(""));
    }
}
