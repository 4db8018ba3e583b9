/**
 * Keithley 2400 SourceMeter. Mostly a table mirroring the SCPI command
 * reference of the 2400 Series SourceMeter User's Manual (section 18), in
 * the manner of PyMeasure's `keithley2400.py`; ranges are the Model 2400's
 * (other 24xx models are accepted by {@link connectKeithley2400} and refuse
 * what they cannot do themselves, with an error in the queue).
 *
 * Safety, tracking and sweeps are the source-meter kind's
 * (source-meter.ts): this file is the 2400's table, with each row's safety
 * role, and how the 2400 reads, runs a sweep chunk and leaves a sweep.
 */
import { ProtocolError, SweepMismatchError } from "../errors.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import { formatNumber } from "../scpi/values.js";
import { inCompliance as inComplianceBit } from "./keithley2400-status.js";
import type { Quantity, ReadoutElement, SourceMeter, SourceMode, SweepColumns } from "./kinds.js";
import {
  type BoundProperties,
  booleanProperty,
  choiceProperty,
  numberProperty,
  type PropertySpec,
  type PropertyTable,
} from "./properties.js";
import {
  decodeElements,
  ELEMENT_MNEMONICS,
  encodeElements,
  parseReadings,
  READOUT_ELEMENTS,
} from "./readings.js";
import {
  FASTEST_LINE_FREQUENCY,
  levelsAgree,
  ScpiSourceMeter,
  SOURCE_MNEMONIC,
  type SourceMeterModel,
  type SourceMeterOptions,
} from "./source-meter.js";
import type { SweepChunk } from "./sweep-plan.js";
import { strictMagnitude, strictRange } from "./validators.js";

const readoutElements: PropertySpec<readonly ReadoutElement[]> = {
  doc: "Elements of each reading, in order: voltage, current, resistance, time, status.",
  unit: null,
  dtype: "array",
  // What :READ? returns depends on it.
  tracked: true,
  query: ":FORM:ELEM?",
  command: ":FORM:ELEM %s",
  expected: "a comma-separated list of VOLT, CURR, RES, TIME, STAT",
  encode: encodeElements,
  decode: decodeElements,
};

/** Full scale of each source, for the read-back comparison's floor (manual §18: ±210 V, ±1.05 A). */
const FULL_SCALE: Readonly<Record<Quantity, number>> = { voltage: 210, current: 1.05 };

/**
 * Whether a read-back is the level that was set: the 2400 answers with seven
 * significant digits (`+5.000000E-01`), so equal within one part in 10⁶,
 * with a floor far below the finest source resolution (5 µV, 50 pA).
 */
const READ_BACK_TOLERANCE = 1e-6;
const sameLevel = (quantity: Quantity, a: number, b: number): boolean =>
  levelsAgree(FULL_SCALE, READ_BACK_TOLERANCE, quantity, a, b);

/** What the 2400 can sense, as `:SENS:FUNC:ON` names it. */
type SenseFunction = "voltage" | "current" | "resistance";
const SENSE_MNEMONIC: Readonly<Record<SenseFunction, string>> = {
  voltage: "VOLT:DC",
  current: "CURR:DC",
  resistance: "RES",
};

/**
 * The functions measured at each reading (manual §18 ":SENSe:FUNCtion[:ON]",
 * a list of quoted names, `"VOLT:DC","CURR:DC"`). Set as a whole: all off,
 * then the list on, in one message.
 */
