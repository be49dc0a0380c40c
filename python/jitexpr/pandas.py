"""A pandas ``eval``/``query`` engine: ``jitexpr.pandas.register()`` makes
``engine="jitexpr"`` work in ``pd.eval``, ``DataFrame.eval`` and
``DataFrame.query``, the way the numexpr engine does.

pandas has no public API to add an engine, so this is a shim: it adds a
subclass of pandas' internal ``AbstractEngine`` to the internal ``ENGINES``
dict, which ``pd.eval`` consults. It checks the pandas version against the
versions it was tested with (``TESTED``) and the internals it needs, and refuses
to register otherwise (``register(force=True)`` tries anyway).

Operands jitexpr cannot take (extension dtypes such as nullable ``Int64`` or
``category``, strings, objects, datetimes) make the expression fall back to
pandas' Python engine with a ``RuntimeWarning`` — the behaviour pandas gives the
numexpr engine for extension dtypes — so a result is never wrong.
"""

import warnings

import numpy as np

from ._core import evaluate

__all__ = ["register", "TESTED", "ENGINE_NAME"]

ENGINE_NAME = "jitexpr"
# pandas versions (major, minor) whose eval internals this shim was tested with.
TESTED = ((2, 2), (2, 3), (3, 0), (3, 1))

_SUPPORTED = frozenset(np.dtype(n) for n in ("bool", "int32", "int64", "float32", "float64"))


def _version():
    import pandas

    parts = pandas.__version__.split(".")
    return int(parts[0]), int(parts[1])


def _operands_supported(expr):
    """Whether every operand and the result have a dtype jitexpr takes."""
    terms = expr.terms
    types = [getattr(terms, "return_type", None)]
    types += list(getattr(terms, "operand_types", None) or ())
    for t in types:
        if t is None:
            continue
        try:
            dtype = np.dtype(t)
        except TypeError:
            return False  # an extension dtype
        if dtype not in _SUPPORTED:
            return False
    return True


def _engine_class():
    from pandas.core.computation.engines import AbstractEngine

    class JitexprEngine(AbstractEngine):
        """Evaluates the aligned expression with ``jitexpr.evaluate``."""

        has_neg_frac = True

        def evaluate(self):
            if not _operands_supported(self.expr):
                warnings.warn(
                    "jitexpr does not take some operand dtypes of this expression "
                    "(extension, string, object or datetime); pandas' python engine evaluates it",
                    RuntimeWarning,
                    stacklevel=6,
                )
                return self.expr()
            return super().evaluate()

        def _evaluate(self):
            source = self.convert()
            scope = self.expr.env.full_scope
            # No global_dict fallback to a frame: the scope pandas built is the
            # whole namespace, as numexpr gets it.
            return evaluate(source, local_dict=scope, global_dict={})

    return JitexprEngine


def register(force=False):
    """Add the ``"jitexpr"`` engine to pandas; returns the engine class.

    Raises ``RuntimeError`` on a pandas version not in ``TESTED`` (unless
    ``force``) or whose internals moved.
    """
    version = _version()
    if version not in TESTED and not force:
        raise RuntimeError(
            f"jitexpr.pandas was tested with pandas {', '.join('%d.%d' % v for v in TESTED)}, "
            f"not {version[0]}.{version[1]}; register(force=True) tries anyway"
        )
    try:
        from pandas.core.computation import engines
    except ImportError as e:
        raise RuntimeError(f"pandas' eval engines moved: {e}") from None
    if not isinstance(getattr(engines, "ENGINES", None), dict) or not hasattr(engines, "AbstractEngine"):
        raise RuntimeError("pandas' eval internals (ENGINES, AbstractEngine) are not where jitexpr.pandas expects")
    cls = engines.ENGINES.get(ENGINE_NAME)
    if cls is None:
        cls = _engine_class()
        engines.ENGINES[ENGINE_NAME] = cls
    return cls
