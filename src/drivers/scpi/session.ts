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
 *   first resynchronises: it sends the `sync` query (`*OPC?`) and drops
 *   every line up to one of its answers ("1"), then keeps dropping lines
 *   for `resyncSettleMs` after it, in case the late reply was itself such
 *   an answer and arrived just ahead of ours. An instrument whose `*OPC?`
 *   does not block (a Santec TSL answers "0" while tuning or sweeping and
 *   "1" when done: INSTRUMENTS.md) is given `sync: { command: "*OPC?",
 *   answers: ["0", "1"] }`: any answer marks the place in the stream;
 *   whether the operation is done is not the resync's business.
 * - after a binary block that ends with no terminator (`blockTerminator`
 *   ""), CR and LF bytes that come before the next reply's first byte are
 *   dropped: a peer that sends a terminator after all, even after the next
 *   command went out, does not poison that command's reply. (The price: a
 *   reply that is nothing but a terminator, right after such a block, is
 *   not seen. SCPI response messages are never empty.)
 * This relies on the instrument answering in order, which IEEE 488.2's
 * output queue guarantees (§6.1.10). Dropped lines are reported in the next
 * exchange's `discarded`.
 *
 * Bounds (issue 13: a 16 MiB reply without terminator once became a
 * 16.7-million-character error message). Nothing from the instrument is
 * held beyond `maxReplyBytes`:
 * - a reply longer than that fails its call with ReplyTooLongError as soon
 *   as more than the cap is held. The session drops what it held; if the
 *   reply is still coming, it skips the rest unbuffered as it arrives and
 *   the next query resynchronises first, as after a timeout. A
 *   definite-length block counts whole, header and terminator included:
 *   one that fits is read, one that declares more is refused once the cap
 *   is passed, and the rest of its declared length is skipped by count,
 *   since its payload may hold the terminator. (A peer that declares more
 *   than it sends keeps the session skipping, so timing out, until those
 *   bytes come or the session is reopened.) A line past the cap that
 *   arrives while nothing is asked is skipped the same way;
 * - an exchange lists at most 16 stale lines, each cut to its first 200
 *   bytes, and counts the rest;
 * - errors show at most the first 200 bytes of what came.
 */
import { type Declaration, hostTimebase, type Timebase } from "../../sync/timebase.js";
import { checkDurationMs } from "../durations.js";
import {
  ConnectionError,
  DriverError,
  InstrumentError,
  InstrumentTimeoutError,
  ProtocolError,
  ReplyTooLongError,
} from "../errors.js";
import type { Transport } from "../transport.js";
import { parseErrorEntry } from "./error-queue.js";
import { blockFrame, type FrameReader, type FrameResult, lineFrame } from "./framing.js";
import { type Identity, parseIdentity } from "./identity.js";

export interface CallOptions {
  /** Time allowed for the reply, ms (1 to 2³¹ − 1; default: the session's `timeoutMs`). */
  readonly timeoutMs?: number;
}

export interface BlockCallOptions extends CallOptions {
  /**
   * What follows this block (default: the session's `blockTerminator`), for
   * an instrument that ends one command's block differently from the rest;
   * "" for nothing (see {@link ScpiSessionOptions.blockTerminator}).
   */
  readonly blockTerminator?: string;
}

/**
 * The query that realigns replies after a timeout and the answers that end
 * it (see the module doc): every answer in `answers` marks the place, any
 * other line is a stale reply to drop. Compared after trimming whitespace.
 */
export interface SyncQuery {
  readonly command: string;
  readonly answers: readonly string[];
}

/** IEEE 488.2's operation-complete query: it answers "1" once all pending operations are done (§10.19). */
export const DEFAULT_SYNC: SyncQuery = { command: "*OPC?", answers: ["1"] };

