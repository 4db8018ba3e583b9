"""NumPy twin of bench/tmm.ts: a thin-film stack's r, t, R, T for s and p.

Written as a NumPy user would: vectorised over wavelengths, the phase
thicknesses of all layers at once, each layer's characteristic matrix an
array of shape (n_wavelengths, 2, 2), multiplied along the stack with `@`
(one Python iteration per layer), both polarisations in a Python loop.
Indices are given once for all wavelengths or, with dispersion, once per
wavelength (a row each): the same stack_response, by broadcasting.
Same physics and conventions as src/models/thin-film/tmm.ts (Macleod's
matrices for N = n + ik, Byrnes' signs for r_p and t_p, T as the power
flux into the substrate).

Case (argv[1], JSON): thicknesses [m], indices [[n, k], ...] for ambient,
layers, substrate; wavelengths {start, step, count} (wavelength i is
start + i*step); angle [rad]; mode "batch" (one call over all
wavelengths) or "single" (one call per wavelength, in turn, as a twin
does per sample); optionally dispersion {cauchy: B [m^2], design: lambda_d
[m]} (batch only): the indices then given per wavelength as an
(n_wavelengths, L + 2) array, each layer's n plus B*(1/lambda^2 -
1/lambda_d^2), ambient and substrate fixed, as bench/tmm.ts's dispersive
input does (the case carries the recipe, not 10^4 rows). Prints the median of a run
(all the calls), the number of calls and a checksum: the sums over all
points of R_s + T_s + R_p + T_p and of Re r_s + Im t_p.
"""
import numpy as np

from _timing import case, report


def stack_response(d, N, n0, wavelengths, angle):
    """{"s": (r, t, R, T), "p": (...)}, each an array over `wavelengths`.

    d: layer thicknesses (L,); N: complex indices of the layers and the
    substrate, (L + 1,) for every wavelength or (n_wavelengths, L + 1) one
    row per wavelength; n0: the (real) ambient index, a scalar or
    (n_wavelengths,). Both become one row or one row per wavelength, and
    everything below broadcasts over the rows.
    """
    N = np.atleast_2d(N)
    n0 = np.reshape(n0, (-1, 1))
    beta = n0 * np.sin(angle)
    # N cos(theta) in each medium; the principal root is the forward wave for n > 0, k >= 0.
    q = np.sqrt(N**2 - beta**2)  # (1 or n_wavelengths, L + 1)
    delta = (2 * np.pi / wavelengths)[:, None] * (d * q[:, :-1])  # (n_wavelengths, L)
    cos, sin = np.cos(delta), np.sin(delta)
    out = {}
    for pol in ("s", "p"):
        eta = q if pol == "s" else N**2 / q
        eta0 = n0[:, 0] * np.cos(angle) if pol == "s" else n0[:, 0] / np.cos(angle)
        M = np.empty(delta.shape + (2, 2), dtype=complex)
        M[..., 0, 0] = cos
        M[..., 0, 1] = -1j * sin / eta[:, :-1]
        M[..., 1, 0] = -1j * sin * eta[:, :-1]
        M[..., 1, 1] = cos
        total = M[:, 0]
        for j in range(1, len(d)):
            total = total @ M[:, j]
        B = total[:, 0, 0] + total[:, 0, 1] * eta[:, -1]
        C = total[:, 1, 0] + total[:, 1, 1] * eta[:, -1]
        D = eta0 * B + C
        r = (eta0 * B - C) / D
        t = 2 * eta0 / D
        T = 4 * eta0 * eta[:, -1].real / np.abs(D) ** 2
        if pol == "p":
            r = -r  # Byrnes' sign for p
            t = t * np.cos(angle) / (q[:, -1] / N[:, -1])  # tangential E ratio -> amplitude ratio
        out[pol] = (r, t, np.abs(r) ** 2, T)
    return out


def main():
    params = case()
    d = np.array(params["thicknesses"], dtype=float)
    media = np.array([complex(n, k) for n, k in params["indices"]])
    spec = params["wavelengths"]
    wavelengths = spec["start"] + np.arange(spec["count"]) * spec["step"]
    dispersion = params.get("dispersion")
    if dispersion is not None:
        if params["mode"] != "batch":
            raise ValueError("tmm.py: dispersion is for mode batch only")
        b, design = dispersion["cauchy"], dispersion["design"]
        shift = b * (1 / (wavelengths * wavelengths) - 1 / (design * design))
        media = np.tile(media, (len(wavelengths), 1))  # (n_wavelengths, L + 2)
        media[:, 1:-1] += shift[:, None]
    n0, N = media[..., 0].real, media[..., 1:]
    angle = params["angle"]

    if params["mode"] == "batch":
        def run():
            return [stack_response(d, N, n0, wavelengths, angle)]
    else:
        singles = [wavelengths[i : i + 1] for i in range(len(wavelengths))]

        def run():
            return [stack_response(d, N, n0, w, angle) for w in singles]

    results = run()
    power = sum(float(np.sum(o["s"][2] + o["s"][3] + o["p"][2] + o["p"][3])) for o in results)
    amplitude = sum(float(np.sum(o["s"][0].real + o["p"][1].imag)) for o in results)
    report(params, run, calls=len(results), checksum=[power, amplitude])


main()
