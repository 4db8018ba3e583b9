/**
 * The instrument gateway over real ZeroMQ sockets on 127.0.0.1: a virtual
 * bench (the 2400 on the memristor, the 2450 on the heater, the power
 * meter), a gateway owning it through a bench object with safety limits,
 * and clients calling it. What the instruments did is checked through the
 * virtual instruments' own records of what they were commanded, never
 * through a driver's belief.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capability, Dealer, Publisher } from "zeromq";
import { InstrumentTimeoutError, SafetyLimitError } from "../../src/drivers/errors.js";
import {
  connectGateway,
  GATEWAY_PROTOCOL_VERSION,
  type Gateway,
  type GatewayClient,
  type GatewayClientOptions,
  GatewayError,
  type GatewayOptions,
  GatewayUnreachableError,
  MAX_REQUESTS_IN_PROGRESS,
  serveGateway,
  subscribeTelemetry,
  type TelemetryGap,
} from "../../src/gateway/index.js";
import { fingerprint, newKeyPair, parseAllowlist } from "../../src/gateway/security.js";
import { GatewayReplyMessage, GatewayRequestMessage } from "../../src/proto/index.js";
import type { SampleBatch } from "../../src/proto/sample-batch.js";
import { encodeSampleBatch } from "../../src/proto/sample-batch-codec.js";
import { type SourceState, serveVirtualBench, type VirtualBench } from "../../src/virtual/index.js";

let virtual: VirtualBench;
let gateway: Gateway;
const clients: GatewayClient[] = [];
const records: Record<string, SourceState[]> = { smu1: [], smu2: [] };
const logged: string[] = [];

function benchObject() {
  const tcp = (name: string) => virtual.resources.instruments[name]?.tcp as string;
  return {
    name: "gateway test bench",
    instruments: {
      smu1: {
        driver: "keithley2400",
        resource: tcp("smu1"),
        connects: "memristor",
        timeoutMs: 500,
        limits: { maxAbsVoltage: 1.5, maxAbsCurrent: 0.01, maxVoltageStep: 0.25 },
      },
      smu2: {
        driver: "keithley2450",
        resource: tcp("smu2"),
        connects: "heater",
        limits: { maxAbsVoltage: 2, maxAbsCurrent: 0.02, maxVoltageStep: 0.5 },
      },
      meter: { driver: "thorlabs-pm100", resource: tcp("meter"), connects: "fibre output" },
    },
  };
}

async function start(options: Partial<GatewayOptions> = {}) {
  gateway = await serveGateway(benchObject(), {
    name: "gateway@test",
    open: { timebase: virtual.clock },
    log: (line) => logged.push(line),
    ...(options.curve ? {} : { insecure: true }),
    ...options,
  });
}

function client(name: string, options: GatewayClientOptions = {}): GatewayClient {
  const made = connectGateway(gateway.endpoint, { name, timeoutMs: 5000, ...options });
  clients.push(made);
  return made;
}

/** The last level and output state the virtual instrument was commanded. */
function last(name: "smu1" | "smu2"): SourceState | undefined {
  return records[name]?.at(-1);
}

