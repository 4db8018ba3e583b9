/**
 * The I-V job: what a bench scientist does first with a memristor and a
 * source-measure unit. Sweeps a bipolar voltage triangle in the SMU's own
 * list-sweep engine, streams the readings chunk by chunk through the
 * memristor twin, records everything, and sums up what was seen.
 *
 * Without a resource it starts the embedded virtual Keithley 2400 on a TCP
 * port of 127.0.0.1 and talks to it through the same driver and wire as to a
 * real one.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { lastValueFrom, tap, toArray } from "rxjs";
import { connectKeithley2400 } from "../drivers/instruments/connect-keithley2400.js";
import { inCompliance as inComplianceBit } from "../drivers/instruments/keithley2400-status.js";
import type { SweepColumns } from "../drivers/instruments/kinds.js";
import type { SafetyLimits } from "../drivers/instruments/safety.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import type { MemristorModel } from "../models/memristor/index.js";
import { memristorModels } from "../models/memristor/registry.js";
import { checkParameters } from "../models/parameters.js";
import { fromReadings } from "../sync/from-readings.js";
import { type HysteresisSummary, hysteresis } from "../sync/hysteresis.js";
import { memristorTwin, type TwinFrame } from "../sync/memristor-twin.js";
import { RunRecorder } from "../sync/run-recorder.js";
import { bipolarTriangle } from "../sync/waveforms.js";
import { serveVirtualKeithley2400 } from "../virtual/index.js";
import { svgPlot } from "./svg-plot.js";

export interface IvJobOptions {
  /** VISA resource of a real 2400; absent: the embedded virtual one. */
  readonly resource?: string;
  /** Peak voltage of the triangle, V. */
  readonly amplitude: number;
  /** Levels per cycle (multiple of 4). */
  readonly pointsPerCycle: number;
  readonly cycles: number;
  /** Current compliance, A. */
  readonly compliance: number;
  /** Integration time, power-line cycles. */
  readonly nplc: number;
  /** Source delay before each reading, s. */
  readonly sourceDelay: number;
  /** Id of the model to compare with (see memristorModels). */
  readonly model: string;
  /** Parameters that differ from the model's defaults (e.g. a calibration's), SI units. */
  readonly params?: Readonly<Record<string, number>>;
  /** Safety limits of the device under test. */
  readonly limits: SafetyLimits;
  /** Folder for the run's files. */
  readonly outDir: string;
  /** Reply timeout of ordinary commands, ms. */
  readonly timeoutMs: number;
  /** Seed of the virtual instrument's noise. */
  readonly seed: number;
}

export interface IvJobResult {
  readonly resource: string;
  readonly virtual: boolean;
  readonly identity: string;
  readonly points: number;
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

const HYSTERESIS_THRESHOLD = 0.05;

/** Runs the job; `progress` hears after every chunk how many points are in. */
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
  const levels = bipolarTriangle(options.amplitude, options.pointsPerCycle, options.cycles);
  // Chunk at half cycles, so each list sweep ends next to 0 V, where the
  // 2400 returns to its bias (0 V) between chunks.
  const chunkPoints = Math.min(100, options.pointsPerCycle / 2);

  const server = options.resource ? undefined : await serveVirtualKeithley2400({ seed: options.seed });
  const resource = options.resource ?? server?.tcpResource;
  if (!resource) throw new Error("the virtual instrument did not report a TCP resource");
  const recorder = new RunRecorder(options.outDir, {
    job: "iv",
    resource,
    virtual: server !== undefined,
    config: { ...options, outDir: undefined },
    model: { id: model.id, citation: model.citation, parameters: params },
  });
  try {
    const smu = await connectKeithley2400(resource, {
      limits: options.limits,
      timeoutMs: options.timeoutMs,
      onExchange: (exchange) => recorder.appendExchange(exchangeRecord(exchange)),
    });
    try {
      const identity = await smu.identify();
      await smu.outputEnabled.set(false);
      await smu.sourceMode.set("voltage");
      await smu.rampTo(0);
      await smu.complianceCurrent.set(options.compliance);
      await smu.nplc.set(options.nplc);
      await smu.sourceDelay.set(options.sourceDelay);
      await smu.outputEnabled.set(true);

      let inCompliance = 0;
      async function* countingCompliance(chunks: AsyncIterable<SweepColumns>) {
        for await (const chunk of chunks) {
          inCompliance += chunk.status.filter(inComplianceBit).length;
          yield chunk;
        }
      }
      const chunks = countingCompliance(smu.hardwareSweepChunks(Array.from(levels), { chunkPoints }));
      const twin = fromReadings("k2400", chunks).pipe(
        memristorTwin({ model, params }),
        tap((frame) => {
          recordFrame(recorder, frame);
          progress(recorder.rowCount, levels.length);
        }),
        toArray(),
      );
      const frames = await lastValueFrom(twin);
      await smu.shutdown();
      const result = summarise(frames, {
        resource,
        virtual: server !== undefined,
        inCompliance,
        identity: `${identity.manufacturer} ${identity.model} (serial ${identity.serial})`,
        files: {
          dir: recorder.dir,
          data: recorder.dataPath,
          run: recorder.runPath,
          commands: recorder.commandsPath,
          plot: join(recorder.dir, "iv.svg"),
        },
      });
      const overridden = Object.keys(options.params ?? {});
      const label = `${model.id}, ${overridden.length ? `${overridden.join(", ")} set` : "default parameters"}`;
      writeFileSync(result.files.plot, ivPlot(result, label));
      recorder.finish({ status: "success", summary: summaryRecord(result) });
      return result;
    } catch (error) {
      await smu.shutdown().catch(() => {});
      throw error;
    } finally {
      await smu.close();
    }
  } catch (error) {
    recorder.finish({ status: "failed", error: String(error) });
    throw error;
  } finally {
    await server?.close();
  }
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
  about: Pick<IvJobResult, "resource" | "virtual" | "identity" | "files" | "inCompliance">,
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
    ...(error ? { error: `${error.name}: ${error.message}` } : {}),
  };
}
