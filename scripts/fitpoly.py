# How the float32 polynomial coefficients in math.ts were obtained (python3 with numpy and
# mpmath; takes ~10 s): `python3 src/backends/wasm/fitpoly.py`. Not used at run time.
#
# Each polynomial approximates a remainder g(t) = sum_j c_j v(t)^p_j on an interval, minimising
# the max of |w(t) * (g(t) - sum)|, where the weight w turns the residual into the relative
# error of the final function value. The minimax problem is solved by Lawson's algorithm
# (iteratively reweighted least squares) on a Chebyshev-plus-uniform grid, with an mpmath
# (100-bit) reference. Coefficients are then rounded to float32 one at a time, lowest power
# first, refitting the remaining ones after each rounding so later ones absorb the error.
import numpy as np
import mpmath as mp

mp.mp.prec = 100
f32 = lambda v: float(np.float32(v))


def lawson(X, G, W, iters=400):
    wts = np.ones(len(G)) / len(G)
    A, b = X * W[:, None], G * W
    best = None
    for _ in range(iters):
        sw = np.sqrt(wts)
        c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
        err = np.abs(A @ c - b)
        if best is None or err.max() < best[0]:
            best = (err.max(), c)
        wts = wts * err
        wts /= wts.sum()
    return best


def fit(name, lo, hi, pows, target, weight, var=lambda t: t, n=3000):
    k = np.arange(n)
    t = np.concatenate([(lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n), np.linspace(lo, hi, n)])
    t = t[t != 0]
    G = np.array([float(target(mp.mpf(float(x)))) for x in t])
    W = np.array([float(weight(mp.mpf(float(x)))) for x in t])
    V = np.array([float(var(mp.mpf(float(x)))) for x in t])
    X = np.stack([V**p for p in pows], axis=1)
    fixed, Gr = [], G.copy()
    for j in range(len(pows)):
        v = f32(lawson(X[:, j:], Gr, W, 200)[1][0])
        fixed.append(v)
        Gr = Gr - v * X[:, j]
    err = np.abs(Gr * W).max()
    print(f"{name}: fit error 2^{np.log2(err):.1f}")
    print("  [" + ", ".join(repr(c) for c in fixed) + "]")


H = float(mp.log(2)) / 2 * 1.0001  # ln2/2, with a margin for the rounding of k
S = float((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) * 1.0001  # max |s| in the log kernel
Q = float(mp.pi / 4) * 1.0001
fit("EXP_P   exp(r) = 1 + r + r^2 P(r)", -H, H, range(5), lambda r: (mp.exp(r) - 1 - r) / r**2, lambda r: r**2 / mp.exp(r))
fit("EXP2_Q  2^r = 1 + r Q(r)", -0.5001, 0.5001, range(6), lambda r: (mp.power(2, r) - 1) / r, lambda r: r / mp.power(2, r))
fit("EXPM1_Q expm1(r) = r + r^2/2 + r^3 Q(r)", -H, H, range(5), lambda r: (mp.expm1(r) - r - r**2 / 2) / r**3, lambda r: r**3 / mp.expm1(r))
fit("LOG_R   2 atanh(s) = 2s + s R(s^2), R = z(L1 + z L2 + z^2 L3)", 1e-6, S, range(1, 4), lambda s: (2 * mp.atanh(s) - 2 * s) / s, lambda s: mp.mpf(0.5), var=lambda s: s * s)
fit("SIN_S   sin(r) = r + r^3 S(r^2)", 1e-6, Q, range(3), lambda r: (mp.sin(r) - r) / r**3, lambda r: r**3 / mp.sin(r), var=lambda r: r * r)
fit("COS_C   cos(r) = 1 - r^2/2 + r^4 C(r^2)", 1e-6, Q, range(3), lambda r: (mp.cos(r) - 1 + r**2 / 2) / r**4, lambda r: r**4 / mp.cos(r), var=lambda r: r * r)
fit("TANH_T  tanh(x) = x + x^3 T(x^2)", 1e-6, 0.5501, range(5), lambda r: (mp.tanh(r) - r) / r**3, lambda r: r**3 / mp.tanh(r), var=lambda r: r * r)
