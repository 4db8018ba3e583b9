/**
 * TypeScript twins of the ring WASM kernels (src/core/assembly/ring.ts):
 * the model layer's own spectrum functions, which evaluate the ring
 * equations of src/models/photonic/ring.ts wavelength by wavelength.
 */
export {
  addDropSpectrum as ringAddDropSpectrumReference,
  allPassPowerJacobian as ringAllPassJacobianReference,
  allPassSpectrum as ringAllPassSpectrumReference,
} from "../../models/photonic/ring-spectrum.js";
