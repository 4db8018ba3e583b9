import { describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/models/random.js";
import { findDips, linearFit, type Spectrum } from "../../src/plans/spectrum-analysis.js";

/**
 * An all-pass ring without dispersion (n_g = n_eff), from the closed form
 * (Bogaerts et al. 2012): T = (a² − 2ra cos φ + r²)/(1 − 2ar cos φ + (ra)²),
 * φ = 2π n_eff L/λ. Resonances at λ_m = n_eff L/m, FWHM = (1 − ra) λ²/(π n_g L √(ra)).
 */
const N_EFF = 2.4;
const LENGTH = 100e-6;

interface Ring {
  readonly r: number;
  readonly a: number;
}

function ringSpectrum(
  ring: Ring,
  start: number,
  step: number,
  count: number,
  noise?: { sigma: number; seed: number },
) {
  const wavelength = Float64Array.from({ length: count }, (_, k) => start + k * step);
  const random = noise && new SeededRandom(noise.seed);
  const { r, a } = ring;
  const transmission = wavelength.map((λ) => {
    const c = Math.cos((2 * Math.PI * N_EFF * LENGTH) / λ);
    const t = (a * a - 2 * r * a * c + r * r) / (1 - 2 * a * r * c + (r * a) ** 2);
    return random ? t + noise.sigma * random.gaussian() : t;
  });
  return { wavelength, transmission } satisfies Spectrum;
}

const resonance = (m: number) => (N_EFF * LENGTH) / m;
const fwhmOf = ({ r, a }: Ring, λ: number) =>
  ((1 - r * a) * λ * λ) / (Math.PI * N_EFF * LENGTH * Math.sqrt(r * a));
const minimumOf = ({ r, a }: Ring) => ((a - r) / (1 - a * r)) ** 2;
const maximumOf = ({ r, a }: Ring) => ((a + r) / (1 + a * r)) ** 2;

/** Over-coupled, 16.8 dB deep, FWHM ≈ 113 pm (Q ≈ 13 700); resonances 1538.46, 1548.39, 1558.44 nm. */
const BROAD: Ring = { r: 0.98, a: 0.985 };
/** Under-coupled, FWHM ≈ 38 pm. */
const NARROW: Ring = { r: 0.995, a: 0.993 };
const ORDERS = [156, 155, 154];

describe("findDips on closed-form all-pass ring spectra", () => {
  it.each([
    ["a 1 pm grid", 1e-12],
    ["a coarse 7.3 pm grid", 7.3e-12],
  ])(
    "finds every resonance of %s to a small fraction of the step, its FWHM to 1 % and its depth",
    (_, step) => {
      const start = 1535e-9;
      const spectrum = ringSpectrum(BROAD, start, step, Math.floor(30e-9 / step) + 1);
      const dips = findDips(spectrum);
      expect(dips).toHaveLength(3);
      dips.forEach((dip, k) => {
        const λ = resonance(ORDERS[k] as number);
        expect(dip.refinement).toBe("lorentzian");
        expect(Math.abs(dip.wavelength - λ)).toBeLessThan(0.02 * step);
        expect(dip.fwhm).toBeDefined();
        expect((dip.fwhm as number) / fwhmOf(BROAD, λ)).toBeCloseTo(1, 2);
        expect((dip.fitFwhm as number) / fwhmOf(BROAD, λ)).toBeCloseTo(1, 2);
        expect((dip.q as number) / (λ / fwhmOf(BROAD, λ))).toBeCloseTo(1, 2);
        expect(dip.minTransmission / minimumOf(BROAD)).toBeCloseTo(1, 2);
        expect(dip.baseline / maximumOf(BROAD)).toBeCloseTo(1, 4);
        expect(dip.depthDb).toBeCloseTo(10 * Math.log10(maximumOf(BROAD) / minimumOf(BROAD)), 1);
        expect(dip.depth).toBeCloseTo(1 - minimumOf(BROAD) / maximumOf(BROAD), 3);
        expect(dip.edge).toBeUndefined();
        expect(dip.fwhmUnavailable).toBeUndefined();
        const [left, right] = dip.halfDepthWavelengths as readonly [number, number];
        expect(left).toBeLessThan(dip.wavelength);
        expect(right).toBeGreaterThan(dip.wavelength);
        const { minimum, leftBase, rightBase, fitStart, fitEnd } = dip.indices;
        expect(leftBase).toBeLessThan(fitStart);
        expect(fitStart).toBeLessThanOrEqual(minimum);
        expect(minimum).toBeLessThanOrEqual(fitEnd);
        expect(fitEnd).toBeLessThan(rightBase);
      });
    },
  );

  it("resolves a narrow dip only 8 samples wide, between the grid points", () => {
    const step = 5e-12;
    const λ = resonance(155);
    // The grid is offset so that no sample lands on the resonance.
    const spectrum = ringSpectrum(NARROW, λ - 2e-9 + 0.37 * step, step, 800);
    const [dip, ...rest] = findDips(spectrum);
    expect(rest).toHaveLength(0);
    expect(Math.abs((dip?.wavelength as number) - λ)).toBeLessThan(0.02 * step);
    expect((dip?.fwhm as number) / fwhmOf(NARROW, λ)).toBeCloseTo(1, 1);
    expect(Math.abs((dip?.fwhm as number) / fwhmOf(NARROW, λ) - 1)).toBeLessThan(0.01);
    expect(Math.abs((dip?.fitFwhm as number) / fwhmOf(NARROW, λ) - 1)).toBeLessThan(0.002);
  });

  it("keeps a deep, nearly critically coupled dip (31.8 dB)", () => {
    const ring = { r: 0.99, a: 0.9905 };
    const λ = resonance(155);
    const [dip] = findDips(ringSpectrum(ring, λ - 1e-9 + 0.5e-12, 1e-12, 2000));
    expect(Math.abs((dip?.wavelength as number) - λ)).toBeLessThan(0.02e-12);
    // At 32 dB the extinction rests on a transmission of 6.6e-4: the fit finds it
    // to 5e-5 (the lowest sample, 0.5 pm off, is 9.2e-4), which is 0.3 dB.
    expect(Math.abs((dip?.minTransmission as number) - minimumOf(ring))).toBeLessThan(5e-5);
    expect(
      Math.abs((dip?.depthDb as number) - 10 * Math.log10(maximumOf(ring) / minimumOf(ring))),
    ).toBeLessThan(0.3);
    expect(dip?.depth).toBeCloseTo(1 - minimumOf(ring) / maximumOf(ring), 4);
  });

  it.each([
    ["the bases", undefined, 0.02],
    ["a percentile", { percentile: 50 }, 0.015],
  ] as const)(
    "measures noisy dips (σ = 0.002 of a 0.02–1 dip) with %s as baseline",
    (_, baseline, fwhmTolerance) => {
      const step = 1e-12;
      const spectrum = ringSpectrum(BROAD, 1535e-9, step, 30_001, { sigma: 0.002, seed: 7 });
      const dips = findDips(spectrum, baseline ? { baseline } : {});
      expect(dips).toHaveLength(3);
      dips.forEach((dip, k) => {
        const λ = resonance(ORDERS[k] as number);
        expect(Math.abs(dip.wavelength - λ)).toBeLessThan(0.3 * step);
        expect(Math.abs((dip.fwhm as number) / fwhmOf(BROAD, λ) - 1)).toBeLessThan(fwhmTolerance);
        expect(dip.depthDb).toBeGreaterThan(15.5);
        expect(dip.depthDb).toBeLessThan(18);
      });
    },
  );

  it("still finds noisy dips with smoothing, measuring them on the raw samples", () => {
    const step = 1e-12;
    const spectrum = ringSpectrum(BROAD, 1535e-9, step, 30_001, { sigma: 0.01, seed: 3 });
    const dips = findDips(spectrum, { smoothing: 9, baseline: { percentile: 50 } });
    expect(dips.map((d) => Math.round(d.wavelength * 1e12))).toEqual(
      ORDERS.map((m) => Math.round(resonance(m) * 1e12)),
    );
    for (const dip of dips)
      expect(Math.abs((dip.fwhm as number) / fwhmOf(BROAD, dip.wavelength) - 1)).toBeLessThan(0.05);
  });

  it.each([0.01, 0.03])("finds no dip in a flat spectrum with Gaussian noise of σ = %s", (sigma) => {
    const random = new SeededRandom(11);
    const wavelength = Float64Array.from({ length: 30_000 }, (_, k) => 1535e-9 + k * 1e-12);
    const transmission = wavelength.map(() => 0.5 * (1 + sigma * random.gaussian()));
    expect(findDips({ wavelength, transmission })).toEqual([]);
    // The noise's own local minima are all there, just not prominent.
    expect(findDips({ wavelength, transmission }, { minProminenceDb: 0 }).length).toBeGreaterThan(5000);
  });

  it("flags a dip whose short-wavelength flank is cut off by the span, without inventing its width", () => {
    const λ = resonance(155);
    // Starts 30 pm below the resonance: inside the dip (half width ≈ 56 pm).
    const spectrum = ringSpectrum(BROAD, λ - 30e-12, 1e-12, 2000);
    const dips = findDips(spectrum);
    expect(dips).toHaveLength(1);
    const [dip] = dips;
    expect(dip?.edge).toBe("start");
    expect(dip?.fwhm).toBeUndefined();
    expect(dip?.q).toBeUndefined();
    expect(dip?.fwhmUnavailable).toMatch(/span ends before the short-wavelength half-depth crossing/);
    expect(Math.abs((dip?.wavelength as number) - λ)).toBeLessThan(0.05e-12);
    expect(dip?.indices.leftBase).toBe(0);
  });

  it("flags a long-wavelength edge the same way", () => {
    const λ = resonance(155);
    const spectrum = ringSpectrum(BROAD, λ - 2e-9, 1e-12, 2040);
    const [dip] = findDips(spectrum);
    expect(dip?.edge).toBe("end");
    expect(dip?.fwhmUnavailable).toMatch(/long-wavelength/);
  });

  it("reports no dip whose minimum lies beyond the span", () => {
    const λ = resonance(155);
    expect(findDips(ringSpectrum(BROAD, λ + 10e-12, 1e-12, 2000))).toEqual([]);
  });

  it("follows a tilted envelope: the baseline is the line touching the samples from above", () => {
    const ring = ringSpectrum(BROAD, 1535e-9, 1e-12, 30_001);
    // A grating coupler's slope: 1 dB down over the 30 nm span.
    const envelope = (λ: number) => 10 ** (-((λ - 1535e-9) / 30e-9) / 10);
    const transmission = ring.transmission.map((t, k) => t * envelope(ring.wavelength[k] as number));
    const dips = findDips({ wavelength: ring.wavelength, transmission });
    expect(dips).toHaveLength(3);
    const [, middle] = dips;
    const λ = resonance(155);
    // A straight line across the curved (exponential) envelope, touching it 10 nm each side,
    // sits E″·d₁d₂/2 ≈ 0.15 % above it; the highest sample each side would be 0.3 % below.
    expect(Math.abs((middle?.baseline as number) / (maximumOf(BROAD) * envelope(λ)) - 1)).toBeLessThan(0.002);
    expect(Math.abs((middle?.wavelength as number) - λ)).toBeLessThan(0.05e-12);
    expect(Math.abs((middle?.fwhm as number) / fwhmOf(BROAD, λ) - 1)).toBeLessThan(0.01);
    expect(middle?.depthDb).toBeCloseTo(10 * Math.log10(maximumOf(BROAD) / minimumOf(BROAD)), 1);
  });

  it("takes a lone dip's baseline from both sides when the span ends on its wings", () => {
    const λ = resonance(155);
    const [dip] = findDips(ringSpectrum(BROAD, λ - 1e-9, 1e-12, 2001));
    expect(dip?.indices.leftBase).toBe(0);
    expect(dip?.indices.rightBase).toBe(2000);
    expect(dip?.edge).toBeUndefined();
    expect(Math.abs((dip?.fwhm as number) / fwhmOf(BROAD, λ) - 1)).toBeLessThan(0.01);
  });

  it("refines with a parabola, or not at all, when asked", () => {
    const λ = resonance(155);
    const spectrum = ringSpectrum(BROAD, λ - 2e-9 + 0.4e-12, 1e-12, 4000);
    const [parabola] = findDips(spectrum, { refine: "parabola" });
    expect(parabola?.refinement).toBe("parabola");
    expect(Math.abs((parabola?.wavelength as number) - λ)).toBeLessThan(0.1e-12);
    const [sample] = findDips(spectrum, { refine: "none" });
    expect(sample?.refinement).toBe("sample");
    expect(sample?.wavelength).toBe(spectrum.wavelength[sample?.indices.minimum as number]);
  });

  it("separates a split resonance into two dips, and ignores a shallow one below the prominence", () => {
    const wavelength = Float64Array.from({ length: 2001 }, (_, k) => 1550e-9 + k * 1e-12);
    const lorentzian = (λ: number, at: number, depth: number) => depth / (1 + ((2 * (λ - at)) / 60e-12) ** 2);
    const transmission = wavelength.map(
      (λ) =>
        1 - lorentzian(λ, 1550.8e-9, 0.9) - lorentzian(λ, 1551.0e-9, 0.9) - lorentzian(λ, 1551.6e-9, 0.2),
    );
    const dips = findDips({ wavelength, transmission });
    expect(dips).toHaveLength(2);
    // Each sits on the other's tail, which pulls it by about 0.1 pm.
    expect(Math.abs((dips[0]?.wavelength as number) - 1550.8e-9)).toBeLessThan(0.3e-12);
    expect(Math.abs((dips[1]?.wavelength as number) - 1551.0e-9)).toBeLessThan(0.3e-12);
  });

  it.each([
    [{ wavelength: new Float64Array([1, 2]), transmission: new Float64Array([1, 1]) }, /3 samples/],
    [
      { wavelength: new Float64Array([1, 3, 2]), transmission: new Float64Array([1, 1, 1]) },
      /wavelength\[2\]/,
    ],
    [
      { wavelength: new Float64Array([1, 2, 3]), transmission: new Float64Array([1, -3, 1]) },
      /linear, not dB/,
    ],
    [
      { wavelength: new Float64Array([1, 2, 3]), transmission: new Float64Array([1, 1]) },
      /3 wavelengths but 2/,
    ],
  ])("refuses a malformed spectrum (%#)", (spectrum, message) => {
    expect(() => findDips(spectrum)).toThrow(message);
  });

  it("refuses an even smoothing window", () => {
    const spectrum = ringSpectrum(BROAD, 1548e-9, 1e-12, 100);
    expect(() => findDips(spectrum, { smoothing: 4 })).toThrow(/odd/);
  });

  it("handles a 200 000-sample sweep quickly (1500 to 1600 nm: 9 resonances inside, one on the first sample)", () => {
    const spectrum = ringSpectrum(BROAD, 1500e-9, 0.5e-12, 200_000, { sigma: 0.002, seed: 5 });
    const started = performance.now();
    const dips = findDips(spectrum);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(dips.map((d) => Math.round(d.wavelength * 1e12))).toEqual(
      [159, 158, 157, 156, 155, 154, 153, 152, 151].map((m) => Math.round(resonance(m) * 1e12)),
    );
  });
});

describe("linearFit", () => {
  it("matches a case worked by hand", () => {
    // x̄ = 1.5, ȳ = 2.75, Σ(x − x̄)² = 5, Σ(x − x̄)(y − ȳ) = 5.5: slope 1.1, intercept 1.1;
    // residuals −0.1, 0.8, −1.3, 0.6, SSres 2.7, s² = 1.35; SStot = 8.75.
    const fit = linearFit([0, 1, 2, 3], [1, 3, 2, 5]);
    expect(fit.slope).toBeCloseTo(1.1, 12);
    expect(fit.intercept).toBeCloseTo(1.1, 12);
    expect(Array.from(fit.residuals).map((r) => Number(r.toFixed(12)))).toEqual([-0.1, 0.8, -1.3, 0.6]);
    expect(fit.chi2).toBeCloseTo(2.7, 12);
    expect(fit.dof).toBe(2);
    expect(fit.reducedChi2).toBeCloseTo(1.35, 12);
    expect(fit.slopeError).toBeCloseTo(Math.sqrt(1.35 / 5), 12);
    expect(fit.interceptError).toBeCloseTo(Math.sqrt(1.35 * (1 / 4 + 1.5 ** 2 / 5)), 12);
    expect(fit.covariance).toBeCloseTo((-1.35 * 1.5) / 5, 12);
    expect(fit.r2).toBeCloseTo(1 - 2.7 / 8.75, 12);
  });

  it("fits an exact line exactly, with r² = 1", () => {
    const fit = linearFit([1, 2, 3, 4], [5, 7, 9, 11]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(3, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.slopeError).toBeCloseTo(0, 12);
  });

  it("weights: a point with σ/√2 counts as two points with σ", () => {
    const once = linearFit([0, 1, 2, 3], [0.1, 1.2, 1.9, 3.3], [1, Math.SQRT1_2, 1, 1]);
    const twice = linearFit([0, 1, 1, 2, 3], [0.1, 1.2, 1.2, 1.9, 3.3], [1, 1, 1, 1, 1]);
    expect(once.slope).toBeCloseTo(twice.slope, 12);
    expect(once.intercept).toBeCloseTo(twice.intercept, 12);
    expect(once.slopeError).toBeCloseTo(twice.slopeError, 12);
    expect(once.chi2).toBeCloseTo(twice.chi2, 12);
  });

  // A heater tuning run: 85 pm/mW, resonances read to 0.5 pm, 0 to 20 mW in 11 steps.
  const power = Float64Array.from({ length: 11 }, (_, k) => k * 2e-3);
  const trueSlope = 85e-12 / 1e-3;
  const sigma = 0.5e-12;
  const run = (seed: number) => {
    const random = new SeededRandom(seed);
    return power.map((p) => 1550e-9 + trueSlope * p + sigma * random.gaussian());
  };
  const sxx = power.reduce((sum, p) => sum + (p - 10e-3) ** 2, 0);

  it("recovers a known slope, its error bar is σ/√Σ(x − x̄)² and covers the truth", () => {
    const fit = linearFit(
      power,
      run(42),
      power.map(() => sigma),
    );
    expect(fit.slopeError).toBeCloseTo(sigma / Math.sqrt(sxx), 20);
    // Σ(x − x̄)² = 110 (2 mW)² = 4.4e-4 W²: 0.5 pm/21 mW = 0.0238 pm/mW.
    expect(fit.slopeError * 1e9).toBeCloseTo(0.0238, 4);
    expect(Math.abs(fit.slope - trueSlope)).toBeLessThan(2 * fit.slopeError);
    expect(fit.interceptError).toBeCloseTo(sigma * Math.sqrt(1 / 11 + 10e-3 ** 2 / sxx), 20);
    expect(fit.reducedChi2).toBeGreaterThan(0.2);
    expect(fit.reducedChi2).toBeLessThan(2.5);
  });

  it("gives error bars that match the scatter of repeated runs, weighted or not", () => {
    const weighted = Array.from({ length: 400 }, (_, seed) =>
      linearFit(
        power,
        run(seed),
        power.map(() => sigma),
      ),
    );
    const slopes = weighted.map((f) => f.slope);
    const mean = slopes.reduce((a, b) => a + b, 0) / slopes.length;
    const spread = Math.sqrt(slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / (slopes.length - 1));
    const stated = sigma / Math.sqrt(sxx);
    expect(spread / stated).toBeGreaterThan(0.9);
    expect(spread / stated).toBeLessThan(1.1);
    expect(Math.abs(mean - trueSlope)).toBeLessThan(3 * (stated / Math.sqrt(400)));
    const covered = weighted.filter((f) => Math.abs(f.slope - trueSlope) <= f.slopeError).length / 400;
    expect(covered).toBeGreaterThan(0.62);
    expect(covered).toBeLessThan(0.74);
    // Without sigma the error comes from the scatter: on average the same.
    const ordinary = Array.from({ length: 400 }, (_, seed) => linearFit(power, run(seed)).slopeError);
    expect(ordinary.reduce((a, b) => a + b, 0) / 400 / stated).toBeCloseTo(1, 1);
  });

  it.each([
    [[1], [1], undefined, /2 points or more/],
    [[1, 1, 1], [1, 2, 3], undefined, /all x are equal/],
    [[1, 2, 3], [1, 2], undefined, /3 x values but 2/],
    [[1, 2, 3], [1, Number.NaN, 3], undefined, /point 1/],
    [[1, 2, 3], [1, 2, 3], [1, 0, 1], /sigma\[1\]/],
  ])("refuses x %j, y %j, sigma %j", (x, y, s, message) => {
    expect(() => linearFit(x, y, s)).toThrow(message);
  });

  it("fits two points: errors from sigma when given, NaN otherwise", () => {
    const fit = linearFit([0, 1], [1, 3], [0.1, 0.1]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.slopeError).toBeCloseTo(0.1 * Math.SQRT2, 12);
    expect(fit.reducedChi2).toBeNaN();
    const bare = linearFit([0, 1], [1, 3]);
    expect(bare.intercept).toBeCloseTo(1, 12);
    expect(bare.slopeError).toBeNaN();
  });
});
