//! Element types and NumPy 2 (NEP 50) type promotion.
//!
//! Input: the dtypes of operands, and whether an operand is a *weak* Python-style
//! literal (`2`, `2.5`, `pi`) or a *strong* array / 0-d input.
//! Output: the dtype an operation computes in and returns.
//!
//! Invariant: everything here is pure and total; callers turn `None` into errors
//! with spans.

use std::fmt;

/// The element types jitexpr computes with. Ordered by NumPy's kind lattice within
/// each kind (bool < int32 < int64; float32 < float64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// NumPy `bool`.
    Bool,
    /// NumPy `int32`.
    Int32,
    /// NumPy `int64`.
    Int64,
    /// NumPy `float32`.
    Float32,
    /// NumPy `float64`.
    Float64,
}

/// The category of a dtype, NumPy's `dtype.kind` ('b', 'i', 'f').
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// NumPy `bool`.
    Bool,
    Int,
    Float,
}

impl DType {
    /// Every dtype, from the lowest kind to the highest.
    pub const ALL: [DType; 5] = [DType::Bool, DType::Int32, DType::Int64, DType::Float32, DType::Float64];

    /// NumPy's name (`float64`), also the cast function's name in the language.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// The dtype NumPy spells `name` (`"float32"`), if jitexpr has it.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    pub(crate) fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::Int32 | DType::Int64 => Kind::Int,
            DType::Float32 | DType::Float64 => Kind::Float,
        }
    }

    /// Whether this is `float32` or `float64`.
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// Whether this is `int32` or `int64`.
    pub fn is_int(self) -> bool {
        self.kind() == Kind::Int
    }

    /// Bytes per element (bool is one byte, as in NumPy).
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// The dtype NumPy's math functions (sqrt, sin, ...) compute in for this input:
    /// floats keep their width, ints go to float64. Bool gives float16 in NumPy,
    /// which jitexpr lacks, so it has no answer here.
    pub(crate) fn math_float(self) -> Option<DType> {
        match self {
            DType::Float32 => Some(DType::Float32),
            DType::Float64 | DType::Int32 | DType::Int64 => Some(DType::Float64),
            DType::Bool => None,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The static type of an expression: a dtype, and whether it is weak (a Python
/// literal or arithmetic on literals only, NEP 50) or strong (anything touching an
/// input or a function result).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ty {
    pub dtype: DType,
    pub weak: bool,
}

impl Ty {
    pub fn strong(dtype: DType) -> Ty {
        Ty { dtype, weak: false }
    }
}

/// Promotion of two strong dtypes (`np.result_type` on arrays).
///
/// Same kind: the wider. bool with anything: the other. int with float: int32 and
/// float32 give float64 (an int32 does not fit a float32 exactly), otherwise the
/// float64.
pub fn promote_strong(a: DType, b: DType) -> DType {
    use DType::*;
    match (a, b) {
        (x, y) if x == y => x,
        (Bool, x) | (x, Bool) => x,
        (Int32, Int64) | (Int64, Int32) => Int64,
        (Float32, Float64) | (Float64, Float32) => Float64,
        (Int32 | Int64, Float32) | (Float32, Int32 | Int64) => Float64,
        (Int32 | Int64, Float64) | (Float64, Int32 | Int64) => Float64,
        _ => unreachable!("promote_strong covers every pair: {a} {b}"),
    }
}

/// NEP 50 promotion of two typed operands.
///
/// - strong with strong: [`promote_strong`];
/// - weak with weak: Python's rules (bool < int < float), result weak;
/// - weak with strong: the strong dtype if its kind is at least the weak one's,
///   else the weak kind's default dtype (int64, float64), result strong.
pub fn promote(a: Ty, b: Ty) -> Ty {
    match (a.weak, b.weak) {
        (false, false) => Ty::strong(promote_strong(a.dtype, b.dtype)),
        (true, true) => Ty { dtype: a.dtype.max(b.dtype), weak: true },
        (true, false) => Ty::strong(promote_weak(a.dtype, b.dtype)),
        (false, true) => Ty::strong(promote_weak(b.dtype, a.dtype)),
    }
}

fn promote_weak(weak: DType, strong: DType) -> DType {
    if strong.kind() >= weak.kind() {
        strong
    } else {
        // The weak kind's default: Python int -> int64, Python float -> float64.
        weak
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn strong_promotion_matches_numpy_result_type() {
        // np.result_type for every pair of our dtypes.
        let table = [
            (Bool, Bool, Bool),
            (Bool, Int32, Int32),
            (Bool, Float32, Float32),
            (Int32, Int64, Int64),
            (Int32, Float32, Float64),
            (Int64, Float32, Float64),
            (Int32, Float64, Float64),
            (Float32, Float64, Float64),
        ];
        for (a, b, r) in table {
            assert_eq!(promote_strong(a, b), r, "{a} {b}");
            assert_eq!(promote_strong(b, a), r, "{b} {a}");
        }
    }

    #[test]
    fn weak_literals_follow_nep50() {
        let w = |d| Ty { dtype: d, weak: true };
        let s = Ty::strong;
        assert_eq!(promote(s(Float32), w(Float64)), s(Float32));
        assert_eq!(promote(s(Int32), w(Int64)), s(Int32));
        assert_eq!(promote(s(Int32), w(Float64)), s(Float64));
        assert_eq!(promote(s(Bool), w(Int64)), s(Int64));
        assert_eq!(promote(w(Int64), w(Float64)), w(Float64));
    }
}

/// One typed value: a constant in the IR, a 0-d input, a reduction result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A `bool`.
    Bool(bool),
    /// An `int32`.
    Int32(i32),
    /// An `int64`.
    Int64(i64),
    /// A `float32`.
    Float32(f32),
    /// A `float64`.
    Float64(f64),
}

impl Scalar {
    /// The scalar's dtype.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int32(_) => DType::Int32,
            Scalar::Int64(_) => DType::Int64,
            Scalar::Float32(_) => DType::Float32,
            Scalar::Float64(_) => DType::Float64,
        }
    }

    /// A float value as a float dtype's scalar (`f32` rounds).
    pub fn from_f64(v: f64, dtype: DType) -> Scalar {
        match dtype {
            DType::Float32 => Scalar::Float32(v as f32),
            DType::Float64 => Scalar::Float64(v),
            DType::Bool | DType::Int32 | DType::Int64 => unreachable!("from_f64 takes a float dtype, got {dtype}"),
        }
    }

    /// Bitwise equality (so `NaN == NaN` and `0.0 != -0.0`): what CSE and caches need.
    pub fn same_bits(self, other: Scalar) -> bool {
        self.dtype() == other.dtype() && self.bits() == other.bits()
    }

    /// The value's bit pattern, zero-extended: with [`Scalar::dtype`], what
    /// identifies a constant for CSE and the kernel cache (`NaN`s with equal
    /// payloads are equal, `0.0` and `-0.0` are not).
    pub fn bits(self) -> u64 {
        match self {
            Scalar::Bool(v) => u64::from(v),
            Scalar::Int32(v) => u64::from(v as u32),
            Scalar::Int64(v) => v as u64,
            Scalar::Float32(v) => u64::from(v.to_bits()),
            Scalar::Float64(v) => v.to_bits(),
        }
    }
}

