/**
 * From a resource string to a ready Thorlabs PM100 driver: transport
 * (`USB0::0x1313::0x8072::<serial>::INSTR` through the usbtmc node, or a
 * socket/serial line for the virtual meter), session, identity, sensor,
 * the sensor's correction range, readings in W.
 */
import { ProtocolError } from "../errors.js";
import type { ScpiSessionOptions } from "../scpi/session.js";
import { parseNumber } from "../scpi/values.js";
import type { Transport } from "../transport.js";
import { type OpenTransportOptions, openTransport } from "../transports/open.js";
import { attachSession, identifyAs } from "./attach.js";
import {
  PM100_WAVELENGTH_WIRE,
  readSensor,
  ThorlabsPm100,
  type ThorlabsPm100Options,
} from "./thorlabs-pm100.js";

export interface ConnectThorlabsPm100Options
  extends ThorlabsPm100Options,
    ScpiSessionOptions,
    OpenTransportOptions {}

/** `*IDN?` of the meters: "Thorlabs,PM100USB,<serial>,<firmware>" (also PM100D, PM100A). */
const MODEL = /^PM100(USB|D|A)?\b/i;

export async function connectThorlabsPm100(
  resource: string,
  options: ConnectThorlabsPm100Options = {},
): Promise<ThorlabsPm100> {
  return attachThorlabsPm100(await openTransport(resource, options), options);
}

/**
 * Start-up on an open transport: `*IDN?` must name a Thorlabs PM100
 * (ProtocolError otherwise); `SYST:SENS:IDN?` must show a power sensor
 * (NoSensorError otherwise); the sensor's correction range is read
 * (`SENS:CORR:WAV? MIN` / `MAX`); readings are put in W (`SENS:POW:UNIT W`),
 * the averaging count is read and the status cleared. Closes the transport if any of that fails.
 */
export async function attachThorlabsPm100(
  transport: Transport,
  options: ConnectThorlabsPm100Options = {},
): Promise<ThorlabsPm100> {
  return attachSession(transport, options, async (session) => {
    await identifyAs(session, /^THORLABS/i, MODEL, "a Thorlabs PM100USB, PM100D or PM100A");
    const sensor = await session.exclusive((channel) => readSensor(session.resource, channel));
    const ask = async (query: string) => {
      const reply = await session.query(query);
      const nm = parseNumber(reply);
      if (nm === undefined || !(nm > 0))
        throw new ProtocolError(session.resource, query, reply, "a wavelength, nm");
      // Decoded as the wavelength property decodes it, so its range check agrees to the last bit.
      return PM100_WAVELENGTH_WIRE.fromWire(nm);
    };
    const range = { min: await ask("SENS:CORR:WAV? MIN"), max: await ask("SENS:CORR:WAV? MAX") };
    const driver = new ThorlabsPm100(session, sensor, range, options);
    await driver.powerUnit.set("W");
    // Known from here on: each reading's window (and so its timeout) follows from it.
    await driver.averageCount.get();
    await session.write("*CLS");
    return driver;
  });
}
