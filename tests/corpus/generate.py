#!/usr/bin/env python3
"""Generate the engine-independent test corpus, tests/corpus/*.toml.

Run with NumPy 2 (``/tmp/venv/bin/python tests/corpus/generate.py``); the output
is checked in and CI never runs Python. The format is documented at the top of
tests/corpus.rs.

Each case is an expression (or program) and its inputs. Unless a case carries a
hand-written expectation, its expected value is computed here by evaluating the
same text with NumPy: the syntax is Python's, so the text is parsed with ``ast``,
``True``/``False`` become NumPy bools, and names resolve to NumPy functions
(``where`` -> np.where, ``int32(x)`` -> x.astype(np.int32), ``sum(a, axis=1)`` ->
np.sum(a, axis=1)). Python int and float literals stay Python scalars, so NumPy 2
applies NEP 50's weak-literal promotion exactly as jitexpr must.

The generator refuses a case NumPy cannot answer (it raises, or returns a dtype
jitexpr lacks such as int8 or float16): those are where jitexpr documents a
deviation, and they carry a hand-written ``expect`` or ``error`` with a comment.
"""

import ast
import json
import math
from fractions import Fraction
import sys
import tomllib
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent

I32MIN, I32MAX = -(2**31), 2**31 - 1
I64MIN, I64MAX = -(2**63), 2**63 - 1
nan, inf = math.nan, math.inf

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
NP = {"bool": np.bool_, "int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64}
INTS = ["int32", "int64"]
FLOATS = ["float32", "float64"]
NUMERIC = INTS + FLOATS

# Transcendental functions: NumPy uses SVML / its own SIMD code, jitexpr uses libm.
MATH_ULP = 4


def arr(dtype, data, shape=None):
    """An input or expected array; `shape` defaults to 1-d."""
    a = np.array(data, dtype=NP[dtype])
    return a if shape is None else a.reshape(shape)


def scalar(dtype, value):
    """A 0-d array: a strong operand, unlike a literal."""
    return np.array(value, dtype=NP[dtype])


def cartesian(dtype, xs, ys=None):
    """Two arrays pairing every x with every y."""
    ys = xs if ys is None else ys
    return arr(dtype, [x for x in xs for _ in ys]), arr(dtype, [y for _ in xs for y in ys])


# ---------------------------------------------------------------------------
# NumPy evaluation of jitexpr text.


def _cast(dtype):
    return lambda x: np.asarray(x).astype(NP[dtype])


def _reduction(f):
    return lambda x, axis=None: f(np.asarray(x), axis=axis)


def _libm(f):
    """A float function NumPy lacks (erf, erfc): Python's math (libm), per element."""

    def apply(x):
        x = np.asarray(x)
        if x.dtype == np.bool_:
            raise TypeError("NumPy would compute this in float16")
        out = np.float32 if x.dtype == np.float32 else np.float64
        flat = [f(float(v)) for v in x.astype(np.float64).ravel()]
        return np.array(flat, dtype=np.float64).reshape(x.shape).astype(out)

    return apply


def _round_f32(q):
    """The float32 nearest the rational `q` (ties to even; subnormals; overflow to inf)."""
    if q == 0:
        return 0.0
    sign, q = (-1.0 if q < 0 else 1.0), abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    e += 1 if Fraction(2) ** e <= q else 0  # now 2**(e-1) <= q < 2**e
    e -= 1 if Fraction(2) ** (e - 1) > q else 0
    quantum = Fraction(2) ** (max(e - 1, -126) - 23)
    n = q / quantum
    whole = n.numerator // n.denominator
    rest = n - whole
    whole += 1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2) else 0
    value = whole * quantum
    return sign * (math.inf if value >= 2**128 else float(value))


def _fma1(x, y, z, single):
    """One fma: `x*y + z` rounded once, from the exact rational value."""
    if math.isnan(x) or math.isnan(y) or math.isnan(z):
        return nan
    if math.isinf(x) or math.isinf(y):
        if x == 0 or y == 0:
            return nan  # inf * 0
        p = math.copysign(inf, x) * math.copysign(1.0, y)
        return nan if math.isinf(z) and z != p else p
    if math.isinf(z):
        return z  # the exact product is finite
    exact = Fraction(x) * Fraction(y) + Fraction(z)
    if exact == 0:
        # An exact zero sum is +0 unless both terms are zeros of the same sign.
        product_sign = math.copysign(1.0, x) * math.copysign(1.0, y)
        return z if x * y == 0 and z == 0 and math.copysign(1.0, z) == product_sign else 0.0
    if single:
        return _round_f32(exact)
    try:
        return float(exact)  # int / int: correctly rounded
    except OverflowError:
        return inf if exact > 0 else -inf


def _fma(x, y, z):
    """fma(x, y, z), a jitexpr extension: NumPy has no fma ufunc and Python 3.11 no
    math.fma, so each element is `x*y + z` exactly (fractions), rounded once to the
    dtype. Typed as a math function: floats keep their width, ints compute in
    float64, bool is an error."""
    dt = np.result_type(x, y, z)
    if dt == np.bool_:
        raise TypeError("NumPy would compute this in float16")
    dt = np.dtype(np.float32) if dt == np.float32 else np.dtype(np.float64)
    xs, ys, zs = np.broadcast_arrays(*(np.asarray(v).astype(dt) for v in (x, y, z)))
    out = [_fma1(float(a), float(b), float(c), dt == np.float32) for a, b, c in zip(xs.ravel(), ys.ravel(), zs.ravel())]
    return np.array(out, dtype=dt).reshape(xs.shape)


def _power(x, y):
    """`**` is the power ufunc, not Python's operator: on arrays, `b ** 2` would take
    NumPy's operator fast path (np.square, int8 for bool) where np.power gives int64.
    Two Python numbers stay Python (`2 ** -1` is 0.5), as jitexpr folds weak literals."""
    if type(x) in (int, float) and type(y) in (int, float):
        return x**y
    return np.power(x, y)


NAMESPACE = {
    "where": np.where,
    "sqrt": np.sqrt,
    "cbrt": np.cbrt,
    "square": np.square,
    "exp": np.exp,
    "expm1": np.expm1,
    "exp2": np.exp2,
    "log": np.log,
    "log1p": np.log1p,
    "log2": np.log2,
    "log10": np.log10,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arcsin": np.arcsin,
    "asin": np.arcsin,
    "arccos": np.arccos,
    "acos": np.arccos,
    "arctan": np.arctan,
    "atan": np.arctan,
    "arctan2": np.arctan2,
    "atan2": np.arctan2,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "arcsinh": np.arcsinh,
    "asinh": np.arcsinh,
    "arccosh": np.arccosh,
    "acosh": np.arccosh,
    "arctanh": np.arctanh,
    "atanh": np.arctanh,
    "hypot": np.hypot,
    "fmod": np.fmod,
    "absolute": np.absolute,
    "abs": np.absolute,
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "rint": np.rint,
    "trunc": np.trunc,
    "minimum": np.minimum,
    "maximum": np.maximum,
    "clip": np.clip,
    "copysign": np.copysign,
    "nextafter": np.nextafter,
    "isnan": np.isnan,
    "isinf": np.isinf,
    "isfinite": np.isfinite,
    "signbit": np.signbit,
    "erf": _libm(math.erf),
    "erfc": _libm(math.erfc),
    "copy": np.copy,
    "ones_like": np.ones_like,
    "conj": np.conj,
    "conjugate": np.conjugate,
    "real": np.real,
    "imag": np.imag,
    "logaddexp": np.logaddexp,
    "logaddexp2": np.logaddexp2,
    "fmin": np.fmin,
    "fmax": np.fmax,
    "deg2rad": np.deg2rad,
    "rad2deg": np.rad2deg,
    "heaviside": np.heaviside,
    "reciprocal": np.reciprocal,
    "gcd": np.gcd,
    "lcm": np.lcm,
    "fabs": np.fabs,
    "float_power": np.float_power,
    "fma": _fma,
    "pow": _power,
    "power": _power,
    "__POW__": _power,
    "sum": _reduction(np.sum),
    "prod": _reduction(np.prod),
    "min": _reduction(np.min),
    "amin": _reduction(np.min),
    "max": _reduction(np.max),
    "amax": _reduction(np.max),
    "mean": _reduction(np.mean),
    "any": _reduction(np.any),
    "all": _reduction(np.all),
    "pi": math.pi,
    "e": math.e,
    "inf": math.inf,
    "nan": math.nan,
    "__TRUE__": np.True_,
    "__FALSE__": np.False_,
}
NAMESPACE.update({d: _cast(d) for d in DTYPES})


class _NumpyBools(ast.NodeTransformer):
    """`True` is a NumPy bool in jitexpr (`True + True` is True, `~True` is False),
    and `**` is [`_power`]."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow):
            call = ast.Call(func=ast.Name(id="__POW__", ctx=ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.copy_location(call, node)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, bool):
            return ast.copy_location(ast.Name(id="__TRUE__" if node.value else "__FALSE__", ctx=ast.Load()), node)
        return node


def numpy_eval(expr, inputs, outputs):
    """The program's result and named outputs, evaluated with NumPy."""
    # Python cares about indentation and refuses a leading `;`; jitexpr does not.
    source = "\n".join(line.lstrip(" \t;") for line in expr.splitlines())
    tree = ast.fix_missing_locations(_NumpyBools().visit(ast.parse(source)))
    ns = dict(NAMESPACE)
    ns.update({k: v.copy() for k, v in inputs.items()})
    result = last_assigned = None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for stmt in tree.body:
            if isinstance(stmt, ast.Expr):
                result = eval(compile(ast.Expression(stmt.value), "<case>", "eval"), ns)
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                ns[stmt.targets[0].id] = eval(compile(ast.Expression(stmt.value), "<case>", "eval"), ns)
                last_assigned = stmt.targets[0].id
            else:
                raise ValueError(f"not a jitexpr statement: {ast.dump(stmt)}")
    value = result if any(isinstance(s, ast.Expr) for s in tree.body) else ns[last_assigned]
    return _checked(value), {name: _checked(ns[name]) for name in outputs}


def _checked(value):
    a = np.asarray(value)
    name = str(a.dtype)
    if name not in NP:
        raise TypeError(f"NumPy gives dtype {name}, which jitexpr lacks")
    return a


# ---------------------------------------------------------------------------
# Cases.

FILES = {}
NAMES = set()


def case(file, name, expr, inputs=None, *, expect=None, outputs=(), error=None, ulp=None, comment=None, span=None):
    """Add a case to `file`.

    expect: a hand-written result (else NumPy's); outputs: names whose values are
    checked too (a dict of hand-written arrays, or names NumPy evaluates); error:
    (kind, contains) with contains a string or list of strings.
    """
    assert name not in NAMES, f"duplicate case name {name}"
    NAMES.add(name)
    inputs = {k: np.asarray(v) for k, v in (inputs or {}).items()}
    c = {"name": name, "expr": expr, "inputs": inputs, "ulp": ulp, "comment": comment}
    if error is not None:
        kind, contains = error
        c["error"] = {"kind": kind, "contains": contains}
        if span is not None:
            c["error"]["span"] = span
    elif expect is not None or isinstance(outputs, dict):
        c["expect"] = expect
        c["outputs"] = dict(outputs)
    else:
        try:
            c["expect"], c["outputs"] = numpy_eval(expr, inputs, outputs)
        except Exception as exc:
            sys.exit(f"case {name} ({expr!r}): NumPy cannot answer ({exc}); write its expectation by hand")
    FILES.setdefault(file, []).append(c)


def inputs_of(**arrays):
    return arrays


# ---------------------------------------------------------------------------
# TOML output.

HEADERS = {}
LINE = 110


