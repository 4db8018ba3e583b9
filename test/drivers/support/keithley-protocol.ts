/**
 * Protocol-test harness for the Keithley 2400 driver (STYLE.md 3): the
 * start-up traffic in one constant, and a runner that replays exchanges
 * after it and fails on a pair left unused or an unexpected byte.
 */
import { attachKeithley2400 } from "../../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../../src/drivers/instruments/keithley2400.js";
import type { SafetyLimitsInput } from "../../../src/drivers/instruments/safety.js";
import { type Exchange, ReplayTransport } from "../../../src/drivers/transports/replay.js";

export const IDN_2400 = "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4112345,C32   Oct  4 2010 14:20:11/A02  /S/K";
export const NO_ERROR = '0,"No error"';
export const ERROR_CHECK: Exchange = [":SYST:ERR?", NO_ERROR];

/**
 * What `connectKeithley2400` says and hears before handing over the driver:
 * the state the safety checks need, read first (0 V source, *RST
 * compliances, output off), each source level read twice since nothing is
 * known to confirm a single read; then the status clear and the readout
 * format.
 */
export const STARTUP_STATE: readonly Exchange[] = [
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT:LEV?", "+0.000000E+00"],
  [":SOUR:VOLT:LEV?", "+0.000000E+00"],
  [":SOUR:CURR:LEV?", "+0.000000E+00"],
  [":SOUR:CURR:LEV?", "+0.000000E+00"],
  [":SENS:CURR:PROT?", "+1.050000E-04"],
  [":SENS:VOLT:PROT?", "+2.100000E+01"],
  [":FORM:ELEM?", "VOLT,CURR,RES,TIME,STAT"],
  [":OUTP?", "0"],
];
export const STARTUP: readonly Exchange[] = [
  ["*IDN?", IDN_2400],
  ...STARTUP_STATE,
  ["*CLS", null],
  [":FORM:ELEM VOLT,CURR,RES,TIME,STAT", null],
  ERROR_CHECK,
];

/** As loose as the 2400 itself: the driver's own checks never refuse. */
export const LOOSE_LIMITS: SafetyLimitsInput = {
  maxAbsVoltage: 210,
  maxAbsCurrent: 1.05,
  maxVoltageStep: Number.POSITIVE_INFINITY,
  maxCurrentStep: Number.POSITIVE_INFINITY,
  maxVoltageRate: Number.POSITIVE_INFINITY,
  maxCurrentRate: Number.POSITIVE_INFINITY,
};

/** A set command followed by the error-queue check every set makes. */
export function setting(command: string): Exchange[] {
  const level = /^:SOUR:(VOLT|CURR):LEV (\S+)$/.exec(command);
  if (!level) return [[command, null], ERROR_CHECK];
  // A source level goes out with its own query, which confirms it (PropertySpec.confirms).
  return [[`${command};:SOUR:${level[1]}:LEV?`, nr3(Number(level[2]))], ERROR_CHECK];
}

/** A number as the 2400 answers it: `+5.000000E-01`. */
export function nr3(value: number): string {
  const [mantissa, exponent = "0"] = value.toExponential(6).split("e");
  const sign = value < 0 ? "" : "+";
  const e = Number(exponent);
  return `${sign}${mantissa}E${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** A `:READ?` reply of `points` readings of all five elements, resistance not measured. */
export function readReply(voltages: readonly number[]): string {
  return voltages
    .map((v, i) => `${v.toExponential(6)},${(v * 1e-3).toExponential(6)},+9.910000E+37,${i}.5,+1.282000E+04`)
    .join(",");
}

export interface Replayed {
  readonly driver: Keithley2400;
  readonly transport: ReplayTransport;
  /** Bytes the driver wrote after start-up. */
  bytesAfterStartup(): number;
}

/** Attaches a driver over STARTUP followed by `exchanges`. */
export async function replayKeithley(
  exchanges: readonly Exchange[],
  limits: SafetyLimitsInput = LOOSE_LIMITS,
): Promise<Replayed> {
  const transport = new ReplayTransport([...STARTUP, ...exchanges]);
  const driver = await attachKeithley2400(transport, { limits, timeoutMs: 500 });
  const startupBytes = transport.bytesWritten;
  return { driver, transport, bytesAfterStartup: () => transport.bytesWritten - startupBytes };
}

/**
 * Runs one driver call against STARTUP + `exchanges`; the replay's own
 * failure (unexpected bytes, unused pairs) wins over the call's, then the
 * call's result or error is returned as it was.
 */
export async function expectProtocol<T>(
  exchanges: readonly Exchange[],
  call: (driver: Keithley2400) => Promise<T>,
  limits?: SafetyLimitsInput,
): Promise<T> {
  const { driver, transport } = await replayKeithley(exchanges, limits);
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await call(driver) };
  } catch (error) {
    outcome = { error };
  }
  transport.assertDone();
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}
