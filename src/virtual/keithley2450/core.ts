/**
 * The 2450 behind its SCPI table: settings, the port it drives, its
 * timeline on the bench clock, its reading buffers, and the trigger model
 * its sweep commands build (2450 Reference Manual 2450-901-01, §6 "SCPI
 * command reference"; "Source-measure considerations").
 *
 * As for the 2400 (../keithley2400/core.ts), the output drives a port of
 * the chip from the moment a command changes it and holds it between
 * commands; a source-delay-measure (SDM) cycle is an interval on the bench
 * clock (source delay + integration + overhead) whose reading is the port's
 * operating point at its end.
 *
 * The trigger model (§6 ":INITiate[:IMMediate]") runs inside the line that
 * starts it: the instrument takes its next command once the model is done,
 * as if each command after `:INITiate` were preceded by `*WAI`. So `*WAI`
 * and `*OPC?` wait for it, and `:ABORt` finds it finished (a model choice:
 * the real 2450 executes commands while its trigger model runs).
 */
import { type ElectricalPort, OPEN_DRIVE, type PortDrive, type PortReading } from "../chip/ports.js";
import type { InstrumentTimeline } from "../clock/timeline.js";
import type { MeasurementNoise } from "../measurement-noise.js";
import { andThen, type Deferred } from "../scpi/engine.js";
import { ScpiError } from "../scpi/errors.js";
import { EventRegister } from "../scpi/status.js";
import type { SourceState } from "../source-state.js";
import { OVERRANGE, rangeFor2450, type SourceFunction } from "./ranges.js";
import { type Calendar, READING_STATUS, type Reading2450, ReadingBuffer, SOURCE_STATUS } from "./reading.js";
import { type Keithley2450Settings, resetSettings } from "./settings.js";

/** Capacity of defbuffer1 and defbuffer2 after *RST (§6 ":TRACe:POINts": "default buffers … 100,000"). */
export const DEFAULT_BUFFER_CAPACITY = 100_000;
export type { SourceState } from "../source-state.js";

export const DEFAULT_BUFFERS = ["defbuffer1", "defbuffer2"] as const;

/**
 * Auto source delay, s. The manual tabulates it by range ("Source
 * delay"); one figure of that table's order (1 ms) is used for all
 * ranges: an assumption, as is {@link READING_OVERHEAD}.
 */
export const AUTO_SOURCE_DELAY = 0.001;
/** Firmware and A/D overhead per reading, s: not in the manual; a round figure. */
export const READING_OVERHEAD = 0.001;

/** A trigger model built by :SOURce:SWEep:<f>:LIST|LINear or :TRIGger:LOAD "SimpleLoop". */
export interface SweepModel {
  readonly sourceFunction: SourceFunction;
  readonly levels: readonly number[];
  /** Source delay of each point, s; undefined for the auto delay. */
  readonly delay: number | undefined;
  /** Times the levels are run. */
  readonly count: number;
  /** Stop at the first point whose source is limited (failAbort ON). */
  readonly failAbort: boolean;
  readonly buffer: string;
}

export interface Keithley2450CoreOptions {
  readonly port: ElectricalPort;
  readonly timeline: InstrumentTimeline;
  readonly noise: MeasurementNoise | undefined;
  readonly calendar: Calendar;
  readonly onSource?: (state: SourceState) => void;
}

export class Keithley2450Core {
  settings: Keithley2450Settings = resetSettings();
  readonly port: ElectricalPort;
  readonly timeline: InstrumentTimeline;
  readonly noise: MeasurementNoise | undefined;
  readonly calendar: Calendar;
  readonly operationEvents = new EventRegister();
  readonly questionableEvents = new EventRegister();
  readonly buffers = new Map<string, ReadingBuffer>();
  /** The trigger model :INITiate runs, if one was built. */
  sweep: SweepModel | undefined;
  /** The last reading's source was limited (:SOURce:<f>:<x>LIMit:TRIPped?). */
  limitTripped = false;
  /** Other settings kept and read back without a physical effect (output-off modes, filters). */
  readonly kept = new Map<string, string>();
  readonly #onSource: ((state: SourceState) => void) | undefined;
  #driven: Omit<SourceState, "time"> | undefined;

  constructor(options: Keithley2450CoreOptions) {
    this.port = options.port;
    this.timeline = options.timeline;
    this.noise = options.noise;
    this.calendar = options.calendar;
    this.#onSource = options.onSource;
    this.#defaultBuffers();
  }

  /**
   * *RST: default settings, output off, no trigger model; the default
   * buffers are cleared and user buffers deleted (§6 "*RST": "resets the
   * instrument settings to their default values and clears the reading buffers").
   */
  reset(): void {
    this.settings = resetSettings(this.settings.lineFrequency);
    this.sweep = undefined;
    this.limitTripped = false;
    this.kept.clear();
    this.#defaultBuffers();
    this.drive();
  }

