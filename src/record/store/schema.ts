/**
 * The SQLite run store's schema (issue 17, "Stores"), versioned by
 * `PRAGMA user_version` and marked as a run store by `PRAGMA
 * application_id`, so that a file of another application is refused rather
 * than given our tables. Each migration takes the schema one version up; the
 * pending ones run in one transaction with the version update, so a store is
 * at one version or the next, never between. A store newer than this code is
 * refused (StoreSchemaError, naming both versions) and left as it is.
 *
 * Laid out for a reader without this project: documents are JSON text
 * (RunStart, descriptors, RunStop: protobuf's JSON mapping, so a NaN limit
 * reads back as NaN). Events are stored in chunks: one row holds pages of
 * one stream that were committed together, in event order, its numeric
 * columns as raw little-endian float64 or int64 back to back in one BLOB
 * (`data`: column `slot` of a chunk of n events is bytes 8·n·slot to
 * 8·n·(slot+1), `numpy.frombuffer(data, "<f8", count=n, offset=8*n*slot)`),
 * its text columns as JSON. A chunk's id is its stream's id × 2⁴⁰ + its first
 * event, so that one b-tree both orders a stream's chunks and finds them: a
 * stream's chunks are the ids from `id << 40` up to `(id + 1) << 40`. From
 * Python's sqlite3, a stream's column in event order:
 *
 *     d, slot = db.execute("""SELECT d.id, k.slot FROM descriptors d
 *         JOIN data_keys k ON k.descriptor = d.id
 *         WHERE d.run_uid = ? AND d.name = 'primary' AND k.key = 'smu1-current'""", (uid,)).fetchone()
 *     rows = db.execute("SELECT events, data FROM chunks WHERE id >= ? AND id < ? ORDER BY id",
 *                       (d << 40, (d + 1) << 40))
 *     np.concatenate([np.frombuffer(data, "<f8", count=n, offset=8 * n * slot) for n, data in rows])
 *
 * Why chunks (version 2): one row per page (and, in version 1, a row per
 * column besides) made a 10-event page cost two inserts into four b-trees,
 * a fifth of the rate of raw inserts of its blobs; a chunk is one insert into
 * one b-tree for up to a transaction's pages.
 */
import Database from "better-sqlite3";
import { StoreError, StoreSchemaError } from "./errors.js";

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 2;

/** `PRAGMA application_id` of a run store: "PMSR". */
export const APPLICATION_ID = 0x504d5352;

/**
 * Page size of a new store, bytes (set before its first page is written;
 * an existing store keeps its own). 64 KiB holds a 1000-event column (8000
 * bytes) in its page rather than on a chain of overflow pages: 1000-event
 * pages were written about 2.5 times as fast as with SQLite's 4 KiB (7.5
 * against 3.0 × 10⁶ events/s, time and one float64 column, on the
 * development VM), and read back as fast.
 */
export const PAGE_SIZE = 65536;

export interface Migration {
  /** The version this migration takes the schema to. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  /** Moves the rows that SQL alone cannot, after `sql` and before `finish`. */
  readonly run?: (db: Database.Database) => void;
  /** SQL run last (dropping what `run` emptied). */
  readonly finish?: string;
}

/** Bits of a chunk id below its stream's id: a stream holds events 0 to 2⁴⁰ − 1. */
export const CHUNK_EVENT_BITS = 40;
/** The first event index that a chunk id cannot hold. */
export const MAX_EVENTS = 2 ** CHUNK_EVENT_BITS;
/** Stream ids past this would not fit a chunk id in SQLite's 63 bits of positive integer. */
export const MAX_STREAM_ID = 2 ** (63 - CHUNK_EVENT_BITS) - 1;

/** A chunk's id: its stream's id × 2⁴⁰ + the first event of its first page. */
export function chunkId(streamId: number, firstEvent: number): bigint {
  return (BigInt(streamId) << BigInt(CHUNK_EVENT_BITS)) | BigInt(firstEvent);
}

/**
 * The page index of a chunk, one 40-byte record per page in event order:
 * seq, first event, event count (int64) and the page's time and wall time
 * (float64), little-endian; numpy: `np.frombuffer(page_index, PAGE_INDEX_DTYPE)`
 * with `[("seq", "<i8"), ("first_event", "<i8"), ("count", "<i8"),
 * ("time", "<f8"), ("wall_time", "<f8")]`.
 */
export const PAGE_INDEX_BYTES = 40;

