/**
 * The optical jobs (issue 16, "Measurements" and "Safety"): a transmission
 * spectrum (stepped or swept), the heater's tuning efficiency, or a
 * phase-change programming run, on a bench file's laser, power meter and
 * source-meter, or on the embedded virtual bench (the demo chip's fibre
 * array on the event clock). As the I-V job (iv-job.ts) does, it moves the
 * fibres over the asked optical path first, records the run as it goes
 * (run.json with the bench snapshot and a summary, data.csv from the
 * plan's batches as they stream, commands.jsonl with every SCPI exchange),
 * draws the result, and sums up what was seen.
 *
 * Every exit makes the bench safe: after success, an error or an abort
 * (`signal`, which the CLI fires on SIGINT and SIGTERM; the plan stops at
 * its next checkpoint), the bench is closed in its one order (the laser's
 * light off first, then the sources ramped to zero), `run.json` says how
 * the run ended, and every row already written stays. A failure of that
 * clean-up is never swallowed: it is thrown, after the primary error if
 * there was one.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { count, lastValueFrom, tap } from "rxjs";
import { KNOWN_BENCH_DRIVERS } from "../bench/drivers.js";
import { type EmbeddedBench, seededBenchInstruments, serveEmbeddedBench } from "../bench/embedded.js";
import { type BenchFile, type BenchInstrumentEntry, loadBenchFile } from "../bench/file.js";
import { type Bench, openBench } from "../bench/open.js";
import { Scope } from "../bench/scope.js";
import { TSL550, TSL570, type TslModel } from "../drivers/instruments/santec-tsl.js";
import type { Identity } from "../drivers/scpi/identity.js";
import type { ChipParams, OpticalPath } from "../models/chip/index.js";
import type { DataKeySpec, RunWriter, StreamWriter } from "../record/router.js";
import { hostTimebase, type Timebase } from "../sync/timebase.js";
import {
  type DetectorBatch,
  type DetectorLevel,
  type DetectorOptions,
  type DetectorSummary,
  detectorTransfer,
} from "./detector.js";
import {
  type HeaterTuningOptions,
  type HeaterTuningSummary,
  heaterTuning,
  type TuningPoint,
} from "./heater-tuning.js";
import type { PlanContext } from "./iv.js";
import {
  type PcmProgrammingOptions,
  type PcmProgrammingSummary,
  type PcmScanOptions,
  type PcmScanSummary,
  type PulseBatch,
  type PulseScanBatch,
  pcmProgramming,
  pcmScanProgramming,
  type ScannedReadout,
} from "./pcm-programming.js";
import { pulsePlot, spectrumPlot, tuningPlot } from "./plots.js";
import { Recording, type RecordingOptions, type RunRecord, snapshotDocument } from "./records.js";
import { abortReason, endRecordedRun, JobOptionError, prepareRunFolder } from "./run-files.js";
import type { Dip } from "./spectrum-analysis.js";
import { streamPlan } from "./stream.js";
import { svgPlot } from "./svg-plot.js";
import {
  type SpectrumBatch,
  type SpectrumSummary,
  type SteppedSpectrumOptions,
  type SweptSpectrumOptions,
  steppedSpectrum,
  sweptSpectrum,
  wavelengthGrid,
} from "./transmission.js";

/** Which plan the job runs, with the plan's own options (SI; `path` is the job's). */
export type OpticalPlan =
  | {
      readonly kind: "spectrum";
      readonly mode: "stepped";
      readonly options: PlanOptions<SteppedSpectrumOptions>;
    }
  | { readonly kind: "spectrum"; readonly mode: "swept"; readonly options: PlanOptions<SweptSpectrumOptions> }
  | { readonly kind: "tune"; readonly options: PlanOptions<HeaterTuningOptions> }
  | { readonly kind: "pcm"; readonly options: PlanOptions<PcmProgrammingOptions> }
  | { readonly kind: "pcm-scan"; readonly options: PlanOptions<PcmScanOptions> }
  | { readonly kind: "detector"; readonly options: PlanOptions<DetectorOptions> };

/** A plan's options without `path`: the job records the path the bench moved the fibres over. */
type PlanOptions<T> = Omit<T, "path">;

export type OpticalJobKind = OpticalPlan["kind"];

export interface OpticalJobOptions extends RecordingOptions {
  readonly plan: OpticalPlan;
  /**
   * A bench file to run on (`pms virtual --bench` writes one), with its
   * limits, on host time; absent: the embedded virtual bench (the demo
   * chip's default instruments on the event clock, its clock the timebase).
   */
  readonly bench?: string;
  /** The bench's tunable laser (default: its only one). */
  readonly laser?: string;
  /** The bench's power meter (default: its only one). */
  readonly meter?: string;
  /** Tune, pcm and pcm-scan: the bench's source-meter on the heater (default "smu2", as on the default virtual bench). */
  readonly sourceMeter?: string;
  /** Move the fibres over this optical path before measuring (a real bench asks the person: `askPerson`). */
  readonly path?: OpticalPath;
  /**
   * The embedded virtual bench's chip parameters (default: the demo chip's
   * hidden truth) and its instruments' noise seed (default 1; each
   * instrument takes seed + its index): what a calibration study draws its
   * chips and noise from. Refused with a bench file, whose chip is what it is.
   */
  readonly virtual?: { readonly chip?: ChipParams; readonly seed?: number };
  /** Folder for the run's files. */
  readonly outDir: string;
  /** Aborting stops the plan at its next checkpoint, makes the bench safe and rejects with {@link OpticalRunInterruptedError}. */
  readonly signal?: AbortSignal;
}

