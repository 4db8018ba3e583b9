import { describe, expect, it } from "vitest";
import { SafetyLimitError, SettingRangeError } from "../../src/drivers/errors.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import { SafetyGuard, type SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import type { Exchange } from "../../src/drivers/transports/replay.js";
import { replayKeithley, STARTUP_STATE, setting } from "./support/keithley-protocol.js";

const LIMITS: SafetyLimitsInput = {
  maxAbsVoltage: 2,
  maxAbsCurrent: 0.01,
  maxVoltageStep: 0.5,
  maxCurrentStep: 0.001,
};

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable);
}

/** Calls the driver refuses, from the start-up state (voltage source at 0 V, compliances 105 µA and 21 V). */
const REFUSED: readonly [string, (k: Keithley2400) => Promise<unknown>, string, number][] = [
  ["sourceVoltage beyond maxAbsVoltage", (k) => k.sourceVoltage.set(2.5), "maxAbsVoltage", 2.5],
  ["negative sourceVoltage beyond maxAbsVoltage", (k) => k.sourceVoltage.set(-2.5), "maxAbsVoltage", -2.5],
  ["sourceVoltage step beyond maxVoltageStep", (k) => k.sourceVoltage.set(0.6), "maxVoltageStep", 0.6],
  ["sourceCurrent beyond maxAbsCurrent", (k) => k.sourceCurrent.set(0.02), "maxAbsCurrent", 0.02],
  ["sourceCurrent step beyond maxCurrentStep", (k) => k.sourceCurrent.set(0.002), "maxCurrentStep", 0.002],
  ["complianceCurrent beyond maxAbsCurrent", (k) => k.complianceCurrent.set(-0.02), "maxAbsCurrent", -0.02],
  ["complianceVoltage beyond maxAbsVoltage", (k) => k.complianceVoltage.set(5), "maxAbsVoltage", 5],
  ["current source with a 21 V compliance", (k) => k.sourceMode.set("current"), "maxAbsVoltage", 21],
  ["rampTo beyond maxAbsVoltage", (k) => k.rampTo(3), "maxAbsVoltage", 3],
  [
    "hardware sweep through a level beyond the limit",
    (k) => k.hardwareSweep({ start: 0, stop: 2.2, points: 12 }),
    "maxAbsVoltage",
    2.2,
  ],
  [
    "hardware sweep with a step beyond the limit",
    (k) => k.hardwareSweep({ start: 0, stop: 1.5, points: 2 }),
    "maxVoltageStep",
    1.5,
  ],
  [
    "hardware sweep whose first level is too far from the bias",
    (k) => k.hardwareSweep([0.6, 0.7]),
    "maxVoltageStep",
    0.6,
  ],
  [
    "hardware sweep that ends too far from the bias it returns to",
    (k) => k.hardwareSweep([0.4, 0.8]),
    "maxVoltageStep",
    0.8,
  ],
  [
    "chunked sweep whose later chunk is too far from the bias",
    (k) => k.hardwareSweep([0.4, 0.4, 0.8], { chunkPoints: 2 }),
    "maxVoltageStep",
    0.8,
  ],
  [
    "software sweep with a late step beyond the limit",
    (k) => drain(k.softwareSweep([0.4, 0.8, 1.4])),
    "maxVoltageStep",
    0.6,
  ],
  [
    "software sweep (collected) through a level beyond the limit",
    (k) => k.collectSoftwareSweep([0.5, 1, 1.5, 2, 2.5]),
    "maxAbsVoltage",
    2.5,
  ],
];

/**
 * Refusals that depend on the level a move starts from: the move reads it
 * back first (one query, agreeing with the tracked 0 V), and sends nothing else.
 */
const NEEDS_READ_BACK = new Set([
  "hardware sweep with a step beyond the limit",
  "hardware sweep whose first level is too far from the bias",
  "hardware sweep that ends too far from the bias it returns to",
  "chunked sweep whose later chunk is too far from the bias",
  "software sweep with a late step beyond the limit",
]);
const READ_BACK_0V: Exchange = [":SOUR:VOLT:LEV?", "+0.000000E+00"];

