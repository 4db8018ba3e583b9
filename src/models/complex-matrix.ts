/**
 * Dense complex matrices, the one implementation the models and their
 * tests share: row-major, interleaved re, im (element (i, j) of an r × c
 * matrix at 2(i·c + j)), the layout of SMatrix.data (photonic/s-matrix.ts),
 * of a mesh's unitary (photonic/mesh/) and of the WASM kernels. Sizes are
 * small — the ports of a netlist, the modes of a mesh — so plain O(n³)
 * loops are the right tool (Golub & Van Loan, "Matrix Computations",
 * 4th ed., 2013, §1.1 for the product, §3.4 for pivoting).
 */
import { type Complex, put } from "./complex.js";

/** The n × n identity. */
export function identity(n: number): Float64Array {
  const u = new Float64Array(2 * n * n);
  for (let k = 0; k < n; k++) u[2 * (k * n + k)] = 1;
  return u;
}

/** A·B for A (rows × inner) and B (inner × cols); square n × n when only `rows` is given. */
export function multiply(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner = rows,
  cols = inner,
): Float64Array {
  const out = new Float64Array(2 * rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const ar = a[2 * (i * inner + k)] as number;
      const ai = a[2 * (i * inner + k) + 1] as number;
      if (ar === 0 && ai === 0) continue;
      for (let j = 0; j < cols; j++) {
        const bk = 2 * (k * cols + j);
        const br = b[bk] as number;
        const bi = b[bk + 1] as number;
        const o = 2 * (i * cols + j);
        out[o] = (out[o] as number) + ar * br - ai * bi;
        out[o + 1] = (out[o + 1] as number) + ar * bi + ai * br;
      }
    }
  }
  return out;
}

/** A† (conjugate transpose) of A (rows × cols); square when only `rows` is given. */
export function adjoint(a: Float64Array, rows: number, cols = rows): Float64Array {
  const t = new Float64Array(2 * rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      t[2 * (j * rows + i)] = a[2 * (i * cols + j)] as number;
      t[2 * (j * rows + i) + 1] = -(a[2 * (i * cols + j) + 1] as number);
    }
  }
  return t;
}

/**
 * max over (i, j) of |(U†U − g·I)[i][j]| for an n × n U: 0 for a unitary
 * scaled by √g (g = 1: lossless). (U†U)[i][j] = Σ_k conj(U[k][i]) U[k][j].
 */
export function unitarityError(u: Float64Array, n: number, gain = 1): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let re = i === j ? -gain : 0;
      let im = 0;
      for (let k = 0; k < n; k++) {
        const a = 2 * (k * n + i);
        const b = 2 * (k * n + j);
        const ar = u[a] as number;
        const ai = u[a + 1] as number;
        const br = u[b] as number;
        const bi = u[b + 1] as number;
        re += ar * br + ai * bi;
        im += ar * bi - ai * br;
      }
      worst = Math.max(worst, Math.hypot(re, im));
    }
  }
  return worst;
}

/** The 2 × 2 product A·B of matrices given as four complex scalars [m00, m01, m10, m11]. */
export function multiply2(
  a: readonly [Complex, Complex, Complex, Complex],
  b: readonly [Complex, Complex, Complex, Complex],
): [Complex, Complex, Complex, Complex] {
  const flat = (m: readonly Complex[]) => {
    const x = new Float64Array(8);
    for (let k = 0; k < 4; k++) put(x, k, m[k] as Complex);
    return x;
  };
  const c = multiply(flat(a), flat(b), 2);
  const z = (k: number): Complex => ({ re: c[2 * k] as number, im: c[2 * k + 1] as number });
  return [z(0), z(1), z(2), z(3)];
}

/**
 * A⁻¹ of an n × n matrix by Gauss–Jordan elimination with partial
 * pivoting (largest |pivot| in the column), so a well-conditioned system
 * loses no more than a few ulps per entry; undefined when A is singular
 * (a zero pivot column). `a` is not modified.
 */
export function invert(a: Float64Array, n: number): Float64Array | undefined {
  const m = Float64Array.from(a);
  const inverse = identity(n);
  const swapRows = (x: Float64Array, r: number, s: number) => {
    for (let j = 0; j < 2 * n; j++) {
      const t = x[2 * r * n + j] as number;
      x[2 * r * n + j] = x[2 * s * n + j] as number;
      x[2 * s * n + j] = t;
    }
  };
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let largest = 0;
    for (let r = col; r < n; r++) {
      const size = Math.hypot(m[2 * (r * n + col)] as number, m[2 * (r * n + col) + 1] as number);
      if (size > largest) [pivot, largest] = [r, size];
    }
    if (largest === 0) return undefined;
    if (pivot !== col) {
      swapRows(m, pivot, col);
      swapRows(inverse, pivot, col);
    }
    // Scale the pivot row by 1/pivot.
    const pr = m[2 * (col * n + col)] as number;
    const pi = m[2 * (col * n + col) + 1] as number;
    const d = pr * pr + pi * pi;
    const [qr, qi] = [pr / d, -pi / d];
    for (const x of [m, inverse]) {
      for (let j = 0; j < n; j++) {
        const k = 2 * (col * n + j);
        const [xr, xi] = [x[k] as number, x[k + 1] as number];
        x[k] = xr * qr - xi * qi;
        x[k + 1] = xr * qi + xi * qr;
      }
    }
    // Eliminate the column from every other row.
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const fr = m[2 * (r * n + col)] as number;
      const fi = m[2 * (r * n + col) + 1] as number;
      if (fr === 0 && fi === 0) continue;
      for (const x of [m, inverse]) {
        for (let j = 0; j < n; j++) {
          const s = 2 * (col * n + j);
          const t = 2 * (r * n + j);
          const [sr, si] = [x[s] as number, x[s + 1] as number];
          x[t] = (x[t] as number) - (fr * sr - fi * si);
          x[t + 1] = (x[t + 1] as number) - (fr * si + fi * sr);
        }
      }
    }
  }
  return inverse;
}
