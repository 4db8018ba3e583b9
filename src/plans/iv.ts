/**
 * The I-V plan: a bipolar voltage triangle on one source-measure unit, its
 * readings streamed batch by batch (DESIGN.md, "Bench and plans"; STYLE.md
 * 11: a plain async function over a bench handle and a context that owns
 * the run's actions — emit a batch, report progress and stage, a
 * checkpoint where an abort takes effect).
 *
 * How the triangle is run depends on its length and the instrument. Both
 * source-meters end a list sweep at the bias (0 V here: the 2400 returns
 * there itself, the 2450's driver sets it back), so a half cycle
 * (0 → ±A → 0) is the longest piece one list sweep can run without a jump;
 * a half cycle that fits the list engine runs there (the 2400's holds 100
 * levels, the 2450's driver loads 2500). Cutting a longer half cycle into
 * several list sweeps cannot avoid a jump (moving the bias between pieces
 * is itself a step of a piece's span), so longer ones are stepped level by
 * level in fixed mode: set, then read, each step checked against the limit.
 *
 * The plan leaves the output on at the triangle's last level (0 V): making
 * the bench safe is the bench's `close()`.
 */

import type { SourceMeterHandle } from "../bench/registry.js";
import type { SourceMeterReading, SweepColumns } from "../drivers/instruments/kinds.js";
import { columnsOf } from "../drivers/instruments/readings.js";
import { instrumentTimeMapper, type Timebase } from "../sync/timebase.js";
import { bipolarTriangle } from "../sync/waveforms.js";

export interface IvPlanOptions {
  /** Peak voltage of the triangle, V. */
  readonly amplitude: number;
  /** Levels per cycle (a multiple of 4, large enough that each step is within the step limit). */
  readonly pointsPerCycle: number;
  readonly cycles: number;
  /** Current compliance, A. */
  readonly compliance: number;
  /** Integration time, power-line cycles. */
  readonly nplc: number;
  /** Source delay before each reading, s. */
  readonly sourceDelay: number;
}

/** What a plan is given besides its instruments: the run's actions; `B` is the shape of its batches. */
export interface PlanContext<B = SweepColumns> {
  /** The run's timebase: batch times are mapped onto it. */
  readonly timebase: Timebase;
  /** Aborting stops the plan at its next checkpoint (between batches; an exchange under way is never cut). */
  readonly signal?: AbortSignal;
  /**
   * A batch of readings, its times on the run's timebase. A plan awaits
   * what it returns before its next step: that is where the run store
   * pushes back when its backlog is full (issue 17).
   */
  emit(batch: B): void | Promise<void>;
  /** Points done of the plan's total, after each batch. */
  progress?(done: number, total: number): void;
  /** What the plan is doing, as it changes. */
  stage?(what: string): void;
}

/** How the triangle is run: in the instrument's list engine, or level by level in fixed mode. */
export type SweepMode = "list" | "fixed";

export interface IvPlanSummary {
  readonly mode: SweepMode;
  /** Levels the triangle has. */
  readonly total: number;
  /** Readings taken (fewer than `total` when the plan was aborted). */
  readonly points: number;
  readonly batches: number;
  /** Readings the instrument took in compliance. */
  readonly inCompliance: number;
  /** Stopped at a checkpoint by its signal. */
  readonly aborted: boolean;
}

/** List mode while a half cycle fits the list engine, fixed mode beyond (see the module doc). */
export const sweepMode = (pointsPerCycle: number, listPoints: number): SweepMode =>
  pointsPerCycle / 2 <= listPoints ? "list" : "fixed";

/** Levels per batch of readings in fixed mode: what subscribers get at a time. */
const FIXED_BATCH = 50;

/** Runs the triangle on `smu`, emitting each batch; resolves with what it did. */
export async function ivPlan(
  smu: SourceMeterHandle,
  options: IvPlanOptions,
  context: PlanContext,
): Promise<IvPlanSummary> {
  const { signal, timebase } = context;
  const mode = sweepMode(options.pointsPerCycle, smu.model.chunkLimits.maxListPoints);
  const levels = Array.from(bipolarTriangle(options.amplitude, options.pointsPerCycle, options.cycles));
  const summary = { mode, total: levels.length, points: 0, batches: 0, inCompliance: 0, aborted: false };
  context.stage?.("configuring the source");
  await smu.outputEnabled.set(false);
  await smu.sourceMode.set("voltage");
  await smu.rampTo(0);
  await smu.complianceCurrent.set(options.compliance);
  await smu.configureTiming({ nplc: options.nplc, sourceDelay: options.sourceDelay });
  if (signal?.aborted) return { ...summary, aborted: true };
  await smu.outputEnabled.set(true);

  context.stage?.(`sweeping (${mode} mode)`);
  const onTimebase = instrumentTimeMapper();
  const chunks =
    mode === "list"
      ? smu.hardwareSweepChunks(levels, { chunkPoints: options.pointsPerCycle / 2 })
      : fixedModeBatches(smu, levels, signal);
  for await (const chunk of chunks) {
    summary.inCompliance += chunk.status.filter((status) => smu.inCompliance(status)).length;
    summary.points += chunk.voltage.length;
    summary.batches += 1;
    await context.emit({ ...chunk, time: onTimebase(chunk.time, timebase.now()) });
    context.progress?.(summary.points, levels.length);
    if (signal?.aborted) break; // the checkpoint between batches
  }
  return { ...summary, aborted: summary.points < levels.length && (signal?.aborted ?? false) };
}

/**
 * The triangle stepped level by level in fixed mode (set, then read; each
 * step checked by the driver), in batches of {@link FIXED_BATCH} readings;
 * stops after the reading under way when `signal` is aborted.
 */
async function* fixedModeBatches(
  smu: SourceMeterHandle,
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
