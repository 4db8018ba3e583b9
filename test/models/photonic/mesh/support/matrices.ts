/**
 * Test-only helpers on dense complex matrices (N×N, row-major, interleaved
 * re, im); identity, products and unitarity come from src/models/complex-matrix.ts.
 */

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
