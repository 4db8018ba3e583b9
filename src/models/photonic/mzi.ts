/**
 * Mach–Zehnder interferometer: an external phase shifter φ on the upper
 * input, a coupler, an internal phase shifter θ on the upper arm, a second
 * coupler — the tunable 2 × 2 cell of Clements et al., "Optimal design for
 * universal multiport interferometers", Optica 3, 1460 (2016), and Reck et
 * al., Phys. Rev. Lett. 73, 58 (1994).
 *
 * ```
 *          φ                  θ
 *   in0 ──[φ]──╮      ╭──────[θ]──────╮      ╭── out0
 *               ══C1══                 ══C2══
 *   in1 ───────╯      ╰───────────────╯      ╰── out1
 * ```
 *
 * The transfer matrix from [in0, in1] to [out0, out1] is
 *
 *   T = C(κ2²) · diag(e^{iθ}, 1) · C(κ1²) · diag(e^{iφ}, 1),
 *
 * C the coupler of coupler.ts. Each coupler's own κ² models imbalance
 * (fabrication error away from 50:50); excess loss applies to both. With
 * ideal 50:50 couplers, T = i e^{iθ/2} [[e^{iφ} sin(θ/2), cos(θ/2)],
 * [e^{iφ} cos(θ/2), −sin(θ/2)]]: θ = 0 crosses, θ = π is the bar state.
 * The MZI is reciprocal (S[in][out] = T[out][in]) and, without loss,
 * unitary for any couplings and phases.
 *
 * Parameters: θ is `internalPhase`, φ is `externalPhase`. They are not the
 * angles θ, φ of the mesh cell (mesh/cell.ts, Clements' eq. (1)), where
 * θ = 0 is the bar state; mesh/cell.ts gives the mapping.
 */

import { add, type Complex, expi, mul, scale } from "../complex.js";
import { multiply2 } from "../complex-matrix.js";
import { AMPLITUDE_PER_DB } from "../constants.js";
import type { ParameterSpec } from "../parameters.js";
import { patternModel, timesSlope } from "./component.js";
import { couplerEntries } from "./coupler.js";

export type MziParams = {
  coupling1: number;
  coupling2: number;
  excessLossDb: number;
  internalPhase: number;
  externalPhase: number;
};

const PHASE_BOUND = 1e3;

export const mziParameters: readonly ParameterSpec<keyof MziParams>[] = [
  {
    name: "coupling1",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 1,
    meaning: "kappa1^2: power coupling of the first coupler (0.5 ideal)",
  },
  {
    name: "coupling2",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 1,
    meaning: "kappa2^2: power coupling of the second coupler (0.5 ideal)",
  },
  {
    name: "excessLossDb",
    unit: "dB",
    default: 0,
    min: 0,
    max: 20,
    meaning: "power lost in each coupler",
  },
  {
    name: "internalPhase",
    unit: "rad",
    default: 0,
    min: -PHASE_BOUND,
    max: PHASE_BOUND,
    meaning: "theta: internal phase on the upper arm (sets the splitting ratio)",
  },
  {
    name: "externalPhase",
    unit: "rad",
    default: 0,
    min: -PHASE_BOUND,
    max: PHASE_BOUND,
    meaning: "phi: external phase on the upper input (sets the output phase)",
  },
];

/** A 2 × 2 complex matrix, row-major: [m00, m01, m10, m11]. */
type Matrix2 = readonly [Complex, Complex, Complex, Complex];

const times: (a: Matrix2, b: Matrix2) => Matrix2 = multiply2;

const ZERO = { re: 0, im: 0 };
const ONE = { re: 1, im: 0 };
const IDENTITY: Matrix2 = [ONE, ZERO, ZERO, ONE];

function couplerMatrix(coupling: number, excessLossDb: number): Matrix2 {
  const [t, c] = couplerEntries({ coupling, excessLossDb });
  return [t, c, c, t];
}