describe("safety limits", () => {
  it.each(REFUSED)(
    "refuses %s with a SafetyLimitError before anything that moves is sent",
    async (name, call, limit, requested) => {
      const readBack = NEEDS_READ_BACK.has(name) ? [READ_BACK_0V] : [];
      const { driver, transport, bytesAfterStartup } = await replayKeithley(readBack, LIMITS);
      const error = await call(driver).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SafetyLimitError);
      expect(error).toMatchObject({ limit, resource: "REPLAY::INSTR" });
      expect((error as SafetyLimitError).requested).toBeCloseTo(requested, 12);
      expect((error as Error).message).toMatch(new RegExp(`${limit}.*nothing was sent`));
      expect(bytesAfterStartup()).toBe(readBack.length === 0 ? 0 : ":SOUR:VOLT:LEV?\n".length);
      transport.assertDone();
    },
  );

  it.each([
    [
      "sourceVoltage beyond the 2400's ±210 V",
      (k: Keithley2400) => k.sourceVoltage.set(300),
      "sourceVoltage",
    ],
    ["sourceVoltage NaN", (k: Keithley2400) => k.sourceVoltage.set(Number.NaN), "sourceVoltage"],
    ["nplc beyond 10", (k: Keithley2400) => k.nplc.set(20), "nplc"],
    ["an unknown source mode", (k: Keithley2400) => k.sourceMode.set("power" as "voltage"), "sourceMode"],
    ["no readout elements", (k: Keithley2400) => k.readoutElements.set([]), "readoutElements"],
    [
      "a sweep level beyond the 2400's range",
      (k: Keithley2400) => k.hardwareSweep([1, 250]),
      "sourceVoltage",
    ],
    [
      "a one-point linear sweep",
      (k: Keithley2400) => k.hardwareSweep({ start: 0, stop: 1, points: 1 }),
      "sweep",
    ],
  ])("refuses %s with a SettingRangeError before any byte", async (_, call, setting) => {
    const { driver, bytesAfterStartup } = await replayKeithley([], {
      maxAbsVoltage: 1000,
      maxAbsCurrent: 10,
    });
    const error = await call(driver).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingRangeError);
    expect(error).toMatchObject({ setting });
    expect(bytesAfterStartup()).toBe(0);
  });

  it("allows a setpoint exactly at the limits, and a ramp in steps of exactly the limit", async () => {
    const exchanges = [0.5, 1, 1.5, 2].flatMap((v) => setting(`:SOUR:VOLT:LEV ${v}`));
    const { driver, transport } = await replayKeithley(
      [READ_BACK_0V, ...exchanges, ...setting(":SENS:CURR:PROT 0.01")],
      LIMITS,
    );
    await driver.rampTo(2);
    await driver.complianceCurrent.set(0.01);
    transport.assertDone();
  });

  it("checks the step from the level it last set, not from start-up", async () => {
    const { driver, bytesAfterStartup } = await replayKeithley([...setting(":SOUR:VOLT:LEV 0.5")], LIMITS);
    await driver.sourceVoltage.set(0.5);
    const sent = bytesAfterStartup();
    await expect(driver.sourceVoltage.set(1.5)).rejects.toMatchObject({
      limit: "maxVoltageStep",
      requested: 1,
    });
    expect(bytesAfterStartup()).toBe(sent);
  });

  it("after a raw command through unsafeSession, refuses a step until the level is read back", async () => {
    const { driver, transport, bytesAfterStartup } = await replayKeithley(
      [
        [":SOUR:VOLT:LEV 1", null],
        ...STARTUP_STATE.map(
          ([sent, reply]): Exchange => [sent, sent === ":SOUR:VOLT:LEV?" ? "+1.000000E+00" : reply],
        ),
        ...setting(":SOUR:VOLT:LEV 1.2"),
      ],
      LIMITS,
    );
    await driver.unsafeSession().write(":SOUR:VOLT:LEV 1");
    const sent = bytesAfterStartup();
    await expect(driver.sourceVoltage.set(1.2)).rejects.toMatchObject({
      name: "LevelUnknownError",
      setting: "sourceVoltage",
      reason: "a raw command went through unsafeSession()",
    });
    expect(bytesAfterStartup()).toBe(sent);
    await driver.refreshState(); // reads the level twice: 1 V, agreeing
    await driver.sourceVoltage.set(1.2); // 0.2 V from the 1 V read back; 1.2 V from the stale 0 V is refused
    transport.assertDone();
  });

  it("forgets the tracked state at each raw call, even through a channel taken earlier", async () => {
    const { driver, transport } = await replayKeithley(
      [...setting(":SOUR:VOLT:LEV 0.5"), [":SOUR:VOLT:LEV 2", null]],
      LIMITS,
    );
    const raw = driver.unsafeSession();
    await driver.sourceVoltage.set(0.5);
    await raw.write(":SOUR:VOLT:LEV 2");
    await expect(driver.sourceVoltage.set(1.5)).rejects.toMatchObject({ name: "LevelUnknownError" });
    transport.assertDone();
  });

  it("refreshState refuses an output found on with a compliance past the limits, sending nothing", async () => {
    // Levels that agree with the tracked 0 V are read once.
    const handTouched = [...new Map(STARTUP_STATE).entries()].map(([sent, reply]): Exchange => {
      if (sent === ":OUTP?") return [sent, "1"];
      if (sent === ":SENS:CURR:PROT?") return [sent, "+5.000000E-02"];
      return [sent, reply];
    });
    const { driver, transport } = await replayKeithley(handTouched, LIMITS);
    await expect(driver.refreshState()).rejects.toMatchObject({
      name: "SafetyLimitError",
      limit: "maxAbsCurrent",
      requested: 0.05,
    });
    transport.assertDone();
  });

  it("keeps the session to itself: no raw path but unsafeSession", async () => {
    const { driver } = await replayKeithley([], LIMITS);
    expect("session" in driver).toBe(false);
  });

  it("refuses turning the output on while the active source's compliance is beyond the limits", async () => {
    const { driver, bytesAfterStartup } = await replayKeithley([], { ...LIMITS, maxAbsCurrent: 1e-5 });
    await expect(driver.outputEnabled.set(true)).rejects.toMatchObject({
      limit: "maxAbsCurrent",
      requested: 1.05e-4,
    });
    expect(bytesAfterStartup()).toBe(0);
  });
});

