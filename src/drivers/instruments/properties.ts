/**
 * Declarative instrument properties (STYLE.md 1, after PyMeasure's
 * `Instrument.control` and zeromq.js's `defineOpt`): a driver is a table of
 * {@link PropertySpec}s — query, set command, validator, value map, a
 * one-line doc with unit and range — bound to a session by one function.
 *
 * Shape of a bound property: `await k.sourceVoltage.get()` and
 * `await k.sourceVoltage.set(1.2)`. Async methods rather than JS accessors,
 * because every read and write is an exchange with the instrument that can
 * time out or fail, and a `set` must be awaited before the next step.
 */
import { ProtocolError, SettingRangeError } from "../errors.js";
import type { CallOptions, ScpiChannel } from "../scpi/session.js";
import { formatNumber, parseBoolean, parseNumber } from "../scpi/values.js";
import { booleanOnOff, strictDiscreteSet, type Validator } from "./validators.js";

/**
 * What a property is to the instrument's kind (STYLE.md 13: the role lives
 * in the table row, as ophyd-async marks its signals). A driver of the kind
 * finds its safety-relevant settings by role, never by name:
 * - "source-mode": which quantity the source drives;
 * - "level": the source level of one quantity (checked against the
 *   magnitude, step and ramp-rate limits, tracked);
 * - "compliance": the limit on one quantity (checked against its magnitude limit);
 * - "output": the output switch (turning it on checks what it would apply).
 */
export type SafetyRole =
  | { readonly kind: "source-mode" }
  | { readonly kind: "level"; readonly quantity: "voltage" | "current" }
  | { readonly kind: "compliance"; readonly quantity: "voltage" | "current" }
  | { readonly kind: "output" };

/**
 * Conversion between the SI value the code holds and the instrument's own
 * unit on the wire (DESIGN.md: "instrument units exist only at the driver
 * edge"): m ↔ nm, W ↔ dBm. Applied by the property, never by its callers.
 */
export interface WireUnit {
  /** The instrument's unit ("nm", "dBm"). */
  readonly unit: string;
  toWire(value: number): number;
  fromWire(value: number): number;
}

/**
 * A unit that is a fixed multiple of the SI one: `scaledUnit("nm", 1e9)` for
 * metres sent in nm. The wire value is rounded to 12 significant digits,
 * far below any instrument's resolution, so that the product's binary
 * residue (1.55e-6 m × 1e9 = 1550.0000000000002) is not sent.
 */
export function scaledUnit(unit: string, perSi: number): WireUnit {
  return {
    unit,
    toWire: (value) => Number((value * perSi).toPrecision(12)),
    fromWire: (value) => value / perSi,
  };
}

/** Power in W, sent in dBm: 10·log10(P / 1 mW). */
export const DBM: WireUnit = {
  unit: "dBm",
  toWire: (watts) => 10 * Math.log10(watts / 1e-3),
  fromWire: (dbm) => 1e-3 * 10 ** (dbm / 10),
};

export interface PropertySpec<T> {
  /** One line: what the value is, its unit and its allowed range or values. */
  readonly doc: string;
  /**
   * Whether the value is instrument configuration, recorded with every run
   * (`readConfiguration()`), or not (a property that is read as data, or a
   * write-mostly switch). Default: configuration.
   */
  readonly configuration?: boolean;
  /** Its part in the kind's safety checks, if any (see {@link SafetyRole}). */
  readonly safety?: SafetyRole;
  /** The driver keeps the value it last read or set (what reading or safety depends on); implied by `safety`. */
  readonly tracked?: boolean;
  /** What kind of value it is, for a record's data key (default "string"). */
  readonly dtype?: "number" | "boolean" | "string" | "array";
  /**
   * SI unit symbol, written as the model parameter tables write it ("V",
   * "A", "Ohm", "s"); a named non-SI unit ("PLC"); or null for choices and
   * switches.
   */
  readonly unit: string | null;
  /** Query that reads the setting. */
  readonly query: string;
  /** Command that sets it; `%s` stands for the encoded value. */
  readonly command: string;
  /** What a valid reply to `query` looks like, for error messages. */
  readonly expected: string;
  /** Validates (throws RangeError) and encodes a value as SCPI program data. */
  encode(value: T): string;
  /** Decodes the reply to `query`; undefined if it does not parse or is not a value the setting can hold. */
  decode(reply: string): T | undefined;
  /**
   * Whether a reply to `query` confirms the value just set (absent: the set
   * is sent alone). Where it is given, the set goes out as one compound
   * message with its own query (`:SOUR:VOLT:LEV 0.5;:SOUR:VOLT:LEV?`,
   * SCPI-99 §6.2.4), so a command lost on the wire is a missing reply,
   * not a silent difference between driver and instrument. Costs no round
   * trip: the set is answered where it was not.
   */
  confirms?(sent: T, readBack: T): boolean;
}

