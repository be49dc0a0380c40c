"""jitexpr.dask: lazy dask.arrays on the synchronous and threaded schedulers and
on a real distributed.LocalCluster with 2 worker processes; results equal
jitexpr on the whole NumPy array."""

import numpy as np
import pytest

import jitexpr

da = pytest.importorskip("dask.array")
import dask  # noqa: E402
import jitexpr.dask as jd  # noqa: E402


def data():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(37, 23))
    b = rng.normal(size=(37, 23))
    return a, b


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_elementwise_odd_chunks(scheduler):
    a, b = data()
    x = da.from_array(a, chunks=(10, 7))
    y = da.from_array(b, chunks=(6, 23))  # other chunking: aligned by Dask
    r = jd.evaluate("2*a + sin(b)", a=x, b=y)
    assert isinstance(r, da.Array) and r.dtype == np.float64
    np.testing.assert_array_equal(r.compute(scheduler=scheduler), jitexpr.evaluate("2*a + sin(b)"))


def test_broadcasting_and_weak_scalars():
    a, b = data()
    x = da.from_array(a.astype(np.float32), chunks=(9, 5))
    row = da.from_array(b[0].astype(np.float32), chunks=4)
    r = jd.evaluate("a * k + row", a=x, row=row, k=2.5)
    assert r.dtype == np.float32
    expected = a.astype(np.float32) * np.float32(2.5) + b[0].astype(np.float32)
    np.testing.assert_array_equal(r.compute(scheduler="synchronous"), expected)


def test_empty_chunks():
    a = np.arange(10.0)
    x = da.from_array(a, chunks=((0, 4, 0, 6),))
    r = jd.evaluate("a * 2", a=x)
    np.testing.assert_array_equal(r.compute(scheduler="synchronous"), a * 2)
    s = jd.evaluate("sum(a * 2)", a=x)
    assert s.compute(scheduler="synchronous") == (a * 2).sum()


@pytest.mark.parametrize("op", ["sum", "prod", "min", "max", "any", "all"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_reductions(op, axis):
    a, b = data()
    a = a / 4 + 1  # products stay finite
    x = da.from_array(a, chunks=(8, 6))
    y = da.from_array(b, chunks=(5, 9))
    arg = "a * (b > 0)" if op not in ("any", "all") else "(a > 1) | (b > 1)"
    ex = f"{op}({arg})" if axis is None else f"{op}({arg}, axis={axis})"
    r = jd.evaluate(ex, a=x, b=y).compute(scheduler="threads")
    expected = jitexpr.evaluate(ex, local_dict={"a": a, "b": b})
    assert r.shape == expected.shape and r.dtype == expected.dtype
    np.testing.assert_allclose(r, expected, rtol=1e-13)


def test_staged_programs_are_not_split_yet():
    x = da.ones(10, chunks=3)
    with pytest.raises(NotImplementedError):
        jd.evaluate("e = exp(a - max(a)); e / sum(e)", a=x)


def test_errors_are_the_same_exceptions():
    x = da.ones(10, chunks=3)
    with pytest.raises(SyntaxError):
        jd.evaluate("a +", a=x)
    with pytest.raises(TypeError):
        jd.evaluate("a + 1", a=da.ones(3, dtype=np.uint8, chunks=2))
    y = da.ones(4, chunks=2)
    with pytest.raises(ValueError):
        jd.evaluate("a + b", a=x, b=y).compute(scheduler="synchronous")


def test_expression_dask_and_tokenize():
    ex = jitexpr.compile("a * 2 + 1", a=np.float64)
    x = da.arange(20.0, chunks=7)
    r = ex.dask(x)
    np.testing.assert_array_equal(r.compute(scheduler="synchronous"), np.arange(20.0) * 2 + 1)
    assert dask.base.tokenize(ex) == dask.base.tokenize(jitexpr.compile("a * 2 + 1", a=np.float64))


def test_local_cluster_two_processes():
    distributed = pytest.importorskip("distributed")
    a, b = data()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        x = da.from_array(a, chunks=(10, 10))
        y = da.from_array(b, chunks=(10, 10))
        r = client.compute(jd.evaluate("sqrt(a**2 + b**2)", a=x, b=y)).result()
        np.testing.assert_array_equal(r, jitexpr.evaluate("sqrt(a**2 + b**2)"))
        s = client.compute(jd.evaluate("sum(a * b, axis=0)", a=x, b=y)).result()
        np.testing.assert_allclose(s, jitexpr.evaluate("sum(a * b, axis=0)"), rtol=1e-13)
        with pytest.raises(ValueError):
            client.compute(jd.evaluate("a + b", a=x, b=da.ones(5, chunks=2))).result()