/** What the job tells its caller while it runs (the CLI connects them to the terminal). */
export interface OpticalJobHooks {
  /** What the job is doing, as it changes ("turning the laser's light off, then ramping the sources to zero"). */
  readonly stage?: (stage: string) => void;
  /** `done` of `total` `unit` ("points", "‰" of a sweep, "heater steps", "pulses"). */
  readonly progress?: (done: number, total: number, unit: string) => void;
  /**
   * Asks the person at a bench without a positioner to move the fibres;
   * resolves once they confirm. Without it such a bench refuses the move.
   */
  readonly askPerson?: (message: string) => Promise<void>;
}

/** An instrument the job ran, as the bench named it. */
export interface JobInstrument {
  readonly name: string;
  /** "manufacturer model (serial …)". */
  readonly identity: string;
  /** What it answered to *IDN?, field by field (a model card keeps them); absent where unknown. */
  readonly identification?: Identity;
}

interface JobResultCommon {
  /** The embedded virtual bench (true) or a bench file. */
  readonly virtual: boolean;
  /** The bench file, or "embedded virtual bench". */
  readonly bench: string;
  readonly laser: JobInstrument;
  readonly meter: JobInstrument;
  /** The optical path the fibres were over, if the bench knows it. */
  readonly path: string | undefined;
  readonly files: {
    readonly dir: string;
    readonly data: string;
    readonly run: string;
    readonly commands: string;
    readonly plot: string;
    /** The swept spectrum aligned on the laser's log (swept); the per-step points (tune); the pulses and their resonances (pcm-scan). */
    readonly more?: string;
  };
  /** Where the run is kept: its uid in the store at `store` (a URI). */
  readonly record: RunRecord;
}

export type OpticalJobResult =
  | (JobResultCommon & {
      readonly kind: "spectrum";
      readonly mode: "stepped" | "swept";
      readonly summary: SpectrumSummary;
    })
  | (JobResultCommon & {
      readonly kind: "tune";
      readonly source: JobInstrument;
      readonly summary: HeaterTuningSummary;
    })
  | (JobResultCommon & {
      readonly kind: "pcm";
      readonly source: JobInstrument;
      readonly summary: PcmProgrammingSummary;
    })
  | (JobResultCommon & {
      readonly kind: "pcm-scan";
      readonly source: JobInstrument;
      readonly summary: PcmScanSummary;
    })
  | (JobResultCommon & {
      readonly kind: "detector";
      readonly summary: DetectorSummary;
    });

/** An option the job refuses, before anything is started or sent (see {@link JobOptionError}). */
export class OpticalOptionError extends JobOptionError {
  constructor(option: string, explain: (nameOf: (option: string) => string) => string) {
    super(option, explain);
    this.name = "OpticalOptionError";
  }
}

/** The run stopped at a checkpoint because its signal was aborted; the bench was made safe. */
export class OpticalRunInterruptedError extends Error {
  constructor(
    readonly reason: string,
    readonly rows: number,
  ) {
    super(
      `interrupted (${reason}) after ${rows} rows; laser light turned off, sources ramped to zero and turned off`,
    );
    this.name = "OpticalRunInterruptedError";
  }
}

/** The laser models, by the bench driver that speaks to them: their sweep speeds, for checking options before connecting. */
const LASER_MODELS: Readonly<Record<string, TslModel>> = {
  "santec-tsl570": TSL570,
  "santec-tsl550": TSL550,
};

/** The source-meter tune and pcm use when none is named: the 2450 on the heater of the default virtual bench. */
export const DEFAULT_HEATER_SOURCE = "smu2";

/** A wavelength as a person reads it in a message: "1550.2 nm". */
const nm = (metres: number): string => `${Number.parseFloat((metres * 1e9).toPrecision(9))} nm`;

