/**
 * Each WASM kernel against its TypeScript reference (the model layer's own
 * code), on random batches: to 1e-12 of each output's scale, the contract.
 * They in fact agree to the bit — both compute the physics and the substep
 * rule from the same portable source (src/models/memristor/portable/) with
 * IEEE-exact operations only — and the last test pins that too, because the
 * Joglekar and Prodromakis windows amplify any last-place difference near
 * the film edges.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { BatchInput, LinearIonDriftBatchInput } from "../../src/core/batch.js";
import { loadCore } from "../../src/core/load-node.js";
import { linearIonDriftBatchReference } from "../../src/core/reference/linear-ion-drift.js";
import { vteamBatchReference } from "../../src/core/reference/vteam.js";
import type { BatchViews, Core } from "../../src/core/wasm.js";
import {
  linearIonDriftByWindow,
  type MemristorModel,
  stateAtFraction,
  stateFraction,
  vteam,
  vteamPublished,
  type WindowName,
} from "../../src/models/memristor/index.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/**
 * A random batch: each device's parameters scattered log-uniformly over a
 * factor of 3 around `centre`, random initial states, and per device (or
 * shared) sums of two sines up to ±2 V, so thresholds, bounds and fast and
 * slow holds all occur.
 */
function randomBatch(
  model: MemristorModel,
  centre: Record<string, number>,
  seed: number,
  nDevices: number,
  nSteps: number,
  shared: boolean,
): BatchInput {
  const random = seededRandom(seed);
  const nParams = model.parameters.length;
  const params = new Float64Array(nDevices * nParams);
  const x0 = new Float64Array(nDevices);
  for (let d = 0; d < nDevices; d++) {
    model.parameters.forEach((spec, j) => {
      const value = (centre[spec.name] as number) * 3 ** (2 * random() - 1);
      params[d * nParams + j] = value === 0 ? 0 : Math.min(spec.max, Math.max(spec.min, value));
    });
    const row = Object.fromEntries(
      model.parameters.map((s, j) => [s.name, params[d * nParams + j] as number]),
    );
    x0[d] = stateAtFraction(model, row, random());
  }
  const lanes = shared ? 1 : nDevices;
  const voltages = new Float64Array(lanes * nSteps);
  for (let d = 0; d < lanes; d++) {
    const [a, b, f, g] = [2 * random(), random(), 0.05 + 0.2 * random(), 0.3 * random()];
    for (let k = 0; k < nSteps; k++) voltages[d * nSteps + k] = a * Math.sin(f * k) + b * Math.sin(g * k + 1);
  }
  return { params, x0, voltages, nSteps, dt: 10 ** (-4 + 3 * random()) };
}

function expectClose(
  views: BatchViews,
  reference: { state: Float64Array; current: Float64Array },
  nDevices: number,
  nSteps: number,
) {
  expect(views.state.shape).toEqual([nDevices, nSteps]);
  for (const [view, expected] of [
    [views.state, reference.state],
    [views.current, reference.current],
  ] as const) {
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (let d = 0; d < nDevices; d++) {
      for (let k = 0; k < nSteps; k++) {
        const difference = Math.abs(view.get(d, k) - (expected[d * nSteps + k] as number));
        if (!(difference <= 1e-12 * scale)) {
          expect.fail(`[${d}, ${k}]: WASM ${view.get(d, k)} vs reference ${expected[d * nSteps + k]}`);
        }
      }
    }
  }
}

const seeds = [1, 2, 3];

describe("vteamBatch", () => {
  it.each(seeds.flatMap((seed) => [[seed, "per-device"] as const, [seed, "shared"] as const]))(
    "matches the reference on random batch %i with %s voltages (bench defaults)",
    (seed, voltages) => {
      const input = randomBatch(vteam, vteam.defaults, seed, 9, 300, voltages === "shared");
      expectClose(core.vteamBatch(input), vteamBatchReference(input), 9, 300);
    },
  );

  it("matches the reference with the published (nanosecond) parameters", () => {
    const input = randomBatch(vteam, vteamPublished, 4, 5, 300, false);
    expectClose(core.vteamBatch(input), vteamBatchReference(input), 5, 300);
  });
});

const windows: readonly WindowName[] = ["none", "joglekar", "biolek", "prodromakis"];

describe.each(windows)("linearIonDriftBatch, window %s", (window) => {
  const model = linearIonDriftByWindow[window];
  it.each(seeds.flatMap((seed) => [[seed, "per-device"] as const, [seed, "shared"] as const]))(
    "matches the reference on random batch %i with %s voltages",
    (seed, voltages) => {
      const input: LinearIonDriftBatchInput = {
        ...randomBatch(model, model.defaults, seed, 7, 200, voltages === "shared"),
        window,
      };
      expectClose(core.linearIonDriftBatch(input), linearIonDriftBatchReference(input), 7, 200);
    },
  );
});

