/**
 * A virtual 2400 behind the fault proxy, with the instrument's own record
 * of its terminals: what every test of test/safety/ stands on.
 */
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import type { SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import { ResistorDut, serveVirtualKeithley2400, type VirtualServer } from "../../src/virtual/index.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { SourceRecord } from "./source-record.js";

/** The limits the suite holds the driver to. */
export const LIMITS = {
  maxAbsVoltage: 2,
  maxAbsCurrent: 0.01,
  maxVoltageStep: 0.1,
  maxCurrentStep: 1e-4,
} as const satisfies SafetyLimitsInput;
export const MAX_STEP = { voltage: LIMITS.maxVoltageStep, current: LIMITS.maxCurrentStep };

/** Short enough that hundreds of faults run in seconds; the virtual instrument answers at once. */
export const TIMEOUT_MS = 25;

export interface SafetyBench {
  readonly server: VirtualServer;
  readonly proxy: FaultProxy;
  readonly record: SourceRecord;
  /** A driver through the proxy, with the suite's limits unless given others. */
  connect(limits?: SafetyLimitsInput): Promise<Keithley2400>;
  /** A second client straight to the instrument (no limits of ours), as a colleague's script would be. */
  other(): Promise<Keithley2400>;
  close(): Promise<void>;
}

export async function safetyBench(): Promise<SafetyBench> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({
    dut: new ResistorDut(1000),
    noise: false,
    onSource: record.listener,
  });
  const proxy = await startFaultProxy({ upstream: server.tcpResource ?? "no TCP resource" });
  const drivers: Keithley2400[] = [];
  const track = (driver: Keithley2400) => {
    drivers.push(driver);
    return driver;
  };
  return {
    server,
    proxy,
    record,
    connect: async (limits = LIMITS) =>
      track(
        await connectKeithley2400(proxy.resource, {
          limits,
          timeoutMs: TIMEOUT_MS,
          resyncSettleMs: 5,
        }),
      ),
    other: async () =>
      track(
        await connectKeithley2400(server.tcpResource ?? "", {
          limits: {
            maxAbsVoltage: 210,
            maxAbsCurrent: 1.05,
            maxVoltageStep: Number.POSITIVE_INFINITY,
            maxCurrentStep: Number.POSITIVE_INFINITY,
          },
        }),
      ),
    close: async () => {
      for (const driver of drivers) await driver.close().catch(() => {});
      await proxy.close();
      await server.close();
    },
  };
}
