/**
 * The SQLite run store (issue 17, "Stores"): the embedded default, one file
 * (`runs.sqlite`) in WAL mode, so that one writer and any number of readers,
 * in this process or others, work at once and a reader never waits for the
 * writer (nor the writer for a reader).
 *
 * Writing: `writer().write(doc)` queues a document and resolves once the
 * transaction that holds it has committed. Documents are committed in groups
 * (group commit): a transaction at most `groupCommitMs` after the first
 * queued document, or at once when 64 are queued. `synchronous=NORMAL` makes
 * a commit survive the death of the process, not a power cut (`durable`
 * gives FULL). better-sqlite3 is synchronous: a commit, and a wait for
 * another writer's lock (up to `busyTimeoutMs`), hold this thread. The
 * WAL's checkpoints do not: a worker thread runs them (./checkpointer.ts),
 * and the writer holds its commits (push-back, not a held thread) while the
 * WAL is past `walLimitBytes`.
 *
 * Leases: a run being written holds a lease (`writer_pid`, `writer_host`,
 * `lease_until`), renewed every third of `leaseSeconds`. A run whose lease
 * has lapsed, or whose writer on this host is no longer a process, is dead:
 * marked `abort`, "process ended without RunStop", when a store opened for
 * writing is opened or lists runs; a read-only store reports it so without
 * writing. A run whose writer lives and renews is never marked, whoever
 * reads. The limit: a writer whose event loop is held for two thirds of its
 * lease misses its renewal, and another host's reader may then mark it.
 *
 * Reading: `table()` preallocates each column at its final length (the sum
 * of the page counts) and copies each page's blob into place, so that memory
 * peaks near the size of the columns; `pages()` fetches one page at a time.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { pms } from "../../proto/runtime.js";
import {
  type ColumnDocument,
  type DataKeyDocument,
  type Dtype,
  dtypeName,
  type EventDescriptorDocument,
  type EventPageDocument,
  exitStatusName,
  type RunDocument,
  type RunStartDocument,
  type RunStopDocument,
} from "../documents.js";
import { type Checkpointer, type CheckpointReport, startCheckpointer } from "./checkpointer.js";
import {
  checkPage,
  descriptorOf,
  documentJson,
  runStartOf,
  runStopOf,
  type WrittenStream,
} from "./documents-json.js";
import {
  DocumentRefusedError,
  RunNotFoundError,
  StoreClosedError,
  StoreError,
  StoreFormatError,
  StoreFullError,
  StoreLockedError,
  StoreSchemaError,
  StreamNotFoundError,
} from "./errors.js";
import {
  APPLICATION_ID,
  chunkId,
  MAX_EVENTS,
  MAX_STREAM_ID,
  migrate,
  PAGE_INDEX_BYTES,
  PAGE_SIZE,
  SCHEMA_VERSION,
  writePageIndex,
} from "./schema.js";
import type {
  OpenStoreOptions,
  RunFilter,
  RunReader,
  RunStatus,
  RunStore,
  RunSummary,
  StoreWriter,
  StoreWriterOptions,
  StreamInfo,
  Table,
  TableColumn,
} from "./types.js";

export interface SqliteStoreOptions extends OpenStoreOptions {
  /**
   * `PRAGMA max_page_count` for this connection: the store's size limit in
   * pages of `PAGE_SIZE` bytes; past it a commit fails as on a full disk
   * (StoreFullError). For tests of a full disk; default SQLite's.
   */
  readonly maxPageCount?: number;
  /**
   * Whether a worker thread runs the WAL's checkpoints (./checkpointer.ts;
   * default true); false leaves them to SQLite, on the committing thread.
   */
  readonly checkpointThread?: boolean;
  /** The WAL's size past which the writer holds its commits for a checkpoint, bytes (default 64 MiB). */
  readonly walLimitBytes?: number;
}

/** What the connection runs with, read back from SQLite. */
export interface SqliteSettings {
  readonly journalMode: string;
  readonly synchronous: "OFF" | "NORMAL" | "FULL" | "EXTRA";
  readonly busyTimeoutMs: number;
  readonly pageSize: number;
  readonly schemaVersion: number;
  /** SQLite's checkpoints on this connection, pages (0 while its writer's thread runs them). */
  readonly walAutocheckpoint: number;
}

export interface SqliteRunStore extends RunStore {
  /** The store's file, absolute. */
  readonly path: string;
  settings(): SqliteSettings;
}

/** Why the store marks a run whose writer died. */
export const DEAD_RUN_REASON = "process ended without RunStop";

/** Documents queued past which the writer commits at once rather than waiting for `groupCommitMs`. */
export const GROUP_COMMIT_DOCUMENTS = 64;

/**
 * A chunk takes no more pages once its event times, numeric columns and
 * page index would pass this many bytes (a page larger is a chunk of its
 * own): four such rows fill a 64 KiB database page, so that a stream of
 * 1000-event pages (16 kB each) is stored a page a row, uncopied, packed as
 * tightly as in version 1, and small pages are gathered into rows of that
 * size. (Chunks of 48 kB, a row a database page, left a quarter of each
 * page empty and wrote 1000-event pages at 0.6 of raw inserts, against 0.9.)
 */
export const CHUNK_BYTES = 16 * 1024;

/** What a page adds to its chunk beyond its columns: its index record and its uid in JSON. */
const PAGE_OVERHEAD_BYTES = PAGE_INDEX_BYTES + 40;

const DEFAULT_LEASE_SECONDS = 10;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_GROUP_COMMIT_MS = 50;
const DEFAULT_MAX_BACKLOG = 256;
const DEFAULT_WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** What a WAL frame adds to its database page. */
const WAL_FRAME_HEADER_BYTES = 24;
/**
 * The WAL's size from which the writer asks its thread for checkpoints, bytes:
 * below it a checkpoint after each commit cost small transactions more than
 * it saved (10-event pages: 0.50 of raw inserts with one after every commit,
 * 0.57 with SQLite's own), and a short run's WAL is left to the store's close.
 */
const CHECKPOINT_FROM_BYTES = 8 * 1024 * 1024;
/** After a checkpoint that could not copy every frame (a reader holds a snapshot), the next is asked this much later, ms. */
const CHECKPOINT_RETRY_MS = 50;
/**
 * The longest the writer holds its commits for a drained WAL, ms, until a
 * checkpoint completes: past it (a reader holds a snapshot that pins the
 * WAL, or the disk is that slow), it commits, and the WAL grows past its
 * limit until a checkpoint completes again.
 */
const MAX_HOLD_MS = 1000;
/** SQLite's own `wal_autocheckpoint`, which the writer goes back to when its checkpointing thread fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
const SQLITE_MAGIC = "SQLite format 3\0";
const SYNCHRONOUS = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;

/** Whether process `pid` of this host exists (EPERM: it does, another user's). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

interface LeaseRow {
  readonly status: string;
  readonly writer_pid: number | null;
  readonly writer_host: string | null;
  readonly lease_until: number | null;
}

/** A running run whose lease lapsed, or whose writer on this host is gone. */
function isDead(row: LeaseRow, now: number, host: string): boolean {
  if (row.status !== "running") return false;
  if (row.lease_until === null || row.lease_until < now) return true;
  return row.writer_host === host && row.writer_pid !== null && !processAlive(row.writer_pid);
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

/** The store's file is SQLite's, or empty, or absent: checked before SQLite opens (and could write) it. */
function checkHeader(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new StoreFormatError(path, "is a folder, not a file");
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (size === 0) return;
  const header = Buffer.alloc(100);
  const fd = openSync(path, "r");
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < header.length || header.toString("latin1", 0, 16) !== SQLITE_MAGIC) {
    throw new StoreFormatError(path, "is not an SQLite database (its first bytes are not SQLite's header)");
  }
}

