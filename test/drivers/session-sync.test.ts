/**
 * Resynchronising after a timeout, over a real TCP socket: the default
 * sync query (`*OPC?`, answered "1"), and a Santec TSL-like peer whose
 * `*OPC?` does not block but answers "0" while it tunes (INSTRUMENTS.md),
 * given `sync: { command: "*OPC?", answers: ["0", "1"] }`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InstrumentTimeoutError } from "../../src/drivers/errors.js";
import {
  DEFAULT_SYNC,
  type ScpiExchange,
  ScpiSession,
  type ScpiSessionOptions,
} from "../../src/drivers/scpi/session.js";
import { ReplayTransport } from "../../src/drivers/transports/replay.js";
import { loopbackSession } from "./support/loopback-session.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replies by command; a reply with a delay is sent that long after its line came (past the caller's timeout). */
type Script = Readonly<Record<string, string | { readonly reply: string; readonly delayMs: number }>>;

/**
 * A loopback instrument that answers each line (ended by CR or LF) from
 * `script`, one at a time in the order received, each reply ended by
 * `terminator`; lines not in the script get no reply. Returns a session
 * on it and the session's exchanges.
 */
function sessionWith(
  script: Script,
  terminator: string,
  options: ScpiSessionOptions = {},
): Promise<{ session: ScpiSession; log: ScpiExchange[] }> {
  return loopbackSession(
    async (line, socket) => {
      const entry = script[line];
      if (entry === undefined) return;
      if (typeof entry !== "string") await sleep(entry.delayMs);
      socket.write((typeof entry === "string" ? entry : entry.reply) + terminator);
    },
    cleanups,
    options,
  );
}

const TSL_SYNC = { command: "*OPC?", answers: ["0", "1"] } as const;
const TSL: ScpiSessionOptions = { readTerminator: "\r", sync: TSL_SYNC };

/** What the session sent and what it dropped, exchange by exchange. */
const trail = (log: readonly ScpiExchange[]) =>
  log.map(({ command, reply, discarded }) => ({ command, reply, discarded }));

describe("ScpiSession: the sync query", () => {
  it("defaults to *OPC? answered by 1", () => {
    expect(DEFAULT_SYNC).toEqual({ command: "*OPC?", answers: ["1"] });
  });

  it("by default, resynchronises with *OPC? up to its 1 and drops the late reply before it", async () => {
    const { session, log } = await sessionWith(
      { "*OPC?": "1", ":MEAS:POW?": { reply: "1.0E-3", delayMs: 120 }, "*IDN?": "ACME,PM,1,1.0" },
      "\n",
    );
    await expect(session.query(":MEAS:POW?", { timeoutMs: 40 })).rejects.toBeInstanceOf(
      InstrumentTimeoutError,
    );
    expect(await session.query("*IDN?")).toBe("ACME,PM,1,1.0");
    expect(trail(log)).toEqual([
      { command: ":MEAS:POW?", reply: undefined, discarded: undefined },
      { command: "*OPC?", reply: undefined, discarded: undefined },
      { command: "*IDN?", reply: "ACME,PM,1,1.0", discarded: ["1.0E-3"] },
    ]);
  });

  it("a TSL-like peer (*OPC? answers 0 while tuning): its 0 marks the place, and the next caller gets its own reply", async () => {
    const { session, log } = await sessionWith(
      { "*OPC?": "0", ":WAV?": { reply: "+1.55000000E-006", delayMs: 120 }, ":POW?": "+1.000E+00" },
      "\r",
      TSL,
    );
    await expect(session.query(":WAV?", { timeoutMs: 40 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await session.query(":POW?")).toBe("+1.000E+00");
    expect(trail(log)).toEqual([
      { command: ":WAV?", reply: undefined, discarded: undefined },
      { command: "*OPC?", reply: undefined, discarded: undefined },
      { command: ":POW?", reply: "+1.000E+00", discarded: ["+1.55000000E-006"] },
    ]);
  });

  it("a late reply that is itself an answer, just ahead of the sync's own: the settle window drops the second", async () => {
    // The late "1" comes first and is taken as the mark; the sync's "0" follows within resyncSettleMs.
    const { session, log } = await sessionWith(
      { "*OPC?": "0", ":POW:STAT?": { reply: "1", delayMs: 120 }, ":POW?": "+1.000E+00" },
      "\r",
      { ...TSL, resyncSettleMs: 100 },
    );
    await expect(session.query(":POW:STAT?", { timeoutMs: 40 })).rejects.toBeInstanceOf(
      InstrumentTimeoutError,
    );
    expect(await session.query(":POW?")).toBe("+1.000E+00");
    expect(log.at(-1)?.discarded).toEqual(["0"]);
  });

  it("the same peer with the default sync: its 0 is no mark, so the resync times out rather than misfire", async () => {
    const { session } = await sessionWith(
      { "*OPC?": "0", ":WAV?": { reply: "+1.55000000E-006", delayMs: 120 }, ":POW?": "+1.000E+00" },
      "\r",
      { readTerminator: "\r" },
    );
    await expect(session.query(":WAV?", { timeoutMs: 40 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    const error = await session.query(":POW?", { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect(error).toMatchObject({ command: ":POW?", duringResync: true });
  });

  it("sends the configured command, and keeps the error queue naming the caller's command, not the sync's", async () => {
    const { session, log } = await sessionWith(
      {
        "*OPC?": "1",
        "SYNC?": "READY",
        ":WAV?": { reply: "1550", delayMs: 120 },
        ":SYST:ERR?": '0,"No error"',
      },
      "\n",
      { sync: { command: "SYNC?", answers: [" READY "] } },
    );
    await expect(session.query(":WAV?", { timeoutMs: 40 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    await session.readErrorQueue();
    expect(trail(log).map(({ command }) => command)).toEqual([":WAV?", "SYNC?", ":SYST:ERR?"]);
  });

  it.each([
    [{ command: "*OPC?", answers: [] }, /sync.answers must list at least one answer to "\*OPC\?"/],
    [{ command: " ", answers: ["1"] }, /sync.command must be a query/],
  ])("refuses %j with a RangeError", (sync, message) => {
    expect(() => new ScpiSession(new ReplayTransport([]), { sync })).toThrow(RangeError);
    expect(() => new ScpiSession(new ReplayTransport([]), { sync })).toThrow(message);
  });
});
