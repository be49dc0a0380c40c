//! Input values given on the command line as `-i NAME=VALUE`.
//!
//! Input: the text of one argument. Output: the input's name and its [`Array`].
//! VALUE is one of
//! - a number: `3`, `-2` (int64, 0-d), `2.5`, `1e-3`, `nan`, `inf`, `-inf`
//!   (float64, 0-d), `True`, `False` (bool, 0-d);
//! - a generator: `arange(stop)`, `arange(start, stop[, step])` (int64, or float64
//!   if any argument is a float, filled as NumPy fills it), `linspace(start, stop,
//!   num)` (float64, NumPy's algorithm), `random(shape[, seed])` (float64 uniform
//!   in [0, 1), see [`SplitMix64`]), `zeros(shape)`, `ones(shape)` (float64), where
//!   a shape is `N` or a tuple `(N, M, ...)`;
//! - otherwise a path to a `.npy` file (the text ends in `.npy` or names an
//!   existing file).
//!
//! Invariants: every error is [`ErrorKind::Input`] (or [`ErrorKind::Io`] from the
//! file system) with a span into the argument text itself, so the caller renders it
//! with `err.render(arg)`; nothing larger than [`MAX_ELEMENTS`] is ever allocated.

use std::path::Path;

use crate::array::{shape_size, Array, Data, MAX_DIMS};
use crate::diag::{Error, ErrorKind, Result, Span};
use crate::npy;
use crate::types::{DType, Scalar};

/// Generators refuse to make more elements than this (32 GiB of float64): a typo
/// like `random(10**12)` should be an error, not an attempt to allocate terabytes.
pub const MAX_ELEMENTS: u64 = 1 << 32;

const FORMS_HELP: &str = "VALUE is a number (3, 2.5, nan, True), a generator (arange(10), linspace(0, 1, 5), \
                          random((100, 3), 42), zeros(4), ones(4)) or a .npy file";

/// An input value before it is loaded: generated and file inputs can be read a
/// window at a time (see [`crate::stream`]).
#[derive(Clone, Debug)]
pub enum InputValue {
    /// A number: a 0-d array.
    Array(Array),
    /// A `.npy` file, not yet read.
    File(std::path::PathBuf),
    /// A generator (`arange`, `linspace`, `random`), evaluated on demand.
    Generated(Generated),
}

impl InputValue {
    /// The whole value in memory.
    pub fn load(&self) -> Result<Array> {
        match self {
            InputValue::Array(a) => Ok(a.clone()),
            InputValue::File(path) => npy::read_file(path),
            InputValue::Generated(g) => g.array(),
        }
    }
}

/// Parse `NAME=VALUE` into the input's name and value, loaded.
pub fn parse_input_arg(arg: &str) -> Result<(String, Array)> {
    let (name, value) = parse_input_source(arg)?;
    let value_span = Span::new(arg.find('=').map_or(0, |eq| eq + 1), arg.len());
    let array = value.load().map_err(|e| e.or_at(trim(arg, value_span)))?;
    Ok((name, array))
}

/// Parse `NAME=VALUE` into the input's name and its value, not yet loaded.
pub fn parse_input_source(arg: &str) -> Result<(String, InputValue)> {
    let Some(eq) = arg.find('=') else {
        return Err(Error::at(ErrorKind::Input, Span::new(0, arg.len()), format!("expected NAME=VALUE, got `{arg}`"))
            .with_help("e.g. x=data.npy or x=linspace(0, 1, 100)"));
    };
    let name = trim(arg, Span::new(0, eq));
    let name_text = &arg[name.start..name.end];
    if name_text.is_empty() {
        return Err(Error::at(ErrorKind::Input, Span::new(eq, eq + 1), "expected an input name before `=`"));
    }
    if !is_identifier(name_text) {
        return Err(Error::at(ErrorKind::Input, name, format!("`{name_text}` is not a valid input name"))
            .with_help("use letters, digits and `_`, not starting with a digit"));
    }
    let value = trim(arg, Span::new(eq + 1, arg.len()));
    if value.start == value.end {
        return Err(Error::at(ErrorKind::Input, value, "expected a value after `=`").with_help(FORMS_HELP));
    }
    Ok((name_text.to_string(), parse_value(arg, value)?))
}

/// The span without surrounding whitespace.
fn trim(src: &str, span: Span) -> Span {
    let text = &src[span.start..span.end];
    let start = span.start + (text.len() - text.trim_start().len());
    Span::new(start, start + text.trim().len())
}

