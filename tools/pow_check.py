"""Max ulp error (normal results; subnormal ones apart) of `x y result` lines (hex bits, from examples/pow_dump.rs) against
mpmath's x^y at 40 digits. Usage: python3 tools/pow_check.py FILE (needs mpmath)."""
import struct
import sys
import mpmath as mp

mp.mp.dps = 40


def f(b):
    return struct.unpack("<d", struct.pack("<Q", int(b, 16)))[0]


def ulp(v):
    if v == 0:
        return mp.mpf(2) ** -1074
    e = mp.floor(mp.log(abs(v), 2))
    return mp.mpf(2) ** max(e - 52, -1074)


worst, where, n, over_half = mp.mpf(0), None, 0, 0
sub_worst = mp.mpf(0)
for line in open(sys.argv[1]):
    xb, yb, rb = line.split()
    x, y, r = f(xb), f(yb), f(rb)
    exact = mp.power(mp.mpf(x), mp.mpf(y))
    if exact > mp.mpf(2) ** 1024 or exact < mp.mpf(2) ** -1074:
        continue
    err = abs(mp.mpf(r) - exact) / ulp(float(exact)) if r not in (0.0, float("inf")) else mp.mpf(0)
    if exact < mp.mpf(2) ** -1022:
        sub_worst = max(sub_worst, err)  # subnormal results: rounded twice
        continue
    n += 1
    if err > 0.5:
        over_half += 1
    if err > worst:
        worst, where = err, (x, y, r)
print(f"{n} points, max {float(worst):.4f} ulp at x={where[0]!r} y={where[1]!r} got {where[2]!r}; {over_half} above 0.5 ulp; subnormal results: max {float(sub_worst):.4f} ulp")
