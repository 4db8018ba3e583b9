/**
 * Issue 17, "What loses nothing means here", at the job's level: a run
 * store that another writer locks in the middle of an I-V run. The plan
 * stops at its next step, the instrument is made safe (checked through
 * what the virtual 2400 was commanded), the error names the store and the
 * cause, and the pages committed before stay readable. And a file that is
 * not a run store is refused before any instrument is touched, unchanged.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type IvJobOptions, runIvJob } from "../../src/plans/iv-job.js";
import { StoreFormatError, StoreLockedError } from "../../src/record/store/errors.js";
import { openStore } from "../../src/record/store/open.js";
import { serveVirtualKeithley2400 } from "../../src/virtual/index.js";
import { runPlace } from "../support/run-place.js";
import { SourceRecord } from "./source-record.js";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function virtual2400(): Promise<{ record: SourceRecord; resource: string }> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({ seed: 1, onSource: record.listener });
  closers.push(() => server.close());
  return { record, resource: server.tcpResource ?? "" };
}

function options(resource: string, overrides: Partial<IvJobOptions> = {}): IvJobOptions {
  return {
    resource,
    amplitude: 1.2,
    // Fixed mode, level by level: a run long enough to lock the store in its middle.
    pointsPerCycle: 1000,
    cycles: 2,
    compliance: 10e-3,
    nplc: 0.01,
    sourceDelay: 0,
    model: "vteam",
    limits: {},
    timeoutMs: 2000,
    seed: 1,
    storeBusyTimeoutMs: 200,
    ...runPlace("pms-store-failure-"),
    ...overrides,
  };
}

/** Every error `error` carries: itself, or an AggregateError's. */
const errorsOf = (error: unknown): unknown[] => (error instanceof AggregateError ? error.errors : [error]);

describe("the I-V job when its run store fails", () => {
  it("a store locked by another writer mid-run: the plan stops, the output is off, committed pages stay", async () => {
    const { record, resource } = await virtual2400();
    const o = options(resource);
    const path = o.store?.replace(/^sqlite:/, "") ?? "";
    const running = runIvJob(o).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Another writer takes the store's write lock once the run has committed a few pages, and keeps it.
    let other: Database.Database | undefined;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        other ??= new Database(path, { fileMustExist: true });
        const pages = other.prepare("SELECT coalesce(sum(pages), 0) FROM chunks").pluck().get() as number;
        if (pages >= 3) break;
      } catch {
        // Not created yet, or its schema not yet made: try again.
      }
    }
    other.exec("BEGIN IMMEDIATE");
    closers.push(() => {
      other?.close();
    });
    const error = await running;
    other.exec("ROLLBACK");

    const locked = errorsOf(error).find((e) => e instanceof StoreLockedError) as StoreLockedError | undefined;
    expect(locked, String(error)).toBeDefined();
    expect(locked?.message).toContain(path);
    expect(locked?.message).toMatch(/lock/i);
    // Made safe, as the virtual instrument was commanded: ramped to 0 V and off.
    expect(record.outputEnabled).toBe(false);
    expect(record.states.filter((state) => state.outputEnabled).at(-1)?.level).toBe(0);
    expect(record.largestApplied()).toBeGreaterThan(0);
    // What was committed before the lock is there, whole.
    const { start } = JSON.parse(readFileSync(join(o.outDir, "run.json"), "utf8"));
    const store = await openStore(o.store ?? "", { readonly: true });
    closers.push(() => store.close());
    const table = await (await store.run(start.uid)).table("primary");
    expect(table.count).toBeGreaterThanOrEqual(3);
    expect(table.count).toBeLessThan(2001);
    const voltage = table.columns.find((c) => c.key === "smu1-voltage")?.values as Float64Array;
    expect(voltage.every((v) => Math.abs(v) <= 1.2 + 1e-9)).toBe(true);
  });

  it("a file that is not a run store is refused, with its path, before any instrument is touched, and left as it was", async () => {
    const { record, resource } = await virtual2400();
    const o = options(resource);
    const path = o.store?.replace(/^sqlite:/, "") ?? "";
    const notes = "lab notes, not a database\n".repeat(100);
    writeFileSync(path, notes);
    const error = await runIvJob(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFormatError);
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path, "utf8")).toBe(notes);
    expect(record.states).toEqual([]);
  });
});
