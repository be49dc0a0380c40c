"""Thread control, numexpr's API: how many threads one evaluation uses.

The default comes from the environment — ``JITEXPR_NUM_THREADS``, then
``NUMEXPR_NUM_THREADS``, then ``OMP_NUM_THREADS`` (which Dask's nanny sets) —
else every logical CPU.
"""

import os

from ._jitexpr import detect_number_of_cores as _cores

__all__ = ["set_num_threads", "get_num_threads", "detect_number_of_cores"]

_ENV_VARS = ("JITEXPR_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS")


def detect_number_of_cores():
    """The number of logical CPUs of this machine."""
    return _cores()


def _from_env():
    for var in _ENV_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            try:
                n = int(value)
            except ValueError:
                continue
            if n >= 1:
                return n
    return detect_number_of_cores()


_num_threads = _from_env()


def set_num_threads(n):
    """Use ``n`` threads per evaluation (the calling thread included); returns the
    previous value."""
    global _num_threads
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of threads must be at least 1, not {n}")
    old, _num_threads = _num_threads, n
    return old


def get_num_threads():
    """The number of threads one evaluation uses."""
    return _num_threads