  #defaultBuffers(): void {
    this.buffers.clear();
    for (const name of DEFAULT_BUFFERS)
      this.buffers.set(name, new ReadingBuffer(name, DEFAULT_BUFFER_CAPACITY));
  }

  /** A buffer by name (default defbuffer1); -224 when there is none of that name. */
  buffer(name = "defbuffer1"): ReadingBuffer {
    const found = this.buffers.get(name.toLowerCase());
    if (found === undefined) throw new ScpiError(-224);
    return found;
  }

  setOutput(on: boolean): void {
    this.settings.outputEnabled = on;
    this.drive();
  }

  /** The present source's drive at `level` under its limit. */
  #cycleDrive(level: number): PortDrive {
    const fn = this.settings.sourceFunction;
    return {
      mode: fn === "VOLT" ? "voltage" : "current",
      level,
      limit: Math.abs(this.settings.source[fn].limit),
    };
  }

  /**
   * Drives the port with what the terminals carry from now on: with the
   * output on, the source at `level` (default its programmed level) under
   * its limit; off, nothing (the output-off state is modelled as high
   * impedance, whatever :OUTPut:<f>:SMODe says). Reports changes to `onSource`.
   */
  drive(level = this.settings.source[this.settings.sourceFunction].level): void {
    const { outputEnabled, sourceFunction } = this.settings;
    this.port.drive(outputEnabled ? this.#cycleDrive(level) : OPEN_DRIVE, this.timeline.cursor);
    if (!this.#onSource) return;
    const now = { outputEnabled, sourceFunction, level };
    const last = this.#driven;
    if (
      last !== undefined &&
      last.outputEnabled === outputEnabled &&
      last.sourceFunction === sourceFunction &&
      (!outputEnabled || last.level === level)
    )
      return;
    this.#driven = now;
    this.#onSource({ time: this.timeline.cursor, ...now });
  }

  /**
   * :READ? and :MEASure?: `:SENSe:COUNt` readings into `bufferName`; the
   * last is returned with its buffer (§6 ":READ?": "returns the last
   * reading"), or handed to `then`, which runs from the last reading's own
   * clock callback (the reply formatted there: one promise per reading).
   */
  read(bufferName?: string): Promise<{ reading: Reading2450; buffer: ReadingBuffer }>;
  read<T>(
    bufferName: string | undefined,
    then: (got: { reading: Reading2450; buffer: ReadingBuffer }) => T,
  ): Promise<T>;
  read<T>(
    bufferName?: string,
    then?: (got: { reading: Reading2450; buffer: ReadingBuffer }) => T,
  ): Promise<T | { reading: Reading2450; buffer: ReadingBuffer }> {
    const buffer = this.buffer(bufferName);
    const level = this.settings.source[this.settings.sourceFunction].level;
    type Got = { reading: Reading2450; buffer: ReadingBuffer };
    return this.#readings<T | Got>(
      buffer,
      level,
      undefined,
      this.settings.count,
      then ?? ((got: Got) => got),
    );
  }

  #readings<T>(
    buffer: ReadingBuffer,
    level: number,
    delay: number | undefined,
    left: number,
    then: (got: { reading: Reading2450; buffer: ReadingBuffer }) => T,
  ): Promise<T> {
    return this.sourceDelayMeasure(level, delay, buffer, (reading) =>
      left > 1 ? this.#readings(buffer, level, delay, left - 1, then) : then({ reading, buffer }),
    );
  }

  /** :FETCh?: the latest reading of a buffer; -230 when it is empty. */
  fetch(bufferName?: string): { reading: Reading2450; buffer: ReadingBuffer } {
    const buffer = this.buffer(bufferName);
    const reading = buffer.last;
    if (reading === undefined) throw new ScpiError(-230);
    return { reading, buffer };
  }

  /**
   * One SDM cycle at `level`: the level goes out now, the reading is taken
   * at the end of the source delay (`delay`, or the source's own) and the
   * integration (NPLC / line frequency), and stored in `buffer`.
   */
  sourceDelayMeasure(level: number, delay: number | undefined, buffer: ReadingBuffer): Promise<Reading2450>;
  /** …and then `then`, run from the reading's clock callback: its result is the call's. */
  sourceDelayMeasure<T>(
    level: number,
    delay: number | undefined,
    buffer: ReadingBuffer,
    then: (reading: Reading2450) => T | PromiseLike<T>,
  ): Promise<T>;
  sourceDelayMeasure<T>(
    level: number,
    delay: number | undefined,
    buffer: ReadingBuffer,
    then?: (reading: Reading2450) => T | PromiseLike<T>,
  ): Promise<T | Reading2450> {
    const settings = this.settings;
    const source = settings.source[settings.sourceFunction];
    const sense = settings.sense[settings.senseFunction];
    const sourceDelay = delay ?? (source.delayAuto ? AUTO_SOURCE_DELAY : source.delay);
    this.drive(level);
    this.timeline.pass(sourceDelay + sense.nplc / settings.lineFrequency + READING_OVERHEAD);
    return this.timeline.reach(() => {
      const reading = this.#measure(level, this.port.read());
      buffer.push(reading);
      return then ? then(reading) : reading;
    });
  }

  /** The reading at the end of an SDM cycle, from the port's operating point. */
  #measure(level: number, point: PortReading): Reading2450 {
    const settings = this.settings;
    const fn = settings.senseFunction;
    const sense = settings.sense[fn];
    const sourceFn = settings.sourceFunction;
    const source = settings.source[sourceFn];
    const limited = settings.outputEnabled && point.limited;
    let value = fn === "VOLT" ? point.voltage : fn === "CURR" ? point.current : point.voltage / point.current;
    let overflow = !Number.isFinite(value);
    const range = sense.rangeAuto ? rangeFor2450(fn, Number.isFinite(value) ? value : 0) : sense.range;
    if (sense.rangeAuto && fn !== "RES") sense.range = range;
    if (this.noise && Number.isFinite(value)) value = this.noise.add(value, range, sense.nplc);
    if (Math.abs(value) > range * OVERRANGE) overflow = true;
    if (overflow) value = (Math.sign(value) || 1) * Number.POSITIVE_INFINITY;
    const sourced = sourceFn === "VOLT" ? point.voltage : point.current;
    const sourceRange = source.rangeAuto ? rangeFor2450(sourceFn, level) : source.range;
    if (source.rangeAuto) source.range = sourceRange;
    const sourceValue = source.readBack
      ? this.noise
        ? this.noise.add(sourced, sourceRange, sense.nplc)
        : sourced
      : level;
    this.limitTripped = limited;
    this.questionableEvents.setCondition(QUESTIONABLE_EVENT.SOURCE_LIMIT, limited);
    return {
      time: this.timeline.cursor,
      value,
      senseFunction: fn,
      source: sourceValue,
      sourceFunction: sourceFn,
      status:
        (overflow || limited ? READING_STATUS.QUESTIONABLE : 0) |
        (settings.terminals === "FRON" ? READING_STATUS.FRONT_TERMINALS : 0),
      sourceStatus:
        (limited ? SOURCE_STATUS.LIMITED : 0) |
        (sense.remoteSense ? SOURCE_STATUS.REMOTE_SENSE : 0) |
        (settings.outputEnabled ? SOURCE_STATUS.OUTPUT_ON : 0),
    };
  }

  /**
   * :INITiate: runs the trigger model the sweep commands built (§6
   * ":SOURce[1]:SWEep:<function>:LIST": a source-measure cycle per list
   * point, `count` times, readings into the buffer named), with the output
   * turned on for it; afterwards the source rests at its programmed level.
   * Without a trigger model there is nothing to run.
   */
  initiate(): Deferred<void> {
    const sweep = this.sweep;
    if (sweep === undefined) return;
    const buffer = this.buffer(sweep.buffer);
    if (this.settings.sourceFunction !== sweep.sourceFunction) throw new ScpiError(-221);
    this.settings.outputEnabled = true;
    this.operationEvents.setCondition(OPERATION_EVENT.SWEEPING, true);
    return andThen(this.#sweepPoints(sweep, buffer, 0), () => {
      this.operationEvents.setCondition(OPERATION_EVENT.SWEEPING, false);
      this.drive();
    });
  }

  #sweepPoints(sweep: SweepModel, buffer: ReadingBuffer, k: number): Deferred<void> {
    if (k >= sweep.levels.length * sweep.count) return;
    const level = sweep.levels[k % sweep.levels.length] as number;
    return this.sourceDelayMeasure(level, sweep.delay, buffer).then(() => {
      if (sweep.failAbort && this.limitTripped) return;
      return this.#sweepPoints(sweep, buffer, k + 1);
    });
  }
}

/** Operation Event Register bit used here: a trigger model running (a model choice of bit; the manual's "Status model" assigns its own). */
export const OPERATION_EVENT = { SWEEPING: 1 << 10 } as const;
/** Questionable Event Register bit used here: the source limited (a model choice of bit). */
export const QUESTIONABLE_EVENT = { SOURCE_LIMIT: 1 << 0 } as const;
