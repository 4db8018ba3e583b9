/**
 * One clock per virtual bench (DESIGN.md, "Virtual instruments"; issue 14
 * §1). Every virtual instrument of a bench reads time from it, and each
 * operation that takes time on the real instrument (a command's latency,
 * a source delay, an integration, a sweep) is an interval on it: the
 * instrument waits `until(start + duration)`. Intervals of different
 * instruments overlap, as on a real bench, because each waits on the same
 * clock rather than adding its durations to a clock of its own.
 *
 * Three modes:
 * - **wall**: real time (host-monotonic). For programs the project does not
 *   control (`pms virtual`'s default).
 * - **event**: simulated, discrete-event. Waits are requests; once nothing
 *   the clock knows of can run, time jumps to the earliest due request and
 *   it is answered. "Nothing can run" is judged on a turn of the event loop
 *   (`setImmediate`, after Node's poll phase has read every socket with
 *   data) with no request declared and still on the wire (`declare` →
 *   `arrived`). A client that sends nothing holds nothing: its silence
 *   takes no simulated time. Runs as fast as the CPU allows.
 * - **manual**: only `advance(dt)` moves time, answering the requests due
 *   on the way in order of their due times; for deterministic tests and a
 *   lockstep co-simulation master.
 *
 * Limits of the event rule, kept because the server cannot see a client
 * think: a reply on its way back to a client in this process over TCP
 * loopback is read before the next jump (it is readable at once), but one
 * on a PTY passes through socat and may be overtaken by another
 * instrument's due request; a client in another process that wants its
 * thinking time not to count must make its waits through the clock
 * (`sleep`, or the clock-control endpoint).
 */
import {
  anchorNow,
  checkSeconds,
  type Declaration,
  hostSecondsSince,
  type TimeAnchor,
  type Timebase,
} from "../../sync/timebase.js";

export type ClockMode = "wall" | "event" | "manual";

export const CLOCK_MODES: readonly ClockMode[] = ["wall", "event", "manual"];

/** A wait on a clock that was closed before it was due. */
export class ClockClosedError extends Error {
  constructor(
    readonly mode: ClockMode,
    readonly due: number,
  ) {
    super(`the ${mode} bench clock was closed while a request due at ${due} s waited`);
    this.name = "ClockClosedError";
  }
}

export interface BenchClock extends Timebase {
  readonly kind: ClockMode;
  /** Resolves once the clock reaches `time`, s (at once if it has). */
  until(time: number): Promise<void>;
  /**
   * {@link until}, then `next` run as the wait is answered, its result the
   * promise's: one promise rather than two, for the wait every virtual
   * instrument makes on every reading. `next` runs when the clock is at
   * `time`, before later waits are answered.
   */
  after<T>(time: number, next: () => T | PromiseLike<T>): Promise<T>;
  /** A virtual instrument's server saw a line arrive through `resource`: ends the oldest declaration on it. */
  arrived(resource: string): void;
  /**
   * Manual mode: moves time on by `seconds`, stopping at each waiting
   * request's due time to answer it and let what it starts register its
   * own waits; resolves once time has reached the target. Refused by the
   * other modes, whose time is not moved by hand.
   */
  advance(seconds: number): Promise<void>;
  /** Requests waiting for their due time. */
  readonly waiting: number;
  /** Due time of the earliest waiting request, s; undefined when none waits (what a lockstep master advances to). */
  readonly nextDue: number | undefined;
  /** Declarations still on the wire (event mode holds its jumps while there are any). */
  readonly declared: number;
  /** Rejects every waiting request with ClockClosedError and refuses new ones. */
  close(): void;
  readonly closed: boolean;
}

export function createBenchClock(mode: ClockMode, anchor: TimeAnchor = anchorNow()): BenchClock {
  switch (mode) {
    case "wall":
      return new WallClock(anchor);
    case "event":
      return new EventClock(anchor);
    case "manual":
      return new ManualClock(anchor);
    default:
      throw new RangeError(`unknown clock mode "${String(mode)}": one of ${CLOCK_MODES.join(", ")}`);
  }
}

interface Wait {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Waits ordered by due time, then by arrival. */
class WaitQueue {
  readonly #heap: Wait[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): Wait | undefined {
    return this.#heap[0];
  }

  push(wait: Wait): void {
    const heap = this.#heap;
    heap.push(wait);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Wait, heap[parent] as Wait)) break;
      [heap[i], heap[parent]] = [heap[parent] as Wait, heap[i] as Wait];
      i = parent;
    }
  }

  pop(): Wait | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left] as Wait, heap[least] as Wait)) least = left;
        if (right < heap.length && before(heap[right] as Wait, heap[least] as Wait)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least] as Wait, heap[i] as Wait];
        i = least;
      }
    }
    return top;
  }

  drain(): Wait[] {
    return this.#heap.splice(0);
  }
}

