/**
 * The phase-change cell: bounds of the fraction, no crystallisation at or
 * below T_x, the isothermal JMAK closed form, the exact heat balance, the
 * melt-quench rule and the accuracy of the step.
 */
import { describe, expect, it } from "vitest";
import { ParameterRangeError } from "../../../src/models/parameters.js";
import {
  BOLTZMANN,
  type CellParams,
  cellDefaults,
  cellParameters,
  crystallisationRate,
  fractionOf,
  progressOf,
  simulateCell,
  stepCell,
  thermalTimeConstant,
} from "../../../src/models/phase-change/index.js";
import { seededRandom } from "../support/waveforms.js";
import { pulseTrain } from "./support.js";

const p = cellDefaults;
const tau = thermalTimeConstant(p);
/** Power whose steady temperature is T. */
const powerFor = (q: CellParams, temperature: number) =>
  (temperature - q.ambientTemperature) / q.thermalResistance;

/** A parameter set drawn uniformly in log (or linearly where a bound is 0) inside the declared box. */
function drawParameters(random: () => number): CellParams {
  return Object.fromEntries(
    cellParameters.map((spec) => {
      const u = random();
      const value =
        spec.min > 0 ? spec.min * (spec.max / spec.min) ** u : spec.min + (spec.max - spec.min) * u;
      return [spec.name, Math.min(spec.max, Math.max(spec.min, value))];
    }),
  ) as CellParams;
}

describe("crystalline fraction stays in [0, 1]", () => {
  it.each([1, 2, 3])(
    "under 3000 random pulses (0–30 mW, 1 ps–1 µs) with random parameters, seed %i",
    (seed) => {
      const random = seededRandom(seed);
      for (let draw = 0; draw < 10; draw++) {
        const q = draw === 0 ? p : drawParameters(random);
        const n = 300;
        let t = 0;
        const times = Float64Array.from({ length: n }, () => (t += 10 ** (-12 + 6 * random())));
        const melt = powerFor(q, q.meltingTemperature);
        const powers = times.map(() => 2 * melt * random() ** 2);
        const { fraction, temperature } = simulateCell(q, {
          times,
          powers,
          initial: { temperature: q.ambientTemperature, fraction: random() },
          t0: 0,
        });
        for (let k = 0; k < n; k++) {
          expect(fraction[k]).toBeGreaterThanOrEqual(0);
          expect(fraction[k]).toBeLessThanOrEqual(1);
          expect(Number.isFinite(temperature[k])).toBe(true);
        }
      }
    },
  );
});

describe("no crystallisation at or below T_x", () => {
  it("the rate is zero at and below T_x and positive just above", () => {
    for (const temperature of [4, 300, 400, p.crystallisationTemperature]) {
      expect(crystallisationRate(p, temperature)).toBe(0);
    }
    expect(crystallisationRate(p, p.crystallisationTemperature * (1 + 1e-9))).toBeGreaterThan(0);
  });

  it.each([0, 0.3, 0.9])(
    "a cell at X = %s heated towards T_x (never above) keeps X exactly, for hours",
    (x0) => {
      for (const steady of [310, 400, p.crystallisationTemperature]) {
        const power = powerFor(p, steady);
        const times = Float64Array.from([1e-9, 1e-8, 1e-6, 1, 3600]);
        const { fraction } = simulateCell(p, {
          times,
          powers: times.map(() => power),
          initial: { temperature: 300, fraction: x0 },
          t0: 0,
        });
        // Unchanged to the bit from the first sample on; that one is x0 up to the X ↔ Θ round trip.
        expect(Math.abs((fraction[0] as number) - x0)).toBeLessThanOrEqual(2 * Number.EPSILON * x0);
        for (const x of fraction) expect(x).toBe(fraction[0]);
      }
    },
  );

  it("a hot cell cooling from above T_x stops crystallising when it crosses T_x", () => {
    const start = { temperature: 600, fraction: 0.2 };
    const crossing = tau * Math.log((600 - 300) / (p.crystallisationTemperature - 300));
    const atCrossing = stepCell(p, start, 0, crossing * (1 + 1e-12));
    const muchLater = stepCell(p, start, 0, 1);
    expect(atCrossing.fraction).toBeGreaterThan(0.2);
    expect(muchLater.fraction).toBeCloseTo(atCrossing.fraction, 12);
  });
});

