/**
 * One instrument's time on the bench clock (issue 14 §1, the event rule):
 * a command that reaches the instrument is due at
 * max(now, busy-until) + its modelled duration — the command latency,
 * then the operation it starts — and its reply goes out when the clock
 * reaches that time. An operation that runs on after its reply (a laser
 * tuning) keeps the instrument busy until it ends; a query that does not
 * wait for it (`*OPC?` answering 0 while it runs) still costs the command
 * latency, so a polling loop always moves the clock and ends.
 *
 * Within a line the instrument keeps its own time, the cursor: it starts
 * at the line's effect time and moves on by each interval the line takes
 * (`pass`), with no wait. What the line sets on the chip is set for the
 * cursor's time; only what must see the chip (a reading) or answer the
 * client waits for the clock to reach the cursor (`reach`). A line that
 * only sets things costs no wait at all: the next one starts after it.
 */
import { checkSeconds } from "../../sync/timebase.js";
import type { BenchClock } from "./bench-clock.js";

export class InstrumentTimeline {
  readonly clock: BenchClock;
  /** Time from a line's arrival to its effect, s. */
  readonly latency: number;
  #busyUntil = Number.NEGATIVE_INFINITY;
  #cursor: number;

  constructor(clock: BenchClock, latency: number) {
    checkSeconds(latency, "a command latency");
    this.clock = clock;
    this.latency = latency;
    this.#cursor = clock.now();
  }

  /** The present line's time, s on the bench clock (where it has got to). */
  get cursor(): number {
    return this.#cursor;
  }

  /** When the instrument is free again, s on the bench clock. */
  get busyUntil(): number {
    return this.#busyUntil;
  }

  /** Whether the clock has reached the line's time: a reply due now needs no wait. */
  get reached(): boolean {
    return this.#cursor <= this.clock.now();
  }

  /** Whether an operation still runs at the present line's time. */
  get busy(): boolean {
    return this.#cursor < this.#busyUntil;
  }

  /**
   * Starts a line: its effects begin at max(now, busy-until) + latency, or,
   * for a line that does not wait for the operation in progress
   * (`waits` false), at now + latency. Returns that time.
   */
  begin(waits = true): number {
    const now = this.clock.now();
    this.#cursor = (waits ? Math.max(now, this.#busyUntil) : now) + this.latency;
    return this.#cursor;
  }

  /** Lets `seconds` pass in the line's time (a delay, an integration), without waiting yet. */
  pass(seconds: number): void {
    checkSeconds(seconds, "an interval of an instrument's time");
    this.#cursor += seconds;
  }

  /**
   * Waits until the clock reaches the line's time: before reading the chip
   * or answering. On the wall clock a timer may fire late (a loaded
   * machine): the line's time then moves on to when it did, so that what
   * the instrument reads, stamps and sets next is at the moment it really
   * happens. On the simulated clocks the two are the same.
   */
  reach(): Promise<void>;
  /** …and then runs `next` (one promise fewer than `reach().then(next)`). */
  reach<T>(next: () => T | PromiseLike<T>): Promise<T>;
  reach<T>(next?: () => T | PromiseLike<T>): Promise<T | undefined> {
    return this.clock.after(this.#cursor, () => {
      this.#cursor = Math.max(this.#cursor, this.clock.now());
      return next?.();
    });
  }

  /** Ends a line that waits: the instrument is busy until its time. */
  finish(): void {
    this.#busyUntil = Math.max(this.#busyUntil, this.#cursor);
  }

  /** Starts an operation of `seconds` that runs on after the reply: busy until it ends. */
  startOperation(seconds: number): void {
    checkSeconds(seconds, "an operation's duration");
    this.#busyUntil = Math.max(this.#busyUntil, this.#cursor) + seconds;
  }
}
