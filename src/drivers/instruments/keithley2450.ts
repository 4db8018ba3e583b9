/**
 * Keithley 2450 SourceMeter in its SCPI command set. A table mirroring the
 * SCPI command reference of the Model 2450 Reference Manual (2450-901-01,
 * section 6), in the manner of PyMeasure's `keithley2450.py`, behind the
 * same source-meter kind as the 2400 (source-meter.ts holds the safety
 * tracking, checks, ramps and sweeps; this file is the table, with each
 * row's safety role, and how the 2450 reads and runs a sweep chunk).
 *
 * Where the 2450 differs from the 2400 on the wire:
 * - compliance is a property of the source (`:SOUR:VOLT:ILIM`, `:SOUR:CURR:VLIM`);
 * - the measure function is a quoted string (`:SENS:FUNC "CURR"`, answered `"CURR:DC"`);
 * - readings live in buffers: `:READ? "defbuffer1", READ, SOUR, REL, SOURSTAT`
 *   gives the elements in the order asked (INSTRUMENTS.md), with READ the
 *   measured value of the measure function and SOUR the source value;
 * - a sweep is a source list (`:SOUR:LIST:VOLT`, `…:APP`, up to 100 values
 *   a command, manual §6 ":SOURce[1]:LIST:<function>"), turned into a trigger
 *   model by `:SOUR:SWE:VOLT:LIST`, run by `:INIT`, waited for with `*WAI`,
 *   and read from the buffer (`:TRAC:ACT:END?`, `:TRAC:DATA? 1, N, "defbuffer1", …`);
 * - error-queue entries carry the event type and a time stamp after the
 *   text (kept as InstrumentError.detail).
 */
import { ProtocolError, SweepMismatchError } from "../errors.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import { formatNumber, parseMeasurement } from "../scpi/values.js";
import type { Quantity, SourceMeter, SourceMode, SweepColumns } from "./kinds.js";
import {
  type BoundProperties,
  booleanProperty,
  choiceProperty,
  numberProperty,
  type PropertySpec,
  type PropertyTable,
} from "./properties.js";
import { emptyColumns } from "./readings.js";
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

/** What the 2450 measures. */
export type MeasureFunction = "voltage" | "current" | "resistance";

const MEASURE_MNEMONIC: Readonly<Record<MeasureFunction, string>> = {
  voltage: "VOLT",
  current: "CURR",
  resistance: "RES",
};

/** `:SENS:FUNC "CURR"`, answered `"CURR:DC"` (manual §6 ":SENSe[1]:FUNCtion[:ON]"). */
const measureFunction: PropertySpec<MeasureFunction> = {
  doc: "Measure function: voltage, current or resistance.",
  unit: null,
  dtype: "string",
  // Which element of a reading is measured depends on it.
  tracked: true,
  query: ":SENS:FUNC?",
  command: ":SENS:FUNC %s",
  expected: 'one of "VOLT:DC", "CURR:DC", "RES"',
  encode: (value) => {
    const mnemonic = MEASURE_MNEMONIC[value];
    if (mnemonic === undefined)
      throw new RangeError(`${JSON.stringify(value)} is not voltage, current or resistance`);
    return `"${mnemonic}"`;
  },
  decode: (reply) => {
    const name = reply.trim().replace(/^"|"$/g, "").split(":")[0]?.toUpperCase();
    return (Object.keys(MEASURE_MNEMONIC) as MeasureFunction[]).find((fn) => MEASURE_MNEMONIC[fn] === name);
  },
};

/** Full scale of each source (manual §6 ":SOURce[1]:<function>[:LEVel]": ±210 V, ±1.05 A). */
const FULL_SCALE: Readonly<Record<Quantity, number>> = { voltage: 210, current: 1.05 };

/**
 * Whether a read-back is the level that was set: the 2450 answers with
 * seven significant digits (`5.000000E-01`), so equal within one part in
 * 10⁶, with a floor far below its finest source resolution.
 */
