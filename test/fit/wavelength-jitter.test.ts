/**
 * The wavelength-jitter average (src/fit/models/wavelength-jitter.ts):
 * a laser landing uniformly within ±d of each setpoint measures the mean
 * of T over that window. Checked against closed forms a reader can do by
 * hand: for T = c(λ − λc)², the mean over ±d is T + c d²/3 exactly; and
 * against a brute-force average of a resonance dip.
 */
import { describe, expect, it } from "vitest";
import type { FitModel } from "../../src/fit/levenberg-marquardt.js";
import { lorentzianDipFitModel } from "../../src/fit/models/lorentzian-dip.js";
import { wavelengthJitterAveraged } from "../../src/fit/models/wavelength-jitter.js";

/** T = c (λ − λc)², parameters [c, λc]. */
function parabola(wavelengths: Float64Array): FitModel {
  return {
    name: "parabola",
    parameters: [
      { name: "c", unit: "1/m^2", default: 1, min: -1e30, max: 1e30, meaning: "curvature" },
      { name: "centre", unit: "m", default: 0, min: -1, max: 1, meaning: "vertex" },
    ],
    evaluate(p, prediction, jacobian) {
      for (let i = 0; i < wavelengths.length; i++) {
        const x = (wavelengths[i] as number) - (p[1] as number);
        prediction[i] = (p[0] as number) * x * x;
        if (jacobian) {
          jacobian[2 * i] = x * x;
          jacobian[2 * i + 1] = -2 * (p[0] as number) * x;
        }
      }
    },
  };
}

describe("a spectral model averaged over the laser's landing window", () => {
  const λ = Float64Array.from({ length: 21 }, (_, i) => 1.55e-6 + (i - 10) * 5e-12);

  it("is the inner model with no jitter, and refuses a negative or infinite window", () => {
    const inner = parabola(λ);
    expect(wavelengthJitterAveraged(() => inner, λ, 0)).toBe(inner);
    expect(() => wavelengthJitterAveraged(parabola, λ, -1e-12)).toThrow(
      /half width must be a finite length ≥ 0 m/,
    );
    expect(() => wavelengthJitterAveraged(parabola, λ, Number.POSITIVE_INFINITY)).toThrow(/half width/);
  });

  it("raises a parabola by c d²/3 everywhere (the mean of u² over a uniform ±d)", () => {
    const d = 2e-12;
    const c = 3e20;
    const averaged = wavelengthJitterAveraged(parabola, λ, d);
    const out = new Float64Array(λ.length);
    const jacobian = new Float64Array(λ.length * 2);
    averaged.evaluate(Float64Array.of(c, 1.55e-6), out, jacobian);
    for (let i = 0; i < λ.length; i++) {
      const x = (λ[i] as number) - 1.55e-6;
      expect(out[i]).toBeCloseTo(c * x * x + (c * d * d) / 3, 12);
      // ∂/∂c of the mean is the mean of (λ + u − λc)²: x² + d²/3 (to the rounding of λ ± u at 1.55 µm).
      expect((jacobian[2 * i] as number) / (x * x + (d * d) / 3)).toBeCloseTo(1, 10);
    }
  });

  it("agrees with a brute-force average of a resonance dip to 1e-9", () => {
    const d = 1e-12;
    const p = Float64Array.of(1.55e-6, 40e-12, 0.9, 0.5, 2e5);
    const averaged = wavelengthJitterAveraged(lorentzianDipFitModel, λ, d);
    const out = new Float64Array(λ.length);
    averaged.evaluate(p, out);
    const samples = 4001;
    const brute = new Float64Array(λ.length);
    const one = new Float64Array(λ.length);
    for (let k = 0; k < samples; k++) {
      // Midpoints of 4001 equal slices of [−d, d].
      const u = -d + ((k + 0.5) * 2 * d) / samples;
      lorentzianDipFitModel(Float64Array.from(λ, (x) => x + u)).evaluate(p, one);
      for (let i = 0; i < λ.length; i++) brute[i] = (brute[i] as number) + (one[i] as number) / samples;
    }
    const plain = new Float64Array(λ.length);
    lorentzianDipFitModel(λ).evaluate(p, plain);
    for (let i = 0; i < λ.length; i++)
      expect(Math.abs((out[i] as number) - (brute[i] as number))).toBeLessThan(1e-9);
    // And the average is not the plain model: the dip's bottom is raised.
    expect((out[10] as number) - (plain[10] as number)).toBeGreaterThan(1e-5);
  });
});
