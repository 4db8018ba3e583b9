/** Straight waveguide: loss in dB, dispersion through the group index, reciprocity. */
import { describe, expect, it } from "vitest";
import {
  effectiveIndexAt,
  entry,
  type PhotonicModel,
  powerTransmission,
  reciprocityError,
  ringAddDrop,
  ringAllPass,
  waveguide,
} from "../../../src/models/photonic/index.js";
import { centralDifference } from "../../support/finite-difference.js";

const p = { ...waveguide.defaults, length: 2.5e-3, propagationLossDbPerM: 300 };

describe("waveguide", () => {
  it.each([1.5e-6, 1.55e-6, 1.6e-6])("loses α·L dB of power at λ = %d m, whatever the phase", (λ) => {
    const dB = 10 * Math.log10(powerTransmission(waveguide.sMatrix(p, λ), "out", "in"));
    expect(dB).toBeCloseTo(-p.propagationLossDbPerM * p.length, 12);
  });

  it("has n_eff = n_eff0 at λ0 and n_g = n_eff − λ dn_eff/dλ there", () => {
    const λ0 = p.referenceWavelength;
    expect(effectiveIndexAt(p, λ0)).toBe(p.effectiveIndex);
    const slope = centralDifference((λ) => effectiveIndexAt(p, λ), λ0);
    expect(p.effectiveIndex - λ0 * slope).toBeCloseTo(p.groupIndex, 9);
  });

  it("delays by the group index: dφ/dλ = −2π n_g L/λ0² at λ0", () => {
    const phase = (λ: number) => (2 * Math.PI * effectiveIndexAt(p, λ) * p.length) / λ;
    const λ0 = p.referenceWavelength;
    const expected = (-2 * Math.PI * p.groupIndex * p.length) / (λ0 * λ0);
    expect(centralDifference(phase, λ0) / expected).toBeCloseTo(1, 9);
  });

  it("is reciprocal and does not reflect", () => {
    const s = waveguide.sMatrix(p, 1.52e-6);
    expect(reciprocityError(s)).toBe(0);
    expect(entry(s, "in", "in")).toEqual({ re: 0, im: 0 });
  });

  it("refuses a negative length and a non-positive wavelength", () => {
    expect(() => waveguide.sMatrix({ ...p, length: -1e-6 }, 1.55e-6)).toThrow(/length/);
    expect(() => waveguide.sMatrix(p, 0)).toThrow(/wavelength/);
  });

  /*
   * n_eff(λ) = n_eff0 − (n_g − n_eff0)(λ − λ0)/λ0 reaches 0 at
   * λ0 n_g/(n_g − n_eff0): 1.55 µm · 4.2/1.8 = 3.6167 µm for the defaults.
   * Past it the first-order expansion means nothing, and the phase it
   * gives runs backwards; every model built on it refuses the wavelength.
   */
  const zero = (p.referenceWavelength * p.groupIndex) / (p.groupIndex - p.effectiveIndex);
  it.each([
    ["waveguide", waveguide as PhotonicModel, p],
    ["all-pass ring", ringAllPass as PhotonicModel, ringAllPass.defaults],
    ["add-drop ring", ringAddDrop as PhotonicModel, ringAddDrop.defaults],
  ] as const)("%s: refuses a wavelength where n_eff(λ) ≤ 0, naming it", (_what, model, params) => {
    expect(zero).toBeCloseTo(3.6167e-6, 10);
    expect(effectiveIndexAt(params, zero * (1 - 1e-9))).toBeGreaterThan(0);
    expect(() => model.sMatrix(params, zero * (1 - 1e-9))).not.toThrow();
    for (const λ of [zero * (1 + 1e-9), 4e-6, 1e-3]) {
      expect(effectiveIndexAt(params, λ)).toBeLessThanOrEqual(0);
      for (const run of [() => model.sMatrix(params, λ), () => model.sMatrixWithGradient(params, λ)]) {
        expect(run).toThrow(RangeError);
        expect(run).toThrow(`wavelength ${λ} m`);
        expect(run).toThrow(/n_eff/);
      }
    }
  });

  it("accepts any wavelength when n_g ≤ n_eff0 (n_eff then grows with λ and is n_g ≥ 1 at λ → 0)", () => {
    const flat = { ...p, effectiveIndex: 3, groupIndex: 2.5 };
    for (const λ of [1e-9, 1.55e-6, 1]) expect(() => waveguide.sMatrix(flat, λ)).not.toThrow();
  });
});
