/**
 * The run store's interface (issue 17, "Stores"): what every backend
 * (SQLite embedded, PostgreSQL for a lab of benches) gives, chosen by a URI
 * (`sqlite:runs.sqlite`, `postgres://…`) in ./open.ts.
 *
 * The store is the one sink that never drops: its writer acknowledges a
 * document only once the transaction that holds it has committed, and
 * pushes back (`ready()`) when its backlog is full, so that the plan's next
 * step waits rather than anything being lost.
 */
import type {
  ColumnValues,
  DataKeyDocument,
  DeviceConfigurationDocument,
  Dtype,
  EventPageDocument,
  ExitStatus,
  RunDocument,
  RunStartDocument,
  RunStopDocument,
} from "../documents.js";

/** A run's status in the store: running while its writer holds its lease, then how it ended. */
export type RunStatus = "running" | ExitStatus;

/** Which runs `runs()` lists; every field narrows, none is required. */
export interface RunFilter {
  readonly plan?: string;
  /** Started at or after, s since the Unix epoch. */
  readonly since?: number;
  /** Started before, s since the Unix epoch. */
  readonly until?: number;
  readonly chip?: string;
  readonly status?: RunStatus;
}

export interface RunSummary {
  readonly uid: string;
  readonly plan: string;
  readonly chip: string;
  readonly status: RunStatus;
  /** Why it ended so ("SIGINT", an error, "process ended without RunStop"); "" for success and while running. */
  readonly reason: string;
  /** s since the Unix epoch. */
  readonly startWallTime: number;
  readonly stopWallTime?: number;
  /** Events per stream committed so far, by stream name. */
  readonly events: Readonly<Record<string, number>>;
  readonly hostname: string;
}

export interface StreamInfo {
  readonly name: string;
  readonly descriptorUid: string;
  readonly dataKeys: readonly DataKeyDocument[];
  /** Every setting of the stream's devices, as its descriptor has it. */
  readonly configuration: readonly DeviceConfigurationDocument[];
  /** Events committed, and the pages that hold them. */
  readonly events: number;
  readonly pages: number;
}

/** One column of a stream's table, with what its descriptor says of it. */
export interface TableColumn {
  readonly key: string;
  readonly unit: string;
  readonly dtype: Dtype;
  readonly source: string;
  readonly values: ColumnValues;
}

/** A whole stream, as columns: every page concatenated in event order. */
export interface Table {
  readonly stream: string;
  readonly count: number;
  /** Each event's time, s on the run's timebase. */
  readonly time: Float64Array;
  readonly columns: readonly TableColumn[];
}

export interface RunReader {
  readonly uid: string;
  readonly start: RunStartDocument;
  /** Absent while the run is running, and for a run whose writer died (then `summary.status` is "abort"). */
  readonly stop?: RunStopDocument;
  readonly summary: RunSummary;
  streams(): Promise<StreamInfo[]>;
  /** Stream `stream` as columns (RunNotFoundError-like StreamNotFoundError when the run has none of that name). */
  table(stream: string): Promise<Table>;
  /** Stream `stream` page by page in event order, for exports that must not hold a run in memory. */
  pages(stream: string): AsyncIterable<EventPageDocument>;
}

export interface StoreWriterOptions {
  /**
   * Documents waiting to be committed past which `ready()` pushes back
   * (default 256).
   */
  readonly maxBacklog?: number;
  /** Longest a document waits for its transaction, ms (group commit; default 50, at most 50). */
  readonly groupCommitMs?: number;
}

/** The store's sink: what the router hands documents to. */
export interface StoreWriter {
  /**
   * Queues `document`; resolves once the transaction holding it has
   * committed (the acknowledgement), rejects with a StoreError (full,
   * locked, closed) naming the store.
   */
  write(document: RunDocument): Promise<void>;
  /** undefined while the backlog has room; else a promise that resolves once it has (or rejects as `write` would). */
  ready(): Promise<void> | undefined;
  /** Documents queued and not yet committed. */
  readonly backlog: number;
  /** Commits everything queued so far; resolves once it has. */
  flush(): Promise<void>;
  /** Flushes, stops the lease heartbeat and lets go of the connection's write side. */
  close(): Promise<void>;
}

export interface RunStore {
  /** The URI it was opened with, normalised (`sqlite:/abs/path/runs.sqlite`). */
  readonly uri: string;
  /** One writer per process and store: the same object each call. */
  writer(options?: StoreWriterOptions): StoreWriter;
  runs(filter?: RunFilter): Promise<RunSummary[]>;
  /** A run by uid (a unique prefix of at least 8 characters will do); RunNotFoundError otherwise. */
  run(uid: string): Promise<RunReader>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /**
   * Commits that survive a power cut (SQLite `synchronous=FULL`; PostgreSQL
   * `synchronous_commit=on`); default: commits that survive the writer's
   * process (SQLite NORMAL in WAL mode; PostgreSQL `off`, where a crash of
   * the server itself may lose its last fraction of a second).
   */
  readonly durable?: boolean;
  /** Open for reading only: no writer, no migration, no marking of dead runs. */
  readonly readonly?: boolean;
  /**
   * SQLite: how long a writer's lease lasts without renewal, s (default 10;
   * renewed every third of it). PostgreSQL holds the lease as an advisory
   * lock of the writer's session instead, which ends with it: checked, not used.
   */
  readonly leaseSeconds?: number;
  /** How long to wait for another writer's lock before StoreLockedError, ms (default 5000). */
  readonly busyTimeoutMs?: number;
}
