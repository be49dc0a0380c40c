"""The Python package against numexpr and NumPy (a benchmark, not a test).

Per expression and n (10, 1e3, 1e6, 1e7): the best time of
`jitexpr.evaluate` (cached), a compiled `Expression.__call__`,
`numexpr.evaluate`, `numexpr.re_evaluate`, `NumExpr.run` and NumPy, with
`out=` preallocated where the API takes it so large n compares loops, not
allocation. Prints a Markdown table. Timings on a shared machine are noisy:
read ratios, not absolutes.

    python benches/python.py [--quick]
"""

import argparse
import time

import numpy as np

import jitexpr

try:
    import numexpr as ne
except ImportError:
    ne = None

EXPRESSIONS = {
    "2*a + 3*b": lambda a, b: 2 * a + 3 * b,
    "sqrt(a**2 + b**2)": lambda a, b: np.sqrt(a**2 + b**2),
    "sin(a)**2 + cos(b)**2": lambda a, b: np.sin(a) ** 2 + np.cos(b) ** 2,
}


def best_of(f, budget):
    """The fastest of repeated timings within about `budget` seconds (on a shared
    machine the minimum is the least disturbed estimate)."""
    f()
    t0 = time.perf_counter()
    f()
    once = max(time.perf_counter() - t0, 1e-9)
    inner = max(1, int(0.01 / once))
    reps = max(3, min(50, int(budget / (once * inner))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            f()
        times.append((time.perf_counter() - t0) / inner)
    return float(np.min(times))


def fmt(t):
    if t < 1e-3:
        return f"{t * 1e6:.2f} µs"
    return f"{t * 1e3:.2f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller budget per cell")
    args = parser.parse_args()
    budget = 0.2 if args.quick else 1.0
    cols = ["jitexpr.evaluate", "Expression()", "numexpr.evaluate", "ne.re_evaluate", "NumExpr.run", "NumPy"]
    print(f"threads: jitexpr {jitexpr.get_num_threads()}", end="")
    if ne is not None:
        print(f", numexpr {ne.get_num_threads()}")
    print("\n| expression | n | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    rng = np.random.default_rng(0)
    for text, numpy_fn in EXPRESSIONS.items():
        for n in (10, 1_000, 1_000_000, 10_000_000):
            a = rng.random(n)
            b = rng.random(n)
            out = np.empty(n)
            ex = jitexpr.compile(text, a=a, b=b)
            row = {}
            env = {"a": a, "b": b}
            row["jitexpr.evaluate"] = best_of(lambda: jitexpr.evaluate(text, env, out=out), budget)
            row["Expression()"] = best_of(lambda: ex(a, b, out=out), budget)
            if ne is not None:
                row["numexpr.evaluate"] = best_of(lambda: ne.evaluate(text, env, out=out), budget)
                ne.evaluate(text, env, out=out)
                row["ne.re_evaluate"] = best_of(lambda: ne.re_evaluate(env), budget)
                compiled = ne.NumExpr(text, signature=[("a", np.float64), ("b", np.float64)])
                row["NumExpr.run"] = best_of(lambda: compiled.run(a, b, out=out, ex_uses_vml=False), budget)
            row["NumPy"] = best_of(lambda: numpy_fn(a, b), budget)
            cells = [fmt(row[c]) if c in row else "—" for c in cols]
            print(f"| `{text}` | {n:.0e} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
