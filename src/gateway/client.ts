/**
 * A client of the instrument gateway (server.ts): calls an instrument's
 * methods on a gateway in another process or on another host, over a
 * ZeroMQ DEALER socket, with the messages of proto/gateway.proto.
 *
 * - Each call carries a correlation id and a deadline (its timeout); the
 *   reply is matched by id, and a call with no reply within its timeout
 *   fails with GatewayUnreachableError naming the gateway's endpoint and
 *   the instrument. It never hangs: ZeroMQ reconnects in the background,
 *   and a call made while the gateway is away waits for it only as long as
 *   its timeout.
 * - A remote error comes back as the class a local driver throws
 *   (errors.ts): a timeout on the far side is an InstrumentTimeoutError, a
 *   setpoint the bench's limits refuse a SafetyLimitError, each naming
 *   `ZMQ::<endpoint>::<instrument>` and the gateway.
 * - Every reply carries the gateway's receive and send times: the client
 *   estimates the gateway's clock offset and drift from them as NTP does
 *   (`clock`, `estimateClock`) and maps the gateway's times onto its own
 *   (`toLocalTime`). Both sides stamp host-monotonic time, so processes on
 *   one host agree.
 * - While it holds an instrument the client sends a heartbeat every
 *   `heartbeatIntervalMs`, so that the gateway keeps its holds; `close()`
 *   releases them first.
 */
import { Dealer } from "zeromq";
import {
  GatewayErrorKindEnum,
  type GatewayReplyMessage,
  GatewayRequestMessage,
  type GatewayRequestProperties,
  GatewayReplyMessage as ReplyCodec,
} from "../proto/index.js";
import { fromWireError, GatewayError, GatewayUnreachableError } from "./errors.js";
import type { CurveKeyPair } from "./security.js";
import { fromGatewayValue, type GatewayJs, toGatewayValue } from "./values.js";
import { GATEWAY_PROTOCOL_VERSION, hostMonotonic } from "./wire.js";

export interface GatewayClientOptions {
  /** How the gateway shows this client to others ("alice@lab-pc/calibration"). */
  readonly name?: string;
  /** A call's timeout (and the deadline it gives the gateway), ms; default 10 000. */
  readonly timeoutMs?: number;
  /** Heartbeat period while holding an instrument, ms; default 2 000 (keep it well under the gateway's timeout). */
  readonly heartbeatIntervalMs?: number;
  /**
   * CURVE: the gateway's public key and this client's key pair (its public
   * key must be on the gateway's allowlist). Absent: plain ZeroMQ, which a
   * gateway accepts only in its insecure, loopback-only mode.
   */
  readonly curve?: { readonly serverKey: string; readonly keys: CurveKeyPair };
}

export interface CallOptions {
  /** This call's timeout, ms, in place of the client's. */
  readonly timeoutMs?: number;
}

/** One SCPI exchange a remote call caused, as the gateway reported it. */
export interface RemoteExchange {
  readonly command: string;
  readonly reply?: string;
  /** Wall-clock time it was sent on the gateway's host, s since the Unix epoch. */
  readonly startTime: number;
  readonly duration: number;
  /** When it was sent and how long it took on the gateway bench's timebase, s. */
  readonly time: number;
  readonly timebaseDuration: number;
  /** The driver's error for it ("InstrumentTimeoutError: …"), or "". */
  readonly error: string;
}

/** A call's result with what it cost: the exchanges it caused and the gateway's timestamps. */
export interface CallOutcome {
  readonly value: GatewayJs;
  readonly exchanges: readonly RemoteExchange[];
  /** When the request left and the reply came, s of this host's monotonic time. */
  readonly sentAt: number;
  readonly repliedAt: number;
  /** When the gateway read the request and sent its reply, s of its host-monotonic time. */
  readonly gatewayReceived: number;
  readonly gatewaySent: number;
}

export interface GatewayInstrumentState {
  readonly name: string;
  readonly kind: string;
  readonly driver: string;
  /** Who holds it; "" when free. */
  readonly heldBy: string;
}

export interface GatewayStatusReport {
  readonly gateway: string;
  readonly instruments: readonly GatewayInstrumentState[];
  readonly requests: number;
  readonly replies: number;
  readonly refused: number;
  readonly expiredHolds: number;
}

/**
 * The gateway's clock against this one, NTP's way (RFC 5905 §8): from a
 * request's send time t0 and reply time t3 here, and the gateway's receive
 * and send times t1, t2 there, offset = ((t1 − t0) + (t2 − t3))/2 within
 * ± delay/2, delay = (t3 − t0) − (t2 − t1); the sample of least delay is
 * the best, and the drift is the slope of the good samples' offsets in time.
 */
