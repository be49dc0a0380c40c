//! Arrays printed the way NumPy's `repr` prints them, so users recognize them.
//!
//! Input: an [`Array`]. Output: text such as `array([1.5, 2. , 3. ])`,
//! `array([1, 2, 3], dtype=int32)` or `array([], shape=(0, 3), dtype=float64)`.
//!
//! This is a port of NumPy 2's `arrayprint` with its default options (line width
//! 75, precision 8 in `maxprec` float mode, threshold 1000, 3 edge items): one
//! element formatter per array chosen from the values actually shown (common
//! width; floats as the shortest round-trip digits, at most 8 fraction digits,
//! aligned on the point; scientific notation when NumPy switches to it), then
//! NumPy's recursive layout with line wrapping and `...` summaries. Invariant:
//! exact parity in every corner is not promised; the common cases match NumPy
//! character for character (see the tests, produced with NumPy 2.4).

use crate::array::{fmt_shape, Array, Data};
use crate::types::{DType, Scalar};

const LINE_WIDTH: usize = 75;
/// Arrays with more elements than this are summarized with `...`.
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
/// At most this many fraction digits (NumPy's `precision`).
const PRECISION: usize = 8;
const SEPARATOR: &str = ", ";
const PREFIX: &str = "array(";

impl Array {
    /// The array as NumPy 2's `repr` prints it (default print options), e.g.
    /// `array([1.5, 2. , 3. ])` or `array([1, 2, 3], dtype=int32)`; arrays of
    /// more than 1000 elements are summarized with `...`.
    ///
    /// ```
    /// let a = jitexpr::Array::from_vec(vec![1.5, 2.0, 3.0]);
    /// assert_eq!(a.repr(), "array([1.5, 2. , 3. ])");
    /// ```
    pub fn repr(&self) -> String {
        repr(self)
    }
}

/// NumPy's `repr(array)`.
pub(crate) fn repr(array: &Array) -> String {
    // The printer walks the buffer in C order.
    let array = &*array.to_c_order();
    let body = if array.is_empty() { "[]".to_string() } else { array_to_string(array) };
    let shape = array.shape();
    let mut extras = Vec::new();
    // NumPy 2.2+ shows the shape of summarized arrays, and of empty ones unless it is (0,).
    if (array.is_empty() && shape != [0]) || array.len() > THRESHOLD {
        extras.push(format!("shape={}", fmt_shape(shape)));
    }
    // float64, int64 and bool are implied by the printed values, unless there are none.
    if !matches!(array.dtype(), DType::Float64 | DType::Int64 | DType::Bool) || array.is_empty() {
        extras.push(format!("dtype={}", array.dtype()));
    }
    if extras.is_empty() {
        return format!("{PREFIX}{body})");
    }
    let head = format!("{PREFIX}{body},");
    let tail = format!("{})", extras.join(", "));
    let last_line_len = head.len() - head.rfind('\n').map_or(0, |i| i + 1);
    if last_line_len + tail.len() + 1 > LINE_WIDTH {
        format!("{head}\n{}{tail}", " ".repeat(PREFIX.len()))
    } else {
        format!("{head} {tail}")
    }
}

/// NumPy's `_array2string` for a non-empty array.
fn array_to_string(array: &Array) -> String {
    let shape = array.shape();
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    let layout = Layout { shape, strides, summarize: array.len() > THRESHOLD };
    let mut shown = Vec::new();
    layout.visit(0, 0, &mut |i| shown.push(i));
    let format = Format::new(array.data(), &shown, shape.is_empty());
    let printer = Printer { layout, data: array.data(), format };
    // The first line's hanging indent stands for `array([`, then is cut off.
    printer.recurse(0, 0, &" ".repeat(PREFIX.len() + 1), LINE_WIDTH)
}

struct Layout<'a> {
    shape: &'a [usize],
    strides: Vec<usize>,
    summarize: bool,
}

impl Layout<'_> {
    /// The indices shown along an axis: all, or the first and last few.
    fn shown(&self, axis: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>, bool) {
        let len = self.shape[axis];
        if self.summarize && len > 2 * EDGE_ITEMS {
            (0..EDGE_ITEMS, len - EDGE_ITEMS..len, true)
        } else {
            (0..len, len..len, false)
        }
    }

    /// Call `f` with the flat index of every element that will be printed.
    fn visit(&self, axis: usize, offset: usize, f: &mut impl FnMut(usize)) {
        if axis == self.shape.len() {
            return f(offset);
        }
        let (lead, trail, _) = self.shown(axis);
        for i in lead.chain(trail) {
            self.visit(axis + 1, offset + i * self.strides[axis], f);
        }
    }
}

struct Printer<'a> {
    layout: Layout<'a>,
    data: &'a Data,
    format: Format,
}

