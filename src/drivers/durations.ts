/**
 * The one check every duration given from outside goes through (issue 13):
 * a timeout of 0, −5, 3e9 or Infinity is a mistake to refuse, not a value
 * to pass to `setTimeout`, which fires at once for anything above 2³¹ − 1 ms
 * (Node's TimersOverflowWarning) and for anything not a positive number.
 */

/** Longest delay `setTimeout` honours, ms (2³¹ − 1, about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Shortest timeout, ms: a timeout of 0 expires before any reply can arrive. */
export const MIN_TIMEOUT_MS = 1;

export interface DurationBounds {
  /** Smallest accepted value, ms (default {@link MIN_TIMEOUT_MS}). */
  readonly min?: number;
  /** Largest accepted value, ms (default {@link MAX_DURATION_MS}). */
  readonly max?: number;
}

/**
 * Returns `value` if it is a number of milliseconds within the bounds;
 * otherwise throws a RangeError naming `name` as the caller knows it
 * ("timeoutMs", "--timeout") and the accepted range.
 */
export function checkDurationMs(
  name: string,
  value: unknown,
  { min = MIN_TIMEOUT_MS, max = MAX_DURATION_MS }: DurationBounds = {},
): number {
  if (typeof value === "number" && value >= min && value <= max) return value;
  const got = typeof value === "string" ? JSON.stringify(value) : String(value);
  throw new RangeError(`${name} must be a number of milliseconds from ${min} to ${max}, got ${got}`);
}
