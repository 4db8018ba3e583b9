/**
 * What a bench module is, and how one is timed: warm up, then repeat and
 * take the median (robust to a stray GC pause or a scheduler hiccup).
 */

/** One measured case, one row of the printed table and of bench/results.json. */
export interface BenchRow {
  readonly bench: string;
  readonly case: string;
  /** Work per run, in the bench's unit (e.g. device-steps). */
  readonly work: number;
  readonly workUnit: string;
  /** Median wall time per run, ms, of each implementation, by name ("wasm", "ts reference"). */
  readonly medianMs: Readonly<Record<string, number>>;
  /** Free-form facts a reader needs (agreement between implementations, substeps, ...). */
  readonly notes?: string;
}

export interface BenchModule {
  readonly name: string;
  /** One line: what is measured and why. */
  readonly description: string;
  run(options: BenchOptions): Promise<readonly BenchRow[]>;
}

export interface BenchOptions {
  /** Untimed runs before measuring. */
  readonly warmup: number;
  /** Timed runs; the median is reported. */
  readonly repetitions: number;
}

/** Median wall time of `run`, ms, after `warmup` untimed calls. */
export function medianMs(run: () => unknown, options: BenchOptions): number {
  for (let n = 0; n < options.warmup; n++) run();
  const times: number[] = [];
  for (let n = 0; n < options.repetitions; n++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const middle = times.length >> 1;
  return times.length % 2 === 1
    ? (times[middle] as number)
    : 0.5 * ((times[middle - 1] as number) + (times[middle] as number));
}
