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

/**
 * A request declared to a timebase: calling it ends it (for a request that
 * will not arrive; ending twice is harmless), and `ended` says whether it
 * has ended, by its arrival or by a call.
 */
export interface Declaration {
  (): void;
  readonly ended: boolean;
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
   * while it is on the wire. Returns the declaration, to end it for a
   * request that never arrives (a failed write, a timeout). A no-op
   * everywhere else (the declaration comes back already ended).
   */
  declare(resource: string): Declaration;
  readonly anchor: TimeAnchor;
}

/** A declaration that holds nothing: ended from the start. */
export const ENDED: Declaration = Object.assign((): void => undefined, { ended: true as const });

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
    declare: () => ENDED,
  };
}

/** A timebase as a record (run.json, another process): its kind and where its zero lies. */
export function describeTimebase(timebase: Timebase): {
  readonly kind: Timebase["kind"];
  readonly anchor: { readonly hrtimeNs: string; readonly wallSeconds: number };
} {
  return {
    kind: timebase.kind,
    anchor: { hrtimeNs: timebase.anchor.hrtimeNs.toString(), wallSeconds: timebase.anchor.wallSeconds },
  };
}

/**
 * Places an instrument's own timestamps (the 2400's TIME element) on the
 * run's timebase, batch by batch. The first batch fixes the offset between
 * the two clocks: its last reading is put at `receivedAt`, the run's time
 * when the reply carrying it arrived (on a bench clock, exactly when that
 * reading ended; on the host, late by the reply's transfer). Later batches
 * keep that offset, so the instrument's own spacing is kept across batches
 * too — also when its clock runs at another rate than the run's, as a
 * simulated instrument's does seen from host time. A batch whose times go
 * back (the instrument's clock was reset, or wrapped after 99,999.999 s)
 * is anchored afresh at its arrival, as long as that keeps the run's
 * times increasing.
 */
export function instrumentTimeMapper(): (
  instrumentTimes: ArrayLike<number>,
  receivedAt: number,
) => Float64Array {
  let offset: number | undefined;
  let lastInstrument = Number.NEGATIVE_INFINITY;
  let lastRun = Number.NEGATIVE_INFINITY;
  return (instrumentTimes, receivedAt) => {
    const n = instrumentTimes.length;
    if (n === 0) return new Float64Array(0);
    const first = instrumentTimes[0] as number;
    const last = instrumentTimes[n - 1] as number;
    if (offset === undefined || first < lastInstrument) {
      offset = Math.max(receivedAt - last, lastRun - first);
    }
    const times = new Float64Array(n);
    for (let k = 0; k < n; k++) times[k] = (instrumentTimes[k] as number) + offset;
    lastInstrument = last;
    lastRun = times[n - 1] as number;
    return times;
  };
}
