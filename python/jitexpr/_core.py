"""evaluate / re_evaluate / validate (numexpr's API) and compile() -> Expression.

Values reach the Rust core as NumPy arrays read in place (``numpy.asarray``
first: lists, Series, 0-d); Python ``bool``/``int``/``float`` values are NEP 50
*weak* scalars, compiled into the program as literals are (so ``a_f32 * 2.5``
stays float32; a new value compiles a new program). Compiled programs are cached
by expression and input types; the compiled objects are thread-safe, so one
bounded cache serves every thread, while ``re_evaluate`` remembers the last
expression per thread, as numexpr does.

``out=``: the result is written straight into ``out`` when ``out`` is a
writeable, aligned, C-contiguous array of the result's dtype and shape that
shares no memory with an input; otherwise the result is computed into a
temporary and copied with ``numpy.copyto(out, result, casting=casting)`` —
NumPy's casting and broadcasting rules, and the buffering that makes
``evaluate("a[::-1] + a", out=a)``-style aliasing give NumPy's answer.
"""

import operator
import sys
import threading

import numpy as np

from . import _jitexpr, _threads

__all__ = ["evaluate", "re_evaluate", "validate", "compile", "Expression"]

_NAMES = {("b", 1): "bool", ("i", 4): "int32", ("i", 8): "int64", ("f", 4): "float32", ("f", 8): "float64"}
_SUPPORTED = "bool, int32, int64, float32, float64"
# Named constants of the language: used when no value of that name is found.
_CONSTANTS = frozenset(("pi", "e", "inf", "nan"))
_ENGINES = ("jit", "interp")
# numexpr keywords that have no effect here: `/` is always true division (NumPy's),
# names are never sanitized (the parser only reads the language, nothing is passed
# to Python's eval).
_IGNORED_KWARGS = frozenset(("truediv", "sanitize"))
_MATHS = ("exact", "fast")
# numexpr's `optimization` levels. Only 'aggressive' changes results (numexpr's own
# default, which jitexpr does not follow: without the keyword, results are NumPy's).
_OPTIMIZATIONS = {"none": "exact", "moderate": "exact", "aggressive": "fast"}
_ORDERS = frozenset(("K", "A", "C", "F"))
_CASTINGS = frozenset(("no", "equiv", "safe", "same_kind", "unsafe"))
_CACHE_SIZE = 256

_parsed = {}  # source -> _jitexpr.Expr
_compiled = {}  # (source, types) -> _jitexpr.Compiled
_local = threading.local()  # .last: what re_evaluate runs again
# The hot path of `evaluate` (see `_remember`): source -> _Recent, the program
# last compiled for it when every value was an array and no option was given.
_recent = {}
# A lookup's "not found" (None is a value a name can hold).
_MISSING = object()
# The orders that give C-ordered results, as the default does.
_C_ORDERS = frozenset(("K", "A", "C"))


def _dtype_name(dtype, what):
    name = _NAMES.get((dtype.kind, dtype.itemsize))
    if name is None:
        raise TypeError(f"{what} has dtype {dtype}; jitexpr supports {_SUPPORTED}")
    return name


def _parse(source):
    expr = _parsed.get(source)
    if expr is None:
        if not isinstance(source, str):
            raise TypeError(f"the expression must be a str, not {type(source).__name__}")
        expr = _jitexpr.Expr(source)
        if len(_parsed) >= _CACHE_SIZE:
            del _parsed[next(iter(_parsed))]
        _parsed[source] = expr
    return expr


def _bounded_put(cache, key, value):
    if len(cache) >= _CACHE_SIZE:
        try:
            del cache[next(iter(cache))]
        except (KeyError, StopIteration, RuntimeError):
            pass  # another thread evicted first
    cache[key] = value


