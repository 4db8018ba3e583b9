/**
 * The HDF5 export (src/record/export-hdf5.ts), read back by the user it is
 * for: a run written through the router into a real SQLite store (a float64
 * and an int64 column over three blocks, a text stream over two, the SCPI
 * exchanges) is exported, and Debian's /usr/bin/python3 with python3-h5py
 * opens the file and prints what it finds as JSON: layout, dtypes, shapes,
 * attributes, values at block edges and a SHA-256 of each dataset, which
 * must be those of the values the run was given. Then the refusals: a file
 * that cannot be created, a name HDF5 cannot hold, a NUL in a text value.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { float64Bytes, int64Bytes } from "../../src/proto/columns.js";
import type { RunDocument } from "../../src/record/documents.js";
import { BLOCK_EVENTS, exportRunHdf5, Hdf5ExportError } from "../../src/record/export-hdf5.js";
import { DocumentRouter } from "../../src/record/router.js";
import { openStore } from "../../src/record/store/open.js";
import type { RunStore } from "../../src/record/store/types.js";
import { seededUids } from "../../src/record/uid.js";
import { createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import { dataKey, descriptor, runStart, runStop, temporaryFolders } from "./support/runs.js";

const execute = promisify(execFile);
const folder = temporaryFolders();
const opened: RunStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(dir: string, readonly = false): Promise<RunStore> {
  const store = await openStore(`sqlite:${join(dir, "runs.sqlite")}`, { readonly });
  opened.push(store);
  return store;
}

// An anchor past 2^53 ns: the root attribute must keep it as its digits.
const ANCHOR = { hrtimeNs: 123_456_789_012_345_678n, wallSeconds: 1_800_000_000.5 };
const PAGE_EVENTS = 1000;
const PRIMARY_EVENTS = 150_000;
const NOTE_EVENTS = 70_000;
const STOP_TIME = 15;

/** Each event's values from its index, as the Python side need not know them: it reports hashes and samples. */
const eventTime = (event: number): number => event * 1e-4;
const current = (event: number): number => event * 0.1 - 3.7;
// Past 2^53: exact only if the column stays int64 all the way.
const status = (event: number): bigint => (BigInt(event) << 40n) - 7n;
const SPECIAL_NOTES: Readonly<Record<number, string>> = {
  0: "",
  1: 'héllo, "wörld"\n✓ 日本',
  65535: "last of the first block",
  65536: "first of the second — ü",
  69999: "🙂 the end",
};
const note = (event: number): string => SPECIAL_NOTES[event] ?? `note ${event}`;

const ARGUMENTS = { amplitude: 1.2, points: PRIMARY_EVENTS };
const BENCH = { name: "test-bench", file: "bench.yaml", clockControl: "", takenAt: 0, instruments: [] };
const MODEL = {
  id: "linear-drift",
  citation: "Strukov et al., Nature 453, 80 (2008), eq. 2",
  parameters: [{ name: "rate", value: 1e-3, unit: "Ohm/s" }],
};
const EXCHANGES = [
  { instrument: "smu1", time: 0.5, duration: 0.002, sent: "*IDN?", reply: "KEITHLEY,2400,1,C32" },
  { instrument: "smu1", time: 0.75, duration: 0.001, sent: ":OUTP ON" },
  { instrument: "laser1", time: 1.25, duration: 0.125, sent: ":WAV 1550nm", error: "ProtocolError: -222" },
];

/** The run, through the router, into the store; returns its uid. */
async function recordRun(dir: string): Promise<string> {
  const store = await open(dir);
  const writer = store.writer();
  const clock = createBenchClock("manual", ANCHOR);
  const router = new DocumentRouter({
    timebase: clock,
    uid: seededUids(17),
    lossless: [{ name: "store", write: (d) => writer.write(d), ready: () => writer.ready() }],
    hostname: "bench-host",
    software: "photon-memristor-sim test",
  });
  const run = await router.startRun({
    plan: "iv",
    arguments: ARGUMENTS,
    chip: "demo-chip",
    bench: BENCH,
    model: MODEL,
    metadata: { operator: "ada" },
  });
  const primary = await run.stream(
    "primary",
    [
      { key: "smu1-current", source: "smu1", unit: "A", dtype: "float64", doc: "Current measured." },
      { key: "smu1-status", source: "smu1", dtype: "int64", doc: "Status word." },
    ],
    [{ device: "smu1", settings: [{ key: "nplc", number: 1, unit: "" }] }],
  );
  const notes = await run.stream("notes", [
    { key: "note", source: "operator", dtype: "text", doc: "A remark." },
  ]);
  for (const exchange of EXCHANGES) run.exchange(exchange);
  for (let first = 0; first < PRIMARY_EVENTS; first += PAGE_EVENTS) {
    const events = Array.from({ length: PAGE_EVENTS }, (_, i) => first + i);
    await primary.page(Float64Array.from(events, eventTime), {
      "smu1-current": Float64Array.from(events, current),
      "smu1-status": BigInt64Array.from(events, status),
    });
    if (first < NOTE_EVENTS)
      await notes.page(Float64Array.from(events, eventTime), { note: events.map(note) });
  }
  await clock.advance(STOP_TIME);
  await run.stop("success");
  return run.uid;
}

