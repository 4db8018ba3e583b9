/**
 * The unit cell of an MZI mesh: Clements, Humphreys, Metcalf, Kolthammer &
 * Walmsley, "Optimal design for universal multiport interferometers",
 * Optica 3(12), 1460–1465 (2016), eq. (1): T_{m,n}(θ, φ) is the N×N
 * identity except on modes m and n = m + 1, where
 *
 *   [ y_m ]   [ e^{iφ} cos θ   −sin θ ] [ x_m ]
 *   [ y_n ] = [ e^{iφ} sin θ    cos θ ] [ x_n ]
 *
 * (matrix form checked against the authors' own code, clementsw/interferometer,
 * `Beamsplitter`, which cites their eq. (1)). θ sets the splitting (cross
 * power sin²θ: θ = 0 is the bar state, θ = π/2 the cross state); φ is a
 * phase on input m.
 *
 * The cell as a device is an MZI: an external phase shifter, two directional
 * couplers and a differential internal phase shifter between them,
 *
 *   x_m ──[φ]──╲ ╱──[+δ]──╲ ╱──[−i]── y_m
 *               ╳  B(κ)    ╳  B(κ)         δ = θ + π/2
 *   x_n ───────╱ ╲──[−δ]──╱ ╲──[+i]── y_n
 *
 *   T = a · diag(−i, i) · B(κ) · diag(e^{iδ}, e^{−iδ}) · B(κ) · diag(e^{iφ}, 1),
 *   B(κ) = [[√(1−κ), i√κ], [i√κ, √(1−κ)]],
 *
 * which is eq. (1) exactly for 50:50 couplers (κ = ½) and a = 1; the fixed
 * output factors ∓i are bookkeeping that a chip absorbs into the next phase
 * shifters. Multiplying out, with σ = 2κ − 1 and C = 2√(κ(1−κ)):
 *
 *   T = a [ e^{iφ}(cos θ − iσ sin θ)   −C sin θ          ]
 *         [ e^{iφ} C sin θ             cos θ + iσ sin θ  ]
 *
 * This is the non-ideal cell of `meshParameters`: a = 10^(−L/20) is the
 * uniform per-cell loss Clements et al. use to compare meshes (their code's
 * `alpha`: a = e^{−α}), and κ ≠ ½ is coupler imbalance, which keeps the cell
 * unitary but limits its cross power to C² = 4κ(1−κ) — the finite
 * extinction of an MZI with imperfect couplers.
 *
 * In terms of the general MZI model (../mzi.ts, whose internal shifter is
 * on one arm only): T(θ, φ) = e^{−iθ}·diag(−1, 1)·T_MZI(internalPhase = 2θ + π, externalPhase = φ),
 * with both couplers at κ and half of L in each
 * (test/models/photonic/mesh/mzi-equivalence.test.ts).
 *
 * A cell's matrix is stored as 8 f64: t00, t01, t10, t11, each (re, im),
 * with t_{out,in}: y_out = Σ t_{out,in} x_in, in = 0 for mode m.
 */
import type { Complex } from "../../complex.js";
import { AMPLITUDE_PER_DB } from "../../constants.js";
import { checkParameters } from "../../parameters.js";
import { idealMesh, type MeshParams, meshParameters } from "./parameters.js";
import {
  cosKernel,
  cosOfQuadrant,
  quarterTurns,
  REDUCTION_LIMIT,
  reduced,
  sinKernel,
  sinOfQuadrant,
} from "./portable/trig.js";

/** f64 per cell matrix: four complex entries t00, t01, t10, t11. */
export const CELL_F64 = 8;

/** What every cell of a mesh shares, worked out once from the parameters. */
export interface CellConstants {
  /** Amplitude transmission a = 10^(−L/20). */
  readonly amplitude: number;
  /** σ = 2κ − 1 (sin 2ε for a coupler angle π/4 + ε). */
  readonly sigma: number;
  /** C = 2√(κ(1−κ)) (cos 2ε). */
  readonly crossing: number;
  /** dC/dκ = (1 − 2κ)/√(κ(1−κ)); infinite at κ = 0 and 1. */
  readonly dCrossing: number;
}

/**
 * [sin x, cos x] of the last `sinCos(x)`, as the WASM core computes them
 * (portable/trig.ts) for |x| ≤ 10⁶ rad, V8's Math beyond.
 */
const trig = new Float64Array(2);

function sinCos(x: number): Float64Array {
  if (Math.abs(x) <= REDUCTION_LIMIT) {
    const n = quarterTurns(x);
    const r = reduced(x, n);
    const ks = sinKernel(r);
    const kc = cosKernel(r);
    trig[0] = sinOfQuadrant(ks, kc, n);
    trig[1] = cosOfQuadrant(ks, kc, n);
  } else {
    trig[0] = Math.sin(x);
    trig[1] = Math.cos(x);
  }
  return trig;
}