/** Refuses, with {@link OpticalOptionError}, plan options that cannot run; nothing is touched. */
export function checkOpticalPlan(plan: OpticalPlan, laserDriver = "santec-tsl570"): void {
  const fail = (option: string, explain: (nameOf: (option: string) => string) => string): never => {
    throw new OpticalOptionError(`plan.options.${option}`, explain);
  };
  const positive = (option: string, value: number, unit: string) => {
    if (!(value > 0 && Number.isFinite(value))) fail(option, () => `must be positive, ${unit}; got ${value}`);
  };
  const atLeastZero = (option: string, value: number, unit: string) => {
    if (!(value >= 0 && Number.isFinite(value))) fail(option, () => `must be ≥ 0, ${unit}; got ${value}`);
  };
  if (plan.kind !== "detector") positive("power", plan.options.power, "W");
  if (plan.kind === "spectrum") {
    const { start, stop } = plan.options;
    positive("start", start, "m");
    if (!(stop > start && Number.isFinite(stop))) {
      fail("stop", (name) => `must be above ${name("plan.options.start")} (${nm(start)}); got ${nm(stop)}`);
    }
    if (plan.mode === "stepped") {
      positive("step", plan.options.step, "m");
      if (plan.options.step > stop - start) {
        fail("step", () => `must fit in the span, ${nm(stop - start)}; got ${nm(plan.options.step)}`);
      }
      const revisit = plan.options.revisit;
      if (revisit !== undefined && !(revisit >= 0 && revisit <= stop - start)) {
        fail("revisit", () => `must be ≥ 0 and within the span, ${nm(stop - start)}; got ${nm(revisit)}`);
      }
    } else {
      const model = LASER_MODELS[laserDriver];
      try {
        model?.speed(plan.options.speed);
      } catch {
        fail(
          "speed",
          () => `the ${model?.name} sweeps at ${model?.speed.allowed}; got ${nm(plan.options.speed)}/s`,
        );
      }
      if (plan.options.logStep !== undefined) positive("logStep", plan.options.logStep, "m");
    }
    const average = plan.options.averageCount;
    if (average !== undefined && !(Number.isInteger(average) && average >= 1)) {
      fail("averageCount", () => `must be a whole number of samples ≥ 1; got ${average}`);
    }
  } else if (plan.kind === "tune") {
    const t = plan.options;
    if (t.currents.length < 3 || !t.currents.every(Number.isFinite)) {
      fail(
        "currents",
        () => `must be 3 currents or more (a line and its error need them), A; got ${t.currents.join(", ")}`,
      );
    }
    positive("compliance", t.compliance, "V");
    positive("resonance", t.resonance, "m");
    positive("span", t.span, "m");
    positive("step", t.step, "m");
    if (t.step * 4 > t.span) {
      fail(
        "step",
        (name) =>
          `must be a quarter of ${name("plan.options.span")} or less (a scan needs 5 points to find a dip); got ${t.step} m`,
      );
    }
    atLeastZero("settle", t.settle, "s");
  } else if (plan.kind === "detector") {
    const d = plan.options;
    positive("wavelength", d.wavelength, "m");
    if (d.powers.length < 2 || !d.powers.every((p) => Number.isFinite(p) && p > 0)) {
      fail(
        "powers",
        () =>
          `must be 2 laser powers or more, each above 0 W (a line needs them); got ${d.powers.join(", ")}`,
      );
    }
    for (const [name, value] of [
      ["readings", d.readings],
      ["darkReadings", d.darkReadings],
    ] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 2))
        fail(name, () => `must be a whole number of readings ≥ 2 (a scatter needs them); got ${value}`);
    }
    if (d.settle !== undefined) atLeastZero("settle", d.settle, "s");
  } else if (plan.kind === "pcm-scan") {
    const p = plan.options;
    positive("compliance", p.compliance, p.mode === "current" ? "V" : "A");
    atLeastZero("interval", p.interval, "s");
    positive("resonance", p.resonance, "m");
    positive("scan.span", p.scan.span, "m");
    positive("scan.step", p.scan.step, "m");
    if (p.scan.step > p.scan.span) {
      fail("scan.step", () => `must fit in the span, ${nm(p.scan.span)}; got ${nm(p.scan.step)}`);
    }
    if (typeof p.pulses !== "function") {
      for (const [k, pulse] of p.pulses.entries()) {
        if (!Number.isFinite(pulse.amplitude) || pulse.amplitude === 0)
          fail(`pulses[${k}].amplitude`, () => `must not be 0; got ${pulse.amplitude}`);
        atLeastZero(`pulses[${k}].width`, pulse.width, "s");
      }
    }
    if (p.maxPulses !== undefined && !(Number.isInteger(p.maxPulses) && p.maxPulses >= 1))
      fail("maxPulses", () => `must be a positive integer; got ${p.maxPulses}`);
  } else {
    const p = plan.options;
    if (!(Number.isInteger(p.pulses) && p.pulses >= 1))
      fail("pulses", () => `must be a positive integer; got ${p.pulses}`);
    if (!Number.isFinite(p.amplitude) || p.amplitude === 0)
      fail("amplitude", () => `must not be 0; got ${p.amplitude}`);
    positive("compliance", p.compliance, p.mode === "current" ? "V" : "A");
    atLeastZero("width", p.width, "s");
    atLeastZero("interval", p.interval, "s");
    positive("wavelength", p.wavelength, "m");
  }
}

