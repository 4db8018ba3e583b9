/**
 * The instrument's own time, s since power-on. Readings advance it by the
 * durations the real instrument would take (delays, integration), so tests
 * run in simulated time; the server may also wait those durations on the
 * wall clock (`realTime`). The TIME data element reads it relative to the
 * last :SYSTem:TIME:RESet (manual §18 "Data elements", TIME).
 */
export class VirtualClock {
  #now = 0;
  #zero = 0;
  /** Simulated seconds spent since the last `takeElapsed()`. */
  #elapsed = 0;

  /** Seconds since power-on. */
  get now(): number {
    return this.#now;
  }

  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance the clock by ${seconds} s`);
    this.#now += seconds;
    this.#elapsed += seconds;
  }

  /** The timestamp of now: seconds since the last reset, wrapping after 99,999.999 s as the 2400's does. */
  get timestamp(): number {
    return (this.#now - this.#zero) % 100_000;
  }

  /** :SYSTem:TIME:RESet. */
  resetTimestamp(): void {
    this.#zero = this.#now;
  }

  /** Returns and clears the simulated time spent since the last call (for real-time pacing). */
  takeElapsed(): number {
    const elapsed = this.#elapsed;
    this.#elapsed = 0;
    return elapsed;
  }
}
