/**
 * The optical plans on the virtual bench, through the drivers, against the
 * demo chip's model at its true parameters (issue 16, "Acceptance"):
 *
 * - a stepped spectrum equals P_set · T_model(λ_set) point by point, with
 *   the chip's state (its temperature, ambient drift included) at each
 *   reading, within the noise the virtual instruments add — each point's
 *   tolerance is stated from those noises below;
 * - the heater-tuning plan's efficiency (resonance shift per watt of the
 *   heater's own V·I) equals the model's for the same heater powers within
 *   the plan's standard error;
 * - a continuous sweep at 10 nm/s and a stepped scan of the same span find
 *   the resonance at the same wavelength within the swept plan's stated
 *   timing bound.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchFileOf } from "../../src/bench/embedded.js";
import { type Bench, openBench } from "../../src/bench/open.js";
import { chipLayout } from "../../src/models/chip/index.js";
import { ELEMENTARY_CHARGE } from "../../src/models/constants.js";
import { heaterTuning } from "../../src/plans/heater-tuning.js";
import type { PlanContext } from "../../src/plans/iv.js";
import { findDips } from "../../src/plans/spectrum-analysis.js";
import { type SpectrumBatch, steppedSpectrum, sweptSpectrum } from "../../src/plans/transmission.js";
import {
  CURRENT_RANGES,
  DEFAULT_LASER_NOISE,
  RANGE_NOISE_FRACTION,
  responsivityAt,
  S144C,
  SAMPLE_TIME,
  serveVirtualBench,
  type VirtualBench,
  type VirtualBenchSpec,
} from "../../src/virtual/index.js";
import { rangeFor } from "../../src/virtual/ranges.js";

/** The ring's resonance near 1554 nm on the demo chip's hidden truth (about 92 pm wide, 5.3 dB deep). */
const RESONANCE = 1553.94e-9;
const POWER = 1e-3;

const SPEC: VirtualBenchSpec = {
  clock: "event",
  clockControl: false,
  instruments: {
    smu2: { model: "keithley2450", port: "heater" },
    laser: { model: "santec-tsl570" },
    meter: { model: "thorlabs-pm100" },
  },
};

let virtual: VirtualBench;
let bench: Bench;
/** Every look of the meter at the fibres: when, the chip's state then. */
const looks: Array<{ time: number; state: Float64Array }> = [];

beforeAll(async () => {
  virtual = await serveVirtualBench(SPEC);
  const fibres = virtual.fibres;
  const readAt = fibres.readAt.bind(fibres);
  fibres.readAt = (time) => {
    looks.push({ time, state: virtual.chip.state() });
    return readAt(time);
  };
  const file = benchFileOf(virtual, SPEC);
  bench = await openBench(
    {
      instruments: {
        ...file.instruments,
        // The heater takes a few volts at a few milliamps (R_h ≈ 1.1 kΩ).
        smu2: { ...file.instruments.smu2, limits: { maxAbsVoltage: 10, maxAbsCurrent: 0.01 } },
      },
    },
    { timebase: virtual.clock },
  );
});
afterAll(async () => {
  await bench?.close();
  await virtual?.close();
});

function context(): PlanContext<SpectrumBatch> {
  return { timebase: virtual.clock, emit: () => undefined };
}

/** The model's transmission of the ring path at `wavelength` with the chip in `state`. */
function model(state: Float64Array, wavelength: number): number {
  return virtual.chip.backend.transmission(state, wavelength, "ring");
}

