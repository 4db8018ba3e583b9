/**
 * What every `attach<Model>` shares: a session made on the open transport
 * (the transport closed if the options are refused), the model's start-up
 * run on it, the session closed if any of that fails; and the identity
 * check that starts each one.
 */
import { ProtocolError } from "../errors.js";
import { type Identity, parseIdentity } from "../scpi/identity.js";
import { ScpiSession, type ScpiSessionOptions } from "../scpi/session.js";
import type { Transport } from "../transport.js";

/** Runs `startUp` on a new session over `transport`; whatever fails closes what was opened. */
export async function attachSession<T>(
  transport: Transport,
  options: ScpiSessionOptions,
  startUp: (session: ScpiSession) => Promise<T>,
): Promise<T> {
  let session: ScpiSession;
  try {
    session = new ScpiSession(transport, options); // refuses bad options (timeouts) with a RangeError
  } catch (error) {
    await transport.close();
    throw error;
  }
  try {
    return await startUp(session);
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * `*IDN?`, which must come from `manufacturer` and name a model `model`
 * matches; otherwise a ProtocolError with the reply and `expected`. Gives
 * the parsed identity and the reply as it came (trimmed), which an
 * instrument can be resynchronised on (ScpiSession.resyncWith).
 */
export async function identifyAs(
  session: ScpiSession,
  manufacturer: RegExp,
  model: RegExp,
  expected: string,
): Promise<Identity & { readonly reply: string }> {
  const reply = (await session.query("*IDN?")).trim();
  const identity = parseIdentity(reply);
  if (!identity || !manufacturer.test(identity.manufacturer) || !model.test(identity.model)) {
    throw new ProtocolError(session.resource, "*IDN?", reply, expected);
  }
  return { ...identity, reply };
}
