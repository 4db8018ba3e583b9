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
  const sign = finite < 0 ? "-" : plus ? "+" : "";
  return (
    sign +
    (digits === 6
      ? (exponent6(Math.abs(finite)) ?? exponential(Math.abs(finite), 6))
      : exponential(Math.abs(finite), digits))
  );
}

/** `toExponential` in the SCPI style: "1.050000E-04". */
function exponential(magnitude: number, digits: number): string {
  // toExponential writes "1.050000e-4": the exponent always signed, with as many digits as it needs.
  const text = magnitude.toExponential(digits);
  const e = text.indexOf("e");
  const expDigits = text.slice(e + 2);
  return `${text.slice(0, e)}E${text[e + 1]}${expDigits.length === 1 ? "0" : ""}${expDigits}`;
}

/** Powers of ten that a double holds exactly: 10⁰ … 10²². */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The same text as {@link exponential}(magnitude, 6), made from integers
 * where that is exact: a reply of readings formats every value, and
 * `toExponential` costs most of a reading's formatting (bench/scpi.ts).
 * The mantissa's seven digits are the magnitude scaled by one exact power
 * of ten (one correctly rounded operation), then rounded to an integer;
 * where that rounding is near a tie, or the power is not exact, or the
 * magnitude is 0, it returns undefined and the caller uses toExponential.
 */
function exponent6(magnitude: number): string | undefined {
  if (!(magnitude > 0)) return undefined;
  let e = Math.floor(Math.log10(magnitude));
  let scaled = scale(magnitude, 6 - e);
  if (scaled === undefined) return undefined;
  // log10 can be one off near a power of ten: bring the mantissa into [10⁶, 10⁷).
  if (scaled >= 1e7) {
    e += 1;
    scaled = scale(magnitude, 6 - e);
  } else if (scaled < 1e6) {
    e -= 1;
    scaled = scale(magnitude, 6 - e);
  }
  if (scaled === undefined || scaled < 1e6 || scaled >= 1e7) return undefined;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  if (Math.abs(fraction - 0.5) < 1e-6) return undefined;
  let mantissa = fraction > 0.5 ? floor + 1 : floor;
  if (mantissa === 1e7) {
    mantissa = 1e6;
    e += 1;
  }
  const text = String(mantissa);
  const exponent = e < 0 ? -e : e;
  return `${text[0]}.${text.slice(1)}E${e < 0 ? "-" : "+"}${exponent < 10 ? "0" : ""}${exponent}`;
}

/** magnitude × 10^power with one rounding, or undefined when 10^|power| is not exact. */
function scale(magnitude: number, power: number): number | undefined {
  if (power >= 0) {
    const factor = EXACT_POWERS[power];
    return factor === undefined ? undefined : magnitude * factor;
  }
  const divisor = EXACT_POWERS[-power];
  return divisor === undefined ? undefined : magnitude / divisor;
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
