/**
 * Photodetector: mean current and noise in a bandwidth for an optical
 * power P on the detector (Saleh & Teich, "Fundamentals of Photonics",
 * chapter "Photodetectors": responsivity, shot noise and the circuit's
 * thermal noise).
 *
 * ```
 *   light P ──▶|── I ──[ R_load ]── (readout, bandwidth B)
 * ```
 *
 *   photocurrent   I_ph = I_sat tanh(R P/I_sat)
 *   mean current   I = I_ph + I_d
 *   noise          σ_I² = 2q (I_ph + I_d) B + 4 k_B T B/R_load
 *
 * R is the responsivity (A/W), I_d the dark current, q the elementary
 * charge and k_B Boltzmann's constant (exact SI values). Saturation is
 * soft: the photocurrent is R·P (to 1 % up to I_ph ≈ 0.17 I_sat) and
 * approaches I_sat smoothly, never exceeding it — a smooth stand-in for
 * the space-charge compression of a real detector that keeps the
 * gradient defined everywhere.
 *
 * T = 0 (a noiseless load, to see the shot noise alone) and I_d = 0 are
 * allowed idealisations. With both and no light, σ = 0 and grows as √I_d
 * and √T: ∂σ/∂I_d and ∂σ/∂T are +∞ there, the others 0 (`noiseSlope`).
 */
import { BOLTZMANN, ELEMENTARY_CHARGE } from "../constants.js";
import { checkParameters, type ParameterSpec } from "../parameters.js";

export type PhotodetectorParams = {
  responsivity: number;
  darkCurrent: number;
  saturationCurrent: number;
  bandwidth: number;
  loadResistance: number;
  temperature: number;
};

export const photodetectorParameters: readonly ParameterSpec<keyof PhotodetectorParams>[] = [
  {
    name: "responsivity",
    unit: "A/W",
    default: 1,
    min: 0,
    max: 10,
    meaning: "R: photocurrent per optical power below saturation",
  },
  { name: "darkCurrent", unit: "A", default: 10e-9, min: 0, max: 1e-3, meaning: "I_d: current in the dark" },
  {
    name: "saturationCurrent",
    unit: "A",
    default: 10e-3,
    min: 1e-9,
    max: 1,
    meaning: "I_sat: photocurrent the detector saturates at",
  },
  { name: "bandwidth", unit: "Hz", default: 1e9, min: 1e-3, max: 1e12, meaning: "B: noise bandwidth" },
  {
    name: "loadResistance",
    unit: "Ohm",
    default: 50,
    min: 1e-3,
    max: 1e12,
    meaning: "R_load: resistance whose Johnson noise adds to the shot noise",
  },
  { name: "temperature", unit: "K", default: 300, min: 0, max: 1000, meaning: "T: temperature of the load" },
];

export interface PhotodetectorReading {
  /** Mean current I = I_ph + I_d, A. */
  readonly current: number;
  /** Photocurrent I_ph alone, A. */
  readonly photocurrent: number;
  /** Standard deviation of the current in the bandwidth, A (shot and thermal). */
  readonly noiseStd: number;
}

export interface PhotodetectorGradient extends PhotodetectorReading {
  /** ∂current/∂p_j and ∂noiseStd/∂p_j, in parameter order. */
  readonly gradient: { readonly current: Float64Array; readonly noiseStd: Float64Array };
}

function check(p: PhotodetectorParams, opticalPower: number): void {
  checkParameters("photodetector", photodetectorParameters, p);
  if (!(opticalPower >= 0 && Number.isFinite(opticalPower))) {
    throw new RangeError(`photodetector: optical power ${opticalPower} W is not a finite power ≥ 0`);
  }
}

function read(p: PhotodetectorParams, opticalPower: number) {
  const x = (p.responsivity * opticalPower) / p.saturationCurrent;
  const tanh = Math.tanh(x);
  const photocurrent = p.saturationCurrent * tanh;
  const shot = 2 * ELEMENTARY_CHARGE * (photocurrent + p.darkCurrent) * p.bandwidth;
  const thermal = (4 * BOLTZMANN * p.temperature * p.bandwidth) / p.loadResistance;
  return { x, tanh, photocurrent, variance: shot + thermal, thermal };
}

/** Mean current and noise for `opticalPower` (W) on the detector. */
export function detect(p: PhotodetectorParams, opticalPower: number): PhotodetectorReading {
  check(p, opticalPower);
  const { photocurrent, variance } = read(p, opticalPower);
  return { current: photocurrent + p.darkCurrent, photocurrent, noiseStd: Math.sqrt(variance) };
}

/** `detect` and its partials with respect to each parameter. */
export function detectWithGradient(p: PhotodetectorParams, opticalPower: number): PhotodetectorGradient {
  check(p, opticalPower);
  const { x, tanh, photocurrent, variance, thermal } = read(p, opticalPower);
  const sech2 = 1 - tanh * tanh;
  const noiseStd = Math.sqrt(variance);
  const shotPerAmp = 2 * ELEMENTARY_CHARGE * p.bandwidth;
  // ∂I_ph/∂R = P sech²x; ∂I_ph/∂I_sat = tanh x − x sech²x.
  const dResponsivity = opticalPower * sech2;
  const dSaturation = tanh - x * sech2;
  const current = Float64Array.of(dResponsivity, 1, dSaturation, 0, 0, 0);
  const dVariance = [
    shotPerAmp * dResponsivity,
    shotPerAmp,
    shotPerAmp * dSaturation,
    variance / p.bandwidth,
    -thermal / p.loadResistance,
    p.temperature === 0 ? (4 * BOLTZMANN * p.bandwidth) / p.loadResistance : thermal / p.temperature,
  ];
  return {
    current: photocurrent + p.darkCurrent,
    photocurrent,
    noiseStd,
    gradient: { current, noiseStd: Float64Array.from(dVariance, (d) => noiseSlope(d, noiseStd)) },
  };
}

/**
 * ∂σ/∂p = (∂V/∂p)/(2σ) for σ = √V. Where σ = 0 (T = 0, I_d = 0 and no
 * photocurrent: every term of V at its lower bound) that is 0/0 or x/0;
 * the one-sided limit is +∞ for a parameter V grows with there (σ goes as
 * √I_d, √T, √(R·P)) and 0 for one V stays 0 under (σ ≡ 0 in it).
 */
function noiseSlope(dVariance: number, noiseStd: number): number {
  if (noiseStd > 0) return dVariance / (2 * noiseStd);
  return dVariance > 0 ? Number.POSITIVE_INFINITY : 0;
}

export const photodetector = {
  id: "photodetector",
  citation: "Saleh & Teich, Fundamentals of Photonics, Photodetectors: responsivity, shot and thermal noise",
  parameters: photodetectorParameters,
  defaults: Object.freeze(
    Object.fromEntries(photodetectorParameters.map((s) => [s.name, s.default])) as PhotodetectorParams,
  ),
  detect,
  detectWithGradient,
} as const;
