/**
 * Parameter specifications: each turns the parameter tokens of one program
 * message unit into a typed value, or throws the SCPI error the standard
 * prescribes (SCPI-99 Vol. 1 §7). Validators refuse, they never clip.
 */
import { ScpiError } from "./errors.js";
import type { ParamToken } from "./lexer.js";

/** A bound that may depend on the instrument's present settings. */
export type Bound<Ctx> = number | ((ctx: Ctx) => number);

export interface ParamSpec<T, Ctx = unknown> {
  /** May be left out (the value is then undefined). */
  readonly optional: boolean;
  /** Understands MINimum/MAXimum/DEFault, so its setting's query takes them too (`:SOUR:VOLT? MAX`). */
  readonly rangeKeywords?: boolean;
  /** Takes every remaining token (a list parameter) rather than one. */
  readonly rest?: { readonly min: number; readonly max: number; readonly tooMany: number };
  parse(tokens: readonly ParamToken[], ctx: Ctx): T;
}

function bound<Ctx>(b: Bound<Ctx>, ctx: Ctx): number {
  return typeof b === "function" ? b(ctx) : b;
}

/** IEEE 488.2 §7.7.3 suffix multipliers; `MA` before `M` so the longest wins. */
const MULTIPLIERS: ReadonlyArray<readonly [string, number]> = [
  ["EX", 1e18],
  ["PE", 1e15],
  ["MA", 1e6],
  ["T", 1e12],
  ["G", 1e9],
  ["K", 1e3],
  ["M", 1e-3],
  ["U", 1e-6],
  ["N", 1e-9],
  ["P", 1e-12],
  ["F", 1e-15],
  ["A", 1e-18],
];

/**
 * Scales a number by its suffix for a parameter in `unit` (V, A, OHM, S, HZ).
 * The unit is matched first, so `MA` on a current is milliampere; `MOHM` and
 * `MHZ` are mega (IEEE 488.2 §7.7.3.5).
 */
export function applySuffix(value: number, suffix: string | undefined, unit: string | undefined): number {
  if (suffix === undefined) return value;
  if (unit === undefined) throw new ScpiError(-138);
  if (suffix.length > 12) throw new ScpiError(-134);
  if (suffix === `M${unit}` && (unit === "OHM" || unit === "HZ")) return value * 1e6;
  // The unit is required: a bare "A" would be atto and turn amperes sent to a voltage into 1e-18 V.
  const prefix = suffix.endsWith(unit) ? suffix.slice(0, -unit.length) : undefined;
  if (prefix === "") return value;
  const multiplier = MULTIPLIERS.find(([p]) => p === prefix)?.[1];
  if (multiplier === undefined) throw new ScpiError(-131);
  return value * multiplier;
}

export interface NumericOptions<Ctx> {
  readonly min: Bound<Ctx>;
  readonly max: Bound<Ctx>;
  /** Value of DEFault; omit when the command has none. */
  readonly def?: Bound<Ctx>;
  /** Unit for suffixes (`V`, `A`, `OHM`, `S`, `HZ`); without it a suffix is -138. */
  readonly unit?: string;
  /** Round to an integer (SCPI-99 §7.2.1: integer settings accept decimals and round). */
  readonly integer?: boolean;
  /** Further character values, e.g. { INFinite: Infinity, UP: … }. Keys use SCPI long/short form. */
  readonly keywords?: Readonly<Record<string, Bound<Ctx>>>;
  readonly optional?: boolean;
}

/** Character data equal to a long/short-form keyword such as `MINimum` (matches MIN or MINIMUM). */
export function keywordMatches(keyword: string, typed: string): boolean {
  const short = /^[A-Z]+/.exec(keyword)?.[0] ?? keyword;
  return typed === short || typed === keyword.toUpperCase();
}

const RANGE_KEYWORDS = ["MINimum", "MAXimum", "DEFault"] as const;

