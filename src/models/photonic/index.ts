/** Photonic component models: S-matrices of (parameters, wavelength), and the sources and detectors around them. */
export { AMPLITUDE_PER_DB, BOLTZMANN, ELEMENTARY_CHARGE } from "../constants.js";
export {
  checkWavelength,
  type EntryValues,
  type PatternModelSpec,
  type PhotonicModel,
  patternModel,
  type SMatrixGradient,
  timesSlope,
} from "./component.js";
export { type CouplerParams, coupler, couplerEntries, couplerParameters } from "./coupler.js";
export {
  type GratingCouplerParams,
  gratingCoupler,
  gratingCouplerParameters,
  gratingEfficiency,
} from "./grating-coupler.js";
export {
  emit,
  emitWithGradient,
  type LaserGradient,
  type LaserOutput,
  type LaserParams,
  laser,
  laserParameters,
} from "./laser.js";
export { type MziParams, mzi, mziParameters, mziTransfer } from "./mzi.js";
export {
  heaterPowerFromCurrent,
  heaterPowerFromVoltage,
  type PhaseShifterParams,
  phaseShifterParameters,
  thermalPhase,
  thermalPhaseShifter,
} from "./phase-shifter.js";
export {
  detect,
  detectWithGradient,
  type PhotodetectorGradient,
  type PhotodetectorParams,
  type PhotodetectorReading,
  photodetector,
  photodetectorParameters,
} from "./photodetector.js";
export {
  type AddDropParams,
  type AddDropResponse,
  type AllPassParams,
  addDropParameters,
  addDropResponse,
  allPassField,
  allPassParameters,
  allPassPower,
  allPassResponse,
  freeSpectralRange,
  loadedQ,
  resonanceOrder,
  resonanceWavelength,
  ringAddDrop,
  ringAllPass,
  roundTripPhase,
} from "./ring.js";
export {
  type AddDropSpectrum,
  type AllPassSpectrum,
  addDropSpectrum,
  allPassSpectrum,
  checkRingSpectrum,
  type RingSpectrumOptions,
} from "./ring-spectrum.js";
export {
  entry,
  entryAt,
  portIndex,
  powerTransmission,
  reciprocityError,
  type SMatrix,
  setEntry,
  unitarityError,
  zeroSMatrix,
} from "./s-matrix.js";
export {
  checkDispersedWavelength,
  dispersionLimit,
  dispersionParameters,
  dispersionZero,
  effectiveIndexAt,
  type PropagationPhase,
  phaseOf,
  propagationPhase,
  type WaveguideParams,
  waveguide,
  waveguideParameters,
  waveguideTransmission,
} from "./waveguide.js";