/** One command as the session saw it, for logs and the run record. */
export interface ScpiExchange {
  readonly resource: string;
  readonly command: string;
  /** Text reply, block payload, or absent for a command without reply. */
  readonly reply?: string | Uint8Array;
  /** Stale replies dropped before this command was answered, the first few, each cut short (see the module doc). */
  readonly discarded?: readonly string[];
  /** Stale replies dropped besides those in `discarded`. */
  readonly discardedOmitted?: number;
  readonly error?: DriverError;
  /** Wall-clock time the command was sent, s since the Unix epoch. */
  readonly startTime: number;
  /** Time from sending to the reply (or error), s of host time. */
  readonly duration: number;
  /** When the command was sent, s on the session's timebase (the run's: what a record stamps it with). */
  readonly time: number;
  /** From sending to the reply (or error), s on the session's timebase (simulated time on a bench clock). */
  readonly timebaseDuration: number;
}

export interface ScpiSessionOptions {
  /** Appended to every command (default "\n"). */
  readonly writeTerminator?: string;
  /** Ends every reply (default "\n"). */
  readonly readTerminator?: string;
  /**
   * What follows a definite-length block (default: `readTerminator`); ""
   * for nothing: the block is read to its declared length and the reply
   * ends there (a Santec TSL's `:READout:DATa?`). A reply that is not a
   * block still ends at `readTerminator`. Per call: {@link BlockCallOptions}.
   */
  readonly blockTerminator?: string;
  /** Default time allowed for a reply, ms (1 to 2³¹ − 1, default 2000). */
  readonly timeoutMs?: number;
  /** Give up reading `:SYST:ERR?` after this many entries without `0,"No error"` (default 32). */
  readonly errorQueueLimit?: number;
  /** After a resync's answer, keep dropping lines arriving within this long, ms (0 to 2³¹ − 1, default 50). */
  readonly resyncSettleMs?: number;
  /**
   * The query a resync sends and the answers it waits for (default
   * {@link DEFAULT_SYNC}: `*OPC?`, "1"). For an instrument whose `*OPC?`
   * answers "0" while busy: `{ command: "*OPC?", answers: ["0", "1"] }`.
   * Throws a RangeError for an empty command or no answers.
   */
  readonly sync?: SyncQuery;
  /**
   * Longest reply, bytes, terminator (and block header) included (default
   * {@link DEFAULT_MAX_REPLY_BYTES}); see the module doc.
   */
  readonly maxReplyBytes?: number;
  /** Called with every command and its reply, including the session's own (the sync query, `:SYST:ERR?`). */
  readonly onExchange?: (exchange: ScpiExchange) => void;
  /**
   * The run's timebase (src/sync/timebase.ts). Each line written is
   * declared to it first, so that an event bench clock does not jump past
   * a request still on the wire; default: host time, which holds nothing.
   */
  readonly timebase?: Timebase;
}

