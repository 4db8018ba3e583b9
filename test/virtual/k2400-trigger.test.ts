/** Sweeps, lists, the trigger model, timing and the reading buffer (manual §9, §10, §11). */
import { describe, expect, it } from "vitest";
import { COMMAND_LATENCY } from "../../src/virtual/index.js";
import { DEFAULT_READING_TIME, k2400 } from "./k2400-helpers.js";

/** Set-up that lets a 1 kΩ DUT take ±10 V without compliance, and reads V and TIME. */
const OPEN_LIMIT = ":SENS:CURR:PROT 0.1;:OUTP ON;:FORM:ELEM VOLT,TIME";

describe("source sequences", () => {
  it.each([
    [
      "a list, in its order",
      ":SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 0.1,-0.2,0.3;:TRIG:COUN 3",
      [0.1, -0.2, 0.3],
    ],
    [
      "a linear sweep",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:STAR -1;STOP 1;:SOUR:SWE:POIN 5;:TRIG:COUN 5",
      [-1, -0.5, 0, 0.5, 1],
    ],
    [
      "a linear sweep set by step",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:STAR 0;STOP 1;STEP 0.25;:TRIG:COUN 5",
      [0, 0.25, 0.5, 0.75, 1],
    ],
    [
      "a sweep downwards",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:STAR 0;STOP 2;:SOUR:SWE:POIN 3;DIR DOWN;:TRIG:COUN 3",
      [2, 1, 0],
    ],
    [
      "a logarithmic sweep",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:STAR 0.01;STOP 1;:SOUR:SWE:POIN 3;SPAC LOG;:TRIG:COUN 3",
      [0.01, 0.1, 1],
    ],
    [
      "a sweep by centre and span",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:CENT 1;SPAN 2;:SOUR:SWE:POIN 3;:TRIG:COUN 3",
      [0, 1, 2],
    ],
    [
      "a list again when the count is longer",
      ":SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,2;:TRIG:COUN 5",
      [1, 2, 1, 2, 1],
    ],
    [
      "a sweep per arm pass",
      ":SOUR:VOLT:MODE SWE;:SOUR:VOLT:STAR 1;STOP 2;:SOUR:SWE:POIN 2;:TRIG:COUN 2;:ARM:COUN 3",
      [1, 2, 1, 2, 1, 2],
    ],
    ["an appended list", ":SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1;VOLT:APP 2,3;:TRIG:COUN 3", [1, 2, 3]],
    ["the fixed level on every trigger", ":SOUR:VOLT 0.7;:TRIG:COUN 3", [0.7, 0.7, 0.7]],
  ])("applies %s", async (_name, setup, levels) => {
    const { send, port, numbers, errors } = k2400();
    await send(OPEN_LIMIT);
    await send(setup);
    expect(await errors()).toEqual([]);
    const readings = await numbers(":READ?", 2);
    // The level the port was driven with when each reading was taken.
    expect(port.reads.map((r) => r.drive)).toEqual(
      levels.map((v) => ({ mode: "voltage", level: expect.closeTo(v, 12), limit: 0.1 })),
    );
    expect(readings.map(([v]) => v)).toEqual(levels.map((v) => expect.closeTo(v, 6)));
    // Each reading's timestamp is one source-delay-measure cycle after the last. The first cycle starts
    // after four lines' COMMAND_LATENCY (OPEN_LIMIT, the set-up, the one :SYST:ERR? of errors(), :READ?).
    expect(readings.map(([, t]) => t)).toEqual(
      levels.map((_, i) => expect.closeTo(4 * COMMAND_LATENCY + (i + 1) * DEFAULT_READING_TIME, 6)),
    );
  });

  it("sweeps a current source through the DUT", async () => {
    const { send, numbers } = k2400({ ohms: 100 });
    await send(":SOUR:FUNC CURR;:SENS:FUNC 'VOLT';:SENS:VOLT:PROT 10;:OUTP ON;:FORM:ELEM VOLT,CURR");
    await send(":SOUR:CURR:MODE LIST;:SOUR:LIST:CURR 1e-3,2e-3;:TRIG:COUN 2");
    expect(await numbers(":READ?", 2)).toEqual([
      [0.1, 1e-3],
      [0.2, 2e-3],
    ]);
  });

  it("refuses a log sweep through zero when it starts (-221)", async () => {
    const { send, errors, port } = k2400();
    await send(`${OPEN_LIMIT};:SOUR:VOLT:MODE SWE;:SOUR:SWE:SPAC LOG;:SOUR:VOLT:STAR 0;STOP 1`);
    const before = port.calls.length;
    expect(await send(":READ?")).toBeUndefined();
    expect(await errors()).toEqual([-221]);
    // :READ? neither drove a level nor took a reading.
    expect(port.calls.slice(before)).toEqual([]);
    expect(port.reads).toEqual([]);
  });

  it("stops a sweep at compliance when told to (:SOUR:SWE:CAB)", async () => {
    const { send, numbers } = k2400();
    await send(":SENS:CURR:PROT 1.5e-3;:OUTP ON;:FORM:ELEM CURR");
    await send(":SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,2,3;:TRIG:COUN 3;:SOUR:SWE:CAB LATE");
    expect(await numbers(":READ?", 1)).toEqual([[1e-3], [1.5e-3]]);
  });

  it("outputs a level beyond a fixed sweep range at the range's full scale (:SOUR:SWE:RANG FIX)", async () => {
    const { send, port } = k2400();
    await send(
      `${OPEN_LIMIT};:SOUR:VOLT:RANG 2;:SOUR:SWE:RANG FIX;:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,5;:TRIG:COUN 2;:READ?`,
    );
    expect(port.reads.map((r) => r.drive.level)).toEqual([1, 2.1]);
  });
});

