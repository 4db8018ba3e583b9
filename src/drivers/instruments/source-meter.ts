/**
 * What every SCPI source-measure unit's driver shares, whatever its model
 * (DESIGN.md, "Drivers": safety tracking, sweep planning and reading
 * columns live with the kind, not in one model's class). A model is its
 * property table — each safety-relevant row marked with its role — and a
 * few hooks: how it takes readings, how it loads and runs a chunk of a
 * sweep in its own engine, how it leaves the sweep, and the shortest time
 * a sweep point can take.
 *
 * Safety: every setpoint passes the instrument's range (validator) and the
 * user's {@link SafetyLimits} before a byte of it is sent. Step limits are
 * checked against the level the driver knows the instrument holds: read at
 * connection, then tracked through every set. That is sound because the
 * instrument locks its front panel while under remote control and the
 * driver's session is its own; after touching the instrument by hand, call
 * {@link ScpiSourceMeter.refreshState}. Consecutive level sets are paced on
 * the session's timebase so that the ramp rate stays under its limit. Raw
 * commands go only through {@link ScpiSourceMeter.unsafeSession}, which
 * bypasses the limits by name and makes the driver forget what it tracked.
 *
 * What the driver knows of the instrument (source mode, levels,
 * compliances, output state) is what it last read or set. Any exchange
 * that fails (timeout, garbage, lost link, an error in the queue) makes all
 * of it unknown, since the instrument may or may not have acted on the
 * command; so does every raw command through `unsafeSession`. An unknown
 * source level blocks every move that would be checked against it
 * ({@link LevelUnknownError}) until it is read back: `refreshState`, and
 * the read-back that `rampTo`, `shutdown` and the sweeps make before their
 * first step. A read-back is believed when it agrees with the level the
 * driver set, or when a second read agrees with it; a level moved by
 * someone else (two agreeing read-backs that differ from the tracked one)
 * stops a move with {@link LevelMismatchError}.
 */
import {
  ConnectionError,
  LevelMismatchError,
  LevelUnknownError,
  ProtocolError,
  SafetyLimitError,
  SettingRangeError,
  ShutdownError,
} from "../errors.js";
import { type Identity, parseIdentity } from "../scpi/identity.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import type {
  Quantity,
  RampOptions,
  SourceMeter,
  SourceMeterReading,
  SourceMode,
  SweepColumns,
  SweepLevels,
  SweepOptions,
} from "./kinds.js";
import {
  bindProperties,
  configurationKeys,
  type Property,
  type PropertySpec,
  type PropertyTable,
  readConfigurationWith,
  type SafetyRole,
} from "./properties.js";
import { columnsOf, concatColumns, readingAt } from "./readings.js";
import { SafetyGuard, type SafetyLimitsInput } from "./safety.js";
import { type ChunkLimits, planChunks, type SweepChunk } from "./sweep-plan.js";

export interface SourceMeterOptions {
  /** Merged over DEFAULT_SAFETY_LIMITS (safety.ts); `Infinity` turns one off. */
  readonly limits?: SafetyLimitsInput;
  /** Read the error queue after every set and throw what the instrument refused (default true). */
  readonly checkErrorsAfterSet?: boolean;
}

/** What a model tells the kind about itself. */
export interface SourceMeterModel {
  /** "Keithley 2400", for messages. */
  readonly name: string;
  /** Its settings; the rows with a `safety` role are found by it. */
  readonly table: PropertyTable;
  /** Full scale of each source, for the floor of the read-back comparison. */
  readonly fullScale: Readonly<Record<Quantity, number>>;
  /**
   * Relative difference within which a read-back is the level that was set
   * (the instrument answers with a fixed number of digits); also how far,
   * relative, the level held may be from a read-back of it, which moves
   * from a level known only by its read-back leave room for.
   */
  readonly readBackTolerance: number;
  /** Significant digits of a level's read-back (7: `+1.000000E-01`). */
  readonly readBackDigits: number;
  /** What its sweep engines hold at once. */
  readonly chunkLimits: ChunkLimits;
}

/**
 * Whether a read-back `b` is the level `a` that was set: equal within the
 * instrument's digits (`tolerance`, relative), with a floor of 1e-12 of the
 * source's full scale, far below any source resolution.
 */