/** What can be done with the queue held: the commands of a session. */
export interface ScpiChannel {
  readonly resource: string;
  /** Sends a command that has no reply. */
  write(command: string): Promise<void>;
  /** Sends a query; resolves with its reply line, terminator removed. */
  query(command: string, options?: CallOptions): Promise<string>;
  /** Sends a query whose reply is one IEEE 488.2 definite-length block; resolves with its payload. */
  queryBlock(command: string, options?: BlockCallOptions): Promise<Uint8Array>;
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

/**
 * Default cap on one reply, bytes (1 MiB). The longest reply of a 2400 is a
 * full 2500-reading buffer with all five elements in ASCII (`:TRAC:DATA?`,
 * or `:READ?` with a trigger count of 2500): 2500 × 5 × 14 bytes
 * ("+1.234567E-03,") = 175 kB. This leaves six times that.
 */
export const DEFAULT_MAX_REPLY_BYTES = 2 ** 20;

/** Bytes of an unwanted reply shown in an error or kept in `discarded`: its head, as ReplyTooLongError's. */
const HEAD_BYTES = 200;

/** Stale lines listed in one exchange's `discarded`; more are only counted. */
const DISCARDED_LISTED = 16;

const ERROR_QUERY = ":SYST:ERR?";
const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const LF = 0x0a;

/** The reply being read: bytes that arrive belong to it, not to the stale ones. */
interface Pending {
  readonly command: string;
  readonly frame: FrameReader<unknown>;
  /** The frame is a block followed by nothing. */
  readonly bareBlock: boolean;
}

interface Waiter {
  settle(result: FrameResult<unknown> | DriverError): void;
}

/**
 * The rest of a refused reply, dropped unbuffered as it arrives: a count of
 * bytes (a block of declared length), or everything through the next
 * terminator (a line), `tail` holding the last bytes seen in case the
 * terminator is split across chunks.
 */
type Skip = { readonly bytes: number } | { readonly tail: Buffer };

export class ScpiSession implements ScpiChannel {
  readonly resource: string;
  readonly timeoutMs: number;
  readonly maxReplyBytes: number;
  readonly #transport: Transport;
  readonly #writeTerminator: string;
  readonly #readTerminator: Buffer;
  readonly #line: FrameReader<string>;
  readonly #blockTerminator: string;
  readonly #block: FrameReader<Uint8Array>;
  readonly #errorQueueLimit: number;
  readonly #resyncSettleMs: number;
  #sync: SyncQuery;
  readonly #onExchange: ((exchange: ScpiExchange) => void) | undefined;
  readonly #channel: ScpiChannel;
  #queue: Promise<void> = Promise.resolve();
  #received: Buffer = EMPTY;
  #pending: Pending | undefined;
  #waiter: Waiter | undefined;
  #skipping: Skip | undefined;
  #desynchronised = false;
  /** A block with no terminator was the last reply: CR/LF before the next reply's first byte are stray. */
  #afterBareBlock = false;
  #discarded: string[] = [];
  #discardedOmitted = 0;
  #lastCommand: string | undefined;
  #closed: ConnectionError | undefined;
  readonly #timebase: Timebase;
  /**
   * The lines declared to the timebase and not known to have arrived,
   * oldest first. A reply (or a timeout, or an error) ends them all: lines
   * are answered in order, so every earlier line has arrived, or will not.
   * Those that arrived are dropped as new ones come, so a session that
   * only writes keeps none of them for long.
   */
  readonly #declared: Declaration[] = [];

  /** The run's timebase the session declares its lines to: what a driver paces and stamps with. */
  get timebase(): Timebase {
    return this.#timebase;
  }

  /** Lines declared to the timebase that the session still tracks (for diagnostics: stays small). */
  get declaredLines(): number {
    return this.#declared.length;
  }

  /** Throws a RangeError for a duration or size out of range. */
  constructor(transport: Transport, options: ScpiSessionOptions = {}) {
    this.#transport = transport;
    this.resource = transport.resource;
    this.timeoutMs = checkDurationMs("timeoutMs", options.timeoutMs ?? 2000);
    this.#resyncSettleMs = checkDurationMs("resyncSettleMs", options.resyncSettleMs ?? 50, { min: 0 });
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    if (!Number.isInteger(this.maxReplyBytes) || this.maxReplyBytes < 1) {
      throw new RangeError(
        `maxReplyBytes must be a whole number of bytes, at least 1, got ${this.maxReplyBytes}`,
      );
    }
    this.#writeTerminator = options.writeTerminator ?? "\n";
    const readTerminator = options.readTerminator ?? "\n";
    this.#readTerminator = Buffer.from(readTerminator, "latin1");
    this.#line = lineFrame(readTerminator);
    this.#blockTerminator = options.blockTerminator ?? readTerminator;
    this.#block = blockFrame(this.#blockTerminator, readTerminator);
    this.#sync = checkSync(options.sync ?? DEFAULT_SYNC);
    this.#errorQueueLimit = options.errorQueueLimit ?? 32;
    this.#onExchange = options.onExchange;
    this.#timebase = options.timebase ?? hostTimebase();
    this.#channel = {
      resource: this.resource,
      write: (command) => this.#write(command),
      query: async (command, options) => this.#query(command, this.#line, this.#callTimeout(options)),
      queryBlock: async (command, options) => {
        const terminator = options?.blockTerminator ?? this.#blockTerminator;
        const frame =
          terminator === this.#blockTerminator ? this.#block : blockFrame(terminator, readTerminator);
        return this.#query(command, frame, this.#callTimeout(options), terminator === "");
      },
      readErrorQueue: async (options) => this.#readErrorQueue(this.#callTimeout(options)),
      checkErrors: async (options) => {
        const [first] = await this.#readErrorQueue(this.#callTimeout(options));
        if (first) throw first;
      },
    };
    transport.onData((chunk) => this.#receive(chunk));
    transport.onClose((error) => {
      this.#closed ??= new ConnectionError(
        `${this.resource}: connection closed by the instrument side${error ? ` (${error.message})` : ""}`,
        this.resource,
        { cause: error },
      );
      this.#waiter?.settle(this.#closed);
    });
  }

