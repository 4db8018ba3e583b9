/**
 * Issue 18, "Fit what the data can tell apart": the demo chip's pairs that
 * its measurements cannot separate, each asked of the engine separately,
 * and the diagnostic that must fire and name them (the ring's r and a are
 * test/fit/ring-all-pass.test.ts's "ambiguous"):
 * - the two grating couplers' efficiencies behind one transmission sweep
 *   (and their centres and widths: a product of Gaussians is one Gaussian);
 * - the linear-drift memristor's dopant mobility and film thickness, which
 *   an I-V sweep sees only as μ_v/D². Without a window and away from the
 *   film's edges it sees even less: x = x0 + k q, so M(q) = A − B q with
 *   A = R_off − (R_off − R_on)x0 and B = (R_off − R_on)k, k = μ_v R_on/D²
 *   (Strukov et al. 2008, eq. (7) and the charge-controlled M(q) after it):
 *   two numbers, so R_on too joins the blind directions unless it is known.
 * And what the recipes fit instead is determined: identical couplers; the
 * mobility with R_on and the thickness known.
 */
import { describe, expect, it } from "vitest";
import { fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import { gratingPairFitModel } from "../../src/fit/models/grating-pair.js";
import { memristorIvFitModel } from "../../src/fit/models/memristor-iv.js";
import { linearIonDriftIdeal } from "../../src/models/memristor/index.js";
import { SeededRandom } from "../../src/models/random.js";

/** Seeded standard normal deviates (src/models/random.ts: mulberry32 and Box–Muller). */
function normal(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.gaussian();
}

describe("grating couplers behind one sweep", () => {
  const wavelengths = Float64Array.from({ length: 400 }, (_, i) => 1.5e-6 + (i * 100e-9) / 399);
  const truth = [0.4, 1.553e-6, 30e-9, 0.375, 1.548e-6, 30e-9];
  const clean = new Float64Array(wavelengths.length);
  gratingPairFitModel(wavelengths, "pair").evaluate(Float64Array.from(truth), clean);
  const noise = normal(3);
  const y = Float64Array.from(clean, (v) => v + 1e-4 * noise());

  it("fitted per coupler: the engine names the efficiencies it cannot tell apart", () => {
    const fit = fitLeastSquares(
      gratingPairFitModel(wavelengths, "pair"),
      { y, sigma: 1e-4 },
      {
        free: ["peakEfficiencyIn", "peakEfficiencyOut", "centreWavelengthIn", "bandwidth1dBIn"],
        initial: {
          peakEfficiencyIn: 0.5,
          peakEfficiencyOut: 0.3,
          centreWavelengthIn: 1.551e-6,
          centreWavelengthOut: 1.548e-6,
          bandwidth1dBIn: 28e-9,
          bandwidth1dBOut: 30e-9,
        },
      },
    );
    expect(fit.usable).toBe(false);
    const blind = fit.diagnostics.find((d) => d.kind === "unidentifiable");
    if (blind?.kind !== "unidentifiable")
      throw new Error(`no unidentifiable diagnostic: ${JSON.stringify(fit.diagnostics)}`);
    expect(blind.direction.map((d) => d.parameter).sort()).toEqual(["peakEfficiencyIn", "peakEfficiencyOut"]);
    // Their product is what the sweep determines, and it is found.
    expect((fit.values.peakEfficiencyIn as number) * (fit.values.peakEfficiencyOut as number)).toBeCloseTo(
      0.15,
      3,
    );
  });

  it("fitted as identical couplers: peak, centre and width are determined", () => {
    const same = new Float64Array(wavelengths.length);
    const model = gratingPairFitModel(wavelengths, "identical");
    model.evaluate(Float64Array.of(0.38, 1.551e-6, 31e-9), same);
    const data = Float64Array.from(same, (v) => v + 1e-4 * noise());
    const fit = fitLeastSquares(
      model,
      { y: data, sigma: 1e-4 },
      {
        free: ["peakEfficiency", "centreWavelength", "bandwidth1dB"],
        initial: { peakEfficiency: 0.5, centreWavelength: 1.55e-6, bandwidth1dB: 30e-9 },
      },
    );
    expect(fit.usable).toBe(true);
    const truth = { peakEfficiency: 0.38, centreWavelength: 1.551e-6, bandwidth1dB: 31e-9 };
    for (const parameter of fit.parameters) {
      expect(
        Math.abs(parameter.value - truth[parameter.name as keyof typeof truth]),
        parameter.name,
      ).toBeLessThan(3 * parameter.standardError);
    }
  });
});

describe("the linear-drift memristor under an I-V sweep", () => {
  // ±1 V at 1 Hz, 200 samples a period, two periods: Strukov's device at a hidden truth.
  const times = Float64Array.from({ length: 400 }, (_, i) => (i + 1) / 200);
  const voltages = Float64Array.from(times, (t) => Math.sin(2 * Math.PI * t));
  const model = memristorIvFitModel(linearIonDriftIdeal, { times, voltages, x0: 0.1, t0: 0 });
  const truth = { rOn: 120, rOff: 14e3, thickness: 10e-9, mobility: 1.3e-14 };
  const clean = new Float64Array(times.length);
  model.evaluate(Float64Array.of(truth.rOn, truth.rOff, truth.thickness, truth.mobility), clean);
  const noise = normal(9);
  const y = Float64Array.from(clean, (v) => v + 1e-7 * noise());

  it("fitting mobility and thickness both: the engine names the direction it cannot see, μ/D² fixed", () => {
    const fit = fitLeastSquares(
      model,
      { y, sigma: 1e-7 },
      {
        free: ["rOff", "mobility", "thickness"],
        initial: { rOn: truth.rOn, rOff: 16e3, thickness: 12e-9, mobility: 1e-14 },
        logScale: ["mobility", "thickness"],
        bounds: { mobility: [1e-16, 1e-12], thickness: [2e-9, 50e-9] },
      },
    );
    expect(fit.usable).toBe(false);
    const blind = fit.diagnostics.find((d) => d.kind === "unidentifiable");
    if (blind?.kind !== "unidentifiable")
      throw new Error(`no unidentifiable diagnostic: ${JSON.stringify(fit.diagnostics)}`);
    expect(blind.direction.map((d) => d.parameter).sort()).toEqual(["mobility", "thickness"]);
    // What it can see is found: μ/D² within 1e-3 of the truth's.
    const ratio = (fit.values.mobility as number) / (fit.values.thickness as number) ** 2;
    expect(ratio / (truth.mobility / truth.thickness ** 2)).toBeCloseTo(1, 3);
  });

  it("and R_on with them: A and B are all a windowless sweep determines", () => {
    const fit = fitLeastSquares(
      model,
      { y, sigma: 1e-7 },
      {
        free: ["rOn", "rOff", "mobility"],
        initial: { rOn: 100, rOff: 16e3, thickness: truth.thickness, mobility: 1e-14 },
        logScale: ["mobility"],
        bounds: { mobility: [1e-16, 1e-12] },
      },
    );
    const blind = fit.diagnostics.find((d) => d.kind === "unidentifiable");
    if (blind?.kind !== "unidentifiable")
      throw new Error(`no unidentifiable diagnostic: ${JSON.stringify(fit.diagnostics)}`);
    expect(blind.direction.map((d) => d.parameter).sort()).toEqual(["mobility", "rOn"]);
    // B = (R_off − R_on)·μ R_on/D², which the sweep does determine.
    const slope = (p: Readonly<Record<string, number>>) =>
      ((p.rOff as number) - (p.rOn as number)) *
      (((p.mobility as number) * (p.rOn as number)) / (p.thickness as number) ** 2);
    expect(slope(fit.values) / slope(truth)).toBeCloseTo(1, 3);
  });

  it("with R_on and the thickness known, the mobility is determined and found within three standard errors", () => {
    const fit = fitLeastSquares(
      model,
      { y, sigma: 1e-7 },
      {
        free: ["rOff", "mobility"],
        initial: { rOn: truth.rOn, rOff: 16e3, thickness: truth.thickness, mobility: 1e-14 },
        logScale: ["mobility"],
        bounds: { mobility: [1e-16, 1e-12] },
      },
    );
    expect(fit.usable).toBe(true);
    for (const name of ["rOff", "mobility"] as const) {
      const parameter = fit.parameters.find((p) => p.name === name);
      expect(Math.abs((parameter?.value as number) - truth[name]), name).toBeLessThan(
        3 * (parameter?.standardError as number),
      );
    }
  });
});
