/** The virtual 2450's readings: the device's physics, compliance, timing on the bench clock, list and linear sweeps. */
import { describe, expect, it } from "vitest";
import { k2450 } from "./k2450-helpers.js";

/** Auto source delay 1 ms + 1 PLC at 60 Hz + 1 ms overhead. */
const READING_TIME = 0.001 + 1 / 60 + 0.001;

const numbers = (reply: string | undefined) => (reply ?? "").split(",").map(Number);

describe("readings are the device's operating point", () => {
  it.each([
    [1000, 1, 1e-3],
    [470, -2, -2 / 470],
    [1e6, 5, 5e-6],
  ])("sourcing V across %d Ω: V/R", async (ohms, volts, amps) => {
    const { send } = k2450({ ohms });
    const [reading, source] = numbers(
      await send(
        `:SOUR:VOLT:ILIM 0.1;:SOUR:VOLT ${volts};:SENS:FUNC "CURR";:OUTP ON;:READ? "defbuffer1", READ, SOUR`,
      ),
    );
    // To the 7 significant digits of the reply.
    expect((reading as number) / amps).toBeCloseTo(1, 6);
    expect(source).toBe(volts);
  });

  it("sourcing I, measures V = I·R, and R itself", async () => {
    const { send } = k2450({ ohms: 2200 });
    await send(':SOUR:FUNC CURR;:SOUR:CURR 1e-3;:SOUR:CURR:VLIM 10;:SENS:FUNC "VOLT";:OUTP ON');
    expect(Number(await send(":READ?"))).toBeCloseTo(2.2, 12);
    expect(Number(await send(":MEAS:RES?"))).toBeCloseTo(2200, 8);
  });

  it("limits the current at :ILIM (compliance): the reading is the limit, and the trip is reported", async () => {
    const { send, port } = k2450({ ohms: 100 });
    const [current, voltage, status = 0, sourceStatus = 0] = numbers(
      await send(
        ':SOUR:VOLT:ILIM 1e-3;:SOUR:VOLT 1;:SENS:FUNC "CURR";:OUTP ON;:READ? "defbuffer1", READ, SOUR, STAT, SOURSTAT',
      ),
    );
    expect(current).toBeCloseTo(1e-3, 12);
    // Read back: the voltage the limited source really puts out, I·R.
    expect(voltage).toBeCloseTo(0.1, 12);
    expect(status & 2).toBe(2); // STAT_QUESTIONABLE
    expect(sourceStatus & 32).toBe(32); // STAT_LIMIT
    expect(await send(":SOUR:VOLT:ILIM:TRIP?")).toBe("1");
    expect(port.reads.at(-1)?.drive).toEqual({ mode: "voltage", level: 1, limit: 1e-3 });
    await send(":SOUR:VOLT 0.05;:READ?");
    expect(await send(":SOUR:VOLT:ILIM:TRIP?")).toBe("0");
  });

  it("with read-back off, SOURce is the programmed level", async () => {
    const { send } = k2450({ ohms: 100 });
    await send(":SOUR:VOLT:ILIM 1e-3;:SOUR:VOLT 1;:SOUR:VOLT:READ:BACK OFF;:OUTP ON");
    expect(numbers(await send(':READ? "defbuffer1", SOUR'))[0]).toBe(1);
  });

  it("a fixed measure range too low for the value overflows (9.9E37)", async () => {
    const { send } = k2450({ ohms: 1000 });
    await send(":SOUR:VOLT:ILIM 0.1;:SOUR:VOLT 1;:SENS:CURR:RANG 1e-5;:OUTP ON");
    expect(await send(":READ?")).toBe("9.900000E+37");
  });

  it("with the output off the terminals are open: no current", async () => {
    const { send } = k2450();
    expect(await send(":SOUR:VOLT 1;:READ?")).toBe("0.000000E+00");
  });

  it("holds the output between commands, and turns it off with :OUTP OFF", async () => {
    const { send, port, clock } = k2450();
    await send(":SOUR:VOLT 0.5;:OUTP ON");
    await clock.sleep(0.1);
    await send(":OUTP OFF");
    const held = port.holds(0).filter((h) => h.mode === "voltage");
    expect(held.reduce((t, h) => t + h.dt, 0)).toBeCloseTo(0.1, 9);
    expect(held.every((h) => h.level === 0.5)).toBe(true);
  });
});

describe("timing on the bench clock", () => {
  it("a reading takes the source delay and the integration, and RELative is the bench-clock time since the buffer's first", async () => {
    const { send, port } = k2450();
    await send(":SOUR:VOLT 1;:SOUR:VOLT:ILIM 0.1;:SENS:CURR:NPLC 2;:OUTP ON;:SENS:COUN 3");
    const rel = numbers(await send(':READ? "defbuffer1", REL'));
    expect(rel).toHaveLength(1);
    const data = numbers(await send(':TRAC:DATA? 1, 3, "defbuffer1", REL'));
    const ends = port.reads.map((r) => r.time);
    expect(data).toEqual(ends.map((t) => Number((t - (ends[0] as number)).toExponential(6))));
    expect((ends[1] as number) - (ends[0] as number)).toBeCloseTo(0.001 + 2 / 60 + 0.001, 12);
    expect(port.cycles()[0]?.held).toBeCloseTo(0.001 + 2 / 60 + 0.001, 12);
  });

  it("a manual source delay replaces the auto delay", async () => {
    const { send, port } = k2450();
    await send(":SOUR:VOLT:DEL 0.2;:OUTP ON;:READ?");
    expect(port.cycles()[0]?.held).toBeCloseTo(0.2 + 1 / 60 + 0.001, 12);
  });
});

