/**
 * One entry point from a resource string to an open {@link Transport}.
 */
import { checkDurationMs } from "../durations.js";
import type { Transport } from "../transport.js";
import { parseResource } from "./resource.js";
import { openSerialTransport, type SerialLineOptions, type SerialPortClass } from "./serial.js";
import { openTcpTransport } from "./tcp.js";
import { findUsbtmcNode, openUsbtmcTransport, type UsbtmcLookup } from "./usbtmc.js";

export interface OpenTransportOptions {
  /** TCP: give up connecting after this long, ms (1 to 2³¹ − 1, default 5000). */
  readonly connectTimeoutMs?: number;
  /** Serial: line settings (default 9600 8N1, no flow control). */
  readonly serial?: SerialLineOptions;
  /** Serial: port class to open with (default serialport's `SerialPort`; `SerialPortMock` in tests). */
  readonly serialPortClass?: SerialPortClass;
  /** USB: where `USB::…::INSTR` is looked up (default /sys and /dev; other roots in tests). */
  readonly usbtmc?: UsbtmcLookup;
}

/**
 * Opens `TCPIP::<host>::<port>::SOCKET`, `ASRL<path>::INSTR`,
 * `USB::<vid>::<pid>::<serial>::INSTR` or `USBTMC<path>::INSTR` (see
 * {@link parseResource}); errors are ResourceError (bad string, no such
 * device) or ConnectionError (refused, timed out, busy, no permission), and
 * a RangeError for a `connectTimeoutMs` out of range, whatever the resource.
 */
export async function openTransport(
  resource: string,
  options: OpenTransportOptions = {},
): Promise<Transport> {
  const connectTimeoutMs = checkDurationMs("connectTimeoutMs", options.connectTimeoutMs ?? 5000);
  const address = parseResource(resource);
  switch (address.kind) {
    case "tcp-socket":
      return openTcpTransport({
        host: address.host,
        port: address.port,
        resource,
        connectTimeoutMs,
      });
    case "serial":
      return openSerialTransport({
        ...options.serial,
        path: address.path,
        resource,
        ...(options.serialPortClass ? { portClass: options.serialPortClass } : {}),
      });
    case "usb-instr":
      return openUsbtmcTransport({ resource, path: await findUsbtmcNode(address, options.usbtmc) });
    case "usbtmc-node":
      return openUsbtmcTransport({ resource, path: address.path });
  }
}
