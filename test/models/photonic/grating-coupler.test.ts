/** Grating coupler: Gaussian passband whose 1 dB points sit at λc ± B/2. */
import { describe, expect, it } from "vitest";
import { entry, gratingCoupler, gratingEfficiency } from "../../../src/models/photonic/index.js";

const p = { peakEfficiency: 0.6, centreWavelength: 1.548e-6, bandwidth1dB: 35e-9 };
const dB = (λ: number) => 10 * Math.log10(gratingEfficiency(p, λ) / p.peakEfficiency);

describe("grating coupler", () => {
  it("peaks at η0 at λc", () => {
    expect(gratingEfficiency(p, p.centreWavelength)).toBe(p.peakEfficiency);
  });

  it.each([-1, 1])("is exactly 1 dB below the peak at λc %d·B/2", (side) => {
    expect(dB(p.centreWavelength + (side * p.bandwidth1dB) / 2)).toBeCloseTo(-1, 13);
  });

  it.each([0.25, 1, 2])("falls as −4((λ − λc)/B)² dB, Gaussian, at %d bandwidths", (x) => {
    expect(dB(p.centreWavelength + x * p.bandwidth1dB)).toBeCloseTo(-4 * x * x, 12);
  });

  it("transmits the field √η both ways, real, without reflection", () => {
    const s = gratingCoupler.sMatrix(p, 1.56e-6);
    expect(entry(s, "waveguide", "fiber")).toEqual({ re: Math.sqrt(gratingEfficiency(p, 1.56e-6)), im: 0 });
    expect(entry(s, "fiber", "waveguide")).toEqual(entry(s, "waveguide", "fiber"));
    expect(entry(s, "fiber", "fiber")).toEqual({ re: 0, im: 0 });
  });
});
