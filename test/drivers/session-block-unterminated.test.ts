/**
 * A definite-length block with nothing after it (a Santec TSL's
 * `:READout:DATa?`: INSTRUMENTS.md), read over a real TCP socket: the
 * block ends at its declared length, and a peer that sends a CR or LF
 * after it all the same does not poison the next reply.
 */
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/drivers/errors.js";
import { blockFrame } from "../../src/drivers/scpi/framing.js";
import type { ScpiExchange, ScpiSession, ScpiSessionOptions } from "../../src/drivers/scpi/session.js";
import { loopbackSession } from "./support/loopback-session.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Eight payload bytes holding both CR and LF, so only the declared length can end the block. */
const PAYLOAD = Buffer.from([0x01, 0x0d, 0x0a, 0x23, 0x0d, 0x00, 0xff, 0x0a]);
const BLOCK = Buffer.concat([Buffer.from("#18", "latin1"), PAYLOAD]);

/** A loopback peer that answers each line (CR or LF, as a TSL takes) with `answer`; a session on it. */
function sessionWith(
  answer: (line: string, socket: Socket) => Promise<void> | void,
  options: ScpiSessionOptions = {},
): Promise<{ session: ScpiSession; log: ScpiExchange[] }> {
  return loopbackSession(answer, cleanups, options);
}

const TSL: ScpiSessionOptions = { readTerminator: "\r", blockTerminator: "" };

describe("blockFrame with no terminator", () => {
  it.each<[string, string, ReturnType<ReturnType<typeof blockFrame>>]>([
    [
      "ends at the declared length",
      "#13abc",
      { kind: "complete", value: Uint8Array.from([97, 98, 99]), length: 6 },
    ],
    [
      "leaves what follows the block",
      "#13abc\rnext",
      { kind: "complete", value: Uint8Array.from([97, 98, 99]), length: 6 },
    ],
    ["waits for the rest of the payload", "#13ab", { kind: "incomplete", length: 6 }],
    ["an empty block", "#10", { kind: "complete", value: new Uint8Array(0), length: 3 }],
    [
      "ends a reply that is not a block at the line terminator",
      '-222,"Data out of range"\rnext',
      {
        kind: "malformed",
        text: '-222,"Data out of range"',
        expected: "a definite-length block #<n><length><bytes>",
        length: 25,
      },
    ],
    ["waits for the line terminator of a reply that is not a block", "-222,", { kind: "incomplete" }],
  ])("%s", (_name, input, expected) => {
    expect(blockFrame("", "\r")(Buffer.from(input, "latin1"))).toEqual(expected);
  });

  it("with no line terminator either, never ends a reply that is not a block before its bytes", () => {
    expect(blockFrame("")(Buffer.from("oops", "latin1"))).toEqual({ kind: "incomplete" });
  });
});

describe("ScpiSession: a block with no terminator, over TCP", () => {
  it("reads exactly the declared length (CR and LF in the payload included), then the next reply", async () => {
    const { session, log } = await sessionWith((line, socket) => {
      if (line === ":READ:DAT?") socket.write(BLOCK);
      if (line === ":READ:POIN?") socket.write("2\r");
    }, TSL);
    expect(Buffer.from(await session.queryBlock(":READ:DAT?"))).toEqual(PAYLOAD);
    expect(await session.query(":READ:POIN?")).toBe("2");
    expect(log.map(({ command }) => command)).toEqual([":READ:DAT?", ":READ:POIN?"]);
  });

  it("reads a block that comes a few bytes at a time", async () => {
    const { session } = await sessionWith(async (line, socket) => {
      if (line !== ":READ:DAT?") return;
      for (const piece of [
        BLOCK.subarray(0, 1),
        BLOCK.subarray(1, 2),
        BLOCK.subarray(2, 6),
        BLOCK.subarray(6),
      ]) {
        socket.write(piece);
        await sleep(5);
      }
    }, TSL);
    expect(Buffer.from(await session.queryBlock(":READ:DAT?"))).toEqual(PAYLOAD);
  });

  it("takes the terminator per call: one command's block with nothing after it on a session whose blocks end in LF", async () => {
    const { session } = await sessionWith((line, socket) => {
      if (line === ":TRAC:DATA?") socket.write("#13abc\n");
      if (line === ":READ:DAT?") socket.write(BLOCK);
      if (line === "*IDN?") socket.write("SANTEC,TSL-570,1,1.0\n");
    });
    expect(Buffer.from(await session.queryBlock(":TRAC:DATA?")).toString("latin1")).toBe("abc");
    expect(Buffer.from(await session.queryBlock(":READ:DAT?", { blockTerminator: "" }))).toEqual(PAYLOAD);
    expect(await session.query("*IDN?")).toBe("SANTEC,TSL-570,1,1.0");
  });

  it.each([
    ["a CR in the same write", "\r"],
    ["a CR LF in the same write", "\r\n"],
    ["an LF in the same write", "\n"],
  ])("a peer that sends %s after the block does not poison the next reply", async (_name, stray) => {
    const { session, log } = await sessionWith((line, socket) => {
      if (line === ":READ:DAT?") socket.write(Buffer.concat([BLOCK, Buffer.from(stray, "latin1")]));
      if (line === ":READ:POIN?") socket.write("2\r");
    }, TSL);
    expect(Buffer.from(await session.queryBlock(":READ:DAT?"))).toEqual(PAYLOAD);
    await sleep(20);
    expect(await session.query(":READ:POIN?")).toBe("2");
    // Dropped before the next command, without a resync.
    expect(log.map(({ command }) => command)).toEqual([":READ:DAT?", ":READ:POIN?"]);
  });

  it("a stray CR LF that arrives only after the next command was sent is dropped, not taken as its reply", async () => {
    const { session, log } = await sessionWith(async (line, socket) => {
      if (line === ":READ:DAT?") socket.write(BLOCK);
      if (line === ":READ:POIN?") {
        socket.write("\r\n");
        await sleep(20);
        socket.write("2\r");
      }
    }, TSL);
    expect(Buffer.from(await session.queryBlock(":READ:DAT?"))).toEqual(PAYLOAD);
    expect(await session.query(":READ:POIN?")).toBe("2");
    expect(log.map(({ command }) => command)).toEqual([":READ:DAT?", ":READ:POIN?"]);
  });

  it("a reply that is not a block fails with a ProtocolError carrying it; the next query is answered", async () => {
    const { session } = await sessionWith((line, socket) => {
      if (line === ":READ:DAT?") socket.write('-222,"Data out of range"\r');
      if (line === ":READ:POIN?") socket.write("0\r");
    }, TSL);
    const error = await session.queryBlock(":READ:DAT?").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ command: ":READ:DAT?", reply: '-222,"Data out of range"' });
    expect(await session.query(":READ:POIN?")).toBe("0");
  });
});
