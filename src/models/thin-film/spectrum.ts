/**
 * A stack's response over a grid of angles × wavelengths, in the flat
 * layout of the WASM kernel (src/core/assembly/tmm.ts). `stackSpectrum` is
 * that kernel's TypeScript reference: it runs tmm.ts's `respond` at every
 * point, computing what each angle fixes once per angle when the indices do
 * not depend on the wavelength, as the kernel does.
 *
 * Indices may depend on the wavelength (dispersion): give one row of
 * indices per wavelength instead of one row for all.
 */
import type { ParameterSpec } from "../parameters.js";
import { ambientParameters, checkValue, layerParameters, type Stack, substrateParameters } from "./stack.js";
import { checkAngle, checkWavelength, incidence, type MediumTerms, mediumTerms, respond } from "./tmm.js";

export interface SpectrumInput {
  /** Thickness of each layer, m, in the order the light meets them; its length is the number of layers L. */
  readonly thicknesses: Float64Array;
  /**
   * Complex indices N = n + ik, interleaved (re, im), medium-major over the
   * L + 2 media [ambient, layer 0, …, layer L−1, substrate] × `rows`:
   * N of medium m in row l is at 2·(m·rows + l). rows = 1: the same indices
   * at every wavelength; rows = wavelengths.length: row l at wavelength l.
   * The ambient's k must be 0.
   */
  readonly indices: Float64Array;
  /** Vacuum wavelengths, m. */
  readonly wavelengths: Float64Array;
  /** Angles of incidence in the ambient, rad, in [0, π/2). */
  readonly angles: Float64Array;
}

/** One polarisation over the grid, angle-major: point (a, l) at a·nWavelengths + l. */
export interface PolarisedSpectrum {
  readonly R: Float64Array;
  readonly T: Float64Array;
  /** Complex, interleaved: r of point i at 2i, 2i + 1. */
  readonly r: Float64Array;
  readonly t: Float64Array;
}

export interface SpectrumOutput {
  readonly s: PolarisedSpectrum;
  readonly p: PolarisedSpectrum;
}

export interface CheckedSpectrum {
  readonly nLayers: number;
  /** 1, or the number of wavelengths. */
  readonly indexRows: number;
  /** nAngles × nWavelengths. */
  readonly points: number;
}

/** The ambient has no k (stack.ts): in the flat layout it must be given as 0. */
const AMBIENT_K: ParameterSpec = {
  name: "k",
  unit: "1",
  default: 0,
  min: 0,
  max: 0,
  meaning: "ambient extinction coefficient: 0 (with an absorbing ambient the incident power is undefined)",
};
const AMBIENT = [ambientParameters[0], AMBIENT_K] as readonly [ParameterSpec, ParameterSpec];
const SUBSTRATE = [substrateParameters[0], substrateParameters[1]] as readonly [ParameterSpec, ParameterSpec];
const LAYER = [layerParameters[1], layerParameters[2]] as readonly [ParameterSpec, ParameterSpec];

/** Bounds of medium m's n and k (m = 0 ambient, m = nMedia − 1 substrate). */
function mediumSpecs(m: number, nMedia: number): readonly [ParameterSpec, ParameterSpec] {
  if (m === 0) return AMBIENT;
  return m === nMedia - 1 ? SUBSTRATE : LAYER;
}

function mediumName(m: number, nMedia: number): string {
  return m === 0 ? "ambient" : m === nMedia - 1 ? "substrate" : `layer${m - 1}`;
}

function within(spec: ParameterSpec, value: number): boolean {
  return value >= spec.min && value <= spec.max && Number.isFinite(value);
}

/**
 * Validates a spectrum input (sizes, every index, thickness, wavelength and
 * angle). Allocation-free unless it throws: a twin calls it per sample.
 */
