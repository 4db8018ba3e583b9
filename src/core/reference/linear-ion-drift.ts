/** TypeScript twin of the `linearIonDriftBatch` WASM kernel (src/core/assembly/linear-ion-drift.ts). */
import { type LinearIonDriftBatchInput, linearIonDriftModel } from "../batch.js";
import { type BatchOutput, referenceBatch } from "./batch.js";

export function linearIonDriftBatchReference(input: LinearIonDriftBatchInput): BatchOutput {
  return referenceBatch(linearIonDriftModel(input.window), input);
}
