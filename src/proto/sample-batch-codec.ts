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

/**
 * The message's bytes, written in one buffer with each column copied once:
 * the same bytes as protobufjs's `SampleBatch.encode` (fields in number
 * order, proto3 defaults left out; test/proto holds the two equal), which
 * copies a column twice (into its writer, then out of it) — what a
 * telemetry publisher of 1000-sample batches spent most of its time on.
 */
export function encodeSampleBatch(batch: SampleBatch): Uint8Array {
  const strings = [batch.sourceId, batch.quantity, batch.unit].map((text) => Buffer.byteLength(text, "utf8"));
  const times = float64Bytes(batch.times);
  const values = float64Bytes(batch.values);
  let size = 0;
  for (const length of strings) if (length > 0) size += 1 + varintSize(length) + length;
  if (batch.sequence !== 0) size += 1 + varintSize(batch.sequence >>> 0);
  if (times.length > 0) size += 1 + varintSize(times.length) + times.length;
  if (values.length > 0) size += 1 + varintSize(values.length) + values.length;
  if (!Object.is(batch.wallTime, 0)) size += 9;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const texts = [batch.sourceId, batch.quantity, batch.unit];
  for (let field = 0; field < 3; field++) {
    const length = strings[field] as number;
    if (length === 0) continue;
    out[at++] = ((field + 1) << 3) | 2;
    at = writeVarint(out, at, length);
    at += out.write(texts[field] as string, at, "utf8");
  }
  if (batch.sequence !== 0) {
    out[at++] = (4 << 3) | 0;
    at = writeVarint(out, at, batch.sequence >>> 0);
  }
  for (const [field, column] of [
    [5, times],
    [6, values],
  ] as const) {
    if (column.length === 0) continue;
    out[at++] = (field << 3) | 2;
    at = writeVarint(out, at, column.length);
    out.set(column, at);
    at += column.length;
  }
  if (!Object.is(batch.wallTime, 0)) {
    out[at++] = (7 << 3) | 1;
    at = out.writeDoubleLE(batch.wallTime, at);
  }
  return out;
}

/** Bytes of `n` (a whole number below 2^53) as a protobuf varint. */
function varintSize(n: number): number {
  let size = 1;
  for (let rest = n; rest >= 128; rest = Math.floor(rest / 128)) size++;
  return size;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  let rest = n;
  let position = at;
  while (rest >= 128) {
    out[position++] = (rest % 128) | 128;
    rest = Math.floor(rest / 128);
  }
  out[position++] = rest;
  return position;
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
