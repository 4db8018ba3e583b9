/**
 * Microring resonators against the closed forms of Bogaerts et al.,
 * "Silicon microring resonators", Laser Photonics Rev. 6, 47 (2012):
 * measured on the computed spectrum (minima and half-depth points found
 * numerically), not read back from the formulas.
 *
 * With n_eff linear in λ, φ(λ) = A/λ − B exactly (A = 2π n_g L,
 * B = 2π L (n_g − n_eff0)/λ0), so a phase Φ is reached at λ = A/(Φ + B):
 * resonances λ_m = A/(2πm + B), and the exact half-depth points at
 * Φ = 2πm ± 2 arcsin((1 − ra)/(2√(ra))) (where 4ra sin²(φ/2) = (1 − ra)²).
 * The textbook FSR λ²/(n_g L) and Q = π n_g L √(ra)/(λ(1 − ra)) are first
 * order in FSR/λ and in 1 − ra; they are held to the tolerance that order
 * leaves, and the exact forms to 1e-9.
 */
import { describe, expect, it } from "vitest";
import {
  type AddDropParams,
  type AllPassParams,
  addDropResponse,
  allPassField,
  allPassPower,
  entry,
  freeSpectralRange,
  loadedQ,
  powerTransmission,
  reciprocityError,
  resonanceOrder,
  resonanceWavelength,
  ringAddDrop,
  ringAllPass,
  unitarityError,
} from "../../../src/models/photonic/index.js";
import { seededRandom } from "../support/waveforms.js";
import { crossing, minimumOf } from "./support/spectrum.js";

const λ = 1.55e-6;

function ring(r: number, a: number): AllPassParams {
  return { ...ringAllPass.defaults, selfCoupling: r, roundTripAmplitude: a };
}

/** λ where φ(λ) = Φ. */
function wavelengthAtPhase(p: AllPassParams | AddDropParams, Φ: number): number {
  const A = 2 * Math.PI * p.groupIndex * p.circumference;
  const B = (2 * Math.PI * p.circumference * (p.groupIndex - p.effectiveIndex)) / p.referenceWavelength;
  return A / (Φ + B);
}

/** The measured dip nearest λ: its wavelength and depth. */
function dipNear(p: AllPassParams, near: number) {
  const fsr = freeSpectralRange(p, near);
  const λm = minimumOf((x) => allPassPower(p, x), near - fsr / 3, near + fsr / 3);
  return { λm, depth: allPassPower(p, λm) };
}

const couplings = [
  [0.99, 0.998],
  [0.98, 0.998],
  [0.95, 0.99],
  [0.998, 0.97],
] as const;

