/**
 * Yakopcic's model (src/models/memristor/yakopcic.ts): its thresholds, its
 * motion across the kinks of the motion function, its I-V and small-signal
 * resistance. What every model must do — bounds, pinched and shrinking
 * loops, integrator accuracy, gradients against finite differences — is
 * tested for it with the others (support/models.ts), under its
 * characteristic sweep.
 */
import { describe, expect, it } from "vitest";
import { advance, memristorModels, yakopcic } from "../../src/models/memristor/index.js";
import { seededRandom } from "./support/waveforms.js";

const p = yakopcic.defaults;

it("is registered by its id", () => {
  expect(memristorModels.yakopcic).toBe(yakopcic);
});

describe("thresholds", () => {
  it("leaves the state where it is for any voltage in [−V_n, V_p], held for any time", () => {
    const random = seededRandom(9);
    for (let trial = 0; trial < 200; trial++) {
      const v = -p.vn + (p.vn + p.vp) * random();
      const dt = 10 ** (12 * random() - 6);
      for (const x of [0, 0.11, 0.5, 1]) expect(advance(yakopcic, p, x, v, dt)).toBe(x);
    }
    for (const x of [0.2, 0.8]) {
      expect(advance(yakopcic, p, x, p.vp, 1e6)).toBe(x);
      expect(advance(yakopcic, p, x, -p.vn, 1e6)).toBe(x);
    }
  });

  it("moves the state up just above V_p and down just below −V_n", () => {
    expect(advance(yakopcic, p, 0.5, 1.01 * p.vp, 1e-3)).toBeGreaterThan(0.5);
    expect(advance(yakopcic, p, 0.5, -1.01 * p.vn, 1e-3)).toBeLessThan(0.5);
  });
});

/**
 * With α_p = α_n = 0 the motion function is 1 on the near side of its kink
 * and linear in x beyond it, so a held voltage moves the state on a closed
 * form: at the constant speed g = η·G(v) until it reaches the kink (x_p
 * going up, 1 − x_n going down) at t_k, then exponentially towards the
 * bound b, x = b + (kink − b)·e^{−|g|(t − t_k)/|kink − b|}. Stepped across
 * as if smooth, the kink costs 1e-6 of the range; the integrator steps
 * over it in a substep of its own (src/models/memristor/integrate.ts).
 */
describe("motion across the kinks, on the closed form with α_p = α_n = 0", () => {
  const q = { ...p, alphap: 0, alphan: 0 };
  it.each([
    ["up, +0.3 V from x = 0.1", 0.3, 0.1],
    ["up, +0.45 V from x = 0.1", 0.45, 0.1],
    ["down, −0.3 V from x = 0.9", -0.3, 0.9],
    ["down, −0.45 V from x = 0.9", -0.45, 0.9],
  ])("%s: within 1e-9 at 0.5, 1, 1.5, 3 and 10 times t_k", (_name, v, x0) => {
    const g = v > 0 ? q.ap * (Math.exp(v) - Math.exp(q.vp)) : -q.an * (Math.exp(-v) - Math.exp(q.vn));
    const [kink, bound] = v > 0 ? [q.xp, 1] : [1 - q.xn, 0];
    const tk = (kink - x0) / g;
    for (const t of [0.5, 1, 1.5, 3, 10].map((f) => f * tk)) {
      const expected =
        t <= tk
          ? x0 + g * t
          : bound + (kink - bound) * Math.exp((-Math.abs(g) * (t - tk)) / Math.abs(kink - bound));
      expect(Math.abs(advance(yakopcic, q, x0, v, t) - expected)).toBeLessThan(1e-9);
    }
  });

  it("has its kink at x_p above V_p, at 1 − x_n below −V_n, and none between", () => {
    expect(yakopcic.kink?.(0.3, p)).toBe(p.xp);
    expect(yakopcic.kink?.(-0.3, p)).toBe(1 - p.xn);
    expect(yakopcic.kink?.(0.1, p)).toBeNaN();
  });
});

describe("I-V and resistance", () => {
  it.each([0.05, 0.5, 1])("i = a1 x sinh(bv) for v ≥ 0 and a2 x sinh(bv) for v < 0 (x = %s)", (x) => {
    const q = { ...p, a2: 0.05 };
    expect(yakopcic.current(x, 2, q)).toBeCloseTo(q.a1 * x * Math.sinh(q.b * 2), 15);
    expect(yakopcic.current(x, -2, q)).toBeCloseTo(q.a2 * x * Math.sinh(-q.b * 2), 15);
  });

  it("reports the small-signal resistance at 0⁺ V, 1/(a1 b x); infinite at x = 0", () => {
    for (const x of [0.01, 0.11, 1]) {
      const chord = 1e-7 / yakopcic.current(x, 1e-7, p);
      expect(yakopcic.resistance(x, p)).toBeCloseTo(chord, 6);
    }
    expect(yakopcic.resistance(0, p)).toBe(Number.POSITIVE_INFINITY);
  });
});