export function checkSpectrum(input: SpectrumInput): CheckedSpectrum {
  const { thicknesses, indices, wavelengths, angles } = input;
  const nLayers = thicknesses.length;
  const nMedia = nLayers + 2;
  const indexRows = indices.length / (2 * nMedia);
  if (!(indexRows === 1 || (indexRows === wavelengths.length && indexRows > 0))) {
    throw new RangeError(
      `thin film spectrum: ${indices.length / 2} indices for ${nMedia} media × (1 or ${wavelengths.length} wavelengths)`,
    );
  }
  const model = "thin film spectrum";
  const thickness = layerParameters[0] as ParameterSpec;
  for (let j = 0; j < nLayers; j++) {
    const d = thicknesses[j] as number;
    if (!within(thickness, d)) checkValue(model, { ...thickness, name: `layer${j}.thickness` }, d);
  }
  for (let m = 0; m < nMedia; m++) {
    const [nSpec, kSpec] = mediumSpecs(m, nMedia);
    for (let l = 0; l < indexRows; l++) {
      const at = 2 * (m * indexRows + l);
      const n = indices[at] as number;
      const k = indices[at + 1] as number;
      if (!(within(nSpec, n) && within(kSpec, k))) {
        const name = mediumName(m, nMedia);
        const where = indexRows === 1 ? model : `${model}, wavelength ${l}`;
        checkValue(where, { ...nSpec, name: `${name}.n` }, n);
        checkValue(where, { ...kSpec, name: `${name}.k` }, k);
      }
    }
  }
  for (const wavelength of wavelengths) checkWavelength(wavelength);
  for (const angle of angles) checkAngle(angle);
  return { nLayers, indexRows, points: angles.length * wavelengths.length };
}

/** The flat input for `stack` (indices the same at every wavelength) over wavelengths × angles. */
export function spectrumInput(
  stack: Stack,
  wavelengths: ArrayLike<number>,
  angles: ArrayLike<number> = [0],
): SpectrumInput {
  const media = [{ n: stack.ambient.n, k: 0 }, ...stack.layers, stack.substrate];
  return {
    thicknesses: Float64Array.from(stack.layers, (layer) => layer.thickness),
    indices: Float64Array.from(media.flatMap((m) => [m.n, m.k])),
    wavelengths: Float64Array.from(wavelengths),
    angles: Float64Array.from(angles),
  };
}

/** The response at every angle × wavelength of the grid (reference of the WASM kernel `tmmSpectrum`). */
export function stackSpectrum(input: SpectrumInput): SpectrumOutput {
  const { nLayers, indexRows, points } = checkSpectrum(input);
  const { thicknesses, indices, wavelengths, angles } = input;
  const polarised = (): PolarisedSpectrum => ({
    R: new Float64Array(points),
    T: new Float64Array(points),
    r: new Float64Array(2 * points),
    t: new Float64Array(2 * points),
  });
  const out = { s: polarised(), p: polarised() };
  const atRow = (row: number, angle: number) => {
    const inc = incidence(indices[2 * row] as number, angle);
    const media: MediumTerms[] = [];
    for (let m = 1; m <= nLayers + 1; m++) {
      const at = 2 * (m * indexRows + row);
      media.push(mediumTerms(indices[at] as number, indices[at + 1] as number, inc.beta2));
    }
    return { inc, media };
  };
  for (let a = 0; a < angles.length; a++) {
    const angle = angles[a] as number;
    let fixed = indexRows === 1 ? atRow(0, angle) : undefined;
    for (let l = 0; l < wavelengths.length; l++) {
      if (indexRows > 1) fixed = atRow(l, angle);
      const { inc, media } = fixed as ReturnType<typeof atRow>;
      const response = respond(thicknesses, media, inc, wavelengths[l] as number);
      const point = a * wavelengths.length + l;
      for (const pol of ["s", "p"] as const) {
        const { r, t, R, T } = response[pol];
        const target = out[pol];
        target.R[point] = R;
        target.T[point] = T;
        target.r[2 * point] = r.re;
        target.r[2 * point + 1] = r.im;
        target.t[2 * point] = t.re;
        target.t[2 * point + 1] = t.im;
      }
    }
  }
  return out;
}
