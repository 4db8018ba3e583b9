import { describe, expect, it } from "vitest";
import { expandLevels, planChunks } from "../../src/drivers/instruments/sweep-plan.js";

const LIMITS = { maxLinearPoints: 2500, maxListPoints: 100 };

describe("sweep planning", () => {
  it("expands a linear sweep, the stop level exact", () => {
    const levels = expandLevels({ start: 0, stop: 0.3, points: 4 });
    expect(levels).toHaveLength(4);
    levels.forEach((level, i) => {
      expect(level).toBeCloseTo(0.1 * i, 15);
    });
    expect(levels.at(-1)).toBe(0.3);
  });

  it.each([
    [[], /at least one level/],
    [{ start: 0, stop: 1, points: 1 }, /2 or more points/],
    [{ start: 0, stop: 1, points: 2.5 }, /2 or more points/],
  ])("refuses %j", (levels, message) => {
    expect(() => expandLevels(levels)).toThrow(message);
  });

  it.each([
    ["a short list: one list chunk", [1, 2, 3], undefined, [["list", 3]]],
    [
      "250 listed levels: chunks of 100",
      Array.from({ length: 250 }, (_, i) => i),
      undefined,
      [
        ["list", 100],
        ["list", 100],
        ["list", 50],
      ],
    ],
    [
      "a list with chunkPoints above the engine's 100",
      Array.from({ length: 150 }, (_, i) => i),
      500,
      [
        ["list", 100],
        ["list", 50],
      ],
    ],
    [
      "a linear sweep of 2500: one staircase",
      { start: 0, stop: 1, points: 2500 },
      undefined,
      [["linear", 2500]],
    ],
    [
      "a linear sweep of 2600: two staircases",
      { start: 0, stop: 1, points: 2600 },
      undefined,
      [
        ["linear", 2500],
        ["linear", 100],
      ],
    ],
    [
      "a linear sweep with a one-point remainder: a list",
      { start: 0, stop: 1, points: 5 },
      2,
      [
        ["linear", 2],
        ["linear", 2],
        ["list", 1],
      ],
    ],
  ])("%s", (_, levels, chunkPoints, shape) => {
    const chunks = planChunks(levels, LIMITS, chunkPoints);
    expect(chunks.map((c) => [c.kind, c.levels.length])).toEqual(shape);
    expect(chunks.flatMap((c) => c.levels)).toEqual(expandLevels(levels));
  });

  it("gives each linear chunk its own start and stop", () => {
    const [first, second] = planChunks({ start: 0, stop: 3, points: 4 }, LIMITS, 2);
    expect(first).toMatchObject({ kind: "linear", start: 0, stop: 1 });
    expect(second).toMatchObject({ kind: "linear", start: 2, stop: 3 });
  });

  it.each([0, -1, 1.5])("refuses chunkPoints %d", (chunkPoints) => {
    expect(() => planChunks([1, 2], LIMITS, chunkPoints)).toThrow(/chunkPoints/);
  });
});
