/**
 * SampleBatch across a process boundary: to and from the protobuf message
 * `pms.v1.SampleBatch` (proto/pms.proto). Decoding never trusts the bytes:
 * a truncated or corrupt frame, or one whose times and values disagree in
 * length, is a FrameDecodeError that says which message and why.
 */
import { SampleBatchMessage } from "../proto/index.js";
import type { SampleBatch } from "./sample-batch.js";

/** Bytes that do not decode as the message they were said to be. */
export class FrameDecodeError extends Error {
  constructor(
    readonly messageType: string,
    readonly byteLength: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decode ${messageType} from ${byteLength} bytes: ${reason}`, options);
    this.name = "FrameDecodeError";
  }
}

export function encodeSampleBatch(batch: SampleBatch): Uint8Array {
  return SampleBatchMessage.encode({
    sourceId: batch.sourceId,
    quantity: batch.quantity,
    unit: batch.unit,
    sequence: batch.sequence,
    times: Array.from(batch.times),
    values: Array.from(batch.values),
    wallTime: batch.wallTime,
  }).finish();
}

export function decodeSampleBatch(bytes: Uint8Array): SampleBatch {
  const type = "pms.v1.SampleBatch";
  let message: SampleBatchMessage;
  try {
    message = SampleBatchMessage.decode(bytes);
  } catch (cause) {
    throw new FrameDecodeError(type, bytes.length, (cause as Error).message, { cause });
  }
  if (message.times.length !== message.values.length) {
    throw new FrameDecodeError(
      type,
      bytes.length,
      `${message.times.length} times but ${message.values.length} values`,
    );
  }
  return {
    sourceId: message.sourceId,
    quantity: message.quantity,
    unit: message.unit,
    sequence: message.sequence,
    times: Float64Array.from(message.times),
    values: Float64Array.from(message.values),
    wallTime: message.wallTime,
  };
}
