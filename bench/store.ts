/**
 * The SQLite run store (issue 17, "Performance"): samples per second
 * written through the store's writer next to raw better-sqlite3 inserts of
 * the same blobs, read back into columns, and exported to HDF5.
 *
 * A page is what a plan emits: its event times and ONE float64 column, a
 * sample one event. The writer is driven as the router drives it: RunStart
 * and descriptor, then each page written once `ready()` lets it (awaited
 * when it returns a promise), all acknowledgements awaited at the end after
 * a `flush()` (what `close()` does; a run's RunStop would otherwise wait up to
 * `groupCommitMs` for its last transaction).
 *
 * The raw baseline is better-sqlite3 on a fresh file with the store's
 * pragmas (page_size 65536, WAL, synchronous NORMAL) and a minimal table,
 * one INSERT of the page's two blobs per page, in transactions of as many
 * pages as the writer committed in its first (warm-up) run of the same
 * case (counted, not assumed: a transaction resolves its documents'
 * acknowledgements together). The writer, the raw inserts and the router
 * take turns (store, raw, router, router, raw, store, …) so that whatever
 * else the machine does weighs on all alike. The targets in samples/s are
 * columns of their own ("1e+7 samples/s": the time that rate would take),
 * as "real time" is in bench/chip.ts.
 *
 * Reads and the HDF5 export run in a child process each (bench/store-read.ts)
 * so that their peak memory is theirs, not this process's heap. The
 * harness judges ratios of times, so peak memory is a row of its own whose
 * "ms" columns hold MB: the growth measured, and 1.5 × the columns.
 *
 * PostgreSQL write rate: the same pages through the PostgreSQL writer on
 * the test suite's server (PMS_TEST_POSTGRES), beside the SQLite writer's
 * rate from the same run; no target (the issue sets none).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { findPackageRoot } from "../src/core/load-node.js";
import { float64Bytes } from "../src/proto/columns.js";
import {
  dtypeValue,
  type EventDescriptorDocument,
  type EventPageDocument,
  exitStatusValue,
  type RunDocument,
  type RunStartDocument,
  type RunStopDocument,
} from "../src/record/documents.js";
import { DocumentRouter } from "../src/record/router.js";
import { openStore } from "../src/record/store/open.js";
import { PAGE_SIZE } from "../src/record/store/schema.js";
import { GROUP_COMMIT_DOCUMENTS } from "../src/record/store/sqlite.js";
import type { StoreWriter } from "../src/record/store/types.js";
import { randomUid } from "../src/record/uid.js";
import { hostTimebase } from "../src/sync/timebase.js";
import { type BenchModule, type BenchOptions, type BenchRow, median } from "./harness.js";
import { eventValue, type ReadMeasurement, TIME_STEP } from "./store-read.js";

/** Issue 17's targets: the writer at ≥ 80 % of raw inserts; ≥ 10⁷ samples/s written and ≥ 10⁸ read. */
export const WRITE_RATIO_TARGET = 0.8;
export const WRITE_RATE_TARGET = 1e7;
export const READ_RATE_TARGET = 1e8;
/** Peak memory of a read-back, at most this many times the columns it gives. */
export const READ_MEMORY_TARGET = 1.5;

/**
 * Page sizes written, with how many pages a timed run writes: 10⁷ samples
 * of 1000-sample pages, so that a run spans several WAL checkpoints (every
 * 1000 frames of 64 KiB) as a long run does; 2 × 10⁵ of 10-sample pages.
 */
const WRITE_CASES = [
  { samplesPerPage: 1000, pages: 10_000 },
  { samplesPerPage: 10, pages: 20_000 },
] as const;

/** The read-back run: 10⁴ pages of 1000 samples. */
const READ_PAGES = 10_000;
const READ_SAMPLES_PER_PAGE = 1000;
const READ_REPETITIONS = 5;
const EXPORT_REPETITIONS = 3;

const STREAM = "primary";
const KEY = "smu1-current";
const MB = 1024 * 1024;

function runStart(uid: string): RunStartDocument {
  return {
    uid,
    seq: 0,
    time: 0,
    wallTime: Date.now() / 1000,
    plan: "bench",
    argumentsJson: "{}",
    chip: "demo-chip",
    metadata: {},
    hostname: "",
    software: "bench/store.ts",
    timebase: { kind: "host", anchorHrtimeNs: "0", anchorWallSeconds: 0 },
  };
}

