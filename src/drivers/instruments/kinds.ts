/**
 * Instrument kinds (DESIGN.md, "Drivers", layer 3): what any instrument of
 * a kind does, whatever its model. Bench scripts and the sync layer depend
 * on these, not on a model's class.
 */
import type { CallOptions } from "../scpi/session.js";
import type { Property } from "./properties.js";

/** An electrical quantity a source-measure unit sources, limits or measures. */
export type Quantity = "voltage" | "current";

/** Which quantity the source drives (the other one is limited by its compliance). */
export type SourceMode = Quantity;

/** What a reading may contain, in the instrument's order. */
export type ReadoutElement = "voltage" | "current" | "resistance" | "time" | "status";

/** One source-measure reading; NaN where the element was not requested or not measured. */
export interface SourceMeterReading {
  /** Voltage, V: measured, or the programmed source value when voltage is not measured. */
  readonly voltage: number;
  /** Current, A: measured, or the programmed source value when current is not measured. */
  readonly current: number;
  /** Resistance, Ω. */
  readonly resistance: number;
  /** Instrument timestamp, s since power-on or timestamp reset. */
  readonly time: number;
  /** Instrument status word (a bit field, as a number). */
  readonly status: number;
}

/** The readings of a sweep as columns, one entry per point; NaN where an element was not requested. */
export interface SweepColumns {
  readonly voltage: Float64Array;
  readonly current: Float64Array;
  readonly resistance: Float64Array;
  readonly time: Float64Array;
  readonly status: Float64Array;
}

/** Source levels of a sweep, in V or A as the source mode says: a list, or linear from start to stop. */
export type SweepLevels =
  | readonly number[]
  | { readonly start: number; readonly stop: number; readonly points: number };

export interface RampOptions {
  /** Largest change per set, V or A (default and ceiling: the driver's step limit; no limit: one set). */
  readonly step?: number;
  /** Pause after each set, s (default 0). */
  readonly delay?: number;
}

export interface SweepOptions {
  /** Time allowed for each chunk's readings, ms (default: session timeout plus 100 ms per point). */
  readonly timeoutMs?: number;
  /** Points per chunk, at most what the instrument holds at once. */
  readonly chunkPoints?: number;
}

/** A source-measure unit: sources a voltage or a current and measures both. */
export interface SourceMeter {
  readonly resource: string;
  readonly sourceMode: Property<SourceMode>;
  readonly sourceVoltage: Property<number>;
  readonly sourceCurrent: Property<number>;
  readonly complianceCurrent: Property<number>;
  readonly complianceVoltage: Property<number>;
  readonly outputEnabled: Property<boolean>;
  /** Takes one reading. */
  read(options?: CallOptions): Promise<SourceMeterReading>;
  /** Makes readings measure `quantity` too, beside the source's own value. */
  measure(quantity: Quantity): Promise<void>;
  /** Moves the source level to `level` in steps no larger than the step limit. */
  rampTo(level: number, options?: RampOptions): Promise<void>;
  /** Ramps the source to zero and turns the output off. */
  shutdown(): Promise<void>;
  /** Runs the sweep in the instrument's own sweep engine; resolves with every reading. */
  hardwareSweep(levels: SweepLevels, options?: SweepOptions): Promise<SweepColumns>;
  /**
   * {@link hardwareSweep}, yielding each chunk's readings as it completes.
   * The session's queue is held from the first `next()` until the
   * iteration finishes or is returned: leave the loop with `break`,
   * `return` or an exception (which `for await` turns into `return()`).
   * An iterator abandoned without that — stepped by hand with `next()` and
   * then dropped — keeps the queue, and every later call to the instrument
   * waits forever.
   */
  hardwareSweepChunks(levels: SweepLevels, options?: SweepOptions): AsyncIterable<SweepColumns>;
  /**
   * Sets each level from here and reads, yielding one reading per point.
   * Holds the session's queue like {@link hardwareSweepChunks}: until the
   * iteration finishes or is returned; an abandoned iterator stalls every
   * later call.
   */
  softwareSweep(levels: SweepLevels, options?: CallOptions): AsyncIterable<SourceMeterReading>;
  /** {@link softwareSweep}, collected into columns. */
  collectSoftwareSweep(levels: SweepLevels, options?: CallOptions): Promise<SweepColumns>;
  /** Closes the connection (leaves the output as it is: call {@link shutdown} first). */
  close(): Promise<void>;
}

/**
 * How a tunable laser sweeps (Santec TSL manuals, `:WAVelength:SWEep:MODE`):
 * stepped (move a step, dwell, move on) or continuous (move at the set
 * speed), one way (start → stop) or two ways (start → stop → start).
 */
export type LaserSweepMode =
  | "stepped-one-way"
  | "continuous-one-way"
  | "stepped-two-way"
  | "continuous-two-way";

