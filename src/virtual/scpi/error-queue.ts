/**
 * The SCPI error/event queue (SCPI-99 Vol. 2 §21.8, :SYSTem:ERRor).
 *
 * First in, first out. When it is full, the most recent entry is replaced by
 * -350 "Queue overflow" and further errors are dropped until one is read:
 * the oldest errors are the ones that explain what went wrong first.
 */
import { type ErrorEntry, NO_ERROR } from "../../scpi/protocol.js";

const OVERFLOW: QueuedError = { code: -350, text: "Queue overflow" };

/** An entry as queued: with the bench-clock time it was queued at, when the engine stamps entries. */
export interface QueuedError extends ErrorEntry {
  /** s on the bench clock. */
  readonly time?: number;
}

export class ErrorQueue {
  readonly #entries: QueuedError[] = [];

  /** @param capacity how many entries fit, the overflow marker included (the 2400 holds 10, manual §18 :SYSTem:ERRor). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) {
      throw new RangeError(`error queue capacity must be an integer ≥ 2 (SCPI-99 §21.8.2), got ${capacity}`);
    }
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Queues an entry; returns false when it was dropped because the queue had overflowed. */
  push(entry: QueuedError): boolean {
    const entries = this.#entries;
    if (entries.length < this.capacity) {
      entries.push(entry);
      return true;
    }
    entries[entries.length - 1] = OVERFLOW;
    return false;
  }

  /** Removes and returns the oldest entry, or 0,"No error" when empty. */
  next(): QueuedError {
    return this.#entries.shift() ?? NO_ERROR;
  }

  /** Removes and returns every entry, oldest first. */
  drain(): QueuedError[] {
    return this.#entries.splice(0);
  }

  /** Entries, oldest first, without removing them. */
  peek(): readonly QueuedError[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

/** `-113,"Undefined header"`: the reply format of :SYSTem:ERRor? (SCPI-99 Vol. 2 §21.8.1). */
export function formatErrorEntry(entry: ErrorEntry): string {
  return `${entry.code},"${entry.text.replaceAll('"', '""')}"`;
}
