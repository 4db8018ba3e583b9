/**
 * The first twin operator: runs a memristor model on the voltages a
 * source-measure unit applied, at the times it applied them, and sets the
 * model's predicted current beside the measured one.
 *
 * ```
 * frames:  --f0------f1------f2--|
 * twin:    --t0------t1------t2--|    tN = { voltage, measured, predicted, residual }
 * ```
 *
 * The model state is carried from one batch to the next, so a sweep split
 * into chunks predicts exactly what the whole sweep would (the model sees
 * the same zero-order-hold voltage history either way). residual =
 * measured − predicted, A.
 */
import { defer, map, type OperatorFunction } from "rxjs";
import { type MemristorModel, simulate } from "../models/memristor/index.js";
import type { IVFrame } from "./iv-frame.js";
import type { SampleBatch } from "./sample-batch.js";

export interface TwinFrame {
  readonly voltage: SampleBatch;
  readonly measured: SampleBatch;
  readonly predicted: SampleBatch;
  readonly residual: SampleBatch;
}

export interface MemristorTwinOptions<P extends Record<string, number>> {
  readonly model: MemristorModel<P>;
  readonly params: P;
  /** Model state before the first sample, in the model's state variable (u = logit x under Joglekar's and Prodromakis' windows: `stateAtFraction` gives it from x); defaults to the model's initial state. */
  readonly x0?: number;
  /** Prefix of the predicted and residual source ids; defaults to `model.<id>`. */
  readonly sourceId?: string;
}

export function memristorTwin<P extends Record<string, number>>(
  options: MemristorTwinOptions<P>,
): OperatorFunction<IVFrame, TwinFrame> {
  const { model, params } = options;
  const sourceId = options.sourceId ?? `model.${model.id}`;
  const x0 = options.x0 ?? model.initialState(params);
  // Each subscription (a retry, a second consumer) starts from x0 with its own state.
  return (frames) =>
    defer(() => {
      // Carried across batches: where the model was at the last sample it saw.
      let previous: { time: number; state: number } | undefined;
      return frames.pipe(
        map((frame) => {
          const times = frame.voltage.times;
          const { state, current: predicted } = simulate(model, params, {
            times,
            voltages: frame.voltage.values,
            x0: previous?.state ?? x0,
            ...(previous ? { t0: previous.time } : {}),
          });
          const last = times.length - 1;
          if (last >= 0) previous = { time: times[last] as number, state: state[last] as number };
          const measured = frame.current;
          const residual = measured.values.map((value, k) => value - (predicted[k] as number));
          const batch = (quantity: string, values: Float64Array): SampleBatch => ({
            ...measured,
            sourceId: `${sourceId}.${quantity}`,
            quantity,
            values,
          });
          return {
            voltage: frame.voltage,
            measured,
            predicted: batch("current", predicted),
            residual: batch("residual", residual),
          };
        }),
      );
    });
}
