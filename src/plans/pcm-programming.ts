/**
 * Phase-change programming (issue 16, "Measurements"): pulse trains on a
 * source-meter driving the heater under the phase-change patch, and the
 * optical readout after each pulse: the transmission at a fixed wavelength
 * near the ring's resonance, which moves as the patch crystallises (its
 * index rises with the crystalline fraction, JMAK kinetics in the chip
 * model: Avrami, J. Chem. Phys. 7, 1103 (1939); the optical constants by
 * effective-medium mixing).
 *
 * A pulse is the source ramped to its amplitude within the driver's step
 * and rate limits, held for `width` on the run's timebase, ramped back to
 * zero; then `interval` of rest, then the reading. The ramps belong to the
 * pulse: the bench's limits decide how sharp an edge may be, and the plan
 * reports the time each pulse really took.
 */
import type { SourceMeterHandle } from "../bench/registry.js";
import type { PowerMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { Timebase } from "../sync/timebase.js";
import type { PlanContext } from "./iv.js";
import { findDips } from "./spectrum-analysis.js";
import { type Spectrum, type SpectrumBatch, steppedSpectrum } from "./transmission.js";

export interface PcmProgrammingOptions {
  /** The source's quantity and amplitude of each pulse (A of current or V of voltage). */
  readonly mode: "current" | "voltage";
  readonly amplitude: number;
  /** Compliance on the other quantity, V or A. */
  readonly compliance: number;
  /** Time held at the amplitude, s. */
  readonly width: number;
  /** Rest after each pulse before the reading, s. */
  readonly interval: number;
  readonly pulses: number;
  /** Readout wavelength, m, and laser power, W. */
  readonly wavelength: number;
  readonly power: number;
  readonly path?: string;
}

/** One pulse and the readout after it. */
export interface PulseBatch {
  /** Pulse number, 1, 2, … (0: the readout before the first pulse). */
  readonly pulse: Float64Array;
  /** Time of the readout, s on the run's timebase. */
  readonly time: Float64Array;
  /** Power at the meter, W, and over the laser's setpoint. */
  readonly power: Float64Array;
  readonly transmission: Float64Array;
  /** How long each pulse took from the start of its rising ramp to the end of its falling one, s. */
  readonly pulseDuration: Float64Array;
}

export interface PcmProgrammingSummary {
  readonly readouts: PulseBatch;
  readonly pulses: number;
  readonly path: string | undefined;
  readonly aborted: boolean;
}

export async function pcmProgramming(
  source: SourceMeterHandle,
  laser: TunableLaser,
  meter: PowerMeter,
  options: PcmProgrammingOptions,
  context: PlanContext<PulseBatch>,
): Promise<PcmProgrammingSummary> {
  const { timebase, signal } = context;
  context.stage?.("setting up the laser, the meter and the pulse source");
  await laser.power.set(options.power);
  await meter.wavelength.set(options.wavelength);
  await laser.tuneTo(options.wavelength);
  await laser.lightOn();
  await setUpPulseSource(source, options.mode, options.compliance);

  const window = await meter.readingWindow();
  const rows: Array<[number, number, number, number]> = [];
  const readout = async (pulse: number, duration: number) => {
    const power = await meter.read();
    // The centre of the reading's window, which ends as its reply leaves.
    const time = timebase.now() - window / 2;
    rows.push([pulse, time, power, duration]);
    await context.emit(batchOf([[pulse, time, power, duration]], options.power));
  };
  await readout(0, 0);
  let pulse = 0;
  for (; pulse < options.pulses; ) {
    if (signal?.aborted) break;
    const { duration } = await pulseOnce(source, timebase, options.amplitude, options.width);
    pulse += 1;
    await timebase.sleep(options.interval);
    await readout(pulse, duration);
    context.progress?.(pulse, options.pulses);
  }
  return {
    readouts: batchOf(rows, options.power),
    pulses: pulse,
    path: options.path,
    aborted: pulse < options.pulses,
  };
}

function batchOf(
  rows: ReadonlyArray<readonly [number, number, number, number]>,
  laserPower: number,
): PulseBatch {
  const column = (i: number) => Float64Array.from(rows, (row) => row[i] as number);
  const power = column(2);
  return {
    pulse: column(0),
    time: column(1),
    power,
    transmission: power.map((p) => p / laserPower),
    pulseDuration: column(3),
  };
}

/** A scan's window: its width and step, m, centred where the plan expects the resonance. */
export interface ScanWindow {
  readonly span: number;
  readonly step: number;
}

/** The next pulse a programme asks for: amplitude (A or V, as the plan's mode), width, s, and the window of the scan after it. */
export interface ProgrammedPulse {
  readonly amplitude: number;
  readonly width: number;
  readonly scan?: ScanWindow;
}

/** One readout of a scanned programme: the pulse before it and the scan after it. */
export interface ScannedReadout {
  /** Pulses given before it (0: the scan before any). */
  readonly pulse: number;
  /** The pulse's amplitude and held width as programmed (0 before any). */
  readonly amplitude: number;
  readonly width: number;
  /** How long the pulse took with its ramps, s (0 before any). */
  readonly duration: number;
  /** When the pulse began, s on the run's timebase (NaN before any). */
  readonly pulseStart: number;
  /** How long its ramp up and its ramp down took, s (0 before any): each step's dwell is their share. */
  readonly rampUp: number;
  readonly rampDown: number;
  /** The middle of the scan, s on the run's timebase. */
  readonly time: number;
  /** The deepest dip of the scan: wavelength, m, and full width at half depth, m (NaN: none found). */
  readonly resonance: number;
  readonly fwhm: number;
  readonly spectrum: Spectrum;
}

export interface PcmScanOptions {
  readonly mode: "current" | "voltage";
  readonly compliance: number;
  /** Rest after each pulse before the scan, s. */
  readonly interval: number;
  /** Laser power, W. */
  readonly power: number;
  /** Where the resonance is before the first pulse, roughly, m (the first scan is centred there). */
  readonly resonance: number;
  /** The first scan's window (and each later one's, unless the programme gives another). */
  readonly scan: ScanWindow;
  /**
   * The pulses: a fixed list, or a programme that sees every readout so far
   * and returns the next pulse, or undefined to stop (an adaptive schedule:
   * a calibration that does not know how fast the patch will move).
   */
  readonly pulses:
    | readonly ProgrammedPulse[]
    | ((readouts: readonly ScannedReadout[]) => ProgrammedPulse | undefined);
  /** Most pulses a programme may ask for (the progress bar's total; default: the list's length, or 100). */
  readonly maxPulses?: number;
  readonly path?: string;
}

/** A scan's points, with the pulse before the scan on every row. */
export interface PulseScanBatch extends SpectrumBatch {
  /** Pulses given before the scan (0: before any). */
  readonly pulse: Float64Array;
  /** That pulse's amplitude and held width, s (0 before any). */
  readonly amplitude: Float64Array;
  readonly width: Float64Array;
}

export interface PcmScanSummary {
  readonly readouts: readonly ScannedReadout[];
  readonly pulses: number;
  readonly aborted: boolean;
}

/**
 * Phase-change programming read out by spectra: a stepped scan around the
 * ring's resonance before the first pulse and after each one, each
 * centred where the resonance was last found plus its last move (a
 * crystallising patch pulls it red, and the dip widens as it absorbs). The
 * resonance's shift, not the transmission at one wavelength, is what a
 * calibration fits: it does not depend on the couplers or the laser's
 * power, and it moves one way as the patch crystallises. Pulses are as in
 * {@link pcmProgramming}; a programme may choose each from what the scans
 * showed.
 */
export async function pcmScanProgramming(
  source: SourceMeterHandle,
  laser: TunableLaser,
  meter: PowerMeter,
  options: PcmScanOptions,
  context: PlanContext<PulseScanBatch>,
): Promise<PcmScanSummary> {
  const { timebase, signal } = context;
  const list = typeof options.pulses === "function" ? undefined : options.pulses;
  const total = options.maxPulses ?? list?.length ?? 100;
  context.stage?.("setting up the pulse source");
  await setUpPulseSource(source, options.mode, options.compliance);

  const readouts: ScannedReadout[] = [];
  const scanAfter = async (pulse: ProgrammedPulse | undefined, timing: PulseTiming, window: ScanWindow) => {
    const centre = expectedResonance(readouts, options.resonance);
    const began = timebase.now();
    const scan = await steppedSpectrum(
      laser,
      meter,
      {
        start: centre - window.span / 2,
        stop: centre + window.span / 2,
        step: window.step,
        power: options.power,
        ...(options.path !== undefined && { path: options.path }),
      },
      {
        ...context,
        // The scan is part of a pulse's readout: its own stage and progress would hide the pulses'.
        progress: undefined,
        stage: undefined,
        emit: (b) => {
          const fill = (value: number) => new Float64Array(b.time.length).fill(value);
          return context.emit({
            ...b,
            pulse: fill(readouts.length),
            amplitude: fill(pulse?.amplitude ?? 0),
            width: fill(pulse?.width ?? 0),
          });
        },
      },
    );
    // Shallow dips too: a crystalline patch's loss leaves the ring's dip a dB or two deep.
    const deepest = findDips(scan.spectrum, { minProminenceDb: 0.5 }).sort(
      (a, b) => a.minTransmission - b.minTransmission,
    )[0];
    readouts.push({
      pulse: readouts.length,
      amplitude: pulse?.amplitude ?? 0,
      width: pulse?.width ?? 0,
      ...timing,
      time: (began + timebase.now()) / 2,
      resonance: deepest?.wavelength ?? Number.NaN,
      fwhm: deepest?.fwhm ?? Number.NaN,
      spectrum: scan.spectrum,
    });
  };
  context.stage?.("scanning the resonance before the first pulse");
  await scanAfter(undefined, { pulseStart: Number.NaN, duration: 0, rampUp: 0, rampDown: 0 }, options.scan);
  let window = options.scan;
  let aborted = false;
  for (let given = 0; ; ) {
    if (signal?.aborted) {
      aborted = true;
      break;
    }
    if (given >= total) break;
    const next = list
      ? list[given]
      : (options.pulses as (r: readonly ScannedReadout[]) => ProgrammedPulse | undefined)(readouts);
    if (next === undefined) break;
    checkPulse(next, given + 1);
    if (next.scan) window = next.scan;
    context.stage?.(
      `pulse ${given + 1}: ${next.amplitude} ${options.mode === "voltage" ? "V" : "A"} for ${(next.width * 1e3).toFixed(1)} ms`,
    );
    const timing = await pulseOnce(source, timebase, next.amplitude, next.width);
    given += 1;
    await timebase.sleep(options.interval);
    await scanAfter(next, timing, window);
    context.progress?.(given, total);
  }
  return { readouts, pulses: readouts.length - 1, aborted };
}

/**
 * The pulse source at zero with its output on: output off, the compliance
 * first (once the mode is set it is what the terminals may reach, and the
 * limits check it), the mode, the level ramped to zero, output on.
 */
async function setUpPulseSource(
  source: SourceMeterHandle,
  mode: "current" | "voltage",
  compliance: number,
): Promise<void> {
  await source.outputEnabled.set(false);
  if (mode === "current") await source.complianceVoltage.set(compliance);
  else await source.complianceCurrent.set(compliance);
  await source.sourceMode.set(mode);
  await source.rampTo(0);
  await source.outputEnabled.set(true);
}

interface PulseTiming {
  readonly pulseStart: number;
  readonly duration: number;
  readonly rampUp: number;
  readonly rampDown: number;
}

/** One pulse: ramped to `amplitude`, held `width`, ramped to zero; how long it took, and its ramps, s. */
async function pulseOnce(
  source: SourceMeterHandle,
  timebase: Timebase,
  amplitude: number,
  width: number,
): Promise<PulseTiming> {
  const began = timebase.now();
  await source.rampTo(amplitude);
  const top = timebase.now();
  await timebase.sleep(width);
  const down = timebase.now();
  await source.rampTo(0);
  const end = timebase.now();
  return { pulseStart: began, duration: end - began, rampUp: top - began, rampDown: end - down };
}

/**
 * A pulse the plan cannot give: a RangeError naming it, before anything is
 * sent (the source-meter's limits then check what it may reach).
 */
function checkPulse(pulse: ProgrammedPulse, number: number): void {
  const bad = (what: string) => {
    throw new RangeError(`pcm-scan: pulse ${number}: ${what}`);
  };
  if (!Number.isFinite(pulse.amplitude) || pulse.amplitude === 0)
    bad(`amplitude must be finite and not 0; got ${pulse.amplitude}`);
  if (!(pulse.width >= 0 && Number.isFinite(pulse.width))) bad(`width must be ≥ 0 s; got ${pulse.width}`);
  if (pulse.scan) {
    const { span, step } = pulse.scan;
    if (!(span > 0 && Number.isFinite(span))) bad(`scan span must be positive, m; got ${span}`);
    if (!(step > 0 && step <= span))
      bad(`scan step must be positive and fit in the span (${span} m); got ${step}`);
  }
}

/** Where the next scan should look: the last resonance found plus its last move (the first guess before any). */
function expectedResonance(readouts: readonly ScannedReadout[], initial: number): number {
  const found = readouts.filter((r) => Number.isFinite(r.resonance));
  const last = found[found.length - 1];
  if (!last) return initial;
  const before = found[found.length - 2];
  return last.resonance + (before ? last.resonance - before.resonance : 0);
}
