"""NumPy and numexpr on the issue-5 benchmark set: ns per element, best of several runs,
float64 inputs uniform in [0.1, 1.1), preallocated output where the API allows.
Usage: /tmp/venv/bin/python tools/simd_bench.py [N] [THREADS]"""
import sys, time
import numpy as np
import numexpr as ne

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
ne.set_num_threads(threads)
rng = np.random.default_rng(0)
a, b, c = (rng.uniform(0.1, 1.1, n) for _ in range(3))
out = np.empty(n)
sqrt, sin, cos, exp, log, tanh, where = np.sqrt, np.sin, np.cos, np.exp, np.log, np.tanh, np.where
SET = ["a + b", "2*a + 3*b", "a*b + c", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2", "sin(a)**2 + cos(b)**2",
       "exp(-(a*a)/2)/sqrt(2*3.141592653589793)", "sqrt(a**2 + b**2 + c**2)", "where(a > b, a - b, 0.0)",
       "log(1 + exp(a))", "tanh(a)", "a**2.5", "exp(a)", "log(a)", "sin(a)", "cos(a)"]
reps = max(3, min(50, int(2e8 / n)))

def best(f):
    f()
    t = min(_time(f) for _ in range(reps))
    return t * 1e9 / n

def _time(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

print(f"n = {n}, numexpr threads = {threads}; ns per element: numpy numexpr")
for e in SET:
    code = compile(e, "<e>", "eval")
    t_np = best(lambda: eval(code))
    t_ne = best(lambda: ne.evaluate(e, out=out))
    print(f"{e:45} {t_np:7.3f} {t_ne:7.3f}")
