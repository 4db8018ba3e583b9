/**
 * What the recipes of calibration/ share: an instrument's identity as a
 * card keeps it, and first-order error propagation through a fit's
 * covariance.
 */
import type { ModelCard } from "../src/fit/card.js";
import type { FitResult } from "../src/fit/levenberg-marquardt.js";
import type { ChipParams } from "../src/models/chip/index.js";
import type { JobInstrument, OpticalJobOptions } from "../src/plans/optical-job.js";
import type { RecordingOptions } from "../src/plans/records.js";

/** A job's instrument as a model card names it ("unknown" where *IDN? did not say). */
export function instrumentOf(instrument: JobInstrument): ModelCard["instruments"][number] {
  const id = instrument.identification;
  return {
    name: instrument.name,
    manufacturer: id?.manufacturer ?? "unknown",
    model: id?.model ?? "unknown",
    serial: id?.serial ?? "unknown",
    firmware: id?.firmware ?? "unknown",
  };
}

/**
 * Value and first-order standard error of f at the fit: the gradient by
 * central differences in the free parameters (steps of 1e-7 relative),
 * through the fit's covariance, σ² = gᵀCg (the law of propagation of
 * uncertainty, JCGM 100:2008 (GUM), Eq. 13).
 */
export function propagate(
  fit: FitResult,
  f: (values: Readonly<Record<string, number>>) => number,
): [number, number] {
  const value = f(fit.values);
  const n = fit.free.length;
  const gradient = fit.free.map((name) => {
    const h = Math.max(Math.abs(fit.values[name] as number), 1e-30) * 1e-7;
    const up = f({ ...fit.values, [name]: (fit.values[name] as number) + h });
    const down = f({ ...fit.values, [name]: (fit.values[name] as number) - h });
    return (up - down) / (2 * h);
  });
  let variance = 0;
  for (let k = 0; k < n; k++) {
    for (let l = 0; l < n; l++) {
      variance += (gradient[k] as number) * (gradient[l] as number) * (fit.covariance[k * n + l] as number);
    }
  }
  return [value, Math.sqrt(variance)];
}

/** What every optical recipe takes alike: where it measures, on which chip, and where its files go. */
export interface OpticalRecipeOptions extends RecordingOptions {
  /** A bench file; absent: the embedded virtual bench. */
  readonly bench?: string;
  /**
   * The embedded virtual bench's chip parameters (default: the hidden truth) and noise seed (default 1;
   * each run of a recipe takes seed + its offset, see {@link virtualRunOf}). For studies; not with a bench file.
   */
  readonly virtual?: { readonly chip?: ChipParams; readonly seed?: number };
  /** The bench's tunable laser and power meter, by name (default: its only ones). */
  readonly laser?: string;
  readonly meter?: string;
  /** Folder for the runs' files, the card and the plot. */
  readonly outDir: string;
  /** The chip's id, for the card (default "demo-chip"). */
  readonly chipId?: string;
  readonly signal?: AbortSignal;
}

/** What an optical recipe passes to each of its jobs alike: its bench, laser, meter and signal, as given. */
export function opticalJobOptionsOf(options: {
  readonly bench?: string;
  readonly laser?: string;
  readonly meter?: string;
  readonly signal?: AbortSignal;
}): Pick<OpticalJobOptions, "bench" | "laser" | "meter" | "signal"> {
  return {
    ...(options.bench !== undefined && { bench: options.bench }),
    ...(options.laser !== undefined && { laser: options.laser }),
    ...(options.meter !== undefined && { meter: options.meter }),
    ...(options.signal !== undefined && { signal: options.signal }),
  };
}

/**
 * The embedded bench's chip and noise for a recipe's run number `offset`:
 * its seed (default 1) + offset, so that each run of a recipe has noise of
 * its own (two runs on one seed repeat the same noise, point by point, and
 * a ratio of their spectra cancels it, as no two runs of a real bench do).
 * With a bench file, what was given (the job refuses a virtual chip there).
 */
export function virtualRunOf(
  options: { readonly bench?: string; readonly virtual?: OpticalJobOptions["virtual"] },
  offset: number,
): Pick<OpticalJobOptions, "virtual"> {
  const { bench, virtual } = options;
  if (bench !== undefined) return virtual === undefined ? {} : { virtual };
  return { virtual: { ...virtual, seed: (virtual?.seed ?? 1) + offset } };
}