def fmt_value(dtype, v, signed_nan=False):
    """TOML spelling of one element. `signed_nan`: keep a NaN's sign (`-nan`), for
    inputs, where it is observable (copysign, signbit)."""
    if dtype == "bool":
        return "true" if v else "false"
    if dtype in INTS:
        return str(int(v))
    f = float(v)  # exact for float32 too: every float32 is a float64
    if math.isnan(f):
        return "-nan" if signed_nan and math.copysign(1.0, f) < 0 else "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def fmt_shape(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def array_fields(a, is_input):
    """Inputs leave out a 1-d shape and keep NaN signs; expectations always show the shape."""
    fields = [("dtype", f'"{a.dtype}"')]
    if not is_input or a.ndim != 1:
        fields.append(("shape", fmt_shape(a.shape)))
    fields.append(("data", [fmt_value(str(a.dtype), v, signed_nan=is_input) for v in a.ravel()]))
    return fields


def inline_array(a, is_input):
    parts = [f"{k} = {v}" if isinstance(v, str) else f"{k} = [{', '.join(v)}]" for k, v in array_fields(a, is_input)]
    return "{ " + ", ".join(parts) + " }"


def table_array(header, a, is_input):
    lines = [f"[{header}]"]
    for k, v in array_fields(a, is_input):
        if isinstance(v, str):
            lines.append(f"{k} = {v}")
            continue
        lines.append(f"{k} = [")
        row = "   "
        for item in v:
            if len(row) + len(item) + 2 > LINE:
                lines.append(row)
                row = "   "
            row += f" {item},"
        if row.strip():
            lines.append(row)
        lines.append("]")
    return lines


def toml_string(s):
    return json.dumps(s, ensure_ascii=False)


def render_case(c):
    lines = [f"# {line}" for line in (c["comment"] or "").splitlines()]
    lines += ["[[case]]", f"name = {toml_string(c['name'])}", f"expr = {toml_string(c['expr'])}"]
    if c["ulp"] is not None:
        lines.append(f"ulp = {c['ulp']}")
    if "error" in c:
        e = c["error"]
        contains = e["contains"]
        contains = toml_string(contains) if isinstance(contains, str) else "[" + ", ".join(map(toml_string, contains)) + "]"
        extra = f", span = {'true' if e['span'] else 'false'}" if "span" in e else ""
        lines.append(f'error = {{ kind = "{e["kind"]}", contains = {contains}{extra} }}')
    arrays = [("inputs." + k, v, True) for k, v in c["inputs"].items()]
    if "expect" in c and c["expect"] is not None:
        arrays.append(("expect", c["expect"], False))
    arrays += [("outputs." + k, v, False) for k, v in c.get("outputs", {}).items()]
    inline = [f"{key} = {inline_array(a, is_input)}" for key, a, is_input in arrays]
    if all(len(line) <= LINE for line in inline):
        lines += inline
    else:
        for key, a, is_input in arrays:
            lines += table_array("case." + key, a, is_input)
    return "\n".join(lines)


def write_files():
    for file, cases in FILES.items():
        header = HEADERS.get(file, "")
        text = "# Generated by tests/corpus/generate.py from NumPy " + np.__version__ + "; do not edit by hand.\n"
        text += "".join(f"# {line}\n" for line in header.strip().splitlines())
        text += "\n" + "\n\n".join(render_case(c) for c in cases) + "\n"
        path = OUT / f"{file}.toml"
        path.write_text(text)
        verify(path, cases)
    total = sum(len(c) for c in FILES.values())
    print(f"wrote {total} cases in {len(FILES)} files")


def verify(path, cases):
    """Read the file back and check every array survived the round trip bit for bit
    (NaN payloads aside; input NaNs keep their sign)."""
    parsed = tomllib.loads(path.read_text())["case"]
    assert len(parsed) == len(cases), path
    for want, got in zip(cases, parsed):
        pairs = [(want["inputs"][k], got["inputs"][k], True) for k in want["inputs"]]
        if want.get("expect") is not None:
            pairs.append((want["expect"], got["expect"], False))
        pairs += [(v, got["outputs"][k], False) for k, v in want.get("outputs", {}).items()]
        for a, spec, is_input in pairs:
            b = np.array(spec["data"], dtype=NP[spec["dtype"]]).reshape(spec.get("shape", [len(spec["data"])]))
            assert a.shape == b.shape and a.dtype == b.dtype, f"{path.name}: {want['name']}: {a!r} != {b!r}"
            if a.dtype.kind == "f":
                nans = np.isnan(a) & np.isnan(b) & ((np.signbit(a) == np.signbit(b)) | (not is_input))
                same = nans | (a.view(f"u{a.itemsize}") == b.view(f"u{b.itemsize}"))
            else:
                same = a == b
            assert np.all(same), f"{path.name}: {want['name']}: {a!r} != {b!r}"


# ---------------------------------------------------------------------------
# operators.toml: every operator on every dtype, on a cartesian product of edge values.

EDGE = {
    "bool": [False, True],
    "int32": [0, 1, -1, 2, -2, 3, 7, -7, I32MAX, I32MIN],
    "int64": [0, 1, -1, 2, -2, 3, 7, -7, 2**40 + 3, I64MAX, I64MIN],
    "float32": [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 3.0, 0.1, 3.4028234663852886e38, 1e-45],
    "float64": [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 3.0, 0.1, 1e308, 5e-324],
}
SHIFT_COUNTS = [0, 1, 2, 31, 32, 33, 63, 64, 65, -1, -32, -64]
OP_NAMES = {
    "+": "add", "-": "sub", "*": "mul", "/": "div", "//": "floordiv", "%": "mod", "**": "pow",
    "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr",
    "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne",
}
BOOL_INT8 = "gives int8 in NumPy"  # from BinaryOp::compute
NOT_FOR_FLOAT = "it needs bool or integer operands"


def int_pow(a, b):
    """jitexpr's integer power: NumPy's (wrapping) for exponents >= 0; for negative
    exponents, which NumPy refuses at run time, trunc(1 / base**|e|)."""
    with np.errstate(all="ignore"):
        out = np.power(a, np.where(b < 0, 0, b).astype(a.dtype))
    neg = b < 0
    odd = (b % 2) != 0
    out[neg] = np.where(a[neg] == 1, 1, np.where(a[neg] == -1, np.where(odd[neg], -1, 1), 0))
    return out


def operator_cases():
    f = "operators"
    HEADERS[f] = """Every binary and unary operator on every dtype: `a OP b` over the cartesian
product of edge values (NaN, +-inf, +-0.0, extremes, small values), and the
error for each dtype an operator does not allow."""
    for op, opname in OP_NAMES.items():
        for dt in DTYPES:
            name = f"{opname}_{dt}"
            expr = f"a {op} b"
            if dt == "bool" and op == "-":
                a, b = cartesian(dt, EDGE[dt])
                case(f, name, expr, inputs_of(a=a, b=b), error=("type", "use `^` instead"))
            elif dt == "bool" and op in ("//", "%", "**", "<<", ">>"):
                a, b = cartesian(dt, EDGE[dt])
                case(f, name, expr, inputs_of(a=a, b=b), error=("type", BOOL_INT8),
                     comment="NumPy gives int8, which jitexpr lacks.")
            elif dt in FLOATS and op in ("&", "|", "^", "<<", ">>"):
                case(f, name, expr, inputs_of(a=arr(dt, [1.0]), b=arr(dt, [2.0])), error=("type", NOT_FOR_FLOAT))
            elif dt in INTS and op in ("<<", ">>"):
                a, b = cartesian(dt, EDGE[dt], SHIFT_COUNTS)
                case(f, name, expr, inputs_of(a=a, b=b))
            elif dt in INTS and op == "**":
                a, b = cartesian(dt, EDGE[dt])
                case(f, name, expr, inputs_of(a=a, b=b), expect=int_pow(a, b),
                     comment="Negative exponents (NumPy raises) give trunc(1 / base**|e|): 1, +-1 or 0.")
                nonneg = [x for x in EDGE[dt] if x >= 0] + [62, 63]
                a, b = cartesian(dt, EDGE[dt], nonneg)
                case(f, f"pow_{dt}_nonnegative_exponents_wrap", expr, inputs_of(a=a, b=b))
            elif dt in FLOATS and op == "**":
                a, b = cartesian(dt, EDGE[dt])
                case(f, name, expr, inputs_of(a=a, b=b), ulp=2)
            else:
                a, b = cartesian(dt, EDGE[dt])
                case(f, name, expr, inputs_of(a=a, b=b))

    for dt in DTYPES:
        x = arr(dt, EDGE[dt])
        if dt == "bool":
            case(f, "neg_bool", "-a", inputs_of(a=x), error=("type", "use `~` instead"))
            case(f, "pos_bool", "+a", inputs_of(a=x), error=("type", "bool"))
        else:
            case(f, f"neg_{dt}", "-a", inputs_of(a=x))
            case(f, f"pos_{dt}", "+a", inputs_of(a=x))
        if dt in FLOATS:
            case(f, f"invert_{dt}", "~a", inputs_of(a=x), error=("type", NOT_FOR_FLOAT))
        else:
            case(f, f"invert_{dt}", "~a", inputs_of(a=x))

    # Precedence and associativity: Python's table.
    a, b, c = arr("float64", [2.0, -3.0, 0.5]), arr("float64", [3.0, 2.0, 4.0]), arr("float64", [2.0, 2.0, -1.0])
    i, j, k = arr("int64", [6, -7, 12]), arr("int64", [3, 2, 5]), arr("int64", [1, 2, 3])
    fl = inputs_of(a=a, b=b, c=c)
    it = inputs_of(i=i, j=j, k=k)
    for name, expr, ins in [
        ("prec_sub_is_left_assoc", "a - b - c", fl),
        ("prec_div_is_left_assoc", "a / b / c", fl),
        ("prec_pow_is_right_assoc", "a ** b ** c", fl),
        ("prec_unary_minus_below_pow", "-a ** 2", fl),
        ("prec_pow_accepts_unary_minus_on_right", "b ** -a", fl),
        ("prec_mul_over_add", "a + b * c", fl),
        ("prec_parens", "(a + b) * c", fl),
        ("prec_double_negation", "--a", fl),
        ("prec_unary_minus_binds_tighter_than_mul", "-a * b", fl),
        ("prec_floordiv_mod_mul_same_level", "i // j * k % 4", it),
        ("prec_shift_below_add", "i << j - 1", it),
        ("prec_and_over_xor_over_or", "i | j ^ k & i", it),
        ("prec_comparison_below_bitwise", "(i & j) == (j | k)", it),
        ("prec_comparison_below_arith", "i + 1 > j * 2", it),
        ("prec_invert_binds_tight", "~i & j", it),
        ("prec_bitand_of_comparisons", "(a > 0) & (b < 3)", fl),
        ("prec_bitor_of_comparisons", "(a < 0) | (c < 0)", fl),
        ("prec_not_of_comparison", "~(a > 0)", fl),
        ("prec_literal_pow_neg_exponent_float", "2.0 ** -a", fl),
        ("prec_nested_parens", "((((a))))", fl),
        ("whitespace_free", "a*b+c", fl),
        ("whitespace_tabs_and_spaces", "a \t*  b", fl),
    ]:
        case(f, name, expr, ins)

    # Bool arithmetic: + and * are logical or / and; / is true division in float64.
    p, q = cartesian("bool", [False, True])
    for name, expr in [("bool_add_is_or", "p + q"), ("bool_mul_is_and", "p * q"), ("bool_div_is_float64", "p / q"),
                       ("bool_and", "p & q"), ("bool_or", "p | q"), ("bool_xor", "p ^ q"), ("bool_not", "~p"),
                       ("bool_plus_int_literal", "p + 1"), ("bool_times_float_literal", "p * 2.5"),
                       ("bool_minus_int_literal", "p - 1"), ("bool_floordiv_int_literal", "p // 2"),
                       ("bool_lt", "p < q"), ("bool_eq", "p == q")]:
        case(f, name, expr, inputs_of(p=p, q=q))


