//! The one operator and function table.
//!
//! Every operator, elementwise function, cast and reduction the language knows is a
//! variant here, with its spelling, arity and dtype rule. The operators' spellings
//! and precedence live in the leaf [`crate::syntax::ops`] (the parser's, re-exported
//! here); their dtype rules are here. Lowering reads names and type rules
//! ([`lookup`], [`Func::info`]), and the interpreter and code generator match on the
//! same enums exhaustively, so a new operator fails to compile wherever it is not yet
//! handled. What a function computes is its row in [`crate::semantics::func_impl`].

use crate::types::DType;

pub use crate::syntax::ops::{BinaryOp, UnaryOp};

impl UnaryOp {
    /// Result dtype for an operand dtype, or why the operation is undefined.
    pub fn result(self, x: DType) -> Result<DType, String> {
        match (self, x) {
            (UnaryOp::Neg, DType::Bool) => {
                Err("the numpy boolean negative, the `-` operator, is not supported; use `~` instead".into())
            }
            (UnaryOp::Pos, DType::Bool) => Err("unary `+` is not defined for bool".into()),
            (UnaryOp::Invert, DType::Float32 | DType::Float64) => {
                Err(format!("`~` is not defined for {x}; it needs bool or integer operands"))
            }
            (UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert, _) => Ok(x),
        }
    }
}

/// How a binary operator treats operand dtypes after promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryRule {
    /// `+ *`: any dtype; on bool they are logical or / and.
    Arith,
    /// `- // % **`: ints and floats; bool is an error (NumPy gives int8 or refuses).
    Numeric,
    /// `/`: true division; ints and bool compute in float64.
    TrueDiv,
    /// `& | ^`: bool (logical) and ints.
    Bitwise,
    /// `<< >>`: ints only.
    Shift,
    /// Comparisons: any dtype, result bool.
    Compare,
}

impl BinaryOp {
    pub fn rule(self) -> BinaryRule {
        match self {
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
                BinaryRule::Compare
            }
            BinaryOp::BitOr | BinaryOp::BitXor | BinaryOp::BitAnd => BinaryRule::Bitwise,
            BinaryOp::Shl | BinaryOp::Shr => BinaryRule::Shift,
            BinaryOp::Add | BinaryOp::Mul => BinaryRule::Arith,
            BinaryOp::Sub | BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow => BinaryRule::Numeric,
            BinaryOp::Div => BinaryRule::TrueDiv,
        }
    }

    /// Given the promoted operand dtype, the dtype the operation computes in (its
    /// operands are cast to it) and the dtype it returns; or why it is undefined.
    pub fn compute(self, promoted: DType) -> Result<(DType, DType), String> {
        let sym = self.symbol();
        match (self.rule(), promoted) {
            (BinaryRule::Compare, t) => Ok((t, DType::Bool)),
            (BinaryRule::Arith, t) => Ok((t, t)),
            (BinaryRule::TrueDiv, DType::Float32) => Ok((DType::Float32, DType::Float32)),
            (BinaryRule::TrueDiv, _) => Ok((DType::Float64, DType::Float64)),
            (BinaryRule::Numeric, DType::Bool) if self == BinaryOp::Sub => {
                Err("the numpy boolean subtract, the `-` operator, is not supported; use `^` instead".into())
            }
            (BinaryRule::Numeric | BinaryRule::Shift, DType::Bool) => Err(format!(
                "`{sym}` on two bools gives int8 in NumPy, which jitexpr does not support; cast an operand first, e.g. `int32(x)`"
            )),
            (BinaryRule::Numeric, t) => Ok((t, t)),
            (BinaryRule::Bitwise, DType::Float32 | DType::Float64) | (BinaryRule::Shift, DType::Float32 | DType::Float64) => {
                Err(format!("`{sym}` is not defined for {promoted}; it needs bool or integer operands"))
            }
            (BinaryRule::Bitwise | BinaryRule::Shift, t) => Ok((t, t)),
        }
    }
}

