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
  /** The speed targets the issue sets for this case (see `BenchTarget`); checked and printed by bench/run.ts. */
  readonly targets?: readonly BenchTarget[];
  /**
   * How far each implementation's results are from the TypeScript
   * reference's, by name ("wasm", "numpy"): the largest difference relative
   * to scale, of the outputs or of a checksum of them. A target is only
   * judged when both sides agree within AGREEMENT_LIMIT (`checkTargets`; a
   * side with no figure here counts as not agreeing): being fast at
   * something else is no result.
   */
  readonly agreement?: Readonly<Record<string, number>>;
  /**
   * False for a row whose implementations compute nothing to compare
   * (round trips of a server against an echo): its targets are judged
   * without an agreement. Default true.
   */
  readonly comparesResults?: boolean;
  /**
   * For a row whose implementations were timed in short alternating turns
   * (bench/scpi.ts): the median over runs of each run's own ratio
   * (`against` time / `subject` time). When given, the row's targets judge
   * this instead of the ratio of the two medians, which on a machine whose
   * speed drifts between runs compares one machine state with another.
   * For a row with one target (subject against one other), as the SCPI
   * rows are: every target of the row is judged on this one ratio.
   */
  readonly pairedRatio?: number;
}

/** Largest disagreement with the reference (`BenchRow.agreement`) at which a speed ratio is still judged. */
export const AGREEMENT_LIMIT = 1e-9;

/**
 * A declared speed target: `medianMs[against] / medianMs[subject] ≥ atLeast`
 * (the subject, WASM unless named, at least `atLeast` times as fast as the
 * other). `against` may be "real time": a row that simulates puts there
 * the wall time its simulated span would take in real time, so the ratio
 * is the real-time factor.
 */
export interface BenchTarget {
  /** The implementation judged (default "wasm"). */
  readonly subject?: string;
  readonly against: string;
  readonly atLeast: number;
}

/**
 * How a row fared against one target: met, missed, not measured (no figure
 * for `against`), or not comparable (WASM or `against` disagrees with the
 * reference by more than AGREEMENT_LIMIT).
 */
export interface TargetVerdict extends BenchTarget {
  readonly ratio?: number;
  readonly verdict: "met" | "missed" | "not measured" | "not comparable";
}

/**
 * Issue 3's targets: WASM ≥ 1.5× the TypeScript reference on batch kernels
 * and never slower than NumPy on batches (the mesh batch ≥ 3× NumPy);
 * ≥ 50× NumPy on single-sample calls (what a twin does per sample).
 */
export const TARGETS = {
  batch: [
    { against: "ts reference", atLeast: 1.5 },
    { against: "numpy", atLeast: 1 },
  ],
  meshBatch: [
    { against: "ts reference", atLeast: 1.5 },
    { against: "numpy", atLeast: 3 },
  ],
  singleSample: [{ against: "numpy", atLeast: 50 }],
} as const satisfies Record<string, readonly BenchTarget[]>;

/** Each declared target of `row` with the measured ratio and whether it is met. */
export function checkTargets(row: BenchRow): readonly TargetVerdict[] {
  return (row.targets ?? []).map((target) => {
    const subject = row.medianMs[target.subject ?? "wasm"];
    const other = row.medianMs[target.against];
    if (subject === undefined || other === undefined) return { ...target, verdict: "not measured" };
    const ratio = row.pairedRatio ?? other / subject;
    if (row.comparesResults === false) {
      return { ...target, ratio, verdict: ratio >= target.atLeast ? "met" : "missed" };
    }
    // Missing counts as disagreeing: a row that never compared its results is not judged.
    // (The TS reference is what the others are compared with.)
    const disagrees = (name: string) =>
      name !== "ts reference" && !((row.agreement?.[name] ?? Number.NaN) <= AGREEMENT_LIMIT);
    if (disagrees(target.subject ?? "wasm") || disagrees(target.against))
      return { ...target, ratio, verdict: "not comparable" };
    return { ...target, ratio, verdict: ratio >= target.atLeast ? "met" : "missed" };
  });
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
  return median(times);
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : 0.5 * ((sorted[middle - 1] as number) + (sorted[middle] as number));
}

/** "wasm = reference to 2e-16 of scale (1234/100000 values differ)": how closely two implementations agree. */
export function agreement(wasm: readonly ArrayLike<number>[], reference: readonly Float64Array[]): string {
  const { worst, differing, count } = compare(wasm, reference);
  return `wasm = reference to ${worst.toExponential(0)} of scale (${differing}/${count} values differ)`;
}

/** The largest difference relative to each output's scale (NaN compares as disagreeing), and how many values differ. */
export function compare(
  wasm: readonly ArrayLike<number>[],
  reference: readonly Float64Array[],
): { worst: number; differing: number; count: number } {
  let worst = 0;
  let differing = 0;
  let count = 0;
  reference.forEach((expected, o) => {
    const got = wasm[o] as ArrayLike<number>;
    const scale = expected.reduce((m, value) => Math.max(m, Math.abs(value)), 0);
    expected.forEach((value, k) => {
      const difference = Math.abs((got[k] as number) - value);
      const relative = difference === 0 ? 0 : difference / scale;
      worst = relative > worst || Number.isNaN(relative) ? relative : worst;
      if (difference !== 0) differing++;
    });
    count += expected.length;
  });
  return { worst, differing, count };
}

/**
 * Largest relative difference between two lists of checksums (0 where they
 * are equal; NaN if either is, or the lengths differ), relative to the
 * larger magnitude or to `floor` for sums that may cancel to near 0.
 */
export function checksumDisagreement(ours: readonly number[], theirs: readonly number[], floor = 0): number {
  let worst = 0;
  ours.forEach((a, k) => {
    const b = theirs[k] as number;
    const scale = Math.max(Math.abs(a), Math.abs(b), floor);
    const relative = a === b ? 0 : Math.abs(a - b) / scale;
    worst = relative > worst || Number.isNaN(relative) ? relative : worst;
  });
  return ours.length === theirs.length ? worst : Number.NaN;
}

/**
 * Appends rows of one bench to `rows`, leaving out the implementations that
 * were not measured (undefined medians and agreements); targets default to
 * a batch's.
 */
export function rowCollector(bench: string, rows: BenchRow[]) {
  return (
    name: string,
    work: number,
    workUnit: string,
    medians: Readonly<Record<string, number | undefined>>,
    notes: string,
    targets: readonly BenchTarget[] = TARGETS.batch,
    agreement: Readonly<Record<string, number | undefined>> = {},
  ): void => {
    const defined = (record: Readonly<Record<string, number | undefined>>) =>
      Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, number>;
    rows.push({
      bench,
      case: name,
      work,
      workUnit,
      medianMs: defined(medians),
      notes,
      targets,
      agreement: defined(agreement),
    });
  };
}
