/**
 * The 2450 driver against the virtual Keithley 2450 over real wires — a
 * TCP socket and a serial PTY pair (socat) — on the demo chip's heater
 * terminals, with the driver's session on the bench's event clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InstrumentModeError, SafetyLimitError } from "../../src/drivers/errors.js";
import { connectKeithley2450 } from "../../src/drivers/instruments/connect-keithley2450.js";
import type { Keithley2450 } from "../../src/drivers/instruments/keithley2450.js";
import type { SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import {
  createBenchClock,
  ResistorDut,
  type SourceState,
  serveInstrument,
  serveVirtualBench,
  TwoTerminalPort,
  type VirtualBench,
  VirtualKeithley2450,
} from "../../src/virtual/index.js";

const LIMITS: SafetyLimitsInput = { maxAbsVoltage: 2, maxAbsCurrent: 0.02, maxVoltageStep: 0.5 };

let bench: VirtualBench;
const states: SourceState[] = [];
beforeAll(async () => {
  bench = await serveVirtualBench({
    clock: "event",
    clockControl: false,
    instruments: {
      smu2: {
        model: "keithley2450",
        port: "heater",
        serial: true,
        noise: false,
        onSource: (s) => states.push(s),
      },
    },
  });
});
afterAll(() => bench.close());

describe.each([
  ["TCP socket", () => bench.resources.instruments.smu2?.tcp],
  ["serial PTY", () => bench.resources.instruments.smu2?.serial],
])("virtual Keithley 2450 over a %s", (_, resourceOf) => {
  let k: Keithley2450;
  beforeAll(async () => {
    const resource = resourceOf();
    if (!resource) throw new Error("the virtual bench did not report this resource");
    k = await connectKeithley2450(resource, { limits: LIMITS, timeoutMs: 5000, timebase: bench.clock });
    await k.complianceCurrent.set(0.02);
    await k.outputEnabled.set(true);
  });
  afterEach(() => expect(bench.instruments.smu2?.instrument.internalErrors).toEqual([]));
  afterAll(async () => {
    await k.shutdown();
    await k.close();
  });

  it("connects and identifies a Model 2450 in SCPI mode", async () => {
    expect(await k.identify()).toMatchObject({ manufacturer: "KEITHLEY INSTRUMENTS", model: "MODEL 2450" });
    expect(await k.measureFunction.get()).toBe("current");
  });

  it("reads the heater's current at the voltage it applies: Ohm's law on the heater's own resistance", async () => {
    await k.rampTo(1);
    const reading = await k.read();
    expect(reading.voltage).toBeCloseTo(1, 9);
    const power = bench.chip.heaterPower();
    // P = V·I on the heater's terminals, as the chip itself reports it.
    expect(power).toBeCloseTo(reading.voltage * reading.current, 6);
    expect(reading.current).toBeGreaterThan(0);
  });

  it("runs a 150-point list sweep through the source list and the buffer, then is back at its bias", async () => {
    const levels = Array.from({ length: 150 }, (_, i) => 1 + 0.4 * Math.sin(i / 10));
    const columns = await k.hardwareSweep(levels);
    expect(columns.voltage).toHaveLength(150);
    columns.voltage.forEach((v, i) => {
      expect(v).toBeCloseTo(levels[i] ?? Number.NaN, 6);
    });
    expect(Array.from(columns.current).every((i) => i > 0)).toBe(true);
    // RELative time: the buffer's first reading is 0, and time runs on.
    expect(columns.time[0]).toBe(0);
    expect(Array.from(columns.time).every((t, i) => i === 0 || t > (columns.time[i - 1] ?? 0))).toBe(true);
    expect(await k.sourceVoltage.get()).toBeCloseTo(1, 9);
    expect(states.at(-1)).toMatchObject({ outputEnabled: true, level: 1 });
  });

  it("runs a software sweep point by point", async () => {
    const columns = await k.collectSoftwareSweep([1.2, 1.4, 1.2]);
    expect(Array.from(columns.voltage).map((v) => Math.round(v * 10) / 10)).toEqual([1.2, 1.4, 1.2]);
  });

  it("refuses a level past the limit without the instrument seeing it", async () => {
    const before = states.length;
    await expect(k.sourceVoltage.set(2.5)).rejects.toThrow(SafetyLimitError);
    expect(states.length).toBe(before);
  });

  it("shuts down: ramped to zero and the output off, as the instrument records it", async () => {
    await k.shutdown();
    expect(states.at(-1)).toMatchObject({ outputEnabled: false });
    const on = states.filter((s) => s.outputEnabled);
    expect(on.at(-1)?.level).toBe(0);
    await k.outputEnabled.set(true);
  });
});

describe("a virtual 2450 in its TSP command set", () => {
  it("is refused at connection with a clear error, and nothing was set", async () => {
    const clock = createBenchClock("event");
    const instrument = new VirtualKeithley2450({
      clock,
      port: new TwoTerminalPort(clock, new ResistorDut(1000)),
      language: "TSP",
    });
    const server = await serveInstrument(instrument, {});
    try {
      const error = await connectKeithley2450(server.tcpResource ?? "", { timeoutMs: 2000 }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(InstrumentModeError);
      expect((error as Error).message).toMatch(/TSP.*\*LANG SCPI/);
    } finally {
      await server.close();
      clock.close();
    }
  });
});
