/**
 * Parsers for command-line option values: a bad value stops the command
 * with a message naming the option, before anything is touched.
 */
import { InvalidArgumentError } from "commander";

/** A finite number (accepts 1e-3 and the like). */
export function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`"${text}" is not a number.`);
  }
  return value;
}

/** A positive integer. */
export function parsePositiveInteger(text: string): number {
  const value = parseNumber(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`"${text}" is not a positive integer.`);
  }
  return value;
}

/** `name=value` with a numeric value, collected into a record (for repeated options). */
export function parseAssignment(text: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([A-Za-z_][\w]*)=(.+)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`"${text}" is not of the form name=value.`);
  const [, name, value] = match as unknown as [string, string, string];
  return { ...previous, [name]: parseNumber(value) };
}

/** A safety limit: a positive number, or `none` for no limit (Infinity). */
export function parseLimit(text: string): number {
  if (text.trim().toLowerCase() === "none") return Number.POSITIVE_INFINITY;
  const value = parseNumber(text);
  if (!(value > 0)) throw new InvalidArgumentError(`"${text}" is not a positive number (or none).`);
  return value;
}
