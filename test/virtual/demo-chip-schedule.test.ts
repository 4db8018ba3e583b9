/**
 * Drives set for a later time on the virtual demo chip: each port keeps its
 * own schedule within the chip's one time-ordered list, and a later drive
 * of a port replaces only that port's drives from its time on.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualDemoChip, type VirtualDemoChip } from "../../src/virtual/chip/demo-chip.js";
import type { PortDrive } from "../../src/virtual/chip/ports.js";
import { type BenchClock, createBenchClock } from "../../src/virtual/clock/bench-clock.js";

const volts = (level: number): PortDrive => ({ mode: "voltage", level, limit: 0.1 });

let clock: BenchClock;
let chip: VirtualDemoChip;

afterEach(() => {
  chip?.release();
  clock?.close();
});

async function setUp(): Promise<void> {
  clock = createBenchClock("manual");
  chip = await createVirtualDemoChip({ clock, backend: "ts" });
}

/** The voltage across each of the two ports at the clock's now. */
function voltages(): { heater: number; memristor: number } {
  return { heater: chip.port("heater").read().voltage, memristor: chip.port("memristor").read().voltage };
}

describe("scheduled drives of the virtual demo chip", () => {
  it("a later drive of one port drops that port's drives from its time on and keeps the other port's", async () => {
    await setUp();
    chip.port("heater").drive(volts(1), 1);
    chip.port("memristor").drive(volts(0.2), 2);
    // Replaces the heater's 1 V at t = 1 s (later than 0.5 s); the memristor's drive, later in the list, stays.
    chip.port("heater").drive(volts(0.5), 0.5);
    await clock.advance(0.75);
    expect(voltages()).toEqual({ heater: 0.5, memristor: 0 });
    await clock.advance(0.5); // t = 1.25 s: nothing of the heater's 1 V is left
    expect(voltages()).toEqual({ heater: 0.5, memristor: 0 });
    await clock.advance(1); // t = 2.25 s
    expect(voltages()).toEqual({ heater: 0.5, memristor: 0.2 });
  });

  it("a drive later than everything scheduled keeps every earlier drive, of its own port too", async () => {
    await setUp();
    chip.port("heater").drive(volts(1), 1);
    chip.port("memristor").drive(volts(0.2), 2);
    chip.port("heater").drive(volts(0.3), 3);
    const seen: Array<{ heater: number; memristor: number }> = [];
    for (let k = 0; k < 4; k++) {
      await clock.advance(k === 0 ? 0.5 : 1); // t = 0.5, 1.5, 2.5, 3.5 s
      seen.push(voltages());
    }
    expect(seen).toEqual([
      { heater: 0, memristor: 0 },
      { heater: 1, memristor: 0 },
      { heater: 1, memristor: 0.2 },
      { heater: 0.3, memristor: 0.2 },
    ]);
  });

  it("ten thousand drives, each later than the last and none yet due, all take effect in order", async () => {
    await setUp();
    const port = chip.port("memristor");
    const count = 10_000;
    for (let k = 1; k <= count; k++) port.drive(volts(k * 1e-5), k * 1e-3);
    await clock.advance(count * 1e-3 + 5e-4);
    expect(port.read().voltage).toBeCloseTo(count * 1e-5, 15);
  });
});
