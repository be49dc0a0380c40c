"""What numexpr's own tests check, on jitexpr: out=, in-place, axis reductions,
zero-dim, irregular strides, 30 threads, validate/re_evaluate, name lookup.
numexpr itself is the reference where the two agree with NumPy."""

import threading

import numpy as np
import pytest

import jitexpr

ne = pytest.importorskip("numexpr")


def test_same_results_as_numexpr_where_numpy_agrees():
    a = np.linspace(-5, 5, 101)
    b = np.linspace(1, 3, 101)
    for ex in ["2*a + 3*b", "a*b - a/b", "sin(a)**2 + cos(a)**2", "where(a > 0, a, -a)", "sqrt(b) * exp(-a*a)"]:
        np.testing.assert_allclose(jitexpr.evaluate(ex), ne.evaluate(ex), rtol=1e-14, atol=1e-15)


def test_out_c_contiguous_is_written_in_place():
    a = np.arange(10.0)
    out = np.empty(10)
    r = jitexpr.evaluate("a * 2", out=out)
    assert r is out
    np.testing.assert_array_equal(out, a * 2)


def test_out_any_layout_and_casting():
    a = np.arange(12.0).reshape(3, 4)
    out = np.zeros((4, 3)).T  # Fortran
    jitexpr.evaluate("a + 1", out=out)
    np.testing.assert_array_equal(out, a + 1)
    strided = np.zeros((3, 8))[:, ::2]
    jitexpr.evaluate("a + 1", out=strided)
    np.testing.assert_array_equal(strided, a + 1)
    o32 = np.zeros((3, 4), dtype=np.float32)
    jitexpr.evaluate("a + 1", out=o32)  # same_kind: float64 -> float32 allowed
    np.testing.assert_array_equal(o32, (a + 1).astype(np.float32))
    oi = np.zeros((3, 4), dtype=np.int64)
    with pytest.raises(TypeError):
        jitexpr.evaluate("a + 1", out=oi)
    jitexpr.evaluate("a + 1", out=oi, casting="unsafe")
    np.testing.assert_array_equal(oi, (a + 1).astype(np.int64))
    with pytest.raises(TypeError):
        jitexpr.evaluate("a + 1", out=o32, casting="safe")
    # out broadcasts the result as numpy.copyto does; a too-small out fails
    big = np.zeros((2, 3, 4))
    jitexpr.evaluate("a + 1", out=big)
    np.testing.assert_array_equal(big, np.broadcast_to(a + 1, big.shape))
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + 1", out=np.zeros(3))


@pytest.mark.parametrize(
    "ex,numpy",
    [
        ("a + 1", lambda a: np.add(a, 1, out=a)),
        ("a * a", lambda a: np.multiply(a, a, out=a)),
        ("a - sum(a)", lambda a: np.subtract(a, a.sum(), out=a)),
    ],
)
def test_in_place_equals_numpy(ex, numpy, engine):
    a = np.arange(10.0)
    expected = numpy(a.copy())
    r = jitexpr.evaluate(ex, local_dict={"a": a}, out=a, engine=engine)
    assert r is a
    np.testing.assert_array_equal(a, expected)


def test_in_place_with_reversed_and_broadcast_views(engine):
    base = np.arange(10.0)
    rev = base[::-1]
    expected = base + rev  # NumPy buffers overlapping operands too
    jitexpr.evaluate("a + r", local_dict={"a": base, "r": rev}, out=base, engine=engine)
    np.testing.assert_array_equal(base, expected)
    m = np.arange(12.0).reshape(3, 4)
    row = m[0]
    expected = m + row
    jitexpr.evaluate("m + row", local_dict={"m": m, "row": row}, out=m, engine=engine)
    np.testing.assert_array_equal(m, expected)


