/**
 * The clock-control endpoint of a virtual bench (issue 14 §1; DESIGN.md,
 * "Virtual instruments"): a plan, a gateway or a co-simulation master in
 * another process reads the bench clock, sleeps on it and (manual clock
 * only) advances it, with the messages `pms.v1.ClockRequest` and
 * `pms.v1.ClockReply` of proto/pms.proto. A sleep is a request on the
 * clock like an instrument's: on the event clock it is answered when time
 * jumps to it, on the manual clock when an advance passes it.
 *
 * A ROUTER socket, where the issue says REP. A REP socket answers one
 * request at a time, strictly receive-then-send, so one client's sleep
 * would hold every other client's request behind it — on a manual clock,
 * the very advance that would end it. A ROUTER reads each request as it
 * comes, prefixed with its sender's routing id, and sends each reply when
 * it is ready to that id; to a REQ client it is indistinguishable from a
 * REP, since the request's envelope (routing id, empty delimiter) is sent
 * back in front of the reply (ZeroMQ guide, ch. 3: "The Extended Reply
 * Envelope", "Request-Reply Combinations", "The Asynchronous Client/Server
 * Pattern": https://zguide.zeromq.org/docs/chapter3/). A DEALER client may
 * send the empty delimiter or not; either way its envelope is echoed.
 *
 * Every request gets exactly one reply. A frame that is not one
 * ClockRequest after an envelope gets CLOCK_ERROR_CODE_MALFORMED_FRAME
 * (with request id 0: its own could not be read) and the server keeps
 * serving. Closing the endpoint answers each request still waiting with
 * CLOCK_ERROR_CODE_CLOSED; closing the clock does the same through the
 * clock's own ClockClosedError.
 */
import { Router } from "zeromq";
import {
  ClockErrorCodeEnum,
  ClockReplyMessage,
  type ClockReplyProperties,
  ClockRequestMessage,
} from "../../proto/index.js";
import { type BenchClock, ClockClosedError } from "./bench-clock.js";
import { DEFAULT_CLOCK_CONTROL_ENDPOINT, MODE_TO_WIRE } from "./control-wire.js";

/** The bench beyond its clock that the endpoint controls: where the fibre array sits (issue 16). */
export interface FibreControl {
  /** The optical path the fibres are over. */
  readonly path: string;
  /** Moves them over `path`; throws (RangeError) for a path the chip does not have. */
  moveTo(path: string): void;
}

export interface ClockControlOptions {
  /** ZeroMQ endpoint to bind; default "tcp://127.0.0.1:*" (loopback, a port the system picks). */
  endpoint?: string;
  /** The bench's fibre array, for `move_fibres` (absent: refused with NO_SUCH_PATH). */
  fibres?: FibreControl;
}

export interface ClockControlServer {
  /** The endpoint bound, with its resolved port ("tcp://127.0.0.1:41234"): what clients connect to. */
  readonly endpoint: string;
  readonly clock: BenchClock;
  /** Requests received and not yet answered (sleeps and advances waiting on the clock). */
  readonly pending: number;
  /**
   * Answers each request still waiting with CLOCK_ERROR_CODE_CLOSED, then
   * closes the socket (lingering up to {@link CLOSE_LINGER_MS} for those
   * replies to leave). Idempotent: later calls return the same promise.
   * The clock stays open: it belongs to the bench.
   */
  close(): Promise<void>;
}

/** How long a closed endpoint's last replies may take to leave, ms (ZMQ_LINGER). */
export const CLOSE_LINGER_MS = 250;

/**
 * Larger inbound messages drop the sender's connection (ZMQ_MAXMSGSIZE)
 * rather than being read: a ClockRequest is a few tens of bytes.
 */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Binds the clock-control endpoint of `clock` and serves it until `close()`. */
