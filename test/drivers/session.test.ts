import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  InstrumentError,
  InstrumentTimeoutError,
  ProtocolError,
} from "../../src/drivers/errors.js";
import { type ScpiExchange, ScpiSession, type ScpiSessionOptions } from "../../src/drivers/scpi/session.js";
import { type Exchange, type ReplayOptions, ReplayTransport } from "../../src/drivers/transports/replay.js";
import { EchoInstrument } from "./support/echo-instrument.js";

function replaySession(
  exchanges: readonly Exchange[],
  options: ScpiSessionOptions & ReplayOptions = {},
): { session: ScpiSession; transport: ReplayTransport; log: ScpiExchange[] } {
  const transport = new ReplayTransport(exchanges, options);
  const log: ScpiExchange[] = [];
  const session = new ScpiSession(transport, { onExchange: (exchange) => log.push(exchange), ...options });
  return { session, transport, log };
}

describe("ScpiSession: commands and replies", () => {
  it("sends with the write terminator and returns the reply without the read terminator", async () => {
    const { session, transport } = replaySession([
      [":OUTP ON", null],
      [":OUTP?", "1"],
    ]);
    await session.write(":OUTP ON");
    expect(await session.query(":OUTP?")).toBe("1");
    transport.assertDone();
  });

  it.each([
    ["\r\n", "\r\n"],
    ["\r", "\n"],
    ["\n", "\r"],
  ])("honours write terminator %j and read terminator %j", async (writeTerminator, readTerminator) => {
    const { session, transport } = replaySession([[":SOUR:VOLT:LEV?", "+1.000000E+00"]], {
      writeTerminator,
      readTerminator,
    });
    expect(await session.query(":SOUR:VOLT:LEV?")).toBe("+1.000000E+00");
    transport.assertDone();
  });

  it("reassembles a reply delivered one byte at a time", async () => {
    const { session } = replaySession([["*IDN?", "ACME,M1,42,1.0"]], { chunkSize: 1 });
    expect(await session.identify()).toEqual({
      manufacturer: "ACME",
      model: "M1",
      serial: "42",
      firmware: "1.0",
    });
  });

  it("reports every command and reply to onExchange", async () => {
    const { session, log } = replaySession([
      ["*CLS", null],
      ["*IDN?", "ACME,M1,42,1.0"],
    ]);
    await session.write("*CLS");
    await session.query("*IDN?");
    expect(log.map(({ command, reply }) => ({ command, reply }))).toEqual([
      { command: "*CLS", reply: undefined },
      { command: "*IDN?", reply: "ACME,M1,42,1.0" },
    ]);
    expect(log[1]?.duration).toBeGreaterThanOrEqual(0);
    expect(log[1]?.startTime).toBeGreaterThan(1.6e9);
  });

  it.each([["ACME,M1,42"], ["ACME,M1,42,1.0,extra"], [""]])(
    "refuses *IDN? reply %j with a ProtocolError carrying it",
    async (reply) => {
      const { session } = replaySession([["*IDN?", reply]]);
      const error = await session.identify().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).reply).toBe(reply);
      expect((error as ProtocolError).command).toBe("*IDN?");
    },
  );
});

describe("ScpiSession: one command in flight", () => {
  it("runs 200 concurrent queries in call order, never two at once", async () => {
    const instrument = new EchoInstrument();
    const session = new ScpiSession(instrument);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => session.query(`Q ${n}?`)));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, n) => String(n)));
    expect(instrument.violations).toEqual([]);
  });

  it("holds the queue across an exclusive body", async () => {
    const instrument = new EchoInstrument();
    const session = new ScpiSession(instrument);
    const order: string[] = [];
    const body = session.exclusive(async (channel) => {
      order.push(await channel.query("Q 1?"));
      order.push(await channel.query("Q 2?"));
    });
    const outside = session.query("Q 3?").then((reply) => order.push(reply));
    await Promise.all([body, outside]);
    expect(order).toEqual(["1", "2", "3"]);
    expect(instrument.violations).toEqual([]);
  });

  it("keeps serving after a caller fails", async () => {
    const { session } = replaySession([
      ["A?", "not a block"],
      ["B?", "b"],
    ]);
    const failed = session.queryBlock("A?");
    const next = session.query("B?");
    await expect(failed).rejects.toBeInstanceOf(ProtocolError);
    expect(await next).toBe("b");
  });
});

