//! Operator names: the prefix and infix operators, their spellings, NumPy ufunc
//! names and precedence. A leaf the parser reads; the dtype rules of the same
//! operators are in [`crate::ir::ops`], which re-exports these enums.

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x`: bitwise not on ints, logical not on bool.
    Invert,
}

impl UnaryOp {
    #[cfg(test)] // the tests enumerate every operator
    pub const ALL: [UnaryOp; 3] = [UnaryOp::Neg, UnaryOp::Pos, UnaryOp::Invert];

    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Invert => "~",
        }
    }

    /// Pratt binding power of the operand: tighter than `* /`, looser than the left
    /// side of `**` (see [`BinaryOp::binding_power`]), so `-a*b == (-a)*b` and
    /// `-a**2 == -(a**2)`.
    pub fn binding_power(self) -> u8 {
        match self {
            UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert => 16,
        }
    }

    /// The NumPy ufunc name, used in IR dumps.
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "negative",
            UnaryOp::Pos => "positive",
            UnaryOp::Invert => "invert",
        }
    }
}

/// Infix operators, in Python's precedence order (loosest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

impl BinaryOp {
    #[cfg(test)] // the tests enumerate every operator
    pub const ALL: [BinaryOp; 18] = [
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::BitOr,
        BinaryOp::BitXor,
        BinaryOp::BitAnd,
        BinaryOp::Shl,
        BinaryOp::Shr,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::FloorDiv,
        BinaryOp::Mod,
        BinaryOp::Pow,
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::BitAnd => "&",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::FloorDiv => "//",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "**",
        }
    }

    /// The NumPy ufunc name, used in IR dumps.
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Lt => "less",
            BinaryOp::Le => "less_equal",
            BinaryOp::Gt => "greater",
            BinaryOp::Ge => "greater_equal",
            BinaryOp::Eq => "equal",
            BinaryOp::Ne => "not_equal",
            BinaryOp::BitOr => "bitwise_or",
            BinaryOp::BitXor => "bitwise_xor",
            BinaryOp::BitAnd => "bitwise_and",
            BinaryOp::Shl => "left_shift",
            BinaryOp::Shr => "right_shift",
            BinaryOp::Add => "add",
            BinaryOp::Sub => "subtract",
            BinaryOp::Mul => "multiply",
            BinaryOp::Div => "divide",
            BinaryOp::FloorDiv => "floor_divide",
            BinaryOp::Mod => "remainder",
            BinaryOp::Pow => "power",
        }
    }

    /// Pratt binding powers `(left, right)`: Python's precedence table. Left-
    /// associative operators bind tighter on the right; `**` is right-associative.
    /// Comparisons share one level and do not chain (the parser rejects `a < b < c`).
    pub fn binding_power(self) -> (u8, u8) {
        match self {
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => (2, 3),
            BinaryOp::BitOr => (4, 5),
            BinaryOp::BitXor => (6, 7),
            BinaryOp::BitAnd => (8, 9),
            BinaryOp::Shl | BinaryOp::Shr => (10, 11),
            BinaryOp::Add | BinaryOp::Sub => (12, 13),
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::FloorDiv | BinaryOp::Mod => (14, 15),
            // Unary operators sit at 16; `**` binds tighter on its left than a unary
            // minus (`-a**2 == -(a**2)`) but accepts one on its right (`2**-1`).
            BinaryOp::Pow => (19, 18),
        }
    }

    /// Whether this is a comparison (they share a precedence level and do not chain).
    pub fn is_comparison(self) -> bool {
        match self {
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => true,
            BinaryOp::BitOr
            | BinaryOp::BitXor
            | BinaryOp::BitAnd
            | BinaryOp::Shl
            | BinaryOp::Shr
            | BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::FloorDiv
            | BinaryOp::Mod
            | BinaryOp::Pow => false,
        }
    }
}