/** A failure of better-sqlite3 as the StoreError that says what it means. */
function storeErrorOf(cause: unknown, uri: string, path: string, busyTimeoutMs: number): Error {
  if (cause instanceof StoreError) return cause;
  if (!(cause instanceof Database.SqliteError)) return cause as Error;
  const code = cause.code;
  if (code === "SQLITE_FULL") return new StoreFullError(uri, { cause });
  if (code.startsWith("SQLITE_BUSY")) return new StoreLockedError(uri, busyTimeoutMs, { cause });
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreFormatError(path, `is corrupt (${cause.message})`, { cause });
  }
  if (code.startsWith("SQLITE_CANTOPEN"))
    return new StoreError(uri, `cannot open ${path} (${cause.message})`, { cause });
  if (code.startsWith("SQLITE_READONLY"))
    return new StoreError(uri, `cannot write (${cause.message})`, { cause });
  return new StoreError(uri, `${cause.message} (${code})`, { cause });
}

interface DescriptorRow {
  readonly id: number;
  readonly uid: string;
  readonly run_uid: string;
  readonly name: string;
  readonly document: string;
  readonly events: number;
  readonly pages: number;
}

interface RunRow extends LeaseRow {
  readonly uid: string;
  readonly plan: string;
  readonly chip: string;
  readonly hostname: string;
  readonly reason: string;
  readonly start_wall_time: number;
  readonly stop_wall_time: number | null;
  readonly start: string;
  readonly stop: string | null;
}

/**
 * Opens (creating if absent, migrating if older) the SQLite run store at
 * `path`. Throws StoreFormatError for a file that is not a run store
 * (leaving it as it was), StoreSchemaError for a newer one,
 * StoreLockedError when another writer holds it past the busy timeout.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteRunStore {
  const absolute = resolve(path);
  const uri = `sqlite:${absolute}`;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!(busyTimeoutMs >= 0)) throw new RangeError(`busyTimeoutMs must be ≥ 0 ms, not ${busyTimeoutMs}`);
  if (!(leaseSeconds > 0)) throw new RangeError(`leaseSeconds must be > 0 s, not ${leaseSeconds}`);
  const walLimitBytes = options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
  if (!(walLimitBytes > 0)) throw new RangeError(`walLimitBytes must be > 0, not ${walLimitBytes}`);
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(absolute))
    throw new StoreError(uri, `there is no store at ${absolute} to read`);
  checkHeader(absolute);
  let db: Database.Database;
  try {
    db = new Database(absolute, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
  } catch (cause) {
    throw storeErrorOf(cause, uri, absolute, busyTimeoutMs);
  }
  try {
    prepare(db, uri, absolute, readonly, options);
  } catch (cause) {
    db.close();
    throw storeErrorOf(cause, uri, absolute, busyTimeoutMs);
  }
  const store = new SqliteStore(db, uri, absolute, readonly, leaseSeconds, busyTimeoutMs, {
    checkpointThread: options.checkpointThread ?? true,
    walLimitBytes,
    synchronous: options.durable ? "FULL" : "NORMAL",
  });
  if (!readonly) store.sweep();
  return store;
}

/** Checks that `db` is a run store of a version this code knows, migrates it, and sets the connection up. */
function prepare(
  db: Database.Database,
  uri: string,
  path: string,
  readonly: boolean,
  options: SqliteStoreOptions,
): void {
  // Reads only, so that a file that is not a store is refused before anything is written to it.
  const version = db.pragma("user_version", { simple: true }) as number;
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  const fresh = version === 0 && applicationId === 0 && tables.length === 0;
  if (!fresh && applicationId !== APPLICATION_ID) {
    throw new StoreFormatError(
      path,
      `is an SQLite database of another application (application_id ${applicationId}, ` +
        `tables: ${tables.join(", ") || "none"}), not a run store`,
    );
  }
  if (version > SCHEMA_VERSION) throw new StoreSchemaError(uri, version, SCHEMA_VERSION);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
  if (readonly) {
    // No memory-mapped I/O: it read a 10⁷-event table() about a fifth faster (0.34 against 0.41 s), but
    // the mapped file counted in the reader's memory, 2.6 times the columns at its peak against 1.1 times
    // (issue 17 asks for 1.5 at most), and an I/O error on a mapped page is a signal that ends the process.
    if (version < SCHEMA_VERSION) {
      throw new StoreError(
        uri,
        `its schema is version ${version}, older than version ${SCHEMA_VERSION}: ` +
          "open it once for writing to migrate it (`pms runs migrate --store …` does)",
      );
    }
    return;
  }
  // The page size holds only if set before the first page is written, so before WAL mode.
  if (fresh) db.pragma(`page_size = ${PAGE_SIZE}`);
  const journal = db.pragma("journal_mode = WAL", { simple: true }) as string;
  if (journal !== "wal") throw new StoreError(uri, `cannot use WAL mode (journal mode stays ${journal})`);
  db.pragma(`synchronous = ${options.durable ? "FULL" : "NORMAL"}`);
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
  if (version < SCHEMA_VERSION) migrate(db, uri);
}

type Statements = ReturnType<typeof readStatements>;

function readStatements(db: Database.Database) {
  return {
    running: db.prepare(
      "SELECT uid, status, writer_pid, writer_host, lease_until FROM runs WHERE status = 'running'",
    ),
    markDead: db.prepare(
      "UPDATE runs SET status = 'abort', reason = ? WHERE uid = ? AND status = 'running' AND lease_until IS ?",
    ),
    run: db.prepare("SELECT * FROM runs WHERE uid = ?"),
    runsByPrefix: db.prepare("SELECT * FROM runs WHERE uid GLOB ? ORDER BY uid LIMIT 2"),
    // In the order the run declared them (rowid follows insertion).
    streams: db.prepare("SELECT * FROM descriptors WHERE run_uid = ? ORDER BY rowid"),
    stream: db.prepare("SELECT * FROM descriptors WHERE run_uid = ? AND name = ?"),
    // A stream's chunks are the ids [id << 40, (id + 1) << 40), in event order.
    chunks: db
      .prepare("SELECT events, event_time, data, text FROM chunks WHERE id >= ? AND id < ? ORDER BY id")
      .raw(),
    chunkAfter: db.prepare(
      `SELECT id & ${MAX_EVENTS - 1} AS first_event, events, pages, event_time, data, text, page_index, page_uids
         FROM chunks WHERE id > ? AND id < ? ORDER BY id LIMIT 1`,
    ),
  };
}

