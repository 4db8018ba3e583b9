/**
 * What a batch kernel is given and returns, and the checks made once before
 * it runs — shared by the WASM wrappers (wasm.ts) and the TypeScript
 * references (reference/), so that both refuse the same inputs.
 *
 * Layout: nDevices devices × nSteps steps of length dt, device-major
 * (element [d, k] at d·nSteps + k). Step k holds voltage k for dt, then
 * samples state and current: the zero-order hold of `simulate`, with one
 * sample every dt.
 */
import {
  checkState,
  type DifferentiableMemristorModel,
  type DriftParams,
  linearIonDriftByWindow,
  type MemristorModel,
  type WindowName,
} from "../models/memristor/index.js";
import { checkParameters } from "../models/parameters.js";

export interface BatchInput {
  /** Row d (model.parameters.length values, in that order) holds device d's parameters. */
  readonly params: Float64Array;
  /**
   * State of each device before step 0, in the model's state variable (u = logit x under Joglekar's and Prodromakis' windows: `stateAtFraction` gives it from x); its length is the number
   * of devices.
   */
  readonly x0: Float64Array;
  /** Voltages, V: [nDevices × nSteps] device-major, or [nSteps] applied to every device. */
  readonly voltages: Float64Array;
  readonly nSteps: number;
  /** Step length, s (≥ 0). */
  readonly dt: number;
}

export interface LinearIonDriftBatchInput extends BatchInput {
  readonly window: WindowName;
}

export interface CheckedBatch<P> {
  readonly nDevices: number;
  readonly nParams: number;
  /** 0 when the voltages are shared, else nSteps. */
  readonly voltageStride: number;
  /** Parameter object of each device. */
  readonly rows: readonly P[];
}

/** Validates a batch for `model` (sizes, parameter bounds, initial states, finite inputs). */
export function checkBatch<P extends Record<string, number>>(
  model: MemristorModel<P>,
  input: BatchInput,
): CheckedBatch<P> {
  const { params, x0, voltages, nSteps, dt } = input;
  const nDevices = x0.length;
  const nParams = model.parameters.length;
  if (!Number.isInteger(nSteps) || nSteps < 0) throw new RangeError(`${model.id} batch: nSteps = ${nSteps}`);
  if (!(dt >= 0 && Number.isFinite(dt))) throw new RangeError(`${model.id} batch: dt = ${dt} s`);
  if (params.length !== nDevices * nParams) {
    throw new RangeError(
      `${model.id} batch: ${params.length} parameter values for ${nDevices} devices × ${nParams} parameters`,
    );
  }
  const voltageStride = voltages.length === nDevices * nSteps ? nSteps : voltages.length === nSteps ? 0 : -1;
  if (voltageStride < 0) {
    throw new RangeError(
      `${model.id} batch: ${voltages.length} voltages for ${nDevices} devices × ${nSteps} steps (or ${nSteps} shared)`,
    );
  }
  for (let k = 0; k < voltages.length; k++) {
    if (!Number.isFinite(voltages[k]))
      throw new RangeError(`${model.id} batch: voltage[${k}] = ${voltages[k]} V`);
  }
  const rows: P[] = [];
  for (let d = 0; d < nDevices; d++) {
    const row = Object.fromEntries(
      model.parameters.map((spec, j) => [spec.name, params[d * nParams + j]]),
    ) as P;
    checkParameters(`${model.id} device ${d}`, model.parameters, row);
    const [lower, upper] = model.stateBounds(row);
    checkState(model, x0[d] as number, lower, upper);
    rows.push(row);
  }
  return { nDevices, nParams, voltageStride, rows };
}

/** The linear ion drift variant a batch names, refusing unknown window names. */
export function linearIonDriftModel(window: WindowName): DifferentiableMemristorModel<DriftParams> {
  if (!Object.hasOwn(linearIonDriftByWindow, window)) {
    throw new RangeError(`linear ion drift batch: unknown window "${window}"`);
  }
  return linearIonDriftByWindow[window];
}
