/**
 * Laser source: output power, wavelength and relative intensity noise.
 *
 * RIN is the one-sided power spectral density of the power fluctuations
 * relative to the mean power squared, RIN = S_δP(f)/P² in 1/Hz, quoted in
 * dB/Hz (Coldren, Corzine & Mašanović, "Diode Lasers and Photonic
 * Integrated Circuits", 2nd ed., Wiley 2012, section on relative intensity
 * noise). Flat over the measurement bandwidth B, the power fluctuation
 * integrates to
 *
 *   σ_P/P = √(10^(RIN/10) · B),   σ_P = P · σ_P/P.
 *
 * ```
 *   [ laser P, λ ] ══▶  field amplitude √P (√W), phase reference 0
 * ```
 */
import { AMPLITUDE_PER_DB } from "../constants.js";
import { checkParameters, type ParameterSpec } from "../parameters.js";

export type LaserParams = { power: number; wavelength: number; rinDbPerHz: number };

export const laserParameters: readonly ParameterSpec<keyof LaserParams>[] = [
  { name: "power", unit: "W", default: 1e-3, min: 0, max: 10, meaning: "P: mean optical output power" },
  {
    name: "wavelength",
    unit: "m",
    default: 1.55e-6,
    min: 1e-7,
    max: 1e-5,
    meaning: "lambda: emission wavelength",
  },
  {
    name: "rinDbPerHz",
    unit: "dB/Hz",
    default: -145,
    min: -200,
    max: -80,
    meaning: "RIN: relative intensity noise, flat over the bandwidth",
  },
];

export interface LaserOutput {
  /** Mean power P, W. */
  readonly power: number;
  /** Wavelength, m. */
  readonly wavelength: number;
  /** Field amplitude √P, √W (the input a circuit's S-matrix multiplies). */
  readonly field: number;
  /** σ_P/P in the bandwidth. */
  readonly relativeNoiseStd: number;
  /** σ_P, W. */
  readonly powerNoiseStd: number;
}

export interface LaserGradient extends LaserOutput {
  /** ∂output/∂p_j, in parameter order. */
  readonly gradient: {
    readonly power: Float64Array;
    readonly wavelength: Float64Array;
    /** ∂√P/∂P = 1/(2√P): +∞ at P = 0, as the slope of √P is there. */
    readonly field: Float64Array;
    readonly powerNoiseStd: Float64Array;
  };
}

function check(p: LaserParams, bandwidth: number): void {
  checkParameters("laser", laserParameters, p);
  if (!(bandwidth >= 0 && Number.isFinite(bandwidth))) {
    throw new RangeError(`laser: bandwidth ${bandwidth} Hz is not a finite bandwidth ≥ 0`);
  }
}

function output(p: LaserParams, bandwidth: number): LaserOutput {
  const relativeNoiseStd = Math.sqrt(10 ** (p.rinDbPerHz / 10) * bandwidth);
  return {
    power: p.power,
    wavelength: p.wavelength,
    field: Math.sqrt(p.power),
    relativeNoiseStd,
    powerNoiseStd: p.power * relativeNoiseStd,
  };
}

/** What the laser emits, with its intensity noise in a bandwidth B (Hz). */
export function emit(p: LaserParams, bandwidth: number): LaserOutput {
  check(p, bandwidth);
  return output(p, bandwidth);
}

/** `emit` and its partials with respect to each parameter. */
export function emitWithGradient(p: LaserParams, bandwidth: number): LaserGradient {
  check(p, bandwidth);
  const out = output(p, bandwidth);
  // σ_P/P = 10^(RIN/20) √B: ∂/∂RIN = (ln 10/20) σ_P/P.
  return {
    ...out,
    gradient: {
      power: Float64Array.of(1, 0, 0),
      wavelength: Float64Array.of(0, 1, 0),
      field: Float64Array.of(1 / (2 * out.field), 0, 0),
      powerNoiseStd: Float64Array.of(out.relativeNoiseStd, 0, out.powerNoiseStd * AMPLITUDE_PER_DB),
    },
  };
}

export const laser = {
  id: "laser",
  citation: "Coldren, Corzine & Masanovic, Diode Lasers and Photonic Integrated Circuits (2012): RIN",
  parameters: laserParameters,
  defaults: Object.freeze(Object.fromEntries(laserParameters.map((s) => [s.name, s.default])) as LaserParams),
  emit,
  emitWithGradient,
} as const;
