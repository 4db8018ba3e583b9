/**
 * SampleBatch across a process boundary: to and from the protobuf message
 * `pms.v1.SampleBatch` (proto/pms.proto). Times and values travel as the
 * bytes of their Float64Arrays (./columns.ts): encoding hands protobufjs
 * views, decoding returns views over the frame (or one copy of a column
 * the frame holds at an unaligned offset). Decoding never trusts the
 * bytes: a truncated or corrupt frame, a column that is not whole 8-byte
 * values, or times and values of different lengths is a FrameDecodeError
 * that says which message and why.
 */
import { FrameDecodeError, float64Bytes, float64Values } from "./columns.js";
import { SampleBatchMessage } from "./index.js";
import type { SampleBatch } from "./sample-batch.js";

export { FrameDecodeError } from "./columns.js";

const TYPE = "pms.v1.SampleBatch";

export function encodeSampleBatch(batch: SampleBatch): Uint8Array {
  return SampleBatchMessage.encode({
    sourceId: batch.sourceId,
    quantity: batch.quantity,
    unit: batch.unit,
    sequence: batch.sequence,
    times: float64Bytes(batch.times),
    values: float64Bytes(batch.values),
    wallTime: batch.wallTime,
  }).finish();
}

export function decodeSampleBatch(bytes: Uint8Array): SampleBatch {
  let message: SampleBatchMessage;
  try {
    message = SampleBatchMessage.decode(bytes);
  } catch (cause) {
    throw new FrameDecodeError(TYPE, bytes.length, (cause as Error).message, { cause });
  }
  const column = (field: "times" | "values") => {
    try {
      return float64Values(message[field], field);
    } catch (cause) {
      throw new FrameDecodeError(TYPE, bytes.length, (cause as Error).message, { cause });
    }
  };
  const times = column("times");
  const values = column("values");
  if (times.length !== values.length) {
    throw new FrameDecodeError(TYPE, bytes.length, `${times.length} times but ${values.length} values`);
  }
  return {
    sourceId: message.sourceId,
    quantity: message.quantity,
    unit: message.unit,
    sequence: message.sequence,
    times,
    values,
    wallTime: message.wallTime,
  };
}
