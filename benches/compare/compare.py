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
# Timed evaluations per size: fewer where one evaluation takes long.
FULL = {"sizes": [10**3, 10**4, 10**5, 10**6, 10**7], "repeat": {10**3: 200, 10**4: 100, 10**5: 30, 10**6: 10, 10**7: 5}}
QUICK = {"sizes": [10**3, 10**4, 10**5], "repeat": {10**3: 20, 10**4: 10, 10**5: 5}}
RSS_N = 5 * 10**7
# The memory roof: memory-bound expressions at ROOF_N, jitexpr against hand-written loops.
ROOF_N = 5 * 10**7
ROOF_LABELS = ["add", "axpby", "fma", "norm3", "where", "dot"]
ROOF_REPEAT = 5
# Single-thread throughput of the math functions: NumPy's SIMD ufuncs against jitexpr.
FUNCS = ["exp", "log", "tanh", "sin", "cos"]
FUNC_N = 10**6
FUNC_REPEAT = 20
# The expression whose peak memory is measured: one input, many NumPy temporaries.
RSS_LABEL, RSS_EXPR = "poly", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2"
# Relative difference to NumPy's result above which a result is a mismatch. Math
# functions differ by a few ulp between libraries; sums by the order of additions.
TOLERANCE = {"elementwise": 1e-12, "reduction": 1e-10}

# Column order of every table and chart: (key, label).
ENGINES = [
    ("numpy", "NumPy"),
    ("numexpr-1", "numexpr 1T"),
    ("numexpr-T", f"numexpr {THREADS}T"),
    ("numba-1", "Numba 1T"),
    ("numba-T", f"Numba {THREADS}T"),
    ("jitexpr-interp", "jitexpr interp"),
    ("jitexpr-unfused", "jitexpr unfused 1T"),
    ("jitexpr-1", "jitexpr 1T"),
    ("jitexpr-T", f"jitexpr {THREADS}T"),
    ("native-1", "native Rust 1T"),
    ("native-T", f"native Rust {THREADS}T"),
]
NAMES = dict(ENGINES)
HEADLINE = ["numexpr-T", "numba-T", "jitexpr-1", "jitexpr-T", "native-T"]


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


def timeit(f, repeat):
    """One warm-up call, then `repeat` timed calls: (median, min) seconds and the last result."""
    result = f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), float(min(times)), result


NUMPY_NAMES = {f: getattr(np, f) for f in ["sin", "cos", "exp", "log", "sqrt", "tanh", "where", "sum"]}


def numpy_function(expr):
    """The expression as NumPy code, written as a user would: temporaries and all."""
    return eval("lambda a, b, c: " + expr, dict(NUMPY_NAMES))  # noqa: S307 (our own expressions)


def time_numpy(expr, arrays, repeat):
    f = numpy_function(expr)
    med, mn, out = timeit(lambda: f(*arrays), repeat)
    return {"median_s": med, "min_s": mn}, np.asarray(out)


def time_numexpr(ne, expr, arrays, repeat, threads):
    ne.set_num_threads(threads)
    local = dict(zip("abc", arrays))
    if is_reduction(expr):
        # numexpr reductions return a new 0-d array; `out=` is for elementwise results.
        f = lambda: ne.evaluate(expr, local_dict=local)  # noqa: E731
    else:
        out = np.empty_like(arrays[0])
        f = lambda: ne.evaluate(expr, local_dict=local, out=out)  # noqa: E731
    med, mn, result = timeit(f, repeat)
    return {"median_s": med, "min_s": mn}, np.asarray(result)


