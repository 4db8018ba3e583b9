/**
 * Keithley 2400 SourceMeter. Mostly a table mirroring the SCPI command
 * reference of the 2400 Series SourceMeter User's Manual (section 18), in
 * the manner of PyMeasure's `keithley2400.py`; ranges are the Model 2400's
 * (other 24xx models are accepted by {@link connectKeithley2400} and refuse
 * what they cannot do themselves, with an error in the queue).
 *
 * Safety: every setpoint passes the instrument's range (validator) and the
 * user's {@link SafetyLimits} before a byte of it is sent. Step limits are
 * checked against the level the driver knows the instrument holds: read at
 * connection, then tracked through every set. That is sound because the
 * 2400 locks its front panel while under remote control and the driver's
 * session is its own; after touching the instrument by hand, call
 * {@link Keithley2400.refreshState}. Raw commands go only through
 * {@link Keithley2400.unsafeSession}, which bypasses the limits by name and
 * makes the driver forget what it tracked.
 */
import {
  ConnectionError,
  LevelMismatchError,
  LevelUnknownError,
  ProtocolError,
  SafetyLimitError,
  SettingRangeError,
  ShutdownError,
  SweepMismatchError,
} from "../errors.js";
import { type Identity, parseIdentity } from "../scpi/identity.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import { formatNumber } from "../scpi/values.js";
import type {
  Quantity,
  RampOptions,
  ReadoutElement,
  SourceMeter,
  SourceMeterReading,
  SourceMode,
  SweepColumns,
  SweepLevels,
  SweepOptions,
} from "./kinds.js";
import {
  type BoundProperties,
  bindProperties,
  booleanProperty,
  choiceProperty,
  numberProperty,
  type PropertySpec,
  type PropertyTable,
  type ValueOf,
} from "./properties.js";
import {
  columnsOf,
  concatColumns,
  decodeElements,
  ELEMENT_MNEMONICS,
  encodeElements,
  parseReadings,
  readingAt,
} from "./readings.js";
import { SafetyGuard, type SafetyLimitsInput } from "./safety.js";
import { planChunks, type SweepChunk } from "./sweep-plan.js";
import { strictMagnitude, strictRange } from "./validators.js";

const readoutElements: PropertySpec<readonly ReadoutElement[]> = {
  doc: "Elements of each reading, in order: voltage, current, resistance, time, status.",
  unit: null,
  query: ":FORM:ELEM?",
  command: ":FORM:ELEM %s",
  expected: "a comma-separated list of VOLT, CURR, RES, TIME, STAT",
  encode: encodeElements,
  decode: decodeElements,
};

type Level = "sourceVoltage" | "sourceCurrent";
const isLevel = (name: string): name is Level => name === "sourceVoltage" || name === "sourceCurrent";

/** Full scale of each source, for the read-back comparison's floor (manual §18: ±210 V, ±1.05 A). */
const FULL_SCALE: Readonly<Record<Level, number>> = { sourceVoltage: 210, sourceCurrent: 1.05 };

/**
 * Whether a read-back is the level that was set: the 2400 answers with seven
 * significant digits (`+5.000000E-01`), so equal within one part in 10⁶,
 * with a floor far below the finest source resolution (5 µV, 50 pA).
 */