impl Printer<'_> {
    /// NumPy's `_formatArray.recurser`: the sub-array at `offset` from `axis` on,
    /// continuation lines indented by `hanging`, lines at most `width` long.
    fn recurse(&self, axis: usize, offset: usize, hanging: &str, width: usize) -> String {
        let shape = self.layout.shape;
        if axis == shape.len() {
            return self.format.format(self.data.get(offset));
        }
        let next_hanging = format!("{hanging} ");
        let next_width = width.saturating_sub(1);
        let item = |i: usize| self.recurse(axis + 1, offset + i * self.layout.strides[axis], &next_hanging, next_width);
        let (lead, trail, summary) = self.layout.shown(axis);
        let mut parts: Vec<String> = lead.map(item).collect();
        if summary {
            parts.push("...".to_string());
            parts.extend(trail.map(item));
        }
        let mut s = String::new();
        if axis + 1 == shape.len() {
            // The last axis: elements on lines, wrapped before they pass the width
            // (leaving room for the separator or the closing bracket).
            let elem_width = width.saturating_sub(1);
            let mut line = hanging.to_string();
            for (k, part) in parts.iter().enumerate() {
                if k > 0 {
                    line.push_str(SEPARATOR);
                }
                extend_line(&mut s, &mut line, part, elem_width, hanging);
            }
            s.push_str(&line);
        } else {
            // Outer axes: one sub-array per line, blank lines between blocks.
            let line_sep = format!("{}{}", SEPARATOR.trim_end(), "\n".repeat(shape.len() - axis - 1));
            for (k, part) in parts.iter().enumerate() {
                if k > 0 {
                    s.push_str(&line_sep);
                }
                s.push_str(hanging);
                s.push_str(part);
            }
        }
        format!("[{}]", &s[hanging.len()..])
    }
}

/// NumPy's `_extendLine`: start a new line if `word` would pass `width`, unless
/// the line holds nothing but its indent (wrapping would not help).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, indent: &str) {
    if line.len() + word.len() > width && line.len() > indent.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = indent.to_string();
    }
    line.push_str(word);
}

/// How every element of one array is formatted.
enum Format {
    /// `True` pads to ` True` to align with `False`, except in 0-d arrays.
    Bool {
        pad: bool,
    },
    Int {
        width: usize,
    },
    Float(FloatFormat),
}

impl Format {
    fn new(data: &Data, shown: &[usize], zero_d: bool) -> Format {
        let ints = |values: Vec<i64>| {
            let width = |v: Option<&i64>| v.map_or(0, |v| v.to_string().len());
            Format::Int { width: width(values.iter().max()).max(width(values.iter().min())) }
        };
        match data {
            Data::Bool(_) => Format::Bool { pad: !zero_d },
            Data::Int32(v) => ints(shown.iter().map(|&i| i64::from(v[i])).collect()),
            Data::Int64(v) => ints(shown.iter().map(|&i| v[i]).collect()),
            Data::Float32(v) => Format::Float(FloatFormat::new(shown.iter().map(|&i| f64::from(v[i])), Width::Single)),
            Data::Float64(v) => Format::Float(FloatFormat::new(shown.iter().map(|&i| v[i]), Width::Double)),
        }
    }

    fn format(&self, value: Scalar) -> String {
        match (self, value) {
            (Format::Bool { pad }, Scalar::Bool(b)) => match (b, pad) {
                (true, true) => " True".to_string(),
                (true, false) => "True".to_string(),
                (false, _) => "False".to_string(),
            },
            (Format::Int { width }, Scalar::Int32(v)) => format!("{v:>width$}"),
            (Format::Int { width }, Scalar::Int64(v)) => format!("{v:>width$}"),
            (Format::Float(f), Scalar::Float32(v)) => f.format(f64::from(v)),
            (Format::Float(f), Scalar::Float64(v)) => f.format(v),
            _ => unreachable!("the format is chosen from the array's own dtype"),
        }
    }
}

/// The float dtype being printed: how many digits round-trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Width {
    /// float32: the shortest digits that round-trip as float32.
    Single,
    /// float64.
    Double,
}

/// NumPy's `FloatingFormat` in `maxprec` mode.
struct FloatFormat {
    /// float32 values: digits are the shortest that round-trip as float32.
    width: Width,
    scientific: bool,
    pad_left: usize,
    pad_right: usize,
    /// Scientific only: fraction digits of every mantissa, and exponent digits.
    precision: usize,
    exp_digits: usize,
}

