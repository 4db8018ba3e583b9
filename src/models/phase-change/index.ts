/** Phase-change (GST-class) cells: thermal + JMAK switching, optics of the patch, resistance drift. */
export { BOLTZMANN, ELECTRONVOLT } from "../constants.js";
export {
  type CellInput,
  type CellParams,
  type CellState,
  type CellTrace,
  cellDefaults,
  cellParameters,
  checkCellInput,
  crystallisationRate,
  fractionOf,
  progressOf,
  simulateCell,
  stepCell,
  thermalTimeConstant,
} from "./cell.js";
export { type CellGradient, simulateCellWithGradient } from "./cell-gradient.js";
export {
  driftedResistance,
  driftedResistanceWithGradient,
  type ResistanceDriftParams,
  resistanceDriftDefaults,
  resistanceDriftParameters,
} from "./drift.js";
export {
  type ComplexGradient,
  type GstOpticalParams,
  gstIndex,
  gstIndexWithGradient,
  gstOpticalParameters,
  gstPermittivity,
  lorentzLorenz,
} from "./optics.js";
export {
  type PatchParams,
  patchDefaults,
  patchIndexChange,
  patchParameters,
  patchTransmission,
  patchTransmissionWithGradient,
} from "./patch.js";
