/** Random and textbook stacks shared by the thin-film tests. */
import type { Layer, Stack } from "../../../../src/models/thin-film/index.js";
import { seededRandom } from "../../support/waveforms.js";

export interface RandomStackOptions {
  /** Largest number of layers (at least 1 is drawn). */
  readonly maxLayers: number;
  /** Largest extinction coefficient of a layer (0: lossless layers). */
  readonly layerK: number;
  /** Largest extinction coefficient of the substrate. */
  readonly substrateK: number;
}

/**
 * A random stack: 1…maxLayers layers with n in [1.2, 4], thickness in
 * [0, 500 nm], k up to layerK; ambient n in [1, 1.6]; substrate n in
 * [1.3, 3.5], k up to substrateK. Deterministic in `seed`.
 */
export function randomStack(seed: number, options: RandomStackOptions): Stack {
  const random = seededRandom(seed);
  const nLayers = 1 + Math.floor(random() * options.maxLayers);
  const layers: Layer[] = Array.from({ length: nLayers }, () => ({
    n: 1.2 + 2.8 * random(),
    k: options.layerK * random(),
    thickness: 500e-9 * random(),
  }));
  return {
    ambient: { n: 1 + 0.6 * random() },
    layers,
    substrate: { n: 1.3 + 2.2 * random(), k: options.substrateK * random() },
  };
}

/** Thickness of a layer of index n that is a quarter wave thick at `wavelength`, normal incidence. */
export function quarterWave(n: number, wavelength: number): number {
  return wavelength / (4 * n);
}

/** (HL)^N H of quarter waves at `wavelength`. */
export function quarterWaveStack(nH: number, nL: number, pairs: number, wavelength: number): Layer[] {
  const H = { n: nH, k: 0, thickness: quarterWave(nH, wavelength) };
  const L = { n: nL, k: 0, thickness: quarterWave(nL, wavelength) };
  return [...Array.from({ length: pairs }, () => [H, L]).flat(), H];
}