/** A decimal number with MIN/MAX/DEF; out of range is -222, any other type (or other character data) -104. */
export function numeric<Ctx>(options: NumericOptions<Ctx>): ParamSpec<number, Ctx> {
  return {
    optional: options.optional ?? false,
    rangeKeywords: true,
    parse([token], ctx) {
      let value: number;
      if (token?.kind === "number") {
        value = applySuffix(token.value, token.suffix, options.unit);
      } else if (token?.kind === "chars") {
        const extra = Object.entries(options.keywords ?? {}).find(([k]) => keywordMatches(k, token.value));
        if (extra) return bound(extra[1], ctx);
        if (keywordMatches("MINimum", token.value)) return bound(options.min, ctx);
        if (keywordMatches("MAXimum", token.value)) return bound(options.max, ctx);
        if (keywordMatches("DEFault", token.value) && options.def !== undefined)
          return bound(options.def, ctx);
        throw new ScpiError(-104);
      } else {
        throw new ScpiError(-104);
      }
      if (options.integer) value = Math.round(value);
      if (!(value >= bound(options.min, ctx) && value <= bound(options.max, ctx))) throw new ScpiError(-222);
      return value;
    },
  };
}

export type RangeKeyword = "MIN" | "MAX" | "DEF";

/** The optional MIN|MAX|DEF argument of a numeric setting's query (`:SOUR:VOLT? MAX`). */
export function rangeQueryKeyword<Ctx>(): ParamSpec<RangeKeyword | undefined, Ctx> {
  return {
    optional: true,
    parse([token]) {
      if (token === undefined) return undefined;
      if (token.kind !== "chars") throw new ScpiError(-104);
      for (const keyword of RANGE_KEYWORDS) {
        if (keywordMatches(keyword, token.value)) return shortOf(keyword);
      }
      throw new ScpiError(-224);
    },
  };
}

/** ON|OFF|1|0 (SCPI-99 §7.3: a number is rounded, non-zero is ON). */
export function bool<Ctx>(options: { readonly optional?: boolean } = {}): ParamSpec<boolean, Ctx> {
  return {
    optional: options.optional ?? false,
    parse([token]) {
      if (token?.kind === "number") {
        if (token.suffix !== undefined) throw new ScpiError(-138);
        return Math.round(token.value) !== 0;
      }
      if (token?.kind === "chars") {
        if (token.value === "ON") return true;
        if (token.value === "OFF") return false;
        throw new ScpiError(-224);
      }
      throw new ScpiError(-104);
    },
  };
}

/**
 * Character data from a fixed set, given in long/short form (`FIXed`);
 * returns the short form upper-cased (`FIX`), which is also what queries reply.
 */
export function choice<const C extends string, Ctx = unknown>(
  choices: readonly C[],
  options: { readonly optional?: boolean } = {},
): ParamSpec<ShortForm<C>, Ctx> {
  return {
    optional: options.optional ?? false,
    parse([token]) {
      if (token?.kind !== "chars") throw new ScpiError(-104);
      const found = choices.find((c) => keywordMatches(c, token.value));
      if (found === undefined) throw new ScpiError(-224);
      return shortOf(found);
    },
  };
}

/** `VOLTage` → `VOLT` at the type level, so a choice's values are checked by the compiler. */
export type ShortForm<S extends string> = S extends `${infer Head}${infer Tail}`
  ? Head extends Uppercase<Head>
    ? `${Head}${ShortForm<Tail>}`
    : ""
  : "";

export function shortOf<const C extends string>(keyword: C): ShortForm<C> {
  return (/^[A-Z0-9]+/.exec(keyword)?.[0] ?? keyword) as ShortForm<C>;
}

/** A quoted string. */
export function text<Ctx>(options: { readonly optional?: boolean } = {}): ParamSpec<string, Ctx> {
  return {
    optional: options.optional ?? false,
    parse([token]) {
      if (token?.kind !== "string") throw new ScpiError(-104);
      return token.value;
    },
  };
}

/**
 * A comma-separated list of one kind of item: at least `min`, at most `max`
 * items; more than `max` is `tooMany` (default -108 "Parameter not allowed").
 */
export function list<T, Ctx>(
  item: ParamSpec<T, Ctx>,
  options: { readonly min?: number; readonly max: number; readonly tooMany?: number },
): ParamSpec<T[], Ctx> {
  const min = options.min ?? 1;
  return {
    optional: min === 0,
    rest: { min, max: options.max, tooMany: options.tooMany ?? -108 },
    parse(tokens, ctx) {
      return tokens.map((token) => item.parse([token], ctx));
    },
  };
}