/** [[0, i], [i, 0]]: C = t·1 + |c|·X with t, |c| the coupler's through and cross amplitudes. */
const CROSS: Matrix2 = [ZERO, { re: 0, im: 1 }, { re: 0, im: 1 }, ZERO];

/**
 * d(before · C(κ²) · after)/dκ² = t'·(before · after) + |c|'·(before · X · after),
 * t' = −g/(2√(1 − κ²)) and |c|' = g/(2√κ²). The two products are finite and
 * do not depend on κ²; the slopes are ±∞ at κ² = 1 and 0 (the slopes of
 * the square roots), and `timesSlope` takes an exactly zero entry of a
 * product times ∞ to its limit 0 — multiplying the infinite slope matrix
 * through instead gives ∞·0 and ∞ − ∞, NaN.
 */
function couplerSlope(before: Matrix2, after: Matrix2, coupling: number, excessLossDb: number): Matrix2 {
  const g = Math.exp(-AMPLITUDE_PER_DB * excessLossDb);
  const through = times(before, after);
  const cross = times(times(before, CROSS), after);
  const dThrough = -g / (2 * Math.sqrt(1 - coupling));
  const dCross = g / (2 * Math.sqrt(coupling));
  const entry = (k: 0 | 1 | 2 | 3) => add(timesSlope(through[k], dThrough), timesSlope(cross[k], dCross));
  return [entry(0), entry(1), entry(2), entry(3)];
}

/** diag(e^{iα}, 1) and its derivative diag(i e^{iα}, 0). */
function upperPhase(alpha: number): Matrix2 {
  return [expi(alpha), ZERO, ZERO, ONE];
}
function upperPhaseSlope(alpha: number): Matrix2 {
  return [mul({ re: 0, im: 1 }, expi(alpha)), ZERO, ZERO, ZERO];
}

/** T, the transfer matrix [out0, out1] ← [in0, in1]. */
export function mziTransfer(p: MziParams): Matrix2 {
  const c1 = couplerMatrix(p.coupling1, p.excessLossDb);
  const c2 = couplerMatrix(p.coupling2, p.excessLossDb);
  return times(times(c2, upperPhase(p.internalPhase)), times(c1, upperPhase(p.externalPhase)));
}

export const mzi = patternModel<MziParams>({
  id: "mzi",
  citation: "Clements et al., Optica 3, 1460 (2016); Reck et al., PRL 73, 58 (1994): MZI of two couplers",
  ports: ["in0", "in1", "out0", "out1"],
  parameters: mziParameters,
  // T[i][j] is value 2i + j; S[out_i][in_j] = S[in_j][out_i] = T[i][j].
  pattern: [
    ["out0", "in0", 0],
    ["out0", "in1", 1],
    ["out1", "in0", 2],
    ["out1", "in1", 3],
    ["in0", "out0", 0],
    ["in1", "out0", 1],
    ["in0", "out1", 2],
    ["in1", "out1", 3],
  ],
  values: (p) => mziTransfer(p),
  entries(p) {
    const c1 = couplerMatrix(p.coupling1, p.excessLossDb);
    const c2 = couplerMatrix(p.coupling2, p.excessLossDb);
    const shiftTheta = upperPhase(p.internalPhase);
    const shiftPhi = upperPhase(p.externalPhase);
    const t = times(times(c2, shiftTheta), times(c1, shiftPhi));
    return {
      values: t,
      partials: [
        couplerSlope(times(c2, shiftTheta), shiftPhi, p.coupling1, p.excessLossDb),
        couplerSlope(IDENTITY, times(shiftTheta, times(c1, shiftPhi)), p.coupling2, p.excessLossDb),
        // Both couplers scale by g = 10^(−loss/20): T ∝ g².
        t.map((x) => scale(x, -2 * AMPLITUDE_PER_DB)),
        times(times(c2, upperPhaseSlope(p.internalPhase)), times(c1, shiftPhi)),
        times(times(c2, shiftTheta), times(c1, upperPhaseSlope(p.externalPhase))),
      ],
    };
  },
});
