/**
 * The document router (issue 17; DESIGN.md, "Records"): plans emit a run's
 * documents through it (RunStart, one EventDescriptor per stream, columnar
 * EventPages, RunStop) and it hands each to every sink, in one order, with
 * one sequence number per run.
 *
 * Two kinds of sink, because a run store and a chart want different things
 * when they fall behind:
 * - **lossless** (the run store): never drops, so it pushes back. Before a
 *   page is handed on, the router waits for each lossless sink's `ready()`;
 *   the plan awaits the page, so its next step waits — an exchange already
 *   under way with an instrument is never cut, because the wait happens
 *   between the plan's steps, not inside one. Every wait is reported
 *   (`onReport`) and summed in the run's outcome. A page counts as kept
 *   once the sink acknowledges it (its transaction committed); `stop()`
 *   resolves only when every document of the run has been.
 * - **lossy** (CSV, the ZeroMQ publisher, the dashboard): bounded backlogs
 *   that never slow the plan (./sinks.ts). When one falls behind it drops
 *   pages, counts them and reports them; nothing is dropped silently.
 *
 * The router takes its timebase and its uid generator: on the event or
 * manual clock, with `seededUids`, the same plan gives the same documents
 * bit for bit (wall times are the timebase's anchor plus its seconds).
 */
import { hostname as osHostname } from "node:os";
import { float64Bytes, int64Bytes } from "../proto/columns.js";
import type { Timebase } from "../sync/timebase.js";
import {
  type BenchSnapshotDocument,
  type ColumnDocument,
  type ColumnValues,
  type DataKeyDocument,
  type DeviceConfigurationDocument,
  type Dtype,
  dtypeName,
  dtypeValue,
  type EventDescriptorDocument,
  type EventPageDocument,
  type ExitStatus,
  exitStatusValue,
  type ModelInUseDocument,
  type RunDocument,
  type RunStartDocument,
  type RunStopDocument,
} from "./documents.js";
import { randomUid, type UidSource } from "./uid.js";

/** The sink that cannot drop: a run store's writer (src/record/store/types.ts `StoreWriter`). */
export interface LosslessSink {
  readonly name: string;
  /** Resolves once the document is kept (committed); rejects with the sink's error. */
  write(document: RunDocument): Promise<void>;
  /** undefined while it has room; else resolves once it has. */
  ready(): Promise<void> | undefined;
}

/** A sink with a bounded backlog that never slows the plan (./sinks.ts `boundedSink`). */
export interface LossySink {
  readonly name: string;
  /** Takes the document, or drops it and counts it; never blocks. */
  receive(document: RunDocument): void;
  /** Pages dropped so far. */
  readonly dropped: number;
  /** Resolves once everything taken has been handled. */
  drained(): Promise<void>;
}

export type RouterReport =
  | {
      readonly kind: "wait";
      readonly run: string;
      readonly sink: string;
      /** How long the plan was held, s of host time. */
      readonly seconds: number;
    }
  | { readonly kind: "drop"; readonly sink: string; readonly dropped: number }
  | { readonly kind: "sink-error"; readonly sink: string; readonly error: unknown };

export interface DocumentRouterOptions {
  /** The run's timebase: every document's `time`, and its wall time (anchor + seconds). */
  readonly timebase: Pick<Timebase, "now" | "anchor" | "kind">;
  /** Default: random version-4 UUIDs. */
  readonly uid?: UidSource;
  readonly lossless?: readonly LosslessSink[];
  readonly sinks?: readonly LossySink[];
  /** Told of every wait on a lossless sink, every drop and every sink failure. */
  readonly onReport?: (report: RouterReport) => void;
  /** Recorded in each RunStart (default: this host's name and "photon-memristor-sim"). */
  readonly hostname?: string;
  readonly software?: string;
}

