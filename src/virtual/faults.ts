/**
 * Faults a virtual instrument can be told to commit on its next replies, so
 * that drivers can be tested against what real wires do: a reply that never
 * comes (the driver times out), one that is garbage, one that comes late.
 */
export type Fault =
  /** Swallow the reply. */
  | { readonly kind: "drop-reply" }
  /** Send `text` (then the LF terminator) instead of the reply. */
  | { readonly kind: "garbage-reply"; readonly text: string }
  /** Send the reply `ms` milliseconds late. */
  | { readonly kind: "delay-reply"; readonly ms: number };

/** Faults waiting for replies, first injected first applied; each applies to `count` replies. */
export class FaultQueue {
  readonly #pending: Array<{ fault: Fault; remaining: number }> = [];

  inject(fault: Fault, count = 1): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`fault count must be a positive integer, got ${count}`);
    if (fault.kind === "delay-reply" && !(fault.ms >= 0 && Number.isFinite(fault.ms))) {
      throw new RangeError(`delay-reply needs a finite delay ≥ 0 ms, got ${fault.ms}`);
    }
    this.#pending.push({ fault, remaining: count });
  }

  /** The fault for the next reply, if any; consumes one of its count. */
  take(): Fault | undefined {
    const head = this.#pending[0];
    if (head === undefined) return undefined;
    head.remaining--;
    if (head.remaining === 0) this.#pending.shift();
    return head.fault;
  }

  get size(): number {
    return this.#pending.reduce((n, p) => n + p.remaining, 0);
  }

  clear(): void {
    this.#pending.length = 0;
  }
}