export interface ClockEstimate {
  /** Gateway time minus this host's, s, at `at`. */
  readonly offset: number;
  /** The offset's rate of change (s/s; 0 until the samples span a second). */
  readonly drift: number;
  /** Half the best sample's round trip, s: the offset is within it. */
  readonly uncertainty: number;
  /** This host's monotonic time the offset is for, s. */
  readonly at: number;
  readonly samples: number;
}

export const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000;

/** Timing samples kept for the clock estimate (the latest). */
const CLOCK_SAMPLES = 64;

interface ClockSample {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
}

interface Pending {
  readonly resolve: (reply: GatewayReplyMessage) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Connects to a gateway ("tcp://optics-pc:5555"). ZeroMQ connects in the background: a wrong endpoint shows as a timeout. */
export function connectGateway(endpoint: string, options: GatewayClientOptions = {}): GatewayClient {
  return new GatewayClient(endpoint, options);
}

export class GatewayClient {
  readonly name: string;
  readonly timeoutMs: number;
  readonly #socket: Dealer;
  readonly #pending = new Map<number, Pending>();
  readonly #held = new Set<string>();
  readonly #heartbeat: NodeJS.Timeout;
  /** zeromq.js takes one send at a time per socket: sends queue here. */
  #sending: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closed: Error | undefined;
  /** The gateway's name, from its last reply (the endpoint until one came). */
  #gateway: string;
  /** Why the last handshake failed, if it did (cleared by one that succeeds). */
  #handshakeError: string | undefined;
  #closing: Promise<void> | undefined;
  readonly #clockSamples: ClockSample[] = [];

