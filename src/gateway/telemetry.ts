/**
 * The gateway's telemetry (issue 19): every reading a call through the
 * gateway takes is published as a `pms.v1.SampleBatch` on a ZeroMQ PUB
 * socket, whoever made the call, so that a monitor on another host (the
 * twin, a dashboard, the Python example) sees the bench live without
 * holding anything.
 *
 * - A message is two frames: the batch's source id as the topic
 *   ("smu1.current": subscribe to "smu1." for one instrument, "" for all),
 *   then the encoded batch (src/proto/sample-batch-codec.ts).
 * - Each source id counts its batches from 0 (`sequence`); a subscriber
 *   that sees a number skipped reports the gap (`subscribeTelemetry`). A
 *   PUB socket drops what a slow subscriber cannot take, silently: the
 *   sequence numbers are how a loss is seen, never hidden.
 * - Times are on the gateway bench's timebase (the bench clock of a virtual
 *   bench; host-monotonic time on hardware, which a client maps onto its
 *   own with the offset it estimates, client.ts `toLocalTime`);
 *   instruments' own timestamps are mapped there by `bench.toRunTime`.
 * - The PUB socket takes the gateway's CURVE keys and ZAP domain: only
 *   allowed keys subscribe.
 */
import { Publisher, Subscriber } from "zeromq";
import type { Bench } from "../bench/open.js";
import type { SampleBatch } from "../proto/sample-batch.js";
import { decodeSampleBatch, encodeSampleBatch } from "../proto/sample-batch-codec.js";
import type { CurveKeyPair } from "./security.js";
import type { GatewayJs } from "./values.js";

/** What a call's result publishes: one batch per quantity it holds. */
interface Column {
  readonly quantity: string;
  readonly unit: string;
  readonly values: Float64Array;
  /** Instrument timestamps (mapped by bench.toRunTime), or undefined: the bench's now. */
  readonly instrumentTimes?: Float64Array;
}

const isRecord = (value: GatewayJs): value is { readonly [name: string]: GatewayJs } =>
  typeof value === "object" && value !== null && !(value instanceof Float64Array);

/** The readings in a call's result, by method; none for a call that takes no reading. */
function readingsOf(method: string, value: GatewayJs): Column[] {
  const kindMethod = method.slice(method.indexOf(".") + 1);
  const scalar = (quantity: string, unit: string, v: number, time?: number): Column => ({
    quantity,
    unit,
    values: Float64Array.of(v),
    ...(time !== undefined && Number.isFinite(time) && { instrumentTimes: Float64Array.of(time) }),
  });
  if (
    (method === "PowerMeter.read" ||
      method === "PowerMeter.fetch" ||
      method === "TunableLaser.monitoredPower") &&
    typeof value === "number"
  ) {
    return [scalar("power", "W", value)];
  }
  if (method === "SourceMeter.read" && isRecord(value)) {
    const time = typeof value.time === "number" ? value.time : undefined;
    return (["voltage", "current"] as const)
      .filter((q) => typeof value[q] === "number" && Number.isFinite(value[q]))
      .map((q) => scalar(q, q === "voltage" ? "V" : "A", value[q] as number, time));
  }
  if (kindMethod === "hardwareSweep" && isRecord(value)) {
    const time =
      value.time instanceof Float64Array && value.time.every(Number.isFinite) ? value.time : undefined;
    return (["voltage", "current"] as const)
      .filter((q) => value[q] instanceof Float64Array && (value[q] as Float64Array).some(Number.isFinite))
      .map((q) => ({
        quantity: q,
        unit: q === "voltage" ? "V" : "A",
        values: value[q] as Float64Array,
        ...(time && { instrumentTimes: time }),
      }));
  }
  return [];
}

/** The gateway's side: a PUB socket and the sequence numbers of its sources. */
export class TelemetryPublisher {
  readonly #socket: Publisher;
  readonly #sequences = new Map<string, number>();
  #sending: Promise<unknown> = Promise.resolve();
  /** Batches published. */
  published = 0;

  private constructor(
    socket: Publisher,
    readonly endpoint: string,
  ) {
    this.#socket = socket;
  }

  static async bind(
    endpoint: string,
    security: { curve?: { keys: CurveKeyPair; zapDomain: string } },
    /** Messages queued per subscriber before the PUB drops (ZMQ_SNDHWM; default libzmq's 1000; 0: no limit). */
    highWaterMark?: number,
  ): Promise<TelemetryPublisher> {
    const socket = new Publisher({
      linger: 0,
      ...(highWaterMark !== undefined && { sendHighWaterMark: highWaterMark }),
      ...(security.curve && {
        curveServer: true,
        curveSecretKey: security.curve.keys.secretKey,
        zapDomain: security.curve.zapDomain,
        zapEnforceDomain: true,
      }),
    });
    try {
      await socket.bind(endpoint);
    } catch (cause) {
      socket.close();
      throw new Error(`cannot bind the telemetry endpoint ${endpoint}: ${(cause as Error).message}`, {
        cause,
      });
    }
    return new TelemetryPublisher(socket, socket.lastEndpoint ?? endpoint);
  }

