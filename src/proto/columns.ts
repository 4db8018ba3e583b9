/**
 * Numeric columns as bytes (proto/record.proto's note on columns; DESIGN.md,
 * "Rules of the house"): a float64 or int64 column crosses a process
 * boundary, and is kept by the run store, as its little-endian bytes. Here
 * are the views between the two: no element is copied unless the bytes sit
 * at an offset a typed array cannot start at (protobufjs hands out
 * sub-arrays of the frame, at any offset), and then the column is copied
 * once, whole.
 */
import { endianness } from "node:os";

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

// Every platform Node runs on today is little-endian; a big-endian one would
// need a byte swap at each view, which nothing here does: refuse it plainly.
if (endianness() !== "LE") {
  throw new Error(
    "photon-memristor-sim keeps numeric columns as little-endian bytes; this host is big-endian",
  );
}

/** The bytes of `values`, as a view (no copy). */
export function float64Bytes(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The bytes of `values`, as a view (no copy). */
export function int64Bytes(values: BigInt64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * `bytes` read as little-endian float64: a view where they are 8-byte
 * aligned, else one copy. A length that is not a multiple of 8 is a
 * RangeError naming `what`.
 */
export function float64Values(bytes: Uint8Array, what = "a float64 column"): Float64Array {
  checkLength(bytes, what);
  if (bytes.byteOffset % 8 === 0)
    return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return new Float64Array(copyOf(bytes));
}

/** `bytes` read as little-endian int64 (see {@link float64Values}). */
export function int64Values(bytes: Uint8Array, what = "an int64 column"): BigInt64Array {
  checkLength(bytes, what);
  if (bytes.byteOffset % 8 === 0)
    return new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  return new BigInt64Array(copyOf(bytes));
}

/** A copy of `bytes` in a buffer of its own (a Node Buffer's `slice()` is a view, not a copy). */
function copyOf(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

function checkLength(bytes: Uint8Array, what: string): void {
  if (bytes.byteLength % 8 !== 0) {
    throw new RangeError(`${what} holds ${bytes.byteLength} bytes, not a whole number of 8-byte values`);
  }
}
