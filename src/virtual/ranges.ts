/**
 * Range selection shared by the virtual source-meters (moved here from the
 * 2400's ranges.ts; each model keeps its own table of ranges).
 */

/**
 * The lowest range that holds `magnitude` ("the instrument will then go to
 * the lowest range that can accommodate that level", 2400 manual §18 :RANGe; the
 * 2450 autoranges alike, 2450 manual "Ranges"); the highest range when
 * nothing does.
 */
export function rangeFor(ranges: readonly number[], magnitude: number): number {
  const needed = Math.abs(magnitude);
  return ranges.find((r) => r >= needed * (1 - 1e-12)) ?? ranges[ranges.length - 1] ?? Number.NaN;
}

/** The next range up or down from `present` (the UP and DOWN range parameters). */
export function stepRange(ranges: readonly number[], present: number, direction: "UP" | "DOWN"): number {
  const index = ranges.indexOf(rangeFor(ranges, present));
  const next = direction === "UP" ? Math.min(index + 1, ranges.length - 1) : Math.max(index - 1, 0);
  return ranges[next] ?? present;
}

export function isHighestRange(ranges: readonly number[], range: number): boolean {
  return range === ranges[ranges.length - 1];
}
