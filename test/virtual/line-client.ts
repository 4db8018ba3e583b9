/** A minimal line-based client over a socket or serial port, for the server tests. */
import { once } from "node:events";
import { connect } from "node:net";
import { SerialPort } from "serialport";

export interface ByteStream {
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

/** A TCP socket or serial port opened from its resource string, as a byte stream and how to close it. */
export async function openByteStream(
  resource: string,
): Promise<{ stream: ByteStream; close: () => Promise<void> }> {
  const tcp = /^TCPIP::(.+)::(\d+)::SOCKET$/.exec(resource);
  if (tcp) {
    const socket = connect(Number(tcp[2]), tcp[1]);
    await once(socket, "connect");
    return { stream: socket, close: async () => void socket.destroy() };
  }
  const serial = /^ASRL(.+)::INSTR$/.exec(resource);
  if (!serial?.[1]) throw new Error(`not a socket or serial resource: ${resource}`);
  const port = new SerialPort({ path: serial[1], baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return { stream: port, close: () => new Promise<void>((resolve) => port.close(() => resolve())) };
}

export async function tcpClient(resource: string): Promise<LineClient> {
  if (!resource.startsWith("TCPIP")) throw new Error(`not a socket resource: ${resource}`);
  const { stream, close } = await openByteStream(resource);
  return new LineClient(stream, close);
}

export async function serialClient(resource: string): Promise<LineClient> {
  if (!resource.startsWith("ASRL")) throw new Error(`not a serial resource: ${resource}`);
  const { stream, close } = await openByteStream(resource);
  return new LineClient(stream, close);
}
