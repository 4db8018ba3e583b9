/** Laser: RIN in dB/Hz to a relative power noise in a bandwidth, and its gradient. */
import { describe, expect, it } from "vitest";
import { emit, emitWithGradient, laser, laserParameters } from "../../../src/models/photonic/index.js";
import { centralDifference } from "../../support/finite-difference.js";

describe("laser", () => {
  it("turns −150 dB/Hz over 1 GHz into σ_P/P = 1e-3", () => {
    const out = emit({ power: 2e-3, wavelength: 1.55e-6, rinDbPerHz: -150 }, 1e9);
    expect(out.relativeNoiseStd).toBeCloseTo(1e-3, 15);
    expect(out.powerNoiseStd).toBeCloseTo(2e-6, 18);
    expect(out.field).toBeCloseTo(Math.sqrt(2e-3), 15);
  });

  it("grows its noise as √B", () => {
    const narrow = emit(laser.defaults, 1e6).relativeNoiseStd;
    expect(emit(laser.defaults, 4e6).relativeNoiseStd / narrow).toBeCloseTo(2, 14);
  });

  const p = { power: 3e-3, wavelength: 1.31e-6, rinDbPerHz: -140 };
  it.each(laserParameters.map((s, j) => [s.name, j] as const))(
    "∂outputs/∂%s match finite differences",
    (name, j) => {
      const { gradient } = emitWithGradient(p, 1e8);
      for (const output of ["power", "wavelength", "field", "powerNoiseStd"] as const) {
        const numeric = centralDifference((x) => emit({ ...p, [name]: x }, 1e8)[output], p[name]);
        const analytic = gradient[output][j] as number;
        expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(
          1e-6 * Math.abs(analytic) + 1e-12 * Math.abs(numeric) + 1e-30,
        );
      }
    },
  );

  it("gives ∂field/∂P = +∞ at P = 0 (field = √P), the limit one-sided differences grow towards", () => {
    const off = { ...p, power: 0 };
    const { gradient } = emitWithGradient(off, 1e8);
    expect(gradient.field).toEqual(Float64Array.of(Number.POSITIVE_INFINITY, 0, 0));
    const quotient = (h: number) => emit({ ...off, power: h }, 1e8).field / h;
    expect(quotient(1e-12) / quotient(1e-8)).toBeCloseTo(100, 9);
  });
});