function before(a: Wait, b: Wait): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

const RESOLVED = Promise.resolve();

/** What the three modes share: declarations, the queue of waits, close. */
abstract class ClockBase implements BenchClock {
  abstract readonly kind: ClockMode;
  readonly anchor: TimeAnchor;
  protected readonly queue = new WaitQueue();
  #seq = 0;
  #closed = false;
  /** Declarations on the wire, oldest first, by resource. */
  readonly #declarations = new Map<string, Array<{ done: boolean }>>();
  #declared = 0;

  constructor(anchor: TimeAnchor) {
    this.anchor = anchor;
  }

  abstract now(): number;

  get waiting(): number {
    return this.queue.size;
  }

  get declared(): number {
    return this.#declared;
  }

  get nextDue(): number | undefined {
    return this.queue.peek()?.due;
  }

  get closed(): boolean {
    return this.#closed;
  }

  until(time: number): Promise<void> {
    if (Number.isNaN(time)) throw new RangeError("a bench clock cannot wait until NaN s");
    if (time <= this.now())
      return this.#closed ? Promise.reject(new ClockClosedError(this.kind, time)) : RESOLVED;
    if (time === Number.POSITIVE_INFINITY) throw new RangeError("a bench clock cannot wait until +∞ s");
    if (this.#closed) return Promise.reject(new ClockClosedError(this.kind, time));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ due: time, seq: this.#seq++, resolve, reject });
      this.scheduled();
    });
  }

  after<T>(time: number, next: () => T | PromiseLike<T>): Promise<T> {
    if (Number.isNaN(time)) throw new RangeError("a bench clock cannot wait until NaN s");
    if (time <= this.now()) {
      return this.#closed ? Promise.reject(new ClockClosedError(this.kind, time)) : RESOLVED.then(next);
    }
    if (time === Number.POSITIVE_INFINITY) throw new RangeError("a bench clock cannot wait until +∞ s");
    if (this.#closed) return Promise.reject(new ClockClosedError(this.kind, time));
    return new Promise<T>((resolve, reject) => {
      const answer = () => {
        try {
          resolve(next());
        } catch (error) {
          reject(error);
        }
      };
      this.queue.push({ due: time, seq: this.#seq++, resolve: answer, reject });
      this.scheduled();
    });
  }

  sleep(seconds: number): Promise<void> {
    checkSeconds(seconds, "a sleep on the bench clock");
    return this.until(this.now() + seconds);
  }

  declare(resource: string): Declaration {
    const token = { done: false };
    let list = this.#declarations.get(resource);
    if (!list) {
      list = [];
      this.#declarations.set(resource, list);
    }
    list.push(token);
    this.#declared += 1;
    const end = () => this.#end(resource, token);
    return Object.defineProperty(end, "ended", { get: () => token.done }) as Declaration;
  }

  arrived(resource: string): void {
    const token = this.#declarations.get(resource)?.[0];
    if (token) this.#end(resource, token);
  }

  advance(_seconds: number): Promise<void> {
    return Promise.reject(
      new Error(`a ${this.kind} bench clock is not advanced by hand; only a manual clock is`),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const wait of this.queue.drain()) wait.reject(new ClockClosedError(this.kind, wait.due));
    for (const list of this.#declarations.values()) for (const token of list) token.done = true;
    this.#declarations.clear();
    this.#declared = 0;
    this.closing();
  }

  /** A wait was queued. */
  protected abstract scheduled(): void;
  /** The last declaration on the wire ended. */
  protected unheld(): void {}
  protected closing(): void {}

  /** Answers the waits due at or before `time`, in order. */
  protected answerUpTo(time: number): void {
    for (let next = this.queue.peek(); next !== undefined && next.due <= time; next = this.queue.peek()) {
      this.queue.pop();
      next.resolve();
    }
  }

  #end(resource: string, token: { done: boolean }): void {
    if (token.done) return;
    token.done = true;
    const list = this.#declarations.get(resource);
    if (list) {
      const at = list.indexOf(token);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.#declarations.delete(resource);
    }
    this.#declared -= 1;
    if (this.#declared === 0) this.unheld();
  }
}

/** Longest delay Node's timers take, ms (a signed 32-bit integer). */
const MAX_TIMER_MS = 0x7fff_ffff;

/** Real time since the anchor; each wait is a timer. */
class WallClock extends ClockBase {
  readonly kind = "wall";
  #timer: NodeJS.Timeout | undefined;

  now(): number {
    return hostSecondsSince(this.anchor);
  }

  /** Due time the timer is set for (+∞ with none). */
  #armedFor = Number.POSITIVE_INFINITY;

  protected scheduled(): void {
    // A wait later than the one the timer is set for changes nothing.
    if ((this.queue.peek()?.due ?? Number.POSITIVE_INFINITY) < this.#armedFor) this.#arm();
  }

  protected override closing(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  /** One timer, for the earliest wait. */
  #arm(): void {
    const next = this.queue.peek();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = next?.due ?? Number.POSITIVE_INFINITY;
    if (!next) return;
    // Node runs a delay past 2³¹ − 1 ms (24.8 days) after 1 ms instead, which
    // re-armed here would spin; a clamped timer fires early and re-arms.
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, (next.due - this.now()) * 1000));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#armedFor = Number.POSITIVE_INFINITY;
      this.answerUpTo(this.now());
      this.#arm();
    }, ms);
  }
}

