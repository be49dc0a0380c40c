//! The parser: tokens to AST, by precedence climbing (Pratt).
//!
//! Input: the source text (lexed here with [`super::lex`]).
//! Output: a [`Program`], or the first syntax error (`ErrorKind::Parse`, or the
//! lexer's `ErrorKind::Lex`) with the span of the offending text and a hint.
//!
//! Invariants:
//! - precedence comes from one table, [`BinaryOp::binding_power`] and
//!   [`UnaryOp::binding_power`]; `grammar/jitexpr.ebnf` documents the same table;
//! - every [`Expr`] spans its full source text (parentheses included);
//! - no expression is nested more than [`MAX_DEPTH`] levels (parentheses, operators,
//!   calls; a chain `a + b + c` is two levels), so neither this recursive parser nor
//!   a later recursive pass can overflow the stack;
//! - the program has at least one statement, and only the last may be a bare
//!   expression;
//! - the source is at most [`MAX_SOURCE_BYTES`] long and has at most
//!   [`MAX_STATEMENTS`] statements (`ErrorKind::Limit` otherwise), so every
//!   later stage works on a bounded program.
//!
//! Newlines separate statements except inside parentheses (Python's implicit line
//! joining): `Parser::peek` skips them while a `(` is open.

use super::ast::{Expr, ExprKind, Ident, Program, Stmt};
use super::ops::{BinaryOp, UnaryOp};
use super::token::{lex, Token, TokenKind};
use crate::diag::{excerpt, Error, ErrorKind, Result, Span};

/// The deepest nesting accepted: `(` x 200 around a name is fine, 201 is an error.
pub const MAX_DEPTH: usize = 200;

/// The longest source text accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The most statements a program may have.
pub const MAX_STATEMENTS: usize = 100_000;

/// Parse a whole program.
pub fn parse(src: &str) -> Result<Program> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("the program is {} bytes long; the limit is {MAX_SOURCE_BYTES} (1 MiB)", src.len()),
        ));
    }
    let tokens = lex(src)?;
    Parser { src, tokens, pos: 0, parens: 0, depth: 0 }.program().map_err(|e| *e)
}

/// Inside the parser errors are boxed, so that results moving up the recursion
/// stay small (see "Expressions" below).
type PResult<T> = std::result::Result<T, Box<Error>>;

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Open parentheses around the current position.
    parens: usize,
    /// Nesting levels entered and not yet left (see `Parser::deeper`).
    depth: usize,
}

/// An expression and its height: how many levels of operators, calls and
/// parentheses it nests (0 for a name or literal). Tracked so that long
/// left-associative chains, which parse without recursion, still respect
/// [`MAX_DEPTH`].
struct Parsed {
    /// Boxed, so results moving up the recursion stay small (see "Expressions").
    expr: Box<Expr>,
    height: usize,
}

fn error(span: Span, message: impl Into<String>) -> Error {
    Error::at(ErrorKind::Parse, span, message)
}

fn too_deep(at: Span) -> Box<Error> {
    Box::new(
        error(at, format!("expression is nested too deeply (limit {MAX_DEPTH})"))
            .with_help("compute a part of it in an earlier statement, `t = ...`, and use `t`"),
    )
}

/// A helpful error for Python words that are not operators here, or `None`.
fn python_word(name: &str, span: Span) -> Option<Box<Error>> {
    let (message, help) = match name {
        "and" => (
            "Python's `and` is not supported",
            "use `&` with parentheses around comparisons, as in numexpr: `(a < 1) & (b > 2)`",
        ),
        "or" => (
            "Python's `or` is not supported",
            "use `|` with parentheses around comparisons, as in numexpr: `(a < 1) | (b > 2)`",
        ),
        "not" => ("Python's `not` is not supported", "use `~` with parentheses, as in numexpr: `~(a < 1)`"),
        "if" | "else" => ("conditional expressions are not supported", "use `where(condition, x, y)`"),
        _ => return None,
    };
    Some(Box::new(error(span, message).with_help(help)))
}

fn duplicate_keyword(key: &Ident) -> Box<Error> {
    Box::new(error(key.span, format!("duplicate keyword argument `{}`", key.name)))
}

