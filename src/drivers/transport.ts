/**
 * Bytes in and out of an instrument: the lowest of the three driver layers
 * (DESIGN.md, "Drivers"; STYLE.md 4). A driver depends on this interface
 * only, never on `serialport`, `node:net` or `zeromq` directly.
 */
export interface Transport {
  /** VISA-style resource string this transport was opened from. */
  readonly resource: string;
  /** Sends bytes as they are; resolves once handed to the OS. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Registers the consumer of received bytes (one consumer; chunks arrive as
   * the OS delivers them, not split at terminators).
   */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Registers a listener for the connection going away (cable pulled, peer closed). */
  onClose(listener: (error?: Error) => void): void;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}
