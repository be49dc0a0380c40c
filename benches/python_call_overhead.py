"""What one call costs from Python at n = 10, where the kernel is negligible
(a benchmark, not a test): `Expression.__call__`, cached `jitexpr.evaluate`
(names from the caller's frame and from a dict), `re_evaluate`, against
numexpr's `evaluate` / `re_evaluate` / `NumExpr.run` and NumPy (`np.add(a, b,
out=)` for `a + b`, plain NumPy for the 10-op expression).

Rounds are interleaved (every variant once per round, the minimum over rounds
kept), so load from other processes hits all variants alike: read the ratios.

    python benches/python_call_overhead.py [--rounds 30] [--n 10]
"""

import argparse
import time

import numpy as np

import jitexpr

try:
    import numexpr as ne
except ImportError:
    ne = None

# `a + b`, and the core's `examples/call_overhead.rs` 10-op, 3-input expression.
ADD = "a + b"
TEN = "a*b + c*a - b/c + a*a - c + b*2.0 - a"


def per_call(f, inner):
    t0 = time.perf_counter()
    for _ in range(inner):
        f()
    return (time.perf_counter() - t0) / inner


def variants(n, jx=jitexpr):
    """The variants by (expression, name); `jx` is the jitexpr package to time
    (another build can be passed, imported under another name)."""
    rng = np.random.default_rng(0)
    a, b, c = rng.random(n) + 1.0, rng.random(n) + 1.0, rng.random(n) + 1.0
    out = np.empty(n)
    env = {"a": a, "b": b, "c": c}
    add = jx.compile(ADD, a=a, b=b)
    ten = jx.compile(TEN, a=a, b=b, c=c)

    def ev_add_frame():
        return jx.evaluate(ADD)

    def ev_ten_frame():
        return jx.evaluate(TEN)

    v = {
        ("a+b", "Expression()"): lambda: add(a, b),
        ("a+b", "Expression(out=)"): lambda: add(a, b, out=out),
        ("a+b", "evaluate (frame)"): ev_add_frame,
        ("a+b", "evaluate (dict)"): lambda: jx.evaluate(ADD, env),
        ("10-op", "Expression()"): lambda: ten(a, b, c),
        ("10-op", "evaluate (frame)"): ev_ten_frame,
        ("10-op", "evaluate (dict)"): lambda: jx.evaluate(TEN, env),
        ("a+b", "NumPy np.add(out=)"): lambda: np.add(a, b, out=out),
        ("a+b", "NumPy a + b"): lambda: a + b,
        ("10-op", "NumPy"): lambda: a * b + c * a - b / c + a * a - c + b * 2.0 - a,
    }
    if ne is not None:
        ne_add = ne.NumExpr(ADD, signature=[("a", np.float64), ("b", np.float64)])
        ne_ten = ne.NumExpr(TEN, signature=[("a", np.float64), ("b", np.float64), ("c", np.float64)])

        def ne_add_frame():
            return ne.evaluate(ADD)

        def ne_ten_frame():
            return ne.evaluate(TEN)

        v[("a+b", "numexpr.evaluate (frame)")] = ne_add_frame
        v[("a+b", "numexpr.evaluate (dict)")] = lambda: ne.evaluate(ADD, env)
        v[("a+b", "NumExpr.run")] = lambda: ne_add.run(a, b, ex_uses_vml=False)
        v[("10-op", "numexpr.evaluate (frame)")] = ne_ten_frame
        v[("10-op", "numexpr.evaluate (dict)")] = lambda: ne.evaluate(TEN, env)
        v[("10-op", "NumExpr.run")] = lambda: ne_ten.run(a, b, c, ex_uses_vml=False)
    # Make the functions' globals see the arrays (frame lookup finds them there).
    for f in (ev_add_frame, ev_ten_frame) + ((ne_add_frame, ne_ten_frame) if ne is not None else ()):
        f.__globals__.update(env)
    return v


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--inner", type=int, default=2000)
    parser.add_argument("--n", type=int, default=10)
    args = parser.parse_args()
    if ne is not None:
        ne.set_num_threads(1)
    v = variants(args.n)
    for f in v.values():
        f()
    best = {k: float("inf") for k in v}
    for _ in range(args.rounds):
        for k, f in v.items():
            best[k] = min(best[k], per_call(f, args.inner))
    print(f"n = {args.n}, {args.rounds} interleaved rounds of {args.inner} calls, best per call")
    print("| expression | variant | µs per call |")
    print("|---|---|---|")
    for (expr, name), t in sorted(best.items(), key=lambda kv: (kv[0][0], kv[1])):
        print(f"| `{expr}` | {name} | {t * 1e6:.2f} |")


if __name__ == "__main__":
    main()