const READ_BACK_TOLERANCE = 1e-6;
const sameLevel = (quantity: Quantity, a: number, b: number): boolean =>
  levelsAgree(FULL_SCALE, READ_BACK_TOLERANCE, quantity, a, b);

/** The 2450's settings, as in its reference manual's SCPI command reference (section 6). */
export const KEITHLEY_2450_PROPERTIES = {
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
    query: ":SOUR:VOLT?",
    command: ":SOUR:VOLT %s",
    validate: strictRange(-210, 210),
    confirms: (sent, readBack) => sameLevel("voltage", sent, readBack),
    safety: { kind: "level", quantity: "voltage" },
  }),
  sourceCurrent: numberProperty({
    doc: "Current source level (setpoint), A (−1.05 to 1.05).",
    unit: "A",
    query: ":SOUR:CURR?",
    command: ":SOUR:CURR %s",
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
    doc: "Current limit of the voltage source, A (1e-9 to 1.05 in magnitude; manual §6 :SOURce[1]:VOLTage:ILIMit).",
    unit: "A",
    query: ":SOUR:VOLT:ILIM?",
    command: ":SOUR:VOLT:ILIM %s",
    validate: strictMagnitude(1e-9, 1.05),
    safety: { kind: "compliance", quantity: "current" },
  }),
  complianceVoltage: numberProperty({
    doc: "Voltage limit of the current source, V (0.02 to 210 in magnitude; manual §6 :SOURce[1]:CURRent:VLIMit).",
    unit: "V",
    query: ":SOUR:CURR:VLIM?",
    command: ":SOUR:CURR:VLIM %s",
    validate: strictMagnitude(0.02, 210),
    safety: { kind: "compliance", quantity: "voltage" },
  }),
  measureFunction,
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
  nplc: numberProperty({
    doc: "Integration time of current measurements, PLC (0.01 to 10; PLC = power-line cycles, 1 PLC is 20 ms at 50 Hz).",
    unit: "PLC",
    query: ":SENS:CURR:NPLC?",
    command: ":SENS:CURR:NPLC %s",
    validate: strictRange(0.01, 10),
  }),
  sourceVoltageDelay: numberProperty({
    doc: "Delay between setting the voltage source and measuring, s (0 to 4000; setting it turns auto delay off).",
    unit: "s",
    query: ":SOUR:VOLT:DEL?",
    command: ":SOUR:VOLT:DEL %s",
    validate: strictRange(0, 4000),
  }),
  sourceVoltageDelayAutoEnabled: booleanProperty({
    doc: "Automatic delay of the voltage source on or off.",
    query: ":SOUR:VOLT:DEL:AUTO?",
    command: ":SOUR:VOLT:DEL:AUTO %s",
  }),
  sourceCurrentDelay: numberProperty({
    doc: "Delay between setting the current source and measuring, s (0 to 4000; setting it turns auto delay off).",
    unit: "s",
    query: ":SOUR:CURR:DEL?",
    command: ":SOUR:CURR:DEL %s",
    validate: strictRange(0, 4000),
  }),
  sourceCurrentDelayAutoEnabled: booleanProperty({
    doc: "Automatic delay of the current source on or off.",
    query: ":SOUR:CURR:DEL:AUTO?",
    command: ":SOUR:CURR:DEL:AUTO %s",
  }),
  outputEnabled: booleanProperty({
    doc: "Source output on or off.",
    query: ":OUTP?",
    command: ":OUTP %s",
    safety: { kind: "output" },
  }),
  remoteSenseEnabled: booleanProperty({
    doc: "Four-wire (remote) sensing of current measurements on, or two-wire off.",
    query: ":SENS:CURR:RSEN?",
    command: ":SENS:CURR:RSEN %s",
  }),
} as const satisfies PropertyTable;

/** The buffer every reading goes to. */
const BUFFER = '"defbuffer1"';
/** What each reading brings back, in this order. */
const ELEMENTS = "READ, SOUR, REL, SOURSTAT";
/**
 * SOURSTAT's "source function was limited because the complementary
 * function would be over the source limit" (manual §8,
 * "bufferVar.sourcestatuses": STAT_LIMIT, 32): the reading is in compliance.
 */