describe("ScpiSession: timeouts and stale replies", () => {
  it("times out with the command, the timeout and the partial bytes", async () => {
    const { session, transport } = replaySession([[":READ?", null]]);
    const pending = session.query(":READ?", { timeoutMs: 30 });
    await transport.inject("1.0,2.");
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect(error).toMatchObject({
      command: ":READ?",
      timeoutMs: 30,
      partial: "1.0,2.",
      resource: "REPLAY::INSTR",
    });
  });

  it.each<[string, Exchange]>([
    ["the reply never comes", ["*OPC?", "1"]],
    ["the late reply comes just before *OPC?'s", ["*OPC?", "late\n1"]],
    ["the late reply is itself 1", ["*OPC?", "1\n1"]],
    ["the late reply is the rest of a partial line", ["*OPC?", ",3.0\n1"]],
  ])("after a timeout, resynchronises so the next caller gets its own reply: %s", async (_, resync) => {
    const { session, transport, log } = replaySession([["A?", null], resync, ["B?", "b"]], { chunkSize: 2 });
    await expect(session.query("A?", { timeoutMs: 20 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await session.query("B?")).toBe("b");
    transport.assertDone();
    const dropped = log.flatMap((exchange) => exchange.discarded ?? []);
    expect(dropped).toEqual((resync[1] as string).split("\n").slice(0, -1));
  });

  it("drops a late reply that arrives while nothing is asked", async () => {
    const { session, transport, log } = replaySession([
      ["A?", null],
      ["*OPC?", "1"],
      ["B?", "b"],
      ["C?", "c"],
    ]);
    await expect(session.query("A?", { timeoutMs: 20 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await session.query("B?")).toBe("b");
    await transport.inject("a-late\n");
    expect(await session.query("C?")).toBe("c");
    transport.assertDone();
    expect(log.at(-1)?.discarded).toEqual(["a-late"]);
  });

  it("times out the resync itself when *OPC? goes unanswered, and recovers on the next call", async () => {
    const { session, transport } = replaySession([
      ["A?", null],
      ["*OPC?", null],
      ["*OPC?", "1"],
      ["B?", "b"],
    ]);
    await expect(session.query("A?", { timeoutMs: 20 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
    const error = await session.query("B?", { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentTimeoutError);
    expect(error).toMatchObject({ command: "B?", timeoutMs: 20, duringResync: true });
    expect((error as Error).message).toBe(
      'REPLAY::INSTR: "B?" was not sent: no reply within 20 ms to the *OPC? that resynchronises the session after an earlier timeout',
    );
    expect(await session.query("B?")).toBe("b");
    transport.assertDone();
  });
});

describe("ScpiSession: binary blocks", () => {
  it.each([
    ["#15hello", "hello"],
    ["#210ab\ncd\nefgh", "ab\ncd\nefgh"],
    ["#10", ""],
  ])("reads block %j", async (reply, payload) => {
    const { session } = replaySession([[":TRAC:DATA?", reply]], { chunkSize: 3 });
    const bytes = await session.queryBlock(":TRAC:DATA?");
    expect(Buffer.from(bytes).toString("latin1")).toBe(payload);
  });

  it.each([
    ["1.0,2.0", "1.0,2.0"],
    ["#0abc", "#0abc"],
    ["#x12", "#x12"],
    ["#2a5hello", "#2a5hello"],
    ["#13abcdef", "def"],
  ])("refuses %j with a ProtocolError carrying %j", async (reply, text) => {
    const { session, transport } = replaySession([
      [":TRAC:DATA?", reply],
      ["*OPC?", "1"],
    ]);
    const error = await session.queryBlock(":TRAC:DATA?").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reply).toBe(text);
    expect(await session.query("*OPC?")).toBe("1");
    transport.assertDone();
  });
});

describe("ScpiSession: error queue", () => {
  it('reads entries up to 0,"No error" as InstrumentErrors naming the command before', async () => {
    const { session, transport } = replaySession([
      [":SENS:CURR:PROT 2", null],
      [":SYST:ERR?", '-222,"Data out of range"'],
      [":SYST:ERR?", '-113,"Undefined header"'],
      [":SYST:ERR?", '0,"No error"'],
    ]);
    await session.write(":SENS:CURR:PROT 2");
    const errors = await session.readErrorQueue();
    expect(errors.map(({ code, text, command }) => ({ code, text, command }))).toEqual([
      { code: -222, text: "Data out of range", command: ":SENS:CURR:PROT 2" },
      { code: -113, text: "Undefined header", command: ":SENS:CURR:PROT 2" },
    ]);
    expect(errors[0]).toBeInstanceOf(InstrumentError);
    transport.assertDone();
  });

  it("checkErrors throws the first entry and resolves on an empty queue", async () => {
    const { session } = replaySession([
      [":SYST:ERR?", '+802,"Output on"'],
      [":SYST:ERR?", '0,"No error"'],
      [":SYST:ERR?", '0,"No error"'],
    ]);
    await expect(session.checkErrors()).rejects.toMatchObject({ code: 802, text: "Output on" });
    await expect(session.checkErrors()).resolves.toBeUndefined();
  });

  it("gives up with a ProtocolError when the queue never empties", async () => {
    const entry = '-350,"Queue overflow"';
    const { session } = replaySession(
      Array.from({ length: 3 }, (): Exchange => [":SYST:ERR?", entry]),
      { errorQueueLimit: 3 },
    );
    await expect(session.readErrorQueue()).rejects.toMatchObject({ name: "ProtocolError", reply: entry });
  });

  it("refuses an entry that does not parse, carrying its text", async () => {
    const { session } = replaySession([[":SYST:ERR?", "garbage"]]);
    await expect(session.readErrorQueue()).rejects.toMatchObject({ name: "ProtocolError", reply: "garbage" });
  });
});

describe("ScpiSession: connection loss", () => {
  it("rejects the call in flight and every later call with ConnectionError", async () => {
    const { session, transport } = replaySession([[":READ?", null]]);
    const pending = session.query(":READ?", { timeoutMs: 1000 });
    await transport.settled();
    transport.hangUp(new Error("EPIPE"));
    await expect(pending).rejects.toBeInstanceOf(ConnectionError);
    await expect(pending).rejects.toThrow(/closed.*EPIPE/);
    await expect(session.write("*CLS")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("rejects calls after close()", async () => {
    const { session } = replaySession([]);
    await session.close();
    await expect(session.query("*IDN?")).rejects.toThrow(/session was closed/);
  });
});