/** The events whose values h5py reports: page and block edges of every stream. */
const SAMPLED = [0, 1, 2, 999, 1000, 65535, 65536, 69999, 131071, 131072, 149999];

/** What h5py finds in the file, as JSON: attributes, layout, and per dataset its dtype, a hash and samples. */
const READ_BACK = String.raw`
import hashlib, json, sys
import h5py, numpy as np

AT = ${JSON.stringify(SAMPLED)}

def plain(value):
    return value.item() if isinstance(value, np.generic) else value

def attrs(obj):
    return {name: plain(value) for name, value in obj.attrs.items()}

def dataset(d):
    info = {"dtype": d.dtype.str, "shape": list(d.shape), "maxshape": list(d.maxshape),
            "chunks": list(d.chunks), "attrs": attrs(d)}
    string = h5py.check_string_dtype(d.dtype)
    if string is not None:
        values = list(d.asstr()[()])
        info["string"] = {"encoding": string.encoding, "length": string.length}
        info["sha256"] = hashlib.sha256("\0".join(values).encode("utf-8")).hexdigest()
        info["at"] = {str(i): values[i] for i in AT if i < len(values)}
    else:
        values = d[()]
        info["sha256"] = hashlib.sha256(values.tobytes()).hexdigest()
        sample = (lambda v: str(int(v))) if values.dtype.kind == "i" else float
        info["at"] = {str(i): sample(values[i]) for i in AT if i < len(values)}
    return info

with h5py.File(sys.argv[1], "r") as f:
    print(json.dumps({
        "root": attrs(f),
        "groups": list(f.keys()),
        "streams": {name: {"attrs": attrs(g), "datasets": list(g.keys()),
                           "data": {key: dataset(d) for key, d in g.items()}}
                    for name, g in f.items()},
    }))
`;

interface DatasetSeen {
  dtype: string;
  shape: number[];
  maxshape: Array<number | null>;
  chunks: number[];
  attrs: Record<string, unknown>;
  string?: { encoding: string; length: number | null };
  sha256: string;
  at: Record<string, number | string>;
}
interface FileSeen {
  root: Record<string, unknown>;
  groups: string[];
  streams: Record<
    string,
    { attrs: Record<string, unknown>; datasets: string[]; data: Record<string, DatasetSeen> }
  >;
}

