"""NumPy twin of bench/tmm.ts: a thin-film stack's r, t, R, T for s and p.

Written as a NumPy user would: vectorised over wavelengths, the phase
thicknesses of all layers at once, each layer's characteristic matrix an
array of shape (n_wavelengths, 2, 2), multiplied along the stack with `@`
(one Python iteration per layer), both polarisations in a Python loop.
Same physics and conventions as src/models/thin-film/tmm.ts (Macleod's
matrices for N = n + ik, Byrnes' signs for r_p and t_p, T as the power
flux into the substrate).

Case (argv[1], JSON): thicknesses [m], indices [[n, k], ...] for ambient,
layers, substrate; wavelengths {start, step, count} (wavelength i is
start + i*step); angle [rad]; mode "batch" (one call over all
wavelengths) or "single" (one call per wavelength, in turn, as a twin
does per sample). Prints the median of a run (all the calls), the number
of calls and a checksum: the sums over all points of R_s + T_s + R_p + T_p
and of Re r_s + Im t_p.
"""
import numpy as np

from _timing import case, report


def stack_response(d, N, n0, wavelengths, angle):
    """{"s": (r, t, R, T), "p": (...)}, each an array over `wavelengths`.

    d: layer thicknesses (L,); N: complex indices of the layers and the
    substrate (L + 1,); n0: the (real) ambient index.
    """
    beta = n0 * np.sin(angle)
    # N cos(theta) in each medium; the principal root is the forward wave for n > 0, k >= 0.
    q = np.sqrt(N**2 - beta**2)
    delta = np.outer(2 * np.pi / wavelengths, d * q[:-1])  # (n_wavelengths, L)
    cos, sin = np.cos(delta), np.sin(delta)
    out = {}
    for pol in ("s", "p"):
        eta = q if pol == "s" else N**2 / q
        eta0 = n0 * np.cos(angle) if pol == "s" else n0 / np.cos(angle)
        M = np.empty(delta.shape + (2, 2), dtype=complex)
        M[..., 0, 0] = cos
        M[..., 0, 1] = -1j * sin / eta[:-1]
        M[..., 1, 0] = -1j * sin * eta[:-1]
        M[..., 1, 1] = cos
        total = M[:, 0]
        for j in range(1, len(d)):
            total = total @ M[:, j]
        B = total[:, 0, 0] + total[:, 0, 1] * eta[-1]
        C = total[:, 1, 0] + total[:, 1, 1] * eta[-1]
        D = eta0 * B + C
        r = (eta0 * B - C) / D
        t = 2 * eta0 / D
        T = 4 * eta0 * eta[-1].real / np.abs(D) ** 2
        if pol == "p":
            r = -r  # Byrnes' sign for p
            t = t * np.cos(angle) / (q[-1] / N[-1])  # tangential E ratio -> amplitude ratio
        out[pol] = (r, t, np.abs(r) ** 2, T)
    return out


def main():
    params = case()
    d = np.array(params["thicknesses"], dtype=float)
    media = np.array([complex(n, k) for n, k in params["indices"]])
    n0, N = media[0].real, media[1:]
    spec = params["wavelengths"]
    wavelengths = spec["start"] + np.arange(spec["count"]) * spec["step"]
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
