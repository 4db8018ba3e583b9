"""NumPy twin of bench/memristor.ts: memristor batches (VTEAM, linear ion drift).

The same computation as the TypeScript reference (src/core/reference/batch.ts
on src/models/memristor/integrate.ts): each step holds its voltage for dt,
integrated by classical RK4 over adaptive substeps with the scheme's
substep rule (portable/scheme.ts: the smallest of the time left, the
1/128-of-the-range state step, h*lambda <= 1 and the 1e-10 local-error
limit, lambda from a one-sided probe towards the interior), every stage and
result projected onto the state bounds, and the hold ending early at an
equilibrium, at a bound the state moves towards, or at a fixed point of the
step map; then the state and the current are recorded.

Written as a NumPy user would: arrays over devices (one column of the
parameter matrix per parameter), a Python loop over the time steps and,
inside it, a loop over substeps on the devices still integrating (the
active set shrinks by fancy indexing as holds end). VTEAM's state speed
depends on the voltage only, so it is computed once per step (as the WASM
kernel does; the generic scheme's five evaluations give the same bits).
np.power stands in for the models' portable `power` (which agrees with it
to ~1e-14 relative), so results agree with the TypeScript reference to
rounding, not bit for bit. A single device runs the same code on arrays of
length 1 (plain Python floats would be a few times faster there; the
WASM kernel is hundreds of times faster either way).

Inputs are regenerated here, not passed: mulberry32 with seed 1, each
device's parameters default * 1.2**(2u - 1) in parameter order, clamped to
the bounds, x0 the model's initial state, voltages 1.2 sin(2 pi (k+1) dt)
(bench/memristor.ts, `batch`).

Joglekar's window runs on the logit state u = ln(x/(1 - x)), as the model
does (src/models/memristor/linear-ion-drift.ts, `logitDrift`): du/dt =
k i R(c), c = x(1 - x), R(c) = (1 - (1 - 4c)^p)/c by log1p and expm1; the
substep's state-step limit is how far u can go while x moves 1/128
(and at most half its depth coming out of an edge), its error limits in u
against 1e-10 of 4 (portable/scheme.ts `stiffnessLength`, both of its
error models), checked at the substep's end as well as at its start.

Case (argv[1], JSON): model ("vteam" | "drift-none" | "drift-joglekar"),
devices, steps (the steps computed and timed: the bench times the
1 x 10^6 shape on fewer steps and scales), dt. Prints the median and a
checksum over the computed steps: [sum of states, sum of |current|,
sum of the last step's states].
"""
import math

import numpy as np

from _timing import case, report

MAX_STATE_STEP = 1.0 / 128.0
MAX_STIFFNESS_STEP = 1.0
LOCAL_ERROR = 1e-10
EDGE_RESOLUTION = 2.220446049250313e-16
PROBE_STEP = 1e-6
LOGIT_BOUND = 700.0
LOGIT_SCALE = 4.0
TAIL_ERROR = 615.0

# (name, default, min, max), in the models' parameter order.
VTEAM = [
    ("rOn", 1e3, 1, 1e9),
    ("rOff", 20e3, 1, 1e12),
    ("wOn", 0, 0, 1e-9),
    ("wOff", 3e-9, 2e-9, 1e-6),
    ("kOn", -5e-9, -1e6, -1e-15),
    ("kOff", 5e-9, 1e-15, 1e6),
    ("alphaOn", 3, 1, 20),
    ("alphaOff", 3, 1, 20),
    ("vOn", -0.5, -10, -1e-3),
    ("vOff", 0.5, 1e-3, 10),
]
DRIFT = [
    ("rOn", 100, 1, 1e7),
    ("rOff", 16e3, 1, 1e9),
    ("thickness", 10e-9, 1e-9, 1e-6),
    ("mobility", 1e-14, 1e-20, 1e-8),
]
WINDOW_EXPONENT = ("windowExponent", 2, 1, 10)


def mulberry32(seed):
    """bench/memristor.ts `seeded`: uniform [0, 1), the same sequence."""
    a = seed & 0xFFFFFFFF

    def random():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = ((a ^ (a >> 15)) * (a | 1)) & 0xFFFFFFFF
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return random


def spread_parameters(specs, devices):
    """{name: array over devices}, drawn device by device as bench/memristor.ts does."""
    random = mulberry32(1)
    rows = [
        [min(hi, max(lo, default * 1.2 ** (2 * random() - 1))) for (_, default, lo, hi) in specs]
        for _ in range(devices)
    ]
    matrix = np.array(rows, dtype=np.float64).reshape(devices, len(specs))
    return {name: matrix[:, j].copy() for j, (name, *_) in enumerate(specs)}


def project(x, lower, upper):
    return np.maximum(lower, np.minimum(upper, x))


