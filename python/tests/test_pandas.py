"""pandas eval/query on the jitexpr engine, through jitexpr.pandas.register()."""

import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
import jitexpr.pandas  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def registered():
    return jitexpr.pandas.register()


def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=50),
            "b": rng.normal(size=50),
            "i": rng.integers(-5, 5, size=50),
            "f32": rng.normal(size=50).astype(np.float32),
        }
    )


def test_version_is_tested():
    major, minor = (int(x) for x in pd.__version__.split(".")[:2])
    assert (major, minor) in jitexpr.pandas.TESTED


def test_frame_eval():
    df = frame()
    got = df.eval("a * 2 + b", engine="jitexpr")
    pd.testing.assert_series_equal(got, df.eval("a * 2 + b", engine="python"))
    got = df.eval("c = a - b", engine="jitexpr")
    np.testing.assert_array_equal(got["c"], df["a"] - df["b"])


def test_frame_query():
    df = frame()
    got = df.query("a > 0 and i < 3", engine="jitexpr")
    pd.testing.assert_frame_equal(got, df[(df.a > 0) & (df.i < 3)])


def test_pd_eval_with_locals():
    df = frame()
    k = 3.0
    got = pd.eval("df.a * k + df.b", engine="jitexpr")
    pd.testing.assert_series_equal(got, df.a * k + df.b, check_names=False)


def test_float32_column():
    df = frame()
    got = df.eval("f32 * 2", engine="jitexpr")
    np.testing.assert_array_equal(got.to_numpy(), df["f32"].to_numpy() * 2)


def test_extension_dtypes_fall_back():
    df = pd.DataFrame({"x": pd.array([1, None, 3], dtype="Int64"), "y": [1.0, 2.0, 3.0]})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = df.eval("x + y", engine="jitexpr")
    assert any(issubclass(x.category, RuntimeWarning) for x in w)
    pd.testing.assert_series_equal(got, df.eval("x + y", engine="python"))


def test_unknown_column_is_an_error():
    df = frame()
    with pytest.raises(Exception):
        df.eval("zz + 1", engine="jitexpr")


def test_register_refuses_untested_versions(monkeypatch):
    monkeypatch.setattr(jitexpr.pandas, "TESTED", ())
    with pytest.raises(RuntimeError, match="tested"):
        jitexpr.pandas.register()
    assert jitexpr.pandas.register(force=True) is not None