def _classify(names, values):
    """Split looked-up values into arrays and weak scalars; the cache key part."""
    arrays, array_names, weak, key = [], [], [], []
    for name, v in zip(names, values):
        t = type(v)
        if t is float or t is int or t is bool:
            weak.append((name, v))
            # float.hex tells 0.0 from -0.0 (equal as keys) and gives NaN one key.
            key.append((t, v.hex() if t is float else v))
        else:
            a = v if t is np.ndarray else np.asarray(v)
            dtype_name = _dtype_name(a.dtype, f"`{name}`")
            arrays.append(a)
            array_names.append(name)
            key.append(dtype_name)
    return arrays, array_names, weak, tuple(key)


def _lookup(expr, local_dict, global_dict, frame_depth):
    """The names the program reads and their values: local_dict, then
    global_dict, each the caller's frame's unless given."""
    if local_dict is None or global_dict is None:
        frame = sys._getframe(frame_depth)
        if local_dict is None:
            local_dict = frame.f_locals
        if global_dict is None:
            global_dict = frame.f_globals
        del frame
    names, values = [], []
    for name in expr.free_names:
        if name in local_dict:
            values.append(local_dict[name])
        elif name in global_dict:
            values.append(global_dict[name])
        elif name in _CONSTANTS:
            continue
        else:
            raise KeyError(name)
        names.append(name)
    return names, values


def _check_kwargs(kwargs):
    unknown = set(kwargs) - _IGNORED_KWARGS
    if unknown:
        raise ValueError(f"unknown keyword argument(s): {', '.join(sorted(unknown))}")


def _get_compiled(source, expr, array_names, arrays, weak, key):
    full_key = (source, tuple(array_names), key)
    compiled = _compiled.get(full_key)
    if compiled is None:
        sig = [(n, _NAMES[(a.dtype.kind, a.dtype.itemsize)]) for n, a in zip(array_names, arrays)]
        compiled = expr.compile(sig, weak)
        _bounded_put(_compiled, full_key, compiled)
    return compiled


def _wanted(outputs, out):
    """The requested outputs (None: the result) and the out array of each."""
    if isinstance(out, dict):
        if outputs is None:
            outputs = list(out)
        outs = [out.get(name) for name in outputs]
        return [n if n else None for n in outputs], outs, True
    if outputs is None:
        return [None], [out], False
    if isinstance(outputs, str):
        raise TypeError("outputs must be a list of names, e.g. outputs=['x']")
    wanted = [n if n else None for n in outputs]
    if out is not None:
        if not isinstance(out, (list, tuple)) or len(out) != len(wanted):
            raise TypeError("with outputs=[...], out must be a list with one array (or None) per output")
        return wanted, list(out), True
    return wanted, [None] * len(wanted), True


def _direct(o, dtype_name, arrays):
    """Whether `o` can take the result in place (the Rust side checks the shape)."""
    if type(o) is not np.ndarray:
        return False
    flags = o.flags
    if not (flags.c_contiguous and flags.aligned and flags.writeable and o.dtype.isnative):
        return False
    if _NAMES.get((o.dtype.kind, o.dtype.itemsize)) != dtype_name:
        return False
    return not any(np.may_share_memory(o, a) for a in arrays)


def _run(compiled, arrays, wanted, outs, casting, order, engine, math, many):
    threads = _threads._num_threads
    if all(o is None for o in outs):
        results = compiled.eval(arrays, wanted, outs, engine, threads, math)
    else:
        direct, copies = [], []
        for name, o in zip(wanted, outs):
            if o is None:
                direct.append(None)
            elif _direct(o, compiled.dtype(name), arrays) and o.shape == tuple(compiled.shape(name, arrays)):
                direct.append(o)
            else:
                if not isinstance(o, np.ndarray):
                    raise TypeError(f"out must be a numpy.ndarray, not {type(o).__name__}")
                direct.append(None)
                copies.append((len(direct) - 1, o))
        results = compiled.eval(arrays, wanted, direct, engine, threads, math)
        for i, o in copies:
            np.copyto(o, results[i], casting=casting)
            results[i] = o
    if order == "F":
        results = [r if r.flags.f_contiguous else np.asfortranarray(r) for r in results]
    return tuple(results) if many else results[0]