async function readWithH5py(file: string): Promise<FileSeen> {
  const { stdout } = await execute("/usr/bin/python3", ["-c", READ_BACK, file], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as FileSeen;
}

const sha256 = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
/** The samples h5py reports for a dataset of `count` events. */
function samples<T>(count: number, value: (event: number) => T): Record<string, T> {
  return Object.fromEntries(SAMPLED.filter((i) => i < count).map((i) => [String(i), value(i)]));
}

describe("the HDF5 export, as h5py reads it", () => {
  it("has the run on the root, a group per stream, and every value of every column", async () => {
    const dir = folder();
    const uid = await recordRun(dir);
    const reader = await (await open(dir, true)).run(uid);
    const infos = await reader.streams();
    const file = join(dir, "run.h5");
    const progress: Array<[number, number]> = [];
    const result = await exportRunHdf5(reader, file, {
      progress: (done, total) => progress.push([done, total]),
    });

    const total = EXCHANGES.length + NOTE_EVENTS + PRIMARY_EVENTS;
    expect(result).toEqual({
      file,
      streams: [
        { stream: "primary", events: PRIMARY_EVENTS },
        { stream: "notes", events: NOTE_EVENTS },
        { stream: "exchanges", events: EXCHANGES.length },
      ],
    });
    // One report per block: the streams in the order the run declared them, each cut every BLOCK_EVENTS.
    const noted = PRIMARY_EVENTS + NOTE_EVENTS;
    const ends = [
      BLOCK_EVENTS,
      2 * BLOCK_EVENTS,
      PRIMARY_EVENTS,
      PRIMARY_EVENTS + BLOCK_EVENTS,
      noted,
      total,
    ];
    expect(progress).toEqual(ends.map((done) => [done, total]));

    const seen = await readWithH5py(file);
    const { bench_json, model_json, ...root } = seen.root;
    expect(root).toEqual({
      layout_version: 1,
      uid,
      plan: "iv",
      chip: "demo-chip",
      hostname: "bench-host",
      software: "photon-memristor-sim test",
      status: "success",
      reason: "",
      start_time: 0,
      start_wall_time: ANCHOR.wallSeconds,
      stop_time: STOP_TIME,
      stop_wall_time: ANCHOR.wallSeconds + STOP_TIME,
      timebase_kind: "manual",
      timebase_anchor_hrtime_ns: "123456789012345678",
      timebase_anchor_wall_seconds: ANCHOR.wallSeconds,
      arguments_json: JSON.stringify(ARGUMENTS),
      metadata_json: JSON.stringify({ operator: "ada" }),
    });
    expect(JSON.parse(bench_json as string)).toEqual(BENCH);
    expect(JSON.parse(model_json as string)).toEqual(MODEL);

    expect(seen.groups).toEqual(["exchanges", "notes", "primary"]);
    // The descriptor's configuration reaches its group: the primary stream's settings, with units.
    expect(JSON.parse(seen.streams.primary?.attrs.configuration_json as string)).toEqual([
      { device: "smu1", settings: [{ key: "nplc", number: 1, unit: "", doc: "" }] },
    ]);
    for (const info of infos) {
      expect(seen.streams[info.name]?.attrs, info.name).toEqual({
        name: info.name,
        descriptor_uid: info.descriptorUid,
        configuration_json: JSON.stringify(info.configuration),
        events: info.events,
      });
    }

    const primary = seen.streams.primary;
    expect(primary?.datasets).toEqual(["time", "smu1-current", "smu1-status"]);
    const extensible = { shape: [PRIMARY_EVENTS], maxshape: [null], chunks: [BLOCK_EVENTS] };
    const events = range(PRIMARY_EVENTS);
    expect(primary?.data.time).toEqual({
      dtype: "<f8",
      ...extensible,
      attrs: { unit: "s", source: "", dtype: "float64", doc: expect.stringContaining("run's timebase") },
      sha256: sha256(float64Bytes(Float64Array.from(events, eventTime))),
      at: samples(PRIMARY_EVENTS, eventTime),
    });
    expect(primary?.data["smu1-current"]).toEqual({
      dtype: "<f8",
      ...extensible,
      attrs: { unit: "A", source: "smu1", dtype: "float64", doc: "Current measured." },
      sha256: sha256(float64Bytes(Float64Array.from(events, current))),
      at: samples(PRIMARY_EVENTS, current),
    });
    expect(primary?.data["smu1-status"]).toEqual({
      dtype: "<i8",
      ...extensible,
      attrs: { unit: "", source: "smu1", dtype: "int64", doc: "Status word." },
      sha256: sha256(int64Bytes(BigInt64Array.from(events, status))),
      at: samples(PRIMARY_EVENTS, (event) => status(event).toString()),
    });

    const notes = seen.streams.notes;
    expect(notes?.datasets).toEqual(["time", "note"]);
    expect(notes?.data.note).toEqual({
      dtype: "|O",
      shape: [NOTE_EVENTS],
      maxshape: [null],
      chunks: [BLOCK_EVENTS],
      attrs: { unit: "", source: "operator", dtype: "text", doc: "A remark." },
      string: { encoding: "utf-8", length: null },
      sha256: sha256(range(NOTE_EVENTS).map(note).join("\0")),
      at: samples(NOTE_EVENTS, note),
    });

    const exchanges = seen.streams.exchanges;
    expect(exchanges?.datasets).toEqual(["time", "instrument", "sent", "reply", "error", "duration"]);
    const texts = (field: (e: (typeof EXCHANGES)[number]) => string | undefined) =>
      Object.fromEntries(EXCHANGES.map((e, i) => [String(i), field(e) ?? ""]));
    expect(exchanges?.data.time?.at).toEqual(
      Object.fromEntries(EXCHANGES.map((e, i) => [String(i), e.time])),
    );
    expect(exchanges?.data.instrument?.at).toEqual(texts((e) => e.instrument));
    expect(exchanges?.data.sent?.at).toEqual(texts((e) => e.sent));
    expect(exchanges?.data.reply?.at).toEqual(texts((e) => e.reply));
    expect(exchanges?.data.error?.at).toEqual(texts((e) => e.error));
    expect(exchanges?.data.duration).toMatchObject({
      dtype: "<f8",
      shape: [3],
      chunks: [1024],
      attrs: { unit: "s", source: "router", dtype: "float64" },
      at: Object.fromEntries(EXCHANGES.map((e, i) => [String(i), e.duration])),
    });
  });
});

/** A small run written as documents: one stream of `keys`, one page of `values` per key, then its RunStop. */
async function storedRun(
  dir: string,
  keys: Parameters<typeof dataKey>[],
  values: Record<string, readonly string[] | Float64Array>,
  count: number,
): Promise<string> {
  const uid = "0f0e0d0c-0000-4000-8000-000000000001";
  const writer = (await open(dir)).writer();
  const documents: RunDocument[] = [
    runStart(uid),
    descriptor(
      uid,
      "d1",
      "primary",
      keys.map((args) => dataKey(...args)),
    ),
    {
      kind: "page",
      doc: {
        uid: "p1",
        runUid: uid,
        descriptorUid: "d1",
        seq: 2,
        time: 0,
        wallTime: 1_800_000_000,
        firstEvent: 0,
        count,
        eventTime: float64Bytes(Float64Array.from(range(count), eventTime)),
        columns: keys.map(([key]) => {
          const column = values[key] as readonly string[] | Float64Array;
          return column instanceof Float64Array
            ? { key, float64: float64Bytes(column) }
            : { key, text: { values: column } };
        }),
      },
    },
    runStop(uid),
  ];
  await Promise.all(documents.map((document) => writer.write(document)));
  return uid;
}

describe("the HDF5 export refuses, naming the file and the cause", () => {
  it.each([
    ["in a folder that does not exist", (dir: string) => join(dir, "missing", "run.h5"), "ENOENT"],
    ["that is a folder", (dir: string) => dir, "EISDIR"],
    ["under /proc", () => "/proc/pms-run.h5", "ENOENT"],
  ])("a file %s", async (_, where, code) => {
    const dir = folder();
    const uid = await storedRun(
      dir,
      [["smu1-current", "float64", "A"]],
      { "smu1-current": Float64Array.of(1, 2) },
      2,
    );
    const file = where(dir);
    const exported = exportRunHdf5(await (await open(dir, true)).run(uid), file);
    await expect(exported).rejects.toThrow(Hdf5ExportError);
    await expect(exported).rejects.toThrow(
      `cannot export run ${uid} to HDF5 file ${file}: cannot create it (${code}:`,
    );
    await expect(exported).rejects.toMatchObject({ file, run: uid, cause: { code } });
  });

  it("a data key named `time` before the file is touched", async () => {
    const dir = folder();
    const uid = await storedRun(dir, [["time", "float64", "s"]], { time: Float64Array.of(1, 2) }, 2);
    const file = join(dir, "run.h5");
    writeFileSync(file, "an earlier export");
    await expect(exportRunHdf5(await (await open(dir, true)).run(uid), file)).rejects.toThrow(
      `cannot export run ${uid} to HDF5 file ${file}: the name of data key "time" of stream "primary" is "time", the stream's event times`,
    );
    expect(readFileSync(file, "utf8")).toBe("an earlier export");
  });

  it("a text value holding a NUL, and leaves no half-written file", async () => {
    const dir = folder();
    const uid = await storedRun(dir, [["note", "text"]], { note: ["fine", "cut\0short", "fine"] }, 3);
    const file = join(dir, "run.h5");
    await expect(exportRunHdf5(await (await open(dir, true)).run(uid), file)).rejects.toThrow(
      `cannot export run ${uid} to HDF5 file ${file}: event 1 of "note" in stream "primary" holds a NUL character`,
    );
    expect(existsSync(file)).toBe(false);
  });
});
