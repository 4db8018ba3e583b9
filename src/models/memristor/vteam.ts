/**
 * VTEAM: voltage threshold adaptive memristor, Kvatinsky, Ramadan, Friedman
 * & Kolodny, IEEE Trans. Circuits Syst. II 62(8), 786 (2015):
 *
 *   dw/dt = k_off (v/v_off − 1)^α_off f_off(w)   for 0 < v_off < v
 *         = 0                                     for v_on < v < v_off
 *         = k_on (v/v_on − 1)^α_on f_on(w)        for v < v_on < 0       (1)
 *
 *   i = v / R(w),  R(w) = R_on + (R_off − R_on)(w − w_on)/(w_off − w_on)   (2)
 *
 * with the paper's linear I-V (2) rather than its exponential alternative.
 * k_off > 0 and k_on < 0, so a positive voltage beyond v_off drives w
 * towards w_off (high resistance) and a negative one beyond v_on towards
 * w_on (low resistance).
 *
 * Window: the hard clamp w ∈ [w_on, w_off] (f_on = f_off = 1 inside,
 * enforced by the integrator's projection). It is one of the windows the
 * paper allows, and the one that makes the state speed depend on v only, so
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
 * (test/models/hysteresis.test.ts). `vteamPublished` is a published set with
 * nanosecond switching (see its doc).
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
 * A published VTEAM parameter set: the one MemTorch ships as its VTEAM
 * defaults (Lammie et al., "MemTorch", Neurocomputing 485, 124 (2022);
 * memtorch/bh/memristor/VTEAM.py), which follows the authors' Verilog-A
 * VTEAM release. It is not a fit from the paper's own tables, which we
 * could not check here. Its switching takes nanoseconds (k_off = 0.5 mm/s
 * over 3 nm), so at bench time scales it behaves as an ideal threshold
 * switch — the bench defaults above are slower on purpose.
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
    "Kvatinsky et al., IEEE TCAS-II 62(8), 786 (2015), eq. (1) with a clamp window and linear I-V eq. (2)",
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
