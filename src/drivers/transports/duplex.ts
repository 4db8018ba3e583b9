/**
 * A {@link Transport} over an open Node duplex stream. A TCP socket and a
 * serial port are both duplex streams, so each of those transports only
 * opens its stream and hands it here (STYLE.md 4: they differ in what they
 * open and how they let go of it, nothing else).
 */
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import type { Transport } from "../transport.js";

/**
 * Lets go of an open stream and resolves once what it holds is released.
 * Destroying is enough for a socket; a serial port must be closed through
 * its binding, or its file descriptor (and lock) outlive the stream.
 */
export type EndStream<S extends Duplex = Duplex> = (stream: S) => Promise<void>;

/** Destroys the stream and waits for its "close": the end of a socket. */
export const destroyStream: EndStream = (stream) =>
  new Promise((resolve) => {
    stream.once("close", () => resolve());
    stream.destroy();
  });

export class DuplexTransport<S extends Duplex = Duplex> implements Transport {
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastError: Error | undefined;
  readonly #stream: S;
  readonly #end: EndStream<S>;

  constructor(
    stream: S,
    readonly resource: string,
    /** What the stream is connected to, for messages: "127.0.0.1:5025", "/dev/ttyUSB0". */
    readonly peer: string,
    /** How {@link close} lets go of the stream (default {@link destroyStream}). */
    end: EndStream<S> = destroyStream,
  ) {
    this.#stream = stream;
    this.#end = end;
    stream.on("error", (error) => {
      this.#lastError = error;
    });
    stream.once("close", () => {
      this.#closed = true;
    });
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#closed || this.#stream.destroyed) {
      return Promise.reject(
        new ConnectionError(`${this.resource}: cannot write, ${this.peer} is closed`, this.resource),
      );
    }
    return new Promise((resolve, reject) => {
      this.#stream.write(data, (error) => {
        if (error) {
          reject(
            new ConnectionError(
              `${this.resource}: write to ${this.peer} failed: ${error.message}`,
              this.resource,
              {
                cause: error,
              },
            ),
          );
        } else {
          resolve();
        }
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.#stream.on("data", (chunk: Buffer) => listener(chunk));
  }

  onClose(listener: (error?: Error) => void): void {
    this.#stream.once("close", () => listener(this.#lastError));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing ??= this.#end(this.#stream);
    return this.#closing;
  }
}
