/**
 * Energy bookkeeping on random stacks. R = |r|² and T (the Poynting flux
 * into the substrate) are computed independently, so:
 * - lossless layers: R + T = 1, whatever the substrate (what an absorbing
 *   substrate takes in counts as transmitted), both polarisations, oblique
 *   incidence, beyond the critical angle too;
 * - absorbing layers: the absorptance A = 1 − R − T is positive (a passive
 *   stack), and 0 ≤ R, T ≤ 1;
 * - transmittance is reciprocal: light sent through the reversed stack, at
 *   the angle Snell's law gives in the old substrate, is transmitted
 *   equally, absorbing layers or not (R is not: an absorbing stack
 *   reflects differently from its two sides).
 */
import { describe, expect, it } from "vitest";
import { type Stack, stackResponse } from "../../../src/models/thin-film/index.js";
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

describe("absorbing layers", () => {
  it.each(seeds)("random stack %i absorbs (A > 0) and keeps 0 ≤ R, T ≤ 1", (seed) => {
    const stack = randomStack(seed, { maxLayers: 12, layerK: 1, substrateK: 0.5 });
    for (const [wavelength, angle] of points(seed)) {
      const response = stackResponse(stack, wavelength, angle);
      for (const pol of ["s", "p"] as const) {
        const { R, T, A } = response[pol];
        expect(A).toBeGreaterThan(0);
        expect(R).toBeGreaterThanOrEqual(0);
        expect(T).toBeGreaterThanOrEqual(0);
        expect(R + T).toBeLessThan(1);
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
