/**
 * Where one reply ends in the received bytes: a text line up to the read
 * terminator, or an IEEE 488.2 definite-length arbitrary block
 * (`#<n><length><bytes>`, IEEE 488.2-1992 §8.7.9) followed by the
 * terminator, or by nothing at all (a Santec TSL's `:READout:DATa?` sends
 * the block and stops: INSTRUMENTS.md). Pure functions of the buffer, so
 * the session can try them again as each chunk arrives.
 */

export type FrameResult<T> =
  /** `length`, once known (a block's header has come), is how many bytes the whole frame takes. */
  | { readonly kind: "incomplete"; readonly length?: number }
  | { readonly kind: "complete"; readonly value: T; readonly length: number }
  /** `length` bytes (through the next terminator) are to be dropped with it. */
  | { readonly kind: "malformed"; readonly text: string; readonly expected: string; readonly length: number };

export type FrameReader<T> = (buffer: Buffer) => FrameResult<T>;

const INCOMPLETE = { kind: "incomplete" } as const;

/** A reply of text up to `terminator` (not included in the value). */
export function lineFrame(terminator: string): FrameReader<string> {
  const end = Buffer.from(terminator, "latin1");
  return (buffer) => {
    const at = buffer.indexOf(end);
    if (at < 0) return INCOMPLETE;
    return { kind: "complete", value: buffer.toString("latin1", 0, at), length: at + end.length };
  };
}

const BLOCK = "a definite-length block #<n><length><bytes>";
const HASH = 0x23;

/**
 * A reply that is one definite-length block, then `terminator`; the value
 * is the block's payload. With `terminator` "" the frame ends with the
 * block's last byte: nothing after it is read, so a byte a peer sends after
 * all is left for the next reply's reader (the session drops it).
 * A reply that is not a block ends at `lineTerminator` (default
 * `terminator`): that much is dropped with the error, so the next reply
 * starts clean.
 */
export function blockFrame(terminator: string, lineTerminator = terminator): FrameReader<Uint8Array> {
  const end = Buffer.from(terminator, "latin1");
  const lineEnd = Buffer.from(lineTerminator, "latin1");
  const malformed = (buffer: Buffer, expected: string): FrameResult<Uint8Array> => {
    // An empty line terminator would end every malformed reply before its first byte.
    const at = lineEnd.length === 0 ? -1 : buffer.indexOf(lineEnd);
    if (at < 0) return INCOMPLETE;
    return {
      kind: "malformed",
      text: buffer.toString("latin1", 0, at),
      expected,
      length: at + lineEnd.length,
    };
  };
  return (buffer) => {
    if (buffer.length === 0) return INCOMPLETE;
    if (buffer[0] !== HASH) return malformed(buffer, BLOCK);
    if (buffer.length < 2) return INCOMPLETE;
    const digits = buffer.toString("latin1", 1, 2);
    if (digits === "0") return malformed(buffer, `${BLOCK} (indefinite-length #0 blocks are not supported)`);
    if (!/^[1-9]$/.test(digits)) return malformed(buffer, BLOCK);
    const headerLength = 2 + Number(digits);
    if (buffer.length < headerLength) return INCOMPLETE;
    const lengthText = buffer.toString("latin1", 2, headerLength);
    if (!/^\d+$/.test(lengthText)) return malformed(buffer, BLOCK);
    const payloadEnd = headerLength + Number(lengthText);
    const frameLength = payloadEnd + end.length;
    if (buffer.length < frameLength) return { kind: "incomplete", length: frameLength };
    if (!buffer.subarray(payloadEnd, frameLength).equals(end)) {
      const after = malformed(
        buffer.subarray(payloadEnd),
        `the terminator right after the ${lengthText}-byte block`,
      );
      return after.kind === "malformed" ? { ...after, length: payloadEnd + after.length } : after;
    }
    return {
      kind: "complete",
      value: Uint8Array.from(buffer.subarray(headerLength, payloadEnd)),
      length: frameLength,
    };
  };
}
