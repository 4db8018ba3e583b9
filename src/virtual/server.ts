/**
 * Serves a virtual Keithley 2400 on the wires a real one uses: a raw SCPI
 * socket (TCP, port 5025 by convention) and a serial line (a socat PTY
 * pair, opened with the `serialport` package like an RS-232 adapter). It
 * prints nothing; the caller reports the resource strings.
 */
import { createServer, type Server, type Socket } from "node:net";
import { SerialPort } from "serialport";
import { VirtualKeithley2400, type VirtualKeithley2400Options } from "./keithley2400/instrument.js";
import { LineFramer } from "./line-framer.js";
import { openPtyPair, type PtyPair } from "./serial-pty.js";

export interface VirtualServer {
  /** "TCPIP::127.0.0.1::<port>::SOCKET" when serving TCP. */
  readonly tcpResource?: string;
  /** "ASRL/dev/pts/N::INSTR" when serving a serial PTY. */
  readonly serialResource?: string;
  readonly instrument: VirtualKeithley2400;
  /** Frees the port, closes the serial port and stops socat; idempotent. */
  close(): Promise<void>;
}

export type ServeOptions = VirtualKeithley2400Options & {
  /** Default { host: "127.0.0.1", port: 0 }; false for no TCP. */
  tcp?: { host?: string; port?: number } | false;
  /** Serve a serial PTY pair too (default false). */
  serial?: boolean;
};

/** Baud rate of the instrument's end; a PTY ignores it, but serialport wants one. */
const BAUD_RATE = 9600;

export async function serveVirtualKeithley2400(options: ServeOptions = {}): Promise<VirtualServer> {
  const instrument = new VirtualKeithley2400(options);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const tcp = options.tcp === false ? undefined : await listen(instrument, options.tcp ?? {});
    if (tcp) closers.push(tcp.close);
    const serial = options.serial ? await serveSerial(instrument) : undefined;
    if (serial) closers.push(serial.close);
    let closing: Promise<void> | undefined;
    return {
      ...(tcp && { tcpResource: tcp.resource }),
      ...(serial && { serialResource: serial.resource }),
      instrument,
      close: () => {
        closing ??= close();
        return closing;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Feeds a byte stream to the instrument and writes its replies back, in
 * order. A reply that fails (a bug) is reported to the instrument, which
 * queues -300 and goes on serving: one bad line never takes the server down.
 */
function connect(instrument: VirtualKeithley2400, write: (reply: string) => void): LineFramer {
  return new LineFramer(
    (line) => {
      instrument
        .respond(line)
        .then((reply) => {
          if (reply !== "") write(reply);
        })
        .catch((error: unknown) => instrument.reportInternalError(error));
    },
    () => instrument.inputOverrun(),
  );
}

async function listen(
  instrument: VirtualKeithley2400,
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number },
): Promise<{ resource: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const framer = connect(instrument, (reply) => {
      if (!socket.destroyed) socket.write(reply, "latin1");
    });
    socket.on("data", (chunk) => framer.push(chunk));
    // A client that resets the connection is its own business, not the instrument's.
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("TCP server has no port");
  return {
    resource: `TCPIP::${host}::${address.port}::SOCKET`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serveSerial(
  instrument: VirtualKeithley2400,
): Promise<{ resource: string; close: () => Promise<void> }> {
  const pty: PtyPair = await openPtyPair();
  const port = new SerialPort({ path: pty.instrumentPath, baudRate: BAUD_RATE, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    await pty.close();
    throw error;
  }
  const framer = connect(instrument, (reply) => {
    if (port.isOpen) port.write(Buffer.from(reply, "latin1"));
  });
  port.on("data", (chunk: Buffer) => framer.push(chunk));
  // Errors after close (EIO as socat goes away) have nobody to report to.
  port.on("error", () => undefined);
  return {
    resource: `ASRL${pty.clientPath}::INSTR`,
    close: async () => {
      if (port.isOpen) {
        await new Promise<void>((resolve) => port.close(() => resolve()));
      }
      await pty.close();
    },
  };
}