def _math_mode(math, optimization):
    """The math mode of ``math=`` and numexpr's ``optimization=`` (default exact)."""
    if optimization is not None and optimization not in _OPTIMIZATIONS:
        raise ValueError(f"optimization must be 'none', 'moderate' or 'aggressive', not {optimization!r}")
    implied = _OPTIMIZATIONS.get(optimization)
    if math is None:
        return implied or "exact"
    if math not in _MATHS:
        raise ValueError(f"math must be 'exact' or 'fast', not {math!r}")
    if implied is not None and implied != math:
        raise ValueError(f"math={math!r} contradicts optimization={optimization!r}")
    return math


def _check_options(order, casting, engine):
    if order not in _ORDERS:
        raise ValueError(f"order must be one of 'K', 'A', 'C', 'F', not {order!r}")
    if casting not in _CASTINGS:
        raise ValueError(f"casting must be one of {', '.join(sorted(_CASTINGS))}, not {casting!r}")
    if engine not in _ENGINES:
        raise ValueError(f"engine must be 'jit' or 'interp', not {engine!r}")


def _prepare(ex, local_dict, global_dict, frame_depth, outputs, out, order, casting, engine, math, kwargs):
    _check_kwargs(kwargs)
    _check_options(order, casting, engine)
    expr = _parse(ex)
    names, values = _lookup(expr, local_dict, global_dict, frame_depth + 2)
    arrays, array_names, weak, key = _classify(names, values)
    compiled = _get_compiled(ex, expr, array_names, arrays, weak, key)
    if math == "exact":
        _remember(ex, expr, array_names, weak, compiled, engine)
    wanted, outs, many = _wanted(outputs, out)
    _local.last = (
        ex, expr, local_dict is not None, global_dict is not None, wanted, outs, many, order, casting, engine, math
    )
    return compiled, arrays, wanted, outs, many


class _Recent:
    """What a repeated `evaluate(ex)` of arrays needs: the names it looks up,
    the program compiled for the last values' dtypes, and what `re_evaluate`
    keeps. The Rust `Compiled.call` checks each array's dtype (and declines,
    leaving the general path to compile, when one differs)."""

    __slots__ = ("expr", "names", "inputs", "constants", "compiled", "engine", "last")

    def __init__(self, expr, names, inputs, compiled, engine, last):
        self.expr = expr
        self.names = names
        self.inputs = inputs
        # Whether a name may be a language constant: then which names were
        # found decides the inputs, and the hot path compares them.
        self.constants = any(n in _CONSTANTS for n in names)
        self.compiled = compiled
        self.engine = engine
        self.last = last


def _remember(ex, expr, array_names, weak, compiled, engine):
    """Keep `compiled` as `ex`'s hot path when it reads arrays only."""
    if weak:
        return
    recent = _recent.get(ex)
    if recent is not None and recent.compiled is compiled and recent.engine == engine:
        return
    names = tuple(expr.free_names)
    last = (ex, expr, False, False, [None], [None], False, "K", "same_kind", engine, "exact")
    recent = _Recent(expr, names, tuple(array_names), compiled, engine, last)
    if ex not in _recent:
        _bounded_put(_recent, ex, recent)
    else:
        _recent[ex] = recent