const sameLevel = (name: Level, a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * FULL_SCALE[name];

/** The 2400's settings, as in its manual's SCPI reference. */
export const KEITHLEY_2400_PROPERTIES = {
  sourceMode: choiceProperty({
    doc: "Source function: voltage or current.",
    query: ":SOUR:FUNC?",
    command: ":SOUR:FUNC %s",
    values: { voltage: "VOLT", current: "CURR" },
  }),
  sourceVoltage: numberProperty({
    doc: "Voltage source level (setpoint), V (−210 to 210).",
    unit: "V",
    query: ":SOUR:VOLT:LEV?",
    command: ":SOUR:VOLT:LEV %s",
    validate: strictRange(-210, 210),
    confirms: (sent, readBack) => sameLevel("sourceVoltage", sent, readBack),
  }),
  sourceCurrent: numberProperty({
    doc: "Current source level (setpoint), A (−1.05 to 1.05).",
    unit: "A",
    query: ":SOUR:CURR:LEV?",
    command: ":SOUR:CURR:LEV %s",
    validate: strictRange(-1.05, 1.05),
    confirms: (sent, readBack) => sameLevel("sourceCurrent", sent, readBack),
  }),
  sourceVoltageRange: numberProperty({
    doc: "Voltage source range, V (−210 to 210; the instrument picks the lowest range that holds it).",
    unit: "V",
    query: ":SOUR:VOLT:RANG?",
    command: ":SOUR:VOLT:RANG %s",
    validate: strictRange(-210, 210),
  }),
  sourceVoltageAutoRangeEnabled: booleanProperty({
    doc: "Voltage source auto range on or off.",
    query: ":SOUR:VOLT:RANG:AUTO?",
    command: ":SOUR:VOLT:RANG:AUTO %s",
  }),
  sourceCurrentRange: numberProperty({
    doc: "Current source range, A (−1.05 to 1.05; the instrument picks the lowest range that holds it).",
    unit: "A",
    query: ":SOUR:CURR:RANG?",
    command: ":SOUR:CURR:RANG %s",
    validate: strictRange(-1.05, 1.05),
  }),
  sourceCurrentAutoRangeEnabled: booleanProperty({
    doc: "Current source auto range on or off.",
    query: ":SOUR:CURR:RANG:AUTO?",
    command: ":SOUR:CURR:RANG:AUTO %s",
  }),
  complianceCurrent: numberProperty({
    doc: "Current compliance (limit) of the voltage source, A (1e-9 to 1.05 in magnitude; sign ignored; the 2400 also refuses less than 0.1 % of the measurement range).",
    unit: "A",
    query: ":SENS:CURR:PROT?",
    command: ":SENS:CURR:PROT %s",
    validate: strictMagnitude(1e-9, 1.05),
  }),
  complianceVoltage: numberProperty({
    doc: "Voltage compliance (limit) of the current source, V (2e-4 to 210 in magnitude; sign ignored; the 2400 also refuses less than 0.1 % of the measurement range).",
    unit: "V",
    query: ":SENS:VOLT:PROT?",
    command: ":SENS:VOLT:PROT %s",
    validate: strictMagnitude(2e-4, 210),
  }),
  currentRange: numberProperty({
    doc: "Current measurement range, A (−1.05 to 1.05; setting it turns auto range off).",
    unit: "A",
    query: ":SENS:CURR:RANG?",
    command: ":SENS:CURR:RANG %s",
    validate: strictRange(-1.05, 1.05),
  }),
  currentAutoRangeEnabled: booleanProperty({
    doc: "Current measurement auto range on or off.",
    query: ":SENS:CURR:RANG:AUTO?",
    command: ":SENS:CURR:RANG:AUTO %s",
  }),
  voltageRange: numberProperty({
    doc: "Voltage measurement range, V (−210 to 210; setting it turns auto range off).",
    unit: "V",
    query: ":SENS:VOLT:RANG?",
    command: ":SENS:VOLT:RANG %s",
    validate: strictRange(-210, 210),
  }),
  voltageAutoRangeEnabled: booleanProperty({
    doc: "Voltage measurement auto range on or off.",
    query: ":SENS:VOLT:RANG:AUTO?",
    command: ":SENS:VOLT:RANG:AUTO %s",
  }),
  resistanceRange: numberProperty({
    doc: "Resistance measurement range, Ohm (0 to 2.1e8; setting it turns auto range off).",
    unit: "Ohm",
    query: ":SENS:RES:RANG?",
    command: ":SENS:RES:RANG %s",
    validate: strictRange(0, 2.1e8),
  }),
  resistanceAutoRangeEnabled: booleanProperty({
    doc: "Resistance measurement auto range on or off.",
    query: ":SENS:RES:RANG:AUTO?",
    command: ":SENS:RES:RANG:AUTO %s",
  }),
  nplc: numberProperty({
    doc: "Integration time of every measurement, PLC (0.01 to 10; PLC = power-line cycles, 1 PLC is 20 ms at 50 Hz).",
    unit: "PLC",
    query: ":SENS:CURR:NPLC?",
    command: ":SENS:CURR:NPLC %s",
    validate: strictRange(0.01, 10),
  }),
  sourceDelay: numberProperty({
    doc: "Settling delay between setting the source and measuring, s (0 to 999.9999, manual §18 :SOURce:DELay).",
    unit: "s",
    query: ":SOUR:DEL?",
    command: ":SOUR:DEL %s",
    validate: strictRange(0, 999.9999),
  }),
  sourceDelayAutoEnabled: booleanProperty({
    doc: "Automatic source delay (1 to 3 ms by range) on or off.",
    query: ":SOUR:DEL:AUTO?",
    command: ":SOUR:DEL:AUTO %s",
  }),
  outputEnabled: booleanProperty({
    doc: "Source output on or off.",
    query: ":OUTP?",
    command: ":OUTP %s",
  }),
  remoteSenseEnabled: booleanProperty({
    doc: "Four-wire (remote) sensing on, or two-wire off.",
    query: ":SYST:RSEN?",
    command: ":SYST:RSEN %s",
  }),
  readoutElements,
} as const satisfies PropertyTable;

/** What the 2400's sweep engines hold at once (manual §10 and :SOURce:LIST). */
const CHUNK_LIMITS = { maxLinearPoints: 2500, maxListPoints: 100 } as const;

/** Time allowed per sweep point on top of the session timeout when none is given, ms. */
const SWEEP_MS_PER_POINT = 100;

const MNEMONIC: Readonly<Record<SourceMode, string>> = { voltage: "VOLT", current: "CURR" };

/** Properties whose value the driver tracks, because safety checks (or reading) depend on it. */
type Tracked =
  | "sourceMode"
  | "sourceVoltage"
  | "sourceCurrent"
  | "complianceCurrent"
  | "complianceVoltage"
  | "readoutElements"
  | "outputEnabled";
type TrackedValues = { [K in Tracked]: ValueOf<(typeof KEITHLEY_2400_PROPERTIES)[K]> };
const TRACKED: readonly Tracked[] = [
  "sourceMode",
  "sourceVoltage",
  "sourceCurrent",
  "complianceCurrent",
  "complianceVoltage",
  "readoutElements",
  "outputEnabled",
];
/** Errors raised before anything was sent: they leave what the driver knows as it was. */
const refusedBeforeSending = (error: unknown): boolean =>
  error instanceof SafetyLimitError ||
  error instanceof SettingRangeError ||
  error instanceof LevelUnknownError ||
  error instanceof LevelMismatchError;

export interface Keithley2400Options {
  /** Merged over DEFAULT_SAFETY_LIMITS (safety.ts); `Infinity` turns one off. */
  readonly limits?: SafetyLimitsInput;
  /** Read the error queue after every set and throw what the instrument refused (default true). */
  readonly checkErrorsAfterSet?: boolean;
}

/** The table's properties, bound onto the instance in the constructor (the TypeScript mixin pattern). */
export interface Keithley2400 extends BoundProperties<typeof KEITHLEY_2400_PROPERTIES> {}

/**
 * A Keithley 2400 on an open session. Settings are the properties of
 * {@link KEITHLEY_2400_PROPERTIES} (`await k.sourceVoltage.set(1.2)`);
 * actions are the verb methods. Usually made by {@link connectKeithley2400}.
 *
 * What the driver knows of the instrument (source mode, levels,
 * compliances, output state) is what it last read or set. Any exchange
 * that fails (timeout, garbage, lost link, an error in the queue) makes all
 * of it unknown, since the instrument may or may not have acted on the
 * command; so does every raw command through {@link unsafeSession}. An
 * unknown source level blocks every move that would be checked against it
 * ({@link LevelUnknownError}) until it is read back: {@link refreshState},
 * and the read-back that {@link rampTo}, {@link shutdown} and the sweeps
 * make before their first step. A read-back is believed when it agrees with
 * the level the driver set, or when a second read agrees with it; a level
 * moved by someone else (two agreeing read-backs that differ from the
 * tracked one) stops a move with {@link LevelMismatchError}.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what the constructor binds from the table.
export class Keithley2400 implements SourceMeter {
  readonly resource: string;
  readonly guard: SafetyGuard;
  /** Private, so that every command goes through the checks (see {@link unsafeSession} for the exception). */
  readonly #session: ScpiSession;
  #known: Partial<TrackedValues> = {};
  /** Why the state is unknown: the last failed exchange, for LevelUnknownError. */
  #unknownBecause = "not read since the driver was attached";
  /** Failures already explained by the exchange that raised them (the more precise reason). */
  readonly #forgotten = new WeakSet<object>();

  constructor(session: ScpiSession, options: Keithley2400Options = {}) {
    this.#session = session;
    this.resource = session.resource;
    this.guard = new SafetyGuard(session.resource, options.limits);
    const properties = bindProperties(
      { resource: this.resource, exclusive: (body) => this.#exclusive(body) },
      KEITHLEY_2400_PROPERTIES,
      {
        checkErrorsAfterSet: options.checkErrorsAfterSet ?? true,
        hooks: {
          check: (name, value, channel) => this.#checkSet(name, value, channel),
          record: (name, value, how) => this.#record(name, value, how),
        },
      },
    );
    Object.assign(this, properties);
  }

  /**
   * Reads the settings that safety checks depend on (source mode, levels,
   * compliances, readout elements, output state), the levels read back
   * until two reads agree (one, where it agrees with the level the driver
   * set). Call it after touching the instrument by hand, or to make a level
   * known again after a failed exchange. If the output is on, checks what
   * it applies as turning it on would — the active source level and the
   * compliance on the other quantity — and throws SafetyLimitError past the
   * limits; nothing is sent either way.
   */
  refreshState(options?: CallOptions): Promise<void> {
    return this.#exclusive(async (channel) => {
      for (const name of TRACKED) {
        if (isLevel(name)) await this.#readBackLevel(channel, name, options);
        else await this[name].getWith(channel, options);
      }
      if (this.#known.outputEnabled) {
        await this.#checkActiveSource(channel, await this.#tracked(channel, "sourceMode"));
      }
    });
  }

  /** `*IDN?`, parsed: manufacturer, model, serial number, firmware. */
  identify(options?: CallOptions): Promise<Identity> {
    return this.#exclusive(async (channel) => {
      const reply = await channel.query("*IDN?", options);
      const identity = parseIdentity(reply);
      if (!identity) throw new ProtocolError(this.resource, "*IDN?", reply, IDENTITY_EXPECTED);
      return identity;
    });
  }

  /** Reads the error queue and throws its first entry as an InstrumentError. */
  checkErrors(options?: CallOptions): Promise<void> {
    return this.#exclusive((channel) => channel.checkErrors(options));
  }

  /**
   * UNSAFE: raw SCPI to the instrument, for tests and experts. What is sent
   * through it BYPASSES THE SAFETY LIMITS and the range validators: nothing
   * stops `:SOUR:VOLT 100` from reaching the device under test. Each call
   * takes the session's queue for its one command, and makes everything the
   * driver tracked unknown: the next move refuses until the level is read
   * back ({@link refreshState}, or the read-back of {@link rampTo}).
   */
  unsafeSession(): ScpiChannel {
    const raw = <T>(call: (channel: ScpiChannel) => Promise<T>): Promise<T> =>
      this.#session.exclusive((channel) => {
        this.#forget("a raw command went through unsafeSession()");
        return call(channel);
      });
    return {
      resource: this.resource,
      write: (command) => raw((channel) => channel.write(command)),
      query: (command, options) => raw((channel) => channel.query(command, options)),
      queryBlock: (command, options) => raw((channel) => channel.queryBlock(command, options)),
      readErrorQueue: (options) => raw((channel) => channel.readErrorQueue(options)),
      checkErrors: (options) => raw((channel) => channel.checkErrors(options)),
    };
  }

  /** One reading (`:READ?`), its elements as set by {@link readoutElements}. */
  read(options?: CallOptions): Promise<SourceMeterReading> {
    return this.#exclusive(async (channel) => readingAt(await this.#read(channel, 1, options), 0));
  }

  /**
   * Moves the present source (voltage or current, as {@link sourceMode}
   * says) to `level` in allowed steps, starting from the level read back
   * from the instrument (see the class doc for when that read-back stops
   * the move).
   */
  rampTo(level: number, options: RampOptions = {}): Promise<void> {
    return this.#exclusive(async (channel) => {
      const mode = await this.#tracked(channel, "sourceMode");
      this.#validateLevel(mode, level);
      this.guard.checkMagnitude(mode, level);
      const from = await this.#startMove(channel, mode);
      const source = this[levelOf(mode)];
      const delayMs = (options.delay ?? 0) * 1000;
      for (const step of this.guard.rampLevels(mode, from, level, options.step)) {
        await source.setWith(channel, step);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    });
  }

  /**
   * Makes the instrument safe, whatever state it and the driver are in:
   * with the output on, reads the level back and ramps it to zero within
   * the step limit (a level above the magnitude limit, set by someone else,
   * is ramped down too), then turns the output off and reads back that it
   * is. Where the level cannot be confirmed (read-backs that disagree,
   * garbage, a timeout) or a step fails, it turns the output off at once,
   * without a ramp, and throws a {@link ShutdownError} (`outputState:
   * "off"`) saying what it could not do; where not even the output state
   * can be confirmed (a dead link), `outputState: "unknown"`.
   */
  shutdown(): Promise<void> {
    return this.#session.exclusive(async (raw) => {
      const channel = this.#watch(raw);
      let problem: unknown;
      try {
        if (await this.outputEnabled.getWith(channel)) {
          const mode = await this.#tracked(channel, "sourceMode");
          const from = await this.#readBackLevel(channel, levelOf(mode));
          const source = this[levelOf(mode)];
          for (const step of this.guard.rampLevels(mode, from, 0)) await source.setWith(channel, step);
        }
      } catch (error) {
        problem = error;
      }
      const off = await this.#turnOutputOff(channel);
      const what = (error: unknown) => (error instanceof Error ? error.message : String(error));
      if (off !== true) {
        throw new ShutdownError(
          this.resource,
          "unknown",
          `turning the output off was not confirmed: ${what(off)}` +
            (problem === undefined ? "" : `; before that: ${what(problem)}`),
          { cause: off },
        );
      }
      if (problem !== undefined) {
        throw new ShutdownError(this.resource, "off", `could not ramp the source down: ${what(problem)}`, {
          cause: problem,
        });
      }
    });
  }

  /** The hardware sweep of {@link hardwareSweepChunks}, collected. */
  async hardwareSweep(levels: SweepLevels, options: SweepOptions = {}): Promise<SweepColumns> {
    const chunks: SweepColumns[] = [];
    for await (const chunk of this.hardwareSweepChunks(levels, options)) chunks.push(chunk);
    return concatColumns(chunks);
  }

  /**
   * Sweeps the present source in the instrument's own engine and yields
   * each chunk's readings as its `:READ?` returns: a linear sweep as a
   * staircase (`:SOUR:<f>:MODE SWE`, up to 2500 points a chunk), a list as
   * a source list (`MODE LIST`, up to 100 points a chunk). Every level and
   * every step (from the present level, read back, which is the bias,
   * through the chunk and back to the bias, where the 2400 returns after a
   * sweep) is checked before the first byte that moves anything. The
   * session's queue is held from the first `next()` until the iteration
   * finishes or is returned (`break`, `return` or a throw out of `for
   * await`); an iterator dropped without either stalls every later call.
   * Afterwards the source is back in fixed mode with a trigger count of 1.
   */
  async *hardwareSweepChunks(levels: SweepLevels, options: SweepOptions = {}): AsyncGenerator<SweepColumns> {
    const lease = await this.#session.acquire();
    const channel = this.#watch(lease.channel);
    try {
      const mode = await this.#tracked(channel, "sourceMode");
      const chunks = this.#plan(levels, options.chunkPoints);
      for (const chunk of chunks) this.#checkLevels(mode, chunk.levels);
      const bias = await this.#startMove(channel, mode);
      for (const chunk of chunks) this.guard.checkPath(mode, bias, [...chunk.levels, bias]);
      let failed = false;
      try {
        for (const chunk of chunks) {
          await this.#configureChunk(channel, mode, chunk);
          await channel.checkErrors();
          const timeoutMs =
            options.timeoutMs ?? this.#session.timeoutMs + SWEEP_MS_PER_POINT * chunk.levels.length;
          yield await this.#read(channel, chunk.levels.length, { timeoutMs });
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        await this.#endSweep(channel, mode).catch((error: unknown) => {
          if (!failed) throw error;
        });
      }
    } catch (error) {
      if (!refusedBeforeSending(error) && !this.#forgotten.has(error as object)) {
        this.#forget(describeFailure(error));
      }
      throw error;
    } finally {
      lease.release();
    }
  }

  /**
   * Sets each level in turn (every level and step checked, from the level
   * read back, before the first) and takes one reading at each; the source
   * stays at the last level. Holds the session's queue from the first
   * `next()` until the iteration finishes or is returned; an iterator
   * dropped without either stalls every later call.
   */
  async *softwareSweep(levels: SweepLevels, options?: CallOptions): AsyncGenerator<SourceMeterReading> {
    const lease = await this.#session.acquire();
    const channel = this.#watch(lease.channel);
    try {
      const mode = await this.#tracked(channel, "sourceMode");
      const all = this.#plan(levels).flatMap((chunk) => chunk.levels);
      this.#checkLevels(mode, all);
      this.guard.checkPath(mode, await this.#startMove(channel, mode), all);
      const source = this[levelOf(mode)];
      for (const level of all) {
        await source.setWith(channel, level, options);
        yield readingAt(await this.#read(channel, 1, options), 0);
      }
    } catch (error) {
      if (!refusedBeforeSending(error) && !this.#forgotten.has(error as object)) {
        this.#forget(describeFailure(error));
      }
      throw error;
    } finally {
      lease.release();
    }
  }

  /** {@link softwareSweep}, collected into columns. */
  async collectSoftwareSweep(levels: SweepLevels, options?: CallOptions): Promise<SweepColumns> {
    const readings: SourceMeterReading[] = [];
    for await (const reading of this.softwareSweep(levels, options)) readings.push(reading);
    return columnsOf(readings);
  }

  /** Closes the session and its transport; the output is left as it is (see {@link shutdown}). */
  close(): Promise<void> {
    return this.#session.close();
  }

  /**
   * The session's queue, held; any failure in `body` but a refusal (a reply
   * that does not parse, as much as a failed exchange) makes the tracked
   * state unknown.
   */
  #exclusive<T>(body: (channel: ScpiChannel) => Promise<T>): Promise<T> {
    return this.#session.exclusive(async (channel) => {
      try {
        return await body(this.#watch(channel));
      } catch (error) {
        if (!refusedBeforeSending(error) && !this.#forgotten.has(error as object)) {
          this.#forget(describeFailure(error));
        }
        throw error;
      }
    });
  }

  /**
   * `channel`, with every failed exchange making the tracked state unknown:
   * a timeout, garbage, a lost link or an error in the queue all leave open
   * whether the instrument acted on what was sent.
   */
  #watch(channel: ScpiChannel): ScpiChannel {
    const watched =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>, command: (...args: A) => string) =>
      async (...args: A): Promise<R> => {
        try {
          return await call(...args);
        } catch (error) {
          this.#forget(describeFailure(error, command(...args)));
          if (typeof error === "object" && error !== null) this.#forgotten.add(error);
          throw error;
        }
      };
    return {
      resource: channel.resource,
      write: watched(channel.write, (command) => command),
      query: watched(channel.query, (command) => command),
      queryBlock: watched(channel.queryBlock, (command) => command),
      readErrorQueue: watched(channel.readErrorQueue, () => ":SYST:ERR?"),
      checkErrors: watched(channel.checkErrors, () => ":SYST:ERR?"),
    };
  }

  /** Makes everything tracked unknown. */
  #forget(because: string): void {
    this.#known = {};
    this.#unknownBecause = because;
  }

  /** Keeps a value the instrument holds; see the class doc for the source levels' rule. */
  #record(name: string, value: unknown, how: "read" | "set"): void {
    if (!(TRACKED as readonly string[]).includes(name)) return;
    if (!isLevel(name) || how === "set") {
      Object.assign(this.#known, { [name]: value });
      return;
    }
    // A single read of a level is believed only where it confirms the tracked one (#readBackLevel decides otherwise).
    const tracked = this.#known[name];
    if (tracked !== undefined && !sameLevel(name, tracked, value as number)) {
      delete this.#known[name];
      this.#unknownBecause = `${name} read back ${value} where ${tracked} was set`;
    }
  }

  /**
   * The level the instrument holds, read back: believed at once where it
   * agrees with the tracked level, otherwise read again and believed when
   * the two reads agree (and then tracked); reads that disagree leave it
   * unknown and throw {@link LevelUnknownError}.
   */
  async #readBackLevel(channel: ScpiChannel, name: Level, options?: CallOptions): Promise<number> {
    const tracked = this.#known[name];
    const first = await this[name].getWith(channel, options);
    if (tracked !== undefined && sameLevel(name, tracked, first)) return first;
    const second = await this[name].getWith(channel, options);
    if (!sameLevel(name, first, second)) {
      this.#forget(`two read-backs of ${name} disagree: ${first} then ${second}`);
      throw new LevelUnknownError(this.resource, name, this.#unknownBecause);
    }
    this.#known[name] = second;
    return second;
  }

  /** The level a move starts from: read back, and refused if someone else moved it. */
  async #startMove(channel: ScpiChannel, mode: SourceMode): Promise<number> {
    const name = levelOf(mode);
    const tracked = this.#known[name];
    const from = await this.#readBackLevel(channel, name);
    if (tracked !== undefined && !sameLevel(name, tracked, from)) {
      throw new LevelMismatchError(this.resource, name, tracked, from, UNIT[mode]);
    }
    return from;
  }

  /** `:OUTP OFF`, then `:OUTP?` until it reads 0 (two tries); true, or what went wrong. */
  async #turnOutputOff(channel: ScpiChannel): Promise<true | unknown> {
    let failure: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await channel.write(":OUTP OFF");
        if ((await this.outputEnabled.getWith(channel)) === false) return true;
        failure = new Error(":OUTP? still reads 1 after :OUTP OFF");
      } catch (error) {
        failure = error;
        if (error instanceof ConnectionError) break;
      }
    }
    return failure;
  }

  async #read(channel: ScpiChannel, points: number, options?: CallOptions): Promise<SweepColumns> {
    const elements = await this.#tracked(channel, "readoutElements");
    const reply = await channel.query(":READ?", options);
    const columns = parseReadings(reply, elements, points);
    if (!columns) {
      const fields = elements.map((element) => ELEMENT_MNEMONICS[element]).join(",");
      const count = elements.length * points;
      throw new ProtocolError(
        this.resource,
        ":READ?",
        reply,
        `${count} comma-separated numbers (${fields} × ${points})`,
      );
    }
    return columns;
  }

  /**
   * Loads one chunk into the sweep engine, then reads the engine back in one
   * compound query and compares: a set lost or garbled on the wire would
   * otherwise leave the previous sweep's levels in place, and :READ? would
   * run them from the present bias — a jump no limit checked (the safety
   * suite's property test found one: a lost :SOUR:LIST:VOLT).
   */
  async #configureChunk(channel: ScpiChannel, mode: SourceMode, chunk: SweepChunk): Promise<void> {
    const f = MNEMONIC[mode];
    const points = chunk.levels.length;
    const expected: Array<[field: string, matches: (held: string) => boolean, sent: string]> = [];
    const same = (sent: number) => (held: string) => sameLevel(levelOf(mode), sent, Number(held));
    if (chunk.kind === "linear") {
      await channel.write(`:SOUR:${f}:MODE SWE`);
      await channel.write(":SOUR:SWE:SPAC LIN");
      await channel.write(`:SOUR:${f}:STAR ${formatNumber(chunk.start)}`);
      await channel.write(`:SOUR:${f}:STOP ${formatNumber(chunk.stop)}`);
      await channel.write(`:SOUR:SWE:POIN ${points}`);
      expected.push(
        [`:SOUR:${f}:MODE`, (held) => held === "SWE", "SWE"],
        [":SOUR:SWE:SPAC", (held) => held === "LIN", "LIN"],
        [`:SOUR:${f}:STAR`, same(chunk.start), formatNumber(chunk.start)],
        [`:SOUR:${f}:STOP`, same(chunk.stop), formatNumber(chunk.stop)],
        [":SOUR:SWE:POIN", (held) => Number(held) === points, String(points)],
      );
    } else {
      const list = chunk.levels.map(formatNumber).join(",");
      await channel.write(`:SOUR:${f}:MODE LIST`);
      await channel.write(`:SOUR:LIST:${f} ${list}`);
      expected.push(
        [`:SOUR:${f}:MODE`, (held) => held === "LIST", "LIST"],
        [
          `:SOUR:LIST:${f}`,
          (held) => {
            const values = held.split(",");
            return (
              values.length === points && chunk.levels.every((level, i) => same(level)(values[i] as string))
            );
          },
          list,
        ],
      );
    }
    await channel.write(`:TRIG:COUN ${points}`);
    expected.push([":TRIG:COUN", (held) => Number(held) === points, String(points)]);
    const reply = await channel.query(expected.map(([field]) => `${field}?`).join(";"));
    // Each query's reply is one ;-separated unit; the list's values are ,-separated within its unit.
    const held = reply.split(";");
    expected.forEach(([field, matches, sent], i) => {
      const value = held[i] ?? "(no reply)";
      if (!matches(value)) throw new SweepMismatchError(this.resource, field, sent, value);
    });
  }

  async #endSweep(channel: ScpiChannel, mode: SourceMode): Promise<void> {
    await channel.write(`:SOUR:${MNEMONIC[mode]}:MODE FIX`);
    await channel.write(":TRIG:COUN 1");
  }

  #plan(levels: SweepLevels, chunkPoints?: number): SweepChunk[] {
    try {
      return planChunks(levels, CHUNK_LIMITS, chunkPoints);
    } catch (error) {
      if (error instanceof RangeError)
        throw new SettingRangeError(this.resource, "sweep", levels, error.message);
      throw error;
    }
  }

  /** The instrument's range and the magnitude limit of every level: what needs no read-back to refuse. */
  #checkLevels(mode: SourceMode, levels: readonly number[]): void {
    for (const level of levels) this.#validateLevel(mode, level);
    for (const level of levels) this.guard.checkMagnitude(mode, level);
  }

  #validateLevel(mode: SourceMode, level: number): void {
    const name = levelOf(mode);
    try {
      KEITHLEY_2400_PROPERTIES[name].encode(level);
    } catch (error) {
      if (error instanceof RangeError) throw new SettingRangeError(this.resource, name, level, error.message);
      throw error;
    }
  }

  /** The value the instrument holds, as last read or set; read now if not known (a level: read back). */
  async #tracked<K extends Tracked>(channel: ScpiChannel, name: K): Promise<TrackedValues[K]> {
    const known = this.#known[name];
    if (known !== undefined) return known as TrackedValues[K];
    if (isLevel(name)) return (await this.#readBackLevel(channel, name)) as TrackedValues[K];
    return (await this[name].getWith(channel)) as TrackedValues[K];
  }

  /** Safety checks of a set, before it is sent: magnitudes, steps, and what turning the output on would apply. */
  async #checkSet(name: string, value: unknown, channel: ScpiChannel): Promise<void> {
    switch (name) {
      case "sourceVoltage":
      case "sourceCurrent": {
        const mode: SourceMode = name === "sourceVoltage" ? "voltage" : "current";
        const from = this.#known[name];
        if (from === undefined && Number.isFinite(this.guard.maxStep(mode))) {
          throw new LevelUnknownError(this.resource, name, this.#unknownBecause);
        }
        this.guard.checkLevel(mode, from, value as number);
        if (from !== undefined) this.guard.checkStep(mode, from, value as number);
        return;
      }
      case "complianceCurrent":
        return this.guard.checkMagnitude("current", value as number);
      case "complianceVoltage":
        return this.guard.checkMagnitude("voltage", value as number);
      case "sourceMode":
        return this.#checkActiveSource(channel, value as SourceMode);
      case "outputEnabled":
        if (value === true)
          await this.#checkActiveSource(channel, await this.#tracked(channel, "sourceMode"));
        return;
    }
  }

  /** With `mode` sourcing, its level and the compliance on the other quantity must be within the limits. */
  async #checkActiveSource(channel: ScpiChannel, mode: SourceMode): Promise<void> {
    this.guard.checkMagnitude(mode, await this.#tracked(channel, levelOf(mode)));
    const other: Quantity = mode === "voltage" ? "current" : "voltage";
    this.guard.checkMagnitude(other, await this.#tracked(channel, complianceOf(other)));
  }
}

const UNIT: Readonly<Record<SourceMode, string>> = { voltage: "V", current: "A" };
const IDENTITY_EXPECTED = "four comma-separated fields: manufacturer,model,serial,firmware";

/** One line on what failed, for the reason a level became unknown. */
function describeFailure(error: unknown, command?: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return command === undefined ? text : `${JSON.stringify(command)} failed: ${text}`;
}

const levelOf = (mode: SourceMode): Level => (mode === "voltage" ? "sourceVoltage" : "sourceCurrent");
const complianceOf = (quantity: Quantity): "complianceVoltage" | "complianceCurrent" =>
  quantity === "voltage" ? "complianceVoltage" : "complianceCurrent";
