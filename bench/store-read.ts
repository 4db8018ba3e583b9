/**
 * One read of a stored run, in a process of its own (spawned by
 * bench/store.ts), so that its peak memory is this read's and not the
 * bench's: `run.table(stream)` into columns, or `exportRunHdf5` of the run.
 * Prints one line of JSON (`ReadMeasurement`): the wall time of the read,
 * the resident set before it and at its peak, and the anonymous and
 * file-backed parts of the resident set before and after it (Linux's
 * /proc/self/status: a file-backed part would be a mapped file, which no
 * store maps now). The peak is VmHWM, reset just before the read
 * (/proc/self/clear_refs), not `process.resourceUsage().maxRSS`: that one
 * starts at the parent's resident set, which a spawned child inherits
 * through fork and exec (a bench parent of 400 MB gives its child a
 * "peak" of 400 MB).
 *
 * After a `table()` (and after its peak is read), two floors of its time,
 * measured in the same process: the first touch of as many fresh bytes as
 * the columns hold (a new column's pages are faulted in as they are first
 * written), and the store's own chunk query (schema.ts's layout) handing
 * out every blob, each as the Buffer better-sqlite3 copies it into, and
 * going no further.
 *
 * The values are checked against what bench/store.ts wrote (event k at
 * k × TIME_STEP s, of value `eventValue(k)`): a fast read of the wrong
 * numbers is no result.
 *
 * argv: <store path> <"rw" | "ro"> <"table" | "hdf5"> [HDF5 file]
 */
import { readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { openStore } from "../src/record/store/open.js";
import { chunkId } from "../src/record/store/schema.js";

/** What bench/store.ts writes as event k: its time, s, and its value. */
export const TIME_STEP = 1e-4;
export const eventValue = (k: number): number => 0.5 * k - 3;

export interface ReadMeasurement {
  readonly ms: number;
  readonly events: number;
  /** Bytes of the columns `table()` gave (time included); 0 for an export. */
  readonly columnBytes: number;
  readonly rssBefore: number;
  /** The resident set's peak during the read (VmHWM; maxRSS where /proc is not there). */
  readonly peakRss: number;
  readonly rssAnonBefore: number;
  readonly rssAnonAfter: number;
  readonly rssFileBefore: number;
  readonly rssFileAfter: number;
  /** `table()` only: ms to first touch `columnBytes` of fresh memory. */
  readonly firstTouchMs?: number;
  /** `table()` only: ms of the store's queries handing out every blob of the stream, copied no further. */
  readonly queriesMs?: number;
}

/** RssAnon, RssFile and VmHWM (the peak) of this process, bytes; undefined where /proc is not there. */
function resident(): { anon: number; file: number; peak: number } | undefined {
  let status: string;
  try {
    status = readFileSync("/proc/self/status", "utf8");
  } catch {
    return undefined;
  }
  const bytes = (field: string) =>
    1024 * Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { anon: bytes("RssAnon"), file: bytes("RssFile"), peak: bytes("VmHWM") };
}

/** Resets VmHWM to the present resident set (Linux ≥ 4.0); false where it cannot. */
function resetPeak(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** ms to allocate `bytes` of float64 columns and write each once. */
function firstTouchMs(bytes: number): number {
  const started = performance.now();
  new Float64Array(bytes / 8).fill(1);
  return performance.now() - started;
}

/** ms of sqlite.ts's `chunks` query over stream `name`, each chunk's blobs handed out and dropped. */
function queriesMs(path: string, runUid: string, name: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const id = db
      .prepare("SELECT id FROM descriptors WHERE run_uid = ? AND name = ?")
      .pluck()
      .get(runUid, name) as number;
    const chunks = db
      .prepare("SELECT events, event_time, data, text FROM chunks WHERE id >= ? AND id < ? ORDER BY id")
      .raw();
    const started = performance.now();
    let bytes = 0;
    for (const row of chunks.iterate(chunkId(id, 0), chunkId(id + 1, 0)) as Iterable<
      [number, Buffer, Buffer]
    >)
      bytes += row[1].byteLength + row[2].byteLength;
    const ms = performance.now() - started;
    if (bytes === 0) throw new Error(`stream "${name}" of run ${runUid} has no blobs to read`);
    return ms;
  } finally {
    db.close();
  }
}

async function main([path, mode, operation, hdf5File]: string[]): Promise<void> {
  if (
    path === undefined ||
    (mode !== "rw" && mode !== "ro") ||
    (operation !== "table" && operation !== "hdf5") ||
    (operation === "hdf5" && hdf5File === undefined)
  )
    throw new Error("usage: store-read.js <store path> <rw|ro> <table|hdf5 file>");
  const store = await openStore(`sqlite:${path}`, { readonly: mode === "ro" });
  try {
    const [summary] = await store.runs();
    if (summary === undefined) throw new Error(`${path} holds no run`);
    const run = await store.run(summary.uid);
    // Loaded for an export only, and before the clock starts; bench/store.ts imports this module's constants.
    const exportRunHdf5 =
      operation === "hdf5" ? (await import("../src/record/export-hdf5.js")).exportRunHdf5 : undefined;
    const peakReset = resetPeak();
    const before = resident();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    let events = 0;
    let columnBytes = 0;
    let check = () => {};
    if (exportRunHdf5 === undefined) {
      const table = await run.table("primary");
      events = table.count;
      const values = table.columns[0]?.values as Float64Array;
      columnBytes = table.time.byteLength + values.byteLength;
      check = () => {
        for (let k = 0; k < events; k++) {
          if (table.time[k] !== k * TIME_STEP || values[k] !== eventValue(k))
            throw new Error(`event ${k} reads back as ${table.time[k]}, ${values[k]}`);
        }
      };
    } else {
      const result = await exportRunHdf5(run, hdf5File as string);
      events = result.streams.reduce((sum, stream) => sum + stream.events, 0);
    }
    const ms = performance.now() - started;
    const after = resident();
    const peakRss = peakReset && after !== undefined ? after.peak : process.resourceUsage().maxRSS * 1024;
    check();
    const floors =
      exportRunHdf5 === undefined
        ? {
            firstTouchMs: firstTouchMs(columnBytes),
            queriesMs: queriesMs(path, run.uid, "primary"),
          }
        : {};
    const measurement: ReadMeasurement = {
      ms,
      events,
      columnBytes,
      rssBefore,
      peakRss,
      rssAnonBefore: before?.anon ?? 0,
      rssAnonAfter: after?.anon ?? 0,
      rssFileBefore: before?.file ?? 0,
      rssFileAfter: after?.file ?? 0,
      ...floors,
    };
    console.log(JSON.stringify(measurement));
  } finally {
    await store.close();
  }
}

// Only as a script: bench/store.ts imports the constants above.
if (process.argv[1]?.endsWith("store-read.js")) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
