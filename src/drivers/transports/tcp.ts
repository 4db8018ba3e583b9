/**
 * Raw SCPI socket over TCP (`TCPIP::host::port::SOCKET`), via `node:net`.
 */
import { connect } from "node:net";
import { checkDurationMs } from "../durations.js";
import { ConnectionError } from "../errors.js";
import type { Transport } from "../transport.js";
import { DuplexTransport } from "./duplex.js";

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  /** Resource string the connection is reported under. */
  readonly resource: string;
  /** Give up connecting after this long, ms (1 to 2³¹ − 1). */
  readonly connectTimeoutMs: number;
}

/**
 * Connects; rejects with {@link ConnectionError} naming host:port when
 * refused, unreachable or too slow, with a RangeError for a
 * `connectTimeoutMs` out of range.
 */
export async function openTcpTransport(options: TcpOptions): Promise<Transport> {
  const { host, port, resource } = options;
  const connectTimeoutMs = checkDurationMs("connectTimeoutMs", options.connectTimeoutMs);
  const peer = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ConnectionError(
          `${resource}: connecting to ${peer} timed out after ${connectTimeoutMs} ms`,
          resource,
        ),
      );
    }, connectTimeoutMs);
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ConnectionError(`${resource}: ${describeConnectError(error, peer)}`, resource, { cause: error }),
      );
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.setNoDelay(true);
      resolve(new DuplexTransport(socket, resource, peer));
    });
  });
}

function describeConnectError(error: NodeJS.ErrnoException, peer: string): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection to ${peer} refused (is the instrument on and its raw socket port enabled?)`;
    case "ENOTFOUND":
      return `host of ${peer} not found (check the address)`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${peer} is unreachable (check the network cable and address)`;
    default:
      return `cannot connect to ${peer}: ${error.message}`;
  }
}
