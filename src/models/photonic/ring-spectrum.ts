/**
 * Ring spectra: the all-pass and add-drop responses of ring.ts over an
 * array of wavelengths, power and (on request) complex field interleaved
 * re, im. This is the TypeScript twin of the WASM ring kernels
 * (src/core/assembly/ring.ts; src/core/reference/ring.ts names it), and
 * its checks are the ones both sides make before computing.
 */
import { checkParameters } from "../parameters.js";
import {
  type AddDropParams,
  type AllPassParams,
  addDropParameters,
  addDropResponse,
  allPassParameters,
  allPassPower,
  allPassResponse,
} from "./ring.js";
import { checkDispersedWavelength, dispersionLimit } from "./waveguide.js";

export interface RingSpectrumOptions {
  /** Also compute the complex field (interleaved re, im); default false, power only. */
  readonly field?: boolean;
}

export interface AllPassSpectrum {
  /** |S[out][in]|² at each wavelength. */
  readonly power: Float64Array;
  /** S[out][in], interleaved re, im (2 per wavelength), when asked for. */
  readonly field?: Float64Array;
}

export interface AddDropSpectrum {
  /** |S[through][in]|² and |S[drop][in]|² at each wavelength. */
  readonly through: Float64Array;
  readonly drop: Float64Array;
  /** S[through][in] and S[drop][in], interleaved re, im, when asked for. */
  readonly throughField?: Float64Array;
  readonly dropField?: Float64Array;
}

/**
 * Refuses parameters out of bounds or not declared, and wavelengths that
 * are not positive and finite or where the first-order n_eff(λ) is ≤ 0
 * (waveguide.ts), naming the index: two comparisons per wavelength, as before.
 */
export function checkRingSpectrum(
  model: "ring-all-pass" | "ring-add-drop",
  p: AllPassParams | AddDropParams,
  wavelengths: Float64Array,
): void {
  if (model === "ring-all-pass") checkParameters(model, allPassParameters, p as AllPassParams);
  else checkParameters(model, addDropParameters, p as AddDropParams);
  const limit = dispersionLimit(p);
  for (let k = 0; k < wavelengths.length; k++) {
    const λ = wavelengths[k] as number;
    if (!(λ > 0 && λ < limit)) checkDispersedWavelength(`${model} wavelength[${k}]`, p, λ);
  }
}

/** All-pass ring over `wavelengths` (m). */
export function allPassSpectrum(
  p: AllPassParams,
  wavelengths: Float64Array,
  options: RingSpectrumOptions = {},
): AllPassSpectrum {
  checkRingSpectrum("ring-all-pass", p, wavelengths);
  const n = wavelengths.length;
  const power = new Float64Array(n);
  if (!options.field) {
    for (let k = 0; k < n; k++) power[k] = allPassPower(p, wavelengths[k] as number);
    return { power };
  }
  const field = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const response = allPassResponse(p, wavelengths[k] as number);
    power[k] = response.power;
    field[2 * k] = response.field.re;
    field[2 * k + 1] = response.field.im;
  }
  return { power, field };
}

/** Add-drop ring over `wavelengths` (m). */
export function addDropSpectrum(
  p: AddDropParams,
  wavelengths: Float64Array,
  options: RingSpectrumOptions = {},
): AddDropSpectrum {
  checkRingSpectrum("ring-add-drop", p, wavelengths);
  const n = wavelengths.length;
  const through = new Float64Array(n);
  const drop = new Float64Array(n);
  const throughField = options.field ? new Float64Array(2 * n) : undefined;
  const dropField = options.field ? new Float64Array(2 * n) : undefined;
  for (let k = 0; k < n; k++) {
    const response = addDropResponse(p, wavelengths[k] as number);
    through[k] = response.throughPower;
    drop[k] = response.dropPower;
    if (throughField && dropField) {
      throughField[2 * k] = response.through.re;
      throughField[2 * k + 1] = response.through.im;
      dropField[2 * k] = response.drop.re;
      dropField[2 * k + 1] = response.drop.im;
    }
  }
  return throughField && dropField ? { through, drop, throughField, dropField } : { through, drop };
}
