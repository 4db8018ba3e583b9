/**
 * The user's safety limits for a source (DESIGN.md: "enforced here, before
 * a byte is sent"). Tighter than what the hardware allows, and per bench:
 * a memristor that dies above 2 V gets `maxAbsVoltage: 2` whatever the SMU
 * could do. Pure checks; the driver calls them before it writes.
 *
 * Every limit has a safe default ({@link DEFAULT_SAFETY_LIMITS}); what a
 * caller gives is merged over them, so `{}` or a partial object never
 * disables a limit by leaving it out. Turning one off is explicit:
 * `Infinity`.
 */
import { SafetyLimitError } from "../errors.js";
import type { Quantity, SourceMode } from "./kinds.js";

export interface SafetyLimits {
  /** Largest |voltage| set as a source level or a compliance, V. */
  readonly maxAbsVoltage: number;
  /** Largest |current| set as a source level or a compliance, A. */
  readonly maxAbsCurrent: number;
  /** Largest change of the voltage source level in one set while it could be applied, V. */
  readonly maxVoltageStep: number;
  /** Largest change of the current source level in one set while it could be applied, A. */
  readonly maxCurrentStep: number;
  /**
   * Fastest the voltage source level may move, V/s: consecutive level sets
   * are paced (on the session's timebase) so that change ÷ time between
   * them stays under it, and a hardware sweep whose points can be shorter
   * than step ÷ rate is refused.
   */
  readonly maxVoltageRate: number;
  /** Fastest the current source level may move, A/s (as {@link maxVoltageRate}). */
  readonly maxCurrentRate: number;
}

/**
 * What a bench of memristive and photonic test structures survives when
 * nobody said otherwise: 2 V and 100 mA at most, moved 0.1 V or 1 mA at a
 * time, a step per millisecond at most. Conservative on purpose: a default
 * is what someone who forgot gets.
 */
export const DEFAULT_SAFETY_LIMITS: SafetyLimits = Object.freeze({
  maxAbsVoltage: 2,
  maxAbsCurrent: 0.1,
  maxVoltageStep: 0.1,
  maxCurrentStep: 0.001,
  // A full step per millisecond at most: the step limits above at 1 kHz.
  maxVoltageRate: 100,
  maxCurrentRate: 1,
});

/** Limits as a caller writes them: any subset, each a positive number or Infinity (no limit). */
export type SafetyLimitsInput = Partial<SafetyLimits>;

const KNOWN = Object.keys(DEFAULT_SAFETY_LIMITS) as (keyof SafetyLimits)[];

/**
 * `input` merged over the defaults. RangeError for an unknown key (listing
 * the known ones) and for a value that is not a positive number or
 * Infinity; `undefined` stands for the default.
 */
export function resolveSafetyLimits(input: SafetyLimitsInput = {}, where = "safety limits"): SafetyLimits {
  if (input === null || typeof input !== "object") {
    throw new RangeError(`${where}: expected an object of limits, got ${String(input)}`);
  }
  const resolved: Record<string, number> = { ...DEFAULT_SAFETY_LIMITS };
  for (const [name, value] of Object.entries(input)) {
    if (!(KNOWN as string[]).includes(name)) {
      throw new RangeError(`${where}: unknown limit "${name}"; known limits: ${KNOWN.join(", ")}`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0)) {
      throw new RangeError(
        `${where}: ${name} must be a positive number (Infinity for no limit), got ${String(value)}`,
      );
    }
    resolved[name] = value;
  }
  return resolved as unknown as SafetyLimits;
}

/** Slack for floating-point rounding, so a ramp in steps of exactly the limit passes. */
const RELATIVE_SLACK = 1e-9;

const exceeds = (value: number, limit: number): boolean => value > limit + Math.abs(limit) * RELATIVE_SLACK;

const UNIT: Readonly<Record<Quantity, string>> = { voltage: "V", current: "A" };

export class SafetyGuard {
  readonly limits: SafetyLimits;

  constructor(
    readonly resource: string,
    limits: SafetyLimitsInput = {},
  ) {
    this.limits = resolveSafetyLimits(limits, `${resource}: safety limits`);
  }

