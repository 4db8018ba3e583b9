/**
 * Dense complex matrices for the circuit solve: row-major, interleaved
 * re, im (element (i, j) of an r × c matrix at 2(i·c + j)), the layout of
 * SMatrix.data. Sizes are the number of internal ports of a netlist — tens
 * at most — so plain O(n³) elimination is the right tool.
 */

/** A·B for A (rows × inner) and B (inner × cols). */
export function multiply(
  a: Float64Array,
  b: Float64Array,
  rows: number,
  inner: number,
  cols: number,
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

/** Thrown when I − C·S_int is singular: a lossless cavity driven exactly on resonance. */
export class SingularCircuitError extends Error {
  constructor(readonly circuit: string) {
    super(
      `${circuit}: the internal connections form a lossless resonance at this wavelength (I − C·S is singular)`,
    );
    this.name = "SingularCircuitError";
  }
}

/**
 * A⁻¹ of an n × n matrix by Gauss–Jordan elimination with partial
 * pivoting (largest |pivot| in the column), so a well-conditioned system
 * loses no more than a few ulps per entry. `a` is not modified.
 */
export function invert(a: Float64Array, n: number, circuit: string): Float64Array {
  const m = Float64Array.from(a);
  const inverse = new Float64Array(2 * n * n);
  for (let i = 0; i < n; i++) inverse[2 * (i * n + i)] = 1;
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
    if (largest === 0) throw new SingularCircuitError(circuit);
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
