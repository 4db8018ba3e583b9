import { describe, expect, it } from "vitest";
import { LineFramer } from "../../src/virtual/line-framer.js";

function frame(chunks: readonly (string | number[])[], maxLength?: number) {
  const lines: string[] = [];
  let overruns = 0;
  const framer = new LineFramer(
    (line) => lines.push(line),
    () => overruns++,
    maxLength,
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
});