function writeStatements(db: Database.Database) {
  return {
    insertRun: db.prepare(
      `INSERT INTO runs (uid, plan, chip, hostname, status, reason, start_wall_time, start,
                         writer_pid, writer_host, lease_until)
       VALUES (?, ?, ?, ?, 'running', '', ?, ?, ?, ?, ?)`,
    ),
    stopRun: db.prepare(
      `UPDATE runs SET status = ?, reason = ?, stop_wall_time = ?, stop = ?, lease_until = NULL
        WHERE uid = ? AND stop IS NULL`,
    ),
    // undefined: no such run; 0: running; 1: its RunStop is stored.
    runStopped: db.prepare("SELECT stop IS NOT NULL FROM runs WHERE uid = ?").pluck(),
    renew: db.prepare("UPDATE runs SET lease_until = ? WHERE uid = ? AND stop IS NULL"),
    insertDescriptor: db.prepare(
      "INSERT INTO descriptors (uid, run_uid, name, document) VALUES (?, ?, ?, ?)",
    ),
    insertDataKey: db.prepare(
      "INSERT INTO data_keys (descriptor, position, slot, key, dtype, unit, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    descriptorStored: db.prepare("SELECT 1 FROM descriptors WHERE uid = ?").pluck(),
    streamNamed: db.prepare("SELECT 1 FROM descriptors WHERE run_uid = ? AND name = ?").pluck(),
    descriptor: db.prepare(
      `SELECT d.id, d.run_uid, d.document, d.next_event, r.stop IS NOT NULL AS stopped
         FROM descriptors d JOIN runs r ON r.uid = d.run_uid WHERE d.uid = ?`,
    ),
    insertChunk: db.prepare(
      `INSERT INTO chunks (id, events, pages, event_time, data, text, page_index, page_uids)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addEvents: db.prepare(
      "UPDATE descriptors SET events = events + ?, pages = pages + ?, next_event = ? WHERE id = ?",
    ),
  };
}

/** A descriptor as the writer checks pages against it. */
class SqliteStore implements SqliteRunStore {
  readonly #db: Database.Database;
  readonly #readonly: boolean;
  readonly #host = hostname();
  readonly #statements: Statements;
  #writer: SqliteWriter | undefined;
  #closed = false;

  constructor(
    db: Database.Database,
    readonly uri: string,
    readonly path: string,
    readonly: boolean,
    readonly leaseSeconds: number,
    readonly busyTimeoutMs: number,
    readonly checkpoints: {
      readonly checkpointThread: boolean;
      readonly walLimitBytes: number;
      readonly synchronous: "NORMAL" | "FULL";
    },
  ) {
    this.#db = db;
    this.#readonly = readonly;
    this.#statements = readStatements(db);
  }

  /** Runs `work` on the open connection, its SQLite failures given as StoreErrors. */
  guard<T>(work: (db: Database.Database, statements: Statements) => T): T {
    if (this.#closed) throw new StoreClosedError(this.uri);
    try {
      return work(this.#db, this.#statements);
    } catch (cause) {
      throw storeErrorOf(cause, this.uri, this.path, this.busyTimeoutMs);
    }
  }

  settings(): SqliteSettings {
    return this.guard((db) => ({
      journalMode: db.pragma("journal_mode", { simple: true }) as string,
      synchronous: SYNCHRONOUS[db.pragma("synchronous", { simple: true }) as number] ?? "OFF",
      busyTimeoutMs: db.pragma("busy_timeout", { simple: true }) as number,
      pageSize: db.pragma("page_size", { simple: true }) as number,
      schemaVersion: db.pragma("user_version", { simple: true }) as number,
      walAutocheckpoint: db.pragma("wal_autocheckpoint", { simple: true }) as number,
    }));
  }

  writer(options: StoreWriterOptions = {}): StoreWriter {
    if (this.#closed) throw new StoreClosedError(this.uri);
    if (this.#readonly) throw new StoreError(this.uri, "opened read-only: it has no writer");
    if (this.#writer === undefined) {
      this.#writer = new SqliteWriter(this, this.#db, options, () => {
        this.#writer = undefined;
      });
    } else {
      this.#writer.checkOptions(options);
    }
    return this.#writer;
  }

  /**
   * Marks the dead runs `abort`. Each update holds only if the run's lease
   * is still the one judged dead (a writer that renewed in between keeps its
   * run). A lock held by another writer leaves them to the next sweep; reads
   * report them as dead meanwhile.
   */
  sweep(): void {
    const now = nowSeconds();
    const running = this.guard((_, statements) => statements.running.all() as (LeaseRow & { uid: string })[]);
    const dead = running.filter((row) => isDead(row, now, this.#host));
    if (dead.length === 0) return;
    try {
      this.guard((db, statements) =>
        db
          .transaction(() => {
            for (const row of dead) statements.markDead.run(DEAD_RUN_REASON, row.uid, row.lease_until);
          })
          .immediate(),
      );
    } catch (error) {
      if (!(error instanceof StoreLockedError)) throw error;
    }
  }

  async runs(filter: RunFilter = {}): Promise<RunSummary[]> {
    if (!this.#readonly) this.sweep();
    const conditions: [string, string | number | undefined][] = [
      ["r.plan = ?", filter.plan],
      ["r.chip = ?", filter.chip],
      ["r.start_wall_time >= ?", filter.since],
      ["r.start_wall_time < ?", filter.until],
    ];
    const given = conditions.filter(([, value]) => value !== undefined);
    const where = given.length > 0 ? `WHERE ${given.map(([condition]) => condition).join(" AND ")}` : "";
    const values = given.map(([, value]) => value);
    return this.guard((db) =>
      db
        .transaction(() => {
          const rows = db
            .prepare(`SELECT r.* FROM runs r ${where} ORDER BY r.start_wall_time, r.uid`)
            .all(...values) as RunRow[];
          const streams = db
            .prepare(
              `SELECT d.run_uid, d.name, d.events FROM descriptors d JOIN runs r ON r.uid = d.run_uid ${where}`,
            )
            .all(...values) as { run_uid: string; name: string; events: number }[];
          const events = new Map<string, Record<string, number>>();
          for (const stream of streams) {
            const counts = events.get(stream.run_uid) ?? {};
            counts[stream.name] = stream.events;
            events.set(stream.run_uid, counts);
          }
          const now = nowSeconds();
          return rows
            .map((row) => this.#summaryOf(row, events.get(row.uid) ?? {}, now))
            .filter((summary) => filter.status === undefined || summary.status === filter.status);
        })
        .deferred(),
    );
  }

  async run(uid: string): Promise<RunReader> {
    if (!this.#readonly) this.sweep();
    const row = this.guard((_, statements) => {
      const exact = statements.run.get(uid) as RunRow | undefined;
      if (exact !== undefined) return exact;
      if (uid.length < 8) {
        throw new RunNotFoundError(
          this.uri,
          uid,
          "no run has this uid (a prefix needs at least 8 characters)",
        );
      }
      const [match, other] = statements.runsByPrefix.all(`${uid.replace(/[*?[]/g, "[$&]")}*`) as RunRow[];
      if (match === undefined) throw new RunNotFoundError(this.uri, uid);
      if (other !== undefined) {
        const matches = `${match.uid}, ${other.uid}, …`;
        throw new RunNotFoundError(this.uri, uid, `the prefix matches more than one run (${matches})`);
      }
      return match;
    });
    const events: Record<string, number> = {};
    for (const stream of this.streamRows(row.uid)) events[stream.name] = stream.events;
    return new SqliteRunReader(
      this,
      runStartOf(row.start),
      row.stop === null ? undefined : runStopOf(row.stop),
      this.#summaryOf(row, events, nowSeconds()),
    );
  }

  #summaryOf(row: RunRow, events: Record<string, number>, now: number): RunSummary {
    const dead = isDead(row, now, this.#host);
    return {
      uid: row.uid,
      plan: row.plan,
      chip: row.chip,
      status: dead ? "abort" : (row.status as RunStatus),
      reason: dead ? DEAD_RUN_REASON : row.reason,
      startWallTime: row.start_wall_time,
      ...(row.stop_wall_time === null ? {} : { stopWallTime: row.stop_wall_time }),
      events,
      hostname: row.hostname,
    };
  }

  streamRows(runUid: string): DescriptorRow[] {
    return this.guard((_, statements) => statements.streams.all(runUid) as DescriptorRow[]);
  }

  /** Stream `name` of run `runUid`, with its data keys; StreamNotFoundError naming the streams it has. */
  stream(runUid: string, name: string): StoredStream {
    const row = this.guard(
      (_, statements) => statements.stream.get(runUid, name) as DescriptorRow | undefined,
    );
    if (row === undefined) {
      throw new StreamNotFoundError(
        this.uri,
        runUid,
        name,
        this.streamRows(runUid).map((stream) => stream.name),
      );
    }
    const dataKeys = descriptorOf(row.document).dataKeys;
    return { ...row, dataKeys, dtypes: dataKeys.map((key) => dtypeName(key.dtype) ?? "float64") };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    let failure: unknown;
    try {
      await this.#writer?.close();
    } catch (error) {
      failure = error;
    }
    this.#closed = true;
    this.#db.close();
    if (failure !== undefined) throw failure;
  }
}

/** About what `document` adds to the WAL, bytes: a page its columns, anything else a kilobyte. */
function documentBytes(document: RunDocument): number {
  if (document.kind !== "page") return 1024;
  let bytes = 256 + document.doc.eventTime.byteLength;
  for (const column of document.doc.columns)
    bytes +=
      "float64" in column
        ? column.float64.byteLength
        : "int64" in column
          ? column.int64.byteLength
          : 16 * document.doc.count;
  return bytes;
}

/**
 * Characters that JSON would escape in a string (a quote, a backslash, a
 * control character: anything below a space), and surrogates and U+2028/9
 * to be safe; `[^ -\uffff]` is the controls without writing them.
 */
const NEEDS_ESCAPE = /["\\\u2028\u2029\ud800-\udfff]|[^ -\uffff]/;

/**
 * The pages' uids as a JSON array (a chunk's `page_uids`): put together
 * directly where no uid needs escaping, which is every uid this project
 * makes, and five times faster than JSON.stringify of the mapped array.
 */
function uidsJson(pages: readonly EventPageDocument[]): string {
  let json = "[";
  for (let i = 0; i < pages.length; i++) {
    const uid = (pages[i] as EventPageDocument).uid;
    if (NEEDS_ESCAPE.test(uid)) return JSON.stringify(pages.map((page) => page.uid));
    json += i === 0 ? `"${uid}"` : `,"${uid}"`;
  }
  return `${json}]`;
}

/** A stream as this writer knows it: its id, its numeric and text keys in slot order, its open chunk. */
interface SqliteStream extends WrittenStream {
  readonly id: number;
  /** Positions of the numeric data keys, in slot order (a chunk's `data` holds them so). */
  readonly numeric: readonly number[];
  /** Positions of the text data keys, in the order of a chunk's `text` arrays. */
  readonly text: readonly number[];
  /** The chunk of the transaction being written that takes its next page. */
  chunk?: ChunkBuilder;
}

function sqliteStream(
  id: number,
  runUid: string,
  keys: ReadonlyMap<string, { position: number; dtype: Dtype }>,
  end: number,
): SqliteStream {
  const positions = [...keys.values()].sort((a, b) => a.position - b.position);
  return {
    id,
    runUid,
    keys,
    end,
    // Declared here, so that every stream object has one shape (a property added later gives it another).
    chunk: undefined,
    numeric: positions.filter((key) => key.dtype !== "text").map((key) => key.position),
    text: positions.filter((key) => key.dtype === "text").map((key) => key.position),
  };
}

/** Pages of one stream gathered for one chunk row. */
interface ChunkBuilder {
  readonly stream: SqliteStream;
  readonly pages: EventPageDocument[];
  /** Each page's columns by data-key position: bytes, or a text column's JSON array. */
  readonly columns: (Uint8Array | string)[][];
  /** Each page's place in the transaction's batch (for its refusal). */
  readonly documents: number[];
  bytes: number;
  events: number;
}

/** Events, pages and the next event of each stream a transaction wrote to. */
type Added = Map<SqliteStream, { events: number; pages: number; end: number }>;

interface StoredStream extends DescriptorRow {
  readonly dataKeys: readonly DataKeyDocument[];
  readonly dtypes: readonly Dtype[];
}

/** Someone waiting on the writer: for a document's commit, or for room in the backlog. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Pending extends Waiter {
  readonly document: RunDocument;
}

/**
 * The store's one writer: a queue committed in groups, each document
 * acknowledged once its transaction has committed. A document that would
 * break its run (DocumentRefusedError) is refused alone; a failed commit
 * (full, locked, closed) fails the writer: that transaction's documents,
 * those queued after and every later one reject with its error.
 */
class SqliteWriter implements StoreWriter {
  readonly #store: SqliteStore;
  readonly #statements: ReturnType<typeof writeStatements>;
  readonly #onClose: () => void;
  readonly #maxBacklog: number;
  readonly #groupCommitMs: number;
  readonly #host = hostname();
  readonly #heartbeat: NodeJS.Timeout;
  #queue: Pending[] = [];
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #failure: Error | undefined;
  #closed = false;
  #renewedAt = 0;
  /** Runs this writer started and has not stopped: the leases it renews. */
  readonly #openRuns = new Set<string>();
  readonly #streams = new Map<string, SqliteStream>();
  /** The chunks of the transaction being written, not yet inserted. */
  #chunks: ChunkBuilder[] = [];
  /** Where a chunk's blobs are put together before SQLite copies them. */
  #scratch = Buffer.allocUnsafe(64 * 1024);
  /** The WAL's checkpoints, off this thread; undefined once it has failed (SQLite's own then). */
  #checkpointer: Checkpointer | undefined;
  /** Whether a thread runs the checkpoints (started at the first one: a short run never needs it). */
  #threaded: boolean;
  #checkpointFailure: Error | undefined;
  readonly #pageSize: number;
  /** The WAL's size as the writer reckons it, bytes: the frames the worker last saw, and commits since. */
  #walBytes = 0;
  /**
   * Commits, ever, and the WAL bytes guessed for them (each commit: its
   * documents' bytes, and at least the two whole pages, a chunk's and its
   * descriptor's, that any commit writes), and both counts when the
   * checkpoint under way was asked for.
   */
  #commits = 0;
  #guessed = 0;
  #askedAt = { commits: 0, guessed: 0 };
  /** Bytes guessed, ever, when the WAL last started over. */
  #restartedAt = 0;
  /**
   * WAL bytes per byte guessed, as the worker's reports show it (the pages
   * each transaction writes again, b-tree pages): 1.5 until a report says,
   * about what 1000-event pages of three columns gave on the development VM.
   */
  #walPerGuess = 1.5;
  /** A checkpoint asked again later, after one that could not drain the WAL (a reader holds a snapshot). */
  #retry: NodeJS.Timeout | undefined;
  /** When the writer began to hold its commits for a drained WAL, ms (performance.now()). */
  #holdingSince: number | undefined;
  /** The last checkpoint copied every frame and nothing was committed since: the next commit starts the WAL over. */
  #walDrained = false;
  /** A commit waits for a checkpoint (the WAL past its limit). */
  #held = false;

  constructor(store: SqliteStore, db: Database.Database, options: StoreWriterOptions, onClose: () => void) {
    this.#maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
    this.#groupCommitMs = options.groupCommitMs ?? DEFAULT_GROUP_COMMIT_MS;
    if (!Number.isInteger(this.#maxBacklog) || this.#maxBacklog < 1) {
      throw new RangeError(`maxBacklog must be a whole number ≥ 1, not ${this.#maxBacklog}`);
    }
    if (!(this.#groupCommitMs >= 0 && this.#groupCommitMs <= DEFAULT_GROUP_COMMIT_MS)) {
      throw new RangeError(
        `groupCommitMs must be 0 to ${DEFAULT_GROUP_COMMIT_MS} ms, not ${this.#groupCommitMs}`,
      );
    }
    this.#store = store;
    this.#statements = store.guard(() => writeStatements(db));
    this.#onClose = onClose;
    // The lease is renewed whatever the WAL: a held commit must not let another host take the run for dead.
    this.#heartbeat = setInterval(() => this.#commit(true, true), (store.leaseSeconds * 1000) / 3);
    this.#heartbeat.unref();
    this.#pageSize = store.guard(() => db.pragma("page_size", { simple: true }) as number);
    this.#threaded = store.checkpoints.checkpointThread;
    if (this.#threaded) {
      store.guard(() => db.pragma("wal_autocheckpoint = 0"));
      // When the WAL starts over, its file is cut back to the limit (it keeps its largest size otherwise).
      store.guard(() => db.pragma(`journal_size_limit = ${Math.ceil(store.checkpoints.walLimitBytes)}`));
      // What the WAL holds already (a new store's schema, an earlier writer's frames): its file's size, at most.
      this.#walBytes = existsSync(`${store.path}-wal`) ? statSync(`${store.path}-wal`).size : 0;
    }
  }

  /** Why the writer's checkpointing thread stopped, if it did (its checkpoints are SQLite's since). */
  get checkpointFailure(): Error | undefined {
    return this.#checkpointFailure;
  }

  /** Asks the worker for a checkpoint, unless one is under way. */
  #askCheckpoint(): void {
    if (!this.#threaded || this.#checkpointer?.running || this.#retry !== undefined || this.#closed) return;
    if (this.#walBytes < Math.min(CHECKPOINT_FROM_BYTES, this.#store.checkpoints.walLimitBytes)) return;
    try {
      this.#checkpointer ??= startCheckpointer(this.#store.path, this.#store.uri, {
        synchronous: this.#store.checkpoints.synchronous,
        busyTimeoutMs: this.#store.busyTimeoutMs,
      });
    } catch (error) {
      this.#checkpointed(
        new Error(
          `${this.#store.uri}: its checkpointing thread could not start: ${(error as Error).message}`,
        ),
      );
      return;
    }
    this.#askedAt = { commits: this.#commits, guessed: this.#guessed };
    this.#checkpointer.checkpoint((report) => this.#checkpointed(report));
  }

  #checkpointed(report: CheckpointReport | Error): void {
    if (report instanceof Error) {
      this.#threaded = false;
      // Its thread is ended (its connection with it); close() waits for that.
      void this.#checkpointer?.stop();
      this.#checkpointFailure = report;
      // Said once, where a person running the plan sees it: slower from here on, nothing lost.
      process.emitWarning(`${report.message}; SQLite checkpoints on the writer's thread from now on`, {
        code: "PMS_STORE_CHECKPOINTS",
      });
      if (!this.#closed) {
        try {
          this.#store.guard((db) => db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`));
        } catch (error) {
          this.#fail(error as Error, []);
        }
      }
    } else {
      const frames = report.log * (this.#pageSize + WAL_FRAME_HEADER_BYTES);
      const counted = this.#askedAt.guessed - this.#restartedAt;
      if (counted > 0 && frames > 0) this.#walPerGuess = frames / counted;
      this.#walBytes = frames + (this.#guessed - this.#askedAt.guessed) * this.#walPerGuess;
      const complete = report.busy === 0 && report.log === report.checkpointed;
      this.#walDrained = complete && this.#commits === this.#askedAt.commits;
      // Nothing pins the WAL: a hold from here on is timed afresh.
      if (complete) this.#holdingSince = undefined;
      if (this.#commits !== this.#askedAt.commits) {
        // Writes went on meanwhile: their frames are the next checkpoint's.
        this.#askCheckpoint();
      } else if (!complete && this.#retry === undefined && !this.#closed) {
        // A reader's snapshot keeps frames from being copied: asking again at once would only spin.
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#askCheckpoint();
        }, CHECKPOINT_RETRY_MS);
        // It keeps the process alive only while a held commit waits on it (see #mustHold).
        if (!this.#held) this.#retry.unref();
      }
    }
    if (this.#held) {
      this.#held = false;
      this.#commit();
    }
  }

  /** Whether the next commit must wait for a checkpoint: the WAL past its limit, and not drained. */
  #mustHold(): boolean {
    if (!this.#threaded || this.#walDrained) return false;
    if (this.#walBytes <= this.#store.checkpoints.walLimitBytes) return false;
    // Held long enough while checkpoints could not copy every frame: a reader's snapshot pins the WAL.
    // Commit, and let the WAL grow past its limit until a checkpoint completes again (the reader has
    // let go), as SQLite's own checkpoints would.
    this.#holdingSince ??= performance.now();
    if (performance.now() - this.#holdingSince > MAX_HOLD_MS) return false;
    this.#retry?.ref();
    this.#askCheckpoint();
    // The worker may have failed as it was asked (its checkpoints are then SQLite's again).
    return this.#threaded;
  }

  /** Throws when `options` asks for other settings than the writer has (it is one per store). */
  checkOptions(options: StoreWriterOptions): void {
    const differs =
      (options.maxBacklog !== undefined && options.maxBacklog !== this.#maxBacklog) ||
      (options.groupCommitMs !== undefined && options.groupCommitMs !== this.#groupCommitMs);
    if (differs) {
      throw new Error(
        `${this.#store.uri}: its writer is open with maxBacklog ${this.#maxBacklog} and groupCommitMs ` +
          `${this.#groupCommitMs}; close it before asking for others`,
      );
    }
  }

  get backlog(): number {
    return this.#queue.length;
  }

  write(document: RunDocument): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new StoreClosedError(this.#store.uri, "its writer"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ document, resolve, reject });
      if (this.#queue.length >= GROUP_COMMIT_DOCUMENTS || this.#groupCommitMs === 0) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#immediate ??= setImmediate(() => this.#commit());
      } else if (this.#timer === undefined && this.#immediate === undefined) {
        this.#timer = setTimeout(() => this.#commit(), this.#groupCommitMs);
      }
    });
  }

  ready(): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#queue.length < this.#maxBacklog) return undefined;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  async flush(): Promise<void> {
    this.#commit(false, true);
    if (this.#failure !== undefined) throw this.#failure;
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#commit(false, true);
      this.#closed = true;
      clearInterval(this.#heartbeat);
      clearTimeout(this.#retry);
      this.#onClose();
      // Its connection closes before the store's, whose close then checkpoints what is left.
      await this.#checkpointer?.stop();
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Commits every queued document in one transaction, with the leases' renewal when due (or `renewal`). */
  #commit(renewal = false, force = false): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    if (this.#failure !== undefined || this.#closed) return;
    // A flush or close commits now, whatever the WAL's size: what it has asked for is owed at once.
    if (!force && this.#queue.length > 0 && this.#mustHold()) {
      this.#held = true;
      return;
    }
    const batch = this.#queue;
    this.#queue = [];
    const now = nowSeconds();
    const leaseSeconds = this.#store.leaseSeconds;
    const renew = this.#openRuns.size > 0 && (renewal || now - this.#renewedAt >= leaseSeconds / 3);
    if (batch.length === 0 && !renew) return;
    const refusals: (DocumentRefusedError | undefined)[] = [];
    const added = new Map<SqliteStream, { events: number; pages: number; end: number }>();
    try {
      this.#store.guard((db) =>
        db
          .transaction(() => {
            // Index loops on this path: an entries() iterator allocates an array and a result per page.
            for (let i = 0; i < batch.length; i++)
              refusals.push(this.#apply((batch[i] as Pending).document, now, i, refusals, added));
            for (const chunk of this.#chunks) this.#insertChunk(chunk, refusals, added);
            this.#chunks = [];
            for (const [stream, { events, pages, end }] of added)
              this.#statements.addEvents.run(events, pages, end, stream.id);
            if (renew) for (const run of this.#openRuns) this.#statements.renew.run(now + leaseSeconds, run);
          })
          .immediate(),
      );
    } catch (error) {
      for (const chunk of this.#chunks) chunk.stream.chunk = undefined;
      this.#chunks = [];
      this.#fail(error as Error, batch);
      return;
    }
    if (renew) this.#renewedAt = now;
    const bytes = batch.reduce((sum, { document }) => sum + documentBytes(document), 0);
    const guess = Math.max(bytes, 2 * (this.#pageSize + WAL_FRAME_HEADER_BYTES));
    if (this.#walDrained) {
      // This commit started the WAL over.
      this.#restartedAt = this.#guessed;
      this.#walBytes = 0;
      this.#holdingSince = undefined;
    }
    this.#commits += 1;
    this.#guessed += guess;
    this.#walBytes += guess * this.#walPerGuess;
    this.#walDrained = false;
    this.#askCheckpoint();
    batch.forEach((pending, i) => {
      const refusal = refusals[i];
      if (refusal === undefined) pending.resolve();
      else pending.reject(refusal);
    });
    while (this.#waiters.length > 0 && this.#queue.length < this.#maxBacklog)
      this.#waiters.shift()?.resolve();
  }

  #fail(error: Error, batch: readonly Pending[]): void {
    this.#failure = error;
    clearInterval(this.#heartbeat);
    for (const pending of [...batch, ...this.#queue, ...this.#waiters]) pending.reject(error);
    this.#queue = [];
    this.#waiters = [];
  }

  /** Writes `document` in the open transaction; its refusal, if it would break its run. */
  #apply(
    document: RunDocument,
    now: number,
    index: number,
    refusals: (DocumentRefusedError | undefined)[],
    added: Added,
  ): DocumentRefusedError | undefined {
    const refuse = (reason: string) =>
      new DocumentRefusedError(this.#store.uri, document.kind, document.doc.uid, reason);
    try {
      switch (document.kind) {
        case "runStart":
          return this.#startRun(document.doc, now, refuse);
        case "descriptor":
          return this.#addStream(document.doc, refuse);
        case "page":
          return this.#addPage(document.doc, index, refusals, added, refuse);
        case "runStop":
          return this.#stopRun(document.doc, refuse);
        default:
          return refuse(
            `"${(document as { kind: unknown }).kind}" is not a kind of document this version knows`,
          );
      }
    } catch (error) {
      // A constraint fails only its statement: the transaction goes on without the document.
      if (error instanceof Database.SqliteError && error.code.startsWith("SQLITE_CONSTRAINT")) {
        return refuse(`it breaks the store's constraints (${error.message}): is it stored already?`);
      }
      throw error;
    }
  }

  #startRun(doc: RunStartDocument, now: number, refuse: (reason: string) => DocumentRefusedError) {
    if (!doc.uid) return refuse("it has no uid");
    if (this.#statements.runStopped.get(doc.uid) !== undefined)
      return refuse("a run with this uid is stored already");
    const json = documentJson(pms.v1.RunStart, doc);
    if (json instanceof Error) return refuse(`it is not a RunStart (${json.message})`);
    this.#statements.insertRun.run(
      doc.uid,
      doc.plan,
      doc.chip,
      doc.hostname || this.#host,
      doc.wallTime,
      json,
      process.pid,
      this.#host,
      now + this.#store.leaseSeconds,
    );
    this.#openRuns.add(doc.uid);
    return undefined;
  }

  #addStream(doc: EventDescriptorDocument, refuse: (reason: string) => DocumentRefusedError) {
    if (!doc.uid || !doc.name) return refuse("a descriptor needs a uid and a stream name");
    const stopped = this.#openRuns.has(doc.runUid) ? 0 : this.#statements.runStopped.get(doc.runUid);
    if (stopped === undefined)
      return refuse(`its run ${doc.runUid} is not stored (its RunStart comes first)`);
    if (stopped === 1) return refuse(`its run ${doc.runUid} has ended (its RunStop is stored)`);
    if (this.#statements.descriptorStored.get(doc.uid) !== undefined) {
      return refuse("a descriptor with this uid is stored already");
    }
    if (this.#statements.streamNamed.get(doc.runUid, doc.name) !== undefined) {
      return refuse(`run ${doc.runUid} has a stream "${doc.name}" already`);
    }
    const keys = new Map<string, { position: number; dtype: Dtype }>();
    for (const [position, key] of doc.dataKeys.entries()) {
      const dtype = dtypeName(key.dtype);
      if (dtype === undefined)
        return refuse(`data key "${key.key}" has dtype ${key.dtype}, which this version does not know`);
      if (!key.key || keys.has(key.key)) return refuse(`data key "${key.key}" is empty or given twice`);
      keys.set(key.key, { position, dtype });
    }
    const json = documentJson(pms.v1.EventDescriptor, doc);
    if (json instanceof Error) return refuse(`it is not an EventDescriptor (${json.message})`);
    const id = Number(
      this.#statements.insertDescriptor.run(doc.uid, doc.runUid, doc.name, json).lastInsertRowid,
    );
    if (id > MAX_STREAM_ID)
      throw new StoreError(this.#store.uri, `its stream ids have run past ${MAX_STREAM_ID}`);
    const stream = sqliteStream(id, doc.runUid, keys, 0);
    for (const [key, { position, dtype }] of keys) {
      const dataKey = doc.dataKeys[position] as DataKeyDocument;
      const slot = dtype === "text" ? null : stream.numeric.indexOf(position);
      this.#statements.insertDataKey.run(id, position, slot, key, dtype, dataKey.unit, dataKey.source);
    }
    this.#streams.set(doc.uid, stream);
    return undefined;
  }

  /** The stream a page belongs to: cached, or read back for a descriptor an earlier writer stored. */
  #streamOf(descriptorUid: string): SqliteStream | string {
    const cached = this.#streams.get(descriptorUid);
    if (cached !== undefined) return cached;
    const row = this.#statements.descriptor.get(descriptorUid) as
      | { id: number; run_uid: string; document: string; next_event: number; stopped: number }
      | undefined;
    if (row === undefined)
      return `its descriptor ${descriptorUid} is not stored (a stream's descriptor comes first)`;
    if (row.stopped === 1) return `its run ${row.run_uid} has ended (its RunStop is stored)`;
    const keys = new Map<string, { position: number; dtype: Dtype }>();
    for (const [position, key] of descriptorOf(row.document).dataKeys.entries()) {
      keys.set(key.key, { position, dtype: dtypeName(key.dtype) ?? "float64" });
    }
    const stream = sqliteStream(row.id, row.run_uid, keys, row.next_event);
    this.#streams.set(descriptorUid, stream);
    return stream;
  }

  /**
   * Checks `page` and adds it to its stream's chunk of this transaction (a
   * chunk that would pass CHUNK_BYTES with it is inserted first).
   */
  #addPage(
    page: EventPageDocument,
    index: number,
    refusals: (DocumentRefusedError | undefined)[],
    added: Added,
    refuse: (reason: string) => DocumentRefusedError,
  ) {
    const stream = this.#streamOf(page.descriptorUid);
    if (typeof stream === "string") return refuse(stream);
    const checked = checkPage(page, stream);
    if ("refused" in checked) return refuse(checked.refused);
    const { count, firstEvent } = page;
    if (firstEvent + count > MAX_EVENTS)
      return refuse(`its events run past ${MAX_EVENTS - 1}, the last event a stream of this store holds`);
    const bytes = 8 * count * (1 + stream.numeric.length) + PAGE_OVERHEAD_BYTES;
    let chunk = stream.chunk;
    if (chunk !== undefined && chunk.bytes + bytes > CHUNK_BYTES) {
      this.#insertChunk(chunk, refusals, added);
      this.#chunks.splice(this.#chunks.indexOf(chunk), 1);
      chunk = undefined;
    }
    if (chunk === undefined) {
      chunk = { stream, pages: [], columns: [], documents: [], bytes: 0, events: 0 };
      stream.chunk = chunk;
      this.#chunks.push(chunk);
    }
    chunk.pages.push(page);
    chunk.columns.push(checked.columns);
    chunk.documents.push(index);
    chunk.bytes += bytes;
    chunk.events += count;
    stream.end = firstEvent + count;
    return undefined;
  }

  /**
   * Inserts `chunk` (its pages' event times and numeric columns back to
   * back, its text columns as JSON, its page index) and counts it in
   * `added`; a chunk the store's constraints refuse refuses its pages.
   */
  /** The writer's scratch buffer, at least `bytes` long. */
  #scratchOf(bytes: number): Buffer {
    if (this.#scratch.byteLength < bytes)
      this.#scratch = Buffer.allocUnsafe(Math.max(bytes, 2 * this.#scratch.byteLength));
    return this.#scratch;
  }

  #insertChunk(chunk: ChunkBuilder, refusals: (DocumentRefusedError | undefined)[], added: Added): void {
    const { stream, pages, columns, events } = chunk;
    if (stream.chunk === chunk) stream.chunk = undefined;
    const first = pages[0] as EventPageDocument;
    const single = pages.length === 1;
    // Built in the writer's scratch buffer (SQLite copies a bound blob), not in buffers of their own:
    // an ArrayBuffer for each chunk's blobs cost about as much as the rest of the chunk, and collecting them more.
    const timeBytes = single ? 0 : events * 8;
    // A single page's only numeric column is bound as it is; anything else (none: an empty blob) is put together.
    const direct = single && stream.numeric.length === 1;
    const dataBytes = direct ? 0 : events * 8 * stream.numeric.length;
    const indexBytes = pages.length * PAGE_INDEX_BYTES;
    const scratch = this.#scratchOf(timeBytes + dataBytes + indexBytes);
    let eventTime: Uint8Array = first.eventTime;
    if (!single) {
      let offset = 0;
      for (const page of pages) {
        scratch.set(page.eventTime, offset);
        offset += page.eventTime.byteLength;
      }
      eventTime = scratch.subarray(0, timeBytes);
    }
    let data = scratch.subarray(timeBytes, timeBytes + dataBytes) as Uint8Array;
    if (direct) data = (columns[0] as Uint8Array[])[stream.numeric[0] as number] as Uint8Array;
    else {
      let offset = timeBytes;
      for (const position of stream.numeric) {
        for (const page of columns) {
          const bytes = page[position] as Uint8Array;
          scratch.set(bytes, offset);
          offset += bytes.byteLength;
        }
      }
    }
    const text =
      stream.text.length === 0
        ? null
        : `[${stream.text.map((position) => `[${columns.map((page) => (page[position] as string).slice(1, -1)).join(",")}]`).join(",")}]`;
    const at = timeBytes + dataBytes;
    const index = scratch.subarray(at, at + indexBytes);
    const view = new DataView(index.buffer, index.byteOffset, indexBytes);
    for (let i = 0; i < pages.length; i++) {
      writePageIndex(view, i * PAGE_INDEX_BYTES, pages[i] as EventPageDocument);
    }
    try {
      this.#statements.insertChunk.run(
        chunkId(stream.id, first.firstEvent),
        events,
        pages.length,
        eventTime,
        data,
        text,
        index,
        uidsJson(pages),
      );
    } catch (error) {
      if (!(error instanceof Database.SqliteError && error.code.startsWith("SQLITE_CONSTRAINT"))) throw error;
      const reason = `it breaks the store's constraints (${error.message}): is it stored already?`;
      for (const [n, i] of chunk.documents.entries()) {
        refusals[i] = new DocumentRefusedError(this.#store.uri, "page", pages[n]?.uid ?? "", reason);
      }
      return;
    }
    const sums = added.get(stream) ?? { events: 0, pages: 0, end: 0 };
    sums.events += events;
    sums.pages += pages.length;
    sums.end = (pages.at(-1) as EventPageDocument).firstEvent + (pages.at(-1) as EventPageDocument).count;
    added.set(stream, sums);
  }

  #stopRun(doc: RunStopDocument, refuse: (reason: string) => DocumentRefusedError) {
    const status = exitStatusName(doc.exitStatus);
    if (status === undefined) return refuse(`exit status ${doc.exitStatus} is not success, abort or fail`);
    const json = documentJson(pms.v1.RunStop, doc);
    if (json instanceof Error) return refuse(`it is not a RunStop (${json.message})`);
    const { changes } = this.#statements.stopRun.run(status, doc.reason, doc.wallTime, json, doc.runUid);
    if (changes === 0) {
      return refuse(
        this.#statements.runStopped.get(doc.runUid) === undefined
          ? `its run ${doc.runUid} is not stored`
          : `run ${doc.runUid} has a RunStop already`,
      );
    }
    this.#openRuns.delete(doc.runUid);
    for (const [uid, stream] of this.#streams) if (stream.runUid === doc.runUid) this.#streams.delete(uid);
    return undefined;
  }
}

class SqliteRunReader implements RunReader {
  readonly uid: string;
  readonly #store: SqliteStore;

  constructor(
    store: SqliteStore,
    readonly start: RunStartDocument,
    readonly stop: RunStopDocument | undefined,
    readonly summary: RunSummary,
  ) {
    this.#store = store;
    this.uid = summary.uid;
  }

  async streams(): Promise<StreamInfo[]> {
    return this.#store.streamRows(this.uid).map((row) => {
      const descriptor = descriptorOf(row.document);
      return {
        name: row.name,
        descriptorUid: row.uid,
        dataKeys: descriptor.dataKeys,
        configuration: descriptor.configuration,
        events: row.events,
        pages: row.pages,
      };
    });
  }

  async table(name: string): Promise<Table> {
    // One read transaction: the descriptor's event count and the pages are of one snapshot.
    return this.#store.guard((db, statements) =>
      db
        .transaction(() => readTable(this.#store.path, statements, this.#store.stream(this.uid, name)))
        .deferred(),
    );
  }

  pages(name: string): AsyncIterable<EventPageDocument> {
    return readPages(this.#store, this.uid, name);
  }
}

/** The chunk ids of stream `id`: from `lo` up to, not including, `hi`. */
function chunkRange(id: number): { lo: bigint; hi: bigint } {
  return { lo: chunkId(id, 0), hi: chunkId(id + 1, 0) };
}

/**
 * The stream's chunks concatenated in event order: each column allocated at
 * its final length (the stream's event count) and each chunk's bytes copied
 * once into place.
 */
function readTable(path: string, statements: Statements, stream: StoredStream): Table {
  const total = stream.events;
  const corrupt = (what: string): never => {
    throw new StoreFormatError(path, `run ${stream.run_uid}, stream "${stream.name}": ${what}`);
  };
  const time = new Float64Array(total);
  const timeBytes = new Uint8Array(time.buffer);
  const numeric = stream.dtypes.flatMap((dtype, position) => (dtype === "text" ? [] : [position]));
  const textual = stream.dtypes.flatMap((dtype, position) => (dtype === "text" ? [position] : []));
  const values = stream.dtypes.map((dtype) =>
    dtype === "float64"
      ? new Float64Array(total)
      : dtype === "int64"
        ? new BigInt64Array(total)
        : new Array<string>(total),
  );
  const targets = numeric.map((position) => new Uint8Array((values[position] as Float64Array).buffer));
  let offset = 0;
  const { lo, hi } = chunkRange(stream.id);
  for (const [events, eventTime, data, text] of statements.chunks.iterate(lo, hi) as Iterable<
    [number, Buffer, Buffer, string | null]
  >) {
    const bytes = events * 8;
    if (
      offset + events > total ||
      eventTime.byteLength !== bytes ||
      data.byteLength !== bytes * numeric.length
    )
      corrupt("its chunks disagree with its event count or its data keys");
    timeBytes.set(eventTime, offset * 8);
    for (const [slot, target] of targets.entries())
      target.set(data.subarray(slot * bytes, (slot + 1) * bytes), offset * 8);
    if (textual.length > 0) {
      const columns = (text === null ? [] : JSON.parse(text)) as string[][];
      for (const [n, position] of textual.entries()) {
        const strings = columns[n];
        if (strings?.length !== events) corrupt("a text column of a chunk disagrees with its event count");
        const column = values[position] as string[];
        for (let i = 0; i < events; i++) column[offset + i] = (strings as string[])[i] as string;
      }
    }
    offset += events;
  }
  if (offset !== total) corrupt(`its chunks do not hold the ${total} events its descriptor counts`);
  const columns: TableColumn[] = stream.dataKeys.map((key, position) => ({
    key: key.key,
    unit: key.unit,
    dtype: stream.dtypes[position] as Dtype,
    source: key.source,
    values: values[position] as TableColumn["values"],
  }));
  return { stream: stream.name, count: total, time, columns };
}

interface ChunkRow {
  readonly first_event: number;
  readonly events: number;
  readonly pages: number;
  readonly event_time: Buffer;
  readonly data: Buffer;
  readonly text: string | null;
  readonly page_index: Buffer;
  readonly page_uids: string;
}

/** The stream's pages one chunk at a time, each fetched by its own statement, so no query stays open between them. */
async function* readPages(
  store: SqliteStore,
  runUid: string,
  name: string,
): AsyncGenerator<EventPageDocument> {
  const stream = store.stream(runUid, name);
  const { lo, hi } = chunkRange(stream.id);
  let after = lo - 1n;
  for (;;) {
    const pages = store.guard((_, statements) => {
      const row = statements.chunkAfter.get(after, hi) as ChunkRow | undefined;
      return row === undefined
        ? undefined
        : { first: row.first_event, pages: pagesOf(row, runUid, stream, store.path) };
    });
    if (pages === undefined) return;
    yield* pages.pages;
    after = lo + BigInt(pages.first);
  }
}

/** A chunk's pages as the documents they were written as. */
function pagesOf(row: ChunkRow, runUid: string, stream: StoredStream, path: string): EventPageDocument[] {
  const uids = JSON.parse(row.page_uids) as string[];
  const text = (row.text === null ? [] : JSON.parse(row.text)) as string[][];
  const numeric = stream.dtypes.flatMap((dtype, position) => (dtype === "text" ? [] : [position]));
  const bytes = row.events * 8;
  const corrupt = (what: string): never => {
    throw new StoreFormatError(path, `run ${runUid}, stream "${stream.name}": ${what}`);
  };
  if (uids.length !== row.pages || row.page_index.byteLength !== row.pages * PAGE_INDEX_BYTES)
    corrupt("a chunk's page index disagrees with its pages");
  if (row.event_time.byteLength !== bytes || row.data.byteLength !== bytes * numeric.length)
    corrupt("a chunk's blobs disagree with its event count or its data keys");
  const textual = stream.dtypes.filter((dtype) => dtype === "text").length;
  if (text.length !== textual || text.some((values) => values.length !== row.events))
    corrupt("a chunk's text columns disagree with its event count or its data keys");
  const pages: EventPageDocument[] = [];
  let offset = 0;
  for (let n = 0; n < row.pages; n++) {
    const at = n * PAGE_INDEX_BYTES;
    const count = Number(row.page_index.readBigInt64LE(at + 16));
    if (!(count >= 1 && offset + count <= row.events))
      corrupt("a chunk's page index disagrees with its event count");
    const slice = (from: number) => row.data.subarray(from + offset * 8, from + (offset + count) * 8);
    let textColumn = 0;
    pages.push({
      uid: uids[n] as string,
      runUid,
      descriptorUid: stream.uid,
      seq: Number(row.page_index.readBigInt64LE(at)),
      time: row.page_index.readDoubleLE(at + 24),
      wallTime: row.page_index.readDoubleLE(at + 32),
      firstEvent: Number(row.page_index.readBigInt64LE(at + 8)),
      count,
      eventTime: row.event_time.subarray(offset * 8, (offset + count) * 8),
      columns: stream.dataKeys.map((key, position): ColumnDocument => {
        const dtype = stream.dtypes[position];
        if (dtype === "text")
          return { key: key.key, text: { values: (text[textColumn++] ?? []).slice(offset, offset + count) } };
        const data = slice(numeric.indexOf(position) * bytes);
        return dtype === "int64" ? { key: key.key, int64: data } : { key: key.key, float64: data };
      }),
    });
    offset += count;
  }
  return pages;
}
