/**
 * A stored run as one HDF5 file (issue 17, "Exports"), for a Python user's
 * h5py, written with h5wasm (the HDF5 C library compiled to WebAssembly, so
 * that nothing native is installed):
 *
 *     /                      the run: root attributes (uid, plan, chip, status,
 *                            times, arguments_json, bench_json, model_json, …)
 *     /primary               one group per stream: descriptor_uid, name,
 *                            events, configuration_json
 *     /primary/time          each event's time, <f8, s on the run's timebase
 *     /primary/smu1-current  one dataset per data key, named by its key: <f8,
 *                            <i8 or variable-length UTF-8 text; attributes
 *                            unit, source, dtype ("float64", "int64", "text"), doc
 *
 * Every dataset is one-dimensional, chunked and extensible (maxshape
 * (None,)), and is filled as the store's pages come (`RunReader.pages`):
 * events are gathered into blocks of {@link BLOCK_EVENTS}, and each block is
 * one resize and one hyperslab write per dataset, so that memory holds one
 * block per data key whatever the run's size (a 10⁸-sample run exports as a
 * 10³ one does). Attributes a run does not have are JSON "null"
 * (bench_json, model_json) or left out (stop_time, stop_wall_time while the
 * run has no RunStop).
 *
 * Two things h5wasm's high-level API does not do, done through the
 * low-level calls it is built on (`Module.set_dataset_data`, the call its
 * `write_slice` makes, and `Module.resize_dataset`):
 * - writing a slice of a variable-length string dataset (`write_slice`
 *   refuses it): a block of text is laid out in the WebAssembly heap as
 *   HDF5 reads variable-length strings from memory, 32-bit pointers to
 *   NUL-terminated UTF-8, so that text datasets are extensible and what
 *   h5py writes for `h5py.string_dtype()` (h5py reads them as bytes,
 *   `.asstr()` as str). A string holding a NUL cannot be one of these (C
 *   strings end at it; h5py refuses it too): the export stops with
 *   Hdf5ExportError naming the event rather than cut it short;
 * - reporting failure: `write_slice` ignores HDF5's status; each status is
 *   checked here. HDF5 puts a block's chunks on disk when the dataset is
 *   closed after the write, whose status h5wasm does not return, so a full
 *   disk shows at the file's close: the export runs to its end first (a 2 MiB
 *   file system given a 10⁷-sample run: refused at the close, "full (0
 *   bytes free)").
 *
 * A file that cannot be created, a stream or data key whose name HDF5
 * cannot hold as a link name (or a key named `time`), or a failed write is
 * an Hdf5ExportError naming the file and the cause; the store's own errors
 * pass as they are. Names are checked before the file is touched; a file
 * left half-written by a failure is removed, so that no one takes it for
 * the run.
 */
