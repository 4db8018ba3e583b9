"""SciPy twin of bench/fit.ts: the ring spectrum fit, as a SciPy user writes it.

scipy.optimize.least_squares (method "trf", the one that takes bounds;
x_scale="jac") on the same data, the same six free parameters, the same
bounds and the same starting values as the engine, with an analytic
Jacobian vectorised in NumPy: the all-pass ring's |t|^2 in the half-angle
form of src/models/photonic/ring.ts (Bogaerts et al., Laser Photonics
Rev. 6, 47 (2012)) times s(1 + g(lam - lam0)/lam0).

Case (argv[1], JSON): data (a JSON file holding wavelengths and y), sigma, x0 (free values in the order
below), lower, upper, fixed (circumference, referenceWavelength), tol.
Prints the median, the fitted values, the evaluations and chi^2 at the solution.
"""
import json

import numpy as np
from scipy.optimize import least_squares

from _timing import case, report

params = case()
with open(params["data"]) as data:
    spectrum = json.load(data)
lam = np.array(spectrum["wavelengths"])
y = np.array(spectrum["y"])
sigma = float(params["sigma"])
L = params["fixed"]["circumference"]
lam0 = params["fixed"]["referenceWavelength"]
tol = params["tol"]


def parts(x):
    r, a, n0, ng, s, g = x
    n_eff = n0 - (ng - n0) * (lam - lam0) / lam0
    h = (2 * np.pi / lam) * n_eff * L / 2
    sn, cs = np.sin(h), np.cos(h)
    s2 = sn * sn
    ra = r * a
    d = (1 - ra) ** 2 + 4 * ra * s2
    p = ((a - r) ** 2 + 4 * ra * s2) / d
    tilt = 1 + g * (lam - lam0) / lam0
    return r, a, n0, ng, s, g, sn, cs, s2, ra, d, p, tilt


def residual(x):
    *_, p, tilt = parts(x)
    return (x[4] * tilt * p - y) / sigma


def jacobian(x):
    r, a, n0, ng, s, g, sn, cs, s2, ra, d, p, tilt = parts(x)
    dphase = 4 * ra * sn * cs * (1 - p) / d
    scale = s * tilt / sigma
    return np.stack(
        [
            scale * (-2 * (a - r) + 4 * a * s2 - p * (-2 * a * (1 - ra) + 4 * a * s2)) / d,
            scale * (2 * (a - r) + 4 * r * s2 - p * (-2 * r * (1 - ra) + 4 * r * s2)) / d,
            scale * dphase * (2 * np.pi * L / lam0),
            scale * dphase * (-(2 * np.pi / lam) * L * ((lam - lam0) / lam0)),
            tilt * p / sigma,
            s * p * (lam - lam0) / lam0 / sigma,
        ],
        axis=1,
    )


result = {}


def run():
    fit = least_squares(
        residual,
        params["x0"],
        jac=jacobian,
        bounds=(params["lower"], params["upper"]),
        method="trf",
        x_scale="jac",
        ftol=tol,
        xtol=tol,
        gtol=tol,
    )
    result["x"] = fit.x.tolist()
    result["nfev"] = int(fit.nfev)
    result["chiSquare"] = 2 * float(fit.cost)


run()  # once for the values reported beside the times (the runs are deterministic)
report(params, run, values=result["x"], nfev=result["nfev"], chiSquare=result["chiSquare"])
