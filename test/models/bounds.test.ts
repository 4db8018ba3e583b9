/**
 * The state never leaves its bounds and the numbers stay finite, for long,
 * large drives and for parameter sets drawn across the whole declared box
 * (which includes devices that switch in nanoseconds: the integrator must
 * cope with them at millisecond holds).
 */
import { describe, expect, it } from "vitest";
import {
  type MemristorModel,
  simulate,
  stateFraction,
  vteam,
  vteamPublished,
} from "../../src/models/memristor/index.js";
import { modelRows } from "./support/models.js";
import { seededRandom } from "./support/waveforms.js";

/** Random ±amplitude voltage steps held 20 ms each. */
function randomSteps(random: () => number, amplitude: number, n: number) {
  const times = Float64Array.from({ length: n }, (_, k) => 0.02 * (k + 1));
  const voltages = Float64Array.from({ length: n }, () => amplitude * (2 * random() - 1));
  return { times, voltages, t0: 0 };
}

/** A parameter set drawn log-uniformly (uniformly where a bound is 0 or signs differ) inside the declared bounds. */
function drawParameters(model: MemristorModel, random: () => number): Record<string, number> {
  return Object.fromEntries(
    model.parameters.map((spec) => {
      const logUniform = spec.min * spec.max > 0;
      const u = random();
      const value = logUniform
        ? Math.sign(spec.min) *
          Math.exp(Math.log(Math.abs(spec.min)) * (1 - u) + Math.log(Math.abs(spec.max)) * u)
        : spec.min + (spec.max - spec.min) * u;
      return [spec.name, Math.min(spec.max, Math.max(spec.min, value))];
    }),
  );
}

function expectInBounds(
  model: MemristorModel,
  p: Record<string, number>,
  state: Float64Array,
  current: Float64Array,
) {
  const [lower, upper] = model.stateBounds(p);
  for (let k = 0; k < state.length; k++) {
    expect(state[k]).toBeGreaterThanOrEqual(lower);
    expect(state[k]).toBeLessThanOrEqual(upper);
    expect(Number.isFinite(current[k])).toBe(true);
  }
}

describe.each(modelRows)("%s", (_id, model) => {
  it.each([1.5, 5, 20])(
    "stays in bounds over 2000 random ±%s V steps of 20 ms with its defaults",
    (amplitude) => {
      const p = model.defaults;
      const drive = randomSteps(seededRandom(7), amplitude, 2000);
      const { state, current } = simulate(model, p, { ...drive, x0: model.initialState(p) });
      expectInBounds(model, p, state, current);
      // Large drives come near both ends of the (physical) range, so the bounds were tested.
      if (amplitude >= 5) {
        const fractions = state.map((s) => stateFraction(model, p, s));
        expect(Math.min(...fractions)).toBeLessThan(0.1);
        expect(Math.max(...fractions)).toBeGreaterThan(0.9);
      }
    },
  );

  it("stays in bounds for 20 parameter sets drawn across the declared box, under ±10 V steps", () => {
    const random = seededRandom(11);
    for (let draw = 0; draw < 20; draw++) {
      const p = drawParameters(model, random);
      const drive = randomSteps(random, 10, 200);
      const { state, current } = simulate(model, p, { ...drive, x0: model.initialState(p) });
      expectInBounds(model, p, state, current);
    }
  });
});

it("VTEAM with the published (nanosecond) parameters stays in bounds and switches fully each 20 ms step beyond threshold", () => {
  const drive = randomSteps(seededRandom(3), 1.5, 500);
  const { state, current } = simulate(vteam, vteamPublished, {
    ...drive,
    x0: vteam.initialState(vteamPublished),
  });
  expectInBounds(vteam, vteamPublished, state, current);
  for (let k = 0; k < state.length; k++) {
    const v = drive.voltages[k] as number;
    if (v > 2 * vteamPublished.vOff) expect(state[k]).toBe(vteamPublished.wOff);
    if (v < 2 * vteamPublished.vOn) expect(state[k]).toBe(vteamPublished.wOn);
  }
});
