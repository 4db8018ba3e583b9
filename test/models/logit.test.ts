/**
 * The logit state of the linear drift under Joglekar's and Prodromakis'
 * windows (portable/physics.ts, linear-ion-drift.ts): its functions hold
 * their digits however deep the state is, against closed forms a reader can
 * check (R(c) = (1 − (1 − s·c)^p)/c is a polynomial in c for integer p) and
 * against the engine's own log1p/expm1.
 */
import { describe, expect, it } from "vitest";
import {
  type DifferentiableMemristorModel,
  linearIonDriftJoglekar,
  linearIonDriftProdromakis,
  logitOf,
  stateAtFraction,
  stateFraction,
} from "../../src/models/memristor/index.js";
import {
  edgeDistance,
  edgeWindowRatio,
  exponentialMinusOne,
  HALF_LN2,
  logitMemristance,
  logitReach,
  logOnePlus,
} from "../../src/models/memristor/portable/physics.js";

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("log1p and expm1 from the portable series", () => {
  it("logOnePlus(f) is Math.log1p(f) to 2e-16 over [√½ − 1, √2 − 1), down to f = ±1e-300", () => {
    const points = [-0.2928, -0.25, -0.1, -1e-3, -1e-9, -1e-300, 1e-300, 1e-12, 1e-4, 0.2, 0.4142];
    for (const f of points) expect(relative(logOnePlus(f), Math.log1p(f)), `f = ${f}`).toBeLessThan(2.3e-16);
  });

  it("exponentialMinusOne(r) is Math.expm1(r) to 3e-16 for |r| ≤ ln2/2, down to r = ±1e-300", () => {
    const points = [-HALF_LN2, -0.2, -1e-5, -1e-300, 1e-300, 1e-8, 0.1, HALF_LN2];
    for (const r of points) {
      expect(relative(exponentialMinusOne(r), Math.expm1(r)), `r = ${r}`).toBeLessThan(3.4e-16);
    }
  });
});

describe("R(c) = (1 − (1 − s·c)^p)/c without cancellation", () => {
  // Integer p: polynomials in c.
  const cases = [
    ["Joglekar p = 1", 4, 1, () => 4],
    ["Joglekar p = 2", 4, 2, (c: number) => 8 - 16 * c],
    ["Joglekar p = 3", 4, 3, (c: number) => 12 - 48 * c + 64 * c * c],
    ["Prodromakis p = 2", 1, 2, (c: number) => 2 - c],
    ["Prodromakis p = 7", 1, 7, (c: number) => (1 - (1 - c) ** 7) / c],
  ] as const;
  it.each(cases)("%s, from c = 1e-300 to ¼", (_name, sharpness, exponent, exact) => {
    for (const c of [1e-300, 1e-100, 1e-20, 1e-10, 1e-4, 0.01, 0.0625, 0.1, 0.2, 0.25]) {
      // Prodromakis p = 7 by the direct formula is only good where it does not cancel.
      if (exponent === 7 && c < 0.01) continue;
      expect(relative(edgeWindowRatio(c, sharpness, exponent), exact(c)), `c = ${c}`).toBeLessThan(1e-14);
    }
  });

  it("tends to s·p at the edge for real p (the window's slope there, f ≈ s·p·c)", () => {
    for (const exponent of [1, 1.5, 2.7, 10]) {
      expect(relative(edgeWindowRatio(1e-200, 4, exponent), 4 * exponent)).toBeLessThan(1e-15);
      expect(relative(edgeWindowRatio(1e-200, 1, exponent), exponent)).toBeLessThan(1e-15);
    }
  });
});

