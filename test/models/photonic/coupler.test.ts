/** Directional coupler: power split, excess loss, unitarity without loss. */
import { describe, expect, it } from "vitest";
import {
  coupler,
  powerTransmission,
  reciprocityError,
  unitarityError,
} from "../../../src/models/photonic/index.js";

describe("coupler", () => {
  it.each([0, 0.01, 0.25, 0.5, 0.9, 1])("is unitary to 1e-12 without loss at κ² = %d", (coupling) => {
    expect(unitarityError(coupler.sMatrix({ coupling, excessLossDb: 0 }, 1.55e-6))).toBeLessThan(1e-12);
  });

  it.each([0.1, 0.5, 0.7])("crosses κ² = %d of the power and keeps the rest", (coupling) => {
    const s = coupler.sMatrix({ coupling, excessLossDb: 0 }, 1.55e-6);
    expect(powerTransmission(s, "out1", "in0")).toBeCloseTo(coupling, 14);
    expect(powerTransmission(s, "out0", "in0")).toBeCloseTo(1 - coupling, 14);
    expect(powerTransmission(s, "out0", "in1")).toBeCloseTo(coupling, 14);
  });

  it("loses its excess loss on every path", () => {
    const s = coupler.sMatrix({ coupling: 0.3, excessLossDb: 0.5 }, 1.55e-6);
    const out = powerTransmission(s, "out0", "in0") + powerTransmission(s, "out1", "in0");
    expect(10 * Math.log10(out)).toBeCloseTo(-0.5, 12);
    expect(reciprocityError(s)).toBe(0);
  });
});
