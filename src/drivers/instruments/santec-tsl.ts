/**
 * Santec TSL-570 and TSL-550 tunable lasers, behind the {@link TunableLaser}
 * kind. One driver, two models: the unit on the wire belongs to the model
 * and its command set and is converted here only (INSTRUMENTS.md, "Santec
 * TSL-570", "Santec TSL-550"); the API is SI (m, W, s, m/s).
 *
 * Wire facts this driver relies on (INSTRUMENTS.md; PyMeasure's
 * santec/tsl500series.py, tsl550.py, tsl570.py; Santec's python-samples):
 * - the host ends commands with LF, the laser its replies with CR; LAN is
 *   port 5000;
 * - TSL-570: two command sets; `:SYSTem:COMMunicate:CODe 1` selects SCPI, in
 *   which wavelengths are in m and frequencies in Hz. The connect function
 *   selects it and confirms it with the query;
 * - TSL-550: no `:SYST:COMM:COD`; wavelengths in nm, frequencies in THz;
 * - `*OPC?` does not block: 0 while tuning or sweeping, 1 when done. A new
 *   wavelength is waited for by polling it, with a deadline;
 * - `:POWer:SHUTter 0` opens the shutter (the reverse of `:POWer:STATe`);
 * - sweep speed in nm/s in both sets: the 570 takes only 1, 2, 5, 10, 20,
 *   50, 100 and 200; the 550 0.5 to 100 in 0.1 steps;
 * - `:WAVelength:SWEep?` answers 0 stopped, 1 running, 3 standing by for a
 *   trigger, 4 preparing (PyMeasure's SweepStatus);
 * - `:READout:DATa?` is a definite-length block of 4 bytes a point with no
 *   terminator after it, decoded with the format declared for the model
 *   (int32 little-endian in 0.1 pm by default) and checked.
 *
 * Safety ({@link LaserSafetyLimits}): every power setpoint is checked
 * against `maxOpticalPower` before it is sent, and so is the power that
 * turning the diode on or opening the shutter would emit; every wavelength
 * (setpoint, sweep start and stop) against the bench's span. What the
 * driver knows (power and its unit, diode, shutter) is what it last read or
 * set; a failed exchange or a raw command makes it unknown, and it is read
 * back before the next check that needs it.
 */
import {
  BlockFormatError,
  OperationTimeoutError,
  ProtocolError,
  SafetyLimitError,
  SettingRangeError,
  ShutdownError,
} from "../errors.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import { formatNumber, parseNumber } from "../scpi/values.js";
import type {
  LaserSweep,
  LaserSweepMode,
  LaserSweepState,
  LaserTriggerOutput,
  TunableLaser,
  WaitOptions,
} from "./kinds.js";
import { LaserSafetyGuard, type LaserSafetyLimitsInput } from "./optical-safety.js";
import {
  choiceProperty,
  DBM,
  numberProperty,
  type Property,
  type PropertySpec,
  scaledUnit,
  type WireUnit,
} from "./properties.js";
import { ScpiInstrument } from "./scpi-instrument.js";
import type { DataKey } from "./source-meter.js";
import { strictIntegerRange, strictRange, type Validator } from "./validators.js";

export type TslModelName = "TSL-570" | "TSL-550";

/**
 * How the laser's wavelength log (`:READout:DATa?`) is encoded. Sources
 * differ (INSTRUMENTS.md): Santec's newer sample and QMI read int32 LE in
 * 0.1 pm; Santec's older class float32; QCoDeS and an older QMI float64.
 */
export type WavelengthLogFormat = "int32-0.1pm" | "float32-nm" | "float64-nm";

/** What a model is to the driver. */
export interface TslModel {
  readonly name: TslModelName;
  /** The wavelength's unit on the wire. */
  readonly wavelengthWire: WireUnit;
  /** Sweep speeds it takes (a validator of m/s). */
  readonly speed: Validator<number>;
  /** Lowest and highest wavelength it tunes to, m, when it cannot be asked. */
  readonly range: { readonly min: number; readonly max: number };
  /** Queries of the range the driver holds setpoints to (the 570's sweep range), or none. */
  readonly rangeQueries?: { readonly min: string; readonly max: string };
  /**
   * The most the laser emits, W: what leaves it with automatic attenuation
   * off and the attenuator at 0 dB (then the setpoint does not apply).
   */
  readonly peakPower: number;
  readonly logFormat: WavelengthLogFormat;
}

const NM_PER_M = 1e9;