# ---------------------------------------------------------------------------
# casts.toml

CAST_SOURCE = {
    "bool": [False, True],
    "int32": [0, 1, -1, 255, 65536, 16777217, I32MAX, I32MIN],
    "int64": [0, 1, -1, 2**31, -(2**31) - 1, 2**32 + 5, 2**53 + 1, I64MAX, I64MIN],
    "float32": [nan, inf, -inf, 0.0, -0.0, 0.5, -0.5, 1.9, -1.9, 0.1, 3e9, -3e9, 2147483520.0, 1e-45, 3e38, 1e19],
    "float64": [nan, inf, -inf, 0.0, -0.0, 0.5, -0.5, 1.9, -1.9, 0.1, 3e9, -3e9, 2147483647.9, -2147483648.9,
                2147483648.0, 9.3e18, -9.3e18, 1e300, 1e-310, 16777217.0, 0.1 + 2**-30],
}


def cast_cases():
    f = "casts"
    HEADERS[f] = """Explicit casts `int32(x)` ... (NumPy `astype`). Float -> int: NaN and out-of-range
give INT_MIN (NumPy on x86; a documented jitexpr decision), in range truncates
toward zero. int -> narrower int wraps. x -> bool is x != 0 (NaN is True)."""
    for src in DTYPES:
        for dst in DTYPES:
            case(f, f"cast_{src}_to_{dst}", f"{dst}(a)", inputs_of(a=arr(src, CAST_SOURCE[src])))
    for name, expr, ins in [
        ("cast_literal_float_to_int32_truncates", "int32(3.9)", {}),
        ("cast_literal_negative_float_to_int64_truncates", "int64(-3.9)", {}),
        ("cast_literal_int_to_float32", "float32(16777217)", {}),
        ("cast_literal_float_to_float32_rounds", "float32(0.1)", {}),
        ("cast_literal_int_to_bool", "bool(2)", {}),
        ("cast_literal_zero_to_bool", "bool(0)", {}),
        ("cast_literal_nan_to_bool_is_true", "bool(nan)", {}),
        ("cast_literal_wraps_to_int32", "int32(3000000000)", {}),
        ("cast_literal_nan_to_int32_is_int_min", "int32(nan)", {}),
        ("cast_result_is_strong_float32", "float32(a) + 1.5", inputs_of(a=arr("int32", [1, 2, 16777217]))),
        ("cast_result_is_strong_int32", "int32(a) + 1", inputs_of(a=arr("float64", [1.5, -2.5, 2147483647.0]))),
        ("cast_int32_then_add_int64_literal_wraps", "int32(a) + 2147483647",
         inputs_of(a=arr("int64", [0, 1, -1, 2**32]))),
        ("cast_float32_of_float64_sum", "float32(a + b)", inputs_of(a=arr("float64", [0.1, 1e40]),
                                                                     b=arr("float64", [0.2, 1.0]))),
        ("cast_bool_of_comparison_is_identity", "bool(a > 1)", inputs_of(a=arr("int32", [0, 1, 2]))),
        ("cast_int64_of_bool", "int64(a > 1) * 10", inputs_of(a=arr("int32", [0, 1, 2]))),
        ("cast_nested", "float64(int32(float32(a)))", inputs_of(a=arr("float64", [1.7, -2.2, 1e10, nan]))),
        ("cast_float64_to_float32_overflow_is_inf", "float32(a)", inputs_of(a=arr("float64", [1e39, -1e39, 3.5e38]))),
        ("cast_float64_to_float32_underflow", "float32(a)", inputs_of(a=arr("float64", [1e-46, -1e-46, 7e-46]))),
        ("cast_int64_to_float32_rounds_to_nearest_even", "float32(a)",
         inputs_of(a=arr("int64", [16777217, 16777219, 2**60 + 2**36, -(2**60) - 2**36 - 1]))),
        ("cast_int64_to_float64_rounds", "float64(a)", inputs_of(a=arr("int64", [2**53 + 1, 2**53 + 3, I64MAX]))),
        ("cast_0d_input", "int32(a)", inputs_of(a=scalar("float64", -7.5))),
    ]:
        case(f, name, expr, ins)


# ---------------------------------------------------------------------------
# promotion.toml: NEP 50.

PROMO_DATA = {
    "bool": [True, False, True],
    "int32": [16777217, -3, I32MAX],
    "int64": [2**53 + 1, -3, 2**40],
    "float32": [0.5, -1.25, 3.0],
    "float64": [0.5, -1.25, 0.1],
}


def promotion_cases():
    f = "promotion"
    HEADERS[f] = """NEP 50 type promotion: every strong pair of the five dtypes, Python literals
(weak) with each dtype, literals that do not fit, and 0-d inputs (strong)."""
    case(f, "add_int32_float32_promotes_to_float64", "a + b",
         inputs_of(a=arr("int32", [1, -2, I32MAX]), b=arr("float32", [0.5, 1.5, -0.0])))
    for x in DTYPES:
        for y in DTYPES:
            ins = inputs_of(a=arr(x, PROMO_DATA[x]), b=arr(y, PROMO_DATA[y]))
            case(f, f"strong_{x}_add_{y}", "a + b", ins)
            case(f, f"strong_{x}_mul_{y}", "a * b", ins)
            case(f, f"strong_{x}_div_{y}", "a / b", ins)
            case(f, f"strong_{x}_lt_{y}", "a < b", ins)
            case(f, f"strong_{x}_where_{y}", "where(c, a, b)", {**ins, "c": arr("bool", [True, False, False])})
            if x != "bool" or y != "bool":
                case(f, f"strong_{x}_sub_{y}", "a - b", ins)
            if x not in FLOATS and y not in FLOATS:
                case(f, f"strong_{x}_xor_{y}", "a ^ b", ins)

    literals = [("int", "1"), ("big_int", "100000"), ("neg_int", "-2"), ("float", "1.5"), ("float_tenth", "0.1"),
                ("true", "True"), ("false", "False"), ("pi", "pi"), ("int_max32", "2147483647")]
    for dt in DTYPES:
        ins = inputs_of(a=arr(dt, PROMO_DATA[dt]))
        for lname, lit in literals:
            case(f, f"weak_{dt}_add_{lname}", f"a + {lit}", ins)
            case(f, f"weak_{lname}_mul_{dt}", f"{lit} * a", ins)
            case(f, f"weak_{dt}_eq_{lname}", f"a == {lit}", ins)
        for name, expr in [("div_int", "a / 2"), ("floordiv_int", "a // 2"), ("pow_int", "a ** 2"),
                           ("rsub_float", "2.5 - a"), ("lt_float", "a < 0.75"), ("max_literal", "maximum(a, 2)")]:
            case(f, f"weak_{dt}_{name}", expr, ins)
    bools = inputs_of(a=arr("bool", [True, False]))
    case(f, "weak_true_sub_bool_is_an_error", "True - a", bools, error=("type", "use `^` instead"))
    case(f, "weak_bool_pow_int_literal", "a ** 2", bools,
         comment="np.power(bool, 2) is int64; NumPy's `**` operator fast path (np.square) would give int8.")

    i32 = inputs_of(a=arr("int32", [1, -5, I32MAX]))
    i64 = inputs_of(a=arr("int64", [1, -5, I64MAX]))
    f32 = inputs_of(a=arr("float32", [1.0, -5.0, 3e38]))
    for name, expr, ins, err in [
        ("weak_int32_add_3000000000_is_an_error", "a + 3000000000", i32, ("value", "3000000000")),
        ("weak_int32_add_minus_2147483649_is_an_error", "a + -2147483649", i32, ("value", "2147483649")),
        ("weak_int32_mul_huge_is_an_error", "a * 9223372036854775807", i32, ("value", "9223372036854775807")),
        ("weak_int64_add_2_pow_63_is_an_error", "a + 9223372036854775808", i64, ("value", "9223372036854775808")),
        ("weak_literal_arith_out_of_int32_range", "a + (2147483647 + 1)", i32, ("value", "2147483648")),
    ]:
        case(f, name, expr, ins, error=err, comment="NumPy raises OverflowError: a weak int must fit the array's dtype.")
    for name, expr, ins in [
        ("weak_int32_add_int32_max_wraps", "a + 2147483647", i32),
        ("weak_int32_add_int32_min", "a + -2147483648", i32),
        ("weak_int64_add_int64_min", "a + -9223372036854775808", i64),
        ("weak_int64_add_int64_max_wraps", "a + 9223372036854775807", i64),
        ("weak_int32_lt_3000000000", "a < 3000000000", i32),
        ("weak_int32_eq_3000000000", "a == 3000000000", i32),
        ("weak_int32_ne_3000000000", "a != 3000000000", i32),
        ("weak_int32_gt_minus_3000000000", "a > -3000000000", i32),
        ("weak_int32_ge_3000000000", "3000000000 >= a", i32),
        ("weak_int64_lt_2_pow_63", "a < 9223372036854775808", i64),
        ("weak_int64_eq_2_pow_63", "a == 9223372036854775808", i64),
        ("weak_int64_ge_uint64_max", "a >= 18446744073709551615", i64),
        ("weak_int64_gt_minus_2_pow_63_minus_1", "a > -9223372036854775809", i64),
        ("weak_float64_add_2_pow_64", "a + 2 ** 64", inputs_of(a=arr("float64", [1.0, -1e20]))),
        ("weak_int32_lt_float_literal", "a < 2.5", i32),
        ("weak_int32_mul_float_is_float64", "a * 2.5", i32),
        ("weak_float32_add_tenth_rounds_literal_to_float32", "a + 0.1", f32),
        ("weak_float32_mul_huge_literal_overflows", "a * 1e300", f32),
        ("weak_float32_add_int_literal_stays_float32", "a + 16777217", f32),
        ("weak_literal_arith_stays_weak", "a * (2 + 3)", i32),
        ("weak_literal_float_arith_stays_weak", "a * (0.5 * 3)", f32),
        ("weak_literal_only_int", "1 + 2", {}),
        ("weak_literal_only_float", "1 + 2.5", {}),
        ("weak_literal_only_bool", "True + True", {}),
        ("weak_literal_only_bool_and_int", "True + 1", {}),
        ("weak_literal_only_comparison", "1 < 2.5", {}),
        ("weak_literal_only_true_division", "7 / 2", {}),
        ("weak_literal_only_floor_division", "-7 // 2", {}),
        ("weak_literal_only_modulo", "-7 % 3", {}),
        ("weak_literal_only_pow_negative_exponent_is_python", "2 ** -1", {}),
        ("weak_literal_only_pow_stays_weak", "a * 2 ** 3", i32),
        ("weak_literal_only_shift", "a + (1 << 4)", i32),
        ("weak_constant_e", "a * e", f32),
        ("weak_constant_inf", "a + inf", i32),
        ("weak_constant_nan_in_float32", "a + nan", f32),
        ("function_result_is_strong", "a + sqrt(4)", f32),
        ("function_of_int_literal_is_float64", "sqrt(2)", {}),
        ("function_of_float32_literal_cast_is_float32", "sqrt(float32(2))", {}),
        ("zero_d_int64_with_int32_array_is_int64", "a + b", inputs_of(a=arr("int32", [1, 2]), b=scalar("int64", 5))),
        ("zero_d_float64_with_float32_array_is_float64", "a + b",
         inputs_of(a=arr("float32", [0.1, 2.0]), b=scalar("float64", 0.1))),
        ("zero_d_int32_with_float32_array_is_float64", "a * b",
         inputs_of(a=arr("float32", [0.5, 2.0]), b=scalar("int32", 3))),
        ("zero_d_bool_with_int32_array", "a + b", inputs_of(a=arr("int32", [1, 2]), b=scalar("bool", True))),
        ("zero_d_alone", "a * 2", inputs_of(a=scalar("float32", 1.5))),
        ("zero_d_int64_plus_3000000000_is_fine", "a + 3000000000", inputs_of(a=scalar("int64", 1))),
        ("zero_d_with_zero_d", "a - b", inputs_of(a=scalar("int32", 7), b=scalar("float64", 0.5))),
    ]:
        case(f, name, expr, ins)


