/** Shared by the virtual source-meters (moved here from the 2400's core.ts). */

/**
 * What the terminals are driven with: the output state, the source
 * function and, with the output on, the level applied. The instrument's own
 * record of what it was commanded, for tests that check safety through it
 * rather than through a driver's belief.
 */
export interface SourceState {
  /** The bench clock, s. */
  readonly time: number;
  readonly outputEnabled: boolean;
  readonly sourceFunction: "VOLT" | "CURR";
  /** Level applied, V or A (with the output off: the programmed level, not applied). */
  readonly level: number;
}
