/**
 * Heater tuning (issue 16, "Measurements"): step the current into the
 * ring's heater on a source-meter placed on the heater's own terminals;
 * at each step, let the heater settle, read V and I there (P = V·I is the
 * heater's own power, with no memristor in series), and take a stepped
 * spectrum around the resonance. The resonance's shift per watt of heater
 * power is the slope of a straight-line fit of resonance wavelength
 * against power (thermo-optic tuning is linear in the dissipated power:
 * Δλ = λ (dn/dT) ΔT / n_g with ΔT = R_th·P; Padmaraju & Bergman,
 * Nanophotonics 3, 269 (2014), Eq. 1), with its standard error.
 *
 * The window follows the resonance: each step's scan is centred where the
 * fit so far (or, at the second step, the first resonance) predicts it.
 */
import type { SourceMeterHandle } from "../bench/registry.js";
import type { PowerMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { PlanContext } from "./iv.js";
import { type LinearFit, linearFit } from "./spectrum-analysis.js";
import { type Spectrum, type SpectrumBatch, steppedSpectrum } from "./transmission.js";

export interface HeaterTuningOptions {
  /** Heater currents, A, in the order they are set (each checked by the source-meter's limits). */
  readonly currents: readonly number[];
  /** Voltage compliance of the heater's source, V. */
  readonly compliance: number;
  /** Where the resonance is with the heater off, m (roughly: the first scan finds it). */
  readonly resonance: number;
  /** Width of each scan, m. */
  readonly span: number;
  /** Wavelength step of each scan, m. */
  readonly step: number;
  /** Laser power, W. */
  readonly power: number;
  /** Wait after each current step, s (several thermal time constants of the heater). */
  readonly settle: number;
  readonly path?: string;
}

export interface TuningPoint {
  /** Current set, A. */
  readonly current: number;
  /** V and I read on the heater's terminals, and their product, W. */
  readonly voltage: number;
  readonly measuredCurrent: number;
  readonly heaterPower: number;
  /** The resonance found, m (NaN when no dip was found in the window). */
  readonly resonance: number;
  /** Its full width at half depth, m (NaN when not measured). */
  readonly fwhm: number;
  /**
   * When the scan was taken, s on the run's timebase: the middle of the
   * scan (a calibration that models the chip's slow drift fits it against
   * this).
   */
  readonly time: number;
  readonly spectrum: Spectrum;
}

export interface HeaterTuningSummary {
  readonly points: readonly TuningPoint[];
  /** Resonance wavelength against heater power: slope in m/W, with its standard error. */
  readonly fit: LinearFit | undefined;
  /** The slope in pm/mW and its standard error, for people. */
  readonly efficiency: { readonly pmPerMw: number; readonly error: number } | undefined;
  readonly aborted: boolean;
}

export async function heaterTuning(
  heater: SourceMeterHandle,
  laser: TunableLaser,
  meter: PowerMeter,
  options: HeaterTuningOptions,
  context: PlanContext<SpectrumBatch>,
): Promise<HeaterTuningSummary> {
  const { timebase, signal } = context;
  context.stage?.("setting up the heater's source");
  await heater.outputEnabled.set(false);
  // The compliance first: in current mode it is what the terminals may reach, and the limits check it.
  await heater.complianceVoltage.set(options.compliance);
  await heater.sourceMode.set("current");
  // V across the heater's own terminals, beside the current it sources: P = V·I.
  await heater.measure("voltage");
  await heater.rampTo(0);
  await heater.outputEnabled.set(true);
  const points: TuningPoint[] = [];
  let aborted = false;
  for (const [index, current] of options.currents.entries()) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    context.stage?.(
      `heater at ${(current * 1e3).toFixed(3)} mA (${index + 1} of ${options.currents.length})`,
    );
    await heater.rampTo(current);
    await timebase.sleep(options.settle);
    const reading = await heater.read();
    const centre = predict(points, reading.voltage * reading.current, options.resonance);
    const scanStarted = timebase.now();
    const scan = await steppedSpectrum(
      laser,
      meter,
      {
        start: centre - options.span / 2,
        stop: centre + options.span / 2,
        step: options.step,
        power: options.power,
        ...(options.path !== undefined && { path: options.path }),
      },
      { ...context, progress: undefined },
    );
    const deepest = [...scan.spectrum.dips].sort((a, b) => a.minTransmission - b.minTransmission)[0];
    points.push({
      current,
      voltage: reading.voltage,
      measuredCurrent: reading.current,
      heaterPower: reading.voltage * reading.current,
      resonance: deepest?.wavelength ?? Number.NaN,
      fwhm: deepest?.fwhm ?? Number.NaN,
      time: (scanStarted + timebase.now()) / 2,
      spectrum: scan.spectrum,
    });
    context.progress?.(index + 1, options.currents.length);
  }
  await heater.rampTo(0);
  const found = points.filter((p) => Number.isFinite(p.resonance));
  const fit =
    found.length >= 3
      ? linearFit(
          found.map((p) => p.heaterPower),
          found.map((p) => p.resonance),
        )
      : undefined;
  return {
    points,
    fit,
    efficiency: fit && { pmPerMw: fit.slope * 1e12 * 1e-3, error: fit.slopeError * 1e12 * 1e-3 },
    aborted,
  };
}

/** Where the resonance should be at heater power `power`: the line through the points so far. */
function predict(points: readonly TuningPoint[], power: number, initial: number): number {
  const found = points.filter((p) => Number.isFinite(p.resonance));
  if (found.length === 0) return initial;
  if (found.length === 1) return (found[0] as TuningPoint).resonance;
  const fit = linearFit(
    found.map((p) => p.heaterPower),
    found.map((p) => p.resonance),
  );
  return fit.intercept + fit.slope * power;
}
