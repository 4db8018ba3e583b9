/**
 * openBench over real wires: a bench file (YAML, written to a temp folder)
 * pointing at a virtual bench's two source-meters, the 2400 on the
 * memristor and the 2450 on the heater, on one event clock. What the bench
 * did is checked through the virtual instruments' own records.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BenchFileError } from "../../src/bench/errors.js";
import { BenchOpenError, openBench, withBench } from "../../src/bench/open.js";
import { type SourceState, serveVirtualBench, type VirtualBench } from "../../src/virtual/index.js";

let virtual: VirtualBench;
const records: Record<string, SourceState[]> = { smu1: [], smu2: [] };
let dir: string;

beforeEach(async () => {
  records.smu1 = [];
  records.smu2 = [];
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
    },
  });
  dir = await mkdtemp(join(tmpdir(), "pms-open-bench-"));
});
afterEach(() => virtual.close());

async function benchFile(extra = ""): Promise<string> {
  const path = join(dir, "bench.yaml");
  await writeFile(
    path,
    [
      "name: two SMUs on the demo chip",
      "instruments:",
      "  smu1:",
      "    driver: keithley2400",
      `    resource: ${virtual.resources.instruments.smu1?.tcp}`,
      "    connects: memristor",
      "    limits: { maxAbsVoltage: 1.5, maxAbsCurrent: 0.01, maxVoltageStep: 0.1 }",
      "  smu2:",
      "    driver: keithley2450",
      `    resource: ${virtual.resources.instruments.smu2?.tcp}`,
      "    connects: heater",
      "    limits: { maxAbsVoltage: 2, maxAbsCurrent: 0.02, maxVoltageStep: 0.5 }",
      extra,
    ].join("\n"),
  );
  return path;
}

const outputOn = (name: "smu1" | "smu2") => records[name]?.at(-1)?.outputEnabled ?? false;

describe("openBench", () => {
  it("connects every instrument of a bench file and snapshots identities and settings with units", async () => {
    const bench = await openBench(await benchFile(), { timebase: virtual.clock });
    try {
      expect(Object.keys(bench.instruments)).toEqual(["smu1", "smu2"]);
      const snapshot = await bench.snapshot();
      expect(snapshot.name).toBe("two SMUs on the demo chip");
      expect(snapshot.timebase).toMatchObject({ kind: "event" });
      expect(snapshot.instruments.smu1?.identity.model).toBe("MODEL 2400");
      expect(snapshot.instruments.smu2?.identity.model).toBe("MODEL 2450");
      expect(snapshot.instruments.smu2?.readings["smu2-current"]).toMatchObject({ unit: "A", shape: [] });
      expect(snapshot.instruments.smu1?.configuration.complianceCurrent).toMatchObject({ unit: "A" });
      expect(snapshot.instruments.smu2?.configuration.nplc).toMatchObject({ unit: "PLC" });
      expect(snapshot.instruments.smu1?.limits).toEqual({
        maxAbsVoltage: 1.5,
        maxAbsCurrent: 0.01,
        maxVoltageStep: 0.1,
      });
    } finally {
      await bench.close();
    }
  });

  it("closes in its one order: every source ramped to zero and its output off, as the instruments record", async () => {
    const bench = await openBench(await benchFile(), { timebase: virtual.clock });
    for (const name of ["smu1", "smu2"] as const) {
      const smu = bench.sourceMeter(name);
      await smu.complianceCurrent.set(0.005);
      await smu.outputEnabled.set(true);
      await smu.rampTo(0.3);
    }
    expect(outputOn("smu1") && outputOn("smu2")).toBe(true);
    await bench.close();
    for (const name of ["smu1", "smu2"] as const) {
      const on = (records[name] ?? []).filter((s) => s.outputEnabled);
      expect(on.at(-1)?.level).toBe(0);
      expect(outputOn(name)).toBe(false);
    }
    // The 2450, opened last, is made safe first.
    const off = (name: "smu1" | "smu2") =>
      [...(records[name] ?? [])].reverse().find((s) => !s.outputEnabled)?.time ?? Number.NaN;
    expect(off("smu2")).toBeLessThanOrEqual(off("smu1"));
  });

  it("after an exception halfway through a plan, the outputs end up off", async () => {
    const failure = withBench(
      await benchFile(),
      async (bench) => {
        const smu = bench.sourceMeter("smu2");
        await smu.complianceCurrent.set(0.01);
        await smu.outputEnabled.set(true);
        await smu.rampTo(1);
        throw new Error("the plan failed halfway");
      },
      { timebase: virtual.clock },
    );
    await expect(failure).rejects.toThrow("the plan failed halfway");
    expect(outputOn("smu2")).toBe(false);
    expect((records.smu2 ?? []).filter((s) => s.outputEnabled).at(-1)?.level).toBe(0);
  });

  it("names the bench's source-meters when asked for one it does not have", async () => {
    await withBench(
      await benchFile(),
      async (bench) => {
        expect(() => bench.sourceMeter("laser")).toThrow(
          /no source-meter "laser"; its source-meters: smu1, smu2/,
        );
      },
      { timebase: virtual.clock },
    );
  });

  it("refuses a bench file with a wrong field, naming the file, the line and the field", async () => {
    const path = await benchFile("    timeoutMs: soon");
    const error = await openBench(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BenchFileError);
    expect((error as Error).message).toMatch(
      /bench\.yaml:13:16: instruments\.smu2\.timeoutMs: got the text "soon"; expected a whole number/,
    );
    expect(outputOn("smu1")).toBe(false);
  });

  it("refuses an unknown driver, listing the known ones", async () => {
    const error = await openBench({
      instruments: { smu1: { driver: "keithley2410", resource: "TCPIP::127.0.0.1::5025::SOCKET" } },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BenchFileError);
    expect((error as Error).message).toMatch(/keithley2410.*keithley2400.*keithley2450/s);
  });

  describe("with a resource that does not answer", () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeEach(async () => {
      silent = createServer((socket) => sockets.push(socket)); // accepts, never replies
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    });
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it("names the instrument and the resource, and leaves the instruments opened before it safe and closed", async () => {
      const port = (silent.address() as { port: number }).port;
      const resource = `TCPIP::127.0.0.1::${port}::SOCKET`;
      const bench = {
        instruments: {
          smu2: { driver: "keithley2450", resource: virtual.resources.instruments.smu2?.tcp },
          smu3: { driver: "keithley2400", resource, timeoutMs: 200 },
        },
      };
      const error = await openBench(bench, { timebase: virtual.clock }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BenchOpenError);
      expect(error).toMatchObject({ instrument: "smu3", resource });
      expect((error as Error).message).toMatch(
        /instrument "smu3" at TCPIP::127\.0\.0\.1::\d+::SOCKET could not be opened: .*200 ms/,
      );
      expect(outputOn("smu2")).toBe(false);
    });
  });
});