describe("timing", () => {
  /** Hold time of each source-delay-measure cycle, s. */
  const holdTimes = async (setup: string, options: { sourceDelay?: number } = {}): Promise<number[]> => {
    const { send, port, clock, errors } = k2400(options);
    // *OPC? makes the clock reach the set-up line's time (a line with no reply costs no wait).
    await send(`${OPEN_LIMIT};:TRIG:COUN 2;${setup};*OPC?`);
    const start = clock.now();
    await send(":READ?");
    expect(await errors()).toEqual([]);
    // Over the :READ? line the device first holds the bias for the line's COMMAND_LATENCY (a hold that
    // did not exist when lines took no time), then each cycle's level until its reading.
    const [latency, ...cycles] = port.holds(start);
    expect(latency).toEqual({ mode: "voltage", level: 0, dt: expect.closeTo(COMMAND_LATENCY, 12) });
    expect(port.cycles().map((c) => c.held)).toEqual(cycles.map((h) => h.dt));
    return cycles.map((h) => h.dt);
  };

  it.each([
    ["*OPC", DEFAULT_READING_TIME],
    [":SOUR:DEL 0.05", 0.05 + 1 / 60 + 0.001],
    [":SENS:CURR:NPLC 10", 0.001 + 10 / 60 + 0.001],
    [":SENS:CURR:NPLC 0.01", 0.001 + 0.01 / 60 + 0.001],
    [":SYST:LFR 50", 0.001 + 1 / 50 + 0.001],
    [":SENS:AVER ON;AVER:COUN 4", 0.001 + 4 / 60 + 0.001],
    [":SENS:AVER ON;AVER:COUN 4;TCON MOV", DEFAULT_READING_TIME],
  ])("%s holds each level %f s", async (setup, seconds) => {
    expect(await holdTimes(setup)).toEqual([expect.closeTo(seconds, 12), expect.closeTo(seconds, 12)]);
  });

  it("uses the power-on source delay it was given", async () => {
    expect((await holdTimes("*OPC", { sourceDelay: 0.2 }))[0]).toBeCloseTo(0.2 + 1 / 60 + 0.001, 12);
  });

  it("waits the trigger delay before each source action, holding the previous level", async () => {
    const { send, port, clock, numbers } = k2400();
    await send(`${OPEN_LIMIT};:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,2;:TRIG:COUN 2;:TRIG:DEL 0.5;*OPC?`);
    const start = clock.now();
    const times = (await numbers(":READ?", 2)).map(([, t]) => t);
    // Both lines' COMMAND_LATENCY passes before the first trigger delay.
    expect(times).toEqual([
      expect.closeTo(2 * COMMAND_LATENCY + 0.5 + DEFAULT_READING_TIME, 6),
      expect.closeTo(2 * COMMAND_LATENCY + 2 * (0.5 + DEFAULT_READING_TIME), 6),
    ]);
    // What the device saw over the :READ? line: the bias (0 V) through the line's COMMAND_LATENCY and the
    // first delay (0.5 s when lines took no time), level 1 for its cycle, then through the second delay,
    // level 2 for its cycle.
    expect(port.holds(start).map((h) => [h.level, h.dt])).toEqual([
      [0, expect.closeTo(COMMAND_LATENCY + 0.5, 12)],
      [1, expect.closeTo(DEFAULT_READING_TIME, 12)],
      [1, expect.closeTo(0.5, 12)],
      [2, expect.closeTo(DEFAULT_READING_TIME, 12)],
    ]);
  });

  it("spaces arm passes by the arm timer", async () => {
    const { send, numbers } = k2400();
    await send(`${OPEN_LIMIT};:ARM:SOUR TIM;:ARM:TIM 1;:ARM:COUN 2`);
    const times = (await numbers(":READ?", 2)).map(([, t]) => t);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeCloseTo(1 + DEFAULT_READING_TIME, 6);
  });

  it("keeps simulated time apart from the wall clock", async () => {
    const { send, instrument } = k2400();
    const started = Date.now();
    await send(`${OPEN_LIMIT};:SENS:CURR:NPLC 10;:TRIG:COUN 100;:READ?`);
    // The one line's COMMAND_LATENCY, then 100 readings (it was 100 readings alone when lines took no time).
    expect(instrument.time).toBeCloseTo(COMMAND_LATENCY + 100 * (0.002 + 10 / 60), 6);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("the reading buffer and its statistics (manual §9, Table 9-2)", () => {
  it("stores ten readings of the manual's data-store example and gives their mean", async () => {
    const { send, errors } = k2400();
    await send(
      "*RST;:SOUR:VOLT 10;:SENS:CURR:PROT 0.1;:TRAC:FEED SENS;:TRAC:POIN 10;:TRAC:FEED:CONT NEXT;:TRIG:COUN 10;:OUTP ON",
    );
    await send(":INIT");
    expect(await errors()).toEqual([]);
    expect(await send(":TRAC:POIN:ACT?;:TRAC:FEED:CONT?")).toBe("10;NEV");
    const data = ((await send(":TRACE:DATA?")) ?? "").split(",").map(Number);
    expect(data).toHaveLength(50);
    expect(data.filter((_, i) => i % 5 === 1)).toEqual(Array(10).fill(1e-2));
    expect(data.filter((_, i) => i % 5 === 3)).toEqual(
      Array.from({ length: 10 }, (_, i) => expect.closeTo(i * DEFAULT_READING_TIME, 6)),
    );
    expect(await send(":CALC3:FORM MEAN;:CALC3:DATA?;")).toBe("+1.000000E-02");
    expect(await send(":CALC3:FORM PKPK;:CALC3:DATA?")).toBe("+0.000000E+00");
  });

  it("gives one statistic per measured function, in V, I, R order", async () => {
    const { send } = k2400();
    await send(
      ":SENS:FUNC:ALL;:SENS:RES:MODE MAN;:SENS:CURR:PROT 0.1;:OUTP ON;:TRAC:POIN 2;:TRAC:FEED:CONT NEXT",
    );
    await send(":SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,3;:TRIG:COUN 2;:INIT");
    expect(await send(":CALC3:FORM MAX;:CALC3:DATA?")).toBe("+3.000000E+00,+3.000000E-03,+1.000000E+03");
    expect(await send(":CALC3:FORM MIN;:CALC3:DATA?")).toBe("+1.000000E+00,+1.000000E-03,+1.000000E+03");
  });

  it("returns 9.91E37 for the statistics of an empty buffer", async () => {
    expect(await k2400().send(":CALC3:DATA?")).toBe("+9.910000E+37");
  });

  it("gives delta timestamps on request", async () => {
    const { send } = k2400();
    await send(
      `${OPEN_LIMIT};:TRAC:POIN 3;:TRAC:FEED:CONT NEXT;:TRAC:TST:FORM DELT;:TRIG:COUN 3;:INIT;:FORM:ELEM TIME`,
    );
    const times = ((await send(":TRAC:DATA?")) ?? "").split(",").map(Number);
    expect(times).toEqual([
      0,
      expect.closeTo(DEFAULT_READING_TIME, 6),
      expect.closeTo(DEFAULT_READING_TIME, 6),
    ]);
  });

  it("reports a full buffer through the status byte, as PyMeasure's wait_for_buffer polls it", async () => {
    const { send } = k2400();
    await send(":STAT:PRES;*CLS;*SRE 1;:STAT:MEAS:ENAB 512;");
    await send(":TRAC:CLEAR;:TRAC:POIN 3;:TRIG:COUN 3;:TRAC:FEED SENSE;:TRAC:FEED:CONT NEXT;");
    await send(`${OPEN_LIMIT};:TRIG:COUN 2;:INIT`);
    expect(await send("*STB?")).toBe("0");
    await send(":INIT");
    expect(await send("*STB?")).toBe("65");
    expect(await send(":STAT:MEAS?")).toBe(String((1 << 9) | (1 << 8) | (1 << 6)));
    expect(await send("*STB?")).toBe("0");
  });

  it.each([":TRAC:CLE", ":DATA:CLE"])("is emptied by %s", async (clear) => {
    const { send } = k2400();
    await send(`${OPEN_LIMIT};:TRAC:FEED:CONT NEXT;:INIT`);
    await send(clear);
    expect(await send(":TRAC:POIN:ACT?;:TRAC:FREE?")).toBe("0;50000,0");
  });
});

describe("bus triggers", () => {
  it("waits after :INIT with arm source BUS and takes a pass per *TRG", async () => {
    const { send, errors, port } = k2400();
    await send(`${OPEN_LIMIT};:ARM:SOUR BUS;:ARM:COUN 2;:TRIG:COUN 2;:INIT`);
    expect(port.reads).toHaveLength(0);
    expect(Number(await send(":STAT:OPER:COND?")) & (1 << 6)).toBe(1 << 6);
    await send("*TRG");
    expect(port.reads).toHaveLength(2);
    await send("*TRG");
    expect(port.reads).toHaveLength(4);
    expect((await send(":FETC?"))?.split(",")).toHaveLength(8);
    await send("*TRG");
    expect(await errors()).toEqual([-211]);
  });

  it("is stopped by :ABORt", async () => {
    const { send, errors } = k2400();
    await send(`${OPEN_LIMIT};:ARM:SOUR BUS;:INIT;:ABOR;*TRG`);
    expect(await errors()).toEqual([-211]);
  });

  it.each([
    [":ARM:SOUR BUS", -214],
    [":ARM:COUN INF", 830],
  ])("refuses :READ? with %s (%i)", async (setup, code) => {
    const { send, errors } = k2400();
    await send(`${OPEN_LIMIT};${setup}`);
    expect(await send(":READ?")).toBeUndefined();
    expect(await errors()).toEqual([code]);
  });
});

describe("after a sweep", () => {
  it("holds the bias level during the next trigger delay", async () => {
    const { send, port, clock } = k2400();
    await send(`${OPEN_LIMIT};:SOUR:VOLT 0.2;:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT 1,2;:TRIG:COUN 2;:READ?`);
    const start = clock.now();
    await send(":SOUR:VOLT:MODE FIX;:TRIG:COUN 1;:TRIG:DEL 0.1;:READ?");
    // Over the second line: the bias 0.2 V through its COMMAND_LATENCY and the trigger delay, then the
    // fixed level 0.2 V for the cycle.
    expect(port.holds(start)).toEqual([
      { mode: "voltage", level: 0.2, dt: expect.closeTo(COMMAND_LATENCY + 0.1, 12) },
      { mode: "voltage", level: 0.2, dt: expect.closeTo(DEFAULT_READING_TIME, 12) },
    ]);
  });
});