/** A sweep speed in nm/s (or a wavelength in nm), without the binary residue of the product. */
const nmPerS = (metresPerSecond: number) => Number((metresPerSecond * NM_PER_M).toPrecision(12));

/** Wavelengths in [min, max] m, refused with the range in nm. */
function wavelengthIn(min: number, max: number): Validator<number> {
  const allowed = `in ${nmPerS(min)}–${nmPerS(max)} nm`;
  const check = (value: number) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(
        `${nmPerS(value)} nm is outside the laser's range, ${nmPerS(min)}–${nmPerS(max)} nm`,
      );
    }
    return value;
  };
  return Object.assign(check, { allowed });
}

/** The TSL-570's speeds, nm/s (INSTRUMENTS.md; PyMeasure's TSL500Series.sweep_speed). */
export const TSL570_SPEEDS_NM_PER_S = [1, 2, 5, 10, 20, 50, 100, 200] as const;

function discreteSpeeds(speeds: readonly number[]): Validator<number> {
  const allowed = `one of ${speeds.join(", ")} nm/s`;
  const check = (value: number) => {
    const nm = nmPerS(value);
    if (typeof value !== "number" || !speeds.some((s) => Math.abs(nm - s) <= 1e-9 * s)) {
      throw new RangeError(`${Number.isFinite(nm) ? nm : value} nm/s is not ${allowed}`);
    }
    return value;
  };
  return Object.assign(check, { allowed });
}

/** 0.5 to 100 nm/s in 0.1 nm/s steps (PyMeasure's TSL550.sweep_speed; INSTRUMENTS.md). */
function tsl550Speeds(): Validator<number> {
  const allowed = "from 0.5 to 100 nm/s in 0.1 nm/s steps";
  const check = (value: number) => {
    const nm = nmPerS(value);
    const tenths = nm * 10;
    if (!(nm >= 0.5 - 1e-9 && nm <= 100 + 1e-9) || Math.abs(tenths - Math.round(tenths)) > 1e-6) {
      throw new RangeError(`${Number.isFinite(nm) ? nm : value} nm/s is not ${allowed}`);
    }
    return value;
  };
  return Object.assign(check, { allowed });
}

export const TSL570: TslModel = Object.freeze({
  name: "TSL-570",
  // SCPI command set: metres on the wire.
  wavelengthWire: scaledUnit("m", 1),
  speed: discreteSpeeds(TSL570_SPEEDS_NM_PER_S),
  // TSL-570 type A (datasheet): 1480–1640 nm. At connection the laser is asked instead, through the
  // only range queries PyMeasure's TSL570 documents: the sweep range at the present sweep speed. It
  // can be narrower than the tunable range at high speeds, so setpoints are held to it conservatively.
  range: { min: 1480e-9, max: 1640e-9 },
  rangeQueries: { min: ":WAV:SWE:RANG:MIN?", max: ":WAV:SWE:RANG:MAX?" },
  // +13 dBm (QMI's power table for the TSL-570; INSTRUMENTS.md).
  peakPower: 20e-3,
  logFormat: "int32-0.1pm",
});

export const TSL550: TslModel = Object.freeze({
  name: "TSL-550",
  wavelengthWire: scaledUnit("nm", NM_PER_M),
  speed: tsl550Speeds(),
  // TSL-550 type A (datasheet): 1500–1630 nm.
  range: { min: 1500e-9, max: 1630e-9 },
  // Taken as the 570's +13 dBm: a bound for the manual-attenuation check, not a setpoint.
  peakPower: 20e-3,
  logFormat: "int32-0.1pm",
});

export const TSL_MODELS: Readonly<Record<TslModelName, TslModel>> = { "TSL-570": TSL570, "TSL-550": TSL550 };

const SWEEP_MODES: Readonly<Record<LaserSweepMode, string>> = {
  "stepped-one-way": "0",
  "continuous-one-way": "1",
  "stepped-two-way": "2",
  "continuous-two-way": "3",
};

const SWEEP_STATES: Readonly<Record<string, LaserSweepState>> = {
  "0": "stopped",
  "1": "running",
  "3": "standby",
  "4": "preparing",
};

/** A 1/0 switch (the TSL's `:POW:STAT`), or its inverse (`:POW:SHUT`, where 0 is open). */
function switchProperty(spec: {
  doc: string;
  query: string;
  command: string;
  inverted?: boolean;
  tracked?: boolean;
}): PropertySpec<boolean> {
  const on = spec.inverted ? "0" : "1";
  const off = spec.inverted ? "1" : "0";
  return {
    doc: spec.doc,
    unit: null,
    dtype: "boolean",
    ...(spec.tracked && { tracked: true }),
    query: spec.query,
    command: spec.command,
    expected: "1 or 0",
    encode: (value) => {
      if (typeof value !== "boolean") throw new RangeError(`${JSON.stringify(value)} is not true or false`);
      return value ? on : off;
    },
    decode: (reply) => {
      const text = reply.trim();
      const number = parseNumber(text);
      if (number === undefined) return undefined;
      return String(number) === on ? true : String(number) === off ? false : undefined;
    },
  };
}

