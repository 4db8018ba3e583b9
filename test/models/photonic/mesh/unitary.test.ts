/**
 * The mesh's matrix: unitary to 1e-12 when lossless (whatever the phases and
 * coupler imbalance), the identity at zero phases, passive with loss, and
 * `propagateMesh` on a batch equal to U times each vector.
 */
import { describe, expect, it } from "vitest";
import { identity, unitarityError } from "../../../../src/models/complex-matrix.js";
import {
  clementsLayout,
  idealMesh,
  meshUnitary,
  programMesh,
  propagateMesh,
  reckLayout,
  zeroPhases,
} from "../../../../src/models/photonic/mesh/index.js";
import { seededRandom } from "../../support/waveforms.js";
import { apply, maxDifference } from "./support/matrices.js";
import { randomPhases } from "./support/phases.js";

const layouts = [clementsLayout, reckLayout] as const;
const cases = layouts.flatMap((layoutOf) =>
  [2, 3, 6, 11, 24].map((n) => [layoutOf(n).kind, n, layoutOf] as const),
);

describe.each(cases)("%s mesh, N = %i", (_kind, n, layoutOf) => {
  const layout = layoutOf(n);

  it.each([0.5, 0.47, 0.2])("is unitary to 1e-12 when lossless, κ = %f", (coupling) => {
    const u = meshUnitary(layout, randomPhases(layout, n), { excessLossDb: 0, coupling });
    expect(unitarityError(u, n)).toBeLessThan(1e-12);
  });

  it("is the identity at zero phases", () => {
    expect(maxDifference(meshUnitary(layout, zeroPhases(layout)), identity(n))).toBe(0);
  });

  it("with 0.5 dB per MZI, keeps between 10^(−depth·0.05) and all of the input power", () => {
    const excessLossDb = 0.5;
    const mesh = programMesh(layout, randomPhases(layout, 7 * n), { excessLossDb, coupling: 0.5 });
    const random = seededRandom(n);
    const x = Float64Array.from({ length: 2 * n }, () => random() - 0.5);
    const power = (v: Float64Array) => v.reduce((sum, e) => sum + e * e, 0);
    const ratio = power(propagateMesh(mesh, x, 1)) / power(x);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(ratio).toBeGreaterThanOrEqual(10 ** ((-layout.depth * excessLossDb) / 10));
  });

  it("propagates a batch of 5 vectors (mode-major) as U times each", () => {
    const phases = randomPhases(layout, 3 * n);
    const u = meshUnitary(layout, phases, { excessLossDb: 0.2, coupling: 0.48 });
    const random = seededRandom(11 * n);
    const b = 5;
    const batch = Float64Array.from({ length: 2 * n * b }, () => random() - 0.5);
    const y = propagateMesh(programMesh(layout, phases, { excessLossDb: 0.2, coupling: 0.48 }), batch, b);
    for (let v = 0; v < b; v++) {
      const column = (a: Float64Array) =>
        Float64Array.from({ length: 2 * n }, (_, i) => a[2 * ((i >> 1) * b + v) + (i & 1)] as number);
      expect(maxDifference(column(y), apply(u, column(batch), n))).toBeLessThan(1e-14);
    }
  });
});

describe("input checks", () => {
  const layout = clementsLayout(4);
  it.each([
    ["too few θ", { ...zeroPhases(layout), theta: new Float64Array(5) }],
    ["a non-finite φ", { ...zeroPhases(layout), phi: new Float64Array(6).fill(Number.NaN) }],
    ["too many output phases", { ...zeroPhases(layout), outputPhase: new Float64Array(5) }],
  ])("refuses %s", (_what, phases) => {
    expect(() => programMesh(layout, phases)).toThrow(RangeError);
  });

  it.each([
    ["a batch of the wrong length", new Float64Array(7), 1],
    ["a fractional number of vectors", new Float64Array(8), 0.5],
    ["a non-finite field", new Float64Array(8).fill(Number.POSITIVE_INFINITY), 1],
  ])("refuses %s", (_what, fields, nVectors) => {
    expect(() => propagateMesh(programMesh(layout, zeroPhases(layout), idealMesh), fields, nVectors)).toThrow(
      RangeError,
    );
  });
});
