/**
 * A transport double that answers `Q <n>?` with `<n>` after a random short
 * delay and fails the test if a command is written while a reply is still
 * owed: it proves the session keeps exactly one command in flight.
 */
import type { Transport } from "../../../src/drivers/transport.js";

export class EchoInstrument implements Transport {
  readonly resource = "ECHO::INSTR";
  readonly violations: string[] = [];
  #owed = 0;
  #listener: ((chunk: Uint8Array) => void) | undefined;

  async write(data: Uint8Array): Promise<void> {
    const command = Buffer.from(data).toString("latin1").trim();
    if (this.#owed > 0) this.violations.push(`${command} sent while a reply was owed`);
    const match = /^Q (\d+)\?$/.exec(command);
    if (!match) return;
    this.#owed += 1;
    setTimeout(() => {
      this.#owed -= 1;
      // split the reply to make the session reassemble it
      this.#listener?.(Buffer.from(match[1] ?? "", "latin1"));
      this.#listener?.(Buffer.from("\n", "latin1"));
    }, Math.random() * 3);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.#listener = listener;
  }

  onClose(): void {}

  async close(): Promise<void> {}
}