  /**
   * Resynchronises from now on with `sync` instead: for an instrument whose
   * only blocking-free marker is ambiguous (a TSL's `*OPC?` answers 0 or 1,
   * as its state queries do), a query with a reply nothing else gives, once
   * it is known — its `*IDN?` line after identification.
   */
  resyncWith(sync: SyncQuery): void {
    this.#sync = checkSync(sync);
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

  queryBlock(command: string, options?: BlockCallOptions): Promise<Uint8Array> {
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
    this.#endDeclarations();
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

  #callTimeout(options: CallOptions | undefined): number {
    return options?.timeoutMs === undefined
      ? this.timeoutMs
      : checkDurationMs("timeoutMs", options.timeoutMs);
  }

  async #query<T extends string | Uint8Array>(
    command: string,
    frame: FrameReader<T>,
    timeoutMs: number,
    bareBlock = false,
  ): Promise<T> {
    if (this.#desynchronised || this.#dropStale()) await this.#resynchronise(command, timeoutMs);
    const record = this.#recorder(command);
    try {
      const reply = await this.#expecting(
        command,
        frame,
        () => this.#sendAndRead<T>(command, timeoutMs, this.#send(command)),
        bareBlock,
      );
      record({ reply });
      return reply;
    } catch (error) {
      record({ error: error as DriverError });
      throw error;
    }
  }