/** The power unit the laser sends `:POW` in (`:POW:UNIT` 0 = dBm, 1 = mW). */
export type LaserPowerUnit = "dBm" | "mW";

const MW: WireUnit = scaledUnit("mW", 1e3);

/** The model's table, with the wavelength range the laser has and the power unit the driver knows it holds. */
export function tslProperties(
  model: TslModel,
  range: { min: number; max: number },
  unit: () => LaserPowerUnit,
) {
  const wire = model.wavelengthWire;
  const inRange = wavelengthIn(range.min, range.max);
  const power: PropertySpec<number> = {
    doc: "Output power setpoint, W (sent in the laser's power unit, :POW:UNIT).",
    unit: "W",
    dtype: "number",
    query: ":POW?",
    command: ":POW %s",
    expected: "a power in the laser's unit (dBm or mW)",
    encode: (watts) => {
      if (typeof watts !== "number" || !(watts > 0) || !Number.isFinite(watts)) {
        throw new RangeError(`${String(watts)} W is not a positive power`);
      }
      // The laser keeps 0.01 dBm or 0.01 mW: sent rounded down to that, it never holds more than was checked.
      const wire = (unit() === "dBm" ? DBM : MW).toWire(watts);
      const floored = Math.floor(Number((wire * 100).toPrecision(12))) / 100;
      if (unit() === "mW" && !(floored > 0)) {
        throw new RangeError(`${String(watts)} W is below the laser's 0.01 mW step`);
      }
      return formatNumber(floored);
    },
    decode: (reply) => {
      const value = parseNumber(reply);
      if (value === undefined) return undefined;
      const watts = (unit() === "dBm" ? DBM : MW).fromWire(value);
      return Number.isFinite(watts) && watts >= 0 ? watts : undefined;
    },
  };
  const wavelength = (doc: string, query: string, command: string) =>
    numberProperty({ doc, unit: "m", query, command, validate: inRange, wire });
  return {
    wavelength: wavelength(
      `Wavelength setpoint, m (${range.min} to ${range.max}); the laser tunes to it, *OPC? says when.`,
      ":WAV?",
      ":WAV %s",
    ),
    powerUnit: {
      ...choiceProperty({
        doc: "Unit the laser takes and gives power in on the wire: dBm or mW (the API is W either way).",
        query: ":POW:UNIT?",
        command: ":POW:UNIT %s",
        values: { dBm: "0", mW: "1" },
        tracked: true,
      }),
    } as PropertySpec<LaserPowerUnit>,
    power: { ...power, tracked: true } as PropertySpec<number>,
    diodeOn: switchProperty({
      doc: "Laser diode on (light leaves the laser when the shutter is open too).",
      query: ":POW:STAT?",
      command: ":POW:STAT %s",
      tracked: true,
    }),
    shutterOpen: switchProperty({
      doc: "Shutter open (:POW:SHUT 0 opens it, 1 closes it).",
      query: ":POW:SHUT?",
      command: ":POW:SHUT %s",
      inverted: true,
      tracked: true,
    }),
    attenuationAuto: switchProperty({
      doc: "Automatic attenuation: on, the power setpoint sets what leaves the laser; off, the peak power less the attenuator does.",
      query: ":POW:ATT:AUTO?",
      command: ":POW:ATT:AUTO %s",
      tracked: true,
    }),
    attenuation: numberProperty({
      doc: "Optical attenuator, dB (0 to 30): with automatic attenuation off, the peak power less this leaves the laser.",
      unit: "dB",
      query: ":POW:ATT?",
      command: ":POW:ATT %s",
      validate: strictRange(0, 30),
    }),
    sweepStart: wavelength("Sweep start wavelength, m.", ":WAV:SWE:STAR?", ":WAV:SWE:STAR %s"),
    sweepStop: wavelength("Sweep stop wavelength, m.", ":WAV:SWE:STOP?", ":WAV:SWE:STOP %s"),
    sweepStep: numberProperty({
      doc: "Step of a stepped sweep, m (0.1 pm to 160 nm).",
      unit: "m",
      query: ":WAV:SWE:STEP?",
      command: ":WAV:SWE:STEP %s",
      validate: strictRange(1e-13, 160e-9),
      wire,
    }),
    sweepSpeed: numberProperty({
      doc: `Speed of a continuous sweep, m/s (${model.speed.allowed}).`,
      unit: "m/s",
      query: ":WAV:SWE:SPE?",
      command: ":WAV:SWE:SPE %s",
      validate: model.speed,
      wire: scaledUnit("nm/s", NM_PER_M),
    }),
    sweepDwell: numberProperty({
      doc: "Time at each step of a stepped sweep, s (0 to 999.9).",
      unit: "s",
      query: ":WAV:SWE:DWEL?",
      command: ":WAV:SWE:DWEL %s",
      validate: strictRange(0, 999.9),
    }),
    sweepDelay: numberProperty({
      doc: "Pause between sweep cycles, s (0 to 999.9).",
      unit: "s",
      query: ":WAV:SWE:DEL?",
      command: ":WAV:SWE:DEL %s",
      validate: strictRange(0, 999.9),
    }),
    sweepCycles: numberProperty({
      doc: "Sweep repetitions (0 to 999).",
      unit: "1",
      query: ":WAV:SWE:CYCL?",
      command: ":WAV:SWE:CYCL %s",
      validate: strictIntegerRange(0, 999),
    }),
    sweepMode: choiceProperty({
      doc: "Sweep mode: stepped or continuous, one way or two ways.",
      query: ":WAV:SWE:MOD?",
      command: ":WAV:SWE:MOD %s",
      values: SWEEP_MODES,
    }),
    triggerOutput: choiceProperty({
      doc: "When the trigger output fires: none, at the sweep's stop, at its start, or every step.",
      query: ":TRIG:OUTP?",
      command: ":TRIG:OUTP %s",
      values: { none: "0", stop: "1", start: "2", step: "3" },
    }),
    triggerPeriodIn: choiceProperty({
      doc: "What the trigger output's period is counted in: wavelength or time.",
      query: ":TRIG:OUTP:SETT?",
      command: ":TRIG:OUTP:SETT %s",
      values: { wavelength: "0", time: "1" },
    }),
  } as const;
}

