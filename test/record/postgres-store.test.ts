/**
 * What only the PostgreSQL run store has (issue 17, "Stores"): its URI (the
 * `schema` parameter, a masked password), its connection's settings, its
 * schema (`schema_version`, another application's tables, migrations, two
 * benches creating it at once) and its leases as advisory locks held by the
 * writer's session. What both backends do: ./store.test.ts.
 *
 * Needs the server of PMS_TEST_POSTGRES (scripts/test-deps.sh starts one);
 * each test has a schema of its own.
 */
import { inspect } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { RunDocument } from "../../src/record/documents.js";
import { DocumentRefusedError, StoreError, StoreSchemaError } from "../../src/record/store/errors.js";
import { openStore } from "../../src/record/store/open.js";
import {
  leaseKey,
  maskedUri,
  openPostgresStore,
  type PostgresRunStore,
} from "../../src/record/store/postgres.js";
import {
  migratePostgres,
  PG_APPLICATION,
  PG_MIGRATIONS,
  PG_SCHEMA_VERSION,
} from "../../src/record/store/postgres-schema.js";
import { DEAD_RUN_REASON } from "../../src/record/store/sqlite.js";
import type { OpenStoreOptions, RunStore } from "../../src/record/store/types.js";
import { POSTGRES_TEST_URI, postgresQuery, postgresSchemas, withSchema } from "./support/backends.js";
import { descriptor, page, runStart, runStop } from "./support/runs.js";

const freshSchema = postgresSchemas();

const opened: RunStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

async function open(uri: string, options: OpenStoreOptions = {}): Promise<PostgresRunStore> {
  const store = await openPostgresStore(uri, options);
  opened.push(store);
  return store;
}

const schemaOf = (uri: string) => new URL(uri).searchParams.get("schema") as string;

/** The tables of `uri`'s schema. */
const tables = async (uri: string) =>
  (
    await postgresQuery<{ table_name: string }>(
      uri,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
      schemaOf(uri),
    )
  ).map((row) => row.table_name);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("URI and connection", () => {
  it("opens postgres:// and postgresql:// URIs in the schema ?schema= names, naming the store with its password masked", async () => {
    const uri = await freshSchema();
    const password = new URL(POSTGRES_TEST_URI).password;
    for (const given of [uri, uri.replace(/^postgres:/, "postgresql:")]) {
      const store = (await openStore(given)) as PostgresRunStore;
      opened.push(store);
      expect(store.schema).toBe(schemaOf(uri));
      expect(store.uri).toBe(maskedUri(given));
      if (password !== "") {
        expect(store.uri).not.toContain(`:${password}@`);
        // Nor does the store object show it, printed whole.
        expect(inspect(store, { depth: 10, showHidden: true })).not.toContain(`:${password}@`);
      }
      expect(await store.settings()).toMatchObject({
        schema: schemaOf(uri),
        schemaVersion: PG_SCHEMA_VERSION,
        synchronousCommit: "off",
        lockTimeoutMs: 5000,
        readOnly: false,
      });
    }
  });

  it("waits for the WAL flush when durable, for locks as long as asked, and opens read-only sessions for readers", async () => {
    const uri = await freshSchema();
    await (await open(uri)).close();
    expect(await (await open(uri, { durable: true, busyTimeoutMs: 250 })).settings()).toMatchObject({
      synchronousCommit: "on",
      lockTimeoutMs: 250,
    });
    expect(await (await open(uri, { readonly: true })).settings()).toMatchObject({ readOnly: true });
  });

  it("takes the connection's current schema when the URI names none (here set by pg's options parameter)", async () => {
    const uri = await freshSchema();
    const schema = schemaOf(uri);
    const url = new URL(POSTGRES_TEST_URI);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const store = await open(url.toString());
    expect(store.schema).toBe(schema);
    expect(new URL(store.uri).searchParams.get("schema")).toBe(schema);
    expect(await tables(uri)).toContain("runs");
  });

  it.each(["Runs", "runs;drop", "1runs", "a".repeat(64)])(
    "refuses the schema name %s, which would need quoting",
    async (schema) => {
      await expect(openStore(withSchema(POSTGRES_TEST_URI, schema))).rejects.toThrow(
        /must be 1 to 63 lower-case letters, digits or _/,
      );
    },
  );

  it("names the store, never its password, when the server refuses the login or cannot be reached", async () => {
    const url = new URL(withSchema(POSTGRES_TEST_URI, "pms_test_login"));
    url.password = "not-the-password";
    const refused = (await openStore(url.toString()).catch((e: unknown) => e)) as StoreError;
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused.message).toContain(`run store postgres://${url.username}:***@${url.host}`);
    expect(refused.message).toMatch(/the server refused the login/);
    expect(refused.message).not.toContain("not-the-password");
    expect(refused.store).not.toContain("not-the-password");

    url.port = "1";
    const unreachable = (await openStore(url.toString()).catch((e: unknown) => e)) as StoreError;
    expect(unreachable).toBeInstanceOf(StoreError);
    expect(unreachable.message).toMatch(/cannot reach the PostgreSQL server \(.*ECONNREFUSED/);
    expect(unreachable.message).not.toContain("not-the-password");
    expect(maskedUri("postgres://db.lab/runs?user=lab&password=secret")).toBe(
      "postgres://db.lab/runs?user=lab&password=***",
    );
  });
});

