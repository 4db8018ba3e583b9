/**
 * The I-V job: what a bench scientist does first with a memristor and a
 * source-measure unit. Opens a bench of one SMU (a real one at a resource,
 * or the embedded virtual bench's 2400 on the demo chip's standalone
 * memristor), runs the I-V plan (src/plans/iv.ts) on it, streams the
 * readings batch by batch through the memristor twin, records everything,
 * and sums up what was seen.
 *
 * Every exit makes the instrument safe: after success, an error or an
 * abort (`signal`, which the CLI fires on SIGINT and SIGTERM), the bench is
 * closed in its one order (the source ramped to zero and the output turned
 * off), `run.json` says how the run ended, and every row already written
 * stays. A failure of that clean-up is never swallowed: it is thrown,
 * after the primary error if there was one.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { lastValueFrom, map, tap, toArray } from "rxjs";
import { KNOWN_BENCH_DRIVERS } from "../bench/drivers.js";
import { serveEmbeddedBench } from "../bench/embedded.js";
import { type BenchInstrumentEntry, loadBenchFile } from "../bench/file.js";
import { openBench } from "../bench/open.js";
import { Scope } from "../bench/scope.js";
import { MAX_DURATION_MS, MIN_TIMEOUT_MS } from "../drivers/durations.js";
import { resolveSafetyLimits, type SafetyLimitsInput } from "../drivers/instruments/safety.js";
import type { Identity } from "../drivers/scpi/identity.js";
import type { ChipParams } from "../models/chip/index.js";
import type { MemristorModel } from "../models/memristor/index.js";
import { memristorModels } from "../models/memristor/registry.js";
import { checkParameters } from "../models/parameters.js";
import { wallSeconds } from "../sync/clock.js";
import { type HysteresisSummary, hysteresis } from "../sync/hysteresis.js";
import { ivFrame } from "../sync/iv-frame.js";
import { memristorTwin, type TwinFrame } from "../sync/memristor-twin.js";
import { hostTimebase, type Timebase } from "../sync/timebase.js";
import { ivPlan, type SweepMode } from "./iv.js";
import {
  modelDocument,
  Recording,
  type RecordingOptions,
  type RunRecord,
  snapshotDocument,
} from "./records.js";
import { abortReason, endRecordedRun, JobOptionError, prepareRunFolder } from "./run-files.js";
import { streamPlan } from "./stream.js";
import { svgPlot } from "./svg-plot.js";

export interface IvJobOptions extends RecordingOptions {
  /** VISA resource of a real 2400; absent (and no `bench`): the embedded virtual one. */
  readonly resource?: string;
  /**
   * A bench file to run on instead of a resource: the plan runs on its
   * source-meter `instrument` (default: its first), with the file's limits
   * and on host time (`pms virtual --bench` writes one).
   */
  readonly bench?: string;
  /** The bench file's source-meter to use. */
  readonly instrument?: string;
  /** Peak voltage of the triangle, V. */
  readonly amplitude: number;
  /** Levels per cycle (a multiple of 4, large enough that each step is within the step limit). */
  readonly pointsPerCycle: number;
  readonly cycles: number;
  /** Current compliance, A (more than 0, at most the current limit and the 2400's 1.05 A). */
  readonly compliance: number;
  /** Integration time, power-line cycles (0.01 to 10). */
  readonly nplc: number;
  /** Source delay before each reading, s (0 to 999.9999). */
  readonly sourceDelay: number;
  /** Id of the model to compare with (see memristorModels). */
  readonly model: string;
  /** Parameters that differ from the model's defaults (e.g. a calibration's), SI units. */
  readonly params?: Readonly<Record<string, number>>;
  /** Safety limits of the device under test, merged over the defaults. */
  readonly limits: SafetyLimitsInput;
  /** Folder for the run's files. */
  readonly outDir: string;
  /** Reply timeout of ordinary commands, ms (1 to 2^31 − 1). */
  readonly timeoutMs: number;
  /** Seed of the virtual instrument's noise. */
  readonly seed: number;
  /**
   * The embedded virtual bench's chip parameters (default: the demo chip's
   * hidden truth): what a calibration study draws its devices from.
   * Refused with a resource or a bench file, whose device is what it is.
   */
  readonly virtualChip?: ChipParams;
  /**
   * Aborting stops the sweep at its next checkpoint (between list sweeps,
   * or between levels in fixed mode; an exchange under way is never cut),
   * makes the instrument safe and rejects with {@link RunInterruptedError}.
   */
  readonly signal?: AbortSignal;
  /** Told what the job is doing, as it changes ("ramping the source to 0 V and turning the output off"). */
  readonly onStage?: (stage: string) => void;
}

