/**
 * Model 2450 source and measure ranges, nominal full scale (the range
 * queries reply with these: the 20 V range is 2.000000E+01). 2450
 * Reference Manual (2450-901-01) §6 ":SOURce[1]:<function>:RANGe" and
 * ":SENSe[1]:<function>:RANGe[:UPPer]"; each range measures and sources up
 * to 105 % of its nominal value ("Ranges"), so the largest magnitudes
 * are 210 V and 1.05 A.
 */
import { rangeFor } from "../ranges.js";

export const VOLTAGE_RANGES = [0.02, 0.2, 2, 20, 200] as const;
export const CURRENT_RANGES = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1] as const;
export const RESISTANCE_RANGES = [20, 200, 2e3, 2e4, 2e5, 2e6, 2e7, 2e8] as const;

/** Largest source, limit or range value: 210 V, 1.05 A, 210 MΩ. */
export const MAX_VOLTAGE = 210;
export const MAX_CURRENT = 1.05;
export const MAX_RESISTANCE = 2.1e8;

/** What each range holds past its nominal value (105 %). */
export const OVERRANGE = 1.05;

export type SenseFunction = "VOLT" | "CURR" | "RES";
export type SourceFunction = "VOLT" | "CURR";

export function rangesOf(fn: SenseFunction): readonly number[] {
  return fn === "VOLT" ? VOLTAGE_RANGES : fn === "CURR" ? CURRENT_RANGES : RESISTANCE_RANGES;
}

/** The lowest nominal range whose 105 % holds `magnitude`; the highest when none does. */
export function rangeFor2450(fn: SenseFunction, magnitude: number): number {
  return rangeFor(rangesOf(fn), magnitude / OVERRANGE);
}