def evaluate(
    ex,
    local_dict=None,
    global_dict=None,
    out=None,
    order="K",
    casting="same_kind",
    *,
    outputs=None,
    engine="jit",
    math=None,
    optimization=None,
    _frame_depth=1,
    **kwargs,
):
    """Evaluate the expression (or program) ``ex`` on the arrays its names refer to.

    numexpr's signature: names are looked up in ``local_dict`` then
    ``global_dict`` (by default the caller's locals and globals). ``out`` takes
    the result (any layout and dtype, as ``numpy.copyto`` with ``casting``).
    ``outputs=['x', 'y']`` returns the named values of a program as a tuple
    (``out`` then a list, or a dict ``{'x': array}``). ``engine='interp'`` runs the
    interpreter instead of the JIT. ``order='F'`` returns Fortran-ordered
    results; the others give C order. ``math='fast'`` (or numexpr's
    ``optimization='aggressive'``) allows the fast-math rewrites (power chains,
    Horner form, reciprocals: see the README's "Fast math"); the default is
    ``'exact'``, NumPy's bits, although numexpr's default is 'aggressive'.
    numexpr's ``truediv`` and ``sanitize`` are accepted and ignored; other
    keywords raise ``ValueError``.
    """
    if (
        outputs is None
        and math is None
        and optimization is None
        and not kwargs
        and type(ex) is str
        and order in _C_ORDERS
        and casting in _CASTINGS
    ):
        # The hot path: a program seen before, on arrays only (see _Recent).
        recent = _recent.get(ex)
        if recent is not None and recent.engine == engine:
            if local_dict is None:
                frame = sys._getframe(_frame_depth)
                local_dict = frame.f_locals
                if global_dict is None:
                    global_dict = frame.f_globals
                del frame
            values = []
            found = []
            for name in recent.names:
                v = local_dict.get(name, _MISSING)
                if v is _MISSING:
                    if global_dict is None:
                        # Only now the caller's globals: `evaluate(ex, dict)`, the
                        # common call, skips the frame when the dict has every name.
                        global_dict = sys._getframe(_frame_depth).f_globals
                    v = global_dict.get(name, _MISSING)
                    if v is _MISSING:
                        continue  # a constant or a KeyError: the general path tells
                values.append(v)
                found.append(name)
            if len(found) == len(recent.inputs) and (not recent.constants or tuple(found) == recent.inputs):
                result = recent.compiled.call(tuple(values), out, engine, _threads._num_threads, "exact")
                if result is not None:
                    if out is None:
                        _local.last = recent.last
                    else:
                        _local.last = (ex, recent.expr, False, False, [None], [out], False, order, casting, engine, "exact")
                    return result
    math = _math_mode(math, optimization)
    compiled, arrays, wanted, outs, many = _prepare(
        ex, local_dict, global_dict, _frame_depth, outputs, out, order, casting, engine, math, kwargs
    )
    return _run(compiled, arrays, wanted, outs, casting, order, engine, math, many)


def validate(
    ex,
    local_dict=None,
    global_dict=None,
    out=None,
    order="K",
    casting="same_kind",
    *,
    outputs=None,
    engine="jit",
    math=None,
    optimization=None,
    _frame_depth=1,
    **kwargs,
):
    """Check that ``ex`` compiles for the values its names refer to, without
    evaluating it; returns ``None`` or the exception (numexpr's ``validate``).
    On success ``re_evaluate()`` runs it."""
    try:
        math = _math_mode(math, optimization)
        _prepare(ex, local_dict, global_dict, _frame_depth, outputs, out, order, casting, engine, math, kwargs)
    except Exception as e:  # returned, not raised: that is validate's contract
        return e
    return None


def re_evaluate(local_dict=None, global_dict=None, _frame_depth=1):
    """Evaluate again the last expression this thread evaluated or validated,
    with the current values of its names (looked up as ``evaluate`` does; a
    ``local_dict`` given to the first call must be given again)."""
    last = getattr(_local, "last", None)
    if last is None:
        raise RuntimeError("re_evaluate() needs a previous evaluate() or validate() in this thread")
    ex, expr, _, _, wanted, outs, many, order, casting, engine, math = last
    names, values = _lookup(expr, local_dict, global_dict, _frame_depth + 1)
    arrays, array_names, weak, key = _classify(names, values)
    compiled = _get_compiled(ex, expr, array_names, arrays, weak, key)
    return _run(compiled, arrays, wanted, outs, casting, order, engine, math, many)


def _dtype_spec(name, v):
    """What compile() was told about input `name`: ('array', dtype name) or
    ('weak', value)."""
    t = type(v)
    if t is float or t is int or t is bool:
        return ("weak", v)
    if isinstance(v, np.ndarray) or hasattr(v, "__array__") and not isinstance(v, type):
        return ("array", _dtype_name(np.asarray(v).dtype, f"`{name}`"))
    try:
        dtype = np.dtype(v)
    except TypeError:
        raise TypeError(f"compile(): `{name}` must be a dtype, an example array or a Python scalar, not {v!r}") from None
    return ("array", _dtype_name(dtype, f"`{name}`"))


