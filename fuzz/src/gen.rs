//! Grammar-aware random programs for the differential fuzz target.
//!
//! Input: fuzzer bytes, read through [`arbitrary::Unstructured`]. Output: a
//! [`Case`]: up to four named input arrays (every dtype, small shapes that mostly
//! broadcast, values at the edges of their dtype, each in a memory layout), a
//! program of a few statements over them (every operator, function, cast and
//! reduction, axes, literals at the edges of their types), the outputs to
//! request, and the engine knobs (chunk size, optimizer for the unfused run).
//!
//! Programs are *typed*: each node is built from typed children and kept only if
//! the program so far still compiles (jitexpr's own lowering is the type oracle,
//! so the generator never re-implements NEP 50); otherwise the node is replaced
//! by one of its children. Each node also records how far the interpreter may
//! differ from the JIT on it ([`Exactness`]): bit for bit, unless it went
//! through a float sum, product or mean, whose order of additions the engines
//! choose differently.

use arbitrary::{Result, Unstructured};
use jitexpr::{Array, DType, Data, Expr};

use crate::layouts::{Layout, LAYOUTS};

/// How an input's elements are placed in memory; every placement reads back the
/// same logical array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// One of the test layouts (C, Fortran, rotated, reversed, stepped, ...).
    Layout(Layout),
    /// Stride 0 along the first axis over one slice (NumPy's `broadcast_to`):
    /// the values repeat along that axis.
    Repeated,
}

/// One input: its name, its values (C order) and where they sit in memory.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub array: Array,
    pub placement: Placement,
}

/// How an output may differ between the interpreter and the JIT.
#[derive(Clone, Debug, PartialEq)]
pub enum Exactness {
    /// Bit for bit (NaN payloads aside).
    Exact,
    /// The output is a float sum, product or mean of an exact argument: equal
    /// up to reordering the sum; `argument` is a program whose result is the
    /// reduced argument, to bound the error by its magnitude.
    Reordered { argument: String },
    /// Computed from a reordered value: the error is not bounded (a cast, a
    /// comparison or a cancellation can amplify the last bit), so only the dtype
    /// and shape are compared with the interpreter (the JIT configurations still
    /// agree bit for bit among themselves).
    Unbounded,
}

/// A differential case: a program, its inputs, what to request and how.
#[derive(Clone, Debug)]
pub struct Case {
    pub source: String,
    pub inputs: Vec<Input>,
    /// `None`: the result; `Some(name)`: an assigned name.
    pub outputs: Vec<Option<String>>,
    /// One per output.
    pub exactness: Vec<Exactness>,
    /// JIT elements per parallel task (small, so tiny arrays still split).
    pub chunk: Option<usize>,
    /// Whether the unfused JIT runs also run the optimizer.
    pub unfused_optimize: bool,
}

const F64_EDGES: [f64; 26] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    -1e-300,
    3e9,
    -3e9,
    1e19,
    7.0,
    -7.0,
    0.1,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    2147483647.5,
    9007199254740993.0,
    -9.223372036854776e18,
];
const I64_EDGES: [i64; 16] = [0, 1, -1, 2, -2, 7, -7, i64::MIN, i64::MAX, 31, 32, 63, 64, -64, 100, i32::MIN as i64];
const I32_EDGES: [i32; 15] = [0, 1, -1, 2, -2, 7, -7, i32::MIN, i32::MAX, 31, 32, 63, 64, -64, 100];

/// Literals as a user writes them: at the edges of int32, int64 and uint64
/// (out-of-range ones are type errors the oracle drops), float edges, spelling
/// variants of the grammar, and the named constants.
const LITERALS: [&str; 44] = [
    "0",
    "1",
    "2",
    "3",
    "7",
    "31",
    "32",
    "63",
    "64",
    "127",
    "255",
    "1_000",
    "2147483647",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "0.0",
    "0.5",
    "1.5",
    "2.5",
    ".5",
    "5.",
    "1e3",
    "1E-3",
    "0.1",
    "1e19",
    "1e300",
    "1e308",
    "1e309",
    "1e-320",
    "2.2250738585072014e-308",
    "3.4028235e38",
    "3.5e38",
    "1e-45",
    "9007199254740993.0",
    "True",
    "False",
    "pi",
    "e",
    "inf",
    "nan",
    "2147483647.5",
];

