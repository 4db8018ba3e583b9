/**
 * The PostgreSQL run store's schema (issue 17, "Stores"): the tables of
 * ./schema.ts (the SQLite store's) in PostgreSQL's types, one store per
 * PostgreSQL schema (`postgres://…/db?schema=name`), versioned by its
 * `schema_version` table. Each migration takes the schema one version up;
 * the pending ones run in one transaction with their `schema_version` rows
 * (PostgreSQL's DDL is transactional), under an advisory lock, so that two
 * benches opening a new store at once migrate it once and a store is at one
 * version or the next, never between. A store newer than this code is
 * refused (StoreSchemaError, naming both versions) and left as it is; a
 * schema holding another application's tables is refused, never given ours.
 *
 * Laid out for a reader without this project, as the SQLite store is:
 * documents are `jsonb` (RunStart, descriptors, RunStop: protobuf's JSON
 * mapping, so a NaN limit reads back as NaN), every numeric column of a page
 * is one `bytea` of raw little-endian float64 or int64
 * (`numpy.frombuffer(data, "<f8")`), a text column a JSON array in
 * `values_json`. Pages' bytes are stored out of line and uncompressed
 * (`STORAGE EXTERNAL`): numeric columns hardly compress, and uncompressed
 * they are written and read without pglz's work. A stream's column, in
 * event order:
 *
 *     SELECT c.data FROM page_columns c
 *       JOIN pages p ON p.id = c.page_id
 *       JOIN descriptors d ON d.uid = p.descriptor_uid
 *       JOIN data_keys k ON k.descriptor_uid = d.uid AND k.position = c.position
 *      WHERE d.run_uid = $1 AND d.name = 'primary' AND k.key = 'smu1-current'
 *      ORDER BY p.first_event
 *
 * Leases: a running run's writer holds, on its own connection, the
 * session-level advisory lock `runs.lease_key` (./postgres.ts). Whether a
 * run's writer lives, from SQL:
 *
 *     SELECT EXISTS (SELECT 1 FROM pg_locks l
 *       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
 *         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
 *         AND l.classid::bigint = (r.lease_key >> 32) & 4294967295
 *         AND l.objid::bigint = r.lease_key & 4294967295)
 *       FROM runs r WHERE r.uid = $1
 */
import type { ClientBase } from "pg";
import { StoreError, StoreSchemaError } from "./errors.js";

/** The schema version this code writes and reads. */
export const PG_SCHEMA_VERSION = 1;

/** What `schema_version.application` says in a run store, so that another application's table of that name is not taken for ours. */
export const PG_APPLICATION = "photon-memristor-sim run store";