export interface IvJobResult {
  readonly resource: string;
  readonly virtual: boolean;
  /** The source-meter, as the bench names it ("smu1" on the embedded bench). */
  readonly instrument: string;
  /** "manufacturer model (serial …)", and what *IDN? said, field by field (a model card keeps them). */
  readonly identity: string;
  readonly identification: Identity;
  readonly mode: SweepMode;
  readonly points: number;
  /** Batches the readings came in (list sweeps, or groups of fixed-mode levels). */
  readonly chunks: number;
  /** Readings whose status word has the compliance bit set. */
  readonly inCompliance: number;
  readonly hysteresis: HysteresisSummary;
  /** Hysteresis seen: branches differ by more than 5 % of the largest current. */
  readonly hysteresisSeen: boolean;
  readonly rmsResidual: number;
  readonly rmsCurrent: number;
  readonly files: {
    readonly dir: string;
    readonly data: string;
    readonly run: string;
    readonly commands: string;
    readonly plot: string;
  };
  /** Where the run is kept: its uid in the store at `store` (a URI). */
  readonly record: RunRecord;
  /** Each reading's time, s on the run's timebase (the bench clock on the virtual bench). */
  readonly time: Float64Array;
  readonly voltage: Float64Array;
  readonly current: Float64Array;
  readonly predicted: Float64Array;
}

export type { SweepMode } from "./iv.js";

/** Most levels one 2400 source list holds (manual §18 :SOURce:LIST): a half cycle up to it runs in the list engine. */
export const LIST_ENGINE_POINTS = 100;

const HYSTERESIS_THRESHOLD = 0.05;

/** An option the job refuses, before anything is started or sent (see {@link JobOptionError}). */
export class IvOptionError extends JobOptionError {
  constructor(option: string, explain: (nameOf: (option: string) => string) => string) {
    super(option, explain);
    this.name = "IvOptionError";
  }
}

/** The run stopped at a checkpoint because its signal was aborted; the instrument was made safe. */
export class RunInterruptedError extends Error {
  constructor(
    readonly reason: string,
    readonly rows: number,
  ) {
    super(`interrupted (${reason}) after ${rows} rows; source ramped to 0 V and output turned off`);
    this.name = "RunInterruptedError";
  }
}

/** Smallest levels per cycle whose steps stay within `maxStep` at `amplitude` (a multiple of 4). */
export function minimumPointsPerCycle(amplitude: number, maxStep: number): number {
  return Math.max(4, 4 * Math.ceil(amplitude / maxStep - 1e-9));
}

