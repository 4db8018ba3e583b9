/**
 * Response data formats (IEEE 488.2 §8.7): NR1 integers, NR3 exponent form
 * in the style Keithley instruments send (`+1.050000E-04`: sign, 7
 * significant digits, two-digit signed exponent), booleans as 1/0, and
 * quoted strings.
 */
import { SCPI_NOT_A_NUMBER, SCPI_OVERFLOW } from "../../scpi/protocol.js";

/**
 * `+1.000000E+00`; NaN is sent as 9.91E37, ±Infinity as ±9.9E37 (SCPI-99
 * §7.2.1.4). With `plus` false a positive number has no sign
 * (`1.000000E+00`), as the 2450 sends it.
 */
export function nr3(value: number, digits = 6, plus = true): string {
  const finite = Number.isNaN(value)
    ? SCPI_NOT_A_NUMBER
    : Number.isFinite(value)
      ? value
      : Math.sign(value) * SCPI_OVERFLOW;
  // toExponential writes "1.050000e-4": the exponent always signed, with as many digits as it needs.
  const text = Math.abs(finite).toExponential(digits);
  const e = text.indexOf("e");
  const expDigits = text.slice(e + 2);
  const sign = finite < 0 ? "-" : plus ? "+" : "";
  return `${sign}${text.slice(0, e)}E${text[e + 1]}${expDigits.length === 1 ? "0" : ""}${expDigits}`;
}

/** An integer. */
export function nr1(value: number): string {
  return String(Math.round(value));
}

export function boolean(value: boolean): string {
  return value ? "1" : "0";
}

/** A string response, with embedded double quotes doubled (IEEE 488.2 §8.7.8). */
export function quoted(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
