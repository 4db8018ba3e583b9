/**
 * An SCPI conversation over one {@link Transport}: terminators, exactly one
 * command in flight, per-call timeouts, `*IDN?`, the error queue and
 * IEEE 488.2 binary blocks (DESIGN.md, "Drivers", layer 2).
 *
 * One in flight: every call goes through one queue, so concurrent callers
 * run in call order and never interleave. A caller that needs several
 * commands back to back (configure a sweep, then read it) takes the queue
 * once with {@link ScpiSession.exclusive} and uses the channel it is given;
 * calling the session's own methods from inside that body would wait on
 * itself.
 *
 * Replies that belong to nobody. A reply can come after its query timed
 * out (a slow instrument) or never (a dropped reply); the session cannot
 * tell which. It keeps them apart from the next caller's reply thus:
 * - bytes that arrive while nothing is asked are stale by construction and
 *   are dropped before the next command is sent;
 * - after a timeout (or with part of a stale line pending) the next query
 *   first resynchronises: it sends `*OPC?` and drops every line up to its
 *   "1", then keeps dropping lines for `resyncSettleMs` after it, in case
 *   the late reply was itself "1" and arrived just ahead of ours.
 * This relies on the instrument answering in order, which IEEE 488.2's
 * output queue guarantees (§6.1.10). Dropped lines are reported in the next
 * exchange's `discarded`.
 */
import {
  ConnectionError,
  type DriverError,
  InstrumentError,
  InstrumentTimeoutError,
  ProtocolError,
} from "../errors.js";
import type { Transport } from "../transport.js";
import { parseErrorEntry } from "./error-queue.js";
import { blockFrame, type FrameReader, type FrameResult, lineFrame } from "./framing.js";
import { type Identity, parseIdentity } from "./identity.js";

export interface CallOptions {
  /** Time allowed for the reply, ms (default: the session's `timeoutMs`). */
  readonly timeoutMs?: number;
}

/** One command as the session saw it, for logs and the run record. */
export interface ScpiExchange {
  readonly resource: string;
  readonly command: string;
  /** Text reply, block payload, or absent for a command without reply. */
  readonly reply?: string | Uint8Array;
  /** Stale replies dropped before this command was answered (see the module doc). */
  readonly discarded?: readonly string[];
  readonly error?: DriverError;
  /** Wall-clock time the command was sent, s since the Unix epoch. */
  readonly startTime: number;
  /** Time from sending to the reply (or error), s. */
  readonly duration: number;
}

export interface ScpiSessionOptions {
  /** Appended to every command (default "\n"). */
  readonly writeTerminator?: string;
  /** Ends every reply (default "\n"). */
  readonly readTerminator?: string;
  /** Default time allowed for a reply, ms (default 2000). */
  readonly timeoutMs?: number;
  /** Give up reading `:SYST:ERR?` after this many entries without `0,"No error"` (default 32). */
  readonly errorQueueLimit?: number;
  /** After a resync's "1", keep dropping lines arriving within this long, ms (default 50). */
  readonly resyncSettleMs?: number;
  /** Called with every command and its reply, including the session's own (`*OPC?`, `:SYST:ERR?`). */
  readonly onExchange?: (exchange: ScpiExchange) => void;
}

/** What can be done with the queue held: the commands of a session. */
export interface ScpiChannel {
  readonly resource: string;
  /** Sends a command that has no reply. */
  write(command: string): Promise<void>;
  /** Sends a query; resolves with its reply line, terminator removed. */
  query(command: string, options?: CallOptions): Promise<string>;
  /** Sends a query whose reply is one IEEE 488.2 definite-length block; resolves with its payload. */
  queryBlock(command: string, options?: CallOptions): Promise<Uint8Array>;
  /** Reads `:SYST:ERR?` until `0,"No error"`; each entry as an {@link InstrumentError}. */
  readErrorQueue(options?: CallOptions): Promise<InstrumentError[]>;
  /** Like {@link readErrorQueue}, but throws the first entry, if any. */
  checkErrors(options?: CallOptions): Promise<void>;
}

/** The queue, held: use `channel` until `release()`. */
export interface ScpiLease {
  readonly channel: ScpiChannel;
  release(): void;
}

const ERROR_QUERY = ":SYST:ERR?";
const SYNC_QUERY = "*OPC?";

interface Waiter {
  readonly frame: FrameReader<unknown>;
  settle(result: FrameResult<unknown> | ConnectionError): void;
}

