/** Thin-film stacks: coherent transfer-matrix method, s and p, oblique incidence, absorbing media. */
export { type LayerAbsorption, layerAbsorption } from "./absorption.js";
export { type PolarisedGradient, type StackResponseGradient, stackResponseGradient } from "./gradient.js";
export {
  type CheckedSpectrum,
  checkSpectrum,
  type PolarisedSpectrum,
  type SpectrumInput,
  type SpectrumOutput,
  spectrumInput,
  stackSpectrum,
} from "./spectrum.js";
export {
  type Ambient,
  ambientParameters,
  checkStack,
  type Layer,
  layerParameters,
  type Stack,
  type Substrate,
  stackFromValues,
  stackParameters,
  stackValues,
  substrateParameters,
} from "./stack.js";
export {
  type Polarisation,
  type PolarisedResponse,
  type StackResponse,
  stackResponse,
} from "./tmm.js";
