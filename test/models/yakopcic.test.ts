/**
 * Yakopcic's model (src/models/memristor/yakopcic.ts): its pinched loop,
 * state bounds, thresholds, I-V and small-signal resistance, and
 * simulateWithGradient against central finite differences for every
 * parameter (as test/models/gradient.test.ts does for the other models).
 */
import { describe, expect, it } from "vitest";
import {
  advance,
  memristorModels,
  simulate,
  simulateWithGradient,
  type YakopcicParams,
  yakopcic,
  yakopcicParameters,
} from "../../src/models/memristor/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../support/finite-difference.js";
import { lobeArea, seededRandom, sineSweep } from "./support/waveforms.js";

const p = yakopcic.defaults;

it("is registered by its id", () => {
  expect(memristorModels.yakopcic).toBe(yakopcic);
});

describe("pinched hysteresis under a ±0.45 V sine (the Oblea device's drive)", () => {
  const loop = (frequency: number) => {
    const sweep = sineSweep(0.45, frequency, 2, 400);
    const { state, current } = simulate(yakopcic, p, { ...sweep, x0: yakopcic.initialState(p) });
    return { sweep, state, current };
  };

  it("passes through the origin whatever the state, and the state moves both ways", () => {
    const { sweep, state, current } = loop(100);
    sweep.voltages.forEach((v, k) => {
      if (Math.abs(v) < 1e-12) expect(Math.abs(current[k] as number)).toBeLessThan(1e-12);
    });
    for (const x of [0, 0.2, 0.7, 1]) expect(yakopcic.current(x, 0, p)).toBe(0);
    expect(Math.max(...state) - Math.min(...state)).toBeGreaterThan(0.3);
  });

  it("has a loop whose lobes shrink as the frequency rises (100 Hz → 10 kHz)", () => {
    const slow = loop(100);
    const fast = loop(10e3);
    const slowArea = lobeArea(slow.sweep.voltages, slow.current);
    const fastArea = lobeArea(fast.sweep.voltages, fast.current);
    expect(slowArea).toBeGreaterThan(0);
    expect(fastArea).toBeLessThan(0.1 * slowArea);
  });
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

  it("follows dx/dt = A_p(e^v − e^{V_p}) below x_p (motion function 1)", () => {
    const v = 0.3;
    const dt = 1e-5;
    const expected = 0.1 + p.ap * (Math.exp(v) - Math.exp(p.vp)) * dt;
    expect(advance(yakopcic, p, 0.1, v, dt)).toBeCloseTo(expected, 10);
  });
});

