/**
 * A client that never reads must not grow the virtual server nor slow its
 * other clients (issue 13): the server stops reading a connection whose
 * replies are not drained, and closes one whose queued output passes its
 * bound.
 */
import { once } from "node:events";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ResistorDut,
  type ServeOptions,
  serveVirtualKeithley2400,
  type VirtualServer,
} from "../../src/virtual/index.js";
import { tcpClient } from "./line-client.js";

const IDN = "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4090001,C30   Mar 17 2006 09:29:29/A02  /K/J";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});

async function serve(options: ServeOptions = {}): Promise<VirtualServer> {
  const server = await serveVirtualKeithley2400({ dut: new ResistorDut(1000), noise: false, ...options });
  open.push(server);
  return server;
}

/** Opens the client end of `resource`, a TCP socket or a serial port, without reading from it. */
async function openSilent(resource: string): Promise<Duplex> {
  const tcp = /^TCPIP::(.+)::(\d+)::SOCKET$/.exec(resource);
  if (tcp) {
    const socket = connect(Number(tcp[2]), tcp[1]);
    await once(socket, "connect");
    open.push({ close: async () => void socket.destroy() });
    return socket;
  }
  const port = new SerialPort({ path: resource.slice("ASRL".length, -"::INSTR".length), baudRate: 9600 });
  await once(port, "open");
  open.push({ close: () => new Promise<void>((resolve) => port.close(() => resolve())) });
  return port;
}

/**
 * Connects a client that never reads and writes `line` as fast as its own
 * stream takes it (waiting for "drain", so that what grows is the server,
 * not this client) until the test ends or the server closes it.
 */
async function flood(resource: string, line: string): Promise<{ closed: Promise<void> }> {
  const stream = await openSilent(resource);
  stream.pause();
  stream.on("error", () => {});
  const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()));
  const block = Buffer.from(line.repeat(Math.ceil(65_536 / line.length)), "latin1");
  void (async () => {
    while (!stream.destroyed && stream.writable) {
      if (!stream.write(block)) await Promise.race([once(stream, "drain").catch(() => undefined), closed]);
      // A turn of the loop between blocks: a stream that takes every write at once (one the far end
      // has let go of) must not spin here synchronously, filling this process's memory.
      else await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return { closed };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe("virtual server: a client that never reads", () => {
  it.each(["tcpResource", "serialResource"] as const)(
    "on %s: stops taking its lines, and another client's *IDN? round trip and the server's memory stay small",
    async (wire) => {
      const server = await serve({ serial: true });
      const other = await tcpClient(server.tcpResource ?? "");
      open.push(other);
      expect(await other.query("*IDN?")).toBe(IDN);
      const answered = vi.spyOn(server.instrument, "respond");
      const floodLines = () => answered.mock.calls.filter(([line]) => line !== "*IDN?").length;
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      // 50 queries a line: 4 kB of replies for each 300 bytes the client sends.
      await flood(server[wire] ?? "", `${Array(50).fill("*IDN?").join(";")}\n`);
      const roundTrips: number[] = [];
      const marks: number[] = [];
      for (const end of [1000, 2000].map((ms) => performance.now() + ms)) {
        while (performance.now() < end) {
          const started = performance.now();
          expect(await other.query("*IDN?", 1000)).toBe(IDN);
          roundTrips.push(performance.now() - started);
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        marks.push(floodLines());
      }
      expect(roundTrips.length).toBeGreaterThan(20);
      expect(median(roundTrips)).toBeLessThan(50);
      expect((rssPeak - rssBefore) / 2 ** 20).toBeLessThan(100);
      expect(marks[1], "lines of the flooding client answered in the second second").toBe(marks[0]);
    },
  );

  it("closes a connection whose queued output passes maxQueuedBytes, with a log line naming it", async () => {
    const logged: string[] = [];
    const { tcpResource: resource = "" } = await serve({
      maxQueuedBytes: 256 * 1024,
      log: (message) => logged.push(message),
    });
    // Each line asks for 2000 replies at once: about 160 kB of output per line.
    const { closed } = await flood(resource, `${Array(2000).fill("*IDN?").join(";")}\n`);
    await closed;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^virtual Keithley 2400: closed 127\.0\.0\.1:\d+: .*bound of 262144 bytes/);
    const other = await tcpClient(resource);
    open.push(other);
    expect(await other.query("*IDN?")).toBe(IDN);
  });

  it("on the serial port, which it cannot close, drops a reply that would pass maxQueuedBytes, with a log line, and reads no more until it drains", async () => {
    const logged: string[] = [];
    const { serialResource: resource = "" } = await serve({
      tcp: false,
      serial: true,
      maxQueuedBytes: 8 * 1024,
      log: (message) => logged.push(message),
    });
    // 4 kB replies, several lines a chunk: the second reply in flight finds the first still queued.
    await flood(resource, `${Array(50).fill("*IDN?").join(";")}\n`);
    const deadline = performance.now() + 2000;
    while (logged.length === 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(logged[0]).toMatch(
      /^virtual Keithley 2400: dropped a 4100-byte reply on \/dev\/pts\/\d+: .*bound of 8192 bytes/,
    );
    // And it stops reading until what is queued drains (never, here): no reply after reply dropped, one log
    // line each, for as long as the client sends.
    // (The lines already with the instrument still end in a drop each.)
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = logged.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(logged.length).toBe(settled);
  });
});
