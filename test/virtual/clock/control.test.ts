/**
 * The clock-control endpoint over real ZeroMQ sockets on 127.0.0.1: a
 * client reads, sleeps on and advances a bench clock served by
 * serveClockControl, from this process and from another.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Dealer, Request } from "zeromq";
import { ClockReplyMessage, ClockRequestMessage } from "../../../src/proto/index.js";
import {
  type BenchClock,
  type ClockControlClient,
  ClockControlClosedError,
  ClockControlError,
  type ClockControlServer,
  ClockControlTimeoutError,
  type ClockMode,
  connectClockControl,
  createBenchClock,
  serveClockControl,
} from "../../../src/virtual/clock/index.js";

/** What a test opened, closed after it whatever happened. */
const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

async function bench(mode: ClockMode): Promise<{ clock: BenchClock; server: ClockControlServer }> {
  const clock = createBenchClock(mode);
  opened.push(clock);
  const server = await serveClockControl(clock);
  opened.push(server);
  return { clock, server };
}

function client(server: ClockControlServer, timeoutMs = 2000): ClockControlClient {
  const connection = connectClockControl(server.endpoint, { timeoutMs });
  opened.push(connection);
  return connection;
}

/** Resolves once `condition` holds, polling every millisecond or so, at most 1000 times. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let polls = 0; !condition(); polls++) {
    if (polls > 1000) throw new Error(`still not ${condition} after 1000 polls`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Whether `promise` settles within 10 ms: ample for a reply over loopback. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 10));
  return done;
}

describe("clock-control endpoint", () => {
  it("binds loopback on a port the system picks and reports it", async () => {
    const { server } = await bench("manual");
    expect(server.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(server.endpoint).not.toMatch(/:0$|\*/);
  });

  it("describes the clock: mode, now and the anchor of its zero", async () => {
    const { clock, server } = await bench("manual");
    await clock.advance(1.5);
    expect(await client(server).describe()).toEqual({
      mode: "manual",
      now: 1.5,
      anchor: clock.anchor,
      fibrePath: undefined,
    });
  });

  it("moves the bench's fibre array, and refuses a path the chip does not have or a bench without fibres", async () => {
    const clock = createBenchClock("event");
    opened.push(clock);
    const moves: string[] = [];
    const fibres = {
      path: "ring",
      moveTo(path: string) {
        if (path !== "ring" && path !== "reference")
          throw new RangeError(`the demo chip has no optical path "${path}"`);
        this.path = path;
        moves.push(path);
      },
    };
    const server = await serveClockControl(clock, { fibres });
    opened.push(server);
    const c = client(server);
    expect(await c.moveFibres("reference")).toBe("reference");
    expect((await c.describe()).fibrePath).toBe("reference");
    const error = await c.moveFibres("grating").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClockControlError);
    expect((error as ClockControlError).code).toBe("CLOCK_ERROR_CODE_NO_SUCH_PATH");
    expect((error as Error).message).toMatch(/no optical path "grating"/);
    expect(moves).toEqual(["reference"]);
    const { server: bare } = await bench("event");
    const refused = await client(bare)
      .moveFibres("ring")
      .catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/this bench has no fibre array/);
  });

  it("answers a plain REQ client as a REP would: any ZeroMQ + protobuf client can use it", async () => {
    const { server } = await bench("event");
    const req = new Request({ linger: 0 });
    opened.push(req);
    req.connect(server.endpoint);
    await req.send(ClockRequestMessage.encode({ requestId: 3, sleepUntil: 1.5 }).finish());
    const [body] = await req.receive();
    expect(ClockReplyMessage.toObject(ClockReplyMessage.decode(body as Buffer))).toEqual({
      requestId: 3,
      mode: 2, // CLOCK_MODE_EVENT
      now: 1.5,
    });
  });
});

