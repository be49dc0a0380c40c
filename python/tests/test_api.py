"""The Python API point by point: evaluate, compile/Expression, outputs,
weak scalars, errors, threads, pickling."""

import math
import pickle

import numpy as np
import pytest

import jitexpr


def test_issue_example():
    a = np.arange(5.0)
    np.testing.assert_array_equal(jitexpr.evaluate("2*a + sin(a)"), 2 * a + np.sin(a))


def test_names_from_locals_then_globals():
    a = np.arange(3.0)
    b = np.ones(3)
    assert jitexpr.evaluate("a + b").tolist() == [1.0, 2.0, 3.0]
    assert jitexpr.evaluate("a + G").tolist() == [10.0, 11.0, 12.0]


G = 10.0


GA = np.arange(3.0)


def test_repeated_calls_find_names_missing_from_the_dict_in_the_callers_globals():
    # The second and later calls take the hot path, which reads the caller's
    # globals only for names the dict lacks; it must see rebinding in both.
    global GA
    for k in range(3):
        GA = np.arange(3.0) + k
        a = np.full(3, float(k))
        assert jitexpr.evaluate("a * GA", local_dict={"a": a}).tolist() == (a * GA).tolist()
        assert jitexpr.evaluate("a * GA", {"a": a}, {"GA": GA + 1}).tolist() == (a * (GA + 1)).tolist()
        assert jitexpr.evaluate("a * GA", {"a": a, "GA": GA * 2}).tolist() == (a * GA * 2).tolist()


def test_local_and_global_dicts():
    r = jitexpr.evaluate("a * b", local_dict={"a": np.arange(3)}, global_dict={"a": 0, "b": 2})
    assert r.tolist() == [0, 2, 4]
    assert r.dtype == np.int64


def test_unknown_name_is_key_error():
    with pytest.raises(KeyError):
        jitexpr.evaluate("nosuchname + 1")


def test_constants_unless_shadowed():
    assert jitexpr.evaluate("pi", local_dict={}) == np.pi
    assert jitexpr.evaluate("pi", local_dict={"pi": 3}) == 3


def test_lists_and_scalars_through_asarray():
    assert jitexpr.evaluate("a + 1", local_dict={"a": [1, 2]}).tolist() == [2, 3]


def test_weak_scalars_nep50():
    a = np.arange(4, dtype=np.float32)
    x = 2.5
    assert jitexpr.evaluate("a * x").dtype == np.float32
    i = np.arange(4, dtype=np.int32)
    n = 3
    assert jitexpr.evaluate("i + n").dtype == np.int32
    # A NumPy scalar is strong, as in NumPy.
    s = np.float64(2.5)
    assert jitexpr.evaluate("a * s").dtype == np.float64
    # A 0-d array is strong too.
    z = np.asarray(2.5)
    assert jitexpr.evaluate("a * z").dtype == np.float64


def test_weak_scalar_values_do_not_collide_in_the_cache():
    a = np.ones(2)
    x = 0.0
    assert not np.signbit(jitexpr.evaluate("a * x")).any()
    x = -0.0
    assert np.signbit(jitexpr.evaluate("a * x")).all()
    x = 1
    assert jitexpr.evaluate("a * x").tolist() == [1.0, 1.0]
    x = True
    assert jitexpr.evaluate("a * x").tolist() == [1.0, 1.0]


def test_weak_int_out_of_range():
    a = np.ones(2)
    big = 2**70
    with pytest.raises(ValueError):
        jitexpr.evaluate("a * big")


def test_unsupported_dtype_names_it():
    a = np.arange(3, dtype=np.uint8)
    with pytest.raises(TypeError, match="uint8.*bool, int32, int64, float32, float64"):
        jitexpr.evaluate("a + 1")
    c = np.ones(2, dtype=complex)
    with pytest.raises(TypeError, match="complex128"):
        jitexpr.evaluate("c + 1")


def test_syntax_error_has_caret_and_position():
    a = np.ones(2)
    with pytest.raises(SyntaxError) as info:
        jitexpr.evaluate("2 * (a + ")
    e = info.value
    assert "^" in e.msg
    assert e.lineno == 1 and e.offset >= 1
    with pytest.raises(SyntaxError) as info:
        jitexpr.evaluate("a + 1\nb = a $ 2")
    assert info.value.lineno == 2


def test_error_kinds():
    a = np.ones(3)
    b = np.ones(4)
    i = np.ones(3, dtype=np.int64)
    with pytest.raises(ValueError, match="broadcast"):
        jitexpr.evaluate("a + b")
    with pytest.raises(ValueError):
        jitexpr.evaluate("sum(a, axis=3)")
    with pytest.raises(TypeError):
        jitexpr.evaluate("i << a")
    with pytest.raises(TypeError):
        jitexpr.evaluate("sin(a, a)")


