/**
 * How the meter writes numbers and readings: NR3 with seven significant
 * digits and no sign when positive (`1.550000E+03`); an overflowed reading
 * as ±9.9E37 (SCPI-99 Vol. 1 §7.2.1.4, INFinity), which Thorlabs' VISA
 * driver reports as its "overflow"/"underrun" warnings (PM100D.h
 * `VI_INSTR_WARN_OVERFLOW`, `VI_INSTR_WARN_UNDERRUN`); and the error queue's
 * entries as `+0,"No error"` and `-113,"Undefined header"` (the empty
 * queue's `+0` is what QMI's and QCoDeS' PM100D drivers test for:
 * `re.match(r"^\s*[-+]?\s*0\s*,", …)`, `err[:2] != '+0'`).
 */
import type { QueuedError } from "../../scpi/error-queue.js";
import { nr3 } from "../../scpi/format.js";
import type { Pm100Core, Pm100Reading } from "../core.js";

export function nr3u(value: number): string {
  return nr3(value, 6, false);
}

/** One reading in the configured function and unit: W, dBm (re 1 mW) or A. */
export function formatReading(k: Pm100Core, reading: Pm100Reading): string {
  if (reading.overflow !== 0) return nr3u(reading.overflow * Number.POSITIVE_INFINITY);
  if (k.settings.measureFunction === "CURR") return nr3u(reading.current);
  if (k.settings.powerUnit === "W") return nr3u(reading.power);
  // No power (or less than none, after the zero) has no level in dBm: −∞.
  return nr3u(reading.power > 0 ? 10 * Math.log10(reading.power / 1e-3) : Number.NEGATIVE_INFINITY);
}

/** An error-queue entry: its code signed (`+0`, `-222`), its text quoted. */
export function formatErrorEntryPm100(entry: QueuedError): string {
  const code = entry.code < 0 ? String(entry.code) : `+${entry.code}`;
  return `${code},"${entry.text.replaceAll('"', '""')}"`;
}