/** The sweep of a tunable laser, SI units. */
export interface LaserSweep {
  /** First wavelength, m. */
  readonly start: number;
  /** Last wavelength, m (above `start`). */
  readonly stop: number;
  readonly mode: LaserSweepMode;
  /** Continuous modes: speed, m/s (the models allow only some; see each model). */
  readonly speed?: number;
  /** Stepped modes: the step, m. */
  readonly step?: number;
  /** Stepped modes: time at each step, s. */
  readonly dwell?: number;
  /** Pause between cycles, s. */
  readonly delay?: number;
  /** Repetitions (1 or more). */
  readonly cycles?: number;
}

/** Where a laser's sweep is (`:WAVelength:SWEep?`: 0, 1, 3, 4). */
export type LaserSweepState = "stopped" | "running" | "standby" | "preparing";

/** When the laser's trigger output fires (`:TRIGger:OUTPut`), and on what period. */
export interface LaserTriggerOutput {
  readonly when: "none" | "stop" | "start" | "step";
  /** With "step": the period, in wavelength (m) or in time (s) as `periodIn` says. */
  readonly step?: number;
  readonly periodIn?: "wavelength" | "time";
}

export interface WaitOptions {
  /** Give up after this long on the session's timebase, s (default per method). */
  readonly deadline?: number;
  /** Pause between polls, s (default 0.01). */
  readonly pollInterval?: number;
}

/** A tunable laser: wavelength, power, light on and off, sweeps and their wavelength log. SI units throughout. */
export interface TunableLaser {
  readonly resource: string;
  /** Wavelength setpoint, m. Setting it starts a tuning the laser reports through `*OPC?`. */
  readonly wavelength: Property<number>;
  /** Output power setpoint, W (sent in the laser's power unit). */
  readonly power: Property<number>;
  /** Laser diode on (the source emits when the shutter is open too). */
  readonly diodeOn: Property<boolean>;
  /** Shutter open (light leaves the laser when the diode is on too). */
  readonly shutterOpen: Property<boolean>;
  /** Sets the wavelength and waits until the laser says it is tuned. */
  tuneTo(wavelength: number, options?: WaitOptions): Promise<void>;
  /** Polls `*OPC?` until the laser has finished tuning or sweeping. */
  waitUntilIdle(options?: WaitOptions): Promise<void>;
  /** Monitored output power, W (`:POW:ACT?`). */
  monitoredPower(options?: CallOptions): Promise<number>;
  /** Diode on and shutter open, after checking the power setpoint against the limit. */
  lightOn(): Promise<void>;
  configureSweep(sweep: LaserSweep): Promise<void>;
  startSweep(): Promise<void>;
  stopSweep(): Promise<void>;
  sweepState(options?: CallOptions): Promise<LaserSweepState>;
  /** Waits until the sweep has ended (state "stopped"). */
  waitForSweep(options?: WaitOptions): Promise<void>;
  /** Sets the trigger output; resolves with what the laser holds (its period as it rounded it). */
  configureTriggerOutput(trigger: LaserTriggerOutput): Promise<LaserTriggerOutput>;
  /** The wavelengths the laser logged at its triggers during the last sweep, m. */
  readLoggedWavelengths(options?: CallOptions): Promise<Float64Array>;
  /** Light off first (shutter closed, diode off), a sweep stopped; confirmed by reading back. */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

/** A power meter's sensor (`SYST:SENS:IDN?`). */
export interface PowerSensor {
  readonly name: string;
  readonly serial: string;
  readonly calibrationDate: string;
  /** Sensor type and subtype codes, as the meter reports them. */
  readonly type: number;
  readonly subtype: number;
  /** The flag bits, as reported. */
  readonly flags: number;
  readonly isPowerSensor: boolean;
  readonly wavelengthSettable: boolean;
}

/** An optical power meter with one sensor. SI units throughout. */
export interface PowerMeter {
  readonly resource: string;
  /** Wavelength the reading is corrected for, m. */
  readonly wavelength: Property<number>;
  readonly autoRange: Property<boolean>;
  /** Upper end of the present range, W. */
  readonly range: Property<number>;
  /** Samples averaged per reading. */
  readonly averageCount: Property<number>;
  /** The sensor attached (refreshed from the meter). */
  sensor(options?: CallOptions): Promise<PowerSensor>;
  /** Lowest and highest wavelength the sensor's correction takes, m. */
  wavelengthRange(options?: CallOptions): Promise<{ readonly min: number; readonly max: number }>;
  /** One reading, W. */
  read(options?: CallOptions): Promise<number>;
  /**
   * How long one reading integrates, s (the averaging count times the
   * meter's sample time): its window ends as the reply leaves, so a
   * reading answered at t is centred on t − window/2.
   */
  readingWindow(options?: CallOptions): Promise<number>;
  /** Starts a reading (`INIT`), for {@link fetch} to collect. */
  initiate(): Promise<void>;
  /** The reading started by {@link initiate}, W. */
  fetch(options?: CallOptions): Promise<number>;
  /** Zeroes the dark offset (the sensor must be covered), waits until it is done, and returns the offset (A for a photodiode head). */
  zero(options?: WaitOptions): Promise<number>;
  close(): Promise<void>;
}
