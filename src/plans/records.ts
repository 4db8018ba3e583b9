/**
 * Where a job's run meets the record layer (issue 17): the run store and
 * the run folder's files as the router's sinks, the bench snapshot and the
 * model as RunStart fields, every SCPI exchange into the run's exchange
 * stream (those made before the RunStart, while the bench opened, held and
 * handed on once it is out), a plan's summary as a one-event `summary`
 * stream, and the one way every recorded job ends.
 */
import type { BenchSnapshot } from "../bench/open.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import { type CsvSinkOptions, csvSink } from "../record/csv-sink.js";
import type {
  BenchSnapshotDocument,
  DataKeyDocument,
  Dtype,
  ExitStatus,
  ModelInUseDocument,
  SettingDocument,
} from "../record/documents.js";
import { dtypeValue } from "../record/documents.js";
import {
  DocumentRouter,
  type ExchangeFields,
  type RouterReport,
  type RunOutcome,
  type RunStartFields,
  type RunWriter,
} from "../record/router.js";
import { DEFAULT_STORE, openStore } from "../record/store/open.js";
import type { RunStore } from "../record/store/types.js";
import type { Timebase } from "../sync/timebase.js";

/** Where a job's run is kept, and what keeping it cost the plan. */
export interface RunRecord {
  readonly uid: string;
  /** The store's URI. */
  readonly store: string;
  /** The plan's waits for the store (its backlog full): how many, and for how long in all, s. */
  readonly waits?: { readonly count: number; readonly seconds: number };
  /** Pages each lossy sink (the run folder's CSV files) dropped, by sink; empty when none did. */
  readonly dropped?: Readonly<Record<string, number>>;
}

/** What a recorded job is told of its record (the I-V and optical jobs' options extend it). */
export interface RecordingOptions {
  /** The run store's URI (default: the bench file's `store`, else `sqlite:runs.sqlite` in the working folder; `--store`). */
  readonly store?: string;
  /** Commit so that a power cut loses nothing acknowledged (`synchronous=FULL`; default: the process's death). */
  readonly durable?: boolean;
  /** How long a commit waits for another writer's lock on the store before the run fails, ms (default 5000). */
  readonly storeBusyTimeoutMs?: number;
  /** Told when the plan waits for the store (its backlog full) and when the run folder's files drop pages. */
  readonly onRecordReport?: (report: RouterReport) => void;
}

/** The recording options of `options`, whatever else it holds (a recipe passes these on to each job it runs). */
export function recordingOptionsOf(options: RecordingOptions): RecordingOptions {
  const { store, durable, storeBusyTimeoutMs, onRecordReport } = options;
  return {
    ...(store !== undefined && { store }),
    ...(durable !== undefined && { durable }),
    ...(storeBusyTimeoutMs !== undefined && { storeBusyTimeoutMs }),
    ...(onRecordReport !== undefined && { onRecordReport }),
  };
}

/** A job's record: the store and the run folder, and the run once it has started. */
export class Recording {
  readonly #store: RunStore;
  readonly #dir: string;
  readonly #csv: CsvSinkOptions;
  readonly #onReport: ((report: RouterReport) => void) | undefined;
  #run: RunWriter | undefined;
  #early: ExchangeFields[] = [];
  #files: ReturnType<typeof csvSink> | undefined;

  private constructor(
    store: RunStore,
    dir: string,
    csv: CsvSinkOptions,
    onReport?: (report: RouterReport) => void,
  ) {
    this.#store = store;
    this.#dir = dir;
    this.#csv = csv;
    this.#onReport = onReport;
  }

  /**
   * Opens the store at `uri` (default `sqlite:runs.sqlite` in the working
   * folder): before any instrument is touched, so that a store that cannot
   * be written (not SQLite, a newer schema, locked) stops the job first.
   */
  static async open(
    options: RecordingOptions,
    where: {
      /** The run folder, for the CSV files. */
      readonly dir: string;
      readonly csv?: CsvSinkOptions;
      /** The bench file's store, if it names one: used when `options.store` does not name one. */
      readonly benchStore?: string | undefined;
    },
  ): Promise<Recording> {
    const store = await openStore(options.store ?? where.benchStore ?? DEFAULT_STORE, {
      durable: options.durable === true,
      ...(options.storeBusyTimeoutMs !== undefined && { busyTimeoutMs: options.storeBusyTimeoutMs }),
    });
    return new Recording(store, where.dir, where.csv ?? {}, options.onRecordReport);
  }

  /** The store's URI (where the run is kept). */
  get storeUri(): string {
    return this.#store.uri;
  }

  /** The run, once started. */
  get run(): RunWriter | undefined {
    return this.#run;
  }

  /** The run folder's files. */
  get files(): { readonly data: string; readonly run: string; readonly commands: string } | undefined {
    const files = this.#files;
    return files && { data: files.dataPath, run: files.runPath, commands: files.commandsPath };
  }