def substep_length(remaining, speed, stiffness, span):
    """portable/scheme.ts `substepLength`, elementwise (inf where the stiffness is 0)."""
    return np.minimum(
        np.minimum(remaining, (MAX_STATE_STEP * span) / speed),
        np.minimum(
            MAX_STIFFNESS_STEP / stiffness,
            np.sqrt(np.sqrt((120 * LOCAL_ERROR * span) / (stiffness * stiffness * stiffness * speed))),
        ),
    )


def stiffness_length(speed, stiffness, scale):
    """portable/scheme.ts `stiffnessLength`, elementwise."""
    budget = LOCAL_ERROR * scale
    return np.minimum(
        MAX_STIFFNESS_STEP / stiffness,
        np.minimum(
            np.sqrt(np.sqrt((120 * budget) / (stiffness * stiffness * stiffness * speed))),
            np.sqrt(np.sqrt((TAIL_ERROR * budget) / (stiffness * speed * speed * speed))),
        ),
    )


class Vteam:
    def __init__(self, p):
        self.p = p
        self.lower, self.upper = p["wOn"], p["wOff"]
        self.x0 = p["wOff"].copy()

    def speed(self, v):
        p = self.p
        off = p["kOff"] * np.power(v / p["vOff"] - 1, p["alphaOff"])
        on = p["kOn"] * np.power(v / p["vOn"] - 1, p["alphaOn"])
        return np.where(v > p["vOff"], off, np.where(v < p["vOn"], on, 0.0))

    def current(self, w, v):
        p = self.p
        return v / (p["rOn"] + ((p["rOff"] - p["rOn"]) * (w - p["wOn"])) / (p["wOff"] - p["wOn"]))


class Drift:
    def __init__(self, p, window):
        self.p = p
        self.window = window
        devices = len(p["rOn"])
        self.lower, self.upper = np.zeros(devices), np.ones(devices)
        self.x0 = np.full(devices, 0.1)
        self.k = (p["mobility"] * p["rOn"]) / (p["thickness"] * p["thickness"])

    def dxdt(self, x, v, q):
        """State speed for the devices whose per-device arrays are q (a subset of the batch)."""
        i = v / (q["rOn"] * x + q["rOff"] * (1 - x))
        rate = q["k"] * i
        return rate

    def current(self, x, v):
        return v / (self.p["rOn"] * x + self.p["rOff"] * (1 - x))


class LogitDrift:
    """The linear drift under Joglekar's window on the logit state (see the module doc)."""

    def __init__(self, p):
        self.p = p
        devices = len(p["rOn"])
        self.lower, self.upper = np.full(devices, -LOGIT_BOUND), np.full(devices, LOGIT_BOUND)
        self.x0 = np.full(devices, -math.log(9))
        self.k = (p["mobility"] * p["rOn"]) / (p["thickness"] * p["thickness"])

    @staticmethod
    def memristance(u, e, r_on, r_off):
        return np.where(u >= 0, r_on * (1 - e) + r_off * e, r_on * e + r_off * (1 - e))

    def dxdt(self, u, v, q):
        t = np.exp(-np.abs(u))
        e = t / (1 + t)
        c = e * (1 - e)
        z = 4 * c
        i = v / self.memristance(u, e, q["rOn"], q["rOff"])
        ratio = -np.expm1(q["windowExponent"] * np.log1p(-z)) / c
        return q["k"] * i * ratio

    @staticmethod
    def reach(u, direction, step):
        t = np.exp(-np.abs(u))
        e = t / (1 + t)
        towards = np.where(direction > 0, step, -step)
        x = np.where(u >= 0, 1 - e + towards, e + towards)
        y = np.where(u >= 0, e - towards, 1 - e - towards)
        ok = (x > 0) & (y > 0)
        reach = np.where(ok, np.abs(np.log(np.where(ok, x, 1)) - np.log(np.where(ok, y, 1)) - u), np.inf)
        outward = np.where(u >= 0, direction > 0, direction < 0)
        return np.where(outward, reach, np.minimum(reach, np.maximum(0.5 * np.abs(u), 1)))

    def current(self, u, v):
        t = np.exp(-np.abs(u))
        return v / self.memristance(u, t / (1 + t), self.p["rOn"], self.p["rOff"])


def hold_vteam(model, x, v, dt, span, edge):
    """integrate.ts `holdVoltage` for VTEAM: k1 = k2 = k3 = k4 = the speed, stiffness 0."""
    lower, upper = model.lower, model.upper
    f = model.speed(v)
    idx = np.flatnonzero(~((f == 0) | ((f > 0) & (x >= upper - edge)) | ((f < 0) & (x <= lower + edge))))
    elapsed = np.zeros(idx.size)
    while idx.size:
        xs, k1, lo, up, sp = x[idx], f[idx], lower[idx], upper[idx], span[idx]
        # Stiffness 0: the stiffness and error limits are +inf.
        remaining = dt - elapsed
        h = np.minimum(remaining, (MAX_STATE_STEP * sp) / np.abs(k1))
        nxt = project(xs + (h / 6) * (k1 + 2 * k1 + 2 * k1 + k1), lo, up)
        moved = nxt != xs
        x[idx[moved]] = nxt[moved]
        elapsed = np.where(h == remaining, dt, elapsed + h)
        # Continue where the state moved, time is left, and it is not at the bound it moves towards.
        xs = nxt
        go = moved & (elapsed < dt) & ~(((k1 > 0) & (xs >= up - edge[idx])) | ((k1 < 0) & (xs <= lo + edge[idx])))
        idx, elapsed = idx[go], elapsed[go]
    return x


