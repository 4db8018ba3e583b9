/**
 * Multi-start on a problem with local minima a reader can see: the
 * frequency of a sine, where a start far from the truth converges onto a
 * wrong frequency that fits badly (reduced χ² ≫ 1).
 */
import { describe, expect, it } from "vitest";
import type { FitModel } from "../../src/fit/levenberg-marquardt.js";
import { fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import { fitWithRestarts } from "../../src/fit/multi-start.js";

const t = Float64Array.from({ length: 200 }, (_, i) => i * 0.05);
const sine: FitModel = {
  name: "sine",
  parameters: [
    { name: "amplitude", unit: "V", default: 1, min: 0, max: 10, meaning: "A" },
    { name: "frequency", unit: "rad/s", default: 1, min: 0.1, max: 10, meaning: "ω" },
  ],
  evaluate(p, out, jacobian) {
    const [a, w] = [p[0] as number, p[1] as number];
    for (let i = 0; i < t.length; i++) {
      const ti = t[i] as number;
      out[i] = a * Math.sin(w * ti);
      jacobian?.set([Math.sin(w * ti), a * ti * Math.cos(w * ti)], 2 * i);
    }
  },
};
// A deterministic ±0.02 scatter standing in for noise.
const y = Float64Array.from(t, (ti, i) => 2 * Math.sin(3.7 * ti) + 0.02 * Math.sin(12.9898 * i) * 1.7);
const options = { free: ["amplitude", "frequency"], initial: { amplitude: 1, frequency: 1 } };

describe("multi-start", () => {
  it("from a start that locks onto a wrong frequency, finds the right one within the bounds", () => {
    const first = fitLeastSquares(sine, { y, sigma: 0.02 }, options);
    expect(first.reducedChiSquare).toBeGreaterThan(100); // the local minimum the first start reaches
    const result = fitWithRestarts(sine, { y, sigma: 0.02 }, options, { random: 30, seed: 7 });
    expect(result.firstFailed).toBe(true);
    expect(result.start).toBeGreaterThan(0);
    expect(result.best.values.frequency).toBeCloseTo(3.7, 3);
    expect(result.best.values.amplitude).toBeCloseTo(2, 2);
    expect(result.best.reducedChiSquare).toBeLessThan(4);
    // Repeatable: the same seed, the same starts, the same answer.
    expect(fitWithRestarts(sine, { y, sigma: 0.02 }, options, { random: 30, seed: 7 }).start).toBe(
      result.start,
    );
  });

  it("keeps the first fit when it did not fail, and tries nothing else", () => {
    const result = fitWithRestarts(
      sine,
      { y, sigma: 0.02 },
      { ...options, initial: { amplitude: 1.8, frequency: 3.6 } },
    );
    expect(result).toMatchObject({ start: 0, tried: 1, firstFailed: false });
  });

  it("tries the given starts before random ones", () => {
    const result = fitWithRestarts(sine, { y, sigma: 0.02 }, options, {
      starts: [{ frequency: 3.65 }],
      random: 0,
    });
    expect(result).toMatchObject({ start: 1, tried: 2, firstFailed: true });
  });
});
