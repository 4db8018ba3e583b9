/**
 * The SQLite run store (issue 17, "Stores" and "What loses nothing means
 * here"), in this process: documents in and back out, group commit and its
 * acknowledgement, push-back, refused documents, leases and the marking of
 * dead runs, a full disk, a lock held by another writer, files that are not
 * stores, and schema migrations. Other processes: ./store-durability.test.ts.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { float64Bytes } from "../../src/proto/columns.js";
import type { EventPageDocument, RunDocument } from "../../src/record/documents.js";
import {
  DocumentRefusedError,
  RunNotFoundError,
  StoreClosedError,
  type StoreError,
  StoreFormatError,
  StoreFullError,
  StoreLockedError,
  StoreSchemaError,
  StreamNotFoundError,
} from "../../src/record/store/errors.js";
import { DEFAULT_STORE, openStore, sqlitePath } from "../../src/record/store/open.js";
import {
  APPLICATION_ID,
  MIGRATIONS,
  migrate,
  PAGE_SIZE,
  SCHEMA_VERSION,
} from "../../src/record/store/schema.js";
import {
  DEAD_RUN_REASON,
  GROUP_COMMIT_DOCUMENTS,
  openSqliteStore,
  type SqliteRunStore,
  type SqliteStoreOptions,
} from "../../src/record/store/sqlite.js";
import type { RunStore } from "../../src/record/store/types.js";
import {
  current,
  dataKey,
  descriptor,
  eventTime,
  page,
  runStart,
  runStop,
  status,
  temporaryFolders,
} from "./support/runs.js";

const folder = temporaryFolders();
const opened: RunStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

function open(path: string, options: SqliteStoreOptions = {}): SqliteRunStore {
  const store = openSqliteStore(path, options);
  opened.push(store);
  return store;
}

function storePath(): string {
  return join(folder(), "runs.sqlite");
}

/** A run with a stream and `pages` pages of `count` events, committed. */
async function recorded(store: RunStore, run: string, pages: number, count = 10, stop = true): Promise<void> {
  const writer = store.writer();
  const documents: RunDocument[] = [runStart(run), descriptor(run, `${run}-d`)];
  for (let i = 0; i < pages; i++) documents.push(page(run, `${run}-d`, i * count, count));
  if (stop) documents.push(runStop(run));
  await Promise.all(documents.map((document) => writer.write(document)));
}

