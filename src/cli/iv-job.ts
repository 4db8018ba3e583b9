/**
 * The I-V job: what a bench scientist does first with a memristor and a
 * source-measure unit. Sweeps a bipolar voltage triangle, streams the
 * readings batch by batch through the memristor twin, records everything,
 * and sums up what was seen.
 *
 * How the triangle is run depends on its length. The 2400 returns its
 * source to the bias level (0 V here) after every list sweep, so a half
 * cycle (0 → ±A → 0) is the longest piece one list sweep can run without a
 * jump; with up to 100 levels a half cycle (`pointsPerCycle` ≤ 200) runs in
 * the list engine. Cutting a longer half cycle into several list sweeps
 * cannot avoid a jump (moving the bias between pieces is itself a step of a
 * piece's span), so longer ones are stepped level by level in fixed mode:
 * set, then read, each step checked against the limit.
 *
 * Without a resource it starts the embedded virtual Keithley 2400 on a TCP
 * port of 127.0.0.1 and talks to it through the same driver and wire as to a
 * real one.
 *
 * Every exit makes the instrument safe: after success, an error or an
 * abort (`signal`, which the CLI fires on SIGINT and SIGTERM), the source
 * is ramped to zero and the output turned off (`shutdown()`), `run.json`
 * says how the run ended, and every row already written stays. A failure
 * of that clean-up is never swallowed: it is thrown, after the primary
 * error if there was one.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { lastValueFrom, tap, toArray } from "rxjs";
import { Scope } from "../bench/scope.js";
import { MAX_DURATION_MS, MIN_TIMEOUT_MS } from "../drivers/durations.js";
import { connectKeithley2400 } from "../drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../drivers/instruments/keithley2400.js";
import { inCompliance as inComplianceBit } from "../drivers/instruments/keithley2400-status.js";
import type { SourceMeterReading, SweepColumns } from "../drivers/instruments/kinds.js";
import { columnsOf } from "../drivers/instruments/readings.js";
import { resolveSafetyLimits, type SafetyLimitsInput } from "../drivers/instruments/safety.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import type { MemristorModel } from "../models/memristor/index.js";
import { memristorModels } from "../models/memristor/registry.js";
import { checkParameters } from "../models/parameters.js";
import { fromReadings } from "../sync/from-readings.js";
import { type HysteresisSummary, hysteresis } from "../sync/hysteresis.js";
import { memristorTwin, type TwinFrame } from "../sync/memristor-twin.js";
import { RunRecorder } from "../sync/run-recorder.js";
import { describeTimebase, hostTimebase, instrumentTimeMapper, type Timebase } from "../sync/timebase.js";
import { bipolarTriangle } from "../sync/waveforms.js";
import { serveVirtualBench } from "../virtual/index.js";
import { svgPlot } from "./svg-plot.js";

export interface IvJobOptions {
  /** VISA resource of a real 2400; absent: the embedded virtual one. */
  readonly resource?: string;
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
  readonly identity: string;
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
  readonly voltage: Float64Array;
  readonly current: Float64Array;
  readonly predicted: Float64Array;
}

/** How the triangle is run: in the 2400's list engine, or level by level in fixed mode. */
export type SweepMode = "list" | "fixed";

/** Most levels one 2400 source list holds (manual §18 :SOURce:LIST). */
export const LIST_ENGINE_POINTS = 100;

/** List mode while a half cycle fits the list engine, fixed mode beyond (see the module doc). */
export const sweepMode = (pointsPerCycle: number): SweepMode =>
  pointsPerCycle / 2 <= LIST_ENGINE_POINTS ? "list" : "fixed";

/** Levels per batch of readings in fixed mode: what the twin and the record get at a time. */
const FIXED_BATCH = 50;

const HYSTERESIS_THRESHOLD = 0.05;

/**
 * An option the job refuses, before anything is started or sent. The
 * explanation names other options through `nameOf`, so that the command
 * line can speak of its flags (`--points`) and the API of its fields.
 */
export class IvOptionError extends RangeError {
  constructor(
    /** The option at fault, as the API names it ("pointsPerCycle", "limits.maxVoltageStep"). */
    readonly option: string,
    readonly explain: (nameOf: (option: string) => string) => string,
  ) {
    super(`${option}: ${explain((name) => name)}`);
    this.name = "IvOptionError";
  }