describe("list sweeps", () => {
  it("builds the list in :APP chunks, runs it with :INIT, and *WAI waits for it; one SDM per point", async () => {
    const { send, port, clock, errors } = k2450();
    const levels = Array.from({ length: 250 }, (_, i) => (i + 1) / 100);
    await send(':SOUR:VOLT:ILIM 0.1;:SENS:FUNC "CURR"');
    await send(`:SOUR:LIST:VOLT ${levels.slice(0, 100).join(",")}`);
    await send(`:SOUR:LIST:VOLT:APP ${levels.slice(100, 200).join(",")}`);
    await send(`:SOURce:LIST:VOLTage:APPend ${levels.slice(200).join(",")}`);
    expect(await send(":SOUR:LIST:VOLT:POIN?")).toBe("250");
    await send(':SOUR:SWE:VOLT:LIST 1, 0.01, 1, OFF, "defbuffer2"');
    const started = clock.now();
    await send(":INIT");
    await send("*WAI");
    expect(await send(':TRAC:ACT? "defbuffer2"')).toBe("250");
    const data = numbers(await send(':TRAC:DATA? 1, 250, "defbuffer2", READ, SOUR, REL'));
    const reads = port.reads;
    expect(reads.map((r) => r.drive.level)).toEqual(levels);
    for (let i = 0; i < 250; i++) {
      expect(data[3 * i]).toBeCloseTo((levels[i] as number) / 1000, 12);
      expect(data[3 * i + 1]).toBeCloseTo(levels[i] as number, 12);
      // RELative: the bench-clock difference of the SDM ends, to its 7 significant digits.
      expect(data[3 * i + 2]).toBeCloseTo((reads[i]?.time as number) - (reads[0]?.time as number), 6);
    }
    // Each point held its 10 ms delay and the integration before its reading.
    for (const cycle of port.cycles()) expect(cycle.held).toBeCloseTo(0.01 + 1 / 60 + 0.001, 12);
    expect(clock.now() - started).toBeGreaterThanOrEqual(250 * (0.01 + 1 / 60 + 0.001));
    // The output went on for the sweep and rests at the programmed level (0 V) after it.
    expect(await send(":OUTP?")).toBe("1");
    expect(port.calls.at(-1)?.drive.level).toBe(0);
    expect(await errors()).toEqual([]);
  });

  it("*OPC? answers once the sweep is done; a start index and a count repeat part of the list", async () => {
    const { send, port } = k2450();
    await send(":SOUR:VOLT:ILIM 0.1;:SOUR:LIST:VOLT 0.1,0.2,0.3,0.4;:SOUR:SWE:VOLT:LIST 3, -1, 2");
    expect(await send(":INIT;*OPC?")).toBe("1");
    expect(port.reads.map((r) => r.drive.level)).toEqual([0.3, 0.4, 0.3, 0.4]);
    expect(port.cycles()[0]?.held).toBeCloseTo(READING_TIME, 12);
    expect(await send(":TRAC:ACT?")).toBe("4");
  });

  it("failAbort stops the sweep at the first limited point", async () => {
    const { send, port } = k2450({ ohms: 100 });
    await send(":SOUR:VOLT:ILIM 5e-3;:SOUR:LIST:VOLT 0.1,0.2,0.6,0.7;:SOUR:SWE:VOLT:LIST 1, 0, 1, ON");
    await send(":INIT;*WAI");
    expect(port.reads.map((r) => r.drive.level)).toEqual([0.1, 0.2, 0.6]);
  });

  it("a linear sweep, and its dual (up and back down)", async () => {
    const { send, port } = k2450();
    await send(":SOUR:VOLT:ILIM 0.1;:SOUR:SWE:VOLT:LIN 0, 1, 5, 0.001, 1, BEST, OFF, ON");
    await send(":INIT;*WAI");
    expect(port.reads.map((r) => r.drive.level)).toEqual([0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0]);
  });

  it("a current list sweep; the sweep's function must be the source function (-221)", async () => {
    const { send, port, errors } = k2450();
    await send(":SOUR:LIST:CURR 1e-4,2e-4;:SOUR:SWE:CURR:LIST 1");
    expect(await errors()).toEqual([-221]);
    await send(":SOUR:FUNC CURR;:SOUR:CURR:VLIM 10;:SOUR:SWE:CURR:LIST 1;:INIT;*WAI");
    expect(port.reads.map((r) => r.drive)).toEqual([
      { mode: "current", level: 1e-4, limit: 10 },
      { mode: "current", level: 2e-4, limit: 10 },
    ]);
  });

  it(':TRIG:LOAD "SimpleLoop" takes count readings at the present level', async () => {
    const { send } = k2450();
    await send(':SOUR:VOLT 1;:SOUR:VOLT:ILIM 0.1;:TRIG:LOAD "SimpleLoop", 3;:INIT;*WAI');
    expect(await send(":TRAC:DATA? 1, 3")).toBe("1.000000E-03,1.000000E-03,1.000000E-03");
  });
});