  /** Publishes the readings in `value`, the result of `method` on `instrument` (nothing for a call that took none). */
  publish(bench: Bench, instrument: string, method: string, value: GatewayJs): void {
    for (const column of readingsOf(method, value)) {
      const sourceId = `${instrument}.${column.quantity}`;
      const sequence = this.#sequences.get(sourceId) ?? 0;
      this.#sequences.set(sourceId, (sequence + 1) % 2 ** 32);
      const times = column.instrumentTimes
        ? bench.toRunTime(instrument, column.instrumentTimes)
        : new Float64Array(column.values.length).fill(bench.timebase.now());
      // Its failure (the socket closed under it) is the sequence's to show, not a crash.
      void this.publishBatch({
        sourceId,
        quantity: column.quantity,
        unit: column.unit,
        sequence,
        times,
        values: Float64Array.from(column.values),
        wallTime: Date.now() / 1000,
      }).catch(() => undefined);
    }
  }

  /** Publishes one batch as it is (its topic its source id); resolves once it is handed to the socket, rejects if the socket fails. */
  publishBatch(batch: SampleBatch): Promise<unknown> {
    const frames = [batch.sourceId, encodeSampleBatch(batch)];
    this.published += 1;
    // One send at a time (zeromq.js); a PUB never blocks: at its high-water mark it drops, which the sequence
    // shows. With none in progress the batch goes at once, without a turn through the queue.
    const sent =
      this.#inProgress === 0
        ? this.#socket.send(frames)
        : this.#sending.then(() => this.#socket.send(frames));
    this.#inProgress += 1;
    this.#sending = sent.then(this.#sent, this.#sent);
    return sent;
  }

  /** Sends handed to the socket and not yet taken. */
  #inProgress = 0;
  readonly #sent = (): void => {
    this.#inProgress -= 1;
  };

  async close(): Promise<void> {
    await this.#sending;
    this.#socket.close();
  }
}

/** A gap in a source's batches: `missing` batches before `sequence` never arrived. */
export interface TelemetryGap {
  readonly sourceId: string;
  readonly sequence: number;
  readonly missing: number;
}

export interface TelemetryOptions {
  /** Topics (source-id prefixes: "smu1." for one instrument); default all. */
  readonly topics?: readonly string[];
  /** CURVE: the gateway's public key and this subscriber's pair (on the gateway's allowlist). */
  readonly curve?: { readonly serverKey: string; readonly keys: CurveKeyPair };
  /** Told of every gap in a source's sequence numbers (default: none; gaps are counted in `gaps` either way). */
  readonly onGap?: (gap: TelemetryGap) => void;
}

/**
 * A subscriber to a gateway's telemetry: an async iterable of its batches,
 * decoded, with the gaps in each source's sequence numbers counted and
 * reported. A frame that does not decode is counted (`undecodable`), never
 * passed on. ZeroMQ subscriptions take a moment to reach the publisher:
 * what is published just after connecting may not arrive (a gap shows it).
 */
export class TelemetrySubscriber implements AsyncIterable<SampleBatch> {
  readonly #socket: Subscriber;
  readonly #next = new Map<string, number>();
  readonly #onGap?: (gap: TelemetryGap) => void;
  /** Batches known lost, summed over sources. */
  gaps = 0;
  undecodable = 0;

  constructor(
    readonly endpoint: string,
    options: TelemetryOptions = {},
  ) {
    const curve = options.curve;
    this.#socket = new Subscriber({
      linger: 0,
      ...(curve && {
        curveServerKey: curve.serverKey,
        curvePublicKey: curve.keys.publicKey,
        curveSecretKey: curve.keys.secretKey,
      }),
    });
    if (options.onGap) this.#onGap = options.onGap;
    this.#socket.connect(endpoint);
    for (const topic of options.topics ?? [""]) this.#socket.subscribe(topic);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SampleBatch> {
    try {
      for await (const frames of this.#socket) {
        const body = frames[frames.length - 1];
        if (frames.length !== 2 || !body) {
          this.undecodable += 1;
          continue;
        }
        let batch: SampleBatch;
        try {
          batch = decodeSampleBatch(body);
        } catch {
          this.undecodable += 1;
          continue;
        }
        const expected = this.#next.get(batch.sourceId);
        if (expected !== undefined && batch.sequence !== expected) {
          const missing = (batch.sequence - expected + 2 ** 32) % 2 ** 32;
          this.gaps += missing;
          this.#onGap?.({ sourceId: batch.sourceId, sequence: batch.sequence, missing });
        }
        this.#next.set(batch.sourceId, (batch.sequence + 1) % 2 ** 32);
        yield batch;
      }
    } catch {
      // Closed.
    }
  }

  close(): void {
    this.#socket.close();
  }
}

/** Subscribes to a gateway's telemetry endpoint. */
export function subscribeTelemetry(endpoint: string, options: TelemetryOptions = {}): TelemetrySubscriber {
  return new TelemetrySubscriber(endpoint, options);
}
