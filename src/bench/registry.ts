/**
 * The drivers a bench file may name, with how to connect each and how to
 * make it safe: the bench's half of the registry whose file half
 * (names, kinds, limits) is drivers.ts.
 */
import { connectKeithley2400 } from "../drivers/instruments/connect-keithley2400.js";
import { connectKeithley2450 } from "../drivers/instruments/connect-keithley2450.js";
import { connectSantecTsl } from "../drivers/instruments/connect-santec-tsl.js";
import { connectThorlabsPm100 } from "../drivers/instruments/connect-thorlabs-pm100.js";
import type { Keithley2400 } from "../drivers/instruments/keithley2400.js";
import type { Keithley2450 } from "../drivers/instruments/keithley2450.js";
import type { LaserSafetyLimitsInput } from "../drivers/instruments/optical-safety.js";
import type { SafetyLimitsInput } from "../drivers/instruments/safety.js";
import type { SantecTsl } from "../drivers/instruments/santec-tsl.js";
import type { ThorlabsPm100 } from "../drivers/instruments/thorlabs-pm100.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import type { Timebase } from "../sync/timebase.js";
import type { KNOWN_BENCH_DRIVERS } from "./drivers.js";

/** A source-measure unit of any model, as a bench hands it out. */
export type SourceMeterHandle = Keithley2400 | Keithley2450;

/** A tunable laser of any model. */
export type LaserHandle = SantecTsl;

/** An optical power meter of any model. */
export type PowerMeterHandle = ThorlabsPm100;

/** Any instrument a bench hands out. */
export type BenchHandle = SourceMeterHandle | LaserHandle | PowerMeterHandle;

export interface ConnectOptions {
  /** The limits the bench file gives, checked there against the driver's kind. */
  readonly limits: SafetyLimitsInput & LaserSafetyLimitsInput;
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
  makeSafe: (handle: BenchHandle) => (handle as SourceMeterHandle).shutdown(),
});

const laser = (model: "TSL-570" | "TSL-550"): BenchDriver => ({
  connect: (resource, options) => connectSantecTsl(resource, { ...options, model }),
  safeAction: "turning the light off (sweep stopped, shutter closed, diode off)",
  makeSafe: (handle) => (handle as LaserHandle).shutdown(),
});

export const BENCH_DRIVERS: Readonly<Record<string, BenchDriver>> = {
  keithley2400: sourceMeter(connectKeithley2400),
  keithley2450: sourceMeter(connectKeithley2450),
  "santec-tsl570": laser("TSL-570"),
  "santec-tsl550": laser("TSL-550"),
  "thorlabs-pm100": {
    connect: (resource, options) => connectThorlabsPm100(resource, options),
    safeAction: "nothing (a power meter emits nothing)",
    makeSafe: async () => undefined,
  },
} satisfies Record<(typeof KNOWN_BENCH_DRIVERS)[number]["name"], BenchDriver>;
