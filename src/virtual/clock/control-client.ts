/**
 * A client of a bench's clock-control endpoint (control-server.ts; issue
 * 14 §1), for a plan, a gateway or a co-simulation master in another
 * process: read the bench clock, sleep on it, advance it.
 *
 * A DEALER socket, so that several requests can be outstanding at once (a
 * sleep waiting on the clock does not hold a `now()` behind it), each
 * reply matched to its request by `request_id`. It sends the empty
 * delimiter a REQ would, so the endpoint could as well be a REP (ZeroMQ
 * guide, ch. 3, "The DEALER to REP Combination",
 * https://zguide.zeromq.org/docs/chapter3/).
 */
import { Dealer } from "zeromq";
import {
  ClockErrorCodeEnum,
  type ClockErrorCodeName,
  ClockReplyMessage,
  ClockRequestMessage,
  type ClockRequestProperties,
} from "../../proto/index.js";
import type { TimeAnchor } from "../../sync/timebase.js";
import type { ClockMode } from "./bench-clock.js";
import {
  ClockControlClosedError,
  ClockControlError,
  ClockControlProtocolError,
  type ClockControlRequest,
  ClockControlTimeoutError,
} from "./control-errors.js";
import { modeFromWire } from "./control-wire.js";

export interface ClockControlClientOptions {
  /** How long each request waits for its reply, ms (> 0; Infinity: no limit); default 5000. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** This call's timeout, ms, in place of the client's: a sleep on a simulated clock may wait long. */
  timeoutMs?: number;
}

/** What `describe()` returns. */
export interface ClockDescription {
  readonly mode: ClockMode;
  /** The clock's now, s. */
  readonly now: number;
  /** Where the clock's zero lies on this host's monotonic and wall clocks. */
  readonly anchor: TimeAnchor;
  /** The optical path the bench's fibre array is over; undefined on a bench without one. */
  readonly fibrePath: string | undefined;
}

export interface ClockControlClient {
  readonly endpoint: string;
  /** The clock's now, s. */
  now(options?: CallOptions): Promise<number>;
  /** Resolves once the clock reaches `time`, s (absolute), with its now then. */
  sleepUntil(time: number, options?: CallOptions): Promise<number>;
  /** Resolves once `seconds` have passed on the clock, from its now when the endpoint reads the request, with its now then. */
  sleep(seconds: number, options?: CallOptions): Promise<number>;
  /** Manual clock only: moves it on by `seconds`; resolves with its now once it has got there. */
  advance(seconds: number, options?: CallOptions): Promise<number>;
  describe(options?: CallOptions): Promise<ClockDescription>;
  /**
   * Moves the bench's fibre array over optical path `path` ("ring",
   * "reference"), as a person or a stage does on a real bench; resolves
   * with the path it is over. ClockControlError NO_SUCH_PATH on a bench
   * without one or for a path its chip does not have.
   */
  moveFibres(path: string, options?: CallOptions): Promise<string>;
  /** Requests sent and not yet answered. */
  readonly outstanding: number;
  /** Rejects every outstanding request with ClockControlClosedError and closes the socket. Idempotent. */
  close(): void;
}

export const DEFAULT_CLOCK_CONTROL_TIMEOUT_MS = 5000;

/** Connects to a clock-control endpoint ("tcp://127.0.0.1:41234"). ZeroMQ connects in the background: a wrong endpoint shows as a timeout. */
export function connectClockControl(
  endpoint: string,
  options: ClockControlClientOptions = {},
): ClockControlClient {
  return new ControlClient(endpoint, checkTimeout(options.timeoutMs ?? DEFAULT_CLOCK_CONTROL_TIMEOUT_MS));
}

