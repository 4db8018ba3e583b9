/**
 * A TCP listener that never completes a connection: a child process
 * listens with a backlog of 1 and then blocks its event loop, so once two
 * connections fill the accept queue, the kernel drops further SYNs and a
 * connect hangs as it does to a powered-off instrument — on the loopback
 * interface only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";

const CHILD = `
const server = require("node:net").createServer();
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  process.stdout.write(server.address().port + "\\n");
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 20);
});`;

export interface StalledListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStalledListener(): Promise<StalledListener> {
  const child: ChildProcess = spawn(process.execPath, ["-e", CHILD], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  const port = Number(chunk.toString().trim());
  await new Promise((resolve) => setTimeout(resolve, 100));
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i += 1) {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    await once(socket, "connect");
    fillers.push(socket);
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
