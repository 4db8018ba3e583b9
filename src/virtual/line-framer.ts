/**
 * Splits a byte stream into program messages at the terminators the
 * instrument accepts:
 * - "lf" (default): a message ends at LF and a CR right before it is
 *   dropped; the terminator of socket and serial SCPI instruments (IEEE
 *   488.2's NL; a CR before it is white space to the parser anyway).
 * - "cr-or-lf": a lone CR also ends a message, and CR LF is one terminator
 *   (no empty message between them, also when the LF comes in the next
 *   chunk); what a Santec TSL accepts from the host (INSTRUMENTS.md).
 * Bytes are decoded one to one (latin1), so that non-ASCII input reaches the
 * parser as characters it can refuse (-101) rather than being lost in UTF-8
 * decoding.
 */
export const DEFAULT_MAX_LINE = 64 * 1024;

/** Which bytes end a program message: see the module doc. */
export type LineTerminators = "lf" | "cr-or-lf";

const CR = 0x0d;
const LF = 0x0a;

export class LineFramer {
  #buffer = "";
  #discarding = false;
  /** "cr-or-lf": the last chunk ended with the CR of a line, so an LF opening this one belongs to it. */
  #afterCr = false;
  readonly #crOrLf: boolean;

  /**
   * @param onLine receives each complete line, without terminator.
   * @param onOverrun is told when a line grew past `maxLength` without a terminator; that
   *   line is discarded up to its terminator (the instrument queues -363 "Input buffer overrun").
   * @param terminators which bytes end a line (default "lf").
   */
  constructor(
    readonly onLine: (line: string) => void,
    readonly onOverrun: () => void,
    readonly maxLength = DEFAULT_MAX_LINE,
    readonly terminators: LineTerminators = "lf",
  ) {
    this.#crOrLf = terminators === "cr-or-lf";
  }

  push(chunk: Uint8Array): void {
    // A socket's chunk is a Buffer already: decoded as it is, without a view made over it.
    const text = (
      Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    ).toString("latin1");
    const start = this.#crOrLf ? this.#splitCrOrLf(text) : this.#splitLf(text);
    this.#keep(start === 0 ? text : text.slice(start));
  }

  /** Hands on the lines ended by LF; returns where the unterminated rest starts. */
  #splitLf(text: string): number {
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      const line = this.#take(text, start, end);
      start = end + 1;
      this.#end(line, line.endsWith("\r") ? line.length - 1 : line.length);
    }
    return start;
  }

  /** Hands on the lines ended by CR, LF or CR LF; returns where the unterminated rest starts. */
  #splitCrOrLf(text: string): number {
    let start = 0;
    if (this.#afterCr && text.length > 0) {
      this.#afterCr = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    for (let at = start; at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      if (code !== CR && code !== LF) continue;
      const line = this.#take(text, start, at);
      this.#end(line, line.length);
      if (code === CR) {
        if (at + 1 === text.length) this.#afterCr = true;
        else if (text.charCodeAt(at + 1) === LF) at += 1;
      }
      start = at + 1;
    }
    return start;
  }

  /** The line ending at `end` of `text`: what was held, then `text` from `start`. */
  #take(text: string, start: number, end: number): string {
    const line = this.#buffer + text.slice(start, end);
    this.#buffer = "";
    return line;
  }

  /** A line has ended: hands on its first `length` characters, or drops it (an overrun). */
  #end(line: string, length: number): void {
    if (this.#discarding) {
      this.#discarding = false;
    } else if (line.length > this.maxLength) {
      this.onOverrun();
    } else {
      this.onLine(length === line.length ? line : line.slice(0, length));
    }
  }

  /** Holds the start of a line whose terminator has not come, up to `maxLength`. */
  #keep(rest: string): void {
    if (this.#discarding) return;
    this.#buffer += rest;
    if (this.#buffer.length > this.maxLength) {
      this.#buffer = "";
      this.#discarding = true;
      this.onOverrun();
    }
  }
}
