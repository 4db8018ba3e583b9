/**
 * The SQLite store's WAL checkpoints on a thread of their own
 * (src/record/store/checkpointer.ts): the writer's connection leaves them
 * to it, the WAL stays within its limit however fast pages come, nothing
 * written is lost on the way, and a thread that cannot work says why.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunDocument } from "../../src/record/documents.js";
import { type CheckpointReport, startCheckpointer } from "../../src/record/store/checkpointer.js";
import {
  openSqliteStore,
  type SqliteRunStore,
  type SqliteStoreOptions,
} from "../../src/record/store/sqlite.js";
import { current, descriptor, page, runStart, runStop, temporaryFolders } from "./support/runs.js";

const folder = temporaryFolders();
const opened: SqliteRunStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

function open(options: SqliteStoreOptions = {}): { store: SqliteRunStore; path: string } {
  const path = join(folder(), "runs.sqlite");
  const store = openSqliteStore(path, options);
  opened.push(store);
  return { store, path };
}

const MB = 1024 * 1024;

/**
 * Writes a run of `pages` pages of `count` events as a fast plan does (each
 * page once the backlog has room), measuring the WAL file after every
 * acknowledged transaction; its largest size, bytes.
 */
async function writeFast(store: SqliteRunStore, path: string, pages: number, count: number): Promise<number> {
  // Transactions of 16 pages (about 1 MB of WAL frames each), small beside the WAL limits below.
  const writer = store.writer({ maxBacklog: 16 });
  const documents: RunDocument[] = [runStart("run-fast"), descriptor("run-fast", "run-fast-d")];
  for (let i = 0; i < pages; i++) documents.push(page("run-fast", "run-fast-d", i * count, count));
  documents.push(runStop("run-fast"));
  let largest = 0;
  const measure = () => {
    if (existsSync(`${path}-wal`)) largest = Math.max(largest, statSync(`${path}-wal`).size);
  };
  const acknowledged: Promise<void>[] = [];
  for (const document of documents) {
    const room = writer.ready();
    if (room !== undefined) await room;
    acknowledged.push(writer.write(document).then(measure));
  }
  await writer.flush();
  await Promise.all(acknowledged);
  return largest;
}

describe("WAL checkpoints", () => {
  it("leave the writer's connection to a thread of their own; without it, SQLite's every 1000 pages", () => {
    const threaded = open();
    threaded.store.writer();
    expect(threaded.store.settings().walAutocheckpoint).toBe(0);
    const own = open({ checkpointThread: false });
    own.store.writer();
    expect(own.store.settings().walAutocheckpoint).toBe(1000);
  });

  it("keep the WAL within its limit while pages come as fast as the writer takes them, and lose none", async () => {
    // 300 pages of 1000 events: 12 MB of columns (time, float64, int64, text) and about 20 MB of WAL
    // frames, against a WAL limit of 1 MB.
    const limit = 1 * MB;
    const { store, path } = open({ walLimitBytes: limit });
    const largest = await writeFast(store, path, 300, 1000);
    // The limit, the transaction under way when it was passed (about 1 MB of frames), and the writer's
    // misjudgement of the frames its commits add (its first guess, then the thread's reports).
    expect(largest).toBeLessThan(limit + 3 * MB);
    const table = await (await store.run("run-fast")).table("primary");
    expect(table.count).toBe(300_000);
    const values = table.columns[0]?.values as Float64Array;
    for (const event of [0, 999, 123_456, 299_999]) expect(values[event]).toBe(current(event));
    // The same run without the thread keeps every frame until SQLite's 1000 pages of 64 KiB: the bound
    // above is the thread's.
    const unbounded = open({ checkpointThread: false });
    expect(await writeFast(unbounded.store, unbounded.path, 300, 1000)).toBeGreaterThan(12 * MB);
  });

  it("report a thread that cannot open its store as a failure naming the thread, at the first checkpoint", async () => {
    const checkpointer = startCheckpointer(join(folder(), "none.sqlite"), {
      synchronous: "NORMAL",
      busyTimeoutMs: 100,
    });
    const report = await new Promise<CheckpointReport | Error>((resolve) => {
      // The worker's failure to open reaches the first checkpoint asked for, whenever it is asked.
      setTimeout(() => checkpointer.checkpoint(resolve), 50);
    });
    expect(report).toBeInstanceOf(Error);
    expect((report as Error).message).toMatch(/checkpointing thread (failed|ended).*/);
    await checkpointer.stop();
  });
});
