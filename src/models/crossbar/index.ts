/** Crossbar arrays: ideal vector-matrix product and the nodal solve with line resistance. */
export { type CrossbarJacobian, crossbarJacobian } from "./gradient.js";
export {
  assembleCrossbar,
  type CrossbarArray,
  CrossbarConvergenceError,
  type CrossbarNetwork,
  type CrossbarParams,
  type CrossbarSolution,
  crossbarCurrents,
  crossbarDefaults,
  crossbarParameters,
  DEFAULT_TOLERANCE,
  idealCurrents,
  idealCurrentsBatch,
  MAX_ITERATIONS,
  type SolverOptions,
  solverSettings,
  transferMatrix,
} from "./network.js";
