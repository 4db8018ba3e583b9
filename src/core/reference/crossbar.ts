/**
 * TypeScript twins of the crossbar WASM kernels (src/core/assembly/crossbar.ts):
 * the ideal product and the wire-resistance solve for a batch of input
 * vectors. Both are the model's own code (src/models/crossbar/): the batch
 * of `idealCurrents`, and system.ts's factorisation and preconditioned CG
 * run once per input — what the kernel does, in the same order.
 *
 * Layout: voltages [K × M] (one input vector per row), currents [K × N],
 * iterations [K].
 */
import {
  type CrossbarArray,
  CrossbarConvergenceError,
  type CrossbarParams,
  checkCrossbarInput,
  crossbarParameters,
  idealCurrentsBatch,
  type SolverOptions,
  solverSettings,
} from "../../models/crossbar/network.js";
import { conjugateGradient, factorise, rightHandSide, workspace } from "../../models/crossbar/system.js";
import { checkParameters } from "../../models/parameters.js";

export interface CrossbarBatchOutput {
  /** Output currents, A, [K × N]. */
  readonly currents: Float64Array;
  /** CG iterations each input took (≤ maxIterations: a batch that does not converge throws). */
  readonly iterations: Float64Array;
}

/** The solver settings a batch runs with, after validation. */
export interface CheckedSolve {
  readonly nInputs: number;
  readonly rowConductance: number;
  readonly columnConductance: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/** Validates an array and a batch of input vectors [K × M]; returns K. */
export function checkCrossbarBatch(array: CrossbarArray, voltages: Float64Array): number {
  const nInputs = checkCrossbarShape(array, voltages);
  checkCrossbarValues(array, voltages);
  return nInputs;
}

/** The sizes of an array and a batch of inputs (what does not read the values); returns K. */
export function checkCrossbarShape(array: CrossbarArray, voltages: Float64Array): number {
  const { rows: m, columns: n, conductances } = array;
  if (!(Number.isInteger(m) && m > 0 && Number.isInteger(n) && n > 0)) {
    throw new RangeError(`crossbar: ${m}×${n} is not an array size`);
  }
  if (conductances.length !== m * n) {
    throw new RangeError(`crossbar: ${conductances.length} conductances for ${m}×${n} cells`);
  }
  if (voltages.length % m !== 0) throw new RangeError(`crossbar: ${voltages.length} voltages for ${m} rows`);
  return voltages.length / m;
}

/** Every conductance (finite, ≥ 0) and input voltage (finite), with the model's messages. */
export function checkCrossbarValues(array: CrossbarArray, voltages: Float64Array): void {
  const m = array.rows;
  checkCrossbarInput(array, voltages.length === 0 ? new Float64Array(m) : voltages.subarray(0, m));
  for (let k = m; k < voltages.length; k++) {
    if (!Number.isFinite(voltages[k])) throw new RangeError(`crossbar: voltage[${k}] = ${voltages[k]}`);
  }
}

/**
 * Validates a batch solve: parameters (both line resistances > 0), options
 * and sizes; the values too unless `values` is false (the WASM wrapper scans
 * them in the core and calls `checkCrossbarValues` only to name a bad one).
 */
export function checkCrossbarSolve(
  array: CrossbarArray,
  params: CrossbarParams,
  voltages: Float64Array,
  options: SolverOptions,
  values = true,
): CheckedSolve {
  checkParameters("crossbar", crossbarParameters, params);
  if (!(params.rowResistance > 0 && params.columnResistance > 0)) {
    throw new RangeError(
      "crossbar solve kernel: both line resistances must be > 0 (zero resistance: assembleCrossbar solves it exactly)",
    );
  }
  const nInputs = values ? checkCrossbarBatch(array, voltages) : checkCrossbarShape(array, voltages);
  const { tolerance, maxIterations } = solverSettings(array, options);
  return {
    nInputs,
    rowConductance: 1 / params.rowResistance,
    columnConductance: 1 / params.columnResistance,
    tolerance,
    maxIterations,
  };
}

/**
 * Throws CrossbarConvergenceError, naming the input row, if input `input`
 * took more than maxIterations (CG's "did not converge").
 */
export function checkConverged(checked: CheckedSolve, iterations: ArrayLike<number>, input: number): void {
  if ((iterations[input] as number) > checked.maxIterations) {
    throw new CrossbarConvergenceError(checked.tolerance, checked.maxIterations, `input row ${input}`);
  }
}

export function crossbarProductReference(array: CrossbarArray, voltages: Float64Array): Float64Array {
  checkCrossbarBatch(array, voltages);
  return idealCurrentsBatch(array, voltages);
}

export function crossbarSolveReference(
  array: CrossbarArray,
  params: CrossbarParams,
  voltages: Float64Array,
  options: SolverOptions = {},
): CrossbarBatchOutput {
  const checked = checkCrossbarSolve(array, params, voltages, options);
  const { rows: m, columns: n, conductances } = array;
  const s = factorise(m, n, conductances, checked.rowConductance, checked.columnConductance);
  const work = workspace(s);
  const b = new Float64Array(2 * m * n);
  const x = new Float64Array(2 * m * n);
  const currents = new Float64Array(checked.nInputs * n);
  const iterations = new Float64Array(checked.nInputs);
  for (let input = 0; input < checked.nInputs; input++) {
    rightHandSide(s, voltages.subarray(input * m, (input + 1) * m), b);
    iterations[input] = conjugateGradient(s, b, x, work, checked.tolerance, checked.maxIterations);
    checkConverged(checked, iterations, input);
    for (let j = 0; j < n; j++) {
      currents[input * n + j] = checked.columnConductance * (x[m * n + (m - 1) * n + j] as number);
    }
  }
  return { currents, iterations };
}