def test_unknown_keyword_and_ignored_numexpr_keywords():
    a = np.ones(2)
    with pytest.raises(ValueError, match="bogus"):
        jitexpr.evaluate("a", bogus=1)
    r = jitexpr.evaluate("a / 2", optimization="aggressive", truediv=False, sanitize=True)
    assert r.tolist() == [0.5, 0.5]


def test_bad_options():
    a = np.ones(2)
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", order="X")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", casting="sometimes")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", engine="gpu")


def test_programs_and_named_outputs():
    a = np.arange(4.0)
    r = jitexpr.evaluate("t = a * 2; u = t + 1; u * t")
    np.testing.assert_array_equal(r, (a * 2 + 1) * (a * 2))
    t, u = jitexpr.evaluate("t = a * 2; u = t + 1; u * t", outputs=["t", "u"])
    np.testing.assert_array_equal(t, a * 2)
    np.testing.assert_array_equal(u, a * 2 + 1)
    ot, ou = np.empty(4), np.empty(4, dtype=np.float32)
    res = jitexpr.evaluate("t = a * 2; u = t + 1", out={"t": ot, "u": ou})
    assert res[0] is ot and res[1] is ou
    np.testing.assert_array_equal(ou, (a * 2 + 1).astype(np.float32))
    with pytest.raises(KeyError):
        jitexpr.evaluate("t = a * 2", outputs=["nope"])


def test_order_f():
    a = np.ones((3, 2))
    assert jitexpr.evaluate("a + 1", order="F").flags.f_contiguous


def test_compile_expression():
    ex = jitexpr.compile("2*a + b", a=np.float32, b="float32")
    assert ex.input_names == ("a", "b")
    assert ex.dtype == np.float32
    a = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(ex(a, a), 3 * a)
    np.testing.assert_array_equal(ex(b=a, a=a), 3 * a)
    np.testing.assert_array_equal(ex(a, b=a), 3 * a)
    # any shape after compiling
    m = np.ones((2, 3), dtype=np.float32)
    assert ex(m, m).shape == (2, 3)
    with pytest.raises(TypeError):
        ex(a)
    with pytest.raises(TypeError):
        ex(a, a, a)
    # a safe cast is taken, an unsafe one is refused
    ex64 = jitexpr.compile("a + 1", a=np.float64)
    assert ex64(np.arange(3, dtype=np.int32)).dtype == np.float64
    with pytest.raises(TypeError):
        ex(np.ones(3), np.ones(3))


def test_compile_examples_and_weak():
    a = np.arange(3, dtype=np.int32)
    ex = jitexpr.compile("a * k", a=a, k=2)
    assert ex.input_names == ("a",)
    assert ex.dtype == np.int32
    assert ex(a).tolist() == [0, 2, 4]
    with pytest.raises(TypeError, match="b"):
        jitexpr.compile("a + b", a=np.float64)
    with pytest.raises(KeyError):
        jitexpr.compile("a + 1", a=np.float64, zzz=np.float64)


def test_expression_outputs_and_out():
    ex = jitexpr.compile("t = a + 1; t * 2", a=np.float64)
    assert ex.output_names == ("t",)
    a = np.arange(3.0)
    (t,) = ex(a, outputs=["t"])
    np.testing.assert_array_equal(t, a + 1)
    o = np.empty(3)
    assert ex(a, out=o) is o
    np.testing.assert_array_equal(o, (a + 1) * 2)


@pytest.mark.parametrize("stage", ["tokens", "ast", "ir", "opt", "fused", "clif", "asm"])
def test_explain_stages(stage):
    ex = jitexpr.compile("2*a + sin(a)", a=np.float64)
    text = ex.explain(stage)
    assert isinstance(text, str) and text.strip()


def test_explain_unknown_stage():
    with pytest.raises(ValueError, match="stages"):
        jitexpr.compile("a", a=np.float64).explain("llvm")


def test_pickle_recompiles():
    ex = jitexpr.compile("a * k + b", a=np.float32, b=np.float32, k=1.5)
    ex2 = pickle.loads(pickle.dumps(ex))
    assert ex2 == ex and hash(ex2) == hash(ex)
    a = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(ex2(a, a), ex(a, a))
    assert ex.__dask_tokenize__() == ex2.__dask_tokenize__()
    assert jitexpr.compile("a", a=np.float64).__dask_tokenize__() != jitexpr.compile("a", a=np.float32).__dask_tokenize__()