/// Whether `s` is a name the language accepts for an input or output: ASCII
/// letters, digits and `_`, not starting with a digit.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(src: &str, span: Span) -> Result<InputValue> {
    let text = &src[span.start..span.end];
    match text {
        "True" => return Ok(InputValue::Array(Array::scalar(Scalar::Bool(true)))),
        "False" => return Ok(InputValue::Array(Array::scalar(Scalar::Bool(false)))),
        _ => {}
    }
    if let Some(num) = parse_number(text, span)? {
        return Ok(InputValue::Array(Array::scalar(match num {
            Num::Int(v) => Scalar::Int64(v),
            Num::Float(v) => Scalar::Float64(v),
        })));
    }
    let is_file = text.ends_with(".npy") || Path::new(text).exists();
    if let Some((name, open)) = call_head(text) {
        let name_span = Span::new(span.start, span.start + name.len());
        match Generator::from_name(name) {
            // A file named like a call (`arange(3).npy`) is still a file.
            Some(generator) => {
                let cursor = Cursor { src, pos: span.start + open + 1, end: span.end };
                match cursor.args() {
                    Ok(args) => return generator.generate(&Call { src, span, args }).map(InputValue::Generated),
                    Err(e) if !is_file => return Err(e),
                    Err(_) => {}
                }
            }
            None if !is_file => {
                return Err(Error::at(ErrorKind::Input, name_span, format!("unknown generator `{name}`"))
                    .with_help("generators are arange, linspace, random, zeros and ones"));
            }
            None => {}
        }
    }
    if is_file {
        return Ok(InputValue::File(Path::new(text).to_path_buf()));
    }
    Err(Error::at(ErrorKind::Input, span, format!("`{text}` is not a number, a generator or a .npy file"))
        .with_help(FORMS_HELP))
}

/// `name(` at the start of a value: the name and the byte offset of `(`.
fn call_head(text: &str) -> Option<(&str, usize)> {
    let name_len = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let name = &text[..name_len];
    let open = name_len + (text[name_len..].len() - text[name_len..].trim_start().len());
    (is_identifier(name) && text[open..].starts_with('(')).then_some((name, open))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(v) => v as f64,
            Num::Float(v) => v,
        }
    }
}

/// A Python-style number literal (`3`, `-2`, `2.5`, `.5`, `1e-3`, `nan`, `-inf`), or
/// `None` if the text is not one. An integer that does not fit int64 is an error.
fn parse_number(text: &str, span: Span) -> Result<Option<Num>> {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let is_float = if body == "nan" || body == "inf" {
        true
    } else {
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (mantissa, None),
        };
        let mantissa_ok = digits(int) && frac.is_none_or(digits) && !(int.is_empty() && frac.unwrap_or("").is_empty());
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        });
        if !(mantissa_ok && exponent_ok) {
            return Ok(None);
        }
        frac.is_some() || exponent.is_some()
    };
    if is_float {
        let v = text.parse::<f64>().map_err(|e| Error::at(ErrorKind::Input, span, format!("bad number: {e}")))?;
        return Ok(Some(Num::Float(v)));
    }
    match text.parse::<i64>() {
        Ok(v) => Ok(Some(Num::Int(v))),
        Err(_) => Err(Error::at(ErrorKind::Input, span, format!("integer {text} does not fit int64"))
            .with_help("write it as a float, e.g. 1e20")),
    }
}

/// One generator argument and where it is in the argument text.
#[derive(Clone, Debug, PartialEq)]
struct Arg {
    value: ArgValue,
    span: Span,
}

#[derive(Clone, Debug, PartialEq)]
enum ArgValue {
    Num(Num),
    /// `(2, 3)`: integer dimensions with their spans.
    Shape(Vec<(i64, Span)>),
}