describe("schema", () => {
  it("creates the schema and its tables on first open for writing; a read-only open creates nothing", async () => {
    const uri = await freshSchema();
    await postgresQuery(uri, `DROP SCHEMA ${schemaOf(uri)}`);
    await expect(open(uri, { readonly: true })).rejects.toThrow(
      `there is no store in schema "${schemaOf(uri)}" to read`,
    );
    expect(await tables(uri)).toEqual([]);
    await open(uri);
    expect(await tables(uri)).toEqual([
      "data_keys",
      "descriptors",
      "page_columns",
      "pages",
      "runs",
      "schema_version",
    ]);
    expect(await postgresQuery(uri, "SELECT version, application FROM schema_version")).toEqual([
      { version: PG_SCHEMA_VERSION, application: PG_APPLICATION },
    ]);
  });

  it.each([
    ["tables of another application", "CREATE TABLE samples (t float8, v float8)", /\(samples\)/],
    [
      "another application's schema_version table",
      "CREATE TABLE schema_version (version integer)",
      /\(schema_version\)/,
    ],
  ])("refuses a schema with %s, and leaves it as it was", async (_, sql, tablesNamed) => {
    const uri = await freshSchema();
    await postgresQuery(uri, sql);
    for (const readonly of [false, true]) {
      const error = (await open(uri, { readonly }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toMatch(
        /holds tables of another application .*, not a run store; it was not modified/,
      );
      expect(error.message).toMatch(tablesNamed);
    }
    expect((await tables(uri)).length).toBe(1);
  });

  it("refuses a store newer than the code, naming both versions, and leaves it as it was", async () => {
    const uri = await freshSchema();
    await (await open(uri)).close();
    await postgresQuery(
      uri,
      "INSERT INTO schema_version (version, application, description) VALUES (?, ?, 'from the future')",
      PG_SCHEMA_VERSION + 1,
      PG_APPLICATION,
    );
    for (const readonly of [false, true]) {
      const error = await open(uri, { readonly }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreSchemaError);
      expect((error as Error).message).toContain(
        `its schema is version ${PG_SCHEMA_VERSION + 1}, newer than version ${PG_SCHEMA_VERSION}`,
      );
      expect((error as Error).message).toContain(`run store ${maskedUri(uri)}`);
    }
    expect(await postgresQuery(uri, "SELECT max(version) AS v FROM schema_version")).toEqual([
      { v: PG_SCHEMA_VERSION + 1 },
    ]);
  });

  it("runs pending migrations in one transaction: all of them, or none", async () => {
    const uri = await freshSchema();
    await (await open(uri)).close();
    const client = new pg.Client({
      connectionString: POSTGRES_TEST_URI,
      options: `-c search_path=${schemaOf(uri)}`,
    });
    await client.connect();
    try {
      const next = [
        ...PG_MIGRATIONS,
        { version: 2, description: "notes", sql: "ALTER TABLE runs ADD COLUMN notes text" },
      ];
      const broken = [...next, { version: 3, description: "broken", sql: "CREATE TABLE runs (x integer)" }];
      const lock = "42";
      await expect(migratePostgres(client, "test", schemaOf(uri), lock, broken)).rejects.toThrow(
        /already exists/,
      );
      const versions = async () =>
        (await client.query("SELECT version FROM schema_version ORDER BY version")).rows.map(
          (row) => row.version,
        );
      expect(await versions()).toEqual([1]);
      const notes =
        "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'notes'";
      expect((await client.query(notes, [schemaOf(uri)])).rows).toEqual([]);
      expect(await migratePostgres(client, "test", schemaOf(uri), lock, next)).toEqual({ from: 1, to: 2 });
      expect(await versions()).toEqual([1, 2]);
      expect(await migratePostgres(client, "test", schemaOf(uri), lock, next)).toEqual({ from: 2, to: 2 });
    } finally {
      await client.end();
    }
  });

  it("is created once when several benches open a new store at once", async () => {
    const uri = await freshSchema();
    await Promise.all([1, 2, 3, 4].map(() => open(uri)));
    expect(await postgresQuery(uri, "SELECT version FROM schema_version")).toEqual([
      { version: PG_SCHEMA_VERSION },
    ]);
  });
});

describe("leases", () => {
  /** The lease's holder: the backend pid of the session that holds run `uid`'s advisory lock. */
  async function leaseHolder(uri: string, uid: string): Promise<number | undefined> {
    const [row] = await postgresQuery<{ pid: number }>(
      uri,
      `SELECT l.pid FROM pg_locks l, runs r
        WHERE r.uid = ? AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = (r.lease_key >> 32) & 4294967295 AND l.objid::bigint = r.lease_key & 4294967295`,
      uid,
    );
    return row?.pid;
  }

  it("holds a run's lease as an advisory lock on the writer's own session, from its RunStart to its RunStop", async () => {
    const uri = await freshSchema();
    const store = await open(uri);
    const writer = store.writer();
    await writer.write(runStart("run-advisory"));
    const [row] = await postgresQuery<{ key: string; pid: number; host: string }>(
      uri,
      "SELECT lease_key::text AS key, writer_pid AS pid, writer_host AS host FROM runs",
    );
    expect(row).toMatchObject({ key: leaseKey(schemaOf(uri), "run-advisory"), pid: process.pid });
    const holder = await leaseHolder(uri, "run-advisory");
    expect(holder).toBeDefined();
    const [session] = await postgresQuery<{ application_name: string }>(
      uri,
      "SELECT application_name FROM pg_stat_activity WHERE pid = ?",
      holder,
    );
    expect(session?.application_name).toBe("photon-memristor-sim");
    await writer.write(runStop("run-advisory"));
    expect(await leaseHolder(uri, "run-advisory")).toBeUndefined();
  });

  it("marks abort a run whose writer's session ended, and fails that writer naming the store", async () => {
    const uri = await freshSchema();
    const store = await open(uri);
    const writer = store.writer({ groupCommitMs: 0 });
    for (const document of [runStart("run-cut"), descriptor("run-cut", "d1"), page("run-cut", "d1", 0, 10)])
      await writer.write(document);
    const holder = await leaseHolder(uri, "run-cut");
    await postgresQuery(uri, "SELECT pg_terminate_backend(?)", holder);
    const reader = await open(uri);
    let summary = (await reader.runs())[0];
    for (let i = 0; i < 50 && summary?.status === "running"; i++) {
      await sleep(20); // the server ends the session (and lets go of its locks) a moment after the signal
      summary = (await reader.runs())[0];
    }
    expect(summary).toMatchObject({
      uid: "run-cut",
      status: "abort",
      reason: DEAD_RUN_REASON,
      events: { primary: 10 },
    });
    const error = (await writer.write(page("run-cut", "d1", 10, 10)).catch((e: unknown) => e)) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.store).toBe(maskedUri(uri));
    expect(error.message).toMatch(/terminat|connection/i);
    await expect(store.close()).rejects.toBe(error);
    opened.splice(opened.indexOf(store), 1);
  });

  it("refuses another writer's documents for a run whose writer lives, and lets it take over a run left without one", async () => {
    const uri = await freshSchema();
    const first = await open(uri);
    const second = await open(uri);
    const documents: RunDocument[] = [
      runStart("run-shared"),
      descriptor("run-shared", "d1"),
      page("run-shared", "d1", 0, 5),
    ];
    for (const document of documents) await first.writer().write(document);
    const other = second.writer();
    for (const document of [page("run-shared", "d1", 5, 5), runStop("run-shared")]) {
      const refused = other.write(document);
      await expect(refused).rejects.toBeInstanceOf(DocumentRefusedError);
      await expect(refused).rejects.toThrow("run run-shared is being written by another writer");
    }
    await first.writer().close(); // no RunStop: the run has lost its writer
    await other.write(page("run-shared", "d1", 5, 5));
    expect((await first.run("run-shared")).summary.status).toBe("running");
    await other.write(runStop("run-shared"));
    expect((await first.run("run-shared")).summary).toMatchObject({
      status: "success",
      events: { primary: 10 },
    });
  });
});