/** What a plan says of a run as it starts. */
export interface RunStartFields {
  readonly plan: string;
  /** The plan's arguments, SI; kept as JSON. */
  readonly arguments?: unknown;
  readonly bench?: BenchSnapshotDocument;
  readonly model?: ModelInUseDocument;
  /** The chip under test: what runs are looked up by. */
  readonly chip?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A stream's data key as a plan declares it. */
export interface DataKeySpec {
  readonly key: string;
  readonly source: string;
  /** SI unit symbol; "" (default) for a dimensionless number, a status word or text. */
  readonly unit?: string;
  readonly dtype: Dtype;
  readonly doc?: string;
}

/** One SCPI exchange as the exchange stream keeps it. */
export interface ExchangeFields {
  readonly instrument: string;
  /** When the command was sent, s on the run's timebase. */
  readonly time: number;
  /** s until the reply (or the error). */
  readonly duration: number;
  readonly sent: string;
  /** The reply ("" for a command); a binary reply in base64. */
  readonly reply?: string;
  /** "Name: message" of the error the exchange ended in; "" for none. */
  readonly error?: string;
}

/** How a run went, as the router saw it. */
export interface RunOutcome {
  readonly uid: string;
  readonly status: ExitStatus;
  readonly reason: string;
  /** Events per stream. */
  readonly events: Readonly<Record<string, number>>;
  /** The plan's waits on lossless sinks: how many, and for how long in all (s of host time). */
  readonly waits: { readonly count: number; readonly seconds: number };
  /** Pages each lossy sink dropped (sinks that dropped none are left out). */
  readonly dropped: Readonly<Record<string, number>>;
}

/** The name of the stream that keeps a run's SCPI exchanges. */
export const EXCHANGE_STREAM = "exchanges";

const EXCHANGE_KEYS: readonly DataKeySpec[] = [
  { key: "instrument", source: "router", dtype: "text", doc: "The bench's name of the instrument." },
  { key: "sent", source: "router", dtype: "text", doc: "The program message sent, without its terminator." },
  {
    key: "reply",
    source: "router",
    dtype: "text",
    doc: "The reply (base64 if binary); empty for a command.",
  },
  { key: "error", source: "router", dtype: "text", doc: "The error the exchange ended in; empty for none." },
  { key: "duration", source: "router", unit: "s", dtype: "float64", doc: "From sending to the reply, s." },
];

/** Exchanges held before they are written as a page of their own without waiting for the plan's next page. */
const EXCHANGES_PER_PAGE = 512;

export class DocumentRouter {
  readonly #options: DocumentRouterOptions;
  readonly #uid: UidSource;
  readonly #sinks: LossySink[];

  constructor(options: DocumentRouterOptions) {
    this.#options = options;
    this.#uid = options.uid ?? randomUid;
    this.#sinks = [...(options.sinks ?? [])];
  }

  /** Adds a lossy sink; it sees the documents of runs started after. */
  subscribe(sink: LossySink): void {
    this.#sinks.push(sink);
  }

  /** Emits a run's RunStart and returns its writer. */
  async startRun(fields: RunStartFields): Promise<RunWriter> {
    const { timebase } = this.#options;
    const run = new RunWriter(
      {
        uid: this.#uid,
        timebase,
        lossless: this.#options.lossless ?? [],
        sinks: [...this.#sinks],
        report: this.#options.onReport ?? (() => {}),
      },
      {
        plan: fields.plan,
        argumentsJson: JSON.stringify(fields.arguments ?? {}),
        ...(fields.bench && { bench: fields.bench }),
        ...(fields.model && { model: fields.model }),
        timebase: {
          kind: timebase.kind,
          anchorHrtimeNs: timebase.anchor.hrtimeNs.toString(),
          anchorWallSeconds: timebase.anchor.wallSeconds,
        },
        chip: fields.chip ?? "",
        metadata: { ...fields.metadata },
        hostname: this.#options.hostname ?? osHostname(),
        software: this.#options.software ?? "photon-memristor-sim",
      },
    );
    await run.begin();
    return run;
  }
}

interface RunContext {
  readonly uid: UidSource;
  readonly timebase: Pick<Timebase, "now" | "anchor">;
  readonly lossless: readonly LosslessSink[];
  readonly sinks: readonly LossySink[];
  readonly report: (report: RouterReport) => void;
}

type StartBody = Omit<RunStartDocument, "uid" | "seq" | "time" | "wallTime">;

/** One run's documents: its streams, its exchanges and its end. */
export class RunWriter {
  readonly uid: string;
  readonly #context: RunContext;
  readonly #start: StartBody;
  #seq = 0;
  readonly #streams = new Map<string, StreamWriter>();
  readonly #events = new Map<string, number>();
  /** Acknowledgements not yet in. */
  readonly #pending = new Set<Promise<void>>();
  /** The first error a lossless sink gave: the run's record is no longer whole, so the plan must stop. */
  #failure: unknown;
  #waits = { count: 0, seconds: 0 };
  #stopped = false;
  #exchanges: ExchangeFields[] = [];
  #exchangeStream: StreamWriter | undefined;
  /** The last emission queued: each waits for the one before, so documents leave in call order. */
  #tail: Promise<void> = Promise.resolve();
  /** Drops already reported, by sink. */
  readonly #reportedDrops = new Map<string, number>();

