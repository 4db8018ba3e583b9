/**
 * Thorlabs PM100USB and PM100D optical power meters, behind the
 * {@link PowerMeter} kind. SI on the API (W, m); the meter's own units
 * (nm for the wavelength correction, W or dBm for power) exist only here.
 *
 * Wire facts (INSTRUMENTS.md "Thorlabs PM100USB / PM100D"; the PM100USB and
 * PM100D manuals' SCPI command references; PyMeasure's
 * thorlabs/thorlabspm100usb.py):
 * - replies end in LF; the wavelength correction is in nm
 *   (`SENS:CORR:WAV`, with `MIN`/`MAX` queries); power in W (dBm with
 *   `SENS:POW:UNIT DBM`);
 * - `SYST:SENS:IDN?` answers six comma-separated fields without quotes:
 *   name, serial, calibration date, type, subtype, flags. The flags are a
 *   bit field (1 power sensor, 2 energy sensor, 16 response settable,
 *   32 wavelength settable, 64 τ settable, 256 temperature sensor); any
 *   value parses (an S130C reports 33);
 * - a reading: `MEAS:POW?`, or `CONF:POW`, `INIT`, then `FETC?`; averaging
 *   with `SENS:AVER:COUN`; the dark zero with `SENS:CORR:COLL:ZERO:INIT`,
 *   done when `SENS:CORR:COLL:ZERO:STAT?` answers 0, its value
 *   `SENS:CORR:COLL:ZERO:MAGN?`.
 *
 * These meters have no fast array mode: a spectrum is polled one reading
 * at a time (see the sweep plans, src/plans/).
 */
import { NoSensorError, OperationTimeoutError, ProtocolError, SettingRangeError } from "../errors.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import { parseMeasurement, parseNumber } from "../scpi/values.js";
import type { PowerMeter, PowerSensor, WaitOptions } from "./kinds.js";
import {
  booleanProperty,
  choiceProperty,
  DBM,
  numberProperty,
  type Property,
  type PropertySpec,
  scaledUnit,
} from "./properties.js";
import { ScpiInstrument, type ScpiInstrumentOptions } from "./scpi-instrument.js";
import type { DataKey } from "./source-meter.js";
import { strictIntegerRange, strictRange } from "./validators.js";

/** Flag bits of `SYST:SENS:IDN?` (PM100USB manual, "SYSTem:SENSor:IDN?"). */
export const SENSOR_FLAGS = {
  POWER: 1,
  ENERGY: 2,
  RESPONSE_SETTABLE: 16,
  WAVELENGTH_SETTABLE: 32,
  TAU_SETTABLE: 64,
  TEMPERATURE_SENSOR: 256,
} as const;

/**
 * Parses `SYST:SENS:IDN?`: six fields, no quotes; undefined if not of the
 * form. The flags may be any integer (real sensors report small ones).
 */
