/**
 * The 2400 behind its SCPI table: settings, the port it drives, the bench
 * clock, the status registers, and what happens when it is triggered
 * (manual §11 "Trigger model": arm layer × trigger layer of
 * source-delay-measure cycles).
 *
 * The output drives a port of the chip from the moment a command changes
 * it, and holds it between commands: the chip under it evolves while the
 * client thinks. A source-delay-measure cycle is an interval on the bench
 * clock (source delay + integration + overhead): the level goes out at
 * its start and the reading is the port's operating point at its end, so
 * another instrument may act on the chip in between.
 */

import { type ElectricalPort, OPEN_DRIVE } from "../chip/ports.js";
import type { InstrumentTimeline } from "../clock/timeline.js";
import type { MeasurementNoise } from "../measurement-noise.js";
import type { Deferred } from "../scpi/engine.js";
import { ScpiError } from "../scpi/errors.js";
import { EventRegister } from "../scpi/status.js";
import type { SourceState } from "../source-state.js";
import { cycleDrive, type Reading, sourceMeasure } from "./measure.js";
import { sourceLevels, sourcePoint } from "./sequence.js";
import { type Keithley2400Settings, resetSettings, type SenseFunction } from "./settings.js";

/** Measurement Event Register bits (manual §15 "Measurement Event Register", Figure 15-6). */
export const MEASUREMENT_EVENT = {
  READING_AVAILABLE: 1 << 6,
  READING_OVERFLOW: 1 << 7,
  BUFFER_AVAILABLE: 1 << 8,
  BUFFER_FULL: 1 << 9,
  COMPLIANCE: 1 << 14,
} as const;

/** Operation Event Register bits (manual §15 "Operation Event Register"). */
export const OPERATION_EVENT = {
  WAITING_FOR_ARM: 1 << 6,
  IDLE: 1 << 10,
} as const;

/** The `done` of an :INITiate that nothing follows. */
const NOTHING = (): undefined => undefined;

/** Keithley-defined errors this model raises (manual Appendix B, Table B-1). */
export const DEVICE_ERRORS = {
  OUTPUT_OFF: 803,
  INFINITE_ARM_COUNT: 830,
} as const;

/** Every sense function, for copying the ranges a reading used back into the settings. */
const SENSE_FUNCTIONS: readonly SenseFunction[] = ["VOLT", "CURR", "RES"];

/** Auto source delay: the bench-default delay action, 1 ms (manual §11 "Bench defaults"). */
export const AUTO_SOURCE_DELAY = 0.001;
/**
 * Firmware and A/D overhead per reading, s: not in the manual; a round
 * figure so that readings take time even at the shortest settings.
 */
export const READING_OVERHEAD = 0.001;

export interface Keithley2400CoreOptions {
  /** The port the output terminals are wired to. */
  readonly port: ElectricalPort;
  /** Told every change of what the terminals are driven with (see {@link SourceState}). */
  readonly onSource?: (state: SourceState) => void;
  /** The instrument's time on the bench clock, within the line it executes (see timeline.ts). */
  readonly timeline: InstrumentTimeline;
  readonly noise: MeasurementNoise | undefined;
  /** :SOURce:DELay at power-on, s (auto delay off); undefined keeps the *RST default. */
  readonly powerOnSourceDelay?: number;
}

export class Keithley2400Core {
  settings: Keithley2400Settings = resetSettings();
  readonly port: ElectricalPort;
  readonly timeline: InstrumentTimeline;
  readonly noise: MeasurementNoise | undefined;
  readonly measurementEvents = new EventRegister();
  readonly operationEvents = new EventRegister();
  readonly questionableEvents = new EventRegister();
  /** Readings of the last acquisition: what :FETCh? returns. */
  readings: Reading[] = [];
  /** The trace (reading) buffer, up to :TRACe:POINts readings. */
  buffer: Reading[] = [];
  /** Arm passes still waiting for a bus trigger (*TRG) after :INITiate with :ARM:SOURce BUS. */
  pendingArms = 0;
  /** The last reading hit compliance (:SENSe:…:PROTection:TRIPped?). */
  complianceTripped = false;
  /** Last front-panel key pressed (:SYSTem:KEY?). */
  lastKey = 0;
  remoteState: "LOC" | "REM" | "RWL" = "REM";
  /** Bench-clock time of the last :SYSTem:TIME:RESet (or of power-on), s. */
  timeZero: number;
  readonly #onSource: ((state: SourceState) => void) | undefined;
  #driven: Omit<SourceState, "time"> | undefined;

  constructor(options: Keithley2400CoreOptions) {
    this.port = options.port;
    this.timeline = options.timeline;
    this.timeZero = options.timeline.clock.now();
    this.noise = options.noise;
    this.#onSource = options.onSource;
    if (options.powerOnSourceDelay !== undefined) {
      this.settings.sourceDelay = options.powerOnSourceDelay;
      this.settings.sourceDelayAuto = false;
    }
    this.operationEvents.setCondition(OPERATION_EVENT.IDLE, true);
  }

