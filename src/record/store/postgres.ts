/**
 * The PostgreSQL run store (issue 17, "Stores"): for a lab whose benches
 * share one store, the SQLite store's documents, checks and query API
 * (./sqlite.ts) behind the same interface, chosen by a URI:
 *
 *     postgres://user:password@host:5432/database?schema=runs
 *     postgresql://host/database          (the connection's current schema, often "public")
 *
 * Every parameter of the URI is pg's (sslmode, application_name, …) except
 * `schema`: the PostgreSQL schema that holds the store (lower-case letters,
 * digits, _), created on first open for writing; one database can hold many
 * stores, one per schema. The password may also come from PGPASSWORD or
 * ~/.pgpass. Messages and `store.uri` name the store by its URI with the
 * password masked (`postgres://user:***@host/database?schema=runs`).
 *
 * Writing: `writer().write(doc)` queues a document and resolves once the
 * transaction that holds it has committed, as in SQLite: documents are
 * committed in groups, a transaction at most `groupCommitMs` after a
 * document is queued, or at once when 64 are queued; one transaction at a
 * time, on the writer's own connection, while the next group gathers. All
 * the pages of a transaction go in one statement (their bytes as one binary
 * parameter, cut by `substring` on the server), so that a group costs one
 * round trip, not one per page. Commits survive the writer's process
 * (`synchronous_commit = off`: the server has the transaction; a crash of the
 * server itself may lose its last ~0.6 s, as a power cut may lose SQLite's
 * last transactions under NORMAL); `durable` waits for the WAL flush
 * (`synchronous_commit = on`). A wait for another session's lock longer
 * than `busyTimeoutMs` (`lock_timeout`) fails the writer with
 * StoreLockedError.
 *
 * Leases: the writer of a run holds a session-level advisory lock on the
 * run's `lease_key` (the first 8 bytes of SHA-256 of "<schema>/<uid>") on
 * its connection, from before its RunStart commits to after its RunStop
 * has. A running run whose lock nobody holds has lost its writer (its
 * process ended, or its connection did): a store opened for writing marks it
 * `abort`, "process ended without RunStop", taking the lock itself for the
 * transaction that marks it, so that a writer that is still there is never
 * marked; a read-only store reports it so (from `pg_locks`) without writing.
 * There is no heartbeat and `leaseSeconds` is not used: the server ends a
 * dead client's session (and its locks) when its connection closes. The
 * store needs a session of its own, so not a pooler in transaction mode.
 *
 * Reading: `table()` preallocates each column at its final length (the sum
 * of the page counts) and copies each page's bytes into place as they
 * stream in, row by row, from a binary COPY in one repeatable-read
 * snapshot: pg reads `bytea` results as hex text (twice the bytes, and a
 * decode; its binary result mode decodes every field as UTF-8 text, which
 * corrupts bytes), and COPY's binary rows were about 4 times as fast (1000-
 * event pages) as hex. `pages()` fetches about 2¹⁷ events of pages at a time
 * (keyset on `first_event`), as hex, each fetch its own snapshot.
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
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
  StoreFullError,
  StoreLockedError,
  StoreSchemaError,
  StreamNotFoundError,
} from "./errors.js";
import { foreignSchema, migratePostgres, PG_SCHEMA_VERSION, schemaState } from "./postgres-schema.js";
import { DEAD_RUN_REASON, GROUP_COMMIT_DOCUMENTS } from "./sqlite.js";
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

/** What the store's connections run with, read back from the server. */
export interface PostgresSettings {
  readonly schema: string;
  readonly schemaVersion: number;
  readonly synchronousCommit: string;
  readonly lockTimeoutMs: number;
  readonly readOnly: boolean;
  readonly serverVersion: string;
}

export interface PostgresRunStore extends RunStore {
  /** The PostgreSQL schema that holds the store. */
  readonly schema: string;
  settings(): Promise<PostgresSettings>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_GROUP_COMMIT_MS = 50;
const DEFAULT_MAX_BACKLOG = 256;
const CONNECT_TIMEOUT_MS = 10_000;
const READ_CONNECTIONS = 4;
/** A transaction holds at most this many documents, and pages of about this many bytes… */
const MAX_TRANSACTION_DOCUMENTS = 1024;
const MAX_TRANSACTION_BYTES = 64 << 20;
/** …and a read fetches pages of about this many events at a time. */
const FETCH_EVENTS = 1 << 17;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const APPLICATION_NAME = "photon-memristor-sim";

/** A signed 64-bit advisory lock key from the first 8 bytes of SHA-256 of `text`, as decimal text. */
function lockKey(text: string): string {
  return createHash("sha256").update(text).digest().readBigInt64BE(0).toString();
}

/** The advisory lock a run's writer holds: its lease. */
export function leaseKey(schema: string, runUid: string): string {
  return lockKey(`${schema}/${runUid}`);
}

/** Where a URI points, split into what pg connects with and what this store takes for itself. */
export interface PostgresTarget {
  /** The URI without `schema` and `options`, for pg. */
  readonly connectionString: string;
  /** The URI's own `options` (server settings, `-c name=value`), to run before this store's. */
  readonly options: string;
  readonly schema: string | undefined;
}

/** `uri` with its password (in the authority or a `password` parameter) masked, for messages. */
export function maskedUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri.replace(/^([a-z][a-z0-9+.-]+:\/\/[^:/@]*):.*@/i, "$1:***@");
  }
  if (url.password !== "") url.password = "***";
  for (const name of [...url.searchParams.keys()]) {
    if (/password/i.test(name)) url.searchParams.set(name, "***");
  }
  return url.toString();
}

/** Splits `uri`; an Error (naming it masked) when it is not a PostgreSQL URI this store takes. */
export function parsePostgresUri(uri: string): PostgresTarget {
  const masked = maskedUri(uri);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(
      `cannot open run store ${masked}: it is not a URI (postgres://user@host/database?schema=name)`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new Error(`cannot open run store ${masked}: not a postgres:// or postgresql:// URI`);
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(
      `cannot open run store ${masked}: schema "${schema}" must be 1 to 63 lower-case letters, digits ` +
        "or _, starting with a letter or _",
    );
  }
  const options = url.searchParams.get("options") ?? "";
  url.searchParams.delete("schema");
  url.searchParams.delete("options");
  return { connectionString: url.toString(), options, schema };
}

/** The store's name in messages: the URI, password masked, with the schema it holds. */
function displayUri(uri: string, schema: string | undefined): string {
  const url = new URL(maskedUri(uri));
  url.searchParams.delete("schema");
  if (schema !== undefined) url.searchParams.set("schema", schema);
  return url.toString();
}

