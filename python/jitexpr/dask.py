"""jitexpr on Dask arrays: ``jitexpr.dask.evaluate(ex, **arrays)`` and
``Expression.dask(...)`` return lazy ``dask.array``s.

How a program is split comes from the core (``Compiled.split``), not from
reading the text:

- elementwise programs map over blocks with ``da.blockwise`` (broadcasting and
  chunk alignment as Dask's own elementwise operations do them; ``dtype`` and
  ``meta`` from the compiled program, so Dask never calls the kernel on fake
  arrays to guess);
- a program whose result is one reduction of an elementwise argument
  (``sum(a*b, axis=0)``; sum, prod, min, max, any, all) runs through
  ``da.reduction``: jitexpr computes each block's partial result, NumPy combines
  the partials (so float sums may differ from the single-array result in the
  last bits, within the pairwise-summation bound);
- other programs (``mean``, or reductions that feed later work, as in softmax)
  raise ``NotImplementedError`` for now.

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


def _block(*blocks, expression):
    compiled = expression._compiled
    return compiled.eval(list(blocks), [None], [None], expression._engine, _task_threads())[0]


def _to_dask(value):
    import dask.array as da

    return value if isinstance(value, da.Array) else da.asarray(value)


def _evaluate(expression, arrays):
    import dask.array as da

    kind, op, red_axis = expression._compiled.split()
    names = expression.input_names
    args = [_to_dask(arrays[n]) for n in names]
    ndim = max((a.ndim for a in args), default=0)
    dtype = expression.dtype
    if kind == "elementwise":
        out_ind = tuple(range(ndim))[::-1]
        pairs = []
        for a in args:
            pairs += [a, tuple(range(a.ndim))[::-1]]
        return da.blockwise(
            _block,
            out_ind,
            *pairs,
            expression=expression,
            dtype=dtype,
            meta=np.empty((0,) * ndim, dtype=dtype),
            align_arrays=True,
        )
    if kind == "reduction" and op in _COMBINE:
        # One shape for every input, so each task gets aligned blocks
        # (blockwise unifies the chunks).
        shape = np.broadcast_shapes(*(a.shape for a in args))
        args = [da.broadcast_to(a, shape) for a in args]
        axis = tuple(range(len(shape))) if red_axis is None else (red_axis % len(shape),)
        combine = _COMBINE[op]
        return _reduction(args, axis, shape, combine, expression, red_axis, dtype)
    raise NotImplementedError(
        f"jitexpr.dask does not yet split {expression.source!r}: only elementwise programs and programs "
        "whose result is one sum/prod/min/max/any/all of an elementwise argument"
    )


def _reduction(args, axis, shape, combine, expression, red_axis, dtype):
    """da.reduction over several aligned inputs: the chunk function gets one
    block of each (through a blockwise of the partials), the aggregate step
    combines the partials with NumPy."""
    import dask.array as da

    ndim = len(shape)
    ind = tuple(range(ndim))
    pairs = []
    for a in args:
        pairs += [a, ind]
    partials = da.blockwise(
        _partial,
        ind,
        *pairs,
        expression=expression,
        ndim=ndim,
        red_axis=red_axis,
        dtype=dtype,
        meta=np.empty((0,) * ndim, dtype=dtype),
        adjust_chunks={d: 1 for d in axis},
    )
    return da.reduction(
        partials,
        chunk=lambda x, axis, keepdims: x,
        aggregate=lambda x, axis, keepdims: combine(x, axis=axis, keepdims=keepdims),
        axis=axis,
        dtype=dtype,
        meta=np.empty((0,) * (ndim - len(axis)), dtype=dtype),
        concatenate=True,
    )


def _partial(*blocks, expression, ndim, red_axis):
    result = _block(*blocks, expression=expression)
    if red_axis is None:
        return np.reshape(result, (1,) * ndim)
    return np.expand_dims(result, red_axis % ndim)


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