def test_engine_keyword(engine):
    a = np.arange(5.0)
    np.testing.assert_array_equal(jitexpr.evaluate("a % 3 - a // 2", engine=engine), a % 3 - a // 2)
    ex = jitexpr.compile("sum(a)", a=np.float64, engine=engine)
    assert ex(a) == 10.0


def test_threads_api():
    n = jitexpr.detect_number_of_cores()
    assert n >= 1
    old = jitexpr.set_num_threads(1)
    try:
        assert jitexpr.get_num_threads() == 1
        assert jitexpr.evaluate("sum(a)", local_dict={"a": np.ones(100000)}) == 100000
    finally:
        assert jitexpr.set_num_threads(old) == 1
    with pytest.raises(ValueError):
        jitexpr.set_num_threads(0)


def test_threads_from_environment(monkeypatch):
    from jitexpr import _threads

    monkeypatch.setenv("JITEXPR_NUM_THREADS", "")
    monkeypatch.setenv("NUMEXPR_NUM_THREADS", "3")
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert _threads._from_env() == 3
    monkeypatch.setenv("JITEXPR_NUM_THREADS", "2")
    assert _threads._from_env() == 2
    monkeypatch.delenv("JITEXPR_NUM_THREADS")
    monkeypatch.delenv("NUMEXPR_NUM_THREADS")
    assert _threads._from_env() == 5


def test_non_native_and_unaligned_inputs():
    a = np.arange(6, dtype=">f8")
    np.testing.assert_array_equal(jitexpr.evaluate("a * 2"), np.arange(6) * 2.0)
    buf = np.zeros(8 * 6 + 1, dtype=np.uint8)
    u = buf[1:].view(np.float64)
    u[:] = np.arange(6)
    assert not u.flags.aligned
    np.testing.assert_array_equal(jitexpr.evaluate("u + 1"), np.arange(6) + 1.0)


def test_read_only_input():
    a = np.arange(4.0)
    a.flags.writeable = False
    np.testing.assert_array_equal(jitexpr.evaluate("a + 1"), a + 1)


def test_fast_math_is_opt_in_and_bounded():
    a = np.linspace(-3.0, 3.0, 1001)
    poly = "0.25*a**3 + 0.75*a**2 - 1.5*a - 2"
    # `a**3` through the C library's pow, correctly rounded as jitexpr's is: NumPy's own
    # `**` takes SVML's vector pow on AVX-512 CPUs, which is off by an ulp now and then.
    cube = np.array([math.pow(x, 3) for x in a])
    numpy_value = 0.25 * cube + 0.75 * a**2 - 1.5 * a - 2
    # The default is exact (numexpr's default, 'aggressive', is not): NumPy's bits.
    assert np.array_equal(jitexpr.evaluate(poly), numpy_value)
    assert np.array_equal(jitexpr.evaluate(poly, optimization="moderate"), numpy_value)
    fast = jitexpr.evaluate(poly, optimization="aggressive")
    assert np.array_equal(fast, jitexpr.evaluate(poly, math="fast"))
    # Every engine runs the same rewritten program.
    assert np.array_equal(fast, jitexpr.evaluate(poly, math="fast", engine="interp"))
    # Horner form: the absolute bound (4d+1)·u·Σ|c_k|·|a|^k, d = 3.
    scale = 0.25 * np.abs(a) ** 3 + 0.75 * a**2 + 1.5 * np.abs(a) + 2
    assert np.all(np.abs(fast - numpy_value) <= 13 * 2.0**-53 * scale)
    # A reciprocal: within 1 ulp of the division.
    exact = a / 3
    recip = jitexpr.evaluate("a / 3", math="fast")
    assert np.max(np.abs(recip - exact) / np.spacing(np.abs(exact) + 1e-300)) <= 1
    assert not np.array_equal(recip, exact)
    compiled = jitexpr.compile("a / 3", a=np.float64, math="fast")
    assert np.array_equal(compiled(a), recip)
    assert np.array_equal(pickle.loads(pickle.dumps(compiled))(a), recip)
    assert np.array_equal(jitexpr.compile("a / 3", a=np.float64)(a), exact)


def test_fast_math_options_are_checked():
    a = np.ones(2)
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", math="fastest")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", math="exact", optimization="aggressive")
    with pytest.raises(ValueError):
        jitexpr.evaluate("a", optimization="extreme")
    with pytest.raises(ValueError):
        jitexpr.compile("a", a=np.float64, math="sloppy")
