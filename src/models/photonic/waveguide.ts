/**
 * Straight waveguide: propagation loss and phase with first-order
 * dispersion, as SAX's `waveguide` model (github.com/flaport/sax).
 *
 * ```
 *   in ════════════════ out        S[out][in] = S[in][out] = A·e^{iφ}
 *       |←     L      →|
 * ```
 *
 * Effective index to first order in λ − λ0. The group index is
 * n_g = n_eff − λ dn_eff/dλ (Saleh & Teich, Fundamentals of Photonics,
 * group velocity of a guided mode), so at λ0 the slope is
 * dn_eff/dλ = (n_eff0 − n_g)/λ0 and
 *
 *   n_eff(λ) = n_eff0 − (n_g − n_eff0)(λ − λ0)/λ0.
 *
 * Phase φ = 2π n_eff(λ) L/λ; its slope at λ0 is dφ/dλ = −2π n_g L/λ0²,
 * which is what makes a ring's free spectral range λ²/(n_g L). When
 * n_g > n_eff0 the line reaches n_eff = 0 at λ0 n_g/(n_g − n_eff0);
 * wavelengths from there on are refused (`checkDispersedWavelength`).
 * Amplitude A = 10^(−α L/20) for a power loss α in dB/m (dB is power:
 * the field loses half as many decibels' worth of amplitude).
 */
import { type Complex, mul } from "../complex.js";
import { AMPLITUDE_PER_DB } from "../constants.js";
import type { ParameterSpec } from "../parameters.js";
import { checkWavelength, patternModel } from "./component.js";

export type WaveguideParams = {
  length: number;
  propagationLossDbPerM: number;
  effectiveIndex: number;
  groupIndex: number;
  referenceWavelength: number;
};

/** The dispersion parameters waveguides and rings share (n_eff0, n_g, λ0). */
export const dispersionParameters: readonly ParameterSpec<
  "effectiveIndex" | "groupIndex" | "referenceWavelength"
>[] = [
  {
    name: "effectiveIndex",
    unit: "1",
    default: 2.4,
    min: 1,
    max: 5,
    meaning: "n_eff0: effective index of the guided mode at the reference wavelength",
  },
  {
    name: "groupIndex",
    unit: "1",
    default: 4.2,
    min: 1,
    max: 6,
    meaning: "n_g: group index at the reference wavelength (sets the first-order dispersion)",
  },
  {
    name: "referenceWavelength",
    unit: "m",
    default: 1.55e-6,
    min: 1e-7,
    max: 1e-5,
    meaning: "lambda0: wavelength at which n_eff0 and n_g are given",
  },
];

export const waveguideParameters: readonly ParameterSpec<keyof WaveguideParams>[] = [
  { name: "length", unit: "m", default: 100e-6, min: 0, max: 1, meaning: "L: physical length" },
  {
    name: "propagationLossDbPerM",
    unit: "dB/m",
    default: 200,
    min: 0,
    max: 1e5,
    meaning: "alpha: power loss per length (200 dB/m = 2 dB/cm)",
  },
  ...dispersionParameters,
];

/** n_eff(λ) = n_eff0 − (n_g − n_eff0)(λ − λ0)/λ0. */
export function effectiveIndexAt(
  p: { effectiveIndex: number; groupIndex: number; referenceWavelength: number },
  wavelength: number,
): number {
  const λ0 = p.referenceWavelength;
  return p.effectiveIndex - ((p.groupIndex - p.effectiveIndex) * (wavelength - λ0)) / λ0;
}

type Dispersion = { effectiveIndex: number; groupIndex: number; referenceWavelength: number };

/**
 * Where n_eff(λ) falls to 0: λ0 n_g/(n_g − n_eff0) (3.617 µm for the
 * defaults), ∞ when n_g ≤ n_eff0 (n_eff then grows with λ and is n_g ≥ 1
 * at λ → 0). Past it the first-order expansion means nothing: the phase
 * would run backwards.
 */
export function dispersionZero(p: Dispersion): number {
  const excess = p.groupIndex - p.effectiveIndex;
  return excess > 0 ? (p.referenceWavelength * p.groupIndex) / excess : Number.POSITIVE_INFINITY;
}

