/** The virtual 2400 on real wires: a TCP socket and a socat PTY pair opened with serialport. */
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createBenchClock,
  ResistorDut,
  serveVirtualKeithley2400,
  type VirtualServer,
} from "../../src/virtual/index.js";
import { type LineClient, serialClient, tcpClient } from "./line-client.js";

const IDN = "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4090001,C30   Mar 17 2006 09:29:29/A02  /K/J";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});

async function serve(options: Parameters<typeof serveVirtualKeithley2400>[0] = {}): Promise<VirtualServer> {
  const server = await serveVirtualKeithley2400({ dut: new ResistorDut(1000), noise: false, ...options });
  open.push(server);
  return server;
}

async function client(resource: string | undefined, kind: "tcp" | "serial" = "tcp"): Promise<LineClient> {
  if (resource === undefined) throw new Error("no resource");
  const c = kind === "tcp" ? await tcpClient(resource) : await serialClient(resource);
  open.push(c);
  return c;
}

describe("TCP", () => {
  it("listens on an ephemeral port of 127.0.0.1 by default, without a serial port", async () => {
    const server = await serve();
    expect(server.tcpResource).toMatch(/^TCPIP::127\.0\.0\.1::\d+::SOCKET$/);
    expect(server.serialResource).toBeUndefined();
  });

  it("answers queries, one reply line per program message", async () => {
    const c = await client((await serve()).tcpResource);
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(await c.query(":SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 1;:FORM:ELEM CURR;:READ?;:OUTP?")).toBe(
      "+1.000000E-03;1",
    );
  });

  it("takes CR LF, several lines in one write, and a line split across writes", async () => {
    const c = await client((await serve()).tcpResource);
    c.send("*OPC?\r\n*IDN?\n*O");
    c.send("PC?\n");
    expect([await c.nextLine(), await c.nextLine(), await c.nextLine()]).toEqual(["1", IDN, "1"]);
  });

  it("queues an error for garbage bytes and answers the next valid line", async () => {
    const c = await client((await serve()).tcpResource);
    c.send(Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x41, 0x0a]));
    c.send(":SOUR:VOLT 'unterminated\n");
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(await c.query(":SYST:ERR:ALL?")).toBe('-101,"Invalid character",-151,"Invalid string data"');
  });

  it("refuses an unknown header (-113) and answers the next query", async () => {
    const c = await client((await serve()).tcpResource);
    c.send(":NOPE 1\n");
    expect(await c.query(":SYST:ERR?")).toBe('-113,"Undefined header"');
    expect(await c.query("*IDN?")).toBe(IDN);
  });

  it("survives a reply that fails inside the instrument: -300 queued, the error kept, serving goes on", async () => {
    const server = await serve();
    const bug = new Error("bug in a reply");
    vi.spyOn(server.instrument, "respond").mockRejectedValueOnce(bug);
    const c = await client(server.tcpResource);
    expect(await c.query("*IDN?", 200)).toBeUndefined();
    expect(await c.query(":SYST:ERR?")).toBe('-300,"Device-specific error"');
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(server.instrument.internalErrors).toEqual([bug]);
  });

  it("survives an over-long line (-363) and answers after it", async () => {
    const c = await client((await serve()).tcpResource);
    c.send("A".repeat(100_000));
    c.send("\n");
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(await c.query(":SYST:ERR?")).toBe('-363,"Input buffer overrun"');
  });

  it("serves several clients one instrument", async () => {
    const server = await serve();
    const a = await client(server.tcpResource);
    const b = await client(server.tcpResource);
    a.send(":SOUR:VOLT 3\n");
    expect(await a.query("*OPC?")).toBe("1");
    expect(await b.query(":SOUR:VOLT?")).toBe("+3.000000E+00");
  });

  it("frees its port on close", async () => {
    const server = await serve();
    const port = Number(server.tcpResource?.split("::")[2]);
    await client(server.tcpResource);
    await server.close();
    await server.close(); // idempotent
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("connect", () => {
        socket.destroy();
        resolve("connected");
      });
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    expect(refused).toBe("ECONNREFUSED");
    const again = await serve({ tcp: { port } });
    expect(again.tcpResource).toBe(`TCPIP::127.0.0.1::${port}::SOCKET`);
  });
});