describe("the logit state", () => {
  it("keeps the edge distance e^{−|u|}/(1 + e^{−|u|}) to 1e-14 down to e^{−700}", () => {
    for (const u of [0, 0.5, 5, 36, 190, 380, 700]) {
      const expected = Math.exp(-u) / (1 + Math.exp(-u));
      expect(relative(edgeDistance(u), expected), `u = ${u}`).toBeLessThan(1e-14);
      expect(edgeDistance(-u)).toBe(edgeDistance(u));
    }
  });

  it("gives the memristance R_on·x + R_off·(1 − x) on both sides, continuous at u = 0", () => {
    const [rOn, rOff] = [100, 16e3];
    for (const x of [0.01, 0.3, 0.5, 0.7, 0.99]) {
      const u = Math.log(x / (1 - x));
      expect(
        relative(logitMemristance(u, edgeDistance(u), rOn, rOff), rOn * x + rOff * (1 - x)),
      ).toBeLessThan(1e-14);
    }
    // Deep at the upper edge (x = 1 − 4e-18, which is 1 in a double): R_on + ΔR·e, above R_on.
    const e = edgeDistance(40);
    expect(1 / (1 + Math.exp(-40))).toBe(1);
    expect(logitMemristance(40, e, rOn, rOff)).toBeGreaterThan(rOn);
    expect(relative(logitMemristance(40, e, rOn, rOff), rOn + (rOff - rOn) * e)).toBeLessThan(2e-16);
  });

  it("reaches as far as x moves by the step, and coming out of an edge at most half the depth", () => {
    const step = 1 / 128;
    // In the middle: the exact logit of x ± step.
    const x = 0.3;
    const u = Math.log(x / (1 - x));
    expect(relative(logitReach(u, 1, step), Math.log((x + step) / (1 - x - step)) - u)).toBeLessThan(1e-13);
    expect(relative(logitReach(u, -1, step), u - Math.log((x - step) / (1 - x + step)))).toBeLessThan(1e-13);
    // Towards an edge that is within the step: no limit.
    expect(logitReach(-6, -1, step)).toBe(Number.POSITIVE_INFINITY);
    expect(logitReach(300, 1, step)).toBe(Number.POSITIVE_INFINITY);
    // Out of an edge: half the depth, where x would hardly move.
    expect(logitReach(-700, 1, step)).toBe(350);
    expect(logitReach(190, -1, step)).toBe(95);
  });

  it.each([linearIonDriftJoglekar, linearIonDriftProdromakis])(
    "%s: x = fraction(u) and u = fromFraction(x) invert each other, within ±LOGIT_BOUND",
    (model) => {
      const p = model.defaults;
      expect(model.stateName).toBe("u");
      expect(stateFraction(model, p, model.initialState(p))).toBeCloseTo(0.1, 15);
      for (const x of [0, 1e-300, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-12, 1]) {
        const u = stateAtFraction(model, p, x);
        expect(Math.abs(u)).toBeLessThanOrEqual(700);
        if (x > 1e-300 && x < 1) expect(relative(stateFraction(model, p, u), x)).toBeLessThan(1e-9);
      }
      expect(logitOf(0)).toBe(-700);
      expect(logitOf(1)).toBe(700);
      expect(() => logitOf(1.5)).toThrow(RangeError);
    },
  );

  const generic = (model: unknown) => model as DifferentiableMemristorModel;
  it.each([
    ["Joglekar, p = 1", generic(linearIonDriftJoglekar), 1],
    ["Joglekar, p = 2.5", generic(linearIonDriftJoglekar), 2.5],
    ["Prodromakis, p = 7", generic(linearIonDriftProdromakis), 7],
  ] as const)(
    "%s: ∂(du/dt)/∂u and ∂(du/dt)/∂p from dxdtPartials match central differences, deep and shallow",
    (_name, model, exponent) => {
      const p = { ...model.defaults, windowExponent: exponent };
      const dp = new Float64Array(model.parameters.length);
      for (const u of [-40, -8, -1, 0.3, 4, 12, 40]) {
        for (const v of [0.7, -1.2]) {
          const fu = model.dxdtPartials(u, v, p, dp);
          const h = 1e-5;
          const numeric = (model.dxdt(u + h, v, p) - model.dxdt(u - h, v, p)) / (2 * h);
          // Deep at an edge both are tiny: compare against the rate's own size there.
          const size = Math.abs(model.dxdt(u, v, p));
          expect(Math.abs(fu - numeric), `u = ${u}, v = ${v}`).toBeLessThan(
            1e-7 * Math.max(Math.abs(numeric), size),
          );
          const j = model.parameters.findIndex((s) => s.name === "windowExponent");
          const hp = 1e-6 * exponent;
          const up = { ...p, windowExponent: exponent + hp };
          const down = { ...p, windowExponent: exponent - hp };
          const numericP = (model.dxdt(u, v, up) - model.dxdt(u, v, down)) / (2 * hp);
          expect(Math.abs((dp[j] as number) - numericP), `∂/∂p at u = ${u}`).toBeLessThan(
            1e-6 * Math.max(Math.abs(numericP), size),
          );
        }
      }
    },
  );
});
