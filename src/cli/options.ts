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
