/**
 * The PM100USB behind its SCPI table: its settings, the sensor head, what
 * the head sees (a LightDetector: on the bench, the fibre array over one of
 * the chip's optical paths), its time on the bench clock, and its status
 * registers.
 *
 * A reading at bench-clock time t (the end of its averaging window):
 *
 *   light P at λ ──▶ head: I = R(λ)·P + I_dark (+ noise) ──▶ console:
 *   reading = (I − I_zero) / R(λ_set) · 10^(loss/10)
 *
 * where R is the head's responsivity table and λ_set the correction
 * wavelength (`SENS:CORR:WAV`): left at the wrong wavelength, the meter is
 * off by R(λ)/R(λ_set), as a real one is ("the actual wavelength needs to
 * be entered to obtain an accurate measurement… the console determines the
 * responsivity for the input wavelength … and calculates the optical power
 * from the measured photocurrent", Thorlabs' Power Meter and Sensor
 * Tutorial). The photocurrent and its shot noise come from the photodiode
 * model (src/models/photonic/photodetector.ts).
 *
 * Time: one sample takes about 3 ms ("1 sample takes approx. 3ms", the
 * PM100D manual's command table for `SENSe:AVERage[:COUNt]`, as
 * ThorlabsPM100's ThorlabsPM100.py quotes it), so a reading averages
 * `count × 3 ms` and is an interval on the instrument's timeline: `READ?`
 * and `MEAS?` wait for it; `INIT` starts it and returns, and `FETC?` waits
 * for its end ("FETC? blocks … until measurement has been taken", Thorlabs'
 * PM100D2 SCPI reference, Slow Measurement System). The value averages
 * what the head sees over the window, one look per sample at its middle
 * (`#averagedLight`), so a sweeping laser's reading is centred on it.
 */
import { photodetector } from "../../models/photonic/photodetector.js";
import type { SeededRandom } from "../../models/random.js";
import type { LightDetector } from "../chip/fibre-array.js";
import { DARK, type LightDrive } from "../chip/optical.js";
import { ClockClosedError } from "../clock/bench-clock.js";
import type { InstrumentTimeline } from "../clock/timeline.js";
import { rangeFor } from "../ranges.js";
import type { Deferred } from "../scpi/engine.js";
import { ScpiError } from "../scpi/errors.js";
import { type Pm100SensorSpec, peakResponsivity, responsivityAt } from "./sensor.js";
import { CURRENT_RANGES, type Pm100Settings, resetSettings } from "./settings.js";
import { OPERATION, QUESTIONABLE, TransitionRegister } from "./status.js";

/** Duration of one averaged sample, s ("1 sample takes approx. 3ms", PM100D manual, `SENSe:AVERage[:COUNt]`). */
export const SAMPLE_TIME = 3e-3;

/**
 * Duration of the dark zero (`SENS:CORR:COLL:ZERO`), s. The manual gives
 * none (drivers poll `:ZERO:STATe?` until it reads 0); 1 s is an assumption.
 */
export const ZERO_DURATION = 1;

/**
 * Console noise per sample as a fraction of the range's full-scale current:
 * its 1 pA resolution on the 50 nA range (PM100USB specifications, as
 * recalled), taken as one rms count and scaled with the range.
 */
export const RANGE_NOISE_FRACTION = 1e-12 / 50e-9;

/**
 * Saturation current handed to the photodiode model, A: far above the
 * console's 5 mA top range, so the console's overflow, not the diode,
 * limits a reading (the model's largest allowed value).
 */
const SATURATION_CURRENT = 1;

/** What the meter reads: the power arriving and the light that carried it (FibreArray.read). */
export type LightReader = Pick<LightDetector, "read" | "readAt">;

/** Nothing in front of the head: no light. */
export const NO_LIGHT: LightReader = Object.freeze({ read: () => ({ power: 0, light: DARK }) });

