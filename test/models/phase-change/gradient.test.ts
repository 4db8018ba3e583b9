/**
 * ∂(temperature, fraction)/∂p of a cell under a pulse train, from the
 * dual-number simulation, against Richardson-extrapolated central finite
 * differences of `simulateCell`, for every parameter: each sample to 1e-6
 * of itself, down to the FD's rounding floor (`roundingFloor`). The train heats across T_x, melts,
 * quenches through T_m and T_x within steps, and recrystallises, so every
 * branch of the step (and every crossing time) is differentiated; samples
 * stay ≥ 0.5 % away from T_x and T_m, where the model switches branch. It
 * starts partly crystalline (X = 0.05) and fully crystalline (X = 1: Θ = ∞,
 * so X stays 1 with zero derivatives until the cell melts).
 */
import { describe, expect, it } from "vitest";
import {
  type CellParams,
  cellDefaults,
  cellParameters,
  simulateCell,
  simulateCellWithGradient,
} from "../../../src/models/phase-change/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../../support/finite-difference.js";
import { pulseTrain } from "./support.js";

const train = (fraction: number) =>
  pulseTrain(
    [
      [6e-3, 30e-9], // SET: to ~660 K, crosses T_x, crystallises
      [0, 10e-9], // cools across T_x
      [12e-3, 5e-9], // RESET: melts
      [0, 10e-9], // quench through T_m and T_x
      [6.5e-3, 40e-9], // crystallises again (~690 K)
      [1.5e-3, 10e-9], // cools to ~390 K (below T_x)
    ],
    0.37e-9,
    { temperature: 300, fraction },
  );

describe.each([0.05, 1])("∂/∂p of the cell's trace from X = %d", (initialFraction) => {
  const input = train(initialFraction);
  const traceOf = (q: CellParams) => simulateCell(q, input);
  const result = simulateCellWithGradient(cellDefaults, input);

  it("follows the plain simulation's trajectory to the bit", () => {
    const plain = traceOf(cellDefaults);
    expect(result.temperature).toEqual(plain.temperature);
    expect(result.fraction).toEqual(plain.fraction);
  });

  it("visits every branch: above T_m, between, below T_x; X rises, resets and rises again", () => {
    const { temperature, fraction } = result;
    expect(Math.max(...temperature)).toBeGreaterThan(cellDefaults.meltingTemperature);
    expect(Math.min(...temperature)).toBeLessThan(cellDefaults.crystallisationTemperature);
    expect(fraction.some((x) => x === 0)).toBe(true);
    expect(fraction[fraction.length - 1]).toBeGreaterThan(0.1);
    for (const t of temperature) {
      for (const threshold of [cellDefaults.crystallisationTemperature, cellDefaults.meltingTemperature]) {
        expect(Math.abs(t - threshold)).toBeGreaterThan(0.005 * threshold);
      }
    }
  });

  it.each(cellParameters.map((spec, j) => [spec.name, j] as const))(
    "%s: matches finite differences to 1e-6",
    (name, j) => {
      const value = cellDefaults[name];
      const perturbed = (v: number) => traceOf({ ...cellDefaults, [name]: v });
      const h = 1e-4 * Math.abs(value);
      const numericT = centralDifferenceVector((v) => perturbed(v).temperature, value, h);
      const numericX = centralDifferenceVector((v) => perturbed(v).fraction, value, h);
      const analyticT = result.dTemperature[j] as Float64Array;
      const analyticX = result.dFraction[j] as Float64Array;
      const floorT = roundingFloor(result.temperature, h, 1e-6);
      const floorX = roundingFloor(result.fraction, h, 1e-6);
      expect(entrywiseRelativeError(analyticT, numericT, floorT)).toBeLessThanOrEqual(1e-6);
      expect(entrywiseRelativeError(analyticX, numericX, floorX)).toBeLessThanOrEqual(1e-6);
      // Non-negligible: moving the parameter by 1 % moves T by > 1e-6 K or X by > 1e-8.
      const reach = Math.max(
        0.01 * value * Math.max(...analyticT.map(Math.abs)) * 1e6,
        0.01 * value * Math.max(...analyticX.map(Math.abs)) * 1e8,
      );
      expect(reach).toBeGreaterThan(1);
    },
  );
});

it("from X = 1 keeps X = 1 with zero derivatives (not NaN) until the cell melts", () => {
  const result = simulateCellWithGradient(cellDefaults, train(1));
  const melted = result.fraction.indexOf(0);
  expect(melted).toBeGreaterThan(10);
  for (let k = 0; k < melted; k++) {
    expect(result.fraction[k]).toBe(1);
    for (const d of result.dFraction) expect(d[k]).toBe(0);
  }
});
