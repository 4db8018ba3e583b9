/**
 * How a sweep is cut into what the instrument can run at once: a linear
 * sweep in its staircase engine (start, stop, points), a list in its list
 * engine, each chunk no larger than the engine holds. Pure.
 */
import type { SweepLevels } from "./kinds.js";

export type SweepChunk =
  | {
      readonly kind: "linear";
      readonly start: number;
      readonly stop: number;
      readonly levels: readonly number[];
    }
  | { readonly kind: "list"; readonly levels: readonly number[] };

export interface ChunkLimits {
  /** Most points one staircase sweep runs (2400: 2500). */
  readonly maxLinearPoints: number;
  /** Most values one source list holds (2400: 100). */
  readonly maxListPoints: number;
}

/** The explicit levels of a sweep; RangeError for an empty list or fewer than two linear points. */
export function expandLevels(levels: SweepLevels): number[] {
  if (isLinear(levels)) {
    const { start, stop, points } = levels;
    if (!Number.isInteger(points) || points < 2)
      throw new RangeError(`a linear sweep needs 2 or more points, got ${points}`);
    return Array.from({ length: points }, (_, i) =>
      i === points - 1 ? stop : start + ((stop - start) * i) / (points - 1),
    );
  }
  if (levels.length === 0) throw new RangeError("a sweep needs at least one level");
  return [...levels];
}

/** Cuts a sweep into chunks of at most `chunkPoints` (capped by the engine's limits). */
export function planChunks(levels: SweepLevels, limits: ChunkLimits, chunkPoints?: number): SweepChunk[] {
  const all = expandLevels(levels);
  const linear = isLinear(levels);
  const ceiling = linear ? limits.maxLinearPoints : limits.maxListPoints;
  const size = Math.min(chunkPoints ?? ceiling, ceiling);
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunkPoints must be a positive integer, got ${chunkPoints}`);
  const chunks: SweepChunk[] = [];
  for (let first = 0; first < all.length; first += size) {
    const part = all.slice(first, first + size);
    const start = part[0] ?? 0;
    const stop = part.at(-1) ?? 0;
    chunks.push(
      linear && part.length >= 2
        ? { kind: "linear", start, stop, levels: part }
        : { kind: "list", levels: part },
    );
  }
  return chunks;
}

function isLinear(levels: SweepLevels): levels is Extract<SweepLevels, { points: number }> {
  return !Array.isArray(levels);
}
