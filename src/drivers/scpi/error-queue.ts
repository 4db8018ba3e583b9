/**
 * Entries of the SCPI error queue (`:SYSTem:ERRor?`, SCPI-99 vol. 2 §21.8):
 * `<code>,"<text>"`, with `0,"No error"` once the queue is empty.
 */
import type { ErrorEntry } from "../../scpi/protocol.js";

const ENTRY = /^\s*([+-]?\d+)\s*,\s*"(.*)"\s*$/;

/**
 * Parses one entry; undefined if the text is not of the form. A quote
 * inside the text comes doubled (IEEE 488.2 §8.7.8 string response data)
 * and is returned single.
 */
export function parseErrorEntry(reply: string): ErrorEntry | undefined {
  const match = ENTRY.exec(reply);
  if (!match) return undefined;
  return { code: Number(match[1]), text: (match[2] ?? "").replaceAll('""', '"') };
}
