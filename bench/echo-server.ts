/**
 * The baseline of the SCPI round-trip bench (bench/scpi.ts): a process that
 * answers every line with the line itself, on a TCP socket and on a socat
 * PTY pair opened with the `serialport` package — the same wires, the same
 * libraries and its own process, as the virtual instrument it is compared
 * with (an echo inside the client's process would skip a process wake-up
 * and flatter itself). Prints its resource strings, one per line, and
 * serves until stdin closes or a signal.
 */
import { createServer } from "node:net";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import { openPtyPair } from "../src/virtual/serial-pty.js";

function echo(stream: Duplex): void {
  let partial = "";
  stream.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("latin1")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) stream.write(`${line}\n`, "latin1");
  });
  stream.on("error", () => undefined);
}

async function main(): Promise<void> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    echo(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("echo server has no port");
  const pty = await openPtyPair();
  const port = new SerialPort({ path: pty.instrumentPath, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  echo(port);
  console.log(`TCPIP::127.0.0.1::${address.port}::SOCKET`);
  console.log(`ASRL${pty.clientPath}::INSTR`);
  const stop = async () => {
    server.close();
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await pty.close();
    process.exit(0);
  };
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