/** The file as another connection sees it. */
function inspect<T>(path: string, query: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

/** A file's bytes, compared by their SHA-256 (vitest compares a megabyte Buffer element by element). */
const digest = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("connection", () => {
  it("runs in WAL mode with synchronous=NORMAL, a 5 s busy timeout and its page size by default", () => {
    const path = storePath();
    const store = open(path);
    expect(store.settings()).toEqual({
      journalMode: "wal",
      synchronous: "NORMAL",
      busyTimeoutMs: 5000,
      pageSize: PAGE_SIZE,
      schemaVersion: SCHEMA_VERSION,
    });
    expect(store.uri).toBe(`sqlite:${path}`);
    expect(inspect(path, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
  });

  it("commits with synchronous=FULL when durable, and waits for a lock as long as asked", () => {
    const store = open(storePath(), { durable: true, busyTimeoutMs: 250 });
    expect(store.settings()).toMatchObject({ synchronous: "FULL", busyTimeoutMs: 250 });
  });

  it("lets one writer and other connections' readers work at once", async () => {
    const path = storePath();
    const writing = open(path);
    const reading = open(path, { readonly: true });
    const writer = writing.writer();
    await writer.write(runStart("run-aaaaaaaa"));
    await writer.write(descriptor("run-aaaaaaaa", "d1"));
    for (let i = 0; i < 5; i++) {
      await writer.write(page("run-aaaaaaaa", "d1", i * 10, 10));
      const table = await (await reading.run("run-aaaaaaaa")).table("primary");
      expect(table.count).toBe((i + 1) * 10);
    }
    expect(() => reading.writer()).toThrow(/opened read-only/);
  });
});

describe("documents in and out", () => {
  it("gives back each document as written, and the stream as columns with units", async () => {
    const store = open(storePath());
    const start = runStart("run-0123456789", {
      bench: {
        name: "demo",
        file: "",
        clockControl: "",
        takenAt: 0.5,
        instruments: [
          {
            name: "smu1",
            driver: "keithley2400",
            limits: { voltage: 21, current: Number.POSITIVE_INFINITY },
          },
        ],
      },
    });
    const writer = store.writer();
    const documents = [start, descriptor("run-0123456789", "d1"), page("run-0123456789", "d1", 0, 7)];
    documents.push(page("run-0123456789", "d1", 7, 5), runStop("run-0123456789", "fail", "smu1: compliance"));
    await Promise.all(documents.map((document) => writer.write(document)));

    const run = await store.run("run-0123456789");
    expect(run.start.plan).toBe("iv");
    expect(run.start.metadata).toEqual({ operator: "ada" });
    expect(run.start.bench?.instruments?.[0]?.limits).toEqual({
      voltage: 21,
      current: Number.POSITIVE_INFINITY,
    });
    expect(run.start.model).toBeUndefined();
    expect(run.stop).toMatchObject({ runUid: "run-0123456789", reason: "smu1: compliance", seq: 99 });
    expect(run.summary).toEqual({
      uid: "run-0123456789",
      plan: "iv",
      chip: "demo-chip",
      status: "fail",
      reason: "smu1: compliance",
      startWallTime: 1_800_000_000,
      stopWallTime: 1_800_000_001,
      events: { primary: 12 },
      hostname: "bench-host",
    });
    const [stream] = await run.streams();
    expect(stream).toMatchObject({ name: "primary", descriptorUid: "d1", events: 12, pages: 2 });
    expect(stream?.dataKeys.map((key) => [key.key, key.unit])).toEqual([
      ["smu1-current", "A"],
      ["smu1-status", ""],
      ["note", ""],
    ]);

    const table = await run.table("primary");
    const events = Array.from({ length: 12 }, (_, i) => i);
    expect(table.count).toBe(12);
    expect(Array.from(table.time)).toEqual(events.map(eventTime));
    expect(table.columns.map(({ key, unit, dtype, source }) => ({ key, unit, dtype, source }))).toEqual([
      { key: "smu1-current", unit: "A", dtype: "float64", source: "smu1" },
      { key: "smu1-status", unit: "", dtype: "int64", source: "smu1" },
      { key: "note", unit: "", dtype: "text", source: "smu1" },
    ]);
    expect(table.columns[0]?.values).toEqual(Float64Array.from(events, current));
    expect(table.columns[1]?.values).toEqual(BigInt64Array.from(events, status));
    expect(table.columns[2]?.values).toEqual(events.map((event) => `event ${event}`));

    const pages: EventPageDocument[] = [];
    for await (const stored of run.pages("primary")) pages.push(stored);
    expect(pages.map((stored) => [stored.firstEvent, stored.count])).toEqual([
      [0, 7],
      [7, 5],
    ]);
    const written = documents[3]?.doc as EventPageDocument;
    expect(pages[1]).toMatchObject({
      uid: written.uid,
      seq: written.seq,
      time: written.time,
      wallTime: written.wallTime,
    });
    // Blobs come back as Buffers: compare their bytes.
    const plain = (columns: EventPageDocument["columns"]) =>
      columns.map((column) =>
        "float64" in column
          ? [column.key, Array.from(column.float64)]
          : "int64" in column
            ? [column.key, Array.from(column.int64)]
            : [column.key, column.text.values],
      );
    expect(plain(pages[1]?.columns ?? [])).toEqual(plain(written.columns));
  });

  it("keeps a numeric column as its raw little-endian bytes, as numpy.frombuffer reads it", async () => {
    const path = storePath();
    await recorded(open(path), "run-bytes-000", 2, 4);
    const blobs = inspect(path, (db) =>
      db
        .prepare(
          `SELECT c.data FROM page_columns c JOIN pages p ON p.id = c.page_id
             JOIN descriptors d ON d.uid = p.descriptor_uid
             JOIN data_keys k ON k.descriptor_uid = d.uid AND k.position = c.position
            WHERE d.run_uid = ? AND d.name = 'primary' AND k.key = ? ORDER BY p.first_event`,
        )
        .pluck()
        .all("run-bytes-000", "smu1-current"),
    ) as Buffer[];
    expect(Buffer.concat(blobs)).toEqual(
      Buffer.from(float64Bytes(Float64Array.from({ length: 8 }, (_, i) => current(i)))),
    );
    const start = inspect(path, (db) => db.prepare("SELECT start FROM runs").pluck().get()) as string;
    expect(JSON.parse(start)).toMatchObject({ uid: "run-bytes-000", plan: "iv", chip: "demo-chip" });
  });

  it("finds a run by a unique prefix of 8 characters or more, and says why it finds none", async () => {
    const store = open(storePath());
    await recorded(store, "abcdef12-one", 1);
    await recorded(store, "abcdef12-two", 1);
    expect((await store.run("abcdef12-o")).uid).toBe("abcdef12-one");
    await expect(store.run("abcdef12")).rejects.toThrow(
      /matches more than one run \(abcdef12-one, abcdef12-two/,
    );
    await expect(store.run("abcdef1")).rejects.toThrow(/at least 8 characters/);
    await expect(store.run("zzzzzzzz-none")).rejects.toBeInstanceOf(RunNotFoundError);
    await expect(store.run("zzzzzzzz-none")).rejects.toThrow(
      `run store sqlite:${store.path}: run zzzzzzzz-none`,
    );
    await expect(store.run("abcdef1*")).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it("lists runs by plan, chip, start time and status", async () => {
    const store = open(storePath());
    const writer = store.writer();
    const starts = [
      runStart("run-1", { plan: "iv", chip: "a", wallTime: 100 }),
      runStart("run-2", { plan: "transmission", chip: "a", wallTime: 200 }),
      runStart("run-3", { plan: "iv", chip: "b", wallTime: 300 }),
    ];
    await Promise.all(
      [...starts, runStop("run-1"), runStop("run-2", "abort", "SIGINT")].map((d) => writer.write(d)),
    );
    const uids = async (filter: Parameters<RunStore["runs"]>[0]) =>
      (await store.runs(filter)).map((run) => run.uid);
    expect(await uids({})).toEqual(["run-1", "run-2", "run-3"]);
    expect(await uids({ plan: "iv" })).toEqual(["run-1", "run-3"]);
    expect(await uids({ chip: "a" })).toEqual(["run-1", "run-2"]);
    expect(await uids({ since: 200 })).toEqual(["run-2", "run-3"]);
    expect(await uids({ until: 200 })).toEqual(["run-1"]);
    expect(await uids({ status: "running" })).toEqual(["run-3"]);
    expect(await uids({ status: "abort", chip: "a" })).toEqual(["run-2"]);
    expect((await store.runs({ status: "abort" }))[0]?.reason).toBe("SIGINT");
  });

  it("names the run, the stream and the streams it has when a stream is not there", async () => {
    const store = open(storePath());
    await recorded(store, "run-streams", 1);
    const run = await store.run("run-streams");
    await expect(run.table("exchanges")).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(run.table("exchanges")).rejects.toThrow(
      'run run-streams has no stream "exchanges" (its streams: primary)',
    );
    await expect(run.pages("exchanges")[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  it("reads 10⁵ events of 100-event pages back into columns, each in place", async () => {
    const store = open(storePath());
    await recorded(store, "run-large", 1000, 100);
    const table = await (await store.run("run-large")).table("primary");
    expect(table.count).toBe(100_000);
    const values = table.columns[0]?.values as Float64Array;
    for (const event of [0, 99, 100, 54_321, 99_999]) {
      expect(values[event]).toBe(current(event));
      expect(table.time[event]).toBe(eventTime(event));
    }
    expect(values.buffer.byteLength).toBe(800_000);
  });
});

describe("writer", () => {
  it("acknowledges a document only once its transaction has committed, in groups", async () => {
    const path = storePath();
    const store = open(path);
    const writer = store.writer({ groupCommitMs: 20 });
    expect(store.writer()).toBe(writer);
    expect(() => store.writer({ maxBacklog: 3 })).toThrow(/close it before asking for others/);
    const acknowledged: string[] = [];
    const writes = [runStart("run-group"), descriptor("run-group", "d1"), page("run-group", "d1", 0, 10)].map(
      (document) => writer.write(document).then(() => acknowledged.push(document.kind)),
    );
    expect(writer.backlog).toBe(3);
    await turn();
    // Three documents wait for groupCommitMs: nothing is committed, nothing acknowledged.
    expect(writer.backlog).toBe(3);
    expect(acknowledged).toEqual([]);
    expect(inspect(path, (db) => db.prepare("SELECT count(*) FROM runs").pluck().get())).toBe(0);
    const started = performance.now();
    await writes[0];
    expect(performance.now() - started).toBeLessThan(1000);
    expect(writer.backlog).toBe(0);
    expect(inspect(path, (db) => db.prepare("SELECT count(*) FROM pages").pluck().get())).toBe(1);
    await Promise.all(writes);
    expect(acknowledged).toEqual(["runStart", "descriptor", "page"]);
  });

  it(`commits at once when ${GROUP_COMMIT_DOCUMENTS} documents are queued`, async () => {
    const store = open(storePath());
    const writer = store.writer({ groupCommitMs: 50 });
    const writes = [writer.write(runStart("run-batch")), writer.write(descriptor("run-batch", "d1"))];
    for (let i = 0; writes.length < GROUP_COMMIT_DOCUMENTS; i++)
      writes.push(writer.write(page("run-batch", "d1", i, 1)));
    expect(writer.backlog).toBe(GROUP_COMMIT_DOCUMENTS);
    await turn();
    expect(writer.backlog).toBe(0);
    await Promise.all(writes);
  });

  it("pushes back through ready() while the backlog is full, and lets go once it is committed", async () => {
    const store = open(storePath());
    const writer = store.writer({ maxBacklog: 3, groupCommitMs: 10 });
    expect(writer.ready()).toBeUndefined();
    const writes = [runStart("run-ready"), descriptor("run-ready", "d1"), page("run-ready", "d1", 0, 1)].map(
      (d) => writer.write(d),
    );
    const ready = writer.ready();
    expect(ready).toBeInstanceOf(Promise);
    let released = false;
    void ready?.then(() => {
      released = true;
    });
    await writes[0];
    await ready;
    expect(released).toBe(true);
    expect(writer.backlog).toBe(0);
    expect(writer.ready()).toBeUndefined();
  });

  it("flush() commits what is queued; close() flushes and later writes are refused", async () => {
    const path = storePath();
    const store = open(path);
    const writer = store.writer();
    const write = writer.write(runStart("run-flush"));
    await writer.flush();
    expect(inspect(path, (db) => db.prepare("SELECT uid FROM runs").pluck().all())).toEqual(["run-flush"]);
    await write;
    void writer.write(descriptor("run-flush", "d1"));
    await writer.close();
    expect(inspect(path, (db) => db.prepare("SELECT count(*) FROM descriptors").pluck().get())).toBe(1);
    await expect(writer.write(runStop("run-flush"))).rejects.toBeInstanceOf(StoreClosedError);
    expect(store.writer()).not.toBe(writer);
  });

  it.each<[string, (run: string) => RunDocument, RegExp]>([
    ["a page of a descriptor not stored", (run) => page(run, "nope", 20, 5), /descriptor nope is not stored/],
    [
      "a page given twice",
      (run) => page(run, `${run}-d`, 10, 10),
      /events 10–19 overlap those stored \(0–19\)/,
    ],
    ["a page that overlaps", (run) => page(run, `${run}-d`, 15, 10), /overlap those stored/],
    [
      "a page without a column",
      (run) => {
        const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
        return { kind: "page", doc: { ...doc, columns: doc.columns.slice(1) } };
      },
      /has 2 columns; its descriptor has 3 data keys/,
    ],
    [
      "a page whose column is short",
      (run) => {
        const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
        const columns = [{ key: "smu1-current", float64: new Uint8Array(8) }, ...doc.columns.slice(1)];
        return { kind: "page", doc: { ...doc, columns } };
      },
      /column "smu1-current" holds 1 values, not 2/,
    ],
    [
      "a page whose column has another dtype",
      (run) => {
        const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
        const columns = [{ key: "smu1-current", int64: new Uint8Array(16) }, ...doc.columns.slice(1)];
        return { kind: "page", doc: { ...doc, columns } };
      },
      /holds int64; its data key says float64/,
    ],
    ["a descriptor of a run not stored", () => descriptor("other-run", "d9"), /run other-run is not stored/],
    ["a second stream of the same name", (run) => descriptor(run, "d2"), /has a stream "primary" already/],
    [
      "a descriptor stored already",
      (run) => descriptor(run, `${run}-d`, "other"),
      /this uid is stored already/,
    ],
    [
      "a document of an unknown kind",
      () => ({ kind: "event", doc: { uid: "e1" } }) as never,
      /"event" is not a kind/,
    ],
    ["a RunStart already stored", (run) => runStart(run), /a run with this uid is stored already/],
    [
      "a descriptor with an unknown dtype",
      (run) => descriptor(run, "d3", "odd", [{ ...dataKey("x", "float64"), dtype: 9 as number }]),
      /dtype 9/,
    ],
    ["a RunStop of a run not stored", () => runStop("other-run"), /its run other-run is not stored/],
    [
      "a RunStart that is not one",
      () => ({ kind: "runStart", doc: { ...runStart("other-run").doc, bench: "smu1" } }) as never,
      /is not a RunStart \(.*bench: object expected\)/,
    ],
    [
      "a RunStop without an exit status",
      (run) => ({ kind: "runStop", doc: { ...runStop(run).doc, exitStatus: 0 } }) as never,
      /exit status 0 is not success, abort or fail/,
    ],
  ])("refuses %s alone: the others of its transaction commit", async (_, make, reason) => {
    const store = open(storePath());
    const run = "run-refusals";
    await recorded(store, run, 2, 10, false);
    const writer = store.writer();
    const refused = writer.write(make(run));
    const next = writer.write(page(run, `${run}-d`, 20, 10));
    await expect(refused).rejects.toBeInstanceOf(DocumentRefusedError);
    await expect(refused).rejects.toThrow(reason);
    await next;
    const table = await (await store.run(run)).table("primary");
    expect(table.count).toBe(30);
    expect(Array.from(table.time)).toEqual(Array.from({ length: 30 }, (_, i) => eventTime(i)));
    expect((await store.runs()).map((summary) => summary.uid)).toEqual([run]);
  });

  it("refuses a second RunStop, and pages after the RunStop", async () => {
    const store = open(storePath());
    await recorded(store, "run-stopped", 1);
    const writer = store.writer();
    await expect(writer.write(runStop("run-stopped", "abort"))).rejects.toThrow(/has a RunStop already/);
    await expect(writer.write(page("run-stopped", "run-stopped-d", 10, 1))).rejects.toThrow(/has ended/);
    expect((await store.run("run-stopped")).summary.status).toBe("success");
  });

  it.each(["success", "abort", "fail"] as const)(
    "records a RunStop's %s, its reason, and releases the lease",
    async (exit) => {
      const path = storePath();
      const store = open(path);
      const writer = store.writer();
      await writer.write(runStart("run-exit"));
      await writer.write(runStop("run-exit", exit, exit === "success" ? "" : "why"));
      expect((await store.run("run-exit")).summary).toMatchObject({
        status: exit,
        reason: exit === "success" ? "" : "why",
      });
      expect(inspect(path, (db) => db.prepare("SELECT lease_until FROM runs").pluck().get())).toBeNull();
    },
  );
});

describe("leases", () => {
  it("gives a started run its writer's pid, host and a lease, renewed every third of it", async () => {
    const path = storePath();
    const store = open(path, { leaseSeconds: 0.3 });
    const writer = store.writer();
    const before = Date.now() / 1000;
    await writer.write(runStart("run-lease"));
    const lease = () =>
      inspect(path, (db) => db.prepare("SELECT writer_pid, writer_host, lease_until FROM runs").get()) as {
        writer_pid: number;
        writer_host: string;
        lease_until: number;
      };
    const first = lease();
    expect(first).toMatchObject({ writer_pid: process.pid, writer_host: hostname() });
    expect(first.lease_until).toBeGreaterThanOrEqual(before + 0.3);
    expect(first.lease_until).toBeLessThan(Date.now() / 1000 + 0.31);
    await sleep(600);
    expect(lease().lease_until).toBeGreaterThan(first.lease_until + 0.2);
    // Another connection that may write still sees it running: a live run is never marked.
    const other = open(path, { leaseSeconds: 0.3 });
    expect((await other.runs())[0]).toMatchObject({ status: "running", reason: "" });
    expect((await other.run("run-lease")).summary.status).toBe("running");
  });

  it("marks a run whose lease lapsed abort when it lists runs; a read-only store only reports it so", async () => {
    const path = storePath();
    const store = open(path, { leaseSeconds: 0.2 });
    const writer = store.writer();
    await writer.write(runStart("run-lapsed"));
    await writer.close(); // the heartbeat stops; no RunStop
    await sleep(300);
    const readonly = open(path, { readonly: true });
    expect((await readonly.runs())[0]).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
    expect(inspect(path, (db) => db.prepare("SELECT status FROM runs").pluck().get())).toBe("running");
    const reader = open(path);
    expect((await reader.run("run-lapsed")).summary).toMatchObject({
      status: "abort",
      reason: DEAD_RUN_REASON,
    });
    expect(inspect(path, (db) => db.prepare("SELECT status, reason FROM runs").get())).toEqual({
      status: "abort",
      reason: DEAD_RUN_REASON,
    });
  });

  it("marks at once a run whose writer on this host is no longer a process, on opening for writing", async () => {
    const path = storePath();
    const store = open(path, { leaseSeconds: 60 });
    await recorded(store, "run-orphan", 1, 10, false);
    await recorded(store, "run-alive", 1, 10, false);
    const { pid } = spawnSync(process.execPath, ["-e", ""]);
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE runs SET writer_pid = ? WHERE uid = 'run-orphan'").run(pid);
    db.close();
    open(path);
    expect(
      inspect(path, (raw) => raw.prepare("SELECT uid, status, reason FROM runs ORDER BY uid").all()),
    ).toEqual([
      { uid: "run-alive", status: "running", reason: "" },
      { uid: "run-orphan", status: "abort", reason: DEAD_RUN_REASON },
    ]);
  });

  it("leaves the marking for later when another writer holds the lock, and reports the run dead meanwhile", async () => {
    const path = storePath();
    const store = open(path, { leaseSeconds: 0.1 });
    await recorded(store, "run-later", 1, 10, false);
    await store.close();
    await sleep(150);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const reader = open(path, { busyTimeoutMs: 50 });
      expect((await reader.runs())[0]).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(inspect(path, (db) => db.prepare("SELECT status FROM runs").pluck().get())).toBe("running");
  });
});

describe("failures", () => {
  it.each<[string, () => Buffer]>([
    ["a text file", () => Buffer.from("uid,time,current\n1,0.0,1e-6\n".repeat(200))],
    ["random bytes", () => randomBytes(8192)],
    ["a short file", () => Buffer.from("SQLite")],
  ])("refuses %s with its path and leaves it as it was", (_, content) => {
    const path = join(folder(), "runs.sqlite");
    const bytes = content();
    writeFileSync(path, bytes);
    for (const readonly of [false, true]) {
      expect(() => open(path, { readonly })).toThrow(StoreFormatError);
      expect(() => open(path, { readonly })).toThrow(`run store ${path}: is not an SQLite database`);
    }
    expect(digest(readFileSync(path))).toBe(digest(bytes));
  });

  it("refuses to read a store that is not there, and creates none", () => {
    const path = join(folder(), "missing.sqlite");
    expect(() => open(path, { readonly: true })).toThrow(
      `run store sqlite:${path}: there is no store at ${path}`,
    );
    expect(existsSync(path)).toBe(false);
  });

  it("refuses another application's SQLite database and leaves it as it was", () => {
    const path = join(folder(), "other.sqlite");
    const db = new Database(path);
    db.exec("CREATE TABLE samples (t REAL, v REAL); INSERT INTO samples VALUES (0, 1)");
    db.close();
    const bytes = readFileSync(path);
    expect(() => open(path)).toThrow(
      /another application \(application_id 0, tables: samples\), not a run store/,
    );
    expect(digest(readFileSync(path))).toBe(digest(bytes));
  });

  it("refuses a store whose schema pages are corrupt, and leaves it as it was", async () => {
    const path = storePath();
    await recorded(open(path), "run-corrupt", 1);
    await Promise.all(opened.splice(0).map((store) => store.close()));
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100, PAGE_SIZE); // page 1 past the header: the schema's b-tree
    writeFileSync(path, bytes);
    expect(() => open(path)).toThrow(StoreFormatError);
    expect(() => open(path)).toThrow(new RegExp(`run store ${path}: is corrupt .*the file was not modified`));
    expect(digest(readFileSync(path))).toBe(digest(bytes));
  });

  it("fails the writer with StoreFullError naming the store when the disk is full; what was committed stays", async () => {
    const path = storePath();
    await open(path).close();
    const pageCount = inspect(path, (db) => db.pragma("page_count", { simple: true })) as number;
    const store = open(path, { maxPageCount: pageCount + 4 });
    const writer = store.writer({ groupCommitMs: 0 });
    await writer.write(runStart("run-full"));
    await writer.write(descriptor("run-full", "d1"));
    let committed = 0;
    let failure: unknown;
    while (failure === undefined && committed < 1000) {
      await writer.write(page("run-full", "d1", committed * 1000, 1000)).then(
        () => committed++,
        (error: unknown) => {
          failure = error;
        },
      );
    }
    expect(failure).toBeInstanceOf(StoreFullError);
    expect((failure as StoreError).store).toBe(`sqlite:${path}`);
    expect((failure as Error).message).toMatch(
      `run store sqlite:${path}: the disk or the store's size limit is full`,
    );
    expect(committed).toBeGreaterThan(2);
    await expect(writer.write(runStop("run-full"))).rejects.toBe(failure);
    await expect(writer.flush()).rejects.toBe(failure);
    await expect(writer.ready()).rejects.toBe(failure);
    await expect(store.close()).rejects.toBe(failure);
    const table = await (await open(path, { readonly: true }).run("run-full")).table("primary");
    expect(table.count).toBe(committed * 1000);
    const values = table.columns[0]?.values as Float64Array;
    expect(values[committed * 1000 - 1]).toBe(current(committed * 1000 - 1));
  });

  it("fails the writer with StoreLockedError naming the store when another writer holds the lock", async () => {
    const path = storePath();
    const store = open(path, { busyTimeoutMs: 100 });
    await recorded(store, "run-locked", 3, 10, false);
    const writer = store.writer();
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      // Both documents of the transaction fail with it, and so does every later one.
      const writes = [30, 40].map((first) => writer.write(page("run-locked", "run-locked-d", first, 10)));
      const [error] = await Promise.all(writes.map((write) => write.catch((e: unknown) => e)));
      expect(error).toBeInstanceOf(StoreLockedError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      expect((error as Error).message).toBe(
        `run store sqlite:${path}: locked by another writer for more than 100 ms ` +
          "(another process writing to the same store?)",
      );
      await expect(writes[1]).rejects.toBe(error);
      await expect(writer.write(runStop("run-locked"))).rejects.toBe(error);
      // Readers go on meanwhile, and see what was committed.
      expect((await (await store.run("run-locked")).table("primary")).count).toBe(30);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });

  it("refuses reads once closed", async () => {
    const store = open(storePath());
    await store.close();
    await expect(store.runs()).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.run("anything")).rejects.toThrow(/was closed/);
    expect(() => store.writer()).toThrow(StoreClosedError);
  });
});

describe("schema", () => {
  it("gives an empty file, and an SQLite file of version 0, the current schema", () => {
    const empty = join(folder(), "empty.sqlite");
    writeFileSync(empty, "");
    const versionZero = join(folder(), "zero.sqlite");
    new Database(versionZero).exec("CREATE TABLE x (a); DROP TABLE x").close();
    for (const path of [empty, versionZero]) {
      expect(open(path).settings().schemaVersion).toBe(SCHEMA_VERSION);
      expect(inspect(path, (db) => db.pragma("application_id", { simple: true }))).toBe(APPLICATION_ID);
      expect(
        inspect(path, (db) =>
          db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all(),
        ),
      ).toEqual(["data_keys", "descriptors", "page_columns", "pages", "runs"]);
    }
  });

  it("refuses a store newer than the code, naming both versions, and leaves it as it was", async () => {
    const path = storePath();
    await open(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const bytes = readFileSync(path);
    for (const readonly of [false, true]) {
      expect(() => open(path, { readonly })).toThrow(StoreSchemaError);
      expect(() => open(path, { readonly })).toThrow(
        `its schema is version ${SCHEMA_VERSION + 1}, newer than version ${SCHEMA_VERSION}`,
      );
    }
    expect(digest(readFileSync(path))).toBe(digest(bytes));
  });

  it("runs pending migrations in one transaction: all of them, or none", async () => {
    const path = storePath();
    await open(path).close();
    const db = new Database(path);
    try {
      const next = [
        ...MIGRATIONS,
        { version: 2, description: "notes", sql: "ALTER TABLE runs ADD COLUMN notes TEXT" },
      ];
      const broken = [...next, { version: 3, description: "broken", sql: "CREATE TABLE runs (x)" }];
      expect(() => migrate(db, "test", broken)).toThrow(/already exists/);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT name FROM pragma_table_info('runs') WHERE name = 'notes'").all()).toEqual([]);
      expect(migrate(db, "test", next)).toEqual({ from: 1, to: 2 });
      expect(db.pragma("user_version", { simple: true })).toBe(2);
      expect(migrate(db, "test", next)).toEqual({ from: 2, to: 2 });
    } finally {
      db.close();
    }
  });
});

describe("openStore", () => {
  it("opens sqlite: URIs and bare paths, relative ones against the working folder", async () => {
    const path = storePath();
    const relativePath = relative(process.cwd(), path);
    for (const uri of [`sqlite:${path}`, `sqlite:${relativePath}`, path, relativePath, `sqlite://${path}`]) {
      const store = await openStore(uri);
      opened.push(store);
      expect(store.uri).toBe(`sqlite:${path}`);
    }
    expect(DEFAULT_STORE).toBe("sqlite:runs.sqlite");
    expect(sqlitePath(DEFAULT_STORE)).toBe(resolve(process.cwd(), "runs.sqlite"));
  });

  it.each(["postgres://lab:secret@db.lab/runs", "postgresql://db.lab/runs"])(
    "refuses %s for now, saying how to name an SQLite store",
    async (uri) => {
      const error = (await openStore(uri).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/the PostgreSQL backend is not in this version yet/);
      expect(error.message).toContain('"sqlite:runs.sqlite"');
      expect(error.message).not.toContain("secret");
    },
  );

  it("refuses an unknown scheme, naming those it knows", async () => {
    await expect(openStore("mysql://db/runs")).rejects.toThrow(
      /unknown scheme "mysql:".*schemes: sqlite, postgres, postgresql/,
    );
    await expect(openStore("sqlite:")).rejects.toThrow(/names no file/);
  });
});
