/**
 * Photodetector: linear responsivity below saturation, a current that
 * never exceeds I_sat, shot and Johnson noise at their textbook values,
 * and the gradient against finite differences.
 */
import { describe, expect, it } from "vitest";
import {
  BOLTZMANN,
  detect,
  detectWithGradient,
  ELEMENTARY_CHARGE,
  photodetector,
  photodetectorParameters,
} from "../../../src/models/photonic/index.js";
import { centralDifference } from "../../support/finite-difference.js";

const p = photodetector.defaults;

describe("photodetector", () => {
  it("gives R·P + I_d well below saturation", () => {
    const reading = detect(p, 1e-6);
    expect(reading.photocurrent / 1e-6).toBeCloseTo(p.responsivity, 8);
    expect(reading.current - reading.photocurrent).toBeCloseTo(p.darkCurrent, 20);
  });

  it.each([1e-3, 1e-2, 1, 10])("never exceeds I_sat (P = %d W)", (power) => {
    const reading = detect(p, power);
    expect(reading.photocurrent).toBeLessThanOrEqual(p.saturationCurrent);
    expect(reading.photocurrent).toBeLessThan(p.responsivity * power);
  });

  it("has the shot noise √(2q I B) when the load is noiseless", () => {
    // 1 mA in 1 GHz: √(2 · 1.602e-19 C · 1 mA · 1 GHz) = 566.1 nA.
    const quiet = { ...p, temperature: 0, darkCurrent: 0, saturationCurrent: 1 };
    const reading = detect(quiet, 1e-3);
    expect(reading.noiseStd).toBeCloseTo(Math.sqrt(2 * ELEMENTARY_CHARGE * reading.current * 1e9), 20);
    expect(reading.noiseStd * 1e9).toBeCloseTo(566.1, 1);
  });

  it("has the Johnson noise √(4kTB/R) of its load in the dark", () => {
    // 50 Ω at 300 K in 1 GHz: √(4 · 1.380649e-23 · 300 · 1e9/50) = 575.6 nA.
    const reading = detect({ ...p, darkCurrent: 0 }, 0);
    expect(reading.noiseStd).toBeCloseTo(Math.sqrt((4 * BOLTZMANN * 300 * 1e9) / 50), 20);
    expect(reading.noiseStd * 1e9).toBeCloseTo(575.6, 1);
  });

  it("refuses a negative power", () => {
    expect(() => detect(p, -1e-3)).toThrow(/optical power/);
  });

  // Near the knee of the saturation, where every term matters.
  const point = { ...p, darkCurrent: 2e-6, temperature: 290 };
  const power = 6e-3;
  it.each(photodetectorParameters.map((s, j) => [s.name, j] as const))(
    "∂current/∂%s and ∂noiseStd/∂%s match finite differences",
    (name, j) => {
      const { gradient } = detectWithGradient(point, power);
      const value = point[name];
      for (const output of ["current", "noiseStd"] as const) {
        const numeric = centralDifference((x) => detect({ ...point, [name]: x }, power)[output], value);
        const analytic = gradient[output][j] as number;
        expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(1e-6 * Math.abs(analytic) + 1e-30);
      }
    },
  );

  /*
   * σ = √V with V = 2q(I_ph + I_d)B + 4kTB/R_load ≥ 0. At T = 0, I_d = 0
   * and P = 0 (a noiseless load, an ideal dark detector), V = 0: σ grows as
   * √I_d and √T (slope +∞, one-sided, as T and I_d cannot go below 0) and
   * is 0 for every R, I_sat, B and R_load (slope 0). One-sided difference
   * quotients show both: the +∞ ones grow 100× from h to h/10⁴, the others
   * are exactly 0.
   */
  it("gives ∂noiseStd/∂p its one-sided limit (+∞ or 0, never NaN) when the noise is exactly 0", () => {
    const silent = { ...p, temperature: 0, darkCurrent: 0 };
    const { noiseStd, gradient } = detectWithGradient(silent, 0);
    expect(noiseStd).toBe(0);
    photodetectorParameters.forEach((spec, j) => {
      const quotient = (h: number) =>
        detect({ ...silent, [spec.name]: silent[spec.name] + h }, 0).noiseStd / h;
      const step = 1e-6 * Math.max(silent[spec.name], 1);
      const [coarse, fine] = [quotient(step), quotient(step * 1e-4)];
      const analytic = gradient.noiseStd[j] as number;
      if (coarse === 0) expect(analytic, spec.name).toBe(0);
      else {
        expect(fine / coarse, spec.name).toBeCloseTo(100, 6);
        expect(analytic, spec.name).toBe(Number.POSITIVE_INFINITY);
      }
    });
    expect(gradient.noiseStd.map((x) => (Number.isFinite(x) ? 0 : 1))).toEqual(
      Float64Array.of(0, 1, 0, 0, 0, 1),
    );
  });
});
