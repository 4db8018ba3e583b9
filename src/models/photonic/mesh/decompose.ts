/**
 * Programming a mesh: the phases that make an ideal mesh implement a given
 * N×N unitary U (row-major, interleaved, U[out][in] at 2(out·N + in)).
 *
 * Both methods null the elements of U one at a time with cells
 * T_{m,m+1}(θ, φ) (cell.ts) until a diagonal D is left, then read the cells
 * back as a mesh. Each nulling angle is taken from two matrix elements a
 * (to keep) and b (to null): θ = atan2(|b|, |a|) — exact for zeros, so an
 * identity or a permutation decomposes without special cases.
 *
 * Clements et al., Optica 3, 1460 (2016) (their decomposition section and
 * algorithm; also their code, clementsw/interferometer,
 * `square_decomposition`): along successive anti-diagonals of U, null
 * elements alternately by multiplying from the right by T⁻¹ (acting on
 * columns) and from the left by T (acting on rows), so that
 *
 *   T_{L,k} ⋯ T_{L,1} · U · T_{R,1}⁻¹ ⋯ T_{R,K}⁻¹ = D.
 *
 * Then each left cell is moved through D: T⁻¹(θ, φ)·D = D′·T(θ, φ′), which
 * for D = diag(e^{iα_m}, e^{iα_n}) on the cell's modes holds with
 *
 *   φ′ = α_m − α_n + π,   α′_m = α_n − φ + π,   α′_n = α_n
 *
 * (multiply out the 2×2 blocks), leaving U = D′ · (rectangular mesh): the
 * final diagonal is the output phase screen.
 *
 * Reck et al., PRL 73, 58 (1994), in the adjacent-mode form of Clements et
 * al.'s Fig. 1(a) (their code: `triangle_decomposition`): null row r's
 * elements right of the diagonal, from the last column inwards, by
 * multiplying from the right by T⁻¹; then U · T_1⁻¹ ⋯ T_K⁻¹ = D and
 * U = D · T_K ⋯ T_1.
 *
 * The cells found form a sequence in the order light meets them; each is
 * put in the earliest column after the cells before it on its modes, which
 * lands it on a slot of the mesh's layout (layout.ts).
 */
import { unitarityError } from "../../complex-matrix.js";
import { clementsLayout, type MeshLayout, reckLayout, slotIndex } from "./layout.js";
import type { MeshPhases } from "./program.js";

/** A layout and the phases that make it implement the target. */
export interface ProgrammedPhases {
  readonly layout: MeshLayout;
  readonly phases: MeshPhases;
}

export interface DecomposeOptions {
  /** Largest |(U†U − I)_{jk}| accepted as unitary (default 1e-8). */
  readonly tolerance?: number;
}

/** Phases for Clements' rectangular mesh implementing `target` (N×N unitary). */
export function decomposeClements(target: Float64Array, options: DecomposeOptions = {}): ProgrammedPhases {
  const n = checkUnitary(target, options.tolerance ?? 1e-8);
  const w = target.slice();
  const sequence: Cell[] = [];
  const left: Cell[] = [];
  for (let i = 0; i + 1 < n; i++) {
    for (let j = 0; j <= i; j++) {
      if (i % 2 === 0) {
        // Null w[n−1−j][m], m = i − j, against w[n−1−j][m+1], with T⁻¹ on columns m, m+1.
        const m = i - j;
        const r = 2 * ((n - 1 - j) * n + m);
        const cell = nulling(w[r] as number, w[r + 1] as number, w[r + 2] as number, w[r + 3] as number, m);
        mix(w, 2 * m, 2, 2 * n, n, cell.theta, -cell.phi);
        sequence.push(cell);
      } else {
        // Null w[m+1][j], m = n + j − i − 2, against w[m][j], with T on rows m, m+1.
        const m = n + j - i - 2;
        const a = 2 * (m * n + j);
        const b = a + 2 * n;
        const cell = nulling(-(w[b] as number), -(w[b + 1] as number), w[a] as number, w[a + 1] as number, m);
        mix(w, 2 * m * n, 2 * n, 2, n, cell.theta, cell.phi);
        left.push(cell);
      }
    }
  }
  const alpha = diagonalPhases(w, n);
  for (let k = left.length - 1; k >= 0; k--) {
    const { m, theta, phi } = left[k] as Cell;
    const am = alpha[m] as number;
    const an = alpha[m + 1] as number;
    sequence.push({ m, theta, phi: wrap(am - an + Math.PI) });
    alpha[m] = wrap(an - phi + Math.PI);
  }
  return place(clementsLayout(n), sequence, alpha);
}

