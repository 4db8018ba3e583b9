/**
 * Programming a matrix: decompose a unitary into mesh phases, rebuild the
 * mesh's unitary from them, compare. 100 Haar-random unitaries per method,
 * N cycling through 4…32 (every size three or four times, N = 4 + k mod 29),
 * which keeps each method's 100 decompositions and rebuilds well under a
 * second; larger N are exercised by the bench (64 modes).
 */
import { describe, expect, it } from "vitest";
import { identity, unitarityError } from "../../../../src/models/complex-matrix.js";
import {
  clementsLayout,
  decomposeClements,
  decomposeReck,
  meshUnitary,
  type ProgrammedPhases,
  reckLayout,
} from "../../../../src/models/photonic/mesh/index.js";
import { complexGaussian, haarUnitary } from "./support/haar.js";
import { maxDifference } from "./support/matrices.js";

const methods = [
  ["Clements", decomposeClements, clementsLayout],
  ["Reck", decomposeReck, reckLayout],
] as const;

const rebuild = ({ layout, phases }: ProgrammedPhases) => meshUnitary(layout, phases);

describe.each(methods)("%s decomposition", (name, decompose, layoutOf) => {
  it("reconstructs 100 Haar-random unitaries, N = 4…32, to 1e-10 (largest element error)", () => {
    const gaussian = complexGaussian(name === "Clements" ? 2016 : 1994);
    let worst = 0;
    for (let k = 0; k < 100; k++) {
      const n = 4 + (k % 29);
      const target = haarUnitary(n, gaussian);
      expect(unitarityError(target, n)).toBeLessThan(1e-13);
      worst = Math.max(worst, maxDifference(rebuild(decompose(target)), target));
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it.each([2, 3, 8, 9])("uses the %i-mode layout: N(N−1)/2 MZIs, phases in range", (n) => {
    const { layout, phases } = decompose(haarUnitary(n, complexGaussian(n)));
    expect(layout).toEqual(layoutOf(n));
    expect(phases.theta.length).toBe((n * (n - 1)) / 2);
    for (const t of phases.theta) expect(t >= 0 && t <= Math.PI / 2).toBe(true);
    for (const p of [...phases.phi, ...phases.outputPhase]) expect(Math.abs(p)).toBeLessThanOrEqual(Math.PI);
  });

  it.each([1, 2, 5, 16])("decomposes the %i-mode identity into a mesh that is the identity", (n) => {
    expect(maxDifference(rebuild(decompose(identity(n))), identity(n))).toBeLessThan(1e-14);
  });

  it("decomposes a permutation (a cyclic shift with phases, 7 modes) exactly", () => {
    const n = 7;
    const target = new Float64Array(2 * n * n);
    for (let input = 0; input < n; input++) {
      const output = (3 * input + 2) % n;
      target[2 * (output * n + input)] = Math.cos(input);
      target[2 * (output * n + input) + 1] = Math.sin(input);
    }
    expect(maxDifference(rebuild(decompose(target)), target)).toBeLessThan(1e-14);
  });

  it.each([
    ["a non-square array", new Float64Array(2 * 6)],
    ["a non-unitary matrix", identity(3).map((v) => 1.01 * v)],
  ])("refuses %s", (_what, target) => {
    expect(() => decompose(target)).toThrow(RangeError);
  });
});