def hold_generic(model, x, v, dt, span, edge, probe, middle):
    """integrate.ts `holdVoltage` on every device at once, the active set shrinking as holds end."""
    per_device = {"rOn": model.p["rOn"], "rOff": model.p["rOff"], "k": model.k}
    if "windowExponent" in model.p:
        per_device["windowExponent"] = model.p["windowExponent"]
    lower, upper = model.lower, model.upper
    idx = None  # all devices: no gathering on the first pass
    elapsed = np.zeros(x.size)
    while idx is None or idx.size:
        if idx is None:
            xs, q, lo, up, sp, ed, pr, mid = x, per_device, lower, upper, span, edge, probe, middle
        else:
            xs = x[idx]
            q = {name: a[idx] for name, a in per_device.items()}
            lo, up, sp, ed, pr, mid = lower[idx], upper[idx], span[idx], edge[idx], probe[idx], middle[idx]
        k1 = model.dxdt(xs, v, q)
        stop = (k1 == 0) | ((k1 > 0) & (xs >= up - ed)) | ((k1 < 0) & (xs <= lo + ed))
        # The substep is computed on every lane; lanes that stopped are masked out below.
        probed = np.where(xs < mid, xs + pr, xs - pr)
        stiffness = np.abs(model.dxdt(probed, v, q) - k1) / pr
        remaining = dt - elapsed
        if isinstance(model, LogitDrift):
            reach = model.reach(xs, k1, MAX_STATE_STEP)
            first = np.minimum(
                np.minimum(remaining, reach / np.abs(k1)), stiffness_length(np.abs(k1), stiffness, LOGIT_SCALE)
            )
            end = project(xs + first * k1, lo, up)
            k_end = model.dxdt(end, v, q)
            end_probed = np.where(end < mid, end + pr, end - pr)
            end_stiffness = np.abs(model.dxdt(end_probed, v, q) - k_end) / pr
            h = np.minimum(first, stiffness_length(np.abs(k_end), end_stiffness, LOGIT_SCALE))
        else:
            h = substep_length(remaining, np.abs(k1), stiffness, sp)
        k2 = model.dxdt(project(xs + 0.5 * h * k1, lo, up), v, q)
        k3 = model.dxdt(project(xs + 0.5 * h * k2, lo, up), v, q)
        k4 = model.dxdt(project(xs + h * k3, lo, up), v, q)
        nxt = project(xs + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lo, up)
        moved = ~stop & (nxt != xs)
        if idx is None:
            x = np.where(moved, nxt, x)
        else:
            x[idx[moved]] = nxt[moved]
        elapsed = np.where(h == remaining, dt, elapsed + h)
        going = moved & (elapsed < dt)
        idx = np.flatnonzero(going) if idx is None else idx[going]
        elapsed = elapsed[going]
    return x


def simulate(model, volts, dt):
    devices, steps = model.x0.size, volts.size
    states = np.empty((devices, steps))
    currents = np.empty((devices, steps))
    x = model.x0.copy()
    span = model.upper - model.lower
    edge = EDGE_RESOLUTION * span
    probe = PROBE_STEP * span
    middle = model.lower + 0.5 * span
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for k in range(steps):
            v = volts[k]
            if isinstance(model, Vteam):
                x = hold_vteam(model, x, v, dt, span, edge)
            else:
                x = hold_generic(model, x, v, dt, span, edge, probe, middle)
            states[:, k] = x
            currents[:, k] = model.current(x, v)
    return states, currents


def build(name, devices):
    if name == "vteam":
        return Vteam(spread_parameters(VTEAM, devices))
    if name == "drift-joglekar":
        return LogitDrift(spread_parameters(DRIFT + [WINDOW_EXPONENT], devices))
    return Drift(spread_parameters(DRIFT, devices), name.removeprefix("drift-"))


def main():
    params = case()
    devices, steps, dt = int(params["devices"]), int(params["steps"]), float(params["dt"])
    model = build(params["model"], devices)
    volts = np.array([1.2 * math.sin(2 * math.pi * (k + 1) * dt) for k in range(steps)])

    def run():
        return simulate(model, volts, dt)

    states, currents = run()
    report(
        params,
        run,
        checksum=[float(states.sum()), float(np.abs(currents).sum()), float(states[:, -1].sum())],
    )


if __name__ == "__main__":
    main()
