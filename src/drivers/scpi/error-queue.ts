/**
 * Entries of the SCPI error queue (`:SYSTem:ERRor?`, SCPI-99 vol. 2 §21.8):
 * `<code>,"<text>[;<device-dependent info>]"`, with `0,"No error"` once the
 * queue is empty. The text is what comes before the first `;` and the
 * device-dependent info is kept as the entry's `detail`: Keithley's 2450
 * puts the event type and a time stamp there (`0,"No error;0;0 0"`,
 * INSTRUMENTS.md).
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
  const quoted = (match[2] ?? "").replaceAll('""', '"');
  const cut = quoted.indexOf(";");
  if (cut < 0) return { code: Number(match[1]), text: quoted };
  return { code: Number(match[1]), text: quoted.slice(0, cut), detail: quoted.slice(cut + 1) };
}
