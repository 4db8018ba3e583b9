/**
 * Transmission spectra of an optical path of the chip (issue 16,
 * "Measurements"): a tunable laser into the input fibre, a power meter
 * behind the output fibre. Two ways:
 *
 * - **stepped**: set the wavelength, wait until the laser says it is tuned
 *   (`*OPC?`), settle, read the meter. The plan adds no instrument call to
 *   those (the meter's wavelength correction follows the laser only when it
 *   has moved more than `correctionTolerance`), so its rate is the
 *   instruments' (bench/optical.ts measures that against a bare loop).
 * - **swept**: the laser's continuous sweep at a set speed, its trigger
 *   output logging the wavelength every `logStep`, while the meter is read
 *   as fast as it answers. These meters have no fast array mode and no
 *   trigger input on this bench, so the readings are aligned with the
 *   laser's log **by time on the run's timebase**:
 *   - an instrument acts on a command when it has parsed it and answers at
 *     once (the reply's way back over a socket or USB is short next to a
 *     meter's milliseconds), so what a reply reports was so when it left;
 *   - the sweep's start T0 is bracketed by polls of `:WAV:SWE?`: the last
 *     reply that did not see it running and the first that did; T0 is
 *     their midpoint, good to half their gap;
 *   - a meter reading integrates over its window (the averaging count times
 *     the sample time, `readingWindow()`), which ends as its reply leaves:
 *     it is stamped at the reply's time less half the window, good to what
 *     the round trip has beyond the window;
 *   - the laser logs its wavelength at trigger i, which fires when the
 *     sweep reaches start + i·logStep, at T0 + i·logStep / speed; each
 *     reading's wavelength is the log interpolated at its time.
 *   Those timing bounds, times the speed, bound the wavelength error (the
 *   summary gives it): at 10 nm/s, 1 ms is 10 pm.
 *
 * Both record which optical path the fibres were over, and give the
 * spectrum's dips (spectrum-analysis.ts). The light is left as it was set:
 * turning it off is the bench's close().
 */