describe("all-pass ring", () => {
  it.each(couplings)("with r = %d, a = %d dips to ((a − r)/(1 − ar))² at resonance", (r, a) => {
    const p = ring(r, a);
    const m = resonanceOrder(p, λ);
    const { λm, depth } = dipNear(p, resonanceWavelength(p, m));
    expect(depth).toBeCloseTo(((a - r) / (1 - a * r)) ** 2, 12);
    expect(Math.abs(λm - wavelengthAtPhase(p, 2 * Math.PI * m)) / λm).toBeLessThan(1e-12);
  });

  it.each(couplings)("with r = %d, a = %d has FSR = λ²/(n_g L)", (r, a) => {
    const p = ring(r, a);
    const m = resonanceOrder(p, λ);
    const red = dipNear(p, resonanceWavelength(p, m)).λm;
    const blue = dipNear(p, resonanceWavelength(p, m + 1)).λm;
    const fsr = red - blue;
    // Exactly λ_m λ_{m+1}/(n_g L); λ²/(n_g L) at the mean wavelength to (FSR/2λ)².
    expect(Math.abs(fsr / freeSpectralRange(p, Math.sqrt(red * blue)) - 1)).toBeLessThan(1e-9);
    const mean = (red + blue) / 2;
    expect(Math.abs(fsr / freeSpectralRange(p, mean) - 1)).toBeLessThan(2 * (fsr / (2 * mean)) ** 2);
  });

  it.each(couplings)("with r = %d, a = %d has loaded Q = π n_g L √(ra)/(λ(1 − ra)) from its FWHM", (r, a) => {
    const p = ring(r, a);
    const m = resonanceOrder(p, λ);
    const { λm, depth } = dipNear(p, resonanceWavelength(p, m));
    const half = (1 + depth) / 2;
    const fsr = freeSpectralRange(p, λm);
    const transmission = (x: number) => allPassPower(p, x);
    const fwhm =
      crossing(transmission, half, λm, λm + fsr / 2) - crossing(transmission, half, λm - fsr / 2, λm);
    const ra = r * a;
    const δ = 2 * Math.asin((1 - ra) / (2 * Math.sqrt(ra)));
    const exact = wavelengthAtPhase(p, 2 * Math.PI * m - δ) - wavelengthAtPhase(p, 2 * Math.PI * m + δ);
    expect(Math.abs(fwhm / exact - 1)).toBeLessThan(1e-9);
    // First order in (1 − ra) and FWHM/λ: both ≤ 2e-4 for these rings.
    expect(Math.abs(λm / fwhm / loadedQ(p, λm) - 1)).toBeLessThan(1e-3);
  });

  it.each([0.9, 0.97, 0.995])("at critical coupling a = r = %d transmits nothing at resonance", (r) => {
    const p = ring(r, r);
    const λm = resonanceWavelength(p, resonanceOrder(p, λ));
    expect(allPassPower(p, λm)).toBeLessThan(1e-20);
    expect(allPassPower(p, λm + freeSpectralRange(p, λm) / 2)).toBeGreaterThan(0.5);
  });

  it.each([
    [0.95, 0.99, "over-coupled: phase π"],
    [0.99, 0.95, "under-coupled: phase 0"],
  ])("with r = %d, a = %d has S[out][in] = (r − a)/(1 − ra) at resonance (%s)", (r, a) => {
    const p = ring(r, a);
    const t = entry(ringAllPass.sMatrix(p, resonanceWavelength(p, resonanceOrder(p, λ))), "out", "in");
    expect(t.re).toBeCloseTo((r - a) / (1 - r * a), 12);
    expect(Math.abs(t.im)).toBeLessThan(1e-10);
  });

  it("has |S[out][in]|² equal to the intensity formula and is reciprocal", () => {
    const p = ring(0.97, 0.99);
    for (let k = 0; k < 50; k++) {
      const x = 1.54e-6 + k * 0.4e-9;
      const t = allPassField(p, x);
      const cos = Math.cos(
        (2 *
          Math.PI *
          (p.effectiveIndex - ((p.groupIndex - p.effectiveIndex) * (x - λ)) / λ) *
          p.circumference) /
          x,
      );
      const textbook =
        (0.99 ** 2 - 2 * 0.97 * 0.99 * cos + 0.97 ** 2) / (1 - 2 * 0.97 * 0.99 * cos + (0.97 * 0.99) ** 2);
      expect(t.re * t.re + t.im * t.im).toBeCloseTo(textbook, 12);
      expect(allPassPower(p, x)).toBeCloseTo(textbook, 12);
    }
    expect(reciprocityError(ringAllPass.sMatrix(p, λ))).toBe(0);
  });
});

