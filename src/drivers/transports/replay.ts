/**
 * In-memory transport that replays a scripted conversation, for protocol
 * tests (STYLE.md 3, after PyMeasure's `expected_protocol`): each
 * {@link Exchange} is what the driver must send next and what the
 * instrument answers, terminators left out. Anything else sent is a
 * mismatch: the write rejects and {@link ReplayTransport.assertDone} fails,
 * as it does when a pair is left unused.
 */
import type { Transport } from "../transport.js";

/**
 * `[sent, reply]`; `reply` is null for a command the instrument does not
 * answer, and `{ raw }` for bytes sent as they are, with no terminator (a
 * binary block from an instrument that ends it with nothing).
 */
export type Exchange = readonly [sent: string, reply: string | null | { readonly raw: string }];

export interface ReplayOptions {
  readonly resource?: string;
  /** Expected after each sent command. */
  readonly writeTerminator?: string;
  /** Appended to each reply. */
  readonly readTerminator?: string;
  /** Deliver replies in chunks of at most this many bytes, one event-loop turn apart (exercises reassembly). */
  readonly chunkSize?: number;
}

export class ReplayTransport implements Transport {
  readonly resource: string;
  /** Count of every byte the driver wrote, matched or not. */
  bytesWritten = 0;
  readonly #exchanges: readonly Exchange[];
  readonly #writeTerminator: string;
  readonly #readTerminator: string;
  readonly #chunkSize: number;
  #next = 0;
  #unterminated = "";
  #mismatch: Error | undefined;
  #delivery: Promise<void> = Promise.resolve();
  #dataListeners: ((chunk: Uint8Array) => void)[] = [];
  #closeListeners: ((error?: Error) => void)[] = [];
  #closed = false;

  constructor(exchanges: readonly Exchange[], options: ReplayOptions = {}) {
    this.#exchanges = exchanges;
    this.resource = options.resource ?? "REPLAY::INSTR";
    this.#writeTerminator = options.writeTerminator ?? "\n";
    this.#readTerminator = options.readTerminator ?? "\n";
    this.#chunkSize = options.chunkSize ?? Number.POSITIVE_INFINITY;
  }

  async write(data: Uint8Array): Promise<void> {
    this.bytesWritten += data.length;
    if (this.#closed) throw new Error(`${this.resource}: write after close`);
    this.#unterminated += Buffer.from(data).toString("latin1");
    for (let end = this.#unterminated.indexOf(this.#writeTerminator); end >= 0; ) {
      const sent = this.#unterminated.slice(0, end);
      this.#unterminated = this.#unterminated.slice(end + this.#writeTerminator.length);
      this.#accept(sent);
      end = this.#unterminated.indexOf(this.#writeTerminator);
    }
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.#dataListeners.push(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.#closeListeners.push(listener);
  }

  async close(): Promise<void> {
    this.hangUp();
  }

  /** Delivers bytes nobody asked for (a late reply), after any reply already scheduled. */
  inject(text: string): Promise<void> {
    return this.#deliver(text);
  }

  /** The far end goes away, as when a cable is pulled. */
  hangUp(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closeListeners) listener(error);
  }

  /** Pairs not yet sent by the driver. */
  get unused(): readonly Exchange[] {
    return this.#exchanges.slice(this.#next);
  }

  /** Resolves once every scheduled reply has been delivered. */
  settled(): Promise<void> {
    return this.#delivery;
  }

  /** Throws if the driver sent something unexpected, left a command unterminated, or left pairs unused. */
  assertDone(): void {
    if (this.#mismatch) throw this.#mismatch;
    if (this.#unterminated) {
      throw new Error(`replay: unterminated bytes sent: ${JSON.stringify(this.#unterminated)}`);
    }
    if (this.unused.length > 0) {
      throw new Error(
        `replay: ${this.unused.length} exchange(s) never sent, first ${JSON.stringify(this.unused[0])}`,
      );
    }
  }

  #accept(sent: string): void {
    const expected = this.#exchanges[this.#next];
    if (expected === undefined || expected[0] !== sent) {
      const wanted = expected === undefined ? "nothing more" : JSON.stringify(expected[0]);
      this.#mismatch ??= new Error(
        `replay: exchange ${this.#next}: sent ${JSON.stringify(sent)}, expected ${wanted}`,
      );
      throw this.#mismatch;
    }
    this.#next += 1;
    const reply = expected[1];
    if (reply !== null)
      void this.#deliver(typeof reply === "string" ? reply + this.#readTerminator : reply.raw);
  }

  #deliver(text: string): Promise<void> {
    const bytes = Buffer.from(text, "latin1");
    this.#delivery = this.#delivery.then(async () => {
      for (let start = 0; start < bytes.length; start += this.#chunkSize) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#closed) return;
        const chunk = bytes.subarray(start, Math.min(bytes.length, start + this.#chunkSize));
        for (const listener of this.#dataListeners) listener(chunk);
      }
    });
    return this.#delivery;
  }
}
