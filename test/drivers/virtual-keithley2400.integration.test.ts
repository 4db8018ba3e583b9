/**
 * The driver against the virtual Keithley 2400 over real wires: a TCP
 * socket and a serial PTY pair (socat). Nothing here knows the far end is
 * virtual except the fault injection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  InstrumentError,
  InstrumentTimeoutError,
  ProtocolError,
  SafetyLimitError,
} from "../../src/drivers/errors.js";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import type { SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import { serveVirtualKeithley2400, type VirtualServer } from "../../src/virtual/index.js";

const LIMITS: SafetyLimitsInput = { maxAbsVoltage: 5, maxAbsCurrent: 0.1, maxVoltageStep: 2 };

let server: VirtualServer;
beforeAll(async () => {
  server = await serveVirtualKeithley2400({ seed: 1, tcp: { port: 0 }, serial: true });
});
afterAll(() => server.close());

describe.each([
  ["TCP socket", () => server.tcpResource],
  ["serial PTY", () => server.serialResource],
])("virtual Keithley 2400 over a %s", (_, resourceOf) => {
  let k: Keithley2400;
  beforeAll(async () => {
    const resource = resourceOf();
    if (!resource) throw new Error("the virtual server did not report this resource");
    k = await connectKeithley2400(resource, { limits: LIMITS, timeoutMs: 2000 });
    await k.complianceCurrent.set(0.01);
    await k.outputEnabled.set(true);
  });
  afterEach(() => expect(server.instrument.internalErrors).toEqual([]));
  afterAll(async () => {
    await k.shutdown();
    await k.close();
  });

  it("connects and identifies a Model 2400", async () => {
    expect(k.resource).toBe(resourceOf());
    expect(await k.identify()).toMatchObject({
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
    });
    expect(await k.sourceMode.get()).toBe("voltage");
  });

  it("runs a linear hardware sweep in one read", async () => {
    const columns = await k.hardwareSweep({ start: 0, stop: 1, points: 11 });
    expect(columns.voltage).toHaveLength(11);
    columns.voltage.forEach((v, i) => {
      expect(v).toBeCloseTo(i / 10, 2);
    });
    expect(Array.from(columns.current).every(Number.isFinite)).toBe(true);
    expect(Array.from(columns.time).every((t, i) => i === 0 || t >= (columns.time[i - 1] ?? 0))).toBe(true);
    expect(await k.sourceVoltage.get()).toBe(0);
  });

  it("runs a 150-level list sweep in chunks of 100 and 50, yielding each", async () => {
    const levels = Array.from({ length: 150 }, (_, i) => Math.sin(i / 10) * 0.5);
    const sizes: number[] = [];
    const voltages: number[] = [];
    for await (const chunk of k.hardwareSweepChunks(levels)) {
      sizes.push(chunk.voltage.length);
      voltages.push(...chunk.voltage);
    }
    expect(sizes).toEqual([100, 50]);
    voltages.forEach((v, i) => {
      expect(v).toBeCloseTo(levels[i] ?? Number.NaN, 2);
    });
  });

  it("runs a software sweep point by point", async () => {
    const columns = await k.collectSoftwareSweep([0.2, 0.4, 0.6]);
    expect(Array.from(columns.voltage).map((v) => Math.round(v * 100) / 100)).toEqual([0.2, 0.4, 0.6]);
    expect(await k.sourceVoltage.get()).toBeCloseTo(0.6, 12);
    await k.rampTo(0);
  });

  it("times out on a dropped reply, then answers the next query correctly", async () => {
    await k.sourceVoltage.set(0.3);
    server.instrument.injectFault({ kind: "drop-reply" });
    const error = await k.sourceVoltage.get({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect(error).toMatchObject({ command: ":SOUR:VOLT:LEV?", timeoutMs: 200 });
    expect(await k.sourceVoltage.get()).toBeCloseTo(0.3, 12);
    expect(await k.nplc.get()).toBeGreaterThan(0);
  });

  it("discards a reply that comes after its timeout", async () => {
    server.instrument.injectFault({ kind: "delay-reply", ms: 300 });
    await expect(k.outputEnabled.get({ timeoutMs: 100 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await k.sourceMode.get()).toBe("voltage");
    expect(await k.outputEnabled.get()).toBe(true);
  });

  it("refuses a malformed reply with a ProtocolError carrying its text", async () => {
    server.instrument.injectFault({ kind: "garbage-reply", text: "#%&garbage" });
    const error = await k.nplc.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ command: ":SENS:CURR:NPLC?", reply: "#%&garbage" });
    expect(await k.nplc.get()).toBeGreaterThan(0);
  });

  it("after a raw level change through unsafeSession, refuses a step until the level is read back", async () => {
    await k.rampTo(0);
    await k.unsafeSession().write(":SOUR:VOLT:LEV 3");
    await expect(k.sourceVoltage.set(4)).rejects.toMatchObject({ name: "LevelUnknownError" });
    await k.refreshState();
    await k.sourceVoltage.set(4); // 1 V from the 3 V read back; 4 V from the stale 0 V would be refused
    expect(await k.sourceVoltage.get()).toBe(4);
    await expect(k.sourceVoltage.set(1)).rejects.toMatchObject({ limit: "maxVoltageStep", requested: 3 });
    await k.rampTo(0);
  });

  it("reports a setting the instrument refuses as InstrumentError -222 from the error queue", async () => {
    await k.unsafeSession().write(":SENS:CURR:PROT 2");
    const error = await k.checkErrors().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentError);
    expect(error).toMatchObject({ code: -222, command: ":SENS:CURR:PROT 2" });
    expect(await k.complianceCurrent.get()).toBeCloseTo(0.01, 12);
  });
});

describe("attaching to a virtual Keithley 2400 whose output is already on", () => {
  it("refuses when the active compliance is past the limits, and leaves the output on", async () => {
    const resource = server.tcpResource ?? "";
    const expert = await connectKeithley2400(resource, { limits: { maxAbsVoltage: 5, maxAbsCurrent: 0.5 } });
    try {
      await expert.complianceCurrent.set(0.5);
      await expert.outputEnabled.set(true);
      const error = await connectKeithley2400(resource, { limits: LIMITS, timeoutMs: 2000 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SafetyLimitError);
      expect(error).toMatchObject({ limit: "maxAbsCurrent", limitValue: 0.1, requested: 0.5, resource });
      expect(server.instrument.settings.outputEnabled).toBe(true);
      expect(server.instrument.settings.compliance.CURR).toBe(0.5);
    } finally {
      await expert.shutdown();
      await expert.close();
    }
  });
});