/** Refuses, with {@link IvOptionError}, what cannot run; nothing is touched. */
export function checkIvJobOptions(options: IvJobOptions): void {
  const limits = resolveSafetyLimits(options.limits);
  const fail = (option: string, explain: (nameOf: (option: string) => string) => string): never => {
    throw new IvOptionError(option, explain);
  };
  const { amplitude, pointsPerCycle: n, cycles, compliance } = options;
  if (options.virtualChip !== undefined && (options.resource !== undefined || options.bench !== undefined)) {
    fail(
      "virtualChip",
      () => "a virtual chip's parameters apply to the embedded bench, not to a resource or a bench file",
    );
  }
  if (!(amplitude > 0 && Number.isFinite(amplitude))) {
    fail("amplitude", () => `must be a positive voltage, V; got ${amplitude}`);
  }
  if (!Number.isInteger(cycles) || cycles < 1)
    fail("cycles", () => `must be a positive integer; got ${cycles}`);
  const least = minimumPointsPerCycle(amplitude, limits.maxVoltageStep);
  if (!Number.isInteger(n) || n < 4 || n % 4 !== 0 || n < least) {
    fail(
      "pointsPerCycle",
      (name) =>
        `must be a multiple of 4 (the triangle's ±${name("amplitude")} and 0 are levels), and at least ${least} ` +
        `so that each step (4 × ${amplitude} V / points) stays within ${name("limits.maxVoltageStep")} ` +
        `(${limits.maxVoltageStep} V); got ${n}`,
    );
  }
  const largestCompliance = Math.min(1.05, limits.maxAbsCurrent);
  if (!(compliance >= 1e-9 && compliance <= largestCompliance)) {
    fail(
      "compliance",
      (name) =>
        `must be a current from 1e-9 to ${largestCompliance} A (the smaller of the 2400's 1.05 A and ` +
        `${name("limits.maxAbsCurrent")}); got ${compliance}`,
    );
  }
  if (!(options.nplc >= 0.01 && options.nplc <= 10)) {
    fail("nplc", () => `must be from 0.01 to 10 power-line cycles; got ${options.nplc}`);
  }
  if (!(options.sourceDelay >= 0 && options.sourceDelay <= 999.9999)) {
    fail("sourceDelay", () => `must be from 0 to 999.9999 s; got ${options.sourceDelay}`);
  }
  if (
    !(
      Number.isInteger(options.timeoutMs) &&
      options.timeoutMs >= MIN_TIMEOUT_MS &&
      options.timeoutMs <= MAX_DURATION_MS
    )
  ) {
    fail(
      "timeoutMs",
      () => `must be a whole number of milliseconds from 1 to ${MAX_DURATION_MS}; got ${options.timeoutMs}`,
    );
  }
}