import { closeSync, openSync, rmSync, statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import h5wasm, { type Dataset, type Group } from "h5wasm/node";
import { type ColumnDocument, type Dtype, dtypeName, type EventPageDocument } from "./documents.js";
import type { RunReader, StreamInfo } from "./store/types.js";

/** Events gathered before each dataset grows and is written: 512 KiB of float64, one chunk. */
export const BLOCK_EVENTS = 65_536;

/** The smallest chunk, events: a short stream's datasets are not padded out to a block on disk. */
const MIN_CHUNK_EVENTS = 1024;

/** The root attribute `layout_version`: raised when this layout changes, so a reader can tell. */
export const HDF5_LAYOUT_VERSION = 1;

/** Free space below which a failed write is put down to a full file system: less than one block of one column. */
const FULL_BELOW_BYTES = BLOCK_EVENTS * 8;

/** Each stream's dataset of event times. */
const TIME = "time";

/** h5wasm's dtype strings (its "<f8" would be a 4-byte float): h5py reads them as <f8, <i8 and UTF-8 text. */
const H5_DTYPE: Readonly<Record<Dtype, string>> = { float64: "<d", int64: "<q", text: "S" };

export interface Hdf5ExportOptions {
  /** Told after each block: events written so far of `total` (all streams, as the store counted them when the export began). */
  readonly progress?: (done: number, total: number) => void;
}

export interface Hdf5ExportResult {
  /** The file written, absolute. */
  readonly file: string;
  readonly streams: Array<{ stream: string; events: number }>;
}

/** An HDF5 export that could not be made, with its file and the cause. */
export class Hdf5ExportError extends Error {
  constructor(
    readonly file: string,
    readonly run: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot export run ${run} to HDF5 file ${file}: ${reason}`, options);
    this.name = "Hdf5ExportError";
  }
}

type H5Module = Awaited<typeof h5wasm.ready>;

/** A stream as the reader gives it, its descriptor's configuration included. */
type StreamWithConfiguration = StreamInfo;

/** Writes `run` to `file` (created, or truncated) as the layout above; returns the file and each stream's events. */
export async function exportRunHdf5(
  run: RunReader,
  file: string,
  options: Hdf5ExportOptions = {},
): Promise<Hdf5ExportResult> {
  const path = resolve(file);
  const refuse = (reason: string, cause?: unknown): never => {
    throw new Hdf5ExportError(path, run.uid, reason, cause === undefined ? undefined : { cause });
  };
  const streams: StreamWithConfiguration[] = await run.streams();
  checkNames(streams, refuse);
  const module = await h5wasm.ready;
  // HDF5 says only "unable to open file" on stderr; the system's own words name the cause.
  try {
    closeSync(openSync(path, "w"));
  } catch (cause) {
    refuse(`cannot create it (${(cause as Error).message})`, cause);
  }
  let h5: InstanceType<typeof h5wasm.File> | undefined;
  let complete = false;
  try {
    h5 = new h5wasm.File(path, "w", { track_order: true });
    if (h5.file_id < 0n) refuse(hdf5Failed("create it", path));
    writeRunAttributes(h5, run);
    const total = streams.reduce((sum, stream) => sum + stream.events, 0);
    let done = 0;
    const written: Array<{ stream: string; events: number }> = [];
    for (const stream of streams) {
      const target = new StreamTarget(module, h5, stream, refuse, (events) => {
        done += events;
        options.progress?.(done, total);
      });
      for await (const page of run.pages(stream.name)) target.append(page);
      const events = target.finish();
      written.push({ stream: stream.name, events });
    }
    complete = true;
    return { file: path, streams: written };
  } finally {
    const closed = h5 === undefined || h5.file_id < 0n ? 0 : h5.close();
    // Worded before the file goes, which frees the space a full disk was short of.
    const closeFailure = closed < 0 ? hdf5Failed("finish writing it (at its close)", path) : undefined;
    if (!complete || closeFailure !== undefined) rmSync(path, { force: true });
    if (complete && closeFailure !== undefined) refuse(closeFailure);
  }
}

/** Refuses a stream or data key HDF5 cannot hold as a link name, or a key that would be the `time` dataset. */
function checkNames(streams: readonly StreamInfo[], refuse: (reason: string) => never): void {
  const problem = (name: string): string | undefined =>
    name === ""
      ? "is empty"
      : name.includes("/")
        ? "holds '/', HDF5's path separator"
        : name === "."
          ? "is '.'"
          : undefined;
  for (const stream of streams) {
    const streamProblem = problem(stream.name);
    if (streamProblem !== undefined) refuse(`the name of stream "${stream.name}" ${streamProblem}`);
    for (const key of stream.dataKeys) {
      const where = `data key "${key.key}" of stream "${stream.name}"`;
      const keyProblem = key.key === TIME ? `is "${TIME}", the stream's event times` : problem(key.key);
      if (keyProblem !== undefined) refuse(`the name of ${where} ${keyProblem}`);
      if (dtypeName(key.dtype) === undefined)
        refuse(`${where} has dtype ${key.dtype}, which this version does not know`);
    }
  }
}

function writeRunAttributes(root: Group, run: RunReader): void {
  const { start, stop, summary } = run;
  setCount(root, "layout_version", HDF5_LAYOUT_VERSION);
  setText(root, "uid", run.uid);
  setText(root, "plan", start.plan);
  setText(root, "chip", start.chip);
  setText(root, "hostname", start.hostname);
  setText(root, "software", start.software);
  setText(root, "status", summary.status);
  setText(root, "reason", stop?.reason ?? summary.reason);
  setNumber(root, "start_time", start.time);
  setNumber(root, "start_wall_time", start.wallTime);
  if (stop !== undefined) setNumber(root, "stop_time", stop.time);
  const stopWallTime = stop?.wallTime ?? summary.stopWallTime;
  if (stopWallTime !== undefined) setNumber(root, "stop_wall_time", stopWallTime);
  const { timebase } = start;
  setText(root, "timebase_kind", timebase.kind ?? "");
  // A decimal string: nanoseconds of process.hrtime exceed a double's 2^53.
  setText(root, "timebase_anchor_hrtime_ns", timebase.anchorHrtimeNs ?? "");
  setNumber(root, "timebase_anchor_wall_seconds", timebase.anchorWallSeconds ?? Number.NaN);
  setText(root, "arguments_json", start.argumentsJson);
  setText(root, "metadata_json", JSON.stringify(start.metadata));
  setText(root, "bench_json", JSON.stringify(start.bench ?? null));
  setText(root, "model_json", JSON.stringify(start.model ?? null));
}

function setText(target: Group | Dataset, name: string, value: string): void {
  target.create_attribute(name, value);
}

