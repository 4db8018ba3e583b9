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
import { ProtocolError, SettingRangeError } from "../errors.js";
import type { Identity } from "../scpi/identity.js";
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
import { SafetyGuard, type SafetyLimits } from "./safety.js";
import { planChunks, type SweepChunk } from "./sweep-plan.js";
import { strictRange } from "./validators.js";

const readoutElements: PropertySpec<readonly ReadoutElement[]> = {
  doc: "Elements of each reading, in order: voltage, current, resistance, time, status.",
  unit: null,
  query: ":FORM:ELEM?",
  command: ":FORM:ELEM %s",
  expected: "a comma-separated list of VOLT, CURR, RES, TIME, STAT",
  encode: encodeElements,
  decode: decodeElements,
};

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
  }),
  sourceCurrent: numberProperty({
    doc: "Current source level (setpoint), A (−1.05 to 1.05).",
    unit: "A",
    query: ":SOUR:CURR:LEV?",
    command: ":SOUR:CURR:LEV %s",
    validate: strictRange(-1.05, 1.05),
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
    doc: "Current compliance (limit) of the voltage source, A (−1.05 to 1.05; sign ignored).",
    unit: "A",
    query: ":SENS:CURR:PROT?",
    command: ":SENS:CURR:PROT %s",
    validate: strictRange(-1.05, 1.05),
  }),
  complianceVoltage: numberProperty({
    doc: "Voltage compliance (limit) of the current source, V (−210 to 210; sign ignored).",
    unit: "V",
    query: ":SENS:VOLT:PROT?",
    command: ":SENS:VOLT:PROT %s",
    validate: strictRange(-210, 210),
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

export interface Keithley2400Options {
  readonly limits: SafetyLimits;
  /** Read the error queue after every set and throw what the instrument refused (default true). */
  readonly checkErrorsAfterSet?: boolean;
}

/** The table's properties, bound onto the instance in the constructor (the TypeScript mixin pattern). */
export interface Keithley2400 extends BoundProperties<typeof KEITHLEY_2400_PROPERTIES> {}

/**
 * A Keithley 2400 on an open session. Settings are the properties of
 * {@link KEITHLEY_2400_PROPERTIES} (`await k.sourceVoltage.set(1.2)`);
 * actions are the verb methods. Usually made by {@link connectKeithley2400}.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what the constructor binds from the table.
export class Keithley2400 implements SourceMeter {
  readonly resource: string;
  readonly guard: SafetyGuard;
  /** Private, so that every command goes through the checks (see {@link unsafeSession} for the exception). */
  readonly #session: ScpiSession;
  #known: Partial<TrackedValues> = {};

  constructor(session: ScpiSession, options: Keithley2400Options) {
    this.#session = session;
    this.resource = session.resource;
    this.guard = new SafetyGuard(session.resource, options.limits);
    const properties = bindProperties(session, KEITHLEY_2400_PROPERTIES, {
      checkErrorsAfterSet: options.checkErrorsAfterSet ?? true,
      hooks: {
        check: (name, value, channel) => this.#checkSet(name, value, channel),
        record: (name, value) => {
          if ((TRACKED as readonly string[]).includes(name)) Object.assign(this.#known, { [name]: value });
        },
      },
    });
    Object.assign(this, properties);
  }

  /**
   * Reads the settings that safety checks depend on (source mode, levels,
   * compliances, readout elements, output state). If the output is on,
   * checks what it applies as turning it on would — the active source
   * level and the compliance on the other quantity — and throws
   * SafetyLimitError past the limits; nothing is sent either way.
   */
  refreshState(options?: CallOptions): Promise<void> {
    return this.#session.exclusive(async (channel) => {
      for (const name of TRACKED) await this[name].getWith(channel, options);
      if (this.#known.outputEnabled) {
        await this.#checkActiveSource(channel, await this.#tracked(channel, "sourceMode"));
      }
    });
  }

  /** `*IDN?`, parsed: manufacturer, model, serial number, firmware. */
  identify(options?: CallOptions): Promise<Identity> {
    return this.#session.identify(options);
  }

  /** Reads the error queue and throws its first entry as an InstrumentError. */
  checkErrors(options?: CallOptions): Promise<void> {
    return this.#session.checkErrors(options);
  }

  /**
   * UNSAFE: raw SCPI to the instrument, for tests and experts. What is sent
   * through it BYPASSES THE SAFETY LIMITS and the range validators: nothing
   * stops `:SOUR:VOLT 100` from reaching the device under test. Each call
   * takes the session's queue for its one command, and makes the driver
   * forget every setting it tracked, so that the next check reads the
   * instrument again instead of trusting a level the raw command may have
   * changed.
   */
  unsafeSession(): ScpiChannel {
    const raw = <T>(call: (channel: ScpiChannel) => Promise<T>): Promise<T> =>
      this.#session.exclusive((channel) => {
        this.#known = {};
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
    return this.#session.exclusive(async (channel) => readingAt(await this.#read(channel, 1, options), 0));
  }

  /** Moves the present source (voltage or current, as {@link sourceMode} says) to `level` in allowed steps. */
  rampTo(level: number, options: RampOptions = {}): Promise<void> {
    return this.#session.exclusive((channel) => this.#ramp(channel, level, options));
  }

  /** Ramps the source to zero in allowed steps, then turns the output off. */
  shutdown(): Promise<void> {
    return this.#session.exclusive(async (channel) => {
      await this.#ramp(channel, 0, {});
      await this.outputEnabled.setWith(channel, false);
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
   * every step (from the present level, the bias, through the chunk and
   * back to the bias, where the 2400 returns after a sweep) is checked
   * before the first byte. The session's queue is held from the first
   * `next()` until the iteration finishes or is returned (`break`, `return`
   * or a throw out of `for await`); an iterator dropped without either
   * stalls every later call. Afterwards the source is back in fixed mode
   * with a trigger count of 1.
   */
  async *hardwareSweepChunks(levels: SweepLevels, options: SweepOptions = {}): AsyncGenerator<SweepColumns> {
    const lease = await this.#session.acquire();
    try {
      const { channel } = lease;
      const mode = await this.#tracked(channel, "sourceMode");
      const chunks = this.#plan(levels, options.chunkPoints);
      const bias = await this.#tracked(channel, levelOf(mode));
      for (const chunk of chunks) this.#checkLevels(mode, bias, [...chunk.levels, bias]);
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
        delete this.#known[levelOf(mode)];
        await this.#endSweep(channel, mode).catch((error: unknown) => {
          if (!failed) throw error;
        });
      }
    } finally {
      lease.release();
    }
  }

  /**
   * Sets each level in turn (every level and step checked before the
   * first) and takes one reading at each; the source stays at the last
   * level. Holds the session's queue from the first `next()` until the
   * iteration finishes or is returned; an iterator dropped without either
   * stalls every later call.
   */
  async *softwareSweep(levels: SweepLevels, options?: CallOptions): AsyncGenerator<SourceMeterReading> {
    const lease = await this.#session.acquire();
    try {
      const { channel } = lease;
      const mode = await this.#tracked(channel, "sourceMode");
      const all = this.#plan(levels).flatMap((chunk) => chunk.levels);
      this.#checkLevels(mode, await this.#tracked(channel, levelOf(mode)), all);
      const source = this[levelOf(mode)];
      for (const level of all) {
        await source.setWith(channel, level, options);
        yield readingAt(await this.#read(channel, 1, options), 0);
      }
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

  async #ramp(channel: ScpiChannel, level: number, options: RampOptions): Promise<void> {
    const mode = await this.#tracked(channel, "sourceMode");
    const source = this[levelOf(mode)];
    this.#validateLevel(mode, level);
    this.guard.checkMagnitude(mode, level);
    const from = await this.#tracked(channel, levelOf(mode));
    const delayMs = (options.delay ?? 0) * 1000;
    for (const step of this.guard.rampLevels(mode, from, level, options.step)) {
      await source.setWith(channel, step);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  async #configureChunk(channel: ScpiChannel, mode: SourceMode, chunk: SweepChunk): Promise<void> {
    const f = MNEMONIC[mode];
    const points = chunk.levels.length;
    if (chunk.kind === "linear") {
      await channel.write(`:SOUR:${f}:MODE SWE`);
      await channel.write(":SOUR:SWE:SPAC LIN");
      await channel.write(`:SOUR:${f}:STAR ${formatNumber(chunk.start)}`);
      await channel.write(`:SOUR:${f}:STOP ${formatNumber(chunk.stop)}`);
      await channel.write(`:SOUR:SWE:POIN ${points}`);
    } else {
      await channel.write(`:SOUR:${f}:MODE LIST`);
      await channel.write(`:SOUR:LIST:${f} ${chunk.levels.map(formatNumber).join(",")}`);
    }
    await channel.write(`:TRIG:COUN ${points}`);
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

  /** Instrument range of every level, then the safety limits along the path from `from`. */
  #checkLevels(mode: SourceMode, from: number, levels: readonly number[]): void {
    for (const level of levels) this.#validateLevel(mode, level);
    this.guard.checkPath(mode, from, levels);
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

  /** The value the instrument holds, as last read or set; read now if not known. */
  async #tracked<K extends Tracked>(channel: ScpiChannel, name: K): Promise<TrackedValues[K]> {
    const known = this.#known[name];
    if (known !== undefined) return known as TrackedValues[K];
    return (await this[name].getWith(channel)) as TrackedValues[K];
  }

  /** Safety checks of a set, before it is sent: magnitudes, steps, and what turning the output on would apply. */
  async #checkSet(name: string, value: unknown, channel: ScpiChannel): Promise<void> {
    switch (name) {
      case "sourceVoltage":
      case "sourceCurrent": {
        const mode: SourceMode = name === "sourceVoltage" ? "voltage" : "current";
        this.guard.checkMagnitude(mode, value as number);
        if (Number.isFinite(this.guard.maxStep(mode))) {
          this.guard.checkStep(mode, await this.#tracked(channel, name), value as number);
        }
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

const levelOf = (mode: SourceMode): "sourceVoltage" | "sourceCurrent" =>
  mode === "voltage" ? "sourceVoltage" : "sourceCurrent";
const complianceOf = (quantity: Quantity): "complianceVoltage" | "complianceCurrent" =>
  quantity === "voltage" ? "complianceVoltage" : "complianceCurrent";