const SOURCE_LIMITED = 32;
const FIELDS_PER_READING = 4;
/** Source values per `:SOUR:LIST` command (manual §6 ":SOURce[1]:LIST:<function>": up to 100). */
const LIST_VALUES_PER_COMMAND = 100;

const MODEL: SourceMeterModel = {
  name: "Keithley 2450",
  table: KEITHLEY_2450_PROPERTIES,
  fullScale: FULL_SCALE,
  readBackTolerance: READ_BACK_TOLERANCE,
  readBackDigits: 7,
  // The driver's own chunking: a list loaded in commands of 100 values, run and read back per chunk.
  chunkLimits: { maxLinearPoints: 2500, maxListPoints: 2500 },
};

export type Keithley2450Options = SourceMeterOptions;

/** The table's properties, bound onto the instance in the constructor. */
export interface Keithley2450 extends BoundProperties<typeof KEITHLEY_2450_PROPERTIES> {}

/**
 * A Keithley 2450 on an open session, in SCPI mode. Settings are the
 * properties of {@link KEITHLEY_2450_PROPERTIES}; actions are the verb
 * methods of the source-meter kind. Usually made by `connectKeithley2450`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares what the constructor binds from the table.
export class Keithley2450 extends ScpiSourceMeter implements SourceMeter {
  constructor(session: ScpiSession, options: Keithley2450Options = {}) {
    super(session, MODEL, options);
  }

  /** One reading: `:READ? "defbuffer1", READ, SOUR, REL, SOURSTAT` (the source status as the status word). */
  protected async readPoints(
    channel: ScpiChannel,
    points: number,
    options?: CallOptions,
  ): Promise<SweepColumns> {
    if (points !== 1) throw new RangeError("the 2450 takes one reading at a time outside a sweep");
    const command = `:READ? ${BUFFER}, ${ELEMENTS}`;
    return this.#parse(channel, command, await channel.query(command, options), 1);
  }

  /**
   * The chunk as a source list (`:SOUR:LIST:<f>` then `…:APP`, 100 values a
   * command), read back and compared, made a sweep (`:SOUR:SWE:<f>:LIST 1,
   * 0, 1, OFF, "defbuffer1"`: from the first value, no extra delay, once,
   * not stopped at the limit, into the default buffer), run (`:INIT`,
   * `*WAI`) and read from the cleared buffer; then the source goes back to
   * `bias` (a sweep leaves it at its last value).
   */
  protected async runChunk(
    channel: ScpiChannel,
    mode: SourceMode,
    chunk: SweepChunk,
    bias: number,
    options: CallOptions,
  ): Promise<SweepColumns> {
    const f = SOURCE_MNEMONIC[mode];
    const points = chunk.levels.length;
    await channel.write(`:TRAC:CLE ${BUFFER}`);
    for (let first = 0; first < points; first += LIST_VALUES_PER_COMMAND) {
      const values = chunk.levels
        .slice(first, first + LIST_VALUES_PER_COMMAND)
        .map(formatNumber)
        .join(",");
      await channel.write(first === 0 ? `:SOUR:LIST:${f} ${values}` : `:SOUR:LIST:${f}:APP ${values}`);
    }
    const held = (await channel.query(`:SOUR:LIST:${f}?`)).split(",");
    if (
      held.length !== points ||
      !chunk.levels.every((level, i) => this.sameLevel(mode, level, Number(held[i])))
    ) {
      throw new SweepMismatchError(
        this.resource,
        `:SOUR:LIST:${f}`,
        chunk.levels.map(formatNumber).join(","),
        held.join(","),
      );
    }
    await channel.write(`:SOUR:SWE:${f}:LIST 1, 0, 1, OFF, ${BUFFER}`);
    await channel.checkErrors();
    await channel.write(":INIT");
    await channel.write("*WAI");
    const count = await channel.query(`:TRAC:ACT:END? ${BUFFER}`, options);
    if (Number(count) !== points) {
      throw new ProtocolError(
        this.resource,
        `:TRAC:ACT:END? ${BUFFER}`,
        count,
        `${points}, the sweep's points`,
      );
    }
    const command = `:TRAC:DATA? 1, ${points}, ${BUFFER}, ${ELEMENTS}`;
    const columns = this.#parse(channel, command, await channel.query(command, options), points);
    await this.#backTo(channel, mode, bias);
    return columns;
  }

  /** Whether a reading's status word (SOURSTAT) says the source was limited: in compliance. */
  inCompliance(status: number): boolean {
    return (status & SOURCE_LIMITED) !== 0;
  }

  /** `:SENS:FUNC "VOLT"` or `"CURR"`: the 2450 measures one function; the reading's other element is the source value. */
  async measure(quantity: Quantity): Promise<void> {
    await this.measureFunction.set(quantity);
  }

  /** Integration time and the present source function's delay (auto delay off). */
  async configureTiming(timing: { nplc: number; sourceDelay: number }): Promise<void> {
    await this.nplc.set(timing.nplc);
    const voltage = (await this.sourceMode.get()) === "voltage";
    await (voltage ? this.sourceVoltageDelay : this.sourceCurrentDelay).set(timing.sourceDelay);
  }

  /** The source back at the bias (it is already, after each chunk) and the sweep's trigger model cleared. */
  protected async endSweep(channel: ScpiChannel, mode: SourceMode, bias: number): Promise<void> {
    await channel.write(":ABOR");
    await this.#backTo(channel, mode, bias);
  }

  /** The source delay of the present function (0 when automatic: its least) plus the integration. */
  protected async minPointSeconds(channel: ScpiChannel): Promise<number> {
    const mode = await this.tracked<SourceMode>(channel, "sourceMode");
    const nplc = await this.nplc.getWith(channel);
    const [auto, delay] =
      mode === "voltage"
        ? [this.sourceVoltageDelayAutoEnabled, this.sourceVoltageDelay]
        : [this.sourceCurrentDelayAutoEnabled, this.sourceCurrentDelay];
    return ((await auto.getWith(channel)) ? 0 : await delay.getWith(channel)) + nplc / FASTEST_LINE_FREQUENCY;
  }

  /** Sets the level to `bias` and confirms it, as a level set does. */
  async #backTo(channel: ScpiChannel, mode: SourceMode, bias: number): Promise<void> {
    const f = SOURCE_MNEMONIC[mode];
    const reply = await channel.query(`:SOUR:${f} ${formatNumber(bias)};:SOUR:${f}?`);
    if (!this.sameLevel(mode, bias, Number(reply))) {
      throw new ProtocolError(this.resource, `:SOUR:${f}?`, reply, `the bias ${formatNumber(bias)}`);
    }
  }

  /**
   * Readings of `READ, SOUR, REL, SOURSTAT`, into the kind's columns: READ
   * is what the measure function measures, SOUR the source value; REL the
   * time, s, since the buffer's first reading; SOURSTAT the status word.
   */
  async #parse(channel: ScpiChannel, command: string, reply: string, points: number): Promise<SweepColumns> {
    const fields = reply.split(",").map((field) => parseMeasurement(field));
    if (fields.length !== FIELDS_PER_READING * points || fields.some((value) => value === undefined)) {
      throw new ProtocolError(
        this.resource,
        command,
        reply,
        `${FIELDS_PER_READING * points} comma-separated numbers (READ,SOUR,REL,SOURSTAT × ${points})`,
      );
    }
    const mode = await this.tracked<SourceMode>(channel, "sourceMode");
    const measured = await this.tracked<MeasureFunction>(channel, "measureFunction");
    const columns = emptyColumns(points);
    for (let point = 0; point < points; point++) {
      const [read, source, relative, status] = fields.slice(point * FIELDS_PER_READING) as number[];
      columns[mode][point] = source as number;
      columns[measured][point] = read as number;
      columns.time[point] = relative as number;
      columns.status[point] = status as number;
    }
    return columns;
  }
}