/** One reading, SI units. */
export interface Pm100Reading {
  /** End of its averaging window, s on the bench clock. */
  readonly time: number;
  /** Photodiode current after the zero, A (what `CONF:CURR` reads). */
  readonly current: number;
  /** Power after the wavelength and loss corrections, W. */
  readonly power: number;
  /** +1 or −1 when the current exceeded the range's full scale (sent as ±9.9E37), else 0. */
  readonly overflow: -1 | 0 | 1;
}

export interface Pm100CoreOptions {
  readonly timeline: InstrumentTimeline;
  /** undefined: no head attached. */
  readonly sensor: Pm100SensorSpec | undefined;
  readonly detector: LightReader;
  /** Noise source; undefined for exact readings. */
  readonly random: SeededRandom | undefined;
  /** Told of an exception in a completion the clock ran (a bug): nothing else would hear of it. */
  readonly onInternalError: (error: unknown) => void;
}

export class Pm100Core {
  settings: Pm100Settings;
  readonly sensor: Pm100SensorSpec | undefined;
  readonly detector: LightReader;
  readonly timeline: InstrumentTimeline;
  readonly random: SeededRandom | undefined;
  readonly #onInternalError: (error: unknown) => void;
  readonly operation = new TransitionRegister();
  readonly questionable = new TransitionRegister();
  /** The dark zero, A: subtracted from every reading (`SENS:CORR:COLL:ZERO:MAGN?`). */
  zeroCurrent = 0;
  /** The last completed reading (`FETC?`), until `ABOR`, `CONF`, `INIT` or `*RST` discards it. */
  #result: Pm100Reading | undefined;
  /** The measurement `INIT` started, while it runs. */
  #measurement: { readonly end: number; readonly id: number } | undefined;
  /** The dark zero in progress. */
  #zero: { readonly end: number; readonly id: number } | undefined;
  /** Identifies scheduled completions: one cancelled or superseded finds a newer id and does nothing. */
  #nextId = 0;

  constructor(options: Pm100CoreOptions) {
    this.sensor = options.sensor;
    this.detector = options.detector;
    this.timeline = options.timeline;
    this.random = options.random;
    this.#onInternalError = options.onInternalError;
    this.settings = resetSettings(this.sensor);
    this.operation.setCondition(OPERATION.SENSOR_CONNECTED, this.sensor !== undefined);
  }

  /**
   * The head, for a command that needs one: without, -241 "Hardware
   * missing" (SCPI-99's error for absent hardware; what the real console
   * queues is not documented in the sources at hand).
   */
  requireSensor(): Pm100SensorSpec {
    if (this.sensor === undefined) throw new ScpiError(-241);
    return this.sensor;
  }

  /** Length of one reading's averaging window, s. */
  get measurementTime(): number {
    return this.settings.averageCount * SAMPLE_TIME;
  }

  /** Responsivity at the correction wavelength, A/W: what converts current back into power. */
  get correctionResponsivity(): number {
    return responsivityAt(this.requireSensor(), this.settings.correctionWavelength);
  }

