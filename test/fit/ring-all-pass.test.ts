/**
 * The ring's fit model on spectra made by the ring model itself plus seeded
 * noise: its analytic Jacobian against central differences, starting values
 * read off the spectrum against the values that made it, recovery within
 * three standard errors, the under/over-coupling ambiguity reported with
 * both solutions, and a flat line refused.
 */
import { describe, expect, it } from "vitest";
import { ringStart } from "../../calibration/ring-start.js";
import { loadCore } from "../../src/core/load-node.js";
import type { Core } from "../../src/core/wasm.js";
import { FitInputError } from "../../src/fit/errors.js";
import { fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import {
  RING_SPECTRUM_FREE,
  ringAllPassFitModel,
  ringFitParameters,
} from "../../src/fit/models/ring-all-pass.js";
import { freeSpectralRange, loadedQ } from "../../src/models/photonic/ring.js";
import { SeededRandom } from "../../src/models/random.js";

/** Seeded standard normal deviates (src/models/random.ts: mulberry32 and Box–Muller). */
function normal(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.gaussian();
}

const truth = {
  selfCoupling: 0.985,
  roundTripAmplitude: 0.97,
  circumference: 2 * Math.PI * 10e-6,
  effectiveIndex: 2.43,
  groupIndex: 4.15,
  referenceWavelength: 1.55e-6,
  transmissionScale: 0.8,
  transmissionSlope: 0.6,
};
const vector = (values: Record<string, number>) =>
  Float64Array.from(ringFitParameters, (spec) => values[spec.name] as number);
const wavelengths = Float64Array.from({ length: 4000 }, (_, i) => 1.54e-6 + (i * 20e-9) / 3999);
const model = ringAllPassFitModel(wavelengths);
const clean = new Float64Array(wavelengths.length);
model.evaluate(vector(truth), clean);
const SIGMA = 0.002;
const noise = normal(42);
const measured = Float64Array.from(clean, (value) => value + SIGMA * noise());
const FREE = RING_SPECTRUM_FREE;

describe("the all-pass ring as a fit model", () => {
  it("has the Jacobian of its prediction (central differences, every parameter, near and off resonance)", () => {
    const few = Float64Array.of(1.5431e-6, 1.5478e-6, 1.55e-6, 1.5523e-6);
    const small = ringAllPassFitModel(few);
    const n = ringFitParameters.length;
    const p = vector(truth);
    const analytic = new Float64Array(few.length * n);
    small.evaluate(p, new Float64Array(few.length), analytic);
    for (let j = 0; j < n; j++) {
      const h = Math.abs(p[j] as number) * 1e-7;
      const [up, down] = [Float64Array.from(p), Float64Array.from(p)];
      up[j] = (up[j] as number) + h;
      down[j] = (down[j] as number) - h;
      const [fu, fd] = [new Float64Array(few.length), new Float64Array(few.length)];
      small.evaluate(up, fu);
      small.evaluate(down, fd);
      for (let i = 0; i < few.length; i++) {
        const numeric = ((fu[i] as number) - (fd[i] as number)) / (2 * h);
        const exact = analytic[i * n + j] as number;
        expect(Math.abs(exact - numeric), `∂f/∂${ringFitParameters[j]?.name} at point ${i}`).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(numeric)),
        );
      }
    }
  });

  it("reads its starting values off the spectrum: resonances, FSR, width and depth", () => {
    const start = ringStart(wavelengths, measured, {
      circumference: truth.circumference,
      referenceWavelength: truth.referenceWavelength,
      effectiveIndex: 2.42,
    });
    expect(start.dips.length).toBeGreaterThanOrEqual(2);
    const fsr = freeSpectralRange(truth, 1.55e-6);
    expect(
      Math.abs((start.dips[1]?.wavelength as number) - (start.dips[0]?.wavelength as number) - fsr),
    ).toBeLessThan(0.02 * fsr);
    expect(start.values.groupIndex).toBeCloseTo(truth.groupIndex, 1);
    expect(start.values.effectiveIndex).toBeCloseTo(truth.effectiveIndex, 2);
    expect(start.values.transmissionScale).toBeCloseTo(truth.transmissionScale, 2);
    // Under-coupled reading: r > a, each within 0.01 of the truth; the over-coupled one swaps them.
    expect(start.values.selfCoupling).toBeCloseTo(truth.selfCoupling, 2);
    expect(start.values.roundTripAmplitude).toBeCloseTo(truth.roundTripAmplitude, 2);
    expect(start.overCoupled.selfCoupling).toBe(start.values.roundTripAmplitude);
    // The width gives the loaded Q: λ/FWHM of the deepest dip within 5 %.
    const deepest = start.dips.reduce((x, y) => (x.depth > y.depth ? x : y));
    expect((deepest.q as number) / loadedQ(truth, deepest.wavelength)).toBeCloseTo(1, 1);
  });

  it("keeps the group index when the finder misses a dip (one spacing doubled)", () => {
    // 40 nm: four or five dips of the ~9 nm FSR.
    const wide = Float64Array.from({ length: 8000 }, (_, i) => 1.53e-6 + (i * 40e-9) / 7999);
    const spectrum = new Float64Array(wide.length);
    ringAllPassFitModel(wide).evaluate(vector(truth), spectrum);
    const design = { circumference: truth.circumference, referenceWavelength: 1.55e-6, effectiveIndex: 2.42 };
    const full = ringStart(wide, spectrum, design);
    expect(full.dips.length).toBeGreaterThanOrEqual(4);
    // Fill in the second dip: the finder then sees one spacing of two FSRs among spacings of one.
    const second = full.dips[1]?.indices as { leftBase: number; rightBase: number };
    const filled = Float64Array.from(spectrum);
    for (let i = second.leftBase; i <= second.rightBase; i++) filled[i] = spectrum[second.leftBase] as number;
    const start = ringStart(wide, filled, design);
    expect(start.dips.length).toBe(full.dips.length - 1);
    expect(start.values.groupIndex).toBeCloseTo(full.values.groupIndex as number, 2);
    expect(start.values.groupIndex).toBeCloseTo(truth.groupIndex, 1);
  });

  it("recovers the ring within three standard errors, and reports the swapped solution as equally good", () => {
    const start = ringStart(wavelengths, measured, {
      circumference: truth.circumference,
      referenceWavelength: truth.referenceWavelength,
      effectiveIndex: 2.42,
    });
    const fit = fitLeastSquares(model, { y: measured, sigma: SIGMA }, { free: FREE, initial: start.values });
    expect(fit.converged).toBe(true);
    for (const name of FREE) {
      const parameter = fit.parameters.find((p) => p.name === name);
      const error = Math.abs(
        (parameter?.value as number) - ((truth as Record<string, number>)[name] as number),
      );
      expect(error, name).toBeLessThan(3 * (parameter?.standardError as number));
    }
    expect(fit.reducedChiSquare).toBeGreaterThan(0.9);
    expect(fit.reducedChiSquare).toBeLessThan(1.1);
    expect(fit.usable).toBe(false);
    const ambiguous = fit.diagnostics.find((d) => d.kind === "ambiguous");
    expect(ambiguous).toMatchObject({ parameters: ["selfCoupling", "roundTripAmplitude"] });
    if (ambiguous?.kind !== "ambiguous") throw new Error("unreachable");
    expect(ambiguous.alternative.selfCoupling).toBe(fit.values.roundTripAmplitude);
    expect(ambiguous.alternative.roundTripAmplitude).toBe(fit.values.selfCoupling);
    expect(fit.diagnostics.map((d) => d.kind)).toEqual(["ambiguous"]);
  });

  it("with one of the pair known, the other is fitted with nothing ambiguous", () => {
    const fit = fitLeastSquares(
      model,
      { y: measured, sigma: SIGMA },
      {
        free: ["selfCoupling", "effectiveIndex", "groupIndex", "transmissionScale", "transmissionSlope"],
        initial: { ...truth, selfCoupling: 0.99, effectiveIndex: 2.4301, groupIndex: 4.16 },
      },
    );
    expect(fit.usable).toBe(true);
    expect(Math.abs((fit.values.selfCoupling as number) - truth.selfCoupling)).toBeLessThan(
      3 * (fit.parameters[0]?.standardError as number),
    );
  });

  it("takes the resonance order from the design: n_eff0 is known only modulo λ0/L, which the card must say", () => {
    // A design index 0.03 off (more than half of λ0/L = 0.0247) picks the neighbouring order: as good a fit.
    const design = { circumference: truth.circumference, referenceWavelength: 1.55e-6, effectiveIndex: 2.4 };
    const start = ringStart(wavelengths, measured, design);
    const fit = fitLeastSquares(model, { y: measured, sigma: SIGMA }, { free: FREE, initial: start.values });
    const step = truth.referenceWavelength / truth.circumference;
    expect(((fit.values.effectiveIndex as number) - truth.effectiveIndex) / step).toBeCloseTo(-1, 4);
    const right = fitLeastSquares(
      model,
      { y: measured, sigma: SIGMA },
      { free: FREE, initial: ringStart(wavelengths, measured, { ...design, effectiveIndex: 2.42 }).values },
    );
    expect(fit.chiSquare / right.chiSquare).toBeCloseTo(1, 6);
  });

  it("fits the same in the WASM core as in TypeScript: the same values to 1e-9 of their errors", async () => {
    const core: Core = await loadCore();
    const start = ringStart(wavelengths, measured, {
      circumference: truth.circumference,
      referenceWavelength: truth.referenceWavelength,
      effectiveIndex: 2.42,
    });
    const options = { free: FREE, initial: start.values };
    const ts = fitLeastSquares(model, { y: measured, sigma: SIGMA }, options);
    const wasm = fitLeastSquares(
      ringAllPassFitModel(wavelengths, { core }),
      { y: measured, sigma: SIGMA },
      options,
    );
    expect(wasm.converged).toBe(true);
    for (const [k, parameter] of ts.parameters.entries()) {
      const other = wasm.parameters[k];
      if (!parameter.free) continue;
      expect(Math.abs((other?.value as number) - parameter.value), parameter.name).toBeLessThan(
        1e-9 * parameter.standardError,
      );
      expect((other?.standardError as number) / parameter.standardError).toBeCloseTo(1, 9);
    }
  });

  it("refuses a flat line: no resonance to fit, said before fitting", () => {
    const flat = Float64Array.from(wavelengths, () => 0.8 + SIGMA * noise());
    const design = { circumference: truth.circumference, referenceWavelength: 1.55e-6, effectiveIndex: 2.4 };
    expect(() => ringStart(wavelengths, flat, design)).toThrow(FitInputError);
    expect(() => ringStart(wavelengths, flat, design)).toThrow(/no resonance in the spectrum/);
  });
});
