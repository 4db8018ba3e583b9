/**
 * Issue 13, group 3: every `-n` the help allows runs, and every step it
 * takes stays within the limit — judged by the virtual 2400's own record.
 * Up to 200 levels a cycle run in the list engine, more in fixed mode;
 * both on the virtual instrument's simulated time, so 10,000 levels a
 * cycle take seconds, not the minutes they would on the wall clock.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type IvJobOptions, IvOptionError, runIvJob } from "../../src/plans/iv-job.js";
import { serveVirtualKeithley2400, type VirtualServer } from "../../src/virtual/index.js";
import { runPlace } from "../support/run-place.js";
import { SourceRecord } from "./source-record.js";

const DEFAULTS = {
  amplitude: 1.2,
  cycles: 2,
  compliance: 10e-3,
  nplc: 1,
  sourceDelay: 1e-3,
  model: "vteam",
  limits: {},
  timeoutMs: 2000,
  seed: 1,
} as const;

let server: VirtualServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runOnVirtual(overrides: Partial<IvJobOptions> & { pointsPerCycle: number }) {
  const record = new SourceRecord();
  server = await serveVirtualKeithley2400({ seed: 1, onSource: record.listener });
  const place = runPlace("pms-iv-n-");
  const outDir = place.outDir;
  const result = await runIvJob({ ...DEFAULTS, resource: server.tcpResource, ...place, ...overrides });
  return { result, record, outDir };
}

describe("pms iv -n: every allowed length runs within the step limit", () => {
  it.each([
    [48, "list", 1.2],
    [200, "list", 1.2],
    [204, "fixed", 1.2],
    [1000, "fixed", 1.2],
    [4, "list", 0.1],
  ] as const)("-n %i runs in %s mode at ±%s V", async (n, mode, amplitude) => {
    const { result, record, outDir } = await runOnVirtual({ pointsPerCycle: n, amplitude });
    expect(result.mode).toBe(mode);
    expect(result.points).toBe(n * DEFAULTS.cycles + 1);
    // Each reading's time on the run's timebase, in order (a calibration fits the device against them).
    expect(result.time).toHaveLength(result.points);
    expect(result.time.every((t, k) => k === 0 || t > (result.time[k - 1] as number))).toBe(true);
    const rows = readFileSync(join(outDir, "data.csv"), "utf8").trimEnd().split("\n");
    expect(rows).toHaveLength(n * DEFAULTS.cycles + 2); // the header, then n·c + 1 rows
    expect(record.stepsBeyond({ voltage: 0.1, current: 1e-3 })).toEqual([]);
    expect(record.largestApplied()).toBeCloseTo(amplitude, 12);
    expect(record.outputEnabled).toBe(false);
  });

  it("-n 10000 runs in fixed mode, every one of its 20,001 levels within the limit", async () => {
    const { result, record } = await runOnVirtual({ pointsPerCycle: 10_000 });
    expect(result.mode).toBe("fixed");
    expect(result.points).toBe(20_001);
    expect(record.stepsBeyond({ voltage: 0.1, current: 1e-3 })).toEqual([]);
    expect(record.states.filter((s) => s.outputEnabled).length).toBeGreaterThan(20_000);
    expect(record.outputEnabled).toBe(false);
  }, 120_000);

  it.each([3, 6, 44])(
    "-n %i is refused before anything is sent, naming the option and what is allowed",
    async (n) => {
      const record = new SourceRecord();
      server = await serveVirtualKeithley2400({ onSource: record.listener });
      const error = await runIvJob({
        ...DEFAULTS,
        pointsPerCycle: n,
        resource: server.tcpResource,
        ...runPlace("pms-iv-n-"),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IvOptionError);
      expect((error as Error).message).toBe(
        `pointsPerCycle: must be a multiple of 4 (the triangle's ±amplitude and 0 are levels), and at least 48 so that each step (4 × 1.2 V / points) stays within limits.maxVoltageStep (0.1 V); got ${n}`,
      );
      expect(record.states).toEqual([]);
    },
  );
});
