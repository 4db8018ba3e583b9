/**
 * simulateWithGradient against central finite differences, for every
 * parameter of every model.
 *
 * The finite difference is Richardson-extrapolated from steps of 1e-4 and
 * 5e-5 of the parameter's value (error O(h⁴), so truncation is ~1e-14 and
 * rounding ~1e-12 of the gradient), and compared entry by entry:
 * |analytic_k − FD_k| ≤ 1e-6 · max(|analytic_k|, floor), the floor being
 * the FD's rounding-noise level (roundingFloor in
 * test/support/finite-difference.ts), so that samples where a gradient
 * crosses zero do not make a relative test meaningless.
 *
 * The models are smooth except at VTEAM's and Yakopcic's thresholds (the
 * speed's derivative jumps at v = v_on, v_off and V_p, −V_n), at the state
 * bounds (the clamp), for Biolek's window where the current changes sign
 * (where the speed is zero anyway, so nothing jumps), and at the kinks of
 * Yakopcic's motion function in x (x_p, 1 − x_n), which the integrator
 * steps over in substeps of their own (src/models/memristor/integrate.ts).
 * The waveforms avoid the first two: the linear drift and Yakopcic states
 * stay inside their bounds; the sample voltages stay ≥ 1 % away from every
 * threshold (checked below); and in VTEAM's saturating case the clamp is
 * reached mid-hold, well clear of a sample, so the perturbed runs clamp in
 * the same substeps. w_on is moved off its lower bound of 0 so that it can
 * be perturbed both ways. Yakopcic's two cases, under its characteristic
 * sweep, start below x_p (and cross both kinks) and above 1 − x_n (and
 * reach x = 0.79).
 */
import { describe, expect, it } from "vitest";
import {
  type DifferentiableMemristorModel,
  linearIonDriftBiolek,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
  simulate,
  simulateWithGradient,
  stateAtFraction,
  vteam,
  yakopcic,
} from "../../src/models/memristor/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../support/finite-difference.js";
import { allModels, characteristicSweep } from "./support/models.js";
import { sineSweep } from "./support/waveforms.js";

interface Case {
  readonly name: string;
  readonly model: DifferentiableMemristorModel;
  readonly p: Record<string, number>;
  readonly x0: number;
  readonly sweep: ReturnType<typeof sineSweep>;
  /** Voltages at which the speed's derivative jumps, V. */
  readonly thresholds?: readonly number[];
}

const yakopcicSweep = characteristicSweep(yakopcic as DifferentiableMemristorModel);

const cases: readonly Case[] = [
  ...[linearIonDriftIdeal, linearIonDriftJoglekar, linearIonDriftBiolek, linearIonDriftProdromakis].map(
    (model): Case => ({
      name: `${model.id}, ±1 V at 1 Hz from x = 0.3`,
      model: model as DifferentiableMemristorModel,
      p: model.defaults,
      x0: stateAtFraction(model as DifferentiableMemristorModel, model.defaults, 0.3),
      sweep: sineSweep(1, 1, 1, 100),
    }),
  ),
  {
    name: "vteam, ±1.2 V at 1 Hz from w = 2 nm (no clamp)",
    model: vteam as DifferentiableMemristorModel,
    p: { ...vteam.defaults, wOn: 0.2e-9 },
    x0: 2e-9,
    sweep: sineSweep(1.2, 1, 1, 100),
    thresholds: [vteam.defaults.vOn, vteam.defaults.vOff],
  },
  {
    name: "vteam, ±1.5 V at 0.5 Hz from w = 2 nm (clamped at both ends)",
    model: vteam as DifferentiableMemristorModel,
    p: { ...vteam.defaults, wOn: 0.2e-9 },
    x0: 2e-9,
    sweep: sineSweep(1.5, 0.5, 2, 100),
    thresholds: [vteam.defaults.vOn, vteam.defaults.vOff],
  },
  ...[0.11, 0.7].map(
    (x0): Case => ({
      name: `yakopcic, ±${yakopcicSweep.amplitude} V at ${yakopcicSweep.frequency} Hz from x = ${x0} (across its kinks)`,
      model: yakopcic as DifferentiableMemristorModel,
      p: yakopcic.defaults,
      x0,
      sweep: sineSweep(yakopcicSweep.amplitude, yakopcicSweep.frequency, 2, 100),
      thresholds: [yakopcic.defaults.vp, -yakopcic.defaults.vn],
    }),
  ),
];

