/**
 * The drivers a bench file may name, as data: each driver's instrument kind
 * and the safety limits it takes, with their units. The bench-file loader
 * is given such a registry rather than importing this one, so that a test,
 * a gateway or a later driver can extend or narrow it without touching the
 * loader; {@link KNOWN_BENCH_DRIVERS} is the default.
 */
import type { LaserSafetyLimits } from "../drivers/instruments/optical-safety.js";
import type { SafetyLimits } from "../drivers/instruments/safety.js";

/** The instrument kinds of DESIGN.md ("Drivers", layer 3). */
export type BenchDriverKind = "source-meter" | "tunable-laser" | "power-meter";

/** One limit a driver takes: its unit (SI, as the file writes it) and what it bounds. */
export interface BenchLimitInfo {
  readonly unit: string;
  readonly doc: string;
}

export interface BenchDriverInfo {
  /** The `driver:` value of a bench file, e.g. "keithley2400". */
  readonly name: string;
  readonly kind: BenchDriverKind;
  /** Limit name → unit and meaning; a file naming any other limit for this driver is refused. */
  readonly limits: Readonly<Record<string, BenchLimitInfo>>;
}

/**
 * A source-measure unit's limits, one per field of the driver's
 * {@link SafetyLimits} (the `satisfies` makes a limit added there fail to
 * compile here until it is described).
 */
const SOURCE_METER_LIMITS = {
  maxAbsVoltage: { unit: "V", doc: "largest |voltage| set as a source level or a compliance" },
  maxAbsCurrent: { unit: "A", doc: "largest |current| set as a source level or a compliance" },
  maxVoltageStep: { unit: "V", doc: "largest change of the voltage source level in one set" },
  maxCurrentStep: { unit: "A", doc: "largest change of the current source level in one set" },
  maxVoltageRate: { unit: "V/s", doc: "fastest the voltage source level may move (ramp rate)" },
  maxCurrentRate: { unit: "A/s", doc: "fastest the current source level may move (ramp rate)" },
} as const satisfies Record<keyof SafetyLimits, BenchLimitInfo>;

/** A light source's limits, one per field of {@link LaserSafetyLimits}. */
const LASER_LIMITS = {
  maxOpticalPower: { unit: "W", doc: "largest optical power setpoint, whether the light is on or not" },
  minWavelength: { unit: "m", doc: "shortest wavelength the bench allows" },
  maxWavelength: { unit: "m", doc: "longest wavelength the bench allows" },
} as const satisfies Record<keyof LaserSafetyLimits, BenchLimitInfo>;

/** The drivers this project ships. */
export const KNOWN_BENCH_DRIVERS = [
  { name: "keithley2400", kind: "source-meter", limits: SOURCE_METER_LIMITS },
  { name: "keithley2450", kind: "source-meter", limits: SOURCE_METER_LIMITS },
  { name: "santec-tsl570", kind: "tunable-laser", limits: LASER_LIMITS },
  { name: "santec-tsl550", kind: "tunable-laser", limits: LASER_LIMITS },
  // A power meter emits nothing: it has no safety limits.
  { name: "thorlabs-pm100", kind: "power-meter", limits: {} },
] as const satisfies readonly BenchDriverInfo[];
