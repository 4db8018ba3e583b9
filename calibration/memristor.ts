/**
 * Recipe 3 (issue 18): a VTEAM memristor (Kvatinsky et al., IEEE TCAS-II
 * 62(8), 786 (2015)) from bipolar I-V sweeps at two sweep rates and two
 * amplitudes, measured by the I-V job (src/plans/iv-job.ts) on a bench
 * file or the embedded virtual bench (the 2400 on the demo chip's
 * standalone memristor), each sweep kept in the run store.
 *
 * The fit: the model's current along each sweep's programme, the level the
 * source-meter set held from the reading before to each reading (the
 * 2400's source-delay-measure cycle: the level goes out at the cycle's
 * start, the reading is taken at its end), with the analytic sensitivities
 * of src/fit/models/memristor-iv.ts, all sweeps at once.
 *
 * What the sweeps can tell apart: R_on, R_off and, per direction, the
 * switching threshold v₀ and the rate constant k of dw/dt = k(v/v₀ − 1)^α.
 * α is held at the model's 3 (a triangle's few levels above threshold do
 * not resolve it beside k and v₀), and k and v₀ are fitted as the rate at
 * the sweeps' peak, ρ = k(V_peak/v₀ − 1)^α, and v₀: k and v₀ alone are
 * correlated beyond 0.99 (a lower threshold and a slower rate give nearly
 * the same switching), ρ and v₀ are not; k comes back as a derived value
 * with its error from the covariance. w_on and w_off are the model's: a
 * current sees the state only through R(w) = R_on + (R_off − R_on)(w −
 * w_on)/(w_off − w_on), so their scale is not observable (only k/(w_off −
 * w_on) is: the card says so).
 *
 * Noise: a source-meter's reading noise grows with the reading and its
 * range and falls with the integration time, so the fit is done twice,
 * the second weighted by σ = (g|I| + f·range)/√NPLC with g and f from the
 * first fit's residuals, the level from the scatter (errors scaled by the
 * reduced χ²).
 *
 * The device's state between sweeps: on the embedded virtual bench each
 * sweep gets a fresh device (the job starts a bench per run) at w_off; on
 * a bench file the sweeps are one history, the device resting at 0 V
 * between them (below both thresholds, VTEAM does not move), starting from
 * w_off (a fresh device, or one reset to its OFF state).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CardContext, cardOf, type ModelCard } from "../src/fit/card.js";
import { type FitModel, type FitResult, fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import { memristorIvFitModel } from "../src/fit/models/memristor-iv.js";
import type { ChipParams } from "../src/models/chip/index.js";
import { type VteamParams, vteam } from "../src/models/memristor/vteam.js";
import type { ParameterSpec } from "../src/models/parameters.js";
import {
  checkIvJobOptions,
  type IvJobOptions,
  type IvJobResult,
  minimumPointsPerCycle,
  runIvJob,
} from "../src/plans/iv-job.js";
import { type RecordingOptions, recordingOptionsOf } from "../src/plans/records.js";
import { svgPlot } from "../src/plans/svg-plot.js";
import { bipolarTriangle } from "../src/sync/waveforms.js";
import { instrumentOf, propagate } from "./common.js";

export const MEMRISTOR_RECIPE = { name: "memristor", version: "0.1.0" } as const;

export interface MemristorSweep {
  /** Peak of the bipolar triangle, V. */
  readonly amplitude: number;
  /** Integration, power-line cycles, and source delay, s: together, the time per level. */
  readonly nplc: number;
  readonly sourceDelay: number;
  /** Levels per cycle (default: the fewest the step limit allows) and cycles (default 2). */
  readonly pointsPerCycle?: number;
  readonly cycles?: number;
}

/**
 * Two rates at 1.2 V (about 19 and 190 ms a level: the slow one switches
 * the device ten times as far) and a lower amplitude, 0.9 V, at the slow
 * rate: the threshold shows in how much less it switches.
 */
export const DEFAULT_MEMRISTOR_SWEEPS: readonly MemristorSweep[] = [
  { amplitude: 1.2, nplc: 1, sourceDelay: 1e-3 },
  { amplitude: 1.2, nplc: 10, sourceDelay: 20e-3 },
  { amplitude: 0.9, nplc: 10, sourceDelay: 20e-3 },
];