interface Outstanding {
  readonly request: ClockControlRequest;
  readonly resolve: (reply: ClockReplyMessage) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

const DELIMITER = Buffer.alloc(0);
const MAX_REQUEST_ID = 0xffff_ffff;

class ControlClient implements ClockControlClient {
  // Linger 0: an unsent request of a closed client is abandoned, never held at process exit.
  readonly #socket = new Dealer({ linger: 0 });
  readonly #outstanding = new Map<number, Outstanding>();
  #nextId = 1;
  /** zeromq.js allows one send in progress per socket: sends queue here. */
  #sending: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    try {
      this.#socket.connect(endpoint);
    } catch (cause) {
      this.#socket.close();
      throw new Error(
        `cannot connect to the clock-control endpoint ${endpoint}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    void this.#receive();
  }

  get outstanding(): number {
    return this.#outstanding.size;
  }

  async now(options?: CallOptions): Promise<number> {
    return (await this.#call({ op: "now" }, options)).now;
  }

  async sleepUntil(time: number, options?: CallOptions): Promise<number> {
    return (await this.#call({ op: "sleepUntil", time }, options)).now;
  }

  async sleep(seconds: number, options?: CallOptions): Promise<number> {
    return (await this.#call({ op: "sleep", seconds }, options)).now;
  }

  async advance(seconds: number, options?: CallOptions): Promise<number> {
    return (await this.#call({ op: "advance", seconds }, options)).now;
  }

  async describe(options?: CallOptions): Promise<ClockDescription> {
    const request = { op: "describe" } as const;
    const reply = await this.#call(request, options);
    const mode = modeFromWire(reply.mode);
    const hrtimeNs = reply.anchor?.hrtimeNs ?? "";
    if (mode === undefined) {
      throw new ClockControlProtocolError(
        this.endpoint,
        request,
        `names clock mode ${reply.mode}, not one of wall, event, manual`,
      );
    }
    if (!reply.anchor || !/^\d+$/.test(hrtimeNs)) {
      throw new ClockControlProtocolError(
        this.endpoint,
        request,
        `has no anchor with a decimal hrtime_ns (got ${JSON.stringify(hrtimeNs)})`,
      );
    }
    return {
      mode,
      now: reply.now,
      anchor: { hrtimeNs: BigInt(hrtimeNs), wallSeconds: reply.anchor.wallSeconds ?? 0 },
      fibrePath: reply.fibrePath === "" ? undefined : reply.fibrePath,
    };
  }

  async moveFibres(path: string, options?: CallOptions): Promise<string> {
    const request = { op: "moveFibres", path } as const;
    const reply = await this.#call(request, options);
    if (reply.fibrePath !== path) {
      throw new ClockControlProtocolError(
        this.endpoint,
        request,
        `says the fibres are over ${JSON.stringify(reply.fibrePath)}, not ${JSON.stringify(path)}`,
      );
    }
    return reply.fibrePath;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, entry] of this.#outstanding) {
      this.#settle(id);
      entry.reject(new ClockControlClosedError(this.endpoint, entry.request));
    }
    this.#socket.close();
  }

  #call(request: ClockControlRequest, options: CallOptions = {}): Promise<ClockReplyMessage> {
    const timeoutMs = checkTimeout(options.timeoutMs ?? this.timeoutMs);
    if (this.#closed) return Promise.reject(new ClockControlClosedError(this.endpoint, request));
    const requestId = this.#allocateId();
    const body = ClockRequestMessage.encode({ requestId, ...toWire(request) }).finish();
    return new Promise<ClockReplyMessage>((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.#settle(requestId);
            reject(new ClockControlTimeoutError(this.endpoint, request, timeoutMs));
          }, timeoutMs)
        : undefined;
      this.#outstanding.set(requestId, { request, resolve, reject, timer });
      this.#sending = this.#sending
        .then(() => this.#socket.send([DELIMITER, body]))
        .catch((error: Error) => {
          if (this.#settle(requestId)) {
            reject(new ClockControlProtocolError(this.endpoint, request, `was never sent: ${error.message}`));
          }
        });
    });
  }

  async #receive(): Promise<void> {
    try {
      // The iterator returns once the socket is closed.
      for await (const frames of this.#socket) this.#deliver(frames);
    } catch (error) {
      if (!this.#closed) this.#failAll(`could not be received: ${(error as Error).message}`);
    }
  }

  /** Hands a reply ([delimiter, body]) to the request it answers. */
  #deliver(frames: Buffer[]): void {
    const body = frames[frames.length - 1] ?? DELIMITER;
    let reply: ClockReplyMessage;
    try {
      reply = ClockReplyMessage.decode(body);
    } catch (error) {
      // Which request it answered cannot be known: none can trust its reply now.
      this.#failAll(`is not a pms.v1.ClockReply (${body.length} bytes: ${(error as Error).message})`);
      return;
    }
    // Not found: a request that timed out, or a refusal of a frame the endpoint could not read (id 0, never used here).
    const entry = this.#outstanding.get(reply.requestId);
    if (!entry || !this.#settle(reply.requestId)) return;
    if (reply.error) {
      entry.reject(
        new ClockControlError(
          this.endpoint,
          entry.request,
          codeName(reply.error.code ?? ClockErrorCodeEnum.CLOCK_ERROR_CODE_UNSPECIFIED),
          reply.error.text ?? "",
          modeFromWire(reply.mode),
          reply.now,
        ),
      );
    } else {
      entry.resolve(reply);
    }
  }

  /** Forgets an outstanding request and its timer; false if it was not outstanding. */
  #settle(requestId: number): boolean {
    const entry = this.#outstanding.get(requestId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.#outstanding.delete(requestId);
    return true;
  }

  #failAll(reason: string): void {
    for (const [id, entry] of this.#outstanding) {
      this.#settle(id);
      entry.reject(new ClockControlProtocolError(this.endpoint, entry.request, reason));
    }
  }

  /** 1, 2, … 2³² − 1, then 1 again, skipping any still outstanding (0 is the endpoint's "unknown"). */
  #allocateId(): number {
    let id = this.#nextId;
    while (this.#outstanding.has(id)) id = id === MAX_REQUEST_ID ? 1 : id + 1;
    this.#nextId = id === MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }
}

function toWire(request: ClockControlRequest): ClockRequestProperties {
  switch (request.op) {
    case "now":
      return { now: true };
    case "describe":
      return { describe: true };
    case "sleepUntil":
      return { sleepUntil: request.time };
    case "sleep":
      return { sleep: request.seconds };
    case "advance":
      return { advance: request.seconds };
    case "moveFibres":
      return { moveFibres: request.path };
  }
}

/** The enum's name for a code; a code this build does not know reads as UNSPECIFIED (the text still says what). */
function codeName(code: ClockErrorCodeEnum): ClockErrorCodeName {
  return (ClockErrorCodeEnum[code] as ClockErrorCodeName | undefined) ?? "CLOCK_ERROR_CODE_UNSPECIFIED";
}

/** Longest delay Node's timers take (2³¹ − 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 0x7fff_ffff;

function checkTimeout(timeoutMs: number): number {
  if (!(timeoutMs > 0 && (timeoutMs <= MAX_TIMER_MS || timeoutMs === Number.POSITIVE_INFINITY))) {
    throw new RangeError(
      `a clock-control timeout must be in (0, ${MAX_TIMER_MS}] ms, or Infinity for none; got ${timeoutMs}`,
    );
  }
  return timeoutMs;
}
