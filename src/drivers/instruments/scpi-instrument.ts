/**
 * What a driver of an SCPI instrument other than a source-meter shares
 * (lasers, power meters): the session held privately, the property table
 * bound onto the instance with the driver's check and record hooks,
 * `*IDN?`, the error queue, the configuration read from the table, and the
 * raw escape hatch that makes the driver forget what it tracked. A model's
 * class subclasses it with its table and its own methods; the source-meter
 * kind (source-meter.ts) keeps its own, richer tracking of levels.
 */
import { ProtocolError } from "../errors.js";
import { type Identity, parseIdentity } from "../scpi/identity.js";
import type { CallOptions, ScpiChannel, ScpiSession } from "../scpi/session.js";
import {
  bindProperties,
  configurationKeys,
  type Property,
  type PropertyHooks,
  type PropertyTable,
  readConfigurationWith,
} from "./properties.js";
import type { ConfigurationValue, DataKey } from "./source-meter.js";

const IDENTITY_EXPECTED = "four comma-separated fields: manufacturer,model,serial,firmware";

export interface ScpiInstrumentOptions {
  /** Read the error queue after every set and throw what the instrument refused (default true). */
  readonly checkErrorsAfterSet?: boolean;
}

export abstract class ScpiInstrument {
  readonly resource: string;
  /** Private, so that every command goes through the driver (see {@link unsafeSession}). */
  readonly #session: ScpiSession;
  readonly #table: PropertyTable;
  readonly #properties: Readonly<Record<string, Property<unknown>>>;

  constructor(session: ScpiSession, table: PropertyTable, options: ScpiInstrumentOptions = {}) {
    this.#session = session;
    this.resource = session.resource;
    this.#table = table;
    this.#properties = bindProperties(
      { resource: this.resource, exclusive: (body) => this.exclusive(body) },
      table,
      {
        checkErrorsAfterSet: options.checkErrorsAfterSet ?? true,
        hooks: {
          check: (name, value, channel) => this.checkSet(name, value, channel),
          record: (name, value, how) => this.recordValue(name, value, how),
        },
      },
    );
    Object.assign(this, this.#properties);
  }

  /** The session's timebase: where waits are made and readings stamped. */
  get timebase() {
    return this.#session.timebase;
  }

  /** The session's default reply timeout, ms. */
  get timeoutMs(): number {
    return this.#session.timeoutMs;
  }

  /** The data keys of the configuration {@link readConfiguration} reads, from the property table. */
  describeConfiguration(): Readonly<Record<string, DataKey>> {
    return configurationKeys(this.#table);
  }

  /** Every configuration setting of the table, read from the instrument, with its unit. */
  readConfiguration(options?: CallOptions): Promise<Readonly<Record<string, ConfigurationValue>>> {
    return this.exclusive((channel) =>
      readConfigurationWith(channel, this.#table, (name) => this.property(name), options),
    );
  }

  /** `*IDN?`, parsed: manufacturer, model, serial number, firmware. */
  identify(options?: CallOptions): Promise<Identity> {
    return this.exclusive(async (channel) => {
      const reply = await channel.query("*IDN?", options);
      const identity = parseIdentity(reply);
      if (!identity) throw new ProtocolError(this.resource, "*IDN?", reply, IDENTITY_EXPECTED);
      return identity;
    });
  }

  /** Reads the error queue and throws its first entry as an InstrumentError. */
  checkErrors(options?: CallOptions): Promise<void> {
    return this.exclusive((channel) => channel.checkErrors(options));
  }

  /**
   * UNSAFE: raw SCPI to the instrument, for tests and experts. What is sent
   * through it BYPASSES THE SAFETY LIMITS and the validators, and makes
   * everything the driver tracked unknown (each call takes the session's
   * queue for its one command).
   */
  unsafeSession(): ScpiChannel {
    const raw = <T>(call: (channel: ScpiChannel) => Promise<T>): Promise<T> =>
      this.#session.exclusive((channel) => {
        this.forget("a raw command went through unsafeSession()");
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

  /** Closes the session and its transport; the instrument is left as it is (see a kind's `shutdown`). */
  close(): Promise<void> {
    return this.#session.close();
  }

  // ---- for the model ----

  /**
   * Runs `body` with the session's queue held. A failure other than a
   * refusal before sending ({@link refusedBeforeSending}) makes the
   * driver forget what it tracked: the instrument may or may not have
   * acted on the command.
   */
  protected exclusive<T>(body: (channel: ScpiChannel) => Promise<T>): Promise<T> {
    return this.#session.exclusive(async (channel) => {
      try {
        return await body(channel);
      } catch (error) {
        if (!this.refusedBeforeSending(error))
          this.forget(error instanceof Error ? error.message : String(error));
        throw error;
      }
    });
  }

  /** The session itself with the queue held, for a model's long operations (a lease). */
  protected get session(): ScpiSession {
    return this.#session;
  }

  /** A bound property by table name. */
  protected property<T>(name: string): Property<T> {
    const property = this.#properties[name];
    if (!property) throw new Error(`${this.resource}: the driver has no property "${name}"`);
    return property as Property<T>;
  }

  /** Runs before a set is sent, with the queue held; throws (e.g. SafetyLimitError) to refuse. */
  protected async checkSet(_name: string, _value: unknown, _channel: ScpiChannel): Promise<void> {}

  /** Told a value the instrument holds: read back by a get, or sent by a set it accepted. */
  protected recordValue(_name: string, _value: unknown, _how: "read" | "set"): void {}

  /** Whether `error` was raised before anything reached the instrument (it leaves the state known). */
  protected refusedBeforeSending(_error: unknown): boolean {
    return false;
  }

  /** What the driver tracked is unknown from now on, for `reason`. */
  protected forget(_reason: string): void {}
}

export type { PropertyHooks };