  /** Largest change per set of the given source level (Infinity when unlimited). */
  maxStep(mode: SourceMode): number {
    return mode === "voltage" ? this.limits.maxVoltageStep : this.limits.maxCurrentStep;
  }

  /** Fastest change of the given source level, per second (Infinity when unlimited). */
  maxRate(mode: SourceMode): number {
    return mode === "voltage" ? this.limits.maxVoltageRate : this.limits.maxCurrentRate;
  }

  /** Time a change of `change` (V or A) must take at least under the rate limit, s. */
  minSeconds(mode: SourceMode, change: number): number {
    return Math.abs(change) / this.maxRate(mode);
  }

  /**
   * Refuses steps of `step` (V or A) taken every `seconds` at the shortest,
   * when that is faster than the rate limit (a hardware sweep, which the
   * driver cannot pace itself).
   */
  checkRate(mode: SourceMode, step: number, seconds: number): void {
    const limit = this.maxRate(mode);
    const rate = seconds > 0 ? Math.abs(step) / seconds : step === 0 ? 0 : Number.POSITIVE_INFINITY;
    if (exceeds(rate, limit)) {
      const name = mode === "voltage" ? "maxVoltageRate" : "maxCurrentRate";
      throw new SafetyLimitError(this.resource, name, limit, rate, `${UNIT[mode]}/s`);
    }
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

  /**
   * Refuses a source level beyond the absolute limit, unless it brings a
   * level that is already beyond it (set by someone else) closer to zero on
   * the same side: a reduction can only make things safer, and refusing it
   * would leave the device at the higher level.
   */
  checkLevel(mode: SourceMode, from: number | undefined, to: number): void {
    const reduction = from !== undefined && Math.abs(to) <= Math.abs(from) && to * from >= 0;
    if (!reduction) this.checkMagnitude(mode, to);
  }

  /**
   * Refuses a change of source level larger than the step limit. `margin`
   * is how far the instrument's level may be from `from` (a level known
   * only from a read-back of a few digits): the step is judged at its
   * largest.
   */
  checkStep(mode: SourceMode, from: number, to: number, margin = 0): void {
    const limit = this.maxStep(mode);
    const step = Math.abs(to - from) + margin;
    if (exceeds(step, limit)) {
      const name = mode === "voltage" ? "maxVoltageStep" : "maxCurrentStep";
      throw new SafetyLimitError(this.resource, name, limit, step, UNIT[mode]);
    }
  }

  /**
   * Checks every level of a path the source will take from `from` (known
   * within `margin`, as {@link checkStep}), and every step along it.
   */
  checkPath(mode: SourceMode, from: number, levels: readonly number[], margin = 0): void {
    let previous = from;
    for (const [i, level] of levels.entries()) {
      this.checkMagnitude(mode, level);
      this.checkStep(mode, previous, level, i === 0 ? margin : 0);
      previous = level;
    }
  }

  /**
   * Levels from `from` (excluded) to `to` (included) in equal steps no
   * larger than `step` or the limit. Where the level is known only within
   * `margin` of `from` (a read-back of a few digits), the steps leave room
   * for it, so that the first one stays within the limit from wherever the
   * level really is.
   */
  rampLevels(
    mode: SourceMode,
    from: number,
    to: number,
    step = Number.POSITIVE_INFINITY,
    margin = 0,
  ): number[] {
    const limit = this.maxStep(mode);
    if (!(step > 0)) throw new RangeError(`${this.resource}: ramp step must be positive, got ${step}`);
    if (!(limit > margin)) {
      throw new RangeError(
        `${this.resource}: the level is known only within ${margin}, not under the step limit ${limit}`,
      );
    }
    const distance = Math.abs(to - from);
    const count = Math.max(
      1,
      Math.ceil(distance / step - RELATIVE_SLACK),
      Math.ceil(distance / (limit - margin) - RELATIVE_SLACK),
    );
    return Array.from({ length: count }, (_, i) =>
      i === count - 1 ? to : from + ((to - from) * (i + 1)) / count,
    );
  }
}