  /** Every exchange of the bench's sessions: into the run's exchange stream, held until the run starts. */
  readonly onExchange = (instrument: string, exchange: ScpiExchange): void => {
    const fields = exchangeFields(instrument, exchange);
    if (this.#run) this.#run.exchange(fields);
    else this.#early.push(fields);
  };

  /** Starts the run on `timebase`: the RunStart with `fields`, then the exchanges made so far. */
  async start(timebase: Timebase, fields: RunStartFields): Promise<RunWriter> {
    if (this.#run) throw new Error(`a recording holds one run; ${this.#run.uid} has started`);
    this.#files = csvSink(this.#dir, this.#csv);
    const router = new DocumentRouter({
      timebase,
      lossless: [storeSink(this.#store)],
      sinks: [this.#files],
      ...(this.#onReport && { onReport: this.#onReport }),
    });
    this.#run = await router.startRun(fields);
    for (const exchange of this.#early.splice(0)) this.#run.exchange(exchange);
    return this.#run;
  }

  /**
   * Ends the run (when it started) with `status`, a plan's `summary` first
   * if it has one, then closes the store. Resolves with the run's outcome;
   * what failed on the way (a store that filled up) comes back in `errors`,
   * never thrown past the caller's own clean-up.
   */
  async end(
    status: ExitStatus,
    reason: string,
    summary?: unknown,
  ): Promise<{ outcome?: RunOutcome; errors: unknown[] }> {
    const errors: unknown[] = [];
    let outcome: RunOutcome | undefined;
    const run = this.#run;
    if (run && !run.stopped) {
      try {
        if (summary !== undefined && run.failure === undefined) {
          const stream = await run.stream("summary", [
            {
              key: "summary",
              source: "plan",
              dtype: "text",
              doc: "What the plan concluded, as JSON (SI units).",
            },
          ]);
          await stream.page(Float64Array.of(0), { summary: [JSON.stringify(summary)] });
        }
      } catch (error) {
        errors.push(error);
      }
      try {
        outcome = await run.stop(status, reason);
      } catch (error) {
        errors.push(error);
      }
    }
    try {
      await this.#store.close();
    } catch (error) {
      errors.push(error);
    }
    return { ...(outcome && { outcome }), errors };
  }
}

/** The store's writer as the router's lossless sink. */
function storeSink(store: RunStore) {
  const writer = store.writer();
  return { name: `store ${store.uri}`, write: writer.write.bind(writer), ready: () => writer.ready() };
}

/** One exchange as the exchange stream keeps it (a binary reply in base64, stale replies noted in the error column). */
export function exchangeFields(instrument: string, exchange: ScpiExchange): ExchangeFields {
  const { reply, error } = exchange;
  const stale = exchange.discarded?.length
    ? `stale replies dropped before it: ${JSON.stringify(exchange.discarded)}${exchange.discardedOmitted ? ` and ${exchange.discardedOmitted} more` : ""}`
    : "";
  return {
    instrument,
    time: exchange.time,
    duration: exchange.timebaseDuration,
    sent: exchange.command,
    reply:
      reply === undefined ? "" : typeof reply === "string" ? reply : Buffer.from(reply).toString("base64"),
    error: [error ? `${error.name}: ${error.message}` : "", stale].filter(Boolean).join("; "),
  };
}

const DTYPES: Readonly<Record<string, Dtype>> = {
  number: "float64",
  integer: "int64",
  boolean: "int64",
  string: "text",
  array: "float64",
};

/** The bench snapshot as the RunStart keeps it (proto/record.proto `BenchSnapshot`). */
export function snapshotDocument(snapshot: BenchSnapshot): BenchSnapshotDocument {
  return {
    name: snapshot.name ?? "",
    file: snapshot.file ?? "",
    clockControl: snapshot.clock?.control ?? "",
    takenAt: snapshot.takenAt,
    instruments: Object.entries(snapshot.instruments).map(([name, instrument]) => ({
      name,
      driver: instrument.driver,
      kind: instrument.kind,
      identity: {
        manufacturer: instrument.identity.manufacturer,
        model: instrument.identity.model,
        serialNumber: instrument.identity.serial,
        firmware: instrument.identity.firmware,
        resource: instrument.resource,
      },
      connects: instrument.connects ?? "",
      limits: { ...instrument.limits },
      readings: Object.entries(instrument.readings).map(
        ([key, reading]): DataKeyDocument => ({
          key,
          source: name,
          unit: reading.unit ?? "",
          dtype: dtypeValue(DTYPES[reading.dtype] ?? "text"),
          shape: [...reading.shape],
          doc: reading.doc,
        }),
      ),
      configuration: Object.entries(instrument.configuration).map(([key, setting]) =>
        settingDocument(key, setting.value, setting.unit, setting.doc),
      ),
    })),
  };
}

/** One setting, its value in the oneof field its type takes. */
export function settingDocument(
  key: string,
  value: unknown,
  unit: string | null,
  doc: string,
): SettingDocument {
  const base = { key, unit: unit ?? "", doc };
  if (typeof value === "number") return { ...base, number: value };
  if (typeof value === "string") return { ...base, text: value };
  if (typeof value === "boolean") return { ...base, flag: value };
  return { ...base, json: JSON.stringify(value ?? null) };
}

/** The model in use, its parameters with their units. */
export function modelDocument(
  model: {
    readonly id: string;
    readonly citation: string;
    readonly parameters: readonly { name: string; unit: string }[];
  },
  values: Readonly<Record<string, number>>,
): ModelInUseDocument {
  return {
    id: model.id,
    citation: model.citation,
    parameters: model.parameters.map((spec) => ({
      name: spec.name,
      value: values[spec.name] ?? Number.NaN,
      unit: spec.unit,
    })),
  };
}
