/**
 * Starting values for a fit of the all-pass ring (src/fit/models/ring-all-pass.ts)
 * read off a measured spectrum (issue 18, "Robust starts"): a recipe's, so it
 * lives with the recipes and may use the plans' own dip finder.
 *
 * From the data alone plus the design's effective index (which fixes the
 * resonance order, as a spectrum cannot):
 * the dips the plans find (centre, depth, width at half depth, baseline as
 * s), the group index from their spacings (FSR = λ²/(n_g L), the median
 * over neighbours, a missed dip's double spacing counted as two FSRs), r·a
 * from the deepest dip's width (FWHM = (1 − ra)λ²/(π n_g L √(ra))) and
 * |a − r| from its depth (T_min = ((a − r)/(1 − ra))²), taken
 * under-coupled (r > a).
 */
import { FitInputError } from "../src/fit/errors.js";
import { type Dip, findDips } from "../src/plans/spectrum-analysis.js";

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