export class ScpiSession implements ScpiChannel {
  readonly resource: string;
  readonly timeoutMs: number;
  readonly #transport: Transport;
  readonly #writeTerminator: string;
  readonly #line: FrameReader<string>;
  readonly #block: FrameReader<Uint8Array>;
  readonly #errorQueueLimit: number;
  readonly #resyncSettleMs: number;
  readonly #onExchange: ((exchange: ScpiExchange) => void) | undefined;
  readonly #channel: ScpiChannel;
  #queue: Promise<void> = Promise.resolve();
  #received: Buffer = Buffer.alloc(0);
  #waiter: Waiter | undefined;
  #desynchronised = false;
  #discarded: string[] = [];
  #lastCommand: string | undefined;
  #closed: ConnectionError | undefined;

  constructor(transport: Transport, options: ScpiSessionOptions = {}) {
    this.#transport = transport;
    this.resource = transport.resource;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.#writeTerminator = options.writeTerminator ?? "\n";
    const readTerminator = options.readTerminator ?? "\n";
    this.#line = lineFrame(readTerminator);
    this.#block = blockFrame(readTerminator);
    this.#errorQueueLimit = options.errorQueueLimit ?? 32;
    this.#resyncSettleMs = options.resyncSettleMs ?? 50;
    this.#onExchange = options.onExchange;
    this.#channel = {
      resource: this.resource,
      write: (command) => this.#write(command),
      query: (command, options) => this.#query(command, this.#line, options?.timeoutMs ?? this.timeoutMs),
      queryBlock: (command, options) =>
        this.#query(command, this.#block, options?.timeoutMs ?? this.timeoutMs),
      readErrorQueue: (options) => this.#readErrorQueue(options?.timeoutMs ?? this.timeoutMs),
      checkErrors: async (options) => {
        const [first] = await this.#readErrorQueue(options?.timeoutMs ?? this.timeoutMs);
        if (first) throw first;
      },
    };
    transport.onData((chunk) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#pump();
    });
    transport.onClose((error) => {
      this.#closed ??= new ConnectionError(
        `${this.resource}: connection closed by the instrument side${error ? ` (${error.message})` : ""}`,
        this.resource,
        { cause: error },
      );
      this.#waiter?.settle(this.#closed);
    });
  }

  /** Runs `body` with the queue held: no other caller's command can come between its commands. */
  async exclusive<T>(body: (channel: ScpiChannel) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await body(lease.channel);
    } finally {
      lease.release();
    }
  }

  /**
   * Takes the queue until `release()` is called, for holders that cannot be
   * one callback (an async generator yielding between commands). Prefer
   * {@link exclusive}; a lease never released stalls every later caller.
   */
  async acquire(): Promise<ScpiLease> {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#queue;
    this.#queue = previous.then(() => released);
    await previous;
    return { channel: this.#channel, release };
  }

  write(command: string): Promise<void> {
    return this.exclusive((channel) => channel.write(command));
  }

  query(command: string, options?: CallOptions): Promise<string> {
    return this.exclusive((channel) => channel.query(command, options));
  }

  queryBlock(command: string, options?: CallOptions): Promise<Uint8Array> {
    return this.exclusive((channel) => channel.queryBlock(command, options));
  }

  readErrorQueue(options?: CallOptions): Promise<InstrumentError[]> {
    return this.exclusive((channel) => channel.readErrorQueue(options));
  }

  checkErrors(options?: CallOptions): Promise<void> {
    return this.exclusive((channel) => channel.checkErrors(options));
  }

  /** `*IDN?`, parsed; ProtocolError unless it has the four fields. */
  async identify(options?: CallOptions): Promise<Identity> {
    const reply = await this.query("*IDN?", options);
    const identity = parseIdentity(reply);
    if (!identity) {
      throw new ProtocolError(
        this.resource,
        "*IDN?",
        reply,
        "four comma-separated fields: manufacturer,model,serial,firmware",
      );
    }
    return identity;
  }

  /** Closes the transport; calls still queued or in flight reject with ConnectionError. */
  async close(): Promise<void> {
    this.#closed ??= new ConnectionError(`${this.resource}: session was closed`, this.resource);
    this.#waiter?.settle(this.#closed);
    await this.#transport.close();
  }

  async #write(command: string): Promise<void> {
    const record = this.#recorder(command);
    try {
      await this.#send(command);
      record({});
    } catch (error) {
      record({ error: error as DriverError });
      throw error;
    }
  }

  async #query<T extends string | Uint8Array>(
    command: string,
    frame: FrameReader<T>,
    timeoutMs: number,
  ): Promise<T> {
    if (this.#desynchronised || this.#dropStale()) await this.#resynchronise(command, timeoutMs);
    const record = this.#recorder(command);
    try {
      await this.#send(command);
      const reply = await this.#read(command, frame, timeoutMs);
      record({ reply });
      return reply;
    } catch (error) {
      record({ error: error as DriverError });
      throw error;
    }
  }

  /** Starts the record of one exchange; the returned function completes and reports it. */
  #recorder(command: string): (result: { reply?: string | Uint8Array; error?: DriverError }) => void {
    const startTime = Date.now() / 1000;
    const started = performance.now();
    return (result) => {
      const discarded = this.#discarded;
      this.#discarded = [];
      this.#onExchange?.({
        resource: this.resource,
        command,
        ...result,
        ...(discarded.length > 0 ? { discarded } : {}),
        startTime,
        duration: (performance.now() - started) / 1000,
      });
    };
  }

  async #send(command: string): Promise<void> {
    if (this.#closed) throw this.#closed;
    this.#dropStale();
    try {
      await this.#transport.write(Buffer.from(command + this.#writeTerminator, "latin1"));
    } catch (error) {
      if (error instanceof ConnectionError) throw error;
      throw new ConnectionError(
        `${this.resource}: sending ${JSON.stringify(command)} failed`,
        this.resource,
        {
          cause: error,
        },
      );
    }
    if (command !== ERROR_QUERY && command !== SYNC_QUERY) this.#lastCommand = command;
  }

  async #read<T>(command: string, frame: FrameReader<T>, timeoutMs: number): Promise<T> {
    const result = await this.#await(frame, timeoutMs);
    if (result === undefined) {
      this.#desynchronised = true;
      throw new InstrumentTimeoutError(this.resource, command, timeoutMs, this.#received.toString("latin1"));
    }
    if (result.kind === "malformed")
      throw new ProtocolError(this.resource, command, result.text, result.expected);
    return (result as { value: T }).value;
  }

  /** Waits for one frame; undefined on timeout. Rejects only when the connection goes away. */
  #await<T>(
    frame: FrameReader<T>,
    timeoutMs: number,
  ): Promise<Exclude<FrameResult<T>, { kind: "incomplete" }> | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = {
        frame,
        settle: (result) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          if (result instanceof ConnectionError) reject(result);
          else resolve(result as Exclude<FrameResult<T>, { kind: "incomplete" }>);
        },
      };
      if (this.#closed) this.#waiter.settle(this.#closed);
      else this.#pump();
    });
  }

  #pump(): void {
    const waiter = this.#waiter;
    if (!waiter || this.#received.length === 0) return;
    const result = waiter.frame(this.#received);
    if (result.kind === "incomplete") return;
    this.#received = this.#received.subarray(result.length);
    waiter.settle(result);
  }

  /** Drops complete lines that arrived while nothing was asked; true if a partial line is left. */
  #dropStale(): boolean {
    for (
      let result = this.#line(this.#received);
      result.kind === "complete";
      result = this.#line(this.#received)
    ) {
      this.#discarded.push(result.value);
      this.#received = this.#received.subarray(result.length);
    }
    return this.#received.length > 0;
  }

  /** Realigns replies before `command` is sent (see the module doc); a timeout names `command`. */
  async #resynchronise(command: string, timeoutMs: number): Promise<void> {
    await this.#write(SYNC_QUERY);
    for (;;) {
      const line = await this.#read(SYNC_QUERY, this.#line, timeoutMs).catch((error: unknown) => {
        if (!(error instanceof InstrumentTimeoutError)) throw error;
        throw new InstrumentTimeoutError(this.resource, command, timeoutMs, error.partial, true);
      });
      if (line.trim() === "1") break;
      this.#discarded.push(line);
    }
    for (;;) {
      const late = await this.#await(this.#line, this.#resyncSettleMs);
      if (late?.kind !== "complete") break;
      this.#discarded.push(late.value);
    }
    this.#desynchronised = false;
  }

  async #readErrorQueue(timeoutMs: number): Promise<InstrumentError[]> {
    const after = this.#lastCommand;
    const errors: InstrumentError[] = [];
    let reply = "";
    for (let read = 0; read < this.#errorQueueLimit; read += 1) {
      reply = await this.#query(ERROR_QUERY, this.#line, timeoutMs);
      const entry = parseErrorEntry(reply);
      if (!entry) throw new ProtocolError(this.resource, ERROR_QUERY, reply, '<code>,"<text>"');
      if (entry.code === 0) return errors;
      errors.push(new InstrumentError(this.resource, entry.code, entry.text, after));
    }
    throw new ProtocolError(
      this.resource,
      ERROR_QUERY,
      reply,
      `0,"No error" within ${this.#errorQueueLimit} reads of the error queue`,
    );
  }
}
