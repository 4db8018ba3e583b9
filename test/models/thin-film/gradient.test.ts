/**
 * stackResponseGradient against central finite differences
 * (test/support/finite-difference.ts: Richardson-extrapolated, steps 1e-4
 * and 5e-5 of the value), for every parameter of the stack's table, over a
 * series of wavelengths and angles, R and T for s and p, entry by entry:
 * |analytic − FD| ≤ 1e-6 · max(|analytic|, floor), the floor being the
 * finite difference's rounding noise (`roundingFloor`).
 *
 * Stacks, every parameter inside its bounds so it can move both ways:
 * an absorbing stack on an absorbing substrate (normal and oblique),
 * prism coupling through an evanescent gap (the gap layer's q is
 * imaginary, its matrix built from cosh and sinh), and an ultrathin metal
 * film (N = 0.05 + 10i, |δ|² = k₀²d²|w| crosses the 1e-4 where ∂S/∂w
 * switches from its Taylor series to the closed form at d ≈ 2.47 nm for
 * λ = 1.55 µm): at 2.4 nm (series) and 2.5 nm (closed form), each with
 * Im δ ≈ 0.1, so a derivative that misses the e^{−Im δ} scale of tmm.ts
 * is off by ~1e-4 relative.
 */
import { describe, expect, it } from "vitest";
import {
  type Stack,
  stackFromValues,
  stackParameters,
  stackResponse,
  stackResponseGradient,
  stackValues,
} from "../../../src/models/thin-film/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../../support/finite-difference.js";

interface Case {
  readonly name: string;
  readonly stack: Stack;
  readonly points: readonly (readonly [number, number])[];
}

const grid = (wavelengths: number[], angles: number[]) =>
  angles.flatMap((angle) => wavelengths.map((wavelength) => [wavelength, angle] as const));

const cases: readonly Case[] = [
  {
    name: "absorbing stack on an absorbing substrate",
    stack: {
      ambient: { n: 1.2 },
      layers: [
        { n: 2.1, k: 0.3, thickness: 120e-9 },
        { n: 1.45, k: 0.002, thickness: 260e-9 },
        { n: 0.4, k: 3.2, thickness: 12e-9 },
        { n: 3.4, k: 0.05, thickness: 90e-9 },
      ],
      substrate: { n: 3.5, k: 0.02 },
    },
    points: grid([1.3e-6, 1.55e-6, 1.7e-6], [0, 0.6, 1.2]),
  },
  {
    name: "prism coupling through an evanescent gap",
    stack: {
      ambient: { n: 1.5 },
      layers: [
        { n: 1.2, k: 0.001, thickness: 300e-9 },
        { n: 2, k: 0.01, thickness: 150e-9 },
      ],
      substrate: { n: 1.45, k: 0.001 },
    },
    points: grid([1.3e-6, 1.55e-6], [1, 1.1]),
  },
  ...[2.4e-9, 2.5e-9].map((thickness) => ({
    name: `ultrathin metal, ${thickness * 1e9} nm`,
    stack: {
      ambient: { n: 1.2 },
      layers: [
        { n: 0.05, k: 10, thickness },
        { n: 1.45, k: 0.01, thickness: 200e-9 },
      ],
      substrate: { n: 3.5, k: 0.01 },
    },
    points: grid([1.55e-6], [0, 0.7]),
  })),
];

/** [R_s, T_s, R_p, T_p] at every point, in order. */
function series(stack: Stack, points: Case["points"]): Float64Array {
  return Float64Array.from(
    points.flatMap(([wavelength, angle]) => {
      const { s, p } = stackResponse(stack, wavelength, angle);
      return [s.R, s.T, p.R, p.T];
    }),
  );
}

const rows = cases.flatMap((c) =>
  stackParameters(c.stack.layers.length).map((spec, i) => [c.name, spec.name, c, i] as const),
);

describe("∂R/∂p and ∂T/∂p", () => {
  it.each(rows)("%s: %s matches central differences to 1e-6", (_name, _parameter, c, i) => {
    const values = stackValues(c.stack);
    const analytic = Float64Array.from(
      c.points.flatMap(([wavelength, angle]) => {
        const { s, p } = stackResponseGradient(c.stack, wavelength, angle);
        return [s.R[i], s.T[i], p.R[i], p.T[i]] as number[];
      }),
    );
    const x = values[i] as number;
    const numeric = centralDifferenceVector((moved) => {
      const next = values.slice();
      next[i] = moved;
      return series(stackFromValues(next), c.points);
    }, x);
    const floor = roundingFloor(series(c.stack, c.points), 1e-4 * Math.abs(x), 1e-6); // the default step
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(0);
    expect(entrywiseRelativeError(analytic, numeric, floor)).toBeLessThanOrEqual(1e-6);
  });

  it("returns the response it differentiated", () => {
    const [c] = cases as [Case];
    const [wavelength, angle] = c.points[4] as [number, number];
    expect(stackResponseGradient(c.stack, wavelength, angle).response).toEqual(
      stackResponse(c.stack, wavelength, angle),
    );
  });
});