/** A float64 attribute (h5wasm would make an integral number an int32). */
function setNumber(target: Group | Dataset, name: string, value: number): void {
  target.create_attribute(name, value, null, "<d");
}

function setCount(target: Group | Dataset, name: string, value: number): void {
  target.create_attribute(name, value, null, "<q");
}

/** One dataset of a stream and the block of values waiting to be written to it. */
interface ColumnTarget {
  readonly key: string;
  readonly dtype: Dtype;
  readonly path: string;
  /** float64 and int64: the block's bytes; text: its strings. */
  readonly block: Uint8Array | string[];
}

/** One stream's group: its datasets, filled block by block. */
class StreamTarget {
  readonly #module: H5Module;
  readonly #fileId: bigint;
  readonly #file: string;
  readonly #name: string;
  readonly #group: Group;
  readonly #refuse: (reason: string) => never;
  readonly #onBlock: (events: number) => void;
  readonly #time: ColumnTarget;
  readonly #columns: ColumnTarget[];
  /** Events in the block, and written before it. */
  #filled = 0;
  #written = 0;

  constructor(
    module: H5Module,
    file: InstanceType<typeof h5wasm.File>,
    stream: StreamWithConfiguration,
    refuse: (reason: string) => never,
    onBlock: (events: number) => void,
  ) {
    this.#module = module;
    this.#fileId = file.file_id;
    this.#file = file.filename;
    this.#name = stream.name;
    this.#refuse = refuse;
    this.#onBlock = onBlock;
    this.#group = file.create_group(stream.name, true);
    setText(this.#group, "name", stream.name);
    setText(this.#group, "descriptor_uid", stream.descriptorUid);
    setText(this.#group, "configuration_json", JSON.stringify(stream.configuration ?? null));
    const chunk = Math.min(BLOCK_EVENTS, Math.max(MIN_CHUNK_EVENTS, stream.events));
    this.#time = this.#dataset(TIME, "float64", chunk, {
      unit: "s",
      source: "",
      doc: "Each event's time, s on the run's timebase (the root's timebase_kind; add timebase_anchor_wall_seconds for s since the epoch).",
    });
    this.#columns = stream.dataKeys.map((key) =>
      this.#dataset(key.key, dtypeName(key.dtype) as Dtype, chunk, key),
    );
  }

