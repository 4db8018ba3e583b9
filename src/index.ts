/**
 * What a bench script imports (`import { withBench, ivPlan } from
 * "photon-memristor-sim"`): the bench layer, the plans, the drivers and
 * the run's timebase. The models, the virtual instruments and the streams
 * have their own entry points under dist/src/.
 */
export * from "./bench/drivers.js";
export { benchFileOf, type EmbeddedBench, serveEmbeddedBench } from "./bench/embedded.js";
export { BenchFileError, type BenchFileIssue } from "./bench/errors.js";
export {
  type BenchFile,
  type BenchInstrumentEntry,
  benchFileText,
  checkBenchObject,
  loadBenchFile,
  NO_LIMIT,
  parseBenchText,
  writeBenchFile,
} from "./bench/file.js";
export {
  type Bench,
  BenchCloseError,
  BenchOpenError,
  type BenchSnapshot,
  type InstrumentSnapshot,
  type OpenBenchOptions,
  openBench,
  withBench,
} from "./bench/open.js";
export { BENCH_DRIVERS, type BenchHandle, type SourceMeterHandle } from "./bench/registry.js";
export * from "./drivers/index.js";
export {
  type IvPlanOptions,
  type IvPlanSummary,
  ivPlan,
  type PlanContext,
  type SweepMode,
  sweepMode,
} from "./plans/iv.js";
export { type StreamedPlan, streamPlan } from "./plans/stream.js";
export { describeTimebase, hostTimebase, type Timebase } from "./sync/timebase.js";
