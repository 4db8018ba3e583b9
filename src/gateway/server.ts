/**
 * The instrument gateway (issue 19; DESIGN.md, "Across machines"): one
 * process owns the instruments of a bench and serves them to clients on
 * other hosts, on a ZeroMQ ROUTER socket, with the messages of
 * proto/gateway.proto.
 *
 * - Clients call instruments, not bytes: each request names an instrument
 *   and a method of its kind (methods.ts), which runs through the gateway's
 *   own driver. The bench file's safety limits are the drivers' limits
 *   here, so a remote client can never ask for more than the bench allows,
 *   and a refusal comes back as a SafetyLimitError with nothing sent.
 * - Calls on one instrument run one at a time, in the order they came; the
 *   SCPI exchanges each caused (the bench's `onExchange`) go back in its
 *   reply, for the client's run record.
 * - One client holds an instrument at a time: its first call (or a `hold`)
 *   takes it, and every other client is refused with "held by <client>"
 *   until it releases it. A client is known by its socket's routing id.
 *   Each request counts as a sign of life, and a client that holds anything
 *   sends heartbeats in between; one silent for `heartbeatTimeoutMs` loses
 *   its holds, and the gateway makes those instruments safe (the bench
 *   driver's safe action: light off, source ramped to zero and output off).
 * - Every request gets exactly one reply. A frame that is not one
 *   GatewayRequest, or one of another protocol version, is answered with
 *   MALFORMED_REQUEST or VERSION_MISMATCH (correlation id 0 where its own
 *   could not be read) and counted; the gateway keeps serving. A message
 *   over `maxMessageBytes` drops its sender's connection (ZMQ_MAXMSGSIZE),
 *   and a client with MAX_REQUESTS_IN_PROGRESS requests in progress has the
 *   next refused (TOO_MANY_REQUESTS, counted) rather than queued.
 * - `close()` refuses new requests (CLOSED), lets the calls in progress
 *   end, and closes the bench in its one safe order.
 *
 * - CURVE by default (security.ts): the gateway's key pair, and a ZAP
 *   allowlist of client public keys; plain mode only with `insecure`, on
 *   loopback.
 *
 * - Telemetry (telemetry.ts), when given an endpoint: every reading a call
 *   takes, published as SampleBatches on a PUB socket with the same keys.
 *
 * Not yet (issue 19, later): raw SCPI queries, `ZMQ::` resources in bench
 * files (remote handles that plans run on unchanged).
 */
import { hostname } from "node:os";
import { Router } from "zeromq";
import { type BenchDriverKind, KNOWN_BENCH_DRIVERS } from "../bench/drivers.js";
import { type Bench, type OpenBenchOptions, openBench } from "../bench/open.js";
import { BENCH_DRIVERS } from "../bench/registry.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import {
  GatewayErrorKindEnum,
  type GatewayExchangeProperties,
  GatewayReplyMessage,
  type GatewayReplyProperties,
  type GatewayRequestMessage,
  GatewayRequestMessage as RequestCodec,
} from "../proto/index.js";
import { GatewayRefusal, toWireError } from "./errors.js";
import { callMethod } from "./methods.js";
import { type CurveKeyPair, checkCurve, registerZapDomain } from "./security.js";
import { TelemetryPublisher } from "./telemetry.js";
import { fromGatewayValue, type GatewayJs, toGatewayValue } from "./values.js";
import { GATEWAY_PROTOCOL_VERSION, hostMonotonic } from "./wire.js";

export { GATEWAY_PROTOCOL_VERSION };

export interface GatewayOptions {
  /** ZeroMQ endpoint to bind (default "tcp://127.0.0.1:*": loopback, a port the system picks). */
  readonly endpoint?: string;
  /** How replies and errors name the gateway (default "gateway@<hostname>"). */
  readonly name?: string;
  /** A client silent this long loses its holds, ms (default 10 000). */
  readonly heartbeatTimeoutMs?: number;
  /** A call's deadline when its request gives none, ms (default 60 000). */
  readonly defaultDeadlineMs?: number;
  /** Larger inbound messages drop the sender's connection (default 1 MiB). */
  readonly maxMessageBytes?: number;
  /** What openBench is given (its timebase; its `onExchange` is the gateway's own). */
  readonly open?: Omit<OpenBenchOptions, "onExchange">;
  /** Where the gateway reports refused handshakes, holds it took back and failures to make safe (default console.warn). */
  readonly log?: (line: string) => void;
  /**
   * CURVE, the default: the gateway's key pair and the public keys of the
   * clients it lets in (a ZAP allowlist); every other key, and every client
   * without CURVE, is refused in the handshake, and its fingerprint logged.
   */
  readonly curve?: { readonly keys: CurveKeyPair; readonly allow: Iterable<string> };
  /** No encryption and no authentication: refused unless the endpoint is on loopback. */
  readonly insecure?: boolean;
  /** Where to publish telemetry (telemetry.ts: every reading a call takes, as SampleBatches); none if absent. */
  readonly telemetry?: string;
}

