/**
 * Wall-clock time, for records a person or another machine reads (DESIGN.md
 * "Streams": monotonic time orders samples, wall time stamps records).
 * Sample times are on the run's timebase instead (./timebase.ts), whose
 * anchor maps them to wall time.
 */

/** Wall-clock time, s since the Unix epoch. */
export function wallSeconds(): number {
  return Date.now() / 1000;
}