/** PostgreSQL's bigint as a JS number (counts and ids stay far below 2⁵³); every other type as pg reads it. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A failure of pg or the server as the StoreError that says what it means. */
function storeErrorOf(cause: unknown, uri: string, busyTimeoutMs: number): Error {
  if (cause instanceof StoreError) return cause;
  if (!(cause instanceof Error)) return new StoreError(uri, String(cause), { cause });
  const code = (cause as { code?: unknown }).code;
  // Node gives an AggregateError, with no message of its own, when every address of a host refuses.
  const message =
    cause.message ||
    ((cause as Partial<AggregateError>).errors ?? []).map((error: Error) => error.message).join("; ") ||
    String(code);
  if (code === "55P03") return new StoreLockedError(uri, busyTimeoutMs, { cause });
  if (code === "53100") return new StoreFullError(uri, { cause });
  if (code === "28P01" || code === "28000")
    return new StoreError(uri, `the server refused the login (${message})`, { cause });
  if (code === "25006") return new StoreError(uri, `cannot write (${message})`, { cause });
  if (typeof code === "string" && /^(57P0[123]|08)/.test(code)) {
    return new StoreError(uri, `the server ended the connection (${message})`, { cause });
  }
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return new StoreError(uri, `cannot reach the PostgreSQL server (${message})`, { cause });
  }
  if (/Connection terminated|timeout expired/i.test(message))
    return new StoreError(uri, `lost the connection to the server (${message})`, { cause });
  return new StoreError(uri, typeof code === "string" ? `${message} (SQLSTATE ${code})` : message, { cause });
}

/** A failure that breaks only the statement that made it (a constraint, a bad value): its document is refused. */
function isDataError(error: unknown): error is Error {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("23") || code.startsWith("22"));
}

/**
 * Whether a running run's writer has gone: nobody holds its lease. `r` is
 * the runs row; a lock is in `pg_locks` as its key's high and low halves.
 */
const LEASE_LAPSED = `(r.status = 'running' AND NOT EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid::bigint = (r.lease_key >> 32) & 4294967295
       AND l.objid::bigint = r.lease_key & 4294967295))`;

const RUN_COLUMNS = `r.uid, r.plan, r.chip, r.hostname, r.status, r.reason, r.start_wall_time, r.stop_wall_time,
  ${LEASE_LAPSED} AS lapsed,
  coalesce((SELECT json_object_agg(d.name, d.events ORDER BY d.id) FROM descriptors d WHERE d.run_uid = r.uid),
           '{}') AS events`;

interface RunRow {
  readonly uid: string;
  readonly plan: string;
  readonly chip: string;
  readonly hostname: string;
  readonly status: string;
  readonly reason: string;
  readonly start_wall_time: number;
  readonly stop_wall_time: number | null;
  readonly lapsed: boolean;
  readonly events: Record<string, number>;
}

interface DescriptorRow {
  readonly uid: string;
  readonly run_uid: string;
  readonly name: string;
  readonly document: object;
  readonly events: number;
  readonly pages: number;
}

interface StoredStream extends DescriptorRow {
  readonly dataKeys: readonly DataKeyDocument[];
  readonly dtypes: readonly Dtype[];
}

/**
 * Opens (creating its schema and tables if absent, migrating them if older)
 * the PostgreSQL run store `uri` names. Throws StoreError when the server
 * cannot be reached or refuses the login, when the schema holds another
 * application's tables (left as they are), StoreSchemaError for a newer
 * store, StoreLockedError when a migration waits on a lock past
 * `busyTimeoutMs`.
 */