function descriptor(runUid: string, uid: string): EventDescriptorDocument {
  return {
    uid,
    runUid,
    seq: 1,
    time: 0,
    wallTime: Date.now() / 1000,
    name: STREAM,
    dataKeys: [{ key: KEY, source: "smu1", unit: "A", dtype: dtypeValue("float64"), shape: [], doc: "" }],
    configuration: [],
  };
}

/**
 * Pages `from` to `from + count - 1` of a run, as the router would write
 * them, each with blobs of its own: event k at k × TIME_STEP, value eventValue(k).
 */
function pages(
  runUid: string,
  descriptorUid: string,
  samples: number,
  from: number,
  count: number,
): EventPageDocument[] {
  return Array.from({ length: count }, (_, n) => {
    const p = from + n;
    const firstEvent = p * samples;
    const time = Float64Array.from({ length: samples }, (_, i) => (firstEvent + i) * TIME_STEP);
    const values = Float64Array.from({ length: samples }, (_, i) => eventValue(firstEvent + i));
    return {
      // The router's uid source (flat strings; node:crypto's randomUUID gives ropes that cost a store ~1 µs to read).
      uid: randomUid(),
      runUid,
      descriptorUid,
      seq: p + 2,
      time: time[0] as number,
      wallTime: Date.now() / 1000,
      firstEvent,
      count: samples,
      eventTime: float64Bytes(time),
      columns: [{ key: KEY, float64: float64Bytes(values) }],
    };
  });
}

/**
 * Collects the garbage of the run's set-up (its pages: two buffers each)
 * before the clock starts, for the writer and the raw inserts alike, so
 * that neither pays for the other's; `npm run bench` gives node
 * --expose-gc. Without it, the 10-sample case's ratio moved between 0.33
 * and 0.6 from run to run with where the collector happened to fall.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A fresh folder for one timed run's files, removed after `use`. */
