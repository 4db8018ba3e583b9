/**
 * Haar-random unitaries for the decomposition tests, by the recipe of
 * F. Mezzadri, "How to generate random matrices from the classical compact
 * groups", Notices of the AMS 54(5), 592–604 (2007), section "A Correct and
 * Efficient Algorithm": take Z with i.i.d. standard complex Gaussian
 * entries, factor Z = QR, and return Q·Λ with Λ = diag(r_kk/|r_kk|).
 *
 * The phase fix Λ matters: QR is unique only up to those diagonal phases,
 * and the QR routine fixes them its own way (here, Householder with
 * r_kk = −e^{i arg z_kk}‖z_k‖, which makes Q's diagonal real and negative in
 * its first column), so Q alone is not Haar distributed; QΛ is.
 */
import { seededRandom } from "../../../support/waveforms.js";

/** A seeded source of standard complex Gaussians (Box–Muller), E|z|² = 1. */
export function complexGaussian(seed: number): () => [number, number] {
  const random = seededRandom(seed);
  return () => {
    const radius = Math.sqrt(-Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  };
}

/** Q and the diagonal of R (interleaved) of Z = QR by Householder reflections; Z is N×N row-major interleaved. */
export function householderQr(z: Float64Array, n: number): { q: Float64Array; rDiagonal: Float64Array } {
  const a = z.slice();
  const reflectors: Float64Array[] = [];
  const rDiagonal = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    // v = x − α e_1 on rows k…n−1 of column k, α = −e^{i arg x_0}‖x‖.
    const v = new Float64Array(2 * (n - k));
    let norm2 = 0;
    for (let r = k; r < n; r++) {
      v[2 * (r - k)] = a[2 * (r * n + k)] as number;
      v[2 * (r - k) + 1] = a[2 * (r * n + k) + 1] as number;
      norm2 += (v[2 * (r - k)] as number) ** 2 + (v[2 * (r - k) + 1] as number) ** 2;
    }
    const x0 = Math.atan2(v[1] as number, v[0] as number);
    const alphaRe = -Math.sqrt(norm2) * Math.cos(x0);
    const alphaIm = -Math.sqrt(norm2) * Math.sin(x0);
    v[0] = (v[0] as number) - alphaRe;
    v[1] = (v[1] as number) - alphaIm;
    reflect(a, n, k, v, k, n);
    reflectors.push(v);
    rDiagonal[2 * k] = alphaRe;
    rDiagonal[2 * k + 1] = alphaIm;
  }
  // Q = H_0 H_1 ⋯ H_{n−1}, applied to the identity from the last reflector.
  const q = new Float64Array(2 * n * n);
  for (let k = 0; k < n; k++) q[2 * (k * n + k)] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, n, k, reflectors[k] as Float64Array, 0, n);
  return { q, rDiagonal };
}

/** Rows k…n−1, columns c0…c1−1 of a ← (I − 2vv†/v†v)·a. */
function reflect(a: Float64Array, n: number, k: number, v: Float64Array, c0: number, c1: number): void {
  let vv = 0;
  for (let r = 0; r < v.length; r += 2) vv += (v[r] as number) ** 2 + (v[r + 1] as number) ** 2;
  if (vv === 0) return;
  for (let c = c0; c < c1; c++) {
    // s = v†·a[k…, c]
    let sr = 0;
    let si = 0;
    for (let r = k; r < n; r++) {
      const vr = v[2 * (r - k)] as number;
      const vi = v[2 * (r - k) + 1] as number;
      const xr = a[2 * (r * n + c)] as number;
      const xi = a[2 * (r * n + c) + 1] as number;
      sr += vr * xr + vi * xi;
      si += vr * xi - vi * xr;
    }
    const fr = (2 * sr) / vv;
    const fi = (2 * si) / vv;
    for (let r = k; r < n; r++) {
      const vr = v[2 * (r - k)] as number;
      const vi = v[2 * (r - k) + 1] as number;
      a[2 * (r * n + c)] = (a[2 * (r * n + c)] as number) - (fr * vr - fi * vi);
      a[2 * (r * n + c) + 1] = (a[2 * (r * n + c) + 1] as number) - (fr * vi + fi * vr);
    }
  }
}

/** A Haar-random N×N unitary: Mezzadri's Q·diag(r_kk/|r_kk|), or Q alone with `phaseFix` false (not Haar). */
export function haarUnitary(n: number, gaussian: () => [number, number], phaseFix = true): Float64Array {
  const z = new Float64Array(2 * n * n);
  for (let k = 0; k < n * n; k++) [z[2 * k], z[2 * k + 1]] = gaussian();
  const { q, rDiagonal } = householderQr(z, n);
  if (!phaseFix) return q;
  for (let c = 0; c < n; c++) {
    const rr = rDiagonal[2 * c] as number;
    const ri = rDiagonal[2 * c + 1] as number;
    const magnitude = Math.hypot(rr, ri);
    const [lr, li] = [rr / magnitude, ri / magnitude];
    for (let r = 0; r < n; r++) {
      const p = 2 * (r * n + c);
      const [qr, qi] = [q[p] as number, q[p + 1] as number];
      q[p] = qr * lr - qi * li;
      q[p + 1] = qr * li + qi * lr;
    }
  }
  return q;
}
