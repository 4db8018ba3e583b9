/**
 * TypeScript twin of the `phaseChangeBatch` WASM kernel
 * (src/core/assembly/phase-change.ts): nCells phase-change cells sharing one
 * parameter set, each with its own heating power, advanced nSteps steps of
 * dt by the model's own step (src/models/phase-change/portable/cell.ts,
 * compiled into the kernel too). Returns the final temperature and
 * crystalline fraction of each cell.
 *
 * Layout: powers[c·nSteps + k] is cell c's power in step k, or powers[c]
 * held for all steps when powers has nCells entries (W, ≥ 0).
 */
import { checkParameters } from "../../models/parameters.js";
import { BOLTZMANN, type CellParams, cellParameters } from "../../models/phase-change/index.js";
import {
  advanceProgress,
  fractionAfter,
  relaxedTemperature,
} from "../../models/phase-change/portable/cell.js";

export interface PhaseChangeBatchInput {
  readonly params: CellParams;
  /** Temperature of each cell before the first step, K; its length is the number of cells. */
  readonly temperature: Float64Array;
  /** Crystalline fraction of each cell before the first step, in [0, 1]. */
  readonly fraction: Float64Array;
  /** Heating power, W: [nCells × nSteps] cell-major, or [nCells] held for every step. */
  readonly powers: Float64Array;
  readonly nSteps: number;
  /** Step length, s (≥ 0). */
  readonly dt: number;
}

export interface PhaseChangeBatchOutput {
  readonly temperature: Float64Array;
  readonly fraction: Float64Array;
}

/** Most steps a batch may take: the WASM kernel counts them in an i32. */
export const MAX_STEPS = 2 ** 31 - 1;

/** Validates a batch like the model validates one cell; returns 1 when powers vary per step, else 0. */
export function checkPhaseChangeBatch(input: PhaseChangeBatchInput): number {
  const perStep = checkPhaseChangeShape(input);
  checkPhaseChangeValues(input);
  return perStep;
}

/** Sizes, step and parameters (the part of the check that does not read the per-cell arrays). */
export function checkPhaseChangeShape(input: PhaseChangeBatchInput): number {
  const { temperature, fraction, powers, nSteps, dt, params } = input;
  const nCells = temperature.length;
  if (fraction.length !== nCells) {
    throw new RangeError(`phase-change batch: ${nCells} temperatures but ${fraction.length} fractions`);
  }
  if (!(Number.isInteger(nSteps) && nSteps >= 0 && nSteps <= MAX_STEPS)) {
    throw new RangeError(`phase-change batch: nSteps = ${nSteps} must be an integer in [0, 2³¹ − 1]`);
  }
  if (!(dt >= 0 && Number.isFinite(dt))) throw new RangeError(`phase-change batch: dt = ${dt} s`);
  const perStep =
    powers.length === nCells * nSteps && powers.length !== nCells ? 1 : powers.length === nCells ? 0 : -1;
  if (perStep < 0) {
    throw new RangeError(
      `phase-change batch: ${powers.length} powers for ${nCells} cells × ${nSteps} steps (or ${nCells} held)`,
    );
  }
  checkParameters("phase-change batch", cellParameters, params);
  return perStep;
}

/** Every cell's temperature, fraction and power (≥ 0, with a finite T_ss = T_amb + P·R_th). */
export function checkPhaseChangeValues(input: PhaseChangeBatchInput): void {
  const { temperature, fraction, powers, params } = input;
  const nCells = temperature.length;
  for (let c = 0; c < nCells; c++) {
    const t = temperature[c] as number;
    const x = fraction[c] as number;
    if (!(t > 0 && Number.isFinite(t)))
      throw new RangeError(`phase-change batch: temperature[${c}] = ${t} K`);
    if (!(x >= 0 && x <= 1))
      throw new RangeError(`phase-change batch: fraction[${c}] = ${x} is outside [0, 1]`);
  }
  for (let k = 0; k < powers.length; k++) {
    const power = powers[k] as number;
    if (!(power >= 0 && Number.isFinite(params.ambientTemperature + power * params.thermalResistance)))
      throw new RangeError(
        `phase-change batch: power[${k}] = ${power} W must be ≥ 0 with a finite T_amb + P·R_th`,
      );
  }
}

/** Parameter values in the kernel's order (`cellParameters`). */
export function cellParameterRow(params: CellParams): Float64Array {
  return Float64Array.from(cellParameters, (spec) => params[spec.name]);
}

export function phaseChangeBatchReference(input: PhaseChangeBatchInput): PhaseChangeBatchOutput {
  const perStep = checkPhaseChangeBatch(input);
  const { params: p, nSteps, dt, powers } = input;
  const nCells = input.temperature.length;
  const timeConstant = p.thermalResistance * p.heatCapacity;
  const decay = Math.exp(-dt / timeConstant);
  const activation = p.activationEnergy / BOLTZMANN;
  const temperature = new Float64Array(nCells);
  const fraction = new Float64Array(nCells);
  for (let c = 0; c < nCells; c++) {
    const x0 = input.fraction[c] as number;
    let t = input.temperature[c] as number;
    let progress = -1; // computed from x0 only if the cell crystallises
    for (let k = 0; k < nSteps; k++) {
      const power = powers[perStep === 1 ? c * nSteps + k : c] as number;
      const steady = p.ambientTemperature + power * p.thermalResistance;
      const next = relaxedTemperature(t, steady, decay);
      progress = advanceProgress(
        progress,
        x0,
        p.avramiExponent,
        t,
        next,
        steady,
        timeConstant,
        dt,
        p.crystallisationTemperature,
        p.meltingTemperature,
        activation,
        p.prefactor,
      );
      t = next;
    }
    temperature[c] = t;
    fraction[c] = fractionAfter(progress, x0, p.avramiExponent);
  }
  return { temperature, fraction };
}
