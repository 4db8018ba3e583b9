/**
 * The virtual 2400's own record of what its terminals were driven with
 * (`onSource`), and the invariants the project promises checked against it
 * — never against what a driver believes it did.
 */
import type { SourceState } from "../../src/virtual/index.js";

/** Slack for the 2400's seven-digit replies and float rounding of ramp levels. */
const SLACK = 1e-9;

export interface StepViolation {
  readonly index: number;
  readonly from: number;
  readonly to: number;
}

export class SourceRecord {
  readonly states: SourceState[] = [];
  /** Pass to the virtual instrument's `onSource`. */
  readonly listener = (state: SourceState): void => {
    this.states.push(state);
  };

  /** Where the record is now: later checks can start here (`since`). */
  get mark(): number {
    return this.states.length;
  }

  /**
   * Every change of level larger than `maxStep` (per source function) made
   * while the output stayed on, from `since`. Turning the output off is not
   * a step: it is the safe exit when the level is unknown.
   */
  stepsBeyond(maxStep: { voltage: number; current: number }, since = 0): StepViolation[] {
    const violations: StepViolation[] = [];
    for (let i = Math.max(1, since); i < this.states.length; i++) {
      const before = this.states[i - 1] as SourceState;
      const now = this.states[i] as SourceState;
      if (!before.outputEnabled || !now.outputEnabled || before.sourceFunction !== now.sourceFunction)
        continue;
      const limit = now.sourceFunction === "VOLT" ? maxStep.voltage : maxStep.current;
      if (Math.abs(now.level - before.level) > limit * (1 + SLACK) + SLACK * 1e-3) {
        violations.push({ index: i, from: before.level, to: now.level });
      }
    }
    return violations;
  }

  /** Largest |level| applied with the output on, from `since`. */
  largestApplied(since = 0): number {
    let largest = 0;
    for (const state of this.states.slice(since)) {
      if (state.outputEnabled) largest = Math.max(largest, Math.abs(state.level));
    }
    return largest;
  }

  /** Whether the output is on now, as the instrument last reported (off before any report). */
  get outputEnabled(): boolean {
    return this.states.at(-1)?.outputEnabled ?? false;
  }
}
