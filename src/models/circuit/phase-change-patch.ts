/**
 * The waveguide section under a phase-change (GST) patch as a circuit
 * component: src/models/phase-change/patch.ts (`patchTransmission`, first-
 * order perturbation of the mode by the patch, Lorentz–Lorenz mixing of
 * the two phases), with the crystalline fraction X as the setting it is
 * driven to, declared beside the patch's own parameters.
 *
 * ```
 *            ┌─ GST, fraction X ─┐
 *   in ══════╪═══════════════════╪══════ out      S[out][in] = S[in][out] = patchTransmission(p, X, λ)
 * ```
 */
import type { ParameterSpec } from "../parameters.js";
import {
  type PatchParams,
  patchParameters,
  patchTransmission,
  patchTransmissionWithGradient,
} from "../phase-change/index.js";
import { type PhotonicModel, patternModel } from "../photonic/component.js";
import { checkDispersedWavelength } from "../photonic/waveguide.js";

export type PatchSectionParams = PatchParams & { fraction: number };

export const patchSectionParameters: readonly ParameterSpec[] = [
  ...patchParameters,
  {
    name: "fraction",
    unit: "1",
    default: 0,
    min: 0,
    max: 1,
    meaning: "X: crystalline fraction of the patch (0 amorphous, 1 crystalline; the state it is set to)",
  },
];

export const phaseChangePatch: PhotonicModel<PatchSectionParams> = patternModel<PatchSectionParams>({
  id: "phase-change-patch",
  citation: "src/models/phase-change/patch.ts: perturbed waveguide section under a GST patch",
  ports: ["in", "out"],
  parameters: patchSectionParameters,
  pattern: [
    ["out", "in", 0],
    ["in", "out", 0],
  ],
  checkWavelength: (p, wavelength) => checkDispersedWavelength("phase-change-patch", p, wavelength),
  // The patch's own functions see the patch's parameters alone (they refuse any other key).
  values: ({ fraction, ...patch }, wavelength) => [patchTransmission(patch, fraction, wavelength)],
  entries({ fraction, ...patch }, wavelength) {
    const { value, gradient, dFraction } = patchTransmissionWithGradient(patch, fraction, wavelength);
    return { values: [value], partials: [...gradient.map((d) => [d]), [dFraction]] };
  },
});
