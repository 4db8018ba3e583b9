/** What the virtual 2400 reads: data strings, compliance, the output-off error, noise (manual §17, §18 FORMat, §6). */
import { describe, expect, it } from "vitest";
import { COMMAND_LATENCY, ResistorDut, STATUS_WORD, VirtualKeithley2400 } from "../../src/virtual/index.js";
import { DEFAULT_READING_TIME, k2400, PYMEASURE_EXCHANGE } from "./k2400-helpers.js";

/** Status word of these tests' usual set-up: front terminals, I measured, V sourced. */
const FRONT_I_MEAS_V_SOUR =
  STATUS_WORD.FRONT_TERMINALS | STATUS_WORD.MEASURE_CURRENT | STATUS_WORD.SOURCE_VOLTAGE;

describe(":READ? data strings", () => {
  it("sends voltage, current, resistance, time and status in exponent form", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 1");
    // TIME: two lines, each COMMAND_LATENCY (0.5 ms) before it runs, then one reading at the defaults
    // (DEFAULT_READING_TIME, 18.66667 ms): 19.66667 ms (18.66667 ms when lines took no time).
    expect(await send(":READ?")).toBe(
      "+1.000000E+00,+1.000000E-03,+9.910000E+37,+1.966667E-02,+2.048400E+04",
    );
    expect(FRONT_I_MEAS_V_SOUR).toBe(20484);
  });

  it.each([
    ["VOLT", "+1.000000E+00"],
    ["CURR", "+1.000000E-03"],
    ["RES", "+9.910000E+37"],
    ["TIME", "+1.966667E-02"], // 2 × COMMAND_LATENCY + DEFAULT_READING_TIME, as above
    ["STAT", "+2.048400E+04"],
    ["STAT,CURR", "+1.000000E-03,+2.048400E+04"],
    ["CURRENT,VOLTAGE", "+1.000000E+00,+1.000000E-03"],
  ])(":FORM:ELEM %s → %s", async (elements, reply) => {
    const { send } = k2400();
    await send(`:SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 1;:FORM:ELEM ${elements}`);
    expect(await send(":READ?")).toBe(reply);
  });

  it("reproduces the manual's example string: 10 kΩ, source 100 µA, measure V, I and Ω (Figure 18-1)", async () => {
    const { send } = k2400({ ohms: 10e3 });
    await send(":SOUR:FUNC CURR;:SOUR:CURR 100e-6;:SENS:FUNC:ALL;:OUTP ON");
    // TIME: 2 × COMMAND_LATENCY + DEFAULT_READING_TIME (two lines before the reading), as above.
    expect(await send(":READ?")).toBe(
      "+1.000000E+00,+1.000000E-04,+1.000000E+04,+1.966667E-02,+4.813200E+04",
    );
  });

  it("computes manual ohms as V/I", async () => {
    const { send } = k2400({ ohms: 4700 });
    await send(
      ":SENS:FUNC:ALL;:SENS:RES:MODE MAN;:SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 2;:FORM:ELEM RES,STAT",
    );
    const [resistance, status] = ((await send(":READ?")) ?? "").split(",").map(Number);
    expect(resistance).toBeCloseTo(4700, 6);
    expect(status).toBe(FRONT_I_MEAS_V_SOUR | STATUS_WORD.MEASURE_VOLTAGE | STATUS_WORD.MEASURE_RESISTANCE);
  });

  it("flags remote sense, rear terminals and the filter in the status word", async () => {
    const { send } = k2400();
    await send(":SYST:RSEN ON;:ROUT:TERM REAR;:SENS:AVER ON;:SENS:CURR:PROT 0.1;:OUTP ON;:FORM:ELEM STAT");
    expect(Number(await send(":READ?"))).toBe(
      STATUS_WORD.REMOTE_SENSE |
        STATUS_WORD.FILTER |
        STATUS_WORD.MEASURE_CURRENT |
        STATUS_WORD.SOURCE_VOLTAGE,
    );
  });

  it("reads an open circuit's resistance as overflow", async () => {
    const { send } = k2400();
    await send(":SENS:FUNC:ALL;:SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 0;:FORM:ELEM RES,STAT");
    const [resistance, status] = ((await send(":READ?")) ?? "").split(",").map(Number);
    expect(resistance).toBe(9.9e37);
    expect((status ?? 0) & STATUS_WORD.OVERFLOW).toBe(STATUS_WORD.OVERFLOW);
  });

  it("answers :FETCh? and :SENS:DATA? with the last readings without measuring again", async () => {
    const { send, port } = k2400();
    await send(":SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 1;:TRIG:COUN 2;:FORM:ELEM CURR,TIME;:INIT");
    const calls = port.calls.length;
    // TIME: the one line's COMMAND_LATENCY, then 1 and 2 readings at the defaults:
    // 0.5 + 18.66667 = 19.16667 ms and 0.5 + 2 × 18.66667 = 37.83333 ms (18.66667 and 37.33333 ms before).
    expect(await send(":FETC?")).toBe("+1.000000E-03,+1.916667E-02,+1.000000E-03,+3.783333E-02");
    expect(await send(":SENS:DATA?")).toBe("+1.000000E-03,+3.783333E-02");
    // Neither drove the port nor read it.
    expect(port.calls.length).toBe(calls);
  });

  it("restarts the timestamp on :SYST:TIME:RES", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 0.1;:OUTP ON;:FORM:ELEM TIME");
    await send(":READ?");
    await send(":READ?");
    await send(":SYST:TIME:RES");
    // The :READ? line's COMMAND_LATENCY passes after the reset, before its reading.
    expect(Number(await send(":READ?"))).toBeCloseTo(COMMAND_LATENCY + DEFAULT_READING_TIME, 7);
  });
});

