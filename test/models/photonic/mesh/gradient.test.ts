/**
 * Gradient of every output power with respect to every phase and every
 * mesh parameter, against Richardson-extrapolated central differences (1e-6,
 * relative for each of the N outputs, down to the FD's rounding floor), on a non-ideal 5-mode mesh of each
 * kind (10 MZIs: 20 phases).
 */
import { describe, expect, it } from "vitest";
import {
  clementsLayout,
  type MeshParams,
  type MeshPhases,
  meshParameters,
  meshPowerJacobian,
  programMesh,
  propagateMesh,
  reckLayout,
} from "../../../../src/models/photonic/mesh/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
  seriesRelativeError,
} from "../../../support/finite-difference.js";
import { seededRandom } from "../../support/waveforms.js";
import { randomPhases } from "./support/phases.js";

const N = 5;
const params: MeshParams = { excessLossDb: 0.7, coupling: 0.44 };
const random = seededRandom(5);
const input = Float64Array.from({ length: 2 * N }, () => random() - 0.5);

describe.each([clementsLayout(N), reckLayout(N)])("$kind mesh", (layout) => {
  const phases = randomPhases(layout, 17);
  const jacobian = meshPowerJacobian(layout, phases, input, params);
  const powers = (p: MeshPhases, q: MeshParams) => {
    const y = propagateMesh(programMesh(layout, p, q), input, 1);
    return Float64Array.from(
      { length: N },
      (_, k) => (y[2 * k] as number) ** 2 + (y[2 * k + 1] as number) ** 2,
    );
  };
  const column = (matrix: Float64Array, width: number, j: number) =>
    Float64Array.from({ length: N }, (_, k) => matrix[k * width + j] as number);
  const withPhase = (name: "theta" | "phi", j: number, value: number): MeshPhases => {
    const changed = phases[name].slice();
    changed[j] = value;
    return { ...phases, [name]: changed };
  };

  it("gives the output powers |y_k|²", () => {
    expect(seriesRelativeError(jacobian.power, powers(phases, params))).toBeLessThan(1e-15);
  });

  const phaseCases = (["theta", "phi"] as const).flatMap((name) =>
    Array.from({ length: layout.count }, (_, j) => [name, j] as const),
  );
  // Steps as centralDifferenceVector's default, 1e-4 of the value.
  const floor = (value: number) => roundingFloor(jacobian.power, 1e-4 * Math.abs(value), 1e-6);
  it.each(phaseCases)("∂|y|²/∂%s[%i]", (name, j) => {
    const value = phases[name][j] as number;
    const numeric = centralDifferenceVector((v) => powers(withPhase(name, j, v), params), value);
    expect(
      entrywiseRelativeError(column(jacobian[name], layout.count, j), numeric, floor(value)),
    ).toBeLessThan(1e-6);
  });

  it.each(meshParameters.map((spec, i) => [spec.name, i] as const))("∂|y|²/∂%s", (name, i) => {
    const numeric = centralDifferenceVector((v) => powers(phases, { ...params, [name]: v }), params[name]);
    const analytic = column(jacobian.parameters, meshParameters.length, i);
    expect(entrywiseRelativeError(analytic, numeric, floor(params[name]))).toBeLessThan(1e-6);
  });

  it("has no output power depending on the output phases", () => {
    const screened = { ...phases, outputPhase: phases.outputPhase.map((p) => p + 1.3) };
    expect(seriesRelativeError(powers(screened, params), powers(phases, params))).toBeLessThan(1e-15);
  });
});