class Expression:
    """A program compiled for input dtypes: call it on arrays of any shape.

    Made by :func:`compile`. ``input_names`` gives the positional order;
    ``output_names`` the names a program assigns (``outputs=[...]``); ``dtype``
    the result's dtype. ``explain(stage)`` returns a compilation stage as text.
    Pickling recompiles on load; ``__dask_tokenize__`` names it by its source and
    types, so it can travel to Dask workers.
    """

    __slots__ = ("_source", "_specs", "_engine", "_math", "_expr", "_compiled", "_names", "_dtypes", "_by_name", "__weakref__")

    def __init__(self, source, specs, engine="jit", math="exact"):
        _check_options("K", "same_kind", engine)
        self._math = _math_mode(math, None)
        self._source = source
        self._expr = _parse(source)
        free = self._expr.free_names
        unknown = [n for n in specs if n not in free]
        if unknown:
            raise KeyError(f"compile(): the expression does not use {', '.join(unknown)}")
        missing = [n for n in free if n not in specs and n not in _CONSTANTS]
        if missing:
            raise TypeError(f"compile(): give a dtype or an example array for {', '.join(missing)}")
        self._specs = {n: specs[n] for n in free if n in specs}
        self._engine = engine
        sig = [(n, d) for n, (kind, d) in self._specs.items() if kind == "array"]
        weak = [(n, v) for n, (kind, v) in self._specs.items() if kind == "weak"]
        self._compiled = self._expr.compile(sig, weak)
        self._names = tuple(n for n, _ in sig)
        # The inputs in order from a dict holding each by name (KeyError if one is
        # missing); never called without inputs, where any keyword is unexpected.
        n = self._names
        self._by_name = operator.itemgetter(*n) if len(n) > 1 else (lambda d: (d[n[0]],)) if n else None
        self._dtypes = tuple(np.dtype(d) for _, d in sig)

    @property
    def source(self):
        return self._source

    @property
    def input_names(self):
        """The inputs, in the order positional arguments take."""
        return self._names

    @property
    def output_names(self):
        """The names the program assigns, each available with ``outputs=[...]``."""
        return tuple(self._compiled.output_names)

    @property
    def dtype(self):
        """The dtype of the result."""
        return np.dtype(self._compiled.dtype(None))

    def output_dtype(self, name):
        return np.dtype(self._compiled.dtype(name))

    def __call__(self, *args, out=None, **options):
        """Evaluate on ``args`` (positional, in ``input_names`` order) or on inputs
        by name; keywords ``out``, ``outputs``, ``casting``, ``order`` and
        ``engine`` as :func:`evaluate` takes them."""
        if not options:
            # The hot path: arrays of the compiled dtypes in order, and an `out`
            # that takes the result in place (checked in Rust; None otherwise).
            # The signature is lean on purpose: keyword-only defaults and a
            # `**named` dict cost ~160 ns a call in CPython, half a small call.
            result = self._compiled.call(args, out, self._engine, _threads._num_threads, self._math)
            if result is not None:
                return result
            return self._general(args, out, options, tried=True)
        return self._general(args, out, options, tried=False)

    def _general(self, args, out, options, tried):
        """Every call the hot path did not take (`tried`: it was tried for `args`)."""
        outputs = options.pop("outputs", None)
        casting = options.pop("casting", "same_kind")
        order = options.pop("order", "K")
        engine = options.pop("engine", None)
        named = options
        in_place = out is None or engine is None and order in _C_ORDERS and casting in _CASTINGS
        if not tried and outputs is None and in_place:
            # Every input by name and nothing else: put in order and take the hot path
            # (calls by name took the general path below, 2-5x a positional call's time).
            hot = args
            if named:
                try:
                    hot = self._by_name(named) if not args and len(named) == len(self._names) else None
                except KeyError:
                    hot = None
            if hot is not None:
                result = self._compiled.call(
                    hot, out, self._engine if engine is None else engine, _threads._num_threads, self._math
                )
                if result is not None:
                    return result
        names, dtypes = self._names, self._dtypes
        if len(args) > len(names):
            raise TypeError(f"{len(names)} inputs ({', '.join(names)}) but {len(args)} positional arguments")
        arrays = list(args)
        if named or len(args) < len(names):
            for n in names[len(args) :]:
                if n not in named:
                    raise TypeError(f"missing input {n!r}")
                arrays.append(named.pop(n))
            if named:
                raise TypeError(f"unexpected argument(s): {', '.join(named)}")
        for i, (a, dtype) in enumerate(zip(arrays, dtypes)):
            if type(a) is not np.ndarray or a.dtype != dtype:
                arrays[i] = _as_input(a, dtype, names[i])
        engine = self._engine if engine is None else engine
        if out is None and outputs is None:
            return self._compiled.eval(arrays, [None], [None], engine, _threads._num_threads, self._math)[0]
        _check_options(order, casting, engine)
        wanted, outs, many = _wanted(outputs, out)
        return _run(self._compiled, arrays, wanted, outs, casting, order, engine, self._math, many)

    def explain(self, stage="fused", outputs=None):
        """The text of one compilation stage, as ``jitexpr eval --emit STAGE``
        prints it: tokens, ast, ir, opt, fused, clif or asm."""
        if stage == "tokens":
            return self._expr.emit_tokens()
        if stage == "ast":
            return self._expr.emit_ast()
        wanted = [None] if outputs is None else [n if n else None for n in outputs]
        return self._compiled.explain(stage, wanted)

    def dask(self, *args, **named):
        """The expression over Dask arrays (positional in ``input_names`` order or
        by name): a lazy ``dask.array`` (see :mod:`jitexpr.dask`)."""
        from .dask import expression_dask

        return expression_dask(self, *args, **named)

    def _key(self):
        return (self._source, tuple(self._specs.items()), self._engine, self._math)

    def __reduce__(self):
        return (_rebuild, self._key())

    def __dask_tokenize__(self):
        return ("jitexpr.Expression",) + self._key()

    def __eq__(self, other):
        return isinstance(other, Expression) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        sig = ", ".join(f"{n}={v if k == 'weak' else d}" for n, (k, v) in self._specs.items() for d in [v])
        return f"jitexpr.compile({self._source!r}{', ' if sig else ''}{sig})"