/// Defines [`Func`], [`Func::ALL`] and [`Func::info`] from one list of rows, so a
/// function exists in all three or in none (the compiler counts `ALL` for us).
macro_rules! funcs {
    ($( $(#[$doc:meta])* $f:ident = $name:literal [$($alias:literal),*] $arity:literal $rule:expr; )*) => {
        /// Elementwise functions (not operators). What each computes is its row in
        /// [`crate::semantics::func_impl`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Func {
            $( $(#[$doc])* $f, )*
        }

        impl Func {
            /// Every function, in table order.
            pub const ALL: [Func; [$( Func::$f, )*].len()] = [$( Func::$f, )*];

            /// The function's row: spelling, arity and dtype rule.
            pub fn info(self) -> FuncInfo {
                #[allow(unused_imports)]
                use FuncRule::*;
                match self {
                    $( Func::$f => FuncInfo { name: $name, aliases: &[$($alias),*], arity: $arity, rule: $rule }, )*
                }
            }
        }
    };
}

// name = "numpy name" [aliases] arity rule
funcs! {
    /// `where(cond, x, y)`.
    Where = "where" [] 3 Where;
    Sqrt = "sqrt" [] 1 Math;
    Cbrt = "cbrt" [] 1 Math;
    Square = "square" [] 1 Same { bool_ok: false };
    Exp = "exp" [] 1 Math;
    Expm1 = "expm1" [] 1 Math;
    Exp2 = "exp2" [] 1 Math;
    Log = "log" [] 1 Math;
    Log1p = "log1p" [] 1 Math;
    Log2 = "log2" [] 1 Math;
    Log10 = "log10" [] 1 Math;
    Sin = "sin" [] 1 Math;
    Cos = "cos" [] 1 Math;
    Tan = "tan" [] 1 Math;
    Arcsin = "arcsin" ["asin"] 1 Math;
    Arccos = "arccos" ["acos"] 1 Math;
    Arctan = "arctan" ["atan"] 1 Math;
    Arctan2 = "arctan2" ["atan2"] 2 Math;
    Sinh = "sinh" [] 1 Math;
    Cosh = "cosh" [] 1 Math;
    Tanh = "tanh" [] 1 Math;
    Arcsinh = "arcsinh" ["asinh"] 1 Math;
    Arccosh = "arccosh" ["acosh"] 1 Math;
    Arctanh = "arctanh" ["atanh"] 1 Math;
    Hypot = "hypot" [] 2 Math;
    Fmod = "fmod" [] 2 Same { bool_ok: false };
    Abs = "absolute" ["abs"] 1 Same { bool_ok: true };
    Sign = "sign" [] 1 Same { bool_ok: false };
    Floor = "floor" [] 1 Same { bool_ok: true };
    Ceil = "ceil" [] 1 Same { bool_ok: true };
    Round = "round" [] 1 Same { bool_ok: false };
    Rint = "rint" [] 1 Math;
    Trunc = "trunc" [] 1 Same { bool_ok: true };
    Minimum = "minimum" [] 2 Same { bool_ok: true };
    Maximum = "maximum" [] 2 Same { bool_ok: true };
    Clip = "clip" [] 3 Same { bool_ok: true };
    Copysign = "copysign" [] 2 Math;
    Nextafter = "nextafter" [] 2 Math;
    Isnan = "isnan" [] 1 Predicate;
    Isinf = "isinf" [] 1 Predicate;
    Isfinite = "isfinite" [] 1 Predicate;
    Signbit = "signbit" [] 1 Predicate;
    Erf = "erf" [] 1 Math;
    Erfc = "erfc" [] 1 Math;
    Copy = "copy" [] 1 Same { bool_ok: true };
    OnesLike = "ones_like" [] 1 Same { bool_ok: true };
    Conj = "conj" ["conjugate"] 1 Same { bool_ok: false };
    Real = "real" [] 1 Same { bool_ok: true };
    Imag = "imag" [] 1 Same { bool_ok: true };
    Logaddexp = "logaddexp" [] 2 Math;
    Logaddexp2 = "logaddexp2" [] 2 Math;
    /// `minimum` ignoring NaN.
    Fmin = "fmin" [] 2 Same { bool_ok: true };
    /// `maximum` ignoring NaN.
    Fmax = "fmax" [] 2 Same { bool_ok: true };
    Deg2rad = "deg2rad" [] 1 Math;
    Rad2deg = "rad2deg" [] 1 Math;
    /// `heaviside(x, h)`: 0, `h` at 0, 1.
    Heaviside = "heaviside" [] 2 Math;
    Reciprocal = "reciprocal" [] 1 Same { bool_ok: false };
    Gcd = "gcd" [] 2 Int;
    Lcm = "lcm" [] 2 Int;
    Fabs = "fabs" [] 1 Math;
    FloatPower = "float_power" [] 2 Float64;
    /// `fma(x, y, z)`: `x*y + z` rounded once (a jitexpr extension: NumPy has no
    /// fma ufunc). What `--math fast` contracts `a*b + c` into.
    Fma = "fma" [] 3 Math;
}

/// How a function types its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncRule {
    /// Floating-point math: floats keep their width, ints compute in float64, bool
    /// is an error (NumPy gives float16).
    Math,
    /// Keeps the promoted dtype. `bool_ok: false` when NumPy gives bool a dtype
    /// jitexpr lacks (int8, float16) or refuses it.
    Same { bool_ok: bool },
    /// Integers only (`gcd`, `lcm`): ints keep their dtype; bool gives int8 in
    /// NumPy and floats have no loop, both errors.
    Int,
    /// Always float64, whatever the operands (`float_power`).
    Float64,
    /// Any dtype in, bool out (`isnan`, ...).
    Predicate,
    /// `where(cond, x, y)`: cond becomes bool, x and y promote together.
    Where,
}

impl FuncRule {
    /// Given the promoted dtype of the (value) arguments, the dtype the function
    /// computes in (its arguments are cast to it) and the dtype it returns; or why
    /// it is undefined. For `where`, the dtype of `x` and `y` (the condition is
    /// bool).
    pub fn compute(self, name: &str, promoted: DType) -> Result<(DType, DType), String> {
        match self {
            FuncRule::Math => match promoted.math_float() {
                Some(t) => Ok((t, t)),
                None => Err(format!("`{name}` of bool gives float16 in NumPy, which jitexpr does not support")),
            },
            FuncRule::Same { bool_ok: false } if promoted == DType::Bool => {
                Err(format!("`{name}` of bool is not supported (NumPy gives int8 or float16, or refuses)"))
            }
            FuncRule::Int if promoted == DType::Bool => {
                Err(format!("`{name}` of bool gives int8 in NumPy, which jitexpr does not support"))
            }
            FuncRule::Int if promoted.is_float() => {
                Err(format!("`{name}` is not defined for {promoted}; it needs integer operands"))
            }
            FuncRule::Same { .. } | FuncRule::Int | FuncRule::Where => Ok((promoted, promoted)),
            FuncRule::Float64 => Ok((DType::Float64, DType::Float64)),
            FuncRule::Predicate => Ok((promoted, DType::Bool)),
        }
    }
}

/// One row of the function table.
#[derive(Clone, Copy, Debug)]
pub struct FuncInfo {
    /// The canonical (NumPy) name.
    pub name: &'static str,
    /// Other accepted spellings (numexpr's and C's).
    pub aliases: &'static [&'static str],
    /// Number of arguments.
    pub arity: usize,
    /// How the arguments are typed.
    pub rule: FuncRule,
}

/// Reductions: whole-array or along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    Mean,
    Any,
    All,
}