export function levelsAgree(
  fullScale: Readonly<Record<Quantity, number>>,
  tolerance: number,
  quantity: Quantity,
  a: number,
  b: number,
): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * fullScale[quantity];
}

/** The SCPI mnemonic of each source function (`:SOUR:VOLT…`, `:SOUR:CURR…`), on every SMU of the kind. */
export const SOURCE_MNEMONIC: Readonly<Record<SourceMode, string>> = { voltage: "VOLT", current: "CURR" };

/**
 * The shortest line cycle an SMU runs on (60 Hz): integration of `nplc`
 * takes at least nplc / 60 s, whatever the line frequency is set to.
 */
export const FASTEST_LINE_FREQUENCY = 60;

/** One reading's data keys (STYLE.md 13): what a record's descriptor says of each column. */
export interface DataKey {
  /** SI unit, or null for a status word or a choice. */
  readonly unit: string | null;
  readonly dtype: "number" | "integer" | "boolean" | "string" | "array";
  /** [] for a scalar. */
  readonly shape: readonly number[];
  readonly doc: string;
}

/** The reading columns of every source-measure unit (see {@link SourceMeterReading}). */
export const SOURCE_METER_READINGS: Readonly<Record<keyof SourceMeterReading, DataKey>> = Object.freeze({
  voltage: { unit: "V", dtype: "number", shape: [], doc: "Voltage across the terminals, V." },
  current: { unit: "A", dtype: "number", shape: [], doc: "Current through the terminals, A." },
  resistance: { unit: "Ohm", dtype: "number", shape: [], doc: "Resistance, Ohm (NaN where not measured)." },
  time: {
    unit: "s",
    dtype: "number",
    shape: [],
    doc: "Instrument timestamp, s (its own clock; the bench maps it onto the run's timebase).",
  },
  status: { unit: null, dtype: "integer", shape: [], doc: "Instrument status word (a bit field)." },
});

/** A configuration value as read from the instrument, with its unit. */
export interface ConfigurationValue {
  readonly value: unknown;
  readonly unit: string | null;
  readonly doc: string;
}

/** The names of the rows that hold each safety role. */
interface Roles {
  readonly sourceMode: string;
  readonly output: string;
  readonly level: Readonly<Record<Quantity, string>>;
  readonly compliance: Readonly<Record<Quantity, string>>;
}

/** Errors raised before anything was sent: they leave what the driver knows as it was. */
const refusedBeforeSending = (error: unknown): boolean =>
  error instanceof SafetyLimitError ||
  error instanceof SettingRangeError ||
  error instanceof LevelUnknownError ||
  error instanceof LevelMismatchError;

const UNIT: Readonly<Record<SourceMode, string>> = { voltage: "V", current: "A" };
const IDENTITY_EXPECTED = "four comma-separated fields: manufacturer,model,serial,firmware";

/** The settings every source-meter has, bound by each model from its table (see `SourceMeter`). */
type SourceMeterSetting =
  | "sourceMode"
  | "sourceVoltage"
  | "sourceCurrent"
  | "complianceCurrent"
  | "complianceVoltage"
  | "outputEnabled";

/** Time allowed per sweep point on top of the session timeout when none is given, ms. */
const SWEEP_MS_PER_POINT = 100;

/**
 * The kind's driver over one SCPI session. A model subclasses it with its
 * property table (bound onto the instance as typed properties) and hooks.
 */
