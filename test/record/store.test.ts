/**
 * The run store (issue 17, "Stores" and "What loses nothing means here"),
 * one suite for both backends, SQLite and PostgreSQL: documents in and back
 * out, group commit and its acknowledgement, push-back, refused documents,
 * queries, leases and the marking of dead runs, a lock held by another
 * writer. What only one backend has: ./sqlite-store.test.ts (its file, its
 * pragmas, a full disk, its pid-based leases) and ./postgres-store.test.ts
 * (its URI, its schema, its session-based leases). Other processes:
 * ./store-durability.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { float64Bytes, int64Bytes } from "../../src/proto/columns.js";
import type { EventPageDocument, RunDocument } from "../../src/record/documents.js";
import {
  DocumentRefusedError,
  RunNotFoundError,
  StoreClosedError,
  StoreLockedError,
  StreamNotFoundError,
} from "../../src/record/store/errors.js";
import { openStore } from "../../src/record/store/open.js";
import { DEAD_RUN_REASON, GROUP_COMMIT_DOCUMENTS } from "../../src/record/store/sqlite.js";
import type { OpenStoreOptions, RunStore } from "../../src/record/store/types.js";
import { postgresBackend, sqliteBackend } from "./support/backends.js";
import {
  current,
  dataKey,
  descriptor,
  eventTime,
  page,
  recorded,
  runStart,
  runStop,
  status,
} from "./support/runs.js";

// Registered before the stores' own clean-up, which therefore runs first (hooks run as a stack).
const backends = [sqliteBackend(), postgresBackend()];

const opened: RunStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
});

async function open(uri: string, options: OpenStoreOptions = {}): Promise<RunStore> {
  const store = await openStore(uri, options);
  opened.push(store);
  return store;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.each(backends)("$name", (backend) => {
  /** Rows of `sql` on a connection of the test's own. */
  const count = async (uri: string, table: string) =>
    Number((await backend.query<{ n: number }>(uri, `SELECT count(*) AS n FROM ${table}`))[0]?.n);

  describe("connection", () => {
    it("lets one writer and other connections' readers work at once", async () => {
      const uri = await backend.fresh();
      const writing = await open(uri);
      const reading = await open(uri, { readonly: true });
      const writer = writing.writer({ groupCommitMs: 5 });
      await writer.write(runStart("run-aaaaaaaa"));
      await writer.write(descriptor("run-aaaaaaaa", "d1"));
      for (let i = 0; i < 5; i++) {
        await writer.write(page("run-aaaaaaaa", "d1", i * 10, 10));
        const table = await (await reading.run("run-aaaaaaaa")).table("primary");
        expect(table.count).toBe((i + 1) * 10);
      }
      expect(() => reading.writer()).toThrow(/opened read-only/);
    });
  });

  describe("documents in and out", () => {
    it("gives back each document as written, and the stream as columns with units", async () => {
      const store = await open(await backend.fresh());
      const start = runStart("run-0123456789", {
        bench: {
          name: "demo",
          file: "",
          clockControl: "",
          takenAt: 0.5,
          instruments: [
            {
              name: "smu1",
              driver: "keithley2400",
              limits: { voltage: 21, current: Number.POSITIVE_INFINITY },
            },
          ],
        },
      });
      const writer = store.writer();
      const documents = [start, descriptor("run-0123456789", "d1"), page("run-0123456789", "d1", 0, 7)];
      documents.push(
        page("run-0123456789", "d1", 7, 5),
        runStop("run-0123456789", "fail", "smu1: compliance"),
      );
      await Promise.all(documents.map((document) => writer.write(document)));

      const run = await store.run("run-0123456789");
      expect(run.start.plan).toBe("iv");
      expect(run.start.metadata).toEqual({ operator: "ada" });
      expect(run.start.bench?.instruments?.[0]?.limits).toEqual({
        voltage: 21,
        current: Number.POSITIVE_INFINITY,
      });
      expect(run.start.model).toBeUndefined();
      expect(run.stop).toMatchObject({ runUid: "run-0123456789", reason: "smu1: compliance", seq: 99 });
      expect(run.summary).toEqual({
        uid: "run-0123456789",
        plan: "iv",
        chip: "demo-chip",
        status: "fail",
        reason: "smu1: compliance",
        startWallTime: 1_800_000_000,
        stopWallTime: 1_800_000_001,
        events: { primary: 12 },
        hostname: "bench-host",
      });
      const [stream] = await run.streams();
      expect(stream).toMatchObject({ name: "primary", descriptorUid: "d1", events: 12, pages: 2 });
      expect(stream?.dataKeys.map((key) => [key.key, key.unit])).toEqual([
        ["smu1-current", "A"],
        ["smu1-status", ""],
        ["note", ""],
      ]);

      const table = await run.table("primary");
      const events = Array.from({ length: 12 }, (_, i) => i);
      expect(table.count).toBe(12);
      expect(Array.from(table.time)).toEqual(events.map(eventTime));
      expect(table.columns.map(({ key, unit, dtype, source }) => ({ key, unit, dtype, source }))).toEqual([
        { key: "smu1-current", unit: "A", dtype: "float64", source: "smu1" },
        { key: "smu1-status", unit: "", dtype: "int64", source: "smu1" },
        { key: "note", unit: "", dtype: "text", source: "smu1" },
      ]);
      expect(table.columns[0]?.values).toEqual(Float64Array.from(events, current));
      expect(table.columns[1]?.values).toEqual(BigInt64Array.from(events, status));
      expect(table.columns[2]?.values).toEqual(events.map((event) => `event ${event}`));

      const pages: EventPageDocument[] = [];
      for await (const stored of run.pages("primary")) pages.push(stored);
      expect(pages.map((stored) => [stored.firstEvent, stored.count])).toEqual([
        [0, 7],
        [7, 5],
      ]);
      const written = documents[3]?.doc as EventPageDocument;
      expect(pages[1]).toMatchObject({
        uid: written.uid,
        seq: written.seq,
        time: written.time,
        wallTime: written.wallTime,
      });
      // Blobs come back as Buffers: compare their bytes.
      const plain = (columns: EventPageDocument["columns"]) =>
        columns.map((column) =>
          "float64" in column
            ? [column.key, Array.from(column.float64)]
            : "int64" in column
              ? [column.key, Array.from(column.int64)]
              : [column.key, column.text.values],
        );
      expect(plain(pages[1]?.columns ?? [])).toEqual(plain(written.columns));
    });

    it("gives back page uids as written, those JSON must escape among them", async () => {
      const store = await open(await backend.fresh());
      const writer = store.writer();
      const uids = [
        'a "quoted" uid',
        "back\\slash",
        "line\nbreak",
        "tab\tand\u0001",
        "plain-uid",
        "ünïcødé 🙂",
      ];
      const pages = uids.map((uid, i) => {
        const document = page("run-escapes", "d1", 3 * i, 3);
        return { ...document, doc: { ...(document.doc as EventPageDocument), uid } } as RunDocument;
      });
      await Promise.all(
        [runStart("run-escapes"), descriptor("run-escapes", "d1"), ...pages].map((d) => writer.write(d)),
      );
      const stored: string[] = [];
      for await (const read of (await store.run("run-escapes")).pages("primary")) stored.push(read.uid);
      expect(stored).toEqual(uids);
    });

    it("keeps a stream of text columns only (the SCPI exchanges' shape), page by page and as columns", async () => {
      const store = await open(await backend.fresh());
      const writer = store.writer();
      const keys = [dataKey("command", "text"), dataKey("reply", "text")];
      const exchanges = (firstEvent: number, count: number): RunDocument => {
        const events = Array.from({ length: count }, (_, i) => firstEvent + i);
        return {
          kind: "page",
          doc: {
            uid: `x-page-${firstEvent}`,
            runUid: "run-text",
            descriptorUid: "x",
            seq: 2 + firstEvent,
            time: eventTime(firstEvent),
            wallTime: 1_800_000_000,
            firstEvent,
            count,
            eventTime: float64Bytes(Float64Array.from(events, eventTime)),
            columns: [
              { key: "command", text: { values: events.map((event) => `:SOUR:VOLT ${event}`) } },
              {
                key: "reply",
                text: { values: events.map((event) => (event % 2 ? "" : `"quoted, ${event}"`)) },
              },
            ],
          },
        };
      };
      const documents = [runStart("run-text"), descriptor("run-text", "x", "exchanges", keys)];
      for (let i = 0; i < 4; i++) documents.push(exchanges(i * 3, 3));
      documents.push(runStop("run-text"));
      await Promise.all(documents.map((document) => writer.write(document)));
      const reader = await store.run("run-text");
      const table = await reader.table("exchanges");
      expect(table.count).toBe(12);
      expect(table.columns.map((column) => column.values)).toEqual([
        Array.from({ length: 12 }, (_, event) => `:SOUR:VOLT ${event}`),
        Array.from({ length: 12 }, (_, event) => (event % 2 ? "" : `"quoted, ${event}"`)),
      ]);
      const pages: EventPageDocument[] = [];
      for await (const stored of reader.pages("exchanges")) pages.push(stored);
      expect(pages.map((stored) => [stored.uid, stored.firstEvent, stored.count])).toEqual([
        ["x-page-0", 0, 3],
        ["x-page-3", 3, 3],
        ["x-page-6", 6, 3],
        ["x-page-9", 9, 3],
      ]);
      expect(pages[2]?.columns).toEqual((exchanges(6, 3).doc as EventPageDocument).columns);
    });

    it("keeps a numeric column as its raw little-endian bytes, as numpy.frombuffer reads it", async () => {
      const uri = await backend.fresh();
      await recorded(await open(uri), "run-bytes-000", 2, 4);
      expect(await backend.columnBytes(uri, "run-bytes-000", "primary", "smu1-current")).toEqual(
        Buffer.from(float64Bytes(Float64Array.from({ length: 8 }, (_, i) => current(i)))),
      );
      // The second numeric column, after the first in SQLite's chunks.
      expect(await backend.columnBytes(uri, "run-bytes-000", "primary", "smu1-status")).toEqual(
        Buffer.from(int64Bytes(BigInt64Array.from({ length: 8 }, (_, i) => status(i)))),
      );
      const [{ start } = { start: "" }] = await backend.query<{ start: string | object }>(
        uri,
        "SELECT start FROM runs",
      );
      // SQLite keeps JSON text, PostgreSQL jsonb (which pg parses).
      expect(typeof start === "string" ? JSON.parse(start) : start).toMatchObject({
        uid: "run-bytes-000",
        plan: "iv",
        chip: "demo-chip",
      });
    });

    it("finds a run by a unique prefix of 8 characters or more, and says why it finds none", async () => {
      const store = await open(await backend.fresh());
      await recorded(store, "abcdef12-one", 1);
      await recorded(store, "abcdef12-two", 1);
      expect((await store.run("abcdef12-o")).uid).toBe("abcdef12-one");
      await expect(store.run("abcdef12")).rejects.toThrow(
        /matches more than one run \(abcdef12-one, abcdef12-two/,
      );
      await expect(store.run("abcdef1")).rejects.toThrow(/at least 8 characters/);
      await expect(store.run("zzzzzzzz-none")).rejects.toBeInstanceOf(RunNotFoundError);
      await expect(store.run("zzzzzzzz-none")).rejects.toThrow(`run store ${store.uri}: run zzzzzzzz-none`);
      await expect(store.run("abcdef1*")).rejects.toBeInstanceOf(RunNotFoundError);
      await expect(store.run("abcdef1%")).rejects.toBeInstanceOf(RunNotFoundError);
    });

    it("lists runs by plan, chip, start time and status", async () => {
      const store = await open(await backend.fresh());
      const writer = store.writer();
      const starts = [
        runStart("run-1", { plan: "iv", chip: "a", wallTime: 100 }),
        runStart("run-2", { plan: "transmission", chip: "a", wallTime: 200 }),
        runStart("run-3", { plan: "iv", chip: "b", wallTime: 300 }),
      ];
      await Promise.all(
        [...starts, runStop("run-1"), runStop("run-2", "abort", "SIGINT")].map((d) => writer.write(d)),
      );
      const uids = async (filter: Parameters<RunStore["runs"]>[0]) =>
        (await store.runs(filter)).map((run) => run.uid);
      expect(await uids({})).toEqual(["run-1", "run-2", "run-3"]);
      expect(await uids({ plan: "iv" })).toEqual(["run-1", "run-3"]);
      expect(await uids({ chip: "a" })).toEqual(["run-1", "run-2"]);
      expect(await uids({ since: 200 })).toEqual(["run-2", "run-3"]);
      expect(await uids({ until: 200 })).toEqual(["run-1"]);
      expect(await uids({ status: "running" })).toEqual(["run-3"]);
      expect(await uids({ status: "abort", chip: "a" })).toEqual(["run-2"]);
      expect((await store.runs({ status: "abort" }))[0]?.reason).toBe("SIGINT");
    });

    it("names the run, the stream and the streams it has when a stream is not there", async () => {
      const store = await open(await backend.fresh());
      await recorded(store, "run-streams", 1);
      const run = await store.run("run-streams");
      await expect(run.table("exchanges")).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(run.table("exchanges")).rejects.toThrow(
        'run run-streams has no stream "exchanges" (its streams: primary)',
      );
      await expect(run.pages("exchanges")[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
        StreamNotFoundError,
      );
    });

    it("reads 10⁵ events of 100-event pages back into columns, each in place", async () => {
      const store = await open(await backend.fresh());
      await recorded(store, "run-large", 1000, 100);
      const table = await (await store.run("run-large")).table("primary");
      expect(table.count).toBe(100_000);
      const values = table.columns[0]?.values as Float64Array;
      for (const event of [0, 99, 100, 54_321, 99_999]) {
        expect(values[event]).toBe(current(event));
        expect(table.time[event]).toBe(eventTime(event));
      }
      expect(values.buffer.byteLength).toBe(800_000);
      let pages = 0;
      for await (const stored of (await store.run("run-large")).pages("primary")) {
        expect(stored.firstEvent).toBe(pages * 100);
        pages++;
      }
      expect(pages).toBe(1000);
    });
  });

  describe("writer", () => {
    it("acknowledges a document only once its transaction has committed, in groups", async () => {
      const uri = await backend.fresh();
      const store = await open(uri);
      const writer = store.writer({ groupCommitMs: 20 });
      expect(store.writer()).toBe(writer);
      expect(() => store.writer({ maxBacklog: 3 })).toThrow(/close it before asking for others/);
      const acknowledged: string[] = [];
      const writes = [
        runStart("run-group"),
        descriptor("run-group", "d1"),
        page("run-group", "d1", 0, 10),
      ].map((document) => writer.write(document).then(() => acknowledged.push(document.kind)));
      expect(writer.backlog).toBe(3);
      await turn();
      // Three documents wait for groupCommitMs: nothing is committed, nothing acknowledged.
      expect(writer.backlog).toBe(3);
      expect(acknowledged).toEqual([]);
      expect(await count(uri, "runs")).toBe(0);
      const started = performance.now();
      await writes[0];
      expect(performance.now() - started).toBeLessThan(1000);
      expect(writer.backlog).toBe(0);
      expect(await backend.storedPages(uri)).toBe(1);
      await Promise.all(writes);
      expect(acknowledged).toEqual(["runStart", "descriptor", "page"]);
    });

    it(`commits at once when ${GROUP_COMMIT_DOCUMENTS} documents are queued, not ${"groupCommitMs"} later`, async () => {
      const store = await open(await backend.fresh());
      const writer = store.writer({ groupCommitMs: 50 });
      await writer.write(runStart("run-batch")); // connected, and the run stored
      // The group's timer frozen from here on: if the documents are acknowledged, the count committed
      // them (no wall-clock bound, which a loaded machine would break).
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        const writes = [writer.write(descriptor("run-batch", "d1"))];
        for (let i = 0; writes.length < GROUP_COMMIT_DOCUMENTS - 1; i++)
          writes.push(writer.write(page("run-batch", "d1", i, 1)));
        await turn();
        // One short of a group: it waits for groupCommitMs.
        expect(writer.backlog).toBe(GROUP_COMMIT_DOCUMENTS - 1);
        writes.push(writer.write(page("run-batch", "d1", GROUP_COMMIT_DOCUMENTS, 1)));
        expect(writer.backlog).toBe(GROUP_COMMIT_DOCUMENTS);
        await Promise.all(writes);
      } finally {
        vi.useRealTimers();
      }
      expect(writer.backlog).toBe(0);
    });

    it("pushes back through ready() while the backlog is full, and lets go once it is committed", async () => {
      const store = await open(await backend.fresh());
      const writer = store.writer({ maxBacklog: 3, groupCommitMs: 10 });
      expect(writer.ready()).toBeUndefined();
      const writes = [
        runStart("run-ready"),
        descriptor("run-ready", "d1"),
        page("run-ready", "d1", 0, 1),
      ].map((d) => writer.write(d));
      const ready = writer.ready();
      expect(ready).toBeInstanceOf(Promise);
      let released = false;
      void ready?.then(() => {
        released = true;
      });
      await writes[0];
      await ready;
      expect(released).toBe(true);
      expect(writer.backlog).toBe(0);
      expect(writer.ready()).toBeUndefined();
    });

    it("flush() commits what is queued; close() flushes and later writes are refused", async () => {
      const uri = await backend.fresh();
      const store = await open(uri);
      const writer = store.writer();
      const write = writer.write(runStart("run-flush"));
      await writer.flush();
      expect(await backend.query(uri, "SELECT uid FROM runs")).toEqual([{ uid: "run-flush" }]);
      await write;
      void writer.write(descriptor("run-flush", "d1"));
      await writer.close();
      expect(await count(uri, "descriptors")).toBe(1);
      await expect(writer.write(runStop("run-flush"))).rejects.toBeInstanceOf(StoreClosedError);
      expect(store.writer()).not.toBe(writer);
    });

    it.each<[string, (run: string) => RunDocument, RegExp]>([
      [
        "a page of a descriptor not stored",
        (run) => page(run, "nope", 20, 5),
        /descriptor nope is not stored/,
      ],
      [
        "a page given twice",
        (run) => page(run, `${run}-d`, 10, 10),
        /events 10–19 overlap those stored \(0–19\)/,
      ],
      ["a page that overlaps", (run) => page(run, `${run}-d`, 15, 10), /overlap those stored/],
      [
        "a page without a column",
        (run) => {
          const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
          return { kind: "page", doc: { ...doc, columns: doc.columns.slice(1) } };
        },
        /has 2 columns; its descriptor has 3 data keys/,
      ],
      [
        "a page whose column is short",
        (run) => {
          const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
          const columns = [{ key: "smu1-current", float64: new Uint8Array(8) }, ...doc.columns.slice(1)];
          return { kind: "page", doc: { ...doc, columns } };
        },
        /column "smu1-current" holds 1 values, not 2/,
      ],
      [
        "a page whose column has another dtype",
        (run) => {
          const doc = page(run, `${run}-d`, 20, 2).doc as EventPageDocument;
          const columns = [{ key: "smu1-current", int64: new Uint8Array(16) }, ...doc.columns.slice(1)];
          return { kind: "page", doc: { ...doc, columns } };
        },
        /holds int64; its data key says float64/,
      ],
      [
        "a descriptor of a run not stored",
        () => descriptor("other-run", "d9"),
        /run other-run is not stored/,
      ],
      ["a second stream of the same name", (run) => descriptor(run, "d2"), /has a stream "primary" already/],
      [
        "a descriptor stored already",
        (run) => descriptor(run, `${run}-d`, "other"),
        /this uid is stored already/,
      ],
      [
        "a document of an unknown kind",
        () => ({ kind: "event", doc: { uid: "e1" } }) as never,
        /"event" is not a kind/,
      ],
      ["a RunStart already stored", (run) => runStart(run), /a run with this uid is stored already/],
      [
        "a descriptor with an unknown dtype",
        (run) => descriptor(run, "d3", "odd", [{ ...dataKey("x", "float64"), dtype: 9 as number }]),
        /dtype 9/,
      ],
      ["a RunStop of a run not stored", () => runStop("other-run"), /its run other-run is not stored/],
      [
        "a RunStart that is not one",
        () => ({ kind: "runStart", doc: { ...runStart("other-run").doc, bench: "smu1" } }) as never,
        /is not a RunStart \(.*bench: object expected\)/,
      ],
      [
        "a RunStart that breaks the store's constraints",
        () => ({ kind: "runStart", doc: { ...runStart("other-run").doc, plan: undefined } }) as never,
        /breaks the store's constraints/,
      ],
      [
        "a RunStop without an exit status",
        (run) => ({ kind: "runStop", doc: { ...runStop(run).doc, exitStatus: 0 } }) as never,
        /exit status 0 is not success, abort or fail/,
      ],
    ])("refuses %s alone: the others of its transaction commit", async (_, make, reason) => {
      const store = await open(await backend.fresh());
      const run = "run-refusals";
      // Short groups: the refused document and the next one are written at once, so share one anyway.
      const writer = store.writer({ groupCommitMs: 5 });
      await recorded(store, run, 2, 10, false);
      const refused = writer.write(make(run));
      const next = writer.write(page(run, `${run}-d`, 20, 10));
      await expect(refused).rejects.toBeInstanceOf(DocumentRefusedError);
      await expect(refused).rejects.toThrow(reason);
      await next;
      const table = await (await store.run(run)).table("primary");
      expect(table.count).toBe(30);
      expect(Array.from(table.time)).toEqual(Array.from({ length: 30 }, (_, i) => eventTime(i)));
      expect((await store.runs()).map((summary) => summary.uid)).toEqual([run]);
    });

    it("refuses a second RunStop, and pages after the RunStop", async () => {
      const store = await open(await backend.fresh());
      await recorded(store, "run-stopped", 1);
      const writer = store.writer();
      await expect(writer.write(runStop("run-stopped", "abort"))).rejects.toThrow(/has a RunStop already/);
      await expect(writer.write(page("run-stopped", "run-stopped-d", 10, 1))).rejects.toThrow(/has ended/);
      expect((await store.run("run-stopped")).summary.status).toBe("success");
    });

    it("refuses what follows a RunStop in the same transaction", async () => {
      const store = await open(await backend.fresh());
      await recorded(store, "run-closing", 1, 10, false);
      const writer = store.writer();
      const stop = writer.write(runStop("run-closing"));
      const late = [page("run-closing", "run-closing-d", 10, 1), descriptor("run-closing", "d2", "late")];
      const refusals = late.map((document) => writer.write(document).catch((e: unknown) => e));
      await stop;
      for (const refusal of await Promise.all(refusals)) {
        expect(refusal).toBeInstanceOf(DocumentRefusedError);
        expect((refusal as Error).message).toMatch(/run run-closing has ended \(its RunStop is stored\)/);
      }
      expect((await store.run("run-closing")).summary).toMatchObject({
        status: "success",
        events: { primary: 10 },
      });
    });

    it.each(["success", "abort", "fail"] as const)(
      "records a RunStop's %s, its reason, and releases the lease",
      async (exit) => {
        const uri = await backend.fresh();
        const store = await open(uri);
        const writer = store.writer();
        await writer.write(runStart("run-exit"));
        expect(await backend.leaseHeld(uri, "run-exit")).toBe(true);
        await writer.write(runStop("run-exit", exit, exit === "success" ? "" : "why"));
        expect((await store.run("run-exit")).summary).toMatchObject({
          status: exit,
          reason: exit === "success" ? "" : "why",
        });
        expect(await backend.leaseHeld(uri, "run-exit")).toBe(false);
      },
    );
  });

  describe("leases", () => {
    it("never marks a live writer's run: another store that may write sees it running", async () => {
      const uri = await backend.fresh();
      const store = await open(uri, { leaseSeconds: 0.1 });
      const writer = store.writer({ groupCommitMs: 5 });
      await recorded(store, "run-live", 1, 10, false);
      await sleep(250); // two lease periods and more: SQLite's writer has renewed it meanwhile
      await writer.write(page("run-live", "run-live-d", 10, 10));
      const other = await open(uri, { leaseSeconds: 0.1 });
      expect((await other.runs())[0]).toMatchObject({ uid: "run-live", status: "running", reason: "" });
      expect((await other.run("run-live")).summary.status).toBe("running");
      expect(await backend.leaseHeld(uri, "run-live")).toBe(true);
      await writer.write(runStop("run-live"));
      expect((await other.run("run-live")).summary.status).toBe("success");
    });

    it("marks a run whose writer has gone abort when it lists runs; a read-only store only reports it so", async () => {
      const uri = await backend.fresh();
      const store = await open(uri, { leaseSeconds: 0.2 });
      const writer = store.writer();
      await writer.write(runStart("run-lapsed"));
      await writer.close(); // no RunStop: SQLite's lease is no longer renewed, PostgreSQL's is let go
      await sleep(300);
      const readonly = await open(uri, { readonly: true });
      expect((await readonly.runs())[0]).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
      expect((await readonly.run("run-lapsed")).summary.status).toBe("abort");
      expect(await backend.query(uri, "SELECT status FROM runs")).toEqual([{ status: "running" }]);
      const reader = await open(uri);
      expect((await reader.run("run-lapsed")).summary).toMatchObject({
        status: "abort",
        reason: DEAD_RUN_REASON,
      });
      expect(await backend.query(uri, "SELECT status, reason FROM runs")).toEqual([
        { status: "abort", reason: DEAD_RUN_REASON },
      ]);
    });

    it("leaves the marking for later when another writer holds the lock, and reports the run dead meanwhile", async () => {
      const uri = await backend.fresh();
      const store = await open(uri, { leaseSeconds: 0.1 });
      await recorded(store, "run-later", 1, 10, false);
      await store.close();
      await sleep(150);
      const release = await backend.lockOut(uri);
      try {
        const reader = await open(uri, { busyTimeoutMs: 50 });
        expect((await reader.runs())[0]).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
      } finally {
        await release();
      }
      expect(await backend.query(uri, "SELECT status FROM runs")).toEqual([{ status: "running" }]);
    });
  });

  describe("failures", () => {
    it("fails the writer with StoreLockedError naming the store when another writer holds the lock", async () => {
      const uri = await backend.fresh();
      const store = await open(uri, { busyTimeoutMs: 100 });
      await recorded(store, "run-locked", 3, 10, false);
      const writer = store.writer();
      const release = await backend.lockOut(uri);
      try {
        const started = performance.now();
        // Both documents of the transaction fail with it, and so does every later one.
        const writes = [30, 40].map((first) => writer.write(page("run-locked", "run-locked-d", first, 10)));
        const [error] = await Promise.all(writes.map((write) => write.catch((e: unknown) => e)));
        expect(error).toBeInstanceOf(StoreLockedError);
        expect(performance.now() - started).toBeGreaterThanOrEqual(90);
        expect((error as Error).message).toBe(
          `run store ${store.uri}: locked by another writer for more than 100 ms ` +
            "(another process writing to the same store?)",
        );
        await expect(writes[1]).rejects.toBe(error);
        await expect(writer.write(runStop("run-locked"))).rejects.toBe(error);
        // Readers go on meanwhile, and see what was committed.
        expect((await (await store.run("run-locked")).table("primary")).count).toBe(30);
      } finally {
        await release();
      }
    });

    it("refuses reads once closed", async () => {
      const store = await open(await backend.fresh());
      await store.close();
      await expect(store.runs()).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.run("anything")).rejects.toThrow(/was closed/);
      expect(() => store.writer()).toThrow(StoreClosedError);
    });
  });
});
