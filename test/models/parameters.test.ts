/** Every model declares its parameters as data that others can rely on, and refuses (never clips) bad values. */
import { describe, expect, it } from "vitest";
import { advance, simulate, simulateWithGradient } from "../../src/models/memristor/index.js";
import { checkParameters, ParameterRangeError } from "../../src/models/parameters.js";
import { modelRows } from "./support/models.js";

describe.each(modelRows)("%s", (_id, model) => {
  it("declares one parameter per key of its defaults, each with unit, meaning and a default inside its bounds", () => {
    expect(model.parameters.map((s) => s.name).sort()).toEqual(Object.keys(model.defaults).sort());
    for (const spec of model.parameters) {
      expect(spec.unit).not.toBe("");
      expect(spec.meaning.length).toBeGreaterThan(10);
      expect(spec.min).toBeLessThan(spec.max);
      expect(spec.default).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
      expect(model.defaults[spec.name]).toBe(spec.default);
    }
    expect(() => checkParameters(model.id, model.parameters, model.defaults)).not.toThrow();
  });

  it("cites its source and names its state", () => {
    expect(model.citation).toMatch(/\(\d{4}\)/);
    expect(model.stateName).not.toBe("");
    expect(model.stateUnit).not.toBe("");
    const [lower, upper] = model.stateBounds(model.defaults);
    const x0 = model.initialState(model.defaults);
    expect(x0).toBeGreaterThanOrEqual(lower);
    expect(x0).toBeLessThanOrEqual(upper);
  });

  it.each(["below", "above", "NaN"] as const)(
    "refuses each parameter %s its bounds, naming it and the value",
    (where) => {
      const p = model.defaults;
      const input = {
        times: new Float64Array([0, 0.1]),
        voltages: new Float64Array([1, 1]),
        x0: model.initialState(p),
      };
      for (const spec of model.parameters) {
        const value =
          where === "below"
            ? spec.min - Math.abs(spec.min) - 1
            : where === "above"
              ? spec.max + Math.abs(spec.max) + 1
              : Number.NaN;
        const bad = { ...p, [spec.name]: value };
        for (const run of [
          () => simulate(model, bad, input),
          () => simulateWithGradient(model, bad, input),
          () => advance(model, bad, input.x0, 1, 0.1),
        ]) {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ParameterRangeError);
          expect((thrown as ParameterRangeError).parameter).toBe(spec.name);
          if (where !== "NaN") expect((thrown as ParameterRangeError).value).toBe(value);
        }
      }
    },
  );

  it("refuses an initial state outside its bounds and a waveform that goes back in time", () => {
    const p = model.defaults;
    const [lower, upper] = model.stateBounds(p);
    const times = new Float64Array([0, 0.1]);
    const voltages = new Float64Array([1, 1]);
    expect(() => simulate(model, p, { times, voltages, x0: upper + (upper - lower) })).toThrow(RangeError);
    expect(() => advance(model, p, lower - (upper - lower), 1, 0.1)).toThrow(/outside/);
    expect(() => simulate(model, p, { times: new Float64Array([0.1, 0]), voltages, x0: lower })).toThrow(
      /goes back/,
    );
    expect(() => simulate(model, p, { times, voltages: new Float64Array([1]), x0: lower })).toThrow(
      /voltages/,
    );
    expect(() => advance(model, p, lower, 1, -1)).toThrow(/hold time/);
  });
});
