/**
 * A loopback instrument on a real TCP socket and an ScpiSession on it, for
 * the session's tests: each line (ended by CR or LF, as an SCPI instrument
 * takes either) goes to `answer`, one at a time in the order received; what
 * `answer` writes to the socket is the reply. The server, its sockets and
 * the transport are closed by the `cleanups` the test file runs after each
 * test.
 */
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import {
  type ScpiExchange,
  ScpiSession,
  type ScpiSessionOptions,
} from "../../../src/drivers/scpi/session.js";
import { openTransport } from "../../../src/drivers/transports/open.js";

export async function loopbackSession(
  answer: (line: string, socket: Socket) => Promise<void> | void,
  cleanups: Array<() => Promise<unknown>>,
  options: ScpiSessionOptions = {},
): Promise<{ session: ScpiSession; log: ScpiExchange[] }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    let lines = Promise.resolve();
    let partial = "";
    socket.on("data", (chunk) => {
      const parts = (partial + chunk.toString("latin1")).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? "";
      for (const line of parts) lines = lines.then(() => answer(line, socket));
    });
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
  const transport = await openTransport(`TCPIP::127.0.0.1::${address.port}::SOCKET`);
  cleanups.push(() => transport.close());
  const log: ScpiExchange[] = [];
  const session = new ScpiSession(transport, { onExchange: (exchange) => log.push(exchange), ...options });
  return { session, log };
}