  /** Watts per ampere of photocurrent, at the correction wavelength and with the loss correction. */
  get #wattsPerAmp(): number {
    return 10 ** (this.settings.lossDb / 10) / this.correctionResponsivity;
  }

  /** Full scale of the present range in W (`SENS:POW:RANG?`). */
  get powerRange(): number {
    return this.settings.currentRange * this.#wattsPerAmp;
  }

  /** Full scale in W of the range of full-scale `current` (A). */
  powerOfRange(current: number): number {
    return current * this.#wattsPerAmp;
  }

  /** The range holding `power` W at the present wavelength. */
  rangeForPower(power: number): number {
    return rangeFor(CURRENT_RANGES, power / this.#wattsPerAmp);
  }

  /** *RST: default settings, measurement and zeroing stopped; the zero value itself is kept. */
  reset(): void {
    this.settings = resetSettings(this.sensor, this.settings.lineFrequency);
    this.abort();
    this.abortZero();
  }

  /** `ABORt`, `CONFigure`: any measurement in progress is dropped, and so is the stored result. */
  abort(): void {
    this.#measurement = undefined;
    this.#result = undefined;
    this.operation.setCondition(OPERATION.MEASURING | OPERATION.DATA_READY, false);
  }

  /** When a new measurement can start: now, or once the dark zero in progress is done (none is taken during it). */
  #start(): number {
    return Math.max(this.timeline.cursor, this.#zero?.end ?? Number.NEGATIVE_INFINITY);
  }

  /** `READ?` (ABOR, INIT, FETC?): a reading over the averaging window from now. */
  read(): Promise<Pm100Reading> {
    this.requireSensor();
    this.abort();
    const start = this.#start();
    this.timeline.pass(start - this.timeline.cursor + this.measurementTime);
    this.operation.setCondition(OPERATION.MEASURING, true);
    return this.timeline.reach(() => this.#complete());
  }

  /**
   * `INITiate`: starts a reading that runs on while further commands are
   * served; `FETC?` waits for it. A second `INIT` restarts it.
   */
  initiate(): void {
    this.requireSensor();
    this.abort();
    const end = this.#start() + this.measurementTime;
    const id = ++this.#nextId;
    this.#measurement = { end, id };
    this.operation.setCondition(OPERATION.MEASURING, true);
    this.#at(end, () => {
      if (this.#measurement?.id === id) this.#complete();
    });
  }

  /**
   * `FETCh?`: the reading `INIT` started, once it ends; the last one again
   * if nothing new was started (the PM100D2 reference: "If FETC? is called
   * multiple times in a row the same result will be returned"). With none,
   * -230 "Data corrupt or stale" (SCPI-99 Vol. 2 §3.2: no valid data).
   */
  fetch(): Deferred<Pm100Reading> {
    this.requireSensor();
    const running = this.#measurement;
    if (running === undefined) return this.#stored();
    this.timeline.pass(Math.max(0, running.end - this.timeline.cursor));
    return this.timeline.reach(() => this.#stored());
  }

  #stored(): Pm100Reading {
    if (this.#result === undefined) throw new ScpiError(-230);
    return this.#result;
  }

  /** Ends a measurement now (the clock is at its end): the head is read and the result kept. */
  #complete(): Pm100Reading {
    this.#measurement = undefined;
    const { current, overflow } = this.#sense(this.settings.averageCount, true);
    const corrected = current - this.zeroCurrent;
    const reading: Pm100Reading = {
      time: this.timeline.clock.now(),
      current: corrected,
      power: corrected * this.#wattsPerAmp,
      overflow,
    };
    this.#result = reading;
    this.questionable.setCondition(QUESTIONABLE.POWER, overflow !== 0);
    this.operation.setCondition(OPERATION.MEASURING, false);
    this.operation.setCondition(OPERATION.DATA_READY, true);
    return reading;
  }

  /**
   * The head's current now, averaged over `samples` samples, A: the
   * photodiode model's mean current (photocurrent at the light's true
   * wavelength plus the dark current) and, unless exact, Gaussian noise:
   * its shot noise in the averaging bandwidth 1/(2T), the head's
   * resolution (one sample's rms, at the responsivity's peak) and the
   * console's range noise, the last two averaged down by √samples.
   * With `ranging`, autorange picks the range for it first.
   */
  #sense(samples: number, ranging: boolean): { current: number; overflow: -1 | 0 | 1 } {
    const sensor = this.requireSensor();
    const { power, light } = this.#averagedLight(sensor, samples);
    const detected = photodetector.detect(
      {
        responsivity: responsivityAt(sensor, light.wavelength),
        darkCurrent: sensor.darkCurrent,
        saturationCurrent: SATURATION_CURRENT,
        bandwidth: 1 / (2 * samples * SAMPLE_TIME),
        // A noiseless load: the console's noise is the resolution and range terms below.
        loadResistance: 1e12,
        temperature: 0,
      },
      power,
    );
    const settings = this.settings;
    if (ranging && settings.rangeAutoEnabled)
      settings.currentRange = rangeFor(CURRENT_RANGES, detected.current);
    let current = detected.current;
    if (this.random) {
      const perSample = sensor.resolution * peakResponsivity(sensor);
      const range = RANGE_NOISE_FRACTION * settings.currentRange;
      const sigma = Math.sqrt(detected.noiseStd ** 2 + (perSample ** 2 + range ** 2) / samples);
      current += sigma * this.random.gaussian();
    }
    const overflow = Math.abs(current) > settings.currentRange * (1 + 1e-12) ? (current < 0 ? -1 : 1) : 0;
    return { current, overflow };
  }

  /**
   * The light over the averaging window that ends now: one look per sample,
   * at the middle of its {@link SAMPLE_TIME}, where the detector can look
   * back (`readAt`); the photocurrents averaged and given back as the power
   * that would make that current at the last look's wavelength. So a
   * sweeping laser's reading is centred on the window, as a real meter's
   * average is. A detector that cannot look back is read once, now.
   */
  #averagedLight(sensor: Pm100SensorSpec, samples: number): { power: number; light: LightDrive } {
    const detector = this.detector;
    if (!detector.readAt) return detector.read();
    const end = this.timeline.clock.now();
    let current = 0;
    let light: LightDrive = DARK;
    for (let j = 0; j < samples; j++) {
      const look = detector.readAt(end - (samples - j - 0.5) * SAMPLE_TIME);
      current += responsivityAt(sensor, look.light.wavelength) * look.power;
      light = look.light;
    }
    const responsivity = responsivityAt(sensor, light.wavelength);
    return { power: responsivity > 0 ? current / samples / responsivity : 0, light };
  }

  /**
   * `SENS:CORR:COLL:ZERO[:INIT]`: measures the dark current in the
   * background for {@link ZERO_DURATION}; at its end the zero becomes the
   * current then flowing (dark current, and any light left on the head: the
   * manual's "ensure that the light source is not illuminating the sensor").
   */
  startZero(): void {
    this.requireSensor();
    const end = this.timeline.cursor + ZERO_DURATION;
    const id = ++this.#nextId;
    this.#zero = { end, id };
    this.operation.setCondition(OPERATION.CORRECTING, true);
    this.#at(end, () => {
      if (this.#zero?.id !== id) return;
      this.#zero = undefined;
      this.zeroCurrent = this.#sense(Math.max(1, Math.round(ZERO_DURATION / SAMPLE_TIME)), false).current;
      this.operation.setCondition(OPERATION.CORRECTING, false);
    });
  }

  /** `SENS:CORR:COLL:ZERO:ABOR`: the previous zero stays. */
  abortZero(): void {
    this.#zero = undefined;
    this.operation.setCondition(OPERATION.CORRECTING, false);
  }

  /** `SENS:CORR:COLL:ZERO:STAT?`: whether the zero still runs at the present line's time. */
  get zeroRunning(): boolean {
    return this.#zero !== undefined && this.timeline.cursor < this.#zero.end;
  }

  /**
   * Runs `next` once whatever the bench clock completes at or before the
   * present line's time (a measurement, a zero) has completed: a line that
   * reads their state at a time past their end waits for the clock.
   */
  settled<T>(next: () => T): Deferred<T> {
    const due = Math.min(this.#measurement?.end ?? Infinity, this.#zero?.end ?? Infinity);
    return due <= this.timeline.cursor ? this.timeline.reach(next) : next();
  }

  /** `*OPC?`, `*WAI`: the present line's time moves on to the end of the measurement and zero in progress. */
  waitForOperations(): void {
    const end = Math.max(this.#measurement?.end ?? 0, this.#zero?.end ?? 0);
    this.timeline.pass(Math.max(0, end - this.timeline.cursor));
  }

  /** Runs `done` when the bench clock reaches `time`; a closed clock drops it (nothing waits for the result). */
  #at(time: number, done: () => void): void {
    this.timeline.clock.after(time, done).catch((error: unknown) => {
      if (!(error instanceof ClockClosedError)) this.#onInternalError(error);
    });
  }
}
