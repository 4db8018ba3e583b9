/**
 * What only the SQLite run store has (issue 17, "Stores" and "What loses
 * nothing means here"): its connection's pragmas, its leases by pid, host
 * and expiry, a full disk (`max_page_count`; PostgreSQL's would need a
 * tablespace on a small filesystem, so it is tested here only), files that
 * are not stores, its schema by `user_version`, and its URIs. What both
 * backends do, SQLite's included: ./store.test.ts; other processes:
 * ./store-durability.test.ts.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, relative, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { pms } from "../../src/proto/runtime.js";
import { dtypeName, type RunDocument } from "../../src/record/documents.js";
import { documentJson } from "../../src/record/store/documents-json.js";
import {
  type StoreError,
  StoreFormatError,
  StoreFullError,
  StoreSchemaError,
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
  openSqliteStore,
  type SqliteRunStore,
  type SqliteStoreOptions,
} from "../../src/record/store/sqlite.js";
import type { RunStore } from "../../src/record/store/types.js";
import { current, descriptor, page, recorded, runStart, runStop, temporaryFolders } from "./support/runs.js";

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
      walAutocheckpoint: 1000,
    });
    expect(store.uri).toBe(`sqlite:${path}`);
    expect(inspect(path, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
  });

  it("commits with synchronous=FULL when durable, and waits for a lock as long as asked", () => {
    const store = open(storePath(), { durable: true, busyTimeoutMs: 250 });
    expect(store.settings()).toMatchObject({ synchronous: "FULL", busyTimeoutMs: 250 });
  });
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
      ).toEqual(["chunks", "data_keys", "descriptors", "runs"]);
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
        { version: SCHEMA_VERSION + 1, description: "notes", sql: "ALTER TABLE runs ADD COLUMN notes TEXT" },
      ];
      const broken = [
        ...next,
        { version: SCHEMA_VERSION + 2, description: "broken", sql: "CREATE TABLE runs (x)" },
      ];
      expect(() => migrate(db, "test", broken)).toThrow(/already exists/);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT name FROM pragma_table_info('runs') WHERE name = 'notes'").all()).toEqual([]);
      const to = SCHEMA_VERSION + 1;
      expect(migrate(db, "test", next)).toEqual({ from: SCHEMA_VERSION, to });
      expect(db.pragma("user_version", { simple: true })).toBe(to);
      expect(migrate(db, "test", next)).toEqual({ from: to, to });
    } finally {
      db.close();
    }
  });
});

describe("migration from version 1", () => {
  /**
   * `documents` written as version 1 laid them out (a row per page and per
   * column), by SQL of this test's own, so that the migration is checked
   * against rows its code did not write.
   */
  function writeVersion1(path: string, documents: readonly RunDocument[]): void {
    const db = new Database(path);
    try {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma("journal_mode = WAL");
      migrate(db, "test", MIGRATIONS.slice(0, 1));
      const keys = new Map<string, { position: number; dtype: string }[]>();
      for (const document of documents) {
        if (document.kind === "runStart") {
          const doc = document.doc;
          db.prepare(
            `INSERT INTO runs (uid, plan, chip, hostname, status, start_wall_time, start)
             VALUES (?, ?, ?, ?, 'running', ?, ?)`,
          ).run(
            doc.uid,
            doc.plan,
            doc.chip,
            doc.hostname,
            doc.wallTime,
            documentJson(pms.v1.RunStart, doc) as string,
          );
        } else if (document.kind === "descriptor") {
          const doc = document.doc;
          db.prepare("INSERT INTO descriptors (uid, run_uid, name, document) VALUES (?, ?, ?, ?)").run(
            doc.uid,
            doc.runUid,
            doc.name,
            documentJson(pms.v1.EventDescriptor, doc) as string,
          );
          const dtypes = doc.dataKeys.map((key, position) => ({
            position,
            dtype: dtypeName(key.dtype) as string,
          }));
          keys.set(doc.uid, dtypes);
          for (const [position, key] of doc.dataKeys.entries()) {
            db.prepare(
              "INSERT INTO data_keys (descriptor_uid, position, key, dtype, unit, source) VALUES (?, ?, ?, ?, ?, ?)",
            ).run(doc.uid, position, key.key, dtypes[position]?.dtype, key.unit, key.source);
          }
        } else if (document.kind === "page") {
          const doc = document.doc;
          const { lastInsertRowid } = db
            .prepare(
              `INSERT INTO pages (uid, run_uid, descriptor_uid, seq, first_event, count, time, wall_time, event_time)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              doc.uid,
              doc.runUid,
              doc.descriptorUid,
              doc.seq,
              doc.firstEvent,
              doc.count,
              doc.time,
              doc.wallTime,
              doc.eventTime,
            );
          for (const [position, column] of doc.columns.entries()) {
            const data =
              "float64" in column
                ? column.float64
                : "int64" in column
                  ? column.int64
                  : JSON.stringify(column.text.values);
            db.prepare("INSERT INTO page_columns (page_id, position, data) VALUES (?, ?, ?)").run(
              lastInsertRowid,
              position,
              data,
            );
          }
          db.prepare("UPDATE descriptors SET events = events + ?, pages = pages + 1 WHERE uid = ?").run(
            doc.count,
            doc.descriptorUid,
          );
        } else if (document.kind === "runStop") {
          const doc = document.doc;
          db.prepare("UPDATE runs SET status = 'success', stop_wall_time = ?, stop = ? WHERE uid = ?").run(
            doc.wallTime,
            documentJson(pms.v1.RunStop, doc) as string,
            doc.runUid,
          );
        }
      }
    } finally {
      db.close();
    }
  }

  it("moves every page into chunks on opening for writing: the same tables, pages and documents back", async () => {
    const documents: RunDocument[] = [runStart("run-v1"), descriptor("run-v1", "run-v1-d")];
    for (let i = 0; i < 5; i++) documents.push(page("run-v1", "run-v1-d", i * 7, 7));
    documents.push(runStop("run-v1"));
    const old = storePath();
    writeVersion1(old, documents);
    const current = storePath().replace("runs.sqlite", "current.sqlite");
    await recorded(open(current), "run-v1", 0, 7, false);
    const writer = open(current).writer();
    await Promise.all(documents.slice(2).map((document) => writer.write(document)));

    // Read-only opening refuses an old store rather than reading it wrongly.
    expect(() => open(old, { readonly: true })).toThrow(/schema is version 1, older than version 2/);
    const migrated = open(old);
    expect(migrated.settings().schemaVersion).toBe(SCHEMA_VERSION);
    expect(
      inspect(old, (db) =>
        db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all(),
      ),
    ).toEqual(["chunks", "data_keys", "descriptors", "runs"]);
    const [before, after] = [
      await open(current, { readonly: true }).run("run-v1"),
      await migrated.run("run-v1"),
    ];
    expect(after.summary).toEqual(before.summary);
    expect(await after.table("primary")).toEqual(await before.table("primary"));
    const pagesOf = async (reader: typeof before) => {
      const pages: unknown[] = [];
      for await (const stored of reader.pages("primary"))
        pages.push({ ...stored, eventTime: [...stored.eventTime] });
      return pages;
    };
    expect(await pagesOf(after)).toEqual(await pagesOf(before));
    expect((await pagesOf(after)).length).toBe(5);
    // A writer would take the migrated stream on where version 1 left it.
    expect(inspect(old, (db) => db.prepare("SELECT next_event FROM descriptors").pluck().all())).toEqual([
      35,
    ]);
  });

  it("refuses, naming the page, a version-1 page its index cannot hold, and leaves the store at version 1", () => {
    const documents: RunDocument[] = [runStart("run-v1"), descriptor("run-v1", "run-v1-d")];
    const odd = page("run-v1", "run-v1-d", 0, 7);
    if (odd.kind === "page") documents.push({ kind: "page", doc: { ...odd.doc, seq: 2.5 } });
    const old = storePath();
    writeVersion1(old, documents);
    expect(() => open(old)).toThrow(/cannot migrate to version 2: page run-v1-d-page-0 .* has seq 2\.5/);
    expect(inspect(old, (db) => db.pragma("user_version", { simple: true }))).toBe(1);
  });

  it("says a chunk whose blobs disagree with its events is corrupt when its pages are read", async () => {
    const path = storePath();
    const store = open(path);
    await recorded(store, "run-bad", 2, 5);
    const db = new Database(path);
    db.prepare("UPDATE chunks SET data = substr(data, 1, 16)").run();
    db.close();
    const reader = await store.run("run-bad");
    const read = async () => {
      for await (const _ of reader.pages("primary")) {
        // Reading is the check.
      }
    };
    await expect(read()).rejects.toThrow(StoreFormatError);
    await expect(read()).rejects.toThrow(/run run-bad, stream "primary": a chunk's blobs disagree/);
    await expect(reader.table("primary")).rejects.toThrow(StoreFormatError);
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

  it("refuses an unknown scheme, naming those it knows", async () => {
    await expect(openStore("mysql://db/runs")).rejects.toThrow(
      /unknown scheme "mysql:".*schemes: sqlite, postgres, postgresql/,
    );
    await expect(openStore("sqlite:")).rejects.toThrow(/names no file/);
  });
});