  /** The message with every option named by `nameOf`. */
  messageFor(nameOf: (option: string) => string): string {
    return `${nameOf(this.option)}: ${this.explain(nameOf)}`;
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

/**
 * Makes `dir` and checks that files can be written in it, so that a bad
 * `outDir` fails before any instrument is touched.
 */
function prepareRunFolder(dir: string): void {
  try {
    makeDirectories(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, ".pms-write-check");
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new IvOptionError("outDir", () => `cannot write the run folder ${dir} (${reason})`);
  }
}

/**
 * `mkdir -p`, one level at a time: Node's `mkdirSync(…, { recursive: true })`
 * spins forever under /proc (seen on Node 20), which is how `--out
 * /proc/…` used to hang the command.
 */
function makeDirectories(dir: string): void {
  const path = resolve(dir);
  if (existsSync(path)) return;
  makeDirectories(dirname(path));
  mkdirSync(path);
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
  checkIvJobOptions(options);
  prepareRunFolder(options.outDir);
  const stage = options.onStage ?? (() => {});
  const signal = options.signal;
  const scope = new Scope();
  let recorder: RunRecorder | undefined;
  let primary: unknown;
  let result: IvJobResult | undefined;
  try {
    stage("starting");
    // The embedded bench: the demo chip on the event clock, the 2400 on its standalone memristor.
    const bench = options.resource
      ? undefined
      : await serveVirtualBench({
          clock: "event",
          instruments: { smu1: { model: "keithley2400", port: "memristor", seed: options.seed } },
          clockControl: false,
        });
    if (bench) scope.defer("the embedded virtual bench", () => bench.close());
    const resource = options.resource ?? bench?.resources.instruments.smu1?.tcp;
    if (!resource) throw new Error("the virtual instrument did not report a TCP resource");
    // The run's one timebase: the bench clock on the virtual bench, host-monotonic time on hardware.
    const timebase: Timebase = bench?.clock ?? hostTimebase();
    const mode = sweepMode(options.pointsPerCycle);
    const run = new RunRecorder(options.outDir, {
      job: "iv",
      resource,
      virtual: bench !== undefined,
      timebase: describeTimebase(timebase),
      config: { ...options, outDir: undefined, signal: undefined, onStage: undefined, mode },
      model: { id: model.id, citation: model.citation, parameters: params },
    });
    recorder = run;
    checkpoint(signal, run);
    stage(`connecting to ${resource}`);
    const smu = await connectKeithley2400(resource, {
      timebase,
      limits: options.limits,
      timeoutMs: options.timeoutMs,
      onExchange: (exchange) => run.appendExchange(exchangeRecord(exchange)),
    });
    scope.defer(`the connection to ${resource}`, () => smu.close());
    scope.defer(`the output of ${resource}`, async () => {
      stage(`ramping the source of ${resource} to 0 V and turning its output off`);
      await smu.shutdown();
    });
    const identity = await smu.identify();
    checkpoint(signal, run);
    stage("configuring the source");
    await smu.outputEnabled.set(false);
    await smu.sourceMode.set("voltage");
    await smu.rampTo(0);
    await smu.complianceCurrent.set(options.compliance);
    await smu.nplc.set(options.nplc);
    await smu.sourceDelay.set(options.sourceDelay);
    checkpoint(signal, run);
    await smu.outputEnabled.set(true);

    stage(`sweeping (${mode} mode)`);
    const levels = Array.from(bipolarTriangle(options.amplitude, options.pointsPerCycle, options.cycles));
    let inCompliance = 0;
    const onTimebase = instrumentTimeMapper();
    async function* counted(chunks: AsyncIterable<SweepColumns>) {
      for await (const chunk of chunks) {
        inCompliance += chunk.status.filter(inComplianceBit).length;
        yield { ...chunk, time: onTimebase(chunk.time, timebase.now()) };
        if (signal?.aborted) return; // the checkpoint between batches
      }
    }
    const chunks =
      mode === "list"
        ? smu.hardwareSweepChunks(levels, { chunkPoints: options.pointsPerCycle / 2 })
        : fixedModeBatches(smu, levels, signal);
    const twin = fromReadings("k2400", counted(chunks)).pipe(
      memristorTwin({ model, params }),
      tap((frame) => {
        recordFrame(run, frame);
        progress(run.rowCount, levels.length);
      }),
      toArray(),
    );
    const frames = await lastValueFrom(twin);
    if (run.rowCount < levels.length) throw interruption(signal, run);
    const summary = summarise(frames, {
      resource,
      virtual: bench !== undefined,
      mode,
      inCompliance,
      identity: `${identity.manufacturer} ${identity.model} (serial ${identity.serial})`,
      files: {
        dir: run.dir,
        data: run.dataPath,
        run: run.runPath,
        commands: run.commandsPath,
        plot: join(run.dir, "iv.svg"),
      },
    });
    const overridden = Object.keys(options.params ?? {});
    const label = `${model.id}, ${overridden.length ? `${overridden.join(", ")} set` : "default parameters"}`;
    writeFileSync(summary.files.plot, ivPlot(summary, label));
    result = summary;
  } catch (error) {
    primary = error;
  }
  const failures = await scope.close();
  stage("done");
  const errors = [...(primary === undefined ? [] : [primary]), ...failures];
  if (recorder) {
    if (errors.length === 0 && result) {
      recorder.finish({ status: "success", summary: summaryRecord(result) });
    } else {
      const status = primary instanceof RunInterruptedError ? "interrupted" : "failed";
      recorder.finish({ status, error: errors.map(String).join("\n") });
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(
      errors,
      `${errors.map((e) => (e as Error).message ?? String(e)).join("; then ")}`,
    );
  }
  if (!result) throw new Error("the I-V job ended without a result or an error");
  return result;
}

/** Throws {@link RunInterruptedError} if `signal` was aborted: where a pause or an abort takes effect. */
function checkpoint(signal: AbortSignal | undefined, run: RunRecorder): void {
  if (signal?.aborted) throw interruption(signal, run);
}

function interruption(signal: AbortSignal | undefined, run: RunRecorder): RunInterruptedError {
  const reason = signal?.reason;
  return new RunInterruptedError(
    typeof reason === "string" ? reason : reason instanceof Error ? reason.message : "aborted",
    run.rowCount,
  );
}

/**
 * The triangle stepped level by level in fixed mode (set, then read; each
 * step checked by the driver), in batches of {@link FIXED_BATCH} readings;
 * stops after the reading under way when `signal` is aborted.
 */
async function* fixedModeBatches(
  smu: Keithley2400,
  levels: readonly number[],
  signal: AbortSignal | undefined,
): AsyncGenerator<SweepColumns> {
  let batch: SourceMeterReading[] = [];
  for await (const reading of smu.softwareSweep(levels)) {
    batch.push(reading);
    if (batch.length === FIXED_BATCH || signal?.aborted) {
      yield columnsOf(batch);
      batch = [];
      if (signal?.aborted) return;
    }
  }
  if (batch.length > 0) yield columnsOf(batch);
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

function recordFrame(recorder: RunRecorder, frame: TwinFrame): void {
  recorder.appendRows([
    { name: "time_s", values: frame.voltage.times },
    { name: "voltage_V", values: frame.voltage.values },
    { name: "current_A", values: frame.measured.values },
    { name: "predicted_current_A", values: frame.predicted.values },
    { name: "residual_A", values: frame.residual.values },
  ]);
}

function summarise(
  frames: readonly TwinFrame[],
  about: Pick<IvJobResult, "resource" | "virtual" | "identity" | "files" | "inCompliance" | "mode">,
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

function exchangeRecord(exchange: ScpiExchange): Record<string, unknown> {
  const { reply, error } = exchange;
  return {
    at: exchange.startTime,
    duration_s: exchange.duration,
    sent: exchange.command,
    ...(reply === undefined
      ? {}
      : { reply: typeof reply === "string" ? reply : Buffer.from(reply).toString("base64") }),
    ...(exchange.discarded?.length ? { discarded: exchange.discarded } : {}),
    ...(exchange.discardedOmitted ? { discardedOmitted: exchange.discardedOmitted } : {}),
    ...(error ? { error: `${error.name}: ${error.message}` } : {}),
  };
}
