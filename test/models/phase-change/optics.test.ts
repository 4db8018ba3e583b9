/**
 * Lorentz–Lorenz mixing of the GST phases, the patch's transmission and
 * the resistance drift: closed forms, bounds, monotonicity, and each
 * gradient against central finite differences.
 */
import { describe, expect, it } from "vitest";
import { abs, arg, type Complex, div, mul, sub } from "../../../src/models/complex.js";
import { ParameterRangeError } from "../../../src/models/parameters.js";
import {
  driftedResistance,
  driftedResistanceWithGradient,
  type GstOpticalParams,
  gstIndex,
  gstIndexWithGradient,
  gstOpticalParameters,
  gstPermittivity,
  lorentzLorenz,
  patchDefaults,
  patchIndexChange,
  patchParameters,
  patchTransmission,
  patchTransmissionWithGradient,
  resistanceDriftDefaults,
  resistanceDriftParameters,
} from "../../../src/models/phase-change/index.js";
import { entry } from "../../../src/models/photonic/s-matrix.js";
import { waveguide } from "../../../src/models/photonic/waveguide.js";
import { centralDifference, roundingFloor } from "../../support/finite-difference.js";

const optical: GstOpticalParams = patchDefaults;
const fractions = Array.from({ length: 101 }, (_, k) => k / 100);
/** Other published-style pairs (n + iκ at 1550 nm), to check the mixing beyond the defaults. */
const pairs: readonly (readonly [string, GstOpticalParams])[] = [
  ["defaults", optical],
  [
    "low-loss pair",
    { amorphousIndex: 3.3, amorphousExtinction: 0, crystallineIndex: 5.1, crystallineExtinction: 0.4 },
  ],
  [
    "high-contrast pair",
    { amorphousIndex: 4.6, amorphousExtinction: 0.18, crystallineIndex: 7.2, crystallineExtinction: 1.9 },
  ],
];

/** |a − b| ≤ tol·scale for complex numbers. */
function expectComplexClose(actual: Complex, expected: Complex, tolerance: number, scale = abs(expected)) {
  expect(abs(sub(actual, expected))).toBeLessThanOrEqual(tolerance * scale);
}

describe.each(pairs)("Lorentz–Lorenz mixing, %s", (_name, p) => {
  const a = { re: p.amorphousIndex, im: p.amorphousExtinction };
  const c = { re: p.crystallineIndex, im: p.crystallineExtinction };

  it("gives the pure phases at X = 0 and X = 1", () => {
    expectComplexClose(gstIndex(p, 0), a, 1e-14);
    expectComplexClose(gstIndex(p, 1), c, 1e-14);
  });

  it("mixes (ε − 1)/(ε + 2) linearly in X", () => {
    const la = lorentzLorenz(mul(a, a));
    const lc = lorentzLorenz(mul(c, c));
    for (const x of fractions) {
      const expected = { re: x * lc.re + (1 - x) * la.re, im: x * lc.im + (1 - x) * la.im };
      expectComplexClose(lorentzLorenz(gstPermittivity(p, x)), expected, 1e-14);
    }
  });

  it("lies between the phases (to rounding), and moves monotonically, in both n and κ", () => {
    const slack = 1e-14 * abs(c);
    let previous = gstIndex(p, 0);
    for (const x of fractions.slice(1)) {
      const n = gstIndex(p, x);
      expect(n.re).toBeGreaterThanOrEqual(a.re - slack);
      expect(n.re).toBeLessThanOrEqual(c.re + slack);
      expect(n.im).toBeGreaterThanOrEqual(a.im - slack);
      expect(n.im).toBeLessThanOrEqual(c.im + slack);
      expect(n.re).toBeGreaterThan(previous.re);
      expect(n.im).toBeGreaterThanOrEqual(previous.im);
      previous = n;
    }
  });
});

/**
 * Checks a complex gradient entry against central differences of f, to 1e-6
 * of its own size (down to the finite difference's rounding floor).
 */
function checkComplexPartial(
  f: (value: number) => Complex,
  value: number,
  analytic: Complex,
  step = value === 0 ? 1e-6 : 1e-4 * Math.abs(value),
) {
  const re = centralDifference((v) => f(v).re, value, step);
  const im = centralDifference((v) => f(v).im, value, step);
  const at = f(value);
  const floor = roundingFloor([at.re, at.im], step, 1e-6);
  expect(Math.hypot(analytic.re - re, analytic.im - im)).toBeLessThanOrEqual(
    1e-6 * Math.max(abs(analytic), floor),
  );
}

describe("∂n_GST/∂p and ∂n_GST/∂X", () => {
  const x = 0.37;
  const { gradient, dFraction } = gstIndexWithGradient(optical, x);
  it.each(gstOpticalParameters.map((spec, j) => [spec.name, j] as const))("%s", (name, j) => {
    checkComplexPartial((v) => gstIndex({ ...optical, [name]: v }, x), optical[name], gradient[j] as Complex);
  });
  it("X", () => checkComplexPartial((v) => gstIndex(optical, v), x, dFraction));
});

