/**
 * The fault proxy on real sockets: in front of the virtual Keithley 2400,
 * with a raw line client where the bytes are the point and with the real
 * driver where its reaction is.
 */
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  DriverError,
  InstrumentTimeoutError,
  ProtocolError,
} from "../../src/drivers/errors.js";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import { serveVirtualKeithley2400, type VirtualServer } from "../../src/virtual/index.js";
import { type LineClient, tcpClient } from "../virtual/line-client.js";
import { type ExchangeFault, type FaultProxy, type ReplyFault, startFaultProxy } from "./fault-proxy.js";

const IDN = "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4090001,C30   Mar 17 2006 09:29:29/A02  /K/J";
const TIMEOUT_MS = 100;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});

function track<T extends { close(): Promise<void> }>(resource: T): T {
  open.push(resource);
  return resource;
}

async function bench(): Promise<{ server: VirtualServer; proxy: FaultProxy }> {
  const server = track(await serveVirtualKeithley2400({ noise: false }));
  const proxy = track(await startFaultProxy({ upstream: server.tcpResource ?? "no TCP resource" }));
  return { server, proxy };
}

async function driverOn(proxy: FaultProxy): Promise<Keithley2400> {
  const limits = { maxAbsVoltage: 2, maxAbsCurrent: 0.1 };
  return track(await connectKeithley2400(proxy.resource, { limits, timeoutMs: TIMEOUT_MS }));
}

