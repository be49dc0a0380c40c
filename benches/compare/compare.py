#!/usr/bin/env python3
"""jitexpr against NumPy, numexpr, Numba and hand-written Rust loops, in one run.

Run it through ``run.sh`` (which makes the virtual environment). Steps:

1. build ``jitexpr`` and ``native-roof`` (the hand-written loops) in release mode;
2. for every n, write seeded inputs a, b, c (uniform in [0.1, 1.1)) as .npy files
   that every engine reads, so all engines see the same numbers;
3. time every expression of the benchmark set (the list comes from ``native-roof
   list``) on every engine the same way: one warm-up, then K timed evaluations,
   median and min; outputs preallocated where the engine allows it;
4. check every engine's result against NumPy's and list any mismatch;
5. measure peak resident memory of one expression at n = 5e7, one process per
   engine (``ru_maxrss``), against the same command at n = 1;
6. the memory roof: the memory-bound expressions at n = 5e7 on jitexpr and on the
   hand-written loops, both with preallocated outputs, all threads; and the math
   functions' single-thread throughput, NumPy's SIMD ufuncs against jitexpr;
7. write results/RESULTS.md, results/*.png, results/raw/*.json, and the comparison
   section of README.md (between its ``compare:begin``/``compare:end`` markers).

Everything is recomputed on every run; nothing from an earlier run is read.
"""

import argparse
import ast
import datetime
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEED = 20260601
THREADS = os.cpu_count() or 1
# Sizes per dtype, timed evaluations per round and size (fewer where one evaluation
# takes long), then more until min_time seconds are spent (so a 200 us kernel gets
# ~150 samples a round, not 4, and one preempted call cannot move its median), and
# rounds: engines are interleaved, their order rotated every round. 5 rounds, 3 at
# sizes listed in rounds_at (a round at 1e7 takes minutes): with 3, one slow stretch
# of this shared machine decided a row's median at 1e6, where every engine takes
# about 0.1-0.3 ms and rows move by 30% from run to run.
FULL = {
    "sizes": {"float64": [10**3, 10**4, 10**5, 10**6, 10**7], "float32": [10**6, 10**7]},
    "repeat": {10**3: 40, 10**4: 20, 10**5: 10, 10**6: 4, 10**7: 2},
    "min_time": 0.03,
    "rounds": 5,
    "rounds_at": {10**7: 3},
}
QUICK = {"sizes": {"float64": [10**3, 10**4, 10**5], "float32": [10**4]},
         "repeat": {10**3: 10, 10**4: 5, 10**5: 3}, "min_time": 0.0, "rounds": 2}
# Expressions of the benchmark set that the hand-written loops do not cover.
EXTRA = [("mask", "((a*b - 4.1*a) > 2.5*b) & (c < 0.5)"), ("sumexp", "sum(exp(a - b))")]
RSS_N = 5 * 10**7
# The memory roof: memory-bound expressions at ROOF_N, jitexpr against hand-written loops.
ROOF_N = 5 * 10**7
ROOF_LABELS = ["add", "axpby", "fma", "norm3", "where", "dot"]
ROOF_REPEAT = 5
# Single-thread throughput of the math functions: NumPy's SIMD ufuncs against jitexpr,
# as (label, jitexpr expression, NumPy's `f(x, out)`); `a**2.3` is pow's general path.
FUNCS = [(name, f"{name}(a)", lambda x, out, f=getattr(np, name): f(x, out=out))
         for name in ["exp", "log", "tanh", "sin", "cos"]]
FUNCS.append(("a**2.3", "a**2.3", lambda x, out: np.power(x, 2.3, out=out)))
FUNC_N = 10**6
FUNC_REPEAT = 20
# The expression whose peak memory is measured: one input, many NumPy temporaries.
RSS_LABEL, RSS_EXPR = "poly", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2"
# Relative difference to NumPy's result above which a result is a mismatch. Math
# functions differ by a few ulp between libraries; sums by the order of additions;
# Numba evaluates float32 expressions with float64 literals in float64.
TOLERANCE = {"float64": {"elementwise": 1e-12, "reduction": 1e-10},
             "float32": {"elementwise": 1e-5, "reduction": 1e-3}}

# Column order of every table and chart: (key, label).
ENGINES = [
    ("numpy-alloc", "NumPy"),
    ("numpy", "NumPy out="),
    ("numexpr-1", "numexpr 1T"),
    ("numexpr-T", f"numexpr {THREADS}T"),
    ("numexpr-alloc", f"numexpr {THREADS}T alloc"),
    ("numba-1", "Numba 1T"),
    ("numba-T", f"Numba {THREADS}T"),
    ("numba-alloc", f"Numba {THREADS}T alloc"),
    ("jitexpr-interp", "jitexpr interp"),
    ("jitexpr-unfused", "jitexpr unfused 1T"),
    ("jitexpr-1", "jitexpr 1T"),
    ("jitexpr-T", f"jitexpr {THREADS}T"),
    ("jitexpr-fast-T", f"jitexpr fast {THREADS}T"),
    ("jitexpr-py", f"jitexpr Python {THREADS}T"),
    ("jitexpr-py-alloc", f"jitexpr Python {THREADS}T alloc"),
    ("native-1", "native Rust 1T"),
    ("native-T", f"native Rust {THREADS}T"),
]
# The other engines at their best (preallocated output, either thread count).
PEERS = ["numpy", "numpy-alloc", "numexpr-1", "numexpr-T", "numba-1", "numba-T"]
# The allocating variants: each engine returning a new array, as most user code does.
ALLOCATING = ["numpy-alloc", "numexpr-alloc", "numba-alloc", "jitexpr-py-alloc", "jitexpr-py"]
NAMES = dict(ENGINES)
HEADLINE = ["numpy", "numexpr-T", "numba-T", "jitexpr-1", "jitexpr-T", "jitexpr-fast-T", "native-T"]


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- building


def cargo_build(args, env=None):
    """Build with cargo; return the paths of the executables it produced."""
    cmd = ["cargo", "build", "--release", "--message-format=json-render-diagnostics", *args]
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    exes = []
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            exes.append(msg["executable"])
    return exes


def build(bindir):
    """Build jitexpr and the native roof, and copy them to `bindir` at once: a target
    directory shared with other checkouts (CARGO_TARGET_DIR) may be rebuilt meanwhile."""
    log("== building jitexpr and the native roof (release)")
    jitexpr = shutil.copy2(cargo_build(["--bin", "jitexpr"])[0], bindir / "jitexpr")
    env = dict(os.environ, RUSTFLAGS="-C target-cpu=native")
    manifest = HERE / "native" / "Cargo.toml"
    native = cargo_build(["--manifest-path", str(manifest), "--target-dir", str(HERE / "native" / "target")], env)[0]
    native = shutil.copy2(native, bindir / "native-roof")
    if subprocess.run([jitexpr, "bench", "--help"], stdout=subprocess.DEVNULL).returncode != 0:
        raise RuntimeError(f"{jitexpr} has no `bench` subcommand: was the shared target directory rebuilt "
                           "from another checkout while this one built? Run again.")
    return jitexpr, native


