"""The repeated-call paths (`Expression.__call__` and a cached `evaluate`, served
by the Rust `Compiled.call`) give what the general path gives: each case runs
twice so the second call takes the hot path, and each way of leaving it (another
dtype, a subclass, a list, a constant, an `out` that cannot take the result in
place) still answers as NumPy does."""

import numpy as np
import pytest

import jitexpr


def twice(f):
    first = f()
    second = f()
    return first, second


def test_expression_repeated_and_out_is_returned():
    a, b = np.arange(4.0), np.ones(4)
    ex = jitexpr.compile("a + b", a=a, b=b)
    for r in twice(lambda: ex(a, b)):
        assert r.tolist() == [1.0, 2.0, 3.0, 4.0]
    out = np.empty(4)
    for r in twice(lambda: ex(a, b, out=out)):
        assert r is out
        assert out.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_expression_by_name_gives_what_positional_gives():
    a, b = np.arange(4.0), np.ones(4)
    ex = jitexpr.compile("a - b", a=a, b=b)
    for r in twice(lambda: ex(b=b, a=a)):
        assert r.tolist() == [-1.0, 0.0, 1.0, 2.0]
    out = np.empty(4)
    for r in twice(lambda: ex(b=b, a=a, out=out)):
        assert r is out
        assert out.tolist() == [-1.0, 0.0, 1.0, 2.0]
    one = jitexpr.compile("a * 2", a=a)
    assert one(a=a, out=out) is out and out.tolist() == [0.0, 2.0, 4.0, 6.0]
    # A missing, an unknown or a doubled name still raises as before.
    with pytest.raises(TypeError, match="missing input 'b'"):
        ex(a=a, c=b)
    with pytest.raises(TypeError, match="unexpected"):
        ex(a=a, b=b, c=b)
    with pytest.raises(TypeError, match="unexpected"):
        ex(a, a=a, b=b)
    with pytest.raises(TypeError):
        one(a=a, b=b)


def test_expression_leaves_the_hot_path_when_it_must():
    a, b = np.arange(4.0), np.ones(4)
    ex = jitexpr.compile("a + b", a=a, b=b)
    ex(a, b)
    # A safe cast (int32 -> float64), a list, a subclass, a non-native array.
    assert ex(np.arange(4, dtype=np.int32), b).tolist() == [1.0, 2.0, 3.0, 4.0]
    assert ex([0.0, 1.0, 2.0, 3.0], b).tolist() == [1.0, 2.0, 3.0, 4.0]
    m = np.ma.masked_array(a)
    assert ex(m, b).tolist() == [1.0, 2.0, 3.0, 4.0]
    assert ex(a.astype(">f8"), b).tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(TypeError):
        ex(np.arange(4, dtype=np.complex128), b)
    with pytest.raises(TypeError):
        ex(a)
    with pytest.raises(TypeError):
        ex(a, b, a)
    with pytest.raises(ValueError):
        ex(a, np.ones(3))
    # `out` of another dtype, shape or layout, or overlapping an input: NumPy's answer.
    out32 = np.empty(4, dtype=np.float32)
    assert ex(a, b, out=out32) is out32 and out32.tolist() == [1.0, 2.0, 3.0, 4.0]
    out2 = np.empty((2, 4))
    assert ex(a, b, out=out2) is out2 and out2.tolist() == [[1.0, 2.0, 3.0, 4.0]] * 2
    x = np.arange(4.0)
    assert ex(x[::-1], x, out=x) is x and x.tolist() == [3.0, 3.0, 3.0, 3.0]
    with pytest.raises(ValueError):
        ex(a, b, out=np.empty(4), engine="nope")
    with pytest.raises(TypeError):
        ex(a, b, out=np.empty(4, dtype=np.int64), casting="safe")


