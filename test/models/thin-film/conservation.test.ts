/**
 * Energy bookkeeping on random stacks. R = |r|² and T (the Poynting flux
 * into the substrate) are computed independently, so:
 * - lossless layers: R + T = 1, whatever the substrate (what an absorbing
 *   substrate takes in counts as transmitted), both polarisations, oblique
 *   incidence, beyond the critical angle too;
 * - absorbing layers: R + T + Σ A_j = 1, where R and T come from the
 *   characteristic matrices (tmm.ts) and each layer's A_j from the
 *   Poynting flux at its two faces, computed from Byrnes' forward and
 *   backward amplitudes (absorption.ts) — two independent computations,
 *   so this can fail (tmm.ts's own A = 1 − R − T cannot); A_j ≥ 0, and
 *   lossless layers absorb nothing;
 * - transmittance is reciprocal: light sent through the reversed stack, at
 *   the angle Snell's law gives in the old substrate, is transmitted
 *   equally, absorbing layers or not (R is not: an absorbing stack
 *   reflects differently from its two sides).
 */
import { describe, expect, it } from "vitest";
import { layerAbsorption, type Stack, stackResponse } from "../../../src/models/thin-film/index.js";
import { seededRandom } from "../support/waveforms.js";
import { randomStack } from "./support/stacks.js";

const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
const WAVELENGTHS = [0.45e-6, 1.05e-6, 1.55e-6];

/** Angles from normal to grazing, some beyond the critical angle towards the substrate. */
function anglesFor(seed: number): number[] {
  const random = seededRandom(1000 + seed);
  return [0, 0.5 * random(), 0.5 + random(), 1.5 + 0.07 * random()];
}

function points(seed: number): [number, number][] {
  return anglesFor(seed).flatMap((angle) =>
    WAVELENGTHS.map((wavelength) => [wavelength, angle] as [number, number]),
  );
}

describe("lossless layers", () => {
  it.each(seeds)("R + T = 1 for random stack %i, lossless substrate", (seed) => {
    const stack = randomStack(seed, { maxLayers: 12, layerK: 0, substrateK: 0 });
    for (const [wavelength, angle] of points(seed)) {
      const response = stackResponse(stack, wavelength, angle);
      for (const pol of ["s", "p"] as const) {
        expect(Math.abs(response[pol].R + response[pol].T - 1)).toBeLessThan(1e-13);
        expect(response[pol].R).toBeLessThanOrEqual(1 + 1e-15);
      }
    }
  });

  it.each(seeds)("R + T = 1 for random stack %i on an absorbing substrate", (seed) => {
    const stack = randomStack(seed, { maxLayers: 12, layerK: 0, substrateK: 2 });
    for (const [wavelength, angle] of points(seed)) {
      const response = stackResponse(stack, wavelength, angle);
      for (const pol of ["s", "p"] as const) {
        expect(Math.abs(response[pol].R + response[pol].T - 1)).toBeLessThan(1e-13);
      }
    }
  });
});

/**
 * absorption.ts's fluxes are over the incident flux n₀cosθ₀, so the
 * rounding of its O(1) amplitudes (a few ε per layer) is amplified by
 * 1/cosθ₀ at grazing incidence: measured, |R + T + Σ A_j − 1|·cosθ₀ stays
 *  below 4e-15 on these stacks (9 layers, p, θ₀ = 1.54 rad: 1.2e-13), and below 2e-14 for θ₀ ≤ 1.5 rad. So
 * 1e-13 up to cosθ₀ = 0.05 (θ₀ ≈ 87°), 5e-15/cosθ₀ beyond.
 */
function fluxTolerance(angle: number): number {
  return Math.max(1e-13, 5e-15 / Math.cos(angle));
}