export abstract class ScpiSourceMeter implements Omit<SourceMeter, SourceMeterSetting> {
  readonly resource: string;
  readonly guard: SafetyGuard;
  readonly model: SourceMeterModel;
  /** Private, so that every command goes through the checks (see {@link unsafeSession} for the exception). */
  readonly #session: ScpiSession;
  readonly #properties: Readonly<Record<string, Property<unknown>>>;
  readonly #roles: Roles;
  /** Rows whose value the driver keeps, in the order `refreshState` reads them. */
  readonly #tracked: readonly string[];
  #known: Record<string, unknown> = {};
  /**
   * How far the instrument's level may be from the tracked one, per level
   * row: none where the driver set it (and the read-back agreed), the
   * read-back's last digits where it is known only from a read-back (the
   * 2400 gives seven: `-1.000000E-01` may be -0.10000004). Moves from it
   * leave that room under the step limit.
   */
  #margin: Record<string, number> = {};
  /** Why the state is unknown: the last failed exchange, for LevelUnknownError. */
  #unknownBecause = "not read since the driver was attached";
  /** Failures already explained by the exchange that raised them (the more precise reason). */
  readonly #forgotten = new WeakSet<object>();
  /**
   * When each source level last changed, s on the session's timebase (for
   * the ramp rate). Unknown is taken as now: at attach, and whenever the
   * tracked state is forgotten, the first move waits a full step's time.
   */
  #lastLevelChange: Record<Quantity, number>;

