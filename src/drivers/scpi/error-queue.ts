/**
 * Entries of the SCPI error queue (`:SYSTem:ERRor?`, SCPI-99 vol. 2 §21.8):
 * `<code>,"<text>"`, with `0,"No error"` once the queue is empty.
 */

export interface ErrorEntry {
  /** Negative: SCPI standard errors (-222 "Data out of range"); positive: instrument-specific. */
  readonly code: number;
  readonly text: string;
}

const ENTRY = /^\s*([+-]?\d+)\s*,\s*"(.*)"\s*$/;

/** Parses one entry; undefined if the text is not of the form. */
export function parseErrorEntry(reply: string): ErrorEntry | undefined {
  const match = ENTRY.exec(reply);
  if (!match) return undefined;
  return { code: Number(match[1]), text: match[2] ?? "" };
}
