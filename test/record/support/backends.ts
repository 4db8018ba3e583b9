/**
 * The run store's two backends as the store's tests see them (issue 17: one
 * suite, two backends): a new empty store for each test, and what a test
 * does to a store from a connection of its own (a query, another writer's
 * lock, whether a run's lease is held).
 *
 * PostgreSQL: the server of PMS_TEST_POSTGRES (default
 * postgres://pms:pms@127.0.0.1:5432/pms_test, which scripts/test-deps.sh
 * makes). Each test file's stores are schemas of its own
 * (`pms_test_<random>`, `?schema=` in their URIs), emptied after each test
 * and dropped after the file, so that test files running at once never see
 * each other's runs. A server that cannot be reached fails each PostgreSQL
 * test, saying how to start one: never a skip, which would hide a missing
 * dependency in CI.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach } from "vitest";
import { sqlitePath } from "../../../src/record/store/open.js";
import { leaseKey, maskedUri } from "../../../src/record/store/postgres.js";
import { temporaryFolders } from "./runs.js";

export const POSTGRES_TEST_URI =
  process.env.PMS_TEST_POSTGRES ?? "postgres://pms:pms@127.0.0.1:5432/pms_test";

export type BackendName = "SQLite" | "PostgreSQL";

export interface StoreBackend {
  readonly name: BackendName;
  /** Fails, saying how to get one, when the backend's server cannot be reached. */
  check(): Promise<void>;
  /** The URI of an empty store for this test (emptied or removed after it). */
  fresh(): Promise<string>;
  /** `sql` (`?` for each value) on a connection of its own: its rows. */
  query<T = Record<string, unknown>>(uri: string, sql: string, ...values: unknown[]): Promise<T[]>;
  /** Pages stored, counted in the backend's own tables. */
  storedPages(uri: string): Promise<number>;
  /** One numeric data key's bytes, every page in event order, read from the tables as a reader without this project would. */
  columnBytes(uri: string, runUid: string, stream: string, key: string): Promise<Buffer>;
  /** Another session holding the store's write lock (readers go on) until the function it gives is called. */
  lockOut(uri: string): Promise<() => Promise<void>>;
  /** Whether run `uid`'s writer holds its lease (SQLite: an unexpired lease_until; PostgreSQL: the advisory lock). */
  leaseHeld(uri: string, uid: string): Promise<boolean>;
}

/** Stores that tests running concurrently share nothing of: none is emptied or removed before the file ends. */
export interface BackendOptions {
  readonly concurrent?: boolean;
}

/** SQLite stores in a temporary folder of each test. Call at a test file's top level. */
export function sqliteBackend(options: BackendOptions = {}): StoreBackend {
  const folder = temporaryFolders(options.concurrent ? "all" : "each");
  const pathOf = (uri: string) => sqlitePath(uri) as string;
  return {
    name: "SQLite",
    check: async () => undefined,
    fresh: async () => `sqlite:${join(folder(), "runs.sqlite")}`,
    async query<T>(uri: string, sql: string, ...values: unknown[]) {
      const db = new Database(pathOf(uri), { readonly: true, fileMustExist: true });
      try {
        return db.prepare(sql).all(...values) as T[];
      } finally {
        db.close();
      }
    },
    async storedPages(uri) {
      const [row] = await this.query<{ n: number }>(uri, "SELECT coalesce(sum(pages), 0) AS n FROM chunks");
      return Number(row?.n);
    },
    async columnBytes(uri, runUid, stream, key) {
      // As the README's Python reads it: a stream's chunks by id range, the key's slot of each chunk's data.
      const [found] = await this.query<{ id: number; slot: number }>(
        uri,
        `SELECT d.id, k.slot FROM descriptors d JOIN data_keys k ON k.descriptor = d.id
          WHERE d.run_uid = ? AND d.name = ? AND k.key = ?`,
        runUid,
        stream,
        key,
      );
      if (found === undefined) throw new Error(`no data key ${key} in stream ${stream} of run ${runUid}`);
      const id = BigInt(found.id);
      const rows = await this.query<{ events: number; data: Buffer }>(
        uri,
        "SELECT events, data FROM chunks WHERE id >= ? AND id < ? ORDER BY id",
        id << 40n,
        (id + 1n) << 40n,
      );
      return Buffer.concat(
        rows.map(({ events, data }) => data.subarray(8 * events * found.slot, 8 * events * (found.slot + 1))),
      );
    },
    async lockOut(uri) {
      const db = new Database(pathOf(uri));
      db.exec("BEGIN IMMEDIATE");
      return async () => {
        db.exec("ROLLBACK");
        db.close();
      };
    },
    async leaseHeld(uri, uid) {
      const [row] = await this.query<{ held: number }>(
        uri,
        "SELECT lease_until IS NOT NULL AND lease_until > ? AS held FROM runs WHERE uid = ?",
        Date.now() / 1000,
        uid,
      );
      return row?.held === 1;
    },
  };
}

/** `uri` with `?schema=` set to `schema`. */
export function withSchema(uri: string, schema: string): string {
  const url = new URL(uri);
  url.searchParams.set("schema", schema);
  return url.toString();
}