export async function serveClockControl(
  clock: BenchClock,
  options: ClockControlOptions = {},
): Promise<ClockControlServer> {
  const requested = options.endpoint ?? DEFAULT_CLOCK_CONTROL_ENDPOINT;
  const socket = new Router({ linger: CLOSE_LINGER_MS, maxMessageSize: MAX_MESSAGE_BYTES });
  try {
    await socket.bind(requested);
  } catch (cause) {
    socket.close();
    throw new Error(`cannot bind the clock-control endpoint ${requested}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return new ControlServer(clock, socket, socket.lastEndpoint ?? requested, options.fibres);
}

/** A request being answered: where its reply goes, and what it asked, for a refusal's text. */
interface Pending {
  readonly envelope: Buffer[];
  readonly requestId: number;
  readonly what: string;
  /** Already answered by close(): the clock's eventual answer is dropped. */
  answered: boolean;
}

/** A request the server will not carry out. */
class Refusal extends Error {
  constructor(
    readonly code: ClockErrorCodeEnum,
    text: string,
  ) {
    super(text);
  }
}

class ControlServer implements ClockControlServer {
  readonly #socket: Router;
  readonly #pending = new Set<Pending>();
  #closing: Promise<void> | undefined;

  constructor(
    readonly clock: BenchClock,
    socket: Router,
    readonly endpoint: string,
    readonly fibres: FibreControl | undefined,
  ) {
    this.#socket = socket;
    void this.#serve();
  }

  get pending(): number {
    return this.#pending.size;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown(`the clock-control endpoint ${this.endpoint} was closed`);
    return this.#closing;
  }

  async #serve(): Promise<void> {
    try {
      // The iterator returns once the socket is closed.
      for await (const frames of this.#socket) this.#receive(frames);
    } catch (error) {
      this.#closing ??= this.#shutdown(
        `the clock-control endpoint ${this.endpoint} failed (${(error as Error).message})`,
      );
    }
  }

  #receive(frames: Buffer[]): void {
    // A ROUTER prefixes the sender's routing id; a REQ (or a DEALER that
    // emulates one) then sends an empty delimiter before the body.
    const delimiter = frames.findIndex((frame, i) => i > 0 && frame.length === 0);
    const envelope = frames.slice(0, delimiter > 0 ? delimiter + 1 : 1);
    const body = frames.slice(envelope.length);
    if (body.length !== 1) {
      this.#refuse(
        envelope,
        0,
        ClockErrorCodeEnum.CLOCK_ERROR_CODE_MALFORMED_FRAME,
        `malformed frame refused: expected one pms.v1.ClockRequest frame after the envelope, got ${body.length} frames`,
      );
      return;
    }
    const bytes = body[0] as Buffer;
    let request: ClockRequestMessage;
    try {
      request = ClockRequestMessage.decode(bytes);
    } catch (error) {
      this.#refuse(
        envelope,
        0,
        ClockErrorCodeEnum.CLOCK_ERROR_CODE_MALFORMED_FRAME,
        `malformed frame refused: cannot decode a pms.v1.ClockRequest from ${bytes.length} bytes (${(error as Error).message})`,
      );
      return;
    }
    if (this.#closing) {
      this.#refuse(
        envelope,
        request.requestId,
        ClockErrorCodeEnum.CLOCK_ERROR_CODE_CLOSED,
        `${describeOp(request)} refused: the clock-control endpoint ${this.endpoint} is closing`,
      );
      return;
    }
    void this.#answer(envelope, request);
  }

  async #answer(envelope: Buffer[], request: ClockRequestMessage): Promise<void> {
    const entry: Pending = {
      envelope,
      requestId: request.requestId,
      what: describeOp(request),
      answered: false,
    };
    this.#pending.add(entry);
    let reply: ClockReplyProperties;
    try {
      reply = this.#reply(entry.requestId, await this.#perform(request, entry.what));
    } catch (error) {
      reply = this.#reply(entry.requestId, { error: refusalOf(error, entry.what) });
    }
    this.#pending.delete(entry);
    if (!entry.answered) this.#send(envelope, reply);
  }

  /** Carries out one request; resolves with what the reply adds to mode and now. */
  async #perform(request: ClockRequestMessage, what: string): Promise<ClockReplyProperties> {
    const clock = this.clock;
    const closed = (): Refusal =>
      new Refusal(
        ClockErrorCodeEnum.CLOCK_ERROR_CODE_CLOSED,
        `${what} refused: the ${clock.kind} bench clock is closed`,
      );
    switch (request.op) {
      case "now":
        if (clock.closed) throw closed();
        return {};
      case "describe":
        if (clock.closed) throw closed();
        return {
          anchor: { hrtimeNs: clock.anchor.hrtimeNs.toString(), wallSeconds: clock.anchor.wallSeconds },
          fibrePath: this.fibres?.path ?? "",
        };
      case "moveFibres": {
        if (clock.closed) throw closed();
        const fibres = this.fibres;
        if (!fibres) {
          throw new Refusal(
            ClockErrorCodeEnum.CLOCK_ERROR_CODE_NO_SUCH_PATH,
            `${what} refused: this bench has no fibre array`,
          );
        }
        try {
          fibres.moveTo(request.moveFibres as string);
        } catch (error) {
          throw new Refusal(
            ClockErrorCodeEnum.CLOCK_ERROR_CODE_NO_SUCH_PATH,
            `${what} refused: ${(error as Error).message}`,
          );
        }
        return { fibrePath: fibres.path };
      }
      case "sleepUntil": {
        const time = request.sleepUntil as number;
        if (!Number.isFinite(time)) {
          throw new Refusal(
            ClockErrorCodeEnum.CLOCK_ERROR_CODE_BAD_SECONDS,
            `${what} refused: the time must be a finite number of seconds`,
          );
        }
        await clock.until(time); // rejects with ClockClosedError on a closed clock
        return {};
      }
      case "sleep": {
        const seconds = checkedSeconds(request.sleep as number, what);
        if (clock.closed) throw closed();
        await clock.sleep(seconds);
        return {};
      }
      case "advance": {
        if (clock.kind !== "manual") {
          throw new Refusal(
            ClockErrorCodeEnum.CLOCK_ERROR_CODE_NOT_MANUAL,
            `${what} refused: the ${clock.kind} bench clock is not advanced by hand; only a manual clock is`,
          );
        }
        const seconds = checkedSeconds(request.advance as number, what);
        if (clock.closed) throw closed();
        await clock.advance(seconds);
        return {};
      }
      default:
        throw new Refusal(
          ClockErrorCodeEnum.CLOCK_ERROR_CODE_UNKNOWN_OP,
          `${what} refused: the request names no op this server knows (now, sleep_until, sleep, advance, describe, move_fibres)`,
        );
    }
  }

  #reply(requestId: number, extra: ClockReplyProperties): ClockReplyProperties {
    return { requestId, mode: MODE_TO_WIRE[this.clock.kind], now: this.clock.now(), ...extra };
  }

  #refuse(envelope: Buffer[], requestId: number, code: ClockErrorCodeEnum, text: string): void {
    this.#send(envelope, this.#reply(requestId, { error: { code, text } }));
  }

  /**
   * Queues a reply. A ROUTER never blocks a send: a reply to a peer that
   * has gone is dropped (ZeroMQ guide, ch. 3, "ROUTER Error Handling"), as
   * is one after the socket closed.
   */
  #send(envelope: Buffer[], reply: ClockReplyProperties): Promise<void> {
    if (this.#socket.closed) return Promise.resolve();
    return this.#socket.send([...envelope, ClockReplyMessage.encode(reply).finish()]).catch(() => undefined);
  }

  async #shutdown(reason: string): Promise<void> {
    const sent: Promise<void>[] = [];
    for (const entry of this.#pending) {
      entry.answered = true;
      sent.push(
        this.#send(
          entry.envelope,
          this.#reply(entry.requestId, {
            error: {
              code: ClockErrorCodeEnum.CLOCK_ERROR_CODE_CLOSED,
              text: `${entry.what} refused: ${reason} before it was answered`,
            },
          }),
        ),
      );
    }
    this.#pending.clear();
    await Promise.all(sent);
    this.#socket.close();
  }
}

function checkedSeconds(seconds: number, what: string): number {
  if (!(Number.isFinite(seconds) && seconds >= 0)) {
    throw new Refusal(
      ClockErrorCodeEnum.CLOCK_ERROR_CODE_BAD_SECONDS,
      `${what} refused: it must be a finite number of seconds ≥ 0`,
    );
  }
  return seconds;
}

/** The request as the proto names it, for a refusal's text: "sleep_until(2.5)". */
function describeOp(request: ClockRequestMessage): string {
  switch (request.op) {
    case "now":
    case "describe":
      return `${request.op}()`;
    case "sleepUntil":
      return `sleep_until(${request.sleepUntil})`;
    case "sleep":
    case "advance":
      return `${request.op}(${request[request.op]})`;
    case "moveFibres":
      return `move_fibres(${JSON.stringify(request.moveFibres)})`;
    default:
      return `request ${request.requestId}`;
  }
}

/** A refusal, or an error of the clock, as the reply's error. */
function refusalOf(error: unknown, what: string): { code: ClockErrorCodeEnum; text: string } {
  if (error instanceof Refusal) return { code: error.code, text: error.message };
  if (error instanceof ClockClosedError) {
    return { code: ClockErrorCodeEnum.CLOCK_ERROR_CODE_CLOSED, text: `${what} refused: ${error.message}` };
  }
  return {
    code: ClockErrorCodeEnum.CLOCK_ERROR_CODE_UNSPECIFIED,
    text: `${what} failed: ${(error as Error).message}`,
  };
}
