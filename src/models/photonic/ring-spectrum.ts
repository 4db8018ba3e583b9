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
import { checkDispersedWavelength, dispersionLimit, effectiveIndexAt, phaseOf } from "./waveguide.js";

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

/**
 * All-pass power |t|² and its partials in the parameters, in table order
 * (r, a, L, n_eff0, n_g, λ0), over `wavelengths`: what a fit of the ring
 * needs per iteration. Row k of the partials starts at `jacobian[k·stride]`
 * (stride ≥ 6: a fit's Jacobian has columns of its own after these).
 *
 * With s = sin h, c = cos h, h = φ/2, N = (a − r)² + 4ra s² and
 * D = (1 − ra)² + 4ra s² (P = N/D, ring.ts's half-angle form):
 *   ∂P/∂r = (−2(a − r) + 4a s² − P(−2a(1 − ra) + 4a s²))/D,
 *   ∂P/∂a = ( 2(a − r) + 4r s² − P(−2r(1 − ra) + 4r s²))/D,
 *   ∂P/∂φ = 4ra s c (1 − P)/D,
 * and φ's partials as waveguide.ts's `propagationPhase` gives them. The
 * WASM kernel `ringAllPassJacobian` (src/core/assembly/ring.ts) computes
 * the same expressions in the same order: only sin and cos differ.
 */
export function allPassPowerJacobian(
  p: AllPassParams,
  wavelengths: Float64Array,
  power: Float64Array,
  jacobian: Float64Array,
  stride = 6,
): void {
  checkRingSpectrum("ring-all-pass", p, wavelengths);
  const { selfCoupling: r, roundTripAmplitude: a, circumference: L } = p;
  const { effectiveIndex: n0, groupIndex: ng, referenceWavelength: λ0 } = p;
  const ra = r * a;
  const twoPi = 2 * Math.PI;
  for (let k = 0; k < wavelengths.length; k++) {
    const λ = wavelengths[k] as number;
    const h = phaseOf(L, p, λ) / 2;
    const sn = Math.sin(h);
    const cs = Math.cos(h);
    const s2 = sn * sn;
    const d = (1 - ra) * (1 - ra) + 4 * ra * s2;
    const P = ((a - r) * (a - r) + 4 * ra * s2) / d;
    power[k] = P;
    const dPhase = (4 * ra * sn * cs * (1 - P)) / d;
    const row = k * stride;
    jacobian[row] = (-2 * (a - r) + 4 * a * s2 - P * (-2 * a * (1 - ra) + 4 * a * s2)) / d;
    jacobian[row + 1] = (2 * (a - r) + 4 * r * s2 - P * (-2 * r * (1 - ra) + 4 * r * s2)) / d;
    jacobian[row + 2] = dPhase * ((twoPi / λ) * effectiveIndexAt(p, λ));
    jacobian[row + 3] = dPhase * ((twoPi * L) / λ0);
    jacobian[row + 4] = dPhase * (-(twoPi / λ) * L * ((λ - λ0) / λ0));
    jacobian[row + 5] = dPhase * ((twoPi * L * (ng - n0)) / (λ0 * λ0));
  }
}
