/**
 * The optical bench's safety (issue 16, "Safety"), judged by what the
 * virtual instruments were commanded, never by the drivers' belief:
 * - a plan asking for more optical power than the bench's limit is refused
 *   before a byte reaches the laser;
 * - closing the bench after an exception in a plan turns the light off
 *   first: the laser is dark before the source-meter's output goes off.
 */
import { afterEach, describe, expect, it } from "vitest";
import { benchFileOf } from "../../src/bench/embedded.js";
import { openBench, withBench } from "../../src/bench/open.js";
import { SafetyLimitError } from "../../src/drivers/errors.js";
import type { ScpiExchange } from "../../src/drivers/scpi/session.js";
import { steppedSpectrum } from "../../src/plans/transmission.js";
import {
  type SourceState,
  serveVirtualBench,
  type VirtualBench,
  type VirtualBenchSpec,
  type VirtualSantecTsl570,
} from "../../src/virtual/index.js";

const opened: VirtualBench[] = [];
afterEach(async () => {
  for (const bench of opened.splice(0)) await bench.close();
});

async function virtualBench(onSource?: (state: SourceState) => void) {
  const spec: VirtualBenchSpec = {
    clock: "event",
    clockControl: false,
    instruments: {
      smu2: { model: "keithley2450", port: "heater", ...(onSource && { onSource }) },
      laser: { model: "santec-tsl570" },
      meter: { model: "thorlabs-pm100" },
    },
  };
  const virtual = await serveVirtualBench(spec);
  opened.push(virtual);
  const file = benchFileOf(virtual, spec);
  const laser = virtual.instruments.laser?.instrument as VirtualSantecTsl570;
  return {
    virtual,
    laser,
    /** The bench object with the laser limited to 1 mW. */
    benchObject: {
      instruments: {
        ...file.instruments,
        laser: { ...file.instruments.laser, limits: { maxOpticalPower: 1e-3 } },
        smu2: { ...file.instruments.smu2, limits: { maxAbsVoltage: 5, maxAbsCurrent: 5e-3 } },
      },
    },
  };
}

describe("the optical power limit", () => {
  it("refuses a plan asking for more power than the limit before a byte reaches the laser", async () => {
    const { virtual, laser, benchObject } = await virtualBench();
    const sent: string[] = [];
    const bench = await openBench(benchObject, {
      timebase: virtual.clock,
      onExchange: (name: string, exchange: ScpiExchange) => {
        if (name === "laser") sent.push(exchange.command);
      },
    });
    try {
      const setpoint = laser.powerSetpoint;
      sent.length = 0;
      const error = await steppedSpectrum(
        bench.laser(),
        bench.powerMeter(),
        { start: 1550e-9, stop: 1551e-9, step: 10e-12, power: 5e-3 },
        { timebase: virtual.clock, emit: () => undefined },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SafetyLimitError);
      expect((error as SafetyLimitError).limit).toBe("maxOpticalPower");
      // Nothing reached the laser: its setpoint and light are as they were, and no command went out.
      expect(laser.powerSetpoint).toBe(setpoint);
      expect(laser.outputEnabled).toBe(false);
      expect(sent).toEqual([]);
    } finally {
      await bench.close();
    }
  });
});

describe("closing after an exception", () => {
  it("turns the laser off first: it is dark before the source-meter's output goes off", async () => {
    const states: SourceState[] = [];
    const { virtual, laser, benchObject } = await virtualBench((state) => states.push(state));
    const failure = new Error("the plan failed half-way");
    const error = await withBench(
      benchObject,
      async (bench) => {
        const heater = bench.sourceMeter("smu2");
        await heater.complianceVoltage.set(4);
        await heater.sourceMode.set("current");
        await heater.outputEnabled.set(true);
        await heater.rampTo(1e-3);
        const tsl = bench.laser();
        await tsl.power.set(0.5e-3);
        await tsl.tuneTo(1550e-9);
        await tsl.lightOn();
        expect(laser.lightAt(virtual.clock.now()).power).toBeGreaterThan(0);
        throw failure;
      },
      { timebase: virtual.clock },
    ).catch((e: unknown) => e);
    expect(error).toBe(failure);
    // Both safe at the end, by the virtual instruments' own state.
    expect(laser.outputEnabled).toBe(false);
    // The close's own turn-off: the last change from on to off.
    const turnsOff = states.filter(
      (state, i) => !state.outputEnabled && states[i - 1]?.outputEnabled === true,
    );
    const off = turnsOff[turnsOff.length - 1];
    expect(off, "the source-meter's output went off").toBeDefined();
    expect(states.at(-1)?.outputEnabled).toBe(false);
    // The laser was already dark when the source-meter's output went off.
    expect(laser.lightAt((off as SourceState).time).power).toBe(0);
  });
});