const senseFunctions: PropertySpec<readonly SenseFunction[]> = {
  doc: "Functions measured at each reading: voltage, current, resistance.",
  unit: null,
  dtype: "array",
  query: ":SENS:FUNC:ON?",
  command: ":SENS:FUNC:OFF:ALL;:SENS:FUNC:ON %s",
  expected: 'a list of quoted functions, e.g. "VOLT:DC","CURR:DC"',
  encode: (value) => {
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      value.some((f) => SENSE_MNEMONIC[f as SenseFunction] === undefined)
    ) {
      throw new RangeError(`${JSON.stringify(value)} is not a list of voltage, current, resistance`);
    }
    return value.map((f) => `"${SENSE_MNEMONIC[f as SenseFunction]}"`).join(",");
  },
  decode: (reply) => {
    const names =
      reply.trim() === "" ? [] : reply.split(",").map((t) => t.trim().replace(/^"|"$/g, "").toUpperCase());
    const functions: SenseFunction[] = [];
    for (const name of names) {
      const fn = (Object.keys(SENSE_MNEMONIC) as SenseFunction[]).find((f) =>
        name.startsWith(SENSE_MNEMONIC[f].split(":")[0] as string),
      );
      if (!fn) return undefined;
      functions.push(fn);
    }
    return functions;
  },
};

/** The 2400's settings, as in its manual's SCPI reference. */
export const KEITHLEY_2400_PROPERTIES = {
  sourceMode: choiceProperty({
    doc: "Source function: voltage or current.",
    safety: { kind: "source-mode" },
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
    confirms: (sent, readBack) => sameLevel("voltage", sent, readBack),
    safety: { kind: "level", quantity: "voltage" },
  }),
  sourceCurrent: numberProperty({
    doc: "Current source level (setpoint), A (−1.05 to 1.05).",
    unit: "A",
    query: ":SOUR:CURR:LEV?",
    command: ":SOUR:CURR:LEV %s",
    validate: strictRange(-1.05, 1.05),
    confirms: (sent, readBack) => sameLevel("current", sent, readBack),
    safety: { kind: "level", quantity: "current" },
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
    safety: { kind: "compliance", quantity: "current" },
  }),
  complianceVoltage: numberProperty({
    doc: "Voltage compliance (limit) of the current source, V (2e-4 to 210 in magnitude; sign ignored; the 2400 also refuses less than 0.1 % of the measurement range).",
    unit: "V",
    query: ":SENS:VOLT:PROT?",
    command: ":SENS:VOLT:PROT %s",
    validate: strictMagnitude(2e-4, 210),
    safety: { kind: "compliance", quantity: "voltage" },
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
    safety: { kind: "output" },
  }),
  remoteSenseEnabled: booleanProperty({
    doc: "Four-wire (remote) sensing on, or two-wire off.",
    query: ":SYST:RSEN?",
    command: ":SYST:RSEN %s",
  }),
  senseFunctions,
  readoutElements,
} as const satisfies PropertyTable;

/** The 2400 as the source-meter kind sees it. */
const MODEL: SourceMeterModel = {
  name: "Keithley 2400",
  table: KEITHLEY_2400_PROPERTIES,
  fullScale: FULL_SCALE,
  readBackTolerance: READ_BACK_TOLERANCE,
  readBackDigits: 7,
  // What its sweep engines hold at once (manual §10 and :SOURce:LIST).
  chunkLimits: { maxLinearPoints: 2500, maxListPoints: 100 },
};

export type Keithley2400Options = SourceMeterOptions;

/** The table's properties, bound onto the instance in the constructor (the TypeScript mixin pattern). */
export interface Keithley2400 extends BoundProperties<typeof KEITHLEY_2400_PROPERTIES> {}

