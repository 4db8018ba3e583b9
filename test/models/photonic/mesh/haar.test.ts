/**
 * The test generator of Haar-random unitaries (support/haar.ts, Mezzadri
 * 2007): unitary, and distributed as Haar measure requires in what the
 * decomposition tests lean on — every element has mean 0 and E|U_jk|² = 1/N.
 * Without Mezzadri's phase fix, Householder QR's Q has a real, negative
 * U_00 every time, which the first test also pins.
 */
import { expect, it } from "vitest";
import { unitarityError } from "../../../../src/models/complex-matrix.js";
import { complexGaussian, haarUnitary } from "./support/haar.js";

const N = 4;
const SAMPLES = 2000;

it("without the phase fix, Q[0][0] is real and negative: not Haar", () => {
  const gaussian = complexGaussian(1);
  for (let s = 0; s < 20; s++) {
    const q = haarUnitary(N, gaussian, false);
    expect(q[0]).toBeLessThan(0);
    expect(Math.abs(q[1] as number)).toBeLessThan(1e-15);
  }
});

it(`with it, over ${SAMPLES} samples of U(${N}): unitary, each element of mean 0 and mean |U_jk|² = 1/N`, () => {
  const gaussian = complexGaussian(2);
  const sum = new Float64Array(2 * N * N);
  const sumAbs2 = new Float64Array(N * N);
  for (let s = 0; s < SAMPLES; s++) {
    const u = haarUnitary(N, gaussian);
    expect(unitarityError(u, N)).toBeLessThan(1e-14);
    for (let k = 0; k < N * N; k++) {
      sum[2 * k] = (sum[2 * k] as number) + (u[2 * k] as number);
      sum[2 * k + 1] = (sum[2 * k + 1] as number) + (u[2 * k + 1] as number);
      sumAbs2[k] = (sumAbs2[k] as number) + (u[2 * k] as number) ** 2 + (u[2 * k + 1] as number) ** 2;
    }
  }
  // Standard error of a mean of Re U_jk: √(1/(2N)/SAMPLES) ≈ 0.008; of |U_jk|², √(Var/SAMPLES) < 0.006.
  for (let k = 0; k < N * N; k++) {
    expect(Math.abs((sum[2 * k] as number) / SAMPLES)).toBeLessThan(0.04);
    expect(Math.abs((sum[2 * k + 1] as number) / SAMPLES)).toBeLessThan(0.04);
    expect(Math.abs((sumAbs2[k] as number) / SAMPLES - 1 / N)).toBeLessThan(0.03);
  }
});
