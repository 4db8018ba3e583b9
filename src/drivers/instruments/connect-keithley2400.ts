/**
 * From a resource string to a ready Keithley 2400 driver: transport,
 * session, identity check, clean status, known state.
 */
import type { ScpiSessionOptions } from "../scpi/session.js";
import type { Transport } from "../transport.js";
import { type OpenTransportOptions, openTransport } from "../transports/open.js";
import { attachSession, identifyAs } from "./attach.js";
import { Keithley2400, type Keithley2400Options } from "./keithley2400.js";
import { READOUT_ELEMENTS } from "./readings.js";
import { resolveSafetyLimits } from "./safety.js";

export interface ConnectKeithley2400Options
  extends Keithley2400Options,
    ScpiSessionOptions,
    OpenTransportOptions {}

/** `*IDN?` of the 2400 series: "KEITHLEY INSTRUMENTS INC.,MODEL 2400,<serial>,<firmware>". */
const MODEL_2400_SERIES = /^MODEL 24\d\d/i;

/**
 * Opens `resource` (see `openTransport`) and {@link attachKeithley2400}s a
 * driver to it. `options.limits` is merged over the conservative defaults
 * (DEFAULT_SAFETY_LIMITS): give the device under test's own.
 */
export async function connectKeithley2400(
  resource: string,
  options: ConnectKeithley2400Options = {},
): Promise<Keithley2400> {
  resolveSafetyLimits(options.limits, `${resource}: safety limits`); // a bad limit fails before the port is opened
  return attachKeithley2400(await openTransport(resource, options), options);
}

/**
 * Start-up on an open transport: checks that `*IDN?` names a 2400-series
 * SourceMeter (ProtocolError otherwise) and reads the state the safety
 * checks depend on (see {@link Keithley2400.refreshState}). An output found
 * on is checked as turning it on would be: past the limits, attaching is
 * refused with SafetyLimitError, and until then only queries have been sent
 * — the output is left as it was. Then clears the status (`*CLS`) and sets
 * the readout to all five elements. Closes the transport if any of that
 * fails.
 */
export async function attachKeithley2400(
  transport: Transport,
  options: ConnectKeithley2400Options = {},
): Promise<Keithley2400> {
  return attachSession(transport, options, async (session) => {
    await identifyAs(
      session,
      /^KEITHLEY/i,
      MODEL_2400_SERIES,
      "a Keithley 2400-series SourceMeter (KEITHLEY ...,MODEL 24xx,...)",
    );
    const driver = new Keithley2400(session, options);
    await driver.refreshState();
    await session.write("*CLS");
    await driver.readoutElements.set(READOUT_ELEMENTS);
    return driver;
  });
}
