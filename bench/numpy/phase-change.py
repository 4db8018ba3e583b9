"""NumPy twin of bench/phase-change.ts: a batch of phase-change cells.

The step of src/models/phase-change/portable/cell.ts (exact lumped heat
balance, JMAK progress by the logarithmic-mean rule above T_x, melt-quench
at T_m), written as a NumPy user writes it: every quantity for every cell
at once, branches as boolean masks and np.where (so each branch's
arithmetic is done for all cells and the right one picked), a Python loop
over steps only; X is converted to the Avrami progress and back only for
the cells that can crystallise (those starting or settling above T_x), as
the kernels convert only the cells that do. Like the WASM kernel it checks the inputs (every
temperature finite and > 0, fraction in [0, 1], power finite and >= 0) and
takes Θ^n and its root by products, cbrt and sqrt for n = 2, 3, 4.

Case (argv[1], JSON): params (the model's parameter object), cells,
steps, dt; the inputs are the same low-discrepancy sequences as the
TypeScript side (cell c: T0 = 280 + 720 frac(c a1), X0 = frac(c a2),
P = 2 P_melt frac(c a3)^2, each c*a one IEEE multiplication), or "calls"
and "cell" ([T0, X0, P]) for the single-cell case (one cell as one-element
arrays, one step per call). Prints the median
and a checksum: the sums of the final temperatures and fractions.
"""
import numpy as np

from _timing import case, report

BOLTZMANN = 1.380649e-23
A1, A2, A3 = 0.6180339887498949, 0.41421356237309515, 0.7320508075688772


def frac(c, a):
    x = c * a
    return x - np.floor(x)


def inputs(p, cells):
    c = np.arange(cells, dtype=np.float64)
    melt = (p["meltingTemperature"] - p["ambientTemperature"]) / p["thermalResistance"]
    return 280 + 720 * frac(c, A1), frac(c, A2), 2 * melt * frac(c, A3) ** 2


def run_cells(p, t0, x0, power, steps, dt):
    tau = p["thermalResistance"] * p["heatCapacity"]
    decay = np.exp(-dt / tau)
    act = p["activationEnergy"] / BOLTZMANN
    tx, tm, nu, n = p["crystallisationTemperature"], p["meltingTemperature"], p["prefactor"], p["avramiExponent"]
    # The inputs the WASM kernel refuses (it checks every cell as it reads it).
    if not (np.all((t0 > 0) & np.isfinite(t0)) and np.all((x0 >= 0) & (x0 <= 1))):
        raise ValueError("temperature not finite and > 0, or fraction outside [0, 1]")
    if not np.all((power >= 0) & np.isfinite(power)):
        raise ValueError("power not finite and >= 0")
    steady = p["ambientTemperature"] + power * p["thermalResistance"]
    t = t0
    # Only cells that start or settle above T_x can crystallise: convert X to
    # the Avrami progress for those alone (the kernels convert lazily, per
    # cell, and never for a cell that stays cold); the rest keep X0 exactly.
    warm = (t0 > tx) | (steady > tx)
    progress = np.zeros_like(x0)
    progress[warm] = avrami_root(-np.log1p(-x0[warm]), n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(steps):
            t1 = steady + (t - steady) * decay
            molten_end = t1 >= tm
            melted_start = (t >= tm) & ~molten_end
            start = np.where(melted_start, tau * np.log((t - steady) / (tm - steady)), 0.0)
            ta = np.where(melted_start, tm, t)
            base = np.where(melted_start, 0.0, progress)
            cold = (ta <= tx) & (t1 <= tx)
            crossing = tau * np.log((t - steady) / (tx - steady))
            heating = (ta <= tx) & ~cold
            cooling = (ta > tx) & (t1 <= tx)
            start = np.where(heating, crossing, start)
            ta = np.where(heating, tx, ta)
            end = np.where(cooling, crossing, dt)
            tb = np.where(cooling, tx, t1)
            ka = nu * np.exp(-act / ta)
            delta = act * (tb - ta) / (ta * tb)
            factor = np.where(delta == 0, 1.0, np.expm1(delta) / delta)
            grown = base + (end - start) * ka * factor
            progress = np.where(molten_end, 0.0, np.where(cold, base, grown))
            t = t1
    fraction = x0.copy()
    fraction[warm] = -np.expm1(-avrami_power(progress[warm], n))
    return t, fraction


# Θ^n and its inverse as the WASM kernel computes them: products, cbrt and
# sqrt for the whole exponents 2-4 (GST's n = 3), pow otherwise.
def avrami_power(progress, n):
    if n == 3:
        return progress * progress * progress
    if n == 2:
        return progress * progress
    if n == 4:
        square = progress * progress
        return square * square
    return progress**n


def avrami_root(value, n):
    if n == 3:
        return np.cbrt(value)
    if n == 2:
        return np.sqrt(value)
    if n == 4:
        return np.sqrt(np.sqrt(value))
    return value ** (1 / n)


def main():
    params = case()
    p = params["params"]
    if "calls" in params:
        t0, x0, power = (np.array([v], dtype=np.float64) for v in params["cell"])
        calls = int(params["calls"])
        result = {}

        def run():
            for _ in range(calls):
                result["out"] = run_cells(p, t0, x0, power, 1, params["dt"])

        run()
        t, x = result["out"]
        report(params, run, calls=calls, checksum=[float(t.sum()), float(x.sum())])
        return
    t0, x0, power = inputs(p, int(params["cells"]))
    result = {}

    def run():
        result["out"] = run_cells(p, t0, x0, power, int(params["steps"]), params["dt"])

    run()
    t, x = result["out"]
    report(params, run, checksum=[float(t.sum()), float(x.sum())])


main()
