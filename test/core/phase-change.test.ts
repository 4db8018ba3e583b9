/**
 * The `phaseChangeBatch` WASM kernel against its TypeScript reference on
 * random batches, each output to 1e-12 of itself (they run the same
 * portable step; only the last bits of exp/log/pow may differ between the
 * engines), and the reference against the model's own `simulateCell`; the
 * single-cell sampler against the model's `stepCell`, likewise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type PhaseChangeExports,
  phaseChangeBatch,
  phaseChangeSampler,
} from "../../src/core/kernels/phase-change.js";
import { loadCore } from "../../src/core/load-node.js";
import {
  cellParameterRow,
  type PhaseChangeBatchInput,
  phaseChangeBatchReference,
} from "../../src/core/reference/phase-change.js";
import type { Core } from "../../src/core/wasm.js";
import { BOLTZMANN, ELECTRONVOLT } from "../../src/models/constants.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { cellDefaults, simulateCell, stepCell } from "../../src/models/phase-change/index.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/**
 * Random cells from amorphous to crystalline and 280–1000 K, with powers
 * from off to twice what melts a cell, held or flickering per step: every
 * branch of the step (cold, crystallising, crossing T_x, melting,
 * quenching) occurs.
 */
function randomBatch(seed: number, nCells: number, nSteps: number, perStep: boolean): PhaseChangeBatchInput {
  const random = seededRandom(seed);
  const melt =
    (cellDefaults.meltingTemperature - cellDefaults.ambientTemperature) / cellDefaults.thermalResistance;
  const temperature = Float64Array.from({ length: nCells }, () => 280 + 720 * random());
  const fraction = Float64Array.from({ length: nCells }, () => (random() < 0.2 ? 0 : random()));
  const base = Float64Array.from({ length: nCells }, () => (random() < 0.3 ? 0 : 2 * melt * random()));
  // Per step: each cell's power flickers ±20 % around its own level.
  const powers = perStep
    ? Float64Array.from(
        { length: nCells * nSteps },
        (_, k) => (base[Math.floor(k / nSteps)] as number) * (0.8 + 0.4 * random()),
      )
    : base;
  return { params: cellDefaults, temperature, fraction, powers, nSteps, dt: 10 ** (-9.5 + 1.5 * random()) };
}

/** |a − e| ≤ 1e-12·|e|: relative, element by element (an exact 0 must stay 0). */
const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-12 * Math.abs(expected);

function expectClose(actual: ArrayLike<number>, expected: Float64Array) {
  for (let c = 0; c < expected.length; c++) {
    if (!close(actual[c] as number, expected[c] as number))
      expect.fail(`cell ${c}: WASM ${actual[c]} vs reference ${expected[c]}`);
  }
}

