/**
 * From a resource string to a ready Keithley 2450 driver: transport,
 * session, identity, command set, clean status, known state.
 */
import { InstrumentModeError } from "../errors.js";
import type { ScpiSessionOptions } from "../scpi/session.js";
import type { Transport } from "../transport.js";
import { type OpenTransportOptions, openTransport } from "../transports/open.js";
import { attachSession, identifyAs } from "./attach.js";
import { Keithley2450, type Keithley2450Options } from "./keithley2450.js";
import { resolveSafetyLimits } from "./safety.js";

export interface ConnectKeithley2450Options
  extends Keithley2450Options,
    ScpiSessionOptions,
    OpenTransportOptions {}

/** `*IDN?` of the 2450: "KEITHLEY INSTRUMENTS,MODEL 2450,<serial>,<firmware>". */
const MODEL_2450 = /^MODEL 2450/i;

/**
 * Opens `resource` (see `openTransport`) and {@link attachKeithley2450}s a
 * driver to it. `options.limits` is merged over the conservative defaults
 * (DEFAULT_SAFETY_LIMITS): give the device under test's own.
 */
export async function connectKeithley2450(
  resource: string,
  options: ConnectKeithley2450Options = {},
): Promise<Keithley2450> {
  resolveSafetyLimits(options.limits, `${resource}: safety limits`); // a bad limit fails before the port is opened
  return attachKeithley2450(await openTransport(resource, options), options);
}

/**
 * Start-up on an open transport: `*IDN?` must name a 2450 (ProtocolError
 * otherwise), and `*LANG?` must answer SCPI: a 2450 in its TSP command set
 * is refused with an {@link InstrumentModeError} that says how to switch.
 * Then reads the state the safety checks depend on (an output found on
 * past the limits refuses the attach, with only queries sent) and clears
 * the status (`*CLS`). Closes the transport if any of that fails.
 */
export async function attachKeithley2450(
  transport: Transport,
  options: ConnectKeithley2450Options = {},
): Promise<Keithley2450> {
  return attachSession(transport, options, async (session) => {
    await identifyAs(session, /^KEITHLEY/i, MODEL_2450, "a Keithley 2450 (KEITHLEY ...,MODEL 2450,...)");
    const language = (await session.query("*LANG?")).trim().toUpperCase();
    if (language !== "SCPI") {
      throw new InstrumentModeError(
        session.resource,
        "*LANG?",
        language,
        "SCPI",
        "the 2450 runs its TSP command set; switch it with *LANG SCPI (or the front panel's System > Settings > Command Set) and power-cycle it",
      );
    }
    const driver = new Keithley2450(session, options);
    await driver.refreshState();
    await session.write("*CLS");
    return driver;
  });
}
