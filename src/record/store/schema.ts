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
 * reads back as NaN), every numeric column of a page is one BLOB of raw
 * little-endian float64 or int64 (`numpy.frombuffer(blob, "<f8")`), a text
 * column one JSON array. A stream's column, in event order, from Python's
 * sqlite3:
 *
 *     SELECT c.data FROM page_columns c
 *       JOIN pages p ON p.id = c.page_id
 *       JOIN descriptors d ON d.uid = p.descriptor_uid
 *       JOIN data_keys k ON k.descriptor_uid = d.uid AND k.position = c.position
 *      WHERE d.run_uid = ? AND d.name = 'primary' AND k.key = 'smu1-current'
 *      ORDER BY p.first_event
 */
import type { Database } from "better-sqlite3";
import { StoreSchemaError } from "./errors.js";

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 1;

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
];

/**
 * Takes the schema of `db` from its `user_version` to the last of
 * `migrations`, in one immediate transaction that also sets the version and
 * the application id. Returns the versions before and after; throws
 * StoreSchemaError (writing nothing) when the store is newer than the list.
 */
export function migrate(
  db: Database,
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
      for (const migration of migrations) if (migration.version > from) db.exec(migration.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${target}`);
      return { from, to: target };
    })
    .immediate();
}