/** Runs the job; see the module doc. */
export async function runOpticalJob(
  options: OpticalJobOptions,
  hooks: OpticalJobHooks = {},
): Promise<OpticalJobResult> {
  const plan = options.plan;
  const needsSource = plan.kind === "tune" || plan.kind === "pcm" || plan.kind === "pcm-scan";
  if (options.bench && options.virtual) {
    throw new OpticalOptionError(
      "virtual",
      () => "a virtual chip's parameters and noise seed apply to the embedded bench, not to a bench file",
    );
  }
  const file = options.bench ? await loadBenchFile(options.bench, KNOWN_BENCH_DRIVERS) : undefined;
  const fromFile = file && chooseInstruments(file, options, needsSource);
  checkOpticalPlan(plan, fromFile?.laser.driver);
  prepareRunFolder(
    options.outDir,
    (reason) =>
      new OpticalOptionError("outDir", () => `cannot write the run folder ${options.outDir} (${reason})`),
  );
  const stage = hooks.stage ?? (() => {});
  const signal = options.signal;
  const scope = new Scope();
  // The store first: one that cannot be written stops the job before any instrument is touched.
  const recording = await Recording.open(options, {
    benchStore: file?.store,
    dir: options.outDir,
    csv: { names: columnNames(plan, fromFile ?? undefined) },
  });
  let primary: unknown;
  let result: OpticalJobResult | undefined;
  try {
    stage("starting");
    // The embedded bench: the default virtual instruments on the demo chip, on the event clock, with
    // the clock's control endpoint (through which the fibres are moved).
    const embedded = file
      ? undefined
      : await serveEmbeddedBench({
          clock: "event",
          clockControl: true,
          ...(options.virtual?.chip && { params: options.virtual.chip }),
          ...(options.virtual?.seed !== undefined && {
            instruments: seededBenchInstruments(options.virtual.seed),
          }),
        });
    if (embedded) scope.defer("the embedded virtual bench", () => embedded.close());
    const chosen = fromFile ?? chooseInstruments((embedded as EmbeddedBench).file, options, needsSource);
    // The run's one timebase: the bench clock on the embedded bench, host-monotonic time otherwise.
    const timebase: Timebase = embedded?.clock ?? hostTimebase();
    const benchName = options.bench ?? "embedded virtual bench";
    checkpoint(signal, 0);
    const source = chosen.source;
    stage(
      `connecting to ${[chosen.laser, chosen.meter, ...(source ? [source] : [])].map((e) => e.name).join(", ")}`,
    );
    const subset: BenchFile = {
      ...(chosen.file.name !== undefined && { name: chosen.file.name }),
      ...(chosen.file.clock && { clock: chosen.file.clock }),
      instruments: Object.fromEntries(
        [chosen.laser, chosen.meter, ...(source ? [source] : [])].map((e) => [e.name, e]),
      ),
    };
    const bench = await openBench(subset, {
      timebase,
      onExchange: recording.onExchange,
      ...(hooks.askPerson && { askPerson: hooks.askPerson }),
    });
    scope.defer(`the bench (${benchName})`, async () => {
      stage(
        `turning the laser's light off${source ? ", then ramping the source to zero and turning it off" : ""}`,
      );
      await bench.close();
    });
    const snapshot = await bench.snapshot();
    const identity = (name: string): JobInstrument => {
      const id = snapshot.instruments[name]?.identity;
      return id
        ? { name, identity: `${id.manufacturer} ${id.model} (serial ${id.serial})`, identification: id }
        : { name, identity: "unknown" };
    };
    checkpoint(signal, 0);
    if (options.path !== undefined) {
      stage(`moving the fibres over the "${options.path}" path`);
      await bench.moveFibres(options.path).catch((error: unknown) => {
        throw signal?.aborted ? interruption(signal, 0) : error;
      });
    }
    checkpoint(signal, 0);
    const path = bench.fibrePath ?? options.path;
    // The RunStart once the fibres are where the run measures: the path is part of what it ran.
    const run = await recording.start(timebase, {
      plan: plan.kind,
      arguments: {
        ...(plan.kind === "spectrum" && { mode: plan.mode }),
        ...plan.options,
        // A programme is code, not data: the record says so, and each readout carries the pulse it chose.
        ...(plan.kind === "pcm-scan" &&
          typeof plan.options.pulses === "function" && {
            pulses: "chosen by a programme from the readouts (each readout records its pulse)",
          }),
        ...(path !== undefined && { path }),
        bench: options.bench ?? null,
        laser: chosen.laser.name,
        meter: chosen.meter.name,
        ...(source && { sourceMeter: source.name }),
      },
      bench: snapshotDocument(snapshot),
      chip: embedded ? "demo-chip" : "",
    });
    const common = {
      virtual: embedded !== undefined,
      bench: benchName,
      laser: identity(chosen.laser.name),
      meter: identity(chosen.meter.name),
      path,
    };
    const files = recording.files;
    if (!files) throw new Error("the run's files were not started");
    const measured = await measure(bench, chosen, plan, common.path, run, options.outDir, {
      timebase,
      ...(signal && { signal }),
      stage,
      progress: hooks.progress ?? (() => {}),
    });
    if (measured.aborted) throw interruption(signal, run.eventCount("primary"));
    result = finishResult(
      measured,
      { ...common, record: { uid: run.uid, store: recording.storeUri } },
      { dir: options.outDir, ...files },
      source && identity(source.name),
    );
  } catch (error) {
    primary = error;
  }
  return endRecordedRun({
    job: "optical job",
    scope,
    stage,
    recording,
    primary,
    result,
    summary: summaryRecord,
    interrupted: (error) => error instanceof OpticalRunInterruptedError,
  });
}

/** data.csv's column names before their units: today's, whatever the bench calls its instruments. */
function columnNames(plan: OpticalPlan, chosen: Chosen | undefined): Record<string, string> {
  const laser = chosen?.laser.name ?? "laser";
  const meter = chosen?.meter.name ?? "meter";
  return {
    [`${laser}-wavelength`]: "wavelength",
    [`${meter}-power`]: "power",
    ...(plan.kind === "pcm" && { pulse_duration: "pulse_duration" }),
  };
}

