/**
 * Directional coupler: power coupling κ² and excess loss, in the standard
 * symmetric form with a +i cross term (SAX's `coupler`; Bogaerts et al.,
 * "Silicon microring resonators", Laser Photonics Rev. 6, 47 (2012), ring
 * theory: self-coupling r, cross-coupling κ, r² + κ² = 1 without loss):
 *
 * ```
 *   in1 ──╮      ╭── out1        [out0]       [ t   iκ ] [in0]
 *          ══════               [out1] = g · [ iκ  t  ] [in1],
 *   in0 ──╯      ╰── out0
 * ```
 *
 * t = √(1 − κ²), g = 10^(−excess loss/20). The coupler is reciprocal
 * (S[in][out] = S[out][in]) and does not reflect. The +i goes with the
 * e^{+iβL} propagation convention of s-matrix.ts; a lossless coupler is
 * unitary for every κ².
 */

import { type Complex, scale } from "../complex.js";
import { AMPLITUDE_PER_DB } from "../constants.js";
import type { ParameterSpec } from "../parameters.js";
import { patternModel } from "./component.js";

export type CouplerParams = { coupling: number; excessLossDb: number };

export const couplerParameters: readonly ParameterSpec<keyof CouplerParams>[] = [
  {
    name: "coupling",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 1,
    meaning: "kappa^2: fraction of power crossed over to the other waveguide",
  },
  {
    name: "excessLossDb",
    unit: "dB",
    default: 0,
    min: 0,
    max: 20,
    meaning: "power lost in the coupler, the same on every path",
  },
];

/** [through, cross] = g·[√(1 − κ²), i√κ²]. */
export function couplerEntries(p: CouplerParams): readonly [Complex, Complex] {
  const g = Math.exp(-AMPLITUDE_PER_DB * p.excessLossDb);
  return [
    { re: g * Math.sqrt(1 - p.coupling), im: 0 },
    { re: 0, im: g * Math.sqrt(p.coupling) },
  ];
}

export const coupler = patternModel<CouplerParams>({
  id: "coupler",
  citation: "SAX coupler model; Bogaerts et al., Laser Photonics Rev. 6, 47 (2012), ring theory",
  ports: ["in0", "in1", "out0", "out1"],
  parameters: couplerParameters,
  pattern: [
    ["out0", "in0", 0],
    ["out1", "in1", 0],
    ["out1", "in0", 1],
    ["out0", "in1", 1],
    ["in0", "out0", 0],
    ["in1", "out1", 0],
    ["in0", "out1", 1],
    ["in1", "out0", 1],
  ],
  values: (p) => couplerEntries(p),
  entries(p) {
    const [through, cross] = couplerEntries(p);
    const g = Math.exp(-AMPLITUDE_PER_DB * p.excessLossDb);
    // d√(1−c)/dc = −1/(2√(1−c)), d√c/dc = 1/(2√c): infinite at the ends, as the physics says.
    return {
      values: [through, cross],
      partials: [
        [
          { re: -g / (2 * Math.sqrt(1 - p.coupling)), im: 0 },
          { re: 0, im: g / (2 * Math.sqrt(p.coupling)) },
        ],
        [scale(through, -AMPLITUDE_PER_DB), scale(cross, -AMPLITUDE_PER_DB)],
      ],
    };
  },
});
