/** Every model declares its parameters as data that others can rely on, and refuses (never clips) bad values. */
import { describe, expect, it } from "vitest";
import { advance, simulate, simulateWithGradient } from "../../src/models/memristor/index.js";
import {
  checkParameters,
  ParameterRangeError,
  type ParameterSpec,
  UnknownParameterError,
} from "../../src/models/parameters.js";
import { type PhotonicModel, ringAddDrop, ringAllPass, waveguide } from "../../src/models/photonic/index.js";
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

/**
 * A key the table does not declare is refused, not ignored: ignored, a
 * misspelt name leaves the default in its place and the result looks
 * plausible (ringAllPass with "selfcoupling" gave the default ring).
 */
describe("keys a model does not declare", () => {
  const table: readonly ParameterSpec[] = [
    { name: "selfCoupling", unit: "1", default: 0.9, min: 0, max: 1, meaning: "r: self-coupling" },
    { name: "circumference", unit: "m", default: 1e-4, min: 1e-7, max: 1, meaning: "L: round trip" },
  ];
  const good = { selfCoupling: 0.9, circumference: 1e-4 };

  it.each([
    ["a misspelt name", "selfcoupling", "selfCoupling"],
    ["a typo", "circumferance", "circumference"],
    ["a name like none of them", "temperature", undefined],
  ])("refuses %s, naming it, the model and the closest declared name", (_what, key, suggestion) => {
    let thrown: unknown;
    try {
      checkParameters("ring", table, { ...good, [key]: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnknownParameterError);
    expect(thrown).toMatchObject({ model: "ring", parameter: key, suggestion });
    expect((thrown as Error).message).toContain(`ring: no parameter "${key}"`);
  });

  it("names a renamed key rather than the declared one it leaves missing", () => {
    // { selfcoupling } in place of { selfCoupling }: the misspelling is the news, not "selfCoupling = NaN".
    expect(() => checkParameters("ring", table, { selfcoupling: 0.9, circumference: 1e-4 } as never)).toThrow(
      'ring: no parameter "selfcoupling" (did you mean "selfCoupling"?)',
    );
  });

  it("accepts exactly the declared keys", () => {
    expect(() => checkParameters("ring", table, good)).not.toThrow();
  });

  it.each([
    ["ring-all-pass", "selfcoupling", ringAllPass as PhotonicModel],
    ["ring-add-drop", "selfCoupling", ringAddDrop as PhotonicModel],
    ["waveguide", "confinementFactor", waveguide as PhotonicModel],
  ])("%s refuses %s in sMatrix and its gradient", (id, key, model) => {
    const p = { ...model.defaults, [key]: 0.5 };
    for (const run of [() => model.sMatrix(p, 1.55e-6), () => model.sMatrixWithGradient(p, 1.55e-6)]) {
      expect(run).toThrow(UnknownParameterError);
      expect(run).toThrow(`${id}: no parameter "${key}"`);
    }
  });

  it.each(modelRows)("%s refuses an undeclared key in simulate, its gradient and advance", (_id, model) => {
    const p = { ...model.defaults, notAParameter: 1 };
    const input = { times: new Float64Array([0, 0.1]), voltages: new Float64Array([1, 1]), x0: 0 };
    const x0 = model.initialState(model.defaults);
    for (const run of [
      () => simulate(model, p, { ...input, x0 }),
      () => simulateWithGradient(model, p, { ...input, x0 }),
      () => advance(model, p, x0, 1, 0.1),
    ]) {
      expect(run).toThrow(UnknownParameterError);
    }
  });
});
