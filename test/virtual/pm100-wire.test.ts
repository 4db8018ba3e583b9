/**
 * The virtual PM100USB on real wires (TCP on 127.0.0.1, a socat PTY), and
 * the exchanges of third-party drivers replayed over them: PyMeasure's
 * ThorlabsPM100USB, ThorlabsPM100 (PyPI), QCoDeS' Thorlab_PM100D and QMI's
 * Thorlabs_PM10x.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import { type InstrumentServer, serveInstrument } from "../../src/virtual/server.js";
import { responsivityAt, S144C, VirtualThorlabsPm100 } from "../../src/virtual/thorlabs-pm100/index.js";
import { type LineClient, serialClient, tcpClient } from "./line-client.js";
import {
  DARKLESS_S144C,
  type Exchange,
  IDN,
  NO_ERROR,
  PYMEASURE_EXCHANGE,
  QCODES_EXCHANGE,
  QMI_EXCHANGE,
  S144C_IDN,
  StubDetector,
  THORLABSPM100_EXCHANGE,
} from "./pm100-helpers.js";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An exact meter with 1 mW at 1550 nm on its head, served; `sensor: null` for none. */
async function serve(options: { serial?: boolean; sensor?: null } = {}) {
  const clock = createBenchClock("event");
  closers.push(() => clock.close());
  const detector = new StubDetector(clock);
  detector.power = 1e-3;
  const instrument = new VirtualThorlabsPm100({
    clock,
    detector,
    noise: false,
    sensor: options.sensor === null ? null : DARKLESS_S144C,
  });
  const server: InstrumentServer<VirtualThorlabsPm100> = await serveInstrument(
    instrument,
    options.serial ? { tcp: false, serial: true } : {},
  );
  closers.push(() => server.close());
  return { server, instrument, detector };
}

async function client(resource: string | undefined, kind: "tcp" | "serial"): Promise<LineClient> {
  if (resource === undefined) throw new Error("no resource");
  const c = kind === "tcp" ? await tcpClient(resource) : await serialClient(resource);
  closers.push(() => c.close());
  return c;
}

/** Sends each line of an exchange and checks each reply; a line without one is followed by nothing. */
async function replay(c: LineClient, exchange: Exchange): Promise<void> {
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
  it("answers *IDN?, the head's identity and a reading, LF-terminated, and its error queue", async () => {
    const { server } = await serve({ serial: kind === "serial" });
    const c = await client(kind === "tcp" ? server.tcpResource : server.serialResource, kind);
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(await c.query("SYST:SENS:IDN?")).toBe(S144C_IDN);
    expect(await c.query("SENS:CORR:WAV 1550;:SENS:AVER 10;:MEAS:POW?;:SENS:AVER?")).toBe("1.000000E-03;10");
    c.send("NOPE\n");
    expect(await c.query("SYST:ERR?")).toBe('-113,"Undefined header"');
    expect(await c.query("SYST:ERR?")).toBe(NO_ERROR);
    expect(c.partial).toBe("");
  });

  it("replays PyMeasure's ThorlabsPM100USB: connect, wavelength, power", async () => {
    const { server, instrument } = await serve({ serial: kind === "serial" });
    const c = await client(kind === "tcp" ? server.tcpResource : server.serialResource, kind);
    await replay(c, PYMEASURE_EXCHANGE);
    expect(instrument.correctionWavelength).toBeCloseTo(1310e-9, 18);
  });
});

describe("third-party drivers over TCP", () => {
  it("PyMeasure reads the power its wavelength correction implies", async () => {
    const { server } = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, PYMEASURE_EXCHANGE.slice(0, -1));
    // 1 mW at 1550 nm read with the correction for 1310 nm: R(1550)/R(1310) too much.
    const expected = (1e-3 * responsivityAt(S144C, 1550e-9)) / responsivityAt(S144C, 1310e-9);
    expect(Number(await c.query("MEAS:POW?")) / expected).toBeCloseTo(1, 6);
  });

  it("ThorlabsPM100's example.py and its other photodiode properties", async () => {
    const { server, instrument } = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, THORLABSPM100_EXCHANGE);
    expect(instrument.settings.lowPassEnabled).toBe(true);
    expect(instrument.averageCount).toBe(10);
    expect(instrument.powerUnit).toBe("DBM");
  });

  it("QCoDeS' Thorlab_PM100D: its start-up, power (INIT, MEAS:POW, FETC?), and parameters", async () => {
    const { server, instrument } = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, QCODES_EXCHANGE.slice(0, 13));
    expect(instrument.averageCount).toBe(300);
    await replay(c, QCODES_EXCHANGE.slice(13));
    expect(instrument.settings.lossDb).toBe(3);
    expect(instrument.settings.beamDiameter).toBeCloseTo(2e-3, 15);
  });

  it("QCoDeS' power reading is the light's, and takes its 300 samples on the bench clock", async () => {
    const { server, detector } = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, QCODES_EXCHANGE.slice(0, 12));
    expect(await c.query("FETC?")).toBe("1.000000E-03");
    const [first, second] = detector.reads.slice(-2) as [number, number];
    // The INIT of _set_conf_power and the one MEAS:POW restarts: the second ends 300 × 3 ms after it began.
    expect(second - first).toBeGreaterThanOrEqual(300 * 3e-3 - 1e-9);
  });

  it("QMI's Thorlabs_PM10x: identity, sensor, reset and error checks, range, wavelength, power, current", async () => {
    const { server } = await serve();
    const c = await client(server.tcpResource, "tcp");
    await replay(c, QMI_EXCHANGE);
  });

  it("a driver can refuse a meter with no head: PyMeasure's connect reply and the -241 of a measurement", async () => {
    const { server } = await serve({ sensor: null });
    const c = await client(server.tcpResource, "tcp");
    expect((await c.query("SYST:SENSOR:IDN?"))?.split(",")[0]).toBe("no sensor");
    c.send("MEAS:POW?\n");
    expect(await c.query("SYST:ERR?")).toBe('-241,"Hardware missing"');
  });
});
