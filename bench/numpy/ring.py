"""NumPy twin of bench/ring.ts: microring spectra, as a NumPy user writes them.

The textbook formulas of Bogaerts et al., "Silicon microring resonators",
Laser Photonics Rev. 6, 47 (2012), with the same first-order dispersion as
src/models/photonic/waveguide.ts: phase phi = 2 pi n_eff(lam) L / lam,
n_eff(lam) = n0 - (ng - n0)(lam - lam0)/lam0. Power only: the cosine
intensity formula; with the field: complex arithmetic on exp(i phi).
Vectorised over wavelengths; a twin's single-sample call is the same
function on a one-element array, `calls` times in a row — or, with
"scalar": true, on a Python float, where NumPy hands most of the
arithmetic back to CPython floats (reported beside, for comparison).

Case (argv[1], JSON): kind ("all-pass" | "add-drop"), params (the model's
parameter object), field (bool), and either n (batch of wavelengths
1.5-1.6 um, lam_k = 1.5e-6 + 0.1e-6 k/(n - 1)) or calls (one wavelength
per call, lam_i = 1.55e-6 + 1e-13 i). Prints the median and a checksum:
sums of the powers (and of Re, Im of the fields) over the output.
"""
import numpy as np

from _timing import case, report


def phase(p, lam):
    n_eff = p["effectiveIndex"] - (p["groupIndex"] - p["effectiveIndex"]) * (lam - p["referenceWavelength"]) / p["referenceWavelength"]
    return 2 * np.pi * n_eff * p["circumference"] / lam


def all_pass(p, lam, field):
    r, a = p["selfCoupling"], p["roundTripAmplitude"]
    phi = phase(p, lam)
    if not field:
        c = np.cos(phi)
        return ((a * a - 2 * r * a * c + r * r) / (1 - 2 * r * a * c + (r * a) ** 2),)
    z = np.exp(1j * phi)
    t = (r - a * z) / (1 - r * a * z)
    return np.abs(t) ** 2, t


def add_drop(p, lam, field):
    r1, r2, a = p["selfCoupling1"], p["selfCoupling2"], p["roundTripAmplitude"]
    phi = phase(p, lam)
    if not field:
        c = np.cos(phi)
        d = 1 - 2 * r1 * r2 * a * c + (r1 * r2 * a) ** 2
        return (r2 * r2 * a * a - 2 * r1 * r2 * a * c + r1 * r1) / d, (1 - r1 * r1) * (1 - r2 * r2) * a / d
    z = np.exp(1j * phi)
    d = 1 - r1 * r2 * a * z
    through = (r1 - r2 * a * z) / d
    drop = -np.sqrt((1 - r1 * r1) * (1 - r2 * r2) * a) * np.exp(0.5j * phi) / d
    return np.abs(through) ** 2, np.abs(drop) ** 2, through, drop


def checksum(outputs):
    sums = []
    for x in outputs:
        x = np.asarray(x)
        if np.iscomplexobj(x):
            sums += [float(x.real.sum()), float(x.imag.sum())]
        else:
            sums.append(float(x.sum()))
    return sums


def main():
    params = case()
    ring = all_pass if params["kind"] == "all-pass" else add_drop
    p, field = params["params"], bool(params["field"])
    if "n" in params:
        n = int(params["n"])
        lam = 1.5e-6 + (0.1e-6 * np.arange(n)) / (n - 1)

        def run():
            return ring(p, lam, field)

        report(params, run, checksum=checksum(run()))
    else:
        calls = int(params["calls"])
        lams = [1.55e-6 + 1e-13 * i for i in range(calls)]
        if not params.get("scalar"):
            lams = [np.array([lam]) for lam in lams]

        def run():
            return [ring(p, lam, field) for lam in lams]

        outputs = run()
        columns = [np.concatenate([np.atleast_1d(x) for x in column]) for column in zip(*outputs)]
        report(params, run, calls=calls, checksum=checksum(columns))


if __name__ == "__main__":
    main()