describe("the output must be on (manual Appendix B, +803)", () => {
  it.each([":READ?", ":INIT"])("%s with the output off queues +803 and returns nothing", async (message) => {
    const { send, errors, port } = k2400();
    expect(await send(message)).toBeUndefined();
    expect(await errors()).toEqual([803]);
    // Nothing reached the device: no level driven, no reading taken.
    expect(port.driven).toEqual([]);
    expect(port.reads).toEqual([]);
  });

  it("names the error as Table B-1 does and sets EXE", async () => {
    const { send } = k2400();
    await send("*ESR?;:READ?");
    expect(await send(":SYST:ERR?")).toBe('803,"Not permitted with OUTPUT off"');
    expect(await send("*ESR?")).toBe("16");
  });

  it("turns the output on for :MEASure? and leaves it on", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 0.1;:SOUR:VOLT 2");
    // TIME: 2 × COMMAND_LATENCY + DEFAULT_READING_TIME (two lines before the reading).
    expect(await send(":MEAS:CURR?")).toBe(
      "+2.000000E+00,+2.000000E-03,+9.910000E+37,+1.966667E-02,+2.048400E+04",
    );
    expect(await send(":OUTP?")).toBe("1");
  });

  it(":CONFigure selects one function and turns the output on", async () => {
    const { send } = k2400();
    await send(":SENS:FUNC:ALL;:CONF:VOLT");
    expect(await send(":CONF?;:SENS:FUNC?;:OUTP?")).toBe('"VOLT:DC";"VOLT:DC";1');
  });

  it("with auto output-off, reads with the output off and leaves it off", async () => {
    const { send, errors } = k2400();
    await send(":SOUR:CLE:AUTO ON;:SENS:CURR:PROT 0.1;:SOUR:VOLT 1;:FORM:ELEM CURR");
    expect(await send(":READ?")).toBe("+1.000000E-03");
    expect(await send(":OUTP?")).toBe("0");
    expect(await errors()).toEqual([]);
  });

  it("says there is nothing to fetch before any reading (-230)", async () => {
    const { send, errors } = k2400();
    expect(await send(":FETC?")).toBeUndefined();
    expect(await errors()).toEqual([-230]);
  });
});