describe("isothermal JMAK: X(t) = 1 − exp(−(kt)ⁿ)", () => {
  const cases = [
    [450, 3],
    [600, 3],
    [650, 2.5],
    [800, 1],
    [850, 4],
  ] as const;
  it.each(cases)("at %s K with n = %s, in one step or in 1000 uneven ones", (temperature, avrami) => {
    const q = { ...p, avramiExponent: avrami };
    const k = q.prefactor * Math.exp(-q.activationEnergy / (BOLTZMANN * temperature));
    expect(crystallisationRate(q, temperature)).toBe(k);
    const power = powerFor(q, temperature);
    const random = seededRandom(temperature);
    let t = 0;
    const times = Float64Array.from({ length: 1000 }, () => (t += (2 * random()) / (1000 * k)));
    const { fraction, temperature: temperatures } = simulateCell(q, {
      times,
      powers: times.map(() => power),
      initial: { temperature, fraction: 0 },
      t0: 0,
    });
    for (let j = 0; j < times.length; j++) {
      const expected = -Math.expm1(-((k * (times[j] as number)) ** avrami));
      expect(Math.abs((fraction[j] as number) - expected)).toBeLessThanOrEqual(1e-13 * expected);
      expect(temperatures[j]).toBeCloseTo(temperature, 9);
    }
    const once = stepCell(q, { temperature, fraction: 0 }, power, t);
    expect(once.fraction).toBeCloseTo(fraction[times.length - 1] as number, 13);
  });

  it("continues from a given X as if from time t(X) = (−ln(1 − X))^{1/n}/k", () => {
    const temperature = 640;
    const k = crystallisationRate(p, temperature);
    const x0 = 0.25;
    const t0 = (-Math.log(1 - x0)) ** (1 / p.avramiExponent) / k;
    const later = stepCell(p, { temperature, fraction: x0 }, powerFor(p, temperature), 50e-9);
    expect(later.fraction).toBeCloseTo(-Math.expm1(-((k * (t0 + 50e-9)) ** p.avramiExponent)), 13);
  });
});

describe("heat balance C dT/dt = P − (T − T_amb)/R_th", () => {
  it("follows T_ss + (T0 − T_ss)e^{−t/τ} exactly, whatever the steps", () => {
    const random = seededRandom(4);
    const power = 4e-3;
    const steady = p.ambientTemperature + power * p.thermalResistance;
    let t = 0;
    const times = Float64Array.from({ length: 200 }, () => (t += 0.1 * tau * random()));
    const { temperature } = simulateCell(p, {
      times,
      powers: times.map(() => power),
      initial: { temperature: 300, fraction: 0 },
      t0: 0,
    });
    times.forEach((time, j) => {
      expect(temperature[j]).toBeCloseTo(steady + (300 - steady) * Math.exp(-time / tau), 10);
    });
  });
});

describe("melt-quench", () => {
  it("a crystalline cell melted and quenched (τ = 0.75 ns) is amorphous", () => {
    const input = pulseTrain(
      [
        [12e-3, 20e-9],
        [0, 20e-9],
      ],
      1e-11,
      { temperature: 300, fraction: 1 },
    );
    const { fraction, temperature } = simulateCell(p, input);
    expect(Math.max(...temperature)).toBeGreaterThan(p.meltingTemperature);
    expect(fraction[fraction.length - 1]).toBeLessThan(1e-4);
  });

  it("is X = 0 exactly while molten", () => {
    const molten = stepCell(p, { temperature: 300, fraction: 0.7 }, 12e-3, 10e-9);
    expect(molten.temperature).toBeGreaterThan(p.meltingTemperature);
    expect(molten.fraction).toBe(0);
  });

  it("recrystallises during a slow quench (C × 1000: τ = 0.75 µs)", () => {
    const slow = { ...p, heatCapacity: 1000 * p.heatCapacity };
    const input = pulseTrain(
      [
        [12e-3, 5e-6],
        [0, 10e-6],
      ],
      1e-9,
      { temperature: 300, fraction: 0 },
    );
    const { fraction } = simulateCell(slow, input);
    expect(fraction[fraction.length - 1]).toBeGreaterThan(0.99);
  });

  it("a SET pulse (6 mW, 200 ns: ~660 K) crystallises an amorphous cell", () => {
    const { fraction } = simulateCell(
      p,
      pulseTrain(
        [
          [6e-3, 200e-9],
          [0, 20e-9],
        ],
        1e-10,
      ),
    );
    expect(fraction[fraction.length - 1]).toBeGreaterThan(0.9);
  });
});