describe("SafetyGuard", () => {
  const guard = new SafetyGuard("TEST::INSTR", LIMITS);

  it.each([
    [0, 1, undefined, [0.5, 1]],
    [0, -1.2, undefined, [-0.4, -0.8, -1.2]],
    [0, 0.3, 0.1, [0.1, 0.2, 0.3]],
    [1, 1, undefined, [1]],
  ])("ramps from %d to %d (step %s) as %j", (from, to, step, levels) => {
    const ramp = guard.rampLevels("voltage", from, to, step);
    expect(ramp).toHaveLength(levels.length);
    ramp.forEach((level, i) => {
      expect(level).toBeCloseTo(levels[i] ?? Number.NaN, 12);
    });
  });

  it("leaves room under the step limit for a level known only within a margin", () => {
    // 1.0 read back with seven digits may be 1.0000005: two steps of 0.5 could make the first 0.5000005.
    const ramp = guard.rampLevels("voltage", 1, 0, undefined, 5e-7);
    expect(ramp).toHaveLength(3);
    expect(Math.abs(1 - (ramp[0] ?? Number.NaN)) + 5e-7).toBeLessThanOrEqual(0.5);
    expect(ramp.at(-1)).toBe(0);
    expect(guard.rampLevels("voltage", 1, 0)).toHaveLength(2);
    expect(() => guard.checkStep("voltage", 1, 0.5, 5e-7)).toThrow(SafetyLimitError);
    expect(() => guard.checkStep("voltage", 1, 0.5)).not.toThrow();
    expect(() => guard.checkPath("voltage", 1, [0.5, 0], 5e-7)).toThrow(/maxVoltageStep/);
    expect(() => guard.checkPath("voltage", 1, [0.6, 0.1], 5e-7)).not.toThrow();
    expect(() => guard.rampLevels("voltage", 1, 0, undefined, 0.5)).toThrow(RangeError);
  });

  it.each([
    [{ maxAbsVoltage: 0, maxAbsCurrent: 1 }],
    [{ maxAbsVoltage: 1, maxAbsCurrent: -1 }],
    [{ maxAbsVoltage: 1, maxAbsCurrent: 1, maxVoltageStep: Number.NaN }],
  ])("refuses nonsensical limits %j", (limits) => {
    expect(() => new SafetyGuard("TEST::INSTR", limits)).toThrow(RangeError);
  });
});