# ---------------------------------------------------------------- engines


def suite(native):
    """The benchmark set: [(label, expression)] from the native roof, its single source."""
    out = subprocess.run([native, "list"], check=True, stdout=subprocess.PIPE, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines()]


def reads(expr):
    return [v for v in "abc" if re.search(rf"\b{v}\b", expr)]


def is_reduction(expr):
    return expr.startswith("sum(")


def timeit(f, repeat, min_time=0.0):
    """One warm-up call, then `repeat` timed calls and more until `min_time` seconds are
    spent (at most 1e6 calls, as `jitexpr bench --min-time`): (list of seconds, the last result)."""
    result = f()
    times, spent = [], 0.0
    while len(times) < repeat or (spent < min_time and len(times) < 10**6):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
        spent += times[-1]
    return times, result


NUMPY_NAMES = {f: getattr(np, f) for f in ["sin", "cos", "exp", "log", "sqrt", "tanh", "where", "sum"]}
# The operators and functions whose NumPy ufunc takes `out=`, for the last step of an expression.
NUMPY_BINOPS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide",
                ast.Pow: "power", ast.BitAnd: "bitwise_and", ast.BitOr: "bitwise_or"}
NUMPY_CMPS = {ast.Gt: "greater", ast.Lt: "less", ast.GtE: "greater_equal", ast.LtE: "less_equal"}


def numpy_function(expr):
    """The expression as NumPy code, written as a user would: temporaries and all."""
    return eval("lambda a, b, c: " + expr, dict(NUMPY_NAMES))  # noqa: S307 (our own expressions)


def numpy_out_function(expr):
    """The expression as NumPy code whose last ufunc writes into `out` (the best a NumPy
    user can do without rewriting the expression), or None where the last step has no
    `out=` (`where`, `sum`)."""
    node = ast.parse(expr, mode="eval").body
    if isinstance(node, ast.BinOp) and type(node.op) in NUMPY_BINOPS:
        name, args = NUMPY_BINOPS[type(node.op)], [node.left, node.right]
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in NUMPY_CMPS:
        name, args = NUMPY_CMPS[type(node.ops[0])], [node.left, node.comparators[0]]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NUMPY_NAMES \
            and node.func.id not in ("where", "sum"):
        name, args = node.func.id, node.args
    else:
        return None
    src = f"lambda a, b, c, out: np.{name}({', '.join(ast.unparse(x) for x in args)}, out=out)"
    return eval(src, dict(NUMPY_NAMES, np=np))  # noqa: S307 (our own expressions)


class NumbaKernels:
    """One @njit(parallel=True) kernel per expression, dtype and output policy, compiled
    eagerly (the compile time is measured and reported, never timed with the evaluations)."""

    def __init__(self, numba):
        self.numba = numba
        self.kernels = {}
        self.compile_s = {}

        @numba.njit(inline="always")
        def where(cond, x, y):
            return x if cond else y

        self.names = {"prange": numba.prange, "where": where, "np": np}
        self.names.update({f: getattr(math, f) for f in ["sin", "cos", "exp", "log", "sqrt", "tanh"]})

    def kernel(self, label, expr, dtype="float64", out_dtype="float64", alloc=False):
        """`k(a, b, c, out)` writing into `out`, or with `alloc` `k(a, b, c)` returning a
        new array; reductions return a float64 scalar either way."""
        key = (label, dtype, alloc)
        if key in self.kernels:
            return self.kernels[key]
        body = re.sub(r"\b([abc])\b", r"\1[i]", expr)
        arg = f"{dtype}[::1]"
        out_t = "boolean" if out_dtype == "bool" else out_dtype
        if is_reduction(expr):
            src = f"def k(a, b, c):\n    s = 0.0\n    for i in prange(a.shape[0]):\n        s += {body[4:-1]}\n    return s\n"
            sig = f"float64({arg}, {arg}, {arg})"
        elif alloc:
            src = (f"def k(a, b, c):\n    out = np.empty(a.shape[0], dtype=np.{'bool_' if out_dtype == 'bool' else out_dtype})\n"
                   f"    for i in prange(out.shape[0]):\n        out[i] = {body}\n    return out\n")
            sig = f"{out_t}[::1]({arg}, {arg}, {arg})"
        else:
            src = f"def k(a, b, c, out):\n    for i in prange(out.shape[0]):\n        out[i] = {body}\n"
            sig = f"void({arg}, {arg}, {arg}, {out_t}[::1])"
        names = dict(self.names)
        exec(src, names)  # noqa: S102 (our own expressions)
        t = time.perf_counter()
        k = self.numba.njit(sig, parallel=True)(names["k"])
        if dtype == "float64" and not alloc:
            self.compile_s[label] = time.perf_counter() - t
        self.kernels[key] = k
        return k


def input_args(expr, inputs):
    return [arg for v in reads(expr) for arg in ("-i", f"{v}={inputs / (v + '.npy')}")]


def time_jitexpr(jitexpr, expr, n, inputs, outdir, label, repeat, math_mode="exact", check=True, min_time=0.0):
    """`jitexpr bench --json` for the timings; `jitexpr eval -o` for the result to check.
    Rows as {engine key: bench row}; the result is None without `check`."""
    cmd = [jitexpr, "bench", expr, "-n", str(n), *input_args(expr, inputs)]
    cmd += ["--repeat", str(repeat), "--min-time", str(min_time), "--threads", str(THREADS), "--json"]
    if math_mode != "exact":
        cmd += ["--math", math_mode]
    report = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    rows = {}
    for r in report["results"]:
        key = {"interp": "jitexpr-interp", "jit-unfused": "jitexpr-unfused"}.get(r["engine"])
        key = key or ("jitexpr-1" if r["threads"] == 1 else "jitexpr-T")
        rows[key] = r
    if THREADS == 1:
        rows["jitexpr-T"] = rows["jitexpr-1"]
    if not check:
        return rows, None, report
    out = outdir / f"{label}.npy"
    cmd = [jitexpr, "eval", expr, *input_args(expr, inputs), "-o", str(out)]
    if math_mode != "exact":
        cmd += ["--math", math_mode]
    subprocess.run(cmd, check=True)
    return rows, np.load(out), report


def time_native(native, inputs, outdir, repeat, min_time=0.0):
    threads = "1" if THREADS == 1 else f"1,{THREADS}"
    cmd = [native, "time", str(inputs), threads, f"{repeat}:{min_time}", str(outdir)]
    lines = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()
    rows = {}
    for line in lines:
        r = json.loads(line)
        rows[(r["label"], "native-1" if r["threads"] == 1 else "native-T")] = r
        if THREADS == 1:
            rows[(r["label"], "native-T")] = r
    return rows


# ---------------------------------------------------------------- timing run


def rel_diff(x, ref):
    x, ref = np.asarray(x, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if x.shape != ref.shape:
        return math.inf
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - ref) / np.maximum(np.abs(ref), np.finfo(np.float64).tiny)))