describe("add-drop ring", () => {
  const random = seededRandom(3);
  const lossy = Array.from(
    { length: 6 },
    (): AddDropParams => ({
      ...ringAddDrop.defaults,
      selfCoupling1: 0.8 + 0.19 * random(),
      selfCoupling2: 0.8 + 0.19 * random(),
      roundTripAmplitude: 0.9 + 0.099 * random(),
    }),
  );
  const sweep = Array.from({ length: 400 }, (_, k) => 1.545e-6 + k * 25e-12);

  it.each(lossy)("loses power when a < 1: through + drop ≤ 1 (%o)", (p) => {
    for (const x of sweep) {
      const { throughPower, dropPower } = addDropResponse(p, x);
      expect(throughPower + dropPower).toBeLessThanOrEqual(1);
    }
  });

  it.each(lossy)("conserves power when a = 1: through + drop = 1 to 1e-12, S unitary (%o)", (lossyP) => {
    const p = { ...lossyP, roundTripAmplitude: 1 };
    for (const x of sweep) {
      const { throughPower, dropPower } = addDropResponse(p, x);
      expect(Math.abs(throughPower + dropPower - 1)).toBeLessThan(1e-12);
    }
    expect(unitarityError(ringAddDrop.sMatrix(p, sweep[123] as number))).toBeLessThan(1e-12);
  });

  it("drops (1 − r1²)(1 − r2²)a/(1 − r1 r2 a)² at resonance, all of it when symmetric and lossless", () => {
    const p = { ...ringAddDrop.defaults, selfCoupling1: 0.95, selfCoupling2: 0.9, roundTripAmplitude: 0.99 };
    const λm = resonanceWavelength(p, resonanceOrder(p, λ));
    const expected = ((1 - 0.95 ** 2) * (1 - 0.9 ** 2) * 0.99) / (1 - 0.95 * 0.9 * 0.99) ** 2;
    expect(powerTransmission(ringAddDrop.sMatrix(p, λm), "drop", "in")).toBeCloseTo(expected, 12);
    const symmetric = { ...p, selfCoupling2: 0.95, roundTripAmplitude: 1 };
    expect(addDropResponse(symmetric, λm).dropPower).toBeCloseTo(1, 12);
  });

  it("routes in → through and drop, add → drop and through, never in → add; reciprocal", () => {
    const p = { ...ringAddDrop.defaults, selfCoupling1: 0.95, selfCoupling2: 0.9 };
    const s = ringAddDrop.sMatrix(p, λ + 0.1e-9);
    const response = addDropResponse(p, λ + 0.1e-9);
    expect(entry(s, "through", "in")).toEqual(response.through);
    expect(entry(s, "drop", "in")).toEqual(response.drop);
    expect(entry(s, "through", "add")).toEqual(response.drop);
    expect(entry(s, "drop", "add")).toEqual(response.addToDrop);
    expect(entry(s, "add", "in")).toEqual({ re: 0, im: 0 });
    expect(entry(s, "in", "in")).toEqual({ re: 0, im: 0 });
    expect(reciprocityError(s)).toBe(0);
  });

  /*
   * The through port is the all-pass form with r → r1, a → r2 a: at
   * 4q sin²(φ/2) = (1 − q)², q = r1 r2 a, it is exactly (1 + depth)/2, so
   * the dip's full width at half depth is measured as for the all-pass
   * ring and held to the exact width (1e-9) and to Q with ra → r1 r2 a
   * (first order, 1e-3).
   */
  it.each([
    [0.98, 0.99, 0.998],
    [0.95, 0.97, 0.99],
    [0.99, 0.9, 0.995],
  ])(
    "with r1 = %d, r2 = %d, a = %d has loaded Q with ra → r1 r2 a, from its through-port FWHM",
    (r1, r2, a) => {
      const p = { ...ringAddDrop.defaults, selfCoupling1: r1, selfCoupling2: r2, roundTripAmplitude: a };
      const m = resonanceOrder(p, λ);
      const fsr = freeSpectralRange(p, λ);
      const transmission = (x: number) => addDropResponse(p, x).throughPower;
      const near = resonanceWavelength(p, m);
      const λm = minimumOf(transmission, near - fsr / 3, near + fsr / 3);
      const half = (1 + transmission(λm)) / 2;
      const fwhm =
        crossing(transmission, half, λm, λm + fsr / 2) - crossing(transmission, half, λm - fsr / 2, λm);
      const q = r1 * r2 * a;
      const δ = 2 * Math.asin((1 - q) / (2 * Math.sqrt(q)));
      const exact = wavelengthAtPhase(p, 2 * Math.PI * m - δ) - wavelengthAtPhase(p, 2 * Math.PI * m + δ);
      expect(Math.abs(fwhm / exact - 1)).toBeLessThan(1e-9);
      expect(Math.abs(λm / fwhm / loadedQ(p, λm) - 1)).toBeLessThan(1e-3);
    },
  );
});