/**
 * A wavelength below which n_eff(λ) > 0 as computed, for checking many
 * wavelengths with one comparison each (`checkDispersedWavelength` decides
 * the few at or past it): `dispersionZero` less 1e-9 of itself, far more
 * than the rounding of n_eff(λ) near its zero.
 */
export function dispersionLimit(p: Dispersion): number {
  return dispersionZero(p) * (1 - 1e-9);
}

/**
 * Refuses a wavelength that is not a positive finite length, or at which
 * the first-order n_eff(λ) is ≤ 0; `what` names it in the message
 * ("waveguide", "ring-all-pass wavelength[3]").
 */
export function checkDispersedWavelength(what: string, p: Dispersion, wavelength: number): void {
  checkWavelength(what, wavelength);
  const n = effectiveIndexAt(p, wavelength);
  if (!(n > 0)) {
    throw new RangeError(
      `${what}: wavelength ${wavelength} m is past the reach of the first-order dispersion: n_eff(λ) = ${n} ≤ 0 (it is 0 at ${dispersionZero(p)} m)`,
    );
  }
}

/** φ = 2π n_eff(λ) L/λ, rad, and its partials (n_eff0, n_g, λ0 through n_eff(λ)). */
export interface PropagationPhase {
  readonly phase: number;
  readonly dLength: number;
  readonly dEffectiveIndex: number;
  readonly dGroupIndex: number;
  readonly dReferenceWavelength: number;
}

/** φ = 2π n_eff(λ) L/λ, rad (one expression, so every model that propagates rounds alike). */
export function phaseOf(
  length: number,
  p: { effectiveIndex: number; groupIndex: number; referenceWavelength: number },
  wavelength: number,
): number {
  return ((2 * Math.PI) / wavelength) * effectiveIndexAt(p, wavelength) * length;
}

export function propagationPhase(
  length: number,
  p: { effectiveIndex: number; groupIndex: number; referenceWavelength: number },
  wavelength: number,
): PropagationPhase {
  const λ0 = p.referenceWavelength;
  const k = (2 * Math.PI) / wavelength;
  const n = effectiveIndexAt(p, wavelength);
  return {
    phase: phaseOf(length, p, wavelength),
    dLength: k * n,
    // ∂n/∂n_eff0 = 1 + (λ − λ0)/λ0 = λ/λ0
    dEffectiveIndex: (2 * Math.PI * length) / λ0,
    dGroupIndex: -k * length * ((wavelength - λ0) / λ0),
    // ∂n/∂λ0 = (n_g − n_eff0)·λ/λ0²
    dReferenceWavelength: (2 * Math.PI * length * (p.groupIndex - p.effectiveIndex)) / (λ0 * λ0),
  };
}

/** Field transmission A·e^{iφ} of a waveguide. */
export function waveguideTransmission(p: WaveguideParams, wavelength: number): Complex {
  const amplitude = Math.exp(-AMPLITUDE_PER_DB * p.propagationLossDbPerM * p.length);
  const phase = phaseOf(p.length, p, wavelength);
  return { re: amplitude * Math.cos(phase), im: amplitude * Math.sin(phase) };
}

export const waveguide = patternModel<WaveguideParams>({
  id: "waveguide",
  citation: "SAX waveguide model (first-order dispersion via the group index); Saleh & Teich, group index",
  ports: ["in", "out"],
  parameters: waveguideParameters,
  pattern: [
    ["out", "in", 0],
    ["in", "out", 0],
  ],
  checkWavelength: (p, wavelength) => checkDispersedWavelength("waveguide", p, wavelength),
  values: (p, wavelength) => [waveguideTransmission(p, wavelength)],
  entries(p, wavelength) {
    const t = waveguideTransmission(p, wavelength);
    const φ = propagationPhase(p.length, p, wavelength);
    // ∂t/∂x = t·(∂ln A/∂x + i ∂φ/∂x)
    const d = (dLogAmplitude: number, dPhase: number) => mul(t, { re: dLogAmplitude, im: dPhase });
    return {
      values: [t],
      partials: [
        [d(-AMPLITUDE_PER_DB * p.propagationLossDbPerM, φ.dLength)],
        [d(-AMPLITUDE_PER_DB * p.length, 0)],
        [d(0, φ.dEffectiveIndex)],
        [d(0, φ.dGroupIndex)],
        [d(0, φ.dReferenceWavelength)],
      ],
    };
  },
});
