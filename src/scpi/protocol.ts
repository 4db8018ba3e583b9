/**
 * What both ends of an SCPI conversation agree on, for the two sides this
 * project has: the drivers (a client, src/drivers/) and the virtual
 * instruments (an instrument, src/virtual/), which otherwise know nothing of
 * each other. Protocol constants and types only; parsing stays with the
 * client and formatting with the instrument.
 */

/** "Not a number", sent where a value does not exist (SCPI-99 Vol. 1 §7.2.1.5). */
export const SCPI_NOT_A_NUMBER = 9.91e37;

/** Overflow, sent signed for ±infinity (SCPI-99 Vol. 1 §7.2.1.4). */
export const SCPI_OVERFLOW = 9.9e37;

/** One entry of the error/event queue, `<code>,"<text>"` on the wire (SCPI-99 Vol. 2 §21.8). */
export interface ErrorEntry {
  /** Negative: SCPI standard errors (-222 "Data out of range"); positive: instrument-specific; 0: none. */
  readonly code: number;
  readonly text: string;
  /**
   * What the entry carries beyond code and text, kept as sent: Keithley's
   * 2450 appends the event type and a time stamp inside the quotes
   * (`0,"No error;0;0 0"`; INSTRUMENTS.md).
   */
  readonly detail?: string;
}

/** The entry `:SYSTem:ERRor?` returns once the queue is empty: `0,"No error"`. */
export const NO_ERROR: ErrorEntry = { code: 0, text: "No error" };