describe("patch transmission", () => {
  const p = patchDefaults;
  const λ = 1.55e-6;
  const k0 = (2 * Math.PI) / λ;

  it("equals the bare waveguide's S[out][in] when Γ = 0", () => {
    const { length, propagationLossDbPerM, effectiveIndex, groupIndex, referenceWavelength } = p;
    const bare = waveguide.sMatrix(
      { length, propagationLossDbPerM, effectiveIndex, groupIndex, referenceWavelength },
      λ,
    );
    const t = patchTransmission({ ...p, confinementFactor: 0 }, 0.6, λ);
    expectComplexClose(t, entry(bare, "out", "in"), 1e-14);
    expectComplexClose(t, entry(bare, "in", "out"), 1e-14);
  });

  it("changes by exp(i k0 L Δn_eff), Δn_eff = Γ (n_GST(X) − n_clad), relative to Γ = 0", () => {
    for (const x of [0, 0.5, 1]) {
      const ratio = div(patchTransmission(p, x, λ), patchTransmission({ ...p, confinementFactor: 0 }, x, λ));
      const dn = patchIndexChange(p, x);
      const n = gstIndex(p, x);
      expect(dn.re).toBeCloseTo(p.confinementFactor * (n.re - p.claddingIndex), 15);
      expect(dn.im).toBeCloseTo(p.confinementFactor * n.im, 15);
      expect(abs(ratio)).toBeCloseTo(Math.exp(-k0 * p.length * dn.im), 13);
      expect(arg(ratio)).toBeCloseTo(
        Math.atan2(Math.sin(k0 * p.length * dn.re), Math.cos(k0 * p.length * dn.re)),
        12,
      );
    }
  });

  it("loses more and delays more as the patch crystallises (defaults: ~1.0 rad, ~3.2 dB)", () => {
    const amorphous = patchTransmission(p, 0, λ);
    const crystalline = patchTransmission(p, 1, λ);
    const lossDb = 20 * Math.log10(abs(amorphous) / abs(crystalline));
    expect(lossDb).toBeGreaterThan(3);
    expect(lossDb).toBeLessThan(3.5);
    const shift = arg(div(crystalline, amorphous));
    expect(shift).toBeGreaterThan(0.9);
    expect(shift).toBeLessThan(1.05);
    let previous = abs(amorphous);
    for (const x of fractions.slice(1)) {
      const magnitude = abs(patchTransmission(p, x, λ));
      expect(magnitude).toBeLessThan(previous);
      previous = magnitude;
    }
  });

  it.each([
    ["a fraction above 1", () => patchTransmission(p, 1.01, λ), RangeError],
    ["a fraction of 7 to mix (no extrapolation)", () => gstIndex(p, 7), /fraction 7 is outside/],
    ["a negative fraction to mix", () => gstPermittivity(p, -0.1), /fraction -0.1 is outside/],
    ["a NaN fraction to differentiate", () => gstIndexWithGradient(p, Number.NaN), /fraction NaN/],
    ["a negative wavelength", () => patchTransmission(p, 0.5, -1), RangeError],
    ["Γ above 1", () => patchTransmission({ ...p, confinementFactor: 2 }, 0.5, λ), ParameterRangeError],
  ] as const)("refuses %s", (_what, run, error) => expect(run).toThrow(error));

  describe.each([
    [0.3, 1.56e-6],
    [0.8, 1.53e-6],
  ])("∂t/∂p at X = %s, λ = %s m", (x, wavelength) => {
    const { gradient, dFraction } = patchTransmissionWithGradient(p, x, wavelength);
    it.each(patchParameters.map((spec, j) => [spec.name, j] as const))("%s", (name, j) => {
      const analytic = gradient[j] as Complex;
      expect(abs(analytic) * Math.max(Math.abs(p[name]), 1e-3)).toBeGreaterThan(1e-9);
      checkComplexPartial((v) => patchTransmission({ ...p, [name]: v }, x, wavelength), p[name], analytic);
    });
    it("X", () => checkComplexPartial((v) => patchTransmission(p, v, wavelength), x, dFraction));
  });
});

describe("resistance drift R(t) = R0 (t/t0)^ν", () => {
  const p = resistanceDriftDefaults;
  it("is R0 at t0 and R0·10^ν a decade later; slope ν in log-log", () => {
    expect(driftedResistance(p, p.referenceTime)).toBe(p.resistance);
    expect(driftedResistance(p, 10 * p.referenceTime)).toBeCloseTo(p.resistance * 10 ** p.driftExponent, 6);
    const slope =
      (Math.log(driftedResistance(p, 1e4)) - Math.log(driftedResistance(p, 1e-2))) /
      (Math.log(1e4) - Math.log(1e-2));
    expect(slope).toBeCloseTo(p.driftExponent, 13);
  });

  it("refuses t ≤ 0", () => expect(() => driftedResistance(p, 0)).toThrow(RangeError));

  describe.each([1e-3, 7, 1e5])("∂R/∂p at t = %s s", (time) => {
    const { value, gradient } = driftedResistanceWithGradient(p, time);
    it.each(resistanceDriftParameters.map((spec, j) => [spec.name, j] as const))("%s", (name, j) => {
      const numeric = centralDifference(
        (v) => driftedResistance({ ...p, [name]: v }, time),
        p[name],
        1e-4 * p[name],
      );
      expect(Math.abs((gradient[j] as number) - numeric)).toBeLessThanOrEqual(
        1e-6 * Math.abs(gradient[j] as number),
      );
      expect(value).toBe(driftedResistance(p, time));
    });
  });
});
