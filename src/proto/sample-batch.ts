/**
 * The unit of every stream: a batch of samples of one quantity from one
 * source (DESIGN.md, "Streams"). Mirrors `pms.v1.SampleBatch` in
 * proto/pms.proto; ./sample-batch-codec.ts crosses the process boundary.
 * It lives beside the generated code, so that a process at the far end of
 * a wire needs nothing from src/sync.
 */
export interface SampleBatch {
  /** Producer: an instrument channel ("k2400.current") or a model ("model.vteam.current"). */
  readonly sourceId: string;
  /** What the values are: "voltage", "current", "resistance", ... */
  readonly quantity: string;
  /** SI unit symbol of `values`. */
  readonly unit: string;
  /** Per-source sequence number; a gap means a lost batch. */
  readonly sequence: number;
  /** Sample times, s, on the run's timebase (src/sync/timebase.ts: the bench clock, or host-monotonic time). */
  readonly times: Float64Array;
  /** Sample values in `unit`; same length as `times`. */
  readonly values: Float64Array;
  /** Wall-clock time of the first sample, s since the Unix epoch. */
  readonly wallTime: number;
}
