//! Printing a [`Report`]: a table for people, one JSON object for programs.
//!
//! The JSON schema (field names are stable; fields may be added):
//!
//! ```text
//! {"expr": str, "n": int, "dtype": str, "math": "exact"|"fast",
//!  "inputs": [{"name": str, "dtype": str, "shape": [int], "generated": bool}],
//!  "output": {"dtype": str, "shape": [int]}, "traffic_bytes": int,
//!  "results": [{"engine": "interp"|"jit-unfused"|"jit", "threads": int, "repeat": int,
//!               "median_s": float, "min_s": float, "compile_s": float|null, "gbps": float,
//!               "speedup_vs_interp": float, "max_ulp_vs_interp": float}]}
//! ```
//!
//! `max_ulp_vs_interp` is measured against the *exact* interpreter (the `interp`
//! row) in both modes: 0 means NumPy's bits; in fast mode it is the rewrites'
//! error on these inputs.
//!
//! A non-finite number (which only a zero time or mismatched shapes could give) is
//! written as `null`, since JSON has no infinity.

use std::fmt::Write;

use super::{Report, Row};
use crate::array::fmt_shape;
use crate::Math;

impl Report {
    /// One JSON object on one line, followed by a newline.
    pub fn to_json(&self) -> String {
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|i| {
                format!(
                    r#"{{"name": {}, "dtype": "{}", "shape": {}, "generated": {}}}"#,
                    json_str(&i.name),
                    i.array.dtype(),
                    json_shape(i.array.shape()),
                    i.generated
                )
            })
            .collect();
        let rows: Vec<String> = self.results.iter().map(json_row).collect();
        format!(
            r#"{{"expr": {}, "n": {}, "dtype": "{}", "math": "{}", "inputs": [{}], "output": {{"dtype": "{}", "shape": {}}}, "traffic_bytes": {}, "results": [{}]}}"#,
            json_str(&self.expr),
            self.n,
            self.dtype,
            math_name(self.math),
            inputs.join(", "),
            self.output_dtype,
            json_shape(&self.output_shape),
            self.traffic_bytes,
            rows.join(", ")
        ) + "\n"
    }

    /// The human-readable table.
    pub fn to_table(&self) -> String {
        let mut out = format!("expr     {}\n", self.expr.replace('\n', "; "));
        let _ = writeln!(
            out,
            "math     {} (jit rows; interp is exact; max ulp: against the exact interp)",
            math_name(self.math)
        );
        for i in &self.inputs {
            let origin = if i.generated { "random" } else { "given" };
            let _ = writeln!(out, "input    {} {} {} ({origin})", i.name, i.array.dtype(), fmt_shape(i.array.shape()));
        }
        let _ = writeln!(
            out,
            "result   {} {}; compulsory traffic {:.1} MB (inputs read once, result written once)\n",
            self.output_dtype,
            fmt_shape(&self.output_shape),
            self.traffic_bytes as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "{:<12} {:>7} {:>6} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8}",
            "engine", "threads", "repeat", "median", "min", "compile", "GB/s", "speedup", "max ulp"
        );
        for r in &self.results {
            let compile = r.compile_s.map_or("-".to_string(), fmt_seconds);
            let _ = writeln!(
                out,
                "{:<12} {:>7} {:>6} {:>10} {:>10} {:>10} {:>8.2} {:>7.2}x {:>8}",
                r.engine.name(),
                r.threads,
                r.repeat,
                fmt_seconds(r.median_s),
                fmt_seconds(r.min_s),
                compile,
                r.gbps,
                r.speedup_vs_interp,
                fmt_ulp(r.max_ulp_vs_interp)
            );
        }
        out
    }
}

fn math_name(math: Math) -> &'static str {
    match math {
        Math::Exact => "exact",
        Math::Fast => "fast",
    }
}

fn json_row(r: &Row) -> String {
    format!(
        r#"{{"engine": "{}", "threads": {}, "repeat": {}, "median_s": {}, "min_s": {}, "compile_s": {}, "gbps": {}, "speedup_vs_interp": {}, "max_ulp_vs_interp": {}}}"#,
        r.engine.name(),
        r.threads,
        r.repeat,
        json_f64(r.median_s),
        json_f64(r.min_s),
        r.compile_s.map_or("null".to_string(), json_f64),
        json_f64(r.gbps),
        json_f64(r.speedup_vs_interp),
        json_f64(r.max_ulp_vs_interp)
    )
}

/// A JSON number (Rust's shortest round-trip spelling, always with a `.` or an
/// exponent so it reads back as a float), or `null` if not finite.
pub fn json_f64(v: f64) -> String {
    if !v.is_finite() {
        return "null".to_string();
    }
    let s = format!("{v:?}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_shape(shape: &[usize]) -> String {
    format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// Seconds with a unit that keeps 3 or 4 significant digits: `812 ns`, `12.3 µs`,
/// `4.56 ms`, `1.23 s`.
pub fn fmt_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "-".to_string();
    }
    let (value, unit) = if s < 1e-6 {
        (s * 1e9, "ns")
    } else if s < 1e-3 {
        (s * 1e6, "µs")
    } else if s < 1.0 {
        (s * 1e3, "ms")
    } else {
        (s, "s")
    };
    let digits = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {unit}")
}

fn fmt_ulp(u: f64) -> String {
    if !u.is_finite() {
        "mismatch".to_string()
    } else if u < 1e6 {
        format!("{u}")
    } else {
        format!("{u:.1e}")
    }
}
