"""Shared fixtures: every engine, and the layouts an input array can have."""

import numpy as np
import pytest

ENGINES = ("jit", "interp")


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def layouts(base):
    """`base` (a 2-d C array) as arrays of other layouts with other values:
    name -> array."""
    out = {
        "C": base,
        "F": np.asfortranarray(base),
        "strided": np.repeat(np.repeat(base, 2, axis=0), 3, axis=1)[::2, ::3],
        "reversed": base[::-1, ::-1].copy()[::-1, ::-1],
        "transposed": np.ascontiguousarray(base.T).T,
        "broadcast": np.broadcast_to(base[:1], base.shape),
        "0-d": np.asarray(base.flat[0]),
        "empty": base[:0],
    }
    return out
