"""The peer side of `benchmarks workprecision`: SciPy's RK45 and DOP853 on the seven standard problems of
`Examples/Benchmarks/StandardProblems.swift`, at rtol = atol = 10^-k for k = 3, 3.5, ..., 13, recording the
evaluations (nfev) and the end-state error max_i |y_i - ref_i| / max(1, |ref_i|) against DOP853 at
rtol = atol = 1e-14 (checked against RK45 at 1e-13 to 1e-7).

    python3 Examples/Peers/workprecision_scipy.py > Examples/Peers/results/workprecision_scipy.json

Writes one JSON object: {"scipy": version, "problems": {name: {method: [[tol, nfev, error], ...]}}}.
"""
import json
import math

import numpy as np
import scipy
from scipy.integrate import solve_ivp

MU = 0.012277471


def linear10(t, y):
    dy = np.empty(10)
    for i in range(10):
        left = y[i - 1] if i > 0 else 0.0
        right = y[i + 1] if i < 9 else 0.0
        dy[i] = 0.5 * (left - 2 * y[i] + right) + 0.3 * (right - left)
    return dy


def vanderpol(t, y):
    return [y[1], (1 - y[0] ** 2) * y[1] - y[0]]


def lotkavolterra(t, y):
    return [1.5 * y[0] - y[0] * y[1], -3 * y[1] + y[0] * y[1]]


def arenstorf(t, y):
    mu1 = 1 - MU
    d1 = ((y[0] + MU) ** 2 + y[1] ** 2) ** 1.5
    d2 = ((y[0] - mu1) ** 2 + y[1] ** 2) ** 1.5
    return [y[2], y[3],
            y[0] + 2 * y[3] - mu1 * (y[0] + MU) / d1 - MU * (y[0] - mu1) / d2,
            y[1] - 2 * y[2] - mu1 * y[1] / d1 - MU * y[1] / d2]


def kepler(t, y):
    r3 = (y[0] ** 2 + y[1] ** 2) ** 1.5
    return [y[2], y[3], -y[0] / r3, -y[1] / r3]


def spiral(t, y):
    a, b = y[0] ** 3, y[1] ** 3
    return [-0.1 * a - 2 * b, 2 * a - 0.1 * b]


def scalar(t, y):
    return [y[0] * math.cos(t)]


PROBLEMS = {
    "linear10": (linear10, (0, 5), [(i + 1) / 10 for i in range(10)]),
    "vanderpol": (vanderpol, (0, 20), [2, 0]),
    "lotkavolterra": (lotkavolterra, (0, 15), [1, 1]),
    "arenstorf": (arenstorf, (0, 17.0652165601579625588917206249), [0.994, 0, 0, -2.00158510637908252240537862224]),
    "kepler": (kepler, (0, 20), [0.4, 0, 0, 2]),
    "spiral": (spiral, (0, 25), [2, 0]),
    "scalar": (scalar, (0, 10), [1]),
}


def end_state(f, span, y0, method, tol):
    sol = solve_ivp(f, span, y0, method=method, rtol=tol, atol=tol)
    if sol.status != 0:
        raise RuntimeError(f"{method} failed at tol {tol}: {sol.message}")
    return sol.y[:, -1], sol.nfev


def main():
    out = {"scipy": scipy.__version__, "problems": {}}
    for name, (f, span, y0) in PROBLEMS.items():
        ref, _ = end_state(f, span, y0, "DOP853", 1e-14)
        check, _ = end_state(f, span, y0, "RK45", 1e-13)
        if np.max(np.abs(ref - check) / np.maximum(1, np.abs(ref))) > 1e-7:
            raise RuntimeError(f"{name}: references disagree")
        curves = {}
        for method in ("RK45", "DOP853"):
            points = []
            for k2 in range(6, 27):  # k = 3, 3.5, ..., 13
                tol = 10.0 ** (-k2 / 2)
                y, nfev = end_state(f, span, y0, method, tol)
                error = float(np.max(np.abs(y - ref) / np.maximum(1, np.abs(ref))))
                points.append([tol, int(nfev), error])
            curves[method] = points
        out["problems"][name] = curves
    print(json.dumps(out))


if __name__ == "__main__":
    main()
