/**
 * The document router (src/record/router.ts): one order and one sequence
 * per run, push-back from the lossless sink between a plan's steps, drops
 * counted and reported by the lossy ones, bit-for-bit documents on a
 * simulated clock with seeded uids, and a failed store stopping the plan
 * at its next step. The lossless sink here is an in-memory one whose
 * commits the test releases, so that a full backlog can be held open.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { float64Values } from "../../src/proto/columns.js";
import { csvSink } from "../../src/record/csv-sink.js";
import {
  columnValues,
  decodeDocument,
  encodeDocument,
  type RunDocument,
} from "../../src/record/documents.js";
import { DocumentRouter, EXCHANGE_STREAM, type LosslessSink } from "../../src/record/router.js";
import { boundedSink } from "../../src/record/sinks.js";
import { seededUids } from "../../src/record/uid.js";
import { createBenchClock } from "../../src/virtual/clock/bench-clock.js";

const ANCHOR = { hrtimeNs: 1_000_000_000n, wallSeconds: 1_800_000_000 };

/** A lossless sink whose commits wait until the test lets them through. */
function gatedStore(capacity: number) {
  const kept: RunDocument[] = [];
  const queued: Array<{ document: RunDocument; resolve: () => void }> = [];
  let roomWaiters: Array<() => void> = [];
  const sink: LosslessSink & { commitAll(): void; readonly backlog: number } = {
    name: "store",
    write(document) {
      return new Promise<void>((resolve) => queued.push({ document, resolve }));
    },
    ready() {
      if (queued.length < capacity) return undefined;
      return new Promise<void>((resolve) => roomWaiters.push(resolve));
    },
    get backlog() {
      return queued.length;
    },
    commitAll() {
      for (const { document, resolve } of queued.splice(0)) {
        kept.push(document);
        resolve();
      }
      const waiters = roomWaiters;
      roomWaiters = [];
      for (const wake of waiters) wake();
    },
  };
  return { sink, kept };
}

async function smallPlan(router: DocumentRouter) {
  const run = await router.startRun({ plan: "demo", arguments: { points: 6 }, chip: "demo-chip" });
  const stream = await run.stream("primary", [
    { key: "smu1-voltage", source: "smu1", unit: "V", dtype: "float64" },
    { key: "smu1-status", source: "smu1", dtype: "int64" },
  ]);
  for (let p = 0; p < 3; p++) {
    run.exchange({ instrument: "smu1", time: p, duration: 0.01, sent: ":READ?", reply: `+${p}.0` });
    await stream.page(Float64Array.of(2 * p, 2 * p + 1), {
      "smu1-voltage": Float64Array.of(p / 10, p / 10 + 0.05),
      "smu1-status": BigInt64Array.of(BigInt(p), 7n),
    });
  }
  return run;
}

describe("seeded uids", () => {
  it("are RFC 9562 version-4 UUIDs, the same sequence for the same seed, another for another", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const first = seededUids(7);
    const again = seededUids(7);
    const other = seededUids(8);
    const a = Array.from({ length: 1000 }, () => first());
    for (const uid of a) expect(uid).toMatch(uuid);
    expect(new Set(a).size).toBe(1000);
    expect(Array.from({ length: 1000 }, () => again())).toEqual(a);
    expect(other()).not.toBe(a[0]);
  });
});