export async function openPostgresStore(
  uri: string,
  options: OpenStoreOptions = {},
): Promise<PostgresRunStore> {
  const target = parsePostgresUri(uri);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!(busyTimeoutMs >= 0)) throw new RangeError(`busyTimeoutMs must be ≥ 0 ms, not ${busyTimeoutMs}`);
  // Checked as SQLite checks it, though a PostgreSQL lease is its writer's session and has no duration.
  if (options.leaseSeconds !== undefined && !(options.leaseSeconds > 0))
    throw new RangeError(`leaseSeconds must be > 0 s, not ${options.leaseSeconds}`);
  const readonly = options.readonly ?? false;
  const settings = [
    target.options,
    target.schema === undefined ? "" : `-c search_path=${target.schema}`,
    // lock_timeout 0 would wait for ever; SQLite's busy timeout 0 fails at once.
    `-c lock_timeout=${Math.max(1, Math.round(busyTimeoutMs))}`,
    `-c synchronous_commit=${options.durable ? "on" : "off"}`,
    readonly ? "-c default_transaction_read_only=on" : "",
  ];
  const config: pg.ClientConfig = {
    connectionString: target.connectionString,
    options: settings.filter((setting) => setting !== "").join(" "),
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    types: TYPES,
  };
  const provisional = displayUri(uri, target.schema);
  const pool = new pg.Pool({
    ...config,
    max: READ_CONNECTIONS,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // An idle connection that breaks is dropped by the pool; the next query opens another.
  pool.on("error", () => undefined);
  try {
    const client = await pool.connect();
    let schema: string;
    try {
      schema = await prepare(client, provisional, target.schema, readonly);
    } finally {
      client.release();
    }
    const store = new PostgresStore(pool, config, displayUri(uri, schema), schema, readonly, busyTimeoutMs);
    if (!readonly) await store.sweep();
    return store;
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw storeErrorOf(cause, provisional, busyTimeoutMs);
  }
}

/** Checks that the schema is a run store of a version this code knows (migrating it); its name. */
async function prepare(
  client: pg.PoolClient,
  uri: string,
  named: string | undefined,
  readonly: boolean,
): Promise<string> {
  // Reads only, so that a schema that is not a store is refused before anything is written to it.
  const state = await schemaState(client);
  const schema = named ?? (state.kind === "missing" ? undefined : state.schema);
  if (schema === undefined) {
    throw new StoreError(uri, "the connection has no current schema: name one (?schema=<name>)");
  }
  if (state.kind === "foreign") throw foreignSchema(uri, schema, state.tables);
  const version = state.kind === "store" ? state.version : 0;
  if (version > PG_SCHEMA_VERSION) throw new StoreSchemaError(uri, version, PG_SCHEMA_VERSION);
  if (readonly) {
    if (state.kind !== "store") throw new StoreError(uri, `there is no store in schema "${schema}" to read`);
    if (version < PG_SCHEMA_VERSION) {
      throw new StoreError(
        uri,
        `its schema is version ${version}, older than version ${PG_SCHEMA_VERSION}: ` +
          "open it once for writing to migrate it",
      );
    }
    return schema;
  }
  if (version < PG_SCHEMA_VERSION) await migratePostgres(client, uri, schema, lockKey(`migrate/${schema}`));
  return schema;
}

class PostgresStore implements PostgresRunStore {
  readonly #pool: pg.Pool;
  /** The connections' settings: private, as they hold the password. */
  readonly #config: pg.ClientConfig;
  readonly #readonly: boolean;
  #writer: PostgresWriter | undefined;
  #closed = false;

  constructor(
    pool: pg.Pool,
    config: pg.ClientConfig,
    readonly uri: string,
    readonly schema: string,
    readonly: boolean,
    readonly busyTimeoutMs: number,
  ) {
    this.#pool = pool;
    this.#config = config;
    this.#readonly = readonly;
  }

  /** A connection of its own, not from the pool (the writer's, which holds its leases). */
  connection(): pg.Client {
    return new pg.Client(this.#config);
  }

  /** The store's failure as the StoreError that names it. */
  errorOf(cause: unknown): Error {
    return storeErrorOf(cause, this.uri, this.busyTimeoutMs);
  }

  /** One query on a connection of the pool, its failure given as a StoreError. */
  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    if (this.#closed) throw new StoreClosedError(this.uri);
    try {
      return (await this.#pool.query<R>(text, values)).rows;
    } catch (cause) {
      throw this.errorOf(cause);
    }
  }

  /** `work` in one read-only snapshot (repeatable read) on a connection of the pool. */
  async snapshot<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreClosedError(this.uri);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (cause) {
      throw this.errorOf(cause);
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (cause) {
      await client.query("ROLLBACK").catch((error: Error) => {
        broken = error;
      });
      throw this.errorOf(cause);
    } finally {
      client.release(broken);
    }
  }

  async settings(): Promise<PostgresSettings> {
    const [row] = await this.query<{
      schema: string;
      version: number;
      synchronous_commit: string;
      lock_timeout: string;
      read_only: string;
      server_version: string;
    }>(
      `SELECT current_schema() AS schema, (SELECT max(version) FROM schema_version) AS version,
              current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('lock_timeout') AS lock_timeout,
              current_setting('default_transaction_read_only') AS read_only,
              current_setting('server_version') AS server_version`,
    );
    const timeout = /^(\d+)(ms|s|min)?$/.exec(row?.lock_timeout ?? "");
    const scale = timeout?.[2] === "s" ? 1000 : timeout?.[2] === "min" ? 60_000 : 1;
    return {
      schema: row?.schema ?? this.schema,
      schemaVersion: row?.version ?? 0,
      synchronousCommit: row?.synchronous_commit ?? "",
      lockTimeoutMs: Number(timeout?.[1] ?? Number.NaN) * scale,
      readOnly: row?.read_only === "on",
      serverVersion: row?.server_version ?? "",
    };
  }

  writer(options: StoreWriterOptions = {}): StoreWriter {
    if (this.#closed) throw new StoreClosedError(this.uri);
    if (this.#readonly) throw new StoreError(this.uri, "opened read-only: it has no writer");
    if (this.#writer === undefined) {
      this.#writer = new PostgresWriter(this, options, () => {
        this.#writer = undefined;
      });
    } else {
      this.#writer.checkOptions(options);
    }
    return this.#writer;
  }

  /**
   * Marks the runs whose writer has gone `abort`. The marking statement
   * takes each run's lease for its own transaction before it marks it: a
   * writer that holds its lease keeps its run, whatever `pg_locks` said a
   * moment before. Another session's lock on the table (past the lock
   * timeout) leaves them to the next sweep; reads report them as dead
   * meanwhile.
   */
  async sweep(): Promise<void> {
    const lapsed = await this.query<{ uid: string }>(`SELECT r.uid FROM runs r WHERE ${LEASE_LAPSED}`);
    if (lapsed.length === 0) return;
    try {
      await this.query(
        `UPDATE runs SET status = 'abort', reason = $1
          WHERE uid = ANY($2::text[]) AND status = 'running' AND pg_try_advisory_xact_lock(lease_key)`,
        [DEAD_RUN_REASON, lapsed.map((row) => row.uid)],
      );
    } catch (error) {
      if (!(error instanceof StoreLockedError)) throw error;
    }
  }

  async runs(filter: RunFilter = {}): Promise<RunSummary[]> {
    if (!this.#readonly) await this.sweep();
    const conditions: [string, string | number | undefined][] = [
      ["r.plan = $", filter.plan],
      ["r.chip = $", filter.chip],
      ["r.start_wall_time >= $", filter.since],
      ["r.start_wall_time < $", filter.until],
    ];
    const given = conditions.filter(([, value]) => value !== undefined);
    const where =
      given.length > 0 ? `WHERE ${given.map(([condition], i) => `${condition}${i + 1}`).join(" AND ")}` : "";
    const rows = await this.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs r ${where} ORDER BY r.start_wall_time, r.uid COLLATE "C"`,
      given.map(([, value]) => value),
    );
    return rows
      .map((row) => summaryOf(row))
      .filter((summary) => filter.status === undefined || summary.status === filter.status);
  }

  async run(uid: string): Promise<RunReader> {
    if (!this.#readonly) await this.sweep();
    type Row = RunRow & { start: object; stop: object | null };
    const select = `SELECT ${RUN_COLUMNS}, r.start, r.stop FROM runs r`;
    let [row] = await this.query<Row>(`${select} WHERE r.uid = $1`, [uid]);
    if (row === undefined) {
      if (uid.length < 8) {
        throw new RunNotFoundError(
          this.uri,
          uid,
          "no run has this uid (a prefix needs at least 8 characters)",
        );
      }
      const [match, other] = await this.query<Row>(
        `${select} WHERE starts_with(r.uid, $1) ORDER BY r.uid COLLATE "C" LIMIT 2`,
        [uid],
      );
      if (match === undefined) throw new RunNotFoundError(this.uri, uid);
      if (other !== undefined) {
        const matches = `${match.uid}, ${other.uid}, …`;
        throw new RunNotFoundError(this.uri, uid, `the prefix matches more than one run (${matches})`);
      }
      row = match;
    }
    return new PostgresRunReader(
      this,
      runStartOf(row.start),
      row.stop === null ? undefined : runStopOf(row.stop),
      summaryOf(row),
    );
  }

  async streamRows(runUid: string, client?: pg.ClientBase): Promise<DescriptorRow[]> {
    const text =
      "SELECT uid, run_uid, name, document, events, pages FROM descriptors WHERE run_uid = $1 ORDER BY id";
    if (client === undefined) return this.query<DescriptorRow>(text, [runUid]);
    return (await client.query<DescriptorRow>(text, [runUid])).rows;
  }

  /** Stream `name` of run `runUid`, with its data keys; StreamNotFoundError naming the streams it has. */
  async stream(runUid: string, name: string, client?: pg.ClientBase): Promise<StoredStream> {
    const rows = await this.streamRows(runUid, client);
    const row = rows.find((stream) => stream.name === name);
    if (row === undefined) {
      throw new StreamNotFoundError(
        this.uri,
        runUid,
        name,
        rows.map((stream) => stream.name),
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
    await this.#pool.end().catch(() => undefined);
    if (failure !== undefined) throw failure;
  }
}

function summaryOf(row: RunRow): RunSummary {
  return {
    uid: row.uid,
    plan: row.plan,
    chip: row.chip,
    status: row.lapsed ? "abort" : (row.status as RunStatus),
    reason: row.lapsed ? DEAD_RUN_REASON : row.reason,
    startWallTime: row.start_wall_time,
    ...(row.stop_wall_time === null ? {} : { stopWallTime: row.stop_wall_time }),
    events: row.events,
    hostname: row.hostname,
  };
}

/** Someone waiting on the writer: for a document's commit, or for room in the backlog. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Pending extends Waiter {
  readonly document: RunDocument;
}

/** A descriptor as the writer checks pages against it. */

/** A page checked and waiting for its transaction's one insert. */
interface CheckedPage {
  readonly page: EventPageDocument;
  /** By data-key position. */
  readonly columns: readonly (Uint8Array | string)[];
}

type Refuse = (reason: string) => DocumentRefusedError;

/** What one transaction does besides its documents' own statements. */
interface Transaction {
  readonly client: pg.Client;
  begun: boolean;
  readonly pages: CheckedPage[];
  /** Runs whose RunStop it stores: their leases are let go once it has committed. */
  readonly stopped: string[];
}

/**
 * The store's one writer: a queue committed in groups on a connection of
 * its own, each document acknowledged once its transaction has committed. A
 * document that would break its run (DocumentRefusedError) is refused alone;
 * a failed commit (locked, full, connection lost, closed) fails the writer:
 * that transaction's documents, those queued after and every later one
 * reject with its error, and its connection is closed, which lets go of its
 * runs' leases.
 */
class PostgresWriter implements StoreWriter {
  readonly #store: PostgresStore;
  readonly #onClose: () => void;
  readonly #maxBacklog: number;
  readonly #groupCommitMs: number;
  readonly #host = hostname();
  #client: Promise<pg.Client> | undefined;
  #queue: Pending[] = [];
  #inFlight = 0;
  #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  /** The chain of transactions, one at a time; and the next one while it has not started. */
  #tail: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;
  #failure: Error | undefined;
  #closed = false;
  /** Runs whose lease this writer holds, by uid: their lease keys (let go once their RunStop has committed). */
  readonly #leases = new Map<string, string>();
  /** Runs this writer adds to: their lease held, their RunStop not written. */
  readonly #openRuns = new Set<string>();
  readonly #streams = new Map<string, WrittenStream>();

  constructor(store: PostgresStore, options: StoreWriterOptions, onClose: () => void) {
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
    this.#onClose = onClose;
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
    return this.#queue.length + this.#inFlight;
  }

  write(document: RunDocument): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new StoreClosedError(this.#store.uri, "its writer"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ document, resolve, reject });
      this.#schedule();
    });
  }

  ready(): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.backlog < this.#maxBacklog) return undefined;
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  async flush(): Promise<void> {
    do await this.#commitSoon();
    while (this.#queue.length > 0 && this.#failure === undefined);
    if (this.#failure !== undefined) throw this.#failure;
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.flush().catch(() => undefined);
      this.#onClose();
      // Its connection's end lets go of the leases of the runs it leaves without a RunStop.
      const client = await this.#client?.catch(() => undefined);
      await client?.end().catch(() => undefined);
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** A transaction at once when a group is full (or groups are off), else at most `groupCommitMs` from now. */
  #schedule(): void {
    if (this.#queue.length >= GROUP_COMMIT_DOCUMENTS || this.#groupCommitMs === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#immediate ??= setImmediate(() => void this.#commitSoon());
    } else if (this.#timer === undefined && this.#immediate === undefined && this.#next === undefined) {
      this.#timer = setTimeout(() => void this.#commitSoon(), this.#groupCommitMs);
    }
  }

  /** The next transaction, after the one under way: it takes what is queued when it starts. Never rejects. */
  #commitSoon(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    if (this.#next !== undefined) return this.#next;
    const next = this.#tail.then(() => {
      this.#next = undefined;
      return this.#commit();
    });
    this.#next = next;
    this.#tail = next;
    return next;
  }

  #connect(): Promise<pg.Client> {
    this.#client ??= (async () => {
      const client = this.#store.connection();
      // A connection that breaks between transactions (the server restarted, the session was ended).
      client.on("error", (error) => this.#fail(this.#store.errorOf(error), []));
      await client.connect();
      return client;
    })();
    return this.#client;
  }

  /** Commits the queue's first documents (a transaction's worth) in one transaction. */
  async #commit(): Promise<void> {
    if (this.#failure !== undefined || this.#queue.length === 0) return;
    const batch = this.#take();
    this.#inFlight = batch.length;
    const refusals: (DocumentRefusedError | undefined)[] = [];
    try {
      const client = await this.#connect();
      const transaction: Transaction = { client, begun: false, pages: [], stopped: [] };
      try {
        for (const { document } of batch) refusals.push(await this.#apply(transaction, document));
        if (transaction.pages.length > 0) await this.#insertPages(transaction);
        if (transaction.begun) await client.query("COMMIT");
      } catch (error) {
        if (transaction.begun) await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
      // After the commit, so that a reader never sees the run running without its lease.
      const keys = transaction.stopped.map((run) => this.#leases.get(run) as string);
      for (const run of transaction.stopped) this.#leases.delete(run);
      if (keys.length > 0)
        await client.query("SELECT pg_advisory_unlock(k) FROM unnest($1::bigint[]) k", [keys]);
    } catch (error) {
      this.#inFlight = 0;
      this.#fail(this.#store.errorOf(error), batch);
      return;
    }
    this.#inFlight = 0;
    batch.forEach((pending, i) => {
      const refusal = refusals[i];
      if (refusal === undefined) pending.resolve();
      else pending.reject(refusal);
    });
    while (this.#waiters.length > 0 && this.backlog < this.#maxBacklog) this.#waiters.shift()?.resolve();
    if (this.#queue.length > 0) this.#schedule();
  }

  /** The queue's first documents: at most a transaction's worth of documents and bytes, at least one. */
  #take(): Pending[] {
    let bytes = 0;
    let count = 0;
    for (const { document } of this.#queue) {
      if (count >= MAX_TRANSACTION_DOCUMENTS || (count > 0 && bytes >= MAX_TRANSACTION_BYTES)) break;
      if (document.kind === "page")
        bytes += (document.doc.eventTime?.byteLength ?? 0) * (1 + (document.doc.columns?.length ?? 0));
      count++;
    }
    return this.#queue.splice(0, count);
  }

  /** Fails the writer with `error` (or the failure it had already: a lost connection fails the transaction under way too). */
  #fail(error: Error, batch: readonly Pending[]): void {
    const first = this.#failure === undefined;
    this.#failure ??= error;
    const failure = this.#failure;
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    for (const pending of [...batch, ...this.#queue, ...this.#waiters]) pending.reject(failure);
    this.#queue = [];
    this.#waiters = [];
    // A writer that cannot write holds no lease: its runs are dead to every reader at once.
    if (first) void this.#client?.then((client) => client.end()).catch(() => undefined);
  }

  /** Writes `document` in the transaction (a page: checks it and keeps it for the transaction's one insert); its refusal, if it would break its run. */
  async #apply(transaction: Transaction, document: RunDocument): Promise<DocumentRefusedError | undefined> {
    const refuse: Refuse = (reason) =>
      new DocumentRefusedError(this.#store.uri, document.kind, document.doc.uid, reason);
    switch (document.kind) {
      case "runStart":
        return this.#savepoint(transaction, refuse, () => this.#startRun(transaction, document.doc, refuse));
      case "descriptor":
        return this.#savepoint(transaction, refuse, () => this.#addStream(transaction, document.doc, refuse));
      case "page":
        return this.#addPage(transaction, document.doc, refuse);
      case "runStop":
        return this.#savepoint(transaction, refuse, () => this.#stopRun(transaction, document.doc, refuse));
      default:
        return refuse(
          `"${(document as { kind: unknown }).kind}" is not a kind of document this version knows`,
        );
    }
  }

  /**
   * `work` in a savepoint of the transaction (begun here if it has not
   * been): a constraint or a value the server refuses fails only its
   * document, as a statement does in SQLite.
   */
  async #savepoint(
    transaction: Transaction,
    refuse: Refuse,
    work: () => Promise<DocumentRefusedError | undefined>,
  ): Promise<DocumentRefusedError | undefined> {
    const { client } = transaction;
    if (!transaction.begun) {
      await client.query("BEGIN");
      transaction.begun = true;
    }
    await client.query("SAVEPOINT document");
    try {
      const refusal = await work();
      await client.query(
        refusal === undefined ? "RELEASE SAVEPOINT document" : "ROLLBACK TO SAVEPOINT document",
      );
      return refusal;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await client.query("ROLLBACK TO SAVEPOINT document");
      return refuse(`it breaks the store's constraints (${error.message}): is it stored already?`);
    }
  }

  async #row<R extends pg.QueryResultRow>(
    transaction: Transaction,
    text: string,
    values: unknown[],
  ): Promise<R | undefined> {
    return (await transaction.client.query<R>(text, values)).rows[0];
  }

  /**
   * Takes the lease of run `runUid` (a new run's, or one an earlier writer
   * stored, so that this one may add to it): its reason for refusing when
   * another writer holds it (its writer lives).
   */
  async #takeLease(transaction: Transaction, runUid: string): Promise<string | undefined> {
    if (!this.#leases.has(runUid)) {
      const key = leaseKey(this.#store.schema, runUid);
      const row = await this.#row<{ locked: boolean }>(
        transaction,
        "SELECT pg_try_advisory_lock($1) AS locked",
        [key],
      );
      if (row?.locked !== true)
        return `run ${runUid} is being written by another writer (it holds the run's lease)`;
      this.#leases.set(runUid, key);
    }
    this.#openRuns.add(runUid);
    return undefined;
  }

  /** undefined: no such run; false: running (or dead without a RunStop); true: its RunStop is stored. */
  async #runStopped(transaction: Transaction, runUid: string): Promise<boolean | undefined> {
    const row = await this.#row<{ stopped: boolean }>(
      transaction,
      "SELECT stop IS NOT NULL AS stopped FROM runs WHERE uid = $1",
      [runUid],
    );
    return row?.stopped;
  }

  async #startRun(transaction: Transaction, doc: RunStartDocument, refuse: Refuse) {
    if (!doc.uid) return refuse("it has no uid");
    if ((await this.#runStopped(transaction, doc.uid)) !== undefined)
      return refuse("a run with this uid is stored already");
    const json = documentJson(pms.v1.RunStart, doc);
    if (json instanceof Error) return refuse(`it is not a RunStart (${json.message})`);
    if (Number.isNaN(doc.wallTime)) return refuse("its wall time is NaN");
    const leased = await this.#takeLease(transaction, doc.uid);
    if (leased !== undefined) return refuse(leased);
    try {
      await transaction.client.query(
        `INSERT INTO runs (uid, plan, chip, hostname, status, reason, start_wall_time, start,
                           writer_pid, writer_host, lease_key)
         VALUES ($1, $2, $3, $4, 'running', '', $5, $6, $7, $8, $9)`,
        [
          doc.uid,
          doc.plan,
          doc.chip,
          doc.hostname || this.#host,
          doc.wallTime,
          json,
          process.pid,
          this.#host,
          this.#leases.get(doc.uid),
        ],
      );
    } catch (error) {
      // The lease was taken for this run only: let it go with the refused document (once the failed
      // statement is undone, for the transaction to take another).
      await transaction.client.query("ROLLBACK TO SAVEPOINT document");
      await transaction.client.query("SELECT pg_advisory_unlock($1)", [this.#leases.get(doc.uid)]);
      this.#leases.delete(doc.uid);
      this.#openRuns.delete(doc.uid);
      throw error;
    }
    return undefined;
  }

  async #addStream(transaction: Transaction, doc: EventDescriptorDocument, refuse: Refuse) {
    if (!doc.uid || !doc.name) return refuse("a descriptor needs a uid and a stream name");
    const stopped = this.#openRuns.has(doc.runUid) ? false : await this.#runStopped(transaction, doc.runUid);
    if (stopped === undefined)
      return refuse(`its run ${doc.runUid} is not stored (its RunStart comes first)`);
    if (stopped) return refuse(`its run ${doc.runUid} has ended (its RunStop is stored)`);
    const clash = await this.#row<{ uid_stored: boolean; name_stored: boolean }>(
      transaction,
      `SELECT EXISTS (SELECT 1 FROM descriptors WHERE uid = $1) AS uid_stored,
              EXISTS (SELECT 1 FROM descriptors WHERE run_uid = $2 AND name = $3) AS name_stored`,
      [doc.uid, doc.runUid, doc.name],
    );
    if (clash?.uid_stored) return refuse("a descriptor with this uid is stored already");
    if (clash?.name_stored) return refuse(`run ${doc.runUid} has a stream "${doc.name}" already`);
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
    const leased = await this.#takeLease(transaction, doc.runUid);
    if (leased !== undefined) return refuse(leased);
    const entries = [...keys];
    await transaction.client.query(
      `WITH descriptor AS (
         INSERT INTO descriptors (uid, run_uid, name, document) VALUES ($1, $2, $3, $4) RETURNING uid
       )
       INSERT INTO data_keys (descriptor_uid, position, key, dtype, unit, source)
       SELECT descriptor.uid, k.position, k.key, k.dtype, k.unit, k.source
         FROM descriptor, unnest($5::integer[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS k(position, key, dtype, unit, source)`,
      [
        doc.uid,
        doc.runUid,
        doc.name,
        json,
        entries.map(([, { position }]) => position),
        entries.map(([key]) => key),
        entries.map(([, { dtype }]) => dtype),
        entries.map(([, { position }]) => (doc.dataKeys[position] as DataKeyDocument).unit),
        entries.map(([, { position }]) => (doc.dataKeys[position] as DataKeyDocument).source),
      ],
    );
    this.#streams.set(doc.uid, { runUid: doc.runUid, keys, end: 0 });
    return undefined;
  }

  /** The stream a page belongs to: cached, or read back (and its run's lease taken) for a descriptor an earlier writer stored. */
  async #streamOf(transaction: Transaction, descriptorUid: string): Promise<WrittenStream | string> {
    const cached = this.#streams.get(descriptorUid);
    if (cached !== undefined) return cached;
    const row = await this.#row<{ run_uid: string; document: object; stopped: boolean; end: number }>(
      transaction,
      `SELECT d.run_uid, d.document, r.stop IS NOT NULL AS stopped,
              coalesce((SELECT first_event + count FROM pages WHERE descriptor_uid = d.uid
                         ORDER BY first_event DESC LIMIT 1), 0) AS end
         FROM descriptors d JOIN runs r ON r.uid = d.run_uid WHERE d.uid = $1`,
      [descriptorUid],
    );
    if (row === undefined)
      return `its descriptor ${descriptorUid} is not stored (a stream's descriptor comes first)`;
    if (row.stopped) return `its run ${row.run_uid} has ended (its RunStop is stored)`;
    const leased = await this.#takeLease(transaction, row.run_uid);
    if (leased !== undefined) return leased;
    const keys = new Map<string, { position: number; dtype: Dtype }>();
    for (const [position, key] of descriptorOf(row.document).dataKeys.entries()) {
      keys.set(key.key, { position, dtype: dtypeName(key.dtype) ?? "float64" });
    }
    const stream = { runUid: row.run_uid, keys, end: Number(row.end) };
    this.#streams.set(descriptorUid, stream);
    return stream;
  }

  /** Checks `page` against its stream, and keeps it for the transaction's one insert of pages. */
  async #addPage(transaction: Transaction, page: EventPageDocument, refuse: Refuse) {
    // A text PostgreSQL cannot hold would fail the query, and with it the transaction: no such descriptor.
    if (typeof page.descriptorUid !== "string" || page.descriptorUid.includes("\0"))
      return refuse(`its descriptor ${page.descriptorUid} is not stored (a stream's descriptor comes first)`);
    const stream = await this.#streamOf(transaction, page.descriptorUid);
    if (typeof stream === "string") return refuse(stream);
    const checked = checkPage(page, stream);
    if ("refused" in checked) return refuse(checked.refused);
    // A text PostgreSQL cannot hold would fail the whole transaction's insert (SQLite keeps it, in JSON).
    if (page.uid.includes("\0")) return refuse("its uid is not a text PostgreSQL can hold (it has a NUL)");
    const { columns } = checked;
    const { count, firstEvent } = page;
    transaction.pages.push({ page, columns });
    stream.end = firstEvent + count;
    return undefined;
  }

  async #stopRun(transaction: Transaction, doc: RunStopDocument, refuse: Refuse) {
    const status = exitStatusName(doc.exitStatus);
    if (status === undefined) return refuse(`exit status ${doc.exitStatus} is not success, abort or fail`);
    const json = documentJson(pms.v1.RunStop, doc);
    if (json instanceof Error) return refuse(`it is not a RunStop (${json.message})`);
    if (!this.#openRuns.has(doc.runUid)) {
      const stopped = await this.#runStopped(transaction, doc.runUid);
      if (stopped === undefined) return refuse(`its run ${doc.runUid} is not stored`);
      if (stopped) return refuse(`run ${doc.runUid} has a RunStop already`);
      const leased = await this.#takeLease(transaction, doc.runUid);
      if (leased !== undefined) return refuse(leased);
    }
    const { rowCount } = await transaction.client.query(
      `UPDATE runs SET status = $1, reason = $2, stop_wall_time = $3, stop = $4
        WHERE uid = $5 AND stop IS NULL`,
      [status, doc.reason, Number.isNaN(doc.wallTime) ? null : doc.wallTime, json, doc.runUid],
    );
    if (rowCount === 0) return refuse(`run ${doc.runUid} has a RunStop already`);
    this.#openRuns.delete(doc.runUid);
    transaction.stopped.push(doc.runUid);
    for (const [uid, stream] of this.#streams) if (stream.runUid === doc.runUid) this.#streams.delete(uid);
    return undefined;
  }

  /**
   * Inserts the transaction's pages, their columns and their descriptors'
   * counts in one statement (INSERT_PAGES): every numeric column's bytes,
   * and the event times, in one binary parameter that the server cuts by
   * offset.
   */
  async #insertPages(transaction: Transaction): Promise<void> {
    const { pages } = transaction;
    const parts: Uint8Array[] = [];
    let size = 0;
    const place = (bytes: Uint8Array): number => {
      parts.push(bytes);
      size += bytes.byteLength;
      return size - bytes.byteLength;
    };
    const timesAt = pages.map(({ page }) => place(page.eventTime));
    const columns = pages.flatMap(({ page, columns }) =>
      columns.map((data, position) =>
        typeof data === "string"
          ? { page, position, at: 0, length: 0, json: data }
          : { page, position, at: place(data), length: data.byteLength, json: null },
      ),
    );
    const added = new Map<string, [events: number, pages: number]>();
    for (const { page } of pages) {
      const [events, count] = added.get(page.descriptorUid) ?? [0, 0];
      added.set(page.descriptorUid, [events + page.count, count + 1]);
    }
    const result = await transaction.client.query<{ pages: number; columns: number }>({
      name: "pms-insert-pages",
      text: INSERT_PAGES,
      values: [
        pages.map(({ page }) => page.uid),
        pages.map(({ page }) => page.runUid),
        pages.map(({ page }) => page.descriptorUid),
        pages.map(({ page }) => page.seq),
        pages.map(({ page }) => page.firstEvent),
        pages.map(({ page }) => page.count),
        pages.map(({ page }) => page.time),
        pages.map(({ page }) => page.wallTime),
        timesAt,
        Buffer.concat(parts, size),
        columns.map(({ page }) => page.descriptorUid),
        columns.map(({ page }) => page.firstEvent),
        columns.map(({ position }) => position),
        columns.map(({ at }) => at),
        columns.map(({ length }) => length),
        columns.map(({ json }) => json),
        [...added.keys()],
        [...added.values()].map(([events]) => events),
        [...added.values()].map(([, count]) => count),
      ],
    });
    const inserted = result.rows[0];
    if (inserted?.pages !== pages.length || inserted.columns !== columns.length) {
      throw new StoreError(
        this.#store.uri,
        `inserted ${inserted?.pages} pages and ${inserted?.columns} columns of ${pages.length} and ${columns.length}`,
      );
    }
  }
}

