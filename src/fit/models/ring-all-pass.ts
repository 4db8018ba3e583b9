/**
 * The all-pass ring's through-port power as a model the engine fits
 * (../levenberg-marquardt.ts), and starting values read off a measured
 * spectrum.
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
 * Starting values (`ringStart`), from the data alone plus the design's
 * effective index (which fixes the resonance order, as a spectrum cannot):
 * the dips the plans find (centre, depth, width at half depth, baseline as
 * s), the group index from their spacings (FSR = λ²/(n_g L), the median
 * over neighbours, a missed dip's double spacing counted as two FSRs), r·a
 * from the deepest dip's width (FWHM = (1 − ra)λ²/(π n_g L √(ra))) and
 * |a − r| from its depth (T_min = ((a − r)/(1 − ra))²), taken
 * under-coupled (r > a).
 */

import { ringAllPassJacobian, ringAllPassSpectrum } from "../../core/kernels/ring.js";
import type { Core } from "../../core/wasm.js";
import type { ParameterSpec } from "../../models/parameters.js";
import { type AllPassParams, allPassParameters } from "../../models/photonic/ring.js";
import { allPassPowerJacobian, allPassSpectrum } from "../../models/photonic/ring-spectrum.js";
import { type Dip, findDips } from "../../plans/spectrum-analysis.js";
import { FitInputError } from "../errors.js";
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

export interface RingStart {
  /** Starting values of every parameter of `ringFitParameters`, under-coupled. */
  readonly values: Readonly<Record<string, number>>;
  /** The same with r and a swapped: the over-coupled reading of the same dip. */
  readonly overCoupled: Readonly<Record<string, number>>;
  /** The dips found (src/plans/spectrum-analysis.ts), in ascending wavelength. */
  readonly dips: readonly Dip[];
}

/**
 * Starting values for a fit of `ringAllPassFitModel` to `power` at
 * `wavelengths` (ascending, m), with the circumference and the reference
 * wavelength as the design gives them and the design's effective index
 * choosing the resonance order. The dips are the plans' own
 * (`findDips`: prominence ≥ 3 dB, Lorentzian-refined, baseline at the 90th
 * percentile between its bases). FitInputError ("no-resonance") where the
 * spectrum shows no whole dip.
 */
export function ringStart(
  wavelengths: Float64Array,
  power: Float64Array,
  design: { circumference: number; referenceWavelength: number; effectiveIndex: number },
): RingStart {
  const all = findDips({ wavelength: wavelengths, transmission: power }, { baseline: { percentile: 90 } });
  const dips = all.filter((dip) => dip.fwhm !== undefined);
  if (dips.length === 0) {
    throw new FitInputError(
      "ring all-pass through power",
      "no-resonance",
      all.length === 0
        ? "no resonance in the spectrum (no dip of 3 dB prominence): widen the sweep or check that light reaches the ring"
        : "no whole resonance in the spectrum: every dip is cut by an end of the sweep; widen it",
    );
  }
  const { circumference: L, referenceWavelength: λ0 } = design;
  const deepest = dips.reduce((best, dip) => (dip.depth > best.depth ? dip : best));
  const λm = deepest.wavelength;
  // From each pair of neighbours, n_g = λ²/(spacing·L) at their midpoint, counting a spacing near a
  // multiple of the smallest as that many FSRs (a dip the finder missed doubles one); the median of those.
  const spacings = dips.slice(1).map((dip, k) => ({
    spacing: dip.wavelength - (dips[k] as Dip).wavelength,
    middle: (dip.wavelength + (dips[k] as Dip).wavelength) / 2,
  }));
  const smallest = Math.min(...spacings.map((s) => s.spacing));
  const estimates = spacings
    .map(
      ({ spacing, middle }) =>
        (Math.max(1, Math.round(spacing / smallest)) * middle * middle) / (spacing * L),
    )
    .sort((x, y) => x - y);
  const groupIndex =
    estimates.length === 0
      ? 4.2
      : estimates.length % 2 === 1
        ? (estimates[estimates.length >> 1] as number)
        : ((estimates[estimates.length / 2 - 1] as number) + (estimates[estimates.length / 2] as number)) / 2;
  // FWHM = (1 − P)λ²/(π n_g L √P), P = ra: with s = √P, s² + c s − 1 = 0.
  const c = ((deepest.fwhm as number) * Math.PI * groupIndex * L) / (λm * λm);
  const root = (-c + Math.sqrt(c * c + 4)) / 2;
  const product = root * root;
  // T_min = ((a − r)/(1 − ra))²: |a − r| from the depth, r + a from (r − a)² + 4ra.
  const difference = Math.sqrt(Math.max(0, 1 - deepest.depth)) * (1 - product);
  const sum = Math.sqrt(difference * difference + 4 * product);
  const [r, a] = [Math.min(1, (sum + difference) / 2), Math.min(1, (sum - difference) / 2)];
  // The order nearest the design's index, then n_eff0 from n_eff(λm) = m λm/L and first-order dispersion.
  const designIndex = design.effectiveIndex - ((groupIndex - design.effectiveIndex) * (λm - λ0)) / λ0;
  const order = Math.round((designIndex * L) / λm);
  const effectiveIndex = ((order * λm) / L) * (λ0 / λm) + (groupIndex * (λm - λ0)) / λm;
  const values = {
    selfCoupling: r,
    roundTripAmplitude: a,
    circumference: L,
    effectiveIndex,
    groupIndex,
    referenceWavelength: λ0,
    transmissionScale: deepest.baseline,
    transmissionSlope: 0,
  };
  return { values, overCoupled: { ...values, selfCoupling: a, roundTripAmplitude: r }, dips };
}
