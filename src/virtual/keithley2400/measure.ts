/**
 * One source-delay-measure (SDM) cycle of the 2400 against its device under
 * test (manual §6 "Source-measure concepts", §11 "Device action"): apply the
 * source level, limited by compliance, hold it for the cycle's duration, and
 * read back voltage, current and resistance with the status word.
 *
 * Compliance (manual §6 "Compliance limit"): the SourceMeter cannot source a
 * level that drives the limited quantity past its compliance. Sourcing V,
 * if V/R would exceed the current compliance, the output becomes the voltage
 * that makes |I| equal the compliance (I = ±compliance, V = ±compliance·R);
 * sourcing I, the voltage stops at the voltage compliance. With a fixed
 * measure range below the compliance, the range is the limit instead
 * ("range compliance", status bit 16).
 */
import type { PortDrive, PortReading } from "../chip/ports.js";
import type { MeasurementNoise } from "../measurement-noise.js";
import { rangeFor } from "../ranges.js";
import { type Keithley2400Settings, rangesOf, type SenseFunction } from "./settings.js";

/** One reading group, SI units; NaN is "not a number" (9.91E37), ±Infinity an overflow (9.9E37). */
export interface Reading {
  readonly voltage: number;
  readonly current: number;
  readonly resistance: number;
  /** Timestamp, s since power-on or :SYSTem:TIME:RESet. */
  readonly time: number;
  /** The 24-bit status word (manual §18 "Data elements", STATus). */
  readonly status: number;
}

/** Bits of the status word (manual §18 "Data elements", STATus). */
export const STATUS_WORD = {
  OVERFLOW: 1 << 0,
  FILTER: 1 << 1,
  FRONT_TERMINALS: 1 << 2,
  COMPLIANCE: 1 << 3,
  AUTO_OHMS: 1 << 10,
  MEASURE_VOLTAGE: 1 << 11,
  MEASURE_CURRENT: 1 << 12,
  MEASURE_RESISTANCE: 1 << 13,
  SOURCE_VOLTAGE: 1 << 14,
  SOURCE_CURRENT: 1 << 15,
  RANGE_COMPLIANCE: 1 << 16,
  OFFSET_COMPENSATED: 1 << 17,
  REMOTE_SENSE: 1 << 22,
} as const;

export interface SdmInput {
  readonly settings: Keithley2400Settings;
  readonly noise: MeasurementNoise | undefined;
  /** Source level, V or A, already within the source range. */
  readonly level: number;
  /** Full-scale source range used for this point. */
  readonly sourceRange: number;
}

export interface SdmResult {
  readonly voltage: number;
  readonly current: number;
  readonly resistance: number;
  readonly status: number;
  /** The limited quantity hit its compliance (real or range). */
  readonly inCompliance: boolean;
  /** Some measured value exceeded a fixed measure range. */
  readonly overflow: boolean;
  /** Ranges the measurement used, for functions on autorange. */
  readonly usedRanges: Partial<Record<SenseFunction, number>>;
}

/**
 * The drive of one source-delay-measure cycle: the source function at
 * `level`, its compliance the limit that applies ({@link effectiveLimit}).
 */
export function cycleDrive(settings: Keithley2400Settings, level: number): PortDrive {
  const sourcingVoltage = settings.sourceFunction === "VOLT";
  const { limit } = effectiveLimit(settings, sourcingVoltage ? "CURR" : "VOLT");
  return { mode: sourcingVoltage ? "voltage" : "current", level, limit };
}

/**
 * The reading that ends an SDM cycle, from the port's operating point at
 * the end of the cycle (the chip has held the drive for the source delay
 * and the integration): measurement noise, ranges, the status word.
 */
export function sourceMeasure(input: SdmInput, point: PortReading): SdmResult {
  const limited = input.settings.sourceFunction === "VOLT" ? "CURR" : "VOLT";
  const { byRange } = effectiveLimit(input.settings, limited);
  return readBack(input, point.voltage, point.current, point.limited, byRange);
}

/** The compliance that applies: the set limit, or a lower fixed measure range. */
export function effectiveLimit(
  settings: Keithley2400Settings,
  limited: "VOLT" | "CURR",
): { limit: number; byRange: boolean } {
  const compliance = Math.abs(settings.compliance[limited]);
  const sense = settings.sense[limited];
  if (!sense.rangeAuto && sense.range < compliance) return { limit: sense.range, byRange: true };
  return { limit: compliance, byRange: false };
}

