/**
 * The SQLite store's WAL checkpoints on a thread of their own
 * (src/record/store/checkpointer.ts): the writer's connection leaves them
 * to it, the WAL stays within its limit however fast pages come, nothing
 * written is lost on the way, and a thread that cannot work says why.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { RunDocument } from "../../src/record/documents.js";
import { type CheckpointReport, startCheckpointer } from "../../src/record/store/checkpointer.js";
import {
  openSqliteStore,
  type SqliteRunStore,
  type SqliteStoreOptions,
} from "../../src/record/store/sqlite.js";
import type { StoreWriter, StoreWriterOptions } from "../../src/record/store/types.js";
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

/** Writes `count` more 1000-event pages of `run`'s primary stream from page `from`, as a fast plan does. */
async function writeMore(writer: StoreWriter, run: string, from: number, count: number): Promise<void> {
  const acknowledged: Promise<void>[] = [];
  for (let i = from; i < from + count; i++) {
    const room = writer.ready();
    if (room !== undefined) await room;
    acknowledged.push(writer.write(page(run, `${run}-d`, i * 1000, 1000)));
  }
  await writer.flush();
  await Promise.all(acknowledged);
}

/**
 * Writes a run of `pages` pages of `count` events as a fast plan does (each
 * page once the backlog has room), measuring the WAL file after every
 * acknowledged transaction; its largest size, bytes.
 */
async function writeFast(
  store: SqliteRunStore,
  path: string,
  pages: number,
  count: number,
  writerOptions: StoreWriterOptions = { maxBacklog: 16 },
): Promise<number> {
  // By default transactions of 16 pages (about 1 MB of WAL frames each), small beside the WAL limits below.
  const writer = store.writer(writerOptions);
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

  it("count every commit as at least the whole pages it writes: a page a commit keeps the WAL within its limit", async () => {
    // 400 commits of one 10-event page: each writes two 64 KiB pages or more (about 52 MB in all), though
    // its page is 240 bytes. Counted by its bytes, the WAL reached 222 MB against a limit of 1 MB.
    const limit = 1 * MB;
    const { store, path } = open({ walLimitBytes: limit });
    const largest = await writeFast(store, path, 400, 10, { maxBacklog: 1, groupCommitMs: 0 });
    expect(largest).toBeLessThan(limit + 3 * MB);
    expect((await (await store.run("run-fast")).table("primary")).count).toBe(4000);
  });

  it("do not hold the writer for a reader whose snapshot pins the WAL: past a second, it commits and the WAL grows", async () => {
    const limit = 1 * MB;
    const { store, path } = open({ walLimitBytes: limit });
    const writer = store.writer({ maxBacklog: 16 });
    await writer.write(runStart("run-pinned"));
    await writer.write(descriptor("run-pinned", "run-pinned-d"));
    // A reader in a read transaction: no checkpoint can copy the frames committed after its snapshot.
    const reader = new Database(path, { readonly: true });
    reader.exec("BEGIN");
    reader.prepare("SELECT count(*) FROM chunks").get();
    try {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await writeMore(writer, "run-pinned", 0, 200);
      const seconds = (performance.now() - started) / 1000;
      // Held for a second at most, then on; checkpoints asked 50 ms apart, not back to back (before: 20
      // pages took 16 s, a core busy with checkpoints the whole time, until the lease's heartbeat).
      expect(seconds).toBeLessThan(8);
      const { user, system } = process.cpuUsage(cpu);
      expect((user + system) / 1e6).toBeLessThan(2 * seconds + 2);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(limit);
    } finally {
      reader.exec("COMMIT");
      reader.close();
    }
    // Let go, the WAL drains and the writer goes on: every page is there.
    await writeMore(writer, "run-pinned", 200, 100);
    expect((await (await store.run("run-pinned")).table("primary")).count).toBe(300_000);
  });

  it("report a thread that cannot open its store as a failure naming the thread, at the first checkpoint", async () => {
    const checkpointer = startCheckpointer(join(folder(), "none.sqlite"), "sqlite:none.sqlite", {
      synchronous: "NORMAL",
      busyTimeoutMs: 100,
    });
    const report = await new Promise<CheckpointReport | Error>((resolve) => {
      // The worker's failure to open reaches the first checkpoint asked for, whenever it is asked.
      setTimeout(() => checkpointer.checkpoint(resolve), 50);
    });
    expect(report).toBeInstanceOf(Error);
    expect((report as Error).message).toMatch(
      /^sqlite:none\.sqlite: its checkpointing thread (failed|ended)/,
    );
    await checkpointer.stop();
  });
});