def make_inputs(n, directory, dtype="float64"):
    rng = np.random.default_rng([SEED, n])
    arrays = []
    for v in "abc":
        a = rng.random(n)
        a += 0.1
        a = a.astype(dtype, copy=False)
        np.save(directory / f"{v}.npy", a)
        arrays.append(a)
    return arrays


class Samples:
    """One engine on one expression: the median and the min of each round, so the report
    gives the median over rounds, the min, and the spread between rounds."""

    def __init__(self):
        self.rounds = []

    def add(self, times):
        """The timed evaluations of one round."""
        self.rounds.append((float(np.median(times)), float(min(times))))

    def add_summary(self, median, minimum):
        """A round measured elsewhere (a `jitexpr bench` or native run): its median and min."""
        self.rounds.append((median, minimum))

    def row(self):
        medians = [m for m, _ in self.rounds]
        med = float(np.median(medians))
        spread = (max(medians) - min(medians)) / med if len(medians) > 1 and med > 0 else 0.0
        return {"median_s": med, "min_s": min(m for _, m in self.rounds), "spread": spread,
                "round_medians_s": medians}


def python_engines(libs, numba_kernels, jitexpr_py, label, expr, dtype, arrays, ref):
    """The in-process engines for one expression: {key: (setup, call, result)} where
    `setup()` runs untimed before a round's calls (thread counts are global settings),
    `call()` is what is timed, and `result()` gives the value to check."""
    engines = {}
    named = {v: arrays["abc".index(v)] for v in reads(expr)}
    reduction = is_reduction(expr)
    nothing = lambda: None  # noqa: E731

    f_alloc = numpy_function(expr)
    engines["numpy-alloc"] = (nothing, lambda: f_alloc(*arrays), lambda: f_alloc(*arrays))
    f_out = None if reduction else numpy_out_function(expr)
    if f_out is not None:
        out = np.empty_like(ref)
        engines["numpy"] = (nothing, lambda: f_out(*arrays, out), lambda: out)
    else:  # no `out=` for the last step: NumPy's best is the expression as written
        engines["numpy"] = engines["numpy-alloc"]
    ne = libs.get("numexpr")
    if ne:
        for key, t in [("numexpr-1", 1), ("numexpr-T", THREADS)]:
            setup = lambda t=t: ne.set_num_threads(t)  # noqa: E731
            if reduction:
                engines[key] = (setup, lambda: ne.evaluate(expr, local_dict=named),
                                lambda: ne.evaluate(expr, local_dict=named))
                continue
            out = np.empty_like(ref)
            try:
                ne.evaluate(expr, local_dict=named, out=out)
            except (TypeError, ValueError) as e:  # numexpr's own result type differs from NumPy's
                log(f"   numexpr cannot write `{expr}` ({dtype}) into a {ref.dtype} out=: {e}")
                continue
            engines[key] = (setup, lambda out=out: ne.evaluate(expr, local_dict=named, out=out), lambda out=out: out)
        if not reduction:
            engines["numexpr-alloc"] = (lambda: ne.set_num_threads(THREADS), lambda: ne.evaluate(expr, local_dict=named),
                                        lambda: ne.evaluate(expr, local_dict=named))
    if numba_kernels:
        nb = numba_kernels.numba
        k = numba_kernels.kernel(label, expr, dtype, str(ref.dtype))
        for key, t in [("numba-1", 1), ("numba-T", THREADS)]:
            setup = lambda t=t: nb.set_num_threads(t)  # noqa: E731
            if reduction:
                engines[key] = (setup, lambda: k(*arrays), lambda: k(*arrays))
            else:
                out = np.empty_like(ref)
                engines[key] = (setup, lambda out=out: k(*arrays, out), lambda out=out: (k(*arrays, out), out)[1])
        if not reduction:
            ka = numba_kernels.kernel(label, expr, dtype, str(ref.dtype), alloc=True)
            engines["numba-alloc"] = (lambda: nb.set_num_threads(THREADS), lambda: ka(*arrays), lambda: ka(*arrays))
    if jitexpr_py:
        compiled = jitexpr_py.compile(expr, **named)
        setup = lambda: jitexpr_py.set_num_threads(THREADS)  # noqa: E731
        if reduction:
            engines["jitexpr-py"] = (setup, lambda: compiled(**named), lambda: compiled(**named))
        else:
            out = np.empty_like(ref)
            engines["jitexpr-py"] = (setup, lambda: compiled(out=out, **named), lambda: (compiled(out=out, **named), out)[1])
            engines["jitexpr-py-alloc"] = (setup, lambda: compiled(**named), lambda: compiled(**named))
    return engines