export interface MemristorRecipeOptions extends RecordingOptions {
  /** A bench file; absent: the embedded virtual bench. */
  readonly bench?: string;
  /** The bench file's source-meter on the memristor (default: its first). */
  readonly instrument?: string;
  /** The embedded bench's chip (default: the hidden truth) and noise seed (sweep k takes seed + k). */
  readonly virtual?: { readonly chip?: ChipParams; readonly seed?: number };
  readonly outDir: string;
  readonly sweeps?: readonly MemristorSweep[];
  /** Current compliance, A (default 10 mA). */
  readonly compliance?: number;
  /** The safety limits of the device, merged over the job's defaults (2 V, 0.1 A, 0.1 V steps). */
  readonly limits?: {
    readonly maxAbsVoltage?: number;
    readonly maxAbsCurrent?: number;
    readonly maxVoltageStep?: number;
  };
  readonly chipId?: string;
  /** The source-meter's lowest current range, A (default 1 µA, the 2400's; the 2450's is 10 nA). */
  readonly lowestCurrentRange?: number;
  readonly signal?: AbortSignal;
  /** Told what the recipe is doing. */
  readonly onStage?: (stage: string) => void;
}

export interface MemristorRecipeResult {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly plotFile: string;
  /** The weighted fit, in the decorrelated parameters (see the module doc), and their reference voltages. */
  readonly fit: FitResult;
  readonly references: RateReferences;
  /** k_on and k_off, m/s, with their standard errors. */
  readonly rateConstants: {
    readonly kOn: { readonly value: number; readonly error: number };
    readonly kOff: { readonly value: number; readonly error: number };
  };
  readonly sweeps: readonly IvJobResult[];
  readonly runs: readonly string[];
}