/**
 * A transaction's pages in one statement: the pages ($1–$9, $9 each one's
 * event times' offset in $10), their columns ($11–$16, found by
 * descriptor and first event; a numeric column's bytes by offset and
 * length in $10, a text column as JSON in $16) and their descriptors'
 * event and page counts ($17–$19).
 */
const INSERT_PAGES = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[],
                         $7::float8[], $8::float8[], $9::integer[])
      AS u(uid, run_uid, descriptor_uid, seq, first_event, count, time, wall_time, at)
  ), page AS (
    INSERT INTO pages (uid, run_uid, descriptor_uid, seq, first_event, count, time, wall_time, event_time)
    SELECT uid, run_uid, descriptor_uid, seq, first_event, count, time, wall_time,
           substring($10::bytea FROM at + 1 FOR count * 8)
      FROM input
    RETURNING id, descriptor_uid, first_event
  ), columns AS (
    INSERT INTO page_columns (page_id, position, data, values_json)
    SELECT page.id, c.position,
           CASE WHEN c.values_json IS NULL THEN substring($10::bytea FROM c.at + 1 FOR c.length) END,
           c.values_json
      FROM unnest($11::text[], $12::bigint[], $13::integer[], $14::integer[], $15::integer[], $16::text[])
        AS c(descriptor_uid, first_event, position, at, length, values_json)
      JOIN page ON page.descriptor_uid = c.descriptor_uid AND page.first_event = c.first_event
    RETURNING 1
  ), counts AS (
    UPDATE descriptors d SET events = d.events + a.events, pages = d.pages + a.pages
      FROM unnest($17::text[], $18::bigint[], $19::bigint[]) AS a(uid, events, pages)
     WHERE d.uid = a.uid
  )
  SELECT (SELECT count(*) FROM page) AS pages, (SELECT count(*) FROM columns) AS columns`;

class PostgresRunReader implements RunReader {
  readonly uid: string;
  readonly #store: PostgresStore;

  constructor(
    store: PostgresStore,
    readonly start: RunStartDocument,
    readonly stop: RunStopDocument | undefined,
    readonly summary: RunSummary,
  ) {
    this.#store = store;
    this.uid = summary.uid;
  }

  async streams(): Promise<StreamInfo[]> {
    return (await this.#store.streamRows(this.uid)).map((row) => {
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
    // One snapshot: the descriptor's event count and the pages agree.
    return this.#store.snapshot(async (client) =>
      readTable(this.#store.uri, client, await this.#store.stream(this.uid, name, client)),
    );
  }

  pages(name: string): AsyncIterable<EventPageDocument> {
    return readPages(this.#store, this.uid, name);
  }
}

interface PageRow {
  readonly id: number;
  readonly uid: string;
  readonly run_uid: string;
  readonly descriptor_uid: string;
  readonly seq: number;
  readonly first_event: number;
  readonly count: number;
  readonly time: number;
  readonly wall_time: number;
  readonly event_time: Buffer;
}

/** The pages of `stream` after event `after`, about FETCH_EVENTS events of them, with their columns. */
async function fetchPages(
  client: pg.ClientBase,
  stream: StoredStream,
  after: number,
): Promise<EventPageDocument[]> {
  const limit = Math.max(
    1,
    Math.floor(FETCH_EVENTS / Math.max(1, stream.events / Math.max(1, stream.pages))),
  );
  const pages = await client.query<PageRow>(
    `SELECT id, uid, run_uid, descriptor_uid, seq, first_event, count, time, wall_time, event_time FROM pages
      WHERE descriptor_uid = $1 AND first_event > $2 ORDER BY first_event LIMIT $3`,
    [stream.uid, after, limit],
  );
  const last = pages.rows.at(-1);
  if (last === undefined) return [];
  const columns = await client.query<{
    page_id: number;
    position: number;
    data: Buffer | null;
    values_json: string | null;
  }>(
    `SELECT c.page_id, c.position, c.data, c.values_json FROM pages p JOIN page_columns c ON c.page_id = p.id
      WHERE p.descriptor_uid = $1 AND p.first_event > $2 AND p.first_event <= $3 ORDER BY c.position`,
    [stream.uid, after, last.first_event],
  );
  const byPage = new Map<number, ColumnDocument[]>();
  for (const { page_id, position, data, values_json } of columns.rows) {
    const key = stream.dataKeys[position]?.key ?? "";
    const dtype = stream.dtypes[position];
    const column: ColumnDocument =
      dtype === "text"
        ? { key, text: { values: JSON.parse(values_json ?? "[]") as string[] } }
        : dtype === "int64"
          ? { key, int64: data as Buffer }
          : { key, float64: data as Buffer };
    byPage.set(page_id, [...(byPage.get(page_id) ?? []), column]);
  }
  return pages.rows.map((row) => ({
    uid: row.uid,
    runUid: row.run_uid,
    descriptorUid: row.descriptor_uid,
    seq: row.seq,
    time: row.time,
    wallTime: row.wall_time,
    firstEvent: row.first_event,
    count: row.count,
    eventTime: row.event_time,
    columns: byPage.get(row.id) ?? [],
  }));
}

/**
 * Runs `sql`, a `COPY (…) TO STDOUT (FORMAT binary)`, on `client` and hands
 * each row's fields to `row` as views of the message that holds them (null
 * for NULL), valid only during the call. pg has no binary results for
 * `bytea` (its binary mode decodes every field as UTF-8 text), and its text
 * form is hex, twice the bytes and a decode; binary COPY gives each column's
 * bytes as they are. It is driven through pg's documented extension point
 * for such protocols (`client.query(submittable)`, as pg-copy-streams does):
 * the server sends a message per row, the file header with the first one.
 */
function copyBinaryRows(
  client: pg.ClientBase,
  sql: string,
  row: (fields: readonly (Buffer | null)[]) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: unknown;
    let header = true;
    const fields: (Buffer | null)[] = [];
    const submittable = {
      submit: (connection: { query(text: string): void }) => connection.query(sql),
      handleCopyData: (message: { chunk: Buffer }) => {
        if (failure !== undefined) return;
        try {
          const chunk = message.chunk;
          let at = 0;
          if (header) {
            // "PGCOPY\n\xff\r\n\0", flags, header extension length and extension.
            at = 19 + chunk.readInt32BE(15);
            header = false;
          }
          while (at < chunk.length) {
            const count = chunk.readInt16BE(at);
            at += 2;
            if (count === -1) return; // the trailer
            fields.length = 0;
            for (let i = 0; i < count; i++) {
              const length = chunk.readInt32BE(at);
              at += 4;
              fields.push(length < 0 ? null : chunk.subarray(at, at + length));
              at += Math.max(0, length);
            }
            row(fields);
          }
        } catch (error) {
          failure = error;
        }
      },
      handleError: (error: Error) => reject(error),
      handleReadyForQuery: () => (failure === undefined ? resolve() : reject(failure)),
      handleCommandComplete: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
      handlePortalSuspended: () => undefined,
    };
    client.query(submittable as unknown as pg.QueryConfig);
  });
}

/**
 * The stream's pages concatenated in event order: each column allocated at
 * its final length (the sum of the page counts) and each page's bytes
 * copied once into place, as binary COPY brings them, row by row.
 */
async function readTable(uri: string, client: pg.ClientBase, stream: StoredStream): Promise<Table> {
  const total = stream.events;
  const corrupt = (what: string): never => {
    throw new StoreError(uri, `run ${stream.run_uid}, stream "${stream.name}": ${what}`);
  };
  const time = new Float64Array(total);
  const timeBytes = new Uint8Array(time.buffer);
  const targets = stream.dtypes.map((dtype) => {
    const values =
      dtype === "float64"
        ? new Float64Array(total)
        : dtype === "int64"
          ? new BigInt64Array(total)
          : new Array<string>(total);
    return { values, bytes: Array.isArray(values) ? undefined : new Uint8Array(values.buffer), offset: 0 };
  });
  const descriptor = client.escapeLiteral(stream.uid);
  let offset = 0;
  await copyBinaryRows(
    client,
    `COPY (SELECT count, event_time FROM pages WHERE descriptor_uid = ${descriptor} ORDER BY first_event)
       TO STDOUT (FORMAT binary)`,
    ([count, eventTime]) => {
      const events = (count as Buffer).readInt32BE(0);
      if (eventTime?.byteLength !== events * 8 || offset + events > total)
        corrupt("its pages disagree with its event count");
      timeBytes.set(eventTime as Buffer, offset * 8);
      offset += events;
    },
  );
  await copyBinaryRows(
    client,
    `COPY (SELECT p.count, c.position, c.data, c.values_json FROM pages p JOIN page_columns c ON c.page_id = p.id
            WHERE p.descriptor_uid = ${descriptor} ORDER BY p.first_event, c.position)
       TO STDOUT (FORMAT binary)`,
    ([count, position, data, valuesJson]) => {
      const events = (count as Buffer).readInt32BE(0);
      const target = targets[(position as Buffer).readInt32BE(0)];
      if (target === undefined || target.offset + events > total)
        corrupt("its pages disagree with its data keys");
      else if (target.bytes === undefined) {
        const strings = JSON.parse(valuesJson?.toString("utf8") ?? "null") as string[] | null;
        if (strings?.length !== events) corrupt("a text column's page disagrees with its event count");
        const values = target.values as string[];
        for (let i = 0; i < events; i++) values[target.offset + i] = (strings as string[])[i] as string;
        target.offset += events;
      } else {
        if (data?.byteLength !== events * 8) corrupt("a column's page disagrees with its event count");
        target.bytes.set(data as Buffer, target.offset * 8);
        target.offset += events;
      }
    },
  );
  if (offset !== total || targets.some((target) => target.offset !== total)) {
    corrupt(`its pages do not hold the ${total} events its descriptor counts`);
  }
  const columns: TableColumn[] = stream.dataKeys.map((key, position) => ({
    key: key.key,
    unit: key.unit,
    dtype: stream.dtypes[position] as Dtype,
    source: key.source,
    values: targets[position]?.values as TableColumn["values"],
  }));
  return { stream: stream.name, count: total, time, columns };
}

/**
 * The stream's pages in event order, a fetch of about FETCH_EVENTS events at
 * a time (keyset on `first_event`), each fetch in a snapshot of its own, so
 * that nothing stays open while the caller works on a page.
 */
async function* readPages(
  store: PostgresStore,
  runUid: string,
  name: string,
): AsyncGenerator<EventPageDocument> {
  const stream = await store.stream(runUid, name);
  let after = -1;
  for (;;) {
    const pages = await store.snapshot((client) => fetchPages(client, stream, after));
    if (pages.length === 0) return;
    yield* pages;
    after = (pages.at(-1) as EventPageDocument).firstEvent;
  }
}
