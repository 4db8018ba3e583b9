/**
 * The virtual TSL-570 on real wires (TCP, a socat PTY): CR-terminated
 * replies, the log block with no terminator after it, and the exchanges
 * of PyMeasure's, QMI's and Santec's own drivers replayed over TCP.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import { VirtualSantecTsl570 } from "../../src/virtual/santec-tsl570/instrument.js";
import { type InstrumentServer, serveInstrument } from "../../src/virtual/server.js";
import {
  type CrClient,
  decodeLog,
  type Exchange,
  IDN,
  NO_ERROR,
  PYMEASURE_TSL570_EXCHANGE,
  QMI_TSL570_EXCHANGE,
  SANTEC_SAMPLE_EXCHANGE,
  serialCrClient,
  tcpCrClient,
} from "./tsl570-helpers.js";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(
  options: { tcp?: false; serial?: boolean } = {},
): Promise<InstrumentServer<VirtualSantecTsl570>> {
  const clock = createBenchClock("event");
  closers.push(() => clock.close());
  const server = await serveInstrument(new VirtualSantecTsl570({ clock, noise: false }), options);
  closers.push(() => server.close());
  return server;
}

async function client(server: InstrumentServer, kind: "tcp" | "serial" = "tcp"): Promise<CrClient> {
  const resource = kind === "tcp" ? server.tcpResource : server.serialResource;
  if (resource === undefined) throw new Error(`not served over ${kind}`);
  const c = kind === "tcp" ? await tcpCrClient(resource) : await serialCrClient(resource);
  closers.push(() => c.close());
  return c;
}

/** Sends each line of an exchange and checks each reply; a line without one is followed by nothing. */
async function replay(c: CrClient, exchange: Exchange): Promise<void> {
  for (const [sent, reply] of exchange) {
    if (reply === undefined) {
      c.send(sent);
      continue;
    }
    const got = await c.query(sent);
    if (reply instanceof RegExp) expect(got, sent).toMatch(reply);
    else expect(got, sent).toBe(reply);
  }
}

/** Polls a status query until it answers `done` (how the drivers' users wait for a sweep). */
async function pollUntil(c: CrClient, query: string, done: string): Promise<number> {
  for (let polls = 1; polls < 100_000; polls++) if ((await c.query(query)) === done) return polls;
  throw new Error(`${query} never answered ${done}`);
}

/** Waits a little and returns what arrived unasked. */
async function stray(c: CrClient): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return c.unread.toString("latin1");
}

describe.each(["tcp", "serial"] as const)("served over %s", (kind) => {
  it("ends each reply with CR, not LF, and answers a compound message in one reply", async () => {
    const server = await serve(kind === "tcp" ? {} : { tcp: false, serial: true });
    const c = await client(server, kind);
    c.send("*IDN?");
    expect((await c.readBytes(IDN.length + 1))?.toString("latin1")).toBe(`${IDN}\r`);
    expect(await c.query(":WAV 1551;:WAV?;:POW:UNIT?")).toBe("1551.0000;0");
    c.send(":NOPE");
    expect(await c.query(":SYST:ERR?")).toBe('-113,"Undefined header"');
    expect(await c.query(":SYST:ERR?")).toBe(NO_ERROR);
    expect(await stray(c)).toBe("");
  });

  it("sends the log as a definite-length block with nothing after it", async () => {
    const server = await serve(kind === "tcp" ? {} : { tcp: false, serial: true });
    const c = await client(server, kind);
    c.send(":WAV 1500;:WAV:SWE:STAR 1500;STOP 1501;SPE 100;:TRIG:OUTP 3;:TRIG:OUTP:STEP 0.25;:WAV:SWE 1");
    await pollUntil(c, ":WAV:SWE?", "0");
    expect(await c.query(":READ:POIN?")).toBe("5");
    c.send(":READ:DAT?");
    expect((await c.readBytes(4))?.toString("latin1")).toBe("#220");
    expect(decodeLog((await c.readBytes(20)) as Buffer)).toEqual([1500, 1500.25, 1500.5, 1500.75, 1501]);
    expect(await stray(c)).toBe("");
    expect(await c.query("*OPC?")).toBe("1");
  });
});