  /** *RST (and :SYSTem:PRESet): the default settings, output off, acquisition aborted. */
  reset(): void {
    this.settings = resetSettings();
    this.abort();
    this.setOutput(false);
    this.readings = [];
    this.complianceTripped = false;
  }

  /** *CLS beyond the engine's part: the instrument's event registers. */
  clearEvents(): void {
    this.measurementEvents.clearEvents();
    this.operationEvents.clearEvents();
    this.questionableEvents.clearEvents();
  }

  setOutput(on: boolean): void {
    this.settings.outputEnabled = on;
    this.drive();
  }

  /**
   * The timestamp of now: seconds since the last :SYSTem:TIME:RESet,
   * wrapping after 99,999.999 s as the 2400's does (manual §18 "Data
   * elements", TIME). A view on the bench clock.
   */
  timestamp(): number {
    return (this.timeline.cursor - this.timeZero) % 100_000;
  }

  /**
   * Drives the port with what the terminals carry from now on: with the
   * output on, the source function at `level` (default: the fixed level,
   * where the source rests between sweeps) under the compliance that
   * applies; with it off, nothing (the output relay open). `cycle` drives
   * the level for a measurement cycle whatever the output state (auto
   * output-off turns the output on for the cycle only). Reports the change
   * to `onSource`. Called wherever any of it can change.
   */
  drive(level = this.settings.source[this.settings.sourceFunction].level, cycle = false): void {
    const { outputEnabled } = this.settings;
    this.port.drive(
      outputEnabled || cycle ? cycleDrive(this.settings, level) : OPEN_DRIVE,
      this.timeline.cursor,
    );
    if (!this.#onSource) return;
    const { sourceFunction } = this.settings;
    const now = { outputEnabled, sourceFunction, level };
    const last = this.#driven;
    const changed =
      last === undefined ||
      last.outputEnabled !== outputEnabled ||
      last.sourceFunction !== sourceFunction ||
      (outputEnabled && last.level !== level);
    if (!changed) return;
    this.#driven = now;
    this.#onSource({ time: this.timeline.cursor, ...now });
  }

  /**
   * :INITiate: leaves the idle state. The output must be on unless auto
   * output-off is enabled (+803, manual §18 :SOURce:CLEar:AUTO). With the
   * arm source BUS the arm passes wait for *TRG.
   */
  initiate(): Deferred<void>;
  /** …and then `done`, run when the acquisition has ended: its result is the call's (:READ? formats its reply there). */
  initiate<R>(done: () => Deferred<R>): Deferred<R | undefined>;
  initiate<R>(done?: () => Deferred<R>): Deferred<R | undefined> {
    if (!this.settings.outputEnabled && !this.settings.autoOutputOff)
      throw new ScpiError(DEVICE_ERRORS.OUTPUT_OFF);
    // Continuous operation (ARM:COUNt INFinite) is not simulated: refused rather than faked.
    if (this.settings.arm.count === Number.POSITIVE_INFINITY) throw new ScpiError(-221);
    sourceLevels(this.settings); // a bad log sweep fails now, not at the first trigger
    this.readings = [];
    if (this.settings.arm.source === "BUS") {
      this.pendingArms = this.settings.arm.count;
      this.operationEvents.setCondition(OPERATION_EVENT.IDLE, false);
      this.operationEvents.setCondition(OPERATION_EVENT.WAITING_FOR_ARM, true);
      return undefined;
    }
    return this.#armPasses(0, done ?? NOTHING);
  }

  /**
   * Arm passes from `pass` to the arm count, or until compliance abort; then
   * back to idle, and `done`. Each pass continues from the last reading's
   * clock callback, so an acquisition of one reading makes one promise.
   */
  #armPasses<R>(pass: number, done: () => Deferred<R>): Deferred<R> {
    if (pass >= this.settings.arm.count) {
      this.#finish();
      return done();
    }
    return this.#armPass(pass, (carryOn) => {
      if (carryOn) return this.#armPasses(pass + 1, done);
      this.#finish();
      return done();
    });
  }

  /** *TRG: one arm pass, when an :INITiate with arm source BUS is waiting; otherwise -211. */
  busTrigger(): Deferred<void> {
    if (this.pendingArms === 0) throw new ScpiError(-211);
    const pass = this.settings.arm.count - this.pendingArms;
    this.pendingArms--;
    return this.#armPass(pass, (carryOn) => {
      if (this.pendingArms === 0 || !carryOn) {
        this.pendingArms = 0;
        this.#finish();
      }
    });
  }

  /** :ABORt: back to idle. */
  abort(): void {
    this.pendingArms = 0;
    this.operationEvents.setCondition(OPERATION_EVENT.WAITING_FOR_ARM, false);
    this.operationEvents.setCondition(OPERATION_EVENT.IDLE, true);
  }

  /** :READ?: :ABORt, :INITiate, :FETCh? (manual §17 ":READ?"); `then` makes the reply of the readings. */
  read<R>(then: (readings: Reading[]) => R): Deferred<R> {
    if (this.settings.arm.count === Number.POSITIVE_INFINITY)
      throw new ScpiError(DEVICE_ERRORS.INFINITE_ARM_COUNT);
    // A bus-triggered read would wait for a *TRG that cannot arrive while READ? holds the bus.
    if (this.settings.arm.source === "BUS") throw new ScpiError(-214);
    this.abort();
    return this.initiate(() => then(this.fetch())) as Deferred<R>;
  }

  /** :FETCh?: the readings of the last acquisition; -230 when there are none. */
  fetch(): Reading[] {
    if (this.readings.length === 0) throw new ScpiError(-230);
    return this.readings;
  }

  /** One pass of the trigger layer, then `after` (told false when compliance abort stopped the acquisition). */
  #armPass<R>(pass: number, after: (carryOn: boolean) => Deferred<R>): Deferred<R> {
    const settings = this.settings;
    if (pass > 0 && settings.arm.source === "TIM") this.timeline.pass(settings.arm.timer);
    return this.#triggers(sourceLevels(settings), 0, after);
  }

  /** Trigger-layer cycles from `t` to the trigger count, then `after` (false when compliance abort stopped them). */
  #triggers<R>(levels: readonly number[], t: number, after: (carryOn: boolean) => Deferred<R>): Deferred<R> {
    const settings = this.settings;
    if (t >= settings.trigger.count) return after(true);
    if (settings.trigger.delay > 0) this.timeline.pass(settings.trigger.delay);
    // A trigger count beyond the sweep or list length starts it again (manual §18 asks that they match).
    const point = sourcePoint(settings, levels, levels[t % levels.length] ?? 0);
    // The next cycle runs from the reading's own callback: one promise per cycle, the clock's.
    return this.#sourceDelayMeasure(point.level, point.range, (inCompliance) => {
      const sweeping = settings.source[settings.sourceFunction].mode !== "FIX";
      if (inCompliance && sweeping && settings.sweep.complianceAbort !== "NEV") return after(false);
      return this.#triggers(levels, t + 1, after);
    });
  }

  /**
   * One SDM cycle on `range`: the level goes out now, the reading is taken
   * at the end of the source delay and integration; `then` is told whether
   * it was in compliance, and its result is the cycle's.
   */
  #sourceDelayMeasure<R>(
    level: number,
    range: number,
    then: (inCompliance: boolean) => Deferred<R>,
  ): Promise<R> {
    const settings = this.settings;
    const integration = (settings.nplc / settings.lineFrequency) * this.#repeatCount();
    const delay = settings.sourceDelayAuto ? AUTO_SOURCE_DELAY : settings.sourceDelay;
    this.drive(level, true);
    this.timeline.pass(delay + integration + READING_OVERHEAD);
    return this.timeline.reach(() => then(this.#measure(level, range)));
  }

  /** The end of an SDM cycle, at its time: the reading, recorded; true when in compliance. */
  #measure(level: number, range: number): boolean {
    const settings = this.settings;
    const result = sourceMeasure(
      { settings, noise: this.noise, level, sourceRange: range },
      this.port.read(),
    );
    for (const fn of SENSE_FUNCTIONS) {
      const used = result.usedRanges[fn];
      if (used !== undefined) settings.sense[fn].range = used;
    }
    const source = settings.source[settings.sourceFunction];
    if (source.rangeAuto) source.range = range;
    const { voltage, current, resistance, status } = result;
    this.#record(
      { voltage, current, resistance, time: this.timestamp(), status },
      result.inCompliance,
      result.overflow,
    );
    return result.inCompliance;
  }

  #repeatCount(): number {
    const filter = this.settings.filter;
    return filter.enabled && filter.type === "REP" ? filter.count : 1;
  }

  #record(reading: Reading, inCompliance: boolean, overflow: boolean): void {
    this.readings.push(reading);
    this.complianceTripped = inCompliance;
    this.measurementEvents.latch(
      MEASUREMENT_EVENT.READING_AVAILABLE | (overflow ? MEASUREMENT_EVENT.READING_OVERFLOW : 0),
    );
    this.measurementEvents.setCondition(MEASUREMENT_EVENT.COMPLIANCE, inCompliance);
    const trace = this.settings.trace;
    if (trace.control !== "NEXT") return;
    this.buffer.push(reading);
    if (this.buffer.length >= 2) this.measurementEvents.latch(MEASUREMENT_EVENT.BUFFER_AVAILABLE);
    if (this.buffer.length >= trace.points) {
      trace.control = "NEV";
      this.measurementEvents.latch(MEASUREMENT_EVENT.BUFFER_FULL);
    }
  }

  /**
   * Back to idle. With auto output-off the output turns off; otherwise a
   * sweep or list leaves the source at its bias, the fixed level (manual §6,
   * "Sweep waveforms": each staircase starts from and returns to the bias level).
   */
  #finish(): void {
    this.abort();
    if (this.settings.autoOutputOff) {
      this.setOutput(false);
      return;
    }
    this.drive();
  }
}
