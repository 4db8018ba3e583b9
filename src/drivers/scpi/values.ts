/**
 * SCPI program and response data (SCPI-99 vol. 1 §7; IEEE 488.2 §7.7, §8.7):
 * numbers (NR1/NR2/NR3) and booleans, each way. Parsers return undefined
 * for text that is not of the form, so the caller can raise a ProtocolError
 * that carries the text and the command.
 */

import { SCPI_NOT_A_NUMBER, SCPI_OVERFLOW } from "../../scpi/protocol.js";

const NRF = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Formats a number as SCPI <NRf>, round-trip exact (no `%g` truncation to six digits). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be sent as an SCPI number`);
  return Object.is(value, -0) ? "0" : String(value);
}

/** Parses an NR1/NR2/NR3 number, taking it as written (9.91E37 stays 9.91E37). */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return NRF.test(trimmed) ? Number(trimmed) : undefined;
}

/**
 * Parses a measured value: 9.91E37 (no such reading) becomes NaN and
 * ±9.9E37 (overflow) becomes ±Infinity.
 */
export function parseMeasurement(text: string): number | undefined {
  const value = parseNumber(text);
  if (value === undefined) return undefined;
  if (value === SCPI_NOT_A_NUMBER) return Number.NaN;
  if (Math.abs(value) === SCPI_OVERFLOW) return Math.sign(value) * Number.POSITIVE_INFINITY;
  return value;
}

/** Parses a boolean reply: 1/0 (what instruments send), also ON/OFF. */
export function parseBoolean(text: string): boolean | undefined {
  switch (text.trim().toUpperCase()) {
    case "1":
    case "ON":
      return true;
    case "0":
    case "OFF":
      return false;
    default:
      return undefined;
  }
}
