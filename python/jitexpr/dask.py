"""jitexpr on Dask arrays: ``jitexpr.dask.evaluate(ex, **arrays)`` and
``Expression.dask(...)`` return lazy ``dask.array``s.

How a program is split comes from the core (``Compiled.split``), not from
reading the text:

- elementwise programs map over blocks with ``da.blockwise`` (broadcasting and
  chunk alignment as Dask's own elementwise operations do them; ``dtype`` and
  ``meta`` from the compiled program, so Dask never calls the kernel on fake
  arrays to guess);
- programs with reductions (sum, prod, min, max, mean, any, all; whole or per
  axis) run as the dependent passes the core cuts from its typed IR
  (``Compiled.passes``): each reduction a ``da.reduction`` whose blocks jitexpr
  reduces and whose partials NumPy combines (float sums may differ from the
  single-array result in the last bits, within the pairwise-summation bound;
  ``mean`` is a sum divided by the count with NumPy's dtype rules), its value a
  0-d (or reduced-shape) input of later passes, then the elementwise rest by
  ``da.blockwise``. Softmax, ``e = exp(a - max(a)); e / sum(e)``, is three
  passes: ``max(a)``, ``sum(exp(a - #0))``, ``exp(a - #0) / #1``.

Each task runs jitexpr with ``OMP_NUM_THREADS`` threads (what Dask's nanny sets,
default 1): Dask supplies the parallelism. The kernel releases the GIL, so the
threaded scheduler scales. Expressions travel pickled and are compiled once per
worker process.
"""

import os

import numpy as np

from ._core import Expression, _dtype_spec

__all__ = ["evaluate"]

_COMBINE = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max, "any": np.any, "all": np.all}


def _task_threads():
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1


# Per process: the passes of each expression, cut once by the core (workers
# unpickle the expression and cut it again on first use).
_PASSES = {}


def _program(expression, stage):
    """The core program a task runs: the whole expression (``stage`` None), its
    reduction pass ``stage`` (an int) or its elementwise finish ("finish")."""
    if stage is None:
        return expression._compiled
    key = expression._key()
    passes = _PASSES.get(key)
    if passes is None:
        passes = _PASSES.setdefault(key, expression._compiled.passes())
    reductions, finish = passes
    return finish if stage == "finish" else reductions[stage][0]


def _block(*blocks, expression, stage=None):
    # Reduced values arrive as NumPy scalars; the core takes arrays.
    blocks = [np.asarray(b) for b in blocks]
    compiled = _program(expression, stage)
    return compiled.eval(blocks, [None], [None], expression._engine, _task_threads(), expression._math)[0]


def _to_dask(value):
    import dask.array as da

    return value if isinstance(value, da.Array) else da.asarray(value)


def _evaluate(expression, arrays):
    kind, _, _ = expression._compiled.split()
    values = {n: _to_dask(arrays[n]) for n in expression.input_names}
    if kind == "elementwise":
        args = [values[n] for n in expression.input_names]
        return _blockwise(args, expression, None, expression.dtype)
    # Reductions first, each a da.reduction whose chunks jitexpr computes; a
    # pass's value is the input ``#k`` of later passes (a 0-d or reduced-shape
    # dask array, broadcast by Dask), then the elementwise finish.
    reductions, finish = expression._compiled.passes()
    value = None
    for k, (program, op, axis) in enumerate(reductions):
        args = [values[n] for n in program.input_names]
        value = _reduce(args, expression, k, op, axis, np.dtype(program.dtype(None)))
        values[f"#{k}"] = value
    if finish is None:
        return value
    args = [values[n] for n in finish.input_names]
    return _blockwise(args, expression, "finish", np.dtype(finish.dtype(None)))


def _blockwise(args, expression, stage, dtype):
    import dask.array as da

    ndim = max((a.ndim for a in args), default=0)
    out_ind = tuple(range(ndim))[::-1]
    pairs = []
    for a in args:
        pairs += [a, tuple(range(a.ndim))[::-1]]
    return da.blockwise(
        _block,
        out_ind,
        *pairs,
        expression=expression,
        stage=stage,
        dtype=dtype,
        meta=np.empty((0,) * ndim, dtype=dtype),
        align_arrays=True,
    )