  /** Runs `body` with the bytes that arrive taken as the reply to `command`, read with `frame`. */
  async #expecting<T>(
    command: string,
    frame: FrameReader<unknown>,
    body: () => Promise<T>,
    bareBlock = false,
  ): Promise<T> {
    this.#pending = { command, frame, bareBlock };
    try {
      return await body();
    } finally {
      this.#pending = undefined;
    }
  }

  /**
   * Reads the first frame of the reply to `command` while `sending` sends
   * it: the reader waits from the moment the bytes go out (after `#send`
   * dropped the stale ones), so every byte that arrives is checked against
   * the cap as it comes. A failed send fails the read.
   */
  async #sendAndRead<T>(command: string, timeoutMs: number, sending: Promise<void>): Promise<T> {
    const reply = this.#read<T>(command, timeoutMs);
    await sending.catch((error: DriverError) => this.#waiter?.settle(error));
    return reply;
  }

  /** Starts the record of one exchange; the returned function completes and reports it. */
  #recorder(command: string): (result: { reply?: string | Uint8Array; error?: DriverError }) => void {
    const startTime = Date.now() / 1000;
    const started = performance.now();
    const time = this.#timebase.now();
    return (result) => {
      const discarded = this.#discarded;
      const discardedOmitted = this.#discardedOmitted;
      this.#discarded = [];
      this.#discardedOmitted = 0;
      this.#onExchange?.({
        resource: this.resource,
        command,
        ...result,
        ...(discarded.length > 0 ? { discarded } : {}),
        ...(discardedOmitted > 0 ? { discardedOmitted } : {}),
        startTime,
        duration: (performance.now() - started) / 1000,
        time,
        timebaseDuration: this.#timebase.now() - time,
      });
    };
  }

  async #send(command: string): Promise<void> {
    if (this.#closed) throw this.#closed;
    this.#dropStale();
    while (this.#declared[0]?.ended) this.#declared.shift();
    this.#declared.push(this.#timebase.declare(this.resource));
    try {
      await this.#transport.write(Buffer.from(command + this.#writeTerminator, "latin1"));
    } catch (error) {
      this.#endDeclarations();
      if (error instanceof ConnectionError) throw error;
      throw new ConnectionError(
        `${this.resource}: sending ${JSON.stringify(command)} failed`,
        this.resource,
        {
          cause: error,
        },
      );
    }
    if (command !== ERROR_QUERY && command !== this.#sync.command) this.#lastCommand = command;
  }

  /** Reads the pending reply (see {@link #expecting}). */
  async #read<T>(command: string, timeoutMs: number): Promise<T> {
    const result = await this.#await(timeoutMs);
    if (result === undefined) {
      this.#desynchronised = true;
      throw new InstrumentTimeoutError(this.resource, command, timeoutMs, this.#head(this.#received));
    }
    if (result.kind === "malformed")
      throw new ProtocolError(this.resource, command, this.#head(result.text), result.expected);
    return result.value as T;
  }

  /**
   * Waits for one frame of the pending reply; undefined on timeout. Rejects
   * with a DriverError: the connection went away, the reply is too long.
   */
  #await(timeoutMs: number): Promise<Exclude<FrameResult<unknown>, { kind: "incomplete" }> | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        this.#endDeclarations();
        resolve(undefined);
      }, timeoutMs);
      this.#waiter = {
        settle: (result) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          this.#endDeclarations();
          if (result instanceof DriverError) reject(result);
          else resolve(result as Exclude<FrameResult<unknown>, { kind: "incomplete" }>);
        },
      };
      if (this.#closed) this.#waiter.settle(this.#closed);
      else this.#pump();
    });
  }

  #endDeclarations(): void {
    for (const release of this.#declared.splice(0)) release();
  }

  #receive(chunk: Uint8Array): void {
    let rest = this.#skipRefused(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (this.#afterBareBlock && this.#received.length === 0) rest = this.#skipStrayTerminator(rest);
    if (rest.length === 0) return;
    this.#received = Buffer.concat([this.#received, rest]);
    if (this.#pending) this.#pump();
    else this.#dropStale();
  }

  /**
   * Drops the CR and LF bytes a peer may send after a block that should end
   * with nothing (see the module doc), up to the first other byte, which
   * ends the watch.
   */
  #skipStrayTerminator(bytes: Buffer): Buffer {
    let start = 0;
    while (start < bytes.length && (bytes[start] === CR || bytes[start] === LF)) start += 1;
    if (start < bytes.length) this.#afterBareBlock = false;
    return start === 0 ? bytes : bytes.subarray(start);
  }

  /** Hands the pending reply to its reader once complete, or refuses it once past the cap. */
  #pump(): void {
    const pending = this.#pending;
    const waiter = this.#waiter;
    if (!pending || !waiter || this.#received.length === 0) return;
    const result = pending.frame(this.#received);
    const held = result.kind === "incomplete" ? this.#received.length : result.length;
    if (held > this.maxReplyBytes) {
      const refused = new ReplyTooLongError(
        this.resource,
        pending.command,
        this.maxReplyBytes,
        this.#head(this.#received.subarray(0, held)),
      );
      if (result.kind === "incomplete") this.#skipRest(result.length);
      else this.#received = this.#received.subarray(result.length);
      waiter.settle(refused);
    } else if (result.kind !== "incomplete") {
      this.#received = this.#received.subarray(result.length);
      this.#afterBareBlock = result.kind === "complete" && pending.bareBlock;
      if (this.#afterBareBlock) this.#received = this.#skipStrayTerminator(this.#received);
      waiter.settle(result);
    }
  }

  /** Drops complete lines that arrived while nothing was asked; true if a partial line is left. */
  #dropStale(): boolean {
    for (
      let result = this.#line(this.#received);
      result.kind === "complete";
      result = this.#line(this.#received)
    ) {
      this.#discard(result.value);
      this.#received = this.#received.subarray(result.length);
    }
    if (this.#received.length > this.maxReplyBytes) {
      this.#discard(this.#head(this.#received));
      this.#skipRest(undefined);
    }
    return this.#received.length > 0;
  }

  #discard(reply: string): void {
    if (this.#discarded.length < DISCARDED_LISTED) this.#discarded.push(this.#head(reply));
    else this.#discardedOmitted += 1;
  }

  /**
   * Drops the buffered start of a refused reply and skips its rest as it
   * arrives: up to `frameLength` bytes in all when the frame said how long
   * it is (a block), else through the next terminator.
   */
  #skipRest(frameLength: number | undefined): void {
    const terminator = this.#readTerminator;
    this.#skipping =
      frameLength === undefined
        ? { tail: Buffer.from(this.#received.subarray(this.#received.length - (terminator.length - 1))) }
        : { bytes: frameLength - this.#received.length };
    this.#received = EMPTY;
    this.#desynchronised = true;
  }

  /** Drops what arrives of a refused reply (see {@link #skipRest}); returns the bytes after it. */
  #skipRefused(chunk: Buffer): Buffer {
    const skipping = this.#skipping;
    if (skipping === undefined) return chunk;
    if ("bytes" in skipping) {
      if (chunk.length < skipping.bytes) {
        this.#skipping = { bytes: skipping.bytes - chunk.length };
        return EMPTY;
      }
      this.#skipping = undefined;
      return chunk.subarray(skipping.bytes);
    }
    const terminator = this.#readTerminator;
    const data = skipping.tail.length > 0 ? Buffer.concat([skipping.tail, chunk]) : chunk;
    const at = data.indexOf(terminator);
    if (at < 0) {
      this.#skipping = { tail: Buffer.from(data.subarray(data.length - (terminator.length - 1))) };
      return EMPTY;
    }
    this.#skipping = undefined;
    return data.subarray(at + terminator.length);
  }

  /** The first {@link HEAD_BYTES} bytes, for a message or a record. */
  #head(bytes: Buffer | string): string {
    return typeof bytes === "string" ? bytes.slice(0, HEAD_BYTES) : bytes.toString("latin1", 0, HEAD_BYTES);
  }

  /** Realigns replies before `command` is sent (see the module doc); a timeout names `command`. */
  async #resynchronise(command: string, timeoutMs: number): Promise<void> {
    const naming = (reading: Promise<string>) =>
      reading.catch((error: unknown) => {
        if (!(error instanceof InstrumentTimeoutError)) throw error;
        throw new InstrumentTimeoutError(this.resource, command, timeoutMs, error.partial, true);
      });
    const { command: sync, answers } = this.#sync;
    const isAnswer = (text: string) => answers.includes(text.trim());
    // A reply cut short (no terminator) stays in front of the answer: the first line is then "<partial>1".
    const partial = this.#received.toString("latin1");
    const isSync = (line: string, first: boolean) =>
      isAnswer(line) ||
      (first && partial !== "" && line.startsWith(partial) && isAnswer(line.slice(partial.length)));
    await this.#expecting(sync, this.#line, async () => {
      let line = await naming(this.#sendAndRead(sync, timeoutMs, this.#write(sync)));
      let first = true;
      while (!isSync(line, first)) {
        first = false;
        this.#discard(line);
        line = await naming(this.#read(sync, timeoutMs));
      }
      for (;;) {
        const late = await this.#await(this.#resyncSettleMs);
        if (late?.kind !== "complete") break;
        this.#discard(late.value as string);
      }
    });
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
      errors.push(new InstrumentError(this.resource, entry.code, entry.text, after, entry.detail));
    }
    throw new ProtocolError(
      this.resource,
      ERROR_QUERY,
      reply,
      `0,"No error" within ${this.#errorQueueLimit} reads of the error queue`,
    );
  }
}

/** The sync query, checked: a command and at least one answer; the answers compared trimmed. */
function checkSync(sync: SyncQuery): SyncQuery {
  if (sync.command.trim() === "") throw new RangeError("sync.command must be a query, got an empty string");
  if (sync.answers.length === 0) {
    throw new RangeError(`sync.answers must list at least one answer to ${JSON.stringify(sync.command)}`);
  }
  return { command: sync.command, answers: sync.answers.map((answer) => answer.trim()) };
}