type TslTable = ReturnType<typeof tslProperties>;

/** The readings of a laser: its setpoint and monitored power, and the logged wavelengths of a sweep. */
export const TUNABLE_LASER_READINGS: Readonly<Record<string, DataKey>> = Object.freeze({
  wavelength: { unit: "m", dtype: "number", shape: [], doc: "Wavelength setpoint, m." },
  monitoredPower: { unit: "W", dtype: "number", shape: [], doc: "Monitored output power, W (:POW:ACT?)." },
  loggedWavelengths: {
    unit: "m",
    dtype: "array",
    shape: [-1],
    doc: "Wavelengths logged at the trigger output's pulses during the last sweep, m.",
  },
});

export interface SantecTslOptions {
  /** Merged over DEFAULT_LASER_SAFETY_LIMITS; `Infinity` turns one off. */
  readonly limits?: LaserSafetyLimitsInput;
  /** How the wavelength log is encoded (default: the model's). */
  readonly logFormat?: WavelengthLogFormat;
  /** Read the error queue after every set (default true). */
  readonly checkErrorsAfterSet?: boolean;
}

/** Errors raised before anything was sent. */
const refusedBeforeSending = (error: unknown): boolean =>
  error instanceof SafetyLimitError || error instanceof SettingRangeError;

const DEFAULT_TUNE_DEADLINE = 30;
const DEFAULT_SWEEP_DEADLINE = 3600;
const DEFAULT_POLL_INTERVAL = 0.01;

/** The settings the driver keeps track of. */
type KnownSetting = "power" | "powerUnit" | "diodeOn" | "shutterOpen" | "attenuationAuto";

