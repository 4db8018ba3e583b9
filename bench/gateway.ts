/**
 * The gateway across machines (issue 19, "Performance"), on loopback:
 * - telemetry: SampleBatches of 1000 samples through the gateway's
 *   publisher (each batch encoded from its columns, then sent) against raw
 *   zeromq.js PUB/SUB carrying the same encoded payload; messages/s and
 *   MB/s at the subscriber. Target: at least 80 % of raw. Both sockets keep
 *   every message (no high-water mark), so that a drop cannot pass for speed;
 * - the same telemetry with CURVE on (its overhead, no target);
 * - remote round trips: one SCPI query's worth of call through a gateway
 *   (`SourceMeter.sourceVoltage.get`) against the same query over direct
 *   TCP through the driver, on a virtual 2400 (event clock, this process).
 */
import { Publisher, Subscriber } from "zeromq";
import { serveEmbeddedBench } from "../src/bench/embedded.js";
import { openBench } from "../src/bench/open.js";
import { connectGateway, serveGateway, TelemetryPublisher } from "../src/gateway/index.js";
import { newKeyPair, registerZapDomain } from "../src/gateway/security.js";
import type { SampleBatch } from "../src/proto/sample-batch.js";
import { encodeSampleBatch } from "../src/proto/sample-batch-codec.js";
import { type BenchModule, type BenchOptions, type BenchRow, median } from "./harness.js";

/** Batches a telemetry run sends, and samples a batch holds. */
const MESSAGES = 4000;
const SAMPLES = 1000;
/** Calls a round-trip run makes. */
const CALLS = 1000;

function batchOf(sequence: number): SampleBatch {
  const times = new Float64Array(SAMPLES);
  const values = new Float64Array(SAMPLES);
  for (let k = 0; k < SAMPLES; k++) {
    times[k] = sequence + k * 1e-4;
    values[k] = Math.sin(k);
  }
  return { sourceId: "smu1.current", quantity: "current", unit: "A", sequence, times, values, wallTime: 0 };
}

/**
 * A subscriber's messages, one receive at a time (zeromq.js allows one in
 * progress): a receive that a timeout gave up on is kept for the next read.
 */
class Inbox {
  #pending: Promise<Buffer[]> | undefined;
  constructor(readonly socket: Subscriber) {}

  /** The next message, or undefined if none comes within `ms`. */
  async next(ms = Number.POSITIVE_INFINITY): Promise<Buffer[] | undefined> {
    this.#pending ??= this.socket.receive();
    const pending = this.#pending;
    const got = await (Number.isFinite(ms)
      ? Promise.race([pending, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))])
      : pending);
    if (got) this.#pending = undefined;
    return got;
  }
}

/** Receives `count` messages; resolves with the bytes received. */
async function drain(inbox: Inbox, count: number): Promise<number> {
  let bytes = 0;
  for (let k = 0; k < count; k++) {
    const frames = (await inbox.next()) as Buffer[];
    bytes += (frames[1] as Buffer).length;
  }
  return bytes;
}

/** A subscriber past the slow joiner: probes are sent until one arrives, then the stragglers are read. */
async function connected(inbox: Inbox, probe: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    await probe();
    if (await inbox.next(20)) {
      while (await inbox.next(100)) {
        // A probe sent before the first arrived.
      }
      return;
    }
  }
  throw new Error("telemetry bench: the subscriber never connected");
}

/** Milliseconds for `MESSAGES` batches from `send` to arrive at `subscriber`. */
async function timed(
  subscriber: Inbox,
  send: (k: number) => Promise<unknown>,
): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const received = drain(subscriber, MESSAGES);
  for (let k = 0; k < MESSAGES; k++) await send(k);
  const bytes = await received;
  return { ms: performance.now() - start, bytes };
}