  constructor(context: RunContext, start: StartBody) {
    this.#context = context;
    this.#start = start;
    this.uid = context.uid();
  }

  /** Emits the RunStart (a RunWriter is made by {@link DocumentRouter.startRun}). */
  async begin(): Promise<void> {
    await this.#enqueue((seq, time, wallTime) => ({
      kind: "runStart",
      doc: { uid: this.uid, seq, time, wallTime, ...this.#start },
    }));
  }

  /** The run's first error from a lossless sink, if any (the plan's next step throws it). */
  get failure(): unknown {
    return this.#failure;
  }

  /**
   * Declares a stream: queues its EventDescriptor (behind every document
   * asked for before) and returns its writer once it is emitted. Names are
   * unique in a run.
   */
  async stream(
    name: string,
    dataKeys: readonly DataKeySpec[],
    configuration: readonly DeviceConfigurationDocument[] = [],
  ): Promise<StreamWriter> {
    const { writer, emitted } = this.#declare(name, dataKeys, configuration);
    await emitted;
    return writer;
  }

  #declare(
    name: string,
    dataKeys: readonly DataKeySpec[],
    configuration: readonly DeviceConfigurationDocument[],
  ): { writer: StreamWriter; emitted: Promise<void> } {
    this.#checkOpen(`declare stream "${name}"`);
    if (this.#streams.has(name)) throw new Error(`run ${this.uid} already has a stream "${name}"`);
    const keys = new Set<string>();
    for (const spec of dataKeys) {
      if (keys.has(spec.key)) throw new Error(`stream "${name}" declares data key "${spec.key}" twice`);
      keys.add(spec.key);
    }
    const uid = this.#context.uid();
    const documentKeys: DataKeyDocument[] = dataKeys.map((spec) => ({
      key: spec.key,
      source: spec.source,
      unit: spec.unit ?? "",
      dtype: dtypeValue(spec.dtype),
      shape: [],
      doc: spec.doc ?? "",
    }));
    const writer = new StreamWriter(this, name, uid, documentKeys);
    this.#streams.set(name, writer);
    this.#events.set(name, 0);
    const emitted = this.#enqueue((seq, time, wallTime) => ({
      kind: "descriptor",
      doc: {
        uid,
        runUid: this.uid,
        seq,
        time,
        wallTime,
        name,
        dataKeys: documentKeys,
        configuration: [...configuration],
      } satisfies EventDescriptorDocument,
    }));
    return { writer, emitted };
  }

  /**
   * Keeps an SCPI exchange in the run's exchange stream. Synchronous (a
   * session's callback cannot wait): exchanges are held and written as a
   * page before the plan's next page, at the end, or every
   * {@link EXCHANGES_PER_PAGE}.
   */
  exchange(exchange: ExchangeFields): void {
    if (this.#stopped) return;
    this.#exchanges.push(exchange);
    if (this.#exchanges.length >= EXCHANGES_PER_PAGE) {
      // Whatever this costs in backlog, the plan's next page waits for it.
      this.flushExchanges().catch(() => undefined);
    }
  }

  /** Writes the exchanges held so far as a page of the exchange stream (queued now, in call order). */
  flushExchanges(): Promise<void> {
    if (this.#exchanges.length === 0) return Promise.resolve();
    const held = this.#exchanges;
    this.#exchanges = [];
    if (this.#exchangeStream === undefined) {
      const declared = this.#declare(EXCHANGE_STREAM, EXCHANGE_KEYS, []);
      // Its failure reaches the caller through the page queued behind it; not an unhandled rejection here.
      declared.emitted.catch(() => undefined);
      this.#exchangeStream = declared.writer;
    }
    return this.#exchangeStream.page(
      Float64Array.from(held, (e) => e.time),
      {
        instrument: held.map((e) => e.instrument),
        sent: held.map((e) => e.sent),
        reply: held.map((e) => e.reply ?? ""),
        error: held.map((e) => e.error ?? ""),
        duration: Float64Array.from(held, (e) => e.duration),
      },
    );
  }

  /**
   * Ends the run: the exchanges held, then the RunStop; resolves once every
   * document of the run is kept by every lossless sink and handled by every
   * lossy one. Rejects with a lossless sink's error if one failed (the lossy
   * sinks still get the RunStop).
   */
  async stop(status: ExitStatus, reason = ""): Promise<RunOutcome> {
    if (this.#stopped) throw new Error(`run ${this.uid} was stopped already`);
    if (this.#failure === undefined) {
      this.flushExchanges().catch((error: unknown) => {
        this.#failure ??= error;
      });
    }
    this.#stopped = true;
    await this.#enqueue(
      (seq, time, wallTime) => ({
        kind: "runStop",
        doc: {
          uid: this.#context.uid(),
          runUid: this.uid,
          seq,
          time,
          wallTime,
          exitStatus: exitStatusValue(status),
          reason,
          numEvents: Object.fromEntries(this.#events),
        } satisfies RunStopDocument,
      }),
      { evenAfterFailure: true },
    );
    await Promise.allSettled([...this.#pending]);
    await Promise.all(this.#context.sinks.map((sink) => sink.drained()));
    this.#reportDrops();
    if (this.#failure !== undefined) throw this.#failure;
    const events = Object.fromEntries(this.#events);
    const dropped: Record<string, number> = {};
    for (const sink of this.#context.sinks) if (sink.dropped > 0) dropped[sink.name] = sink.dropped;
    return { uid: this.uid, status, reason, events, waits: { ...this.#waits }, dropped };
  }

  /** Events written to `stream` so far (0 for a stream it does not have). */
  eventCount(stream: string): number {
    return this.#events.get(stream) ?? 0;
  }

  /** Whether the run was stopped. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Called by a stream's writer: queues one page (the exchanges held so far
   * before it); resolves once it is handed on, after the lossless sinks'
   * push-back.
   */
  emitPage(
    stream: StreamWriter,
    body: (seq: number, time: number, wallTime: number) => EventPageDocument,
  ): Promise<void> {
    this.#checkOpen(`write a page of stream "${stream.name}"`);
    if (stream.name !== EXCHANGE_STREAM && this.#exchanges.length > 0) {
      this.flushExchanges().catch(() => undefined);
    }
    return this.#enqueue((seq, time, wallTime) => ({ kind: "page", doc: body(seq, time, wallTime) }));
  }

  /** A fresh uid from the router's generator (pages take theirs as they are emitted, in order). */
  uidFor(): string {
    return this.#context.uid();
  }

  /** Counts `count` more events of `stream`; returns the first one's index. */
  countEvents(stream: string, count: number): number {
    const first = this.#events.get(stream) ?? 0;
    this.#events.set(stream, first + count);
    return first;
  }

  #checkOpen(what: string): void {
    if (this.#stopped) throw new Error(`cannot ${what}: run ${this.uid} has stopped`);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Queues an emission behind the ones asked for before. */
  #enqueue(
    make: (seq: number, time: number, wallTime: number) => RunDocument,
    options: { evenAfterFailure?: boolean } = {},
  ): Promise<void> {
    const emitted = this.#tail.then(() => this.#emit(make, options));
    this.#tail = emitted.catch(() => undefined);
    return emitted;
  }

  /**
   * Waits for every lossless sink's room, then stamps the document (sequence
   * number and times at the moment it is handed on, so they follow the
   * order sinks see) and hands it to every sink.
   */
  async #emit(
    make: (seq: number, time: number, wallTime: number) => RunDocument,
    { evenAfterFailure = false } = {},
  ): Promise<void> {
    for (const sink of this.#context.lossless) {
      const room = this.#failure === undefined ? sink.ready() : undefined;
      if (room === undefined) continue;
      const waitStarted = performance.now();
      try {
        await room;
      } catch (error) {
        this.#failure ??= error;
      }
      const seconds = (performance.now() - waitStarted) / 1000;
      this.#waits.count += 1;
      this.#waits.seconds += seconds;
      this.#context.report({ kind: "wait", run: this.uid, sink: sink.name, seconds });
    }
    if (this.#failure !== undefined && !evenAfterFailure) throw this.#failure;
    const { timebase } = this.#context;
    const time = timebase.now();
    const document = make(this.#seq++, time, timebase.anchor.wallSeconds + time);
    if (this.#failure === undefined) {
      for (const sink of this.#context.lossless) {
        const ack = sink.write(document).catch((error: unknown) => {
          this.#failure ??= error;
          this.#context.report({ kind: "sink-error", sink: sink.name, error });
        });
        this.#pending.add(ack);
        ack.finally(() => this.#pending.delete(ack));
      }
    }
    for (const sink of this.#context.sinks) sink.receive(document);
    this.#reportDrops();
  }

  #reportDrops(): void {
    for (const sink of this.#context.sinks) {
      if (sink.dropped > (this.#reportedDrops.get(sink.name) ?? 0)) {
        this.#reportedDrops.set(sink.name, sink.dropped);
        this.#context.report({ kind: "drop", sink: sink.name, dropped: sink.dropped });
      }
    }
  }
}

/** One stream of a run: its pages. */
export class StreamWriter {
  constructor(
    readonly run: RunWriter,
    readonly name: string,
    readonly descriptorUid: string,
    readonly dataKeys: readonly DataKeyDocument[],
  ) {}

  /**
   * Emits a page: each event's time (s on the run's timebase) and, for
   * every data key of the stream, a column of as many values, of its dtype
   * (Float64Array, BigInt64Array or strings). Resolves once the lossless
   * sinks had room for it (not once it is kept: `stop()` waits for that);
   * a plan that awaits it lets the store push back. A column missing,
   * unknown, of the wrong type or length is a RangeError naming it.
   */
  async page(time: Float64Array, columns: Readonly<Record<string, ColumnValues>>): Promise<void> {
    const count = time.length;
    const documentColumns = this.dataKeys.map((key) => this.#column(key, columns[key.key], count));
    const unknown = Object.keys(columns).filter((key) => !this.dataKeys.some((k) => k.key === key));
    if (unknown.length > 0) {
      throw new RangeError(
        `stream "${this.name}" has no data key ${unknown.map((k) => `"${k}"`).join(", ")}; ` +
          `its keys: ${this.dataKeys.map((k) => k.key).join(", ")}`,
      );
    }
    // Copies of the caller's arrays: a plan may reuse its buffers once the page is emitted.
    const eventTime = float64Bytes(time.slice());
    await this.run.emitPage(this, (seq, now, wallTime) => ({
      uid: this.run.uidFor(),
      runUid: this.run.uid,
      descriptorUid: this.descriptorUid,
      seq,
      time: now,
      wallTime,
      firstEvent: this.run.countEvents(this.name, count),
      count,
      eventTime,
      columns: documentColumns,
    }));
  }

  #column(key: DataKeyDocument, values: ColumnValues | undefined, count: number): ColumnDocument {
    const where = `stream "${this.name}", data key "${key.key}"`;
    if (values === undefined) throw new RangeError(`${where}: the page has no column for it`);
    if (values.length !== count) {
      throw new RangeError(`${where}: ${values.length} values for ${count} events`);
    }
    const dtype = dtypeName(key.dtype);
    if (dtype === "float64" && values instanceof Float64Array)
      return { key: key.key, float64: float64Bytes(values.slice()) };
    if (dtype === "int64" && values instanceof BigInt64Array)
      return { key: key.key, int64: int64Bytes(values.slice()) };
    if (dtype === "text" && Array.isArray(values)) return { key: key.key, text: { values: [...values] } };
    throw new RangeError(
      `${where}: ${dtype === "int64" ? "an" : "a"} ${dtype} column was given ${values.constructor.name}`,
    );
  }
}
