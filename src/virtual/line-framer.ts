/**
 * Splits a byte stream into program messages: each ends at LF (a CR before
 * it is dropped), the terminator of socket and serial SCPI instruments.
 * Bytes are decoded one to one (latin1), so that non-ASCII input reaches the
 * parser as characters it can refuse (-101) rather than being lost in UTF-8
 * decoding.
 */
export const DEFAULT_MAX_LINE = 64 * 1024;

export class LineFramer {
  #buffer = "";
  #discarding = false;

  /**
   * @param onLine receives each complete line, without terminator.
   * @param onOverrun is told when a line grew past `maxLength` without a terminator; that
   *   line is discarded up to its terminator (the instrument queues -363 "Input buffer overrun").
   */
  constructor(
    readonly onLine: (line: string) => void,
    readonly onOverrun: () => void,
    readonly maxLength = DEFAULT_MAX_LINE,
  ) {}

  push(chunk: Uint8Array): void {
    let text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    for (;;) {
      const end = text.indexOf("\n");
      if (end < 0) break;
      const line = this.#buffer + text.slice(0, end);
      text = text.slice(end + 1);
      this.#buffer = "";
      if (this.#discarding) {
        this.#discarding = false;
      } else if (line.length > this.maxLength) {
        this.onOverrun();
      } else {
        this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      }
    }
    if (this.#discarding) return;
    this.#buffer += text;
    if (this.#buffer.length > this.maxLength) {
      this.#buffer = "";
      this.#discarding = true;
      this.onOverrun();
    }
  }
}
