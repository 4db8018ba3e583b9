/**
 * Gradient check for any PhotonicModel (a circuit included): ∂S/∂p_j from
 * `sMatrixWithGradient` against Richardson-extrapolated central
 * differences of `sMatrix`, entry by entry, each relative to itself (down
 * to the finite difference's rounding floor, `roundingFloor`) to 1e-6.
 */
import { expect } from "vitest";
import type { PhotonicModel } from "../../../../src/models/photonic/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../../../support/finite-difference.js";

export const GRADIENT_TOLERANCE = 1e-6;

/** One it.each row per parameter of `model`: [parameter name, index]. */
export function parameterRows(model: Pick<PhotonicModel, "parameters">): (readonly [string, number])[] {
  return model.parameters.map((spec, j) => [spec.name, j] as const);
}

/**
 * Asserts that ∂S/∂p_j matches finite differences at `p` and `wavelength`.
 * `relativeStep` (of the parameter's value) defaults to the helper's 1e-4;
 * resonant circuits need a step well inside a linewidth.
 */
export function expectGradientMatches<P extends Record<string, number>>(
  model: PhotonicModel<P>,
  p: P,
  wavelength: number,
  j: number,
  relativeStep = 1e-4,
): void {
  const name = model.parameters[j]?.name as keyof P & string;
  const value = p[name] as number;
  expect(value, `test point for ${name} must be non-zero to set a step`).not.toBe(0);
  const analytic = model.sMatrixWithGradient(p, wavelength).gradient[j]?.data as Float64Array;
  const step = relativeStep * Math.abs(value);
  const numeric = centralDifferenceVector(
    (x) => model.sMatrix({ ...p, [name]: x }, wavelength).data,
    value,
    step,
  );
  const floor = roundingFloor(model.sMatrix(p, wavelength).data, step, GRADIENT_TOLERANCE);
  const error = entrywiseRelativeError(analytic, numeric, floor);
  expect(error, `∂S/∂${name}: analytic vs finite difference`).toBeLessThan(GRADIENT_TOLERANCE);
}
