/**
 * A bench file (or an object of the same shape) → connected, typed
 * instrument handles, a snapshot of them, and one safe close (DESIGN.md,
 * "Bench and plans"; STYLE.md 12).
 *
 * Close order, the same for every plan and every later issue: light
 * sources first (light off, shutter closed), then every source-measure
 * unit ramped to zero with its output off, then every connection closed.
 * Each step runs past the failure of another and every failure is
 * reported; the order holds after a plan's exception too, and the CLI
 * calls it on SIGINT and SIGTERM.
 */

import type { ConfigurationValue, DataKey } from "../drivers/instruments/source-meter.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import { describeTimebase, hostTimebase, instrumentTimeMapper, type Timebase } from "../sync/timebase.js";
import { connectClockControl } from "../virtual/clock/control-client.js";
import { type BenchDriverKind, KNOWN_BENCH_DRIVERS } from "./drivers.js";
import { type BenchFile, checkBenchObject, loadBenchFile } from "./file.js";
import {
  BENCH_DRIVERS,
  type BenchHandle,
  type LaserHandle,
  type PowerMeterHandle,
  type SourceMeterHandle,
} from "./registry.js";
import type { BenchInstrumentEntry } from "./schema.js";

export interface OpenBenchOptions {
  /**
   * The run's timebase, given to every session and plan: the bench clock of
   * a virtual bench in this process (event or manual), otherwise
   * host-monotonic time (the default: the wall clock and hardware).
   */
  readonly timebase?: Timebase;
  /** Every SCPI exchange of every instrument, with its name (for a command log). */
  readonly onExchange?: (instrument: string, exchange: ScpiExchange) => void;
  /**
   * How the fibres are moved on a bench without a positioner of its own:
   * asks the person at the bench to move them over `path` and resolves once
   * they say it is done (the CLI prompts on the terminal). Without it, a
   * move on such a bench is refused.
   */
  readonly askPerson?: (message: string) => Promise<void>;
}

/** An instrument that could not be opened: which one of the bench, at which resource, and why. */
export class BenchOpenError extends Error {
  constructor(
    readonly instrument: string,
    readonly resource: string,
    readonly file: string | undefined,
    options: { cause: unknown },
    /** What making the instruments opened before it safe could not do (a BenchCloseError), if anything. */
    readonly closeError?: unknown,
  ) {
    const cause = options.cause instanceof Error ? options.cause.message : String(options.cause);
    const closing =
      closeError === undefined
        ? "the instruments opened before it were made safe and closed"
        : `then ${closeError instanceof Error ? closeError.message : String(closeError)}`;
    super(
      `${file ? `${file}: ` : ""}instrument "${instrument}" at ${resource} could not be opened: ${cause} (${closing})`,
      options,
    );
    this.name = "BenchOpenError";
  }
}

