/**
 * Serves a virtual instrument on the wires a real one uses: a raw SCPI
 * socket (TCP, port 5025 by convention) and a serial line (a socat PTY
 * pair, opened with the `serialport` package like an RS-232 adapter). It
 * prints nothing; the caller reports the resource strings.
 *
 * Each line that arrives is reported to the bench clock (`arrived`) with
 * the resource it came through, ending a request that a session of this
 * project declared as it wrote it (an event clock does not jump past a
 * request still on the wire).
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import { VirtualKeithley2400, type VirtualKeithley2400Options } from "./keithley2400/instrument.js";
import { DEFAULT_MAX_LINE, LineFramer, type LineTerminators } from "./line-framer.js";
import { openPtyPair, type PtyPair } from "./serial-pty.js";

/** What a server needs of an instrument: it answers lines, in order, and hears of trouble on the wire. */
export interface ServedInstrument {
  /** How log lines name it ("virtual Keithley 2400"). */
  readonly label: string;
  /** The bench clock its lines are reported to. */
  readonly clock: { arrived(resource: string): void };
  /** The reply to one line (its terminator removed), or "" for none; calls are answered in order. */
  respond(line: string): Promise<string>;
  /**
   * Which bytes end a line it is sent (default "lf": LF, a CR before it
   * dropped); "cr-or-lf" for an instrument that also takes a lone CR, as a
   * Santec TSL does (src/virtual/line-framer.ts).
   */
  readonly inputTerminators?: LineTerminators;
  /** The transport dropped an over-long line. */
  inputOverrun(): void;
  /** An exception escaped a reply (a bug): the instrument keeps serving and queues it. */
  reportInternalError(error: unknown): void;
}

export interface InstrumentServer<I extends ServedInstrument = ServedInstrument> {
  /** "TCPIP::127.0.0.1::<port>::SOCKET" when serving TCP. */
  readonly tcpResource?: string;
  /** "ASRL/dev/pts/N::INSTR" when serving a serial PTY. */
  readonly serialResource?: string;
  readonly instrument: I;
  /** Frees the port, closes the serial port and stops socat; idempotent. */
  close(): Promise<void>;
}

export type VirtualServer = InstrumentServer<VirtualKeithley2400>;

export interface WireOptions {
  /** Default { host: "127.0.0.1", port: 0 }; false for no TCP. */
  tcp?: { host?: string; port?: number } | false;
  /** Serve a serial PTY pair too (default false). */
  serial?: boolean;
  /**
   * Per connection, bytes of replies written but not yet taken by the OS
   * beyond which the server gives up on the client: a TCP connection is
   * closed, a reply on the serial port dropped (default
   * {@link DEFAULT_MAX_QUEUED_BYTES}).
   */
  maxQueuedBytes?: number;
  /** Where the server reports a client it gave up on (default console.warn). */
  log?: (message: string) => void;
}

export type ServeOptions = VirtualKeithley2400Options & WireOptions;

/**
 * Default bound of a connection's queued output, bytes: room for the
 * {@link MAX_IN_FLIGHT} replies a connection may have coming, each a full
 * 2500-reading buffer of five elements (`:TRAC:DATA?`, about 14 bytes an
 * element: 175 kB), with margin.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 4 * 2 ** 20;

/**
 * Lines of one connection handed to the instrument and not yet answered, at
 * most. The instrument answers every connection's lines through one queue
 * ({@link VirtualKeithley2400.respond}), so this is also how many lines of a
 * flooding client another client's line can find ahead of it.
 */
const MAX_IN_FLIGHT = 8;

/** Baud rate of the instrument's end; a PTY ignores it, but serialport wants one. */
const BAUD_RATE = 9600;

/** One client's end: its stream, and what to do when it stops taking replies. */
interface Wire {
  readonly stream: Duplex;
  /** Whether replies can still be written. */
  writable(): boolean;
  /** Called with the reply that would take the queued output past its bound; the reply is not written. */
  overflow(reply: string, queuedBytes: number): void;
}

interface Limits {
  readonly maxQueuedBytes: number;
  readonly log: (message: string) => void;
}

/**
 * A virtual Keithley 2400 on its own clock and chip (unless given them),
 * served. A clock it made itself is closed with the server.
 */
export async function serveVirtualKeithley2400(options: ServeOptions = {}): Promise<VirtualServer> {
  const instrument = new VirtualKeithley2400(options);
  const server = await serveInstrument(instrument, options).catch((error: unknown) => {
    if (!options.clock) instrument.clock.close();
    throw error;
  });
  if (options.clock) return server;
  return {
    ...server,
    close: async () => {
      await server.close();
      instrument.clock.close();
    },
  };
}

