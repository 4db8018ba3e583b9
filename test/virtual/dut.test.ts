/** Devices under test: the ohmic resistor, the memristor DUT, and the hidden truth of the default one. */
import { describe, expect, it } from "vitest";
import { vteam } from "../../src/models/memristor/index.js";
import { checkParameters, ParameterRangeError } from "../../src/models/parameters.js";
import {
  defaultDut,
  MemristorDut,
  ResistorDut,
  TRUE_VTEAM_PARAMS,
  VirtualKeithley2400,
} from "../../src/virtual/index.js";

describe("ResistorDut", () => {
  it.each([
    [1000, 1, 1e-3],
    [1000, -2, -2e-3],
    [50, 0, 0],
  ])("%f Ω at %f V passes %f A", (ohms, volts, amps) => {
    const dut = new ResistorDut(ohms);
    expect(dut.applyVoltage(volts, 1)).toBeCloseTo(amps, 15);
    expect(dut.resistance()).toBe(ohms);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %f Ω", (ohms) => {
    expect(() => new ResistorDut(ohms)).toThrow(RangeError);
  });
});

describe("MemristorDut", () => {
  const fresh = () => new MemristorDut({ model: vteam, params: vteam.defaults });

  it("starts in the model's initial state", () => {
    const dut = fresh();
    expect(dut.state).toBe(vteam.initialState(vteam.defaults));
    expect(dut.resistance()).toBeCloseTo(vteam.resistance(dut.state, vteam.defaults), 9);
  });

  it("does not move below the thresholds, and returns the model's current", () => {
    const dut = fresh();
    const before = dut.state;
    const current = dut.applyVoltage(0.3, 10);
    expect(dut.state).toBe(before);
    expect(current).toBe(vteam.current(before, 0.3, vteam.defaults));
  });

  it("switches to low resistance under a negative pulse and back under a positive one", () => {
    const dut = fresh();
    const high = dut.resistance();
    dut.applyVoltage(-1.5, 5);
    expect(dut.resistance()).toBeCloseTo(vteam.defaults.rOn, 6);
    dut.applyVoltage(1.5, 5);
    expect(dut.resistance()).toBeCloseTo(high, 6);
  });

  it("returns to x0 on reset", () => {
    const dut = new MemristorDut({ model: vteam, params: vteam.defaults, x0: 1e-9 });
    dut.applyVoltage(2, 5);
    dut.reset();
    expect(dut.state).toBe(1e-9);
  });

  it("refuses parameters out of their bounds when built", () => {
    expect(() => new MemristorDut({ model: vteam, params: { ...vteam.defaults, rOn: -1 } })).toThrow(
      ParameterRangeError,
    );
  });

  it("refuses a state outside the model's bounds", () => {
    expect(() => new MemristorDut({ model: vteam, params: vteam.defaults, x0: 1 })).toThrow(RangeError);
  });
});

describe("the default DUT's hidden truth", () => {
  it("lies inside the parameter bounds", () => {
    expect(() => checkParameters(vteam.id, vteam.parameters, TRUE_VTEAM_PARAMS)).not.toThrow();
  });

  it("differs from the model's defaults by 10 to 30 % on the main parameters", () => {
    for (const name of ["rOn", "rOff", "kOn", "kOff", "vOn", "vOff"] as const) {
      const ratio = TRUE_VTEAM_PARAMS[name] / vteam.defaults[name];
      expect(Math.abs(ratio - 1), name).toBeGreaterThanOrEqual(0.1 - 1e-12);
      expect(Math.abs(ratio - 1), name).toBeLessThanOrEqual(0.3 + 1e-12);
    }
  });

  it("is what the virtual 2400 holds unless told otherwise", () => {
    const dut = new VirtualKeithley2400().dut;
    expect(dut).toBeInstanceOf(MemristorDut);
    expect((dut as MemristorDut<typeof TRUE_VTEAM_PARAMS>).params).toEqual(TRUE_VTEAM_PARAMS);
    expect(defaultDut().resistance()).toBeCloseTo(TRUE_VTEAM_PARAMS.rOff, 6);
  });

  it("shows a pinched hysteresis loop in a bipolar list sweep through the instrument", () => {
    const k = new VirtualKeithley2400({ noise: false });
    const up = [0, 0.4, 0.8, 1.2, 0.8, 0.4, 0, -0.4, -0.8, -1.2, -0.8, -0.4];
    k.handleLine(`:SENS:CURR:PROT 0.01;:SENS:CURR:NPLC 10;:OUTP ON;:FORM:ELEM VOLT,CURR`);
    k.handleLine(`:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT ${up.join(",")};:TRIG:COUN ${up.length};:ARM:COUN 2`);
    const values = (k.handleLine(":READ?")[0] ?? "").split(",").map(Number);
    const current = (i: number) => values[2 * i + 1] ?? Number.NaN;
    // Second cycle: the device has been set low-resistive by the negative half of the first.
    const at = (volts: number) => up.flatMap((v, i) => (v === volts ? [current(up.length + i)] : []));
    const [rising, falling] = at(0.8);
    expect(Math.abs((rising ?? 0) - (falling ?? 0))).toBeGreaterThan(0.05 * Math.abs(rising ?? 0));
    expect(current(up.length)).toBe(0); // pinched at the origin
  });
});
