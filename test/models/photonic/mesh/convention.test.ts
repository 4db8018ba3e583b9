/**
 * What U[out][in] means, pinned: a unit field into input `in` comes out as
 * column `in` of U, and for one MZI in the cross state (θ = π/2) light
 * entering mode 0 leaves by mode 1 with the phase φ it picked up at input 0.
 */
import { expect, it } from "vitest";
import {
  clementsLayout,
  meshUnitary,
  programMesh,
  propagateMesh,
} from "../../../../src/models/photonic/mesh/index.js";

it("S[out][in]: U[1][0] of a single cross-state MZI is e^{iφ}, U[0][1] is −1", () => {
  const layout = clementsLayout(2);
  const phi = 0.8;
  const u = meshUnitary(layout, {
    theta: Float64Array.of(Math.PI / 2),
    phi: Float64Array.of(phi),
    outputPhase: new Float64Array(2),
  });
  const element = (out: number, input: number) => [u[2 * (out * 2 + input)], u[2 * (out * 2 + input) + 1]];
  expect(element(1, 0)[0]).toBeCloseTo(Math.cos(phi), 15);
  expect(element(1, 0)[1]).toBeCloseTo(Math.sin(phi), 15);
  expect(element(0, 1)[0]).toBeCloseTo(-1, 15);
  expect(Math.hypot(...(element(0, 0) as [number, number]))).toBeLessThan(1e-16);
});

it("a unit field into input k comes out as column k of U; the output screen multiplies row k by e^{iψ_k}", () => {
  const layout = clementsLayout(3);
  const phases = {
    theta: Float64Array.of(0.3, 1.1, 0.6),
    phi: Float64Array.of(0.2, -1, 2),
    outputPhase: Float64Array.of(0.5, 0, -0.25),
  };
  const u = meshUnitary(layout, phases);
  for (let k = 0; k < 3; k++) {
    const x = new Float64Array(6);
    x[2 * k] = 1;
    const y = propagateMesh(programMesh(layout, phases), x, 1);
    for (let out = 0; out < 3; out++) {
      expect(y[2 * out]).toBe(u[2 * (out * 3 + k)]);
      expect(y[2 * out + 1]).toBe(u[2 * (out * 3 + k) + 1]);
    }
  }
  const unscreened = meshUnitary(layout, { ...phases, outputPhase: new Float64Array(3) });
  const [re, im] = [unscreened[2 * (2 * 3 + 1)] as number, unscreened[2 * (2 * 3 + 1) + 1] as number];
  const psi = -0.25;
  expect(u[2 * (2 * 3 + 1)]).toBeCloseTo(re * Math.cos(psi) - im * Math.sin(psi), 15);
});