/** A page as its index record holds it (safe integers ≥ 0 where int64). */
export interface PageIndexRecord {
  readonly seq: number;
  readonly firstEvent: number;
  readonly count: number;
  readonly time: number;
  readonly wallTime: number;
}

/** Writes `page`'s record of a chunk's page index at `at` (int64 as two uint32: no BigInt on the writer's path). */
export function writePageIndex(index: DataView, at: number, page: PageIndexRecord): void {
  // A DataView's setters, not Buffer.writeUInt32LE's checked ones: this runs once a page on the writer's path.
  writeInt64(index, page.seq, at);
  writeInt64(index, page.firstEvent, at + 8);
  writeInt64(index, page.count, at + 16);
  index.setFloat64(at + 24, page.time, true);
  index.setFloat64(at + 32, page.wallTime, true);
}

/** A whole number 0 ≤ value < 2⁵³ as a little-endian int64. */
function writeInt64(view: DataView, value: number, at: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "runs, descriptors with their data keys, pages with their columns",
    sql: `
      CREATE TABLE runs (
        uid TEXT PRIMARY KEY NOT NULL,
        plan TEXT NOT NULL,
        chip TEXT NOT NULL,
        hostname TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'success', 'abort', 'fail')),
        reason TEXT NOT NULL DEFAULT '',
        start_wall_time REAL NOT NULL,
        stop_wall_time REAL,
        start TEXT NOT NULL,
        stop TEXT,
        writer_pid INTEGER,
        writer_host TEXT,
        lease_until REAL
      );
      CREATE INDEX runs_by_start ON runs (start_wall_time);
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

      CREATE TABLE descriptors (
        uid TEXT PRIMARY KEY NOT NULL,
        run_uid TEXT NOT NULL REFERENCES runs (uid),
        name TEXT NOT NULL,
        document TEXT NOT NULL,
        events INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        UNIQUE (run_uid, name)
      );

      CREATE TABLE data_keys (
        descriptor_uid TEXT NOT NULL REFERENCES descriptors (uid),
        position INTEGER NOT NULL,
        key TEXT NOT NULL,
        dtype TEXT NOT NULL CHECK (dtype IN ('float64', 'int64', 'text')),
        unit TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (descriptor_uid, position),
        UNIQUE (descriptor_uid, key)
      );

      CREATE TABLE pages (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL,
        run_uid TEXT NOT NULL,
        descriptor_uid TEXT NOT NULL REFERENCES descriptors (uid),
        seq INTEGER NOT NULL,
        first_event INTEGER NOT NULL,
        count INTEGER NOT NULL,
        time REAL NOT NULL,
        wall_time REAL NOT NULL,
        event_time BLOB NOT NULL,
        UNIQUE (descriptor_uid, first_event)
      );

      CREATE TABLE page_columns (
        page_id INTEGER NOT NULL REFERENCES pages (id),
        position INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (page_id, position)
      );
    `,
  },
  {
    version: 2,
    description:
      "streams by integer id; events in chunks of pages, one row each, numeric columns in one blob",
    sql: `
      CREATE TABLE streams (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        run_uid TEXT NOT NULL REFERENCES runs (uid),
        name TEXT NOT NULL,
        document TEXT NOT NULL,
        events INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        next_event INTEGER NOT NULL DEFAULT 0,
        UNIQUE (run_uid, name)
      );
      INSERT INTO streams (uid, run_uid, name, document, events, pages, next_event)
        SELECT d.uid, d.run_uid, d.name, d.document, d.events, d.pages,
               COALESCE((SELECT max(p.first_event + p.count) FROM pages p WHERE p.descriptor_uid = d.uid), 0)
          FROM descriptors d ORDER BY d.rowid;

      CREATE TABLE data_keys_v2 (
        descriptor INTEGER NOT NULL REFERENCES streams (id),
        position INTEGER NOT NULL,
        slot INTEGER,
        key TEXT NOT NULL,
        dtype TEXT NOT NULL CHECK (dtype IN ('float64', 'int64', 'text')),
        unit TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (descriptor, position),
        UNIQUE (descriptor, key)
      );
      INSERT INTO data_keys_v2 (descriptor, position, slot, key, dtype, unit, source)
        SELECT s.id, k.position,
               CASE WHEN k.dtype = 'text' THEN NULL ELSE
                 (SELECT count(*) FROM data_keys o
                   WHERE o.descriptor_uid = k.descriptor_uid AND o.position < k.position AND o.dtype != 'text')
               END,
               k.key, k.dtype, k.unit, k.source
          FROM data_keys k JOIN streams s ON s.uid = k.descriptor_uid;

      CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        events INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        event_time BLOB NOT NULL,
        data BLOB NOT NULL,
        text TEXT,
        page_index BLOB NOT NULL,
        page_uids TEXT NOT NULL
      );
    `,
    run: movePagesToChunks,
    finish: `
      DROP TABLE page_columns;
      DROP TABLE pages;
      DROP TABLE data_keys;
      DROP TABLE descriptors;
      ALTER TABLE streams RENAME TO descriptors;
      ALTER TABLE data_keys_v2 RENAME TO data_keys;
    `,
  },
];

