/**
 * One resonance dip on a sloped baseline, as a model the engine fits:
 *
 *   T(λ) = (b₀ + b₁(λ − λc)) · (1 − d / (1 + ((λ − λc)/γ)²))
 *
 * Near an isolated resonance of high Q, a ring's all-pass transmission is
 * a Lorentzian dip of half width γ = FWHM/2 and depth d = 1 − T_min/T_max
 * (Bogaerts et al., Laser Photonics Rev. 6, 47 (2012), Eqs. 3 and 9: the
 * Airy function's expansion about a resonance); b₁ takes up the slope the
 * couplers' passband lays under it.
 */
import type { ParameterSpec } from "../../models/parameters.js";
import type { FitModel } from "../levenberg-marquardt.js";

export const lorentzianDipParameters: readonly ParameterSpec[] = [
  { name: "centre", unit: "m", default: 1.55e-6, min: 1e-7, max: 1e-4, meaning: "resonance wavelength λc" },
  {
    name: "halfWidth",
    unit: "m",
    default: 50e-12,
    min: 1e-15,
    max: 1e-7,
    meaning: "half width at half depth γ",
  },
  { name: "depth", unit: "1", default: 0.5, min: 0, max: 1, meaning: "depth d = 1 − T_min/T_baseline" },
  { name: "baseline", unit: "1", default: 1, min: 0, max: 1e3, meaning: "baseline at λc, b₀" },
  { name: "baselineSlope", unit: "1/m", default: 0, min: -1e12, max: 1e12, meaning: "baseline's slope b₁" },
];

/** The dip model at `wavelengths` (m). */
export function lorentzianDipFitModel(wavelengths: Float64Array): FitModel {
  return {
    name: "Lorentzian dip",
    parameters: lorentzianDipParameters,
    evaluate(p, prediction, jacobian) {
      const [centre, γ, d, b0, b1] = [p[0], p[1], p[2], p[3], p[4]] as number[] as [
        number,
        number,
        number,
        number,
        number,
      ];
      for (let i = 0; i < wavelengths.length; i++) {
        const δ = (wavelengths[i] as number) - centre;
        const x = δ / γ;
        const l = 1 / (1 + x * x);
        const base = b0 + b1 * δ;
        const shape = 1 - d * l;
        prediction[i] = base * shape;
        if (!jacobian) continue;
        // ∂l/∂x = −2x l²; ∂x/∂λc = −1/γ; ∂x/∂γ = −x/γ.
        const byX = base * d * 2 * x * l * l;
        const row = 5 * i;
        jacobian[row] = -b1 * shape - byX / γ;
        jacobian[row + 1] = (-byX * x) / γ;
        jacobian[row + 2] = -base * l;
        jacobian[row + 3] = shape;
        jacobian[row + 4] = δ * shape;
      }
    },
  };
}