/** The primary stream of each plan: its data keys, in data.csv's column order after time_s. */
function primaryKeys(plan: OpticalPlan, chosen: Chosen): DataKeySpec[] {
  const laser = chosen.laser.name;
  const meter = chosen.meter.name;
  const power = {
    key: `${meter}-power`,
    source: meter,
    unit: "W",
    dtype: "float64",
    doc: "Optical power read, W.",
  } as const;
  const transmission = {
    key: "transmission",
    source: "plan",
    dtype: "float64",
    doc: "Power read over the laser's set power (dimensionless).",
  } as const;
  const wavelength = {
    key: `${laser}-wavelength`,
    source: laser,
    unit: "m",
    dtype: "float64",
    doc: "The laser's wavelength at the reading (nominal while sweeping), m.",
  } as const;
  if (plan.kind === "spectrum") return [wavelength, power, transmission];
  if (plan.kind === "detector") {
    return [
      {
        key: "level",
        source: "plan",
        dtype: "int64",
        doc: "Power level, from 1 in the order set (0: the light off).",
      },
      {
        key: `${laser}-power_setpoint`,
        source: laser,
        unit: "W",
        dtype: "float64",
        doc: "The laser's power setpoint, W (0 with the light off).",
      },
      {
        key: `${laser}-monitored_power`,
        source: laser,
        unit: "W",
        dtype: "float64",
        doc: "The laser's own monitor (:POW:ACT?) read after the reading, W (0 with the light off: not read).",
      },
      power,
    ];
  }
  if (plan.kind === "pcm-scan") {
    return [
      { key: "pulse", source: "plan", dtype: "int64", doc: "Pulses given before the scan (0: before any)." },
      {
        key: "pulse_amplitude",
        source: (chosen.source as BenchInstrumentEntry).name,
        unit: plan.options.mode === "voltage" ? "V" : "A",
        dtype: "float64",
        doc: "Amplitude of the pulse before the scan (0 before any).",
      },
      {
        key: "pulse_width",
        source: "plan",
        unit: "s",
        dtype: "float64",
        doc: "Time the pulse before the scan was held at its amplitude, s (0 before any).",
      },
      wavelength,
      power,
      transmission,
    ];
  }
  if (plan.kind === "tune") {
    return [
      { key: "step", source: "plan", dtype: "int64", doc: "Heater step, from 1." },
      {
        key: "current_setpoint",
        source: (chosen.source as BenchInstrumentEntry).name,
        unit: "A",
        dtype: "float64",
        doc: "The heater's current setpoint, A.",
      },
      wavelength,
      power,
      transmission,
    ];
  }
  return [
    { key: "pulse", source: "plan", dtype: "int64", doc: "Pulses given before the readout (0: before any)." },
    power,
    transmission,
    {
      key: "pulse_duration",
      source: (chosen.source as BenchInstrumentEntry).name,
      unit: "s",
      dtype: "float64",
      doc: "Duration of the pulse before the readout, s (0 before any).",
    },
  ];
}

interface Chosen {
  readonly file: BenchFile;
  readonly laser: BenchInstrumentEntry;
  readonly meter: BenchInstrumentEntry;
  readonly source?: BenchInstrumentEntry;
}

/** The bench's instruments the job uses; OpticalOptionError naming what the bench has where one is missing. */
function chooseInstruments(file: BenchFile, options: OpticalJobOptions, needsSource: boolean): Chosen {
  const where = options.bench ?? "the embedded virtual bench";
  const pick = (
    option: "laser" | "meter" | "sourceMeter",
    kind: BenchInstrumentEntry["kind"],
    name: string | undefined,
  ): BenchInstrumentEntry => {
    const ofKind = Object.values(file.instruments).filter((e) => e.kind === kind);
    const entry = name === undefined ? (ofKind.length === 1 ? ofKind[0] : undefined) : file.instruments[name];
    if (entry?.kind !== kind) {
      const listed =
        ofKind.map((e) => `${e.name}${e.connects ? ` (${e.connects})` : ""}`).join(", ") || "none";
      throw new OpticalOptionError(option, (nameOf) =>
        ofKind.length === 0
          ? `${where} has no ${kind}`
          : name === undefined
            ? `${where} has ${ofKind.length} ${kind}s: name one with ${nameOf(option)} (${listed})`
            : `${where} has no ${kind} "${name}"; its ${kind}s: ${listed}`,
      );
    }
    return entry;
  };
  return {
    file,
    laser: pick("laser", "tunable-laser", options.laser),
    meter: pick("meter", "power-meter", options.meter),
    ...(needsSource && {
      source: pick("sourceMeter", "source-meter", options.sourceMeter ?? DEFAULT_HEATER_SOURCE),
    }),
  };
}

/** What a plan measured, with what the job wrote beside data.csv. */
type Measured =
  | {
      kind: "spectrum";
      mode: "stepped" | "swept";
      summary: SpectrumSummary;
      aborted: boolean;
      plot: string;
      more?: string;
    }
  | { kind: "tune"; summary: HeaterTuningSummary; aborted: boolean; plot: string; more: string }
  | { kind: "pcm"; summary: PcmProgrammingSummary; aborted: boolean; plot: string }
  | { kind: "pcm-scan"; summary: PcmScanSummary; aborted: boolean; plot: string; more: string }
  | { kind: "detector"; summary: DetectorSummary; aborted: boolean; plot: string };

interface MeasureContext {
  readonly timebase: Timebase;
  readonly signal?: AbortSignal;
  readonly stage: (stage: string) => void;
  readonly progress: (done: number, total: number, unit: string) => void;
}

/**
 * Runs `plan` with a context whose batches go to `write` as they come (data.csv), and whose
 * progress counts `unit`s from 0 of `total`; resolves once the plan has returned and every
 * batch is written.
 */
async function streamed<B, T>(
  context: MeasureContext,
  unit: string,
  total: number,
  write: (batch: B) => Promise<void>,
  plan: (context: PlanContext<B>) => Promise<T>,
): Promise<T> {
  let page: Promise<void> | undefined;
  const stream = streamPlan<B>({
    timebase: context.timebase,
    ...(context.signal && { signal: context.signal }),
    stage: context.stage,
    progress: (done, all) => context.progress(done, all, unit),
    // The page the batch became: the plan waits on it, so the store pushes back between its steps.
    afterEmit: () => page,
  });
  const written = lastValueFrom(
    stream.batches.pipe(
      tap((batch) => {
        page = write(batch);
        // Awaited by the plan's next step; marked handled so that one left behind is no unhandled rejection.
        page.catch(() => undefined);
      }),
      count(),
    ),
  );
  context.progress(0, total, unit);
  const result = await stream.run(plan).catch(async (error: unknown) => {
    await written.catch(() => undefined);
    throw error;
  });
  await written;
  await page;
  return result;
}

