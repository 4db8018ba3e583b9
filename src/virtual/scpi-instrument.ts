/**
 * What every virtual SCPI instrument does between its wire and its command
 * table (moved here from the 2400's instrument.ts, which the 2450 shares):
 * lines answered in the order they came, whichever connection sent them,
 * each an interval on the bench clock (its timeline); faults injected into
 * what goes back; exceptions from the instrument's own code kept and
 * queued as -300. A model supplies its engine (command table and context).
 */
import type { ErrorEntry } from "../scpi/protocol.js";
import type { BenchClock } from "./clock/bench-clock.js";
import { InstrumentTimeline } from "./clock/timeline.js";
import { type Fault, FaultQueue } from "./faults.js";
import type { ScpiEngine } from "./scpi/engine.js";
import type { ServedInstrument } from "./server.js";

export abstract class VirtualScpiInstrument<Ctx> implements ServedInstrument {
  abstract readonly label: string;
  readonly clock: BenchClock;
  protected readonly timeline: InstrumentTimeline;
  protected abstract readonly engine: ScpiEngine<Ctx>;
  readonly #faults = new FaultQueue();
  protected readonly internalErrorList: unknown[] = [];
  /** The last line's reply: a line that comes while others are answered starts once it settles. */
  #last: Promise<unknown> = Promise.resolve();
  /** Lines handed to {@link respond} and not yet answered (replies go out in the order lines came). */
  #queued = 0;

  constructor(clock: BenchClock, commandLatency: number) {
    this.clock = clock;
    this.timeline = new InstrumentTimeline(clock, commandLatency);
  }

  /** The bench clock's time, s. */
  get time(): number {
    return this.clock.now();
  }

  /** The error queue, oldest first, without reading it. */
  get errors(): readonly ErrorEntry[] {
    return this.engine.errors.peek();
  }

  /** Exceptions from the instrument's own code while handling input (each queued as -300); empty unless there is a bug. */
  get internalErrors(): readonly unknown[] {
    return this.internalErrorList;
  }

  /**
   * Executes one program message (its LF terminator removed; a trailing CR
   * is ignored) and returns the response message, if it has one, as the one
   * element of the array (IEEE 488.2: one response message per program
   * message), once its time has passed on the bench clock: the command
   * latency, then whatever its operations take. No faults: this is the
   * instrument itself. Call it for one line at a time.
   */
  async handleLine(line: string): Promise<string[]> {
    const reply = await this.#execute(line);
    return reply === undefined ? [] : [reply];
  }

  /**
   * One line's response, once its time has passed (see {@link handleLine}).
   * Only the waits make promises: this runs on every line served. A line
   * starts once the instrument is free (`begin()` waits for the operation
   * in progress): neither model executes a command while its trigger model
   * runs (2400 manual §16 "*OPC"; for the 2450 see its core).
   */
  #execute(line: string): Promise<string | undefined> {
    this.timeline.begin();
    const executed = this.engine.execute(line.endsWith("\r") ? line.slice(0, -1) : line);
    return executed instanceof Promise
      ? executed.then(this.#answer)
      : Promise.resolve(this.#answer(executed));
  }

  /** A line's reply once its time has come: at once where its operations already waited for it. */
  readonly #answer = (reply: string | undefined): string | undefined | Promise<string | undefined> => {
    this.timeline.finish();
    if (reply === undefined || this.timeline.reached) return reply;
    return this.timeline.reach(() => reply);
  };

  /**
   * What goes back on the wire for one line: the response with its LF
   * terminator (or "" for none), once the line's time has passed on the
   * bench clock, with any injected fault. Calls are served in order.
   */
  respond(line: string): Promise<string> {
    // With nothing ahead of it, a line starts at once rather than a microtask turn later.
    const run = () => this.#respondNow(line);
    const next = this.#queued === 0 ? run() : this.#last.then(run, run);
    this.#queued += 1;
    this.#last = next;
    return next;
  }

  /**
   * An exception from the instrument's own code that escaped a reply (a bug,
   * caught by the transport): kept in {@link internalErrors} and queued as
   * -300 "Device-specific error" (SCPI-99 Vol. 2 §21.8.10), as the engine
   * does for a command handler's, so that the instrument keeps serving and a
   * client sees it in the error queue.
   */
  reportInternalError(error: unknown): void {
    this.internalErrorList.push(error);
    this.engine.pushError(-300);
  }

  /** The transport dropped an over-long line: queue -363 "Input buffer overrun". */
  inputOverrun(): void {
    this.engine.pushError(-363);
  }

  /** Makes the next `count` replies (default 1) suffer `fault`. */
  injectFault(fault: Fault, count = 1): void {
    this.#faults.inject(fault, count);
  }

  #respondNow(line: string): Promise<string> {
    try {
      return this.#execute(line).then(this.#withFault, this.#failed);
    } catch (error) {
      return this.#failed(error);
    }
  }

  /** A line that failed (a bug): out of the queue, its error passed on. */
  readonly #failed = (error: unknown): never => {
    this.#queued -= 1;
    throw error;
  };

  /** A response with its terminator, as the next injected fault leaves it ("" for none); the line leaves the queue. */
  readonly #withFault = (reply: string | undefined): string | Promise<string> => {
    this.#queued -= 1;
    if (reply === undefined) return "";
    const fault = this.#faults.take();
    switch (fault?.kind) {
      case undefined:
        return `${reply}\n`;
      case "drop-reply":
        return "";
      case "garbage-reply":
        return `${fault.text}\n`;
      case "delay-reply":
        // Still in the queue while it is held back: a line that comes meanwhile must not overtake it.
        this.#queued += 1;
        return sleep(fault.ms).then(() => {
          this.#queued -= 1;
          return `${reply}\n`;
        });
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
