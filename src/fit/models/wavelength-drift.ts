/**
 * A spectral model of a chip that drifts while it is measured: every
 * point i, read at wavelength λ_i and time t_i, sees the spectrum the chip
 * had at t_ref shifted by δ·(t_i − t_ref),
 *
 *   T_i = T(λ_i − δ (t_i − t_ref)),
 *
 * with δ the resonances' drift in m/s (a slow ambient drift moves every
 * resonance of a ring alike, by dλ/dT per kelvin; over a sweep its
 * differences between resonances are parts in 10⁴ of a picometre). In a
 * one-way sweep t is a straight function of λ, and δ is the same as a
 * change of the free spectral range (exactly degenerate with the group
 * index); points read again at other times (a revisit) separate them.
 * ∂T/∂δ = −(t_i − t_ref) ∂T/∂λ, with ∂T/∂λ by central differences of
 * ±`DERIVATIVE_STEP` (the inner models are built per evaluation, at the
 * shifted wavelengths).
 */
import type { FitModel } from "../levenberg-marquardt.js";

/** Step of ∂T/∂λ's central difference, m: far below any dip's width, far above rounding at 1.5 µm. */
export const DERIVATIVE_STEP = 0.05e-12;

/** The model built by `build`, its points at `wavelengths` (m) read at `times` (s), drifting by a fitted `driftRate` from `reference` (s). */
export function wavelengthDrifted(
  build: (wavelengths: Float64Array) => FitModel,
  wavelengths: Float64Array,
  times: Float64Array,
  reference: number,
): FitModel {
  if (times.length !== wavelengths.length) {
    throw new RangeError(
      `wavelength drift: ${times.length} times for ${wavelengths.length} wavelengths; each point needs one`,
    );
  }
  const inner = build(wavelengths);
  const n = inner.parameters.length;
  const points = wavelengths.length;
  const since = Float64Array.from(times, (t) => t - reference);
  const innerJacobian = new Float64Array(points * n);
  const up = new Float64Array(points);
  const down = new Float64Array(points);
  return {
    name: `${inner.name}, drifting`,
    parameters: [
      ...inner.parameters,
      {
        name: "driftRate",
        unit: "m/s",
        default: 0,
        min: -1e-9,
        max: 1e-9,
        meaning: "δ: the resonances' drift while the spectrum was read",
      },
    ],
    ...(inner.symmetries !== undefined && { symmetries: inner.symmetries }),
    evaluate(p, prediction, jacobian) {
      const δ = p[n] as number;
      const shifted = Float64Array.from(wavelengths, (λ, i) => λ - δ * (since[i] as number));
      const own = p.subarray(0, n);
      build(shifted).evaluate(own, prediction, jacobian ? innerJacobian : undefined);
      if (!jacobian) return;
      build(Float64Array.from(shifted, (λ) => λ + DERIVATIVE_STEP)).evaluate(own, up);
      build(Float64Array.from(shifted, (λ) => λ - DERIVATIVE_STEP)).evaluate(own, down);
      for (let i = 0; i < points; i++) {
        for (let k = 0; k < n; k++) jacobian[i * (n + 1) + k] = innerJacobian[i * n + k] as number;
        const slope = ((up[i] as number) - (down[i] as number)) / (2 * DERIVATIVE_STEP);
        jacobian[i * (n + 1) + n] = -(since[i] as number) * slope;
      }
    },
  };
}
