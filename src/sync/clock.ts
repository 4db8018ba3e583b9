/**
 * The two clocks of DESIGN.md "Streams": monotonic time orders samples and
 * never jumps; wall time stamps records for people and other machines.
 */

/** Monotonic time, s, from an arbitrary origin (performance.now). */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}

/** Wall-clock time, s since the Unix epoch. */
export function wallSeconds(): number {
  return Date.now() / 1000;
}
