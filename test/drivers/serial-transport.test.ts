import { once } from "node:events";
import { SerialPort, SerialPortMock } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, ResourceError } from "../../src/drivers/errors.js";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { closeSerialPort } from "../../src/drivers/transports/serial.js";
import { openPtyPair } from "../../src/virtual/serial-pty.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The instrument end of a PTY pair: answers `*IDN?`, and hangs up on `HANGUP`. */
async function instrumentAt(path: string, onHangUp: () => Promise<void>): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600 });
  await once(port, "open");
  port.on("data", (data: Buffer) => {
    const command = data.toString().trim();
    if (command === "*IDN?") port.write("ACME,SERIAL SMU,7,2.1\n");
    if (command === ":READ?") void onHangUp();
  });
  cleanups.push(
    () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  );
  return port;
}

describe("serial transport", () => {
  it("carries a query and its reply over a PTY pair", async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    await instrumentAt(pair.instrumentPath, pair.close);
    const transport = await openTransport(`ASRL${pair.clientPath}::INSTR`, { serial: { baudRate: 115200 } });
    cleanups.push(() => transport.close());
    const session = new ScpiSession(transport);
    expect(await session.identify()).toEqual({
      manufacturer: "ACME",
      model: "SERIAL SMU",
      serial: "7",
      firmware: "2.1",
    });
  });

  it("the far end hanging up mid-query: the call in flight rejects with ConnectionError", async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    await instrumentAt(pair.instrumentPath, pair.close);
    const transport = await openTransport(`ASRL${pair.clientPath}::INSTR`);
    cleanups.push(() => transport.close());
    const session = new ScpiSession(transport, { timeoutMs: 5000 });
    await expect(session.query(":READ?")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("close releases the port: the same path opens again", async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    await instrumentAt(pair.instrumentPath, pair.close);
    const resource = `ASRL${pair.clientPath}::INSTR`;
    const first = await openTransport(resource);
    await first.close();
    await first.close(); // idempotent
    const second = await openTransport(resource);
    cleanups.push(() => second.close());
    expect(await new ScpiSession(second).identify()).toMatchObject({ model: "SERIAL SMU" });
  });

  it("a device path that does not exist: a ResourceError naming the path and the resource", async () => {
    const resource = "ASRL/dev/ttyUSB-no-such-adapter::INSTR";
    const error = await openTransport(resource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ resource });
    expect((error as Error).message).toBe(
      `${resource}: serial device /dev/ttyUSB-no-such-adapter does not exist (is the adapter plugged in?)`,
    );
  });

  it("a path that is not a serial device: a ConnectionError naming it", async () => {
    const resource = "ASRL/proc/version::INSTR";
    const error = await openTransport(resource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      /^ASRL\/proc\/version::INSTR: cannot open serial device \/proc\/version/,
    );
  });

  describe("with serialport's mock binding injected", () => {
    afterEach(() => SerialPortMock.binding.reset());

    it("carries bytes both ways", async () => {
      SerialPortMock.binding.createPort("/dev/mock-smu", { echo: true, record: true });
      const transport = await openTransport("ASRL/dev/mock-smu::INSTR", { serialPortClass: SerialPortMock });
      cleanups.push(() => transport.close());
      const received = new Promise<string>((resolve) =>
        transport.onData((chunk) => resolve(Buffer.from(chunk).toString())),
      );
      await transport.write(Buffer.from("*CLS\n"));
      expect(await received).toBe("*CLS\n");
    });

    it("close unlocks the port: the same path opens again", async () => {
      SerialPortMock.binding.createPort("/dev/mock-smu");
      const options = { serialPortClass: SerialPortMock };
      await (await openTransport("ASRL/dev/mock-smu::INSTR", options)).close();
      const again = await openTransport("ASRL/dev/mock-smu::INSTR", options);
      cleanups.push(() => again.close());
    });

    it("closing a port that is already closed (a disconnect closes it) resolves", async () => {
      SerialPortMock.binding.createPort("/dev/mock-smu");
      const port = new SerialPortMock({ path: "/dev/mock-smu", baudRate: 9600, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await expect(closeSerialPort(port, "ASRL/dev/mock-smu::INSTR")).resolves.toBeUndefined();
    });

    it("a mock port that was never created: a ResourceError naming the path", async () => {
      await expect(
        openTransport("ASRL/dev/mock-absent::INSTR", { serialPortClass: SerialPortMock }),
      ).rejects.toThrow("ASRL/dev/mock-absent::INSTR: serial device /dev/mock-absent does not exist");
    });
  });
});