describe("bit for bit", () => {
  const cases = [
    ["vteamBatch", vteam, vteam.defaults, (i: BatchInput) => core.vteamBatch(i), vteamBatchReference],
    [
      "vteamBatch, published",
      vteam,
      vteamPublished,
      (i: BatchInput) => core.vteamBatch(i),
      vteamBatchReference,
    ],
    ...windows.map(
      (window) =>
        [
          `linearIonDriftBatch, ${window}`,
          linearIonDriftByWindow[window],
          linearIonDriftByWindow[window].defaults,
          (i: BatchInput) => core.linearIonDriftBatch({ ...i, window }),
          (i: BatchInput) => linearIonDriftBatchReference({ ...i, window }),
        ] as const,
    ),
  ] as const;
  const withVoltages = cases.flatMap(([name, ...rest]) =>
    (["per-device", "shared"] as const).map(
      (voltages) => [`${name}, ${voltages} voltages`, ...rest, voltages] as const,
    ),
  );
  it.each(withVoltages)(
    "%s: equals its reference exactly on a 21 × 500 random batch that reaches the edges",
    (_name, model, centre, run, reference, voltages) => {
      // 21: the linear-ion-drift kernel runs devices in pairs and an odd last one alone.
      const input = randomBatch(model as MemristorModel, centre, 42, 21, 500, voltages === "shared");
      const views = run(input);
      const expected = reference(input);
      let differing = 0;
      let atEdges = 0;
      for (let n = 0; n < expected.state.length; n++) {
        if (views.state.data[n] !== expected.state[n] || views.current.data[n] !== expected.current[n]) {
          differing++;
        }
        const nParams = model.parameters.length;
        const d = Math.floor(n / 500);
        const row = Object.fromEntries(
          model.parameters.map((s, j) => [s.name, input.params[d * nParams + j]]),
        );
        // Within 1e-9 of an edge of the physical range (the logit windows' state goes far deeper).
        const x = stateFraction(
          model as MemristorModel,
          row as Record<string, number>,
          expected.state[n] as number,
        );
        if (Math.min(x, 1 - x) < 1e-9) atEdges++;
      }
      expect(differing).toBe(0);
      expect(atEdges).toBeGreaterThan(100);
    },
  );
});

describe("batch validation, the same on both sides", () => {
  const good = (): BatchInput => randomBatch(vteam, vteam.defaults, 9, 2, 10, false);
  it.each([
    ["a parameter out of its bounds", (b: BatchInput) => b.params.set([-1], 0), ParameterRangeError],
    ["an initial state outside the bounds", (b: BatchInput) => b.x0.set([1], 0), RangeError],
    [
      "a voltage array of the wrong length",
      (b: BatchInput) => ({ ...b, voltages: b.voltages.subarray(1) }),
      RangeError,
    ],
    [
      "a parameter array of the wrong length",
      (b: BatchInput) => ({ ...b, params: b.params.subarray(1) }),
      RangeError,
    ],
    ["a negative dt", (b: BatchInput) => ({ ...b, dt: -1 }), RangeError],
    ["a non-finite voltage", (b: BatchInput) => b.voltages.set([Number.NaN], 3), RangeError],
  ] as const)("refuses %s", (_what, spoil, error) => {
    const input = good();
    const spoilt = (spoil(input) as BatchInput | undefined) ?? input;
    expect(() => core.vteamBatch(spoilt)).toThrow(error);
    expect(() => vteamBatchReference(spoilt)).toThrow(error);
  });

  it("refuses an unknown window name", () => {
    const input = {
      ...randomBatch(linearIonDriftByWindow.none, linearIonDriftByWindow.none.defaults, 1, 1, 5, true),
    };
    expect(() => core.linearIonDriftBatch({ ...input, window: "hann" as WindowName })).toThrow(
      /unknown window/,
    );
  });

  it("runs empty batches", () => {
    const empty = {
      params: new Float64Array(0),
      x0: new Float64Array(0),
      voltages: new Float64Array(0),
      nSteps: 0,
      dt: 1e-3,
    };
    expect(core.vteamBatch(empty).state.size).toBe(0);
    const noSteps = { ...good(), voltages: new Float64Array(0), nSteps: 0 };
    expect(core.vteamBatch(noSteps).state.shape).toEqual([2, 0]);
  });
});
