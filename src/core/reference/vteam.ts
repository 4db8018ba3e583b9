/** TypeScript twin of the `vteamBatch` WASM kernel (src/core/assembly/vteam.ts). */
import { vteam } from "../../models/memristor/index.js";
import type { BatchInput } from "../batch.js";
import { type BatchOutput, referenceBatch } from "./batch.js";

export function vteamBatchReference(input: BatchInput): BatchOutput {
  return referenceBatch(vteam, input);
}