describe("stepped spectrum through the drivers", () => {
  it("is P_set · T_model(λ) at every point, within the noise the virtual laser and meter add", async () => {
    looks.length = 0;
    const result = await steppedSpectrum(
      bench.laser(),
      bench.powerMeter(),
      { start: RESONANCE - 0.4e-9, stop: RESONANCE + 0.4e-9, step: 5e-12, power: POWER, path: "ring" },
      context(),
    );
    const { wavelength, power } = result.spectrum;
    expect(result.points).toBe(161);
    expect(looks).toHaveLength(161);
    // One look per reading (averaging count 1): σ of each term below for one 3 ms sample.
    const samples = 1;
    const rin = Math.sqrt(
      10 ** (DEFAULT_LASER_NOISE.relativeIntensityNoise / 10) * DEFAULT_LASER_NOISE.noiseBandwidth,
    );
    const peak = Math.max(...S144C.responsivity.values);
    let worst = 0;
    for (let k = 0; k < wavelength.length; k++) {
      const λ = wavelength[k] as number;
      const state = looks[k]?.state as Float64Array;
      const expected = POWER * model(state, λ);
      // Repeatability: the laser lands within ±1 pm of its setpoint; the slope turns that into power.
      const slope = Math.abs(model(state, λ + 0.5e-12) - model(state, λ - 0.5e-12)) / 1e-12;
      const repeatability = POWER * slope * DEFAULT_LASER_NOISE.wavelengthRepeatability * 1.01;
      // The meter: shot noise in 1/(2T), the head's resolution, the console's range noise (core.ts #sense).
      const r = responsivityAt(S144C, λ);
      const current = r * expected;
      const shot = Math.sqrt(2 * ELEMENTARY_CHARGE * current * (1 / (2 * samples * SAMPLE_TIME)));
      const rangeNoise = RANGE_NOISE_FRACTION * rangeFor(CURRENT_RANGES, current);
      const meter = Math.sqrt(shot ** 2 + ((S144C.resolution * peak) ** 2 + rangeNoise ** 2) / samples) / r;
      // Systematics: the dark current (no zero was taken), and the correction wavelength up to 1 nm away.
      const dark = S144C.darkCurrent / r;
      const correction =
        expected *
        Math.max(
          Math.abs(responsivityAt(S144C, λ) / responsivityAt(S144C, λ - 1e-9) - 1),
          Math.abs(responsivityAt(S144C, λ) / responsivityAt(S144C, λ + 1e-9) - 1),
        );
      const sigma = Math.hypot(rin * expected, meter);
      const tolerance = 5 * sigma + repeatability + dark + correction;
      const deviation = Math.abs((power[k] as number) - expected);
      expect(deviation, `point ${k} at ${λ * 1e9} nm`).toBeLessThanOrEqual(tolerance);
      worst = Math.max(worst, deviation / tolerance);
    }
    // The tolerance is not loose by orders: the deviations use a fair share of it.
    expect(worst).toBeGreaterThan(0.05);
    // And the dip is the model's: the same analysis on the model's spectrum at the same points.
    const modelled = Float64Array.from(wavelength, (λ, k) => model(looks[k]?.state as Float64Array, λ));
    const [measuredDip] = result.spectrum.dips;
    const [modelDip] = findDips({ wavelength, transmission: modelled });
    expect(result.spectrum.dips).toHaveLength(1);
    expect(Math.abs((measuredDip?.wavelength ?? 0) - (modelDip?.wavelength ?? 1))).toBeLessThan(1e-12);
    expect(measuredDip?.depthDb).toBeCloseTo(modelDip?.depthDb ?? 0, 1);
    expect((measuredDip?.fwhm ?? 0) / (modelDip?.fwhm ?? 1)).toBeCloseTo(1, 1);
    expect(result.spectrum.path).toBe("ring");
  });
});

describe("the dark zero before a spectrum", () => {
  it("zeroes the meter with the laser's light off, so the head's dark current is not read as light", async () => {
    const meter = virtual.instruments.meter?.instrument as unknown as { readonly zeroCurrent: number };
    expect(meter.zeroCurrent).toBe(0);
    const result = await steppedSpectrum(
      bench.laser(),
      bench.powerMeter(),
      { start: RESONANCE - 2e-9, stop: RESONANCE - 1.9e-9, step: 20e-12, power: POWER, darkZero: true },
      context(),
    );
    // What the virtual meter holds is what it measured with no light: the S144C's 20 pA dark current
    // (within its noise); a zero taken with the light on would hold about 1e4 times that.
    expect(meter.zeroCurrent).toBeGreaterThan(0.5 * S144C.darkCurrent);
    expect(meter.zeroCurrent).toBeLessThan(2 * S144C.darkCurrent);
    // The driver gives the reply's seven digits.
    expect((result.darkOffset as number) / meter.zeroCurrent).toBeCloseTo(1, 6);
    // And the light is back on for the readings.
    expect(Math.min(...result.spectrum.power)).toBeGreaterThan(1e3 * S144C.darkCurrent);
  });
});