  constructor(session: ScpiSession, model: SourceMeterModel, options: SourceMeterOptions = {}) {
    this.#session = session;
    this.resource = session.resource;
    this.model = model;
    this.guard = new SafetyGuard(session.resource, options.limits);
    const now = session.timebase.now();
    this.#lastLevelChange = { voltage: now, current: now };
    this.#roles = rolesOf(model);
    // In table order, the output last: refreshState then knows all the output would apply.
    this.#tracked = Object.entries(model.table)
      .filter(([, spec]) => spec.safety !== undefined || spec.tracked === true)
      .map(([name]) => name)
      .sort((a, b) => Number(a === this.#roles.output) - Number(b === this.#roles.output));
    this.#properties = bindProperties(
      { resource: this.resource, exclusive: (body) => this.#exclusive(body) },
      model.table,
      {
        checkErrorsAfterSet: options.checkErrorsAfterSet ?? true,
        hooks: {
          check: (name, value, channel) => this.#checkSet(name, value, channel),
          record: (name, value, how) => this.#record(name, value, how),
        },
      },
    );
    Object.assign(this, this.#properties);
  }

  /** The session's timebase: where level sets are paced and sweeps stamped. */
  get timebase() {
    return this.#session.timebase;
  }

  /** Each reading's data key: name, unit, shape (the kind's columns). */
  describe(): Readonly<Record<string, DataKey>> {
    return SOURCE_METER_READINGS;
  }

  /** The data keys of the configuration {@link readConfiguration} reads, from the property table. */
  describeConfiguration(): Readonly<Record<string, DataKey>> {
    return configurationKeys(this.model.table);
  }

  /** Every configuration setting of the table, read from the instrument, with its unit. */
  readConfiguration(options?: CallOptions): Promise<Readonly<Record<string, ConfigurationValue>>> {
    return this.#exclusive((channel) =>
      readConfigurationWith(
        channel,
        this.model.table,
        (name) => this.#properties[name] as Property<unknown>,
        options,
      ),
    );
  }

  /**
   * Reads the settings that safety checks depend on (source mode, levels,
   * compliances, output state, and what the model tracks for reading), the
   * levels read back until two reads agree (one, where it agrees with the
   * level the driver set). Call it after touching the instrument by hand, or
   * to make a level known again after a failed exchange. If the output is
   * on, checks what it applies as turning it on would — the active source
   * level and the compliance on the other quantity — and throws
   * SafetyLimitError past the limits; nothing is sent either way.
   */
  refreshState(options?: CallOptions): Promise<void> {
    return this.#exclusive(async (channel) => {
      for (const name of this.#tracked) {
        if (this.#isLevel(name)) await this.#readBackLevel(channel, name, options);
        else await this.#property(name).getWith(channel, options);
      }
      if (this.#known[this.#roles.output] === true) {
        await this.#checkActiveSource(
          channel,
          await this.tracked<SourceMode>(channel, this.#roles.sourceMode),
        );
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

  /** One reading, its elements as the model's readout says. */
  read(options?: CallOptions): Promise<SourceMeterReading> {
    return this.#exclusive(async (channel) => readingAt(await this.readPoints(channel, 1, options), 0));
  }

  /**
   * Moves the present source (voltage or current, as `sourceMode` says) to
   * `level` in allowed steps, paced under the ramp-rate limit, starting
   * from the level read back from the instrument (see the class doc for
   * when that read-back stops the move).
   */
  rampTo(level: number, options: RampOptions = {}): Promise<void> {
    return this.#exclusive(async (channel) => {
      const mode = await this.tracked<SourceMode>(channel, this.#roles.sourceMode);
      this.#validateLevel(mode, level);
      this.guard.checkMagnitude(mode, level);
      const from = await this.#startMove(channel, mode);
      const source = this.#levelProperty(mode);
      const delay = options.delay ?? 0;
      const margin = this.#levelMargin(mode);
      for (const step of this.guard.rampLevels(mode, from, level, options.step, margin)) {
        await source.setWith(channel, step);
        if (delay > 0) await this.timebase.sleep(delay);
      }
    });
  }

  /**
   * Makes the instrument safe, whatever state it and the driver are in:
   * with the output on, reads the level back and ramps it to zero within
   * the step and rate limits (a level above the magnitude limit, set by
   * someone else, is ramped down too), then turns the output off and reads
   * back that it is. Where the level cannot be confirmed (read-backs that
   * disagree, garbage, a timeout) or a step fails, it turns the output off
   * at once, without a ramp, and throws a {@link ShutdownError}
   * (`outputState: "off"`) saying what it could not do; where not even the
   * output state can be confirmed (a dead link), `outputState: "unknown"`.
   */
  shutdown(): Promise<void> {
    return this.#session.exclusive(async (raw) => {
      const channel = this.#watch(raw);
      let problem: unknown;
      try {
        if (await (this.#property(this.#roles.output) as Property<boolean>).getWith(channel)) {
          const mode = await this.tracked<SourceMode>(channel, this.#roles.sourceMode);
          const name = this.#roles.level[mode];
          const from = await this.#readBackLevel(channel, name);
          const source = this.#levelProperty(mode);
          const margin = this.#levelMargin(mode);
          for (const step of this.guard.rampLevels(mode, from, 0, undefined, margin)) {
            await source.setWith(channel, step);
          }
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
   * each chunk's readings as it completes. Every level and every step (from
   * the present level, read back, which is the bias, through the chunk and
   * back to the bias) is checked before the first byte that moves anything,
   * and so is the rate: the largest step over the shortest time a point can
   * take (the model's `minPointSeconds`). The session's queue is held from
   * the first `next()` until the iteration finishes or is returned
   * (`break`, `return` or a throw out of `for await`); an iterator dropped
   * without either stalls every later call. Afterwards the source is back
   * in fixed mode, as the model's `endSweep` leaves it.
   */
  async *hardwareSweepChunks(levels: SweepLevels, options: SweepOptions = {}): AsyncGenerator<SweepColumns> {
    const lease = await this.#session.acquire();
    const channel = this.#watch(lease.channel);
    try {
      const mode = await this.tracked<SourceMode>(channel, this.#roles.sourceMode);
      const chunks = this.#plan(levels, options.chunkPoints);
      for (const chunk of chunks) this.#checkLevels(mode, chunk.levels);
      const bias = await this.#startMove(channel, mode);
      // The sweep leaves the bias and comes back to it, wherever within its margin the level really is.
      const margin = this.#levelMargin(mode);
      for (const chunk of chunks) {
        this.guard.checkPath(mode, bias, chunk.levels, margin);
        this.guard.checkStep(mode, chunk.levels.at(-1) ?? bias, bias, margin);
      }
      if (Number.isFinite(this.guard.maxRate(mode))) {
        // The bias is known within its margin: the steps from and back to it may be that much larger.
        const largest = Math.max(...chunks.map((chunk) => largestStep(bias, chunk.levels))) + margin;
        this.guard.checkRate(mode, largest, await this.minPointSeconds(channel));
      }
      let failed = false;
      try {
        for (const chunk of chunks) {
          const timeoutMs =
            options.timeoutMs ?? this.#session.timeoutMs + SWEEP_MS_PER_POINT * chunk.levels.length;
          yield await this.runChunk(channel, mode, chunk, bias, { timeoutMs });
        }
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        await this.endSweep(channel, mode, bias).catch((error: unknown) => {
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
   * read back, before the first; each set paced under the rate limit) and
   * takes one reading at each; the source stays at the last level. Holds
   * the session's queue from the first `next()` until the iteration
   * finishes or is returned; an iterator dropped without either stalls
   * every later call.
   */
  async *softwareSweep(levels: SweepLevels, options?: CallOptions): AsyncGenerator<SourceMeterReading> {
    const lease = await this.#session.acquire();
    const channel = this.#watch(lease.channel);
    try {
      const mode = await this.tracked<SourceMode>(channel, this.#roles.sourceMode);
      const all = this.#plan(levels).flatMap((chunk) => chunk.levels);
      this.#checkLevels(mode, all);
      const from = await this.#startMove(channel, mode);
      this.guard.checkPath(mode, from, all, this.#levelMargin(mode));
      const source = this.#levelProperty(mode);
      for (const level of all) {
        await source.setWith(channel, level, options);
        yield readingAt(await this.readPoints(channel, 1, options), 0);
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

  // ---- the model's part ----

  /** Whether a reading's status word says the reading was taken in compliance (the source limited). */
  abstract inCompliance(status: number): boolean;

  /**
   * Makes every reading measure `quantity` as well as the source's own
   * (programmed) value, so that a reading gives both V and I across the
   * terminals: the 2450 measures one function at a time, the 2400 the
   * functions that are on.
   */
  abstract measure(quantity: Quantity): Promise<void>;

  /** Sets the integration time (NPLC) and the source delay, s (fixed, not automatic). */
  abstract configureTiming(timing: { readonly nplc: number; readonly sourceDelay: number }): Promise<void>;

  /** Takes `points` readings (one trigger of `points` cycles, or one) and parses them; ProtocolError on garbage. */
  protected abstract readPoints(
    channel: ScpiChannel,
    points: number,
    options?: CallOptions,
  ): Promise<SweepColumns>;

  /**
   * Loads `chunk` into the sweep engine, checks it took, runs it and
   * returns its readings; the source ends the chunk back at `bias` (the
   * path the kind checked: bias, the chunk's levels, bias).
   */
  protected abstract runChunk(
    channel: ScpiChannel,
    mode: SourceMode,
    chunk: SweepChunk,
    bias: number,
    options: CallOptions,
  ): Promise<SweepColumns>;

  /** Leaves the sweep engine (fixed source mode, one trigger), the source back at `bias`, where it was. */
  protected abstract endSweep(channel: ScpiChannel, mode: SourceMode, bias: number): Promise<void>;

  /**
   * The shortest time one sweep point can take with the present settings,
   * s: a lower bound (source delay and integration), read through `channel`.
   */
  protected abstract minPointSeconds(channel: ScpiChannel): Promise<number>;

  /** Whether a read-back of the `mode` level is the level that was set (within the model's digits). */
  protected sameLevel(mode: SourceMode, a: number, b: number): boolean {
    return levelsAgree(this.model.fullScale, this.model.readBackTolerance, mode, a, b);
  }

  /** The value the instrument holds, as last read or set; read now if not known (a level: read back). */
  protected async tracked<T>(channel: ScpiChannel, name: string): Promise<T> {
    const known = this.#known[name];
    if (known !== undefined) return known as T;
    if (this.#isLevel(name)) return (await this.#readBackLevel(channel, name)) as T;
    return (await this.#property(name).getWith(channel)) as T;
  }

  /** Turns a planner's RangeError into the driver's refusal. */
  #plan(levels: SweepLevels, chunkPoints?: number): SweepChunk[] {
    try {
      return planChunks(levels, this.model.chunkLimits, chunkPoints);
    } catch (error) {
      if (error instanceof RangeError)
        throw new SettingRangeError(this.resource, "sweep", levels, error.message);
      throw error;
    }
  }

  #property(name: string): Property<unknown> {
    return this.#properties[name] as Property<unknown>;
  }

  #levelProperty(mode: SourceMode): Property<number> {
    return this.#property(this.#roles.level[mode]) as Property<number>;
  }

  /** What the instrument answers when it holds `level`: the level to its digits. */
  #asReadBack(level: number): number {
    return Number(level.toExponential(this.model.readBackDigits - 1));
  }

  /** How far the instrument's level of `mode` may be from the tracked one (see #margin). */
  #levelMargin(mode: SourceMode): number {
    return this.#margin[this.#roles.level[mode]] ?? 0;
  }

  #isLevel(name: string): boolean {
    return this.#roles.level.voltage === name || this.#roles.level.current === name;
  }

  #modeOfLevel(name: string): SourceMode {
    return this.#roles.level.voltage === name ? "voltage" : "current";
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
    this.#margin = {};
    this.#unknownBecause = because;
    const now = this.timebase.now();
    this.#lastLevelChange = { voltage: now, current: now };
  }

  /** Keeps a value the instrument holds; see the class doc for the source levels' rule. */
  #record(name: string, value: unknown, how: "read" | "set"): void {
    if (!this.#tracked.includes(name)) return;
    if (how === "set" && this.#known[name] !== value) {
      // What the terminals carry changed: a new level, or the output switched (from open to the level, or back).
      const now = this.timebase.now();
      if (this.#isLevel(name)) this.#lastLevelChange[this.#modeOfLevel(name)] = now;
      if (name === this.#roles.output) this.#lastLevelChange = { voltage: now, current: now };
    }
    if (!this.#isLevel(name) || how === "set") {
      this.#known[name] = value;
      if (this.#isLevel(name)) this.#margin[name] = 0;
      return;
    }
    // A single read of a level is believed only where it confirms the tracked one (#readBackLevel decides otherwise).
    const tracked = this.#known[name] as number | undefined;
    if (tracked !== undefined && !this.sameLevel(this.#modeOfLevel(name), tracked, value as number)) {
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
  async #readBackLevel(channel: ScpiChannel, name: string, options?: CallOptions): Promise<number> {
    const mode = this.#modeOfLevel(name);
    const property = this.#property(name) as Property<number>;
    const tracked = this.#known[name] as number | undefined;
    const first = await property.getWith(channel, options);
    if (tracked !== undefined && this.sameLevel(mode, tracked, first)) {
      // The tracked level's own digits: unchanged as far as the instrument can say. Its exact value, not
      // those digits (a ramp from -0.1 where -0.1000000001 was set steps too far).
      if (first === this.#asReadBack(tracked)) return tracked;
      // Close, but not its digits: moved a little since (someone else, or the instrument's resolution).
      // Believe the read-back, with room for the digits it lacks.
      this.#known[name] = first;
      this.#margin[name] = this.model.readBackTolerance * Math.abs(first);
      return first;
    }
    const second = await property.getWith(channel, options);
    if (!this.sameLevel(mode, first, second)) {
      this.#forget(`two read-backs of ${name} disagree: ${first} then ${second}`);
      throw new LevelUnknownError(this.resource, name, this.#unknownBecause);
    }
    this.#known[name] = second;
    this.#margin[name] = this.model.readBackTolerance * Math.abs(second);
    return second;
  }

  /** The level a move starts from: read back, and refused if someone else moved it. */
  async #startMove(channel: ScpiChannel, mode: SourceMode): Promise<number> {
    const name = this.#roles.level[mode];
    const tracked = this.#known[name] as number | undefined;
    const from = await this.#readBackLevel(channel, name);
    if (tracked !== undefined && !this.sameLevel(mode, tracked, from)) {
      throw new LevelMismatchError(this.resource, name, tracked, from, UNIT[mode]);
    }
    return from;
  }

  /** Output off (the output row's command), then its query until it reads off (two tries); true, or what went wrong. */
  async #turnOutputOff(channel: ScpiChannel): Promise<true | unknown> {
    const output = this.#property(this.#roles.output) as Property<boolean>;
    const command = output.spec.command.replace("%s", output.spec.encode(false));
    let failure: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await channel.write(command);
        if ((await output.getWith(channel)) === false) return true;
        failure = new Error(`${output.spec.query} still reads on after ${command}`);
      } catch (error) {
        failure = error;
        if (error instanceof ConnectionError) break;
      }
    }
    return failure;
  }

  /** The instrument's range and the magnitude limit of every level: what needs no read-back to refuse. */
  #checkLevels(mode: SourceMode, levels: readonly number[]): void {
    for (const level of levels) this.#validateLevel(mode, level);
    for (const level of levels) this.guard.checkMagnitude(mode, level);
  }

  #validateLevel(mode: SourceMode, level: number): void {
    const name = this.#roles.level[mode];
    try {
      (this.model.table[name] as PropertySpec<number>).encode(level);
    } catch (error) {
      if (error instanceof RangeError) throw new SettingRangeError(this.resource, name, level, error.message);
      throw error;
    }
  }

  /**
   * Safety checks of a set, before it is sent, by the row's role:
   * magnitudes, steps and the ramp rate (which waits rather than refuses),
   * and what turning the output on would apply.
   */
  async #checkSet(name: string, value: unknown, channel: ScpiChannel): Promise<void> {
    const role: SafetyRole | undefined = this.model.table[name]?.safety;
    switch (role?.kind) {
      case undefined:
        return;
      case "level": {
        const mode = role.quantity;
        const from = this.#known[name] as number | undefined;
        if (from === undefined && Number.isFinite(this.guard.maxStep(mode))) {
          throw new LevelUnknownError(this.resource, name, this.#unknownBecause);
        }
        this.guard.checkLevel(mode, from, value as number);
        if (from !== undefined) {
          this.guard.checkStep(mode, from, value as number, this.#margin[name] ?? 0);
          await this.#pace(mode, from, value as number, this.#margin[name] ?? 0);
        }
        return;
      }
      case "compliance":
        return this.guard.checkMagnitude(role.quantity, value as number);
      case "source-mode":
        return this.#checkActiveSource(channel, value as SourceMode);
      case "output":
        if (value === true) {
          await this.#checkActiveSource(
            channel,
            await this.tracked<SourceMode>(channel, this.#roles.sourceMode),
          );
        }
        return;
    }
  }

  /**
   * Waits, on the session's timebase, until a change from `from` (known within `margin`) to `to` keeps
   * the rate under its limit.
   */
  async #pace(mode: SourceMode, from: number, to: number, margin: number): Promise<void> {
    if (!Number.isFinite(this.guard.maxRate(mode))) return;
    const change = Math.abs(to - from) + margin;
    const wait = this.#lastLevelChange[mode] + this.guard.minSeconds(mode, change) - this.timebase.now();
    if (wait > 0) await this.timebase.sleep(wait);
  }

  /** With `mode` sourcing, its level and the compliance on the other quantity must be within the limits. */
  async #checkActiveSource(channel: ScpiChannel, mode: SourceMode): Promise<void> {
    this.guard.checkMagnitude(mode, await this.tracked<number>(channel, this.#roles.level[mode]));
    const other: Quantity = mode === "voltage" ? "current" : "voltage";
    this.guard.checkMagnitude(other, await this.tracked<number>(channel, this.#roles.compliance[other]));
  }
}

/** Largest step of a sweep from `bias` through `levels` and back to `bias`. */
function largestStep(bias: number, levels: readonly number[]): number {
  let largest = 0;
  let previous = bias;
  for (const level of [...levels, bias]) {
    largest = Math.max(largest, Math.abs(level - previous));
    previous = level;
  }
  return largest;
}

/** Finds the row of each safety role; a table missing one is a programming error. */
function rolesOf(model: SourceMeterModel): Roles {
  const find = (test: (role: SafetyRole) => boolean, what: string): string => {
    const found = Object.entries(model.table).find(
      ([, spec]) => spec.safety !== undefined && test(spec.safety),
    );
    if (!found) throw new Error(`${model.name}: its property table has no row with the safety role ${what}`);
    return found[0];
  };
  const of = (kind: "level" | "compliance", quantity: Quantity) =>
    find((role) => role.kind === kind && role.quantity === quantity, `${kind} of ${quantity}`);
  return {
    sourceMode: find((role) => role.kind === "source-mode", "source-mode"),
    output: find((role) => role.kind === "output", "output"),
    level: { voltage: of("level", "voltage"), current: of("level", "current") },
    compliance: { voltage: of("compliance", "voltage"), current: of("compliance", "current") },
  };
}

/** One line on what failed, for the reason a level became unknown. */
function describeFailure(error: unknown, command?: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return command === undefined ? text : `${JSON.stringify(command)} failed: ${text}`;
}