describe("the document router", () => {
  it("numbers a run's documents in the order every sink sees them, pages counted per stream", async () => {
    const seen: RunDocument[] = [];
    const sink = boundedSink("list", (document) => {
      seen.push(document);
    });
    const { sink: store, kept } = gatedStore(1000);
    const clock = createBenchClock("manual", ANCHOR);
    const router = new DocumentRouter({
      timebase: clock,
      lossless: [store],
      sinks: [sink],
      uid: seededUids(1),
    });
    const run = await smallPlan(router);
    const stopping = run.stop("success");
    await new Promise((resolve) => setImmediate(resolve));
    store.commitAll();
    const outcome = await stopping;
    expect(outcome.events).toEqual({ primary: 6, [EXCHANGE_STREAM]: 3 });
    // RunStart, primary's descriptor, then per page: the exchanges' descriptor once, the exchange page, the page.
    expect(seen.map((d) => d.kind)).toEqual([
      "runStart",
      "descriptor",
      "descriptor",
      "page",
      "page",
      "page",
      "page",
      "page",
      "page",
      "runStop",
    ]);
    expect(seen.map((d) => d.doc.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(kept).toEqual(seen);
    const primaryPages = seen.filter((d) => d.kind === "page" && d.doc.descriptorUid === seen[1]?.doc.uid);
    expect(primaryPages.map((d) => (d.kind === "page" ? d.doc.firstEvent : -1))).toEqual([0, 2, 4]);
    const last = primaryPages[2];
    if (last?.kind !== "page") throw new Error("no page");
    expect(Array.from(float64Values(last.doc.eventTime))).toEqual([4, 5]);
    expect(Array.from(columnValues(last.doc.columns[1] as never) as BigInt64Array)).toEqual([2n, 7n]);
  });

  it("keeps call order for pages asked for without waiting, exchanges held between them included", async () => {
    const seen: RunDocument[] = [];
    const router = new DocumentRouter({
      timebase: createBenchClock("manual", ANCHOR),
      sinks: [boundedSink("list", (document) => void seen.push(document))],
    });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [{ key: "x", source: "t", dtype: "float64" }]);
    const pages: Promise<void>[] = [];
    for (let p = 0; p < 5; p++) {
      run.exchange({ instrument: "smu1", time: p, duration: 0, sent: `:SOUR:VOLT ${p}` });
      pages.push(stream.page(Float64Array.of(p), { x: Float64Array.of(p) }));
    }
    await Promise.all(pages);
    await run.stop("success");
    const order = seen
      .filter((d) => d.kind === "page")
      .map((d) =>
        d.kind === "page"
          ? `${d.doc.descriptorUid === stream.descriptorUid ? "x" : "e"}${d.doc.firstEvent}`
          : "",
      );
    expect(order).toEqual(["e0", "x0", "e1", "x1", "e2", "x2", "e3", "x3", "e4", "x4"]);
  });

  it("gives the same documents, byte for byte, for the same plan on the manual clock with the same seed", async () => {
    const record = async () => {
      const frames: string[] = [];
      const sink = boundedSink("wire", (document) => {
        frames.push(Buffer.from(encodeDocument(document)).toString("hex"));
      });
      const router = new DocumentRouter({
        timebase: createBenchClock("manual", ANCHOR),
        sinks: [sink],
        uid: seededUids(42),
        hostname: "bench-1",
      });
      const run = await smallPlan(router);
      await run.stop("success");
      return frames;
    };
    const first = await record();
    const second = await record();
    expect(first.length).toBe(10);
    expect(second).toEqual(first);
    // And every frame decodes back to a document of its kind, 64-bit fields as numbers (not Long objects).
    const decoded = first.map((hex) => decodeDocument(Buffer.from(hex, "hex")));
    expect(decoded.map((d) => d.kind)).toEqual([
      "runStart",
      "descriptor",
      "descriptor",
      "page",
      "page",
      "page",
      "page",
      "page",
      "page",
      "runStop",
    ]);
    expect(decoded.map((d) => d.doc.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const stop = decoded[9];
    if (stop?.kind !== "runStop") throw new Error("no RunStop");
    expect(stop.doc.numEvents).toEqual({ primary: 6, [EXCHANGE_STREAM]: 3 });
  });

  it("holds the plan's next page while the store's backlog is full, and reports the wait", async () => {
    const { sink: store } = gatedStore(3);
    const reports: string[] = [];
    const router = new DocumentRouter({
      timebase: createBenchClock("manual", ANCHOR),
      lossless: [store],
      onReport: (report) => reports.push(report.kind),
    });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [{ key: "x", source: "t", dtype: "float64" }]);
    await stream.page(Float64Array.of(0), { x: Float64Array.of(1) });
    expect(store.backlog).toBe(3);
    let through = false;
    const held = stream.page(Float64Array.of(1), { x: Float64Array.of(2) }).then(() => {
      through = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(through).toBe(false);
    store.commitAll();
    await held;
    expect(through).toBe(true);
    expect(reports).toContain("wait");
    const stopping = run.stop("success");
    await new Promise((resolve) => setImmediate(resolve));
    store.commitAll();
    const outcome = await stopping;
    expect(outcome.waits.count).toBeGreaterThanOrEqual(1);
    expect(outcome.waits.seconds).toBeGreaterThan(0.015);
  });

  it("lets a slow lossy sink drop pages, counts them and reports them, without holding the plan", async () => {
    let handled = 0;
    const slow = boundedSink(
      "slow",
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            handled += 1;
            resolve();
          }, 5),
        ),
      { capacity: 2 },
    );
    const reports: Array<{ sink: string; dropped: number }> = [];
    const router = new DocumentRouter({
      timebase: createBenchClock("manual", ANCHOR),
      sinks: [slow],
      onReport: (report) => {
        if (report.kind === "drop") reports.push({ sink: report.sink, dropped: report.dropped });
      },
    });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [{ key: "x", source: "t", dtype: "float64" }]);
    for (let p = 0; p < 20; p++) await stream.page(Float64Array.of(p), { x: Float64Array.of(p) });
    // The plan's 20 pages went out while the sink had handled next to none of them: it never waited on it.
    expect(handled).toBeLessThanOrEqual(1);
    const outcome = await run.stop("success");
    expect(outcome.dropped.slow).toBe(18);
    expect(reports.at(-1)).toEqual({ sink: "slow", dropped: 18 });
  });

  it("stops the plan at its next step once the store has failed, and the run's stop rejects with the store's error", async () => {
    const failing: LosslessSink = {
      name: "store",
      write: (document) =>
        document.kind === "page" ? Promise.reject(new Error("database or disk is full")) : Promise.resolve(),
      ready: () => undefined,
    };
    const router = new DocumentRouter({ timebase: createBenchClock("manual", ANCHOR), lossless: [failing] });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [{ key: "x", source: "t", dtype: "float64" }]);
    await stream.page(Float64Array.of(0), { x: Float64Array.of(1) });
    await new Promise((resolve) => setImmediate(resolve));
    await expect(stream.page(Float64Array.of(1), { x: Float64Array.of(2) })).rejects.toThrow(/disk is full/);
    await expect(run.stop("fail", "store full")).rejects.toThrow(/disk is full/);
  });

  it("refuses a page whose columns do not match the stream, naming the key", async () => {
    const router = new DocumentRouter({ timebase: createBenchClock("manual", ANCHOR) });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [
      { key: "x", source: "t", dtype: "float64" },
      { key: "n", source: "t", dtype: "int64" },
    ]);
    const time = Float64Array.of(0, 1);
    await expect(stream.page(time, { x: Float64Array.of(1, 2) })).rejects.toThrow(
      /data key "n": the page has no column/,
    );
    await expect(stream.page(time, { x: Float64Array.of(1), n: BigInt64Array.of(1n, 2n) })).rejects.toThrow(
      /data key "x": 1 values for 2 events/,
    );
    await expect(stream.page(time, { x: Float64Array.of(1, 2), n: Float64Array.of(1, 2) })).rejects.toThrow(
      /an int64 column was given Float64Array/,
    );
    await expect(
      stream.page(time, { x: Float64Array.of(1, 2), n: BigInt64Array.of(1n, 2n), y: Float64Array.of(0, 0) }),
    ).rejects.toThrow(/no data key "y"/);
  });

  it("writes today's run files from the documents: run.json, data.csv with units, commands.jsonl", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-csv-"));
    const csv = csvSink(dir, { names: { "smu1-voltage": "voltage" } });
    const router = new DocumentRouter({ timebase: createBenchClock("manual", ANCHOR), sinks: [csv] });
    const run = await smallPlan(router);
    await run.stop("abort", "SIGINT");
    const lines = readFileSync(csv.dataPath, "utf8").trimEnd().split("\n");
    expect(lines).toEqual([
      "time_s,voltage_V,smu1-status",
      "0,0,0",
      "1,0.05,7",
      "2,0.1,1",
      "3,0.15000000000000002,7",
      "4,0.2,2",
      "5,0.25,7",
    ]);
    const runFile = JSON.parse(readFileSync(csv.runPath, "utf8"));
    expect(runFile.start).toMatchObject({
      uid: run.uid,
      plan: "demo",
      arguments: { points: 6 },
      chip: "demo-chip",
    });
    expect(runFile.stop).toMatchObject({
      status: "abort",
      reason: "SIGINT",
      rows: 6,
      events: { primary: 6 },
    });
    const exchanges = readFileSync(csv.commandsPath, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(exchanges).toEqual(
      [0, 1, 2].map((p) => ({
        at: p,
        duration_s: 0.01,
        instrument: "smu1",
        sent: ":READ?",
        reply: `+${p}.0`,
      })),
    );
  });

  it("writes data.csv with exact doubles (the shortest text that reads back) and NaN as an empty field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-csv-"));
    const csv = csvSink(dir);
    const router = new DocumentRouter({ timebase: createBenchClock("manual", ANCHOR), sinks: [csv] });
    const run = await router.startRun({ plan: "demo" });
    const stream = await run.stream("primary", [
      { key: "current", source: "smu1", unit: "A", dtype: "float64" },
    ]);
    await stream.page(Float64Array.of(0, 0.1), { current: Float64Array.of(1 / 3, Number.NaN) });
    await stream.page(Float64Array.of(0.2), { current: Float64Array.of(-2.5e-9) });
    await run.stop("success");
    const lines = readFileSync(csv.dataPath, "utf8").trimEnd().split("\n");
    expect(lines).toEqual(["time_s,current_A", "0,0.3333333333333333", "0.1,", "0.2,-2.5e-9"]);
    expect(Number(lines[1]?.split(",")[1])).toBe(1 / 3);
  });
});
