/**
 * Generated protobuf types for everything that crosses a process boundary
 * (schema: proto/pms.proto; code: scripts/build-proto.mjs, run by
 * `npm run build` and before tests).
 */
import { pms } from "./generated/pms.js";

export const SampleBatchMessage = pms.v1.SampleBatch;
export const InstrumentIdentityMessage = pms.v1.InstrumentIdentity;
export type SampleBatchMessage = pms.v1.SampleBatch;
export type InstrumentIdentityMessage = pms.v1.InstrumentIdentity;
