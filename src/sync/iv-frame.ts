/**
 * Voltage and current measured together by one source-measure unit: two
 * SampleBatches that share their times and sequence number. The pairing is
 * what a model of a two-terminal device needs (its input and its output).
 */
import type { SampleBatch } from "./sample-batch.js";

export interface IVFrame {
  /** Voltage across the device, V. */
  readonly voltage: SampleBatch;
  /** Current through the device, A. */
  readonly current: SampleBatch;
}

/** Columns of readings as a source-measure unit returns them (SI units; NaN where not measured). */
export interface IVColumns {
  /** Instrument time stamps, s. */
  readonly time: Float64Array;
  /** V. */
  readonly voltage: Float64Array;
  /** A. */
  readonly current: Float64Array;
}

/** Builds the frame of one batch of readings from the instrument `sourceId` ("k2400"). */
export function ivFrame(sourceId: string, sequence: number, columns: IVColumns, wallTime: number): IVFrame {
  if (columns.voltage.length !== columns.time.length || columns.current.length !== columns.time.length) {
    throw new RangeError(
      `${sourceId}: batch ${sequence} has ${columns.time.length} times, ${columns.voltage.length} voltages and ${columns.current.length} currents`,
    );
  }
  const batch = (quantity: string, unit: string, values: Float64Array): SampleBatch => ({
    sourceId: `${sourceId}.${quantity}`,
    quantity,
    unit,
    sequence,
    times: columns.time,
    values,
    wallTime,
  });
  return { voltage: batch("voltage", "V", columns.voltage), current: batch("current", "A", columns.current) };
}