/** sin x as the mesh computes it everywhere (portable/trig.ts; V8's beyond 10⁶ rad). */
export function sine(x: number): number {
  return sinCos(x)[0] as number;
}

/** cos x as the mesh computes it everywhere. */
export function cosine(x: number): number {
  return sinCos(x)[1] as number;
}

/** Checks the parameters (out of range → ParameterRangeError) and derives the cell constants. */
export function cellConstants(params: MeshParams): CellConstants {
  checkParameters("MZI mesh", meshParameters, params);
  const { excessLossDb, coupling: kappa } = params;
  const root = Math.sqrt(kappa * (1 - kappa));
  return {
    // 10^(−L/20), not exp(−AMPLITUDE_PER_DB·L): the two can differ in the
    // last bit, and mesh results are pinned bit-for-bit to the WASM kernel.
    amplitude: 10 ** (-excessLossDb / 20),
    sigma: 2 * kappa - 1,
    crossing: 2 * root,
    dCrossing: (1 - 2 * kappa) / root,
  };
}

/** Writes the cell matrix T(θ, φ) as 8 f64 at out[at…]. */
export function writeCell(
  out: Float64Array,
  at: number,
  theta: number,
  phi: number,
  constants: CellConstants,
): void {
  const { amplitude: a, sigma, crossing } = constants;
  const s = sinCos(theta)[0] as number;
  const c = trig[1] as number;
  const sp = sinCos(phi)[0] as number;
  const cp = trig[1] as number;
  out[at] = a * (cp * c + sp * sigma * s);
  out[at + 1] = a * (sp * c - cp * sigma * s);
  out[at + 2] = -a * crossing * s;
  out[at + 3] = 0;
  out[at + 4] = a * crossing * s * cp;
  out[at + 5] = a * crossing * s * sp;
  out[at + 6] = a * c;
  out[at + 7] = a * sigma * s;
}

/** Cell partials, in this order after the cell itself: ∂θ, ∂φ, then `meshParameters` order. */
export const CELL_PARTIALS = 2 + meshParameters.length;

/**
 * Writes the partial derivatives of T(θ, φ), 8 f64 each, at out[at…]: with
 * respect to θ, φ, excessLossDb (per dB) and coupling.
 */
export function writeCellPartials(
  out: Float64Array,
  at: number,
  theta: number,
  phi: number,
  constants: CellConstants,
): void {
  const { amplitude: a, sigma, crossing, dCrossing } = constants;
  const s = sinCos(theta)[0] as number;
  const c = trig[1] as number;
  const sp = sinCos(phi)[0] as number;
  const cp = trig[1] as number;
  const re00 = a * (cp * c + sp * sigma * s);
  const im00 = a * (sp * c - cp * sigma * s);
  const cross = a * crossing * s;
  // ∂/∂θ: cos θ → −sin θ, sin θ → cos θ.
  out.set(
    [
      a * (-cp * s + sp * sigma * c),
      a * (-sp * s - cp * sigma * c),
      -a * crossing * c,
      0,
      a * crossing * c * cp,
      a * crossing * c * sp,
      -a * s,
      a * sigma * c,
    ],
    at,
  );
  // ∂/∂φ: i times the column of x_m; the column of x_n does not depend on φ.
  out.set([-im00, re00, 0, 0, -cross * sp, cross * cp, 0, 0], at + CELL_F64);
  // ∂/∂L: T ∝ a = 10^(−L/20), so ∂T/∂L = −(ln 10/20)·T.
  const k = -AMPLITUDE_PER_DB;
  out.set(
    [k * re00, k * im00, -k * cross, 0, k * cross * cp, k * cross * sp, k * a * c, k * a * sigma * s],
    at + 2 * CELL_F64,
  );
  // ∂/∂κ: dσ/dκ = 2, dC/dκ = dCrossing.
  const dCross = a * dCrossing * s;
  out.set(
    [2 * a * s * sp, -2 * a * s * cp, -dCross, 0, dCross * cp, dCross * sp, 0, 2 * a * s],
    at + 3 * CELL_F64,
  );
}

/** The 2×2 block of T_{m,n}(θ, φ) as [[t00, t01], [t10, t11]], t[out][in]. */
export type CellMatrix = readonly [readonly [Complex, Complex], readonly [Complex, Complex]];

/** Clements' cell T(θ, φ) (ideal unless `params` say otherwise), as complex scalars. */
export function clementsCell(theta: number, phi: number, params: MeshParams = idealMesh): CellMatrix {
  const t = new Float64Array(CELL_F64);
  writeCell(t, 0, theta, phi, cellConstants(params));
  const z = (k: number): Complex => ({ re: t[2 * k] as number, im: t[2 * k + 1] as number });
  return [
    [z(0), z(1)],
    [z(2), z(3)],
  ];
}