class NumbaKernels:
    """One @njit(parallel=True) kernel per expression, compiled eagerly (the compile
    time is measured and reported, never timed with the evaluations)."""

    def __init__(self, numba):
        self.numba = numba
        self.kernels = {}
        self.compile_s = {}

        @numba.njit(inline="always")
        def where(cond, x, y):
            return x if cond else y

        self.names = {"prange": numba.prange, "where": where}
        self.names.update({f: getattr(math, f) for f in ["sin", "cos", "exp", "log", "sqrt", "tanh"]})

    def kernel(self, label, expr):
        if label in self.kernels:
            return self.kernels[label]
        body = re.sub(r"\b([abc])\b", r"\1[i]", expr)
        if is_reduction(expr):
            src = f"def k(a, b, c):\n    s = 0.0\n    for i in prange(a.shape[0]):\n        s += {body[4:-1]}\n    return s\n"
            sig = "float64(float64[::1], float64[::1], float64[::1])"
        else:
            src = f"def k(a, b, c, out):\n    for i in prange(out.shape[0]):\n        out[i] = {body}\n"
            sig = "void(float64[::1], float64[::1], float64[::1], float64[::1])"
        names = dict(self.names)
        exec(src, names)  # noqa: S102 (our own expressions)
        t = time.perf_counter()
        k = self.numba.njit(sig, parallel=True)(names["k"])
        self.compile_s[label] = time.perf_counter() - t
        self.kernels[label] = k
        return k

    def time(self, label, expr, arrays, repeat, threads):
        k = self.kernel(label, expr)
        self.numba.set_num_threads(threads)
        if is_reduction(expr):
            f = lambda: k(*arrays)  # noqa: E731
        else:
            out = np.empty_like(arrays[0])
            f = lambda: (k(*arrays, out), out)[1]  # noqa: E731
        med, mn, result = timeit(f, repeat)
        return {"median_s": med, "min_s": mn}, np.asarray(result)


def input_args(expr, inputs):
    return [arg for v in reads(expr) for arg in ("-i", f"{v}={inputs / (v + '.npy')}")]


def time_jitexpr(jitexpr, expr, n, inputs, outdir, label, repeat):
    """`jitexpr bench --json` for the timings; `jitexpr eval -o` for the result to check."""
    cmd = [jitexpr, "bench", expr, "-n", str(n), *input_args(expr, inputs)]
    cmd += ["--repeat", str(repeat), "--threads", str(THREADS), "--json"]
    report = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
    rows = {}
    for r in report["results"]:
        key = {"interp": "jitexpr-interp", "jit-unfused": "jitexpr-unfused"}.get(r["engine"])
        key = key or ("jitexpr-1" if r["threads"] == 1 else "jitexpr-T")
        rows[key] = r
    if THREADS == 1:
        rows["jitexpr-T"] = rows["jitexpr-1"]
    out = outdir / f"{label}.npy"
    subprocess.run([jitexpr, "eval", expr, *input_args(expr, inputs), "-o", str(out)], check=True)
    return rows, np.load(out), report


def time_native(native, inputs, outdir, repeat):
    threads = "1" if THREADS == 1 else f"1,{THREADS}"
    cmd = [native, "time", str(inputs), threads, str(repeat), str(outdir)]
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


def make_inputs(n, directory):
    rng = np.random.default_rng([SEED, n])
    arrays = []
    for v in "abc":
        a = rng.random(n)
        a += 0.1
        np.save(directory / f"{v}.npy", a)
        arrays.append(a)
    return arrays


