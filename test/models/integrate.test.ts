/** The integration scheme (src/models/memristor/integrate.ts): accurate, bounded in work, and consistent under chunking. */
import { describe, expect, it } from "vitest";
import {
  advance,
  linearIonDriftBiolek,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  type MemristorModel,
  project,
  simulate,
  vteam,
  vteamPublished,
  yakopcic,
} from "../../src/models/memristor/index.js";
import { modelRows } from "./support/models.js";
import { seededRandom, sineSweep } from "./support/waveforms.js";

/**
 * Plain RK4 with fixed steps no longer than `step` (hλ ≤ 1e-2 for these
 * devices at 1e-6 of their sweep's period): slow, but obviously right away
 * from the bounds, and across Yakopcic's kinks too, where its error grows as
 * step² only (~1e-12 of the range at that step).
 */
function fixedStep<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  x: number,
  v: number,
  dt: number,
  step: number,
) {
  const [lower, upper] = model.stateBounds(p);
  const n = Math.ceil(dt / step);
  const h = dt / n;
  const f = (y: number) => model.dxdt(project(y, lower, upper), v, p);
  for (let s = 0; s < n; s++) {
    const k1 = f(x);
    const k2 = f(x + 0.5 * h * k1);
    const k3 = f(x + 0.5 * h * k2);
    const k4 = f(x + h * k3);
    x = project(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lower, upper);
  }
  return x;
}

/** The model with its dxdt calls counted. */
function counting<P extends Record<string, number>>(model: MemristorModel<P>) {
  const counter = { calls: 0, model: { ...model } };
  counter.model.dxdt = (x, v, p) => {
    counter.calls++;
    return model.dxdt(x, v, p);
  };
  return counter;
}

describe.each(modelRows)("%s", (_id, model, { amplitude, frequency }) => {
  it("agrees with fixed-step RK4 (steps of 1e-6 of the period) to 1e-8 of the range over its characteristic sweep, 100 holds a period", () => {
    const p = model.defaults;
    // The physical range: a logit state (Joglekar, Prodromakis) errs by 1e-8 of the scale worth the range of x.
    const [lower, upper] = model.stateBounds(p);
    const range = model.stateScale ?? upper - lower;
    const sweep = sineSweep(amplitude, frequency, 1, 100);
    const { state } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
    let x = model.initialState(p);
    let previous = 0;
    sweep.times.forEach((t, k) => {
      x = fixedStep(model, p, x, sweep.voltages[k] as number, t - previous, 1e-6 / frequency);
      previous = t;
      expect(Math.abs((state[k] as number) - x)).toBeLessThan(1e-8 * range);
    });
  });

  it("predicts a sweep split into chunks exactly as the whole sweep (what the twin relies on)", () => {
    const p = model.defaults;
    const sweep = sineSweep(1.5 * amplitude, 0.5 * frequency, 2, 100);
    const whole = simulate(model, p, { ...sweep, x0: model.initialState(p) });
    let x0 = model.initialState(p);
    let t0 = 0;
    for (const [from, to] of [
      [0, 37],
      [37, 38],
      [38, 200],
    ] as const) {
      const times = sweep.times.subarray(from, to);
      const part = simulate(model, p, { times, voltages: sweep.voltages.subarray(from, to), t0, x0 });
      expect(part.state).toEqual(whole.state.subarray(from, to));
      expect(part.current).toEqual(whole.current.subarray(from, to));
      x0 = part.state[part.state.length - 1] as number;
      t0 = times[times.length - 1] as number;
    }
  });

  it("evolves nothing before the first sample unless t0 is given", () => {
    const p = model.defaults;
    const x0 = model.initialState(p);
    const [period, v] = [1 / frequency, -1.5 * amplitude];
    const times = new Float64Array([period, 1.02 * period]);
    const input = { times, voltages: new Float64Array([v, v]), x0 };
    expect(simulate(model, p, input).state[0]).toBe(x0);
    const moved = advance(model, p, x0, v, period);
    expect(moved).not.toBe(x0);
    expect(simulate(model, p, { ...input, t0: 0 }).state[0]).toBe(moved);
    expect(advance(model, p, x0, -v, 0)).toBe(x0);
  });
});

describe("work per hold", () => {
  it.each([
    ["Strukov device, 50 ms", linearIonDriftIdeal, linearIonDriftIdeal.defaults, 0.05],
    [
      "Joglekar, 1e4× faster drift, 50 ms",
      linearIonDriftJoglekar,
      { ...linearIonDriftJoglekar.defaults, mobility: 1e-10 },
      0.05,
    ],
    [
      "Biolek, fastest corner of the box, 50 ms",
      linearIonDriftBiolek,
      { ...linearIonDriftBiolek.defaults, mobility: 1e-8, thickness: 1e-9, windowExponent: 10 },
      0.05,
    ],
    ["published VTEAM (ns switching), 1 s", vteam, vteamPublished, 1],
    ["Yakopcic (ms switching, substeps ending at its kinks), 1 s", yakopcic, yakopcic.defaults, 1],
  ] as const)("is bounded by the state range, not by dt or device speed: %s", (_name, model, p, dt) => {
    const counter = counting(model as MemristorModel);
    const random = seededRandom(2);
    const [lower, upper] = model.stateBounds(p as never);
    let x = model.initialState(p as never);
    let worst = 0;
    for (let hold = 0; hold < 100; hold++) {
      const before = counter.calls;
      x = advance(counter.model, p as never, x, 3 * (2 * random() - 1), dt);
      worst = Math.max(worst, counter.calls - before);
      expect(x).toBeGreaterThanOrEqual(lower);
      expect(x).toBeLessThanOrEqual(upper);
    }
    // ≤ 5 evaluations per substep; a few hundred substeps cross the whole range.
    expect(worst).toBeLessThan(10_000);
  });
});