/// Reads `arg, arg, ...)` from `pos` (just after `(`) to `end` (the end of the value).
struct Cursor<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.src.as_bytes()[self.pos])
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::at(ErrorKind::Input, Span::new(self.pos, self.pos + usize::from(self.pos < self.end)), message)
    }

    /// Comma-separated items up to `)`, trailing comma allowed.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(b')') {
                self.pos += 1;
                return Ok(items);
            }
            items.push(item(self)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {}
                _ => return Err(self.error("expected `,` or `)`")),
            }
        }
    }

    /// The arguments of a call; nothing may follow the closing `)`.
    fn args(mut self) -> Result<Vec<Arg>> {
        let args = self.list(|c| c.arg())?;
        if self.pos < self.end {
            return Err(Error::at(ErrorKind::Input, Span::new(self.pos, self.end), "unexpected text after `)`"));
        }
        Ok(args)
    }

    fn arg(&mut self) -> Result<Arg> {
        let start = self.pos;
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let dims = self.list(|c| c.dim())?;
            return Ok(Arg { value: ArgValue::Shape(dims), span: Span::new(start, self.pos) });
        }
        let (num, span) = self.number()?;
        Ok(Arg { value: ArgValue::Num(num), span })
    }

    fn dim(&mut self) -> Result<(i64, Span)> {
        match self.number()? {
            (Num::Int(v), span) => Ok((v, span)),
            (Num::Float(_), span) => {
                Err(Error::at(ErrorKind::Input, span, format!("dimensions must be integers, got {}", self.text(span))))
            }
        }
    }

    fn number(&mut self) -> Result<(Num, Span)> {
        let start = self.pos;
        while self.peek().is_some_and(|b| !matches!(b, b',' | b'(' | b')') && !b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        let span = Span::new(start, self.pos);
        if span.start == span.end {
            return Err(self.error("expected a number"));
        }
        match parse_number(self.text(span), span)? {
            Some(num) => Ok((num, span)),
            None => Err(Error::at(ErrorKind::Input, span, format!("expected a number, found `{}`", self.text(span)))),
        }
    }

    fn text(&self, span: Span) -> &str {
        &self.src[span.start..span.end]
    }
}

/// A parsed generator call.
struct Call<'a> {
    src: &'a str,
    /// The whole call, `linspace(0, 1, 5)`.
    span: Span,
    args: Vec<Arg>,
}

impl Call<'_> {
    fn text(&self, span: Span) -> &str {
        &self.src[span.start..span.end]
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Error {
        Error::at(ErrorKind::Input, span, message)
    }

    /// Check the argument count; `takes` is e.g. "takes 3 arguments (start, stop, num)".
    fn arity(&self, name: &str, counts: std::ops::RangeInclusive<usize>, takes: &str) -> Result<()> {
        if counts.contains(&self.args.len()) {
            return Ok(());
        }
        Err(self.error(self.span, format!("{name} {takes}, got {}", self.args.len())))
    }

    fn num(&self, arg: &Arg, what: &str) -> Result<Num> {
        match arg.value {
            ArgValue::Num(num) => Ok(num),
            ArgValue::Shape(_) => Err(self.error(arg.span, format!("{what} must be a number, not a tuple"))),
        }
    }

    /// A non-negative integer argument (a count, a seed).
    fn count(&self, arg: &Arg, what: &str) -> Result<u64> {
        match arg.value {
            ArgValue::Num(Num::Int(v)) if v >= 0 => Ok(v as u64),
            _ => {
                Err(self.error(arg.span, format!("{what} must be a non-negative integer, got {}", self.text(arg.span))))
            }
        }
    }

    /// A shape argument: `N` or `(N, M, ...)`, within [`MAX_ELEMENTS`].
    fn shape(&self, arg: &Arg) -> Result<Vec<usize>> {
        let dims = match &arg.value {
            ArgValue::Num(Num::Int(v)) => vec![(*v, arg.span)],
            ArgValue::Shape(dims) => dims.clone(),
            // `random(3e9)`: a float literal with an integer value is a length.
            ArgValue::Num(Num::Float(v)) if v.fract() == 0.0 && (0.0..=MAX_ELEMENTS as f64).contains(v) => {
                vec![(*v as i64, arg.span)]
            }
            ArgValue::Num(Num::Float(_)) => {
                return Err(self.error(
                    arg.span,
                    format!("a shape is an integer or a tuple of integers, got {}", self.text(arg.span)),
                ))
            }
        };
        if dims.len() > MAX_DIMS {
            return Err(Error::at(
                ErrorKind::Limit,
                arg.span,
                format!("a shape of {} dimensions; NumPy and jitexpr allow at most {MAX_DIMS}", dims.len()),
            ));
        }
        let mut shape = Vec::with_capacity(dims.len());
        let mut size: u128 = 1;
        for (d, span) in dims {
            let d = u64::try_from(d).map_err(|_| self.error(span, format!("negative dimension {d}")))?;
            size = size.saturating_mul(u128::from(d));
            shape.push(d);
        }
        check_size(size, arg.span)?;
        Ok(shape.into_iter().map(|d| usize::try_from(d).expect("jitexpr supports 64-bit targets only")).collect())
    }
}

