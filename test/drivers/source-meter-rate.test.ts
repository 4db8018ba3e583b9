/**
 * The ramp-rate limit of the source-meter kind, checked through what the
 * virtual 2400 records of its terminals (`onSource`, stamped on the bench
 * clock) — never through the driver's belief. The driver's session runs on
 * the same event clock, so its pacing is the instrument's time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SafetyLimitError } from "../../src/drivers/errors.js";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import { type BenchClock, createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import type { SourceState } from "../../src/virtual/index.js";
import { ResistorDut } from "../../src/virtual/index.js";
import { serveVirtualKeithley2400, type VirtualServer } from "../../src/virtual/server.js";

const LIMITS = {
  maxAbsVoltage: 2,
  maxAbsCurrent: 0.01,
  maxVoltageStep: 0.1,
  maxCurrentStep: 1e-4,
  maxVoltageRate: 1,
  maxCurrentRate: 1e-3,
};

let clock: BenchClock;
let server: VirtualServer;
let driver: Keithley2400;
const states: SourceState[] = [];

afterEach(async () => {
  await driver?.close();
  await server?.close();
  clock?.close();
  states.length = 0;
});

async function setUp(): Promise<void> {
  clock = createBenchClock("event");
  server = await serveVirtualKeithley2400({
    clock,
    dut: new ResistorDut(1000),
    noise: false,
    onSource: (state) => states.push(state),
  });
  driver = await connectKeithley2400(server.tcpResource ?? "", { limits: LIMITS, timebase: clock });
  await driver.sourceMode.set("voltage");
  await driver.complianceCurrent.set(0.005);
  await driver.outputEnabled.set(true);
}

/** The applied voltage levels with their bench-clock times, output on, from the record. */
function appliedLevels(): Array<{ time: number; level: number }> {
  return states
    .filter((state) => state.outputEnabled && state.sourceFunction === "VOLT")
    .map(({ time, level }) => ({ time, level }));
}

describe("the ramp-rate limit", () => {
  it("paces a ramp so that no change between levels the instrument applied is faster than the limit", async () => {
    await setUp();
    await driver.rampTo(1);
    const applied = appliedLevels();
    expect(applied.at(-1)?.level).toBeCloseTo(1, 12);
    expect(applied.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < applied.length; i++) {
      const before = applied[i - 1] as { time: number; level: number };
      const now = applied[i] as { time: number; level: number };
      const change = Math.abs(now.level - before.level);
      if (change === 0) continue;
      // 0.1 V at 1 V/s: at least 0.1 s of the instrument's time between changes.
      expect(change / (now.time - before.time)).toBeLessThanOrEqual(LIMITS.maxVoltageRate * (1 + 1e-9));
    }
    // Ten steps of 0.1 V, each after 0.1 s of the instrument's time: 1 s from the output going on at 0 V.
    expect((applied.at(-1)?.time ?? 0) - (applied[0]?.time ?? 0)).toBeGreaterThanOrEqual(1 - 1e-9);
  });

  it("paces a shutdown's ramp down too", async () => {
    await setUp();
    await driver.rampTo(0.5);
    const mark = states.length;
    await driver.shutdown();
    const down = states.slice(mark).filter((state) => state.outputEnabled);
    for (let i = 1; i < down.length; i++) {
      const before = down[i - 1] as SourceState;
      const now = down[i] as SourceState;
      const change = Math.abs(now.level - before.level);
      if (change > 0) expect(change / (now.time - before.time)).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(states.at(-1)?.outputEnabled).toBe(false);
  });

  it("refuses a hardware sweep whose points can be shorter than step ÷ rate, before anything moves", async () => {
    await setUp();
    await driver.nplc.set(0.01);
    await driver.sourceDelayAutoEnabled.set(false);
    await driver.sourceDelay.set(0);
    const before = states.length;
    // 0.1 V steps every 0.01/60 s at the shortest: 600 V/s against 1 V/s.
    const error = await driver.hardwareSweep([0.1, 0.2, 0.1]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxVoltageRate");
    expect((error as SafetyLimitError).requested).toBeCloseTo(0.1 / (0.01 / 60), 6);
    expect(states.length).toBe(before);
  });

  it("runs the same sweep once each point lasts long enough for the rate", async () => {
    await setUp();
    await driver.nplc.set(0.01);
    await driver.sourceDelayAutoEnabled.set(false);
    await driver.sourceDelay.set(0.1);
    const columns = await driver.hardwareSweep([0.1, 0.2, 0.1]);
    expect(Array.from(columns.voltage)).toEqual([0.1, 0.2, 0.1]);
  });
});