/** Runs the plan on the bench, streaming its batches into data.csv; draws and writes the rest once it returns. */
async function measure(
  bench: Bench,
  chosen: Chosen,
  plan: OpticalPlan,
  path: string | undefined,
  run: RunWriter,
  dir: string,
  context: MeasureContext,
): Promise<Measured> {
  const primary: StreamWriter = await run.stream("primary", primaryKeys(plan, chosen));
  const keys = { wavelength: `${chosen.laser.name}-wavelength`, power: `${chosen.meter.name}-power` };
  const spectrumPage = (b: SpectrumBatch, extra: Record<string, Float64Array | BigInt64Array> = {}) =>
    primary.page(b.time, {
      ...extra,
      [keys.wavelength]: b.wavelength,
      [keys.power]: b.power,
      transmission: b.transmission,
    });
  const laser = bench.laser(chosen.laser.name);
  const meter = bench.powerMeter(chosen.meter.name);
  const withPath = <T extends object>(o: T) => ({ ...o, ...(path !== undefined && { path }) });
  const where = path ?? "path not recorded";

  if (plan.kind === "spectrum") {
    const writeSpectrum = (b: SpectrumBatch) => spectrumPage(b);
    const summary =
      plan.mode === "stepped"
        ? await streamed(context, "points", steppedPoints(plan.options), writeSpectrum, (c) =>
            steppedSpectrum(laser, meter, withPath(plan.options), c),
          )
        : await streamed(context, "‰", 1000, writeSpectrum, (c) =>
            sweptSpectrum(laser, meter, withPath(plan.options), c),
          );
    if (summary.aborted) return { kind: "spectrum", mode: plan.mode, summary, aborted: true, plot: "" };
    const plot = join(dir, "spectrum.svg");
    const { spectrum } = summary;
    writeFileSync(
      plot,
      spectrumPlot(spectrum, spectrum.dips, { title: `Transmission, ${where} (${plan.mode})` }),
    );
    if (plan.mode === "stepped") return { kind: "spectrum", mode: plan.mode, summary, aborted: false, plot };
    // data.csv has each reading at its nominal wavelength, as it streamed; this, at the laser's log.
    const more = join(dir, "spectrum.csv");
    writeCsv(more, spectrumColumns(spectrum));
    return { kind: "spectrum", mode: plan.mode, summary, aborted: false, plot, more };
  }

  if (plan.kind === "detector") {
    const laserKeys = {
      setpoint: `${chosen.laser.name}-power_setpoint`,
      monitored: `${chosen.laser.name}-monitored_power`,
    };
    const summary = await streamed<DetectorBatch, DetectorSummary>(
      context,
      "levels",
      plan.options.powers.length + 1,
      (b) =>
        primary.page(b.time, {
          level: BigInt64Array.from(b.level, (l) => BigInt(l)),
          [laserKeys.setpoint]: b.setpoint,
          [laserKeys.monitored]: b.monitored,
          [keys.power]: b.power,
        }),
      (c) => detectorTransfer(laser, meter, withPath(plan.options), c),
    );
    if (summary.aborted) return { kind: "detector", summary, aborted: true, plot: "" };
    const plot = join(dir, "detector.svg");
    writeFileSync(plot, detectorPlot(summary, where));
    return { kind: "detector", summary, aborted: false, plot };
  }

  const source = bench.sourceMeter((chosen.source as BenchInstrumentEntry).name);
  if (plan.kind === "tune") {
    // The scans stream in step order, and the plan reports progress after each step's scan.
    const { currents } = plan.options;
    let step = 0;
    const summary = await streamed<SpectrumBatch, HeaterTuningSummary>(
      context,
      "heater steps",
      currents.length,
      (b) =>
        spectrumPage(b, {
          step: new BigInt64Array(b.time.length).fill(BigInt(step + 1)),
          current_setpoint: new Float64Array(b.time.length).fill(currents[step] as number),
        }),
      (c) =>
        heaterTuning(source, laser, meter, withPath(plan.options), {
          ...c,
          progress: (done, total) => {
            step = done;
            c.progress?.(done, total);
          },
        }),
    );
    const more = join(dir, "tuning.csv");
    const column = (name: string, value: (p: TuningPoint, k: number) => number) => ({
      name,
      values: Float64Array.from(summary.points, value),
    });
    writeCsv(more, [
      column("step", (_, k) => k + 1),
      column("current_setpoint_A", (p) => p.current),
      column("voltage_V", (p) => p.voltage),
      column("current_A", (p) => p.measuredCurrent),
      column("heater_power_W", (p) => p.heaterPower),
      column("resonance_m", (p) => p.resonance),
      column("fwhm_m", (p) => p.fwhm),
    ]);
    if (summary.aborted) return { kind: "tune", summary, aborted: true, plot: "", more };
    const plot = join(dir, "tuning.svg");
    writeFileSync(plot, tuningPlot(summary.points, summary.fit, { title: `Heater tuning, ${where}` }));
    return { kind: "tune", summary, aborted: false, plot, more };
  }

  if (plan.kind === "pcm-scan") {
    const options = plan.options;
    const summary = await streamed<PulseScanBatch, PcmScanSummary>(
      context,
      "pulses",
      options.maxPulses ?? (typeof options.pulses === "function" ? 100 : options.pulses.length),
      (b) =>
        spectrumPage(b, {
          pulse: BigInt64Array.from(b.pulse, (p) => BigInt(p)),
          pulse_amplitude: b.amplitude,
          pulse_width: b.width,
        }),
      (c) => pcmScanProgramming(source, laser, meter, withPath(options), c),
    );
    const more = join(dir, "pulses.csv");
    const column = (name: string, value: (r: ScannedReadout) => number) => ({
      name,
      values: Float64Array.from(summary.readouts, value),
    });
    writeCsv(more, [
      column("pulse", (r) => r.pulse),
      column("amplitude", (r) => r.amplitude),
      column("width_s", (r) => r.width),
      column("pulse_start_s", (r) => r.pulseStart),
      column("pulse_duration_s", (r) => r.duration),
      column("ramp_up_s", (r) => r.rampUp),
      column("ramp_down_s", (r) => r.rampDown),
      column("time_s", (r) => r.time),
      column("resonance_m", (r) => r.resonance),
      column("fwhm_m", (r) => r.fwhm),
    ]);
    if (summary.aborted) return { kind: "pcm-scan", summary, aborted: true, plot: "", more };
    const plot = join(dir, "pcm-scan.svg");
    writeFileSync(plot, resonancePlot(summary.readouts, where));
    return { kind: "pcm-scan", summary, aborted: false, plot, more };
  }

  const summary = await streamed<PulseBatch, PcmProgrammingSummary>(
    context,
    "pulses",
    plan.options.pulses,
    (b) =>
      primary.page(b.time, {
        pulse: BigInt64Array.from(b.pulse, (p) => BigInt(p)),
        [keys.power]: b.power,
        transmission: b.transmission,
        pulse_duration: b.pulseDuration,
      }),
    (c) => pcmProgramming(source, laser, meter, withPath(plan.options), c),
  );
  if (summary.aborted) return { kind: "pcm", summary, aborted: true, plot: "" };
  const plot = join(dir, "pcm.svg");
  const title = `Transmission after each pulse at ${(plan.options.wavelength * 1e9).toFixed(3)} nm, ${where}`;
  writeFileSync(plot, pulsePlot(summary.readouts, { title }));
  return { kind: "pcm", summary, aborted: false, plot };
}

