/**
 * Resistance drift of an amorphous phase-change cell: after a RESET the
 * resistance of the melt-quenched phase rises as a power of time,
 *
 *   R(t) = R0 (t/t0)^ν,
 *
 * with t counted from the end of the RESET pulse and R0 measured at t0:
 * the power law that melt-quenched Ge2Sb2Te5 follows from 300 K down to
 * 125 K, with drift coefficients ν of 0.07–0.11 in the dark, close to the
 * ν ≈ 0.1 commonly seen at and above room temperature (Khan, Dirisaglik,
 * Gokirmak & Silva, "Resistance drift in Ge2Sb2Te5 phase change memory
 * line cells at low temperatures and its response to photoexcitation",
 * Appl. Phys. Lett. 116(25) (2020), doi:10.1063/1.5144606; under
 * illumination ν is lower, 0.05 at 150 K).
 * Defaults: R0 = 1 MΩ at t0 = 1 s (a typical RESET cell, not a fit),
 * ν = 0.1.
 */
import { checkParameters, defaultsOf, type ParameterSpec } from "../parameters.js";

export type ResistanceDriftParams = { resistance: number; referenceTime: number; driftExponent: number };

export const resistanceDriftParameters: readonly ParameterSpec<keyof ResistanceDriftParams>[] = [
  { name: "resistance", unit: "Ohm", default: 1e6, min: 1, max: 1e12, meaning: "R0: resistance at t0" },
  {
    name: "referenceTime",
    unit: "s",
    default: 1,
    min: 1e-12,
    max: 1e9,
    meaning: "t0: time after the RESET at which R0 is measured",
  },
  {
    name: "driftExponent",
    unit: "1",
    default: 0.1,
    min: 0,
    max: 1,
    meaning: "nu: drift coefficient, d ln R / d ln t",
  },
];

export const resistanceDriftDefaults: Readonly<ResistanceDriftParams> = Object.freeze(
  defaultsOf(resistanceDriftParameters) as ResistanceDriftParams,
);

/** R(t) = R0 (t/t0)^ν, Ω, for t > 0 s after the RESET. */
export function driftedResistance(p: ResistanceDriftParams, time: number): number {
  checkParameters("resistance drift", resistanceDriftParameters, p);
  if (!(time > 0 && Number.isFinite(time)))
    throw new RangeError(`resistance drift: time ${time} s must be > 0`);
  return p.resistance * (time / p.referenceTime) ** p.driftExponent;
}

/** R(t) and ∂R/∂(R0, t0, ν): R/R0, −νR/t0, R ln(t/t0). */
export function driftedResistanceWithGradient(
  p: ResistanceDriftParams,
  time: number,
): { value: number; gradient: readonly number[] } {
  const r = driftedResistance(p, time);
  return {
    value: r,
    gradient: [
      r / p.resistance,
      (-p.driftExponent * r) / p.referenceTime,
      r * Math.log(time / p.referenceTime),
    ],
  };
}
