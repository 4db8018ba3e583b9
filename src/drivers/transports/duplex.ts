/**
 * A {@link Transport} over an open Node duplex stream. A TCP socket and a
 * serial port are both duplex streams, so each of those transports only
 * opens its stream and hands it here (STYLE.md 4: they differ in what they
 * open, nothing else).
 */
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import type { Transport } from "../transport.js";

export class DuplexTransport implements Transport {
  #closed = false;
  #lastError: Error | undefined;
  readonly #stream: Duplex;

  constructor(
    stream: Duplex,
    readonly resource: string,
    /** What the stream is connected to, for messages: "127.0.0.1:5025", "/dev/ttyUSB0". */
    readonly peer: string,
  ) {
    this.#stream = stream;
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
    return new Promise((resolve) => {
      this.#stream.once("close", () => resolve());
      this.#stream.destroy();
    });
  }
}