function finishResult(
  measured: Measured,
  common: Omit<JobResultCommon, "files">,
  files: Omit<JobResultCommon["files"], "plot" | "more">,
  source: JobInstrument | undefined,
): OpticalJobResult {
  const allFiles = {
    ...files,
    plot: measured.plot,
    ...("more" in measured && measured.more && { more: measured.more }),
  };
  switch (measured.kind) {
    case "spectrum":
      return { ...common, kind: "spectrum", mode: measured.mode, summary: measured.summary, files: allFiles };
    case "tune":
      return {
        ...common,
        kind: "tune",
        source: source as JobInstrument,
        summary: measured.summary,
        files: allFiles,
      };
    case "pcm":
      return {
        ...common,
        kind: "pcm",
        source: source as JobInstrument,
        summary: measured.summary,
        files: allFiles,
      };
    case "pcm-scan":
      return {
        ...common,
        kind: "pcm-scan",
        source: source as JobInstrument,
        summary: measured.summary,
        files: allFiles,
      };
    case "detector":
      return { ...common, kind: "detector", summary: measured.summary, files: allFiles };
  }
}

/** The resonance found by each scan against the pulses given before it. */
function resonancePlot(readouts: readonly ScannedReadout[], where: string): string {
  const found = readouts.filter((r) => Number.isFinite(r.resonance));
  const first = found[0]?.resonance ?? 0;
  return svgPlot({
    title: `Resonance after each pulse, ${where}`,
    xLabel: "pulses given",
    yLabel: "resonance shift (pm)",
    series: [
      {
        name: "resonance",
        x: Float64Array.from(found, (r) => r.pulse),
        y: Float64Array.from(found, (r) => (r.resonance - first) * 1e12),
        color: "#1f4e9c",
        markers: true,
        markerRadius: 2,
      },
    ],
  });
}

/** Each level's meter readings against the laser's monitor (the dark at 0). */
function detectorPlot(summary: DetectorSummary, where: string): string {
  const all = [summary.dark, ...summary.levels.map((l) => l.readings)];
  const x = Float64Array.from(
    all.flatMap((readings, k) =>
      Array.from(readings, (_, i) =>
        k === 0 ? 0 : ((summary.levels[k - 1] as DetectorLevel).monitored[i] as number) * 1e3,
      ),
    ),
  );
  const y = Float64Array.from(all.flatMap((readings) => Array.from(readings, (r) => r * 1e3)));
  return svgPlot({
    title: `Meter against the laser's monitor at ${(summary.wavelength * 1e9).toFixed(3)} nm, ${where}`,
    xLabel: "laser monitor (mW; 0: light off)",
    yLabel: "meter (mW)",
    series: [{ name: "readings", x, y, color: "#1f4e9c", markers: true, markerRadius: 2 }],
  });
}

function spectrumColumns(b: SpectrumBatch) {
  return [
    { name: "time_s", values: b.time },
    { name: "wavelength_m", values: b.wavelength },
    { name: "power_W", values: b.power },
    { name: "transmission", values: b.transmission },
  ];
}

