/** Small dense complex matrices for the mesh tests: N×N, row-major, interleaved (re, im). */

export function identity(n: number): Float64Array {
  const u = new Float64Array(2 * n * n);
  for (let k = 0; k < n; k++) u[2 * (k * n + k)] = 1;
  return u;
}

/** A·B. */
export function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const ar = a[2 * (i * n + k)] as number;
      const ai = a[2 * (i * n + k) + 1] as number;
      for (let j = 0; j < n; j++) {
        const br = b[2 * (k * n + j)] as number;
        const bi = b[2 * (k * n + j) + 1] as number;
        c[2 * (i * n + j)] = (c[2 * (i * n + j)] as number) + ar * br - ai * bi;
        c[2 * (i * n + j) + 1] = (c[2 * (i * n + j) + 1] as number) + ar * bi + ai * br;
      }
    }
  }
  return c;
}

/** A† (conjugate transpose). */
export function adjoint(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      t[2 * (j * n + i)] = a[2 * (i * n + j)] as number;
      t[2 * (j * n + i) + 1] = -(a[2 * (i * n + j) + 1] as number);
    }
  }
  return t;
}

/** Largest |a_k − b_k| over complex elements. */
export function maxDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let k = 0; k < a.length; k += 2) {
    worst = Math.max(
      worst,
      Math.hypot((a[k] as number) - (b[k] as number), (a[k + 1] as number) - (b[k + 1] as number)),
    );
  }
  return worst;
}

/** Largest element of |U†U − g·I|: 0 for a unitary scaled by √g. */
export function unitarityError(u: Float64Array, n: number, gain = 1): number {
  const scaled = identity(n).map((v) => v * gain);
  return maxDifference(multiply(adjoint(u, n), u, n), scaled);
}

/** x·y for N×N matrix-vector (y interleaved, length 2N). */
export function apply(u: Float64Array, x: Float64Array, n: number): Float64Array {
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const ur = u[2 * (i * n + k)] as number;
      const ui = u[2 * (i * n + k) + 1] as number;
      y[2 * i] = (y[2 * i] as number) + ur * (x[2 * k] as number) - ui * (x[2 * k + 1] as number);
      y[2 * i + 1] = (y[2 * i + 1] as number) + ur * (x[2 * k + 1] as number) + ui * (x[2 * k] as number);
    }
  }
  return y;
}