# ---------------------------------------------------------------------------
# functions.toml

FUNC_DATA = {
    "bool": [False, True],
    "int32": [0, 1, -1, 2, -7, 100, I32MAX, I32MIN],
    "int64": [0, 1, -1, 2, -7, 100, 2**53 + 1, I64MAX, I64MIN],
    "float32": [nan, inf, -inf, 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 3.7, -3.7, 0.1, 100.0, 88.5, 1e-40, 3e38, -3e38],
    "float64": [nan, inf, -inf, 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 3.7, -3.7, 0.1, 100.0, 709.0, 710.0, 1e-300,
                5e-324, 1e300, -1e300],
}
# Values where rounding functions differ: ties, near-ties, large values.
ROUND_DATA = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 4503599627370495.5, 4503599627370497.0,
              1.4999999999999998, -0.0, 0.0, 2.675, nan, inf, -inf]
UNARY_MATH = ["sqrt", "cbrt", "exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "arcsin",
              "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "rint", "erf", "erfc",
              "deg2rad", "rad2deg", "fabs"]
EXACT_MATH = {"sqrt", "rint", "deg2rad", "rad2deg", "fabs"}  # correctly rounded everywhere
# (function, the error substring when NumPy gives bool a dtype jitexpr lacks or refuses it)
UNARY_SAME = [("square", "int8"), ("absolute", None), ("abs", None), ("sign", "sign"), ("floor", None),
              ("ceil", None), ("round", "float16"), ("trunc", None), ("copy", None), ("ones_like", None),
              ("conj", "int8"), ("conjugate", "int8"), ("real", None), ("imag", None), ("reciprocal", "int8")]
PREDICATES = ["isnan", "isinf", "isfinite", "signbit"]
BINARY_MATH = ["arctan2", "hypot", "copysign", "nextafter", "logaddexp", "logaddexp2", "heaviside"]
INEXACT_BINARY_MATH = {"arctan2", "hypot", "logaddexp", "logaddexp2"}
BINARY_SAME = [("fmod", "int8"), ("minimum", None), ("maximum", None), ("fmin", None), ("fmax", None)]
BINARY_INT = ["gcd", "lcm"]
ALIASES = [("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"), ("asinh", "arcsinh"), ("acosh", "arccosh"),
           ("atanh", "arctanh")]
BIN_EDGE = {
    "int32": [0, 1, -1, 3, -7, I32MAX, I32MIN],
    "int64": [0, 1, -1, 3, -7, I64MAX, I64MIN],
    "float32": [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e-45, 3e38],
    "float64": [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 5e-324, 1e308],
}


def function_cases():
    f = "functions"
    HEADERS[f] = """Every function of src/ir/ops.rs on every dtype it allows, and the error where
NumPy would give bool an int8 or float16 result. Transcendental functions carry
`ulp` (NumPy uses SVML and its own SIMD code; jitexpr uses libm)."""
    for fn in UNARY_MATH:
        ulp = None if fn in EXACT_MATH else MATH_ULP
        for dt in NUMERIC:
            case(f, f"{fn}_{dt}", f"{fn}(a)", inputs_of(a=arr(dt, FUNC_DATA[dt])), ulp=ulp)
        case(f, f"{fn}_bool", f"{fn}(a)", inputs_of(a=arr("bool", [False, True])), error=("type", "float16"),
             comment="NumPy computes bool in float16, which jitexpr lacks.")
    for dt in FLOATS:
        case(f, f"round_{dt}_ties_to_even", "round(a)", inputs_of(a=arr(dt, ROUND_DATA)))
        case(f, f"rint_{dt}_ties_to_even", "rint(a)", inputs_of(a=arr(dt, ROUND_DATA)))
        for fn in ("floor", "ceil", "trunc"):
            case(f, f"{fn}_{dt}_near_integers", f"{fn}(a)", inputs_of(a=arr(dt, ROUND_DATA)))
    for fn, bool_err in UNARY_SAME:
        for dt in DTYPES:
            ins = inputs_of(a=arr(dt, FUNC_DATA[dt]))
            if dt == "bool" and bool_err:
                comment = "NumPy has no bool loop." if bool_err == "sign" else f"NumPy gives {bool_err}, which jitexpr lacks."
                if fn.startswith("conj"):
                    comment += " (ops.rs marks conj bool_ok: true; NumPy's np.conj(bool) is int8.)"
                case(f, f"{fn}_bool", f"{fn}(a)", ins, error=("type", bool_err), comment=comment)
            else:
                case(f, f"{fn}_{dt}", f"{fn}(a)", ins)
    for fn in PREDICATES:
        for dt in DTYPES:
            case(f, f"{fn}_{dt}", f"{fn}(a)", inputs_of(a=arr(dt, FUNC_DATA[dt])))
    for fn in BINARY_MATH:
        ulp = MATH_ULP if fn in INEXACT_BINARY_MATH else None
        for dt in NUMERIC:
            a, b = cartesian(dt, BIN_EDGE[dt])
            case(f, f"{fn}_{dt}", f"{fn}(a, b)", inputs_of(a=a, b=b), ulp=ulp)
        case(f, f"{fn}_bool", f"{fn}(a, b)", inputs_of(a=arr("bool", [True]), b=arr("bool", [False])),
             error=("type", "float16"), comment="NumPy computes bool in float16, which jitexpr lacks.")
    for fn, bool_err in BINARY_SAME:
        for dt in DTYPES:
            if dt == "bool":
                a, b = cartesian(dt, [False, True])
                if bool_err:
                    case(f, f"{fn}_bool", f"{fn}(a, b)", inputs_of(a=a, b=b), error=("type", bool_err),
                         comment=f"NumPy gives {bool_err}, which jitexpr lacks.")
                else:
                    case(f, f"{fn}_bool", f"{fn}(a, b)", inputs_of(a=a, b=b))
                continue
            a, b = cartesian(dt, BIN_EDGE[dt])
            case(f, f"{fn}_{dt}", f"{fn}(a, b)", inputs_of(a=a, b=b))
    for fn in BINARY_INT:
        for dt in INTS:
            a, b = cartesian(dt, BIN_EDGE[dt])
            case(f, f"{fn}_{dt}", f"{fn}(a, b)", inputs_of(a=a, b=b))
        case(f, f"{fn}_bool", f"{fn}(a, b)", inputs_of(a=arr("bool", [True]), b=arr("bool", [False])),
             error=("type", "int8"), comment="NumPy gives int8, which jitexpr lacks.")
        for dt in FLOATS:
            case(f, f"{fn}_{dt}", f"{fn}(a, b)", inputs_of(a=arr(dt, [4.0]), b=arr(dt, [6.0])),
                 error=("type", "integer operands"), comment="NumPy has no float loop.")
    for dt in DTYPES:
        a, b = cartesian(dt, BIN_EDGE.get(dt, [False, True]))
        case(f, f"float_power_{dt}", "float_power(a, b)", inputs_of(a=a, b=b), ulp=2,
             comment="Always float64, as NumPy." if dt == "bool" else None)
    for dt in DTYPES:
        a = arr(dt, FUNC_DATA[dt])
        lo, hi = {"bool": (False, True), "int32": (-1, 2), "int64": (-1, 100), "float32": (-1.0, 2.0),
                  "float64": (-1.0, 2.0)}[dt]
        case(f, f"clip_{dt}", "clip(a, lo, hi)", inputs_of(a=a, lo=scalar(dt, lo), hi=scalar(dt, hi)))
        cond = arr("bool", [i % 3 == 0 for i in range(len(a))])
        case(f, f"where_{dt}", "where(c, a, b)", inputs_of(c=cond, a=a, b=a[::-1].copy()))
        case(f, f"where_{dt}_condition", "where(a, 1, 0)", inputs_of(a=a))
        case(f, f"pow_function_{dt}", "pow(a, 2)", inputs_of(a=a))

    fma_cases(f)

    for alias, canonical in ALIASES:
        case(f, f"alias_{alias}", f"{alias}(a)", inputs_of(a=arr("float64", [-0.5, 0.0, 0.5, 1.5])), ulp=MATH_ULP)
    x = inputs_of(a=arr("float64", [-2.0, 0.5, 3.0]), b=arr("float64", [1.0, -0.5, 2.0]))
    for name, expr, ins, ulp in [
        ("alias_atan2", "atan2(a, b)", x, MATH_ULP),
        ("alias_power", "power(a, b)", x, 2),
        ("clip_float_literals", "clip(a, 0, 1.5)", x, None),
        ("clip_nan_propagates", "clip(a, 0, 1)", inputs_of(a=arr("float64", [nan, -inf, inf, 0.5])), None),
        ("clip_lo_above_hi_gives_hi", "clip(a, 2, 1)", inputs_of(a=arr("int32", [0, 1, 2, 3])), None),
        ("clip_int32_with_float_bounds_is_float64", "clip(a, 0.5, 2.5)", inputs_of(a=arr("int32", [0, 1, 3])), None),
        ("clip_broadcast_bounds", "clip(a, lo, hi)", inputs_of(a=arr("float64", [1.0, 5.0, 9.0]),
                                                             lo=arr("float64", [2.0, 2.0, 2.0]),
                                                             hi=arr("float64", [3.0, 8.0, 10.0])), None),
        ("where_float_condition_nan_is_true", "where(a, 1.0, 2.0)", inputs_of(a=arr("float64", [nan, 0.0, -0.0, 2.0])),
         None),
        ("where_literals_int64", "where(c, 1, 2)", inputs_of(c=arr("bool", [True, False])), None),
        ("where_weak_float_with_float32", "where(a > 0, a, 0.5)", inputs_of(a=arr("float32", [-1.0, 2.0])), None),
        ("where_int32_and_float_literal_is_float64", "where(a > 0, a, 0.5)", inputs_of(a=arr("int32", [-1, 2])),
         None),
        ("where_mixed_strong_int32_float32", "where(a > 0, a, b)",
         inputs_of(a=arr("int32", [-1, 2]), b=arr("float32", [0.5, 0.25])), None),
        ("where_nested", "where(a < 0, -1, where(a > 0, 1, 0))", inputs_of(a=arr("float64", [-2.0, 0.0, 3.0, nan])),
         None),
        ("where_bool_values", "where(a, b, c)", inputs_of(a=arr("bool", [True, False]), b=arr("bool", [False, False]),
                                                        c=arr("bool", [True, True])), None),
        ("minimum_nan_propagates_either_side", "minimum(a, b)",
         inputs_of(a=arr("float64", [nan, 1.0, nan]), b=arr("float64", [1.0, nan, nan])), None),
        ("maximum_nan_propagates_either_side", "maximum(a, b)",
         inputs_of(a=arr("float64", [nan, 1.0, nan]), b=arr("float64", [1.0, nan, nan])), None),
        ("minimum_mixed_int_float", "minimum(a, b)", inputs_of(a=arr("int64", [3, -3]), b=arr("float32", [1.5, -1.5])),
         None),
        ("maximum_with_literal", "maximum(a, 0)", inputs_of(a=arr("int32", [-5, 0, 5])), None),
        ("copysign_int_is_float64", "copysign(a, b)", inputs_of(a=arr("int32", [3, -3]), b=arr("int32", [-1, 0])),
         None),
        ("copysign_negative_zero", "copysign(1.0, a)", inputs_of(a=arr("float64", [-0.0, 0.0, -nan, nan])), None),
        ("nextafter_toward_zero_and_inf", "nextafter(a, b)",
         inputs_of(a=arr("float32", [1.0, 0.0, -0.0, 3.4028234663852886e38]),
                   b=arr("float32", [0.0, 1.0, -1.0, inf])), None),
        ("hypot_overflow_safe", "hypot(a, b)", inputs_of(a=arr("float64", [1e300, 3.0, inf, nan]),
                                                         b=arr("float64", [1e300, 4.0, nan, inf])), MATH_ULP),
        ("arctan2_signed_zeros", "arctan2(a, b)", inputs_of(a=arr("float64", [0.0, -0.0, 0.0, -0.0]),
                                                          b=arr("float64", [0.0, 0.0, -0.0, -0.0])), None),
        ("fmod_sign_of_dividend", "fmod(a, b)", inputs_of(a=arr("float64", [5.5, -5.5, 5.5, -5.5]),
                                                         b=arr("float64", [2.0, 2.0, -2.0, -2.0])), None),
        ("fmod_int_by_zero_is_zero", "fmod(a, b)", inputs_of(a=arr("int32", [5, -5, I32MIN]),
                                                            b=arr("int32", [0, 0, -1])), None),
        ("abs_int_min_wraps", "abs(a)", inputs_of(a=arr("int64", [I64MIN, -1])), None),
        ("sign_of_nan_and_zeros", "sign(a)", inputs_of(a=arr("float64", [nan, -0.0, 0.0, -inf, 1e-300])), None),
        ("floor_int_keeps_dtype", "floor(a) + 1", inputs_of(a=arr("int32", [I32MAX, -3])), None),
        ("square_int_wraps", "square(a)", inputs_of(a=arr("int32", [65536, 46341, -3])), None),
        ("sqrt_negative_is_nan", "sqrt(a)", inputs_of(a=arr("float64", [-1.0, -0.0, -inf])), None),
        ("log_of_zero_and_negative", "log(a)", inputs_of(a=arr("float64", [0.0, -0.0, -1.0, 1.0])), None),
        ("exp_overflow_and_underflow", "exp(a)", inputs_of(a=arr("float64", [710.0, -746.0, -inf, 0.0])), None),
        ("math_of_int_literal", "sin(0) + cos(0)", {}, None),
        ("math_of_weak_float_is_float64", "exp(1.0)", {}, MATH_ULP),
        ("ones_like_float32_nan_becomes_one", "ones_like(a) * 2", inputs_of(a=arr("float32", [nan, 5.0])), None),
        ("ones_like_broadcasts_like_its_arg", "ones_like(a) + b",
         inputs_of(a=arr("int32", [[1], [2]], None), b=arr("int32", [10, 20, 30])), None),
        ("imag_of_real_is_zero", "imag(a) + 1", inputs_of(a=arr("float64", [nan, -0.0])), None),
        ("real_int64_times_two", "real(a) * 2", inputs_of(a=arr("int64", [3, -4])), None),
        ("isnan_of_expression", "isnan(a / b)", inputs_of(a=arr("float64", [0.0, 1.0, inf]),
                                                          b=arr("float64", [0.0, 0.0, inf])), None),
        ("fmin_ignores_nan", "fmin(a, b)",
         inputs_of(a=arr("float64", [nan, 1.0, nan, -inf]), b=arr("float64", [1.0, nan, nan, nan])), None),
        ("fmax_of_int_and_float_literal_is_float64", "fmax(a, 0.5)", inputs_of(a=arr("int32", [-1, 2])), None),
        ("logaddexp_large_arguments_do_not_overflow", "logaddexp(a, b)",
         inputs_of(a=arr("float64", [1000.0, -1000.0, 709.0, inf]), b=arr("float64", [1000.0, -1001.0, 710.0, -inf])),
         MATH_ULP),
        ("reciprocal_int_truncates", "reciprocal(a)", inputs_of(a=arr("int64", [1, -1, 2, -3, 0])), None),
        ("heaviside_of_ints_is_float64", "heaviside(a, 0.5)", inputs_of(a=arr("int32", [-3, 0, 4])), None),
        ("gcd_with_literal", "gcd(a, 12)", inputs_of(a=arr("int32", [18, -8, 0, 7])), None),
        ("lcm_wraps", "lcm(a, b)", inputs_of(a=arr("int32", [65536, 3, -4]), b=arr("int32", [65537, I32MIN, 6])), None),
        ("float_power_of_float32_is_float64", "float_power(a, 2)", inputs_of(a=arr("float32", [0.1, 3.0])), None),
        ("deg2rad_of_int_is_float64", "deg2rad(a)", inputs_of(a=arr("int32", [180, -90, 360])), None),
        ("signbit_negative_zero_and_nan", "signbit(a)", inputs_of(a=arr("float64", [-0.0, 0.0, -nan, nan])), None),
    ]:
        case(f, name, expr, ins, ulp=ulp)


