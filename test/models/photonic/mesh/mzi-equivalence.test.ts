/**
 * Clements' cell is the general MZI of src/models/photonic/mzi.ts (two
 * couplers, internal phase on the upper arm, external phase on the upper
 * input) under this phase mapping:
 *
 *   T(θ, φ) = e^{−iθ} · diag(−1, 1) · T_MZI(θ_int = 2θ + π, φ_ext = φ)
 *
 * with both couplers at the mesh's κ and each coupler's excess loss half the
 * mesh's per-MZI loss. The common phase e^{−iθ} is there because the MZI
 * model's internal shifter sits on one arm (det T_MZI = e^{i(θ_int + φ)}),
 * while Clements' cell has det T = e^{iφ} for every θ; the output factor
 * diag(−1, 1) is a π shift on output m.
 */
import { expect, it } from "vitest";
import { type Complex, expi, mul } from "../../../../src/models/complex.js";
import { clementsCell } from "../../../../src/models/photonic/mesh/index.js";
import { mziTransfer } from "../../../../src/models/photonic/mzi.js";

const cases = [
  [0.3, 1.1, 0, 0.5],
  [Math.PI / 2, -2, 0, 0.5],
  [0, 0.4, 0, 0.5],
  [1.2, 2.9, 1.5, 0.5],
  [0.8, -0.6, 0.4, 0.43],
  [2.2, 0.2, 3, 0.9],
] as const;

it.each(cases)(
  "T(θ = %f, φ = %f) with %f dB per MZI and κ = %f is the mapped MZI to 1e-15",
  (theta, phi, loss, kappa) => {
    const cell = clementsCell(theta, phi, { excessLossDb: loss, coupling: kappa });
    const mzi = mziTransfer({
      coupling1: kappa,
      coupling2: kappa,
      excessLossDb: loss / 2,
      internalPhase: 2 * theta + Math.PI,
      externalPhase: phi,
    });
    const common = expi(-theta);
    const outputSign = [-1, 1];
    for (const out of [0, 1] as const) {
      for (const input of [0, 1] as const) {
        const mapped = mul(common, mzi[2 * out + input] as Complex);
        const expected = {
          re: (outputSign[out] as number) * mapped.re,
          im: (outputSign[out] as number) * mapped.im,
        };
        const got = cell[out][input];
        expect(Math.hypot(got.re - expected.re, got.im - expected.im)).toBeLessThan(1e-15);
      }
    }
  },
);