def run_timings(cfg, libs, jitexpr, native, tmp, jitexpr_py, fast):
    """Every engine on every expression, size and dtype, in interleaved rounds:
    {dtype: {n: {label: {engine: row}}}} and the correctness checks.

    Each round times every engine a few times on every expression; the order of the
    engines is rotated from round to round and expression to expression, so a noisy
    stretch of the machine lands on all of them and shows as spread, not as a win."""
    labels = suite(native) + EXTRA
    times, checks, jit_reports = {}, [], []
    numba_kernels = NumbaKernels(libs["numba"]) if libs.get("numba") else None
    min_time = cfg["min_time"]
    for dtype, sizes in cfg["sizes"].items():
        times[dtype] = {}
        for n in sizes:
            repeat = cfg["repeat"][n]
            rounds = rounds_of(cfg, n)
            log(f"== {dtype} n = {n:.0e}: {rounds} rounds of {repeat}")
            inputs = tmp / f"{dtype}-n{n}"
            outdir = inputs / "out"
            outdir.mkdir(parents=True)
            arrays = make_inputs(n, inputs, dtype)
            samples = {label: {} for label, _ in labels}
            results, engines = {}, {}
            for label, expr in labels:
                ref = np.asarray(numpy_function(expr)(*arrays))
                results[label] = {"ref": ref}
                engines[label] = python_engines(libs, numba_kernels, jitexpr_py, label, expr, dtype, arrays, ref)
            native_ok = dtype == "float64"
            for r in range(rounds):
                if native_ok and r % 2 == 0:
                    native_rows = time_native(native, inputs, outdir / "native", repeat, min_time)
                for i, (label, expr) in enumerate(labels):
                    keys = list(engines[label]) + ["jitexpr-cli"] + (["jitexpr-fast"] if fast else [])
                    shift = (r + i) % len(keys)
                    for key in keys[shift:] + keys[:shift]:
                        if key in ("jitexpr-cli", "jitexpr-fast"):
                            mode = "fast" if key == "jitexpr-fast" else "exact"
                            last = r == rounds - 1
                            rows, value, report = time_jitexpr(jitexpr, expr, n, inputs, outdir, f"{label}-{mode}",
                                                               repeat, mode, check=last, min_time=min_time)
                            if mode == "fast":
                                rows = {"jitexpr-fast-T": rows["jitexpr-T"]}
                            for k2, row in rows.items():
                                # One bench run gives a median and a min: both stand for the round.
                                samples[label].setdefault(k2, Samples()).add_summary(row["median_s"], row["min_s"])
                            if last:
                                jit_reports.append((mode, report))
                                results[label]["jitexpr-fast-T" if mode == "fast" else "jitexpr-T"] = value
                            continue
                        setup, call, _ = engines[label][key]
                        setup()
                        ts, _ = timeit(call, repeat, min_time)
                        samples[label].setdefault(key, Samples()).add(ts)
                if native_ok and r % 2 == 1:
                    native_rows = time_native(native, inputs, outdir / "native", repeat, min_time)
                if native_ok:
                    for label, _ in labels:
                        for key in ["native-1", "native-T"]:
                            if (label, key) in native_rows:
                                row = native_rows[(label, key)]
                                samples[label].setdefault(key, Samples()).add_summary(row["median_s"], row["min_s"])
            times[dtype][n] = {}
            for label, expr in labels:
                for key, (setup, _, result) in engines[label].items():
                    setup()
                    results[label][key] = np.asarray(result())
                if native_ok and (outdir / "native" / f"{label}.npy").exists():
                    results[label]["native-T"] = np.load(outdir / "native" / f"{label}.npy")
                ref = results[label].pop("ref")
                kind = "reduction" if is_reduction(expr) else "elementwise"
                tol = TOLERANCE[dtype][kind]
                for key, value in results[label].items():
                    if value is None:
                        continue
                    diff = rel_diff(value, ref)
                    # Fast math is checked against its own documented bounds by the tests, not here.
                    ok = diff <= tol or key == "jitexpr-fast-T"
                    checks.append({"dtype": dtype, "n": n, "label": label, "engine": key, "rel_diff": diff, "ok": ok})
                    if not ok:
                        log(f"   MISMATCH {label} {dtype} n={n} {NAMES[key]}: relative difference {diff:.3g} to NumPy")
                row = {key: s.row() for key, s in samples[label].items()}
                traffic = np.dtype(dtype).itemsize * n * len(reads(expr)) + ref.nbytes
                for r in row.values():
                    r["gbps"] = traffic / r["median_s"] / 1e9
                times[dtype][n][label] = row
                best = min(row, key=lambda k: row[k]["median_s"])
                log(f"   {label:9} NumPy {fmt_s(row['numpy-alloc']['median_s']):>9}   fastest: {NAMES[best]} "
                    f"{fmt_s(row[best]['median_s'])}")
            shutil.rmtree(inputs)
    compile_s = {"numba": dict(numba_kernels.compile_s) if numba_kernels else {}, "jitexpr": {}}
    max_ulp = {"exact": 0.0, "fast": 0.0}
    for mode, report in jit_reports:
        for r in report["results"]:
            max_ulp[mode] = max(max_ulp[mode], r["max_ulp_vs_interp"])
            if mode == "exact" and r["engine"] == "jit" and r["threads"] == 1:
                label = next(lbl for lbl, e in labels if e == report["expr"])
                compile_s["jitexpr"][label] = min(compile_s["jitexpr"].get(label, math.inf), r["compile_s"])
    return labels, times, checks, compile_s, max_ulp


# ---------------------------------------------------------------- peak memory


def rss_child(engine, n):
    """Runs in its own process: make the input, evaluate RSS_LABEL once with `engine`."""
    rng = np.random.default_rng([SEED, n])
    a = rng.random(n)
    a += 0.1
    if engine == "numpy":
        numpy_function(RSS_EXPR)(a, a, a)
    elif engine == "numexpr":
        import numexpr

        numexpr.set_num_threads(THREADS)
        numexpr.evaluate(RSS_EXPR, local_dict={"a": a}, out=np.empty_like(a))
    elif engine == "numba":
        import numba

        kernel = NumbaKernels(numba).kernel(RSS_LABEL, RSS_EXPR)
        numba.set_num_threads(THREADS)
        kernel(a, a, a, np.empty_like(a))


def peak_rss(native, cmd):
    """Peak resident set of `cmd` in bytes, started by `native-roof peak-rss`: a child
    of this (large) process would count this process's memory in its own peak."""
    return int(subprocess.run([native, "peak-rss", *cmd], check=True, stdout=subprocess.PIPE, text=True).stdout)


def run_memory(libs, jitexpr, native):
    expr = RSS_EXPR
    if dict(suite(native)).get(RSS_LABEL) != expr:
        raise RuntimeError(f"RSS_EXPR is not the benchmark set's `{RSS_LABEL}`")
    log(f"== peak memory: {expr} at n = {RSS_N:.0e}, one process per engine")
    me = [sys.executable, str(Path(__file__).resolve()), "--rss-child"]
    engines = [("numpy", lambda n: me + ["numpy", str(n)])]
    for lib in ["numexpr", "numba"]:
        if libs.get(lib):
            engines.append((f"{lib}-T", lambda n, lib=lib: me + [lib, str(n)]))
    # In memory (no streaming), as the other engines: the peak of evaluating once.
    jit = [jitexpr, "eval", expr, "--no-stream"]
    engines += [
        ("jitexpr-interp", lambda n: jit + ["-i", f"a=random({n}, 1)", "--engine", "interp"]),
        ("jitexpr-unfused", lambda n: jit + ["-i", f"a=random({n}, 1)", "--no-fuse", "--threads", "1"]),
        ("jitexpr-T", lambda n: jit + ["-i", f"a=random({n}, 1)"]),
        ("native-T", lambda n: [native, "once", RSS_LABEL, str(n), str(THREADS)]),
    ]
    rows = []
    for key, cmd in engines:
        base, peak = peak_rss(native, cmd(1)), peak_rss(native, cmd(RSS_N))
        rows.append({"engine": key, "peak_bytes": peak, "baseline_bytes": base})
        log(f"   {NAMES[key]:20} peak {peak / 1e6:8.0f} MB, {(peak - base) / (8 * RSS_N):.2f} arrays above baseline")
    return rows


def run_roof(jitexpr, native, tmp, rounds):
    """jitexpr and the hand-written loops on the memory-bound expressions at ROOF_N, in
    `rounds` interleaved rounds (which of the two runs first alternates):
    {label: {"jitexpr-T": row, "native-T": row}}, rows as in the timing run."""
    log(f"== memory roof: n = {ROOF_N:.0e}, {THREADS} threads, preallocated outputs, {rounds} rounds")
    inputs = tmp / "roof"
    outdir = inputs / "out"
    outdir.mkdir(parents=True)
    make_inputs(ROOF_N, inputs)
    labels = dict(suite(native))
    samples = {label: {"jitexpr-T": Samples(), "native-T": Samples()} for label in ROOF_LABELS}
    for r in range(rounds):
        for side in (["native", "jitexpr"] if r % 2 == 0 else ["jitexpr", "native"]):
            if side == "native":
                native_rows = time_native(native, inputs, outdir / "native", ROOF_REPEAT)
                for label in ROOF_LABELS:
                    row = native_rows[(label, "native-T")]
                    samples[label]["native-T"].add_summary(row["median_s"], row["min_s"])
                continue
            for label in ROOF_LABELS:
                jit_rows, _, _ = time_jitexpr(jitexpr, labels[label], ROOF_N, inputs, outdir, label, ROOF_REPEAT,
                                              check=False)
                row = jit_rows["jitexpr-T"]
                samples[label]["jitexpr-T"].add_summary(row["median_s"], row["min_s"])
    roof = {}
    for label in ROOF_LABELS:
        expr = labels[label]
        row = {key: s.row() for key, s in samples[label].items()}
        traffic = 8 * ROOF_N * (len(reads(expr)) + (0 if is_reduction(expr) else 1))
        for v in row.values():
            v["gbps"] = traffic / v["median_s"] / 1e9
        roof[label] = row
        ratio = row["native-T"]["median_s"] / row["jitexpr-T"]["median_s"]
        log(f"   {label:9} native {fmt_s(row['native-T']['median_s']):>9}   jitexpr "
            f"{fmt_s(row['jitexpr-T']['median_s']):>9}   {ratio:.2f} of the roof")
    shutil.rmtree(inputs)
    return roof