/** A Santec TSL on one session. Make it with `connectSantecTsl` (connect-santec-tsl.ts). */
export class SantecTsl extends ScpiInstrument implements TunableLaser {
  readonly model: TslModel;
  readonly guard: LaserSafetyGuard;
  /** The range setpoints are held to, m: what the laser reported at connection, or the model's documented one. */
  readonly range: { readonly min: number; readonly max: number };
  readonly logFormat: WavelengthLogFormat;
  declare readonly wavelength: Property<number>;
  declare readonly power: Property<number>;
  declare readonly powerUnit: Property<LaserPowerUnit>;
  declare readonly diodeOn: Property<boolean>;
  declare readonly shutterOpen: Property<boolean>;
  declare readonly attenuationAuto: Property<boolean>;
  declare readonly attenuation: Property<number>;
  declare readonly sweepStart: Property<number>;
  declare readonly sweepStop: Property<number>;
  declare readonly sweepStep: Property<number>;
  declare readonly sweepSpeed: Property<number>;
  declare readonly sweepDwell: Property<number>;
  declare readonly sweepDelay: Property<number>;
  declare readonly sweepCycles: Property<number>;
  declare readonly sweepMode: Property<LaserSweepMode>;
  declare readonly triggerOutput: Property<LaserTriggerOutput["when"]>;
  declare readonly triggerPeriodIn: Property<"wavelength" | "time">;
  /** What the driver knows the laser holds (power in W), by property name; absent: unknown. */
  #known: Partial<Record<KnownSetting, unknown>>;
  /** Set while shutdown() runs: waits in progress give up at their next poll, so the light goes off now. */
  #shuttingDown = false;

  constructor(
    session: ScpiSession,
    model: TslModel,
    range: { readonly min: number; readonly max: number },
    options: SantecTslOptions = {},
  ) {
    const known: Partial<Record<KnownSetting, unknown>> = {};
    const table: TslTable = tslProperties(model, range, () => {
      const unit = known.powerUnit;
      if (unit !== "dBm" && unit !== "mW") {
        throw new RangeError("the laser's power unit is not known: read it first (refreshState)");
      }
      return unit;
    });
    super(session, table, options);
    this.#known = known;
    this.model = model;
    this.range = range;
    this.guard = new LaserSafetyGuard(session.resource, options.limits);
    this.logFormat = options.logFormat ?? model.logFormat;
  }

  /** Each reading's data key. */
  describe(): Readonly<Record<string, DataKey>> {
    return TUNABLE_LASER_READINGS;
  }

  /**
   * Reads what the safety checks depend on: the power unit, the power
   * setpoint, the attenuation mode, the diode and the shutter. If light is
   * leaving the laser, checks what it emits (the setpoint, or with
   * automatic attenuation off the peak less the attenuator) and its
   * wavelength against the limits (SafetyLimitError; nothing is sent either
   * way).
   */
  refreshState(options?: CallOptions): Promise<void> {
    return this.exclusive(async (channel) => {
      await this.powerUnit.getWith(channel, options);
      await this.power.getWith(channel, options);
      await this.attenuationAuto.getWith(channel, options);
      const diode = await this.diodeOn.getWith(channel, options);
      const open = await this.shutterOpen.getWith(channel, options);
      if (diode && open) await this.#checkLight(channel);
    });
  }

  /**
   * Sets the wavelength, then polls `*OPC?` until it answers 1. The session
   * is free between polls (another call, or {@link shutdown}, goes in
   * between; a shutdown makes the wait give up).
   */
  async tuneTo(wavelength: number, options: WaitOptions = {}): Promise<void> {
    await this.wavelength.set(wavelength);
    await this.#waitIdle(`tuning to ${wavelength} m`, options, DEFAULT_TUNE_DEADLINE);
  }

  waitUntilIdle(options: WaitOptions = {}): Promise<void> {
    return this.#waitIdle("the laser's operation", options, DEFAULT_TUNE_DEADLINE);
  }

  async monitoredPower(options?: CallOptions): Promise<number> {
    return this.exclusive(async (channel) => {
      const unit = await this.#powerUnit(channel);
      const reply = await channel.query(":POW:ACT?", options);
      const value = parseNumber(reply);
      const watts = value === undefined ? undefined : (unit === "dBm" ? DBM : MW).fromWire(value);
      if (watts === undefined || !(watts >= 0)) {
        throw new ProtocolError(this.resource, ":POW:ACT?", reply, `a power in ${unit}`);
      }
      return watts;
    });
  }

  lightOn(): Promise<void> {
    return this.exclusive(async (channel) => {
      await this.diodeOn.setWith(channel, true);
      await this.shutterOpen.setWith(channel, true);
    });
  }

