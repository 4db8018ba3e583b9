/**
 * The user's safety limits for a light source (DESIGN.md: "enforced here,
 * before a byte is sent"; issue 16: "maximum optical power into the chip,
 * and the wavelength span the bench allows"). As with a source's limits
 * (safety.ts), what a caller gives is merged over safe defaults, and
 * turning a limit off is explicit.
 */
import { SafetyLimitError } from "../errors.js";

export interface LaserSafetyLimits {
  /** Largest power setpoint, W, whether the light is on or not (it may be turned on later). */
  readonly maxOpticalPower: number;
  /** Shortest wavelength the bench allows, m (0: none below the laser's own). */
  readonly minWavelength: number;
  /** Longest wavelength the bench allows, m (Infinity: none above the laser's own). */
  readonly maxWavelength: number;
}

/**
 * What a grating-coupled chip survives when nobody said otherwise: 1 mW
 * (0 dBm) in the fibre, well under the tens of milliwatts at which silicon
 * waveguides show two-photon absorption and couplers heat; any wavelength
 * the laser has. Conservative on purpose: a default is what someone who
 * forgot gets.
 */
export const DEFAULT_LASER_SAFETY_LIMITS: LaserSafetyLimits = Object.freeze({
  maxOpticalPower: 1e-3,
  minWavelength: 0,
  maxWavelength: Number.POSITIVE_INFINITY,
});

export type LaserSafetyLimitsInput = Partial<LaserSafetyLimits>;

const KNOWN = Object.keys(DEFAULT_LASER_SAFETY_LIMITS) as (keyof LaserSafetyLimits)[];

/** `input` merged over the defaults; RangeError for an unknown key, a bad value, or an empty span. */
export function resolveLaserSafetyLimits(
  input: LaserSafetyLimitsInput = {},
  where = "laser safety limits",
): LaserSafetyLimits {
  if (input === null || typeof input !== "object") {
    throw new RangeError(`${where}: expected an object of limits, got ${String(input)}`);
  }
  const resolved: Record<string, number> = { ...DEFAULT_LASER_SAFETY_LIMITS };
  for (const [name, value] of Object.entries(input)) {
    if (!(KNOWN as string[]).includes(name)) {
      throw new RangeError(`${where}: unknown limit "${name}"; known limits: ${KNOWN.join(", ")}`);
    }
    if (value === undefined) continue;
    const ok = typeof value === "number" && (name === "minWavelength" ? value >= 0 : value > 0);
    if (!ok) {
      throw new RangeError(
        `${where}: ${name} must be a ${name === "minWavelength" ? "non-negative" : "positive"} number${
          name === "minWavelength" ? "" : " (Infinity for no limit)"
        }, got ${String(value)}`,
      );
    }
    resolved[name] = value as number;
  }
  if (!((resolved.minWavelength as number) < (resolved.maxWavelength as number))) {
    throw new RangeError(
      `${where}: minWavelength ${resolved.minWavelength} m is not below maxWavelength ${resolved.maxWavelength} m`,
    );
  }
  return resolved as unknown as LaserSafetyLimits;
}

/** Slack for floating-point rounding (a setpoint of exactly the limit passes). */
const RELATIVE_SLACK = 1e-9;

export class LaserSafetyGuard {
  readonly limits: LaserSafetyLimits;

  constructor(
    readonly resource: string,
    limits: LaserSafetyLimitsInput = {},
  ) {
    this.limits = resolveLaserSafetyLimits(limits, `${resource}: safety limits`);
  }

  /** Refuses a power setpoint above the limit (or not a number). */
  checkPower(watts: number): void {
    const limit = this.limits.maxOpticalPower;
    if (Number.isNaN(watts) || watts > limit + limit * RELATIVE_SLACK) {
      throw new SafetyLimitError(this.resource, "maxOpticalPower", limit, watts, "W");
    }
  }

  /** Refuses a wavelength outside the bench's span. */
  checkWavelength(metres: number): void {
    const { minWavelength, maxWavelength } = this.limits;
    if (Number.isNaN(metres) || metres < minWavelength * (1 - RELATIVE_SLACK)) {
      throw new SafetyLimitError(this.resource, "minWavelength", minWavelength, metres, "m");
    }
    if (metres > maxWavelength * (1 + RELATIVE_SLACK)) {
      throw new SafetyLimitError(this.resource, "maxWavelength", maxWavelength, metres, "m");
    }
  }
}
