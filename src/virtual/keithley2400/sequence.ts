/**
 * The source levels an acquisition steps through, and the source range each
 * is output on (manual §10 "Sweep operation"; §18 "Configure voltage and
 * current sweeps", "Configure list").
 */

import { rangeFor } from "../ranges.js";
import { ScpiError } from "../scpi/errors.js";
import { type Keithley2400Settings, rangesOf } from "./settings.js";

/**
 * Levels of the active source in its sourcing mode: one fixed level, the
 * sweep's points from start to stop (linear, or equal ratios for LOG;
 * reversed for DIRection DOWN), or the list.
 */
export function sourceLevels(settings: Keithley2400Settings): number[] {
  const source = settings.source[settings.sourceFunction];
  if (source.mode === "FIX") return [source.level];
  if (source.mode === "LIST") return [...source.list];
  const { points, spacing, direction } = settings.sweep;
  const levels =
    spacing === "LIN"
      ? linearSweep(source.start, source.stop, points)
      : logSweep(source.start, source.stop, points);
  return direction === "DOWN" ? levels.reverse() : levels;
}

function linearSweep(start: number, stop: number, points: number): number[] {
  if (points === 1) return [start];
  const step = (stop - start) / (points - 1);
  return Array.from({ length: points }, (_, k) => (k === points - 1 ? stop : start + k * step));
}

/** A log sweep needs start and stop of one sign and non-zero (manual §10 "Logarithmic staircase sweep"). */
function logSweep(start: number, stop: number, points: number): number[] {
  if (!(start * stop > 0)) throw new ScpiError(-221);
  if (points === 1) return [start];
  const ratio = (stop / start) ** (1 / (points - 1));
  return Array.from({ length: points }, (_, k) => (k === points - 1 ? stop : start * ratio ** k));
}

/**
 * The range a level is output on, and the level itself: a fixed source uses
 * its range (auto: the lowest that holds the level); a sweep or list uses
 * :SOURce:SWEep:RANGing — BEST, one range for all its levels; AUTO, each
 * level's own; FIXed, the present range, a level beyond it being output at
 * the range's full scale (manual §18 "RANGing").
 */
export function sourcePoint(
  settings: Keithley2400Settings,
  levels: readonly number[],
  level: number,
): { level: number; range: number } {
  const fn = settings.sourceFunction;
  const source = settings.source[fn];
  const ranges = rangesOf(fn);
  let range: number;
  if (source.mode === "FIX") {
    range = source.rangeAuto ? rangeFor(ranges, level) : source.range;
  } else if (settings.sweep.ranging === "BEST") {
    range = rangeFor(ranges, Math.max(...levels.map(Math.abs)));
  } else if (settings.sweep.ranging === "AUTO") {
    range = rangeFor(ranges, level);
  } else {
    range = source.range;
  }
  return { level: Math.max(-range, Math.min(range, level)), range };
}