/// A constant compared and hashed by its bits ([`Scalar::same_bits`]: `NaN ==
/// NaN` for equal payloads, `0.0 != -0.0`), so instructions holding constants
/// can be hash-consed (CSE) and cached (kernels) by what they compute.
#[derive(Clone, Copy, Debug)]
pub struct ConstBits(pub Scalar);

impl PartialEq for ConstBits {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_bits(other.0)
    }
}

impl Eq for ConstBits {}

impl std::hash::Hash for ConstBits {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.0.dtype(), self.0.bits()).hash(state)
    }
}

impl fmt::Display for Scalar {
    /// Python-like spelling: `True`, `3`, `2.5`, `nan`, `inf`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn float(f: &mut fmt::Formatter<'_>, v: f64, s: String) -> fmt::Result {
            if v.is_nan() {
                f.write_str("nan")
            } else if v.is_infinite() {
                f.write_str(if v > 0.0 { "inf" } else { "-inf" })
            } else {
                f.write_str(&s)
            }
        }
        match *self {
            Scalar::Bool(b) => f.write_str(if b { "True" } else { "False" }),
            Scalar::Int32(v) => write!(f, "{v}"),
            Scalar::Int64(v) => write!(f, "{v}"),
            Scalar::Float32(v) => float(f, v as f64, format!("{v:?}")),
            Scalar::Float64(v) => float(f, v, format!("{v:?}")),
        }
    }
}
