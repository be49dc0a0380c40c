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


@pytest.fixture(scope="module")
def client():
    """A real LocalCluster with 2 worker processes, shared by this module's tests."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_local_cluster_two_processes(client):
    a, b = data()
    x = da.from_array(a, chunks=(10, 10))
    y = da.from_array(b, chunks=(10, 10))
    r = client.compute(jd.evaluate("sqrt(a**2 + b**2)", a=x, b=y)).result()
    np.testing.assert_array_equal(r, jitexpr.evaluate("sqrt(a**2 + b**2)"))
    s = client.compute(jd.evaluate("sum(a * b, axis=0)", a=x, b=y)).result()
    np.testing.assert_allclose(s, jitexpr.evaluate("sum(a * b, axis=0)"), rtol=1e-13)
    with pytest.raises(ValueError):
        client.compute(jd.evaluate("a + b", a=x, b=da.ones(5, chunks=2))).result()


# Programs with reductions feeding later work, and means: staged passes.
STAGED = [
    "e = exp(a - max(a)); e / sum(e)",
    "e = exp(a - max(a, axis=0)); e / sum(e, axis=0)",
    "(a - mean(a)) / sqrt(mean((a - mean(a))**2))",
    "sum(a * b - min(b, axis=0), axis=1) + mean(b)",
    "mean(a * b)",
    "mean(a + b, axis=0)",
    "mean(a, axis=-1)",
]


def used(ex, **arrays):
    return {n: v for n, v in arrays.items() if n in ex}


def check(r, ex, local):
    expected = jitexpr.evaluate(ex, local_dict=local)
    assert r.shape == expected.shape and r.dtype == expected.dtype
    # Partial sums combine in another order than one pass: the pairwise bound.
    np.testing.assert_allclose(r, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
@pytest.mark.parametrize("ex", STAGED)
def test_staged_programs(scheduler, ex):
    a, b = data()
    x = da.from_array(a, chunks=(8, 6))
    y = da.from_array(b, chunks=(5, 23))  # other chunking: aligned by Dask
    r = jd.evaluate(ex, **used(ex, a=x, b=y))
    assert isinstance(r, da.Array)
    check(r.compute(scheduler=scheduler), ex, {"a": a, "b": b})


def test_staged_programs_on_the_cluster(client):
    a, b = data()
    x = da.from_array(a, chunks=(11, 7))
    y = da.from_array(b, chunks=(6, 9))
    for ex in STAGED:
        check(client.compute(jd.evaluate(ex, **used(ex, a=x, b=y))).result(), ex, {"a": a, "b": b})
    with pytest.raises(ValueError):
        client.compute(jd.evaluate("a + b - max(b)", a=x, b=da.ones(5, chunks=2))).result()


@pytest.mark.parametrize(
    "dtype,ex",
    [(np.int32, "mean(i)"), (np.int64, "mean(i, axis=0)"), (np.float32, "mean(i)"), (np.float32, "mean(i, axis=1)"), (np.bool_, "mean(i)")],
)
def test_mean_dtypes_follow_numpy(dtype, ex):
    i = (np.arange(35 * 3).reshape(35, 3) % 7).astype(dtype)
    r = jd.evaluate(ex, i=da.from_array(i, chunks=(9, 2))).compute(scheduler="synchronous")
    axis = None if "axis" not in ex else int(ex.split("axis=")[1][0])
    expected = np.mean(i, axis=axis)
    assert r.dtype == expected.dtype == jitexpr.evaluate(ex, local_dict={"i": i}).dtype
    np.testing.assert_allclose(r, expected, rtol=1e-6 if dtype == np.float32 else 1e-13)


def test_staged_broadcasting_between_differently_chunked_arrays():
    a, b = data()
    row = b[0]
    ex = "e = exp(a * row - max(a * row, axis=0)); e / sum(e, axis=0)"
    r = jd.evaluate(ex, a=da.from_array(a, chunks=(7, 5)), row=da.from_array(row, chunks=9))
    check(r.compute(scheduler="threads"), ex, {"a": a, "row": row})


def test_staged_empty_chunks():
    a = np.arange(10.0) - 3
    x = da.from_array(a, chunks=((0, 4, 0, 6),))
    for ex in ["e = exp(a - max(a)); e / sum(e)", "min(a) + mean(a)", "max(a, axis=0)", "a - mean(a)"]:
        check(jd.evaluate(ex, a=x).compute(scheduler="synchronous"), ex, {"a": a})
    empty = da.from_array(np.empty(0), chunks=((0,),))
    with pytest.raises(ValueError):
        jd.evaluate("max(a)", a=empty).compute(scheduler="synchronous")
    assert np.isnan(jd.evaluate("mean(a)", a=empty).compute(scheduler="synchronous"))