def run_timings(cfg, libs, jitexpr, native, tmp):
    """Every engine on every expression and size: {n: {label: {engine: row}}} and checks."""
    labels = suite(native)
    times, checks, jit_reports = {}, [], []
    numba_kernels = NumbaKernels(libs["numba"]) if libs.get("numba") else None
    for n in cfg["sizes"]:
        repeat = cfg["repeat"][n]
        log(f"== n = {n:.0e} (repeat {repeat})")
        inputs = tmp / f"n{n}"
        outdir = inputs / "out"
        outdir.mkdir(parents=True)
        arrays = make_inputs(n, inputs)
        native_rows = time_native(native, inputs, outdir / "native", repeat)
        times[n] = {}
        for label, expr in labels:
            row, results = {}, {}
            row["numpy"], ref = time_numpy(expr, arrays, repeat)
            if libs.get("numexpr"):
                for key, t in [("numexpr-1", 1), ("numexpr-T", THREADS)]:
                    row[key], results[key] = time_numexpr(libs["numexpr"], expr, arrays, repeat, t)
            if numba_kernels:
                for key, t in [("numba-1", 1), ("numba-T", THREADS)]:
                    row[key], results[key] = numba_kernels.time(label, expr, arrays, repeat, t)
            jit_rows, results["jitexpr-T"], report = time_jitexpr(jitexpr, expr, n, inputs, outdir, label, repeat)
            jit_reports.append(report)
            row.update(jit_rows)
            for key in ["native-1", "native-T"]:
                row[key] = native_rows[(label, key)]
            results["native-T"] = np.load(outdir / "native" / f"{label}.npy")
            kind = "reduction" if is_reduction(expr) else "elementwise"
            for key, value in results.items():
                diff = rel_diff(value, ref)
                checks.append({"n": n, "label": label, "engine": key, "rel_diff": diff, "ok": diff <= TOLERANCE[kind]})
                if diff > TOLERANCE[kind]:
                    log(f"   MISMATCH {label} n={n} {NAMES[key]}: relative difference {diff:.3g} to NumPy")
            traffic = 8 * n * len(reads(expr)) + 8 * ref.size
            for r in row.values():
                r["gbps"] = traffic / r["median_s"] / 1e9
            times[n][label] = row
            best = min(row, key=lambda k: row[k]["median_s"])
            log(f"   {label:9} NumPy {fmt_s(row['numpy']['median_s']):>9}   fastest: {NAMES[best]} "
                f"{fmt_s(row[best]['median_s'])}")
        shutil.rmtree(inputs)
    compile_s = {"numba": dict(numba_kernels.compile_s) if numba_kernels else {}, "jitexpr": {}}
    for report in jit_reports:
        for r in report["results"]:
            if r["engine"] == "jit" and r["threads"] == 1:
                label = next(lbl for lbl, e in labels if e == report["expr"])
                compile_s["jitexpr"][label] = min(compile_s["jitexpr"].get(label, math.inf), r["compile_s"])
    max_ulp = max(r["max_ulp_vs_interp"] for report in jit_reports for r in report["results"])
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
    jit = [jitexpr, "eval", expr]
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


def run_roof(jitexpr, native, tmp):
    """jitexpr and the hand-written loops on the memory-bound expressions at ROOF_N:
    {label: {"jitexpr-T": row, "native-T": row}} (rows as in the timing run)."""
    log(f"== memory roof: n = {ROOF_N:.0e}, {THREADS} threads, preallocated outputs")
    inputs = tmp / "roof"
    outdir = inputs / "out"
    outdir.mkdir(parents=True)
    make_inputs(ROOF_N, inputs)
    native_rows = time_native(native, inputs, outdir / "native", ROOF_REPEAT)
    labels = dict(suite(native))
    roof = {}
    for label in ROOF_LABELS:
        expr = labels[label]
        jit_rows, _, _ = time_jitexpr(jitexpr, expr, ROOF_N, inputs, outdir, label, ROOF_REPEAT)
        row = {"jitexpr-T": jit_rows["jitexpr-T"], "native-T": native_rows[(label, "native-T")]}
        traffic = 8 * ROOF_N * (len(reads(expr)) + (0 if is_reduction(expr) else 1))
        for r in row.values():
            r["gbps"] = traffic / r["median_s"] / 1e9
        roof[label] = row
        ratio = row["native-T"]["median_s"] / row["jitexpr-T"]["median_s"]
        log(f"   {label:9} native {fmt_s(row['native-T']['median_s']):>9}   jitexpr "
            f"{fmt_s(row['jitexpr-T']['median_s']):>9}   {ratio:.2f} of the roof")
    shutil.rmtree(inputs)
    return roof


def run_functions(jitexpr):
    """ns per element of each of FUNCS on one thread at FUNC_N: NumPy `f(x, out=out)`
    (its AVX-512 SIMD loops where it has them) and `jitexpr bench` on one thread."""
    log(f"== functions: n = {FUNC_N:.0e}, 1 thread")
    rng = np.random.default_rng(SEED)
    x = rng.uniform(0.1, 1.1, FUNC_N)
    out = np.empty_like(x)
    rows = {}
    for name in FUNCS:
        f = getattr(np, name)
        numpy_s, _, _ = timeit(lambda: f(x, out=out), FUNC_REPEAT)
        cmd = [jitexpr, "bench", f"{name}(a)", "-n", str(FUNC_N), "--repeat", str(FUNC_REPEAT), "--threads", "1",
               "--json"]
        report = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
        jit_s = next(r["median_s"] for r in report["results"] if r["engine"] == "jit" and r["threads"] == 1)
        rows[name] = {"numpy_ns": numpy_s / FUNC_N * 1e9, "jitexpr_ns": jit_s / FUNC_N * 1e9}
        log(f"   {name:5} NumPy {rows[name]['numpy_ns']:.2f} ns   jitexpr {rows[name]['jitexpr_ns']:.2f} ns")
    return rows


