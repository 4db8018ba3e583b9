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
 */
import { add, type Complex, expi, mul, scale } from "../complex.js";
import type { ParameterSpec } from "../parameters.js";
import { patternModel } from "./component.js";
import { couplerEntries } from "./coupler.js";
import { AMPLITUDE_PER_DB } from "./waveguide.js";

export type MziParams = {
  coupling1: number;
  coupling2: number;
  excessLoss: number;
  theta: number;
  phi: number;
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
    name: "excessLoss",
    unit: "dB",
    default: 0,
    min: 0,
    max: 20,
    meaning: "power lost in each coupler",
  },
  {
    name: "theta",
    unit: "rad",
    default: 0,
    min: -PHASE_BOUND,
    max: PHASE_BOUND,
    meaning: "theta: internal phase on the upper arm (sets the splitting ratio)",
  },
  {
    name: "phi",
    unit: "rad",
    default: 0,
    min: -PHASE_BOUND,
    max: PHASE_BOUND,
    meaning: "phi: external phase on the upper input (sets the output phase)",
  },
];

/** A 2 × 2 complex matrix, row-major: [m00, m01, m10, m11]. */
type Matrix2 = readonly [Complex, Complex, Complex, Complex];

function times(a: Matrix2, b: Matrix2): Matrix2 {
  const entry = (i: number, j: number) =>
    add(mul(a[2 * i] as Complex, b[j] as Complex), mul(a[2 * i + 1] as Complex, b[2 + j] as Complex));
  return [entry(0, 0), entry(0, 1), entry(1, 0), entry(1, 1)];
}

const ZERO = { re: 0, im: 0 };
const ONE = { re: 1, im: 0 };

function couplerMatrix(coupling: number, excessLoss: number): Matrix2 {
  const [t, c] = couplerEntries({ coupling, excessLoss });
  return [t, c, c, t];
}

/** d C/d κ²: the coupler's entries differentiated in its coupling. */
function couplerMatrixSlope(coupling: number, excessLoss: number): Matrix2 {
  const g = Math.exp(-AMPLITUDE_PER_DB * excessLoss);
  const t = { re: -g / (2 * Math.sqrt(1 - coupling)), im: 0 };
  const c = { re: 0, im: g / (2 * Math.sqrt(coupling)) };
  return [t, c, c, t];
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
  const c1 = couplerMatrix(p.coupling1, p.excessLoss);
  const c2 = couplerMatrix(p.coupling2, p.excessLoss);
  return times(times(c2, upperPhase(p.theta)), times(c1, upperPhase(p.phi)));
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
    const c1 = couplerMatrix(p.coupling1, p.excessLoss);
    const c2 = couplerMatrix(p.coupling2, p.excessLoss);
    const shiftTheta = upperPhase(p.theta);
    const shiftPhi = upperPhase(p.phi);
    const t = times(times(c2, shiftTheta), times(c1, shiftPhi));
    return {
      values: t,
      partials: [
        times(times(c2, shiftTheta), times(couplerMatrixSlope(p.coupling1, p.excessLoss), shiftPhi)),
        times(times(couplerMatrixSlope(p.coupling2, p.excessLoss), shiftTheta), times(c1, shiftPhi)),
        // Both couplers scale by g = 10^(−loss/20): T ∝ g².
        t.map((x) => scale(x, -2 * AMPLITUDE_PER_DB)),
        times(times(c2, upperPhaseSlope(p.theta)), times(c1, shiftPhi)),
        times(times(c2, shiftTheta), times(c1, upperPhaseSlope(p.phi))),
      ],
    };
  },
});