/// Every function by its names (aliases included), with its arity.
const FUNCTIONS: [(&str, usize); 59] = [
    ("where", 3),
    ("sqrt", 1),
    ("cbrt", 1),
    ("square", 1),
    ("exp", 1),
    ("expm1", 1),
    ("exp2", 1),
    ("log", 1),
    ("log1p", 1),
    ("log2", 1),
    ("log10", 1),
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("arcsin", 1),
    ("asin", 1),
    ("arccos", 1),
    ("acos", 1),
    ("arctan", 1),
    ("atan", 1),
    ("arctan2", 2),
    ("atan2", 2),
    ("sinh", 1),
    ("cosh", 1),
    ("tanh", 1),
    ("arcsinh", 1),
    ("asinh", 1),
    ("arccosh", 1),
    ("acosh", 1),
    ("arctanh", 1),
    ("atanh", 1),
    ("hypot", 2),
    ("fmod", 2),
    ("absolute", 1),
    ("abs", 1),
    ("sign", 1),
    ("floor", 1),
    ("ceil", 1),
    ("round", 1),
    ("rint", 1),
    ("trunc", 1),
    ("minimum", 2),
    ("maximum", 2),
    ("clip", 3),
    ("copysign", 2),
    ("nextafter", 2),
    ("isnan", 1),
    ("isinf", 1),
    ("isfinite", 1),
    ("signbit", 1),
    ("erf", 1),
    ("erfc", 1),
    ("copy", 1),
    ("ones_like", 1),
    ("conj", 1),
    ("conjugate", 1),
    ("real", 1),
    ("imag", 1),
    ("pow", 2),
];

const BINARY: [&str; 18] =
    ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", ">", ">=", "==", "!="];
const UNARY: [&str; 3] = ["-", "+", "~"];
/// Reductions by every name; whether the engines may order a float one differently.
const REDUCTIONS: [(&str, bool); 9] = [
    ("sum", true),
    ("prod", true),
    ("mean", true),
    ("min", false),
    ("max", false),
    ("amin", false),
    ("amax", false),
    ("any", false),
    ("all", false),
];

/// A typed expression.
#[derive(Clone, Debug)]
struct Node {
    text: String,
    dtype: DType,
    exact: Exactness,
    /// A name or literal: needs no parentheses as an operand.
    atom: bool,
}

impl Node {
    fn operand(&self) -> String {
        if self.atom {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }
}

/// Builds a program statement by statement, asking jitexpr to type each node.
struct Builder {
    signature: Vec<(String, DType)>,
    /// Statements so far, `name = expression`.
    statements: Vec<String>,
    /// Names in scope: inputs, then assigned names, with their node.
    scope: Vec<(String, Node)>,
    /// Nodes left to build in this program (keeps generation cheap).
    budget: usize,
    /// The rank of the shape the inputs broadcast to.
    rank: usize,
}

impl Builder {
    /// The program so far, ending in the expression `text`.
    fn program(&self, text: &str) -> String {
        let mut source = self.statements.join(if self.statements.len().is_multiple_of(2) { "\n" } else { "; " });
        if !source.is_empty() {
            source.push('\n');
        }
        source.push_str(text);
        source
    }

    /// The dtype of `text` at the end of the program so far, `None` if that
    /// does not compile.
    fn type_of(&self, text: &str) -> Option<DType> {
        let sig: Vec<(&str, DType)> = self.signature.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        let compiled = Expr::parse(&self.program(text)).ok()?.compile(&sig).ok()?;
        compiled.output_dtype(None)
    }

    /// `text` as a node if it types, else `fallback`.
    fn typed(&self, text: String, exact: Exactness, fallback: Node) -> Node {
        match self.type_of(&text) {
            Some(dtype) => Node { text, dtype, exact, atom: false },
            None => fallback,
        }
    }

    fn leaf(&mut self, u: &mut Unstructured<'_>) -> Result<Node> {
        if !self.scope.is_empty() && u.ratio(3, 4)? {
            let (name, node) = u.choose(&self.scope)?;
            return Ok(Node { text: name.clone(), dtype: node.dtype, exact: node.exact.clone(), atom: true });
        }
        let mut text = u.choose(&LITERALS)?.to_string();
        if u.ratio(1, 8)? {
            text = format!("-{text}");
        }
        // A literal that does not type (too large for int64) becomes 1.
        let (text, dtype) = match self.type_of(&text) {
            Some(dtype) => (text, dtype),
            None => ("1".to_string(), DType::Int64),
        };
        Ok(Node { atom: !text.starts_with('-'), text, dtype, exact: Exactness::Exact })
    }