export function parseSensorIdentity(reply: string): PowerSensor | undefined {
  const fields = reply.split(",").map((field) => field.trim().replace(/^"|"$/g, ""));
  if (fields.length !== 6) return undefined;
  const [name, serial, calibrationDate, typeText, subtypeText, flagsText] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const type = parseNumber(typeText);
  const subtype = parseNumber(subtypeText);
  const flags = parseNumber(flagsText);
  if (type === undefined || subtype === undefined || flags === undefined) return undefined;
  if (![type, subtype, flags].every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  return {
    name,
    serial,
    calibrationDate,
    type,
    subtype,
    flags,
    isPowerSensor: (flags & SENSOR_FLAGS.POWER) !== 0,
    wavelengthSettable: (flags & SENSOR_FLAGS.WAVELENGTH_SETTABLE) !== 0,
  };
}

/** Whether the meter reports no sensor head (its name says so, or it is not a power sensor). */
export function isNoSensor(sensor: PowerSensor): boolean {
  return /no\s*sensor/i.test(sensor.name) || !sensor.isPowerSensor;
}

/**
 * One sample of the meter, s: "1 sample takes approx. 3ms" (PM100D manual,
 * as quoted in the ThorlabsPM100 package's documentation of
 * `SENS:AVER:COUN`); a reading averages `averageCount` of them.
 */
export const PM100_SAMPLE_TIME = 3e-3;

/** The correction wavelength's unit on the wire: nm (the property and the range read at connection decode alike). */
export const PM100_WAVELENGTH_WIRE = scaledUnit("nm", 1e9);

/** The power unit on the wire. */
export type MeterPowerUnit = "W" | "dBm";

/** The meter's table, with the correction range its sensor takes. */
export function pm100Properties(range: { readonly min: number; readonly max: number }) {
  return {
    wavelength: numberProperty({
      doc: `Wavelength the reading is corrected for, m (${range.min} to ${range.max}, the sensor's range).`,
      unit: "m",
      query: "SENS:CORR:WAV?",
      command: "SENS:CORR:WAV %s",
      validate: strictRange(range.min, range.max),
      wire: PM100_WAVELENGTH_WIRE,
    }),
    autoRange: booleanProperty({
      doc: "Automatic power range.",
      query: "SENS:POW:RANG:AUTO?",
      command: "SENS:POW:RANG:AUTO %s",
    }),
    range: numberProperty({
      doc: "Upper end of the power range, W (with automatic range off).",
      unit: "W",
      query: "SENS:POW:RANG:UPP?",
      command: "SENS:POW:RANG:UPP %s",
      validate: strictRange(1e-12, 100),
    }),
    averageCount: numberProperty({
      doc: "Samples averaged per reading (1 to 32767; about 3 ms each).",
      unit: "1",
      query: "SENS:AVER:COUN?",
      command: "SENS:AVER:COUN %s",
      validate: strictIntegerRange(1, 32767),
    }),
    powerUnit: {
      ...choiceProperty({
        doc: "Unit the meter sends power in: W or dBm (the API is W either way).",
        query: "SENS:POW:UNIT?",
        command: "SENS:POW:UNIT %s",
        values: { W: "W", dBm: "DBM" },
        tracked: true,
      }),
    } as PropertySpec<MeterPowerUnit>,
  } as const;
}

/** A power meter's reading. */
export const POWER_METER_READINGS: Readonly<Record<string, DataKey>> = Object.freeze({
  power: {
    unit: "W",
    dtype: "number",
    shape: [],
    doc: "Optical power at the sensor, W (corrected for the set wavelength).",
  },
});

export interface ThorlabsPm100Options extends ScpiInstrumentOptions {}

const DEFAULT_ZERO_DEADLINE = 30;

/**
 * Queries that change nothing on a PM100 (identity, error queue, sensor,
 * and the settings the property table reads), in the short form this
 * driver sends: what a remote client may send raw through the gateway, one
 * at a time (src/gateway/methods.ts `Raw.query`). Not `MEAS:POW?`, which
 * configures a power measurement before it reads.
 */
export const PM100_SAFE_QUERIES: readonly string[] = [
  "*IDN?",
  "SYST:ERR?",
  "SYST:SENS:IDN?",
  "SENS:CORR:WAV?",
  "SENS:POW:RANG:AUTO?",
  "SENS:POW:RANG:UPP?",
  "SENS:AVER:COUN?",
  "SENS:POW:UNIT?",
];

/** A PM100 on one session. Make it with `connectThorlabsPm100` (connect-thorlabs-pm100.ts). */
export class ThorlabsPm100 extends ScpiInstrument implements PowerMeter {
  /** The side-effect-free queries a client may send raw (PM100_SAFE_QUERIES). */
  readonly safeQueries = PM100_SAFE_QUERIES;
  /** The sensor found at connection. */
  readonly attachedSensor: PowerSensor;
  /** The correction range of that sensor, m. */
  readonly correctionRange: { readonly min: number; readonly max: number };
  declare readonly wavelength: Property<number>;
  declare readonly autoRange: Property<boolean>;
  declare readonly range: Property<number>;
  declare readonly averageCount: Property<number>;
  declare readonly powerUnit: Property<MeterPowerUnit>;
  #unit: MeterPowerUnit | undefined;
  #count: number | undefined;

  constructor(
    session: ScpiSession,
    sensor: PowerSensor,
    correctionRange: { readonly min: number; readonly max: number },
    options: ThorlabsPm100Options = {},
  ) {
    super(session, pm100Properties(correctionRange), options);
    this.attachedSensor = sensor;
    this.correctionRange = correctionRange;
  }

  describe(): Readonly<Record<string, DataKey>> {
    return POWER_METER_READINGS;
  }

  sensor(options?: CallOptions): Promise<PowerSensor> {
    return this.exclusive((channel) => readSensor(this.resource, channel, options));
  }

  async wavelengthRange(): Promise<{ readonly min: number; readonly max: number }> {
    return this.correctionRange;
  }

  read(options?: CallOptions): Promise<number> {
    return this.exclusive(async (channel) => this.#power(channel, "MEAS:POW?", options));
  }

  /** The averaging count (read once, then tracked) times {@link PM100_SAMPLE_TIME}. */
  readingWindow(options?: CallOptions): Promise<number> {
    return this.exclusive(async (channel) => {
      const count = this.#count ?? (await this.averageCount.getWith(channel, options));
      return count * PM100_SAMPLE_TIME;
    });
  }

  initiate(): Promise<void> {
    return this.exclusive(async (channel) => {
      await channel.write("CONF:POW");
      await channel.write("INIT");
      await channel.checkErrors();
    });
  }

  fetch(options?: CallOptions): Promise<number> {
    return this.exclusive(async (channel) => this.#power(channel, "FETC?", options));
  }

  /**
   * Dark zero: starts it, polls `SENS:CORR:COLL:ZERO:STAT?` until the meter
   * says it is done, and returns the offset it found: the dark photocurrent,
   * A (`SENS:CORR:COLL:ZERO:MAGN?` answers in amperes for a photodiode head,
   * Thorlabs' PM100D2 SCPI reference). Cover the sensor first: the zero
   * takes whatever light falls on it as dark.
   */
  zero(options: WaitOptions = {}): Promise<number> {
    return this.exclusive(async (channel) => {
      await channel.write("SENS:CORR:COLL:ZERO:INIT");
      const allowed = options.deadline ?? DEFAULT_ZERO_DEADLINE;
      const deadline = this.timebase.now() + allowed;
      for (;;) {
        const reply = await channel.query("SENS:CORR:COLL:ZERO:STAT?");
        const state = parseNumber(reply);
        if (state === 0) break;
        if (state !== 1)
          throw new ProtocolError(
            this.resource,
            "SENS:CORR:COLL:ZERO:STAT?",
            reply,
            "0 (done) or 1 (running)",
          );
        if (this.timebase.now() >= deadline) {
          throw new OperationTimeoutError(
            this.resource,
            "the dark zero",
            allowed,
            `SENS:CORR:COLL:ZERO:STAT? → ${reply.trim()}`,
          );
        }
        await this.timebase.sleep(options.pollInterval ?? 0.05);
      }
      const reply = await channel.query("SENS:CORR:COLL:ZERO:MAGN?");
      const offset = parseMeasurement(reply);
      if (offset === undefined)
        throw new ProtocolError(this.resource, "SENS:CORR:COLL:ZERO:MAGN?", reply, "a dark current, A");
      return offset;
    });
  }

  /** Reads the power unit the meter sends readings in. */
  refreshState(options?: CallOptions): Promise<void> {
    return this.exclusive(async (channel) => {
      await this.powerUnit.getWith(channel, options);
    });
  }

  protected override async checkSet(name: string, value: unknown): Promise<void> {
    if (name === "wavelength" && !this.attachedSensor.wavelengthSettable) {
      throw new SettingRangeError(
        this.resource,
        name,
        value,
        `the sensor ${this.attachedSensor.name} (flags ${this.attachedSensor.flags}) does not take a wavelength`,
      );
    }
  }

  protected override recordValue(name: string, value: unknown): void {
    if (name === "powerUnit") this.#unit = value as MeterPowerUnit;
    if (name === "averageCount") this.#count = value as number;
  }

  protected override refusedBeforeSending(error: unknown): boolean {
    return error instanceof SettingRangeError;
  }

  protected override forget(): void {
    this.#unit = undefined;
    this.#count = undefined;
  }

  /**
   * A reading: with no timeout given, the session's plus the reading's own
   * window (the averaging count × 3 ms), so that a long average is not
   * taken for a dead meter.
   */
  async #power(channel: ScpiChannel, query: string, options?: CallOptions): Promise<number> {
    const unit = this.#unit ?? (await this.powerUnit.getWith(channel));
    const count = this.#count ?? (await this.averageCount.getWith(channel));
    const timeoutMs = options?.timeoutMs ?? Math.ceil(this.timeoutMs + count * PM100_SAMPLE_TIME * 1000);
    const reply = await channel.query(query, { ...options, timeoutMs });
    const value = parseMeasurement(reply);
    if (value === undefined) throw new ProtocolError(this.resource, query, reply, `a power in ${unit}`);
    return unit === "dBm" && Number.isFinite(value) ? DBM.fromWire(value) : value;
  }
}

/** `SYST:SENS:IDN?`, parsed; ProtocolError when not six fields, NoSensorError when no sensor is attached. */
export async function readSensor(
  resource: string,
  channel: ScpiChannel,
  options?: CallOptions,
): Promise<PowerSensor> {
  const reply = await channel.query("SYST:SENS:IDN?", options);
  const sensor = parseSensorIdentity(reply);
  if (!sensor) {
    if (/no\s*sensor/i.test(reply)) throw new NoSensorError(resource, reply.trim());
    throw new ProtocolError(
      resource,
      "SYST:SENS:IDN?",
      reply,
      "name,serial,calibration date,type,subtype,flags",
    );
  }
  if (isNoSensor(sensor)) throw new NoSensorError(resource, reply.trim());
  return sensor;
}