/** What properties are bound to: a resource name and a way to hold the session's queue. */
export interface PropertySession {
  readonly resource: string;
  exclusive<T>(body: (channel: ScpiChannel) => Promise<T>): Promise<T>;
}

/** A table of properties, keyed by the name they are bound under. */
export type PropertyTable = Readonly<Record<string, PropertySpec<unknown>>>;

export type ValueOf<S> = S extends PropertySpec<infer T> ? T : never;

/**
 * A numeric setting: `validate` decides what the instrument accepts, both
 * ways. A read-back outside it is not believed (decode gives undefined, so
 * the caller raises a ProtocolError): safety checks step from read-backs,
 * and a garbage reply that happens to parse must not become a level.
 */
export function numberProperty(spec: {
  doc: string;
  unit: string;
  query: string;
  command: string;
  /** What the instrument accepts, in SI units (the value before any wire conversion). */
  validate: Validator<number>;
  confirms?: (sent: number, readBack: number) => boolean;
  /** The instrument's own unit on the wire, where it is not the SI one. */
  wire?: WireUnit;
  configuration?: boolean;
  safety?: SafetyRole;
  tracked?: boolean;
}): PropertySpec<number> {
  const { wire, validate, ...rest } = spec;
  return {
    ...rest,
    dtype: "number",
    expected: `a number ${validate.allowed ?? ""}${wire ? ` (sent in ${wire.unit})` : ""}`.trimEnd(),
    encode: (value) => {
      const valid = validate(value);
      return formatNumber(wire ? wire.toWire(valid) : valid);
    },
    decode: (reply) => {
      const read = parseNumber(reply);
      if (read === undefined) return undefined;
      try {
        return validate(wire ? wire.fromWire(read) : read);
      } catch {
        return undefined;
      }
    },
  };
}

/** A setting with named choices, each mapped to its SCPI mnemonic (`{ voltage: "VOLT" }`). */
export function choiceProperty<K extends string>(spec: {
  doc: string;
  query: string;
  command: string;
  values: Readonly<Record<K, string>>;
  configuration?: boolean;
  safety?: SafetyRole;
  tracked?: boolean;
}): PropertySpec<K> {
  const names = Object.keys(spec.values) as K[];
  const allowed = strictDiscreteSet(names);
  return {
    doc: spec.doc,
    ...(spec.configuration !== undefined && { configuration: spec.configuration }),
    ...(spec.safety && { safety: spec.safety }),
    ...(spec.tracked !== undefined && { tracked: spec.tracked }),
    unit: null,
    query: spec.query,
    command: spec.command,
    expected: `one of ${Object.values<string>(spec.values).join(", ")}`,
    encode: (value) => spec.values[allowed(value)],
    decode: (reply) => names.find((name) => spec.values[name].toUpperCase() === reply.trim().toUpperCase()),
  };
}

/** An on/off switch: sent as ON/OFF, read back as 1/0. */
export function booleanProperty(spec: {
  doc: string;
  query: string;
  command: string;
  configuration?: boolean;
  safety?: SafetyRole;
  tracked?: boolean;
}): PropertySpec<boolean> {
  return {
    ...spec,
    unit: null,
    dtype: "boolean",
    expected: "1 or 0",
    encode: booleanOnOff,
    decode: parseBoolean,
  };
}

/** A property bound to a session. */
export interface Property<T> {
  readonly name: string;
  readonly doc: string;
  readonly unit: string | null;
  /** The table row it was bound from (its roles). */
  readonly spec: PropertySpec<T>;
  /** Reads the setting from the instrument. */
  get(options?: CallOptions): Promise<T>;
  /** Validates, checks the driver's limits, then sends; nothing is sent if a check refuses. */
  set(value: T, options?: CallOptions): Promise<void>;
  /** {@link get} on a channel already held (inside `session.exclusive`). */
  getWith(channel: ScpiChannel, options?: CallOptions): Promise<T>;
  /** {@link set} on a channel already held (inside `session.exclusive`). */
  setWith(channel: ScpiChannel, value: T, options?: CallOptions): Promise<void>;
}