  /**
   * Sets every field of a sweep, each checked first (the span against the
   * bench's wavelength limits, the speed against the model's set, start
   * below stop); nothing is sent if any is refused.
   */
  configureSweep(sweep: LaserSweep): Promise<void> {
    return this.exclusive(async (channel) => {
      const continuous = sweep.mode.startsWith("continuous");
      if (!(sweep.start < sweep.stop)) {
        throw new SettingRangeError(
          this.resource,
          "sweepStart",
          sweep.start,
          `not below the stop, ${sweep.stop} m`,
        );
      }
      this.guard.checkWavelength(sweep.start);
      this.guard.checkWavelength(sweep.stop);
      const sets: Array<[Property<unknown>, unknown]> = [
        [this.sweepMode, sweep.mode],
        [this.sweepStart, sweep.start],
        [this.sweepStop, sweep.stop],
      ];
      if (continuous) {
        if (sweep.speed === undefined)
          throw new SettingRangeError(
            this.resource,
            "sweepSpeed",
            undefined,
            "a continuous sweep needs a speed",
          );
        sets.push([this.sweepSpeed, sweep.speed]);
      } else {
        if (sweep.step === undefined)
          throw new SettingRangeError(this.resource, "sweepStep", undefined, "a stepped sweep needs a step");
        sets.push([this.sweepStep, sweep.step]);
        if (sweep.dwell !== undefined) sets.push([this.sweepDwell, sweep.dwell]);
      }
      if (sweep.delay !== undefined) sets.push([this.sweepDelay, sweep.delay]);
      sets.push([this.sweepCycles, sweep.cycles ?? 1]);
      // Every value validated before the first byte.
      for (const [property, value] of sets) {
        try {
          property.spec.encode(value);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new SettingRangeError(this.resource, property.name, value, error.message);
        }
      }
      for (const [property, value] of sets) await property.setWith(channel, value);
    });
  }

  /** Starts the configured sweep, after reading its span back and checking it against the bench's limits. */
  startSweep(): Promise<void> {
    return this.exclusive(async (channel) => {
      this.guard.checkWavelength(await this.sweepStart.getWith(channel));
      this.guard.checkWavelength(await this.sweepStop.getWith(channel));
      await channel.write(":WAV:SWE 1");
      await channel.checkErrors();
    });
  }

  stopSweep(): Promise<void> {
    return this.exclusive(async (channel) => {
      await channel.write(":WAV:SWE 0");
      await channel.checkErrors();
    });
  }

