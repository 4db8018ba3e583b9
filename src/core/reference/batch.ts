/**
 * The executable specification of every batch kernel: loop over devices
 * and steps and run the model layer's own code (`holdVoltage`, the one
 * integration scheme, and `model.current`). A WASM kernel is correct when it
 * agrees with this (test/core/kernels.test.ts).
 */
import { holdVoltage, type MemristorModel } from "../../models/memristor/index.js";
import { type BatchInput, checkBatch } from "../batch.js";

export interface BatchOutput {
  /** [nDevices × nSteps] device-major, in the model's state unit. */
  readonly state: Float64Array;
  /** [nDevices × nSteps] device-major, A. */
  readonly current: Float64Array;
}

export function referenceBatch<P extends Record<string, number>>(
  model: MemristorModel<P>,
  input: BatchInput,
): BatchOutput {
  const { nDevices, voltageStride, rows } = checkBatch(model, input);
  const { nSteps, dt, voltages } = input;
  const state = new Float64Array(nDevices * nSteps);
  const current = new Float64Array(nDevices * nSteps);
  for (let d = 0; d < nDevices; d++) {
    const p = rows[d] as P;
    const [lower, upper] = model.stateBounds(p);
    let x = input.x0[d] as number;
    for (let k = 0; k < nSteps; k++) {
      const v = voltages[d * voltageStride + k] as number;
      x = holdVoltage(model, p, x, v, dt, lower, upper);
      state[d * nSteps + k] = x;
      current[d * nSteps + k] = model.current(x, v, p);
    }
  }
  return { state, current };
}
