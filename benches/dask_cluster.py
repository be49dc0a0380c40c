"""jitexpr.dask against dask.array with NumPy and with numexpr in map_blocks
(a benchmark, not a test).

On a distributed.LocalCluster (2 worker processes, 1 thread each): a large
elementwise expression over two float64 arrays of n elements, and the softmax
program ``e = exp(a - max(a)); e / sum(e)`` over one. Inputs are generated and
persisted on the workers first, so the timing is the computation; every result
is reduced to its sum on the workers (the same extra pass for every method), so
nothing large travels to the client. Per method: wall time (best of --repeat)
and each worker's peak RSS (workers restarted before each method, so the peak
is that method's plus the persisted inputs). Timings on a shared machine are
noisy: read ratios, not absolutes.

    python benches/dask_cluster.py [--n 1e8] [--chunk 5e6] [--repeat 2]
"""

import argparse
import resource
import time

import dask.array as da
import distributed
import numexpr as ne
import numpy as np

import jitexpr.dask as jd

EXPRESSION = "sqrt(a**2 + b**2) + sin(a) * cos(b)"
SOFTMAX = "e = exp(a - max(a)); e / sum(e)"


def _ne(ex, **blocks):
    ne.set_num_threads(1)  # Dask supplies the parallelism, as for jitexpr
    return ne.evaluate(ex, local_dict={k: np.asarray(v) for k, v in blocks.items()})


def expression(method, a, b):
    if method == "jitexpr":
        return jd.evaluate(EXPRESSION, a=a, b=b)
    if method == "numpy":
        return da.sqrt(a**2 + b**2) + da.sin(a) * da.cos(b)
    return da.map_blocks(lambda x, y: _ne(EXPRESSION, a=x, b=y), a, b, dtype=a.dtype)


def softmax(method, a, _b):
    if method == "jitexpr":
        return jd.evaluate(SOFTMAX, a=a)
    m = a.max()
    if method == "numpy":
        e = da.exp(a - m)
        return e / e.sum()
    e = da.map_blocks(lambda x, m: _ne("exp(a - m)", a=x, m=m), a, m, dtype=a.dtype)
    s = e.sum()
    return da.map_blocks(lambda x, s: _ne("x / s", x=x, s=s), e, s, dtype=a.dtype)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=float, default=1e8)
    p.add_argument("--chunk", type=float, default=5e6)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    n, chunk = int(args.n), int(args.chunk)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        print(f"n = {n:.0e} float64 per input, chunks of {chunk:.0e}, 2 workers x 1 thread")
        print("| program | method | time (s) | peak RSS per worker (MB) |")
        print("|---|---|---|---|")
        for name, build in [("expression", expression), ("softmax", softmax)]:
            for method in ["jitexpr", "numpy", "numexpr"]:
                client.restart(timeout=600)  # a loaded machine restarts slowly
                rng = da.random.default_rng(0)
                a, b = client.persist([rng.random(n, chunks=chunk), rng.random(n, chunks=chunk)])
                distributed.wait([a, b])
                best = float("inf")
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    client.compute(build(method, a, b).sum()).result()
                    best = min(best, time.perf_counter() - t0)
                rss = sorted(client.run(peak_rss_mb).values())
                print(f"| {name} | {method} | {best:.2f} | {' / '.join(f'{r:.0f}' for r in rss)} |", flush=True)
                del a, b


if __name__ == "__main__":
    main()
