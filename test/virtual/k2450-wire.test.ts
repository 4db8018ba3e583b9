/**
 * The virtual 2450 on real wires (TCP, a socat PTY), PyMeasure's exchange
 * replayed over TCP, and the 2450 on the default bench's heater.
 */
import { afterEach, describe, expect, it } from "vitest";
import { demoChipTruth } from "../../src/models/chip/index.js";
import {
  createBenchClock,
  type InstrumentServer,
  ResistorDut,
  serveInstrument,
  serveVirtualBench,
  type VirtualBench,
  VirtualKeithley2450,
} from "../../src/virtual/index.js";
import { PYMEASURE_2450_EXCHANGE } from "./k2450-helpers.js";
import { type LineClient, serialClient, tcpClient } from "./line-client.js";

const IDN = "KEITHLEY INSTRUMENTS,MODEL 2450,04501234,1.7.12b";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(
  options: { tcp?: false; serial?: boolean } = {},
): Promise<InstrumentServer<VirtualKeithley2450>> {
  const clock = createBenchClock("event");
  closers.push(() => clock.close());
  const instrument = new VirtualKeithley2450({ clock, dut: new ResistorDut(1000), noise: false });
  const server = await serveInstrument(instrument, options);
  closers.push(() => server.close());
  return server;
}

async function client(resource: string | undefined, kind: "tcp" | "serial"): Promise<LineClient> {
  if (resource === undefined) throw new Error("no resource");
  const c = kind === "tcp" ? await tcpClient(resource) : await serialClient(resource);
  closers.push(() => c.close());
  return c;
}

/** Sends each line of an exchange and checks each reply; a line without one is followed by nothing. */
async function replay(c: LineClient, exchange: typeof PYMEASURE_2450_EXCHANGE): Promise<void> {
  for (const [sent, reply] of exchange) {
    if (reply === undefined) {
      c.send(`${sent}\n`);
      continue;
    }
    const got = await c.query(sent);
    if (reply instanceof RegExp) expect(got, sent).toMatch(reply);
    else expect(got, sent).toBe(reply);
  }
}

describe.each(["tcp", "serial"] as const)("served over %s", (kind) => {
  it("answers *IDN?, a set-up and a reading, and its error queue", async () => {
    const server = await serve(kind === "tcp" ? {} : { tcp: false, serial: true });
    const c = await client(kind === "tcp" ? server.tcpResource : server.serialResource, kind);
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(
      await c.query(
        ':SOUR:VOLT:ILIM 0.01;:SOUR:VOLT 1;:SENS:FUNC "CURR";:OUTP ON;:READ? "defbuffer1", READ, SOUR;:OUTP?',
      ),
    ).toBe("1.000000E-03,1.000000E+00;1");
    c.send(":NOPE\n");
    expect(await c.query(":SYST:ERR?")).toMatch(/^-113,"Undefined header;1;2026\/01\/01 00:00:00\.\d{3}"$/);
    expect(await c.query(":SYST:ERR?")).toBe('0,"No error;0;0 0"');
  });

  it("runs a list sweep sent in chunks, and reads the buffer back", async () => {
    const server = await serve(kind === "tcp" ? {} : { tcp: false, serial: true });
    const c = await client(kind === "tcp" ? server.tcpResource : server.serialResource, kind);
    c.send(
      ":SOUR:VOLT:ILIM 0.1;:SOUR:LIST:VOLT 0.1,0.2\n:SOUR:LIST:VOLT:APP 0.3\n:SOUR:SWE:VOLT:LIST 1, 0.001\n:INIT\n*WAI\n",
    );
    expect(await c.query(':TRAC:DATA? 1, 3, "defbuffer1", READ')).toBe(
      "1.000000E-04,2.000000E-04,3.000000E-04",
    );
  });
});

describe("PyMeasure's Keithley2450", () => {
  it("gets the replies it expects, over TCP, for its common operations", async () => {
    const server = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, PYMEASURE_2450_EXCHANGE);
    // The ramp went in PyMeasure's steps and ended with the output off.
    expect(server.instrument.settings.outputEnabled).toBe(false);
    expect(server.instrument.settings.source.VOLT.level).toBe(0);
  });
});

describe("on the default bench", () => {
  let bench: VirtualBench;

  it("the 2450 (smu2) drives the heater: the heater dissipates I²R of its reading", async () => {
    bench = await serveVirtualBench({ clockControl: false });
    closers.push(() => bench.close());
    expect(Object.keys(bench.instruments)).toEqual(["smu1", "smu2", "laser", "meter"]);
    const c = await client(bench.resources.instruments.smu2?.tcp, "tcp");
    expect(await c.query("*IDN?")).toMatch(/^KEITHLEY INSTRUMENTS,MODEL 2450,/);
    expect(
      await c.query(':SOUR:FUNC CURR;:SOUR:CURR 2e-3;:SOUR:CURR:VLIM 20;:SENS:FUNC "VOLT";:OUTP ON;*OPC?'),
    ).toBe("1");
    await bench.clock.sleep(0.01);
    const [voltage, current] = ((await c.query(':READ? "defbuffer1", READ, SOUR')) ?? "")
      .split(",")
      .map(Number) as [number, number];
    const resistance = demoChipTruth["heater.heaterResistance"] as number;
    // The reading is the heater's own: V = I·R_h, within the noise (a few parts in 10⁵).
    expect(voltage / (current * resistance)).toBeCloseTo(1, 3);
    // …and the chip's heater dissipates what the reading says.
    expect(bench.chip.heaterPower() / (voltage * current)).toBeCloseTo(1, 3);
    expect(bench.chip.heaterPower() / (current * current * resistance)).toBeCloseTo(1, 3);
  });
});