describe("phaseChangeBatch", () => {
  it.each([1, 2, 3].flatMap((seed) => [[seed, "per-step"] as const, [seed, "held"] as const]))(
    "matches the reference to 1e-12 on random batch %i with %s powers",
    (seed, powers) => {
      const input = randomBatch(seed, 2000, 40, powers === "per-step");
      const views = phaseChangeBatch(core, input);
      const reference = phaseChangeBatchReference(input);
      expect(views.temperature.shape).toEqual([2000]);
      expectClose(views.temperature.data, reference.temperature);
      expectClose(views.fraction.data, reference.fraction);
      // Every regime occurred: amorphous after melting, crystallised, partly crystalline.
      expect(reference.fraction.some((x) => x === 0)).toBe(true);
      expect(reference.fraction.some((x) => x > 0.999)).toBe(true);
      expect(reference.fraction.some((x) => x > 0.01 && x < 0.99)).toBe(true);
    },
  );

  it("stays within 1e-12 of the reference over 600 steps (the kernel carries the rate from step to step)", () => {
    const input = randomBatch(4, 300, 600, false);
    const views = phaseChangeBatch(core, input);
    const reference = phaseChangeBatchReference(input);
    expectClose(views.temperature.data, reference.temperature);
    expectClose(views.fraction.data, reference.fraction);
    expect(reference.fraction.some((x) => x > 0.01 && x < 0.99)).toBe(true);
  });

  it.each([2.5, 5])(
    "stays within 1e-12 of the reference through on/off pulses 10 τ long at E_a = %s eV",
    (electronvolts) => {
      // Each step heats towards ~0.95 T_m or cools to ambient: |δ| of tens, the carried rate's hardest case.
      const p = cellDefaults;
      const hot = p.ambientTemperature + 0.95 * (p.meltingTemperature - p.ambientTemperature);
      const activationEnergy = electronvolts * ELECTRONVOLT;
      // ν such that k(T_hot) = 2e8 /s: the fractions grow over the pulses without saturating.
      const prefactor = 2e8 * Math.exp(activationEnergy / (BOLTZMANN * hot));
      const params = { ...p, activationEnergy, prefactor };
      const melt = (p.meltingTemperature - p.ambientTemperature) / p.thermalResistance;
      const nCells = 50;
      const nSteps = 12;
      const random = seededRandom(9);
      const levels = Float64Array.from({ length: nCells }, () => (0.9 + 0.07 * random()) * melt);
      const input: PhaseChangeBatchInput = {
        params,
        temperature: Float64Array.from({ length: nCells }, () => 300 + 400 * random()),
        fraction: Float64Array.from({ length: nCells }, () => 0.3 * random()),
        powers: Float64Array.from({ length: nCells * nSteps }, (_, k) =>
          k % 2 === 0 ? (levels[Math.floor(k / nSteps)] as number) : 0,
        ),
        nSteps,
        dt: 10 * p.thermalResistance * p.heatCapacity,
      };
      const views = phaseChangeBatch(core, input);
      const reference = phaseChangeBatchReference(input);
      expectClose(views.temperature.data, reference.temperature);
      expectClose(views.fraction.data, reference.fraction);
      expect(reference.fraction.filter((x) => x > 0.05 && x < 0.95).length).toBeGreaterThan(40);
    },
  );

  it("the reference is the model: each cell equals simulateCell on its power trace", () => {
    const input = randomBatch(7, 20, 30, true);
    const reference = phaseChangeBatchReference(input);
    for (let c = 0; c < 20; c++) {
      const times = Float64Array.from({ length: 30 }, (_, k) => (k + 1) * input.dt);
      const trace = simulateCell(input.params, {
        times,
        powers: input.powers.subarray(30 * c, 30 * (c + 1)),
        initial: { temperature: input.temperature[c] as number, fraction: input.fraction[c] as number },
        t0: 0,
      });
      expect(reference.temperature[c]).toBeCloseTo(trace.temperature[29] as number, 9);
      expect(Math.abs((reference.fraction[c] as number) - (trace.fraction[29] as number))).toBeLessThan(
        1e-12,
      );
    }
  });

  it.each([
    [
      "a parameter out of bounds",
      (b: PhaseChangeBatchInput) => ({ ...b, params: { ...b.params, avramiExponent: 9 } }),
      ParameterRangeError,
    ],
    [
      "a fraction above 1",
      (b: PhaseChangeBatchInput) => ({ ...b, fraction: b.fraction.map(() => 2) }),
      RangeError,
    ],
    [
      "a negative power",
      (b: PhaseChangeBatchInput) => ({ ...b, powers: b.powers.map(() => -1) }),
      RangeError,
    ],
    [
      "powers of the wrong length",
      (b: PhaseChangeBatchInput) => ({ ...b, powers: b.powers.subarray(1) }),
      RangeError,
    ],
    ["a negative dt", (b: PhaseChangeBatchInput) => ({ ...b, dt: -1 }), RangeError],
    [
      "a negative held power, even with no steps",
      (b: PhaseChangeBatchInput) => ({
        ...b,
        nSteps: 0,
        powers: new Float64Array(b.temperature.length).fill(-1),
      }),
      RangeError,
    ],
    [
      "a NaN temperature",
      (b: PhaseChangeBatchInput) => ({
        ...b,
        temperature: b.temperature.map((t, c) => (c === 2 ? Number.NaN : t)),
      }),
      RangeError,
    ],
    // Finite, but T_amb + P·R_th overflows: the step would give NaN.
    [
      "a power whose steady temperature is not finite",
      (b: PhaseChangeBatchInput) => ({ ...b, powers: b.powers.map((p, k) => (k === 7 ? 1e305 : p)) }),
      /power\[7\] = 1e\+305 W must be ≥ 0 with a finite T_amb \+ P·R_th/,
    ],
    // Held powers do not bound nSteps by memory; the kernel counts steps in an i32.
    ...[2 ** 31, 2 ** 32 + 1, 1.5].map(
      (nSteps) =>
        [
          `nSteps = ${nSteps}`,
          (b: PhaseChangeBatchInput) => ({ ...b, nSteps, powers: b.powers.subarray(0, 4) }),
          /nSteps = .* must be an integer in \[0, 2³¹ − 1\]/,
        ] as const,
    ),
  ] as const)("refuses %s, as the reference does", (_what, spoil, expected) => {
    const input = spoil(randomBatch(9, 4, 3, true));
    expect(() => phaseChangeBatch(core, input)).toThrow(expected);
    expect(() => phaseChangeBatchReference(input)).toThrow(expected);
  });

  it("runs an empty batch and a batch of no steps", () => {
    const empty = randomBatch(10, 0, 5, true);
    expect(phaseChangeBatch(core, empty).temperature.size).toBe(0);
    const still = { ...randomBatch(11, 3, 0, true), powers: new Float64Array(0) };
    const views = phaseChangeBatch(core, still);
    expect(Array.from(views.temperature.data)).toEqual(Array.from(still.temperature));
  });
});

