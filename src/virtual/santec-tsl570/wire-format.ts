/**
 * Values on the TSL-570's wire, which depend on the command set
 * (INSTRUMENTS.md, "Santec TSL-570"; Santec's tsl_instrument.py
 * docstrings):
 * - SCPI (`:SYST:COMM:COD 1`): wavelengths in m and frequencies in Hz,
 *   decimal or exponential, with unit suffixes accepted (`:WAV 1550NM`,
 *   `:FREQ 193.4THZ`); a power without suffix is in the `:POWer:UNIT`, with
 *   one in dBm (`DBM`) or watts (`MW`, `UW`, `W`); queries answer
 *   `+1.55000000E-006`.
 * - Legacy (`0`): nm, THz, dBm or mW, s, in decimal; "character strings
 *   representing a unit cannot be accepted" (-102 here); queries answer
 *   fixed-point (`1550.0000` nm, `193.41449` THz, `0.00` dBm).
 * Sweep speeds are in nm/s in both, without a suffix. Integer settings
 * (modes, states, units, counts) answer as plain integers in both.
 *
 * A value out of range is -222 "Data out of range"; MINimum and MAXimum
 * stand for the bounds; other character data is -148.
 */
import { ScpiError } from "../scpi/errors.js";
import { applySuffix, keywordMatches, type ParamSpec } from "../scpi/params.js";
import type { Tsl570Core } from "./core.js";
import {
  dbmToWatts,
  POWER_RANGE_DBM,
  POWER_RANGE_MW,
  roundTo,
  SPEED_OF_LIGHT,
  wattsToDbm,
} from "./ranges.js";

type Core = Tsl570Core;
type Bound = number | ((core: Core) => number);

const bound = (b: Bound, core: Core): number => (typeof b === "function" ? b(core) : b);
const scpi = (core: Core): boolean => core.settings.commandSet === "SCPI";

/** Floating-point slack of a range check, relative to the range's scale. */
const RANGE_SLACK = 1e-9;

interface NumberOptions {
  readonly min: Bound;
  readonly max: Bound;
  /** The typed number and its suffix in SI (or the setting's own unit); throws for a suffix the set refuses. */
  readonly convert: (core: Core, value: number, suffix: string | undefined) => number;
  /** Rounds a value to the instrument's resolution. */
  readonly round?: (core: Core, value: number) => number;
}

/** A numeric parameter; also what the query's MIN/MAX argument resolves through. */
export function numberParam(options: NumberOptions): ParamSpec<number, Core> {
  return {
    optional: false,
    rangeKeywords: true,
    parse([token], core) {
      const min = bound(options.min, core);
      const max = bound(options.max, core);
      if (token?.kind === "chars") {
        if (keywordMatches("MINimum", token.value)) return min;
        if (keywordMatches("MAXimum", token.value)) return max;
        throw new ScpiError(-148);
      }
      if (token?.kind !== "number") throw new ScpiError(-102);
      let value = options.convert(core, token.value, token.suffix);
      if (options.round) value = options.round(core, value);
      const slack = RANGE_SLACK * Math.max(Math.abs(min), Math.abs(max));
      if (!(value >= min - slack && value <= max + slack)) throw new ScpiError(-222);
      return Math.min(max, Math.max(min, value));
    },
  };
}

/** One of a set of integer codes (a mode, a state, a unit); anything else is -222. */
export function codeParam<const C extends number>(codes: readonly C[]): ParamSpec<C, Core> {
  return {
    optional: false,
    parse([token]) {
      if (token?.kind === "chars") throw new ScpiError(-148);
      if (token?.kind !== "number") throw new ScpiError(-102);
      if (token.suffix !== undefined) throw new ScpiError(-102);
      const found = codes.find((c) => c === token.value);
      if (found === undefined) throw new ScpiError(-222);
      return found;
    },
  };
}

/** A number without a unit in either set (a speed in nm/s, dB, a fine-tuning value). */
export function plain(value: number, suffix: string | undefined): number {
  if (suffix !== undefined) throw new ScpiError(-102);
  return value;
}

/** A wavelength: m with suffixes (SCPI), nm (Legacy); returned in m. */
export function wavelengthIn(core: Core, value: number, suffix: string | undefined): number {
  if (scpi(core)) return applySuffix(value, suffix, "M");
  return plain(value, suffix) * 1e-9;
}

/** A frequency: Hz with suffixes (SCPI), THz (Legacy); returned in Hz. */
export function frequencyIn(core: Core, value: number, suffix: string | undefined): number {
  if (scpi(core)) return applySuffix(value, suffix, "HZ");
  return plain(value, suffix) * 1e12;
}

