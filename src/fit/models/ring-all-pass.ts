/**
 * The all-pass ring's through-port power as a model the engine fits
 * (../levenberg-marquardt.ts).
 *
 * The prediction is s·(1 + g(λ − λ0)/λ0)·|t(λ)|², t = (r − a z)/(1 − r a z),
 * z = e^{iφ(λ)} (ring.ts: Bogaerts et al., Laser Photonics Rev. 6, 47
 * (2012)), with s and g the scale and tilt of the off-resonance level (a
 * spectrum normalised by a reference path keeps whatever the two paths'
 * couplers differ by, and the tilt of their passbands' difference). Its Jacobian is analytic
 * (`allPassPowerJacobian`, ring-spectrum.ts, in the half-angle form), and
 * evaluated in the WASM core when one is given (the kernel of the same
 * name), else by the TypeScript twin.
 *
 * |t|² is symmetric in r and a (under- and over-coupling give the same
 * dip), which the model declares: a fit of both says that the swapped
 * solution is as good, and gives it.
 *
 * Starting values read off a measured spectrum: calibration/ring-start.ts.
 */
import { ringAllPassJacobian, ringAllPassSpectrum } from "../../core/kernels/ring.js";
import type { Core } from "../../core/wasm.js";
import type { ParameterSpec } from "../../models/parameters.js";
import { type AllPassParams, allPassParameters } from "../../models/photonic/ring.js";
import { allPassPowerJacobian, allPassSpectrum } from "../../models/photonic/ring-spectrum.js";
import type { FitModel } from "../levenberg-marquardt.js";

/** The ring's table, then the transmission scale s and tilt g, in the order of the engine's parameter vector. */
export const ringFitParameters: readonly ParameterSpec[] = [
  ...allPassParameters,
  {
    name: "transmissionScale",
    unit: "1",
    default: 1,
    min: 0,
    max: 1e3,
    meaning: "s: off-resonance transmission at the reference wavelength the ring's |t|^2 is multiplied by",
  },
  {
    name: "transmissionSlope",
    unit: "1",
    default: 0,
    min: -1e3,
    max: 1e3,
    meaning: "g: relative tilt of the off-resonance transmission, s(1 + g(lambda - lambda0)/lambda0)",
  },
];

/**
 * What a transmission spectrum determines of the ring, with its length and
 * the reference wavelength fixed (the phase sees n_eff0·L and n_g·L only):
 * the free parameters of a ring fit.
 */
export const RING_SPECTRUM_FREE: readonly string[] = [
  "selfCoupling",
  "roundTripAmplitude",
  "effectiveIndex",
  "groupIndex",
  "transmissionScale",
  "transmissionSlope",
];

const NAMES = ringFitParameters.map((spec) => spec.name);
const SCALE = NAMES.indexOf("transmissionScale");
const SLOPE = NAMES.indexOf("transmissionSlope");
const REFERENCE = NAMES.indexOf("referenceWavelength");

function paramsOf(vector: Float64Array): AllPassParams {
  return Object.fromEntries(
    allPassParameters.map((spec, k) => [spec.name, vector[k] as number]),
  ) as AllPassParams;
}

export interface RingFitOptions {
  /**
   * The WASM core to evaluate the ring in (src/core/kernels/ring.ts, the
   * fit's backend); without it, the model layer's TypeScript twin.
   */
  readonly core?: Core;
}

/** The through-port power s·|t(λ)|² of an all-pass ring at `wavelengths` (m). */
export function ringAllPassFitModel(wavelengths: Float64Array, options: RingFitOptions = {}): FitModel {
  const n = ringFitParameters.length;
  const m = wavelengths.length;
  const { core } = options;
  const power = new Float64Array(m);
  return {
    name: "ring all-pass through power",
    parameters: ringFitParameters,
    symmetries: [["selfCoupling", "roundTripAmplitude"]],
    evaluate(vector, prediction, jacobian) {
      const p = paramsOf(vector);
      const s = vector[SCALE] as number;
      const g = vector[SLOPE] as number;
      const λ0 = p.referenceWavelength;
      if (jacobian === undefined) {
        const values = core
          ? ringAllPassSpectrum(core, p, wavelengths).power.data
          : allPassSpectrum(p, wavelengths).power;
        for (let i = 0; i < m; i++) {
          const tilt = 1 + (g * ((wavelengths[i] as number) - λ0)) / λ0;
          prediction[i] = s * tilt * (values[i] as number);
        }
        return;
      }
      if (core) {
        // The kernel writes rows of the engine's width: one copy, then the scale.
        const out = ringAllPassJacobian(core, p, wavelengths, n);
        jacobian.set(out.jacobian);
        power.set(out.power);
      } else {
        allPassPowerJacobian(p, wavelengths, power, jacobian, n);
      }
      for (let i = 0; i < m; i++) {
        const row = i * n;
        const λ = wavelengths[i] as number;
        const offset = (λ - λ0) / λ0;
        const tilt = 1 + g * offset;
        const value = power[i] as number;
        prediction[i] = s * tilt * value;
        for (let j = 0; j < SCALE; j++) jacobian[row + j] = s * tilt * (jacobian[row + j] as number);
        // The tilt moves with λ0 too: ∂(1 + g(λ − λ0)/λ0)/∂λ0 = −gλ/λ0².
        jacobian[row + REFERENCE] = (jacobian[row + REFERENCE] as number) - (s * value * g * λ) / (λ0 * λ0);
        jacobian[row + SCALE] = tilt * value;
        jacobian[row + SLOPE] = s * value * offset;
      }
    },
  };
}