beforeEach(async () => {
  records.smu1 = [];
  records.smu2 = [];
  logged.length = 0;
  virtual = await serveVirtualBench({
    clock: "event",
    clockControl: false,
    instruments: {
      smu1: {
        model: "keithley2400",
        port: "memristor",
        noise: false,
        onSource: (s) => records.smu1?.push(s),
      },
      smu2: { model: "keithley2450", port: "heater", noise: false, onSource: (s) => records.smu2?.push(s) },
      meter: { model: "thorlabs-pm100", noise: false },
    },
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await gateway?.close();
  await virtual.close();
});

describe("calls through the gateway", () => {
  it("runs a source-meter's methods and properties through the gateway's driver, with the exchanges they caused", async () => {
    await start();
    const alice = client("alice");
    await alice.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    const ramp = await alice.callWithExchanges("smu1", "SourceMeter.rampTo", [0.5]);
    // The bench's step limit (0.25 V): the ramp went out in two steps, each an exchange.
    expect(ramp.exchanges.filter((e) => /SOUR:VOLT/.test(e.command)).length).toBeGreaterThanOrEqual(2);
    expect(ramp.exchanges.every((e) => e.error === "")).toBe(true);
    expect(last("smu1")).toMatchObject({ outputEnabled: true, level: 0.5 });
    const reading = (await alice.call("smu1", "SourceMeter.read")) as Record<string, number>;
    expect(reading.voltage).toBeCloseTo(0.5, 6);
    expect(reading.current).toBeGreaterThan(0);
    expect(await alice.call("smu1", "SourceMeter.sourceVoltage.get")).toBeCloseTo(0.5, 9);
    // A power meter's reading, a number.
    expect(typeof (await alice.call("meter", "PowerMeter.read"))).toBe("number");
  });

  it("refuses a setpoint over the bench file's limit with a SafetyLimitError naming the instrument and the gateway; the instrument never sees it", async () => {
    await start();
    const alice = client("alice");
    await alice.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    const refused = await alice.call("smu1", "SourceMeter.rampTo", [3]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SafetyLimitError);
    expect((refused as SafetyLimitError).limit).toBe("maxAbsVoltage");
    expect((refused as SafetyLimitError).limitValue).toBe(1.5);
    expect((refused as Error).message).toContain(`ZMQ::${gateway.endpoint}::smu1`);
    expect((refused as Error).message).toContain("gateway@test");
    const set = await alice.call("smu1", "SourceMeter.sourceVoltage.set", [-2]).catch((e: unknown) => e);
    expect(set).toBeInstanceOf(SafetyLimitError);
    expect(Math.max(...(records.smu1 ?? []).map((s) => Math.abs(s.level)))).toBeLessThanOrEqual(1.5);
  });

  it("brings a timeout on the far side back as an InstrumentTimeoutError naming the gateway and the instrument", async () => {
    await start();
    const alice = client("alice");
    virtual.instruments.smu1?.instrument.injectFault({ kind: "drop-reply" });
    const error = await alice.call("smu1", "SourceMeter.sourceVoltage.get").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect((error as Error).message).toContain(`ZMQ::${gateway.endpoint}::smu1 (through gateway@test)`);
    expect((error as InstrumentTimeoutError).timeoutMs).toBe(500);
    // The gateway goes on serving.
    expect(await alice.call("smu2", "SourceMeter.outputEnabled.get")).toBe(false);
  });
});

describe("telemetry", () => {
  /** A `next()` still waiting, per iterator: one timed out is kept for the next take, so that no batch is lost to it. */
  const waiting = new WeakMap<AsyncIterator<SampleBatch>, Promise<IteratorResult<SampleBatch>>>();

  /** The next `count` batches of a subscriber, or fewer if `ms` pass first. */
  async function take(iterator: AsyncIterator<SampleBatch>, count: number, ms = 3000) {
    const got: SampleBatch[] = [];
    const deadline = Date.now() + ms;
    while (got.length < count && Date.now() < deadline) {
      const pending = waiting.get(iterator) ?? iterator.next();
      waiting.set(iterator, pending);
      const next = await Promise.race([
        pending,
        new Promise<undefined>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
      if (!next) break;
      waiting.delete(iterator);
      if (next.done) break;
      got.push(next.value);
    }
    return got;
  }

  it("publishes every reading a call takes as SampleBatches, by source, numbered, on the bench's timebase, to allowed keys only", async () => {
    const [server, alice, mallory] = [newKeyPair(), newKeyPair(), newKeyPair()];
    await start({ curve: { keys: server, allow: [alice.publicKey] }, telemetry: "tcp://127.0.0.1:*" });
    const calls = client("alice", { curve: { serverKey: server.publicKey, keys: alice } });
    const watcher = subscribeTelemetry(gateway.telemetryEndpoint as string, {
      topics: ["smu1."],
      curve: { serverKey: server.publicKey, keys: alice },
    });
    const intruder = subscribeTelemetry(gateway.telemetryEndpoint as string, {
      curve: { serverKey: server.publicKey, keys: mallory },
    });
    try {
      const batches = watcher[Symbol.asyncIterator]();
      const stolen = intruder[Symbol.asyncIterator]();
      await calls.call("smu1", "SourceMeter.outputEnabled.set", [true]);
      await calls.call("smu1", "SourceMeter.rampTo", [0.5]);
      // A subscription takes a moment to reach the publisher: read until the first batch arrives.
      let first: SampleBatch[] = [];
      for (let attempt = 0; attempt < 50 && first.length === 0; attempt++) {
        await calls.call("smu1", "SourceMeter.read");
        first = await take(batches, 1, 100);
      }
      expect(first).toHaveLength(1);
      const readings: Record<string, number>[] = [];
      const before = virtual.clock.now();
      for (let k = 0; k < 5; k++)
        readings.push((await calls.call("smu1", "SourceMeter.read")) as Record<string, number>);
      await calls.call("meter", "PowerMeter.read");
      const got = [...first, ...(await take(batches, 11))];
      const bySource = (id: string) => got.filter((b) => b.sourceId === id);
      const current = bySource("smu1.current").slice(-5);
      expect(current.map((b) => b.values[0])).toEqual(readings.map((r) => r.current));
      expect(current.every((b) => b.unit === "A" && b.quantity === "current")).toBe(true);
      expect(bySource("smu1.voltage").length).toBeGreaterThanOrEqual(5);
      // Numbered per source without a gap; on the bench clock's timebase, in time order.
      for (const source of ["smu1.current", "smu1.voltage"]) {
        const numbers = bySource(source).map((b) => b.sequence);
        expect(numbers).toEqual(numbers.map((_, k) => (numbers[0] as number) + k));
      }
      const times = current.map((b) => b.times[0] as number);
      expect(times[0]).toBeGreaterThanOrEqual(before);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(watcher.gaps).toBe(0);
      // Its topic was smu1.: the meter's reading is not there.
      expect(got.some((b) => b.sourceId.startsWith("meter."))).toBe(false);
      // An unknown key subscribes to nothing, and its handshake was refused.
      expect(await take(stolen, 1, 300)).toHaveLength(0);
      expect(gateway.counters.refusedHandshakes).toBeGreaterThanOrEqual(1);
    } finally {
      watcher.close();
      intruder.close();
    }
  });

  it("reports each gap in a source's sequence numbers and counts frames it cannot decode, passing on neither", async () => {
    const publisher = new Publisher({ linger: 0 });
    await publisher.bind("tcp://127.0.0.1:*");
    const gaps: TelemetryGap[] = [];
    const watcher = subscribeTelemetry(publisher.lastEndpoint as string, { onGap: (gap) => gaps.push(gap) });
    const batch = (sequence: number) =>
      encodeSampleBatch({
        sourceId: "smu1.current",
        quantity: "current",
        unit: "A",
        sequence,
        times: Float64Array.of(sequence),
        values: Float64Array.of(1e-3 * sequence),
        wallTime: 0,
      });
    try {
      const batches = watcher[Symbol.asyncIterator]();
      // Past the slow joiner: publish until the first arrives.
      let first: SampleBatch[] = [];
      for (let attempt = 0; attempt < 50 && first.length === 0; attempt++) {
        await publisher.send(["smu1.current", batch(0)]);
        first = await take(batches, 1, 100);
      }
      expect(first).toHaveLength(1);
      const start = (first[0] as SampleBatch).sequence;
      await publisher.send(["smu1.current", batch(start + 1)]);
      await publisher.send(["smu1.current", Buffer.from([0xff, 0x01])]);
      await publisher.send(["smu1.current", batch(start + 4)]);
      const got = await take(batches, 2);
      expect(got.map((b) => b.sequence)).toEqual([start + 1, start + 4]);
      expect(gaps).toEqual([{ sourceId: "smu1.current", sequence: start + 4, missing: 2 }]);
      expect(watcher.gaps).toBe(2);
      expect(watcher.undecodable).toBe(1);
    } finally {
      watcher.close();
      publisher.close();
    }
  });
});

describe("time across machines", () => {
  it("estimates the gateway's clock from the replies' timestamps, NTP's way; on one host the offset is 0 within its uncertainty", async () => {
    await start();
    const alice = client("alice");
    expect(alice.clock()).toBeUndefined();
    const estimate = await alice.estimateClock(8);
    expect(estimate?.samples).toBe(8);
    expect(estimate?.uncertainty).toBeGreaterThan(0);
    expect(Math.abs(estimate?.offset ?? 1)).toBeLessThanOrEqual((estimate?.uncertainty ?? 0) + 1e-6);
    // A time the gateway stamped maps into the call's own interval here.
    const call = await alice.callWithExchanges("smu1", "SourceMeter.outputEnabled.get");
    const local = alice.toLocalTime(call.gatewayReceived);
    const slack = (alice.clock()?.uncertainty ?? 0) + 1e-6;
    expect(local).toBeGreaterThanOrEqual(call.sentAt - slack);
    expect(local).toBeLessThanOrEqual(call.repliedAt + slack);
    // Samples a second apart give a drift: none on one clock, to within the samples' scatter over their span.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await alice.estimateClock(8);
    // 17, or more if alice's own heartbeats (every 2 s while she holds smu1) came in between.
    expect(later?.samples).toBeGreaterThanOrEqual(17);
    expect(Math.abs(later?.drift ?? 1)).toBeLessThan(2e-3);
  });
});

describe("raw SCPI", () => {
  it("passes only the side-effect-free queries a limit-free instrument's driver lists, one header at a time, and none to an instrument with limits", async () => {
    await start();
    const alice = client("alice");
    expect(await alice.call("meter", "Raw.query", ["*IDN?"])).toMatch(/Thorlabs/i);
    expect(Number(await alice.call("meter", "Raw.query", [":sens:corr:wav?"]))).toBeGreaterThan(0);
    const refused = async (instrument: string, query: string, kind: string, text: RegExp) => {
      const error = await alice.call(instrument, "Raw.query", [query]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).kind).toBe(kind);
      expect((error as Error).message).toMatch(text);
    };
    await refused(
      "meter",
      "MEAS:POW?",
      "BAD_ARGUMENTS",
      /not one of the side-effect-free queries its driver lists/,
    );
    await refused("meter", "*IDN?;*RST", "BAD_ARGUMENTS", /not one of the side-effect-free queries/);
    await refused("meter", "SENS:CORR:WAV 1300", "BAD_ARGUMENTS", /not one of the side-effect-free queries/);
    await refused(
      "smu1",
      "*IDN?",
      "UNKNOWN_METHOD",
      /raw SCPI is refused for a SourceMeter: it has safety limits/,
    );
    expect(records.smu1).toHaveLength(0);
  });
});

describe("holds", () => {
  it("lets one client hold an instrument: others are refused with who holds it, until it is released and made safe", async () => {
    await start();
    const alice = client("alice");
    const bob = client("bob");
    await alice.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    await alice.call("smu1", "SourceMeter.rampTo", [0.5]);
    const refused = await bob.call("smu1", "SourceMeter.read").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).kind).toBe("HELD");
    expect((refused as Error).message).toMatch(/smu1 is held by alice \(routing id [0-9a-f]+\)/);
    // Bob may use what nobody holds.
    await bob.call("smu2", "SourceMeter.outputEnabled.get");
    expect((await bob.status()).instruments.find((i) => i.name === "smu1")?.heldBy).toMatch(/^alice/);
    await alice.release("smu1");
    // Released: ramped to zero and the output off, as the instrument saw it.
    expect(last("smu1")).toMatchObject({ outputEnabled: false });
    expect(Math.abs(last("smu1")?.level ?? 1)).toBe(0);
    expect(await bob.call("smu1", "SourceMeter.outputEnabled.get")).toBe(false);
    expect(gateway.holders().smu1).toMatch(/^bob/);
  });

  it("ends a hold at its release: a call sent right after it is refused while the instrument is made safe, one queued before it never runs", async () => {
    await start();
    const alice = client("alice");
    await alice.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    await alice.call("smu1", "SourceMeter.rampTo", [0.25]);
    // Pipelined, none awaited: a ramp, a call queued behind it, the release, a call after the release.
    const ramp = alice.call("smu1", "SourceMeter.rampTo", [1]).catch((e: unknown) => e);
    const queued = alice.call("smu1", "SourceMeter.outputEnabled.set", [true]).catch((e: unknown) => e);
    const released = alice.release("smu1");
    const after = alice.call("smu1", "SourceMeter.outputEnabled.set", [true]).catch((e: unknown) => e);
    await released;
    expect(await ramp).toBeUndefined();
    expect(await queued).toBeInstanceOf(GatewayError);
    expect(((await queued) as Error).message).toMatch(/lost its hold on it .* while the call waited/);
    expect(await after).toBeInstanceOf(GatewayError);
    expect(((await after) as Error).message).toMatch(/smu1 is being made safe after alice .*'s release/);
    expect(last("smu1")).toMatchObject({ outputEnabled: false, level: 0 });
    expect(gateway.holders().smu1).toBeUndefined();
  });

  it("closes with an output on: the bench's safe order turns it off", async () => {
    await start();
    const alice = client("alice");
    await alice.call("smu2", "SourceMeter.outputEnabled.set", [true]);
    await alice.call("smu2", "SourceMeter.rampTo", [1]);
    expect(last("smu2")).toMatchObject({ outputEnabled: true, level: 1 });
    await gateway.close();
    expect(last("smu2")).toMatchObject({ outputEnabled: false, level: 0 });
  });

  it("takes the hold of a client that misses its heartbeats and makes its instrument safe; one that sends them keeps it", async () => {
    await start({ heartbeatTimeoutMs: 500 });
    const quiet = client("quiet", { heartbeatIntervalMs: 60_000 });
    const alive = client("alive", { heartbeatIntervalMs: 50 });
    await quiet.call("smu1", "SourceMeter.outputEnabled.set", [true]);
    await quiet.call("smu1", "SourceMeter.rampTo", [0.5]);
    await alive.call("smu2", "SourceMeter.outputEnabled.set", [true]);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(gateway.holders().smu1).toBeUndefined();
    expect(gateway.holders().smu2).toMatch(/^alive/);
    expect(gateway.counters.expiredHolds).toBe(1);
    expect(logged.some((line) => /quiet .* loses smu1, which is made safe/.test(line))).toBe(true);
    expect(last("smu1")).toMatchObject({ outputEnabled: false, level: 0 });
    expect(last("smu2")).toMatchObject({ outputEnabled: true });
  });
});

describe("bad input", () => {
  /** A raw DEALER, for frames no client of ours would send. */
  async function raw(frames: Buffer[] | Buffer): Promise<GatewayReplyMessage> {
    const socket = new Dealer({ linger: 0, receiveTimeout: 3000 });
    socket.connect(gateway.endpoint);
    try {
      await socket.send(frames);
      const reply = await socket.receive();
      return GatewayReplyMessage.decode(reply[reply.length - 1] as Buffer);
    } finally {
      socket.close();
    }
  }
  const request = (fields: Record<string, unknown>) =>
    Buffer.from(
      GatewayRequestMessage.encode({
        version: GATEWAY_PROTOCOL_VERSION,
        correlationId: 7,
        client: "raw",
        ...fields,
      }).finish(),
    );

  it.each([
    ["garbage bytes", () => Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01])],
    [
      "a truncated request",
      () => request({ instrument: "smu1", call: { method: "SourceMeter.read" } }).subarray(0, 12),
    ],
    ["two frames", () => [request({ status: true }), Buffer.from("x")]],
  ])("answers %s with MALFORMED_REQUEST (id 0) and keeps serving", async (_what, frames) => {
    await start();
    const reply = await raw(frames());
    expect(reply.correlationId).toBe(0);
    expect(reply.error?.kind).toBe(1);
    expect(reply.error?.message).toMatch(/malformed request refused/);
    expect((await client("after").status()).refused).toBe(1);
  });

  it("refuses another protocol version, an unknown instrument, an unknown method, wrong arguments and a passed deadline, each by kind", async () => {
    await start();
    const version = await raw(request({ version: 2, status: true }));
    expect(version.error?.message).toMatch(/protocol version 2 refused: this gateway speaks version 1/);
    const alice = client("alice");
    const expectKind = async (promise: Promise<unknown>, kind: string, text: RegExp) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).kind).toBe(kind);
      expect((error as Error).message).toMatch(text);
    };
    await expectKind(
      alice.call("smu9", "SourceMeter.read"),
      "UNKNOWN_INSTRUMENT",
      /no instrument "smu9".*smu1, smu2, meter/,
    );
    await expectKind(alice.call("smu1", "SourceMeter.close"), "UNKNOWN_METHOD", /offers no method close/);
    await expectKind(
      alice.call("smu1", "TunableLaser.tuneTo", [1.55e-6]),
      "UNKNOWN_METHOD",
      /not a method of a SourceMeter/,
    );
    await expectKind(
      alice.call("smu1", "SourceMeter.rampTo", ["high"]),
      "BAD_ARGUMENTS",
      /argument 1 must be a number, got text "high"/,
    );
    await expectKind(alice.call("smu1", "SourceMeter.rampTo", []), "BAD_ARGUMENTS", /takes 1 to 2 argument/);
    // A deadline gone when the call would start (a raw request: the client's own timer would fire first).
    const late = await raw(
      request({ instrument: "smu2", deadlineMs: 1e-6, call: { method: "SourceMeter.read" } }),
    );
    expect(late.error?.kind).toBe(7);
    expect(late.error?.message).toMatch(/SourceMeter.read on smu2 not started: its deadline passed/);
    // None of it reached the instrument, and the gateway serves on.
    expect(records.smu1).toHaveLength(0);
    expect(await alice.call("smu1", "SourceMeter.outputEnabled.get")).toBe(false);
  });

  it.each([
    ["over", 4096, 0],
    ["under", 2 ** 20, 1],
  ])(
    "drops the connection of a message %s its size limit (and serves everyone else) or reads it",
    async (_what, limit, read) => {
      await start({ maxMessageBytes: limit });
      const flood = new Dealer({ linger: 0, receiveTimeout: 1500 });
      const dropped = new Promise<boolean>((resolve) => {
        flood.events.on("disconnect", () => resolve(true));
        setTimeout(() => resolve(false), 1500).unref();
      });
      flood.connect(gateway.endpoint);
      await flood.send(request({ status: true, client: "x".repeat(10_000) }));
      // Over the limit the gateway drops the connection unread; under it, it answers.
      const answered = await flood.receive().then(
        () => true,
        () => false,
      );
      expect(answered).toBe(read === 1);
      if (read === 0) expect(await dropped).toBe(true);
      flood.close();
      const status = await client("alice").status();
      expect(status.instruments.map((i) => i.name)).toEqual(["smu1", "smu2", "meter"]);
      expect(status.requests).toBe(1 + read);
    },
  );

  it("refuses a flood beyond the requests a client may have in progress, counted, and serves another client meanwhile", async () => {
    await start();
    const flood = new Dealer({ linger: 0, receiveTimeout: 5000 });
    flood.connect(gateway.endpoint);
    const total = 3 * MAX_REQUESTS_IN_PROGRESS;
    for (let k = 1; k <= total; k++) {
      await flood.send(
        Buffer.from(
          GatewayRequestMessage.encode({
            version: GATEWAY_PROTOCOL_VERSION,
            correlationId: k,
            client: "flood",
            instrument: "smu2",
            call: { method: "SourceMeter.outputEnabled.get" },
          }).finish(),
        ),
      );
    }
    const bob = client("bob");
    expect((await bob.status()).gateway).toBe("gateway@test");
    const kinds = new Map<number, number>();
    const ids = new Set<number>();
    for (let k = 0; k < total; k++) {
      const reply = GatewayReplyMessage.decode((await flood.receive()).at(-1) as Buffer);
      ids.add(reply.correlationId);
      const kind = reply.error?.kind ?? 0;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    flood.close();
    // Every request got exactly one reply: answered, or refused as too many.
    expect(ids.size).toBe(total);
    expect((kinds.get(0) ?? 0) + (kinds.get(14) ?? 0)).toBe(total);
    expect(kinds.get(14)).toBeGreaterThan(0);
    expect(kinds.get(0)).toBeGreaterThanOrEqual(MAX_REQUESTS_IN_PROGRESS);
    expect(gateway.counters.refused).toBe(kinds.get(14));
  });

  it("fails a call to a gateway that is not there with GatewayUnreachableError within its timeout, never hanging", async () => {
    // A port below Linux's ephemeral range (32768-60999): a connection to a closed ephemeral port on
    // loopback can land on its own source port (TCP simultaneous open), and a DEALER would then talk to itself.
    for (let attempt = 0; ; attempt++) {
      const port = 20_000 + Math.floor(Math.random() * 10_000);
      try {
        await start({ endpoint: `tcp://127.0.0.1:${port}` });
        break;
      } catch (error) {
        if (attempt > 20) throw error;
      }
    }
    const endpoint = gateway.endpoint;
    await gateway.close();
    const orphan = connectGateway(endpoint, { name: "late", timeoutMs: 300 });
    clients.push(orphan);
    const started = Date.now();
    const error = await orphan.call("smu1", "SourceMeter.read").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayUnreachableError);
    expect((error as Error).message).toMatch(
      /no reply from the gateway at tcp:\/\/127\.0\.0\.1:\d+ to SourceMeter\.read on smu1 within 300 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("security", () => {
  it("has CURVE in this zeromq build (checked, not assumed)", () => {
    expect(capability.curve).toBe(true);
  });

  it("lets in a client whose key is on the allowlist, refuses an unknown key (logging its fingerprint) and a client without CURVE", async () => {
    const server = newKeyPair();
    const alice = newKeyPair();
    const mallory = newKeyPair();
    await start({ curve: { keys: server, allow: parseAllowlist(`${alice.publicKey}  # alice, lab PC\n`) } });
    const allowed = client("alice", { curve: { serverKey: server.publicKey, keys: alice } });
    expect((await allowed.status()).gateway).toBe("gateway@test");
    expect(await allowed.call("smu1", "SourceMeter.outputEnabled.get")).toBe(false);

    const intruder = client("mallory", {
      timeoutMs: 3000,
      curve: { serverKey: server.publicKey, keys: mallory },
    });
    const refused = await intruder.call("smu1", "SourceMeter.read").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayUnreachableError);
    expect((refused as Error).message).toMatch(/refused this client's key in the CURVE handshake/);
    expect(logged).toContainEqual(
      `gateway@test: refused a CURVE handshake from 127.0.0.1: key ${fingerprint(mallory.publicKey)} is not on its allowlist`,
    );
    expect(gateway.counters.refusedHandshakes).toBeGreaterThanOrEqual(1);

    const plain = client("plain", { timeoutMs: 1000 });
    const unencrypted = await plain.call("smu1", "SourceMeter.read").catch((e: unknown) => e);
    expect(unencrypted).toBeInstanceOf(GatewayUnreachableError);
    // Neither reached an instrument: the allowed client still holds nothing but what it asked for.
    expect(gateway.holders()).toEqual({ smu1: expect.stringMatching(/^alice/) });
  });

  it("runs two CURVE gateways in one process, started together, each with its own allowlist; one closing leaves the other serving", async () => {
    const [serverA, serverB, alice, bob] = [newKeyPair(), newKeyPair(), newKeyPair(), newKeyPair()];
    const common = { open: { timebase: virtual.clock }, log: (line: string) => logged.push(line) };
    const bench = benchObject();
    const [a, b] = await Promise.all([
      serveGateway(
        { ...bench, instruments: { smu1: bench.instruments.smu1 } },
        {
          ...common,
          name: "A",
          curve: { keys: serverA, allow: [alice.publicKey] },
        },
      ),
      serveGateway(
        { ...bench, instruments: { smu2: bench.instruments.smu2 } },
        {
          ...common,
          name: "B",
          curve: { keys: serverB, allow: [bob.publicKey] },
        },
      ),
    ]);
    try {
      const toA = connectGateway(a.endpoint, {
        name: "alice",
        curve: { serverKey: serverA.publicKey, keys: alice },
      });
      const toB = connectGateway(b.endpoint, {
        name: "bob",
        curve: { serverKey: serverB.publicKey, keys: bob },
      });
      const bobAtA = connectGateway(a.endpoint, {
        name: "bob",
        timeoutMs: 2000,
        curve: { serverKey: serverA.publicKey, keys: bob },
      });
      clients.push(toA, toB, bobAtA);
      expect((await toA.status()).gateway).toBe("A");
      expect((await toB.status()).gateway).toBe("B");
      // Bob's key is on B's list, not A's.
      expect(await bobAtA.status().catch((e: unknown) => e)).toBeInstanceOf(GatewayUnreachableError);
      await a.close();
      expect(await toB.call("smu2", "SourceMeter.outputEnabled.get")).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses to start without keys unless insecure, and insecure off loopback, before opening the bench", async () => {
    await expect(serveGateway(benchObject(), { open: { timebase: virtual.clock } })).rejects.toThrow(
      /CURVE by default: give it its key pair and an allowlist/,
    );
    await expect(
      serveGateway(benchObject(), {
        insecure: true,
        endpoint: "tcp://0.0.0.0:*",
        open: { timebase: virtual.clock },
      }),
    ).rejects.toThrow(/insecure mode binds to loopback only/);
    // Nothing was opened: no instrument saw a command.
    expect(records.smu1).toHaveLength(0);
    // '#' is a Z85 digit: a key may hold one, and a comment needs its space.
    const hashed = "#".repeat(40);
    expect(parseAllowlist(`# the lab's keys\n${hashed} # a key of #s\n\n`)).toEqual(new Set([hashed]));
    expect(() => parseAllowlist("not-a-key # who\n", "allow.txt")).toThrow(
      /allow.txt, line 1: expected a 40-character Z85 public key/,
    );
  });
});