/** A time: s with suffixes (SCPI), s (Legacy). */
export function secondsIn(core: Core, value: number, suffix: string | undefined): number {
  return scpi(core) ? applySuffix(value, suffix, "S") : plain(value, suffix);
}

/**
 * A power, returned in W: in the `:POWer:UNIT` without a suffix; with one
 * (SCPI only) in dBm (`DBM`) or watts with a prefix (`MW`).
 */
export function powerIn(core: Core, value: number, suffix: string | undefined): number {
  if (suffix === undefined) return core.settings.powerUnit === 0 ? dbmToWatts(value) : value * 1e-3;
  if (!scpi(core)) throw new ScpiError(-102);
  return suffix === "DBM" ? dbmToWatts(value) : applySuffix(value, suffix, "W");
}

/** A power setpoint's bounds in W, for the present `:POWer:UNIT` (−15 to 13 dBm; 0.04 to 20 mW). */
export const powerMin = (core: Core): number =>
  core.settings.powerUnit === 0 ? dbmToWatts(POWER_RANGE_DBM.min) : POWER_RANGE_MW.min * 1e-3;
export const powerMax = (core: Core): number =>
  core.settings.powerUnit === 0 ? dbmToWatts(POWER_RANGE_DBM.max) : POWER_RANGE_MW.max * 1e-3;

/** A power rounded to 0.01 in the `:POWer:UNIT` (0.01 dB or 0.01 mW). */
export function roundPower(core: Core, watts: number): number {
  return core.settings.powerUnit === 0
    ? dbmToWatts(roundTo(wattsToDbm(watts), 0.01))
    : roundTo(watts * 1e3, 0.01) * 1e-3;
}

/**
 * The SCPI command set's number format, `+1.55000000E-006`: a sign, nine
 * significant digits and a signed three-digit exponent (INSTRUMENTS.md).
 */
export function scpiNumber(value: number): string {
  const [mantissa, exponent] = Math.abs(value).toExponential(8).split("e") as [string, string];
  const e = Number(exponent);
  return `${value < 0 ? "-" : "+"}${mantissa}E${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(3, "0")}`;
}

/** A value in SCPI's format, or fixed-point with `decimals` in Legacy. */
export function formatNumber(core: Core, value: number, decimals: number): string {
  return scpi(core) ? scpiNumber(value) : value.toFixed(decimals);
}

/** A wavelength (m): SCPI in m, Legacy in nm to 0.1 pm. */
export function formatWavelength(core: Core, wavelength: number): string {
  return scpi(core) ? scpiNumber(wavelength) : (wavelength * 1e9).toFixed(4);
}

/** A frequency (Hz): SCPI in Hz, Legacy in THz to 10 MHz. */
export function formatFrequency(core: Core, frequency: number): string {
  return scpi(core) ? scpiNumber(frequency) : (frequency * 1e-12).toFixed(5);
}

/** A power (W) in the `:POWer:UNIT`: dBm or mW, 0.01 in Legacy. */
export function formatPower(core: Core, watts: number): string {
  const value = core.settings.powerUnit === 0 ? wattsToDbm(watts) : watts * 1e3;
  return formatNumber(core, value, 2);
}

/** Wavelength ↔ frequency, m ↔ Hz. */
export function toFrequency(wavelength: number): number {
  return SPEED_OF_LIGHT / wavelength;
}

/**
 * An IEEE 488.2 definite-length arbitrary block (§8.7.9): `#`, the number
 * of digits of the length, the length in bytes, the bytes (here as
 * latin1 characters, one per byte, as the server writes them).
 */
export function definiteBlock(bytes: Uint8Array): string {
  const length = String(bytes.length);
  return `#${length.length}${length}${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")}`;
}

/**
 * Whether a response message ends with a definite-length block: it then
 * goes out with no terminator (INSTRUMENTS.md: "no terminator after the
 * block"). Only blocks carry `#` in this laser's replies, so the first `#`
 * that starts a response (at 0 or after `;`) is a block's header.
 */
export function endsWithBlock(reply: string): boolean {
  const at = reply.indexOf("#");
  if (at < 0 || (at > 0 && reply[at - 1] !== ";")) return false;
  const digits = Number(reply[at + 1]);
  if (!(digits >= 1 && digits <= 9)) return false;
  const length = reply.slice(at + 2, at + 2 + digits);
  return /^\d+$/.test(length) && at + 2 + digits + Number(length) === reply.length;
}
