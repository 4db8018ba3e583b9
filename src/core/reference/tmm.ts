/**
 * TypeScript twin of the `tmmSpectrum` WASM kernel (src/core/assembly/tmm.ts):
 * the model's own `stackSpectrum` (src/models/thin-film/spectrum.ts), which
 * is the executable specification.
 */
export { stackSpectrum as tmmSpectrumReference } from "../../models/thin-film/spectrum.js";
