/**
 * The crossbar WASM kernels against their TypeScript references (the
 * model's own code, src/models/crossbar/system.ts), on random arrays and
 * input batches: each output to 1e-12 of itself (the contract). They run
 * the same arithmetic in the same order, the SIMD inner products summing
 * even and odd terms apart as the reference does, and two tests pin that
 * they agree to the bit (64×64 and 256×256, the largest array the issue
 * names). A solve that does not converge throws, naming the input row.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { crossbarProduct, crossbarSolve, programCrossbar } from "../../src/core/kernels/crossbar.js";
import { loadCore } from "../../src/core/load-node.js";
import { crossbarProductReference, crossbarSolveReference } from "../../src/core/reference/crossbar.js";
import type { Core } from "../../src/core/wasm.js";
import {
  assembleCrossbar,
  type CrossbarArray,
  CrossbarConvergenceError,
  MAX_ITERATIONS,
} from "../../src/models/crossbar/index.js";
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

/** Each element to 1e-12 of itself (an exact 0 must be 0). */
function expectClose(actual: Float64Array, expected: Float64Array) {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k] as number;
    if (!(Math.abs((actual[k] as number) - e) <= 1e-12 * Math.abs(e))) {
      expect.fail(`[${k}]: WASM ${actual[k]} vs reference ${e}`);
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

  it.each([
    [64, 64, 4],
    [256, 256, 1],
  ])("agrees with the reference to the bit on a %i×%i array, %i inputs", (rows, columns, nInputs) => {
    const { array, voltages, params } = randomCase(8, rows, columns, nInputs);
    const views = crossbarSolve(core, array, params, voltages);
    const wasm = views.currents.data.slice();
    const iterations = Array.from(views.iterations.data);
    const reference = crossbarSolveReference(array, params, voltages);
    expect(Array.from(wasm)).toEqual(Array.from(reference.currents));
    expect(iterations).toEqual(Array.from(reference.iterations));
    expect(iterations.every((n) => n > 0)).toBe(true);
    const product = crossbarProduct(core, array, voltages).data.slice();
    expect(Array.from(product)).toEqual(Array.from(crossbarProductReference(array, voltages)));
  });

  it("throws CrossbarConvergenceError naming the input row CG did not solve, as the reference and model do", () => {
    // 64×64 of 1 mS cells on 100 Ω lines: far from converged after 2 iterations.
    const m = 64;
    const array = {
      rows: m,
      columns: m,
      conductances: Float64Array.from({ length: m * m }, (_, k) => 1e-3 * (1 + Math.sin(k))),
    };
    const params = { rowResistance: 100, columnResistance: 100 };
    // Row 0 is all zeros (solved at iteration 0); row 1 is not.
    const voltages = Float64Array.from({ length: 2 * m }, (_, k) => (k < m ? 0 : Math.cos(k)));
    const options = { maxIterations: 2 };
    const errorOf = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        return e as CrossbarConvergenceError;
      }
      return expect.fail("no error");
    };
    const wasm = errorOf(() => crossbarSolve(core, array, params, voltages, options));
    expect(wasm).toBeInstanceOf(CrossbarConvergenceError);
    expect(wasm).toBeInstanceOf(RangeError);
    expect(wasm.message).toBe("crossbar: CG did not reach 1e-13 in 2 iterations (input row 1)");
    expect([wasm.subject, wasm.tolerance, wasm.maxIterations]).toEqual(["input row 1", 1e-13, 2]);
    expect(errorOf(() => crossbarSolveReference(array, params, voltages, options)).message).toBe(
      wasm.message,
    );
    const model = errorOf(() => assembleCrossbar(array, params, options).solve(voltages.subarray(m)));
    expect(model).toBeInstanceOf(CrossbarConvergenceError);
    // With its default budget the same batch converges.
    expect(crossbarSolve(core, array, params, voltages).iterations.data[1]).toBeGreaterThan(2);
  });

  it.each([MAX_ITERATIONS + 1, 2 ** 32 + 3, 2 ** 32, 1.5, -1])(
    "refuses maxIterations = %d (the kernel counts in an i32: integers in [0, 2³¹ − 2]), as the reference does",
    (maxIterations) => {
      const { array, voltages, params } = randomCase(11, 8, 8, 1);
      const message = /maxIterations .* must be an integer in \[0, 2³¹ − 2\]/;
      expect(() => crossbarSolve(core, array, params, voltages, { maxIterations })).toThrow(message);
      expect(() => crossbarSolveReference(array, params, voltages, { maxIterations })).toThrow(message);
    },
  );

  it("runs with the largest maxIterations, 2³¹ − 2, as with the default", () => {
    const { array, voltages, params } = randomCase(12, 8, 8, 2);
    const most = crossbarSolve(core, array, params, voltages, { maxIterations: MAX_ITERATIONS });
    const mostCurrents = most.currents.data.slice();
    const mostIterations = Array.from(most.iterations.data);
    const usual = crossbarSolve(core, array, params, voltages);
    expect(mostCurrents).toEqual(usual.currents.data);
    expect(mostIterations).toEqual(Array.from(usual.iterations.data));
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