fn positional_after_keyword(key: &Ident, arg: &Expr) -> Box<Error> {
    Box::new(
        error(arg.span, "positional argument after a keyword argument")
            .with_help(format!("arguments after `{}=` need names too; to compare, use `==`", key.name)),
    )
}

fn binary_op(kind: &TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::EqEq => BinaryOp::Eq,
        TokenKind::Ne => BinaryOp::Ne,
        TokenKind::Pipe => BinaryOp::BitOr,
        TokenKind::Caret => BinaryOp::BitXor,
        TokenKind::Amp => BinaryOp::BitAnd,
        TokenKind::Shl => BinaryOp::Shl,
        TokenKind::Shr => BinaryOp::Shr,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::Star => BinaryOp::Mul,
        TokenKind::Slash => BinaryOp::Div,
        TokenKind::SlashSlash => BinaryOp::FloorDiv,
        TokenKind::Percent => BinaryOp::Mod,
        TokenKind::StarStar => BinaryOp::Pow,
        _ => return None,
    })
}

fn unary_op(kind: &TokenKind) -> Option<UnaryOp> {
    match kind {
        TokenKind::Minus => Some(UnaryOp::Neg),
        TokenKind::Plus => Some(UnaryOp::Pos),
        TokenKind::Tilde => Some(UnaryOp::Invert),
        _ => None,
    }
}