function finiteDifference(c: Case, name: string): Float64Array {
  const value = c.p[name] as number;
  return centralDifferenceVector(
    (x) => simulate(c.model, { ...c.p, [name]: x }, { ...c.sweep, x0: c.x0 }).current,
    value,
    1e-4 * Math.abs(value),
  );
}

const rows = cases.flatMap((c) => c.model.parameters.map((spec, j) => [c.name, spec.name, c, j] as const));

describe("∂current/∂p from simulateWithGradient", () => {
  it.each(rows)("%s: %s matches finite differences to 1e-6", (_case, name, c, j) => {
    const { state, current, gradient } = simulateWithGradient(c.model, c.p, { ...c.sweep, x0: c.x0 });
    const plain = simulate(c.model, c.p, { ...c.sweep, x0: c.x0 });
    expect(state).toEqual(plain.state);
    expect(current).toEqual(plain.current);
    const analytic = gradient[j] as Float64Array;
    const numeric = finiteDifference(c, name);
    const scale = Math.max(...analytic.map(Math.abs));
    // Non-negligible: |∂i/∂ln p| exceeds 1e-6 of the peak current on this waveform.
    expect(scale * Math.abs(c.p[name] as number)).toBeGreaterThan(1e-6 * Math.max(...current.map(Math.abs)));
    const floor = roundingFloor(current, 1e-4 * Math.abs(c.p[name] as number), 1e-6);
    expect(entrywiseRelativeError(analytic, numeric, floor)).toBeLessThanOrEqual(1e-6);
  });

  it("covers every model of the shared list", () => {
    expect(new Set(cases.map((c) => c.model))).toEqual(new Set(allModels));
  });

  it("keeps every sample ≥ 1 % away from the thresholds", () => {
    for (const c of cases) {
      for (const v of c.sweep.voltages) {
        for (const threshold of c.thresholds ?? []) {
          expect(Math.abs(v - threshold)).toBeGreaterThan(0.01 * Math.abs(threshold));
        }
      }
    }
  });

  it("the Yakopcic cases stay inside (0, 1) and, between them, cross both kinks of the motion function", () => {
    const p = yakopcic.defaults;
    const states = cases
      .filter((c) => c.model === (yakopcic as DifferentiableMemristorModel))
      .map((c) => simulate(c.model, c.p, { ...c.sweep, x0: c.x0 }).state);
    for (const kink of [p.xp, 1 - p.xn]) {
      expect(states.some((state) => Math.min(...state) < kink && Math.max(...state) > kink)).toBe(true);
    }
    for (const x of states.flatMap((state) => [...state])) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });

  it("the saturating VTEAM case does reach both bounds", () => {
    const c = cases.find((c) => c.name.includes("clamped")) as Case;
    const { state } = simulate(c.model, c.p, { ...c.sweep, x0: c.x0 });
    expect(Math.min(...state)).toBe(c.p.wOn);
    expect(Math.max(...state)).toBe(c.p.wOff);
  });

  it("carries a given ∂x0/∂p: with x0 = w_off tied to w_off, the current stops depending on w_off", () => {
    const p = vteam.defaults;
    const sweep = sineSweep(0.4, 1, 1, 20); // below both thresholds: the state never moves
    const wOff = vteam.parameters.findIndex((s) => s.name === "wOff");
    const x0Gradient = vteam.parameters.map((_, j) => (j === wOff ? 1 : 0));
    const free = simulateWithGradient(vteam, p, { ...sweep, x0: p.wOff }).gradient[wOff] as Float64Array;
    const tied = simulateWithGradient(vteam, p, { ...sweep, x0: p.wOff, x0Gradient }).gradient[
      wOff
    ] as Float64Array;
    // At w = w_off the resistance is R_off whatever w_off is; with x0 fixed, moving w_off moves R.
    const scale = Math.max(...free.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (const g of tied) expect(Math.abs(g)).toBeLessThan(1e-12 * scale);
  });
});
