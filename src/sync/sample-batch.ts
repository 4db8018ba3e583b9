/**
 * The unit of every stream (DESIGN.md, "Streams"), defined beside the
 * generated protobuf code (src/proto/sample-batch.ts) so that the codec
 * and a process across a wire need nothing from src/sync.
 */
export type { SampleBatch } from "../proto/sample-batch.js";