describe("manual clock over the endpoint", () => {
  it.each([
    ["the client itself", (c: ClockControlClient, _clock: BenchClock) => c.advance(1.5)],
    ["the bench's own process", (_c: ClockControlClient, clock: BenchClock) => clock.advance(1.5)],
  ])("answers a sleepUntil only once time is advanced past it, by %s", async (_by, advance) => {
    const { clock, server } = await bench("manual");
    const c = client(server);
    const sleep = c.sleepUntil(2);
    await eventually(() => server.pending === 1);
    await clock.advance(1);
    expect(await settled(sleep)).toBe(false);
    await advance(c, clock);
    expect(await sleep).toBe(2);
    expect(await c.now()).toBe(2.5);
  });

  it("keeps a client's other requests moving while one of its sleeps waits", async () => {
    const { server } = await bench("manual");
    const c = client(server);
    const sleep = c.sleep(1);
    expect(await c.now()).toBe(0);
    expect(await c.advance(0.25)).toBe(0.25);
    expect(c.outstanding).toBe(1);
    expect(await c.advance(1)).toBe(1.25);
    expect(await sleep).toBe(1);
  });
});

describe("event clock over the endpoint", () => {
  it("overlaps two clients' sleeps: now after both is the longer, not the sum", async () => {
    const { clock, server } = await bench("event");
    const [a, b] = [client(server), client(server)];
    // Hold the clock's jumps until both sleeps are known, as a request on the wire would.
    const release = clock.declare("test: both sleeps on their way");
    const answers: string[] = [];
    const sleeps = [
      a.sleep(0.5).then((t) => answers.push(`a@${t}`)),
      b.sleep(0.8).then((t) => answers.push(`b@${t}`)),
    ];
    await eventually(() => server.pending === 2);
    release();
    await Promise.all(sleeps);
    expect(answers).toEqual(["a@0.5", "b@0.8"]);
    expect(await a.now()).toBe(0.8);
  });

  it("answers a sleepUntil at once in wall time, however far it is in clock time", async () => {
    const { server } = await bench("event");
    const start = performance.now();
    expect(await client(server).sleepUntil(3600)).toBe(3600);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe("wall clock over the endpoint", () => {
  it("reads real time", async () => {
    const { server } = await bench("wall");
    const c = client(server);
    const first = await c.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await c.now()).toBeGreaterThanOrEqual(first + 0.029);
    const before = await c.now();
    expect(await c.sleep(0.02)).toBeGreaterThanOrEqual(before + 0.02);
  });
  it("holds a sleep years away without spinning its timer", async () => {
    const { server } = await bench("wall");
    const overflows: Error[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === "TimeoutOverflowWarning") overflows.push(warning);
    };
    process.on("warning", onWarning);
    try {
      void client(server)
        .sleepUntil(1e8)
        .catch(() => undefined); // rejected by the close after the test
      await eventually(() => server.pending === 1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(overflows).toEqual([]);
      expect(server.pending).toBe(1);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("refusals", () => {
  it.each(["event", "wall"] as const)("refuses advance on the %s clock, naming why", async (mode) => {
    const { server } = await bench(mode);
    const error = await client(server)
      .advance(1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClockControlError);
    expect(error).toMatchObject({
      code: "CLOCK_ERROR_CODE_NOT_MANUAL",
      endpoint: server.endpoint,
      request: { op: "advance", seconds: 1 },
      mode,
    });
    expect((error as Error).message).toContain(server.endpoint);
    expect((error as Error).message).toMatch(
      /advance\(1\) refused: the (event|wall) bench clock is not advanced by hand/,
    );
  });

  it.each([
    ["sleep(-1)", (c: ClockControlClient) => c.sleep(-1)],
    ["advance(NaN)", (c: ClockControlClient) => c.advance(Number.NaN)],
    ["advance(Infinity)", (c: ClockControlClient) => c.advance(Number.POSITIVE_INFINITY)],
    ["sleep_until(NaN)", (c: ClockControlClient) => c.sleepUntil(Number.NaN)],
  ])("refuses %s as not a finite number of seconds", async (what, call) => {
    const { clock, server } = await bench("manual");
    await expect(call(client(server))).rejects.toMatchObject({
      code: "CLOCK_ERROR_CODE_BAD_SECONDS",
      message: expect.stringContaining(`${what} refused`),
    });
    expect(clock.now()).toBe(0);
    expect(clock.waiting).toBe(0);
  });
});

describe("malformed frames", () => {
  const request = ClockRequestMessage.encode({ requestId: 7, sleepUntil: 1 }).finish();
  it.each([
    [
      "bytes that are no protobuf",
      [Buffer.from([0xff, 0xff, 0xff, 0xff])],
      /cannot decode a pms\.v1\.ClockRequest from 4 bytes/,
    ],
    [
      "a truncated request",
      [request.subarray(0, request.length - 3)],
      /cannot decode a pms\.v1\.ClockRequest/,
    ],
    [
      "two body frames",
      [request, request],
      /expected one pms\.v1\.ClockRequest frame after the envelope, got 2/,
    ],
  ])("answers %s with an error naming it, and keeps serving", async (_what, frames, text) => {
    const { server } = await bench("manual");
    // A plain REQ: the endpoint answers it as a REP would.
    const req = new Request({ linger: 0 });
    opened.push(req);
    req.connect(server.endpoint);
    await req.send(frames);
    const [body] = await req.receive();
    const reply = ClockReplyMessage.decode(body as Buffer);
    expect(reply.requestId).toBe(0);
    expect(reply.error).toMatchObject({
      code: 1 /* CLOCK_ERROR_CODE_MALFORMED_FRAME */,
      text: expect.stringMatching(text),
    });
    expect(await client(server).now()).toBe(0);
  });

  it("answers a request naming no op it knows with UNKNOWN_OP, to a bare DEALER too", async () => {
    const { server } = await bench("manual");
    const dealer = new Dealer({ linger: 0 });
    opened.push(dealer);
    dealer.connect(server.endpoint);
    await dealer.send(ClockRequestMessage.encode({ requestId: 9 }).finish()); // no delimiter: echoed as it came
    const [body] = await dealer.receive();
    const reply = ClockReplyMessage.decode(body as Buffer);
    expect(reply).toMatchObject({ requestId: 9, error: { code: 2 /* CLOCK_ERROR_CODE_UNKNOWN_OP */ } });
    expect(reply.error?.text).toMatch(/names no op this server knows/);
  });
});

describe("close", () => {
  it("closing the clock rejects a waiting sleep with CLOSED", async () => {
    const { clock, server } = await bench("manual");
    const sleep = client(server).sleepUntil(5);
    await eventually(() => server.pending === 1);
    clock.close();
    await expect(sleep).rejects.toMatchObject({
      code: "CLOCK_ERROR_CODE_CLOSED",
      message: expect.stringMatching(
        /sleep_until\(5\) refused: the manual bench clock was closed while a request due at 5 s waited/,
      ),
    });
  });

  it("closing the endpoint answers what waits with CLOSED; later requests time out, naming endpoint and op", async () => {
    const { clock, server } = await bench("event");
    const c = client(server, 100);
    // Keep the event clock from answering the sleep: hold its jumps.
    const release = clock.declare("test: hold");
    const sleep = c.sleepUntil(5, { timeoutMs: 2000 });
    await eventually(() => server.pending === 1);
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    release();
    await expect(sleep).rejects.toMatchObject({
      code: "CLOCK_ERROR_CODE_CLOSED",
      message: expect.stringContaining(
        `the clock-control endpoint ${server.endpoint} was closed before it was answered`,
      ),
    });
    const late = await c.now().catch((e: unknown) => e);
    expect(late).toBeInstanceOf(ClockControlTimeoutError);
    expect((late as Error).message).toBe(
      `${server.endpoint}: no reply to now() within 100 ms (is a bench serving its clock-control endpoint there? ` +
        "a sleep on a simulated clock waits until time reaches it)",
    );
  });

  it("closing the client rejects its outstanding requests and refuses new ones", async () => {
    const { server } = await bench("manual");
    const c = client(server);
    const sleep = c.sleep(1);
    c.close();
    c.close();
    await expect(sleep).rejects.toBeInstanceOf(ClockControlClosedError);
    await expect(sleep).rejects.toThrow(
      `${server.endpoint}: sleep(1) abandoned: the clock-control client was closed`,
    );
    await expect(c.now()).rejects.toBeInstanceOf(ClockControlClosedError);
  });
});

describe("from another process", () => {
  it("a node process sleeps on the event clock and sees the bench's time and anchor", async () => {
    const { clock, server } = await bench("event");
    const script = fileURLToPath(new URL("./fixtures/sleep-on-clock.mjs", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, server.endpoint], {
      timeout: 10_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      afterSleep: 0.25,
      afterSleepUntil: 2,
      mode: "event",
      now: 2,
      hrtimeNs: clock.anchor.hrtimeNs.toString(),
    });
    expect(clock.now()).toBe(2);
  });
});
