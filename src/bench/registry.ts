/**
 * The drivers a bench file may name, with how to connect each and how to
 * make it safe: the bench's half of the registry whose file half
 * (names, kinds, limits) is drivers.ts.
 */
import { connectKeithley2400 } from "../drivers/instruments/connect-keithley2400.js";
import { connectKeithley2450 } from "../drivers/instruments/connect-keithley2450.js";
import type { Keithley2400 } from "../drivers/instruments/keithley2400.js";
import type { Keithley2450 } from "../drivers/instruments/keithley2450.js";
import type { SafetyLimitsInput } from "../drivers/instruments/safety.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import type { Timebase } from "../sync/timebase.js";
import type { KNOWN_BENCH_DRIVERS } from "./drivers.js";

/** A source-measure unit of any model, as a bench hands it out. */
export type SourceMeterHandle = Keithley2400 | Keithley2450;

/** Any instrument a bench hands out. */
export type BenchHandle = SourceMeterHandle;

export interface ConnectOptions {
  readonly limits: SafetyLimitsInput;
  readonly timebase: Timebase;
  readonly timeoutMs?: number;
  readonly onExchange?: (exchange: ScpiExchange) => void;
}

export interface BenchDriver {
  connect(resource: string, options: ConnectOptions): Promise<BenchHandle>;
  /** What {@link makeSafe} does, for a failure report. */
  readonly safeAction: string;
  /** Puts the instrument in its safe state (for a source: ramped to zero, output off). */
  makeSafe(handle: BenchHandle): Promise<void>;
}

const sourceMeter = (connect: (resource: string, options: ConnectOptions) => Promise<SourceMeterHandle>) => ({
  connect,
  safeAction: "ramping the source to zero and turning the output off",
  makeSafe: (handle: BenchHandle) => handle.shutdown(),
});

export const BENCH_DRIVERS: Readonly<Record<string, BenchDriver>> = {
  keithley2400: sourceMeter(connectKeithley2400),
  keithley2450: sourceMeter(connectKeithley2450),
} satisfies Record<(typeof KNOWN_BENCH_DRIVERS)[number]["name"], BenchDriver>;
