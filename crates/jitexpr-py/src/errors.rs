//! The one boundary where jitexpr's errors (data: kind, message, span) become
//! Python exceptions, as pydantic-core maps its errors.
//!
//! Syntax errors (lex, parse) → `SyntaxError` whose message is the caret
//! diagnostic and whose `lineno`/`offset` point at the span; unknown names →
//! `KeyError`; dtype and operation errors → `TypeError`; shape, broadcast, axis
//! and value errors → `ValueError`; I/O → `OSError`.

use jitexpr::{Error, ErrorKind};
use pyo3::exceptions::{PyKeyError, PyOSError, PySyntaxError, PyTypeError, PyValueError};
use pyo3::PyErr;

/// `e`, raised about `source` (the expression text the span points into).
pub fn to_py(e: &Error, source: &str) -> PyErr {
    let rendered = e.render(source);
    match e.kind {
        ErrorKind::Lex | ErrorKind::Parse => syntax_error(e, source, rendered),
        ErrorKind::Name => PyKeyError::new_err(rendered),
        ErrorKind::Arity | ErrorKind::Type => PyTypeError::new_err(rendered),
        ErrorKind::Io => PyOSError::new_err(rendered),
        ErrorKind::Shape | ErrorKind::Value | ErrorKind::Input | ErrorKind::Usage => PyValueError::new_err(rendered),
        // `ErrorKind` is non-exhaustive: a kind added later is a value error
        // until it gets its own mapping.
        _ => PyValueError::new_err(rendered),
    }
}

/// A `SyntaxError` with the position Python's tracebacks show: 1-based line and
/// 1-based column in characters of the span's start (and end).
fn syntax_error(e: &Error, source: &str, rendered: String) -> PyErr {
    let Some(span) = e.span else {
        return PySyntaxError::new_err(rendered);
    };
    let (line, col) = position(source, span.start);
    let (end_line, end_col) = position(source, span.end.max(span.start + 1));
    let text = source.lines().nth(line - 1).unwrap_or("").to_string();
    PySyntaxError::new_err((rendered, ("<expr>", line, col, text, end_line, end_col)))
}

/// The 1-based line and column (in characters) of byte `at` of `source`.
fn position(source: &str, at: usize) -> (usize, usize) {
    let at = at.min(source.len());
    let before = source.get(..at).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