  /** Adds a page's events to the block, writing each block as it fills. */
  append(page: EventPageDocument): void {
    const { count } = page;
    const byKey = new Map(page.columns.map((column) => [column.key, column]));
    const sources = [
      checkedBytes(page.eventTime, count, `the event times of page ${page.uid}`, this.#refuse),
      ...this.#columns.map((target) => this.#source(target, byKey.get(target.key), page.uid, count)),
    ];
    const targets = [this.#time, ...this.#columns];
    for (let from = 0; from < count; ) {
      const n = Math.min(count - from, BLOCK_EVENTS - this.#filled);
      targets.forEach((target, i) => {
        const source = sources[i] as Uint8Array | readonly string[];
        if (target.block instanceof Uint8Array) {
          target.block.set((source as Uint8Array).subarray(from * 8, (from + n) * 8), this.#filled * 8);
        } else {
          for (let k = 0; k < n; k++)
            target.block[this.#filled + k] = (source as readonly string[])[from + k] as string;
        }
      });
      this.#filled += n;
      from += n;
      if (this.#filled === BLOCK_EVENTS) this.#flush();
    }
  }

  /** Writes the last block and the stream's `events` attribute; returns the events written. */
  finish(): number {
    this.#flush();
    setCount(this.#group, "events", this.#written);
    return this.#written;
  }

  #dataset(
    name: string,
    dtype: Dtype,
    chunk: number,
    attributes: { readonly unit: string; readonly source: string; readonly doc: string },
  ): ColumnTarget {
    const empty = dtype === "float64" ? new Float64Array(0) : dtype === "int64" ? new BigInt64Array(0) : [];
    const dataset = this.#group.create_dataset({
      name,
      data: empty,
      shape: [0],
      maxshape: [null],
      chunks: [chunk],
      dtype: H5_DTYPE[dtype],
      track_order: true,
    });
    setText(dataset, "unit", attributes.unit);
    setText(dataset, "source", attributes.source);
    setText(dataset, "dtype", dtype);
    setText(dataset, "doc", attributes.doc);
    return {
      key: name,
      dtype,
      path: dataset.path,
      block: dtype === "text" ? new Array<string>(BLOCK_EVENTS) : new Uint8Array(BLOCK_EVENTS * 8),
    };
  }

  #source(target: ColumnTarget, column: ColumnDocument | undefined, page: string, count: number) {
    const where = `column "${target.key}" of page ${page}`;
    if (column === undefined) return this.#refuse(`page ${page} has no column "${target.key}"`);
    if (target.dtype === "float64" && "float64" in column)
      return checkedBytes(column.float64, count, where, this.#refuse);
    if (target.dtype === "int64" && "int64" in column)
      return checkedBytes(column.int64, count, where, this.#refuse);
    if (target.dtype === "text" && "text" in column) {
      if (column.text.values.length !== count)
        this.#refuse(`${where} holds ${column.text.values.length} values, not ${count}`);
      return column.text.values;
    }
    return this.#refuse(`${where} is not ${target.dtype}, as its data key says`);
  }

  /** Grows every dataset by the block and writes it there. */
  #flush(): void {
    if (this.#filled === 0) return;
    const start = this.#written;
    const end = start + this.#filled;
    for (const target of [this.#time, ...this.#columns]) {
      this.#check(
        this.#module.resize_dataset(this.#fileId, target.path, [BigInt(end)]),
        `grow ${target.path}`,
      );
      const status =
        target.block instanceof Uint8Array
          ? this.#writeBytes(target.path, start, target.block.subarray(0, this.#filled * 8))
          : this.#writeText(target, start, this.#filled);
      this.#check(status, `write events ${start} to ${end - 1} of ${target.path}`);
    }
    const events = this.#filled;
    this.#written = end;
    this.#filled = 0;
    this.#onBlock(events);
  }

  #writeBytes(path: string, start: number, bytes: Uint8Array): number {
    return this.#withHeap(bytes.byteLength, (pointer) => {
      this.#module.HEAPU8.set(bytes, pointer);
      return this.#write(path, start, bytes.byteLength / 8, pointer);
    });
  }

  /** `count` strings of the block as HDF5 reads variable-length strings from memory: pointers, then the NUL-terminated UTF-8 they point to. */
  #writeText(target: ColumnTarget, start: number, count: number): number {
    const strings = target.block as string[];
    const lengths = new Array<number>(count);
    let bytes = 4 * count;
    for (let k = 0; k < count; k++) {
      const text = strings[k] as string;
      if (text.includes("\0")) {
        this.#refuse(
          `event ${start + k} of "${target.key}" in stream "${this.#name}" holds a NUL character, ` +
            "which an HDF5 variable-length string cannot",
        );
      }
      lengths[k] = Buffer.byteLength(text, "utf8");
      bytes += (lengths[k] as number) + 1;
    }
    return this.#withHeap(bytes, (pointers) => {
      // Read after the allocation: a growing heap replaces its buffer.
      const heap = this.#module.HEAPU8;
      const view = new DataView(heap.buffer);
      const encoder = new TextEncoder();
      let at = pointers + 4 * count;
      for (let k = 0; k < count; k++) {
        const length = lengths[k] as number;
        view.setUint32(pointers + 4 * k, at, true);
        encoder.encodeInto(strings[k] as string, heap.subarray(at, at + length));
        heap[at + length] = 0;
        at += length + 1;
      }
      return this.#write(target.path, start, count, pointers);
    });
  }

  #write(path: string, start: number, count: number, pointer: number): number {
    return this.#module.set_dataset_data(
      this.#fileId,
      path,
      [BigInt(count)],
      [BigInt(start)],
      [1n],
      BigInt(pointer),
    );
  }

  #withHeap(bytes: number, use: (pointer: number) => number): number {
    const pointer = this.#module._malloc(bytes);
    if (pointer === 0) this.#refuse(`the WebAssembly heap has no room for a block of ${bytes} bytes`);
    try {
      return use(pointer);
    } finally {
      this.#module._free(pointer);
    }
  }

  #check(status: number, what: string): void {
    if (status < 0) this.#refuse(hdf5Failed(what, this.#file));
  }
}

/** What HDF5 could not do, and the likeliest cause it does not say: a full file system. */
function hdf5Failed(what: string, file: string): string {
  let free: number | undefined;
  try {
    const space = statfsSync(dirname(file));
    free = space.bavail * space.bsize;
  } catch {
    // No figure for the free space, then: the failure is reported without it.
  }
  const full =
    free !== undefined && free < FULL_BELOW_BYTES
      ? `; the file system holding it is full (${free} bytes free)`
      : "";
  return `HDF5 could not ${what}${full} (HDF5's own diagnostics are on stderr)`;
}

/** `bytes` if they hold `count` 8-byte values; else refused, naming `what`. */
function checkedBytes(
  bytes: Uint8Array,
  count: number,
  what: string,
  refuse: (reason: string) => never,
): Uint8Array {
  if (bytes.byteLength !== count * 8)
    refuse(`${what} holds ${bytes.byteLength} bytes, not ${count} values of 8`);
  return bytes;
}
