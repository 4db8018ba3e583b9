/**
 * The user's safety limits for a source (DESIGN.md: "enforced here, before
 * a byte is sent"). Tighter than what the hardware allows, and per bench:
 * a memristor that dies above 2 V gets `maxAbsVoltage: 2` whatever the SMU
 * could do. Pure checks; the driver calls them before it writes.
 */
import { SafetyLimitError } from "../errors.js";
import type { Quantity, SourceMode } from "./kinds.js";

export interface SafetyLimits {
  /** Largest |voltage| set as a source level or a compliance, V. */
  readonly maxAbsVoltage: number;
  /** Largest |current| set as a source level or a compliance, A. */
  readonly maxAbsCurrent: number;
  /** Largest change of the voltage source level in one set, V (default: no limit). */
  readonly maxVoltageStep?: number;
  /** Largest change of the current source level in one set, A (default: no limit). */
  readonly maxCurrentStep?: number;
}

/** Slack for floating-point rounding, so a ramp in steps of exactly the limit passes. */
const RELATIVE_SLACK = 1e-9;

const exceeds = (value: number, limit: number): boolean => value > limit + Math.abs(limit) * RELATIVE_SLACK;

const UNIT: Readonly<Record<Quantity, string>> = { voltage: "V", current: "A" };

export class SafetyGuard {
  constructor(
    readonly resource: string,
    readonly limits: SafetyLimits,
  ) {
    for (const [name, value] of Object.entries(limits)) {
      if (value !== undefined && !(typeof value === "number" && value > 0)) {
        throw new RangeError(
          `${resource}: safety limit ${name} must be a positive number, got ${String(value)}`,
        );
      }
    }
  }

  /** Largest change per set of the given source level (Infinity when unlimited). */
  maxStep(mode: SourceMode): number {
    return (
      (mode === "voltage" ? this.limits.maxVoltageStep : this.limits.maxCurrentStep) ??
      Number.POSITIVE_INFINITY
    );
  }

  /** Refuses a source level or compliance beyond the absolute limit of its quantity. */
  checkMagnitude(quantity: Quantity, value: number): void {
    const [name, limit] =
      quantity === "voltage"
        ? ["maxAbsVoltage", this.limits.maxAbsVoltage]
        : ["maxAbsCurrent", this.limits.maxAbsCurrent];
    if (Number.isNaN(value) || exceeds(Math.abs(value), limit)) {
      throw new SafetyLimitError(this.resource, name, limit, value, UNIT[quantity]);
    }
  }

  /** Refuses a change of source level larger than the step limit. */
  checkStep(mode: SourceMode, from: number, to: number): void {
    const limit = this.maxStep(mode);
    if (exceeds(Math.abs(to - from), limit)) {
      const name = mode === "voltage" ? "maxVoltageStep" : "maxCurrentStep";
      throw new SafetyLimitError(this.resource, name, limit, Math.abs(to - from), UNIT[mode]);
    }
  }

  /** Checks every level of a path the source will take from `from`, and every step along it. */
  checkPath(mode: SourceMode, from: number, levels: readonly number[]): void {
    let previous = from;
    for (const level of levels) {
      this.checkMagnitude(mode, level);
      this.checkStep(mode, previous, level);
      previous = level;
    }
  }

  /** Levels from `from` (excluded) to `to` (included) in equal steps no larger than `step` or the limit. */
  rampLevels(mode: SourceMode, from: number, to: number, step = Number.POSITIVE_INFINITY): number[] {
    const largest = Math.min(step, this.maxStep(mode));
    if (!(largest > 0)) throw new RangeError(`${this.resource}: ramp step must be positive, got ${step}`);
    const count = Math.max(1, Math.ceil(Math.abs(to - from) / largest - RELATIVE_SLACK));
    return Array.from({ length: count }, (_, i) =>
      i === count - 1 ? to : from + ((to - from) * (i + 1)) / count,
    );
  }
}
