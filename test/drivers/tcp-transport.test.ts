import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError } from "../../src/drivers/errors.js";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { startStalledListener } from "./support/stalled-listener.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback server whose connections are handed to `onConnection`. */
async function serve(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onConnection(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, "close");
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return address.port;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return address.port;
}

describe("TCP socket transport", () => {
  it("carries a query and its reply", async () => {
    const port = await serve((socket) =>
      socket.on("data", (data) => {
        if (data.toString() === "*IDN?\n") socket.write("ACME,SMU,1,1.0\n");
      }),
    );
    const transport = await openTransport(`TCPIP::127.0.0.1::${port}::SOCKET`);
    cleanups.push(() => transport.close());
    expect(transport.resource).toBe(`TCPIP::127.0.0.1::${port}::SOCKET`);
    const session = new ScpiSession(transport);
    expect(await session.identify()).toMatchObject({ manufacturer: "ACME", model: "SMU" });
  });

  it("refused: a ConnectionError naming host:port and the resource", async () => {
    const port = await closedPort();
    const resource = `TCPIP0::127.0.0.1::${port}::SOCKET`;
    const error = await openTransport(resource).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ resource });
    expect((error as Error).message).toMatch(
      new RegExp(`^${resource}: connection to 127\\.0\\.0\\.1:${port} refused`),
    );
  });

  it("no answer to the connect: a ConnectionError after the connect timeout", async () => {
    const listener = await startStalledListener();
    cleanups.push(() => listener.close());
    const started = performance.now();
    const error = await openTransport(`TCPIP::127.0.0.1::${listener.port}::SOCKET`, {
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      `connecting to 127.0.0.1:${listener.port} timed out after 300 ms`,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("the peer closing mid-query: the call in flight rejects with ConnectionError", async () => {
    const port = await serve((socket) => socket.on("data", () => socket.destroy()));
    const transport = await openTransport(`TCPIP::127.0.0.1::${port}::SOCKET`);
    cleanups.push(() => transport.close());
    const session = new ScpiSession(transport, { timeoutMs: 5000 });
    const error = await session.query(":READ?").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/connection closed by the instrument side/);
    await expect(session.query("*IDN?")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("close() ends the connection, tells onClose, and may be called twice", async () => {
    let peerEnded = false;
    const port = await serve((socket) => socket.on("close", () => (peerEnded = true)));
    const transport = await openTransport(`TCPIP::127.0.0.1::${port}::SOCKET`);
    const closed = new Promise<void>((resolve) => transport.onClose(() => resolve()));
    await transport.close();
    await transport.close();
    await closed;
    await expect(transport.write(Buffer.from("*CLS\n"))).rejects.toBeInstanceOf(ConnectionError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(peerEnded).toBe(true);
  });
});
