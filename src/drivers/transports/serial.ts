/**
 * Serial port (`ASRL/dev/ttyUSB0::INSTR`), via the `serialport` package.
 * The port class is injected — `SerialPort` (the OS binding) by default,
 * `SerialPortMock` in tests — the same seam serialport itself is built on.
 */
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import { ConnectionError, ResourceError } from "../errors.js";
import type { Transport } from "../transport.js";
import { DuplexTransport } from "./duplex.js";

/** Line settings; defaults match the Keithley 2400's factory RS-232 setup (9600 8N1, no flow control). */
export interface SerialLineOptions {
  readonly baudRate?: number;
  readonly dataBits?: 5 | 6 | 7 | 8;
  readonly parity?: "none" | "even" | "odd";
  readonly stopBits?: 1 | 2;
  /** Hardware (RTS/CTS) flow control. */
  readonly rtsctsEnabled?: boolean;
}

interface PortOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: "none" | "even" | "odd";
  stopBits: 1 | 2;
  rtscts: boolean;
  autoOpen: false;
}

/** What the transport uses of a serialport stream. */
type Port = Duplex & {
  open(callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
};

/** A serialport stream class: `SerialPort` or `SerialPortMock`. */
export type SerialPortClass = new (options: PortOptions) => Port;

export interface SerialOptions extends SerialLineOptions {
  readonly path: string;
  /** Resource string the port is reported under. */
  readonly resource: string;
  readonly portClass?: SerialPortClass;
}

/** How the OS binding ("No such file or directory") and the mock binding ("Port does not exist") say it. */
const MISSING_DEVICE = /no such file|does not exist/i;

/** What serialport's `close` says when the port is already closed (e.g. by a disconnect). */
const NOT_OPEN = /port is not open/i;

/**
 * Closes the port through its binding, which releases the descriptor and
 * its lock (destroying the stream alone does neither, and the next open of
 * the path fails with "Cannot lock port"). A port already closed counts as
 * closed; any other failure is a {@link ConnectionError} naming `resource`.
 */
export function closeSerialPort(port: Port, resource: string): Promise<void> {
  return new Promise((resolve, reject) => {
    port.close((error) => {
      if (!error || NOT_OPEN.test(error.message)) resolve();
      else
        reject(
          new ConnectionError(`${resource}: closing the serial port failed: ${error.message}`, resource, {
            cause: error,
          }),
        );
    });
  });
}

/**
 * Opens the port; a path that does not exist is a {@link ResourceError}
 * naming it, any other failure to open (permissions, busy) a
 * {@link ConnectionError}.
 */
export function openSerialTransport(options: SerialOptions): Promise<Transport> {
  const { path, resource, portClass = SerialPort } = options;
  const port = new portClass({
    path,
    baudRate: options.baudRate ?? 9600,
    dataBits: options.dataBits ?? 8,
    parity: options.parity ?? "none",
    stopBits: options.stopBits ?? 1,
    rtscts: options.rtsctsEnabled ?? false,
    autoOpen: false,
  });
  return new Promise((resolve, reject) => {
    port.open((error) => {
      if (error && MISSING_DEVICE.test(error.message)) {
        reject(
          new ResourceError(
            `${resource}: serial device ${path} does not exist (is the adapter plugged in?)`,
            resource,
            {
              cause: error,
            },
          ),
        );
      } else if (error) {
        reject(
          new ConnectionError(`${resource}: cannot open serial device ${path}: ${error.message}`, resource, {
            cause: error,
          }),
        );
      } else {
        resolve(new DuplexTransport(port, resource, path, (open) => closeSerialPort(open, resource)));
      }
    });
  });
}