/** The schema a test store's URI names. */
function schemaOf(uri: string): string {
  return new URL(uri).searchParams.get("schema") ?? "public";
}

let reachable: Promise<void> | undefined;

/** Resolves once the test server answers; else an Error saying how to start it. */
export function checkPostgres(): Promise<void> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URI, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
    } catch (error) {
      const cause = error as Error & { errors?: Error[] };
      const why = cause.message || cause.errors?.map((e) => e.message).join("; ") || String(error);
      throw new Error(
        `the PostgreSQL run store's tests need a server at ${maskedUri(POSTGRES_TEST_URI)} (PMS_TEST_POSTGRES), ` +
          `which cannot be reached (${why}): run \`bash scripts/test-deps.sh\` as root, which installs and ` +
          "starts PostgreSQL and makes the role pms and the database pms_test",
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

// The tests' own connections, shared (a connection costs a SCRAM exchange), each query in the schema it names.
let admin: pg.Pool | undefined;
afterAll(async () => {
  await admin?.end();
  admin = undefined;
});

/** `sql` (`?` for each value) on a connection of the test's own, in `uri`'s schema. */
export async function postgresQuery<T>(uri: string, sql: string, ...values: unknown[]): Promise<T[]> {
  await checkPostgres();
  admin ??= new pg.Pool({ connectionString: POSTGRES_TEST_URI, max: 2 });
  const client = await admin.connect();
  try {
    await client.query("SELECT set_config('search_path', $1, false)", [schemaOf(uri)]);
    let n = 0;
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        values,
      )
    ).rows as T[];
  } finally {
    client.release();
  }
}

/**
 * A new schema for a test of its own (`pms_test_<random>`), dropped after
 * the test file; its URI. Call `postgresSchemas()` at a test file's top level.
 */
export function postgresSchemas(): () => Promise<string> {
  const made: string[] = [];
  afterAll(async () => {
    for (const schema of made.splice(0)) {
      await postgresQuery(POSTGRES_TEST_URI, "SET lock_timeout = '10s'");
      await postgresQuery(POSTGRES_TEST_URI, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
  return async () => {
    const schema = `pms_test_${randomBytes(6).toString("hex")}`;
    await postgresQuery(POSTGRES_TEST_URI, `CREATE SCHEMA ${schema}`);
    made.push(schema);
    return withSchema(POSTGRES_TEST_URI, schema);
  };
}

/**
 * PostgreSQL stores in one schema of the test file's own, emptied after
 * each test (creating a store's tables costs this server about 0.1 s, and
 * emptying them a few ms) and dropped after the file; with `concurrent`, a
 * schema for each store. Call at a test file's top level, before the hook
 * that closes its stores.
 */
export function postgresBackend(options: BackendOptions = {}): StoreBackend {
  const schema = postgresSchemas();
  let uri: Promise<string> | undefined;
  afterEach(async () => {
    if (options.concurrent) return;
    const used = await uri?.catch(() => undefined);
    if (used === undefined) return;
    await postgresQuery(
      used,
      `DO $$ BEGIN
         IF to_regclass('page_columns') IS NOT NULL THEN
           DELETE FROM page_columns; DELETE FROM pages; DELETE FROM data_keys; DELETE FROM descriptors;
           DELETE FROM runs;
         END IF;
       END $$`,
    );
  });
  return {
    name: "PostgreSQL",
    check: checkPostgres,
    fresh: () => {
      if (options.concurrent) return schema();
      uri ??= schema();
      return uri;
    },
    query: postgresQuery,
    async storedPages(uri) {
      const [row] = await postgresQuery<{ n: string }>(uri, "SELECT count(*) AS n FROM pages");
      return Number(row?.n);
    },
    async columnBytes(uri, runUid, stream, key) {
      const rows = await postgresQuery<{ data: Buffer }>(
        uri,
        `SELECT c.data FROM page_columns c JOIN pages p ON p.id = c.page_id
           JOIN descriptors d ON d.uid = p.descriptor_uid
           JOIN data_keys k ON k.descriptor_uid = d.uid AND k.position = c.position
          WHERE d.run_uid = ? AND d.name = ? AND k.key = ? ORDER BY p.first_event`,
        runUid,
        stream,
        key,
      );
      return Buffer.concat(rows.map((row) => row.data));
    },
    async lockOut(uri) {
      const client = new pg.Client({
        connectionString: POSTGRES_TEST_URI,
        options: `-c search_path=${schemaOf(uri)}`,
      });
      await client.connect();
      await client.query("BEGIN");
      // EXCLUSIVE: every write waits, reads (ACCESS SHARE) go on, as under SQLite's BEGIN IMMEDIATE.
      await client.query("LOCK TABLE runs, descriptors, data_keys, pages, page_columns IN EXCLUSIVE MODE");
      return async () => {
        await client.query("ROLLBACK");
        await client.end();
      };
    },
    async leaseHeld(uri, uid) {
      const key = BigInt.asUintN(64, BigInt(leaseKey(schemaOf(uri), uid)));
      const rows = await postgresQuery(
        uri,
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid::bigint = ? AND objid::bigint = ?`,
        (key >> 32n).toString(),
        (key & 0xffffffffn).toString(),
      );
      return rows.length > 0;
    },
  };
}