describe("faults", () => {
  it("drops the next reply, so that a driver times out, then answers again", async () => {
    const server = await serve();
    const c = await client(server.tcpResource);
    server.instrument.injectFault({ kind: "drop-reply" });
    expect(await c.query("*IDN?", 200)).toBeUndefined();
    expect(await c.query("*OPC?")).toBe("1");
  });

  it("sends garbage instead of the next replies, as many as asked", async () => {
    const server = await serve();
    const c = await client(server.tcpResource);
    server.instrument.injectFault({ kind: "garbage-reply", text: "#!?" }, 2);
    expect(await c.query("*IDN?")).toBe("#!?");
    expect(await c.query("*OPC?")).toBe("#!?");
    expect(await c.query("*OPC?")).toBe("1");
  });

  it("delays the next reply", async () => {
    const server = await serve();
    const c = await client(server.tcpResource);
    server.instrument.injectFault({ kind: "delay-reply", ms: 150 });
    const started = Date.now();
    expect(await c.query("*OPC?")).toBe("1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("spends faults on replies only, not on commands without one", async () => {
    const server = await serve();
    const c = await client(server.tcpResource);
    server.instrument.injectFault({ kind: "drop-reply" });
    c.send(":SOUR:VOLT 1\n");
    expect(await c.query("*IDN?", 200)).toBeUndefined();
  });

  it.each([
    [{ kind: "delay-reply", ms: -1 } as const, 1],
    [{ kind: "drop-reply" } as const, 0],
  ])("refuses %j × %i", async (fault, count) => {
    const server = await serve({ tcp: false });
    expect(() => server.instrument.injectFault(fault, count)).toThrow(RangeError);
  });
});

describe("wall clock", () => {
  it("takes the readings' durations in real time, and stamps them with it", async () => {
    const clock = createBenchClock("wall");
    const c = await client((await serve({ clock })).tcpResource);
    c.send(":SENS:CURR:PROT 0.1;:OUTP ON;:FORM:ELEM TIME;:SENS:CURR:NPLC 3;:TRIG:COUN 4\n");
    const started = clock.now();
    const times = (await c.query(":READ?"))?.split(",").map(Number) ?? [];
    const cycle = 0.002 + 3 / 60; // auto source delay + 3 PLC at 60 Hz + overhead
    expect(times).toHaveLength(4);
    for (let i = 1; i < 4; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(cycle - 1e-3);
    expect(clock.now() - started).toBeGreaterThanOrEqual(4 * cycle - 1e-3);
    clock.close();
  });
});

describe("serial PTY", () => {
  it("round-trips through a socat PTY pair with the serialport package", async () => {
    const server = await serve({ tcp: false, serial: true });
    expect(server.tcpResource).toBeUndefined();
    expect(server.serialResource).toMatch(/^ASRL\/dev\/pts\/\d+::INSTR$/);
    const c = await client(server.serialResource, "serial");
    expect(await c.query("*IDN?")).toBe(IDN);
    expect(await c.query(":SENS:CURR:PROT 0.1;:OUTP ON;:SOUR:VOLT 2;:FORM:ELEM CURR;:READ?")).toBe(
      "+2.000000E-03",
    );
    c.send(Buffer.from([0x80, 0x81, 0x0d, 0x0a]));
    expect(await c.query(":SYST:ERR?")).toBe('-101,"Invalid character"');
  });

  it("serves TCP and serial together, one instrument behind both", async () => {
    const server = await serve({ serial: true });
    const tcp = await client(server.tcpResource);
    const serial = await client(server.serialResource, "serial");
    tcp.send(":SOUR:VOLT 4\n");
    expect(await tcp.query("*OPC?")).toBe("1");
    expect(await serial.query(":SOUR:VOLT?")).toBe("+4.000000E+00");
  });

  it("outlives a client that closes, and removes the PTYs on close", async () => {
    const server = await serve({ tcp: false, serial: true });
    const path = server.serialResource?.slice("ASRL".length, -"::INSTR".length) ?? "";
    const first = await serialClient(server.serialResource ?? "");
    expect(await first.query("*OPC?")).toBe("1");
    await first.close();
    const second = await client(server.serialResource, "serial");
    expect(await second.query("*OPC?")).toBe("1");
    await second.close();
    await server.close();
    expect(existsSync(path)).toBe(false);
  });
});