async function inFreshFolder<T>(use: (folder: string) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), "pms-bench-store-"));
  try {
    return await use(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Writes `documents` as the router does (waiting on `ready()` when it
 * returns a promise); returns the sizes of the transactions that committed
 * them. A transaction resolves its documents' acknowledgements one after
 * the other, before any code of this loop runs again: a run of
 * acknowledgements with no write between them is one transaction.
 */
async function writeAll(
  writer: StoreWriter,
  documents: readonly RunDocument[],
  waits?: number[],
): Promise<number[]> {
  const transactions: number[] = [];
  let wrote = true;
  const acknowledged = () => {
    if (wrote) transactions.push(0);
    wrote = false;
    transactions[transactions.length - 1] = (transactions.at(-1) as number) + 1;
  };
  const acks: Promise<void>[] = [];
  for (const document of documents) {
    const room = writer.ready();
    if (room !== undefined) {
      const waited = performance.now();
      await room;
      waits?.push(performance.now() - waited);
    }
    wrote = true;
    acks.push(writer.write(document).then(acknowledged));
  }
  wrote = true;
  await writer.flush();
  await Promise.all(acks);
  return transactions;
}

/** A fresh store with a run and its stream; `use` gets the writer and the run's uids. */
async function withStore<T>(
  folder: string,
  use: (writer: StoreWriter, run: { uid: string; descriptorUid: string }) => Promise<T>,
): Promise<T> {
  return withStoreAt(`sqlite:${join(folder, "runs.sqlite")}`, use);
}

/** {@link withStore} on the store at `uri`. */
async function withStoreAt<T>(
  uri: string,
  use: (writer: StoreWriter, run: { uid: string; descriptorUid: string }) => Promise<T>,
): Promise<T> {
  const store = await openStore(uri);
  try {
    const writer = store.writer();
    const run = { uid: randomUUID(), descriptorUid: randomUUID() };
    await writeAll(writer, [
      { kind: "runStart", doc: runStart(run.uid) },
      { kind: "descriptor", doc: descriptor(run.uid, run.descriptorUid) },
    ]);
    return await use(writer, run);
  } finally {
    await store.close();
  }
}

/** One timed run of the store's writer: ms, the pages in each transaction, and its longest push-back, ms. */
async function timeStore(
  samples: number,
  count: number,
): Promise<{ ms: number; transactions: number[]; longestWait: number }> {
  return inFreshFolder((folder) =>
    withStore(folder, async (writer, run) => {
      const documents = pages(run.uid, run.descriptorUid, samples, 0, count).map(
        (doc): RunDocument => ({ kind: "page", doc }),
      );
      const waits: number[] = [];
      collectGarbage();
      const started = performance.now();
      const transactions = await writeAll(writer, documents, waits);
      return { ms: performance.now() - started, transactions, longestWait: Math.max(0, ...waits) };
    }),
  );
}

/** The PostgreSQL server the write rate is measured on: the test suite's (scripts/test-deps.sh starts it). */
const POSTGRES = process.env.PMS_TEST_POSTGRES ?? "postgres://pms:pms@127.0.0.1:5432/pms_test";

/**
 * One timed run of the writer on PostgreSQL, in a schema of its own that is
 * dropped afterwards: ms. The same pages as the SQLite rows.
 */
async function timePostgres(samples: number, count: number): Promise<number> {
  const schema = `pms_bench_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const uri = `${POSTGRES}${POSTGRES.includes("?") ? "&" : "?"}schema=${schema}`;
  try {
    return await withStoreAt(uri, async (writer, run) => {
      const documents = pages(run.uid, run.descriptorUid, samples, 0, count).map(
        (doc): RunDocument => ({ kind: "page", doc }),
      );
      const started = performance.now();
      await writeAll(writer, documents);
      return performance.now() - started;
    });
  } finally {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/**
 * The PostgreSQL rows (issue 17: "PostgreSQL write rate, where the server
 * is running, with the same pages"): the writer's rate beside the SQLite
 * writer's from the same run; no target. A server that cannot be reached
 * gives a row that says so.
 */
async function postgresRows(options: BenchOptions, sqlite: ReadonlyMap<number, number>): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { samplesPerPage: samples, pages: all } of WRITE_CASES) {
    // A tenth of the SQLite case's pages: the server is slower, and the rate is what is compared.
    const count = all / 10;
    const total = samples * count;
    const common = { bench: "store", work: total, workUnit: "samples", comparesResults: false } as const;
    const masked = POSTGRES.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
    try {
      const times: number[] = [];
      for (let n = 0; n < options.warmup + options.repetitions; n++) {
        const ms = await timePostgres(samples, count);
        if (n >= options.warmup) times.push(ms);
      }
      const ms = median(times);
      const sqliteMs = ((sqlite.get(samples) ?? Number.NaN) * count) / all;
      rows.push({
        ...common,
        case: `PostgreSQL write, ${samples}-sample pages`,
        medianMs: { postgres: ms, sqlite: sqliteMs },
        notes:
          `the same pages through the PostgreSQL writer at ${masked} (loopback, synchronous_commit off), ${count} pages a run: ` +
          `${rate(total, ms)}; the SQLite writer's time scaled from its own row of this run: ${rate(total, sqliteMs)}. No target`,
      });
    } catch (error) {
      rows.push({
        ...common,
        case: `PostgreSQL write, ${samples}-sample pages`,
        medianMs: {},
        notes: `not measured: the PostgreSQL store at ${masked} failed (${(error as Error).message}); bash scripts/test-deps.sh starts it`,
      });
    }
  }
  return rows;
}

/**
 * One timed run of the router in front of the store: the plan's
 * `StreamWriter.page` with Float64Arrays (which the router copies), the
 * RunStart and descriptor before the clock starts; ms.
 */
async function timeRouter(samples: number, count: number): Promise<number> {
  return inFreshFolder(async (folder) => {
    const store = await openStore(`sqlite:${join(folder, "runs.sqlite")}`);
    try {
      const writer = store.writer();
      const router = new DocumentRouter({
        timebase: hostTimebase(),
        lossless: [{ name: "store", write: (d) => writer.write(d), ready: () => writer.ready() }],
      });
      const run = await router.startRun({ plan: "bench", chip: "demo-chip" });
      const stream = await run.stream(STREAM, [{ key: KEY, source: "smu1", unit: "A", dtype: "float64" }]);
      const columns = Array.from({ length: count }, (_, p) => {
        const firstEvent = p * samples;
        return {
          time: Float64Array.from({ length: samples }, (_, i) => (firstEvent + i) * TIME_STEP),
          values: Float64Array.from({ length: samples }, (_, i) => eventValue(firstEvent + i)),
        };
      });
      collectGarbage();
      const started = performance.now();
      for (const { time, values } of columns) await stream.page(time, { [KEY]: values });
      // Every page is in the writer's hands once the last page() resolves: commit them now, as writeAll does.
      await writer.flush();
      const ms = performance.now() - started;
      await run.stop("success");
      return ms;
    } finally {
      await store.close();
    }
  });
}

