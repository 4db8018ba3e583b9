import { describe, expect, it } from "vitest";
import { LineFramer, type LineTerminators } from "../../src/virtual/line-framer.js";
import { type ServedInstrument, serveInstrument } from "../../src/virtual/server.js";
import { tcpClient } from "./line-client.js";

function frame(chunks: readonly (string | number[])[], maxLength?: number, terminators?: LineTerminators) {
  const lines: string[] = [];
  let overruns = 0;
  const framer = new LineFramer(
    (line) => lines.push(line),
    () => overruns++,
    maxLength,
    terminators,
  );
  for (const chunk of chunks)
    framer.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : Uint8Array.from(chunk));
  return { lines, overruns };
}

describe("LineFramer", () => {
  it.each<[string, (string | number[])[], string[]]>([
    ["one line", ["*IDN?\n"], ["*IDN?"]],
    ["CR LF", ["*IDN?\r\n"], ["*IDN?"]],
    ["two lines in a chunk", ["*CLS\n*IDN?\n"], ["*CLS", "*IDN?"]],
    ["a line across chunks", ["*ID", "N", "?\n"], ["*IDN?"]],
    ["nothing before the terminator", ["partial"], []],
    ["an empty line", ["\n"], [""]],
    ["bytes kept one to one", [[0xff, 0x00, 0x41, 0x0a]], ["\u00ff\u0000A"]],
    ["a CR not before LF", ["A\rB\n"], ["A\rB"]],
  ])("%s", (_name, chunks, lines) => {
    expect(frame(chunks).lines).toEqual(lines);
  });

  it("drops an over-long line up to its terminator and reports it once", () => {
    const { lines, overruns } = frame(["x".repeat(10), "y".repeat(10), "zz\n*IDN?\n"], 16);
    expect(overruns).toBe(1);
    expect(lines).toEqual(["*IDN?"]);
  });

  it("drops an over-long line that arrives with its terminator", () => {
    const { lines, overruns } = frame(["x".repeat(10), `${"y".repeat(10)}\n*IDN?\n`], 16);
    expect(overruns).toBe(1);
    expect(lines).toEqual(["*IDN?"]);
  });

  it("is the default: a lone CR stays in the line", () => {
    expect(frame(["A\rB\n"], undefined, "lf").lines).toEqual(["A\rB"]);
  });
});

describe("LineFramer: cr-or-lf (a Santec TSL's input)", () => {
  it.each<[string, (string | number[])[], string[]]>([
    ["LF", ["*IDN?\n"], ["*IDN?"]],
    ["a lone CR", ["*IDN?\r"], ["*IDN?"]],
    ["CR LF is one terminator", ["*IDN?\r\n"], ["*IDN?"]],
    ["CR LF split across chunks is one terminator", ["*IDN?\r", "\n"], ["*IDN?"]],
    ["CR, then LF with the next line in its chunk", [":WAV 1550NM\r", "\n:WAV?\r"], [":WAV 1550NM", ":WAV?"]],
    ["a CR at a chunk's end, then no LF", [":POW 1\r", ":POW?\r"], [":POW 1", ":POW?"]],
    ["a CR at a chunk's end, then an empty chunk, then LF", ["A\r", "", "\nB\n"], ["A", "B"]],
    ["mixed terminators in one chunk", ["A\rB\nC\r\nD\r"], ["A", "B", "C", "D"]],
    ["LF CR is two terminators: an empty line between", ["A\n\rB\r"], ["A", "", "B"]],
    ["CR CR is two terminators", ["A\r\rB\r"], ["A", "", "B"]],
    ["an empty line", ["\r"], [""]],
    ["a line across chunks", ["*ID", "N", "?\r"], ["*IDN?"]],
    ["nothing before the terminator", ["partial"], []],
    ["bytes kept one to one", [[0xff, 0x00, 0x41, 0x0d]], ["\u00ff\u0000A"]],
  ])("%s", (_name, chunks, lines) => {
    expect(frame(chunks, undefined, "cr-or-lf").lines).toEqual(lines);
  });

  it("delivers the same lines however the stream is cut", () => {
    const stream = ":SOUR:WAV 1550NM\r\n:POW:STAT 1\r:WAV?\n\r\n*OPC?\r";
    const whole = frame([stream], undefined, "cr-or-lf").lines;
    expect(whole).toEqual([":SOUR:WAV 1550NM", ":POW:STAT 1", ":WAV?", "", "*OPC?"]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      expect(frame([stream.slice(0, cut), stream.slice(cut)], undefined, "cr-or-lf").lines).toEqual(whole);
    }
    expect(frame([...stream], undefined, "cr-or-lf").lines).toEqual(whole);
  });

  it("drops an over-long line up to its CR (and the LF after it) and reports it once", () => {
    const { lines, overruns } = frame(["x".repeat(10), "y".repeat(10), "zz\r", "\n*IDN?\r"], 16, "cr-or-lf");
    expect(overruns).toBe(1);
    expect(lines).toEqual(["*IDN?"]);
  });
});

describe("serveInstrument: the instrument's input terminators", () => {
  /** An instrument that echoes each line it is sent, framed as `inputTerminators` says. */
  const echo = (inputTerminators?: LineTerminators): ServedInstrument => ({
    label: "echo",
    clock: { arrived: () => {} },
    respond: async (line) => `[${line}]\n`,
    inputOverrun: () => {},
    reportInternalError: (error) => {
      throw error;
    },
    ...(inputTerminators ? { inputTerminators } : {}),
  });

  it.each<[LineTerminators | undefined, string[]]>([
    [undefined, ["[A\rB]", "[C]"]],
    ["cr-or-lf", ["[A]", "[B]", "[C]"]],
  ])("with %s, frames the TCP stream A CR B LF C CR LF as %j", async (terminators, replies) => {
    const server = await serveInstrument(echo(terminators));
    const client = await tcpClient(server.tcpResource ?? "");
    try {
      client.send("A\rB\nC\r");
      await new Promise((resolve) => setTimeout(resolve, 10));
      client.send("\n");
      const received: (string | undefined)[] = [];
      for (const _ of replies) received.push(await client.nextLine());
      expect(received).toEqual(replies);
      expect(await client.nextLine(50)).toBeUndefined();
    } finally {
      await client.close();
      await server.close();
    }
  });
});