describe("compliance (manual §6)", () => {
  it("limits the current of the V-source and sets the compliance bit", async () => {
    const { send } = k2400();
    await send(
      ":SENS:FUNC 'VOLT','CURR';:SENS:CURR:PROT 1e-3;:OUTP ON;:SOUR:VOLT 5;:FORM:ELEM VOLT,CURR,STAT",
    );
    const [voltage, current, status] = ((await send(":READ?")) ?? "").split(",").map(Number);
    expect(current).toBe(1e-3);
    expect(voltage).toBe(1); // the V-source gives way: 1 mA through 1 kΩ
    expect((status ?? 0) & STATUS_WORD.COMPLIANCE).toBe(STATUS_WORD.COMPLIANCE);
    expect(await send(":SENS:CURR:PROT:TRIP?;:SENS:VOLT:PROT:TRIP?")).toBe("1;0");
    expect(Number(await send(":STAT:MEAS:COND?")) & (1 << 14)).toBe(1 << 14);
  });

  it("shows the programmed level when the sourced quantity is not measured", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 1e-3;:OUTP ON;:SOUR:VOLT 5;:FORM:ELEM VOLT,CURR");
    expect(await send(":READ?")).toBe("+5.000000E+00,+1.000000E-03");
  });

  it("clears the trip once the limit is raised", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 1e-3;:OUTP ON;:SOUR:VOLT 5;:READ?");
    await send(":SENS:CURR:PROT 10e-3");
    // TIME: three lines' COMMAND_LATENCY and two readings at the defaults: 1.5 + 2 × 18.66667 = 38.83333 ms
    // (37.33333 ms when lines took no time).
    expect(await send(":READ?;:SENS:CURR:PROT:TRIP?")).toBe(
      "+5.000000E+00,+5.000000E-03,+9.910000E+37,+3.883333E-02,+2.048400E+04;0",
    );
  });

  it("limits the voltage of the I-source", async () => {
    const { send } = k2400();
    await send(
      ":SOUR:FUNC CURR;:SENS:FUNC 'VOLT','CURR';:SENS:VOLT:PROT 5;:OUTP ON;:SOUR:CURR 10e-3;:FORM:ELEM VOLT,CURR,STAT",
    );
    const [voltage, current, status] = ((await send(":READ?")) ?? "").split(",").map(Number);
    expect(voltage).toBe(5);
    expect(current).toBeCloseTo(5e-3, 15);
    expect((status ?? 0) & STATUS_WORD.COMPLIANCE).toBe(STATUS_WORD.COMPLIANCE);
    expect(await send(":SENS:VOLT:PROT:TRIP?")).toBe("1");
  });

  it("uses a lower fixed measure range as the limit: range compliance, bit 16", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 0.1;:SENS:CURR:RANG 1e-3;:OUTP ON;:SOUR:VOLT 5;:FORM:ELEM CURR,STAT");
    const [current, status] = ((await send(":READ?")) ?? "").split(",").map(Number);
    expect(current).toBe(1.05e-3);
    expect((status ?? 0) & (STATUS_WORD.RANGE_COMPLIANCE | STATUS_WORD.COMPLIANCE)).toBe(
      STATUS_WORD.RANGE_COMPLIANCE,
    );
  });

  it("autoranges the measurement to the reading", async () => {
    const { send } = k2400();
    await send(":SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 5;:READ?");
    expect(await send(":SENS:CURR:RANG?")).toBe("+1.050000E-02");
  });
});

describe("noise", () => {
  const currents = async (instrument: VirtualKeithley2400, n: number): Promise<number[]> => {
    await instrument.handleLine(`:SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 1;:FORM:ELEM CURR;:TRIG:COUN ${n}`);
    return ((await instrument.handleLine(":READ?"))[0] ?? "").split(",").map(Number);
  };
  const spread = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  };
  const noisy = (seed: number, noise?: { gain: number; rangeFraction: number }) =>
    new VirtualKeithley2400({ dut: new ResistorDut(1000), seed, ...(noise && { noise }) });

  it("is reproducible for a seed and differs between seeds", async () => {
    expect(await currents(noisy(7), 20)).toEqual(await currents(noisy(7), 20));
    expect(await currents(noisy(7), 20)).not.toEqual(await currents(noisy(8), 20));
  });

  it("has the spread its spec gives: gain·|I| + fraction·range, over √NPLC", async () => {
    const spec = { gain: 1e-4, rangeFraction: 1e-4 };
    const expected = spec.gain * 1e-3 + spec.rangeFraction * 1.05e-3;
    const atOnePlc = spread(await currents(noisy(3, spec), 2000));
    expect(atOnePlc / expected).toBeGreaterThan(0.9);
    expect(atOnePlc / expected).toBeLessThan(1.1);
    const fast = noisy(3, spec);
    await fast.handleLine(":SENS:CURR:NPLC 0.01");
    expect(spread(await currents(fast, 2000)) / atOnePlc).toBeGreaterThan(8);
  });

  it("is off with noise: false", async () => {
    const exact = new VirtualKeithley2400({ dut: new ResistorDut(1000), noise: false });
    expect(new Set(await currents(exact, 5))).toEqual(new Set([1e-3]));
  });
});

describe("a third-party driver's exchange (PyMeasure Keithley2400)", () => {
  it("replays exactly", async () => {
    const { send } = k2400();
    const replies: Array<string | undefined> = [];
    for (const [sent] of PYMEASURE_EXCHANGE) replies.push(await send(sent));
    expect(replies).toEqual(PYMEASURE_EXCHANGE.map(([, reply]) => reply));
  });
});