def _as_input(a, dtype, name):
    """A call argument as an array of the compiled dtype: a safe cast (a copy)
    when its dtype differs, a TypeError when that would lose information."""
    arr = np.asarray(a)
    if arr.dtype == dtype:
        return arr
    if type(a) in (bool, int, float) or np.can_cast(arr.dtype, dtype, "safe"):
        return np.asarray(a, dtype=dtype)
    raise TypeError(f"input {name!r} was compiled for {dtype} but is {arr.dtype}, which does not cast safely")


_rebuilt = {}  # unpickled Expressions by key: a Dask worker compiles each once


def _rebuild(source, specs, engine, math="exact"):
    key = (source, specs, engine, math)
    ex = _rebuilt.get(key)
    if ex is None:
        ex = Expression(source, dict(specs), engine, math)
        _bounded_put(_rebuilt, key, ex)
    return ex


def compile(ex, *, engine="jit", math="exact", **dtypes_or_examples):
    """Compile ``ex`` once for the given input types; returns an :class:`Expression`.
    ``math='fast'`` evaluates it with the fast-math rewrites (see :func:`evaluate`).

    Each keyword names an input and gives a dtype (``a='float32'``,
    ``b=np.int64``), an example array (its dtype is taken), or a Python scalar,
    which is compiled in as a NEP 50 weak value (as a literal would be).
    """
    specs = {name: _dtype_spec(name, v) for name, v in dtypes_or_examples.items()}
    return Expression(ex, specs, engine, math)
