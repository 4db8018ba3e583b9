/**
 * The Santec TSL and Thorlabs PM100 drivers against the virtual TSL-570 and
 * PM100USB over real wires — TCP sockets and serial PTY pairs (socat) —
 * on the demo chip's fibre array, each driver's session on the bench's
 * event clock. What the safety checks refused is read from the virtual
 * instruments' own state, never from the drivers' belief.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BlockFormatError,
  NoSensorError,
  OperationTimeoutError,
  SafetyLimitError,
  SettingRangeError,
} from "../../src/drivers/errors.js";
import { connectSantecTsl } from "../../src/drivers/instruments/connect-santec-tsl.js";
import { connectThorlabsPm100 } from "../../src/drivers/instruments/connect-thorlabs-pm100.js";
import type { SantecTsl } from "../../src/drivers/instruments/santec-tsl.js";
import type { ThorlabsPm100 } from "../../src/drivers/instruments/thorlabs-pm100.js";
import {
  createBenchClock,
  serveInstrument,
  serveVirtualBench,
  type VirtualBench,
  VirtualSantecTsl570,
  VirtualThorlabsPm100,
} from "../../src/virtual/index.js";

let bench: VirtualBench;
beforeAll(async () => {
  bench = await serveVirtualBench({
    clock: "event",
    clockControl: false,
    instruments: {
      laser: { model: "santec-tsl570", serial: true, noise: false },
      meter: { model: "thorlabs-pm100", serial: true, noise: false },
    },
  });
});
afterAll(() => bench.close());

const virtualLaser = () => bench.instruments.laser?.instrument as VirtualSantecTsl570;
const virtualMeter = () => bench.instruments.meter?.instrument as VirtualThorlabsPm100;

describe.each([
  ["TCP socket", "tcp"],
  ["serial PTY", "serial"],
] as const)("laser and meter over a %s", (_, wire) => {
  let laser: SantecTsl;
  let meter: ThorlabsPm100;
  beforeAll(async () => {
    const resources = bench.resources.instruments;
    const laserResource = resources.laser?.[wire];
    const meterResource = resources.meter?.[wire];
    if (!laserResource || !meterResource) throw new Error("the virtual bench did not report this resource");
    laser = await connectSantecTsl(laserResource, {
      timeoutMs: 5000,
      timebase: bench.clock,
      limits: { maxOpticalPower: 2e-3, minWavelength: 1500e-9, maxWavelength: 1600e-9 },
    });
    meter = await connectThorlabsPm100(meterResource, { timeoutMs: 5000, timebase: bench.clock });
  });
  afterEach(() => {
    expect(virtualLaser().internalErrors).toEqual([]);
    expect(virtualMeter().internalErrors).toEqual([]);
  });
  afterAll(async () => {
    await laser.shutdown();
    await laser.close();
    await meter.close();
  });

  it("selects the TSL-570's SCPI command set and reads its range", async () => {
    expect(virtualLaser().commandSet).toBe("SCPI");
    expect(laser.range.min).toBeCloseTo(1480e-9, 15);
    expect(laser.range.max).toBeCloseTo(1640e-9, 15);
    expect(meter.attachedSensor.name).toBe("S144C");
  });

  it("tunes (polling *OPC? through the laser's tuning time) and the meter reads the path's transmission there", async () => {
    const wavelength = 1551.5e-9;
    await laser.power.set(1e-3);
    await meter.wavelength.set(wavelength);
    const before = bench.clock.now();
    await laser.tuneTo(wavelength);
    // Tuning takes time on the bench clock: the laser's settle at least.
    expect(bench.clock.now() - before).toBeGreaterThan(0.05);
    expect(virtualLaser().wavelengthSetpoint).toBeCloseTo(wavelength, 15);
    await laser.lightOn();
    const power = await meter.read();
    const expected = 1e-3 * bench.chip.transmission(bench.fibres.path, wavelength);
    // Exact light, exact meter: the reading is the model's, to the meter's digits and its dark level.
    expect(power).toBeCloseTo(expected, 8);
  });

  it("refuses a power above the limit before a byte: the virtual laser keeps its setpoint", async () => {
    const held = virtualLaser().powerSetpoint;
    await expect(laser.power.set(5e-3)).rejects.toBeInstanceOf(SafetyLimitError);
    expect(virtualLaser().powerSetpoint).toBe(held);
  });

  it("refuses a wavelength outside the laser's range and outside the bench's span, the laser untouched", async () => {
    const held = virtualLaser().wavelengthSetpoint;
    await expect(laser.wavelength.set(1700e-9)).rejects.toBeInstanceOf(SettingRangeError);
    await expect(laser.wavelength.set(1620e-9)).rejects.toBeInstanceOf(SafetyLimitError);
    expect(virtualLaser().wavelengthSetpoint).toBe(held);
  });

  it("runs a continuous sweep with a trigger every 10 pm and reads the log as a block with no terminator", async () => {
    await laser.tuneTo(1550e-9);
    await laser.configureSweep({ start: 1550e-9, stop: 1551e-9, mode: "continuous-one-way", speed: 10e-9 });
    await laser.configureTriggerOutput({ when: "step", step: 10e-12, periodIn: "wavelength" });
    await laser.startSweep();
    await laser.waitForSweep({ pollInterval: 0.01 });
    const log = await laser.readLoggedWavelengths();
    expect(log.length).toBe(101);
    log.forEach((w, i) => {
      expect(w).toBeCloseTo(1550e-9 + i * 10e-12, 14);
    });
    // The next exchange is in step: nothing was left behind the block.
    expect(await laser.sweepState()).toBe("stopped");
  });

  it("refuses a sweep speed the laser does not have, naming the set, with nothing sent", async () => {
    await expect(laser.sweepSpeed.set(15e-9)).rejects.toThrow(/one of 1, 2, 5, 10, 20, 50, 100, 200 nm\/s/);
  });

  it("a shutdown does not wait behind a long wait: the sweep stops and the light goes off at once", async () => {
    await laser.tuneTo(1550e-9);
    await laser.lightOn();
    await laser.configureSweep({ start: 1550e-9, stop: 1590e-9, mode: "continuous-one-way", speed: 1e-9 });
    await laser.startSweep();
    const started = bench.clock.now();
    const waiting = laser.waitForSweep().catch((e: unknown) => e);
    await laser.shutdown();
    // 40 s of sweep were left; the light went off within a poll or two of the wait.
    expect(bench.clock.now() - started).toBeLessThan(1);
    expect(virtualLaser().sweepState).toBe("stopped");
    expect(virtualLaser().outputEnabled).toBe(false);
    const error = await waiting;
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toMatch(/being shut down/);
  });

  it("shuts the light off and reads it back", async () => {
    await laser.lightOn();
    expect(virtualLaser().outputEnabled).toBe(true);
    await laser.shutdown();
    expect(virtualLaser().outputEnabled).toBe(false);
    expect(virtualLaser().lightAt(bench.clock.now()).power).toBe(0);
  });
});

describe("bad input from the meter and the laser", () => {
  it("refuses a meter with no sensor head, saying so", async () => {
    const clock = createBenchClock("event");
    const server = await serveInstrument(new VirtualThorlabsPm100({ clock, sensor: null }));
    try {
      await expect(
        connectThorlabsPm100(server.tcpResource as string, { timeoutMs: 2000, timebase: clock }),
      ).rejects.toBeInstanceOf(NoSensorError);
    } finally {
      await server.close();
      clock.close();
    }
  });

  it("refuses a log declared as float32 by a laser that sends int32, naming the length and the formats", async () => {
    const clock = createBenchClock("event");
    const server = await serveInstrument(new VirtualSantecTsl570({ clock, noise: false }));
    const laser = await connectSantecTsl(server.tcpResource as string, {
      timeoutMs: 2000,
      timebase: clock,
      logFormat: "float32-nm",
    });
    try {
      await laser.tuneTo(1550e-9);
      await laser.configureSweep({
        start: 1550e-9,
        stop: 1550.1e-9,
        mode: "continuous-one-way",
        speed: 1e-9,
      });
      await laser.configureTriggerOutput({ when: "step", step: 10e-12, periodIn: "wavelength" });
      await laser.startSweep();
      await laser.waitForSweep();
      const error = await laser.readLoggedWavelengths().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlockFormatError);
      expect((error as Error).message).toMatch(/44-byte block .* 11 values: float32-nm \(declared\)/);
      expect((error as Error).message).toMatch(/int32-0\.1pm: 11 values, first 1550 nm/);
    } finally {
      await laser.close();
      await server.close();
      clock.close();
    }
  });
});
