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

type Batch = (count: number, bases: number, exponents: number, out: number) => void;

interface PowerExports {
  /** One at a time (`power`). */
  powerBatch: Batch;
  /** Two at a time (`Pair.power`, f64x2), pairs (2j, 2j + 1). */
  power2Batch: Batch;
}

function wasmPower(kernel: keyof PowerExports, bases: Float64Array, exponents: Float64Array): Float64Array {
  return core.call((arena, raw) => {
    const exports = raw as unknown as PowerExports;
    const b = arena.place(bases);
    const e = arena.place(exponents);
    const out = arena.reserve(bases.length);
    exports[kernel](bases.length, b, e, out);
    return arena.view(out, bases.length).slice();
  });
}

/** Both WASM paths against the portable power (an odd count gets a last pair with 2, 2.5). */
function expectSameBits(bases: Float64Array, exponents: Float64Array): void {
  const even = (values: Float64Array, pad: number) =>
    values.length % 2 === 0 ? values : Float64Array.of(...values, pad);
  const b = even(bases, 2);
  const e = even(exponents, 2.5);
  for (const kernel of ["powerBatch", "power2Batch"] as const) {
    const got = wasmPower(kernel, b, e);
    b.forEach((base, k) => {
      const expected = power(base, e[k] as number);
      if (!Object.is(got[k], expected))
        expect.fail(`${kernel}: power(${base}, ${e[k]}): WASM ${got[k]}, portable ${expected}`);
    });
  }
}

it("pairs a lane on the common path with one that is not: each gets its own branch", () => {
  // Lane 0 common (normal base, fractional exponent, |y| ≤ 16), lane 1 not.
  const others = [0, 1, 2, Number.NaN, 1e-310, 1e-200];
  const bases = Float64Array.from(others.flatMap((other) => [0.3, other]));
  const exponents = Float64Array.from(others.flatMap((other) => [3.7, other === 2 ? 4 : 3.7]));
  expectSameBits(bases, exponents);
  expectSameBits(bases.reverse(), exponents.reverse());
});

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
    const exponents = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      2,
      2.5,
      Number.NaN,
      1e300,
      -1e300,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    const pairs = specials.flatMap((b) => exponents.map((e) => [b, e] as const));
    expectSameBits(
      Float64Array.from(pairs, (p) => p[0]),
      Float64Array.from(pairs, (p) => p[1]),
    );
  });
});