  sweepState(options?: CallOptions): Promise<LaserSweepState> {
    return this.exclusive((channel) => this.#sweepState(channel, options));
  }

  /** Polls `:WAV:SWE?` until the sweep has stopped; the session is free between polls (see {@link tuneTo}). */
  waitForSweep(options: WaitOptions = {}): Promise<void> {
    return this.#poll("the sweep", options, DEFAULT_SWEEP_DEADLINE, async (channel) => {
      const state = await this.#sweepState(channel);
      return { done: state === "stopped", last: `:WAV:SWE? → ${state}` };
    });
  }

  /**
   * Sets the trigger output and, for a trigger every step, its period; then
   * reads the period back (`:TRIG:OUTP:STEP?`) and returns what the laser
   * holds: it rounds the period to its own resolution (0.1 pm), and a plan
   * that places its log in time needs the step the laser really takes.
   */
  configureTriggerOutput(trigger: LaserTriggerOutput): Promise<LaserTriggerOutput> {
    return this.exclusive(async (channel) => {
      const periodIn = trigger.periodIn ?? "wavelength";
      let step: string | undefined;
      if (trigger.when === "step") {
        const value = trigger.step;
        if (value === undefined || !(value > 0) || !Number.isFinite(value)) {
          throw new SettingRangeError(
            this.resource,
            "triggerStep",
            value,
            "a trigger every step needs a positive period",
          );
        }
        step = formatNumber(periodIn === "wavelength" ? this.model.wavelengthWire.toWire(value) : value);
      }
      await this.triggerOutput.setWith(channel, trigger.when);
      await this.triggerPeriodIn.setWith(channel, periodIn);
      if (step === undefined) return { when: trigger.when, periodIn };
      await channel.write(`:TRIG:OUTP:STEP ${step}`);
      await channel.checkErrors();
      const reply = await channel.query(":TRIG:OUTP:STEP?");
      const held = parseNumber(reply);
      if (held === undefined || !(held > 0)) {
        throw new ProtocolError(
          this.resource,
          ":TRIG:OUTP:STEP?",
          reply,
          "the trigger period, a positive number",
        );
      }
      return {
        when: trigger.when,
        periodIn,
        step: periodIn === "wavelength" ? this.model.wavelengthWire.fromWire(held) : held,
      };
    });
  }

  /**
   * The wavelengths logged during the last sweep, m: `:READ:POIN?`, then
   * `:READ:DAT?` as a block decoded with {@link logFormat}. A block whose
   * length is not the count times the value size, or with a value outside
   * the laser's range, is a {@link BlockFormatError} naming the length and
   * what each format would make of it.
   */
  readLoggedWavelengths(options?: CallOptions): Promise<Float64Array> {
    return this.exclusive(async (channel) => {
      const countReply = await channel.query(":READ:POIN?", options);
      const points = parseNumber(countReply);
      if (points === undefined || !Number.isInteger(points) || points < 0) {
        throw new ProtocolError(this.resource, ":READ:POIN?", countReply, "a count of logged points");
      }
      const block = await channel.queryBlock(":READ:DAT?", options);
      return decodeWavelengthLog(this.resource, block, points, this.logFormat, this.range);
    });
  }

  /**
   * Light off first, whatever the driver believes: a sweep stopped, the
   * shutter closed, the diode off, then the diode and shutter read back.
   * Every step is tried even when one fails; a {@link ShutdownError} says
   * what could not be confirmed.
   */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    const done = this.session.exclusive(async (channel) => {
      const problems: string[] = [];
      const attempt = async (what: string, step: () => Promise<void>) => {
        try {
          await step();
        } catch (error) {
          problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      await attempt("stopping the sweep", () => channel.write(":WAV:SWE 0"));
      await attempt("closing the shutter", () => channel.write(":POW:SHUT 1"));
      await attempt("turning the diode off", () => channel.write(":POW:STAT 0"));
      let dark = false;
      await attempt("reading back the diode and shutter", async () => {
        const diode = await this.diodeOn.getWith(channel);
        const open = await this.shutterOpen.getWith(channel);
        dark = !diode && !open;
        if (!dark)
          problems.push(
            `the laser still reports diode ${diode ? "on" : "off"}, shutter ${open ? "open" : "closed"}`,
          );
      });
      if (problems.length > 0) {
        this.forget("shutdown did not complete");
        throw new ShutdownError(this.resource, dark ? "off" : "unknown", problems.join("; "));
      }
    });
    return done.finally(() => {
      this.#shuttingDown = false;
    });
  }

  // ---- hooks ----

  protected override async checkSet(name: string, value: unknown, channel: ScpiChannel): Promise<void> {
    switch (name) {
      case "power":
        this.guard.checkPower(value as number);
        return;
      case "wavelength":
      case "sweepStart":
      case "sweepStop":
        this.guard.checkWavelength(value as number);
        return;
      case "diodeOn":
      case "shutterOpen":
        // Turning light on emits what the laser is set to, where it is tuned: both read afresh.
        if (value === true) await this.#checkLight(channel);
        return;
      case "attenuation":
        // With automatic attenuation off (read afresh), the attenuator sets what leaves the laser.
        if (!(await this.attenuationAuto.getWith(channel)))
          this.guard.checkPower(this.#peakLess(value as number));
        return;
      case "attenuationAuto": {
        const emits =
          value === true
            ? await this.#setpoint(channel)
            : this.#peakLess(await this.attenuation.getWith(channel));
        this.guard.checkPower(emits);
        return;
      }
      case "powerUnit":
        // Changing the unit changes how the setpoint is read, not what it is.
        return;
    }
  }

  protected override recordValue(name: string, value: unknown): void {
    if (
      name === "power" ||
      name === "powerUnit" ||
      name === "diodeOn" ||
      name === "shutterOpen" ||
      name === "attenuationAuto"
    ) {
      this.#known[name] = value;
    }
    if (name === "powerUnit") delete this.#known.power;
  }

  protected override refusedBeforeSending(error: unknown): boolean {
    return refusedBeforeSending(error);
  }

  protected override forget(_reason?: string): void {
    for (const key of Object.keys(this.#known)) delete this.#known[key as KnownSetting];
  }

  async #powerUnit(channel: ScpiChannel): Promise<LaserPowerUnit> {
    const unit = this.#known.powerUnit;
    if (unit === "dBm" || unit === "mW") return unit;
    return this.powerUnit.getWith(channel);
  }

  /** The power setpoint, W, read afresh (with its unit): what a check of emission must not take on trust. */
  async #setpoint(channel: ScpiChannel): Promise<number> {
    await this.powerUnit.getWith(channel);
    return this.power.getWith(channel);
  }

  /** What leaves the laser with automatic attenuation off and the attenuator at `decibels`, W. */
  #peakLess(decibels: number): number {
    return this.model.peakPower * 10 ** (-decibels / 10);
  }

  /**
   * Refuses light that would break a limit, all of it read from the laser:
   * what it emits (the setpoint, or with automatic attenuation off the peak
   * less the attenuator) and the wavelength it is at.
   */
  async #checkLight(channel: ScpiChannel): Promise<void> {
    const auto = await this.attenuationAuto.getWith(channel);
    this.guard.checkPower(
      auto ? await this.#setpoint(channel) : this.#peakLess(await this.attenuation.getWith(channel)),
    );
    this.guard.checkWavelength(await this.wavelength.getWith(channel));
  }

  async #sweepState(channel: ScpiChannel, options?: CallOptions): Promise<LaserSweepState> {
    const reply = await channel.query(":WAV:SWE?", options);
    const number = parseNumber(reply);
    const state = number === undefined ? undefined : SWEEP_STATES[String(number)];
    if (!state)
      throw new ProtocolError(
        this.resource,
        ":WAV:SWE?",
        reply,
        "0 (stopped), 1 (running), 3 (standby) or 4 (preparing)",
      );
    return state;
  }

  #waitIdle(operation: string, options: WaitOptions, defaultDeadline: number): Promise<void> {
    return this.#poll(operation, options, defaultDeadline, async (channel) => {
      const reply = await channel.query("*OPC?");
      const done = parseNumber(reply);
      if (done !== 0 && done !== 1)
        throw new ProtocolError(this.resource, "*OPC?", reply, "0 (busy) or 1 (done)");
      return { done: done === 1, last: `*OPC? → ${reply.trim()}` };
    });
  }

  /**
   * Polls until `poll` says done, each poll its own turn of the session's
   * queue, a pause between; OperationTimeoutError past the deadline, or at
   * once when a shutdown has begun.
   */
  async #poll(
    operation: string,
    options: WaitOptions,
    defaultDeadline: number,
    poll: (channel: ScpiChannel) => Promise<{ done: boolean; last: string }>,
  ): Promise<void> {
    const allowed = options.deadline ?? defaultDeadline;
    const deadline = this.timebase.now() + allowed;
    const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
    for (;;) {
      if (this.#shuttingDown) {
        throw new OperationTimeoutError(
          this.resource,
          operation,
          allowed,
          "given up: the laser is being shut down",
        );
      }
      const { done, last } = await this.exclusive(poll);
      if (done) return;
      if (this.timebase.now() >= deadline)
        throw new OperationTimeoutError(this.resource, operation, allowed, last);
      await this.timebase.sleep(interval);
    }
  }
}