def functions_table(funcs):
    lines = ["| function | NumPy 1T | jitexpr 1T | jitexpr speedup |", "|---|---:|---:|---:|"]
    for name, r in funcs.items():
        lines.append(f"| `{name}` | {r['numpy_ns']:.2f} ns | {r['jitexpr_ns']:.2f} ns "
                     f"| {fmt_x(r['numpy_ns'] / r['jitexpr_ns'])} |")
    return "\n".join(lines)


def best_table(times, labels, sizes):
    """jitexpr on all threads against the fastest of NumPy, numexpr and Numba, per size."""
    others = [e for e in ["numpy", "numexpr-T", "numba-T"] if any(e in times[n][lbl] for n in sizes for lbl, _ in labels)]
    head = "| expression | " + " | ".join(f"best other, n = {n:.0e} | jitexpr {THREADS}T | ratio" for n in sizes) + " |"
    lines = [head, "|---|" + "---:|---:|---:|" * len(sizes)]
    for label, expr in labels:
        cells = []
        for n in sizes:
            row = times[n][label]
            e = min((e for e in others if e in row), key=lambda e: row[e]["median_s"])
            jit = row.get("jitexpr-T")
            cells.append(f"{fmt_s(row[e]['median_s'])} ({NAMES[e]}) | {fmt_s(jit['median_s']) if jit else 'n/a'} | "
                         + (fmt_x(row[e]["median_s"] / jit["median_s"]) if jit else "n/a"))
        lines.append(f"| `{expr}` | " + " | ".join(cells) + " |")
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
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
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
        base = row["numpy"]["median_s"]
        cells = [fmt_x(base / row[e]["median_s"]) if e in row else "n/a" for e in engines]
        lines.append(f"| `{expr}` | {fmt_s(base)} | " + " | ".join(cells) + " |")
    geo = []
    for e in engines:
        ratios = [times[n][lbl]["numpy"]["median_s"] / times[n][lbl][e]["median_s"] for lbl, _ in labels if e in times[n][lbl]]
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
            cells.append(f"**{cell}**" if row[e]["median_s"] == fastest else cell)
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
            vals = [times[n][lbl]["numpy"]["median_s"] / times[n][lbl][e]["median_s"] for lbl, _ in labels]
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


