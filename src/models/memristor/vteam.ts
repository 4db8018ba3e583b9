/**
 * VTEAM: voltage threshold adaptive memristor, Kvatinsky, Ramadan, Friedman
 * & Kolodny, "VTEAM: A General Model for Voltage-Controlled Memristors",
 * IEEE Trans. Circuits Syst. II 62(8), 786–790 (2015),
 * doi:10.1109/TCSII.2015.2433536. Its state equation and linear
 * current-voltage relation (we could not check the paper's own equation
 * numbers; equations as given in Biolek, Kolka, Biolková, Biolek &
 * Kvatinsky, "(V)TEAM for SPICE simulation of memristive devices with
 * improved numerical performance", IEEE Access 9, 30242 (2021), eqs. (3)
 * and (1)):
 *
 *   dw/dt = k_off (v/v_off − 1)^α_off f_off(w)   for 0 < v_off < v
 *         = 0                                     for v_on < v < v_off
 *         = k_on (v/v_on − 1)^α_on f_on(w)        for v < v_on < 0
 *
 *   i = v / R(w),  R(w) = R_on + (R_off − R_on)(w − w_on)/(w_off − w_on)
 *
 * with the linear I-V rather than the exponential alternative
 * R(w) = R_on (R_off/R_on)^((w − w_on)/(w_off − w_on)).
 * k_off > 0 and k_on < 0, so a positive voltage beyond v_off drives w
 * towards w_off (high resistance) and a negative one beyond v_on towards
 * w_on (low resistance).
 *
 * Window: the hard clamp w ∈ [w_on, w_off] (f_on = f_off = 1 inside,
 * enforced by the integrator's projection). It is a rectangular window, the
 * kind Biolek et al. (2021) report VTEAM was most often fitted with; as the
 * clamp lets the state leave a bound when the voltage reverses, it is their
 * asymmetric rectangular window (eq. (7) there), without the "stick effect"
 * of the symmetric one. It makes the state speed depend on v only, so
 * that under a held voltage the update w + dt·dw/dt (clamped) is exact for
 * any dt: a device that switches in nanoseconds is integrated correctly with
 * the millisecond holds of a bench sweep.
 *
 * Bounds: w_on ∈ [0, 1 nm] and w_off ∈ [2 nm, 1 µm] are disjoint, so the
 * bounds alone guarantee w_off > w_on and calibration can move both freely.
 *
 * Defaults are chosen for the bench, not taken from a paper: R_on = 1 kΩ,
 * R_off = 20 kΩ, thresholds of ±0.5 V and k = ±5 nm/s with α = 3 switch the
 * 3 nm state fully in ~0.2 s at ±1.2 V (~0.07 s at ±1.5 V), so ±1–1.5 V
 * sweeps at 0.1–10 Hz show a clear pinched loop with visible thresholds
 * (test/models/hysteresis.test.ts). `vteamPublished` is MemTorch's default
 * set, with sub-microsecond switching (see its doc).
 */
import type { ParameterSpec } from "../parameters.js";
import { power, vteamResistance, vteamSpeed } from "./portable/physics.js";
import type { DifferentiableMemristorModel } from "./types.js";

export type VteamParams = {
  rOn: number;
  rOff: number;
  wOn: number;
  wOff: number;
  kOn: number;
  kOff: number;
  alphaOn: number;
  alphaOff: number;
  vOn: number;
  vOff: number;
};

export const vteamParameters: readonly ParameterSpec<keyof VteamParams>[] = [
  { name: "rOn", unit: "Ohm", default: 1e3, min: 1, max: 1e9, meaning: "R_on: resistance at w = w_on" },
  { name: "rOff", unit: "Ohm", default: 20e3, min: 1, max: 1e12, meaning: "R_off: resistance at w = w_off" },
  {
    name: "wOn",
    unit: "m",
    default: 0,
    min: 0,
    max: 1e-9,
    meaning: "w_on: state bound at the low-resistance end",
  },
  {
    name: "wOff",
    unit: "m",
    default: 3e-9,
    min: 2e-9,
    max: 1e-6,
    meaning: "w_off: state bound at the high-resistance end",
  },
  {
    name: "kOn",
    unit: "m/s",
    default: -5e-9,
    min: -1e6,
    max: -1e-15,
    meaning: "k_on: state speed scale below v_on (negative: towards w_on)",
  },
  {
    name: "kOff",
    unit: "m/s",
    default: 5e-9,
    min: 1e-15,
    max: 1e6,
    meaning: "k_off: state speed scale above v_off (positive: towards w_off)",
  },
  {
    name: "alphaOn",
    unit: "1",
    default: 3,
    min: 1,
    max: 20,
    meaning: "alpha_on: nonlinearity of the speed beyond v_on",
  },
  {
    name: "alphaOff",
    unit: "1",
    default: 3,
    min: 1,
    max: 20,
    meaning: "alpha_off: nonlinearity of the speed beyond v_off",
  },
  {
    name: "vOn",
    unit: "V",
    default: -0.5,
    min: -10,
    max: -1e-3,
    meaning: "v_on: negative threshold; no change for v_on < v < v_off",
  },
  {
    name: "vOff",
    unit: "V",
    default: 0.5,
    min: 1e-3,
    max: 10,
    meaning: "v_off: positive threshold; no change for v_on < v < v_off",
  },
];

