/**
 * The small dense linear algebra the fitting engine needs, over symmetric
 * n × n matrices stored row-major in a Float64Array (n is the number of
 * free parameters: a handful to a few dozen). Golub & Van Loan, *Matrix
 * Computations* (4th ed.): Cholesky §4.2.5 (Algorithm 4.2.2), the cyclic
 * Jacobi eigenvalue method §8.5.2 (Algorithm 8.5.3).
 */

/**
 * Solves A x = b for a symmetric positive definite A by Cholesky
 * factorisation; `undefined` where A is not positive definite (a pivot
 * ≤ 0, or not finite), which the engine answers with more damping.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j] as number;
    for (let k = 0; k < j; k++) diagonal -= (l[j * n + k] as number) ** 2;
    if (!(diagonal > 0) || !Number.isFinite(diagonal)) return undefined;
    const pivot = Math.sqrt(diagonal);
    l[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = sum / pivot;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/** Eigenvalues (ascending) and unit eigenvectors (column j of `vectors`, row-major) of a symmetric matrix. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * Eigen-decomposition of the symmetric matrix `a` (left unchanged) by
 * cyclic Jacobi rotations, to full double precision: accurate for the
 * small eigenvalues too, which is what finding a null direction needs.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = (m[i * n + j] as number) ** 2;
        if (i === j) scale += x;
        else off += x;
      }
    }
    if (off <= 1e-32 * scale || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (apq === 0) continue;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        // Golub & Van Loan Algorithm 8.5.1 (symSchur2): c, s zeroing m[p][q].
        const tau = (aqq - app) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p] as number;
          const mkq = m[k * n + q] as number;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k] as number;
          const mqk = m[q * n + k] as number;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => (m[i * n + i] as number) - (m[j * n + j] as number),
  );
  const values = Float64Array.from(order, (i) => m[i * n + i] as number);
  const vectors = new Float64Array(n * n);
  for (const [column, i] of order.entries()) {
    for (let k = 0; k < n; k++) vectors[k * n + column] = v[k * n + i] as number;
  }
  return { values, vectors };
}