/** Runs the job; `progress` hears after every batch how many points are in. */
export async function runIvJob(
  options: IvJobOptions,
  progress: (done: number, total: number) => void = () => {},
): Promise<IvJobResult> {
  const model = memristorModels[options.model];
  if (!model) {
    throw new RangeError(
      `unknown model "${options.model}"; known: ${Object.keys(memristorModels).join(", ")}`,
    );
  }
  const params = modelParameters(model, options.params ?? {});
  const chosen = options.bench ? await chooseSourceMeter(options) : undefined;
  // With a bench file, its limits are the ones that hold.
  checkIvJobOptions(chosen ? { ...options, limits: chosen.entry.limits } : options);
  prepareRunFolder(
    options.outDir,
    (reason) =>
      new IvOptionError("outDir", () => `cannot write the run folder ${options.outDir} (${reason})`),
  );
  const stage = options.onStage ?? (() => {});
  const signal = options.signal;
  const scope = new Scope();
  const name = chosen?.entry.name ?? "smu1";
  // The store first: one that cannot be written stops the job before any instrument is touched.
  const recording = await Recording.open(options, {
    benchStore: chosen?.store,
    dir: options.outDir,
    // data.csv keeps its column names: voltage_V, current_A, predicted_current_A, residual_A.
    csv: { names: { [`${name}-voltage`]: "voltage", [`${name}-current`]: "current" } },
  });
  let primary: unknown;
  let result: IvJobResult | undefined;
  try {
    stage("starting");
    // The embedded bench: the demo chip on the event clock, the 2400 on its standalone memristor.
    const bench =
      options.resource || chosen
        ? undefined
        : await serveEmbeddedBench({
            clock: "event",
            ...(options.virtualChip !== undefined && { params: options.virtualChip }),
            instruments: { smu1: { model: "keithley2400", port: "memristor", seed: options.seed } },
            clockControl: false,
          });
    if (bench) scope.defer("the embedded virtual bench", () => bench.close());
    const resource = chosen?.entry.resource ?? options.resource ?? bench?.file.instruments.smu1?.resource;
    if (!resource) throw new Error("the virtual instrument did not report a TCP resource");
    // The run's one timebase: the bench clock on the virtual bench, host-monotonic time on hardware.
    const timebase: Timebase = bench?.clock ?? hostTimebase();
    checkpoint(signal, 0);
    stage(`connecting to ${resource}`);
    const smuBench = await openBench(
      {
        instruments: {
          [name]: {
            driver: chosen?.entry.driver ?? "keithley2400",
            resource,
            timeoutMs: chosen?.entry.timeoutMs ?? options.timeoutMs,
            // A limit left undefined takes the driver's default, as one left out of a bench file does.
            limits:
              chosen?.entry.limits ??
              Object.fromEntries(Object.entries(options.limits).filter(([, value]) => value !== undefined)),
          },
        },
      },
      { timebase, onExchange: recording.onExchange },
    );
    scope.defer(`the bench at ${resource}`, async () => {
      stage(`ramping the source of ${resource} to 0 V and turning its output off`);
      await smuBench.close();
    });
    const smu = smuBench.sourceMeter(name);
    // The run records what the bench was: identities, every setting with its unit, the reading keys.
    const snapshot = await smuBench.snapshot();
    const identity = snapshot.instruments[name]?.identity ?? (await smu.identify());
    const run = await recording.start(timebase, {
      plan: "iv",
      arguments: { ...options, outDir: undefined, store: undefined, signal: undefined, onStage: undefined },
      bench: snapshotDocument(snapshot),
      model: modelDocument(model, params),
      chip: bench ? "demo-chip" : "",
    });
    const keys = primaryKeys(name, model.id);
    const stream = await run.stream("primary", keys);
    checkpoint(signal, 0);
    let page: Promise<void> | undefined;
    const planStream = streamPlan({
      timebase,
      ...(signal && { signal }),
      progress,
      stage,
      // The page the batch became: the plan waits on it, so the store pushes back between sweeps.
      afterEmit: () => page,
    });
    let sequence = 0;
    const twin = lastValueFrom(
      planStream.batches.pipe(
        map((columns) => ivFrame(name, sequence++, columns, wallSeconds())),
        memristorTwin({ model, params }),
        tap((frame) => {
          page = stream.page(frame.voltage.times, frameColumns(name, frame));
          // Awaited by the plan's next step; marked handled here so that one left behind by a plan
          // that failed otherwise is not an unhandled rejection (the run keeps the store's error).
          page.catch(() => undefined);
        }),
        toArray(),
      ),
    );
    const planned = await planStream
      .run((context) => ivPlan(smu, options, context))
      .catch(async (error: unknown) => {
        await twin.catch(() => undefined);
        throw error;
      });
    const frames = await twin;
    await page;
    const rows = run.eventCount("primary");
    if (planned.aborted || rows < planned.total) throw interruption(signal, rows);
    const files = recording.files;
    if (!files) throw new Error("the run's files were not started");
    const summary = summarise(frames, {
      resource,
      virtual: bench !== undefined,
      mode: planned.mode,
      inCompliance: planned.inCompliance,
      instrument: name,
      identity: `${identity.manufacturer} ${identity.model} (serial ${identity.serial})`,
      identification: identity,
      files: { dir: options.outDir, ...files, plot: join(options.outDir, "iv.svg") },
      record: { uid: run.uid, store: recording.storeUri },
    });
    const overridden = Object.keys(options.params ?? {});
    const label = `${model.id}, ${overridden.length ? `${overridden.join(", ")} set` : "default parameters"}`;
    writeFileSync(summary.files.plot, ivPlot(summary, label));
    result = summary;
  } catch (error) {
    primary = error;
  }
  return endRecordedRun({
    job: "I-V job",
    scope,
    stage,
    recording,
    primary,
    result,
    summary: summaryRecord,
    interrupted: (error) => error instanceof RunInterruptedError,
  });
}

/** The primary stream's data keys: the instrument's readings, the model's prediction and the residual. */
function primaryKeys(instrument: string, modelId: string) {
  return [
    {
      key: `${instrument}-voltage`,
      source: instrument,
      unit: "V",
      dtype: "float64",
      doc: "Voltage across the terminals, V.",
    },
    {
      key: `${instrument}-current`,
      source: instrument,
      unit: "A",
      dtype: "float64",
      doc: "Current through the terminals, A.",
    },
    {
      key: "predicted_current",
      source: `model.${modelId}`,
      unit: "A",
      dtype: "float64",
      doc: "The model's current at the measured voltage, A.",
    },
    {
      key: "residual",
      source: "plan",
      unit: "A",
      dtype: "float64",
      doc: "Measured less predicted current, A.",
    },
  ] as const;
}

function frameColumns(instrument: string, frame: TwinFrame): Record<string, Float64Array> {
  return {
    [`${instrument}-voltage`]: frame.voltage.values,
    [`${instrument}-current`]: frame.measured.values,
    predicted_current: frame.predicted.values,
    residual: frame.residual.values,
  };
}