/**
 * A VTEAM parameter set published in software: the defaults of MemTorch's
 * VTEAM model (memtorch/bh/memristor/VTEAM.py; Lammie et al., "MemTorch: an
 * open-source simulation framework for memristive deep learning systems",
 * Neurocomputing 485, 124–133 (2022)), whose docstring points to the
 * authors' model page, asic2.group/tools/memristor-models. They are not the
 * defaults of the authors' own Verilog-A/MATLAB release there (its
 * Verilog-A, Dec. 2015, defaults to K_off = 8e-13, K_on = −8e-13,
 * α_on = α_off = 3, v_on = −1.78 V, v_off = 0.0115 V, R_on = 100 Ω,
 * R_off = 200 kΩ), and we could not trace them to a fit in the VTEAM paper
 * (whose text we could not check): treat them as MemTorch's choice. Its
 * switching across 3 nm takes ~5 ps (on) to ~0.1 µs (off) at ±1 V
 * (k_on = −10 m/s, k_off = 0.5 mm/s), so at bench time scales it behaves as
 * an ideal threshold switch — the bench defaults above are slower on
 * purpose.
 */
export const vteamPublished: Readonly<VteamParams> = Object.freeze({
  rOn: 50,
  rOff: 1000,
  wOn: 0,
  wOff: 3e-9,
  kOn: -10,
  kOff: 5e-4,
  alphaOn: 3,
  alphaOff: 1,
  vOn: -0.2,
  vOff: 0.02,
});

/** Parameter indices, in `vteamParameters` order. */
const R_ON = 0;
const R_OFF = 1;
const W_ON = 2;
const W_OFF = 3;
const K_ON = 4;
const K_OFF = 5;
const ALPHA_ON = 6;
const ALPHA_OFF = 7;
const V_ON = 8;
const V_OFF = 9;

function resistance(w: number, p: VteamParams): number {
  return vteamResistance(w, p.rOn, p.rOff, p.wOn, p.wOff);
}

export const vteam: DifferentiableMemristorModel<VteamParams> = {
  id: "vteam",
  citation:
    "Kvatinsky et al., IEEE TCAS-II 62(8), 786 (2015), state equation with a clamp window and linear I-V",
  parameters: vteamParameters,
  defaults: Object.freeze(Object.fromEntries(vteamParameters.map((s) => [s.name, s.default])) as VteamParams),
  stateName: "w",
  stateUnit: "m",
  stateBounds: (p) => [p.wOn, p.wOff],
  initialState: (p) => p.wOff,
  resistance,
  current: (w, v, p) => v / resistance(w, p),
  dxdt: (_w, v, p) => vteamSpeed(v, p.kOn, p.kOff, p.alphaOn, p.alphaOff, p.vOn, p.vOff),
  dxdtPartials(_w, v, p, dp) {
    dp.fill(0);
    if (v > p.vOff) {
      const u = v / p.vOff - 1;
      const ua = power(u, p.alphaOff);
      dp[K_OFF] = ua;
      dp[ALPHA_OFF] = p.kOff * ua * Math.log(u);
      dp[V_OFF] = p.kOff * p.alphaOff * power(u, p.alphaOff - 1) * (-v / (p.vOff * p.vOff));
    } else if (v < p.vOn) {
      const u = v / p.vOn - 1;
      const ua = power(u, p.alphaOn);
      dp[K_ON] = ua;
      dp[ALPHA_ON] = p.kOn * ua * Math.log(u);
      dp[V_ON] = p.kOn * p.alphaOn * power(u, p.alphaOn - 1) * (-v / (p.vOn * p.vOn));
    }
    return 0;
  },
  currentPartials(w, v, p, dp) {
    const span = p.wOff - p.wOn;
    const s = (w - p.wOn) / span;
    const r = p.rOn + (p.rOff - p.rOn) * s;
    const di = -v / (r * r);
    dp.fill(0);
    dp[R_ON] = di * (1 - s);
    dp[R_OFF] = di * s;
    dp[W_ON] = (di * (p.rOff - p.rOn) * (w - p.wOff)) / (span * span);
    dp[W_OFF] = (-di * (p.rOff - p.rOn) * (w - p.wOn)) / (span * span);
    return (di * (p.rOff - p.rOn)) / span;
  },
  stateBoundsPartials(_p, lower, upper) {
    lower.fill(0);
    upper.fill(0);
    lower[W_ON] = 1;
    upper[W_OFF] = 1;
  },
};
