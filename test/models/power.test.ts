/**
 * The portable power (src/models/memristor/portable/physics.ts) against the
 * engine's Math.pow over the ranges the models feed it: window bases in
 * [1e-12, 1] with exponents 1–20 (|e·ln a| from 0 to 550: both sides of the
 * direct e^{e·ln a} below |e·ln a| = 16 and the split a^⌊e⌋·e^{f·ln a}
 * above), the derivatives' exponents p − 1 ∈ [0, 1), VTEAM overdrive ratios
 * (v/v_th − 1) in (0, 1e4] with exponents 1–20, and negative exponents.
 */
import { describe, expect, it } from "vitest";
import { exponential, logarithm, power } from "../../src/models/memristor/portable/physics.js";
import { seededRandom } from "./support/waveforms.js";

/** |a − b| in units of b's last place. */
function ulps(a: number, b: number): number {
  return Math.abs(a - b) / (Number.EPSILON * Math.abs(b));
}

describe("power", () => {
  it.each([
    ["window bases", 1e-12, 1, 1, 20],
    ["VTEAM overdrive", 1e-6, 1e4, 1, 20],
    ["near 1", 0.999, 1.001, 0.5, 20],
    ["derivative exponents", 1e-12, 1, 0, 1],
    ["negative exponents", 1e-3, 1e3, -20, -0.5],
  ])("is within 1e-14 of Math.pow for %s", (_name, low, high, eLow, eHigh) => {
    const random = seededRandom(17);
    let worst = 0;
    for (let n = 0; n < 20_000; n++) {
      const base = low * (high / low) ** random();
      const exponent = eLow + (eHigh - eLow) * random();
      const expected = base ** exponent;
      if (expected < 1e-290) continue; // subnormal results: both engines round differently there
      worst = Math.max(worst, Math.abs(power(base, exponent) - expected) / expected);
    }
    expect(worst).toBeLessThan(1e-14);
  });

  it("is exact where the answer is", () => {
    expect(power(0, 3)).toBe(0);
    expect(power(1, 7.3)).toBe(1);
    expect(power(0.3, 0)).toBe(1);
    expect(power(2, 10)).toBe(1024);
    expect(power(0.5, 3)).toBe(0.125);
    expect(power(2, -3)).toBe(0.125);
    expect(power(4, 0.5)).toBe(2);
    expect(power(-1, 2)).toBeNaN();
  });

  it.each([
    [0.5, Number.POSITIVE_INFINITY, 0],
    [2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    [0.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
    [2, Number.NEGATIVE_INFINITY, 0],
    [1, Number.POSITIVE_INFINITY, 1],
    [0, Number.POSITIVE_INFINITY, 0],
    [2, Number.NaN, Number.NaN],
  ])(
    "takes an infinite or NaN exponent as IEEE 754 pow does: power(%s, %s) = %s",
    (base, exponent, expected) => {
      // (JavaScript's 1 ** ∞ is NaN; IEEE 754 and C's pow give 1.)
      expect(power(base, exponent)).toBe(expected);
    },
  );

  it("has logarithm and exponential within 4 units in the last place of the engine's", () => {
    const random = seededRandom(23);
    for (let n = 0; n < 20_000; n++) {
      const a = 10 ** (600 * random() - 300);
      const y = 1400 * random() - 700;
      expect(Math.abs(logarithm(a) - Math.log(a))).toBeLessThanOrEqual(
        4 * Number.EPSILON * Math.max(1, Math.abs(Math.log(a))),
      );
      expect(ulps(exponential(y), Math.exp(y))).toBeLessThan(4);
    }
    expect(exponential(800)).toBe(Number.POSITIVE_INFINITY);
    expect(exponential(-800)).toBe(0);
  });
});