impl FloatFormat {
    fn new(values: impl Iterator<Item = f64>, width: Width) -> FloatFormat {
        let values: Vec<f64> = values.collect();
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let mut f = FloatFormat {
            width,
            scientific: use_scientific(&finite, width),
            pad_left: 0,
            pad_right: 0,
            precision: 0,
            exp_digits: 0,
        };
        if f.scientific {
            for &v in &finite {
                let (int, frac, exp) = scientific(v, width);
                f.pad_left = f.pad_left.max(int.len());
                f.precision = f.precision.max(frac.len());
                f.exp_digits = f.exp_digits.max(exp.unsigned_abs().to_string().len().max(2));
            }
            f.pad_right = f.exp_digits + 2 + f.precision;
        } else {
            for &v in &finite {
                let (int, frac) = positional(v, width);
                f.pad_left = f.pad_left.max(int.len());
                f.pad_right = f.pad_right.max(frac.len());
            }
        }
        if finite.len() != values.len() {
            // Make room for `nan`, `inf` and `-inf`, right-aligned in the field.
            let neg_inf = values.contains(&f64::NEG_INFINITY);
            let field = f.pad_right + 1;
            f.pad_left =
                f.pad_left.max(3usize.saturating_sub(field)).max((3 + usize::from(neg_inf)).saturating_sub(field));
        }
        f
    }

    fn format(&self, v: f64) -> String {
        if !v.is_finite() {
            let text = if v.is_nan() {
                "nan"
            } else if v > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            return format!("{text:>width$}", width = self.pad_left + self.pad_right + 1);
        }
        let pad_left = self.pad_left;
        if self.scientific {
            let (int, frac, exp) = scientific(v, self.width);
            let sign = if exp < 0 { '-' } else { '+' };
            let (precision, exp_digits) = (self.precision, self.exp_digits);
            format!("{int:>pad_left$}.{frac:0<precision$}e{sign}{:0>exp_digits$}", exp.unsigned_abs())
        } else {
            let (int, frac) = positional(v, self.width);
            format!("{int:>pad_left$}.{frac:<pad_right$}", pad_right = self.pad_right)
        }
    }
}

/// NumPy switches to scientific notation when the nonzero magnitudes reach 1e8,
/// go below 1e-4, or span more than three decades. The comparisons happen in the
/// array's own precision.
fn use_scientific(finite: &[f64], width: Width) -> bool {
    let abs = finite.iter().filter(|&&v| v != 0.0).map(|v| v.abs());
    let (Some(max), Some(min)) = (abs.clone().reduce(f64::max), abs.reduce(f64::min)) else {
        return false;
    };
    if width == Width::Single {
        let (max, min) = (max as f32, min as f32);
        max >= 1e8 || min < 1e-4 || max / min > 1e3
    } else {
        max >= 1e8 || min < 1e-4 || max / min > 1e3
    }
}

/// The shortest decimal that round-trips `v` (as float32 for `Width::Single`), positional.
fn shortest(v: f64, width: Width) -> String {
    if width == Width::Single {
        (v as f32).to_string()
    } else {
        v.to_string()
    }
}

/// The same digits in scientific notation (`1.5e-5`).
fn shortest_exp(v: f64, width: Width) -> String {
    if width == Width::Single {
        format!("{:e}", v as f32)
    } else {
        format!("{v:e}")
    }
}

/// Positional digits: integer part (with sign) and fraction digits, the shortest
/// that round-trip, or rounded (half to even, like NumPy's Dragon4) to 8 fraction
/// digits with trailing zeros dropped.
fn positional(v: f64, width: Width) -> (String, String) {
    // Rounding the exact value works the same from f64: every float32 is one.
    let shortest = shortest(v, width);
    let text = match shortest.split_once('.') {
        Some((_, frac)) if frac.len() > PRECISION => format!("{v:.PRECISION$}").trim_end_matches('0').to_string(),
        _ => shortest,
    };
    match text.split_once('.') {
        Some((int, frac)) => (int.to_string(), frac.to_string()),
        None => (text, String::new()),
    }
}

/// Scientific digits: the mantissa's integer digit (with sign), its fraction
/// digits (shortest, or rounded to 8 with trailing zeros dropped) and the exponent.
fn scientific(v: f64, width: Width) -> (String, String, i32) {
    let shortest = shortest_exp(v, width);
    let text = match shortest.split_once('e') {
        Some((mantissa, _)) if mantissa.split_once('.').is_some_and(|(_, f)| f.len() > PRECISION) => {
            format!("{v:.PRECISION$e}")
        }
        _ => shortest,
    };
    let (mantissa, exp) = text.split_once('e').expect("{:e} output has an exponent");
    let exp = exp.parse().expect("{:e} exponents are integers");
    match mantissa.split_once('.') {
        Some((int, frac)) => (int.to_string(), frac.trim_end_matches('0').to_string(), exp),
        None => (mantissa.to_string(), String::new(), exp),
    }
}

#[cfg(test)]
mod tests;
