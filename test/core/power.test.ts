/**
 * The WASM core's bit-level `power` (src/core/assembly/power.ts) against the
 * portable one it stands in for (src/models/memristor/portable/physics.ts):
 * equal to the bit — Object.is, so NaN matches NaN and +0 does not match −0
 * — on every branch: normal and subnormal bases, results that stay normal,
 * overflow or go subnormal, whole and fractional exponents, |e·ln a| on
 * either side of the direct limit (16), and the special values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadCore } from "../../src/core/load-node.js";
import type { Core } from "../../src/core/wasm.js";
import { power } from "../../src/models/memristor/portable/physics.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

interface PowerExports {
  powerBatch(count: number, bases: number, exponents: number, out: number): void;
}

function wasmPower(bases: Float64Array, exponents: Float64Array): Float64Array {
  return core.call((arena, raw) => {
    const exports = raw as unknown as PowerExports;
    const b = arena.place(bases);
    const e = arena.place(exponents);
    const out = arena.reserve(bases.length);
    exports.powerBatch(bases.length, b, e, out);
    return arena.view(out, bases.length).slice();
  });
}

function expectSameBits(bases: Float64Array, exponents: Float64Array): void {
  const got = wasmPower(bases, exponents);
  bases.forEach((base, k) => {
    const expected = power(base, exponents[k] as number);
    if (!Object.is(got[k], expected))
      expect.fail(`power(${base}, ${exponents[k]}): WASM ${got[k]}, portable ${expected}`);
  });
}

describe("bit-level power", () => {
  it.each([
    ["bases in (0, 1), exponents 2–10 (the Joglekar and Biolek windows)", 0, 1, 2, 10],
    ["bases in [0.75, 1] (the Prodromakis window)", 0.75, 1, 1, 10],
    ["bases in (0, 4), exponents 1–10 (VTEAM's v/v_off − 1)", 0, 4, 1, 10],
  ])("agrees on %s", (_, lowBase, highBase, lowExponent, highExponent) => {
    const random = seededRandom(11);
    const n = 20_000;
    const bases = Float64Array.from({ length: n }, () => lowBase + (highBase - lowBase) * random());
    const exponents = Float64Array.from(
      { length: n },
      () => lowExponent + (highExponent - lowExponent) * random(),
    );
    expectSameBits(bases, exponents);
  });

  it("agrees across magnitudes: subnormal to huge bases, exponents of either sign, whole and not", () => {
    const random = seededRandom(12);
    const n = 20_000;
    const bases = Float64Array.from({ length: n }, () => 10 ** (-320 + 628 * random()));
    const exponents = Float64Array.from({ length: n }, (_, k) => {
      const e = (random() - 0.5) * 2 * 10 ** (3 * random() - 1);
      return k % 4 === 0 ? Math.round(e) : e;
    });
    expectSameBits(bases, exponents);
    // Every branch was taken: subnormal bases, and results normal, subnormal, zero and infinite.
    const results = bases.map((b, k) => power(b, exponents[k] as number));
    expect(bases.some((b) => b < 2.2250738585072014e-308)).toBe(true);
    expect(results.some((r) => r > 0 && r < 2.2250738585072014e-308)).toBe(true);
    expect(results.some((r) => r === 0)).toBe(true);
    expect(results.some((r) => r === Number.POSITIVE_INFINITY)).toBe(true);
  });

  it("agrees where |exponent·ln base| crosses 16 and where 2^n leaves the normal range", () => {
    const cases: [number, number][] = [];
    for (const y of [15.999, 16, 16.001, -15.999, -16, -16.001, 700, 709.7, -707, -708.5, -709, -740]) {
      for (const exponent of [0.5, 1.5, 3.7, 7.25]) cases.push([Math.exp(y / exponent), exponent]);
    }
    expectSameBits(
      Float64Array.from(cases, (c) => c[0]),
      Float64Array.from(cases, (c) => c[1]),
    );
  });

  it("agrees on the special values", () => {
    const specials = [
      0,
      -0,
      1,
      -1,
      2,
      0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    ];
    const exponents = [0, -0, 1, -1, 0.5, -0.5, 2, 2.5, Number.NaN, 1e300, -1e300];
    const pairs = specials.flatMap((b) => exponents.map((e) => [b, e] as const));
    expectSameBits(
      Float64Array.from(pairs, (p) => p[0]),
      Float64Array.from(pairs, (p) => p[1]),
    );
  });
});
