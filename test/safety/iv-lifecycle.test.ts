/**
 * Issue 13, group 2, in one process: the I-V job's every exit path ends
 * with the output off, keeps what it recorded and says how it ended; the
 * abort signal is the code path SIGINT and SIGTERM take in `pms iv`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError } from "../../src/drivers/errors.js";
import { type IvJobOptions, IvOptionError, RunInterruptedError, runIvJob } from "../../src/plans/iv-job.js";
import { serveVirtualKeithley2400 } from "../../src/virtual/index.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { runPlace } from "../support/run-place.js";
import { SourceRecord } from "./source-record.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function options(overrides: Partial<IvJobOptions> = {}): IvJobOptions {
  return {
    amplitude: 1.2,
    pointsPerCycle: 200,
    cycles: 2,
    compliance: 10e-3,
    nplc: 1,
    sourceDelay: 1e-3,
    model: "vteam",
    limits: {},
    ...runPlace("pms-iv-life-"),
    timeoutMs: 100,
    seed: 1,
    ...overrides,
  };
}

async function proxiedVirtual(): Promise<{ record: SourceRecord; proxy: FaultProxy }> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({ seed: 1, onSource: record.listener });
  closers.push(() => server.close());
  const proxy = await startFaultProxy({ upstream: server.tcpResource ?? "" });
  closers.push(() => proxy.close());
  return { record, proxy };
}

const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
const dataRows = (dir: string) =>
  readFileSync(join(dir, "data.csv"), "utf8").trimEnd().split("\n").length - 1;

describe("the I-V job's exits", () => {
  it.each([200, 1000])(
    "an abort mid-sweep (-n %i) ramps to 0 V, turns off, keeps its rows, ends the run abort",
    async (n) => {
      const { record, proxy } = await proxiedVirtual();
      const controller = new AbortController();
      const o = options({ resource: proxy.resource, pointsPerCycle: n, signal: controller.signal });
      const error = await runIvJob(o, (done) => {
        if (done >= n / 2) controller.abort("SIGINT");
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunInterruptedError);
      expect(error).toMatchObject({ reason: "SIGINT" });
      const rows = (error as RunInterruptedError).rows;
      expect(rows).toBeGreaterThanOrEqual(n / 2);
      expect(rows).toBeLessThan(2 * n + 1);
      expect(dataRows(o.outDir)).toBe(rows);
      expect(runJson(o.outDir).stop).toMatchObject({ status: "abort", rows });
      expect(record.outputEnabled).toBe(false);
      expect(record.stepsBeyond({ voltage: 0.1, current: 1e-3 })).toEqual([]);
    },
  );

  it("an abort before the sweep turns nothing on", async () => {
    const { record, proxy } = await proxiedVirtual();
    const controller = new AbortController();
    controller.abort("SIGTERM");
    const o = options({ resource: proxy.resource, signal: controller.signal });
    await expect(runIvJob(o)).rejects.toMatchObject({ name: "RunInterruptedError", reason: "SIGTERM" });
    expect(record.states.some((s) => s.outputEnabled)).toBe(false);
    // Stopped before the run began (its RunStart waits for the bench's snapshot): nothing recorded.
    expect(existsSync(join(o.outDir, "run.json"))).toBe(false);
  });

  it("a link lost mid-sweep: the error, then the shutdown that could not confirm the output, both reach the caller", async () => {
    const { proxy } = await proxiedVirtual();
    proxy.faultReply(":READ?", { kind: "cut" }, 2);
    const o = options({ resource: proxy.resource });
    const error = await runIvJob(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    const [primary, cleanup] = (error as AggregateError).errors;
    expect(primary).toBeInstanceOf(ConnectionError);
    expect(String(cleanup)).toMatch(
      /closing the bench at .*smu1: ramping the source to zero and turning the output off failed: .*shutdown could not confirm the output is off/,
    );
    const stop = runJson(o.outDir).stop;
    expect(stop.status).toBe("fail");
    expect(stop.reason).toMatch(/ConnectionError[\s\S]*could not confirm the output is off/);
    expect(dataRows(o.outDir)).toBe(stop.rows);
    expect(stop.rows).toBe(100);
  });

  it.each([
    ["compliance", 0, /compliance: must be a current from 1e-9 to 0\.1 A/],
    ["compliance", -1e-3, /compliance: must be a current/],
    ["compliance", Number.NaN, /compliance: must be a current/],
    ["timeoutMs", 0, /timeoutMs: must be a whole number of milliseconds from 1 to 2147483647; got 0/],
    ["timeoutMs", -5, /timeoutMs: must be a whole number/],
    ["timeoutMs", 3e9, /timeoutMs: must be a whole number/],
    ["timeoutMs", Number.POSITIVE_INFINITY, /timeoutMs: must be a whole number/],
  ] as const)("%s %s is refused before anything is started or sent", async (name, value, message) => {
    const { record, proxy } = await proxiedVirtual();
    const o = options({ resource: proxy.resource, [name]: value });
    const error = await runIvJob(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IvOptionError);
    expect((error as Error).message).toMatch(message);
    expect(proxy.commands).toEqual([]);
    expect(record.states).toEqual([]);
  });

  it("an unwritable run folder fails before the instrument is touched", async () => {
    const { proxy } = await proxiedVirtual();
    const error = await runIvJob(options({ resource: proxy.resource, outDir: "/proc/pms/run" })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IvOptionError);
    expect((error as Error).message).toMatch(
      /^outDir: cannot write the run folder \/proc\/pms\/run \(E[A-Z]+\)$/,
    );
    expect(proxy.commands).toEqual([]);
  });
});
