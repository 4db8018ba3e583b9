/**
 * A run's documents for the store's tests, as plain objects of the types in
 * src/record/documents.ts, with values that follow from the event index
 * (the same rule as ./write-run.mjs, the durability test's child), so that
 * a read-back is checked value by value.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { float64Bytes, int64Bytes } from "../../../src/proto/columns.js";
import {
  type DataKeyDocument,
  type Dtype,
  dtypeValue,
  type ExitStatus,
  exitStatusValue,
  type RunDocument,
  type RunStartDocument,
} from "../../../src/record/documents.js";
import type { RunStore } from "../../../src/record/store/types.js";

/** Each event's values, from its index (as ./write-run.mjs computes them). */
export const eventTime = (event: number): number => event * 1e-4;
export const current = (event: number): number => event * 0.25 - 1e6;
export const status = (event: number): bigint => BigInt(event) * 3n - 7n;

export function runStart(uid: string, fields: Partial<RunStartDocument> = {}): RunDocument {
  return {
    kind: "runStart",
    doc: {
      uid,
      seq: 0,
      time: 0,
      wallTime: 1_800_000_000,
      plan: "iv",
      argumentsJson: JSON.stringify({ start: -1, stop: 1, points: 21 }),
      chip: "demo-chip",
      metadata: { operator: "ada" },
      hostname: "bench-host",
      software: "photon-memristor-sim 0.1.0",
      timebase: { kind: "manual", anchorHrtimeNs: "123456789", anchorWallSeconds: 1_800_000_000 },
      ...fields,
    },
  };
}

export function dataKey(key: string, dtype: Dtype, unit = ""): DataKeyDocument {
  return { key, source: "smu1", unit, dtype: dtypeValue(dtype), shape: [], doc: `${key} of the test` };
}

/** The test stream's data keys: a float64 current, an int64 status word, and a text note. */
export const PRIMARY_KEYS: readonly DataKeyDocument[] = [
  dataKey("smu1-current", "float64", "A"),
  dataKey("smu1-status", "int64"),
  dataKey("note", "text"),
];

export function descriptor(
  runUid: string,
  uid: string,
  name = "primary",
  dataKeys: readonly DataKeyDocument[] = PRIMARY_KEYS,
): RunDocument {
  return {
    kind: "descriptor",
    doc: {
      uid,
      runUid,
      seq: 1,
      time: 0,
      wallTime: 1_800_000_000,
      name,
      dataKeys,
      configuration: [{ device: "smu1", settings: [{ key: "nplc", number: 1, unit: "" }] }],
    },
  };
}

/** Events `firstEvent` … `firstEvent + count - 1` of the primary stream, as one page. */
export function page(runUid: string, descriptorUid: string, firstEvent: number, count: number): RunDocument {
  const events = Array.from({ length: count }, (_, i) => firstEvent + i);
  return {
    kind: "page",
    doc: {
      uid: `${descriptorUid}-page-${firstEvent}`,
      runUid,
      descriptorUid,
      seq: 2 + firstEvent,
      time: eventTime(firstEvent + count),
      wallTime: 1_800_000_000 + eventTime(firstEvent + count),
      firstEvent,
      count,
      eventTime: float64Bytes(Float64Array.from(events, eventTime)),
      columns: [
        { key: "smu1-current", float64: float64Bytes(Float64Array.from(events, current)) },
        { key: "smu1-status", int64: int64Bytes(BigInt64Array.from(events, status)) },
        { key: "note", text: { values: events.map((event) => `event ${event}`) } },
      ],
    },
  };
}

export function runStop(runUid: string, exit: ExitStatus = "success", reason = ""): RunDocument {
  return {
    kind: "runStop",
    doc: {
      uid: `${runUid}-stop`,
      runUid,
      seq: 99,
      time: 1,
      wallTime: 1_800_000_001,
      exitStatus: exitStatusValue(exit),
      reason,
      numEvents: { primary: 0 },
    },
  };
}

/** A run with a stream and `pages` pages of `count` events, committed. */
export async function recorded(
  store: RunStore,
  run: string,
  pages: number,
  count = 10,
  stop = true,
): Promise<void> {
  const writer = store.writer();
  const documents: RunDocument[] = [runStart(run), descriptor(run, `${run}-d`)];
  for (let i = 0; i < pages; i++) documents.push(page(run, `${run}-d`, i * count, count));
  if (stop) documents.push(runStop(run));
  await Promise.all(documents.map((document) => writer.write(document)));
}

/**
 * A folder of its own for each test, removed after it (or, for tests that
 * run concurrently, after the file: `removeAfter: "all"`).
 */
export function temporaryFolders(removeAfter: "each" | "all" = "each"): () => string {
  const made: string[] = [];
  (removeAfter === "each" ? afterEach : afterAll)(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-store-"));
    made.push(dir);
    return dir;
  };
}
