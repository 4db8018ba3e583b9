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
 * The models are smooth except at VTEAM's thresholds (the speed's
 * derivative jumps at v = v_on, v_off), at the state bounds (the clamp),
 * and, for Biolek's window, where the current changes sign (where the
 * speed is zero anyway, so nothing jumps). The waveforms avoid the first
 * two: the linear drift states stay inside (0, 1); VTEAM's sample voltages
 * stay ≥ 1 % away from both thresholds (checked below), and in its
 * saturating case the clamp is reached mid-hold, well clear of a sample,
 * so the perturbed runs clamp in the same substeps. w_on is moved off its
 * lower bound of 0 so that it can be perturbed both ways.
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
  vteam,
} from "../../src/models/memristor/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../support/finite-difference.js";
import { sineSweep } from "./support/waveforms.js";

interface Case {
  readonly name: string;
  readonly model: DifferentiableMemristorModel;
  readonly p: Record<string, number>;
  readonly x0: number;
  readonly sweep: ReturnType<typeof sineSweep>;
}

const cases: readonly Case[] = [
  ...[linearIonDriftIdeal, linearIonDriftJoglekar, linearIonDriftBiolek, linearIonDriftProdromakis].map(
    (model): Case => ({
      name: `${model.id}, ±1 V at 1 Hz from x = 0.3`,
      model: model as DifferentiableMemristorModel,
      p: model.defaults,
      x0: 0.3,
      sweep: sineSweep(1, 1, 1, 100),
    }),
  ),
  {
    name: "vteam, ±1.2 V at 1 Hz from w = 2 nm (no clamp)",
    model: vteam as DifferentiableMemristorModel,
    p: { ...vteam.defaults, wOn: 0.2e-9 },
    x0: 2e-9,
    sweep: sineSweep(1.2, 1, 1, 100),
  },
  {
    name: "vteam, ±1.5 V at 0.5 Hz from w = 2 nm (clamped at both ends)",
    model: vteam as DifferentiableMemristorModel,
    p: { ...vteam.defaults, wOn: 0.2e-9 },
    x0: 2e-9,
    sweep: sineSweep(1.5, 0.5, 2, 100),
  },
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

  it("VTEAM waveforms keep every sample ≥ 1 % away from the thresholds", () => {
    for (const c of cases.filter((c) => c.model === (vteam as DifferentiableMemristorModel))) {
      for (const v of c.sweep.voltages) {
        for (const threshold of [c.p.vOn as number, c.p.vOff as number]) {
          expect(Math.abs(v - threshold)).toBeGreaterThan(0.01 * Math.abs(threshold));
        }
      }
    }
  });

  it("the saturating VTEAM case does reach both bounds", () => {
    const c = cases[cases.length - 1] as Case;
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
