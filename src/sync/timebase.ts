/**
 * The run's one timebase (DESIGN.md, "Streams"; issue 14 §3): every batch
 * of a run carries its times on it. On a virtual bench it is the bench
 * clock (src/virtual/clock/); on hardware it is host-monotonic time.
 *
 * Sessions and plans are given a timebase rather than reading time where a
 * batch is made, so that the same plan stamps bench-clock seconds on a
 * simulated bench and host seconds on a real one, and lets time pass
 * through `sleep`, which a simulated clock counts as a request of its own.
 */

/**
 * Where a timebase's zero lies, so that another process can map its times:
 * the host-monotonic instant (`process.hrtime.bigint()`, ns; on Linux
 * CLOCK_MONOTONIC, shared by every process of the host, where the origin
 * of `performance.now()` is not) and the wall-clock time at that instant.
 * On a simulated clock this is when the clock was started: its seconds do
 * not follow the host's after that.
 */
export interface TimeAnchor {
  /** process.hrtime.bigint() at the timebase's zero, ns. */
  readonly hrtimeNs: bigint;
  /** Wall-clock time at the timebase's zero, s since the Unix epoch. */
  readonly wallSeconds: number;
}

export interface Timebase {
  /** "host": host-monotonic time on hardware; otherwise the bench clock's mode. */
  readonly kind: "host" | "wall" | "event" | "manual";
  /** Seconds since the timebase's zero. */
  now(): number;
  /**
   * Resolves once `seconds` (≥ 0, finite) have passed on this timebase. On
   * an event clock this is a request like any other: time jumps to it once
   * nothing else can run, so a plan never waits on the wall clock there.
   */
  sleep(seconds: number): Promise<void>;
  /**
   * Declares a request about to be written to the instrument at `resource`
   * (a VISA resource string), so that an event clock does not jump past it
   * while it is on the wire. Returns the release, for a request that never
   * arrives (a failed write, a timeout); releasing twice is harmless.
   * A no-op everywhere else.
   */
  declare(resource: string): () => void;
  readonly anchor: TimeAnchor;
}

const NOTHING = (): void => undefined;

/** Checks a wait or a step of time: a finite number of seconds, at least 0. */
export function checkSeconds(seconds: number, what: string): void {
  if (!(Number.isFinite(seconds) && seconds >= 0)) {
    throw new RangeError(`${what} must be a finite number of seconds ≥ 0, got ${seconds}`);
  }
}

/** The anchor of a timebase that starts now. */
export function anchorNow(): TimeAnchor {
  return { hrtimeNs: process.hrtime.bigint(), wallSeconds: Date.now() / 1000 };
}

/** Seconds from `anchor` to now on the host-monotonic clock. */
export function hostSecondsSince(anchor: TimeAnchor): number {
  return Number(process.hrtime.bigint() - anchor.hrtimeNs) / 1e9;
}

/** Host-monotonic time from now: the timebase of a run on hardware. */
export function hostTimebase(anchor: TimeAnchor = anchorNow()): Timebase {
  return {
    kind: "host",
    anchor,
    now: () => hostSecondsSince(anchor),
    sleep(seconds) {
      checkSeconds(seconds, "a sleep");
      return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    },
    declare: () => NOTHING,
  };
}
