/**
 * The all-pass ring's through-port power as a model the engine fits
 * (../levenberg-marquardt.ts), and starting values read off a measured
 * spectrum.
 *
 * The prediction is s·|t(λ)|², t = (r − a z)/(1 − r a z), z = e^{iφ(λ)}
 * (ring.ts: Bogaerts et al., Laser Photonics Rev. 6, 47 (2012)), with s a
 * transmission scale (a spectrum normalised by a reference path keeps
 * whatever the two paths' couplers differ by). Its Jacobian is analytic:
 * ∂|t|²/∂x = 2 Re(t̄ ∂t/∂x) with ∂t/∂r = (1 − a²z²)/D², ∂t/∂a =
 * −z(1 − r²)/D², ∂t/∂φ = −i a z (1 − r²)/D², D = 1 − r a z, and φ's
 * partials from waveguide.ts.
 *
 * |t|² is symmetric in r and a (under- and over-coupling give the same
 * dip), which the model declares: a fit of both says that the swapped
 * solution is as good, and gives it.
 *
 * Starting values (`ringStart`), from the data alone plus the design's
 * effective index (which fixes the resonance order, as a spectrum cannot):
 * the dips the plans find (centre, depth, width at half depth, baseline as
 * s), the group index from their mean spacing (FSR = λ²/(n_g L)), r·a
 * from the deepest dip's width (FWHM = (1 − ra)λ²/(π n_g L √(ra))) and
 * |a − r| from its depth (T_min = ((a − r)/(1 − ra))²), taken
 * under-coupled (r > a).
 */

import type { ParameterSpec } from "../../models/parameters.js";
import {
  type AllPassParams,
  allPassParameters,
  allPassPower,
  roundTripPhase,
} from "../../models/photonic/ring.js";
import { type Dip, findDips } from "../../plans/spectrum-analysis.js";
import { FitInputError } from "../errors.js";
import type { FitModel } from "../levenberg-marquardt.js";

/** The ring's table and the transmission scale s, in the order of the engine's parameter vector. */
export const ringFitParameters: readonly ParameterSpec[] = [
  ...allPassParameters,
  {
    name: "transmissionScale",
    unit: "1",
    default: 1,
    min: 0,
    max: 1e3,
    meaning: "s: off-resonance transmission the ring's |t|^2 is multiplied by",
  },
];

const NAMES = ringFitParameters.map((spec) => spec.name);
const SCALE = NAMES.indexOf("transmissionScale");

function paramsOf(vector: Float64Array): AllPassParams {
  return Object.fromEntries(
    allPassParameters.map((spec, k) => [spec.name, vector[k] as number]),
  ) as AllPassParams;
}

/** The through-port power s·|t(λ)|² of an all-pass ring at `wavelengths` (m). */
export function ringAllPassFitModel(wavelengths: Float64Array): FitModel {
  const n = ringFitParameters.length;
  return {
    name: "ring all-pass through power",
    parameters: ringFitParameters,
    symmetries: [["selfCoupling", "roundTripAmplitude"]],
    evaluate(vector, prediction, jacobian) {
      const p = paramsOf(vector);
      const s = vector[SCALE] as number;
      const { selfCoupling: r, roundTripAmplitude: a } = p;
      for (let i = 0; i < wavelengths.length; i++) {
        const λ = wavelengths[i] as number;
        const power = allPassPower(p, λ);
        prediction[i] = s * power;
        if (!jacobian) continue;
        const φ = roundTripPhase(p, λ);
        const [zr, zi] = [Math.cos(φ.phase), Math.sin(φ.phase)];
        // D = 1 − r a z, D², and t = (r − a z)/D.
        const [dr, di] = [1 - r * a * zr, -r * a * zi];
        const [d2r, d2i] = [dr * dr - di * di, 2 * dr * di];
        const d2n = d2r * d2r + d2i * d2i;
        const overD2 = (xr: number, xi: number): [number, number] => [
          (xr * d2r + xi * d2i) / d2n,
          (xi * d2r - xr * d2i) / d2n,
        ];
        const dn = dr * dr + di * di;
        const [nr, ni] = [r - a * zr, -a * zi];
        const [tr, ti] = [(nr * dr + ni * di) / dn, (ni * dr - nr * di) / dn];
        // Re(t̄ x) = tr·xr + ti·xi.
        const slope = ([xr, xi]: [number, number]) => 2 * s * (tr * xr + ti * xi);
        const [z2r, z2i] = [zr * zr - zi * zi, 2 * zr * zi];
        const dR = overD2(1 - a * a * z2r, -a * a * z2i);
        const c = 1 - r * r;
        const dA = overD2(-c * zr, -c * zi);
        // ∂t/∂φ = i·a·(∂t/∂a) since −i a z (1 − r²) = i a · (−z(1 − r²)).
        const dPhase = slope([-a * dA[1], a * dA[0]]);
        const row = i * n;
        jacobian[row] = slope(dR);
        jacobian[row + 1] = slope(dA);
        jacobian[row + 2] = dPhase * φ.dLength;
        jacobian[row + 3] = dPhase * φ.dEffectiveIndex;
        jacobian[row + 4] = dPhase * φ.dGroupIndex;
        jacobian[row + 5] = dPhase * φ.dReferenceWavelength;
        jacobian[row + SCALE] = power;
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
  const spacing =
    dips.length > 1
      ? ((dips.at(-1) as Dip).wavelength - (dips[0] as Dip).wavelength) / (dips.length - 1)
      : undefined;
  const groupIndex = spacing === undefined ? 4.2 : (λm * λm) / (spacing * L);
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
  };
  return { values, overCoupled: { ...values, selfCoupling: a, roundTripAmplitude: r }, dips };
}