/// Refuse sizes above [`MAX_ELEMENTS`].
fn check_size(n: u128, span: Span) -> Result<usize> {
    if n > u128::from(MAX_ELEMENTS) {
        return Err(Error::at(ErrorKind::Input, span, format!("{n} elements is too many (the limit is 2**32)")));
    }
    Ok(usize::try_from(n).expect("jitexpr supports 64-bit targets only"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Generator {
    Arange,
    Linspace,
    Random,
    Zeros,
    Ones,
}

impl Generator {
    fn from_name(name: &str) -> Option<Generator> {
        match name {
            "arange" => Some(Generator::Arange),
            "linspace" => Some(Generator::Linspace),
            "random" => Some(Generator::Random),
            "zeros" => Some(Generator::Zeros),
            "ones" => Some(Generator::Ones),
            _ => None,
        }
    }

    fn generate(self, call: &Call) -> Result<Generated> {
        match self {
            Generator::Arange => arange(call),
            Generator::Linspace => linspace(call),
            Generator::Random => random(call),
            Generator::Zeros => filled(call, "zeros", 0.0),
            Generator::Ones => filled(call, "ones", 1.0),
        }
    }
}

/// A generated array, described rather than stored: any range of its elements
/// (C order) can be made on its own, with the bits the whole array has, so a
/// generated input streams like a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    shape: Vec<usize>,
    fill: Fill,
}

/// How element `i` is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fill {
    /// `start + i * step`, int64.
    IntRange {
        start: i64,
        step: i64,
    },
    /// NumPy's float `arange`: `start`, `second`, then `start + i * delta`.
    FloatRange {
        start: f64,
        second: f64,
        delta: f64,
    },
    /// NumPy's `linspace` of `n` values: `i * step + start` (or `i / div * delta
    /// + start` when the step underflows), the last exactly `stop`.
    Linspace {
        start: f64,
        stop: f64,
        n: usize,
        step: f64,
        div: f64,
        delta: f64,
    },
    /// [`SplitMix64`] draws from `seed`: element `i` is draw `i`.
    Random {
        seed: u64,
    },
    Const(f64),
}

impl Generated {
    /// The generated array's shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The generated array's dtype.
    pub fn dtype(&self) -> DType {
        match self.fill {
            Fill::IntRange { .. } => DType::Int64,
            Fill::FloatRange { .. } | Fill::Linspace { .. } | Fill::Random { .. } | Fill::Const(_) => DType::Float64,
        }
    }

    /// The whole array; an error when its memory cannot be had (a size within
    /// [`MAX_ELEMENTS`] may still be more than the machine has).
    pub fn array(&self) -> Result<Array> {
        let n = shape_size(&self.shape).expect("generator shapes are checked against MAX_ELEMENTS");
        let bytes = n.saturating_mul(self.dtype().size());
        if Vec::<u8>::new().try_reserve_exact(bytes).is_err() {
            return Err(Error::new(
                ErrorKind::Memory,
                format!("cannot allocate {n} elements ({} bytes each) for this input", self.dtype().size()),
            ));
        }
        Array::new(self.elements(0..n), self.shape.clone())
    }

    /// Elements `range` in C order.
    pub fn elements(&self, range: std::ops::Range<usize>) -> Data {
        match self.fill {
            Fill::IntRange { start, step } => {
                Data::Int64(range.map(|i| (i128::from(start) + i as i128 * i128::from(step)) as i64).collect())
            }
            Fill::FloatRange { start, second, delta } => Data::Float64(
                range
                    .map(|i| match i {
                        0 => start,
                        1 => second,
                        _ => start + i as f64 * delta,
                    })
                    .collect(),
            ),
            Fill::Linspace { start, stop, n, step, div, delta } => Data::Float64(
                range
                    .map(|i| match i {
                        _ if n > 1 && i == n - 1 => stop,
                        // NumPy divides first when the step underflows (denormal bounds).
                        _ if n > 1 && step == 0.0 => i as f64 / div * delta + start,
                        _ if n > 1 => i as f64 * step + start,
                        _ => i as f64 * delta + start,
                    })
                    .collect(),
            ),
            Fill::Random { seed } => {
                // The state after `i` draws: the Weyl sequence is additive.
                let mut rng = SplitMix64(seed.wrapping_add((range.start as u64).wrapping_mul(SplitMix64::GAMMA)));
                Data::Float64(range.map(|_| rng.next_f64()).collect())
            }
            Fill::Const(v) => Data::Float64(vec![v; range.len()]),
        }
    }
}

/// `arange([start, ]stop[, step])` as NumPy computes it.
fn arange(call: &Call) -> Result<Generated> {
    call.arity("arange", 1..=3, "takes 1 to 3 arguments ([start, ]stop[, step])")?;
    let nums = call.args.iter().map(|a| call.num(a, "an arange argument")).collect::<Result<Vec<_>>>()?;
    let (start, stop, step) = match nums[..] {
        [stop] => (Num::Int(0), stop, Num::Int(1)),
        [start, stop] => (start, stop, Num::Int(1)),
        [start, stop, step] => (start, stop, step),
        _ => unreachable!("arity checked"),
    };
    let step_span = call.args.get(2).map_or(call.span, |a| a.span);
    if step.as_f64() == 0.0 {
        return Err(call.error(step_span, "arange step must not be zero"));
    }
    match (start, stop, step) {
        (Num::Int(start), Num::Int(stop), Num::Int(step)) => {
            let (start128, stop128, step128) = (i128::from(start), i128::from(stop), i128::from(step));
            // ceil((stop - start) / step) in exact integer arithmetic, step made positive.
            let (diff, stride) =
                if step128 > 0 { (stop128 - start128, step128) } else { (start128 - stop128, -step128) };
            let len = (diff + stride - 1).div_euclid(stride).max(0);
            let n = check_size(len as u128, call.span)?;
            Ok(Generated { shape: vec![n], fill: Fill::IntRange { start, step } })
        }
        _ => arange_float(call, start.as_f64(), stop.as_f64(), step.as_f64()),
    }
}

/// Float `arange`: NumPy's length rule, then its fill: the first two values are
/// `start` and `start + step`, the rest `start + i * delta` with `delta` the
/// difference of those two (which can differ from `step` by rounding).
fn arange_float(call: &Call, start: f64, stop: f64, step: f64) -> Result<Generated> {
    let diff = stop - start;
    let ratio = diff / step;
    let len = if diff == 0.0 {
        0.0
    } else if ratio == 0.0 {
        // Underflow: one element unless the direction is wrong.
        if ratio.is_sign_negative() {
            0.0
        } else {
            1.0
        }
    } else {
        ratio.ceil()
    };
    if len.is_nan() {
        return Err(call.error(call.span, "arange cannot compute its length (NaN bounds or step)"));
    }
    let n = if len <= 0.0 {
        0
    } else if len > MAX_ELEMENTS as f64 {
        return Err(call.error(call.span, format!("{len} elements is too many (the limit is 2**32)")));
    } else {
        len as usize
    };
    let second = start + step;
    Ok(Generated { shape: vec![n], fill: Fill::FloatRange { start, second, delta: second - start } })
}

/// `linspace(start, stop, num)` with NumPy's algorithm: `start + i * step`, the last
/// element set to `stop` exactly.
fn linspace(call: &Call) -> Result<Generated> {
    call.arity("linspace", 3..=3, "takes 3 arguments (start, stop, num)")?;
    let start = call.num(&call.args[0], "linspace start")?.as_f64();
    let stop = call.num(&call.args[1], "linspace stop")?.as_f64();
    let num = call.count(&call.args[2], "linspace num")?;
    let n = check_size(u128::from(num), call.args[2].span)?;
    let delta = stop - start;
    let div = n.saturating_sub(1) as f64;
    let step = if n > 1 { delta / div } else { delta };
    Ok(Generated { shape: vec![n], fill: Fill::Linspace { start, stop, n, step, div, delta } })
}

/// `random(shape[, seed])`: uniform float64 in [0, 1), deterministic per seed
/// (default 0). Not NumPy's generator: the values differ from `np.random`.
fn random(call: &Call) -> Result<Generated> {
    call.arity("random", 1..=2, "takes 1 or 2 arguments (shape[, seed])")?;
    let shape = call.shape(&call.args[0])?;
    let seed = match call.args.get(1) {
        Some(arg) => call.count(arg, "the seed")?,
        None => 0,
    };
    Ok(Generated { shape, fill: Fill::Random { seed } })
}

/// `zeros(shape)` / `ones(shape)`: float64, like NumPy's default.
fn filled(call: &Call, name: &str, value: f64) -> Result<Generated> {
    call.arity(name, 1..=1, "takes 1 argument (shape)")?;
    let shape = call.shape(&call.args[0])?;
    Ok(Generated { shape, fill: Fill::Const(value) })
}

/// SplitMix64 (Steele, Lea and Flood 2014, constants from Vigna's reference code):
/// a 64-bit state advanced by a Weyl sequence and mixed by two xor-shift-multiply
/// rounds. Tiny, fast, statistically good and fully specified here, so `random(n,
/// seed)` is reproducible across platforms and versions.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The Weyl sequence's increment: the state after `k` draws is `seed + k * GAMMA`.
    pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(Self::GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The top 53 bits as a fraction: uniform on the multiples of 2**-53 in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests;