export interface GatewayCounters {
  readonly requests: number;
  readonly replies: number;
  readonly refused: number;
  readonly expiredHolds: number;
  /** CURVE handshakes refused (a key not on the allowlist, or a client without CURVE). */
  readonly refusedHandshakes: number;
}

export interface Gateway {
  /** The endpoint bound, with its port ("tcp://127.0.0.1:41234"): what clients connect to. */
  readonly endpoint: string;
  /** The telemetry endpoint bound, if any. */
  readonly telemetryEndpoint: string | undefined;
  readonly name: string;
  /** The bench the gateway owns. */
  readonly bench: Bench;
  /** Who holds each instrument (client name and routing id), by instrument; absent: free. */
  holders(): Readonly<Record<string, string>>;
  readonly counters: GatewayCounters;
  /** Refuses new requests, lets calls in progress end, closes the socket and the bench (its safe order); idempotent. */
  close(): Promise<void>;
}

/** How long a closed gateway's last replies may take to leave, ms (ZMQ_LINGER). */
const CLOSE_LINGER_MS = 250;

/** Opens the bench `source` (a bench file's path, or its object) and serves it. */
export async function serveGateway(source: string | object, options: GatewayOptions = {}): Promise<Gateway> {
  const requested = options.endpoint ?? "tcp://127.0.0.1:*";
  checkSecurity(requested, options);
  if (options.telemetry) checkSecurity(options.telemetry, options);
  const capture = new Map<string, ScpiExchange[]>();
  const bench = await openBench(source, {
    ...options.open,
    onExchange: (instrument, exchange) => capture.get(instrument)?.push(exchange),
  });
  const name = options.name ?? `gateway@${hostname()}`;
  const log = options.log ?? console.warn;
  const handshakes = { refused: 0 };
  let zap: Awaited<ReturnType<typeof registerZapDomain>> | undefined;
  let socket: Router | undefined;
  let telemetry: TelemetryPublisher | undefined;
  try {
    if (options.curve) {
      const allowed = new Set(options.curve.allow);
      zap = await registerZapDomain({
        allowed,
        refused: (who, address) => {
          handshakes.refused += 1;
          log(
            `${name}: refused a CURVE handshake from ${address || "a peer"}: ${who} is not on its allowlist`,
          );
        },
      });
    }
    socket = new Router({
      linger: CLOSE_LINGER_MS,
      maxMessageSize: options.maxMessageBytes ?? 2 ** 20,
      ...(options.curve &&
        zap && {
          curveServer: true,
          curveSecretKey: options.curve.keys.secretKey,
          zapDomain: zap.domain,
          // Without it libzmq lets every key in when no ZAP handler answers.
          zapEnforceDomain: true,
        }),
    });
    await socket.bind(requested);
    if (options.telemetry) {
      telemetry = await TelemetryPublisher.bind(options.telemetry, {
        ...(options.curve && zap && { curve: { keys: options.curve.keys, zapDomain: zap.domain } }),
      });
    }
  } catch (cause) {
    socket?.close();
    await telemetry?.close();
    zap?.unregister();
    await bench.close();
    throw new Error(`cannot bind the gateway's endpoint ${requested}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return new GatewayServer(
    bench,
    socket,
    socket.lastEndpoint ?? requested,
    capture,
    { ...options, name, log },
    {
      handshakes,
      unregister: () => zap?.unregister(),
      telemetry,
    },
  );
}

/** CURVE unless `insecure`, and plain mode only on loopback: refused before anything is opened. */
function checkSecurity(endpoint: string, options: GatewayOptions): void {
  if (options.curve && options.insecure) {
    throw new Error("the gateway takes CURVE keys or insecure mode, not both");
  }
  if (options.curve) {
    checkCurve();
    return;
  }
  if (!options.insecure) {
    throw new Error(
      "the gateway encrypts and authenticates with CURVE by default: give it its key pair and an allowlist of " +
        "client public keys (`pms keys new`), or insecure mode, which binds to loopback only",
    );
  }
  if (!/^(tcp:\/\/(127\.0\.0\.1|localhost|\[::1\]):|ipc:\/\/|inproc:\/\/)/.test(endpoint)) {
    throw new Error(
      `insecure mode binds to loopback only (tcp://127.0.0.1:PORT), not ${endpoint}: anyone who can reach it ` +
        "could drive the instruments; use CURVE keys for other interfaces",
    );
  }
}

/** A client the gateway has heard from. */
interface Client {
  readonly id: string;
  name: string;
  lastSeen: number;
  /** Its requests being performed (calls queued or running, releases). */
  inFlight: number;
}

/**
 * Requests one client may have in progress; more are refused with
 * TOO_MANY_REQUESTS at once (counted), so that a flood queues nothing and
 * the others are served.
 */
export const MAX_REQUESTS_IN_PROGRESS = 32;

interface Instrument {
  readonly name: string;
  readonly kind: BenchDriverKind;
  readonly driver: string;
  /** The end of the last call queued on it: calls on one instrument run one at a time. */
  tail: Promise<unknown>;
  holder: Client | undefined;
  /**
   * Counts the holds ended: a call checks, when its turn comes, that the
   * hold it was queued under is still the one in force, so a call queued
   * before a release or an expiry never runs after it.
   */
  generation: number;
  /** The making safe in progress after a release or an expiry, and whose hold it ends; nobody can take it meanwhile. */
  safing: { readonly done: Promise<void>; readonly after: string } | undefined;
}

/** How long a release, an expiry or close() waits for the call in progress before making the instrument safe anyway, ms. */
const SAFE_GRACE_MS = 2000;

class GatewayServer implements Gateway {
  readonly name: string;
  readonly #socket: Router;
  readonly #instruments = new Map<string, Instrument>();
  readonly #clients = new Map<string, Client>();
  readonly #capture: Map<string, ScpiExchange[]>;
  readonly #heartbeatTimeoutMs: number;
  readonly #defaultDeadlineMs: number;
  readonly #log: (line: string) => void;
  readonly #timer: NodeJS.Timeout;
  #sending: Promise<unknown> = Promise.resolve();
  #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  #counters = { requests: 0, replies: 0, refused: 0, expiredHolds: 0 };

  readonly #handshakes: { refused: number };
  readonly #unregister: () => void;
  readonly #telemetry: TelemetryPublisher | undefined;

  constructor(
    readonly bench: Bench,
    socket: Router,
    readonly endpoint: string,
    capture: Map<string, ScpiExchange[]>,
    options: GatewayOptions,
    security: {
      handshakes: { refused: number };
      unregister: () => void;
      telemetry: TelemetryPublisher | undefined;
    },
  ) {
    this.#socket = socket;
    this.#handshakes = security.handshakes;
    this.#unregister = security.unregister;
    this.#telemetry = security.telemetry;
    this.#capture = capture;
    this.name = options.name ?? `gateway@${hostname()}`;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 10_000;
    this.#defaultDeadlineMs = options.defaultDeadlineMs ?? 60_000;
    this.#log = options.log ?? console.warn;
    for (const [name, entry] of Object.entries(bench.entries)) {
      const known = KNOWN_BENCH_DRIVERS.find((d) => d.name === entry.driver);
      if (!known) continue;
      this.#instruments.set(name, {
        name,
        kind: known.kind as BenchDriverKind,
        driver: entry.driver,
        tail: Promise.resolve(),
        holder: undefined,
        generation: 0,
        safing: undefined,
      });
    }
    // Checked four times per timeout: a silent client loses its holds within 1.25 timeouts.
    this.#timer = setInterval(() => this.#expireHolds(), Math.max(10, this.#heartbeatTimeoutMs / 4));
    this.#timer.unref();
    void this.#serve();
  }

  get telemetryEndpoint(): string | undefined {
    return this.#telemetry?.endpoint;
  }

  get counters(): GatewayCounters {
    return { ...this.#counters, refusedHandshakes: this.#handshakes.refused };
  }

  holders(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const instrument of this.#instruments.values()) {
      if (instrument.holder) out[instrument.name] = describeClient(instrument.holder);
    }
    return out;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      // Calls queued and not started are refused (run() sees the closing); the one in progress gets a grace.
      await Promise.race([Promise.allSettled([...this.#inFlight]), sleep(SAFE_GRACE_MS)]);
      // Replies queued up to now (CLOSED refusals among them) leave before the socket closes.
      for (let sending = this.#sending; ; sending = this.#sending) {
        await sending.catch(() => undefined);
        if (sending === this.#sending) break;
      }
      this.#socket.close();
      await this.#telemetry?.close();
      this.#unregister();
      // The bench's one safe order: light off, sources to zero and outputs off.
      await this.bench.close();
    })();
    return this.#closing;
  }

  async #serve(): Promise<void> {
    try {
      for await (const frames of this.#socket) this.#receive(frames);
    } catch (error) {
      if (!this.#closing) this.#log(`${this.name}: the socket failed (${(error as Error).message}); closing`);
      this.close().catch((closeError: unknown) =>
        this.#log(`${this.name}: closing the bench failed: ${(closeError as Error).message}`),
      );
    }
  }

  #receive(frames: Buffer[]): void {
    const received = hostMonotonic();
    this.#counters.requests += 1;
    // A ROUTER prefixes the sender's routing id; a REQ (or a DEALER that emulates one) then sends an empty delimiter.
    const delimiter = frames.findIndex((frame, i) => i > 0 && frame.length === 0);
    const envelope = frames.slice(0, delimiter > 0 ? delimiter + 1 : 1);
    const body = frames.slice(envelope.length);
    const id = (envelope[0] as Buffer).toString("hex");
    const refuse = (correlationId: number, kind: GatewayErrorKindEnum, message: string, instrument = "") => {
      this.#counters.refused += 1;
      this.#send(
        envelope,
        { correlationId, instrument, error: { kind, message, remoteClass: "GatewayRefusal" } },
        received,
      );
    };
    if (body.length !== 1) {
      refuse(
        0,
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_MALFORMED_REQUEST,
        `${this.name}: malformed request refused: expected one pms.v1.GatewayRequest frame after the envelope, got ${body.length} frames`,
      );
      return;
    }
    let request: GatewayRequestMessage;
    try {
      request = RequestCodec.decode(body[0] as Buffer);
    } catch (error) {
      refuse(
        0,
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_MALFORMED_REQUEST,
        `${this.name}: malformed request refused: cannot decode a pms.v1.GatewayRequest from ${(body[0] as Buffer).length} bytes (${(error as Error).message})`,
      );
      return;
    }
    if (request.version !== GATEWAY_PROTOCOL_VERSION) {
      refuse(
        request.correlationId,
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_VERSION_MISMATCH,
        `${this.name}: protocol version ${request.version} refused: this gateway speaks version ${GATEWAY_PROTOCOL_VERSION}`,
        request.instrument,
      );
      return;
    }
    const client = this.#heardFrom(id, request.client);
    const answer = (reply: Omit<GatewayReplyProperties, "correlationId" | "instrument">) =>
      this.#send(
        envelope,
        { ...reply, correlationId: request.correlationId, instrument: request.instrument },
        received,
      );
    if (this.#closing) {
      refuse(
        request.correlationId,
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_CLOSED,
        `${this.name} is closing`,
        request.instrument,
      );
      return;
    }
    if (client.inFlight >= MAX_REQUESTS_IN_PROGRESS) {
      refuse(
        request.correlationId,
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_TOO_MANY_REQUESTS,
        `${this.name}: ${describeClient(client)} has ${client.inFlight} requests in progress, the most it may: ` +
          "wait for their replies",
        request.instrument,
      );
      return;
    }
    client.inFlight += 1;
    const work = this.#perform(request, client, received, answer)
      .catch((error: unknown) => answer({ error: toWireError(error) }))
      .finally(() => {
        client.inFlight -= 1;
      });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #perform(
    request: GatewayRequestMessage,
    client: Client,
    received: number,
    answer: (reply: Omit<GatewayReplyProperties, "correlationId" | "instrument">) => void,
  ): Promise<void> {
    switch (request.op) {
      case "heartbeat":
        answer({ result: { flag: true } });
        return;
      case "status":
        answer({ status: this.#status() });
        return;
      case "release":
        if (request.instrument === "") {
          await Promise.all(
            [...this.#instruments.values()]
              .filter((i) => i.holder === client)
              .map((i) => this.#release(i, `${describeClient(client)}'s release`)),
          );
        } else {
          const instrument = this.#instrument(request.instrument);
          this.#checkHold(instrument, client);
          if (instrument.holder === client) {
            await this.#release(instrument, `${describeClient(client)}'s release`);
          }
        }
        answer({ result: { flag: true } });
        return;
      case "hold": {
        const instrument = this.#instrument(request.instrument);
        this.#take(instrument, client);
        answer({ result: { flag: true } });
        return;
      }
      case "call": {
        const instrument = this.#instrument(request.instrument);
        const generation = this.#take(instrument, client);
        const deadline =
          received + (request.deadlineMs > 0 ? request.deadlineMs : this.#defaultDeadlineMs) / 1000;
        const call = request.call as NonNullable<GatewayRequestMessage["call"]>;
        const args = (call.args ?? []).map((a) => fromGatewayValue(a));
        const exchanges: ScpiExchange[] = [];
        const run = async () => {
          if (hostMonotonic() > deadline) {
            throw new GatewayRefusal(
              GatewayErrorKindEnum.GATEWAY_ERROR_KIND_DEADLINE_EXCEEDED,
              `${this.name}: ${call.method} on ${instrument.name} not started: its deadline passed while it waited`,
            );
          }
          // The hold it was queued under must still be in force: not released, expired or closed since.
          if (this.#closing) {
            throw new GatewayRefusal(
              GatewayErrorKindEnum.GATEWAY_ERROR_KIND_CLOSED,
              `${this.name}: ${call.method} on ${instrument.name} not started: the gateway is closing`,
            );
          }
          if (instrument.holder !== client || instrument.generation !== generation) {
            throw new GatewayRefusal(
              GatewayErrorKindEnum.GATEWAY_ERROR_KIND_HELD,
              `${this.name}: ${call.method} on ${instrument.name} not started: ${describeClient(client)} ` +
                "lost its hold on it (released, or its heartbeats missed) while the call waited",
            );
          }
          this.#capture.set(instrument.name, exchanges);
          try {
            return await callMethod(
              instrument.kind,
              this.bench.instruments[instrument.name] as never,
              call.method ?? "",
              args,
            );
          } finally {
            this.#capture.delete(instrument.name);
          }
        };
        const done = instrument.tail.then(run, run);
        instrument.tail = done.catch(() => undefined);
        try {
          const value = await done;
          this.#telemetry?.publish(this.bench, instrument.name, call.method ?? "", value as GatewayJs);
          answer({
            result: toGatewayValue(value, `${call.method}'s result`),
            exchanges: exchanges.map(wireExchange),
          });
        } catch (error) {
          answer({ error: toWireError(error), exchanges: exchanges.map(wireExchange) });
        }
        return;
      }
      default:
        throw new GatewayRefusal(
          GatewayErrorKindEnum.GATEWAY_ERROR_KIND_MALFORMED_REQUEST,
          `${this.name}: a request with no operation (call, hold, release, heartbeat or status)`,
        );
    }
  }

  #instrument(name: string): Instrument {
    const instrument = this.#instruments.get(name);
    if (!instrument) {
      throw new GatewayRefusal(
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_UNKNOWN_INSTRUMENT,
        `${this.name}: no instrument ${JSON.stringify(name)} on its bench (it has ${[...this.#instruments.keys()].join(", ")})`,
      );
    }
    return instrument;
  }

  #checkHold(instrument: Instrument, client: Client): void {
    if (instrument.safing) {
      throw new GatewayRefusal(
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_HELD,
        `${this.name}: ${instrument.name} is being made safe after ${instrument.safing.after}; try again when it is done`,
      );
    }
    if (instrument.holder !== undefined && instrument.holder !== client) {
      throw new GatewayRefusal(
        GatewayErrorKindEnum.GATEWAY_ERROR_KIND_HELD,
        `${this.name}: ${instrument.name} is held by ${describeClient(instrument.holder)}`,
      );
    }
  }

  /** Takes (or keeps) the instrument for `client`; returns the hold's generation, for its calls to check. */
  #take(instrument: Instrument, client: Client): number {
    this.#checkHold(instrument, client);
    instrument.holder = client;
    return instrument.generation;
  }

  /**
   * Ends the hold at once (calls queued under it will not run; nobody can
   * take the instrument meanwhile), waits up to SAFE_GRACE_MS for the call in
   * progress, then makes the instrument safe (the bench driver's safe
   * action) and frees it. A second release while one runs joins it.
   */
  #release(instrument: Instrument, after: string): Promise<void> {
    if (instrument.safing) return instrument.safing.done;
    instrument.holder = undefined;
    instrument.generation += 1;
    const inProgress = instrument.tail;
    const done = (async () => {
      try {
        await Promise.race([inProgress, sleep(SAFE_GRACE_MS)]);
        const driver = BENCH_DRIVERS[instrument.driver];
        const handle = this.bench.instruments[instrument.name];
        if (driver && handle) await driver.makeSafe(handle);
      } finally {
        instrument.safing = undefined;
      }
    })();
    instrument.safing = { done, after };
    instrument.tail = done.catch(() => undefined);
    return done;
  }

  #heardFrom(id: string, name: string): Client {
    let client = this.#clients.get(id);
    if (!client) {
      client = { id, name, lastSeen: 0, inFlight: 0 };
      this.#clients.set(id, client);
    }
    if (name) client.name = name;
    client.lastSeen = hostMonotonic() * 1000;
    return client;
  }

  /** Takes back the holds of clients silent for the heartbeat timeout, making their instruments safe. */
  #expireHolds(): void {
    const now = hostMonotonic() * 1000;
    for (const instrument of this.#instruments.values()) {
      const holder = instrument.holder;
      if (!holder || now - holder.lastSeen <= this.#heartbeatTimeoutMs) continue;
      this.#counters.expiredHolds += 1;
      this.#log(
        `${this.name}: ${describeClient(holder)} sent nothing for ${((now - holder.lastSeen) / 1000).toFixed(1)} s: ` +
          `it loses ${instrument.name}, which is made safe`,
      );
      this.#release(instrument, `${describeClient(holder)} missed its heartbeats`).catch((error: unknown) =>
        this.#log(`${this.name}: making ${instrument.name} safe failed: ${(error as Error).message}`),
      );
    }
    for (const [id, client] of this.#clients) {
      // Forgotten when long silent, holding nothing and waiting on nothing (a holder's identity is its hold's).
      const holds = [...this.#instruments.values()].some((i) => i.holder === client);
      if (now - client.lastSeen > 10 * this.#heartbeatTimeoutMs && client.inFlight === 0 && !holds) {
        this.#clients.delete(id);
      }
    }
  }

  #status() {
    return {
      instruments: [...this.#instruments.values()].map((i) => ({
        name: i.name,
        kind: i.kind,
        driver: i.driver,
        heldBy: i.holder ? describeClient(i.holder) : "",
      })),
      requests: this.#counters.requests,
      replies: this.#counters.replies,
      refused: this.#counters.refused,
      expiredHolds: this.#counters.expiredHolds,
    };
  }

  /** Queues a reply: zeromq.js takes one send at a time per socket. */
  #send(envelope: Buffer[], reply: GatewayReplyProperties, received: number): void {
    const frame = GatewayReplyMessage.encode({
      ...reply,
      version: GATEWAY_PROTOCOL_VERSION,
      gateway: this.name,
      received,
      sent: hostMonotonic(),
    }).finish();
    this.#counters.replies += 1;
    this.#sending = this.#sending.then(() => this.#socket.send([...envelope, frame])).catch(() => undefined);
  }
}

function describeClient(client: Client): string {
  return `${client.name || "a client"} (routing id ${client.id})`;
}

function wireExchange(exchange: ScpiExchange): GatewayExchangeProperties {
  return {
    command: exchange.command,
    ...(exchange.reply !== undefined && {
      reply:
        typeof exchange.reply === "string"
          ? exchange.reply
          : `<${exchange.reply.length} bytes of block data>`,
    }),
    startTime: exchange.startTime,
    duration: exchange.duration,
    time: exchange.time,
    timebaseDuration: exchange.timebaseDuration,
    error: exchange.error ? `${exchange.error.name}: ${exchange.error.message}` : "",
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