/** The bench file's source-meter the job runs on; IvOptionError where the file has none of that name. */
async function chooseSourceMeter(
  options: IvJobOptions,
): Promise<{ entry: BenchInstrumentEntry; store: string | undefined }> {
  if (options.resource !== undefined) {
    throw new IvOptionError("bench", (name) => `give ${name("resource")} or a bench file, not both`);
  }
  const file = await loadBenchFile(options.bench as string, KNOWN_BENCH_DRIVERS);
  const sourceMeters = Object.values(file.instruments).filter((entry) => entry.kind === "source-meter");
  const entry = options.instrument
    ? sourceMeters.find((candidate) => candidate.name === options.instrument)
    : sourceMeters[0];
  if (!entry) {
    throw new IvOptionError(
      "instrument",
      () =>
        `${options.bench} has no source-meter${options.instrument ? ` "${options.instrument}"` : ""}; ` +
        `its source-meters: ${sourceMeters.map((m) => m.name).join(", ") || "none"}`,
    );
  }
  return { entry, store: file.store };
}

/** Throws {@link RunInterruptedError} if `signal` was aborted: where a pause or an abort takes effect. */
function checkpoint(signal: AbortSignal | undefined, rows: number): void {
  if (signal?.aborted) throw interruption(signal, rows);
}

function interruption(signal: AbortSignal | undefined, rows: number): RunInterruptedError {
  return new RunInterruptedError(abortReason(signal), rows);
}

/** The model's defaults with `overrides` applied; unknown names and out-of-bounds values are refused. */
function modelParameters(
  model: MemristorModel,
  overrides: Readonly<Record<string, number>>,
): Record<string, number> {
  const known = model.parameters.map((spec) => spec.name);
  for (const name of Object.keys(overrides)) {
    if (!known.includes(name)) {
      throw new RangeError(`${model.id} has no parameter "${name}"; its parameters: ${known.join(", ")}`);
    }
  }
  const params = { ...model.defaults, ...overrides };
  checkParameters(model.id, model.parameters, params);
  return params;
}

function summarise(
  frames: readonly TwinFrame[],
  about: Pick<
    IvJobResult,
    | "resource"
    | "virtual"
    | "instrument"
    | "identity"
    | "identification"
    | "files"
    | "inCompliance"
    | "mode"
    | "record"
  >,
): IvJobResult {
  const join = (pick: (frame: TwinFrame) => Float64Array) => {
    const parts = frames.map(pick);
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  };
  const time = join((f) => f.voltage.times);
  const voltage = join((f) => f.voltage.values);
  const current = join((f) => f.measured.values);
  const predicted = join((f) => f.predicted.values);
  const residual = join((f) => f.residual.values);
  const rms = (values: Float64Array) =>
    values.length === 0 ? Number.NaN : Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
  const loop = hysteresis(voltage, current);
  return {
    ...about,
    points: voltage.length,
    chunks: frames.length,
    hysteresis: loop,
    hysteresisSeen: loop.branchSeparation > HYSTERESIS_THRESHOLD,
    rmsResidual: rms(residual),
    rmsCurrent: rms(current),
    time,
    voltage,
    current,
    predicted,
  };
}

/** The loop a person looks at first: measured points over the model's curve, in mA. */
function ivPlot(result: IvJobResult, modelLabel: string): string {
  const mA = (values: Float64Array) => values.map((i) => i * 1e3);
  return svgPlot({
    title: `I-V loop: ${result.identity}${result.virtual ? " (virtual)" : ""}`,
    xLabel: "voltage (V)",
    yLabel: "current (mA)",
    series: [
      { name: "measured", x: result.voltage, y: mA(result.current), color: "#1f77b4", markers: true },
      { name: `model: ${modelLabel}`, x: result.voltage, y: mA(result.predicted), color: "#d62728" },
    ],
  });
}

function summaryRecord(result: IvJobResult): Record<string, unknown> {
  return {
    mode: result.mode,
    points: result.points,
    chunks: result.chunks,
    inCompliance: result.inCompliance,
    hysteresisSeen: result.hysteresisSeen,
    branchSeparation: result.hysteresis.branchSeparation,
    branchSeparationAtVoltage_V: result.hysteresis.atVoltage,
    loopArea_W: result.hysteresis.loopArea,
    rmsResidual_A: result.rmsResidual,
    rmsCurrent_A: result.rmsCurrent,
  };
}