impl Parser<'_> {
    // ---- Token access ----

    /// The index of the first token at or after `from` that matters here:
    /// newlines are skipped while a parenthesis is open.
    fn skip_joined_lines(&self, mut from: usize) -> usize {
        while self.parens > 0 && matches!(self.tokens.get(from), Some(Token { kind: TokenKind::Newline, .. })) {
            from += 1;
        }
        from
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.skip_joined_lines(self.pos))
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|t| &t.kind)
    }

    fn peek_second_kind(&self) -> Option<&TokenKind> {
        let next = self.skip_joined_lines(self.pos);
        self.tokens.get(self.skip_joined_lines(next + 1)).map(|t| &t.kind)
    }

    /// Consume the next token (the caller has peeked it) and return its span.
    fn bump(&mut self) -> Span {
        let i = self.skip_joined_lines(self.pos);
        self.pos = i + 1;
        self.tokens[i].span
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek_kind() == Some(kind)
    }

    fn text(&self, span: Span) -> &str {
        &self.src[span.start..span.end]
    }

    /// Where the next token is, or the empty span at the end of input.
    fn next_span(&self) -> Span {
        self.peek().map_or(Span::new(self.src.len(), self.src.len()), |t| t.span)
    }

    /// How to name the next token in a message.
    fn found(&self) -> String {
        match self.peek() {
            None => "end of input".to_string(),
            Some(Token { kind: TokenKind::Newline, .. }) => "a newline".to_string(),
            Some(t) => format!("`{}`", excerpt(self.text(t.span))),
        }
    }

    // ---- Programs and statements ----

    fn program(mut self) -> PResult<Program> {
        let mut stmts: Vec<Stmt> = Vec::new();
        loop {
            while matches!(self.peek_kind(), Some(TokenKind::Semi | TokenKind::Newline)) {
                self.bump();
            }
            if self.peek().is_none() {
                break;
            }
            if let Some(Stmt::Expr(prev)) = stmts.last() {
                return Err(error(prev.span, "only the last statement may be a bare expression; assign it to a name")
                    .with_help(format!("e.g. `t = {}`", excerpt(self.text(prev.span))))
                    .into());
            }
            if stmts.len() == MAX_STATEMENTS {
                let at = self.next_span();
                return Err(Error::at(ErrorKind::Limit, at, format!("more than {MAX_STATEMENTS} statements"))
                    .with_help("split the program, or compute in fewer steps")
                    .into());
            }
            stmts.push(self.statement()?);
            if !matches!(self.peek_kind(), None | Some(TokenKind::Semi | TokenKind::Newline)) {
                return Err(self.unexpected_after_expression("`;` or a newline"));
            }
        }
        if stmts.is_empty() {
            return Err(Error::new(ErrorKind::Parse, "empty expression")
                .with_help("write an expression such as `2*a + b`")
                .into());
        }
        Ok(Program { stmts })
    }

    fn statement(&mut self) -> PResult<Stmt> {
        let is_assign = self.peek_second_kind() == Some(&TokenKind::Assign);
        match self.peek_kind() {
            Some(TokenKind::Ident(_)) if is_assign => {
                let name = self.ident()?;
                self.bump();
                let value = self.expression()?;
                Ok(Stmt::Assign { name, value })
            }
            Some(TokenKind::True | TokenKind::False) if is_assign => {
                let span = self.next_span();
                Err(error(span, format!("cannot assign to `{}`", excerpt(self.text(span))))
                    .with_help("`True` and `False` are constants; to compare, use `==`")
                    .into())
            }
            _ => {
                let expr = self.expression()?;
                if self.at(&TokenKind::Assign) {
                    return Err(error(expr.span, format!("cannot assign to `{}`", excerpt(self.text(expr.span))))
                        .with_help("only a name can be assigned to; to compare, use `==`")
                        .into());
                }
                Ok(Stmt::Expr(expr))
            }
        }
    }

    /// Consume an identifier token, refusing Python keywords.
    fn ident(&mut self) -> PResult<Ident> {
        let Some(Token { kind: TokenKind::Ident(name), span }) = self.peek().cloned() else {
            unreachable!("ident() is called only when an identifier is next")
        };
        if let Some(err) = python_word(&name, span) {
            return Err(err);
        }
        self.bump();
        Ok(Ident { name, span })
    }

    // ---- Expressions ----
    //
    // The functions on the recursive path (`expr_bp`, `prefix`, `group`, `unary`,
    // `name_or_call`, `call`, `argument`, `deeper`) keep their frames small and
    // build errors in separate functions: an unoptimized build otherwise spends
    // kilobytes of stack per nesting level, and `MAX_DEPTH` levels must fit in a
    // 2 MiB thread stack (the default for spawned threads and tests).

    fn expression(&mut self) -> PResult<Expr> {
        Ok(*self.expr_bp(0)?.expr)
    }

    /// [`Parser::expr_bp`] one nesting level deeper, or an error at `at` if that is
    /// too deep.
    fn deeper(&mut self, at: Span, min_bp: u8) -> PResult<Parsed> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(at));
        }
        self.depth += 1;
        let result = self.expr_bp(min_bp);
        self.depth -= 1;
        result
    }

    /// Build a node one level above its highest child, if that is not too deep.
    fn node(kind: ExprKind, span: Span, child_height: usize, at: Span) -> PResult<Parsed> {
        Ok(Parsed { expr: Box::new(Expr { kind, span }), height: Self::one_above(child_height, at)? })
    }

    /// The height of a node above a child of height `child_height`, if allowed.
    fn one_above(child_height: usize, at: Span) -> PResult<usize> {
        if child_height >= MAX_DEPTH {
            return Err(too_deep(at));
        }
        Ok(child_height + 1)
    }

    /// Parse an expression whose operators all bind at least as tightly as `min_bp`.
    fn expr_bp(&mut self, min_bp: u8) -> PResult<Parsed> {
        let mut lhs = self.prefix()?;
        // Comparisons are the loosest level, so a comparison on the left of another
        // one can only have been built by this loop, without parentheses: a chain.
        let mut lhs_is_comparison = false;
        while let Some(op) = self.peek_kind().and_then(binary_op) {
            let (left_bp, right_bp) = op.binding_power();
            if left_bp < min_bp {
                break;
            }
            if op.is_comparison() && lhs_is_comparison {
                return Err(self.chained_comparison(&lhs.expr));
            }
            let op_span = self.bump();
            let rhs = self.deeper(op_span, right_bp)?;
            lhs = Self::binary(op, lhs, rhs, op_span)?;
            lhs_is_comparison = op.is_comparison();
        }
        Ok(lhs)
    }

    fn binary(op: BinaryOp, lhs: Parsed, rhs: Parsed, op_span: Span) -> PResult<Parsed> {
        let span = lhs.expr.span.to(rhs.expr.span);
        let height = lhs.height.max(rhs.height);
        Self::node(ExprKind::Binary { op, lhs: lhs.expr, rhs: rhs.expr }, span, height, op_span)
    }

    /// `a < b < c`: report it at the second operator, suggesting `(a < b) & (b < c)`.
    /// `a < 1 | b > 2` is the same chain to the parser (`|` binds more tightly
    /// than `<`: `a < (1 | b) > 2`) but a different mistake, the most common one
    /// from numexpr and pandas: the hint is `(a < 1) | (b > 2)`.
    fn chained_comparison(&mut self, first: &Expr) -> Box<Error> {
        let ExprKind::Binary { op, lhs, rhs } = &first.kind else {
            unreachable!("chained_comparison() is called with a comparison on the left")
        };
        let op2_span = self.bump();
        let op2 = self.text(op2_span).to_string();
        // The third operand is only needed for the hint; if it does not parse, the
        // chain is still the first error to report.
        let third = match self.deeper(op2_span, op.binding_power().1) {
            Ok(third) => self.text(third.expr.span).to_string(),
            Err(_) => "...".to_string(),
        };
        let a = self.text(lhs.span);
        if let ExprKind::Binary {
            op: joint @ (BinaryOp::BitOr | BinaryOp::BitAnd | BinaryOp::BitXor),
            lhs: x,
            rhs: y,
        } = &rhs.kind
        {
            // A parenthesized `(1 | b)` has a span that starts at `(`, not at `1`.
            if rhs.span.start == x.span.start {
                let sym = joint.symbol();
                let at = self.src[x.span.end..y.span.start].find(sym).map_or(op2_span, |i| {
                    let start = x.span.end + i;
                    Span::new(start, start + sym.len())
                });
                let (x, y) = (self.text(x.span), self.text(y.span));
                let help = format!("write `({a} {} {x}) {sym} ({y} {op2} {third})`", op.symbol());
                let message = format!("`{sym}` binds more tightly than comparisons; parenthesize each comparison");
                return Box::new(error(at, message).with_help(help));
            }
        }
        let b = self.text(rhs.span);
        let help = format!("write `({a} {} {b}) & ({b} {op2} {third})`", op.symbol());
        Box::new(error(op2_span, "comparisons cannot be chained").with_help(help))
    }

    /// A literal, name, call, parenthesized expression or unary operation.
    fn prefix(&mut self) -> PResult<Parsed> {
        if let Some(op) = self.peek_kind().and_then(unary_op) {
            return self.unary(op);
        }
        match self.peek_kind() {
            Some(TokenKind::LParen) => self.group(),
            Some(TokenKind::Ident(_)) => self.name_or_call(),
            _ => self.literal(),
        }
    }

    fn literal(&mut self) -> PResult<Parsed> {
        let kind = match self.peek_kind() {
            Some(TokenKind::Int(v)) => ExprKind::Int(*v),
            Some(TokenKind::Float(v)) => ExprKind::Float(*v),
            Some(TokenKind::True) => ExprKind::Bool(true),
            Some(TokenKind::False) => ExprKind::Bool(false),
            _ => return Err(self.expected_expression()),
        };
        let span = self.bump();
        self.not_called(Parsed { expr: Box::new(Expr { kind, span }), height: 0 })
    }

    fn name_or_call(&mut self) -> PResult<Parsed> {
        let name = self.ident()?;
        if !self.at(&TokenKind::LParen) {
            let expr = Expr { kind: ExprKind::Name(name.name), span: name.span };
            return Ok(Parsed { expr: Box::new(expr), height: 0 });
        }
        let call = self.call(name)?;
        self.not_called(call)
    }

    /// Refuse `2(3)`, `(f)(x)` and `f(x)(y)`: only a name can be called.
    fn not_called(&self, atom: Parsed) -> PResult<Parsed> {
        if self.at(&TokenKind::LParen) {
            return Err(self.cannot_call(&atom.expr));
        }
        Ok(atom)
    }

    fn unary(&mut self, op: UnaryOp) -> PResult<Parsed> {
        let op_span = self.bump();
        let operand = self.deeper(op_span, op.binding_power())?;
        let span = op_span.to(operand.expr.span);
        Self::node(ExprKind::Unary { op, operand: operand.expr }, span, operand.height, op_span)
    }

    /// `( expr )`: the expression, with its span widened to the parentheses.
    fn group(&mut self) -> PResult<Parsed> {
        let open = self.bump();
        self.parens += 1;
        let mut group = self.deeper(open, 0)?;
        let close = self.close_paren(open, "`)`")?;
        group.expr.span = open.to(close);
        group.height = Self::one_above(group.height, open)?;
        self.not_called(group)
    }

    /// Consume the `)` matching `open`, leaving the parenthesized region.
    fn close_paren(&mut self, open: Span, expected: &str) -> PResult<Span> {
        match self.peek_kind() {
            Some(TokenKind::RParen) => {
                let close = self.bump();
                self.parens -= 1;
                Ok(close)
            }
            None => Err(self.unclosed(open)),
            Some(_) => Err(self.unexpected_after_expression(expected)),
        }
    }

    /// `name(args..., key=value...)`; the next token is the `(`.
    fn call(&mut self, func: Ident) -> PResult<Parsed> {
        let open = self.bump();
        self.parens += 1;
        let mut args = Vec::new();
        let mut kwargs: Vec<(Ident, Expr)> = Vec::new();
        let mut height = 0;
        while !self.at(&TokenKind::RParen) {
            let (key, value) = self.argument(open)?;
            height = height.max(value.height);
            match key {
                Some(key) if kwargs.iter().any(|(k, _)| k.name == key.name) => return Err(duplicate_keyword(&key)),
                Some(key) => kwargs.push((key, *value.expr)),
                None if !kwargs.is_empty() => return Err(positional_after_keyword(&kwargs[0].0, &value.expr)),
                None => args.push(*value.expr),
            }
            if !self.at(&TokenKind::Comma) {
                break;
            }
            self.bump();
        }
        let close = self.close_paren(open, "`,` or `)`")?;
        let span = func.span.to(close);
        Self::node(ExprKind::Call { func, args, kwargs }, span, height, open)
    }

    /// One argument of the call opened at `open`: `key=value` or a positional value.
    fn argument(&mut self, open: Span) -> PResult<(Option<Ident>, Parsed)> {
        let is_keyword = matches!(self.peek_kind(), Some(TokenKind::Ident(_)))
            && self.peek_second_kind() == Some(&TokenKind::Assign);
        let key = if is_keyword {
            let key = self.ident()?;
            self.bump();
            Some(key)
        } else if self.peek().is_none() {
            return Err(self.unclosed(open));
        } else {
            None
        };
        Ok((key, self.deeper(open, 0)?))
    }

    // ---- Errors ----

    fn unclosed(&self, open: Span) -> Box<Error> {
        Box::new(error(open, "unexpected end of input: expected `)`").with_help("this `(` is never closed"))
    }

    fn cannot_call(&self, callee: &Expr) -> Box<Error> {
        let what = self.text(callee.span);
        let err = error(self.next_span(), format!("`{what}` cannot be called: only a function name can be called"));
        Box::new(err.with_help("missing an operator before the `(`?"))
    }

    fn expected_expression(&self) -> Box<Error> {
        let err = error(self.next_span(), format!("expected an expression, found {}", self.found()));
        Box::new(match self.peek_kind() {
            Some(TokenKind::Newline) => err.with_help(
                "to continue on the next line, end this line with `\\` or wrap the expression in parentheses",
            ),
            _ => err,
        })
    }

    /// An expression ended, and the next token is neither an operator nor `expected`.
    fn unexpected_after_expression(&self, expected: &str) -> Box<Error> {
        let span = self.next_span();
        let text = self.text(span);
        if let Some(err) = python_word(text, span) {
            return err;
        }
        let err = match self.peek_kind() {
            Some(
                TokenKind::Int(_)
                | TokenKind::Float(_)
                | TokenKind::Ident(_)
                | TokenKind::True
                | TokenKind::False
                | TokenKind::Tilde,
            ) => error(span, format!("unexpected token `{}` after expression; missing an operator?", excerpt(text))),
            Some(TokenKind::Assign) => error(span, "unexpected `=` after expression")
                .with_help("to compare, use `==`; `=` assigns to a name at the start of a statement"),
            Some(TokenKind::RParen) if self.parens == 0 => error(span, "unmatched `)`"),
            _ => error(span, format!("expected {expected}, found {}", self.found())),
        };
        // Inside parentheses a newline was skipped to get here: most likely a `)`
        // is missing on an earlier line and this token starts the next statement.
        let after_joined_line = self.parens > 0 && self.skip_joined_lines(self.pos) > self.pos;
        Box::new(match err.help {
            None if after_joined_line => err.with_help(
                "a `(` before this line is still open, so the line break did not end the statement; missing a `)`?",
            ),
            _ => err,
        })
    }
}

#[cfg(test)]
mod tests;