def fma_cases(f):
    """`fma`, jitexpr's extension (what `--math fast` contracts `a*b + c` into):
    expected values are exact rationals rounded once (`_fma`), not NumPy's."""
    for dt in NUMERIC:
        edge = BIN_EDGE[dt]
        a = arr(dt, [x for x in edge for _ in edge for _ in edge])
        b = arr(dt, [y for _ in edge for y in edge for _ in edge])
        c = arr(dt, [z for _ in edge for _ in edge for z in edge])
        case(f, f"fma_{dt}", "fma(a, b, c)", inputs_of(a=a, b=b, c=c))
    case(f, "fma_bool", "fma(a, b, c)", inputs_of(a=arr("bool", [True]), b=arr("bool", [True]), c=arr("bool", [False])),
         error=("type", "float16"), comment="Typed as a math function: bool would be float16.")
    x = 1 + 2.0**-12  # x*x = 1 + 2**-11 + 2**-24: half a float32 ulp above 1 + 2**-11
    for name, expr, ins in [
        # Two roundings give 0.
        ("fma_float64_rounds_once", "fma(a, b, c)",
         inputs_of(a=arr("float64", [1 + 2.0**-30]), b=arr("float64", [1 - 2.0**-30]), c=arr("float64", [-1.0]))),
        # In float64 then to float32 the tie would round to even (1 + 2**-11); once, in
        # float32, the 2**-80 breaks the tie upward.
        ("fma_float32_rounds_once_in_float32", "fma(a, b, c)",
         inputs_of(a=arr("float32", [x]), b=arr("float32", [x]), c=arr("float32", [2.0**-80, -(2.0**-80)]))),
        # 2**1024 overflows as a product, not in the sum.
        ("fma_product_beyond_max_cancels", "fma(a, b, c)",
         inputs_of(a=arr("float64", [2.0**512]), b=arr("float64", [2.0**512]), c=arr("float64", [-1.7976931348623157e308]))),
        ("fma_weak_literals_take_float32", "fma(a, 0.1, 1)", inputs_of(a=arr("float32", [3.0, -10.0]))),
        ("fma_int32_is_float64", "fma(a, b, 0.5)", inputs_of(a=arr("int32", [I32MAX, -3]), b=arr("int32", [I32MAX, 7]))),
        ("fma_broadcasts", "fma(a, b, c)", inputs_of(a=arr("float64", [[1.5], [-2.0]]), b=arr("float64", [1.0, 3.0, -0.5]),
                                                     c=scalar("float64", 0.25))),
        ("fma_signed_zeros", "fma(a, b, c)", inputs_of(a=arr("float64", [-0.0, 0.0, -0.0, 1.0]),
                                                       b=arr("float64", [1.0, 1.0, 1.0, -1.0]),
                                                       c=arr("float64", [-0.0, -0.0, 0.0, 1.0]))),
    ]:
        case(f, name, expr, ins)
    # What fast mode contracts (the corpus runs it on every engine in fast mode too).
    d3 = [-2.5, -1.0, -0.0, 0.5, 3.0, 1e308, nan]
    for name, expr in [
        ("contractible_mul_sub", "a*b - c"),
        ("contractible_sub_mul", "c - a*b"),
        ("contractible_two_products", "a*b + c*a - b*c"),
        ("contractible_product_named_and_reused", "p = a*b; q = p + c; q * p"),
        ("contractible_square_sum", "a**2 + b**2 + c**2"),
        ("contractible_cubic", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2"),
    ]:
        case(f, name, expr, inputs_of(a=arr("float64", d3), b=arr("float64", d3[::-1]), c=arr("float64", d3[2:] + d3[:2])))
    s3 = [3e38 if v == 1e308 else v for v in d3]
    case(f, "contractible_float32_with_literal", "2.5*a - b*3", inputs_of(a=arr("float32", s3), b=arr("float32", s3[::-1])))


# ---------------------------------------------------------------------------
# broadcasting.toml


def iota(dtype, shape, start=1):
    n = int(np.prod(shape)) if shape else 1
    return arr(dtype, list(range(start, start + n))).reshape(shape)


def broadcasting_cases():
    f = "broadcasting"
    HEADERS[f] = """NumPy broadcasting: 0-d with n-d, trailing dimensions, 1-sized dimensions
stretching, size-0 dimensions, and the shape error naming both shapes."""
    for name, expr, shapes in [
        ("vector_plus_0d", "a + b", [(3,), ()]),
        ("0d_plus_vector", "a + b", [(), (3,)]),
        ("0d_plus_0d", "a + b", [(), ()]),
        ("matrix_plus_row", "a + b", [(2, 3), (3,)]),
        ("row_plus_matrix", "a + b", [(3,), (2, 3)]),
        ("column_times_row", "a * b", [(2, 1), (1, 3)]),
        ("column_minus_vector", "a - b", [(2, 1), (3,)]),
        ("rank3_plus_column", "a + b", [(4, 1, 3), (2, 1)]),
        ("rank3_plus_rank3", "a * b", [(2, 1, 3), (1, 4, 1)]),
        ("rank4_plus_0d", "a + b", [(2, 1, 2, 2), ()]),
        ("matrix_plus_1x1", "a + b", [(2, 3), (1, 1)]),
        ("length1_vector_stretches", "a + b", [(1,), (4,)]),
        ("same_shape_matrix", "a - b", [(3, 2), (3, 2)]),
        ("size0_plus_0d", "a + b", [(0,), ()]),
        ("size0_plus_length1", "a + b", [(0,), (1,)]),
        ("size0_rows_plus_row", "a + b", [(0, 3), (3,)]),
        ("size0_column_times_row", "a * b", [(0, 1), (1, 3)]),
        ("size0_middle_dim", "a + b", [(2, 0, 3), (1, 3)]),
        ("three_operands", "a * b + c", [(2, 1), (3,), ()]),
        ("where_broadcasts_all_three", "where(a > 2, b, c)", [(2, 1), (1, 3), ()]),
        ("comparison_broadcasts", "a < b", [(3, 1), (1, 2)]),
        ("function_broadcasts", "arctan2(a, b)", [(2, 1), (2,)]),
        ("clip_broadcasts", "clip(a, b, c)", [(2, 3), (3,), (2, 1)]),
    ]:
        ins = {k: iota("float64", s, start=1 + 10 * n) for n, (k, s) in enumerate(zip("abc", shapes))}
        case(f, f"broadcast_{name}", expr, ins, ulp=MATH_ULP if "arctan2" in expr else None)
    case(f, "broadcast_int32_matrix_plus_int64_row", "a + b",
         inputs_of(a=iota("int32", (2, 2)), b=arr("int64", [I64MAX - 10, -5])))
    case(f, "broadcast_result_of_literal_expression", "a * 0 + 1", inputs_of(a=iota("int32", (2, 3))))
    for name, expr, shapes, shape_strs in [
        ("mismatch_3_4", "a + b", [(3,), (4,)], ["(3,)", "(4,)"]),
        ("mismatch_matrix_vector", "a + b", [(2, 3), (2,)], ["(2, 3)", "(2,)"]),
        ("mismatch_rank3", "a * b", [(4, 1, 3), (2, 2)], ["(4, 1, 3)", "(2, 2)"]),
        ("mismatch_size0_vs_2", "a + b", [(0,), (2,)], ["(0,)", "(2,)"]),
        ("mismatch_inside_expression", "sin(a) + b * 2", [(2,), (3,)], ["(2,)", "(3,)"]),
        ("mismatch_in_where", "where(a > 0, a, b)", [(2,), (3,)], ["(2,)", "(3,)"]),
    ]:
        ins = {k: iota("float64", s) for k, s in zip("abc", shapes)}
        case(f, f"broadcast_{name}_is_an_error", expr, ins, error=("shape", shape_strs))


# ---------------------------------------------------------------------------
# reductions.toml

RED_DATA = {
    "bool": [True, False, True, True, True, False],
    "int32": [3, -1, I32MAX, 7, I32MAX, -2],
    "int64": [3, -1, 2**40, 7, I64MAX, -2],
    # Exactly representable sums, so summation order cannot change the answer.
    "float32": [1.5, -2.0, 0.25, 8.0, -0.5, 4.0],
    "float64": [1.5, -2.0, 0.25, 1024.0, -0.5, 4.0],
}
REDUCTIONS = ["sum", "prod", "min", "max", "mean", "any", "all"]


def reduction_cases():
    f = "reductions"
    HEADERS[f] = """Reductions: each op on each dtype, whole-array and along an axis (positional,
`axis=`, negative), result dtypes (int32 sum -> int64, mean of ints -> float64),
empty inputs, and reductions nested in expressions. Float data is chosen so that
sums are exact in any order."""
    for op in REDUCTIONS:
        for dt in DTYPES:
            m = arr(dt, RED_DATA[dt], (2, 3))
            ins = inputs_of(a=m)
            case(f, f"{op}_{dt}_whole", f"{op}(a)", ins)
            case(f, f"{op}_{dt}_axis0", f"{op}(a, axis=0)", ins)
            case(f, f"{op}_{dt}_axis1_positional", f"{op}(a, 1)", ins)
            case(f, f"{op}_{dt}_axis_minus1", f"{op}(a, axis=-1)", ins)
            case(f, f"{op}_{dt}_axis_minus2_positional", f"{op}(a, -2)", ins)
            case(f, f"{op}_{dt}_1d", f"{op}(a)", inputs_of(a=arr(dt, RED_DATA[dt])))
    for op, alias in [("min", "amin"), ("max", "amax")]:
        case(f, f"alias_{alias}", f"{alias}(a, axis=1)", inputs_of(a=arr("int32", RED_DATA["int32"], (2, 3))))
    for dt in DTYPES:
        empty = inputs_of(a=arr(dt, []))
        for op in ("sum", "prod", "mean", "any", "all"):
            case(f, f"{op}_{dt}_empty", f"{op}(a)", empty)
        for op in ("min", "max"):
            case(f, f"{op}_{dt}_empty_is_an_error", f"{op}(a)", empty, error=("shape", op),
                 comment="NumPy: zero-size array to reduction operation which has no identity.")
    e2 = inputs_of(a=arr("float64", [], (0, 3)))
    case(f, "sum_empty_axis0_of_0x3", "sum(a, axis=0)", e2)
    case(f, "min_empty_axis1_of_0x3_is_empty", "min(a, axis=1)", e2)
    case(f, "max_empty_axis0_of_0x3_is_an_error", "max(a, axis=0)", e2, error=("shape", "max"))
    case(f, "mean_empty_axis0_of_0x3_is_nan", "mean(a, axis=0)", e2)
    case(f, "prod_empty_axis1_of_2x0", "prod(a, axis=1)", inputs_of(a=arr("int32", [], (2, 0))))
    for name, expr, ins in [
        ("sum_float_nan_propagates", "sum(a)", inputs_of(a=arr("float64", [1.0, nan, 2.0]))),
        ("sum_inf_minus_inf_is_nan", "sum(a)", inputs_of(a=arr("float64", [inf, 1.0, -inf]))),
        ("sum_negative_zeros", "sum(a)", inputs_of(a=arr("float64", [-0.0, -0.0]))),
        ("sum_int64_wraps", "sum(a)", inputs_of(a=arr("int64", [I64MAX, 1, 1]))),
        ("sum_int32_does_not_wrap_in_int64", "sum(a)", inputs_of(a=arr("int32", [I32MAX, I32MAX, I32MAX]))),
        ("prod_int32_in_int64", "prod(a)", inputs_of(a=arr("int32", [65536, 65536, 3]))),
        ("prod_int64_wraps", "prod(a)", inputs_of(a=arr("int64", [2**32, 2**32, 3]))),
        ("prod_float_overflow_inf", "prod(a)", inputs_of(a=arr("float32", [1e30, 1e30, -1.0]))),
        ("min_float_nan_anywhere_is_nan", "min(a)", inputs_of(a=arr("float64", [1.0, -5.0, nan, -7.0]))),
        ("max_float_nan_first_is_nan", "max(a)", inputs_of(a=arr("float64", [nan, 5.0, 7.0]))),
        ("max_float_nan_last_is_nan", "max(a, axis=0)", inputs_of(a=arr("float32", [[1.0, nan], [nan, 2.0], [3.0, 0.5]]))),
        ("min_float_infinities", "min(a)", inputs_of(a=arr("float64", [inf, -inf, 0.0]))),
        ("min_int64_extremes", "min(a)", inputs_of(a=arr("int64", [I64MAX, I64MIN, 0]))),
        ("max_bool", "max(a)", inputs_of(a=arr("bool", [False, True, False]))),
        ("any_float_nan_is_true", "any(a)", inputs_of(a=arr("float64", [0.0, nan]))),
        ("all_float_negative_zero_is_false", "all(a)", inputs_of(a=arr("float64", [1.0, -0.0]))),
        ("any_int_axis", "any(a, axis=0)", inputs_of(a=arr("int32", [[0, 0, 5], [0, 0, 0]]))),
        ("mean_int64_large", "mean(a)", inputs_of(a=arr("int64", [2**53, 2, 4]))),
        ("mean_float32_stays_float32", "mean(a)", inputs_of(a=arr("float32", [1.0, 2.0, 4.0]))),
        ("mean_bool_is_float64", "mean(a)", inputs_of(a=arr("bool", [True, False, False, True]))),
        ("sum_0d", "sum(a)", inputs_of(a=scalar("int32", 7))),
        ("sum_0d_axis0_is_allowed_like_numpy", "sum(a, axis=0)", inputs_of(a=scalar("int32", 7))),
        ("max_0d_axis_minus1_is_allowed_like_numpy", "max(a, axis=-1)", inputs_of(a=scalar("float64", -2.5))),
        ("mean_0d", "mean(a)", inputs_of(a=scalar("float32", 2.5))),
        ("sum_axis0_of_1d_is_0d", "sum(a, axis=0)", inputs_of(a=arr("int64", [1, 2, 3]))),
        ("sum_rank3_axis1", "sum(a, axis=1)", inputs_of(a=iota("int64", (2, 3, 2)))),
        ("max_rank3_axis_minus1", "max(a, -1)", inputs_of(a=iota("float64", (2, 2, 3)))),
        ("prod_rank3_axis0", "prod(a, axis=0)", inputs_of(a=iota("int32", (2, 2, 2)))),
        ("normalize_by_sum", "a / sum(a)", inputs_of(a=arr("float64", [1.0, 3.0, 4.0]))),
        ("center_by_column_mean", "a - mean(a, axis=0)", inputs_of(a=arr("float64", [[1.0, 2.0], [3.0, 6.0]]))),
        ("center_rows_needs_broadcast_error", "a - mean(a, axis=1)",
         inputs_of(a=arr("float64", [[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]]))),
        ("sum_of_product", "sum(a * b)", inputs_of(a=arr("float64", [1.0, 2.0, 3.0]), b=arr("float64", [4.0, 5.0, 6.0]))),
        ("count_with_sum_of_comparison", "sum(a > 0)", inputs_of(a=arr("float32", [1.0, -1.0, 2.0, nan]))),
        ("mean_then_compare", "a > mean(a)", inputs_of(a=arr("int32", [1, 2, 3, 10]))),
        ("nested_reductions", "sum(sum(a, axis=1))", inputs_of(a=iota("int32", (3, 4)))),
        ("max_of_abs", "max(abs(a))", inputs_of(a=arr("int32", [3, -9, 4]))),
        ("reduction_of_literal_expression", "sum(a * 0 + 2)", inputs_of(a=iota("int32", (2, 3)))),
        ("reduction_result_is_strong_int64", "sum(a) + 1.5", inputs_of(a=arr("int32", [1, 2]))),
        ("reduction_result_float32_with_weak", "sum(a) * 2", inputs_of(a=arr("float32", [0.5, 0.25]))),
        ("two_reductions_different_axes", "sum(a, axis=0) + max(a, axis=0)", inputs_of(a=iota("float64", (2, 2)))),
        ("reduction_in_where", "where(a > mean(a), a, 0)", inputs_of(a=arr("float64", [1.0, 5.0, 3.0]))),
    ]:
        if name.endswith("broadcast_error"):
            case(f, name, expr, ins, error=("shape", ["(2, 3)", "(2,)"]))
        else:
            case(f, name, expr, ins)
    m = inputs_of(a=iota("float64", (2, 3)))
    for name, expr, contains in [
        ("axis_out_of_range_is_an_error", "sum(a, axis=2)", "axis"),
        ("negative_axis_out_of_range_is_an_error", "sum(a, axis=-3)", "axis"),
        ("axis_1_on_0d_is_an_error", "sum(b, axis=1)", "axis"),
    ]:
        case(f, name, expr, {**m, "b": scalar("float64", 1.0)}, error=("shape", contains))


# ---------------------------------------------------------------------------
# programs.toml


def program_cases():
    f = "programs"
    HEADERS[f] = """Programs: statements separated by `;` or newlines, assignments, shadowing an
input, named outputs; the result is the last bare expression, or the last
assignment's value when there is none."""
    a = inputs_of(a=arr("float64", [1.0, -2.0, 0.5]))
    ab = inputs_of(a=arr("int32", [1, -2, 3]), b=arr("int32", [4, 5, -6]))
    for name, expr, ins, outputs in [
        ("semicolon_separated", "b = a + 1; b * 2", a, ()),
        ("newline_separated", "b = a + 1\nb * 2", a, ()),
        ("blank_lines_between_statements", "b = a + 1\n\n\nc = b * 2\nc - a", a, ()),
        ("trailing_newline", "a * 3\n", a, ()),
        ("trailing_semicolon", "a * 3;", a, ()),
        ("semicolon_and_newline", "x = a;\ny = x * x;\ny + 1", a, ()),
        ("spaces_around_statements", "  x = a  ;  x - 1  ", a, ()),
        ("shadow_an_input", "a = a * 2; a + 1", a, ("a",)),
        ("shadow_input_dtype_changes", "a = a / 2; a", ab, ("a",)),
        ("reassign_a_name", "x = a; x = x + 1; x = x * 3", a, ("x",)),
        ("named_outputs_and_result", "x = a + b; y = x * 2", ab, ("x", "y")),
        ("comments", "# a comment\nx = a + 1  # another\nx * 2", a, ("x",)),
        ("line_continuation", "y = a + \\\n    1; y", a, ()),
        ("newline_inside_parentheses_joins", "r = (a +\n     2)\nr", a, ()),
        ("leading_and_trailing_separators", ";a * 2;", a, ()),
        ("carriage_returns", "x = a + 1\r\nx * 2\r\n", a, ()),
        ("number_with_underscores", "a * 1_000 + 1_0.5", a, ()),
        ("deep_nesting_within_limit", "(" * 150 + "a" + ")" * 150 + " + 1", a, ()),
        ("result_is_last_assignment", "x = a + 1; y = x * 2", a, ()),
        ("output_of_unchanged_temp", "t = a > 0; r = where(t, a, -a); r", a, ("t", "r")),
        ("reduction_assigned_then_used", "s = sum(a); a / s", a, ("s",)),
        ("literal_assigned_stays_weak", "k = 2; a * k", ab, ()),
        ("float_literal_assigned_stays_weak", "k = 0.5; x * k", inputs_of(x=arr("float32", [3.0, 0.1])), ()),
        ("assignment_of_input_copy", "c = a; c", ab, ("c",)),
        ("many_statements", "p = a + b\nq = a - b\nr = p * q\ns = r // 3\ns % 5", ab, ("p", "q", "r", "s")),
        ("outputs_with_different_dtypes", "m = a > b; d = a / b; n = a * b", ab, ("m", "d", "n")),
        ("output_is_0d_and_result_is_array", "t = max(a); a - t", a, ("t",)),
        ("name_shadowing_a_constant", "pi = 3; a * pi", ab, ()),
        ("input_named_like_a_constant", "e + 1", inputs_of(e=arr("int32", [1, 2])), ()),
    ]:
        case(f, f"program_{name}", expr, ins, outputs=outputs)


# ---------------------------------------------------------------------------
# errors.toml

F64 = inputs_of(a=arr("float64", [1.0, 2.0]), b=arr("float64", [3.0, 4.0]), c=arr("float64", [5.0, 6.0]))
I32 = inputs_of(a=arr("int32", [1, 2]), b=arr("int32", [3, 4]))
BOOLS = inputs_of(a=arr("bool", [True, False]), b=arr("bool", [False, False]))


def error_cases():
    f = "errors"
    HEADERS[f] = """Every error class with its kind and a message substring (matched against the
message and help). An error with a place in the source must carry a span."""
    for kind, name, expr, ins, contains in [
        ("lex", "dollar_sign", "a $ b", F64, "$"),
        ("lex", "question_mark", "a ? b", F64, "?"),
        ("lex", "lone_bang", "a ! b", F64, "!"),
        ("lex", "non_ascii_operator", "a × b", F64, "×"),
        ("lex", "backtick", "a + `b`", F64, "`"),
        ("lex", "hex_literal", "a + 0x10", F64, "`0x10`"),
        ("lex", "leading_zeros", "007 + a", F64, "leading zeros"),
        ("lex", "malformed_exponent", "a * 1e", F64, "`1e`"),
        ("parse", "python_and", "a and b", F64, "`and`"),
        ("parse", "python_not", "not a", F64, "`not`"),
        ("parse", "positional_after_keyword", "clip(a, lo=1, 2)", F64, "positional argument after a keyword"),
        ("parse", "duplicate_keyword", "sum(a, axis=0, axis=1)", F64, "duplicate keyword argument `axis`"),
        ("parse", "assign_to_expression", "a + 1 = 2", F64, "cannot assign"),
        ("parse", "assign_to_true", "True = 1", F64, "cannot assign to `True`"),
        ("parse", "newline_ends_statement", "x = a +\nb", F64, "newline"),
        ("parse", "bare_expression_not_last", "x = a + 1; x * 10; y = x - 1", F64,
         "only the last statement may be a bare expression"),
        ("parse", "comment_only", "# nothing", F64, "empty"),
        ("parse", "nested_too_deeply", "(" * 1000 + "a" + ")" * 1000, F64, "nested too deeply"),
        ("parse", "unclosed_paren_at_end", "2 * (a + ", F64, "end of input"),
        ("parse", "dangling_operator", "a +", F64, "end of input"),
        ("parse", "missing_close_paren", "(a + b", F64, "`)`"),
        ("parse", "unmatched_close_paren", "a + b)", F64, "`)`"),
        ("parse", "two_operands_in_a_row", "a b", F64, "`b`"),
        ("parse", "two_operators_in_a_row", "a +* b", F64, "`*`"),
        ("parse", "chained_comparison", "0 < a < 1", F64, "(0 < a) & (a < 1)"),
        ("parse", "chained_equality", "a == b == c", F64, "(a == b) & (b == c)"),
        ("parse", "chained_mixed_comparison", "a < b >= c", F64, "(a < b) & (b >= c)"),
        ("parse", "assignment_without_value", "x = ", F64, "end of input"),
        ("parse", "assignment_without_name", "= a", F64, "`=`"),
        ("parse", "double_assignment", "x = y = a", F64, "`=`"),
        ("parse", "empty_argument", "arctan2(a,, b)", F64, "`,`"),
        ("parse", "empty_parens", "()", F64, "`)`"),
        ("parse", "empty_program", "", F64, "empty"),
        ("parse", "only_semicolons", ";;", F64, "empty"),
        ("parse", "keyword_without_value", "sum(a, axis=)", F64, "`)`"),
        ("parse", "call_of_a_call", "sin(a)(b)", F64, "`(`"),
        ("parse", "unclosed_call", "sin(a", F64, "end of input"),
        ("parse", "error_on_second_line", "x = a + 1\ny = x +* 2", F64, "`*`"),
        ("name", "unknown_variable", "a + d", F64, "`d`"),
        ("name", "unknown_function_did_you_mean", "sine(a)", F64, ["`sine`", "did you mean", "`sin`"]),
        ("name", "unknown_function_arcsine", "arcsine(a)", F64, ["`arcsine`", "`arcsin`"]),
        ("name", "unknown_function_sqrtt", "sqrtt(a)", F64, ["`sqrtt`", "`sqrt`"]),
        ("name", "unknown_reduction_summ", "summ(a)", F64, ["`summ`", "`sum`"]),
        ("name", "unknown_cast_flaot32", "flaot32(a)", F64, ["`flaot32`", "`float32`"]),
        ("name", "unknown_variable_did_you_mean", "alpah + 1", inputs_of(alpha=arr("float64", [1.0])),
         ["`alpah`", "`alpha`"]),
        ("name", "unknown_function_far_from_everything", "qqqqqqqq(a)", F64, "`qqqqqqqq`"),
        ("name", "calling_a_variable", "a(1)", F64, "`a`"),
        ("name", "function_used_as_a_variable", "sin + 1", F64, "`sin`"),
        ("name", "use_before_assignment", "y = x + 1; x = a", F64, "`x`"),
        ("name", "assigned_later_in_same_statement", "y = y + 1", F64, "`y`"),
        ("arity", "sin_two_arguments", "sin(a, b)", F64, "sin"),
        ("arity", "sin_no_arguments", "sin()", F64, "sin"),
        ("arity", "where_two_arguments", "where(a > 0, a)", F64, "where"),
        ("arity", "arctan2_one_argument", "arctan2(a)", F64, "arctan2"),
        ("arity", "clip_two_arguments", "clip(a, 0)", F64, "clip"),
        ("arity", "cast_two_arguments", "int32(a, b)", F64, "int32"),
        ("arity", "pow_one_argument", "pow(a)", F64, "pow"),
        ("arity", "sum_no_arguments", "sum()", F64, "sum"),
        ("arity", "sum_three_arguments", "sum(a, 0, 1)", F64, "sum"),
        ("arity", "unknown_keyword", "sum(a, axes=0)", F64, "axes"),
        ("arity", "keyword_on_elementwise_function", "sin(a, axis=0)", F64, "keyword"),
        ("arity", "axis_given_twice", "sum(a, 0, axis=0)", F64, "axis"),
        ("arity", "axis_not_a_literal", "sum(a, axis=b)", F64, "axis"),
        ("arity", "axis_float_literal", "sum(a, axis=1.0)", F64, "axis"),
        ("type", "negate_bool", "-a", BOOLS, "use `~` instead"),
        ("type", "subtract_bools", "a - b", BOOLS, "use `^` instead"),
        ("type", "floordiv_bools", "a // b", BOOLS, BOOL_INT8),
        ("type", "shift_float", "a << 1", F64, NOT_FOR_FLOAT),
        ("type", "invert_float", "~a", F64, NOT_FOR_FLOAT),
        ("type", "and_float", "a & b", F64, NOT_FOR_FLOAT),
        ("type", "sqrt_bool", "sqrt(a)", BOOLS, "float16"),
        ("type", "sqrt_bool_literal", "sqrt(True)", {}, "float16"),
        ("type", "square_bool", "square(a)", BOOLS, "int8"),
        ("type", "error_deep_inside", "1 + sin(a * 2) - (b << 1)", F64, NOT_FOR_FLOAT),
        ("value", "int32_literal_too_big", "a + 3000000000", I32, "3000000000"),
        ("lex", "literal_beyond_uint64", "a + 99999999999999999999", I32, "too large"),
        ("value", "negative_literal_exponent_on_int", "a ** -1", I32, "negative"),
        ("value", "literal_division_by_zero", "a + 1 / 0", F64, "division by zero"),
        ("value", "literal_floordiv_by_zero", "a + 1 // 0", F64, "division by zero"),
        ("value", "literal_zero_to_negative_power", "a + 0 ** -1", F64, "negative power"),
        ("value", "literal_complex_power", "a + (-8) ** 0.5", F64, "complex"),
        ("value", "literal_negative_shift", "a + (1 << -1)", F64, "negative shift count"),
        ("value", "literal_power_beyond_int64", "2 ** 64", {}, "18446744073709551616"),
        ("value", "literal_power_beyond_int32_input", "a + 2 ** 64", I32, "18446744073709551616"),
        ("value", "negative_literal_exponent_via_pow", "pow(a, -2)", I32, "negative"),
        ("shape", "broadcast_mismatch", "a + b", inputs_of(a=arr("int32", [1, 2, 3]), b=arr("int32", [1, 2])),
         ["(3,)", "(2,)"]),
        ("shape", "min_of_empty", "min(a)", inputs_of(a=arr("float64", [])), "min"),
        ("shape", "axis_out_of_range", "sum(a, axis=1)", F64, "axis"),
    ]:
        comment = None
        if name.startswith("negative_literal_exponent"):
            comment = "NumPy raises at run time; jitexpr rejects a negative int literal exponent when compiling."
        if name.startswith("literal_"):
            comment = "Literal-only arithmetic is Python's (weak, folded at compile time): what Python raises is an error."
        # An empty program has no place to point at.
        span = False if name in ("comment_only", "empty_program", "only_semicolons") else None
        case(f, f"error_{kind}_{name}", expr, ins, error=(kind, contains), comment=comment, span=span)


# ---------------------------------------------------------------------------
# edge_values.toml: named cases for the edges that matter most, so a failure reads
# as what broke.


def edge_cases():
    f = "edge_values"
    HEADERS[f] = """Edge values one at a time: signed zeros, NaN, infinities, subnormals, integer
wrap-around, division and modulo by zero, negative floor division and modulo,
shifts by out-of-range counts, integer powers with negative exponents."""
    d = lambda *v: arr("float64", list(v))  # noqa: E731
    s = lambda *v: arr("float32", list(v))  # noqa: E731
    i = lambda *v: arr("int32", list(v))  # noqa: E731
    l = lambda *v: arr("int64", list(v))  # noqa: E741, E731
    for name, expr, ins in [
        ("zero_plus_negative_zero", "a + b", inputs_of(a=d(0.0, -0.0, -0.0), b=d(-0.0, 0.0, -0.0))),
        ("negative_zero_times_positive", "a * 1", inputs_of(a=d(-0.0))),
        ("negative_zero_minus_zero", "a - 0.0", inputs_of(a=d(-0.0, 0.0))),
        ("zero_minus_zero_literal_first", "0.0 - a", inputs_of(a=d(0.0, -0.0))),
        ("negate_zero", "-a", inputs_of(a=s(0.0, -0.0))),
        ("divide_by_signed_zeros", "a / b", inputs_of(a=d(1.0, 1.0, -1.0, 0.0, nan), b=d(0.0, -0.0, 0.0, 0.0, 0.0))),
        ("sqrt_negative_zero", "sqrt(a)", inputs_of(a=d(-0.0))),
        ("nan_ne_nan", "a != a", inputs_of(a=d(nan, 1.0))),
        ("nan_eq_nan", "a == a", inputs_of(a=d(nan, 1.0))),
        ("nan_comparisons_all_false", "(a < b) | (a > b) | (a <= b) | (a >= b)", inputs_of(a=d(nan, 1.0), b=d(1.0, nan))),
        ("inf_minus_inf", "a - a", inputs_of(a=d(inf, -inf))),
        ("zero_times_inf", "a * b", inputs_of(a=d(0.0, -0.0), b=d(inf, inf))),
        ("float64_overflow_to_inf", "a * 10", inputs_of(a=d(1.7976931348623157e308, -1.7976931348623157e308))),
        ("float32_overflow_to_inf", "a * 2", inputs_of(a=s(3.4028234663852886e38))),
        ("float64_subnormal_arithmetic", "a * 0.5 + b", inputs_of(a=d(5e-324, 1e-310), b=d(0.0, 1e-310))),
        ("float32_subnormal_not_flushed", "a * 0.5", inputs_of(a=s(1e-38, 2.8e-45))),
        ("float32_subnormal_input_plus_zero", "a + 0", inputs_of(a=s(1e-45, -1e-40))),
        ("float32_arithmetic_rounds_in_float32", "a + b", inputs_of(a=s(16777216.0), b=s(1.0))),
        ("float32_division_rounds_in_float32", "a / b", inputs_of(a=s(1.0, 2.0), b=s(3.0, 3.0))),
        ("int32_max_plus_one_wraps", "a + 1", inputs_of(a=i(I32MAX))),
        ("int32_min_minus_one_wraps", "a - 1", inputs_of(a=i(I32MIN))),
        ("int32_negate_min_wraps", "-a", inputs_of(a=i(I32MIN))),
        ("int32_mul_overflow_wraps", "a * a", inputs_of(a=i(65536, 46341, -46341))),
        ("int64_max_plus_one_wraps", "a + 1", inputs_of(a=l(I64MAX))),
        ("int64_negate_min_wraps", "-a", inputs_of(a=l(I64MIN))),
        ("int64_mul_overflow_wraps", "a * 3", inputs_of(a=l(I64MAX))),
        ("int32_min_floordiv_minus_one", "a // b", inputs_of(a=i(I32MIN), b=i(-1))),
        ("int32_min_mod_minus_one", "a % b", inputs_of(a=i(I32MIN), b=i(-1))),
        ("int64_min_floordiv_minus_one", "a // b", inputs_of(a=l(I64MIN), b=l(-1))),
        ("int64_min_mod_minus_one", "a % b", inputs_of(a=l(I64MIN), b=l(-1))),
        ("int_floordiv_by_zero_is_zero", "a // b", inputs_of(a=i(7, -7, 0, I32MIN), b=i(0, 0, 0, 0))),
        ("int_mod_by_zero_is_zero", "a % b", inputs_of(a=l(7, -7, 0, I64MIN), b=l(0, 0, 0, 0))),
        ("int_true_division_by_zero", "a / b", inputs_of(a=i(7, -7, 0), b=i(0, 0, 0))),
        ("int_floordiv_negative_floors", "a // b", inputs_of(a=i(7, -7, 7, -7, -1), b=i(2, 2, -2, -2, 3))),
        ("int_mod_sign_of_divisor", "a % b", inputs_of(a=i(7, -7, 7, -7, -1), b=i(2, 2, -2, -2, 3))),
        ("float_floordiv_negative_floors", "a // b", inputs_of(a=d(7.5, -7.5, 7.5, -7.5), b=d(2.0, 2.0, -2.0, -2.0))),
        ("float_mod_sign_of_divisor", "a % b", inputs_of(a=d(7.5, -7.5, 7.5, -7.5, -0.0), b=d(2.0, 2.0, -2.0, -2.0, 1.0))),
        ("float_floordiv_by_zero", "a // b", inputs_of(a=d(1.0, -1.0, 0.0), b=d(0.0, 0.0, 0.0))),
        ("float_mod_by_zero_is_nan", "a % b", inputs_of(a=d(1.0, -1.0, 0.0), b=d(0.0, 0.0, 0.0))),
        ("float_mod_by_inf", "a % b", inputs_of(a=d(5.0, -5.0, 5.0, -5.0), b=d(inf, inf, -inf, -inf))),
        ("float_mod_exact_zero_takes_divisor_sign", "a % b", inputs_of(a=d(4.0, -4.0), b=d(-2.0, 2.0))),
        ("float_floordiv_tiny_remainder", "a // b", inputs_of(a=d(1.0, 0.3), b=d(0.1, 0.1))),
        ("float32_floordiv_and_mod", "a // b + a % b", inputs_of(a=s(7.5, -7.5), b=s(-2.0, 2.0))),
        ("shl_by_width_is_zero", "a << b", inputs_of(a=i(1, -1), b=i(32, 32))),
        ("shl_by_negative_is_zero", "a << b", inputs_of(a=i(1, -1), b=i(-1, -1))),
        ("shr_by_width_keeps_sign", "a >> b", inputs_of(a=i(5, -5), b=i(32, 32))),
        ("shr_by_negative_keeps_sign", "a >> b", inputs_of(a=l(5, -5), b=l(-3, -3))),
        ("shl_int64_by_63", "a << 63", inputs_of(a=l(1, 3))),
        ("shl_into_sign_bit_wraps", "a << 31", inputs_of(a=i(1, 3))),
        ("shr_int64_min", "a >> b", inputs_of(a=l(I64MIN, I64MIN), b=l(63, 64))),
        ("shift_count_literal_too_big", "a << 40", inputs_of(a=i(1, -1))),
        ("int_pow_zero_exponent_is_one", "a ** b", inputs_of(a=i(0, 5, -5), b=i(0, 0, 0))),
        ("int_pow_wraps", "a ** b", inputs_of(a=i(2, 3, -2), b=i(31, 21, 31))),
        ("int_pow_literal_exponent", "a ** 3", inputs_of(a=l(-3, 2**21, 2**22))),
        ("float_pow_specials", "a ** b", inputs_of(a=d(nan, 1.0, -1.0, 0.0, -0.0, -8.0, inf, -inf, 0.0),
                                                   b=d(0.0, nan, inf, -1.0, -1.0, 1 / 3, -1.0, 3.0, 0.0))),
        ("float_pow_literal_two", "a ** 2", inputs_of(a=d(1e200, -3.0, nan))),
        ("int64_to_float64_comparison_exact", "a < b", inputs_of(a=l(2**53 + 1), b=d(9007199254740992.0))),
        ("int64_equals_float64_after_promotion", "a == b", inputs_of(a=l(2**53 + 1), b=d(9007199254740992.0))),
        ("int64_min_literal", "a + -9223372036854775808", inputs_of(a=l(0, 1))),
        ("int64_min_literal_alone", "-9223372036854775808", {}),
        ("huge_float_literal", "a * 1e308 * 10", inputs_of(a=d(1.0, -1.0))),
        ("tiny_float_literal", "a * 5e-324", inputs_of(a=d(1.0, 0.5))),
        ("float_literal_forms", "a + 1. + .5 + 1e0 + 2.5E-1", inputs_of(a=d(0.0))),
    ]:
        case(f, f"edge_{name}", expr, ins)
    note = ("NumPy's power ufunc computes a scalar exponent of 0.5 as sqrt: (-0.0) ** 0.5 is -0.0 and (-inf) ** 0.5\n"
            "is nan, where C pow (an array exponent) gives 0.0 and inf.")
    case(f, "edge_float_pow_literal_half_is_sqrt", "a ** 0.5", inputs_of(a=d(-0.0, -inf, 4.0)), comment=note)
    case(f, "edge_float_pow_array_half_is_pow", "a ** b", inputs_of(a=d(-0.0, -inf, 4.0), b=d(0.5, 0.5, 0.5)))
    a = l(2, 1, -1, 0, -2, -1)
    b = l(-1, -5, -3, -1, -64, I64MIN)
    case(f, "edge_int_pow_negative_exponent_at_run_time", "a ** b", inputs_of(a=a, b=b), expect=int_pow(a, b),
         comment="NumPy raises ValueError; jitexpr cannot raise mid-loop and gives trunc(1 / base**|e|) (documented).")
    a, b = i(3, 1, -1, 0), i(-2, -2147483648, -7, -1)
    case(f, "edge_int32_pow_negative_exponent_at_run_time", "a ** b", inputs_of(a=a, b=b), expect=int_pow(a, b),
         comment="As above: 1 ** -n is 1, (-1) ** -n is +-1, 0 ** -n and the rest are 0.")


# ---------------------------------------------------------------------------
# numexpr.toml: expressions from numexpr's README and user guide.


def numexpr_cases():
    f = "numexpr"
    HEADERS[f] = "Expressions from numexpr's documentation (README, user guide), on small arrays."
    a = np.arange(1.0, 9.0)
    b = np.arange(9.0, 1.0, -1.0)
    c = np.linspace(-1.0, 1.0, 8)
    x = np.linspace(-2.0, 2.0, 9)
    ab = inputs_of(a=a, b=b)
    for name, expr, ins, ulp in [
        ("a_plus_1", "a + 1", ab, None),
        ("a_b_comparison", "a*b-4.1*a > 2.5*b", ab, None),
        ("sin_plus_arcsinh", "sin(a) + arcsinh(a/b)", ab, MATH_ULP),
        ("linear_3a_4b", "3*a+4*b", ab, None),
        ("linear_2a_3b", "2*a + 3*b", ab, None),
        ("polynomial", "0.25*x**3 + 0.75*x**2 - 1.5*x - 2", inputs_of(x=x), 2),
        ("square_of_sum", "a**2 + b**2 + 2*a*b", ab, None),
        ("where_clamp", "where(c > 0, c, 0)", inputs_of(c=c), None),
        ("trig_identity", "sin(c)**2 + cos(c)**2", inputs_of(c=c), MATH_ULP),
        ("relative_difference", "(a - b) / (a + b)", ab, None),
        ("boolean_mask", "(a > 2) & (b < 8)", ab, None),
        ("sum_axis0", "sum(a, axis=0)", ab, None),
        ("prod_whole", "prod(b)", ab, None),
        ("complex_chain", "2*a + 3*b*sqrt(a) - exp(c)", {**ab, "c": c}, MATH_ULP),
        ("int32_arith", "i * 2 + j", inputs_of(i=np.arange(5, dtype=np.int32), j=np.arange(5, 10, dtype=np.int32)), None),
        ("distance", "sqrt(a**2 + b**2)", ab, None),
        ("log_ratio", "log(a / b)", ab, MATH_ULP),
        ("tanh_scaled", "tanh(c * 3)", inputs_of(c=c), MATH_ULP),
    ]:
        case(f, f"numexpr_{name}", expr, ins, ulp=ulp)


def main():
    operator_cases()
    cast_cases()
    promotion_cases()
    function_cases()
    broadcasting_cases()
    reduction_cases()
    program_cases()
    error_cases()
    edge_cases()
    numexpr_cases()
    write_files()


if __name__ == "__main__":
    main()