describe("the step's accuracy while the temperature moves", () => {
  // SET pulse (6 mW, 100 ns) then cooling: reference with 1 ps steps.
  const segments = [
    [6e-3, 100e-9],
    [0, 20e-9],
  ] as const;
  const final = (dt: number) => {
    const { fraction } = simulateCell(p, pulseTrain(segments, dt));
    return fraction[fraction.length - 1] as number;
  };
  const reference = final(1e-12);
  it("is second order in dt, and within 2e-3 of the fine solution even at dt > τ", () => {
    const errors = [1e-9, 1e-10, 1e-11].map((dt) => Math.abs(final(dt) - reference));
    expect(errors[0]).toBeLessThan(2e-3 * reference);
    expect((errors[0] as number) / (errors[1] as number)).toBeGreaterThan(50);
    expect((errors[1] as number) / (errors[2] as number)).toBeGreaterThan(50);
  });
});

describe("validation", () => {
  it.each([
    [
      "a parameter out of bounds",
      () => stepCell({ ...p, avramiExponent: 5 }, { temperature: 300, fraction: 0 }, 0, 1),
      ParameterRangeError,
    ],
    ["a fraction above 1", () => stepCell(p, { temperature: 300, fraction: 1.5 }, 0, 1), RangeError],
    ["a negative power", () => stepCell(p, { temperature: 300, fraction: 0 }, -1e-3, 1), RangeError],
    ["a negative dt", () => stepCell(p, { temperature: 300, fraction: 0 }, 0, -1), RangeError],
    ["a zero temperature", () => stepCell(p, { temperature: 0, fraction: 0 }, 0, 1), RangeError],
    [
      "times going back",
      () =>
        simulateCell(p, {
          times: Float64Array.from([2, 1]),
          powers: Float64Array.from([0, 0]),
          initial: { temperature: 300, fraction: 0 },
        }),
      RangeError,
    ],
    // Finite, but T_amb + P·R_th overflows: the step would return NaN.
    [
      "a power whose steady temperature is not finite",
      () => stepCell(p, { temperature: 300, fraction: 0.5 }, 1e305, 1e-9),
      /power = 1e\+305 W gives a steady temperature/,
    ],
    [
      "such a power in a trace, by its index",
      () =>
        simulateCell(p, {
          times: Float64Array.from([1e-9, 2e-9]),
          powers: Float64Array.from([0, 1e305]),
          initial: { temperature: 300, fraction: 0 },
        }),
      /power\[1\] = 1e\+305 W/,
    ],
    ["a NaN temperature for the rate", () => crystallisationRate(p, Number.NaN), /temperature NaN K/],
    ["a negative Avrami progress", () => fractionOf(-1, 3), /progress Θ = -1/],
    ["a fraction above 1 to convert", () => progressOf(1.5, 3), /fraction 1.5/],
    ["an Avrami exponent out of bounds", () => fractionOf(0.5, 9), ParameterRangeError],
  ] as const)("refuses %s", (_what, run, expected) => {
    expect(run).toThrow(expected);
  });

  it("converts between X and Θ at the ends and back (X = 1 is Θ = ∞)", () => {
    expect(progressOf(0, 3)).toBe(0);
    expect(progressOf(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(fractionOf(Number.POSITIVE_INFINITY, 3)).toBe(1);
    expect(fractionOf(progressOf(0.7, 2.5), 2.5)).toBeCloseTo(0.7, 15);
  });
});
