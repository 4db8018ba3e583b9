/**
 * A bare interface (no layers) is the Fresnel equations, in the sign
 * conventions tmm.ts states (Byrnes, arXiv:1603.02720, and his `tmm`
 * package: r_p = (n₂cosθ₁ − n₁cosθ₂)/(n₂cosθ₁ + n₁cosθ₂), so r_p = −r_s at
 * normal incidence); p-reflection vanishes at Brewster's angle; beyond the
 * critical angle everything is reflected; and a published multilayer result
 * is reproduced.
 */
import { describe, expect, it } from "vitest";
import { abs2, add, type Complex, complex, div, mul, scale, sqrt, sub } from "../../../src/models/complex.js";
import { type Stack, stackResponse } from "../../../src/models/thin-film/index.js";

const WAVELENGTH = 1.55e-6;

function bare(n1: number, n2: Complex): Stack {
  return { ambient: { n: n1 }, layers: [], substrate: { n: n2.re, k: n2.im } };
}

/** The Fresnel equations for n₁ (real) → N₂ at θ₁, with N₂cosθ₂ = √(N₂² − n₁² sin²θ₁), Im ≥ 0 (the forward wave). */
function fresnel(n1: number, n2: Complex, angle: number) {
  const c1 = Math.cos(angle);
  const n1c1 = complex(n1 * c1);
  const beta = n1 * Math.sin(angle);
  const n2c2 = sqrt(sub(mul(n2, n2), complex(beta * beta)));
  const c2 = div(n2c2, n2);
  const n2c1 = scale(n2, c1);
  const n1c2 = scale(c2, n1);
  const ts = div(scale(n1c1, 2), add(n1c1, n2c2));
  const tp = div(scale(n1c1, 2), add(n2c1, n1c2));
  const conjC2 = complex(c2.re, -c2.im);
  return {
    n2c2,
    s: {
      r: div(sub(n1c1, n2c2), add(n1c1, n2c2)),
      t: ts,
      T: (n2c2.re / (n1 * c1)) * abs2(ts),
    },
    p: {
      r: div(sub(n2c1, n1c2), add(n2c1, n1c2)),
      t: tp,
      T: (mul(n2, conjC2).re / (n1 * c1)) * abs2(tp),
    },
  };
}

function expectComplex(actual: Complex, expected: Complex, tolerance: number) {
  expect(Math.abs(actual.re - expected.re)).toBeLessThan(tolerance);
  expect(Math.abs(actual.im - expected.im)).toBeLessThan(tolerance);
}

const interfaces: readonly [string, number, Complex][] = [
  ["air → glass", 1, complex(1.5)],
  ["air → silicon", 1, complex(3.48)],
  ["water → TiO₂", 1.33, complex(2.4)],
  ["glass → air (below the critical angle)", 1.5, complex(1)],
  ["air → absorbing semiconductor", 1, complex(3.5, 0.4)],
  ["glass → gold at 1.55 µm", 1.5, complex(0.52, 10.7)],
];
const angles = [0, 0.3, 0.6, 0.9, 1.2, 1.5];

describe("a bare interface", () => {
  const rows = interfaces.flatMap(([name, n1, n2]) =>
    angles
      .filter((angle) => n1 * Math.sin(angle) < n2.re || n2.im > 0)
      .map((angle) => [name, angle, n1, n2] as const),
  );

  it.each(rows)(
    "%s at %f rad is the Fresnel equations (s and p: r, t, R, T), and R + T = 1",
    (_n, angle, n1, n2) => {
      const response = stackResponse(bare(n1, n2), WAVELENGTH, angle);
      const expected = fresnel(n1, n2, angle);
      expect(expected.n2c2.im).toBeGreaterThanOrEqual(0);
      for (const pol of ["s", "p"] as const) {
        const got = response[pol];
        expectComplex(got.r, expected[pol].r, 1e-14);
        expectComplex(got.t, expected[pol].t, 1e-14);
        expect(got.R).toBeCloseTo(abs2(expected[pol].r), 14);
        expect(got.T).toBeCloseTo(expected[pol].T, 14);
        // Only the substrate absorbs, and what enters it counts as transmitted.
        expect(got.R + got.T).toBeCloseTo(1, 14);
      }
    },
  );

  it.each(interfaces)(
    "%s: at normal incidence r_p = −r_s and t_p = t_s (the sign convention)",
    (_n, n1, n2) => {
      const { s, p } = stackResponse(bare(n1, n2), WAVELENGTH, 0);
      expectComplex(p.r, complex(-s.r.re, -s.r.im), 1e-15);
      expectComplex(p.t, s.t, 1e-15);
    },
  );
});