def run_functions(jitexpr, rounds):
    """ns per element of each of FUNCS on one thread at FUNC_N: NumPy `f(x, out=out)`
    (its AVX-512 SIMD loops where it has them) and `jitexpr bench` on one thread, in
    `rounds` interleaved rounds (which runs first alternates), median of the rounds."""
    log(f"== functions: n = {FUNC_N:.0e}, 1 thread, {rounds} rounds")
    rng = np.random.default_rng(SEED)
    x = rng.uniform(0.1, 1.1, FUNC_N)
    out = np.empty_like(x)
    samples = {name: {"numpy": Samples(), "jitexpr": Samples()} for name, _, _ in FUNCS}
    for r in range(rounds):
        for i, (name, expr, f) in enumerate(FUNCS):
            for side in (["numpy", "jitexpr"] if (r + i) % 2 == 0 else ["jitexpr", "numpy"]):
                if side == "numpy":
                    numpy_times, _ = timeit(lambda: f(x, out), FUNC_REPEAT)
                    samples[name]["numpy"].add(numpy_times)
                    continue
                cmd = [jitexpr, "bench", expr, "-n", str(FUNC_N), "--repeat", str(FUNC_REPEAT), "--threads", "1",
                       "--json"]
                report = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
                row = next(r for r in report["results"] if r["engine"] == "jit" and r["threads"] == 1)
                samples[name]["jitexpr"].add_summary(row["median_s"], row["min_s"])
    rows = {}
    for name, _, _ in FUNCS:
        numpy_s, jit_s = (samples[name][k].row()["median_s"] for k in ("numpy", "jitexpr"))
        rows[name] = {"numpy_ns": numpy_s / FUNC_N * 1e9, "jitexpr_ns": jit_s / FUNC_N * 1e9}
        log(f"   {name:6} NumPy {rows[name]['numpy_ns']:.2f} ns   jitexpr {rows[name]['jitexpr_ns']:.2f} ns")
    return rows


def functions_table(funcs):
    lines = ["| function | NumPy 1T | jitexpr 1T | jitexpr speedup |", "|---|---:|---:|---:|"]
    for name, r in funcs.items():
        lines.append(f"| `{name}` | {r['numpy_ns']:.2f} ns | {r['jitexpr_ns']:.2f} ns "
                     f"| {fmt_x(r['numpy_ns'] / r['jitexpr_ns'])} |")
    return "\n".join(lines)