  constructor(
    readonly endpoint: string,
    options: GatewayClientOptions = {},
  ) {
    this.name = options.name ?? `client@${process.pid}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
    this.#gateway = `the gateway at ${endpoint}`;
    const curve = options.curve;
    this.#socket = new Dealer({
      linger: 0,
      // Messages wait for a connected gateway rather than in a queue that a restarted one would read late.
      immediate: true,
      reconnectInterval: 100,
      reconnectMaxInterval: 5000,
      ...(curve && {
        curveServerKey: curve.serverKey,
        curvePublicKey: curve.keys.publicKey,
        curveSecretKey: curve.keys.secretKey,
      }),
    });
    // A refused handshake fails what waits at once, with why, rather than as a timeout.
    this.#socket.events.on("handshake:error:auth", () =>
      this.#refused(
        `${this.#gateway} refused this client's key in the CURVE handshake (is its public key on the gateway's allowlist?)`,
      ),
    );
    this.#socket.events.on("handshake:error:protocol", () =>
      this.#refused(
        curve
          ? `the CURVE handshake with ${this.#gateway} failed (does the gateway use CURVE, with the server key given?)`
          : `${this.#gateway} refused a client without CURVE keys (it encrypts and authenticates; give this client keys)`,
      ),
    );
    this.#socket.events.on("handshake", () => {
      this.#handshakeError = undefined;
    });
    this.#socket.events.on("handshake:error:other", () =>
      this.#refused(`the handshake with ${this.#gateway} failed (is the gateway's public key right?)`),
    );
    this.#socket.connect(endpoint);
    this.#heartbeat = setInterval(() => {
      if (this.#held.size > 0) this.#request({ heartbeat: true }, "").catch(() => undefined);
    }, options.heartbeatIntervalMs ?? 2000);
    this.#heartbeat.unref();
    void this.#receive();
  }

  /** The resource string of an instrument on this gateway, as a bench file writes it. */
  resource(instrument: string): string {
    return `ZMQ::${this.endpoint}::${instrument}`;
  }

  /** Calls `method` ("SourceMeter.rampTo", "PowerMeter.read", "SourceMeter.outputEnabled.set") on `instrument`. */
  async call(
    instrument: string,
    method: string,
    args: readonly unknown[] = [],
    options?: CallOptions,
  ): Promise<GatewayJs> {
    return (await this.callWithExchanges(instrument, method, args, options)).value;
  }

  /** {@link call}, with the exchanges it caused and the timestamps of both sides. */
  async callWithExchanges(
    instrument: string,
    method: string,
    args: readonly unknown[] = [],
    options?: CallOptions,
  ): Promise<CallOutcome> {
    const sentAt = hostMonotonic();
    const reply = await this.#request(
      {
        instrument,
        call: { method, args: args.map((arg, k) => toGatewayValue(arg, `${method} argument ${k + 1}`)) },
      },
      instrument,
      options?.timeoutMs,
    );
    this.#held.add(instrument);
    return {
      value: fromGatewayValue(reply.result),
      exchanges: (reply.exchanges ?? []).map((e) => ({
        command: e.command ?? "",
        ...(e.reply !== undefined && e.reply !== null && { reply: e.reply }),
        startTime: e.startTime ?? 0,
        duration: e.duration ?? 0,
        time: e.time ?? 0,
        timebaseDuration: e.timebaseDuration ?? 0,
        error: e.error ?? "",
      })),
      sentAt,
      repliedAt: hostMonotonic(),
      gatewayReceived: reply.received,
      gatewaySent: reply.sent,
    };
  }

  /** Takes `instrument` for this client; refused (GatewayError "HELD") while another holds it. */
  async hold(instrument: string, options?: CallOptions): Promise<void> {
    await this.#request({ instrument, hold: true }, instrument, options?.timeoutMs);
    this.#held.add(instrument);
  }

  /** Gives `instrument` back (every one this client holds, when omitted); the gateway makes it safe first. */
  async release(instrument?: string, options?: CallOptions): Promise<void> {
    await this.#request(
      { instrument: instrument ?? "", release: true },
      instrument ?? "",
      options?.timeoutMs,
    );
    if (instrument === undefined) this.#held.clear();
    else this.#held.delete(instrument);
  }

  /** The gateway's instruments, who holds each, and its message counts. */
  async status(options?: CallOptions): Promise<GatewayStatusReport> {
    const reply = await this.#request({ status: true }, "", options?.timeoutMs);
    const status = reply.status;
    return {
      gateway: reply.gateway,
      instruments: (status?.instruments ?? []).map((i) => ({
        name: i.name ?? "",
        kind: i.kind ?? "",
        driver: i.driver ?? "",
        heldBy: i.heldBy ?? "",
      })),
      requests: Number(status?.requests ?? 0),
      replies: Number(status?.replies ?? 0),
      refused: Number(status?.refused ?? 0),
      expiredHolds: Number(status?.expiredHolds ?? 0),
    };
  }

  /**
   * The gateway's clock against this host's from the timestamps of every
   * reply so far (`samples` heartbeats are sent first, one after another);
   * undefined before any reply. Maps a time the gateway stamped onto this
   * host's timebase with {@link toLocalTime}.
   */
  async estimateClock(samples = 8): Promise<ClockEstimate | undefined> {
    for (let k = 0; k < samples; k++) await this.heartbeat();
    return this.clock();
  }

  /** The estimate from the replies so far, without sending anything; undefined before any reply. */
  clock(): ClockEstimate | undefined {
    const all = this.#clockSamples;
    if (all.length === 0) return undefined;
    const delay = (s: ClockSample) => s.t3 - s.t0 - (s.t2 - s.t1);
    const offset = (s: ClockSample) => (s.t1 - s.t0 + (s.t2 - s.t3)) / 2;
    const middle = (s: ClockSample) => (s.t0 + s.t3) / 2;
    let best = all[0] as ClockSample;
    for (const s of all) if (delay(s) < delay(best)) best = s;
    // The drift from the samples no worse than twice the best, once they span a second.
    const good = all.filter((s) => delay(s) <= 2 * delay(best) + 1e-6);
    let drift = 0;
    const span = Math.max(...good.map(middle)) - Math.min(...good.map(middle));
    if (good.length >= 3 && span >= 1) {
      const mt = good.reduce((a, s) => a + middle(s), 0) / good.length;
      const mo = good.reduce((a, s) => a + offset(s), 0) / good.length;
      let sxy = 0;
      let sxx = 0;
      for (const s of good) {
        sxy += (middle(s) - mt) * (offset(s) - mo);
        sxx += (middle(s) - mt) ** 2;
      }
      drift = sxy / sxx;
    }
    return {
      offset: offset(best),
      drift,
      uncertainty: Math.max(0, delay(best)) / 2,
      at: middle(best),
      samples: all.length,
    };
  }

  /** A time the gateway stamped (its host-monotonic s) on this host's monotonic timebase, by {@link clock}. */
  toLocalTime(gatewayTime: number): number {
    const estimate = this.clock();
    if (!estimate)
      throw new Error(
        `${this.endpoint}: no reply from the gateway yet, so no clock offset to map times with`,
      );
    const local = gatewayTime - estimate.offset;
    return gatewayTime - (estimate.offset + estimate.drift * (local - estimate.at));
  }

  /** Sends a heartbeat now (the client sends them by itself while it holds anything). */
  async heartbeat(options?: CallOptions): Promise<void> {
    await this.#request({ heartbeat: true }, "", options?.timeoutMs);
  }

  /** Releases what it holds (if the gateway answers in time), then closes; calls still waiting fail. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Whatever this client asked for, it gives back (the gateway makes it safe); calls made meanwhile are refused.
    const release =
      this.#held.size > 0
        ? this.release(undefined, { timeoutMs: Math.min(this.timeoutMs, 2000) })
        : undefined;
    this.#closed = new GatewayError(
      `${this.endpoint}: the gateway client was closed`,
      this.endpoint,
      "CLOSED",
      "",
      this.#gateway,
    );
    await release?.catch(() => undefined);
    clearInterval(this.#heartbeat);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.#closed as Error);
    }
    this.#pending.clear();
    this.#socket.close();
  }

  /** The handshake was refused: calls waiting fail now, with why; later ones fail on their timeout with it. */
  #refused(reason: string): void {
    this.#handshakeError = reason;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new GatewayUnreachableError(`${this.endpoint}: ${reason}`, this.endpoint));
      this.#pending.delete(id);
    }
  }

  #request(
    body: Omit<GatewayRequestProperties, "version" | "correlationId" | "client" | "deadlineMs">,
    instrument: string,
    timeoutMs = this.timeoutMs,
  ): Promise<GatewayReplyMessage> {
    if (this.#closed) return Promise.reject(this.#closed);
    const correlationId = this.#nextId;
    this.#nextId = this.#nextId >= 0xffff_ffff ? 1 : this.#nextId + 1;
    const deadline = hostMonotonic() + timeoutMs / 1000;
    // Held from the moment it is asked for: heartbeats start with the first call, and close() releases it.
    if ((body.call || body.hold) && instrument) this.#held.add(instrument);
    const resource = instrument ? this.resource(instrument) : this.endpoint;
    const what = body.call
      ? `${body.call.method} on ${instrument}`
      : body.hold
        ? `hold of ${instrument}`
        : body.release
          ? "release"
          : body.status
            ? "status"
            : "heartbeat";
    return new Promise<GatewayReplyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(
          new GatewayUnreachableError(
            `${resource}: no reply from ${this.#gateway} to ${what} within ${timeoutMs} ms ` +
              (this.#handshakeError
                ? `(${this.#handshakeError})`
                : "(is the gateway running and reachable?)"),
            resource,
          ),
        );
      }, timeoutMs);
      const t0 = hostMonotonic();
      this.#pending.set(correlationId, {
        resolve: (reply) => {
          if (reply.received > 0 && reply.sent >= reply.received) {
            this.#clockSamples.push({ t0, t1: reply.received, t2: reply.sent, t3: hostMonotonic() });
            if (this.#clockSamples.length > CLOCK_SAMPLES) this.#clockSamples.shift();
          }
          if (reply.error) reject(fromWireError(reply.error, resource, reply.gateway || this.#gateway));
          else resolve(reply);
        },
        reject,
        timer,
      });
      this.#sending = this.#sending
        .then(() => {
          // Not sent once its time is up: it would reach the gateway later and run after the caller gave up.
          const left = (deadline - hostMonotonic()) * 1000;
          if (!this.#pending.has(correlationId) || left <= 0) return;
          const frame = GatewayRequestMessage.encode({
            ...body,
            version: GATEWAY_PROTOCOL_VERSION,
            correlationId,
            client: this.name,
            // The time left, from when the gateway reads it.
            deadlineMs: left,
          }).finish();
          // immediate: nothing is queued for a gateway not connected; the send waits for one as long as the call may.
          this.#socket.sendTimeout = Math.max(1, Math.ceil(left));
          return this.#socket.send(frame);
        })
        // A send that could not go out within the call's time (no gateway connected) leaves it to the call's timer,
        // which reports it as unanswered; one that failed otherwise (the socket closed) is failed by close().
        .catch(() => undefined);
    });
  }

  async #receive(): Promise<void> {
    try {
      for await (const frames of this.#socket) {
        // The gateway echoes the envelope; a DEALER that sent none gets the reply frame alone.
        const frame = frames[frames.length - 1];
        if (!frame) continue;
        let reply: GatewayReplyMessage;
        try {
          reply = ReplyCodec.decode(frame);
        } catch {
          continue; // Not a reply this client can read: nothing waits on it by id.
        }
        // Every reply names its gateway: a frame that does not is not one (this socket cannot trust its ids).
        if (!reply.gateway) continue;
        this.#gateway = reply.gateway;
        const pending = this.#pending.get(reply.correlationId);
        if (!pending) continue; // Timed out already, or a malformed-frame answer (id 0).
        this.#pending.delete(reply.correlationId);
        clearTimeout(pending.timer);
        if (reply.version !== GATEWAY_PROTOCOL_VERSION) {
          pending.reject(
            new GatewayError(
              `${this.endpoint}: ${this.#gateway} replied in protocol version ${reply.version}; this client speaks ${GATEWAY_PROTOCOL_VERSION}`,
              this.endpoint,
              "VERSION_MISMATCH",
              "",
              this.#gateway,
            ),
          );
          continue;
        }
        pending.resolve(reply);
      }
    } catch {
      // The socket was closed.
    }
  }
}

export { GatewayErrorKindEnum };