/** Simulated time that jumps to the earliest due wait once nothing can run. */
class EventClock extends ClockBase {
  readonly kind = "event";
  #now = 0;
  #checking = false;
  /**
   * A jump was made since the loop last went through its poll phase: a
   * reply it let out may still be unread by a client of this process, whose
   * next request is not declared yet.
   */
  #jumpedThisTurn = false;

  now(): number {
    return this.#now;
  }

  protected scheduled(): void {
    this.#check();
  }

  protected override unheld(): void {
    this.#check();
  }

  /**
   * Schedules a jump to the earliest wait once nothing known can run:
   * - normally on the next turn of the loop (`setImmediate`, after the poll
   *   phase has read every socket with data);
   * - with a single wait and no jump made this turn, as soon as the
   *   microtasks queued now have run (a `process.nextTick` queued from a
   *   microtask runs once the microtask queue is empty): nothing else waits,
   *   nothing is declared, and every reply of an earlier jump has been
   *   through a poll phase. This saves a turn of the loop per request, a
   *   fifth of a round trip on loopback (bench/scpi.ts). The cost: requests
   *   of undeclared clients that arrive in the same poll phase as that one
   *   wait are stamped after its jump, not beside it.
   */
  #check(): void {
    if (this.#checking || this.queue.size === 0) return;
    this.#checking = true;
    if (this.queue.size === 1 && !this.#jumpedThisTurn) {
      // A promise reaction rather than queueMicrotask, which wraps each callback in an async resource.
      RESOLVED.then(this.#jumpAfterTicks);
    } else {
      setImmediate(this.#jumpNow);
    }
  }

  /** Made once: the callbacks of every jump scheduled (a wait per reading makes no closures). */
  readonly #jumpNow = (): void => this.#jump();
  readonly #jumpAfterTicks = (): void => {
    process.nextTick(this.#jumpNow);
  };
  /** The loop went through its poll phase since the last jump: every reply it let out has been read. */
  readonly #turnEnded = (): void => {
    this.#jumpedThisTurn = false;
    this.#check();
  };

  #jump(): void {
    this.#checking = false;
    if (this.closed || this.declared > 0) return;
    const next = this.queue.peek();
    if (!next) return;
    this.#now = Math.max(this.#now, next.due);
    // Marked before answering: a wait made by an answered wait's callback (`after`) is one of this turn.
    if (!this.#jumpedThisTurn) {
      this.#jumpedThisTurn = true;
      setImmediate(this.#turnEnded);
    }
    this.answerUpTo(this.#now);
    this.#check();
  }
}

/** Simulated time moved only by `advance`. */
class ManualClock extends ClockBase {
  readonly kind = "manual";
  #now = 0;
  #advancing: Promise<void> = RESOLVED;

  now(): number {
    return this.#now;
  }

  protected scheduled(): void {}

  override advance(seconds: number): Promise<void> {
    checkSeconds(seconds, "an advance of the manual clock");
    // Advances queue behind each other: the second starts where the first ends.
    const run = this.#advancing.then(() => this.#run(seconds));
    this.#advancing = run.catch(() => undefined);
    return run;
  }

  async #run(seconds: number): Promise<void> {
    const target = this.#now + seconds;
    for (let next = this.queue.peek(); next !== undefined && next.due <= target; next = this.queue.peek()) {
      this.#now = next.due;
      this.answerUpTo(this.#now);
      // Let what the answered requests start (their next waits) register before time moves on.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closed) return;
    }
    this.#now = target;
  }
}