import type { PowerMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { PlanContext } from "./iv.js";
import { type Dip, findDips } from "./spectrum-analysis.js";

/** A batch of spectrum points, on the run's timebase. */
export interface SpectrumBatch {
  /** Time of each reading, s on the run's timebase. */
  readonly time: Float64Array;
  /** Wavelength, m. */
  readonly wavelength: Float64Array;
  /** Power at the meter, W. */
  readonly power: Float64Array;
  /** Power at the meter over the laser's power setpoint (linear; fibre to fibre). */
  readonly transmission: Float64Array;
}

export interface Spectrum extends SpectrumBatch {
  /** Which optical path the fibres were over, as the bench recorded it ("ring", "reference"; undefined: not known). */
  readonly path: string | undefined;
  /** The resonance dips found in it. */
  readonly dips: readonly Dip[];
}

interface CommonOptions {
  /** First wavelength, m. */
  readonly start: number;
  /** Last wavelength, m (above start). */
  readonly stop: number;
  /** Laser power setpoint, W (checked against the bench's limit by the driver). */
  readonly power: number;
  /** Meter samples averaged per reading (default: as the meter is set). */
  readonly averageCount?: number;
  /** The optical path the fibres are over, to record with the spectrum. */
  readonly path?: string;
  /**
   * Zero the meter's dark offset before the light goes on (default false):
   * the laser's light is turned off and the meter's dark zero taken
   * (`SENS:CORR:COLL:ZERO:INIT`), so that the head's dark current (20 pA on
   * the virtual S144C, an assumption of src/virtual/thorlabs-pm100/sensor.ts:
   * 2 nW at 1550 nm, a few parts per million of a milliwatt through the
   * chip) is not read as light. A calibration wants it. The zero stays on
   * the meter after the run, as on a real PM100; the run records it
   * (`darkOffset`). The light comes back on without a wait: a laser whose
   * diode needs one after `lightOn` wants `settle`.
   */
  readonly darkZero?: boolean;
}

export interface SteppedSpectrumOptions extends CommonOptions {
  /** Wavelength step, m. */
  readonly step: number;
  /** Wait after each tuning before reading, s (default 0). */
  readonly settle?: number;
  /** Move the meter's wavelength correction once the laser is this far from it, m (default 1 nm). */
  readonly correctionTolerance?: number;
  /** Deadline of each tuning, s (default 30). */
  readonly tuneDeadline?: number;
  /** Points per emitted batch (default 100). */
  readonly batchPoints?: number;
  /**
   * After the sweep, step again through the grid's points in the first
   * `revisit` metres of the span (default 0: none), in the same order. The
   * chip's slow drift during a one-way sweep moves every resonance with
   * time, which looks like a change of the free spectral range; the same
   * wavelengths read again a sweep later show the drift itself. The points
   * stream and are recorded like the others; the summary keeps them apart.
   */
  readonly revisit?: number;
}

export interface SweptSpectrumOptions extends CommonOptions {
  /** Sweep speed, m/s (one the laser has: the TSL-570's are 1, 2, 5 … 200 nm/s). */
  readonly speed: number;
  /** Wavelength between logged triggers, m (default 1 pm). */
  readonly logStep?: number;
  /** Longest the sweep may take beyond span / speed, s (default 60). */
  readonly sweepDeadline?: number;
}

export interface SpectrumSummary {
  readonly spectrum: Spectrum;
  readonly points: number;
  readonly aborted: boolean;
  /** Swept only: bound of each reading's wavelength error from timing, m. */
  readonly wavelengthUncertainty?: number;
  /** Swept only: the sweep's start T0, s on the run's timebase. */
  readonly sweepStart?: number;
  /** With `darkZero`: the dark offset the meter zeroed, in its sensor's unit (A for a photodiode head). */
  readonly darkOffset?: number;
  /** Stepped with `revisit`: the points read again after the sweep. */
  readonly revisit?: SpectrumBatch;
}

/** Wavelengths from start to stop in steps of `step` (the last one is stop, however the step falls). */
export function wavelengthGrid(start: number, stop: number, step: number): Float64Array {
  if (!(stop > start) || !(step > 0)) {
    throw new RangeError(
      `a spectrum needs start < stop and a positive step; got ${start}, ${stop}, ${step} m`,
    );
  }
  const count = Math.round((stop - start) / step) + 1;
  const grid = new Float64Array(count);
  for (let i = 0; i < count; i++) grid[i] = Math.min(stop, start + i * step);
  grid[count - 1] = stop;
  return grid;
}

/** Sets the laser's power and turns the light on at `wavelength`, the meter corrected for it. */
async function prepare(
  laser: TunableLaser,
  meter: PowerMeter,
  options: CommonOptions,
  wavelength: number,
  context: PlanContext<SpectrumBatch>,
): Promise<{ darkOffset?: number }> {
  context.stage?.("setting up the laser and the meter");
  await laser.power.set(options.power);
  if (options.averageCount !== undefined) await meter.averageCount.set(options.averageCount);
  await meter.wavelength.set(wavelength);
  await laser.tuneTo(wavelength);
  let darkOffset: number | undefined;
  if (options.darkZero) {
    context.stage?.("zeroing the meter's dark offset with the light off");
    await laser.shutdown();
    darkOffset = await meter.zero();
  }
  await laser.lightOn();
  return darkOffset === undefined ? {} : { darkOffset };
}

/** The stepped spectrum: tune, wait for `*OPC?`, settle, read, point after point. */
export async function steppedSpectrum(
  laser: TunableLaser,
  meter: PowerMeter,
  options: SteppedSpectrumOptions,
  context: PlanContext<SpectrumBatch>,
): Promise<SpectrumSummary> {
  const { timebase, signal } = context;
  const sweep = wavelengthGrid(options.start, options.stop, options.step);
  const again = sweep.filter(
    (λ) => λ <= options.start + (options.revisit ?? 0) && (options.revisit ?? 0) > 0,
  );
  // The sweep, then the points it revisits: one visiting order.
  const grid = Float64Array.from([...sweep, ...again]);
  const tolerance = options.correctionTolerance ?? 1e-9;
  const batchPoints = options.batchPoints ?? 100;
  const settle = options.settle ?? 0;
  const out = {
    time: new Float64Array(grid.length),
    wavelength: new Float64Array(grid.length),
    power: new Float64Array(grid.length),
    transmission: new Float64Array(grid.length),
  };
  const { darkOffset } = await prepare(laser, meter, options, grid[0] as number, context);
  const window = await meter.readingWindow();
  let corrected = grid[0] as number;
  context.stage?.(`stepping ${grid.length} wavelengths`);
  let done = 0;
  let emitted = 0;
  const flush = async () => {
    if (done === emitted) return;
    const batch = sliceBatch(out, emitted, done);
    emitted = done;
    await context.emit(batch);
  };
  for (; done < grid.length; ) {
    if (signal?.aborted) break;
    const wavelength = grid[done] as number;
    await laser.tuneTo(wavelength, {
      ...(options.tuneDeadline !== undefined && { deadline: options.tuneDeadline }),
    });
    if (Math.abs(wavelength - corrected) > tolerance) {
      await meter.wavelength.set(wavelength);
      corrected = wavelength;
    }
    if (settle > 0) await timebase.sleep(settle);
    const power = await meter.read();
    // The centre of the reading's window, which ends as its reply leaves.
    out.time[done] = timebase.now() - window / 2;
    out.wavelength[done] = wavelength;
    out.power[done] = power;
    out.transmission[done] = power / options.power;
    done += 1;
    if (done - emitted >= batchPoints) {
      await flush();
      context.progress?.(done, grid.length);
    }
  }
  await flush();
  context.progress?.(done, grid.length);
  const swept = Math.min(done, sweep.length);
  return {
    ...summarise(out, swept, options.path, signal?.aborted === true && done < grid.length),
    ...(darkOffset !== undefined && { darkOffset }),
    ...(again.length > 0 && { revisit: sliceBatch(out, swept, done) }),
  };
}

/** The swept spectrum: the laser's continuous sweep, the meter polled, aligned by time (see the module doc). */
export async function sweptSpectrum(
  laser: TunableLaser,
  meter: PowerMeter,
  options: SweptSpectrumOptions,
  context: PlanContext<SpectrumBatch>,
): Promise<SpectrumSummary> {
  const { timebase, signal } = context;
  const { start, stop, speed } = options;
  const logStep = options.logStep ?? 1e-12;
  if (!(speed > 0)) throw new RangeError(`a sweep needs a positive speed, got ${speed} m/s`);
  const duration = (stop - start) / speed;
  const { darkOffset } = await prepare(laser, meter, options, (start + stop) / 2, context);
  await laser.tuneTo(start);
  await laser.configureSweep({ start, stop, mode: "continuous-one-way", speed, cycles: 1 });
  await laser.configureTriggerOutput({ when: "step", step: logStep, periodIn: "wavelength" });

  context.stage?.(
    `sweeping ${Number(((stop - start) * 1e9).toPrecision(6))} nm at ${Number((speed * 1e9).toPrecision(6))} nm/s`,
  );
  await laser.startSweep();
  // T0, bracketed by the replies around the moment the laser says it runs.
  const window = await meter.readingWindow();
  let before = timebase.now();
  let sweepStart: number | undefined;
  let startUncertainty = 0;
  const deadline = timebase.now() + duration + (options.sweepDeadline ?? 60);
  for (;;) {
    const state = await laser.sweepState();
    const answered = timebase.now();
    if (state === "running") {
      sweepStart = (before + answered) / 2;
      startUncertainty = (answered - before) / 2;
      break;
    }
    if (state === "stopped" && answered - before > duration) break; // ran and ended between polls
    before = answered;
    if (answered > deadline || signal?.aborted) break;
  }
  const times: number[] = [];
  const powers: number[] = [];
  let readRoundTrip = 0;
  let emitted = 0;
  const end = (sweepStart ?? before) + duration;
  const live = (): SpectrumBatch => {
    const n = times.length - emitted;
    const batch = {
      time: Float64Array.from(times.slice(emitted)),
      wavelength: new Float64Array(n),
      power: Float64Array.from(powers.slice(emitted)),
      transmission: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      // Live batches carry the nominal wavelength; the result uses the laser's log.
      batch.wavelength[i] = start + speed * ((batch.time[i] as number) - (sweepStart ?? before));
      batch.transmission[i] = (batch.power[i] as number) / options.power;
    }
    emitted = times.length;
    return batch;
  };
  if (sweepStart !== undefined) {
    while (timebase.now() < end && !signal?.aborted) {
      const asked = timebase.now();
      const power = await meter.read();
      const answered = timebase.now();
      readRoundTrip = Math.max(readRoundTrip, answered - asked);
      times.push(answered - window / 2);
      powers.push(power);
      if (times.length - emitted >= 100) {
        await context.emit(live());
        context.progress?.(Math.round(((answered - sweepStart) / duration) * 1000), 1000);
      }
    }
    if (times.length > emitted) await context.emit(live());
  }
  if (signal?.aborted) {
    await laser.stopSweep();
    return {
      ...summarise(emptyBatch(0), 0, options.path, true),
      ...(sweepStart !== undefined && { sweepStart }),
      ...(darkOffset !== undefined && { darkOffset }),
    };
  }
  await laser.waitForSweep({ deadline: (options.sweepDeadline ?? 60) + duration });
  context.progress?.(1000, 1000);
  if (sweepStart === undefined) {
    throw new Error(
      `the laser's sweep was never seen running (polled :WAV:SWE? for ${timebase.now() - before} s): ` +
        "it may have ended between two polls; use a slower speed",
    );
  }
  const log = await laser.readLoggedWavelengths();
  if (log.length < 2)
    throw new Error(`the laser logged ${log.length} wavelengths: the trigger output did not run`);
  const logTimes = new Float64Array(log.length);
  for (let i = 0; i < log.length; i++) logTimes[i] = sweepStart + (i * logStep) / speed;
  // Readings inside the logged span, each given the log's wavelength at its time.
  const inside: number[] = [];
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    if (t >= (logTimes[0] as number) && t <= (logTimes[log.length - 1] as number)) inside.push(k);
  }
  const out = emptyBatch(inside.length);
  inside.forEach((k, j) => {
    const t = times[k] as number;
    out.time[j] = t;
    out.wavelength[j] = interpolate(logTimes, log, t);
    out.power[j] = powers[k] as number;
    out.transmission[j] = (powers[k] as number) / options.power;
  });
  return {
    ...summarise(out, inside.length, options.path, false),
    // T0 to half the gap of its bracketing replies; a stamp to what its round trip has beyond the window.
    wavelengthUncertainty: speed * (startUncertainty + Math.max(0, readRoundTrip - window)),
    sweepStart,
    ...(darkOffset !== undefined && { darkOffset }),
  };
}