def _reduce(args, expression, stage, op, red_axis, dtype):
    """Reduction pass ``stage``: jitexpr reduces each block (``mean`` as its
    sum), NumPy combines the partials (so float sums may differ from the
    single-array result in the last bits, within the pairwise-summation
    bound); ``mean`` then divides by the count with NumPy's dtype rules."""
    import dask.array as da

    # One shape for every array input, so each task gets aligned blocks
    # (blockwise unifies the chunks); 0-d values of earlier passes go to every task.
    shape = np.broadcast_shapes(*(a.shape for a in args))
    ndim = len(shape)
    args = [a if a.ndim == 0 else da.broadcast_to(a, shape) for a in args]
    axis = tuple(range(ndim)) if red_axis is None else (red_axis % ndim if ndim else red_axis,)
    if ndim == 0:
        # A 0-d reduction (only values of earlier passes): one task.
        return _blockwise(args, expression, stage, dtype)
    ind = tuple(range(ndim))
    pairs = []
    for a in args:
        pairs += [a, ind if a.ndim else ()]
    partials = da.blockwise(
        _partial,
        ind,
        *pairs,
        expression=expression,
        stage=stage,
        ndim=ndim,
        axis=axis,
        skip_empty=op in ("min", "max"),
        dtype=dtype,
        meta=np.empty((0,) * ndim, dtype=dtype),
        adjust_chunks={d: 1 for d in axis},
    )
    combine = _COMBINE["sum" if op == "mean" else op]
    total = da.reduction(
        partials,
        chunk=lambda x, axis, keepdims: x,
        aggregate=lambda x, axis, keepdims: combine(x, axis=axis, keepdims=keepdims),
        axis=axis,
        dtype=dtype,
        meta=np.empty((0,) * (ndim - len(axis)), dtype=dtype),
        concatenate=True,
    )
    if op != "mean":
        return total
    count = 1
    for d in axis:
        count *= shape[d]
    return total.map_blocks(_divide, count=count, out_dtype=dtype, dtype=dtype, meta=np.empty((0,) * total.ndim, dtype=dtype))


def _divide(total, count, out_dtype):
    # As NumPy's mean: the sum in the accumulator dtype over a Python int count
    # (float32 stays float32); nothing to average is NaN, silently as jitexpr.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.asarray(total) / count, dtype=out_dtype)


def _partial(*blocks, expression, stage, ndim, axis, skip_empty):
    if skip_empty:
        # min/max of nothing is an error; an empty block contributes nothing
        # (if every block is empty, NumPy's combine raises the ValueError).
        block_shape = np.broadcast_shapes(*(np.shape(b) for b in blocks))
        if any(block_shape[d] == 0 for d in axis):
            keep = [0 if d in axis else n for d, n in enumerate(block_shape)]
            return np.empty(keep, dtype=np.dtype(_program(expression, stage).dtype(None)))
    result = _block(*blocks, expression=expression, stage=stage)
    return np.reshape(result, [1 if d in axis else n for d, n in enumerate(np.broadcast_shapes(*(np.shape(b) for b in blocks)))])


def evaluate(ex, *, engine="jit", **arrays):
    """``ex`` over Dask arrays (NumPy arrays and Python scalars are accepted too),
    as a lazy ``dask.array``. Python scalars are NEP 50 weak values, compiled in."""
    specs = {}
    values = {}
    for name, v in arrays.items():
        if type(v) in (bool, int, float):
            specs[name] = _dtype_spec(name, v)
        else:
            specs[name] = _dtype_spec(name, np.dtype(v.dtype) if hasattr(v, "dtype") else np.asarray(v))
            values[name] = v
    expression = Expression(ex, specs, engine)
    return _evaluate(expression, values)


def expression_dask(self, *args, **named):
    """``Expression.dask``: the compiled expression over Dask arrays, lazily."""
    names = self.input_names
    if len(args) > len(names):
        raise TypeError(f"{len(names)} inputs but {len(args)} positional arguments")
    values = dict(zip(names, args))
    values.update(named)
    missing = [n for n in names if n not in values]
    if missing:
        raise TypeError(f"missing input(s): {', '.join(missing)}")
    return _evaluate(self, values)