    fn node(&mut self, u: &mut Unstructured<'_>, depth: usize) -> Result<Node> {
        if depth == 0 || self.budget == 0 || u.ratio(1, 4)? {
            return self.leaf(u);
        }
        self.budget -= 1;
        let d = depth - 1;
        Ok(match u.int_in_range(0..=9u8)? {
            0 => {
                let x = self.node(u, d)?;
                let text = format!("{}{}", u.choose(&UNARY)?, x.operand());
                let exact = x.exact.clone().downstream();
                self.typed(text, exact, x)
            }
            1..=3 => {
                let (x, y) = (self.node(u, d)?, self.node(u, d)?);
                let op = u.choose(&BINARY)?;
                let text = format!("{} {op} {}", x.operand(), y.operand());
                let exact = x.exact.clone().join(&y.exact);
                self.typed(text, exact, x)
            }
            4..=6 => {
                let &(name, arity) = u.choose(&FUNCTIONS)?;
                let args = (0..arity).map(|_| self.node(u, d)).collect::<Result<Vec<Node>>>()?;
                let text = format!("{name}({})", args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(", "));
                let exact = args.iter().fold(Exactness::Exact, |e, a| e.join(&a.exact));
                let fallback = args.into_iter().next().expect("every function takes an argument");
                self.typed(text, exact, fallback)
            }
            7 => {
                let x = self.node(u, d)?;
                let to = u.choose(&DType::ALL)?;
                let text = format!("{}({})", to.name(), x.text);
                let exact = x.exact.clone().downstream();
                self.typed(text, exact, x)
            }
            _ => self.reduction(u, d)?,
        })
    }

    fn reduction(&mut self, u: &mut Unstructured<'_>, depth: usize) -> Result<Node> {
        let x = self.node(u, depth)?;
        let &(name, reorders) = u.choose(&REDUCTIONS)?;
        // Mostly an axis of the common shape; sometimes one that may not exist.
        let rank = self.rank as i64;
        let axis =
            if rank > 0 && u.ratio(7, 8)? { u.int_in_range(-rank..=rank - 1)? } else { u.int_in_range(-4i64..=3)? };
        let text = match u.int_in_range(0..=3u8)? {
            0 => format!("{name}({})", x.text),
            1 => format!("{name}({}, axis={axis})", x.text),
            2 => format!("{name}({}, {axis})", x.text),
            _ => format!("{name}({}, axis=None)", x.text),
        };
        let Some(dtype) = self.type_of(&text) else { return Ok(x) };
        let exact = match (&x.exact, reorders && dtype.is_float()) {
            (Exactness::Exact, true) => Exactness::Reordered { argument: self.program(&x.text) },
            (Exactness::Exact, false) => Exactness::Exact,
            _ => Exactness::Unbounded,
        };
        Ok(Node { text, dtype, exact, atom: false })
    }
}

impl Exactness {
    /// What a node computed from this one is.
    fn downstream(self) -> Exactness {
        match self {
            Exactness::Exact => Exactness::Exact,
            Exactness::Reordered { .. } | Exactness::Unbounded => Exactness::Unbounded,
        }
    }