impl ReduceOp {
    pub const ALL: [ReduceOp; 7] =
        [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Min, ReduceOp::Max, ReduceOp::Mean, ReduceOp::Any, ReduceOp::All];

    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::Mean => "mean",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
        }
    }

    /// Other accepted spellings.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            ReduceOp::Min => &["amin"],
            ReduceOp::Max => &["amax"],
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => &[],
        }
    }

    /// The dtype the reduction accumulates in and returns, for an input dtype
    /// (NumPy's: int32/bool sums go to int64, means of ints to float64). The
    /// argument is cast to it first, so a reduce node's input and output dtypes
    /// are equal.
    pub fn accumulator(self, x: DType) -> DType {
        match (self, x) {
            (ReduceOp::Sum | ReduceOp::Prod, DType::Bool | DType::Int32 | DType::Int64) => DType::Int64,
            (ReduceOp::Mean, DType::Bool | DType::Int32 | DType::Int64) => DType::Float64,
            (ReduceOp::Any | ReduceOp::All, _) => DType::Bool,
            (ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean, t) => t,
            (ReduceOp::Min | ReduceOp::Max, t) => t,
        }
    }

    /// Whether a reduction over zero elements has a value (its identity).
    /// `mean` of nothing is NaN, as in NumPy.
    pub fn has_identity(self) -> bool {
        match self {
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Any | ReduceOp::All => true,
            ReduceOp::Min | ReduceOp::Max => false,
        }
    }
}

/// What a name in call position refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Func(Func),
    /// `pow(x, y)` is `x ** y`.
    Binary(BinaryOp),
    /// `float32(x)`, ...: NumPy `astype`.
    Cast(DType),
    Reduce(ReduceOp),
}

/// Resolve a function name (canonical name or alias).
pub fn lookup(name: &str) -> Option<Callee> {
    if name == "pow" || name == "power" {
        return Some(Callee::Binary(BinaryOp::Pow));
    }
    if let Some(d) = DType::from_name(name) {
        return Some(Callee::Cast(d));
    }
    if let Some(r) = ReduceOp::ALL.into_iter().find(|r| r.name() == name || r.aliases().contains(&name)) {
        return Some(Callee::Reduce(r));
    }
    Func::ALL.into_iter().find(|f| f.info().name == name || f.info().aliases.contains(&name)).map(Callee::Func)
}

/// Every callable name, for "did you mean" suggestions and docs.
pub fn all_names() -> Vec<&'static str> {
    let mut names = vec!["pow", "power"];
    names.extend(DType::ALL.iter().map(|d| d.name()));
    for r in ReduceOp::ALL {
        names.push(r.name());
        names.extend(r.aliases());
    }
    for f in Func::ALL {
        names.push(f.info().name);
        names.extend(f.info().aliases);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves_to_itself() {
        for name in all_names() {
            assert!(lookup(name).is_some(), "{name}");
        }
        assert_eq!(lookup("asin"), Some(Callee::Func(Func::Arcsin)));
        assert_eq!(lookup("pow"), Some(Callee::Binary(BinaryOp::Pow)));
        assert_eq!(lookup("int32"), Some(Callee::Cast(DType::Int32)));
        assert_eq!(lookup("nosuch"), None);
    }

    #[test]
    fn names_are_unique() {
        let mut names = all_names();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
