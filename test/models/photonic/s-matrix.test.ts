/**
 * What S[out][in] means here, pinned: storage layout, the sign of the
 * propagation phase (e^{+iβL}) and of the coupler's cross term (+iκ), and
 * the helpers that read a matrix (unitarity, reciprocity).
 */
import { describe, expect, it } from "vitest";
import {
  coupler,
  entry,
  powerTransmission,
  reciprocityError,
  setEntry,
  unitarityError,
  waveguide,
  zeroSMatrix,
} from "../../../src/models/photonic/index.js";

describe("S-matrix layout", () => {
  it("stores S[i][j] (out i, in j) at 2(i·n + j), re then im", () => {
    const s = zeroSMatrix(["a", "b", "c"]);
    setEntry(s, 2, 0, { re: 0.25, im: -0.5 });
    expect(Array.from(s.data.subarray(12, 14))).toEqual([0.25, -0.5]);
    expect(entry(s, "c", "a")).toEqual({ re: 0.25, im: -0.5 });
    expect(entry(s, "a", "c")).toEqual({ re: 0, im: 0 });
    expect(powerTransmission(s, "c", "a")).toBeCloseTo(0.3125, 15);
  });

  it("refuses an unknown port by name", () => {
    expect(() => entry(zeroSMatrix(["in", "out"]), "drop", "in")).toThrow(/no port "drop".*in, out/);
  });

  it("measures unitarity and reciprocity", () => {
    const s = zeroSMatrix(["a", "b"]);
    setEntry(s, 0, 1, { re: 1, im: 0 });
    setEntry(s, 1, 0, { re: 0, im: 1 });
    expect(unitarityError(s)).toBe(0);
    expect(reciprocityError(s)).toBeCloseTo(Math.SQRT2, 15);
    setEntry(s, 1, 0, { re: 0, im: 0.5 });
    expect(unitarityError(s)).toBeCloseTo(0.75, 15);
  });
});

describe("phase conventions", () => {
  it("propagation multiplies by e^{+iφ}, φ = 2π n_eff L/λ (at λ0, where n_eff = n_eff0)", () => {
    const p = { ...waveguide.defaults, length: 1.1e-6, propagationLossDbPerM: 0 };
    const φ = (2 * Math.PI * p.effectiveIndex * p.length) / p.referenceWavelength;
    expect(Math.sin(φ)).toBeLessThan(-0.5); // e^{−iφ} would put the imaginary part above zero
    const t = entry(waveguide.sMatrix(p, p.referenceWavelength), "out", "in");
    expect(t.re).toBeCloseTo(Math.cos(φ), 14);
    expect(t.im).toBeCloseTo(Math.sin(φ), 14);
  });

  it("the coupler's cross term is +iκ and its through term real t", () => {
    const s = coupler.sMatrix({ coupling: 0.36, excessLossDb: 0 }, 1.55e-6);
    expect(entry(s, "out1", "in0")).toEqual({ re: 0, im: 0.6 });
    expect(entry(s, "out0", "in0").re).toBeCloseTo(0.8, 15);
    expect(entry(s, "out0", "in0").im).toBe(0);
  });
});
