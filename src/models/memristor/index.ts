/** Memristor models and the one way to run them in time. */
export { checkState, holdVoltage, type SubstepObserver } from "./integrate.js";
export {
  type BiolekDriftParams,
  type DriftParams,
  driftParameters,
  type IdealDriftParams,
  type JoglekarDriftParams,
  linearIonDrift,
  linearIonDriftBiolek,
  linearIonDriftByWindow,
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
  logitOf,
  type ProdromakisDriftParams,
} from "./linear-ion-drift.js";
export {
  EDGE_RESOLUTION,
  LOCAL_ERROR,
  LOGIT_BOUND,
  MAX_STATE_STEP,
  MAX_STIFFNESS_STEP,
  PROBE_STEP,
  project,
  substepLength,
} from "./portable/scheme.js";
export { memristorModels } from "./registry.js";
export { type GradientInput, simulateWithGradient } from "./sensitivity.js";
export { advance, simulate, stateAtFraction, stateFraction } from "./simulate.js";
export type {
  DifferentiableMemristorModel,
  GradientResult,
  MemristorModel,
  SimulationInput,
  SimulationResult,
} from "./types.js";
export { type VteamParams, vteam, vteamParameters, vteamPublished } from "./vteam.js";
export {
  biolekWindow,
  type ExponentWindowParams,
  joglekarWindow,
  type NoWindowParams,
  noWindow,
  type ProdromakisWindowParams,
  prodromakisWindow,
  type WindowFunction,
  type WindowName,
} from "./windows.js";
export { type YakopcicParams, yakopcic, yakopcicParameters } from "./yakopcic.js";
