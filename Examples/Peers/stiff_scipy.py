"""The peer side of `benchmarks stiff`: SciPy's Radau, BDF and LSODA on the four stiff problems of
`Examples/Benchmarks/StiffProblems.swift` (Robertson on [0, 1e5], Van der Pol with mu = 1000 on [0, 3000],
HIRES on [0, 321.8122], the Oregonator on [0, 360]) at rtol = 1e-3 ... 1e-8 (atol = 1e-4 * rtol), each
given the analytic Jacobian (jac=), plus Robertson on [0, 100] at rtol = atol = 1e-8 (the anchor of diffrax's
Kvaerno5). Records, per run, the best wall time of three, nfev, njev, nlu, the accepted steps where SciPy
reports them (it does not: len(t) of the dense-free solution is the step count + 1) and the final state, so
that the Swift side scores both with one reference. Also writes a Radau reference at rtol 1e-13.

    python3 Examples/Peers/stiff_scipy.py > Examples/Peers/results/stiff_scipy.json
"""
import json
import time

import numpy as np
import scipy
from scipy.integrate import solve_ivp


def robertson(t, y):
    return [-0.04 * y[0] + 1e4 * y[1] * y[2],
            0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2,
            3e7 * y[1] ** 2]


def robertson_jac(t, y):
    return [[-0.04, 1e4 * y[2], 1e4 * y[1]],
            [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
            [0.0, 6e7 * y[1], 0.0]]


MU = 1000.0


def vanderpol(t, y):
    return [y[1], MU * (1 - y[0] ** 2) * y[1] - y[0]]


def vanderpol_jac(t, y):
    return [[0.0, 1.0], [-2 * MU * y[0] * y[1] - 1, MU * (1 - y[0] ** 2)]]


def hires(t, y):
    return [-1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
            1.71 * y[0] - 8.75 * y[1],
            -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
            8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
            -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6],
            -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
            280 * y[5] * y[7] - 1.81 * y[6],
            -280 * y[5] * y[7] + 1.81 * y[6]]


def hires_jac(t, y):
    j = np.zeros((8, 8))
    j[0, 0], j[0, 1], j[0, 2] = -1.71, 0.43, 8.32
    j[1, 0], j[1, 1] = 1.71, -8.75
    j[2, 2], j[2, 3], j[2, 4] = -10.03, 0.43, 0.035
    j[3, 1], j[3, 2], j[3, 3] = 8.32, 1.71, -1.12
    j[4, 4], j[4, 5], j[4, 6] = -1.745, 0.43, 0.43
    j[5, 3], j[5, 4], j[5, 5], j[5, 6], j[5, 7] = 0.69, 1.71, -0.43 - 280 * y[7], 0.69, -280 * y[5]
    j[6, 5], j[6, 6], j[6, 7] = 280 * y[7], -1.81, 280 * y[5]
    j[7, 5], j[7, 6], j[7, 7] = -280 * y[7], 1.81, -280 * y[5]
    return j


def oregonator(t, y):
    return [77.27 * (y[1] + y[0] * (1 - 8.375e-6 * y[0] - y[1])),
            (y[2] - (1 + y[0]) * y[1]) / 77.27,
            0.161 * (y[0] - y[2])]


def oregonator_jac(t, y):
    return [[77.27 * (1 - 2 * 8.375e-6 * y[0] - y[1]), 77.27 * (1 - y[0]), 0.0],
            [-y[1] / 77.27, -(1 + y[0]) / 77.27, 1 / 77.27],
            [0.161, 0.0, -0.161]]


PROBLEMS = {
    "robertson": (robertson, robertson_jac, (0.0, 1e5), [1.0, 0.0, 0.0]),
    "vanderpol1000": (vanderpol, vanderpol_jac, (0.0, 3000.0), [2.0, 0.0]),
    "hires": (hires, hires_jac, (0.0, 321.8122), [1, 0, 0, 0, 0, 0, 0, 0.0057]),
    "oregonator": (oregonator, oregonator_jac, (0.0, 360.0), [1.0, 2.0, 3.0]),
}
TOLERANCES = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
METHODS = ["Radau", "BDF", "LSODA"]


def run(f, jac, span, y0, method, rtol, atol, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sol = solve_ivp(f, span, y0, method=method, rtol=rtol, atol=atol, jac=jac)
        best = min(best, time.perf_counter() - start)
    return {"seconds": best, "nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu),
            "steps": len(sol.t) - 1, "success": bool(sol.success), "final": [float(v) for v in sol.y[:, -1]]}


def main():
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "tolerances": TOLERANCES, "problems": {}}
    for name, (f, jac, span, y0) in PROBLEMS.items():
        reference = solve_ivp(f, span, y0, method="Radau", rtol=1e-13, atol=1e-17, jac=jac)
        entry = {"reference_radau_1e-13": [float(v) for v in reference.y[:, -1]], "runs": {}}
        for method in METHODS:
            entry["runs"][method] = [dict(rtol=rtol, **run(f, jac, span, y0, method, rtol, 1e-4 * rtol))
                                     for rtol in TOLERANCES]
        out["problems"][name] = entry
    f, jac, _, y0 = PROBLEMS["robertson"]
    out["robertson100"] = {method: run(f, jac, (0.0, 100.0), y0, method, 1e-8, 1e-8) for method in METHODS}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
