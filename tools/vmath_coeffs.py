"""Polynomial coefficients for src/vmath (run: python3 tools/vmath_coeffs.py; needs mpmath and numpy).

Each kernel approximates only the *remainder* of a function after its leading
Taylor terms (e.g. sin r = r + r^3 S(r^2)), so an absolute error in the fitted
polynomial is a tiny relative error of the function. The fit is mpmath's
Chebyshev least-squares (`chebyfit`, near-minimax); the coefficients are then
rounded to float64 and the error is measured again with the rounded values.
"""
import struct

import mpmath as mp
import numpy as np

mp.mp.dps = 150


def fit(name, f, a, b, deg, scale, single=False):
    """Fit f on [a, b] with degree `deg`; `scale` bounds the factor the polynomial is multiplied by,
    relative to the function value, so `err * scale` is the relative error it adds. `single`:
    the coefficients rounded to float32 (for the float32 kernels), else float64; the error is
    measured with the rounded values either way."""
    g = f
    f = lambda x: g(x if x != 0 else mp.mpf(10) ** -40)  # removable singularities at 0
    poly, _ = mp.chebyfit(f, [a, b], deg + 1, error=True)
    if single:
        coeffs = [float(mp.mpf(struct.unpack("<f", struct.pack("<f", float(c)))[0])) for c in poly]
    else:
        coeffs = [float(c) for c in poly]  # highest degree first
    worst = mp.mpf(0)
    for i in range(2001):
        x = a + (b - a) * mp.mpf(i) / 2000
        p = mp.mpf(0)
        for c in coeffs:
            p = p * x + mp.mpf(c)
        worst = max(worst, abs(p - f(x)))
    rel = worst * scale
    print(f"// {name}: degree {deg} on [{float(a):.6g}, {float(b):.6g}], |err| {float(worst):.3g}, rel ~2^{float(mp.log(rel, 2)) if rel else -999:.1f}")
    if single:
        body = ", ".join(str(np.float32(c)) for c in reversed(coeffs))
        print(f"const {name}: [f32; {deg + 1}] = [{body}];")
    else:
        body = ", ".join(repr(c) for c in reversed(coeffs))
        print(f"const {name}: [f64; {deg + 1}] = [{body}];")