export interface PgMigration {
  /** The version this migration takes the schema to. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: "runs, descriptors with their data keys, pages with their columns",
    sql: `
      CREATE TABLE runs (
        uid text PRIMARY KEY,
        plan text NOT NULL,
        chip text NOT NULL,
        hostname text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'success', 'abort', 'fail')),
        reason text NOT NULL DEFAULT '',
        start_wall_time double precision NOT NULL,
        stop_wall_time double precision,
        start jsonb NOT NULL,
        stop jsonb,
        writer_pid integer,
        writer_host text,
        lease_key bigint NOT NULL
      );
      CREATE INDEX runs_by_start ON runs (start_wall_time);
      CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

      CREATE TABLE descriptors (
        id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        uid text PRIMARY KEY,
        run_uid text NOT NULL REFERENCES runs (uid),
        name text NOT NULL,
        document jsonb NOT NULL,
        events bigint NOT NULL DEFAULT 0,
        pages bigint NOT NULL DEFAULT 0,
        UNIQUE (run_uid, name)
      );

      CREATE TABLE data_keys (
        descriptor_uid text NOT NULL REFERENCES descriptors (uid),
        position integer NOT NULL,
        key text NOT NULL,
        dtype text NOT NULL CHECK (dtype IN ('float64', 'int64', 'text')),
        unit text NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (descriptor_uid, position),
        UNIQUE (descriptor_uid, key)
      );

      CREATE TABLE pages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        uid text NOT NULL,
        run_uid text NOT NULL,
        descriptor_uid text NOT NULL REFERENCES descriptors (uid),
        seq bigint NOT NULL,
        first_event bigint NOT NULL,
        count integer NOT NULL,
        time double precision NOT NULL,
        wall_time double precision NOT NULL,
        event_time bytea NOT NULL,
        UNIQUE (descriptor_uid, first_event)
      );
      ALTER TABLE pages ALTER COLUMN event_time SET STORAGE EXTERNAL;

      CREATE TABLE page_columns (
        page_id bigint NOT NULL REFERENCES pages (id),
        position integer NOT NULL,
        data bytea,
        values_json text,
        PRIMARY KEY (page_id, position),
        CHECK ((data IS NULL) <> (values_json IS NULL))
      );
      ALTER TABLE page_columns ALTER COLUMN data SET STORAGE EXTERNAL;
    `,
  },
];

const SCHEMA_VERSION_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_version (
    version integer PRIMARY KEY,
    application text NOT NULL,
    description text NOT NULL,
    migrated_at timestamptz NOT NULL DEFAULT now()
  )`;

/** What the connection's schema holds: a run store of some version, nothing, or someone else's tables. */
export type SchemaState =
  | { readonly kind: "missing" }
  | ({ readonly schema: string } & (
      | { readonly kind: "store"; readonly version: number }
      | { readonly kind: "empty" }
      | { readonly kind: "foreign"; readonly tables: readonly string[] }
    ));

/**
 * Reads (only) what the connection's current schema holds, from the
 * catalogue (information_schema's views cost this server several ms a
 * query, and a bench opens the store at every run).
 */
export async function schemaState(client: ClientBase): Promise<SchemaState> {
  const { rows } = await client.query<{ schema: string | null; tables: string[]; ours: boolean }>(
    `SELECT current_schema() AS schema,
            ARRAY(SELECT c.relname::text FROM pg_class c
                   WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   ORDER BY c.relname) AS tables,
            EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                     WHERE c.relnamespace = n.oid AND c.relname = 'schema_version'
                       AND a.attname = 'application' AND NOT a.attisdropped) AS ours
       FROM (SELECT current_schema()) s LEFT JOIN pg_namespace n ON n.nspname = s.current_schema`,
  );
  const row = rows[0];
  if (row?.schema == null) return { kind: "missing" };
  const { schema, tables } = row;
  if (tables.length === 0) return { kind: "empty", schema };
  if (!row.ours) return { kind: "foreign", schema, tables };
  const versions = await client.query<{ version: number | null; foreign: boolean | null }>(
    "SELECT max(version) AS version, bool_or(application <> $1) AS foreign FROM schema_version",
    [PG_APPLICATION],
  );
  const found = versions.rows[0];
  if (found?.foreign === true) return { kind: "foreign", schema, tables };
  return { kind: "store", schema, version: found?.version ?? 0 };
}

/**
 * Takes the schema `schema` (created if absent) from its version to the last
 * of `migrations`, in one transaction on `client` that also records each
 * version. Returns the versions before and after; throws StoreSchemaError
 * (writing nothing) when the store is newer than the list, StoreError when
 * the schema holds another application's tables.
 */
export async function migratePostgres(
  client: ClientBase,
  store: string,
  schema: string,
  migrationLock: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<{ readonly from: number; readonly to: number }> {
  const target = migrations.at(-1)?.version ?? 0;
  await client.query("BEGIN");
  try {
    // The state is read under the lock: two benches opening a new store at once migrate it once.
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLock]);
    let state = await schemaState(client);
    if (state.kind === "missing") {
      // Only when absent: CREATE SCHEMA needs a right on the database that a lab's users may lack.
      await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
      state = await schemaState(client);
    }
    if (state.kind === "foreign") throw foreignSchema(store, schema, state.tables);
    const from = state.kind === "store" ? state.version : 0;
    if (from > target) throw new StoreSchemaError(store, from, target);
    if (from < target) {
      await client.query(SCHEMA_VERSION_TABLE);
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        await client.query(migration.sql);
        await client.query(
          "INSERT INTO schema_version (version, application, description) VALUES ($1, $2, $3)",
          [migration.version, PG_APPLICATION, migration.description],
        );
      }
    }
    await client.query("COMMIT");
    return { from, to: Math.max(from, target) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** The refusal of a schema that holds another application's tables. */
export function foreignSchema(store: string, schema: string, tables: readonly string[]): StoreError {
  return new StoreError(
    store,
    `schema "${schema}" holds tables of another application (${tables.join(", ")}), not a run store; ` +
      "it was not modified (name a schema of its own: ?schema=<name>)",
  );
}

/** `name` as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
