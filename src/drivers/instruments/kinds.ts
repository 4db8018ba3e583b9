/**
 * Instrument kinds (DESIGN.md, "Drivers", layer 3): what any instrument of
 * a kind does, whatever its model. Bench scripts and the sync layer depend
 * on these, not on a model's class.
 */
import type { CallOptions } from "../scpi/session.js";
import type { Property } from "./properties.js";

/** An electrical quantity a source-measure unit sources, limits or measures. */
export type Quantity = "voltage" | "current";

/** Which quantity the source drives (the other one is limited by its compliance). */
export type SourceMode = Quantity;

/** What a reading may contain, in the instrument's order. */
export type ReadoutElement = "voltage" | "current" | "resistance" | "time" | "status";

/** One source-measure reading; NaN where the element was not requested or not measured. */
export interface SourceMeterReading {
  /** Voltage, V: measured, or the programmed source value when voltage is not measured. */
  readonly voltage: number;
  /** Current, A: measured, or the programmed source value when current is not measured. */
  readonly current: number;
  /** Resistance, Ω. */
  readonly resistance: number;
  /** Instrument timestamp, s since power-on or timestamp reset. */
  readonly time: number;
  /** Instrument status word (a bit field, as a number). */
  readonly status: number;
}

/** The readings of a sweep as columns, one entry per point; NaN where an element was not requested. */
export interface SweepColumns {
  readonly voltage: Float64Array;
  readonly current: Float64Array;
  readonly resistance: Float64Array;
  readonly time: Float64Array;
  readonly status: Float64Array;
}

/** Source levels of a sweep, in V or A as the source mode says: a list, or linear from start to stop. */
export type SweepLevels =
  | readonly number[]
  | { readonly start: number; readonly stop: number; readonly points: number };

export interface RampOptions {
  /** Largest change per set, V or A (default and ceiling: the driver's step limit; no limit: one set). */
  readonly step?: number;
  /** Pause after each set, s (default 0). */
  readonly delay?: number;
}

export interface SweepOptions {
  /** Time allowed for each chunk's readings, ms (default: session timeout plus 100 ms per point). */
  readonly timeoutMs?: number;
  /** Points per chunk, at most what the instrument holds at once. */
  readonly chunkPoints?: number;
}

/** A source-measure unit: sources a voltage or a current and measures both. */
export interface SourceMeter {
  readonly resource: string;
  readonly sourceMode: Property<SourceMode>;
  readonly sourceVoltage: Property<number>;
  readonly sourceCurrent: Property<number>;
  readonly complianceCurrent: Property<number>;
  readonly complianceVoltage: Property<number>;
  readonly outputEnabled: Property<boolean>;
  /** Takes one reading. */
  read(options?: CallOptions): Promise<SourceMeterReading>;
  /** Moves the source level to `level` in steps no larger than the step limit. */
  rampTo(level: number, options?: RampOptions): Promise<void>;
  /** Ramps the source to zero and turns the output off. */
  shutdown(): Promise<void>;
  /** Runs the sweep in the instrument's own sweep engine; resolves with every reading. */
  hardwareSweep(levels: SweepLevels, options?: SweepOptions): Promise<SweepColumns>;
  /**
   * {@link hardwareSweep}, yielding each chunk's readings as it completes.
   * The session's queue is held from the first `next()` until the
   * iteration finishes or is returned: leave the loop with `break`,
   * `return` or an exception (which `for await` turns into `return()`).
   * An iterator abandoned without that — stepped by hand with `next()` and
   * then dropped — keeps the queue, and every later call to the instrument
   * waits forever.
   */
  hardwareSweepChunks(levels: SweepLevels, options?: SweepOptions): AsyncIterable<SweepColumns>;
  /**
   * Sets each level from here and reads, yielding one reading per point.
   * Holds the session's queue like {@link hardwareSweepChunks}: until the
   * iteration finishes or is returned; an abandoned iterator stalls every
   * later call.
   */
  softwareSweep(levels: SweepLevels, options?: CallOptions): AsyncIterable<SourceMeterReading>;
  /** {@link softwareSweep}, collected into columns. */
  collectSoftwareSweep(levels: SweepLevels, options?: CallOptions): Promise<SweepColumns>;
  /** Closes the connection (leaves the output as it is: call {@link shutdown} first). */
  close(): Promise<void>;
}