/**
 * Version 1 → 2: each page of version 1 becomes a chunk of its own (the
 * writer groups pages only as it commits them), its numeric columns joined
 * in slot order, its text columns gathered into the chunk's JSON.
 */
function movePagesToChunks(db: Database.Database): void {
  const streams = db.prepare("SELECT id, uid FROM streams").all() as { id: number; uid: string }[];
  const keys = db.prepare("SELECT position, slot FROM data_keys_v2 WHERE descriptor = ? ORDER BY position");
  // In batches: a statement cannot write while another's iterator is open, and a long run's pages need not all be in memory.
  const pages = db.prepare(
    `SELECT id, uid, seq, first_event, count, time, wall_time, event_time FROM pages
      WHERE descriptor_uid = ? AND first_event > ? ORDER BY first_event LIMIT 1024`,
  );
  const columns = db
    .prepare("SELECT position, data FROM page_columns WHERE page_id = ? ORDER BY position")
    .raw();
  const insert = db.prepare(
    "INSERT INTO chunks (id, events, pages, event_time, data, text, page_index, page_uids) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
  );
  for (const stream of streams) {
    const slots = keys.all(stream.id) as { position: number; slot: number | null }[];
    for (let after = -1; ; ) {
      const batch = pages.all(stream.uid, after) as {
        id: number;
        uid: string;
        seq: number;
        first_event: number;
        count: number;
        time: number;
        wall_time: number;
        event_time: Buffer;
      }[];
      if (batch.length === 0) break;
      after = (batch.at(-1) as { first_event: number }).first_event;
      for (const page of batch) {
        // Version 1 stored what it was given; the page index holds integers (SQLite's REAL would not do).
        for (const [field, value] of [
          ["seq", page.seq],
          ["first event", page.first_event],
          ["count", page.count],
        ] as const) {
          if (!Number.isSafeInteger(value) || value < 0) {
            throw new Error(
              `page ${page.uid} of stream ${stream.uid} has ${field} ${value}, which the page index of ` +
                "version 2 cannot hold (a whole number ≥ 0): the store is left at version 1",
            );
          }
        }
        const numeric: Buffer[] = [];
        const text: unknown[] = [];
        for (const [position, data] of columns.all(page.id) as [number, Buffer | string][]) {
          if (slots[position]?.slot === null) text.push(JSON.parse(data as string));
          else numeric.push(data as Buffer);
        }
        const index = Buffer.alloc(PAGE_INDEX_BYTES);
        writePageIndex(new DataView(index.buffer, index.byteOffset, PAGE_INDEX_BYTES), 0, {
          ...page,
          firstEvent: page.first_event,
          wallTime: page.wall_time,
        });
        insert.run(
          chunkId(stream.id, page.first_event),
          page.count,
          page.event_time,
          Buffer.concat(numeric),
          text.length > 0 ? JSON.stringify(text) : null,
          index,
          JSON.stringify([page.uid]),
        );
      }
    }
  }
}

/**
 * Takes the schema of `db` from its `user_version` to the last of
 * `migrations`, in one immediate transaction that also sets the version and
 * the application id. Returns the versions before and after; throws
 * StoreSchemaError (writing nothing) when the store is newer than the list.
 */
export function migrate(
  db: Database.Database,
  store: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { readonly from: number; readonly to: number } {
  const target = migrations.at(-1)?.version ?? 0;
  // The version is read inside the transaction: two processes opening a new store at once migrate it once.
  return db
    .transaction(() => {
      const from = db.pragma("user_version", { simple: true }) as number;
      if (from > target) throw new StoreSchemaError(store, from, target);
      if (from === target) return { from, to: from };
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        db.exec(migration.sql);
        try {
          migration.run?.(db);
        } catch (error) {
          if (error instanceof Database.SqliteError) throw error;
          throw new StoreError(
            store,
            `cannot migrate to version ${migration.version}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        if (migration.finish !== undefined) db.exec(migration.finish);
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${target}`);
      return { from, to: target };
    })
    .immediate();
}