describe("absorbing layers: R + T + Σ A_j = 1, A_j from the Poynting flux (absorption.ts)", () => {
  it.each(seeds)(
    "random stack %i: R + T + Σ A_j = 1 (to 1e-13 short of grazing), A_j ≥ 0, 0 ≤ R, T",
    (seed) => {
      const stack = randomStack(seed, { maxLayers: 12, layerK: 1, substrateK: 0.5 });
      for (const [wavelength, angle] of points(seed)) {
        const response = stackResponse(stack, wavelength, angle);
        const absorbed = layerAbsorption(stack, wavelength, angle);
        for (const pol of ["s", "p"] as const) {
          const { R, T, A } = response[pol];
          const layers = absorbed[pol];
          const sum = layers.reduce((a, b) => a + b, 0);
          expect(Math.abs(R + T + sum - 1)).toBeLessThan(fluxTolerance(angle));
          expect(Math.abs(A - sum)).toBeLessThan(fluxTolerance(angle));
          for (const a of layers) expect(a).toBeGreaterThanOrEqual(0);
          expect(sum).toBeGreaterThan(0);
          expect(R).toBeGreaterThanOrEqual(0);
          expect(T).toBeGreaterThanOrEqual(0);
        }
      }
    },
  );

  it.each(seeds)("random stack %i, lossless layers: every A_j = 0", (seed) => {
    const stack = randomStack(seed, { maxLayers: 12, layerK: 0, substrateK: 2 });
    for (const [wavelength, angle] of points(seed)) {
      const absorbed = layerAbsorption(stack, wavelength, angle);
      for (const pol of ["s", "p"] as const) {
        for (const a of absorbed[pol]) expect(Math.abs(a)).toBeLessThan(fluxTolerance(angle));
      }
    }
  });

  it.each(seeds)("random stack %i, some layers lossless: those absorb nothing, the others > 0", (seed) => {
    const stack = randomStack(seed, { maxLayers: 12, layerK: 1, substrateK: 0 });
    const mixed = { ...stack, layers: stack.layers.map((l, j) => (j % 2 === 0 ? { ...l, k: 0 } : l)) };
    for (const [wavelength, angle] of points(seed)) {
      const response = stackResponse(mixed, wavelength, angle);
      const absorbed = layerAbsorption(mixed, wavelength, angle);
      for (const pol of ["s", "p"] as const) {
        const layers = absorbed[pol];
        layers.forEach((a, j) => {
          if (j % 2 === 0) expect(Math.abs(a)).toBeLessThan(fluxTolerance(angle));
          else expect(a).toBeGreaterThan(0);
        });
        const sum = layers.reduce((a, b) => a + b, 0);
        expect(Math.abs(response[pol].R + response[pol].T + sum - 1)).toBeLessThan(fluxTolerance(angle));
      }
    }
  });
});

/** The stack seen from the substrate side (ambient and substrate swapped, layers reversed). */
function reversed(stack: Stack): Stack {
  return {
    ambient: { n: stack.substrate.n },
    layers: [...stack.layers].reverse(),
    substrate: { n: stack.ambient.n, k: 0 },
  };
}

describe("reciprocity", () => {
  it.each(seeds)("T is the same from both sides of random absorbing stack %i", (seed) => {
    const stack = randomStack(seed, { maxLayers: 8, layerK: 0.5, substrateK: 0 });
    let reflectionsDiffer = false;
    for (const [wavelength, angle] of points(seed)) {
      const back = Math.asin((stack.ambient.n * Math.sin(angle)) / stack.substrate.n);
      if (Number.isNaN(back)) continue; // beyond the critical angle: nothing to send back
      const forward = stackResponse(stack, wavelength, angle);
      const backward = stackResponse(reversed(stack), wavelength, back);
      for (const pol of ["s", "p"] as const) {
        expect(Math.abs(forward[pol].T - backward[pol].T)).toBeLessThan(1e-13);
        if (Math.abs(forward[pol].R - backward[pol].R) > 1e-6) reflectionsDiffer = true;
      }
    }
    expect(reflectionsDiffer).toBe(true);
  });
});