def write_reports(out, meta, labels, times, checks, compile_s, mem, roof, funcs, chart_names, update_readme):
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
        "**Method.** Inputs a, b, c are float64, uniform in [0.1, 1.1), seeded, written once as .npy and "
        "read by every engine. Every engine is timed the same way: one warm-up evaluation, then K timed "
        "evaluations (K = " + ", ".join(f"{k} at n = {n:.0e}" for n, k in meta["repeat"].items()) + "); "
        "tables show the median. NumPy evaluates the expression as written (a temporary per operation); "
        "numexpr writes into a preallocated `out=` (not for `sum`, which it cannot); Numba runs an "
        "`@njit(parallel=True)` loop with `prange` into a preallocated output, compiled before timing "
        "(its compile time is below); jitexpr numbers come from `jitexpr bench --json` (kernels cached, "
        "output preallocated; `interp` evaluates one operation at a time like NumPy, `unfused` is the "
        "JIT with one kernel per operation); *native Rust* is the loop one would write by hand "
        "(`benches/compare/native`, rustc `-C target-cpu=native`, std math, rayon), the roof. "
        "*1T*/*" + f"{THREADS}T" + "* are thread counts. Every result is checked against NumPy's.",
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
            f"jitexpr on {THREADS} threads against the fastest of NumPy, numexpr {THREADS}T and Numba "
            f"{THREADS}T for each expression and size (ratio > 1: jitexpr is faster).",
            "",
            best_table(times, labels, best_sizes),
            "",
        ]
    if funcs:
        md += [
            f"## Math functions, one thread, n = {FUNC_N:.0e}",
            "",
            "ns per float64 element: NumPy's ufunc into a preallocated output (its AVX-512 loops where it has "
            "them: exp, log, tanh; sin and cos run scalar code) against `jitexpr bench` on one thread.",
            "",
            functions_table(funcs),
            "",
        ]
    if roof:
        md += [
            f"## Memory roof, n = {ROOF_N:.0e}",
            "",
            "The memory-bound expressions against the hand-written loop of each (the roof), both writing "
            f"into a preallocated output on {THREADS} threads, median of {ROOF_REPEAT}. GB/s counts compulsory "
            "traffic (inputs read once, the output written once).",
            "",
            roof_table(roof, labels),
            "",
        ]
    md += ["## Correctness", "", f"Tolerance: relative difference {TOLERANCE['elementwise']:g} elementwise, "
           f"{TOLERANCE['reduction']:g} for sums (the order of additions differs). jitexpr's result is "
           "checked with `jitexpr eval`; `jitexpr bench` compares every JIT row with jitexpr's interpreter: "
           f"they differ by at most {meta['max_ulp']:g} ulp.", "", check_summary(checks), ""]
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
                + f"Speedup over NumPy at n = {big:.0e} float64, median of {meta['repeat'][big]} runs:",
                "",
                speedup_table(times, labels, big, present(times, HEADLINE)),
                "",
            ]
            if mem:
                snippet += [f"Peak memory for `{RSS_EXPR}` at n = {RSS_N:.0e} (input and output "
                            "are 2 arrays of 400 MB):", "", memory_table(mem), ""]
            best_sizes = [n for n in (10**6, 10**7) if n in times]
            if best_sizes:
                snippet += [f"Against the fastest of NumPy, numexpr and Numba, per expression (ratio > 1: "
                            "jitexpr is faster):", "", best_table(times, labels, best_sizes), ""]
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
    times = {int(n): v for n, v in dump["timings"].items()}
    out = HERE / "results"
    chart_names = charts(times, labels, dump["memory"], out, libs["plt"]) if libs.get("plt") else []
    write_reports(out, meta, labels, times, dump["checks"], dump["compile_s"], dump["memory"], dump.get("roof", {}),
                  dump.get("functions", {}), chart_names, True)
    return 0


def import_libs():
    libs, missing = {}, []
    for name in ["numexpr", "numba", "matplotlib"]:
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
    with tempfile.TemporaryDirectory(prefix="jitexpr-compare-") as tmp:
        jitexpr, native = build(Path(tmp))
        labels, times, checks, compile_s, max_ulp = run_timings(cfg, libs, jitexpr, native, Path(tmp))
        mem = [] if args.quick else run_memory(libs, jitexpr, native)
        roof = {} if args.quick else run_roof(jitexpr, native, Path(tmp))
        funcs = {} if args.quick else run_functions(jitexpr)
    chart_names = charts(times, labels, mem, out, libs["plt"]) if libs.get("plt") else []
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": machine(),
        "load": load,
        "versions": versions(libs),
        "repeat": cfg["repeat"],
        "missing": missing,
        "max_ulp": max_ulp,
        "elapsed": time.time() - start,
    }
    dump = {"meta": meta, "threads": THREADS, "suite": labels, "compile_s": compile_s, "memory": mem, "roof": roof,
            "functions": funcs, "checks": checks, "timings": {str(n): v for n, v in times.items()}}
    (raw / ("quick.json" if args.quick else "timings.json")).write_text(json.dumps(dump, indent=1, default=str))
    write_reports(out, meta, labels, times, checks, compile_s, mem, roof, funcs, chart_names,
                  update_readme=not args.quick)
    bad = sum(not c["ok"] for c in checks)
    log(f"== wrote {out / 'RESULTS.md'} in {time.time() - start:.0f} s; {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