/**
 * One timed run of raw better-sqlite3: the same blobs into a minimal table
 * of a fresh file with the store's pragmas, `perTransaction` pages a
 * transaction; ms.
 */
async function timeRaw(samples: number, count: number, perTransaction: number): Promise<number> {
  return inFreshFolder(async (folder) => {
    const db = new Database(join(folder, "raw.sqlite"));
    try {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec("CREATE TABLE pages (id INTEGER PRIMARY KEY, event_time BLOB NOT NULL, data BLOB NOT NULL)");
      const insert = db.prepare("INSERT INTO pages (event_time, data) VALUES (?, ?)");
      const group = db.transaction((from: number, to: number, blobs: EventPageDocument[]) => {
        for (let p = from; p < to; p++) {
          const page = blobs[p] as EventPageDocument;
          insert.run(page.eventTime, (page.columns[0] as { float64: Uint8Array }).float64);
        }
      });
      const blobs = pages("raw", "raw", samples, 0, count);
      collectGarbage();
      const started = performance.now();
      for (let from = 0; from < count; from += perTransaction) {
        group.immediate(from, Math.min(count, from + perTransaction), blobs);
      }
      return performance.now() - started;
    } finally {
      db.close();
    }
  });
}

interface WriteMedians {
  readonly store: number;
  readonly raw: number;
  readonly router: number;
  /** Pages per transaction of the raw runs: the median of the writer's in its first run. */
  readonly perTransaction: number;
  /** Pages in each of the writer's transactions, every run. */
  readonly transactions: readonly number[];
  /** The longest the writer held a page back (ready()), ms, over every timed run. */
  readonly longestWait: number;
}

/**
 * Median times of the writer, raw inserts and the router, taken in turns
 * (store, raw, router, router, raw, store, …). The writer's first run (a
 * warm-up) tells how many pages it commits a transaction, which the raw
 * runs then use.
 */
async function measureWrites(samples: number, count: number, options: BenchOptions): Promise<WriteMedians> {
  const transactions: number[] = [];
  let perTransaction = 0;
  let longestWait = 0;
  const runs = {
    store: async () => {
      const run = await timeStore(samples, count);
      if (perTransaction === 0) perTransaction = median(run.transactions);
      else longestWait = Math.max(longestWait, run.longestWait);
      transactions.push(...run.transactions);
      return run.ms;
    },
    raw: () => timeRaw(samples, count, perTransaction),
    router: () => timeRouter(samples, count),
  };
  const order = ["store", "raw", "router"] as const;
  const times = { store: [] as number[], raw: [] as number[], router: [] as number[] };
  for (let n = 0; n < Math.max(options.warmup, 1) + options.repetitions; n++) {
    for (const name of n % 2 === 0 ? order : [...order].reverse()) {
      const ms = await runs[name]();
      if (n >= Math.max(options.warmup, 1)) times[name].push(ms);
    }
  }
  return {
    store: median(times.store),
    raw: median(times.raw),
    router: median(times.router),
    perTransaction,
    transactions,
    longestWait,
  };
}

function rate(samples: number, ms: number): string {
  return `${((samples / ms) * 1e3).toExponential(2)} samples/s`;
}

/** "256 × 39, 16": how many transactions held how many pages. */
function transactionSizes(transactions: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const size of transactions) counts.set(size, (counts.get(size) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => b - a)
    .map(([size, n]) => (n === 1 ? `${size}` : `${size} × ${n}`))
    .join(", ");
}