function emptyBatch(points: number) {
  return {
    time: new Float64Array(points),
    wavelength: new Float64Array(points),
    power: new Float64Array(points),
    transmission: new Float64Array(points),
  };
}

function sliceBatch(batch: SpectrumBatch, from: number, to: number): SpectrumBatch {
  return {
    time: batch.time.slice(from, to),
    wavelength: batch.wavelength.slice(from, to),
    power: batch.power.slice(from, to),
    transmission: batch.transmission.slice(from, to),
  };
}

function summarise(
  batch: SpectrumBatch,
  points: number,
  path: string | undefined,
  aborted: boolean,
): SpectrumSummary {
  const spectrum = sliceBatch(batch, 0, points);
  const dips =
    points >= 5 ? findDips({ wavelength: spectrum.wavelength, transmission: spectrum.transmission }) : [];
  return { spectrum: { ...spectrum, path, dips }, points, aborted };
}

/** y at x by linear interpolation in ascending xs (clamped at the ends). */
function interpolate(xs: Float64Array, ys: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (x <= (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[hi] as number)) return ys[hi] as number;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const f = (x - (xs[lo] as number)) / ((xs[hi] as number) - (xs[lo] as number));
  return (ys[lo] as number) + f * ((ys[hi] as number) - (ys[lo] as number));
}