/** Runs recipe 3 (see the module doc). */
export async function calibrateMemristor(options: MemristorRecipeOptions): Promise<MemristorRecipeResult> {
  const sweeps = options.sweeps ?? DEFAULT_MEMRISTOR_SWEEPS;
  if (sweeps.length < 2) throw new RangeError("memristor recipe: two sweeps or more are needed (two rates)");
  const maxStep = options.limits?.maxVoltageStep ?? 0.1;
  const jobOf = (sweep: MemristorSweep, k: number): IvJobOptions => ({
    ...recordingOptionsOf(options),
    ...(options.bench !== undefined && { bench: options.bench }),
    ...(options.instrument !== undefined && { instrument: options.instrument }),
    ...(options.virtual?.chip !== undefined && { virtualChip: options.virtual.chip }),
    amplitude: sweep.amplitude,
    pointsPerCycle: sweep.pointsPerCycle ?? minimumPointsPerCycle(sweep.amplitude, maxStep),
    cycles: sweep.cycles ?? 2,
    compliance: options.compliance ?? 10e-3,
    nplc: sweep.nplc,
    sourceDelay: sweep.sourceDelay,
    model: "vteam",
    params: {},
    limits: options.limits ?? {},
    outDir: join(options.outDir, `sweep-${k + 1}`),
    timeoutMs: 2000,
    seed: (options.virtual?.seed ?? 1) + k,
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  // Every sweep checked before the first runs: a bad third one is refused before the device is touched.
  for (const [k, sweep] of sweeps.entries()) checkIvJobOptions(jobOf(sweep, k));
  const results: IvJobResult[] = [];
  for (const [k, sweep] of sweeps.entries()) {
    const points = sweep.pointsPerCycle ?? minimumPointsPerCycle(sweep.amplitude, maxStep);
    options.onStage?.(
      `sweep ${k + 1} of ${sweeps.length}: ±${sweep.amplitude} V, ${points} levels a cycle, NPLC ${sweep.nplc}`,
    );
    results.push(await runIvJob(jobOf(sweep, k)));
  }

  options.onStage?.("fitting the VTEAM model to the sweeps");
  const programmes = results.map((result, k) => {
    const sweep = sweeps[k] as MemristorSweep;
    const levels = bipolarTriangle(
      sweep.amplitude,
      sweep.pointsPerCycle ?? minimumPointsPerCycle(sweep.amplitude, maxStep),
      sweep.cycles ?? 2,
    );
    if (levels.length !== result.time.length) {
      throw new Error(
        `memristor recipe: sweep ${k + 1} has ${result.time.length} readings for its ${levels.length} levels (was it cut short?)`,
      );
    }
    return { times: result.time, voltages: levels };
  });
  const fresh = results.every((r) => r.virtual);
  const peak = Math.max(...sweeps.map((s) => s.amplitude));
  const fixed = vteam.defaults;
  const atPeak: RateReferences = { on: -peak, off: peak };
  const y = Float64Array.from(results.flatMap((r) => Array.from(r.current)));
  const free = DECORRELATED.map((s) => s.name);
  const logScale = ["rOn", "rOff"];
  const first = fitLeastSquares(
    sweepsModel(programmes, fresh, atPeak, fixed),
    { y },
    { free, initial: outerOf(fixed, atPeak), logScale },
  );
  const sigma = noiseModel(results, sweeps, first.residuals, options.lowestCurrentRange ?? 1e-6);
  const weighted = fitLeastSquares(
    sweepsModel(programmes, fresh, atPeak, fixed),
    { y, sigma },
    { free, initial: first.values, logScale, absoluteSigma: false },
  );
  // The same minimum, its rates given where they do not correlate with the thresholds.
  const refs = decorrelatedReferences(weighted, atPeak, peak, fixed);
  const model = sweepsModel(programmes, fresh, refs, fixed);
  const fit = fitLeastSquares(
    model,
    { y, sigma },
    {
      free,
      initial: outerOf(innerOf(weighted.values, atPeak, fixed), refs),
      logScale,
      absoluteSigma: false,
    },
  );

  const correlation = (a: string, b: string) =>
    fit.correlation[fit.free.indexOf(a) * fit.free.length + fit.free.indexOf(b)] as number;
  const [kOn, kOnError] = propagate(fit, (v) => innerOf(v, refs, fixed).kOn);
  const [kOff, kOffError] = propagate(fit, (v) => innerOf(v, refs, fixed).kOff);
  const runs = results.map((r) => r.record.uid);
  const context: CardContext = {
    chipId: options.chipId ?? "demo-chip",
    recipe: MEMRISTOR_RECIPE,
    model: {
      name: "VTEAM memristor (clamp window, linear I-V), each direction's rate at the voltage where it does not correlate with the threshold",
      citation: "Kvatinsky et al., IEEE TCAS-II 62(8), 786 (2015)",
    },
    instruments: [
      instrumentOf({
        name: results[0]?.instrument ?? "smu1",
        identity: results[0]?.identity ?? "unknown",
        ...(results[0] !== undefined && { identification: results[0].identification }),
      }),
    ],
    identifiability: [
      `k and v₀ of each direction are fitted as a rate, ρ = k(V/v₀ − 1)^α, and v₀, at the voltage where the two do not correlate ` +
        `(V_on = ${refs.on.toFixed(3)} V, V_off = ${refs.off.toFixed(3)} V, from a first fit at ±${peak} V): ` +
        "alone, k and v₀ are correlated beyond 0.99 (a lower threshold and a slower rate switch nearly alike). " +
        "k is derived, with its error. " +
        `What is left: corr(ρ_on, v_on) = ${correlation("rateOn", "vOn").toFixed(3)}, corr(ρ_off, v_off) = ${correlation("rateOff", "vOff").toFixed(3)} ` +
        "(a reference clamped to 1.05|v₀| or 3× the peak leaves more).",
      `α_on = ${fixed.alphaOn} and α_off = ${fixed.alphaOff} are held at the model's values: a triangle's few levels above threshold do not resolve α beside k and v₀.`,
      `w_on = ${fixed.wOn} m and w_off = ${fixed.wOff} m are the model's: the current sees the state only through R(w), so only k/(w_off − w_on) is observable.`,
      fresh
        ? `Each sweep on a fresh virtual device at w_off (the embedded bench starts one per run).`
        : "The sweeps are one history of one device from w_off, resting at 0 V between them (below both thresholds).",
      "Weighted by the source-meter's noise form, σ = (g|I| + f·range)/√NPLC, g and f from a first fit's residuals; " +
        `errors scaled by the reduced χ² (${fit.reducedChiSquare.toFixed(2)}).`,
    ],
    derived: [
      {
        name: "kOn",
        unit: "m/s",
        value: kOn,
        standardError: kOnError,
        note: "k_on = ρ_on/(V_on/v_on − 1)^α_on",
      },
      {
        name: "kOff",
        unit: "m/s",
        value: kOff,
        standardError: kOffError,
        note: "k_off = ρ_off/(V_off/v_off − 1)^α_off",
      },
      {
        name: "rateReferenceOn",
        unit: "V",
        value: refs.on,
        standardError: null,
        note: "V_on, where ρ_on is given",
      },
      {
        name: "rateReferenceOff",
        unit: "V",
        value: refs.off,
        standardError: null,
        note: "V_off, where ρ_off is given",
      },
      ...(["wOn", "wOff", "alphaOn", "alphaOff"] as const).map((name) => ({
        name,
        unit: vteam.parameters.find((s) => s.name === name)?.unit ?? "1",
        value: fixed[name],
        standardError: null,
        note: "held at the model's value",
      })),
    ],
    runs,
    points: y.length,
  };
  const card = cardOf(fit, context);
  const cardFile = join(options.outDir, "card.json");
  writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  const plotFile = join(options.outDir, "memristor-fit.svg");
  const predicted = new Float64Array(y.length);
  model.evaluate(
    Float64Array.from(model.parameters, (s) => fit.values[s.name] as number),
    predicted,
  );
  writeFileSync(plotFile, ivFitPlot(results, predicted));
  return {
    card,
    cardFile,
    plotFile,
    fit,
    rateConstants: { kOn: { value: kOn, error: kOnError }, kOff: { value: kOff, error: kOffError } },
    references: refs,
    sweeps: results,
    runs,
  };
}

/**
 * The VTEAM parameters a recipe-3 card holds: the fitted R_on, R_off, v_on
 * and v_off, and the derived k_on, k_off and held w_on, w_off, α_on,
 * α_off. What the twin's model (src/sync/memristor-twin.ts, `pms iv
 * --card`) runs with. A card of another recipe, or one that is not
 * usable, is refused naming the file.
 */
export function vteamParamsOfCard(card: ModelCard, file: string): VteamParams {
  if (card.recipe.name !== MEMRISTOR_RECIPE.name) {
    throw new RangeError(
      `${file}: a ${card.recipe.name} card, not a memristor card (pms calibrate memristor writes one)`,
    );
  }
  if (!card.fit.usable) {
    throw new RangeError(
      `${file}: the card's fit is not usable (${card.diagnostics.map((d) => d.message).join("; ") || card.fit.reason})`,
    );
  }
  const value = (name: string): number => {
    const found =
      card.parameters.find((p) => p.name === name)?.value ?? card.derived.find((d) => d.name === name)?.value;
    if (found === undefined) throw new RangeError(`${file}: the card has no value for ${name}`);
    return found;
  };
  return Object.fromEntries(vteam.parameters.map((spec) => [spec.name, value(spec.name)])) as VteamParams;
}

/** The fitted parameters: R_on, R_off, then per direction the rate at the peak and the threshold. */
export const DECORRELATED: readonly ParameterSpec[] = [
  vteam.parameters.find((s) => s.name === "rOn") as ParameterSpec,
  vteam.parameters.find((s) => s.name === "rOff") as ParameterSpec,
  {
    name: "rateOn",
    unit: "m/s",
    default: -1e-8,
    min: -1e3,
    max: -1e-18,
    meaning: "dw/dt at V_on, ρ_on",
  },
  vteam.parameters.find((s) => s.name === "vOn") as ParameterSpec,
  {
    name: "rateOff",
    unit: "m/s",
    default: 1e-8,
    min: 1e-18,
    max: 1e3,
    meaning: "dw/dt at V_off, ρ_off",
  },
  vteam.parameters.find((s) => s.name === "vOff") as ParameterSpec,
];

/** The voltages, V, at which each direction's rate is fitted (negative for ON). */
export interface RateReferences {
  readonly on: number;
  readonly off: number;
}

/** VTEAM's parameters from the decorrelated ones (the rest from `fixed`). */
export function innerOf(
  outer: Readonly<Record<string, number>>,
  refs: RateReferences,
  fixed: VteamParams,
): VteamParams {
  const vOn = outer.vOn as number;
  const vOff = outer.vOff as number;
  return {
    ...fixed,
    rOn: outer.rOn as number,
    rOff: outer.rOff as number,
    vOn,
    vOff,
    kOn: (outer.rateOn as number) / (refs.on / vOn - 1) ** fixed.alphaOn,
    kOff: (outer.rateOff as number) / (refs.off / vOff - 1) ** fixed.alphaOff,
  };
}

/** The decorrelated parameters of VTEAM parameters `p`. */
export function outerOf(p: VteamParams, refs: RateReferences): Record<string, number> {
  return {
    rOn: p.rOn,
    rOff: p.rOff,
    rateOn: p.kOn * (refs.on / p.vOn - 1) ** p.alphaOn,
    vOn: p.vOn,
    rateOff: p.kOff * (refs.off / p.vOff - 1) ** p.alphaOff,
    vOff: p.vOff,
  };
}

/**
 * The reference voltage at which a direction's rate is uncorrelated with
 * its threshold, from a fit at `refs`: with c(V) = αV/((V − v₀)v₀),
 * δρ_V/ρ_V = δk/k − c(V)δv₀, so Cov(δρ_V/ρ_V, δv₀) = 0 at
 * c = c(V_fit) + Cov(δρ/ρ, δv₀)/Var(v₀), i.e. V = c v₀²/(c v₀ − α). Kept
 * beyond the threshold (|V| ≥ 1.05|v₀|) and within three times the peak.
 */
export function decorrelatedReferences(
  fit: FitResult,
  refs: RateReferences,
  peak: number,
  fixed: VteamParams,
): RateReferences {
  const n = fit.free.length;
  const one = (rate: string, threshold: string, ref: number, alpha: number): number => {
    const [i, j] = [fit.free.indexOf(rate), fit.free.indexOf(threshold)];
    if (i < 0 || j < 0) return ref;
    const ρ = fit.values[rate] as number;
    const v0 = fit.values[threshold] as number;
    const variance = fit.covariance[j * n + j] as number;
    if (!(variance > 0)) return ref;
    const c = (alpha * ref) / ((ref - v0) * v0) + (fit.covariance[i * n + j] as number) / ρ / variance;
    const v = (c * v0 * v0) / (c * v0 - alpha);
    if (!Number.isFinite(v) || Math.sign(v) !== Math.sign(v0)) return ref;
    return Math.sign(v0) * Math.min(Math.max(Math.abs(v), 1.05 * Math.abs(v0)), 3 * peak);
  };
  return {
    on: one("rateOn", "vOn", refs.on, fixed.alphaOn),
    off: one("rateOff", "vOff", refs.off, fixed.alphaOff),
  };
}

/**
 * The current along every sweep, in the decorrelated parameters: VTEAM's
 * Jacobian (memristor-iv.ts) by the chain rule, ∂/∂ρ = ∂/∂k · ∂k/∂ρ and
 * ∂/∂v₀|ρ = ∂/∂v₀|k + ∂/∂k · ∂k/∂v₀|ρ, with k = ρ u^−α, u = V/v₀ − 1:
 * ∂k/∂ρ = u^−α, ∂k/∂v₀ = α k V/(u v₀²).
 */
export function sweepsModel(
  programmes: readonly { readonly times: Float64Array; readonly voltages: Float64Array }[],
  fresh: boolean,
  refs: RateReferences,
  fixed: VteamParams,
): FitModel {
  const x0 = vteam.initialState(fixed);
  // Fresh devices: one model per sweep; one history: the sweeps end to end, a second apart.
  const parts = fresh
    ? programmes.map((p) =>
        memristorIvFitModel(vteam, {
          ...p,
          x0,
          t0: (p.times[0] as number) - ((p.times[1] as number) - (p.times[0] as number)),
        }),
      )
    : [memristorIvFitModel(vteam, { ...joined(programmes), x0 })];
  const sizes = fresh
    ? programmes.map((p) => p.times.length)
    : [programmes.reduce((n, p) => n + p.times.length, 0)];
  const total = sizes.reduce((a, b) => a + b, 0);
  const names = vteam.parameters.map((s) => s.name);
  const m = names.length;
  const column = (name: string) => names.indexOf(name);
  return {
    name: "VTEAM current over the sweeps",
    parameters: DECORRELATED,
    evaluate(outer, prediction, jacobian) {
      const o = Object.fromEntries(DECORRELATED.map((s, j) => [s.name, outer[j] as number]));
      const p = innerOf(o, refs, fixed);
      const vector = Float64Array.from(names, (name) => p[name as keyof VteamParams]);
      let at = 0;
      for (const [k, part] of parts.entries()) {
        const size = sizes[k] as number;
        const sub = new Float64Array(size);
        const inner = jacobian ? new Float64Array(size * m) : undefined;
        part.evaluate(vector, sub, inner);
        prediction.set(sub, at);
        if (jacobian && inner) {
          const uOn = refs.on / p.vOn - 1;
          const uOff = refs.off / p.vOff - 1;
          for (let i = 0; i < size; i++) {
            const row = inner.subarray(i * m, (i + 1) * m);
            const byKOn = row[column("kOn")] as number;
            const byKOff = row[column("kOff")] as number;
            const out = (at + i) * DECORRELATED.length;
            jacobian[out] = row[column("rOn")] as number;
            jacobian[out + 1] = row[column("rOff")] as number;
            jacobian[out + 2] = byKOn * uOn ** -fixed.alphaOn;
            jacobian[out + 3] =
              (row[column("vOn")] as number) +
              (byKOn * fixed.alphaOn * p.kOn * refs.on) / (uOn * p.vOn * p.vOn);
            jacobian[out + 4] = byKOff * uOff ** -fixed.alphaOff;
            jacobian[out + 5] =
              (row[column("vOff")] as number) +
              (byKOff * fixed.alphaOff * p.kOff * refs.off) / (uOff * p.vOff * p.vOff);
          }
        }
        at += size;
      }
      if (at !== total) throw new Error("unreachable: the sweeps' sizes do not add up");
    },
  };
}

/** The sweeps as one history: each one's times after the one before, a second apart. */
function joined(programmes: readonly { readonly times: Float64Array; readonly voltages: Float64Array }[]) {
  const times: number[] = [];
  const voltages: number[] = [];
  let offset = 0;
  for (const p of programmes) {
    const start = (p.times[0] as number) - ((p.times[1] as number) - (p.times[0] as number));
    const shift = offset - start;
    for (let i = 0; i < p.times.length; i++) {
      times.push((p.times[i] as number) + shift);
      voltages.push(p.voltages[i] as number);
    }
    offset = (times[times.length - 1] as number) + 1;
  }
  return { times: Float64Array.from(times), voltages: Float64Array.from(voltages), t0: 0 };
}

/**
 * Each point's σ from the source-meter's noise form, a share of the
 * reading plus a share of the range, averaged down by the integration:
 * σ = (g|I| + f·range)/√NPLC (the 2400's accuracy specification has this
 * form, manual Appendix A: "±(% rdg + amps)" per range; the range is the
 * decade above |I|, as an autoranging source-meter picks it, and never
 * below its lowest range: a reading of 0 A at 0 V is as noisy as that
 * range's, not noiseless). g and f come
 * from the first fit's residuals, E|r| = σ√(2/π), by non-negative least
 * squares: two numbers from every point, not a scatter per small group.
 */
function noiseModel(
  results: readonly IvJobResult[],
  sweeps: readonly MemristorSweep[],
  residuals: Float64Array,
  lowestRange: number,
): Float64Array {
  const a: number[] = [];
  const b: number[] = [];
  for (const [k, r] of results.entries()) {
    const averaging = Math.sqrt((sweeps[k] as MemristorSweep).nplc);
    for (const current of r.current) {
      const magnitude = Math.abs(current);
      a.push(magnitude / averaging);
      const decade = 10 ** Math.ceil(Math.log10(Math.max(magnitude, 1e-15) / 1.05));
      b.push(Math.max(decade, lowestRange) / averaging);
    }
  }
  const r = Array.from(residuals, (x) => Math.abs(x) * Math.sqrt(Math.PI / 2));
  const dot = (u: number[], v: number[]) => u.reduce((sum, x, i) => sum + x * (v[i] as number), 0);
  const [aa, ab, bb, ar, br] = [dot(a, a), dot(a, b), dot(b, b), dot(a, r), dot(b, r)];
  const det = aa * bb - ab * ab;
  let g = (ar * bb - br * ab) / det;
  let f = (br * aa - ar * ab) / det;
  // Non-negative: a share that comes out below zero is dropped and the other refitted alone.
  if (!(g >= 0)) [g, f] = [0, br / bb];
  if (!(f >= 0)) [g, f] = [ar / aa, 0];
  const floor = 1e-6 * Math.max(...r);
  return Float64Array.from(a, (x, i) => Math.max(g * x + f * (b[i] as number), floor));
}

/** Each sweep's measured loop (markers) and the fit (lines), in mA against V. */
function ivFitPlot(results: readonly IvJobResult[], predicted: Float64Array): string {
  const colours = ["#1f4e9c", "#2e8b57", "#8e44ad", "#d35400"];
  let at = 0;
  const series = results.flatMap((r, k) => {
    const fit = predicted.subarray(at, at + r.current.length);
    at += r.current.length;
    const colour = colours[k % colours.length] as string;
    return [
      {
        name: `sweep ${k + 1}`,
        x: r.voltage,
        y: Float64Array.from(r.current, (i) => i * 1e3),
        color: colour,
        markers: true,
        markerRadius: 2,
      },
      { name: `fit ${k + 1}`, x: r.voltage, y: Float64Array.from(fit, (i) => i * 1e3), color: colour },
    ];
  });
  return svgPlot({
    title: "Memristor: I-V sweeps (markers) and the VTEAM fit (lines)",
    xLabel: "voltage (V)",
    yLabel: "current (mA)",
    series,
  });
}