/** A small CSV written whole at the end (data.csv is the one that streams). */
function writeCsv(file: string, columns: readonly { name: string; values: Float64Array }[]): void {
  const rows = Array.from(columns[0]?.values ?? [], (_, k) =>
    columns.map((c) => (Number.isNaN(c.values[k]) ? "" : String(c.values[k]))).join(","),
  );
  writeFileSync(file, `${[columns.map((c) => c.name).join(","), ...rows].join("\n")}\n`);
}

/** How many points a stepped spectrum reads: its grid, then the points it revisits. */
function steppedPoints(o: PlanOptions<SteppedSpectrumOptions>): number {
  const grid = wavelengthGrid(o.start, o.stop, o.step);
  const revisit = o.revisit ?? 0;
  return grid.length + (revisit > 0 ? grid.filter((λ) => λ <= o.start + revisit).length : 0);
}

/** The summary run.json keeps: SI numbers, units in the names. */
function summaryRecord(result: OpticalJobResult): Record<string, unknown> {
  const about = { path: result.path ?? null, laser: result.laser, meter: result.meter };
  switch (result.kind) {
    case "spectrum": {
      const s = result.summary;
      return {
        ...about,
        mode: result.mode,
        points: s.points,
        dips: s.spectrum.dips.map(dipRecord),
        ...(s.wavelengthUncertainty !== undefined && { wavelengthUncertainty_m: s.wavelengthUncertainty }),
        ...(s.darkOffset !== undefined && { darkOffset_sensorUnit: s.darkOffset }),
        ...(s.revisit !== undefined && { revisitedPoints: s.revisit.time.length }),
        ...(s.sweepStart !== undefined && { sweepStart_s: s.sweepStart }),
      };
    }
    case "tune": {
      const s = result.summary;
      return {
        ...about,
        source: result.source,
        steps: s.points.map((p) => ({
          current_setpoint_A: p.current,
          voltage_V: p.voltage,
          current_A: p.measuredCurrent,
          heater_power_W: p.heaterPower,
          resonance_m: Number.isFinite(p.resonance) ? p.resonance : null,
          fwhm_m: Number.isFinite(p.fwhm) ? p.fwhm : null,
        })),
        efficiency_pm_per_mW: s.efficiency?.pmPerMw ?? null,
        efficiencyError_pm_per_mW: s.efficiency?.error ?? null,
        ...(s.fit && {
          fit: {
            slope_m_per_W: s.fit.slope,
            slopeError_m_per_W: s.fit.slopeError,
            intercept_m: s.fit.intercept,
            interceptError_m: s.fit.interceptError,
            r2: s.fit.r2,
            dof: s.fit.dof,
          },
        }),
      };
    }
    case "detector": {
      const s = result.summary;
      const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
      return {
        ...about,
        wavelength_m: s.wavelength,
        dark_W: Array.from(s.dark),
        darkMean_W: mean(s.dark),
        levels: s.levels.map((l) => ({
          setpoint_W: l.setpoint,
          meanMonitored_W: mean(l.monitored),
          monitored_W: Array.from(l.monitored),
          meanReading_W: mean(l.readings),
          readings_W: Array.from(l.readings),
        })),
      };
    }
    case "pcm-scan": {
      const s = result.summary;
      return {
        ...about,
        source: result.source,
        pulses: s.pulses,
        readouts: s.readouts.map((r) => ({
          pulse: r.pulse,
          amplitude: r.amplitude,
          width_s: r.width,
          pulseStart_s: Number.isFinite(r.pulseStart) ? r.pulseStart : null,
          pulseDuration_s: r.duration,
          rampUp_s: r.rampUp,
          rampDown_s: r.rampDown,
          time_s: r.time,
          resonance_m: Number.isFinite(r.resonance) ? r.resonance : null,
          fwhm_m: Number.isFinite(r.fwhm) ? r.fwhm : null,
        })),
      };
    }
    case "pcm": {
      const r = result.summary.readouts;
      const first = r.transmission[0] as number;
      const last = r.transmission[r.transmission.length - 1] as number;
      return {
        ...about,
        source: result.source,
        pulses: result.summary.pulses,
        readouts: Array.from(r.pulse, (pulse, k) => ({
          pulse,
          time_s: r.time[k],
          power_W: r.power[k],
          transmission: r.transmission[k],
          pulseDuration_s: r.pulseDuration[k],
        })),
        transmissionChange_dB: 10 * Math.log10(last / first),
      };
    }
  }
}

function dipRecord(dip: Dip): Record<string, unknown> {
  return {
    wavelength_m: dip.wavelength,
    depth_dB: dip.depthDb,
    fwhm_m: dip.fwhm ?? null,
    q: dip.q ?? null,
    minTransmission: dip.minTransmission,
    baseline: dip.baseline,
    prominence_dB: dip.prominenceDb,
    refinement: dip.refinement,
    ...(dip.fwhmUnavailable !== undefined && { fwhmUnavailable: dip.fwhmUnavailable }),
  };
}

/** Throws {@link OpticalRunInterruptedError} if `signal` was aborted: where a pause or an abort takes effect. */
function checkpoint(signal: AbortSignal | undefined, rows: number): void {
  if (signal?.aborted) throw interruption(signal, rows);
}

function interruption(signal: AbortSignal | undefined, rows: number): OpticalRunInterruptedError {
  return new OpticalRunInterruptedError(abortReason(signal), rows);
}