def test_evaluate_repeated_follows_dtypes_and_names():
    a, b = np.arange(4.0), np.ones(4)
    for r in twice(lambda: jitexpr.evaluate("a * b + 1", {"a": a, "b": b})):
        assert r.tolist() == [1.0, 2.0, 3.0, 4.0] and r.dtype == np.float64
    # Another dtype compiles another program, and the hot path follows it.
    ai = np.arange(4, dtype=np.int32)
    for r in twice(lambda: jitexpr.evaluate("a * b + 1", {"a": ai, "b": ai})):
        assert r.tolist() == [1, 2, 5, 10] and r.dtype == np.int32
    # A Python scalar is compiled in (the general path, every time).
    for r in twice(lambda: jitexpr.evaluate("a * b + 1", {"a": a, "b": 2.0})):
        assert r.tolist() == [1.0, 3.0, 5.0, 7.0]
    # A missing name is a KeyError.
    with pytest.raises(KeyError):
        jitexpr.evaluate("a * b + 1", {"a": a})


def test_evaluate_repeated_from_the_frame():
    a = np.arange(3.0)
    b = np.ones(3)
    for _ in range(2):
        assert jitexpr.evaluate("a - b").tolist() == [-1.0, 0.0, 1.0]
    for _ in range(2):
        b = np.full(3, 2, dtype=np.int32)  # the frame's new values, another dtype
        assert jitexpr.evaluate("a - b").tolist() == [-2.0, -1.0, 0.0]


def test_evaluate_repeated_with_constants_and_shadowing():
    a = np.arange(3.0)
    for r in twice(lambda: jitexpr.evaluate("a * pi", {"a": a})):
        np.testing.assert_array_equal(r, a * np.pi)
    # `pi` now an array: it is an input, not the constant.
    for r in twice(lambda: jitexpr.evaluate("a * pi", {"a": a, "pi": np.full(3, 2.0)})):
        assert r.tolist() == [0.0, 2.0, 4.0]
    for r in twice(lambda: jitexpr.evaluate("a * pi", {"a": a})):
        np.testing.assert_array_equal(r, a * np.pi)


def test_evaluate_repeated_out_and_re_evaluate():
    a = np.arange(3.0)
    out = np.empty(3)
    for r in twice(lambda: jitexpr.evaluate("a + 1", {"a": a}, out=out)):
        assert r is out and out.tolist() == [1.0, 2.0, 3.0]
    out[:] = 0
    assert jitexpr.re_evaluate({"a": a}) is out and out.tolist() == [1.0, 2.0, 3.0]
    # Overlapping `out`: buffered, NumPy's answer.
    x = np.arange(4.0)
    for _ in range(2):
        x[:] = np.arange(4.0)
        assert jitexpr.evaluate("y + x", {"x": x, "y": x[::-1]}, out=x) is x
        assert x.tolist() == [3.0, 3.0, 3.0, 3.0]
    # A repeated call without out after one with it: a new array, and re_evaluate follows.
    r = jitexpr.evaluate("a + 1", {"a": a})
    assert r is not out
    assert jitexpr.re_evaluate({"a": a}) is not out


def test_evaluate_repeated_options_still_checked():
    a = np.arange(3.0)
    jitexpr.evaluate("a + 2", {"a": a})
    jitexpr.evaluate("a + 2", {"a": a})
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + 2", {"a": a}, order="X")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + 2", {"a": a}, casting="bogus")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + 2", {"a": a}, engine="bogus")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a + 2", {"a": a}, bogus=1)
    assert jitexpr.evaluate("a + 2", {"a": a}, order="F").flags.f_contiguous
    assert jitexpr.evaluate("a + 2", {"a": a}, engine="interp").tolist() == [2.0, 3.0, 4.0]


def test_large_inputs_take_the_hot_path_too():
    n = 1 << 16  # above GIL_RELEASE_ELEMENTS
    a = np.arange(n, dtype=np.float64)
    ex = jitexpr.compile("a * 2", a=a)
    for r in twice(lambda: ex(a)):
        np.testing.assert_array_equal(r, a * 2)