/**
 * A Keithley 2400 on an open session. Settings are the properties of
 * {@link KEITHLEY_2400_PROPERTIES} (`await k.sourceVoltage.set(1.2)`);
 * actions are the verb methods of the kind (src/drivers/instruments/source-meter.ts,
 * whose doc says what the driver knows and when it refuses). Usually made by
 * {@link connectKeithley2400}.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what the constructor binds from the table.
export class Keithley2400 extends ScpiSourceMeter implements SourceMeter {
  constructor(session: ScpiSession, options: Keithley2400Options = {}) {
    super(session, MODEL, options);
  }

  /** The status word's compliance bit (manual §18, "Data elements", STATus bit 3). */
  inCompliance(status: number): boolean {
    return inComplianceBit(status);
  }

  /**
   * Turns `quantity`'s sense function on (`:SENS:FUNC:ON "VOLT:DC"`, manual
   * §18 ":SENSe:FUNCtion[:ON]": it adds to the functions on) and makes sure
   * the readout carries voltage and current.
   */
  async measure(quantity: Quantity): Promise<void> {
    const on = await this.senseFunctions.get();
    if (!on.includes(quantity)) await this.senseFunctions.set([...on, quantity]);
    const elements = await this.readoutElements.get();
    const wanted = (["voltage", "current"] as const).filter((e) => !elements.includes(e));
    if (wanted.length > 0) await this.readoutElements.set([...elements, ...wanted]);
  }

  /** Integration time and the source delay (setting :SOUR:DEL turns the auto delay off, manual §18). */
  async configureTiming(timing: { nplc: number; sourceDelay: number }): Promise<void> {
    await this.nplc.set(timing.nplc);
    await this.sourceDelay.set(timing.sourceDelay);
  }

  /**
   * `:READ?` of `points` readings, with the elements {@link readoutElements}
   * selects, in the 2400's fixed order (voltage, current, resistance, time,
   * status, whatever order `:FORM:ELEM` named them in: manual §18 "Data
   * elements", Figure 18-1).
   */
  protected async readPoints(
    channel: ScpiChannel,
    points: number,
    options?: CallOptions,
  ): Promise<SweepColumns> {
    const selected = await this.tracked<readonly ReadoutElement[]>(channel, "readoutElements");
    const elements = READOUT_ELEMENTS.filter((element) => selected.includes(element));
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
   * A linear chunk as a staircase (`:SOUR:<f>:MODE SWE`), a list as a
   * source list (`MODE LIST`), triggered `points` times by one `:READ?`;
   * the 2400 returns to the bias itself (manual §6, "Sweep waveforms").
   */
  protected async runChunk(
    channel: ScpiChannel,
    mode: SourceMode,
    chunk: SweepChunk,
    _bias: number,
    options: CallOptions,
  ): Promise<SweepColumns> {
    await this.#configureChunk(channel, mode, chunk);
    await channel.checkErrors();
    return this.readPoints(channel, chunk.levels.length, options);
  }

  /** Back to a fixed source and one trigger (the level is the bias already). */
  protected async endSweep(channel: ScpiChannel, mode: SourceMode): Promise<void> {
    await channel.write(`:SOUR:${SOURCE_MNEMONIC[mode]}:MODE FIX`);
    await channel.write(":TRIG:COUN 1");
  }

  /** Source delay (0 when automatic: its least) plus the integration at the fastest line frequency. */
  protected async minPointSeconds(channel: ScpiChannel): Promise<number> {
    const nplc = await this.nplc.getWith(channel);
    const delay = (await this.sourceDelayAutoEnabled.getWith(channel))
      ? 0
      : await this.sourceDelay.getWith(channel);
    return delay + nplc / FASTEST_LINE_FREQUENCY;
  }

  /**
   * Loads one chunk into the sweep engine, then reads the engine back in one
   * compound query and compares: a set lost or garbled on the wire would
   * otherwise leave the previous sweep's levels in place, and :READ? would
   * run them from the present bias — a jump no limit checked (the safety
   * suite's property test found one: a lost :SOUR:LIST:VOLT).
   */
  async #configureChunk(channel: ScpiChannel, mode: SourceMode, chunk: SweepChunk): Promise<void> {
    const f = SOURCE_MNEMONIC[mode];
    const points = chunk.levels.length;
    const expected: Array<[field: string, matches: (held: string) => boolean, sent: string]> = [];
    const same = (sent: number) => (held: string) => this.sameLevel(mode, sent, Number(held));
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
}
