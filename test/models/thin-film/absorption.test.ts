/**
 * One absorbing layer N₁ = n + ik, thickness d, between a lossless ambient
 * n₀ and a lossless substrate n₂, s polarisation: the power it absorbs is
 * the Joule dissipation k₀ Im(ε₁)/(n₀cosθ₀) ∫₀^d |E(z)|² dz (per incident
 * flux, ε₁ = N₁²), with E = v e^{iκz} + w e^{−iκz}, κ = k₀q₁, from the Airy
 * sum v = t₀₁/(1 + r₀₁r₁₂e^{2iκd}), w = v r₁₂ e^{2iκd} and the integral in
 * closed form — a volume integral, where absorption.ts differences the
 * Poynting flux at the faces. At normal incidence p equals s.
 */
import { describe, expect, it } from "vitest";
import {
  abs2,
  add,
  complex,
  conj,
  div,
  expi,
  mul,
  ONE,
  scale,
  sqrt,
  sub,
} from "../../../src/models/complex.js";
import { layerAbsorption, type Stack } from "../../../src/models/thin-film/index.js";

function jouleAbsorption(
  n0: number,
  layer: { n: number; k: number; thickness: number },
  n2: number,
  wavelength: number,
  angle: number,
): number {
  const k0 = (2 * Math.PI) / wavelength;
  const beta2 = (n0 * Math.sin(angle)) ** 2;
  const N1 = complex(layer.n, layer.k);
  const eps1 = mul(N1, N1);
  const q0 = complex(n0 * Math.cos(angle));
  const q1 = sqrt(sub(eps1, complex(beta2)));
  const q2 = sqrt(complex(n2 * n2 - beta2));
  const r01 = div(sub(q0, q1), add(q0, q1));
  const t01 = div(scale(q0, 2), add(q0, q1));
  const r12 = div(sub(q1, q2), add(q1, q2));
  const kappa = scale(q1, k0);
  const d = layer.thickness;
  const round = mul(expi(2 * kappa.re * d), complex(Math.exp(-2 * kappa.im * d)));
  const v = div(t01, add(ONE, mul(mul(r01, r12), round)));
  const w = mul(mul(v, r12), round);
  const [a, b] = [kappa.re, kappa.im];
  const forward = (abs2(v) * -Math.expm1(-2 * b * d)) / (2 * b);
  const backward = (abs2(w) * Math.expm1(2 * b * d)) / (2 * b);
  const phase = div(sub(expi(2 * a * d), ONE), complex(0, 2 * a));
  const cross = 2 * mul(mul(v, conj(w)), phase).re;
  return ((k0 * eps1.im) / (n0 * Math.cos(angle))) * (forward + backward + cross);
}

const cases = [
  ["a weak absorber, normal incidence", 1, { n: 2.1, k: 0.01, thickness: 310e-9 }, 1.45, 1.55e-6, 0],
  ["a metal-like film, 40°", 1, { n: 0.2, k: 3.5, thickness: 25e-9 }, 1.5, 0.633e-6, 0.7],
  ["a semiconductor, 70°, from a prism", 1.5, { n: 3.9, k: 0.3, thickness: 120e-9 }, 1.33, 0.5e-6, 1.2],
  ["a thick absorber, 20°", 1, { n: 1.6, k: 0.05, thickness: 5e-6 }, 1.5, 1.0e-6, 0.35],
] as const;

describe("one absorbing layer on a lossless substrate", () => {
  it.each(cases)(
    "%s: A (s) is the Joule dissipation, to 1e-13 relative",
    (_name, n0, layer, n2, wavelength, angle) => {
      const stack: Stack = { ambient: { n: n0 }, layers: [layer], substrate: { n: n2, k: 0 } };
      const expected = jouleAbsorption(n0, layer, n2, wavelength, angle);
      const got = layerAbsorption(stack, wavelength, angle).s[0] as number;
      expect(expected).toBeGreaterThan(1e-4);
      expect(Math.abs(got - expected)).toBeLessThan(1e-13 * expected);
    },
  );

  it("at normal incidence p absorbs what s does", () => {
    const [, n0, layer, n2, wavelength] = cases[1];
    const stack: Stack = { ambient: { n: n0 }, layers: [layer], substrate: { n: n2, k: 0 } };
    const { s, p } = layerAbsorption(stack, wavelength, 0);
    expect(Math.abs((p[0] as number) - (s[0] as number))).toBeLessThan(1e-14);
  });
});

describe("validation", () => {
  it("refuses what stackResponse refuses", () => {
    const stack: Stack = {
      ambient: { n: 1 },
      layers: [{ n: 2, k: -0.1, thickness: 1e-7 }],
      substrate: { n: 1.5, k: 0 },
    };
    expect(() => layerAbsorption(stack, 1.55e-6)).toThrow(RangeError);
    expect(() => layerAbsorption({ ...stack, layers: [] }, 1.55e-6, Math.PI / 2)).toThrow(RangeError);
  });
});
