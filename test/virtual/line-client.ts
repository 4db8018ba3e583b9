/** A minimal line-based client over a socket or serial port, for the server tests. */
import { once } from "node:events";
import { connect } from "node:net";
import { SerialPort } from "serialport";

interface ByteStream {
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  write(data: Buffer | string): unknown;
}

export class LineClient {
  readonly #lines: string[] = [];
  #partial = "";
  #waiter: (() => void) | undefined;

  constructor(
    readonly stream: ByteStream,
    readonly close: () => Promise<void>,
  ) {
    stream.on("data", (chunk) => {
      const parts = (this.#partial + chunk.toString("latin1")).split("\n");
      this.#partial = parts.pop() ?? "";
      this.#lines.push(...parts);
      this.#waiter?.();
    });
  }

  /** Bytes received after the last LF. */
  get partial(): string {
    return this.#partial;
  }

  send(data: string | Buffer): void {
    this.stream.write(data);
  }

  /** The next reply line, or undefined if none arrives within `timeoutMs`. */
  async nextLine(timeoutMs = 2000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#lines.shift();
  }

  /** Sends a line and waits for the reply line. */
  async query(line: string, timeoutMs?: number): Promise<string | undefined> {
    this.send(`${line}\n`);
    return this.nextLine(timeoutMs);
  }
}

export async function tcpClient(resource: string): Promise<LineClient> {
  const match = /^TCPIP::(.+)::(\d+)::SOCKET$/.exec(resource);
  if (!match) throw new Error(`not a socket resource: ${resource}`);
  const socket = connect(Number(match[2]), match[1]);
  await once(socket, "connect");
  return new LineClient(socket, async () => {
    socket.destroy();
  });
}

export async function serialClient(resource: string): Promise<LineClient> {
  const match = /^ASRL(.+)::INSTR$/.exec(resource);
  if (!match?.[1]) throw new Error(`not a serial resource: ${resource}`);
  const port = new SerialPort({ path: match[1], baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return new LineClient(port, () => new Promise<void>((resolve) => port.close(() => resolve())));
}