describe("swept and stepped", () => {
  it("a sweep at 10 nm/s finds the resonance where a stepped scan of the same span does, within its stated timing bound", async () => {
    const span = { start: RESONANCE - 0.45e-9, stop: RESONANCE + 0.45e-9, power: POWER };
    const swept = await sweptSpectrum(
      bench.laser(),
      bench.powerMeter(),
      { ...span, speed: 10e-9 },
      context(),
    );
    const stepped = await steppedSpectrum(
      bench.laser(),
      bench.powerMeter(),
      { ...span, step: 5e-12 },
      context(),
    );
    const [sweptDip] = swept.spectrum.dips;
    const [steppedDip] = stepped.spectrum.dips;
    expect(sweptDip).toBeDefined();
    expect(steppedDip).toBeDefined();
    const bound = swept.wavelengthUncertainty as number;
    expect(bound).toBeGreaterThan(0);
    expect(bound).toBeLessThan(20e-12);
    expect(Math.abs((sweptDip?.wavelength ?? 0) - (steppedDip?.wavelength ?? 1))).toBeLessThanOrEqual(bound);
    // The same dip: depths agree; the sweep's 3 ms window at 10 nm/s (30 pm) widens it a little.
    expect(Math.abs((sweptDip?.depthDb ?? 0) - (steppedDip?.depthDb ?? 0))).toBeLessThan(0.5);
    const widening = (sweptDip?.fwhm ?? 0) / (steppedDip?.fwhm ?? 1);
    expect(widening).toBeGreaterThan(0.97);
    expect(widening).toBeLessThan(1.25);
  });
});

describe("heater tuning", () => {
  it("measures the model's tuning efficiency (resonance shift per mW of the heater's own V·I) within its error", async () => {
    // Up to 1.2 mA (1.6 mW): the phase-change patch above the heater stays below its crystallisation
    // temperature (heater-coupling.test.ts: about 52 K of rise per 1.1 mW), so only the heater tunes the ring.
    const currents = [0, 0.2e-3, 0.4e-3, 0.6e-3, 0.8e-3, 1e-3, 1.2e-3];
    const result = await heaterTuning(
      bench.sourceMeter("smu2"),
      bench.laser(),
      bench.powerMeter(),
      {
        currents,
        compliance: 5,
        resonance: RESONANCE,
        span: 0.5e-9,
        step: 5e-12,
        power: POWER,
        settle: 1e-3,
      },
      context(),
    );
    expect(result.points).toHaveLength(currents.length);
    expect(result.fit).toBeDefined();
    // The model at the same heater powers, its resonances found the same way on the same grids.
    const modelResonances = result.points.map((point) => {
      const { wavelength } = point.spectrum;
      // The chip as it was at the scan's middle (its ambient drift, its patch), with the heater's
      // steady rise for the power measured across it: the model's resonance at that power.
      const middle = looks.find(
        (look) => look.time >= (point.spectrum.time[wavelength.length >> 1] as number),
      );
      const state = Float64Array.from(middle?.state ?? virtual.chip.state());
      state[chipLayout.HEATER_RISE] =
        (virtual.chip.params["thermal.resistance"] as number) * point.heaterPower;
      const transmission = Float64Array.from(wavelength, (λ) => model(state, λ));
      return findDips({ wavelength, transmission })[0]?.wavelength ?? Number.NaN;
    });
    const powers = result.points.map((p) => p.heaterPower);
    const slope = (b: readonly number[]) => {
      const n = powers.length;
      const mx = powers.reduce((s, x) => s + x, 0) / n;
      const my = b.reduce((s, y) => s + y, 0) / n;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) {
        sxy += ((powers[i] as number) - mx) * ((b[i] as number) - my);
        sxx += ((powers[i] as number) - mx) ** 2;
      }
      return sxy / sxx;
    };
    const modelSlope = slope(modelResonances);
    const fit = result.fit as NonNullable<typeof result.fit>;
    expect(Math.abs(fit.slope - modelSlope)).toBeLessThanOrEqual(3 * fit.slopeError);
    // About 160 pm/mW on the hidden truth (heater-coupling.test.ts: 176 pm for 1.1 mW).
    expect(result.efficiency?.pmPerMw).toBeGreaterThan(140);
    expect(result.efficiency?.pmPerMw).toBeLessThan(180);
    // The heater's power is its own V·I: I²R_h of the true heater.
    const rh = virtual.chip.params["heater.heaterResistance"] as number;
    for (const point of result.points) {
      expect(point.heaterPower).toBeCloseTo(point.measuredCurrent ** 2 * rh, 6);
    }
  });
});