describe("third-party drivers' exchanges, replayed over TCP", () => {
  it("PyMeasure's TSL570 (santec/tsl570.py, tsl500series.py) in SCPI, written with pyvisa's CR LF", async () => {
    const c = await client(await serve());
    c.terminator = "\r\n";
    await replay(c, PYMEASURE_TSL570_EXCHANGE);
    // start_repeat(), then `while tsl.sweep_status != SweepStatus.STOPPED`, then sweep_count.
    c.send(":WAVelength:SWEep:REPeat");
    await pollUntil(c, ":WAVelength:SWEep?", "0");
    expect(await c.query(":WAVelength:SWEep:COUNt?")).toBe("2");
    expect(await stray(c)).toBe("");
  });

  it("QMI's Santec_Tsl570 (santec/tsl_570.py) in Legacy, its commands ended by CR alone, then its log", async () => {
    const c = await client(await serve());
    // ScpiProtocol(command_terminator="\r", response_terminator="\r").
    c.terminator = "\r";
    await replay(c, QMI_TSL570_EXCHANGE);
    // `while get_sweep_state() != 0`, then readout_points() and readout_data().
    await pollUntil(c, ":WAV:SWE:STAT?", "0");
    expect(await c.query(":READ:POIN?")).toBe("101");
    c.send(":READout:DATa?");
    // read_binary_data(read_terminator_flag=False): the block by its header, then nothing.
    const data = await c.readBlock();
    expect(data.length).toBe(404);
    const nanometres = Array.from({ length: 101 }, (_, k) => data.readUInt32LE(4 * k) * 1e-4);
    nanometres.forEach((value, k) => {
      expect(value).toBeCloseTo(1500 + 0.1 * k, 4);
    });
    expect(await stray(c)).toBe("");
    await replay(c, [
      [":SYST:ERR?", NO_ERROR],
      [":SYST:ALER?", "No alerts."],
    ]);
  });

  it("Santec's tsl_instrument.py, then get_wavelength_lan.py's read of the log by its expected size", async () => {
    const c = await client(await serve());
    c.terminator = "\r\n";
    await replay(c, SANTEC_SAMPLE_EXCHANGE);
    await pollUntil(c, ":WAV:SWE?", "0");
    // get_wavelength_lan.py: *IDN?, READout:POINts?, then read_bytes(count·4 + 3 + ⌊log10 count⌋).
    expect(await c.query("*IDN?")).toBe(IDN);
    const count = Number(await c.query(":READout:POINts?"));
    expect(count).toBe(201);
    c.send(":READout:DATa?");
    const response = (await c.readBytes(count * 4 + (2 + 1 + Math.floor(Math.log10(count))))) as Buffer;
    expect(response.subarray(0, 5).toString("latin1")).toBe("#3804");
    const wavelengths = decodeLog(response.subarray(5));
    expect(wavelengths).toHaveLength(201);
    wavelengths.forEach((value, k) => {
      expect(value).toBeCloseTo(1500 + 0.5 * k, 4);
    });
    expect(await stray(c)).toBe("");
  });

  it("ends a command at CR, LF or CR LF, also with the LF of a CR LF in the next write", async () => {
    const c = await client(await serve());
    c.stream.write(":WAV:MIN?\r:WAV:MAX?\n:WAV:SWE:RANG:MIN?\r\n:POW:UNIT 1\r");
    c.stream.write("\n:POW:UNIT?\r");
    for (const reply of ["1480.0000", "1640.0000", "1480.0000", "1"]) expect(await c.readLine()).toBe(reply);
    expect(await c.query(":SYST:ERR?")).toBe(NO_ERROR);
  });
});