async function telemetryRows(options: BenchOptions): Promise<BenchRow[]> {
  const payload = encodeSampleBatch(batchOf(0));
  // The batches a call's readings make, made beforehand: the publisher's part is encoding and sending them.
  const batches = Array.from({ length: MESSAGES }, (_, k) => batchOf(k));
  const server = newKeyPair();
  const client = newKeyPair();
  const zap = await registerZapDomain({ allowed: new Set([client.publicKey]), refused: () => undefined });
  const raw = new Publisher({ linger: 0, sendHighWaterMark: 0 });
  await raw.bind("tcp://127.0.0.1:*");
  const plain = await TelemetryPublisher.bind("tcp://127.0.0.1:*", {}, 0);
  const curved = await TelemetryPublisher.bind(
    "tcp://127.0.0.1:*",
    { curve: { keys: server, zapDomain: zap.domain } },
    0,
  );
  const subscriber = (endpoint: string, curve?: boolean) => {
    const socket = new Subscriber({
      linger: 0,
      receiveHighWaterMark: 0,
      ...(curve && {
        curveServerKey: server.publicKey,
        curvePublicKey: client.publicKey,
        curveSecretKey: client.secretKey,
      }),
    });
    socket.connect(endpoint);
    socket.subscribe("");
    return new Inbox(socket);
  };
  const rawSub = subscriber(raw.lastEndpoint as string);
  const plainSub = subscriber(plain.endpoint);
  const curvedSub = subscriber(curved.endpoint, true);
  try {
    await connected(rawSub, () => raw.send(["smu1.current", payload]));
    await connected(plainSub, () => plain.publishBatch(batchOf(0)));
    await connected(curvedSub, () => curved.publishBatch(batchOf(0)));
    const runs = {
      raw: [] as number[],
      gateway: [] as number[],
      curve: [] as number[],
      ratios: [] as number[],
    };
    let bytes = 0;
    // Turns, so that a change in the machine's state hits all three alike; each run's own ratio is judged.
    // This VM's loopback throughput swings within a minute: more turns than other benches, the order alternated.
    const turns = Math.max(options.repetitions, 9);
    for (let n = 0; n < options.warmup + turns; n++) {
      const rawRun = () => timed(rawSub, () => raw.send(["smu1.current", payload]));
      const gatewayRun = () => timed(plainSub, (k) => plain.publishBatch(batches[k] as SampleBatch));
      const [a, b] = n % 2 === 0 ? [await rawRun(), await gatewayRun()] : [undefined, await gatewayRun()];
      const aa = a ?? (await rawRun());
      const c = await timed(curvedSub, (k) => curved.publishBatch(batches[k] as SampleBatch));
      if (n < options.warmup) continue;
      runs.raw.push(aa.ms);
      runs.gateway.push(b.ms);
      runs.curve.push(c.ms);
      runs.ratios.push(aa.ms / b.ms);
      bytes = b.bytes;
    }
    const rate = (ms: number) =>
      `${((MESSAGES / ms) * 1e3).toFixed(0)} msg/s, ${(bytes / ms / 1e3).toFixed(0)} MB/s`;
    const [raw1, gateway1, curve1] = [median(runs.raw), median(runs.gateway), median(runs.curve)];
    return [
      {
        bench: "gateway",
        case: `telemetry, ${SAMPLES}-sample batches`,
        work: MESSAGES,
        workUnit: "messages",
        medianMs: { gateway: gateway1, "raw zeromq": raw1 },
        notes: `gateway publisher ${rate(gateway1)} vs raw PUB/SUB ${rate(raw1)}; ${(100 * median(runs.ratios)).toFixed(0)} % of raw, median of the runs' paired ratios (target ≥ 80 %)`,
        targets: [{ subject: "gateway", against: "raw zeromq", atLeast: 0.8 }],
        comparesResults: false,
        pairedRatio: median(runs.ratios),
      },
      {
        bench: "gateway",
        case: `telemetry with CURVE, ${SAMPLES}-sample batches`,
        work: MESSAGES,
        workUnit: "messages",
        medianMs: { gateway: curve1, "raw zeromq": raw1 },
        notes: `CURVE on: ${rate(curve1)}; ${(curve1 / gateway1).toFixed(2)}× the time of the gateway's plain publisher (no target)`,
        comparesResults: false,
      },
    ];
  } finally {
    for (const inbox of [rawSub, plainSub, curvedSub]) inbox.socket.close();
    raw.close();
    await plain.close();
    await curved.close();
    zap.unregister();
  }
}

async function roundTripRows(options: BenchOptions): Promise<BenchRow[]> {
  const embedded = await serveEmbeddedBench({ clock: "event", clockControl: false });
  const file = { ...embedded.file, instruments: { smu1: embedded.file.instruments.smu1 } };
  const gateway = await serveGateway(file, {
    insecure: true,
    open: { timebase: embedded.clock },
    log: () => undefined,
  });
  const direct = await openBench(file, { timebase: embedded.clock });
  const client = connectGateway(gateway.endpoint, { name: "bench" });
  try {
    const smu = direct.sourceMeter("smu1");
    const through = { gateway: [] as number[], direct: [] as number[], ratios: [] as number[] };
    for (let n = 0; n < options.warmup + options.repetitions; n++) {
      let start = performance.now();
      for (let k = 0; k < CALLS; k++) await client.call("smu1", "SourceMeter.sourceVoltage.get");
      const g = performance.now() - start;
      start = performance.now();
      for (let k = 0; k < CALLS; k++) await smu.sourceVoltage.get();
      const d = performance.now() - start;
      if (n < options.warmup) continue;
      through.gateway.push(g);
      through.direct.push(d);
      through.ratios.push(d / g);
    }
    const [g, d] = [median(through.gateway), median(through.direct)];
    return [
      {
        bench: "gateway",
        case: "remote round trips, :SOUR:VOLT? on a virtual 2400",
        work: CALLS,
        workUnit: "calls",
        medianMs: { gateway: g, "direct tcp": d },
        notes: `through the gateway ${((CALLS / g) * 1e3).toFixed(0)}/s vs the driver over direct TCP ${((CALLS / d) * 1e3).toFixed(0)}/s: ${(100 * median(through.ratios)).toFixed(0)} % (no target; one process holds the bench, the gateway and both clients)`,
        comparesResults: false,
      },
    ];
  } finally {
    await client.close();
    await direct.close();
    await gateway.close();
    await embedded.close();
  }
}

export const gatewayBench: BenchModule = {
  name: "gateway",
  description: `the gateway: telemetry of ${SAMPLES}-sample batches vs raw zeromq PUB/SUB (plain and CURVE), remote round trips vs direct TCP`,
  async run(options) {
    return [...(await telemetryRows(options)), ...(await roundTripRows(options))];
  },
};
