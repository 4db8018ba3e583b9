/**
 * Nothing from the instrument is held beyond the session's cap (issue 13):
 * over a real TCP socket, a peer streams replies without end, blocks that
 * declare more than the cap, and lines nobody asked for.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InstrumentTimeoutError, ReplyTooLongError } from "../../src/drivers/errors.js";
import {
  DEFAULT_MAX_REPLY_BYTES,
  type ScpiExchange,
  ScpiSession,
  type ScpiSessionOptions,
} from "../../src/drivers/scpi/session.js";
import { ReplayTransport } from "../../src/drivers/transports/replay.js";
import { loopbackSession } from "./support/loopback-session.js";

const IDN = "ACME,SMU,1,1.0";
const MiB = 2 ** 20;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Writes to the session's socket; resolves once it drained, false if the socket is gone. */
type Send = (data: string | Buffer) => Promise<boolean>;

/**
 * A loopback instrument that answers `*OPC?` and `*IDN?`, and any other
 * line with `answer`, one line at a time in the order received; `send`
 * waits for the socket to drain, so the peer streams at the session's pace.
 * Returns a session on it.
 */
function sessionWith(
  answer: (line: string, send: Send) => Promise<void>,
  options: ScpiSessionOptions = {},
): Promise<{ session: ScpiSession; log: ScpiExchange[] }> {
  return loopbackSession(
    async (line, socket) => {
      const send: Send = (data) =>
        new Promise((resolve) => {
          if (socket.destroyed) return resolve(false);
          if (socket.write(data)) return resolve(true);
          const done = () => {
            socket.off("drain", done).off("close", done);
            resolve(!socket.destroyed);
          };
          socket.on("drain", done).on("close", done);
        });
      if (line === "*OPC?") await send("1\n");
      else if (line === "*IDN?") await send(`${IDN}\n`);
      else await answer(line, send);
    },
    cleanups,
    options,
  );
}