/** Adds measurement noise, forms the data elements and the status word. */
function readBack(
  input: SdmInput,
  trueVoltage: number,
  trueCurrent: number,
  limitHit: boolean,
  byRange: boolean,
): SdmResult {
  const { settings, level } = input;
  const source = settings.sourceFunction;
  const averaged =
    settings.nplc * (settings.filter.enabled && settings.filter.type === "REP" ? settings.filter.count : 1);
  const usedRanges: Partial<Record<SenseFunction, number>> = {};
  // An element that is neither measured nor sourced is NaN; the sourced one shows the programmed level.
  const voltage = settings.senseOn.VOLT
    ? measured(input, averaged, "VOLT", trueVoltage, usedRanges)
    : source === "VOLT"
      ? level
      : Number.NaN;
  const current = settings.senseOn.CURR
    ? measured(input, averaged, "CURR", trueCurrent, usedRanges)
    : source === "CURR"
      ? level
      : Number.NaN;
  // A measured element is infinite only when it overflowed its fixed range.
  let overflow = voltage === Number.POSITIVE_INFINITY || voltage === Number.NEGATIVE_INFINITY;
  overflow ||= current === Number.POSITIVE_INFINITY || current === Number.NEGATIVE_INFINITY;

  let resistance = Number.NaN;
  if (settings.senseOn.RES) {
    resistance = voltage / current;
    const range = senseRange(settings, "RES", resistance);
    if (settings.sense.RES.rangeAuto) usedRanges.RES = range;
    if (!Number.isFinite(resistance) || Math.abs(resistance) > range) {
      overflow = true;
      resistance = Number.POSITIVE_INFINITY;
    }
  }

  return {
    voltage,
    current,
    resistance,
    status: statusWord(settings, limitHit && !byRange, limitHit && byRange, overflow),
    inCompliance: limitHit,
    overflow,
    usedRanges,
  };
}

/**
 * A measured V or I element: noise on the range used, which is recorded in
 * `usedRanges`; ±Infinity when a fixed sense range overflows. Measuring the
 * sourced quantity reads the source back on the source range.
 */
function measured(
  { settings, noise, sourceRange }: SdmInput,
  averaged: number,
  fn: "VOLT" | "CURR",
  value: number,
  usedRanges: Partial<Record<SenseFunction, number>>,
): number {
  const sourced = fn === settings.sourceFunction;
  const rangeAuto = settings.sense[fn].rangeAuto;
  const range = sourced ? sourceRange : senseRange(settings, fn, value);
  if (rangeAuto || sourced) usedRanges[fn] = range;
  const reading = noise ? noise.add(value, range, averaged) : value;
  if (!sourced && !rangeAuto && Math.abs(reading) > range)
    return Math.sign(reading) * Number.POSITIVE_INFINITY;
  return reading;
}

function senseRange(settings: Keithley2400Settings, fn: SenseFunction, value: number): number {
  const sense = settings.sense[fn];
  return sense.rangeAuto ? rangeFor(rangesOf(fn), value) : sense.range;
}

function statusWord(
  settings: Keithley2400Settings,
  compliance: boolean,
  rangeCompliance: boolean,
  overflow: boolean,
): number {
  const on = settings.senseOn;
  return (
    (overflow ? STATUS_WORD.OVERFLOW : 0) |
    (settings.filter.enabled ? STATUS_WORD.FILTER : 0) |
    (settings.terminals === "FRON" ? STATUS_WORD.FRONT_TERMINALS : 0) |
    (compliance ? STATUS_WORD.COMPLIANCE : 0) |
    (on.RES && settings.resistanceMode === "AUTO" ? STATUS_WORD.AUTO_OHMS : 0) |
    (on.VOLT ? STATUS_WORD.MEASURE_VOLTAGE : 0) |
    (on.CURR ? STATUS_WORD.MEASURE_CURRENT : 0) |
    (on.RES ? STATUS_WORD.MEASURE_RESISTANCE : 0) |
    (settings.sourceFunction === "VOLT" ? STATUS_WORD.SOURCE_VOLTAGE : 0) |
    (settings.sourceFunction === "CURR" ? STATUS_WORD.SOURCE_CURRENT : 0) |
    (rangeCompliance ? STATUS_WORD.RANGE_COMPLIANCE : 0) |
    (on.RES && settings.offsetCompensated ? STATUS_WORD.OFFSET_COMPENSATED : 0) |
    (settings.remoteSense ? STATUS_WORD.REMOTE_SENSE : 0)
  );
}