def main():
    # exp(r) = 1 + r + r^2 G(r), |r| <= ln2/2 (+ margin for the rounding of k).
    fit("EXP_G", lambda r: (mp.exp(r) - 1 - r) / r**2, -0.3467, 0.3467, 10, 0.0601 / 0.7)
    smax = 3 - 2 * mp.sqrt(2)
    # log(m) = 2s + s z Q(z), z = s^2 (the cheaper kernel for log, log1p, log2, log10).
    fit("LOG_Q", lambda z: (2 * mp.atanh(mp.sqrt(z)) / mp.sqrt(z) - 2) / z, 0, smax**2 * 1.0001, 7, smax**2 / 2)
    # sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2), |r| <= pi/4 (+ margin).
    z4 = (mp.pi / 4) ** 2 * 1.0001
    fit("SIN_S", lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5, 0, z4, 7, z4 / 0.9)
    fit("COS_C", lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2, 0, z4, 7, z4**2 / 0.7)
    # atan u = u + u^3 A(u^2), |u| <= 1/4.
    fit("ATAN_A", lambda z: (mp.atan(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5, 0, 0.0626, 10, 0.0626)
    # asin x = x + x^3 P(x^2), |x| <= 1/2 (and asin x = pi/2 - 2 asin sqrt((1-x)/2) above).
    fit("ASIN_P", lambda z: (mp.asin(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5, 0, 0.2501, 12, 0.25)
    # tanh x = x + x^3 T(x^2), |x| <= 0.4; sinh x = x + x^3 S(x^2), |x| <= 1.
    fit("TANH_T", lambda z: (mp.tanh(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5, 0, 0.1601, 11, 0.16 / 0.95)
    fit("SINH_S", lambda z: (mp.sinh(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5, 0, 1.0001, 8, 1.0)
    # erf x = x (2/sqrt(pi) + z E(z)), z = x^2 <= 1; beyond, erf x = 1 - e^(-x^2) F(x),
    # F = erfcx in pieces (its error is scaled down by erfc x, so later pieces may be coarser).
    c0 = 2 / mp.sqrt(mp.pi)
    fit("ERF_E", lambda z: (mp.erf(mp.sqrt(z)) / mp.sqrt(z) - c0) / z, 0, 1, 11, 1 / 3)
    fit_pieces("ERFCX", lambda x: mp.erfc(x) * mp.exp(x * x), [1, 1.5, 2.25, 3.5, 6], 12)
    # float32 exp (computed in float32): e^r = 1 + r + r^2 G(r), |r| <= ln2/2 (+ margin).
    fit32("EXP32_G", lambda r: (mp.exp(r) - 1 - r) / r**2, -0.3467, 0.3467, 4, 0.0601 / 0.7)
    # float32 log: log m = 2s + s z Q(z), z = s^2 <= 0.0295 (the kernel's R is z Q(z)).
    fit32("LOG32_Q", lambda z: (2 * mp.atanh(mp.sqrt(z)) / mp.sqrt(z) - 2) / z, 0, smax**2 * 1.0001, 3, smax**2 / 2)
    # cbrt: a first guess of a^(-1/3) on [1, 8], refined by Newton steps.
    fit("RCBRT_0", lambda a: a ** (mp.mpf(-1) / 3), 1, 8, 5, 2)



def fit32(name, f, a, b, deg, scale):
    """`fit` for the float32 kernels: the coefficients rounded to float32."""
    fit(name, f, a, b, deg, scale, single=True)


def fit_pieces(name, f, edges, deg):
    """Fit f on each [edges[i], edges[i+1]] in the variable t = x - mid, one row per piece."""
    rows, mids = [], []
    for a, b in zip(edges, edges[1:]):
        a, b = mp.mpf(a), mp.mpf(b)
        mid = (a + b) / 2
        poly, _ = mp.chebyfit(lambda t: f(t + mid), [a - mid, b - mid], deg + 1, error=True)
        coeffs = [float(c) for c in poly]
        worst = max(abs(sum(mp.mpf(c) * (x - mid) ** (deg - i) for i, c in enumerate(coeffs)) - f(x)) / abs(f(x))
                    for x in (a + (b - a) * mp.mpf(j) / 400 for j in range(401)))
        print(f"// {name} on [{float(a)}, {float(b)}]: degree {deg} in x - {float(mid)}, rel ~2^{float(mp.log(worst, 2)):.1f}")
        rows.append("[" + ", ".join(repr(c) for c in reversed(coeffs)) + "]")
        mids.append(repr(float(mid)))
    print(f"const {name}_MID: [f64; {len(mids)}] = [{', '.join(mids)}];")
    print(f"const {name}: [[f64; {deg + 1}]; {len(rows)}] = [{', '.join(rows)}];")


def split(name, v, bits):
    """`v` as a sum of float64 parts, each part rounded to `bits[i]` significant bits (the
    last part to nearest float64): products by small integers of the leading parts are exact."""
    rest = mp.mpf(v)
    for i, b in enumerate(bits):
        if b >= 53:
            part = float(rest)
        else:
            e = mp.floor(mp.log(abs(rest), 2))
            q = mp.mpf(2) ** (e - b + 1)
            part = float(mp.floor(rest / q + mp.mpf(1) / 2) * q)
        print(f"const {name}_{i}: f64 = {part!r};")
        rest -= part


def constants():
    split("LN2", mp.log(2), [42, 53])
    split("INV_LN2", 1 / mp.log(2), [53, 53])
    split("LN2D", mp.log(2), [53, 53])
    split("LOG10_2", mp.log10(2), [42, 53])
    split("INV_LN10", 1 / mp.log(10), [53, 53])
    split("PIO2", mp.pi / 2, [33, 33, 33, 53])
    split("PI", mp.pi, [53, 53])
    split("PIO2D", mp.pi / 2, [53, 53])
    split("PIO4", mp.pi / 4, [53, 53])
    split("ATAN_HALF", mp.atan(0.5), [53, 53])
    split("ATAN_TWO", mp.atan(2), [53, 53])
    split("TWO_THIRDS", mp.mpf(2) / 3, [53, 53])
    split("TWO_FIFTHS", mp.mpf(2) / 5, [53, 53])
    split("TWO_OVER_SQRT_PI", 2 / mp.sqrt(mp.pi), [53, 53])


main()
constants()