function writeRows(samples: number, count: number, m: WriteMedians): BenchRow[] {
  const total = samples * count;
  const rateName = `${WRITE_RATE_TARGET.toExponential(0)} samples/s`;
  const common = { bench: "store", work: total, workUnit: "samples", comparesResults: false } as const;
  return [
    {
      ...common,
      case: `write, ${samples}-sample pages`,
      medianMs: {
        store: m.store,
        raw: m.raw,
        ...(samples === 1000 && { [rateName]: (total / WRITE_RATE_TARGET) * 1e3 }),
      },
      notes:
        `a page: event_time + one float64 column of ${samples} events; a sample: one event; ${count} pages a run. ` +
        `store ${rate(total, m.store)}, raw ${rate(total, m.raw)}: ${((100 * m.raw) / m.store).toFixed(0)} % of raw ` +
        `(target ≥ ${100 * WRITE_RATIO_TARGET} %). Pages per transaction: raw ${m.perTransaction}; the writer's ` +
        `transactions held ${transactionSizes(m.transactions)} (all runs): the writer's backlog limit (maxBacklog), not ` +
        `GROUP_COMMIT_DOCUMENTS (${GROUP_COMMIT_DOCUMENTS}), because a plan that never yields between pages fills the ` +
        "backlog before the commit scheduled at that count can run. Longest push-back of a page by the writer " +
        `(ready()): ${m.longestWait.toFixed(0)} ms. Checkpoints: the writer's on its thread (walLimitBytes 64 MiB), ` +
        "raw's SQLite's own (every 1000 pages of WAL, on the committing thread)",
      targets: [
        { subject: "store", against: "raw", atLeast: WRITE_RATIO_TARGET },
        ...(samples === 1000 ? [{ subject: "store", against: rateName, atLeast: 1 }] : []),
      ],
    },
    {
      ...common,
      case: `write through the router, ${samples}-sample pages`,
      medianMs: { store: m.store, router: m.router },
      notes:
        "StreamWriter.page(Float64Arrays) → router (copies time and column, stamps, uid) → the same writer: " +
        `${rate(total, m.router)}, ${((100 * m.store) / m.router).toFixed(0)} % of the writer's own rate. No target`,
    },
  ];
}

/** Runs bench/store-read.js once: `operation` on the store at `path`. */
async function readInChild(
  path: string,
  mode: "rw" | "ro",
  operation: "table" | "hdf5",
  hdf5File?: string,
): Promise<ReadMeasurement> {
  const script = join(findPackageRoot(), "dist/bench/store-read.js");
  const child = spawn(process.execPath, [script, path, mode, operation, ...(hdf5File ? [hdf5File] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`${script} ${path} ${mode} ${operation} exited with ${code}`);
  return JSON.parse(output) as ReadMeasurement;
}

/** Writes the read-back run (READ_PAGES pages of READ_SAMPLES_PER_PAGE) to a store in `folder`; its path. */
async function writeReadRun(folder: string): Promise<string> {
  await withStore(folder, async (writer, run) => {
    // A thousand pages at a time, so that this process holds 16 MB of them, not the run's 160 MB.
    for (let from = 0; from < READ_PAGES; from += 1000) {
      const batch = pages(run.uid, run.descriptorUid, READ_SAMPLES_PER_PAGE, from, 1000);
      await writeAll(
        writer,
        batch.map((doc): RunDocument => ({ kind: "page", doc })),
      );
    }
    const stop: RunStopDocument = {
      uid: randomUUID(),
      runUid: run.uid,
      seq: READ_PAGES + 2,
      time: READ_PAGES * READ_SAMPLES_PER_PAGE * TIME_STEP,
      wallTime: Date.now() / 1000,
      exitStatus: exitStatusValue("success"),
      reason: "",
      numEvents: { [STREAM]: READ_PAGES * READ_SAMPLES_PER_PAGE },
    };
    await writeAll(writer, [{ kind: "runStop", doc: stop }]);
  });
  return join(folder, "runs.sqlite");
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`;
}

function readRows(path: string, measured: Record<"rw" | "ro", ReadMeasurement[]>): BenchRow[] {
  const total = READ_PAGES * READ_SAMPLES_PER_PAGE;
  const rateName = `${READ_RATE_TARGET.toExponential(0)} samples/s`;
  const limitName = `${READ_MEMORY_TARGET}× columns`;
  return (["rw", "ro"] as const).flatMap((mode): BenchRow[] => {
    const runs = measured[mode];
    const of = (field: (r: ReadMeasurement) => number) => median(runs.map(field));
    const ms = of((r) => r.ms);
    const growth = of((r) => r.peakRss - r.rssBefore);
    const columns = (runs[0] as ReadMeasurement).columnBytes;
    const mapped = of((r) => r.rssFileAfter - r.rssFileBefore);
    const anon = of((r) => r.rssAnonAfter - r.rssAnonBefore);
    const label = mode === "rw" ? "read-write" : "read-only";
    const how = mode === "rw" ? "store opened read-write" : "store opened read-only";
    const times = (bytes: number) => `${(bytes / columns).toFixed(2)}×`;
    return [
      {
        bench: "store",
        case: `read-back ${label}, table() of 10^7 samples`,
        work: total,
        workUnit: "samples",
        medianMs: { store: ms, [rateName]: (total / READ_RATE_TARGET) * 1e3 },
        notes:
          `${how}; ${READ_PAGES} pages of ${READ_SAMPLES_PER_PAGE}, ${mb(statSync(path).size)} file in the page ` +
          `cache, child process, median of ${runs.length}: ${rate(total, ms)}; values checked. Floors measured in ` +
          `the same process: first touch of ${mb(columns)} of fresh memory ${of((r) => r.firstTouchMs ?? 0).toFixed(0)} ms; ` +
          `the store's chunks query handing out every blob (a Buffer each, copied no further) ` +
          `${of((r) => r.queriesMs ?? 0).toFixed(0)} ms`,
        targets: [{ subject: "store", against: rateName, atLeast: 1 }],
        comparesResults: false,
      },
      {
        bench: "store",
        case: `read-back ${label}: peak memory, MB (not ms)`,
        work: columns / MB,
        workUnit: "MB of columns",
        medianMs: { store: growth / MB, [limitName]: (READ_MEMORY_TARGET * columns) / MB },
        notes:
          `MEMORY ROW: its "ms" columns hold MB and its rate means nothing. Peak RSS (VmHWM, reset before the read) less RSS before ` +
          `table(): ${mb(growth)} for ${mb(columns)} of columns (time + one float64), ${times(growth)} ` +
          `(target ≤ ${READ_MEMORY_TARGET}×). After it: anonymous RSS +${mb(anon)} (${times(anon)}), ` +
          `file-backed RSS +${mb(mapped)} (no store maps its file)`,
        targets: [{ subject: "store", against: limitName, atLeast: 1 }],
        comparesResults: false,
      },
    ];
  });
}