def test_axis_reductions(engine):
    a = np.arange(24.0).reshape(2, 3, 4)
    for axis in (0, 1, 2, -1):
        np.testing.assert_allclose(
            jitexpr.evaluate(f"sum(a, axis={axis})", engine=engine), a.sum(axis=axis), rtol=1e-15
        )
        np.testing.assert_array_equal(jitexpr.evaluate(f"prod(a, axis={axis})", engine=engine), a.prod(axis=axis))
        np.testing.assert_array_equal(jitexpr.evaluate(f"max(a, axis={axis})", engine=engine), a.max(axis=axis))
    assert jitexpr.evaluate("sum(a)", engine=engine) == a.sum()
    # reductions anywhere (numexpr: only outermost)
    np.testing.assert_allclose(jitexpr.evaluate("a / sum(a) + min(a)", engine=engine), a / a.sum() + a.min())


def test_zero_dim(engine):
    a = np.asarray(3.0)
    r = jitexpr.evaluate("a * 2 + 1", engine=engine)
    assert r.shape == () and r == 7.0
    b = np.arange(3.0)
    np.testing.assert_array_equal(jitexpr.evaluate("a * b", engine=engine), a * b)
    out = np.empty(())
    jitexpr.evaluate("a + 1", out=out, engine=engine)
    assert out == 4.0


def test_irregular_strides(engine):
    a = np.arange(1000.0).reshape(10, 100)[::3, 7::11]
    b = np.arange(2000.0)[::-7][: a.size].reshape(a.shape)
    np.testing.assert_array_equal(jitexpr.evaluate("a * b - 1", engine=engine), a * b - 1)
    rec = np.zeros(20, dtype=[("x", "f8"), ("y", "i4"), ("z", "f4")])
    rec["x"] = np.arange(20)
    rec["z"] = 2
    x, z = rec["x"], rec["z"]
    np.testing.assert_array_equal(jitexpr.evaluate("x * z", engine=engine), x * z)


def test_thirty_threads():
    errors = []
    a = np.arange(200_000.0)

    def work(k):
        try:
            for _ in range(5):
                b = a + k
                r = jitexpr.evaluate("2*b + sum(b) / 1e6", local_dict={"b": b})
                np.testing.assert_allclose(r, 2 * b + b.sum() / 1e6, rtol=1e-12)
                ex = jitexpr.compile("x * k", x=np.float64, k=k)
                np.testing.assert_array_equal(ex(a), a * k)
        except Exception as e:  # reported on the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_validate_and_re_evaluate():
    a = np.arange(5.0)
    assert jitexpr.validate("a + 1") is None
    np.testing.assert_array_equal(jitexpr.re_evaluate(), a + 1)
    a = np.arange(5.0) * 10
    np.testing.assert_array_equal(jitexpr.re_evaluate(), a + 1)
    err = jitexpr.validate("a + ")
    assert isinstance(err, SyntaxError)
    err = jitexpr.validate("a + zz_unknown")
    assert isinstance(err, KeyError)


def test_re_evaluate_is_per_thread():
    a = np.ones(3)
    jitexpr.evaluate("a * 3")
    seen = []

    def other():
        b = np.ones(3)
        jitexpr.evaluate("b * 5", local_dict={"b": b})
        seen.append(jitexpr.re_evaluate(local_dict={"b": b}).tolist())

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [[5.0, 5.0, 5.0]]
    assert jitexpr.re_evaluate().tolist() == [3.0, 3.0, 3.0]


def test_lookup_in_nested_function_locals_first():
    a = np.ones(2)

    def inner():
        a = np.full(2, 7.0)  # noqa: F841 — looked up by name
        return jitexpr.evaluate("a + 1")

    assert inner().tolist() == [8.0, 8.0]


def test_numpy_semantics_where_numexpr_differs():
    a = np.array([-7, 7], dtype=np.int64)
    # `%` takes the sign of the divisor (NumPy), numexpr follows C
    np.testing.assert_array_equal(jitexpr.evaluate("a % 3"), a % 3)
    f = np.ones(3, dtype=np.float32)
    # float32 with a Python float stays float32 (NEP 50); numexpr gives float64
    assert jitexpr.evaluate("f * 2.5").dtype == np.float32
    assert ne.evaluate("f * 2.5").dtype == np.float64