describe("phaseChangeSampler", () => {
  it.each([1, 2, 3])("equals stepCell to 1e-12 on every cell of random batch %i", (seed) => {
    const input = randomBatch(seed, 2000, 1, false);
    const sampler = phaseChangeSampler(core, input.params);
    let crystallising = 0;
    for (let c = 0; c < 2000; c++) {
      const state = { temperature: input.temperature[c] as number, fraction: input.fraction[c] as number };
      const power = input.powers[c] as number;
      const got = sampler.step(state, power, input.dt);
      const expected = stepCell(input.params, state, power, input.dt);
      if (!(close(got.temperature, expected.temperature) && close(got.fraction, expected.fraction))) {
        expect.fail(`cell ${c}: WASM ${JSON.stringify(got)} vs stepCell ${JSON.stringify(expected)}`);
      }
      if (expected.fraction !== state.fraction && expected.fraction !== 0) crystallising++;
    }
    expect(crystallising).toBeGreaterThan(100);
    sampler.release();
  });

  it("follows stepCell over a trace of samples, with other calls and memory growth in between", () => {
    const sampler = phaseChangeSampler(core, cellDefaults);
    const random = seededRandom(12);
    let ours = { temperature: 300, fraction: 0 };
    let theirs = ours;
    for (let k = 0; k < 300; k++) {
      const power = k % 50 < 5 ? 8e-3 : 2.5e-3 * random(); // melt pulses, then anneal
      ours = sampler.step(ours, power, 2e-9);
      theirs = stepCell(cellDefaults, theirs, power, 2e-9);
      if (k === 100) phaseChangeBatch(core, randomBatch(13, 100, 3, true));
      if (k === 150) {
        const bytes = core.exports.memory.buffer.byteLength;
        core.call((arena) => arena.reserve(bytes / 8 + 1)); // more than all of it: the memory grows
        expect(core.exports.memory.buffer.byteLength).toBeGreaterThan(bytes);
      }
      expect(close(ours.temperature, theirs.temperature)).toBe(true);
      expect(close(ours.fraction, theirs.fraction)).toBe(true);
    }
    expect(theirs.fraction).toBeGreaterThan(0);
    sampler.release();
    expect(() => sampler.step(ours, 0, 1e-9)).toThrow(/released/);
  });

  it.each([
    ["a temperature of 0", { temperature: 0, fraction: 0.5 }, 0, 1e-9, /temperature 0 K/],
    ["a fraction above 1", { temperature: 400, fraction: 1.5 }, 0, 1e-9, /fraction 1.5/],
    ["a NaN power", { temperature: 400, fraction: 0.5 }, Number.NaN, 1e-9, /power = NaN W/],
    ["a power whose T_ss overflows", { temperature: 300, fraction: 0.5 }, 1e305, 1e-9, /power = 1e\+305 W/],
    ["a negative dt", { temperature: 400, fraction: 0.5 }, 0, -1, /dt = -1 s/],
  ])(
    "refuses %s with the model's message (the raw step: NaN, output untouched)",
    (_what, state, power, dt, message) => {
      const sampler = phaseChangeSampler(core, cellDefaults);
      expect(() => sampler.step(state, power, dt)).toThrow(message);
      expect(() => stepCell(cellDefaults, state, power, dt)).toThrow(message);
      sampler.release();
      const raw = core.exports as unknown as PhaseChangeExports;
      const row = core.resident(cellParameterRow(cellDefaults));
      const output = () => new Float64Array(core.exports.memory.buffer, raw.phaseChangeScratch(), 1);
      output()[0] = 42;
      expect(raw.phaseChangeStep(row.address, state.temperature, state.fraction, power, dt)).toBeNaN();
      expect(output()[0]).toBe(42);
      row.release();
    },
  );

  it("checks the parameters once, as the model does", () => {
    expect(() => phaseChangeSampler(core, { ...cellDefaults, avramiExponent: 9 })).toThrow(
      ParameterRangeError,
    );
  });
});
