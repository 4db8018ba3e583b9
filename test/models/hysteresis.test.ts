/**
 * The fingerprints of a memristor (Chua & Kang 1976; Adhikari et al., IEEE
 * TCAS-I 60, 3008 (2013)): the I-V loop under a bipolar periodic drive is
 * pinched at the origin, and its lobes shrink as the frequency rises.
 * Each model is driven at its own scale, around its characteristic sweep
 * (support/models.ts). For the bench defaults that is ±1 V at 1 Hz, and the
 * clearly open loop at half and a quarter of it is what the virtual bench
 * needs: the sweeps a Keithley runs (±1–1.5 V, ~20 ms per point, 100–200
 * points per cycle).
 */
import { describe, expect, it } from "vitest";
import { simulate, stateAtFraction, stateFraction } from "../../src/models/memristor/index.js";
import { modelRows } from "./support/models.js";
import { lobeArea, sineSweep } from "./support/waveforms.js";

describe.each(modelRows)("%s", (_id, model, { amplitude, frequency }) => {
  const p = model.defaults;

  it("passes no current at zero voltage, whatever its state", () => {
    for (let s = 0; s <= 10; s++) {
      expect(model.current(stateAtFraction(model, p, s / 10), 0, p)).toBe(0);
    }
  });

  it("swings its state over 10–40 % of its range in the second cycle of its characteristic sweep", () => {
    const sweep = sineSweep(amplitude, frequency, 2, 100);
    const { state } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
    // In the physical state's range (the logit models' state is stretched: stateFraction).
    const second = state.subarray(100).map((s) => stateFraction(model, p, s));
    const swing = Math.max(...second) - Math.min(...second);
    expect(swing).toBeGreaterThan(0.1);
    expect(swing).toBeLessThan(0.4);
  });

  it("draws a loop through the origin: every zero-voltage sample of a sweep has zero current", () => {
    const sweep = sineSweep(amplitude, frequency, 2, 100);
    const { current } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
    const zeroVoltage = [...sweep.voltages.keys()].filter(
      (k) => Math.abs(sweep.voltages[k] as number) < 1e-12,
    );
    expect(zeroVoltage.length).toBeGreaterThanOrEqual(3);
    for (const k of zeroVoltage) expect(Math.abs(current[k] as number)).toBeLessThan(1e-15);
  });

  it.each([
    [1, 0.5, 120],
    [1.5, 0.25, 192],
  ])(
    "shows a clearly open loop at %s× its amplitude, %s× its frequency, %s points per cycle (bench defaults: ~17–21 ms per point, like the virtual Keithley)",
    (amplitudeScale, frequencyScale, perCycle) => {
      const sweep = sineSweep(amplitudeScale * amplitude, frequencyScale * frequency, 2, perCycle);
      const { current } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
      // Second cycle: the loop the device settles into.
      const v = sweep.voltages.subarray(perCycle);
      const i = current.subarray(perCycle);
      const peak = Math.max(...i.map(Math.abs));
      // Lobe area relative to the V·I box: 0 for a resistor.
      expect(lobeArea(v, i) / (amplitudeScale * amplitude * peak)).toBeGreaterThan(0.1);
      // At +amplitude/2 the rising and the falling branch differ by more than 1.5×.
      const rising = i[perCycle / 12 - 1] as number;
      const falling = i[(5 * perCycle) / 12 - 1] as number;
      expect(v[perCycle / 12 - 1]).toBeCloseTo((amplitudeScale * amplitude) / 2, 12);
      expect(v[(5 * perCycle) / 12 - 1]).toBeCloseTo((amplitudeScale * amplitude) / 2, 12);
      expect(Math.max(rising / falling, falling / rising)).toBeGreaterThan(1.5);
    },
  );

  it("has lobes that shrink as the frequency rises (1, 2 and 4× its characteristic sweep's)", () => {
    const areas = [1, 2, 4].map((scale) => {
      const sweep = sineSweep(amplitude, scale * frequency, 2, 200);
      const { current } = simulate(model, p, { ...sweep, x0: model.initialState(p) });
      return lobeArea(sweep.voltages.subarray(200), current.subarray(200));
    });
    expect(areas[0]).toBeGreaterThan(0);
    expect(areas[1]).toBeLessThan(0.7 * (areas[0] as number));
    expect(areas[2]).toBeLessThan(0.7 * (areas[1] as number));
  });
});
