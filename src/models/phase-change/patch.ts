/**
 * A waveguide section of length L under a GST patch: its field
 * transmission as a function of the patch's crystalline fraction X.
 *
 * ```
 *            ┌──── GST patch, index n_GST(X) ────┐
 *   in ══════╪═══════════════════════════════════╪══════ out
 *            |←               L                 →|
 *   t = S[out][in] = S[in][out] = 10^(−αL/20) · exp(i (2π/λ) (n_eff(λ) + Δn_eff) L)
 * ```
 *
 * First-order perturbation: the patch replaces cladding (index n_clad) in
 * the part of the mode's field that overlaps it, weighted by a confinement
 * factor Γ, so the mode's complex effective index changes by
 *   Δn_eff = Γ (n_GST(X) − n_clad),
 * with n_GST(X) the Lorentz–Lorenz mix of optics.ts. Re Δn_eff shifts the
 * phase, Im Δn_eff ≥ 0 adds loss (amplitude e^{−(2π/λ) Im Δn_eff L}). The
 * bare section is the straight waveguide of src/models/photonic/waveguide.ts
 * (n_eff to first order in λ − λ0 through the group index, power loss α in
 * dB/m). Γ is an effective parameter: for a thick, high-index patch the
 * perturbation is not small and Γ is what a fit to a mode solver or to
 * measurements gives.
 *
 * Defaults are the photonic waveguide's (a silicon wire at 1550 nm), an
 * oxide cladding, a 2 µm patch and Γ = 0.05 — chosen for the demo chip, not
 * taken from a device: amorphous → crystalline then shifts the section's
 * phase by ~1.0 rad and adds ~3.2 dB of loss at 1550 nm.
 */
import { type Complex, mul } from "../complex.js";
import { AMPLITUDE_PER_DB } from "../constants.js";
import { checkParameters, defaultsOf, type ParameterSpec } from "../parameters.js";
import { dispersionParameters, effectiveIndexAt, propagationPhase } from "../photonic/waveguide.js";
import {
  type ComplexGradient,
  type GstOpticalParams,
  gstIndex,
  gstIndexWithGradient,
  gstOpticalParameters,
} from "./optics.js";

export type PatchParams = {
  length: number;
  confinementFactor: number;
  claddingIndex: number;
  propagationLossDbPerM: number;
  effectiveIndex: number;
  groupIndex: number;
  referenceWavelength: number;
} & GstOpticalParams;

export const patchParameters: readonly ParameterSpec<keyof PatchParams>[] = [
  {
    name: "length",
    unit: "m",
    default: 2e-6,
    min: 0,
    max: 1e-3,
    meaning: "L: length of the patch along the waveguide",
  },
  {
    name: "confinementFactor",
    unit: "1",
    default: 0.05,
    min: 0,
    max: 1,
    meaning: "Gamma: fraction of the mode that sees the patch (Delta n_eff = Gamma (n_GST - n_clad))",
  },
  {
    name: "claddingIndex",
    unit: "1",
    default: 1.444,
    min: 1,
    max: 4,
    meaning: "n_clad: index of the cladding the patch replaces",
  },
  {
    name: "propagationLossDbPerM",
    unit: "dB/m",
    default: 200,
    min: 0,
    max: 1e5,
    meaning: "alpha: power loss of the bare waveguide section",
  },
  ...dispersionParameters,
  ...gstOpticalParameters,
];

export const patchDefaults: Readonly<PatchParams> = Object.freeze(defaultsOf(patchParameters) as PatchParams);

/** Δn_eff = Γ (n_GST(X) − n_clad), complex (unchecked). */
export function patchIndexChange(p: PatchParams, fraction: number): Complex {
  const n = gstIndex(p, fraction);
  return { re: p.confinementFactor * (n.re - p.claddingIndex), im: p.confinementFactor * n.im };
}

/**
 * Field transmission A·e^{iφ} of the waveguide section under the patch at
 * crystalline fraction X ∈ [0, 1] and wavelength λ (m). Refuses parameters
 * out of bounds (ParameterRangeError) and X or λ out of range (RangeError).
 */
export function patchTransmission(params: PatchParams, fraction: number, wavelength: number): Complex {
  checkPatch(params, fraction, wavelength);
  const k0 = (2 * Math.PI) / wavelength;
  const dn = patchIndexChange(params, fraction);
  const amplitude = Math.exp(
    -AMPLITUDE_PER_DB * params.propagationLossDbPerM * params.length - k0 * dn.im * params.length,
  );
  const phase = k0 * (effectiveIndexAt(params, wavelength) + dn.re) * params.length;
  return { re: amplitude * Math.cos(phase), im: amplitude * Math.sin(phase) };
}

/**
 * `patchTransmission` and its partials: ∂t/∂p = t·∂(ln t)/∂p with
 * ln t = −(ln10/20) α L + i k0 L (n_eff(λ) + Γ(n_GST − n_clad)).
 */
export function patchTransmissionWithGradient(
  params: PatchParams,
  fraction: number,
  wavelength: number,
): ComplexGradient {
  const t = patchTransmission(params, fraction, wavelength);
  const k0 = (2 * Math.PI) / wavelength;
  const L = params.length;
  const gamma = params.confinementFactor;
  const gst = gstIndexWithGradient(params, fraction);
  const dn = patchIndexChange(params, fraction);
  const phase = propagationPhase(L, params, wavelength);
  // ∂ln t = a + i b  →  ∂t = t·(a + i b)
  const d = (a: number, b: number): Complex => mul(t, { re: a, im: b });
  // i·k0·L·Γ·z for a complex z: re −k0LΓ z.im, im k0LΓ z.re
  const iScaled = (z: Complex): Complex => d(-k0 * L * gamma * z.im, k0 * L * gamma * z.re);
  const byName: Record<keyof PatchParams, Complex> = {
    length: d(-AMPLITUDE_PER_DB * params.propagationLossDbPerM - k0 * dn.im, phase.dLength + k0 * dn.re),
    confinementFactor: d(-k0 * L * gst.value.im, k0 * L * (gst.value.re - params.claddingIndex)),
    claddingIndex: d(0, -k0 * L * gamma),
    propagationLossDbPerM: d(-AMPLITUDE_PER_DB * L, 0),
    effectiveIndex: d(0, phase.dEffectiveIndex),
    groupIndex: d(0, phase.dGroupIndex),
    referenceWavelength: d(0, phase.dReferenceWavelength),
    amorphousIndex: iScaled(gst.gradient[0] as Complex),
    amorphousExtinction: iScaled(gst.gradient[1] as Complex),
    crystallineIndex: iScaled(gst.gradient[2] as Complex),
    crystallineExtinction: iScaled(gst.gradient[3] as Complex),
  };
  return {
    value: t,
    gradient: patchParameters.map((spec) => byName[spec.name]),
    dFraction: iScaled(gst.dFraction),
  };
}

function checkPatch(params: PatchParams, fraction: number, wavelength: number): void {
  checkParameters("phase-change patch", patchParameters, params);
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`phase-change patch: crystalline fraction ${fraction} is outside [0, 1]`);
  }
  if (!(wavelength > 0 && Number.isFinite(wavelength))) {
    throw new RangeError(`phase-change patch: wavelength ${wavelength} m`);
  }
}