describe("Brewster's angle θ_B = arctan(n₂/n₁)", () => {
  it.each([
    [1, 1.5],
    [1.5, 1],
    [1, 3.48],
    [1.33, 1.46],
  ])("n₁ = %f → n₂ = %f: R_p vanishes, R_s does not", (n1, n2) => {
    const brewster = Math.atan(n2 / n1);
    const { s, p } = stackResponse(bare(n1, complex(n2)), WAVELENGTH, brewster);
    expect(p.R).toBeLessThan(1e-30);
    expect(s.R).toBeGreaterThan(1e-3);
    // Either side of it, R_p is not zero: the minimum is at θ_B.
    for (const offset of [-0.01, 0.01]) {
      expect(stackResponse(bare(n1, complex(n2)), WAVELENGTH, brewster + offset).p.R).toBeGreaterThan(1e-7);
    }
  });
});

describe("total internal reflection", () => {
  const critical = Math.asin(1 / 1.5);
  const beyond = [critical + 1e-6, critical + 0.05, 1.2, 1.5];

  it.each(beyond)("glass → air at %f rad reflects everything (R = 1, T = 0)", (angle) => {
    const response = stackResponse(bare(1.5, complex(1)), WAVELENGTH, angle);
    for (const pol of ["s", "p"] as const) {
      expect(response[pol].R).toBeCloseTo(1, 14);
      expect(response[pol].T).toBe(0);
    }
  });

  it.each(beyond)("with lossless layers between the glass and the air too, at %f rad", (angle) => {
    const stack: Stack = {
      ambient: { n: 1.5 },
      layers: [
        { n: 2.3, k: 0, thickness: 120e-9 },
        { n: 1.38, k: 0, thickness: 250e-9 },
      ],
      substrate: { n: 1, k: 0 },
    };
    const response = stackResponse(stack, WAVELENGTH, angle);
    for (const pol of ["s", "p"] as const) {
      expect(response[pol].R).toBeCloseTo(1, 13);
      expect(response[pol].T).toBe(0);
    }
  });

  it("an absorbing layer in the evanescent field takes some of it (attenuated total reflection)", () => {
    const stack: Stack = {
      ambient: { n: 1.5 },
      layers: [{ n: 1.4, k: 0.05, thickness: 100e-9 }],
      substrate: { n: 1, k: 0 },
    };
    const response = stackResponse(stack, WAVELENGTH, 1.2);
    for (const pol of ["s", "p"] as const) {
      expect(response[pol].T).toBe(0);
      expect(response[pol].R).toBeLessThan(0.999);
    }
  });
});

describe("a published result", () => {
  /**
   * Byrnes' `tmm` package, tests.py `basic_test` (values from his earlier
   * Mathematica program): n = [1, 2+4i, 3+0.3i, 1+0.1i], d = [∞, 2, 3, ∞],
   * θ₀ = 0.1, λ = 100 (any unit; here nm).
   */
  const stack: Stack = {
    ambient: { n: 1 },
    layers: [
      { n: 2, k: 4, thickness: 2e-9 },
      { n: 3, k: 0.3, thickness: 3e-9 },
    ],
    substrate: { n: 1, k: 0.1 },
  };
  const published = {
    s: {
      r: complex(-0.60331226568845775, -0.093522181653632019),
      t: complex(0.44429533471192989, 0.16921936169383078),
      R: 0.37273208839139516,
      T: 0.22604491247079261,
    },
    p: {
      r: complex(0.60102654255772481, 0.094489146845323682),
      t: complex(0.4461816467503148, 0.17061408427088917),
      R: 0.37016110373044969,
      T: 0.22824374314132009,
    },
  };

  it.each(["s", "p"] as const)("%s: r, t, R, T as published, to 1e-14", (pol) => {
    const got = stackResponse(stack, 100e-9, 0.1)[pol];
    expectComplex(got.r, published[pol].r, 1e-14);
    expectComplex(got.t, published[pol].t, 1e-14);
    expect(got.R).toBeCloseTo(published[pol].R, 14);
    expect(got.T).toBeCloseTo(published[pol].T, 14);
  });
});