/** Phases for Reck's triangular mesh implementing `target` (N×N unitary). */
export function decomposeReck(target: Float64Array, options: DecomposeOptions = {}): ProgrammedPhases {
  const n = checkUnitary(target, options.tolerance ?? 1e-8);
  const w = target.slice();
  const sequence: Cell[] = [];
  for (let r = 0; r + 1 < n; r++) {
    for (let k = 0; k + r + 1 < n; k++) {
      // Null w[r][m+1], m = n − 2 − k, against w[r][m], with T⁻¹ on columns m, m+1.
      const m = n - 2 - k;
      const a = 2 * (r * n + m);
      const cell = nulling(
        -(w[a + 2] as number),
        w[a + 3] as number,
        w[a] as number,
        -(w[a + 1] as number),
        m,
      );
      mix(w, 2 * m, 2, 2 * n, n, cell.theta, -cell.phi);
      sequence.push(cell);
    }
  }
  return place(reckLayout(n), sequence, diagonalPhases(w, n));
}

/** arg of each diagonal element of the N×N matrix w: the phases of D once all else is nulled. */
function diagonalPhases(w: Float64Array, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) =>
    Math.atan2(w[2 * (k * n + k) + 1] as number, w[2 * (k * n + k)] as number),
  );
}

interface Cell {
  /** Top mode: the cell couples m and m + 1. */
  readonly m: number;
  readonly theta: number;
  readonly phi: number;
}

/**
 * θ = atan2(|x|, |y|), φ = arg(x·ȳ): the angles that null an element, with
 * x and y chosen per case. From the right, T⁻¹ maps columns (u, v) to
 * (e^{−iφ}cos θ·u − sin θ·v, e^{−iφ}sin θ·u + cos θ·v); from the left, T
 * maps rows the same way with e^{+iφ}. So, for elements a (on mode m) and
 * b (on mode m+1):
 *   Clements, from the right, null a:  x = a,   y = b;
 *   Clements, from the left,  null b:  x = −b,  y = a;
 *   Reck,     from the right, null b:  x = −b̄,  y = ā.
 */
function nulling(xr: number, xi: number, yr: number, yi: number, m: number): Cell {
  return {
    m,
    theta: Math.atan2(Math.hypot(xr, xi), Math.hypot(yr, yi)),
    phi: Math.atan2(xi * yr - xr * yi, xr * yr + xi * yi),
  };
}

/**
 * (u, v) → (e^{iχ} cos θ·u − sin θ·v, e^{iχ} sin θ·u + cos θ·v) on `count`
 * pairs: u at w[start + k·step], v at offset `other` from it. With χ = φ on
 * rows m, m+1 this is T(θ, φ) from the left; with χ = −φ on columns it is
 * T(θ, φ)⁻¹ from the right.
 */
function mix(
  w: Float64Array,
  start: number,
  other: number,
  step: number,
  count: number,
  theta: number,
  chi: number,
): void {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const er = Math.cos(chi);
  const ei = Math.sin(chi);
  for (let k = 0, p = start; k < count; k++, p += step) {
    const ur = er * (w[p] as number) - ei * (w[p + 1] as number);
    const ui = er * (w[p + 1] as number) + ei * (w[p] as number);
    const vr = w[p + other] as number;
    const vi = w[p + other + 1] as number;
    w[p] = c * ur - s * vr;
    w[p + 1] = c * ui - s * vi;
    w[p + other] = s * ur + c * vr;
    w[p + other + 1] = s * ui + c * vi;
  }
}

/** Puts each cell of `sequence` in the earliest column it can take, and reads off the layout's phases. */
function place(layout: MeshLayout, sequence: readonly Cell[], outputPhase: Float64Array): ProgrammedPhases {
  const slots = slotIndex(layout);
  const reached = new Int32Array(layout.size);
  const theta = new Float64Array(layout.count);
  const phi = new Float64Array(layout.count);
  for (const { m, theta: t, phi: p } of sequence) {
    const column = Math.max(reached[m] as number, reached[m + 1] as number);
    reached[m] = reached[m + 1] = column + 1;
    const j = slots.get(column * layout.size + m);
    if (j === undefined) {
      throw new Error(
        `${layout.kind} decomposition: a cell on modes ${m}, ${m + 1} fell in column ${column}, off the layout`,
      );
    }
    theta[j] = t;
    phi[j] = wrap(p);
  }
  return { layout, phases: { theta, phi, outputPhase: outputPhase.map(wrap) } };
}

/** The same angle in (−π, π]. */
function wrap(angle: number): number {
  const turns = Math.round(angle / (2 * Math.PI));
  const wrapped = angle - 2 * Math.PI * turns;
  return wrapped <= -Math.PI ? wrapped + 2 * Math.PI : wrapped;
}

/** N of a square interleaved matrix that is unitary to `tolerance`; refuses anything else. */
function checkUnitary(u: Float64Array, tolerance: number): number {
  const n = Math.round(Math.sqrt(u.length / 2));
  if (n < 1 || 2 * n * n !== u.length) {
    throw new RangeError(
      `MZI mesh decomposition: ${u.length} f64 is not a square complex matrix (2N² interleaved)`,
    );
  }
  const worst = unitarityError(u, n);
  if (!(worst <= tolerance)) {
    throw new RangeError(
      `MZI mesh decomposition: the target is not unitary (largest |U†U − I| element ${worst.toExponential(2)} > ${tolerance})`,
    );
  }
  return n;
}
