"""jitexpr: a JIT-compiling array expression engine with NumPy 2 semantics.

A drop-in for numexpr's ``evaluate`` (``re_evaluate``, ``validate``, thread
control) that compiles each expression to fused native loops, reads NumPy
arrays of any layout in place, releases the GIL while it runs, and follows
NumPy's semantics (NEP 50 promotion, ``%`` and ``//`` of negatives, reductions
anywhere). ``compile()`` gives an :class:`Expression` to call many times.
See ``jitexpr.pandas.register()`` for the pandas ``eval``/``query`` engine.
"""

from ._core import Expression, compile, evaluate, re_evaluate, validate
from ._threads import detect_number_of_cores, get_num_threads, set_num_threads

__all__ = [
    "evaluate",
    "re_evaluate",
    "validate",
    "compile",
    "Expression",
    "set_num_threads",
    "get_num_threads",
    "detect_number_of_cores",
]

__version__ = "0.1.0"