def best_table(times, labels, sizes):
    """jitexpr on all threads (exact, and fast math where measured) against the fastest
    peer per expression and size: NumPy, numexpr and Numba, at either thread count."""
    fast = any("jitexpr-fast-T" in times[n][lbl] for n in sizes for lbl, _ in labels)
    cols = "best peer | jitexpr | ratio" + (" | fast | ratio" if fast else "")
    head = "| expression | " + " | ".join(f"{cols.replace('best peer', f'best peer, n = {n:.0e}')}" for n in sizes) + " |"
    lines = [head, "|---|" + ("---:|" * (5 if fast else 3)) * len(sizes)]
    for label, expr in labels:
        cells = []
        for n in sizes:
            row = times[n][label]
            peers = [e for e in PEERS if e in row]
            e = min(peers, key=lambda e: row[e]["median_s"])
            cell = f"{fmt_s(row[e]['median_s'])} ({NAMES[e]})"
            for key in ["jitexpr-T"] + (["jitexpr-fast-T"] if fast else []):
                jit = row.get(key)
                cell += f" | {fmt_s(jit['median_s']) if jit else 'n/a'} | "
                # The ratio of the medians, then of the minimums (each engine's fastest
                # sample in any round: interference from other work only adds time).
                cell += (f"{fmt_x(row[e]['median_s'] / jit['median_s'])} "
                         f"({fmt_x(row[e]['min_s'] / jit['min_s'])})") if jit else "n/a"
            cells.append(cell)
        lines.append(f"| `{expr}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def allocating_table(times, labels, n):
    """Every engine returning a new array (the allocation policy most user code has)."""
    engines = present({n: times[n]}, ALLOCATING)
    lines = ["| expression | " + " | ".join(NAMES[e] for e in engines) + " |", "|---|" + "---:|" * len(engines)]
    for label, expr in labels:
        row = times[n][label]
        lines.append(f"| `{expr}` | " + " | ".join(fmt_s(row[e]["median_s"]) if e in row else "n/a"
                                                  for e in engines) + " |")
    return "\n".join(lines)


def roof_table(roof, labels):
    exprs = dict(labels)
    lines = [
        f"| expression | native Rust {THREADS}T | jitexpr {THREADS}T | jitexpr GB/s | jitexpr / roof |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, row in roof.items():
        nat, jit = row["native-T"], row["jitexpr-T"]
        lines.append(f"| `{exprs[label]}` | {fmt_s(nat['median_s'])} | {fmt_s(jit['median_s'])} "
                     f"| {jit['gbps']:.1f} | {nat['median_s'] / jit['median_s']:.2f}× |")
    return "\n".join(lines)


# ---------------------------------------------------------------- reporting


def fmt_s(s):
    if s is None or not math.isfinite(s):
        return "-"
    for scale, unit in [(1e-6, "ns"), (1e-3, "µs"), (1, "ms")]:
        if s < scale:
            return f"{s / scale * 1e3:.3g} {unit}"
    return f"{s:.3g} s"


def fmt_x(x):
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×" if x < 100 else f"{x:.0f}×"


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        model = fields["Model name"].strip()
        # "AMD EPYC" alone does not say which generation: the family and model do
        # (family 25 model 17 is Zen 4, whose 512-bit operations take two passes;
        # family 26 is Zen 5), and cloud hosts change between runs.
        if "CPU family" in fields and "Model" in fields:
            model += f" (family {fields['CPU family'].strip()}, model {fields['Model'].strip()})"
    except (OSError, subprocess.CalledProcessError, KeyError):
        pass
    return model


def versions(libs):
    def cmd(*args):
        try:
            return subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    commit = cmd("git", "rev-parse", "--short", "HEAD")
    if cmd("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    v = {"Python": platform.python_version(), "NumPy": np.__version__, "Rust": cmd("rustc", "--version").removeprefix("rustc ")}
    for lib in ["numexpr", "numba"]:
        v[lib] = libs[lib].__version__ if libs.get(lib) else "not installed"
    if libs.get("numba"):
        try:
            v["numba"] += f" ({libs['numba'].threading_layer()} threading layer)"
        except ValueError:  # no parallel function has run
            pass
    v["jitexpr"] = commit
    return v


def speedup_table(times, labels, n, engines):
    head = "| expression | NumPy | " + " | ".join(NAMES[e] for e in engines) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(engines)]
    for label, expr in labels:
        row = times[n][label]
        base = row["numpy-alloc"]["median_s"]
        cells = [fmt_x(base / row[e]["median_s"]) if e in row else "n/a" for e in engines]
        lines.append(f"| `{expr}` | {fmt_s(base)} | " + " | ".join(cells) + " |")
    geo = []
    for e in engines:
        ratios = [times[n][lbl]["numpy-alloc"]["median_s"] / times[n][lbl][e]["median_s"] for lbl, _ in labels if e in times[n][lbl]]
        geo.append(fmt_x(math.exp(sum(map(math.log, ratios)) / len(ratios))) if ratios else "n/a")
    lines.append("| **geometric mean** | | " + " | ".join(geo) + " |")
    return "\n".join(lines)


def time_table(times, labels, n):
    engines = present(times, [e for e, _ in ENGINES])
    lines = ["| expression | " + " | ".join(NAMES[e] for e in engines) + " |", "|---|" + "---:|" * len(engines)]
    for label, expr in labels:
        row = times[n][label]
        fastest = min(row[e]["median_s"] for e in engines if e in row)
        cells = []
        for e in engines:
            if e not in row:
                cells.append("n/a")
                continue
            cell = fmt_s(row[e]["median_s"])
            cell = f"**{cell}**" if row[e]["median_s"] == fastest else cell
            cells.append(f"{cell} ±{100 * row[e].get('spread', 0):.0f}%")
        lines.append(f"| `{expr}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def memory_table(mem):
    lines = [
        "| engine | peak RSS | baseline (n = 1) | above baseline | in arrays of n float64 |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in mem:
        above = r["peak_bytes"] - r["baseline_bytes"]
        lines.append(
            f"| {NAMES[r['engine']]} | {r['peak_bytes'] / 1e6:.0f} MB | {r['baseline_bytes'] / 1e6:.0f} MB "
            f"| {above / 1e6:.0f} MB | {above / (8 * RSS_N):.2f} |"
        )
    return "\n".join(lines)


def compile_table(labels, compile_s):
    lines = ["| expression | jitexpr (parse → native code, cold) | Numba (`@njit(parallel=True)`, eager) |", "|---|---:|---:|"]
    for label, expr in labels:
        j, nb = compile_s["jitexpr"].get(label), compile_s["numba"].get(label)
        lines.append(f"| `{expr}` | {fmt_s(j)} | {fmt_s(nb)} |")
    return "\n".join(lines)


def check_summary(checks):
    worst = {}
    for c in checks:
        worst[c["engine"]] = max(worst.get(c["engine"], 0.0), c["rel_diff"])
    bad = [c for c in checks if not c["ok"]]
    lines = ["| engine | largest relative difference to NumPy (all expressions and sizes) |", "|---|---:|"]
    lines += [f"| {NAMES[e]} | {worst[e]:.2g} |" for e, _ in ENGINES if e in worst]
    if bad:
        lines.append("\n**Mismatches** (above the tolerance):\n")
        lines += [f"- `{c['label']}` n = {c['n']}, {NAMES[c['engine']]}: {c['rel_diff']:.3g}" for c in bad]
    else:
        lines.append("\nNo mismatches: every result is within the tolerance.")
    return "\n".join(lines)


def present(times, engines):
    """The engines that were measured (a library may be missing)."""
    return [e for e in engines if any(e in row for rows in times.values() for row in rows.values())]


def charts(times, labels, mem, outdir, plt):
    """speedup.png, throughput.png, memory.png; returns their file names."""
    from matplotlib import ticker

    names = []
    headline = present(times, HEADLINE)
    panels = [n for n in (10**5, 10**7) if n in times] or [max(times)]
    fig, axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 6.5), sharey=True, squeeze=False)
    ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    for ax, n in zip(axes[0], panels):
        y = np.arange(len(labels))
        h = 0.8 / len(headline)
        for k, e in enumerate(headline):
            vals = [times[n][lbl]["numpy-alloc"]["median_s"] / times[n][lbl][e]["median_s"] if e in times[n][lbl] else 0
                    for lbl, _ in labels]
            ax.barh(y + (k - (len(headline) - 1) / 2) * h, vals, height=h, label=NAMES[e])
        ax.axvline(1, color="black", linewidth=0.8)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_yticks(y, [expr for _, expr in labels], fontsize=8)
        ax.set_xlabel("speedup over NumPy (log scale)")
        ax.set_title(f"n = {n:.0e} float64")
        ax.grid(axis="x", which="both", alpha=0.3)
    axes[0][0].invert_yaxis()  # the axes share y: once for all, first expression on top
    axes[0][0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(outdir / "speedup.png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    names.append("speedup.png")

    lines = present(times, ["numpy", "numexpr-T", "numba-T", "jitexpr-interp", "jitexpr-1", "jitexpr-T", "native-T"])
    cols = 4
    rows = math.ceil(len(labels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), sharex=True, squeeze=False)
    sizes = sorted(times)
    for ax, (label, expr) in zip(axes.flat, labels):
        for e in lines:
            if e in times[sizes[0]][label]:
                width = 2.2 if e.startswith("jitexpr") else 1.2
                ax.plot(sizes, [n / times[n][label][e]["median_s"] for n in sizes], marker=".", label=NAMES[e],
                        linewidth=width)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_title(expr, fontsize=8)
        ax.grid(which="both", alpha=0.3)
    for ax in axes.flat[len(labels):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("elements / s")
    for ax in axes[-1]:
        ax.set_xlabel("n")
    handles, legend = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, legend, loc="lower center", ncol=len(lines), fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(outdir / "throughput.png", dpi=70)
    plt.close(fig)
    names.append("throughput.png")

    if mem:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        above = [(r["peak_bytes"] - r["baseline_bytes"]) / (8 * RSS_N) for r in mem]
        ax.barh([NAMES[r["engine"]] for r in mem], above, color="tab:blue")
        ax.axvline(2, color="black", linestyle="--", linewidth=0.8, label="input + output")
        ax.invert_yaxis()
        ax.set_xlabel(f"peak memory above the runtime's baseline, in arrays of n = {RSS_N:.0e} float64")
        ax.set_title(RSS_EXPR, fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(outdir / "memory.png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        names.append("memory.png")
    return names


def load_note(load):
    if load <= 0.5:
        return f"The machine was otherwise idle (load average {load:.2f}). "
    return (f"Other work was running (load average {load:.2f} at the start, {THREADS} cores), so the numbers, "
            "multi-threaded ones most, are noisier than on an idle machine. ")


def rounds_at(meta):
    """{n: rounds} for the sizes with their own count (keys are strings once read back from JSON)."""
    return {int(k): v for k, v in meta.get("rounds_at", {}).items()}


def rounds_of(meta, n):
    """The timing rounds at size `n` (`meta`: the run's config or its saved metadata)."""
    return rounds_at(meta).get(n, meta["rounds"])


def rounds_text(meta):
    """'5 rounds', or '5 rounds (3 at n = 1e+07)'."""
    at = rounds_at(meta)
    extra = ", ".join(f"{v} at n = {n:.0e}" for n, v in sorted(at.items()))
    return f"{meta['rounds']} rounds" + (f" ({extra})" if extra else "")


def write_reports(out, meta, labels, all_times, checks, compile_s, mem, roof, funcs, chart_names, update_readme):
    times = all_times["float64"]
    others = {dtype: t for dtype, t in all_times.items() if dtype != "float64"}
    big = max(times)
    md = [
        "# jitexpr compared with NumPy, numexpr, Numba and hand-written Rust",
        "",
        f"Measured {meta['date']} on {meta['cpu']}, {THREADS} threads, by `benches/compare/run.sh` "
        f"({meta['elapsed']:.0f} s). " + load_note(meta["load"]) + "Versions: "
        + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
        + ".",
        "",
        "Reproduce from a fresh clone: `benches/compare/run.sh` (needs python3 and cargo; it makes "
        "`benches/compare/.venv` from PyPI, builds in release mode and rewrites this file, the charts and "
        "the README section).",
        "",
        "**Method.** Inputs a, b, c are uniform in [0.1, 1.1), seeded, written once as .npy and read "
        "by every engine (float64, and float32 at the sizes of its section). Timing is interleaved: "
        f"{rounds_text(meta)}, each timing every engine on every expression with one warm-up and K "
        "evaluations (K = " + ", ".join(f"{k} at n = {n:.0e}" for n, k in meta["repeat"].items()) + ")"
        + (f", then more until {meta['min_time'] * 1e3:.0f} ms are spent (fast engines get hundreds of samples)"
           if meta.get("min_time") else "") + "; "
        "the order of the engines is rotated from round to round and expression to expression. Tables "
        "show the median over rounds and, as ±, the spread of the round medians (max − min over the "
        "median), so a noisy machine shows as spread rather than as a win; the tables against the fastest "
        "peer also give the ratio of the minimums (each engine's fastest sample). Every engine writes into a "
        "preallocated output where it can: *NumPy out=* passes `out=` to the last ufunc of the expression "
        "as written (`where` and `sum` have none, so there it is the expression as written); numexpr uses "
        "`out=` (not for `sum`); Numba runs an `@njit(parallel=True)` loop with `prange` into a "
        "preallocated output, compiled before timing (its compile time is below); jitexpr numbers come from "
        "`jitexpr bench --json` (kernels cached, output preallocated; `interp` evaluates one operation at a "
        "time like NumPy, `unfused` is the JIT with one kernel per operation, *fast* is `--math fast`) and, "
        "where the Python package is installed, from `jitexpr.compile(...)(..., out=out)` in this process. "
        "The allocating variants (each engine returning a new array) are reported in their own table. "
        "*native Rust* is the loop one would write by hand (`benches/compare/native`, rustc "
        "`-C target-cpu=native`, std math, rayon), the roof. *1T*/*" + f"{THREADS}T" + "* are thread counts. "
        "Every result is checked against NumPy's (fast math against its documented bounds, in the tests).",
        "",
        f"## Speedup over NumPy, n = {big:.0e}",
        "",
        speedup_table(times, labels, big, present(times, HEADLINE)),
        "",
    ]
    md += [f"![{c}]({c})\n" for c in chart_names]
    md += ["## Median time per evaluation", ""]
    for n in sorted(times):
        md += [f"### n = {n:.0e}", "", time_table(times, labels, n), ""]
    md += ["## Compile time", "", compile_table(labels, compile_s), ""]
    if mem:
        md += [
            f"## Peak memory, `{RSS_EXPR}` at n = {RSS_N:.0e}",
            "",
            "Each engine in its own process; peak resident set (`ru_maxrss`) of the run at n = 5e7, and of "
            "the same command at n = 1 (the runtime's own baseline: interpreter, libraries, code). The input "
            "and the output are 2 arrays; everything above is temporaries.",
            "",
            memory_table(mem),
            "",
        ]
    best_sizes = [n for n in (10**6, 10**7) if n in times]
    if best_sizes:
        md += [
            "## Against the fastest other engine",
            "",
            f"jitexpr on {THREADS} threads against the fastest of NumPy (with or without `out=`), numexpr "
            f"and Numba at 1 or {THREADS} threads, for each expression and size (ratio > 1: jitexpr is faster). "
            "The ratio is of the medians over rounds and, in parentheses, of the minimums (each engine's "
            "fastest sample in any round, which interference from other work can only make slower).",
            "",
            best_table(times, labels, best_sizes),
            "",
        ]
    for n in [n for n in (10**6, 10**7) if n in times]:
        md += [f"## Allocating variants, n = {n:.0e}", "", "Each engine returning a new array; *jitexpr Python* "
               "with `out=` for reference.", "", allocating_table(times, labels, n), ""]
    for dtype, t in others.items():
        sizes = sorted(t)
        md += [f"## {dtype}", "", f"The same set on {dtype} inputs. Against the fastest peer:", "",
               best_table(t, labels, sizes), ""]
        for n in sizes:
            md += [f"### {dtype}, n = {n:.0e}", "", time_table(t, labels, n), ""]
    if funcs:
        md += [
            f"## Math functions, one thread, n = {FUNC_N:.0e}",
            "",
            "ns per float64 element: NumPy's ufunc into a preallocated output (its AVX-512 loops where it has "
            "them: exp, log, tanh; sin and cos run scalar code) against `jitexpr bench` on one thread; "
            f"median of {meta['rounds']} interleaved rounds of {FUNC_REPEAT}.",
            "",
            functions_table(funcs),
            "",
        ]
    if roof:
        md += [
            f"## Memory roof, n = {ROOF_N:.0e}",
            "",
            "The memory-bound expressions against the hand-written loop of each (the roof), both writing "
            f"into a preallocated output on {THREADS} threads; median of {meta['rounds']} interleaved rounds of "
            f"{ROOF_REPEAT}. GB/s counts compulsory "
            "traffic (inputs read once, the output written once).",
            "",
            roof_table(roof, labels),
            "",
        ]
    md += ["## Correctness", "", f"Tolerance: relative difference " + "; ".join(
               f"{d} {t['elementwise']:g} elementwise, {t['reduction']:g} for sums" for d, t in TOLERANCE.items())
           + " (the order of additions differs; Numba computes float32 expressions with float64 literals in "
           "float64). jitexpr's result is "
           "checked with `jitexpr eval`; `jitexpr bench` compares every JIT row with jitexpr's interpreter: "
           f"they differ by at most {meta['max_ulp']['exact']:g} ulp in exact mode"
           + (f" and {meta['max_ulp']['fast']:g} ulp in fast mode." if meta.get("fast") else "."), "", check_summary(checks), ""]
    if meta["missing"]:
        md += ["## Missing", "", "Could not be imported, so left out: " + ", ".join(meta["missing"]) + ".", ""]
    (out / "RESULTS.md").write_text("\n".join(md))

    if update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
        if begin in text and end in text:
            rel = out.relative_to(ROOT)
            snippet = [
                begin,
                f"Measured {meta['date']} on {meta['cpu']} with {THREADS} threads (`benches/compare/run.sh`; "
                f"full tables, compile times and method in [{rel}/RESULTS.md]({rel}/RESULTS.md)). "
                + load_note(meta["load"])
                + f"Speedup over NumPy as written at n = {big:.0e} float64, median of {rounds_of(meta, big)} interleaved rounds:",
                "",
                speedup_table(times, labels, big, present(times, HEADLINE)),
                "",
            ]
            if mem:
                snippet += [f"Peak memory for `{RSS_EXPR}` at n = {RSS_N:.0e} (input and output "
                            "are 2 arrays of 400 MB):", "", memory_table(mem), ""]
            best_sizes = [n for n in (10**6, 10**7) if n in times]
            if best_sizes:
                snippet += [f"Against the fastest of NumPy, numexpr and Numba at either thread count, "
                            "preallocated outputs, per expression (ratio > 1: jitexpr is faster; of the medians, "
                            "and in parentheses of the minimums):", "",
                            best_table(times, labels, best_sizes), ""]
            for dtype, t in others.items():
                snippet += [f"The same on {dtype}:", "", best_table(t, labels, sorted(t)), ""]
            if funcs:
                snippet += [f"Math functions on one thread, ns per element at n = {FUNC_N:.0e}:", "",
                            functions_table(funcs), ""]
            if roof:
                snippet += [f"Memory roof at n = {ROOF_N:.0e}: memory-bound expressions against the "
                            "hand-written loop, preallocated outputs:", "", roof_table(roof, labels), ""]
            snippet += [f"![{c}]({rel}/{c})\n" for c in chart_names]
            snippet.append(end)
            head, rest = text.split(begin, 1)
            readme.write_text(head + "\n".join(snippet) + rest.split(end, 1)[1])
            log(f"== updated the comparison section of {readme}")


# ---------------------------------------------------------------- main


def report_only():
    """Rewrite the reports from the last full run's raw data."""
    dump = json.loads((HERE / "results" / "raw" / "timings.json").read_text())
    libs, _ = import_libs()
    meta = dump["meta"]
    meta["repeat"] = {int(n): k for n, k in meta["repeat"].items()}
    labels = [tuple(x) for x in dump["suite"]]
    times = {dtype: {int(n): v for n, v in t.items()} for dtype, t in dump["timings"].items()}
    out = HERE / "results"
    chart_names = charts(times["float64"], labels, dump["memory"], out, libs["plt"]) if libs.get("plt") else []
    write_reports(out, meta, labels, times, dump["checks"], dump["compile_s"], dump["memory"], dump.get("roof", {}),
                  dump.get("functions", {}), chart_names, True)
    return 0


def import_libs():
    libs, missing = {}, []
    for name in ["numexpr", "numba", "matplotlib", "jitexpr"]:
        try:
            libs[name] = __import__(name)
        except ImportError as e:
            missing.append(f"{name} ({e})")
            log(f"warning: {name} is not available: {e}")
    if libs.get("matplotlib"):
        libs["matplotlib"].use("Agg")
        import matplotlib.pyplot as plt

        libs["plt"] = plt
    return libs, missing


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes, no memory run; writes results/raw/quick/")
    p.add_argument("--report-only", action="store_true",
                   help="measure nothing: rewrite RESULTS.md, the charts and README from results/raw/timings.json")
    p.add_argument("--rss-child", nargs=2, metavar=("ENGINE", "N"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.rss_child:
        return rss_child(args.rss_child[0], int(args.rss_child[1]))
    if args.report_only:
        return report_only()

    start = time.time()
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"warning: load average {load:.2f}; other work on this machine skews the numbers")
    cfg = QUICK if args.quick else FULL
    out = HERE / "results" / ("raw/quick" if args.quick else "")
    raw = HERE / "results" / "raw"
    out.mkdir(parents=True, exist_ok=True)
    raw.mkdir(parents=True, exist_ok=True)
    libs, missing = import_libs()
    # Before any report is rewritten: the tree measured, not the one with its new results.
    measured = versions(libs)
    with tempfile.TemporaryDirectory(prefix="jitexpr-compare-") as tmp:
        jitexpr, native = build(Path(tmp))
        fast = "--math" in subprocess.run([jitexpr, "bench", "--help"], stdout=subprocess.PIPE, text=True).stdout
        if not fast:
            log("warning: this jitexpr has no --math flag; no fast-math column")
        labels, times, checks, compile_s, max_ulp = run_timings(cfg, libs, jitexpr, native, Path(tmp),
                                                                libs.get("jitexpr"), fast)
        # Saved at once, so a failure in a later step does not lose the timings.
        (raw / ("quick-timings.json" if args.quick else "timings-only.json")).write_text(
            json.dumps({"suite": labels, "checks": checks, "compile_s": compile_s, "max_ulp": max_ulp,
                        "timings": {d: {str(n): v for n, v in t.items()} for d, t in times.items()}}, default=str))
        mem = [] if args.quick else run_memory(libs, jitexpr, native)
        roof = {} if args.quick else run_roof(jitexpr, native, Path(tmp), cfg["rounds"])
        funcs = {} if args.quick else run_functions(jitexpr, cfg["rounds"])
    chart_names = charts(times["float64"], labels, mem, out, libs["plt"]) if libs.get("plt") else []
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": machine(),
        "load": load,
        "versions": measured,
        "repeat": cfg["repeat"],
        "min_time": cfg["min_time"],
        "rounds": cfg["rounds"],
        "rounds_at": cfg.get("rounds_at", {}),
        "fast": fast,
        "missing": missing,
        "max_ulp": max_ulp,
        "elapsed": time.time() - start,
    }
    dump = {"meta": meta, "threads": THREADS, "suite": labels, "compile_s": compile_s, "memory": mem, "roof": roof,
            "functions": funcs, "checks": checks,
            "timings": {dtype: {str(n): v for n, v in t.items()} for dtype, t in times.items()}}
    (raw / ("quick.json" if args.quick else "timings.json")).write_text(json.dumps(dump, indent=1, default=str))
    write_reports(out, meta, labels, times, checks, compile_s, mem, roof, funcs, chart_names,
                  update_readme=not args.quick)
    bad = sum(not c["ok"] for c in checks)
    log(f"== wrote {out / 'RESULTS.md'} in {time.time() - start:.0f} s; {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