describe("state bounds", () => {
  it.each([0.5, 2, 5])(
    "stays in [0, 1] under 2000 random ±%s V steps of 1 ms, and reaches both ends",
    (amplitude) => {
      const random = seededRandom(3);
      const times = Float64Array.from({ length: 2000 }, (_, k) => 1e-3 * (k + 1));
      const voltages = times.map(() => amplitude * (2 * random() - 1));
      const { state, current } = simulate(yakopcic, p, { times, voltages, t0: 0, x0: 0.11 });
      for (let k = 0; k < state.length; k++) {
        expect(state[k]).toBeGreaterThanOrEqual(0);
        expect(state[k]).toBeLessThanOrEqual(1);
        expect(Number.isFinite(current[k])).toBe(true);
      }
      if (amplitude >= 2) {
        expect(Math.min(...state)).toBeLessThan(0.01);
        expect(Math.max(...state)).toBeGreaterThan(0.99);
      }
    },
  );

  it("stays in [0, 1] for 20 parameter sets drawn across the declared box", () => {
    const random = seededRandom(12);
    for (let draw = 0; draw < 20; draw++) {
      const q = Object.fromEntries(
        yakopcicParameters.map((spec) => {
          const u = random();
          const value =
            spec.min > 0 ? spec.min * (spec.max / spec.min) ** u : spec.min + (spec.max - spec.min) * u;
          return [spec.name, Math.min(spec.max, value)];
        }),
      ) as YakopcicParams;
      const times = Float64Array.from({ length: 200 }, (_, k) => 1e-3 * (k + 1));
      const voltages = times.map(() => 4 * (2 * random() - 1));
      const { state } = simulate(yakopcic, q, { times, voltages, t0: 0, x0: random() });
      for (const x of state) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
    }
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

/**
 * A sine of amplitude `positive` V in its positive half-cycles and
 * `negative` V in its negative ones (200 samples a cycle, 2 cycles).
 */
function asymmetricSine(positive: number, negative: number, frequency: number) {
  const sweep = sineSweep(1, frequency, 2, 200);
  return { ...sweep, voltages: sweep.voltages.map((v) => v * (v >= 0 ? positive : negative)) };
}

/**
 * The motion function has kinks at x = x_p and x = 1 − x_n (its x-derivative
 * jumps there). The integrator does not stop at them, so a substep that
 * straddles one is accurate to low order only, and the substep lengths —
 * treated as constants by the sensitivities — then move the result at the
 * 1e-4 level. The 1e-6 cases therefore keep the state on one side of each
 * kink: one above 1 − x_n (positive motion slowed by x_p's decay, negative
 * motion free), one below x_p (the reverse). Together they reach every
 * parameter. The third case crosses both kinks: 3e-4 measured, held to 1e-3.
 */
const gradientCases = [
  {
    name: "x in (1 − x_n, 1), +0.45/−0.209 V at 100 Hz",
    x0: 0.7,
    sweep: asymmetricSine(0.45, 0.209, 100),
    within: [1 - p.xn, 1],
    tolerance: 1e-6,
  },
  {
    name: "x in (0, x_p), +0.2/−0.45 V at 150 Hz",
    x0: 0.01,
    sweep: asymmetricSine(0.2, 0.45, 150),
    within: [0, p.xp],
    tolerance: 1e-6,
  },
  {
    name: "x crossing both kinks, ±0.45 V at 100 Hz",
    x0: 0.11,
    sweep: sineSweep(0.45, 100, 2, 200),
    within: [0, 1],
    tolerance: 1e-3,
  },
] as const;

describe.each(gradientCases)(
  "∂current/∂p from simulateWithGradient, $name",
  ({ x0, sweep, within, tolerance }) => {
    const input = { ...sweep, x0 };
    const { state, current, gradient } = simulateWithGradient(yakopcic, p, input);

    it("runs the same states as simulate, in its region, with every sample ≥ 1 % off the thresholds", () => {
      const plain = simulate(yakopcic, p, input);
      expect(state).toEqual(plain.state);
      expect(current).toEqual(plain.current);
      for (const x of state) {
        expect(x).toBeGreaterThan(within[0]);
        expect(x).toBeLessThan(within[1]);
      }
      for (const v of sweep.voltages) {
        for (const threshold of [p.vp, -p.vn])
          expect(Math.abs(v - threshold)).toBeGreaterThan(0.01 * Math.abs(threshold));
      }
    });

    it.each(yakopcicParameters.map((spec, j) => [spec.name, j] as const))(
      `%s matches finite differences to ${tolerance}`,
      (name, j) => {
        const value = p[name];
        const h = 1e-4 * Math.abs(value);
        const numeric = centralDifferenceVector(
          (v) => simulate(yakopcic, { ...p, [name]: v }, input).current,
          value,
          h,
        );
        const analytic = gradient[j] as Float64Array;
        const floor = roundingFloor(current, h, tolerance);
        expect(entrywiseRelativeError(analytic, numeric, floor)).toBeLessThanOrEqual(tolerance);
      },
    );
  },
);

it("every parameter moves the current in one of the 1e-6 cases", () => {
  const reach = yakopcicParameters.map((spec, j) =>
    Math.max(
      ...gradientCases.slice(0, 2).map(({ x0, sweep }) => {
        const { current, gradient } = simulateWithGradient(yakopcic, p, { ...sweep, x0 });
        const scale = Math.max(...(gradient[j] as Float64Array).map(Math.abs));
        return (scale * Math.abs(p[spec.name])) / Math.max(...current.map(Math.abs));
      }),
    ),
  );
  for (const r of reach) expect(r).toBeGreaterThan(1e-6);
});