const INT32_UNIT = 0.1e-12;

/** One interpretation of a block: its values in m, or undefined where the size does not fit. */
function interpret(block: Uint8Array, format: WavelengthLogFormat): Float64Array | undefined {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const size = format === "float64-nm" ? 8 : 4;
  if (block.byteLength % size !== 0) return undefined;
  const values = new Float64Array(block.byteLength / size);
  for (let i = 0; i < values.length; i++) {
    values[i] =
      format === "int32-0.1pm"
        ? view.getInt32(i * 4, true) * INT32_UNIT
        : format === "float32-nm"
          ? view.getFloat32(i * 4, true) * 1e-9
          : view.getFloat64(i * 8, true) * 1e-9;
  }
  return values;
}

const FORMATS: readonly WavelengthLogFormat[] = ["int32-0.1pm", "float32-nm", "float64-nm"];

/**
 * Decodes a wavelength log with `format` and checks it: `points` values,
 * each inside `range` (a margin of 1 nm either side). Otherwise a
 * {@link BlockFormatError} saying, for every format, what it makes of the
 * block — so that a laser whose firmware sends another type is recognised,
 * not guessed.
 */
export function decodeWavelengthLog(
  resource: string,
  block: Uint8Array,
  points: number,
  format: WavelengthLogFormat,
  range: { readonly min: number; readonly max: number },
): Float64Array {
  const inRange = (values: Float64Array) =>
    values.every((v) => v >= range.min - 1e-9 && v <= range.max + 1e-9);
  const values = interpret(block, format);
  if (values && values.length === points && inRange(values)) return values;
  const tried = [format, ...FORMATS.filter((f) => f !== format)].map((f) => {
    const read = interpret(block, f);
    if (!read) return `${f}: ${block.byteLength} bytes is not a whole number of values`;
    const first = read.length > 0 ? `, first ${(read[0] as number) * 1e9} nm` : "";
    const outside = read.filter((v) => !(v >= range.min - 1e-9 && v <= range.max + 1e-9)).length;
    return `${f}${f === format ? " (declared)" : ""}: ${read.length} values${first}${
      read.length !== points ? ` (not ${points})` : ""
    }${outside > 0 ? `, ${outside} outside ${range.min * 1e9}–${range.max * 1e9} nm` : ""}`;
  });
  throw new BlockFormatError(resource, ":READ:DAT?", block.byteLength, points, tried);
}
