/**
 * MZI: unitary without loss for any couplings and phases; the closed form
 * of the ideal (50:50) cell; the finite extinction of an imbalanced one.
 */
import { describe, expect, it } from "vitest";
import {
  entry,
  mzi,
  powerTransmission,
  reciprocityError,
  unitarityError,
} from "../../../src/models/photonic/index.js";
import { seededRandom } from "../support/waveforms.js";

describe("mzi", () => {
  const random = seededRandom(7);
  const cases = Array.from({ length: 8 }, () => ({
    coupling1: random(),
    coupling2: random(),
    excessLossDb: 0,
    internalPhase: 20 * random() - 10,
    externalPhase: 20 * random() - 10,
  }));
  it.each(cases)("is unitary to 1e-12 without loss (%o)", (p) => {
    const s = mzi.sMatrix(p, 1.55e-6);
    expect(unitarityError(s)).toBeLessThan(1e-12);
    expect(reciprocityError(s)).toBe(0);
  });

  it.each([0, 0.4, Math.PI / 2, 2, Math.PI])(
    "with 50:50 couplers equals i e^{iθ/2}[[e^{iφ} sin(θ/2), cos(θ/2)], [e^{iφ} cos(θ/2), −sin(θ/2)]] at θ = %d",
    (theta) => {
      const phi = 0.7;
      const s = mzi.sMatrix({ ...mzi.defaults, internalPhase: theta, externalPhase: phi }, 1.55e-6);
      const pre = (x: number, extra: number) => ({
        re: -x * Math.sin(theta / 2 + extra),
        im: x * Math.cos(theta / 2 + extra),
      }); // i e^{i(θ/2 + extra)}·x
      const expected = [
        ["out0", "in0", pre(Math.sin(theta / 2), phi)],
        ["out0", "in1", pre(Math.cos(theta / 2), 0)],
        ["out1", "in0", pre(Math.cos(theta / 2), phi)],
        ["out1", "in1", pre(-Math.sin(theta / 2), 0)],
      ] as const;
      for (const [out, input, value] of expected) {
        const got = entry(s, out, input);
        expect(got.re).toBeCloseTo(value.re, 14);
        expect(got.im).toBeCloseTo(value.im, 14);
      }
    },
  );

  it("crosses at θ = 0 and is in the bar state at θ = π", () => {
    expect(powerTransmission(mzi.sMatrix(mzi.defaults, 1.55e-6), "out1", "in0")).toBeCloseTo(1, 15);
    expect(
      powerTransmission(mzi.sMatrix({ ...mzi.defaults, internalPhase: Math.PI }, 1.55e-6), "out0", "in0"),
    ).toBeCloseTo(1, 15);
  });

  it("with imbalanced couplers κ_i = sin α_i swings the bar power between cos²(α1 + α2) and cos²(α1 − α2)", () => {
    const [α1, α2] = [Math.PI / 4 + 0.1, Math.PI / 4 - 0.03];
    const p = { ...mzi.defaults, coupling1: Math.sin(α1) ** 2, coupling2: Math.sin(α2) ** 2 };
    const bar = (theta: number) =>
      powerTransmission(mzi.sMatrix({ ...p, internalPhase: theta }, 1.55e-6), "out0", "in0");
    expect(bar(0)).toBeCloseTo(Math.cos(α1 + α2) ** 2, 14);
    expect(bar(Math.PI)).toBeCloseTo(Math.cos(α1 - α2) ** 2, 14);
    expect(bar(0)).toBeGreaterThan(0); // finite extinction
  });

  it("loses twice the coupler excess loss", () => {
    const s = mzi.sMatrix({ ...mzi.defaults, excessLossDb: 0.2, internalPhase: 1 }, 1.55e-6);
    const out = powerTransmission(s, "out0", "in0") + powerTransmission(s, "out1", "in0");
    expect(10 * Math.log10(out)).toBeCloseTo(-0.4, 12);
  });
});
