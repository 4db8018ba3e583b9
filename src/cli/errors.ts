/**
 * How the command line reports what went wrong: a usage error says which
 * flag and why (exit code 2, the shell convention for usage); anything
 * else prints as its type and message, one line per error of an
 * AggregateError (the primary error, then each that followed while cleaning
 * up).
 */

/** A flag value the command refuses, its message already in the user's terms. */
export class CommandLineError extends Error {
  override readonly name = "CommandLineError";
}

export const USAGE_EXIT_CODE = 2;

export function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join("\n  then: ");
  if (error instanceof CommandLineError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