export type BoundProperties<Table extends PropertyTable> = {
  readonly [K in keyof Table]: Property<ValueOf<Table[K]>>;
};

/** How a driver takes part in its properties' reads and writes. */
export interface PropertyHooks {
  /** Runs before a set is sent, with the queue held; throws (e.g. SafetyLimitError) to refuse. */
  check(name: string, value: unknown, channel: ScpiChannel): Promise<void>;
  /** Told a value the instrument holds: read back by a get, or sent by a set it accepted. */
  record(name: string, value: unknown, how: "read" | "set"): void;
}

export interface BindOptions {
  readonly hooks?: PropertyHooks;
  /** Read the error queue after every set and throw what the instrument refused. */
  readonly checkErrorsAfterSet: boolean;
}

/** Binds every property of `table` to `session`. */
export function bindProperties<Table extends PropertyTable>(
  session: PropertySession,
  table: Table,
  options: BindOptions,
): BoundProperties<Table> {
  const entries = Object.entries(table).map(([name, spec]) => [
    name,
    bindProperty(session, name, spec, options),
  ]);
  return Object.fromEntries(entries) as BoundProperties<Table>;
}

function bindProperty<T>(
  session: PropertySession,
  name: string,
  spec: PropertySpec<T>,
  options: BindOptions,
): Property<T> {
  const { hooks, checkErrorsAfterSet } = options;
  const getWith = async (channel: ScpiChannel, callOptions?: CallOptions): Promise<T> => {
    const reply = await channel.query(spec.query, callOptions);
    const value = spec.decode(reply);
    if (value === undefined) throw new ProtocolError(session.resource, spec.query, reply, spec.expected);
    hooks?.record(name, value, "read");
    return value;
  };
  const setWith = async (channel: ScpiChannel, value: T, callOptions?: CallOptions): Promise<void> => {
    let encoded: string;
    try {
      encoded = spec.encode(value);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new SettingRangeError(session.resource, name, value, error.message);
    }
    await hooks?.check(name, value, channel);
    const command = spec.command.replace("%s", encoded);
    if (spec.confirms) {
      const compound = `${command};${spec.query}`;
      const reply = await channel.query(compound, callOptions);
      const readBack = spec.decode(reply);
      if (readBack === undefined || !spec.confirms(value, readBack)) {
        throw new ProtocolError(session.resource, compound, reply, `${spec.expected} confirming ${encoded}`);
      }
    } else {
      await channel.write(command);
    }
    if (checkErrorsAfterSet) await channel.checkErrors(callOptions);
    hooks?.record(name, value, "set");
  };
  return {
    name,
    doc: spec.doc,
    unit: spec.unit,
    spec,
    get: (callOptions) => session.exclusive((channel) => getWith(channel, callOptions)),
    set: (value, callOptions) => session.exclusive((channel) => setWith(channel, value, callOptions)),
    getWith,
    setWith,
  };
}

/** One value of {@link PropertyTable}'s configuration, as a data key of a record. */
export interface ConfigurationKey {
  readonly unit: string | null;
  readonly dtype: NonNullable<PropertySpec<unknown>["dtype"]>;
  readonly shape: readonly number[];
  readonly doc: string;
}

/** The rows of `table` that are instrument configuration (recorded with every run). */
export function configurationRows(table: PropertyTable): Array<[string, PropertySpec<unknown>]> {
  return Object.entries(table).filter(([, spec]) => spec.configuration !== false);
}

/** The data keys of `table`'s configuration rows: unit, dtype, shape and doc, by name. */
export function configurationKeys(table: PropertyTable): Record<string, ConfigurationKey> {
  const keys: Record<string, ConfigurationKey> = {};
  for (const [name, spec] of configurationRows(table)) {
    keys[name] = { unit: spec.unit, dtype: spec.dtype ?? "string", shape: [], doc: spec.doc };
  }
  return keys;
}

/** Reads every configuration row of `table` on a held channel, each with its unit and doc. */
export async function readConfigurationWith(
  channel: ScpiChannel,
  table: PropertyTable,
  property: (name: string) => Property<unknown>,
  options?: CallOptions,
): Promise<Record<string, { readonly value: unknown; readonly unit: string | null; readonly doc: string }>> {
  const values: Record<string, { value: unknown; unit: string | null; doc: string }> = {};
  for (const [name, spec] of configurationRows(table)) {
    values[name] = { value: await property(name).getWith(channel, options), unit: spec.unit, doc: spec.doc };
  }
  return values;
}
