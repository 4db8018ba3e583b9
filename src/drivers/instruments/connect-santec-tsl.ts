/**
 * From a resource string to a ready Santec TSL driver: transport, session
 * with the laser's terminators (LF out, CR in, nothing after a binary
 * block, a non-blocking `*OPC?` to resynchronise on), identity, command set
 * (TSL-570: SCPI selected and confirmed), tunable range, known state.
 */
import { InstrumentModeError, ProtocolError, SafetyLimitError } from "../errors.js";
import type { ScpiSession, ScpiSessionOptions } from "../scpi/session.js";
import { parseNumber } from "../scpi/values.js";
import type { Transport } from "../transport.js";
import { type OpenTransportOptions, openTransport } from "../transports/open.js";
import { attachSession, identifyAs } from "./attach.js";
import { resolveLaserSafetyLimits } from "./optical-safety.js";
import {
  SantecTsl,
  type SantecTslOptions,
  TSL_MODELS,
  type TslModel,
  type TslModelName,
} from "./santec-tsl.js";

export interface ConnectSantecTslOptions extends SantecTslOptions, ScpiSessionOptions, OpenTransportOptions {
  /** The model expected (default: whichever of the TSL-570 and TSL-550 `*IDN?` names). */
  readonly model?: TslModelName;
}

/** The session a TSL needs (INSTRUMENTS.md): LF out, CR in, no terminator after a block, `*OPC?` 0 or 1. */
export const TSL_SESSION: ScpiSessionOptions = Object.freeze({
  writeTerminator: "\n",
  readTerminator: "\r",
  blockTerminator: "",
  sync: { command: "*OPC?", answers: ["0", "1"] },
});

/** Opens `resource` and {@link attachSantecTsl}s a driver to it. */
export async function connectSantecTsl(
  resource: string,
  options: ConnectSantecTslOptions = {},
): Promise<SantecTsl> {
  resolveLaserSafetyLimits(options.limits, `${resource}: safety limits`); // fails before the port is opened
  return attachSantecTsl(await openTransport(resource, options), options);
}

/**
 * Start-up on an open transport: `*IDN?` must name a Santec TSL-570 or
 * TSL-550 (ProtocolError otherwise); a TSL-570 is put in its SCPI command
 * set and must confirm it (InstrumentModeError otherwise); the tunable
 * range is asked where the model can be; then the state the safety checks
 * depend on is read (light found on past the limits is turned off — the
 * shutter closed, the diode off — and the attach refused), and the status
 * cleared. Closes the transport if
 * any of that fails.
 */
export async function attachSantecTsl(
  transport: Transport,
  options: ConnectSantecTslOptions = {},
): Promise<SantecTsl> {
  return attachSession(transport, { ...TSL_SESSION, ...options }, async (session) => {
    const wanted = options.model ?? "TSL-570 or TSL-550";
    const identity = await identifyAs(session, /^SANTEC/i, /^TSL/i, `a Santec ${wanted}`);
    const named = (Object.keys(TSL_MODELS) as TslModelName[]).find((name) =>
      identity.model.toUpperCase().replace(/\s/g, "").startsWith(name),
    );
    if (!named || (options.model && options.model !== named)) {
      const reply = [identity.manufacturer, identity.model, identity.serial, identity.firmware].join(",");
      throw new ProtocolError(session.resource, "*IDN?", reply, `a Santec ${wanted}`);
    }
    const model = TSL_MODELS[named];
    // "0" or "1" to *OPC? looks like any state reply after a timeout; the laser's own *IDN? line does not.
    session.resyncWith({ command: "*IDN?", answers: [identity.reply] });
    if (model.name === "TSL-570") {
      await session.write(":SYST:COMM:COD 1");
      const set = (await session.query(":SYST:COMM:COD?")).trim();
      if (parseNumber(set) !== 1) {
        throw new InstrumentModeError(
          session.resource,
          ":SYST:COMM:COD?",
          set,
          "1",
          "the TSL-570 did not take its SCPI command set (:SYST:COMM:COD 1); check its firmware",
        );
      }
    }
    const range = await tunableRange(session, model);
    const driver = new SantecTsl(session, model, range, options);
    await driver.refreshState().catch(async (error: unknown) => {
      // Light already leaving past the bench's limits: it goes off before the refusal, not after the run.
      if (error instanceof SafetyLimitError) await driver.shutdown().catch(() => undefined);
      throw error;
    });
    await session.write("*CLS");
    return driver;
  });
}

/** The range the laser reports, or the model's documented one where it cannot be asked. */
async function tunableRange(session: ScpiSession, model: TslModel): Promise<{ min: number; max: number }> {
  if (!model.rangeQueries) return model.range;
  const ask = async (query: string) => {
    const reply = await session.query(query);
    const value = parseNumber(reply);
    const metres = value === undefined ? undefined : model.wavelengthWire.fromWire(value);
    if (metres === undefined || !(metres > 0))
      throw new ProtocolError(session.resource, query, reply, "a wavelength");
    return metres;
  };
  const min = await ask(model.rangeQueries.min);
  const max = await ask(model.rangeQueries.max);
  if (!(min < max)) {
    throw new ProtocolError(
      session.resource,
      model.rangeQueries.max,
      String(max),
      `a wavelength above ${min} m`,
    );
  }
  return { min, max };
}
