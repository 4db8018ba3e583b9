/**
 * Layers with closed-form effects (Macleod, "Thin-Film Optical Filters",
 * quarter- and half-wave layers): at the wavelength (and angle) where a
 * layer's phase thickness δ = π/2, its matrix is [0 −i/η; −iη 0], which
 * turns the admittance Y of what lies beneath into η²/Y; where δ = π it is
 * −1 (the layer is absent). So a quarter-wave stack (HL)^N H on a substrate
 * has Y = (η_H/η_L)^{2N} η_H²/η_sub and R = ((η₀ − Y)/(η₀ + Y))²; a
 * zero-thickness layer is the identity; and a very thick absorber reflects
 * like its bare surface and absorbs the rest.
 */
import { describe, expect, it } from "vitest";
import { abs2, add, complex, div, sub } from "../../../src/models/complex.js";
import { type Layer, type Stack, stackResponse } from "../../../src/models/thin-film/index.js";
import { quarterWaveStack, randomStack } from "./support/stacks.js";

const DESIGN = 1.55e-6;

describe("a quarter-wave stack (HL)^N H at its design wavelength", () => {
  const designs = [
    // nH, nL, substrate, ambient: TiO₂/SiO₂ on glass, Si/SiO₂ on silica, a weak pair from water.
    ["TiO₂/SiO₂ on glass", 2.35, 1.46, 1.52, 1],
    ["Si/SiO₂ on silica", 3.48, 1.44, 1.44, 1],
    ["Ta₂O₅/SiO₂ on glass, in water", 2.1, 1.46, 1.52, 1.33],
  ] as const;
  const rows = designs.flatMap(([name, ...indices]) =>
    [0, 1, 2, 5, 8].map((pairs) => [name, pairs, ...indices] as const),
  );

  it.each(rows)(
    "%s, N = %i: R = ((n₀ − Y)/(n₀ + Y))², Y = (n_H/n_L)^{2N} n_H²/n_s",
    (_name, N, nH, nL, ns, n0) => {
      const stack: Stack = {
        ambient: { n: n0 },
        layers: quarterWaveStack(nH, nL, N, DESIGN),
        substrate: { n: ns, k: 0 },
      };
      const Y = ((nH / nL) ** (2 * N) * (nH * nH)) / ns;
      const R = ((n0 - Y) / (n0 + Y)) ** 2;
      const response = stackResponse(stack, DESIGN, 0);
      expect(response.s.R).toBeCloseTo(R, 13);
      expect(response.p.R).toBeCloseTo(R, 13);
      expect(response.s.T).toBeCloseTo(1 - R, 13);
    },
  );

  it.each([0.3, 0.7, 1.1])(
    "at %f rad, with quarter waves of the tilted phase thickness and admittances η",
    (angle) => {
      const [n0, nH, nL, ns, N] = [1, 2.35, 1.46, 1.52, 4];
      const beta = n0 * Math.sin(angle);
      const q = (n: number) => Math.sqrt(n * n - beta * beta);
      const layer = (n: number): Layer => ({ n, k: 0, thickness: DESIGN / (4 * q(n)) });
      const stack: Stack = {
        ambient: { n: n0 },
        layers: [...Array.from({ length: N }, () => [layer(nH), layer(nL)]).flat(), layer(nH)],
        substrate: { n: ns, k: 0 },
      };
      const response = stackResponse(stack, DESIGN, angle);
      const admittance = { s: (n: number) => q(n), p: (n: number) => (n * n) / q(n) };
      for (const pol of ["s", "p"] as const) {
        const eta = admittance[pol];
        const Y = ((eta(nH) / eta(nL)) ** (2 * N) * eta(nH) ** 2) / eta(ns);
        expect(response[pol].R).toBeCloseTo(((eta(n0) - Y) / (eta(n0) + Y)) ** 2, 13);
      }
    },
  );

  it("a single quarter wave of n = √(n₀ n_s) is a perfect antireflection coating", () => {
    const n = Math.sqrt(1.52);
    const stack: Stack = {
      ambient: { n: 1 },
      layers: [{ n, k: 0, thickness: DESIGN / (4 * n) }],
      substrate: { n: 1.52, k: 0 },
    };
    expect(stackResponse(stack, DESIGN, 0).s.R).toBeLessThan(1e-30);
  });
});

/** `stack` with `layer` inserted before layer `at`. */
function inserting(stack: Stack, at: number, layer: Layer): Stack {
  return { ...stack, layers: [...stack.layers.slice(0, at), layer, ...stack.layers.slice(at)] };
}

const seeds = [1, 2, 3, 4, 5, 6];

describe("absent layers", () => {
  it.each(seeds)(
    "a zero-thickness layer (here absorbing) changes nothing, exactly: random absorbing stack %i, oblique",
    (seed) => {
      const stack = randomStack(seed, { maxLayers: 6, layerK: 0.5, substrateK: 0.1 });
      const angle = 0.2 * seed;
      const before = stackResponse(stack, DESIGN, angle);
      const after = stackResponse(
        inserting(stack, seed % (stack.layers.length + 1), { n: 2.7, k: 1.3, thickness: 0 }),
        DESIGN,
        angle,
      );
      expect(after).toEqual(before);
    },
  );

  it.each(seeds)(
    "a half-wave layer is absent at its design wavelength and angle (t changes sign): random absorbing stack %i",
    (seed) => {
      const stack = randomStack(seed, { maxLayers: 6, layerK: 0.5, substrateK: 0.1 });
      const angle = 0.15 * seed;
      const n = 2.1;
      const beta = stack.ambient.n * Math.sin(angle);
      // q·d = λ/2: δ = π.
      const halfWave: Layer = { n, k: 0, thickness: DESIGN / (2 * Math.sqrt(n * n - beta * beta)) };
      const before = stackResponse(stack, DESIGN, angle);
      const after = stackResponse(
        inserting(stack, seed % (stack.layers.length + 1), halfWave),
        DESIGN,
        angle,
      );
      // Its matrix is cos π = −1 times the identity: r is unchanged, t turns by π.
      for (const pol of ["s", "p"] as const) {
        expect(abs2(sub(after[pol].r, before[pol].r))).toBeLessThan(1e-28);
        expect(abs2(add(after[pol].t, before[pol].t))).toBeLessThan(1e-28);
      }
      // Off its design wavelength it is not absent.
      const off = stackResponse(inserting(stack, 0, halfWave), 1.2 * DESIGN, angle);
      expect(Math.abs(off.s.R - stackResponse(stack, 1.2 * DESIGN, angle).s.R)).toBeGreaterThan(1e-4);
    },
  );
});

describe("a very thick absorber", () => {
  it.each([
    [1, 2, 0.5],
    [1, 0.2, 3.4],
    [1.33, 3.5, 0.1],
  ])("ambient %f, N = %f + %fi, 1 mm thick: R of the bare surface, T = 0", (n0, n, k) => {
    const stack: Stack = {
      ambient: { n: n0 },
      layers: [{ n, k, thickness: 1e-3 }],
      substrate: { n: 1.5, k: 0 },
    };
    const { s } = stackResponse(stack, DESIGN, 0);
    const N = complex(n, k);
    const surface = abs2(div(sub(complex(n0), N), complex(n0 + n, k)));
    expect(s.R).toBeCloseTo(surface, 14);
    // Σ Im δ is in the hundreds to hundreds of thousands: T underflows, nothing overflows.
    expect(s.T).toBe(0);
  });
});