/** What closing the bench could not do, instrument by instrument; everything else was done. */
export class BenchCloseError extends AggregateError {
  constructor(readonly failures: readonly { instrument: string; action: string; error: unknown }[]) {
    super(
      failures.map((f) => f.error),
      `closing the bench: ${failures
        .map(
          (f) =>
            `${f.instrument}: ${f.action} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
        )
        .join("; ")}`,
    );
    this.name = "BenchCloseError";
  }
}

/** One instrument as the snapshot records it. */
export interface InstrumentSnapshot {
  readonly driver: string;
  readonly kind: BenchDriverKind;
  readonly resource: string;
  readonly connects?: string;
  /** The limits the bench file set (the driver's defaults apply to the rest). */
  readonly limits: Readonly<Record<string, number>>;
  readonly identity: { manufacturer: string; model: string; serial: string; firmware: string };
  /** Each reading's data key, named `<instrument>-<reading>`. */
  readonly readings: Readonly<Record<string, DataKey>>;
  /** Every setting with its unit, read from the instrument. */
  readonly configuration: Readonly<Record<string, ConfigurationValue>>;
}

export interface BenchSnapshot {
  readonly name?: string;
  readonly file?: string;
  readonly clock?: { readonly control: string };
  readonly timebase: ReturnType<typeof describeTimebase>;
  /** On the run's timebase, s. */
  readonly takenAt: number;
  readonly instruments: Readonly<Record<string, InstrumentSnapshot>>;
}

export interface Bench {
  readonly name?: string;
  /** The bench file it was opened from. */
  readonly file?: string;
  readonly timebase: Timebase;
  readonly entries: Readonly<Record<string, BenchInstrumentEntry>>;
  /** Every handle, by the bench file's names. */
  readonly instruments: Readonly<Record<string, BenchHandle>>;
  /** The source-measure unit named `name`; a clear error if the bench has none by that name. */
  sourceMeter(name: string): SourceMeterHandle;
  /** The tunable laser named `name` (the only one when omitted); a clear error otherwise. */
  laser(name?: string): LaserHandle;
  /** The power meter named `name` (the only one when omitted); a clear error otherwise. */
  powerMeter(name?: string): PowerMeterHandle;
  /**
   * Moves the fibre array over optical path `path` of the chip ("ring",
   * "reference"): on a virtual bench through its control endpoint; on a
   * real one by asking the person at the bench ({@link OpenBenchOptions.askPerson}).
   * Resolves once they are there.
   */
  moveFibres(path: string): Promise<void>;
  /** The optical path the fibres were last moved over (undefined: never moved by this bench). */
  readonly fibrePath: string | undefined;
  /**
   * Places instrument `name`'s own timestamps (the 2400's TIME, the 2450's
   * RELative time) on the run's timebase, batch by batch as they arrive
   * (src/sync/timebase.ts `instrumentTimeMapper`, one per instrument: the
   * offset from the first batch's arrival, re-anchored when the
   * instrument's clock goes back). On a virtual bench each instrument clock
   * is the bench clock less a constant, and a reading's reply leaves at the
   * reading's end, so a single reading maps exactly.
   */
  toRunTime(name: string, instrumentTimes: ArrayLike<number>): Float64Array;
  /** Identities and every setting with its unit, read through the drivers. */
  snapshot(): Promise<BenchSnapshot>;
  /** Makes everything safe in the bench's one order and closes every connection; idempotent. */
  close(): Promise<void>;
}

/** In which order kinds are made safe: light first, then sources. */
const SAFE_ORDER: readonly BenchDriverKind[] = ["tunable-laser", "source-meter", "power-meter"];

/**
 * Opens every instrument of a bench file (a path) or of a bench object
 * (checked like a file, its errors naming the field path), in the file's
 * order. An instrument that cannot be opened makes those opened before it
 * safe, closes them, and throws a {@link BenchOpenError} naming it.
 */
export async function openBench(
  source: string | BenchFile | object,
  options: OpenBenchOptions = {},
): Promise<Bench> {
  const file =
    typeof source === "string"
      ? await loadBenchFile(source, KNOWN_BENCH_DRIVERS)
      : checkBenchObject(withoutDerived(source), { registry: KNOWN_BENCH_DRIVERS, where: "bench object" });
  const timebase = options.timebase ?? hostTimebase();
  const handles: Record<string, BenchHandle> = {};
  const opened: BenchInstrumentEntry[] = [];
  for (const entry of Object.values(file.instruments)) {
    const driver = BENCH_DRIVERS[entry.driver];
    try {
      if (!driver) throw new Error(`no driver "${entry.driver}"`);
      handles[entry.name] = await driver.connect(entry.resource, {
        limits: entry.limits,
        timebase,
        ...(entry.timeoutMs !== undefined && { timeoutMs: entry.timeoutMs }),
        ...(options.onExchange && { onExchange: (exchange) => options.onExchange?.(entry.name, exchange) }),
      });
      opened.push(entry);
    } catch (error) {
      const closed = await closeInstruments(opened, handles).then(
        () => undefined,
        (closeError: unknown) => closeError,
      );
      throw new BenchOpenError(entry.name, entry.resource, file.source, { cause: error }, closed);
    }
  }
  let closing: Promise<void> | undefined;
  const mappers = new Map<string, ReturnType<typeof instrumentTimeMapper>>();
  const ofKind = <H extends BenchHandle>(kind: BenchDriverKind, name: string | undefined): H => {
    const known = Object.values(file.instruments)
      .filter((e) => e.kind === kind)
      .map((e) => e.name);
    const chosen = name ?? (known.length === 1 ? known[0] : undefined);
    const entry = chosen === undefined ? undefined : file.instruments[chosen];
    if (entry?.kind !== kind) {
      const asked =
        name === undefined ? `single ${kind} to pick (it has ${known.length})` : `${kind} "${name}"`;
      throw new RangeError(`the bench has no ${asked}; its ${kind}s: ${known.join(", ") || "none"}`);
    }
    return handles[entry.name] as H;
  };
  let fibrePath: string | undefined;
  const moveFibres = async (path: string): Promise<void> => {
    if (file.clock) {
      const control = connectClockControl(file.clock.control);
      try {
        await control.moveFibres(path);
      } finally {
        control.close();
      }
    } else if (options.askPerson) {
      await options.askPerson(`Move the fibre array over the "${path}" couplers of the chip, then confirm.`);
    } else {
      throw new Error(
        `the fibres must be moved over the "${path}" couplers, and this bench has no positioner: ` +
          "run interactively (pms asks you to move them) or give openBench an askPerson",
      );
    }
    fibrePath = path;
  };
  return {
    ...(file.name !== undefined && { name: file.name }),
    ...(file.source !== undefined && { file: file.source }),
    timebase,
    entries: file.instruments,
    instruments: handles,
    sourceMeter: (name) => ofKind<SourceMeterHandle>("source-meter", name),
    laser: (name) => ofKind<LaserHandle>("tunable-laser", name),
    powerMeter: (name) => ofKind<PowerMeterHandle>("power-meter", name),
    moveFibres,
    get fibrePath() {
      return fibrePath;
    },
    toRunTime(name, instrumentTimes) {
      if (!(name in handles)) throw new RangeError(`the bench has no instrument "${name}"`);
      let mapper = mappers.get(name);
      if (!mapper) {
        mapper = instrumentTimeMapper();
        mappers.set(name, mapper);
      }
      return mapper(instrumentTimes, timebase.now());
    },
    snapshot: () => snapshotOf(file, handles, timebase),
    close: () => {
      closing ??= closeInstruments(opened, handles);
      return closing;
    },
  };
}

/** A bench object may come from a written file: its derived fields are dropped before the check. */
function withoutDerived(source: object): object {
  const { source: _file, ...rest } = source as BenchFile;
  const instruments = (rest as { instruments?: unknown }).instruments;
  if (instruments === null || typeof instruments !== "object") return rest;
  return {
    ...rest,
    instruments: Object.fromEntries(
      Object.entries(instruments).map(([name, entry]) => {
        if (entry === null || typeof entry !== "object") return [name, entry];
        const { name: _name, kind: _kind, ...fields } = entry as BenchInstrumentEntry;
        return [name, fields];
      }),
    ),
  };
}

/** Safe state in the bench's order (each kind newest first), then every connection closed; every failure reported. */
async function closeInstruments(
  opened: readonly BenchInstrumentEntry[],
  handles: Readonly<Record<string, BenchHandle>>,
): Promise<void> {
  const failures: { instrument: string; action: string; error: unknown }[] = [];
  const newestFirst = [...opened].reverse();
  for (const kind of SAFE_ORDER) {
    for (const entry of newestFirst.filter((e) => e.kind === kind)) {
      const handle = handles[entry.name];
      const driver = BENCH_DRIVERS[entry.driver];
      if (!handle || !driver) continue;
      try {
        await driver.makeSafe(handle);
      } catch (error) {
        failures.push({ instrument: entry.name, action: driver.safeAction, error });
      }
    }
  }
  for (const entry of newestFirst) {
    try {
      await handles[entry.name]?.close();
    } catch (error) {
      failures.push({ instrument: entry.name, action: "closing the connection", error });
    }
  }
  if (failures.length > 0) throw new BenchCloseError(failures);
}

async function snapshotOf(
  file: BenchFile,
  handles: Readonly<Record<string, BenchHandle>>,
  timebase: Timebase,
): Promise<BenchSnapshot> {
  const instruments: Record<string, InstrumentSnapshot> = {};
  for (const entry of Object.values(file.instruments)) {
    const handle = handles[entry.name] as BenchHandle;
    const readings = Object.fromEntries(
      Object.entries(handle.describe()).map(([key, dataKey]) => [`${entry.name}-${key}`, dataKey]),
    );
    instruments[entry.name] = {
      driver: entry.driver,
      kind: entry.kind,
      resource: entry.resource,
      ...(entry.connects !== undefined && { connects: entry.connects }),
      limits: entry.limits,
      identity: await handle.identify(),
      readings,
      configuration: await handle.readConfiguration(),
    };
  }
  return {
    ...(file.name !== undefined && { name: file.name }),
    ...(file.source !== undefined && { file: file.source }),
    ...(file.clock && { clock: file.clock }),
    timebase: describeTimebase(timebase),
    takenAt: timebase.now(),
    instruments,
  };
}

/**
 * Opens the bench, runs `body` on it and closes it whatever happens: after
 * success, and after an exception in `body` (which is rethrown, with a
 * close failure attached as its cause's sibling in an AggregateError).
 */
export async function withBench<T>(
  source: string | BenchFile | object,
  body: (bench: Bench) => Promise<T>,
  options: OpenBenchOptions = {},
): Promise<T> {
  const bench = await openBench(source, options);
  let result: T;
  try {
    result = await body(bench);
  } catch (error) {
    try {
      await bench.close();
    } catch (closeError) {
      throw new AggregateError(
        [error, closeError],
        `${(error as Error).message ?? error}; then ${(closeError as Error).message}`,
      );
    }
    throw error;
  }
  await bench.close();
  return result;
}