    fn join(self, other: &Exactness) -> Exactness {
        match (self, other) {
            (Exactness::Exact, Exactness::Exact) => Exactness::Exact,
            _ => Exactness::Unbounded,
        }
    }
}

fn element(u: &mut Unstructured<'_>, dtype: DType) -> Result<Data> {
    let pick = u.int_in_range(0..=5u8)?;
    Ok(match dtype {
        DType::Bool => Data::Bool(vec![u.arbitrary()?]),
        DType::Int32 => Data::Int32(vec![match pick {
            0..=2 => *u.choose(&I32_EDGES)?,
            3 | 4 => u.int_in_range(-9..=9)?,
            _ => u.arbitrary()?,
        }]),
        DType::Int64 => Data::Int64(vec![match pick {
            0..=2 => *u.choose(&I64_EDGES)?,
            3 | 4 => u.int_in_range(-9..=9)?,
            _ => u.arbitrary()?,
        }]),
        DType::Float32 => Data::Float32(vec![match pick {
            0..=2 => *u.choose(&F64_EDGES)? as f32,
            3 | 4 => f32::from(u.int_in_range(-40i8..=40)?) / 4.0,
            _ => f32::from_bits(u.arbitrary()?),
        }]),
        DType::Float64 => Data::Float64(vec![match pick {
            0..=2 => *u.choose(&F64_EDGES)?,
            3 | 4 => f64::from(u.int_in_range(-40i8..=40)?) / 4.0,
            _ => f64::from_bits(u.arbitrary()?),
        }]),
    })
}

fn append(into: &mut Data, one: Data) {
    match (into, one) {
        (Data::Bool(v), Data::Bool(x)) => v.extend(x),
        (Data::Int32(v), Data::Int32(x)) => v.extend(x),
        (Data::Int64(v), Data::Int64(x)) => v.extend(x),
        (Data::Float32(v), Data::Float32(x)) => v.extend(x),
        (Data::Float64(v), Data::Float64(x)) => v.extend(x),
        (d, x) => unreachable!("a {} element for a {} buffer", x.dtype(), d.dtype()),
    }
}

/// An input's shape: the common shape with leading axes dropped and some
/// extents 1 (so it broadcasts), rarely one extent changed (so it may not).
fn input_shape(u: &mut Unstructured<'_>, common: &[usize]) -> Result<Vec<usize>> {
    let keep = if u.ratio(2, 3)? { common.len() } else { u.int_in_range(0..=common.len())? };
    let mut shape = common[common.len() - keep..].to_vec();
    for d in shape.iter_mut() {
        if u.ratio(1, 4)? {
            *d = 1;
        }
    }
    if !shape.is_empty() && u.ratio(1, 24)? {
        let k = u.choose_index(shape.len())?;
        shape[k] += 1;
    }
    Ok(shape)
}

fn input(u: &mut Unstructured<'_>, name: &str, common: &[usize]) -> Result<Input> {
    let dtype = *u.choose(&DType::ALL)?;
    let shape = input_shape(u, common)?;
    let placement = if u.ratio(1, 6)? { Placement::Repeated } else { Placement::Layout(*u.choose(&LAYOUTS)?) };
    let n: usize = shape.iter().product();
    // Repeated inputs hold equal values along the first axis.
    let period = match (placement, shape.first()) {
        (Placement::Repeated, Some(&first)) if first > 0 => n / first,
        _ => n,
    };
    let mut data = Data::zeros(dtype, 0);
    for _ in 0..period {
        append(&mut data, element(u, dtype)?);
    }
    let array = Array::new(repeat(&data, n), shape).expect("as many elements as the shape holds");
    Ok(Input { name: name.to_string(), array, placement })
}

/// `n` elements cycling through `data` (empty if it is).
fn repeat(data: &Data, n: usize) -> Data {
    fn cycle<T: Copy>(v: &[T], n: usize) -> Vec<T> {
        v.iter().copied().cycle().take(n).collect()
    }
    match data {
        Data::Bool(v) => Data::Bool(cycle(v, n)),
        Data::Int32(v) => Data::Int32(cycle(v, n)),
        Data::Int64(v) => Data::Int64(cycle(v, n)),
        Data::Float32(v) => Data::Float32(cycle(v, n)),
        Data::Float64(v) => Data::Float64(cycle(v, n)),
    }
}

const EXTENTS: [usize; 14] = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 129, 0];
/// At most this many elements in the common shape (larger extents are halved).
const MAX_ELEMENTS: usize = 700;
const NAMES: [&str; 4] = ["a", "b", "c", "d"];
const CHUNKS: [Option<usize>; 5] = [Some(1), Some(3), Some(7), Some(64), None];

impl Case {
    /// A random typed case.
    pub fn generate(u: &mut Unstructured<'_>) -> Result<Case> {
        let rank = u.int_in_range(0..=3usize)?;
        let mut common = (0..rank).map(|_| u.choose(&EXTENTS).copied()).collect::<Result<Vec<usize>>>()?;
        while common.iter().product::<usize>() > MAX_ELEMENTS {
            let largest = common.iter_mut().max().expect("a shape over the limit has an axis");
            *largest /= 2;
        }
        let n_inputs = u.int_in_range(0..=4usize)?.max(usize::from(u.ratio(7, 8)?));
        let inputs = NAMES[..n_inputs].iter().map(|n| input(u, n, &common)).collect::<Result<Vec<Input>>>()?;
        let signature: Vec<(String, DType)> = inputs.iter().map(|i| (i.name.clone(), i.array.dtype())).collect();
        let scope = signature
            .iter()
            .map(|(n, d)| (n.clone(), Node { text: n.clone(), dtype: *d, exact: Exactness::Exact, atom: true }))
            .collect();
        let mut b = Builder { signature, statements: Vec::new(), scope, budget: 24, rank };
        let assignments = u.int_in_range(0..=3usize)?;
        for k in 0..assignments {
            let node = b.node(u, 4)?;
            let name = format!("t{k}");
            b.statements.push(format!("{name} = {}", node.text));
            b.scope.push((name, node));
        }
        let result = b.node(u, 4)?;
        let source = b.program(&result.text);
        let mut outputs = vec![None];
        let mut exactness = vec![result.exact];
        for k in 0..assignments {
            if u.ratio(1, 2)? {
                let (name, node) = &b.scope[n_inputs + k];
                outputs.push(Some(name.clone()));
                exactness.push(node.exact.clone());
            }
        }
        Ok(Case { source, inputs, outputs, exactness, chunk: *u.choose(&CHUNKS)?, unfused_optimize: u.arbitrary()? })
    }
}
