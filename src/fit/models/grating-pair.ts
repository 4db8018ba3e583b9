/**
 * The reference path's fibre-to-fibre transmission, two grating couplers
 * in series, as a model the engine fits:
 *
 *   T(λ) = η_in(λ)·η_out(λ),   η(λ) = η0 exp(−c((λ − λc)/B)²),  c = 0.4 ln 10
 *
 * (grating-coupler.ts: Chrostowski & Hochberg, *Silicon Photonics Design*,
 * 2015, "Optical I/O"; the bus waveguides' loss is folded into the peaks).
 *
 * What such a sweep can tell apart: a product of two Gaussians is one
 * Gaussian, T = P exp(−c((λ − λ̄)/B̄)²) with 1/B̄² = 1/B_in² + 1/B_out²,
 * λ̄ = (λ_in/B_in² + λ_out/B_out²)B̄² and P = η0_in η0_out e^{−(the
 * centres' offset term)}: three numbers from six parameters. Fitted per
 * coupler (`pair`), the engine finds the directions it cannot see and
 * says so (η0_in against η0_out first of all); fitted as identical
 * couplers (`identical`: η0, λc, B each), the three are determined and the
 * card says that they were assumed the same.
 */
import type { ParameterSpec } from "../../models/parameters.js";
import { gratingCouplerParameters } from "../../models/photonic/grating-coupler.js";
import type { FitModel } from "../levenberg-marquardt.js";

/** c = 4 ln(10^0.1): the exponent per ((λ − λc)/B)² (grating-coupler.ts). */
const ONE_DB_EXPONENT = 0.4 * Math.LN10;

const renamed = (suffix: "In" | "Out"): ParameterSpec[] =>
  gratingCouplerParameters.map((spec) => ({
    ...spec,
    name: `${spec.name}${suffix}`,
    meaning: `${spec.meaning} (${suffix === "In" ? "input" : "output"} coupler)`,
  }));

/** Each coupler's own η0, λc, B: six parameters, of which a sweep determines three combinations. */
export const gratingPairParameters: readonly ParameterSpec[] = [...renamed("In"), ...renamed("Out")];

/** The reference path at `wavelengths` (m): both couplers' own parameters ("pair") or one set for both ("identical"). */
export function gratingPairFitModel(wavelengths: Float64Array, kind: "pair" | "identical"): FitModel {
  const parameters = kind === "pair" ? gratingPairParameters : gratingCouplerParameters;
  const n = parameters.length;
  return {
    name: kind === "pair" ? "grating coupler pair" : "grating coupler pair, identical",
    parameters,
    evaluate(p, prediction, jacobian) {
      const at = (k: number) => p[kind === "pair" ? k : k % 3] as number;
      for (let i = 0; i < wavelengths.length; i++) {
        const λ = wavelengths[i] as number;
        const xIn = (λ - at(1)) / at(2);
        const xOut = (λ - at(4)) / at(5);
        const shape = Math.exp(-ONE_DB_EXPONENT * (xIn * xIn + xOut * xOut));
        const t = at(0) * at(3) * shape;
        prediction[i] = t;
        if (!jacobian) continue;
        // ∂T/∂η0 = T/η0; ∂T/∂λc = 2c x T/B; ∂T/∂B = 2c x² T/B — per coupler, summed over both when shared.
        const partials = [
          at(3) * shape,
          (2 * ONE_DB_EXPONENT * xIn * t) / at(2),
          (2 * ONE_DB_EXPONENT * xIn * xIn * t) / at(2),
          at(0) * shape,
          (2 * ONE_DB_EXPONENT * xOut * t) / at(5),
          (2 * ONE_DB_EXPONENT * xOut * xOut * t) / at(5),
        ];
        for (let j = 0; j < n; j++) {
          jacobian[i * n + j] =
            kind === "pair" ? (partials[j] as number) : (partials[j] as number) + (partials[j + 3] as number);
        }
      }
    },
  };
}