async function clientOn(proxy: FaultProxy): Promise<LineClient> {
  return track(await tcpClient(proxy.resource));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("pass-through", () => {
  it("carries *IDN? from the driver to the instrument and back, logging both", async () => {
    const { proxy } = await bench();
    const driver = await driverOn(proxy);
    expect(await driver.identify()).toMatchObject({
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
    });
    expect(proxy.commands[0]).toBe("*IDN?");
    expect(proxy.log.slice(0, 2)).toEqual([
      { type: "command", link: 1, line: "*IDN?" },
      { type: "reply", link: 1, line: IDN, query: "*IDN?" },
    ]);
    expect(proxy.commands.at(-1)).toBe("*IDN?");
    expect(proxy.log.filter((event) => event.type === "fault")).toEqual([]);
  });

  it("reassembles lines split across chunks, strips CR before LF, and pairs replies with queries in order", async () => {
    const { proxy } = await bench();
    proxy.faultReply(":SOUR:FUNC?", { kind: "corrupt", text: "second" });
    const client = await clientOn(proxy);
    client.send("*ID");
    await pause(10);
    client.send("N?\r\n:SOUR:FU");
    await pause(10);
    client.send("NC?\n:SOUR:VOLT:LEV 0.25\n:SOUR:VOLT:LEV?\n");
    expect([await client.nextLine(), await client.nextLine(), await client.nextLine()]).toEqual([
      IDN,
      "second",
      "+2.500000E-01",
    ]);
    expect(proxy.commands).toEqual(["*IDN?", ":SOUR:FUNC?", ":SOUR:VOLT:LEV 0.25", ":SOUR:VOLT:LEV?"]);
  });

  it("frames replies on the terminators it is given, however the instrument's bytes are chunked", async () => {
    // No virtual instrument speaks other terminators yet: this stand-in takes CR-terminated commands and
    // answers `X?` with `X!` CR LF, one byte per write, so that replies and their two-byte terminator
    // arrive split, and two replies may arrive joined.
    const laser = createServer((socket: Socket) => {
      socket.setNoDelay(true);
      let text = "";
      socket.on("data", async (chunk) => {
        text += chunk.toString("latin1");
        const lines = text.split("\r");
        text = lines.pop() ?? "";
        const replies = lines
          .filter((line) => line.includes("?"))
          .map((line) => `${line.replace("?", "!")}\r\n`);
        for (const byte of replies.join("")) {
          socket.write(byte);
          await pause(1);
        }
      });
    });
    laser.listen(0, "127.0.0.1");
    await once(laser, "listening");
    track({ close: () => new Promise<void>((resolve) => laser.close(() => resolve())) });
    const address = laser.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const proxy = track(
      await startFaultProxy({
        upstream: { host: "127.0.0.1", port: address.port },
        writeTerminator: "\r",
        readTerminator: "\r\n",
      }),
    );
    proxy.faultReply("POW?", { kind: "corrupt", text: "garbled" });
    const client = await clientOn(proxy);
    client.send("WAV?\rPOW?\rOUT 1\rOUT?\r");
    const replies = [await client.nextLine(), await client.nextLine(), await client.nextLine()];
    expect(replies).toEqual(["WAV!\r", "garbled\r", "OUT!\r"]);
    expect(proxy.commands).toEqual(["WAV?", "POW?", "OUT 1", "OUT?"]);
  });

  it("destroys the client's socket when the instrument refuses the connection", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const address = closed.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const proxy = track(await startFaultProxy({ upstream: `TCPIP::127.0.0.1::${address.port}::SOCKET` }));
    await expect(driverOn(proxy)).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("reply faults", () => {
  it.each<[string, ReplyFault, new (...args: never[]) => DriverError, object]>([
    ["dropped", { kind: "drop" }, InstrumentTimeoutError, { command: ":SOUR:FUNC?", partial: "" }],
    ["late", { kind: "delay", ms: 3 * TIMEOUT_MS }, InstrumentTimeoutError, { command: ":SOUR:FUNC?" }],
    ["corrupt", { kind: "corrupt", text: "#%&garbage" }, ProtocolError, { reply: "#%&garbage" }],
    ["truncated", { kind: "truncate" }, InstrumentTimeoutError, { command: ":SOUR:FUNC?", partial: "VO" }],
    ["cut", { kind: "cut" }, ConnectionError, {}],
  ])(
    "a %s reply to :SOUR:FUNC? reaches the driver as a typed error",
    async (_, fault, errorClass, fields) => {
      const { proxy } = await bench();
      const driver = await driverOn(proxy);
      proxy.faultReply(":SOUR:FUNC?", fault);
      const error = await driver.sourceMode.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect(error).toMatchObject({ resource: proxy.resource, ...fields });
      expect(proxy.log.at(-1)).toMatchObject({ type: "fault", on: "reply", line: ":SOUR:FUNC?", fault });
      expect(proxy.pending).toBe(0);
    },
  );

  it("after a dropped reply, the driver resynchronises with *OPC? and the next query gets its own reply", async () => {
    const { proxy } = await bench();
    const driver = await driverOn(proxy);
    proxy.faultReply(":SOUR:VOLT:LEV?", { kind: "drop" });
    await expect(driver.sourceVoltage.get()).rejects.toBeInstanceOf(InstrumentTimeoutError);
    expect(await driver.sourceVoltage.get()).toBe(0);
    expect(proxy.commands.slice(-3)).toEqual([":SOUR:VOLT:LEV?", "*OPC?", ":SOUR:VOLT:LEV?"]);
  });

  it("holds later replies behind a delayed one, so that order is kept", async () => {
    const { proxy } = await bench();
    proxy.faultReply("*IDN?", { kind: "delay", ms: TIMEOUT_MS });
    const client = await clientOn(proxy);
    const start = performance.now();
    client.send("*IDN?\n:SOUR:FUNC?\n");
    expect(await client.nextLine()).toBe(IDN);
    expect(performance.now() - start).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(await client.nextLine()).toBe("VOLT");
    const replies = proxy.log.filter((event) => event.type === "reply").map((event) => event.line);
    expect(replies).toEqual([IDN, "VOLT"]);
  });

  it("sends the first half of a truncated reply, without terminator", async () => {
    const { proxy } = await bench();
    proxy.faultReply("*IDN?", { kind: "truncate" });
    const client = await clientOn(proxy);
    expect(await client.query("*IDN?", TIMEOUT_MS)).toBeUndefined();
    expect(client.partial).toBe(IDN.slice(0, Math.ceil(IDN.length / 2)));
  });

  it("after a cut, a new connection gets a fresh upstream and works", async () => {
    const { proxy } = await bench();
    const driver = await driverOn(proxy);
    proxy.faultReply(":SOUR:FUNC?", { kind: "cut" });
    await expect(driver.sourceMode.get()).rejects.toBeInstanceOf(ConnectionError);
    const again = await driverOn(proxy);
    expect(await again.sourceMode.get()).toBe("voltage");
    expect(proxy.log.at(-1)).toMatchObject({ type: "reply", link: 2, line: "VOLT" });
  });

  it("cutAll cuts every live link", async () => {
    const { proxy } = await bench();
    const [first, second] = [await driverOn(proxy), await driverOn(proxy)];
    proxy.cutAll();
    await expect(first.identify()).rejects.toBeInstanceOf(ConnectionError);
    await expect(second.identify()).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("command faults", () => {
  it("a dropped command never reaches the instrument; the link stays up", async () => {
    const { server, proxy } = await bench();
    const driver = await driverOn(proxy);
    proxy.faultCommand(":SOUR:VOLT:LEV 0.3", { kind: "drop" });
    await driver.unsafeSession().write(":SOUR:VOLT:LEV 0.3");
    expect(await driver.sourceVoltage.get()).toBe(0);
    expect(server.instrument.settings.source.VOLT.level).toBe(0);
    expect(proxy.commands).toContain(":SOUR:VOLT:LEV 0.3");
  });

  it.each([
    ["cut-before", 0],
    ["cut-after", 0.3],
  ] as const)("%s: the link is cut and the instrument's level is then %s V", async (kind, level) => {
    const { server, proxy } = await bench();
    const driver = await driverOn(proxy);
    proxy.faultCommand(":SOUR:VOLT:LEV 0.3", { kind });
    await driver.unsafeSession().write(":SOUR:VOLT:LEV 0.3");
    await expect(driver.sourceVoltage.get()).rejects.toBeInstanceOf(ConnectionError);
    await vi.waitFor(() => expect(server.instrument.settings.source.VOLT.level).toBe(level));
    expect(await (await driverOn(proxy)).sourceVoltage.get()).toBe(level);
  });
});

describe("counting", () => {
  it("faults the nth matching query counted from now, and pending counts down", async () => {
    const { proxy } = await bench();
    const driver = await driverOn(proxy); // its start-up already asked :SOUR:FUNC?: not counted
    proxy.faultReply(/^:SOUR:FUNC\?$/, { kind: "corrupt", text: "VOLTAGE?!" }, 2);
    expect(proxy.pending).toBe(1);
    expect(await driver.sourceMode.get()).toBe("voltage");
    await expect(driver.sourceMode.get()).rejects.toMatchObject({ reply: "VOLTAGE?!" });
    expect(proxy.pending).toBe(0);
    expect(await driver.sourceMode.get()).toBe("voltage");
  });

  it("faults the nth matching command line", async () => {
    const { server, proxy } = await bench();
    const driver = await driverOn(proxy);
    proxy.faultCommand((line) => line.startsWith(":SOUR:VOLT:LEV "), { kind: "drop" }, 2);
    await driver.unsafeSession().write(":SOUR:VOLT:LEV 0.1");
    await driver.unsafeSession().write(":SOUR:VOLT:LEV 0.2");
    expect(await driver.sourceVoltage.get()).toBe(0.1);
    expect(server.instrument.settings.source.VOLT.level).toBe(0.1);
  });

  it("faultExchange faults the line that will be commands[index]; a reply fault on a command is discarded", async () => {
    const { proxy } = await bench();
    proxy.faultExchange(1, { on: "reply", fault: { kind: "corrupt", text: "X" } });
    proxy.faultExchange(2, { on: "reply", fault: { kind: "drop" } });
    expect(() => proxy.faultExchange(1, { on: "reply", fault: { kind: "drop" } })).toThrow(RangeError);
    const client = await clientOn(proxy);
    expect(await client.query("*IDN?")).toBe(IDN);
    expect(await client.query(":SOUR:FUNC?")).toBe("X");
    client.send(":SOUR:VOLT:LEV 0.5\n");
    expect(await client.query(":SOUR:VOLT:LEV?")).toBe("+5.000000E-01");
    expect(proxy.pending).toBe(0);
    expect(() => proxy.faultExchange(3, { on: "command", fault: { kind: "drop" } })).toThrow(RangeError);
  });
});

describe("a fault on a random exchange, through the driver (what faultExchange is for)", () => {
  /** Park–Miller minimal standard generator: the same offsets on every run. */
  let state = 2400;
  const nextOffset = () => {
    state = (state * 16807) % 2147483647;
    return state % 3;
  };

  it.each<ExchangeFault>([
    { on: "reply", fault: { kind: "drop" } },
    { on: "reply", fault: { kind: "delay", ms: 2 * TIMEOUT_MS } },
    { on: "reply", fault: { kind: "corrupt", text: "#%&" } },
    { on: "reply", fault: { kind: "truncate" } },
    { on: "reply", fault: { kind: "cut" } },
    { on: "command", fault: { kind: "drop" } },
    { on: "command", fault: { kind: "cut-after" } },
  ])("never hands a reply to the wrong query: each read is right or a typed error (%j)", async (fault) => {
    const { proxy } = await bench();
    const driver = await driverOn(proxy);
    const offset = nextOffset();
    proxy.faultExchange(proxy.commands.length + offset, fault);
    const reads: Array<[() => Promise<unknown>, unknown]> = [
      [() => driver.sourceMode.get(), "voltage"],
      [() => driver.sourceVoltage.get(), 0],
      [() => driver.complianceCurrent.get(), expect.any(Number)],
      [() => driver.outputEnabled.get(), false],
    ];
    for (const [read, expected] of reads) {
      const outcome = await read().catch((error: unknown) => error);
      if (outcome instanceof DriverError) continue;
      expect(outcome, `on exchange ${offset}`).toEqual(expected);
    }
  });
});