function exportRow(path: string, runs: readonly ReadMeasurement[], file: string): BenchRow {
  const total = READ_PAGES * READ_SAMPLES_PER_PAGE;
  const ms = median(runs.map((r) => r.ms));
  const growth = median(runs.map((r) => r.peakRss - r.rssBefore));
  return {
    bench: "store",
    case: "HDF5 export of 10^7 samples",
    work: total,
    workUnit: "samples",
    medianMs: { store: ms },
    notes:
      `exportRunHdf5 from the store opened read-only, child process, median of ${runs.length}: ` +
      `${rate(total, ms)}, peak RSS growth ${mb(growth)}; ${mb(statSync(path).size)} store → ` +
      `${mb(statSync(file).size)} HDF5 file. No target`,
  };
}

export const storeBench: BenchModule = {
  name: "store",
  description:
    "SQLite run store: samples/s written (writer vs raw better-sqlite3 vs router), read back into columns and exported to HDF5",
  async run(options) {
    const rows: BenchRow[] = [];
    const sqliteMs = new Map<number, number>();
    for (const { samplesPerPage, pages: count } of WRITE_CASES) {
      const medians = await measureWrites(samplesPerPage, count, options);
      sqliteMs.set(samplesPerPage, medians.store);
      rows.push(...writeRows(samplesPerPage, count, medians));
    }
    rows.push(...(await postgresRows(options, sqliteMs)));
    const folder = mkdtempSync(join(tmpdir(), "pms-bench-store-read-"));
    try {
      const path = await writeReadRun(folder);
      const measured = { rw: [] as ReadMeasurement[], ro: [] as ReadMeasurement[] };
      await readInChild(path, "ro", "table"); // untimed: the file into the page cache
      for (let n = 0; n < READ_REPETITIONS; n++) {
        for (const mode of n % 2 === 0 ? (["rw", "ro"] as const) : (["ro", "rw"] as const))
          measured[mode].push(await readInChild(path, mode, "table"));
      }
      rows.push(...readRows(path, measured));
      const file = join(folder, "run.h5");
      const exports: ReadMeasurement[] = [];
      for (let n = 0; n < EXPORT_REPETITIONS; n++) exports.push(await readInChild(path, "ro", "hdf5", file));
      rows.push(exportRow(path, exports, file));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    return rows;
  },
};
