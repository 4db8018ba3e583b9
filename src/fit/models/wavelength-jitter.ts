/**
 * A spectral model seen through a laser that lands within ±d of each
 * wavelength it is tuned to, uniformly (the virtual TSL-570's
 * repeatability; a real laser's is of the same kind): what a stepped
 * spectrum measures at λ is, on average, not T(λ) but
 *
 *   T̄(λ) = (1/2d) ∫ T(λ + u) du over [−d, d] ≈ T(λ) + T''(λ) d²/6,
 *
 * which raises a resonance dip's bottom and lowers its shoulders (a fit of
 * T itself to such data brings the ring's r and a towards each other).
 * The average is taken by three-point Gauss–Legendre quadrature, exact for
 * a T that is a polynomial of degree 5 over the window (Abramowitz &
 * Stegun, Handbook of Mathematical Functions, 25.4.29): nodes 0 and
 * ±d√(3/5), weights 8/18 and 5/18 each. The Jacobian is averaged the same
 * way. With d = 0 the model is the inner one.
 */
import type { FitModel } from "../levenberg-marquardt.js";

/** The model built by `build` at `wavelengths`, averaged over a uniform landing error of ±`halfWidth` (m). */
export function wavelengthJitterAveraged(
  build: (wavelengths: Float64Array) => FitModel,
  wavelengths: Float64Array,
  halfWidth: number,
): FitModel {
  if (!(halfWidth >= 0) || !Number.isFinite(halfWidth)) {
    throw new RangeError(`wavelength jitter: the half width must be a finite length ≥ 0 m, got ${halfWidth}`);
  }
  const centre = build(wavelengths);
  if (halfWidth === 0) return centre;
  const offset = halfWidth * Math.sqrt(3 / 5);
  const nodes = [
    { model: centre, weight: 8 / 18 },
    { model: build(Float64Array.from(wavelengths, (λ) => λ - offset)), weight: 5 / 18 },
    { model: build(Float64Array.from(wavelengths, (λ) => λ + offset)), weight: 5 / 18 },
  ];
  const points = wavelengths.length;
  const n = centre.parameters.length;
  const prediction = new Float64Array(points);
  const jacobian = new Float64Array(points * n);
  return {
    name: `${centre.name}, averaged over ±${(halfWidth * 1e12).toPrecision(3)} pm of wavelength jitter`,
    parameters: centre.parameters,
    ...(centre.symmetries !== undefined && { symmetries: centre.symmetries }),
    evaluate(p, out, outJacobian) {
      out.fill(0);
      outJacobian?.fill(0);
      for (const { model, weight } of nodes) {
        model.evaluate(p, prediction, outJacobian ? jacobian : undefined);
        for (let i = 0; i < points; i++) out[i] = (out[i] as number) + weight * (prediction[i] as number);
        if (outJacobian) {
          for (let k = 0; k < points * n; k++) {
            outJacobian[k] = (outJacobian[k] as number) + weight * (jacobian[k] as number);
          }
        }
      }
    },
  };
}