/** Sends `total` bytes of `byte`, 64 KiB at a time, or fewer if stopped or closed; `progress` counts them. */
async function stream(
  send: Send,
  byte: string,
  total: number,
  progress = { bytes: 0, stopped: false },
): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, byte);
  while (progress.bytes < total && !progress.stopped && (await send(chunk))) progress.bytes += chunk.length;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("ScpiSession: replies past maxReplyBytes", () => {
  it("a 16 MiB reply without terminator fails its call with a short ReplyTooLongError; the next query is answered", async () => {
    const { session, log } = await sessionWith(async (line, send) => {
      if (line === ":READ?") await stream(send, "A", 16 * MiB);
      await send("\n");
    });
    const error = await session.query(":READ?").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyTooLongError);
    expect(error).toMatchObject({
      command: ":READ?",
      limitBytes: DEFAULT_MAX_REPLY_BYTES,
      head: "A".repeat(200),
      resource: session.resource,
    });
    expect((error as Error).message.length).toBeLessThan(1000);
    expect(await session.query("*IDN?")).toBe(IDN);
    expect(log.map(({ command, discarded }) => ({ command, discarded }))).toEqual([
      { command: ":READ?", discarded: undefined },
      { command: "*OPC?", discarded: undefined },
      { command: "*IDN?", discarded: undefined },
    ]);
  });

  it("skips the rest of the refused line unbuffered while it lasts, and resynchronises once it ends", async () => {
    const sent = { bytes: 0, stopped: false };
    const { session } = await sessionWith(async (line, send) => {
      if (line !== ":READ?") return;
      await stream(send, "A", Number.POSITIVE_INFINITY, sent);
      await send("\n");
    });
    await expect(session.query(":READ?")).rejects.toBeInstanceOf(ReplyTooLongError);
    const refusedAt = sent.bytes;
    await until(() => sent.bytes > refusedAt + 8 * MiB);
    const timeout = await session.query("*IDN?", { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(InstrumentTimeoutError);
    expect(timeout).toMatchObject({ command: "*IDN?", duringResync: true, partial: "" });
    expect((timeout as Error).message.length).toBeLessThan(1000);
    sent.stopped = true;
    expect(await session.query("*IDN?")).toBe(IDN);
  });

  it.each([
    ["fits the cap: read", 64 * 1024 - 9],
    ["declares more than the cap: refused, and the rest skipped by its length", 100_000],
  ])("a definite-length block that %s", async (_, payloadBytes) => {
    // The payload is full of "1" lines, which would pass for *OPC?'s reply if the skip stopped at the first LF.
    const payload = Buffer.from("\n1\n".repeat(payloadBytes).slice(0, payloadBytes), "latin1");
    const block = Buffer.concat([Buffer.from(`#6${String(payloadBytes).padStart(6, "0")}`), payload]);
    const { session, log } = await sessionWith(
      async (line, send) => {
        if (line === ":TRAC:DATA?") await send(Buffer.concat([block, Buffer.from("\n")]));
      },
      { maxReplyBytes: 64 * 1024 },
    );
    const read = await session.queryBlock(":TRAC:DATA?").catch((e: unknown) => e);
    if (block.length + 1 <= 64 * 1024) {
      expect(Buffer.from(read as Uint8Array).equals(payload)).toBe(true);
    } else {
      expect(read).toBeInstanceOf(ReplyTooLongError);
      expect((read as ReplyTooLongError).head).toBe(block.toString("latin1", 0, 200));
    }
    expect(await session.query("*IDN?")).toBe(IDN);
    expect(log.flatMap((exchange) => exchange.discarded ?? [])).toEqual([]);
  });
  it("a reply over the cap that arrives whole is refused too, and dropped without a resync", async () => {
    const transport = new ReplayTransport([
      ["A?", "x".repeat(150)],
      ["B?", "b"],
    ]);
    const session = new ScpiSession(transport, { maxReplyBytes: 100 });
    await expect(session.query("A?")).rejects.toMatchObject({
      name: "ReplyTooLongError",
      limitBytes: 100,
      head: `${"x".repeat(150)}\n`,
    });
    expect(await session.query("B?")).toBe("b");
    transport.assertDone();
  });
});

describe("ScpiSession: bytes nobody asked for", () => {
  it("lists the first 16 stale lines cut to 200 bytes, counts the rest, and skips one past the cap", async () => {
    const sent = { done: false };
    const { session, log } = await sessionWith(async (line, send) => {
      if (line !== "*CLS") return;
      await send(Array.from({ length: 1000 }, (_, n) => `junk ${n} ${"x".repeat(300)}\n`).join(""));
      await stream(send, "B", 4 * MiB);
      await send("\n");
      sent.done = true;
    });
    await session.write("*CLS");
    await until(() => sent.done);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await session.query("*IDN?")).toBe(IDN);
    const discarded = log.flatMap((exchange) => exchange.discarded ?? []);
    expect(discarded).toEqual(
      Array.from({ length: 16 }, (_, n) => `junk ${n} ${"x".repeat(300)}`.slice(0, 200)),
    );
    expect(log.reduce((sum, exchange) => sum + (exchange.discardedOmitted ?? 0), 0)).toBe(1000 - 16 + 1);
  });

  it("shows at most the first 200 bytes received in an InstrumentTimeoutError", async () => {
    const { session } = await sessionWith(async (line, send) => {
      if (line === ":READ?") await send("C".repeat(10_000));
    });
    const error = await session.query(":READ?", { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect((error as InstrumentTimeoutError).partial).toBe("C".repeat(200));
    expect((error as Error).message.length).toBeLessThan(1000);
  });
});

describe("ScpiSession: maxReplyBytes itself", () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses %s with a RangeError",
    (maxReplyBytes) => {
      expect(() => new ScpiSession(new ReplayTransport([]), { maxReplyBytes })).toThrow(
        new RangeError(`maxReplyBytes must be a whole number of bytes, at least 1, got ${maxReplyBytes}`),
      );
    },
  );
});