/** Serves `instrument` on TCP and/or a serial PTY. */
export async function serveInstrument<I extends ServedInstrument>(
  instrument: I,
  options: WireOptions = {},
): Promise<InstrumentServer<I>> {
  const limits: Limits = {
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    log: options.log ?? console.warn,
  };
  if (!(limits.maxQueuedBytes > 0)) {
    throw new RangeError(`maxQueuedBytes must be a positive number of bytes, got ${limits.maxQueuedBytes}`);
  }
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const tcp = options.tcp === false ? undefined : await listen(instrument, options.tcp ?? {}, limits);
    if (tcp) closers.push(tcp.close);
    const serial = options.serial ? await serveSerial(instrument, limits) : undefined;
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
 * Feeds a client's lines to the instrument and writes its replies back, in
 * order, holding no more of them than the client takes (issue 13: a client
 * that pipelined `*IDN?` and never read grew the server by about 100 MB a
 * second):
 * - at most {@link MAX_IN_FLIGHT} lines are with the instrument at once; the
 *   others wait, and more are handed over on the next turn of the event loop
 *   (`setImmediate`), so that other connections are read in between;
 * - the stream is paused while lines wait or a write has not drained
 *   (`write` returned false, until "drain"), so what a slow client has not
 *   taken stays in the OS's buffers and its own, and its writes block;
 * - a reply that would take the bytes queued for the OS
 *   (`writableLength`) past `maxQueuedBytes` goes to `wire.overflow` (TCP:
 *   the connection is closed; serial: the reply is dropped and logged, and
 *   no more lines are taken until the queued replies drain).
 * A reply that fails (a bug) is reported to the instrument, which queues
 * -300 and goes on serving: one bad line never takes the server down.
 */
function serve(instrument: ServedInstrument, resource: string, wire: Wire, maxQueuedBytes: number): void {
  const { stream } = wire;
  let waiting: string[] = [];
  let next = 0;
  let inFlight = 0;
  let draining = false;
  let refilling = false;
  const framer = new LineFramer(
    (line) => {
      instrument.clock.arrived(resource);
      waiting.push(line);
    },
    () => instrument.inputOverrun(),
    DEFAULT_MAX_LINE,
    instrument.inputTerminators ?? "lf",
  );

  const waitForDrain = () => {
    if (draining) return;
    draining = true;
    stream.once("drain", () => {
      draining = false;
      feed();
    });
  };
  const write = (reply: string) => {
    if (!wire.writable()) return;
    if (stream.writableLength + reply.length > maxQueuedBytes) {
      wire.overflow(reply, stream.writableLength);
      // A serial line cannot be closed: with replies still queued it takes no more lines until they
      // drain, as a real instrument whose output is stuck stops reading. Reading on while dropping
      // every reply would spin, one log line per line, for as long as the client sends.
      if (wire.writable() && stream.writableLength > 0) waitForDrain();
    } else if (!stream.write(reply, "latin1")) {
      waitForDrain();
    }
  };
  const refill = () => {
    refilling = false;
    feed();
  };
  const answered = () => {
    inFlight -= 1;
    // Nothing held back: the next line is handed over as it arrives, with no turn of the loop spent.
    if (!refilling && (next !== waiting.length || draining)) {
      refilling = true;
      setImmediate(refill);
    }
  };
  // Callbacks made once per connection, not per line: a promise's reactions are all a line costs here.
  const replied = (reply: string) => {
    try {
      if (reply !== "") write(reply);
    } catch (error) {
      instrument.reportInternalError(error);
    }
    answered();
  };
  const failed = (error: unknown) => {
    instrument.reportInternalError(error);
    answered();
  };
  const answer = (line: string) => {
    inFlight += 1;
    let reply: Promise<string>;
    try {
      reply = instrument.respond(line);
    } catch (error) {
      failed(error);
      return;
    }
    reply.then(replied, failed);
  };
  const feed = () => {
    if (!wire.writable()) {
      waiting = [];
      next = 0;
      return;
    }
    for (; !draining && inFlight < MAX_IN_FLIGHT && next < waiting.length; next += 1) {
      answer(waiting[next] as string);
    }
    if (next === waiting.length) {
      waiting = [];
      next = 0;
    }
    if (draining || waiting.length > 0) stream.pause();
    else stream.resume();
  };

  stream.on("data", (chunk: Buffer) => {
    framer.push(chunk);
    feed();
  });
}

async function listen(
  instrument: ServedInstrument,
  { host = "127.0.0.1", port = 0 }: { host?: string; port?: number },
  limits: Limits,
): Promise<{ resource: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let resource = "";
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    serve(
      instrument,
      resource,
      {
        stream: socket,
        writable: () => !socket.destroyed,
        overflow: (_reply, queuedBytes) => {
          limits.log(
            `${instrument.label}: closed ${peer}: ${queuedBytes} bytes of replies wait unread, ` +
              `over the bound of ${limits.maxQueuedBytes} bytes (is the client reading its replies?)`,
          );
          socket.destroy();
        },
      },
      limits.maxQueuedBytes,
    );
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
  resource = `TCPIP::${host}::${address.port}::SOCKET`;
  return {
    resource,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serveSerial(
  instrument: ServedInstrument,
  limits: Limits,
): Promise<{ resource: string; close: () => Promise<void> }> {
  const pty: PtyPair = await openPtyPair();
  const port = new SerialPort({ path: pty.instrumentPath, baudRate: BAUD_RATE, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    await pty.close();
    throw error;
  }
  // The serial port is the instrument's one port: closing it would end serial serving for good,
  // so a reply past the bound is dropped instead, as bytes sent down an RS-232 line nobody reads are lost.
  serve(
    instrument,
    `ASRL${pty.clientPath}::INSTR`,
    {
      stream: port,
      writable: () => port.isOpen,
      overflow: (reply, queuedBytes) =>
        limits.log(
          `${instrument.label}: dropped a ${reply.length}-byte reply on ${pty.clientPath}: ` +
            `${queuedBytes} bytes of replies wait unread, over the bound of ${limits.maxQueuedBytes} bytes`,
        ),
    },
    limits.maxQueuedBytes,
  );
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
