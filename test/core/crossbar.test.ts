/**
 * The crossbar WASM kernels against their TypeScript references (the
 * model's own code, src/models/crossbar/system.ts), on random arrays and
 * input batches: to 1e-12 of each output's scale (the contract). They run
 * the same arithmetic in the same order, the SIMD inner products summing
 * even and odd terms apart as the reference does, and the last test pins
 * that they agree to the bit.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { crossbarProduct, crossbarSolve, programCrossbar } from "../../src/core/kernels/crossbar.js";
import { loadCore } from "../../src/core/load-node.js";
import { crossbarProductReference, crossbarSolveReference } from "../../src/core/reference/crossbar.js";
import type { Core } from "../../src/core/wasm.js";
import { assembleCrossbar, type CrossbarArray } from "../../src/models/crossbar/index.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function randomCase(seed: number, rows: number, columns: number, nInputs: number) {
  const random = seededRandom(seed);
  const conductances = Float64Array.from({ length: rows * columns }, () => 1e-6 * 1e3 ** random());
  const voltages = Float64Array.from({ length: nInputs * rows }, () => 2 * random() - 1);
  const params = { rowResistance: 0.5 + 10 * random(), columnResistance: 0.5 + 10 * random() };
  return { array: { rows, columns, conductances } as CrossbarArray, voltages, params };
}

function expectClose(actual: Float64Array, expected: Float64Array) {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  for (let k = 0; k < expected.length; k++) {
    if (!(Math.abs((actual[k] as number) - (expected[k] as number)) <= 1e-12 * scale)) {
      expect.fail(`[${k}]: WASM ${actual[k]} vs reference ${expected[k]}`);
    }
  }
}

const shapes = [
  [1, 1, 1, 1],
  [2, 7, 5, 3],
  [3, 16, 16, 4],
  [4, 33, 20, 2],
  [5, 1, 40, 3],
  [6, 40, 1, 3],
] as const;

describe("crossbarProduct", () => {
  it.each(shapes)("matches the reference (seed %i, %i×%i, %i inputs)", (seed, rows, columns, nInputs) => {
    const { array, voltages } = randomCase(seed, rows, columns, nInputs);
    const views = crossbarProduct(core, array, voltages);
    expect(views.shape).toEqual([nInputs, columns]);
    expectClose(views.data, crossbarProductReference(array, voltages));
  });
});

describe("programCrossbar", () => {
  it.each(shapes)("matches the reference (seed %i, %i×%i, %i inputs)", (seed, rows, columns, nInputs) => {
    const { array, voltages } = randomCase(seed, rows, columns, nInputs);
    const programmed = programCrossbar(core, array);
    crossbarProduct(core, array, voltages); // other calls in between leave G in place
    const views = programmed.product(voltages);
    expect(views.shape).toEqual([nInputs, columns]);
    expectClose(views.data, crossbarProductReference(array, voltages));
    programmed.release();
  });

  it("keeps the G it was programmed with, one vector per call", () => {
    const { array, voltages } = randomCase(7, 9, 6, 3);
    const programmed = programCrossbar(core, array);
    const expected = crossbarProductReference(array, voltages);
    const kept = array.conductances.slice();
    array.conductances.fill(0); // a snapshot: later changes to the array are not seen
    for (let b = 0; b < 3; b++) {
      const one = programmed.product(voltages.subarray(b * 9, (b + 1) * 9));
      expectClose(one.data, expected.subarray(b * 6, (b + 1) * 6));
    }
    array.conductances.set(kept);
    programmed.release();
    expect(() => programmed.product(voltages)).toThrow(/released/);
  });

  it.each([
    ["a negative conductance", { g: -1 }, /G\[0\]\[1\] = -1 S/],
    ["a NaN voltage", { v: Number.NaN }, /voltage\[4\] = NaN/],
    ["a voltage count that is not a multiple of M", { short: true }, /voltages for 3 rows/],
  ])("refuses %s with the reference's message", (_, bad, message) => {
    const { array, voltages } = randomCase(8, 3, 2, 2);
    if ("g" in bad) {
      array.conductances[1] = bad.g as number;
      expect(() => programCrossbar(core, array)).toThrow(message);
      return;
    }
    const programmed = programCrossbar(core, array);
    if ("v" in bad) voltages[4] = bad.v as number;
    expect(() => programmed.product("short" in bad ? voltages.subarray(1) : voltages)).toThrow(message);
    programmed.release();
  });
});

describe("crossbarSolve", () => {
  it.each(shapes)("matches the reference (seed %i, %i×%i, %i inputs)", (seed, rows, columns, nInputs) => {
    const { array, voltages, params } = randomCase(seed, rows, columns, nInputs);
    const views = crossbarSolve(core, array, params, voltages);
    const reference = crossbarSolveReference(array, params, voltages);
    expect(views.currents.shape).toEqual([nInputs, columns]);
    expectClose(views.currents.data, reference.currents);
    expect(Array.from(views.iterations.data)).toEqual(Array.from(reference.iterations));
  });

  it("solves what the model solves: each input's currents equal assembleCrossbar's", () => {
    const { array, voltages, params } = randomCase(7, 24, 18, 3);
    const views = crossbarSolve(core, array, params, voltages);
    const network = assembleCrossbar(array, params);
    for (let b = 0; b < 3; b++) {
      const model = network.solve(voltages.subarray(24 * b, 24 * (b + 1))).currents;
      expectClose(views.currents.data.subarray(18 * b, 18 * (b + 1)), model);
    }
  });

  it("agrees with the reference to the bit on a 64×64 batch", () => {
    const { array, voltages, params } = randomCase(8, 64, 64, 4);
    const wasm = crossbarSolve(core, array, params, voltages).currents.data.slice();
    const reference = crossbarSolveReference(array, params, voltages).currents;
    expect(Array.from(wasm)).toEqual(Array.from(reference));
    const product = crossbarProduct(core, array, voltages).data.slice();
    expect(Array.from(product)).toEqual(Array.from(crossbarProductReference(array, voltages)));
  });

  type Case = ReturnType<typeof randomCase>;
  it.each([
    [
      "a zero line resistance",
      (c: Case) => ({ ...c, params: { ...c.params, rowResistance: 0 } }),
      RangeError,
    ],
    [
      "a negative resistance",
      (c: Case) => ({ ...c, params: { ...c.params, columnResistance: -1 } }),
      ParameterRangeError,
    ],
    ["a ragged batch", (c: Case) => ({ ...c, voltages: c.voltages.subarray(1) }), RangeError],
    [
      "a NaN input",
      (c: Case) => ({ ...c, voltages: c.voltages.map((v, k) => (k === 5 ? Number.NaN : v)) }),
      RangeError,
    ],
    [
      "a negative conductance",
      (c: Case) => ({
        ...c,
        array: { ...c.array, conductances: c.array.conductances.map((g, k) => (k === 7 ? -g : g)) },
      }),
      RangeError,
    ],
  ] as const)("refuses %s, as the reference does (solve and product)", (what, spoil, error) => {
    const { array, voltages, params } = spoil(randomCase(9, 4, 4, 2));
    const messageOf = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(error);
        return (e as Error).message;
      }
      return expect.fail("no error");
    };
    expect(messageOf(() => crossbarSolve(core, array, params, voltages))).toBe(
      messageOf(() => crossbarSolveReference(array, params, voltages)),
    );
    if (!what.includes("resistance")) {
      expect(messageOf(() => crossbarProduct(core, array, voltages))).toBe(
        messageOf(() => crossbarProductReference(array, voltages)),
      );
    }
  });

  it("runs an empty batch", () => {
    const { array, params } = randomCase(10, 3, 3, 0);
    expect(crossbarSolve(core, array, params, new Float64Array(0)).currents.shape).toEqual([0, 3]);
    expect(crossbarProduct(core, array, new Float64Array(0)).shape).toEqual([0, 3]);
  });
});
