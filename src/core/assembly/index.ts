/**
 * Entry of the WASM core (build/core.wasm, `npm run build:wasm`): batch
 * kernels over flat f64 arrays in linear memory, and the allocator that
 * places them there. src/core/wasm.ts is the typed way in.
 */

export {
  chipElectrical,
  chipElectricalJacobian,
  chipLayout,
  chipStep,
  chipStepJacobian,
  chipThevenin,
  chipTransmission,
  chipTransmissionGradient,
} from "./chip";
export { crossbarCheck, crossbarProduct, crossbarSolve } from "./crossbar";
export { linearIonDriftBatch } from "./linear-ion-drift";
export { alloc, keep, reset } from "./memory";
export { meshCells, meshPropagate } from "./mesh";
export { phaseChangeBatch, phaseChangeScratch, phaseChangeStep } from "./phase-change";
export { power2Batch, powerBatch } from "./power";
export {
  ringAddDropAt,
  ringAddDropSpectrum,
  ringAllPassAt,
  ringAllPassJacobian,
  ringAllPassSpectrum,
  ringScratch,
} from "./ring";
export { tmmSpectrum } from "./tmm";
export { vteamBatch } from "./vteam";
