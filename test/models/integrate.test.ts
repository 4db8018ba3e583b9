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
} from "../../src/models/memristor/index.js";
import { modelRows } from "./support/models.js";
import { seededRandom, sineSweep } from "./support/waveforms.js";

/** Plain fixed-step RK4 with 1 µs steps (hλ ≤ 1e-2 for these devices): slow, but obviously right away from the bounds. */
function fixedStep<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  x: number,
  v: number,
  dt: number,
) {
  const [lower, upper] = model.stateBounds(p);
  const n = Math.ceil(dt / 1e-6);
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

describe.each(modelRows)("%s", (_id, model) => {
  it("agrees with 1 µs fixed-step RK4 to 1e-8 of the range over a bench sweep (±1 V, 1 Hz, 10 ms holds)", () => {
    const p = model.defaults;
    const [lower, upper] = model.stateBounds(p);
    const sweep = sineSweep(1, 1, 1, 100);
    const { state } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
    let x = model.initialState(p);
    let previous = 0;
    sweep.times.forEach((t, k) => {
      x = fixedStep(model, p, x, sweep.voltages[k] as number, t - previous);
      previous = t;
      expect(Math.abs((state[k] as number) - x)).toBeLessThan(1e-8 * (upper - lower));
    });
  });

  it("predicts a sweep split into chunks exactly as the whole sweep (what the twin relies on)", () => {
    const p = model.defaults;
    const sweep = sineSweep(1.5, 0.5, 2, 100);
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
    const input = { times: new Float64Array([1, 1.02]), voltages: new Float64Array([-1.5, -1.5]), x0 };
    expect(simulate(model, p, input).state[0]).toBe(x0);
    expect(simulate(model, p, { ...input, t0: 0 }).state[0]).toBe(advance(model, p, x0, -1.5, 1));
    expect(advance(model, p, x0, 1.5, 0)).toBe(x0);
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
