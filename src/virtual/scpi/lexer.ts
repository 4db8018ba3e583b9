/**
 * Lexical analysis of one program message (IEEE 488.2 §7): splitting it into
 * program message units at `;`, and each unit into a header and parameter
 * tokens. Anything malformed throws a {@link ScpiError} with the code the
 * standard gives it; the engine turns that into an error-queue entry.
 */
import { ScpiError } from "./errors.js";

/** One `;`-separated piece of a program message, still as text. */
export interface UnitText {
  readonly text: string;
  /** The message ended inside a quoted string that began in this unit. */
  readonly unterminatedString: boolean;
}

/** One mnemonic of a header: `SENS1` → { name: "SENS", suffix: 1 }. */
export interface TypedMnemonic {
  /** Upper-cased, without its numeric suffix. */
  readonly name: string;
  readonly suffix?: number;
}

export interface ParsedHeader {
  /** Began with `:`: resolved from the root, not from the current path. */
  readonly absolute: boolean;
  /** An IEEE 488.2 common command (`*IDN?`). */
  readonly common: boolean;
  readonly mnemonics: readonly TypedMnemonic[];
  readonly query: boolean;
}

export type ParamToken =
  | { readonly kind: "number"; readonly value: number; readonly suffix?: string }
  | { readonly kind: "chars"; readonly value: string }
  | { readonly kind: "string"; readonly value: string };

export interface ParsedUnit {
  readonly header: ParsedHeader;
  readonly params: readonly ParamToken[];
}

/** IEEE 488.2 §7.6.1.4 and §7.7.1.4: mnemonics and character data are at most 12 characters. */
const MAX_MNEMONIC = 12;
/** IEEE 488.2 §7.7.2.4: more than 255 mantissa digits, or an exponent beyond ±32000, is an error. */
const MAX_DIGITS = 255;
const MAX_EXPONENT = 32000;

/**
 * Splits a program message (terminator already removed) at every `;` that is
 * not inside a quoted string.
 */
export function splitUnits(message: string): UnitText[] {
  const units: UnitText[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined; // a doubled quote re-opens on the next character
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ";") {
      units.push({ text: message.slice(start, i), unterminatedString: false });
      start = i + 1;
    }
  }
  units.push({ text: message.slice(start), unterminatedString: quote !== undefined });
  return units;
}

/**
 * Parses one unit; returns undefined for an empty unit (a trailing `;`, which
 * common drivers send and instruments accept).
 */
export function parseUnit(unit: UnitText): ParsedUnit | undefined {
  rejectInvalidCharacters(unit.text);
  if (unit.unterminatedString) throw new ScpiError(-151);
  const cursor = new Cursor(unit.text);
  cursor.skipWhitespace();
  if (cursor.atEnd()) return undefined;
  const header = parseHeader(cursor);
  if (cursor.atEnd()) return { header, params: [] };
  if (!cursor.isWhitespace()) throw new ScpiError(-111);
  cursor.skipWhitespace();
  return { header, params: parseParams(cursor) };
}

/** IEEE 488.2 §7.4.1: only 7-bit printable ASCII and white space may appear. */
function rejectInvalidCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || (code < 0x20 && code !== 0x09)) throw new ScpiError(-101);
  }
}

class Cursor {
  position = 0;
  constructor(readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.position + offset] ?? "";
  }
  isWhitespace(): boolean {
    const c = this.peek();
    return c === " " || c === "\t";
  }
  skipWhitespace(): void {
    while (this.isWhitespace()) this.position++;
  }
  /** Consumes the longest match of a sticky regex at the cursor. */
  take(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.position += match[0].length;
    return match[0];
  }
}

const MNEMONIC = /[A-Za-z][A-Za-z0-9_]*/y;

function parseHeader(cursor: Cursor): ParsedHeader {
  // A leading colon resets to the root; the 2400 also accepts it before a
  // common command (PyMeasure sends ":*CLS").
  const absolute = cursor.peek() === ":";
  if (absolute) cursor.position++;
  const common = cursor.peek() === "*";
  if (common) cursor.position++;
  const mnemonics: TypedMnemonic[] = [];
  for (;;) {
    const word = cursor.take(MNEMONIC);
    if (word === undefined) throw new ScpiError(-102);
    mnemonics.push(splitSuffix(word));
    if (common || cursor.peek() !== ":") break;
    cursor.position++;
  }
  const query = cursor.peek() === "?";
  if (query) cursor.position++;
  return { absolute, common, mnemonics, query };
}

function splitSuffix(word: string): TypedMnemonic {
  const match = /^(.*?[A-Za-z_])(\d*)$/.exec(word);
  const name = (match?.[1] ?? word).toUpperCase();
  if (name.length > MAX_MNEMONIC) throw new ScpiError(-112);
  const digits = match?.[2] ?? "";
  return digits === "" ? { name } : { name, suffix: Number(digits) };
}

function parseParams(cursor: Cursor): ParamToken[] {
  const params: ParamToken[] = [];
  for (;;) {
    params.push(parseParam(cursor));
    cursor.skipWhitespace();
    if (cursor.atEnd()) return params;
    if (cursor.peek() !== ",") throw new ScpiError(-103);
    cursor.position++;
    cursor.skipWhitespace();
  }
}

const DECIMAL = /[+-]?(?:\d+\.?\d*|\.\d+)/y;
const EXPONENT = /[ \t]*[eE][ \t]*[+-]?\d+/y;
const SUFFIX = /[ \t]*[A-Za-z][A-Za-z/]*/y;

function parseParam(cursor: Cursor): ParamToken {
  const c = cursor.peek();
  if (c === '"' || c === "'") return parseString(cursor, c);
  if (c === "#") return parseNonDecimal(cursor);
  if (c === "(") throw new ScpiError(-178);
  if (/[A-Za-z]/.test(c)) {
    const word = cursor.take(MNEMONIC) ?? "";
    if (word.length > MAX_MNEMONIC) throw new ScpiError(-144);
    return { kind: "chars", value: word.toUpperCase() };
  }
  const mantissa = cursor.take(DECIMAL);
  if (mantissa === undefined) throw new ScpiError(c === "" || c === "," ? -109 : -102);
  if (mantissa.replace(/[^0-9]/g, "").replace(/^0+/, "").length > MAX_DIGITS) throw new ScpiError(-124);
  const exponent = cursor.take(EXPONENT)?.replace(/[ \t]/g, "") ?? "";
  if (exponent !== "" && Math.abs(Number(exponent.slice(1))) > MAX_EXPONENT) throw new ScpiError(-123);
  const value = Number(mantissa + exponent);
  const suffix = cursor.take(SUFFIX)?.trim();
  const next = cursor.peek();
  if (next !== "" && next !== "," && next !== " " && next !== "\t") throw new ScpiError(-121);
  return suffix === undefined
    ? { kind: "number", value }
    : { kind: "number", value, suffix: suffix.toUpperCase() };
}

/** IEEE 488.2 §7.7.5: a quote inside a string is written twice. */
function parseString(cursor: Cursor, quote: string): ParamToken {
  let value = "";
  cursor.position++;
  for (;;) {
    if (cursor.atEnd()) throw new ScpiError(-151);
    const c = cursor.peek();
    cursor.position++;
    if (c !== quote) {
      value += c;
    } else if (cursor.peek() === quote) {
      value += quote;
      cursor.position++;
    } else {
      return { kind: "string", value };
    }
  }
}

/** IEEE 488.2 §7.7.4: #H hexadecimal, #Q octal, #B binary; `#<digit>` would be block data. */
function parseNonDecimal(cursor: Cursor): ParamToken {
  const radixLetter = cursor.peek(1).toUpperCase();
  const radix = radixLetter === "H" ? 16 : radixLetter === "Q" ? 8 : radixLetter === "B" ? 2 : undefined;
  if (radix === undefined) throw new ScpiError(/\d/.test(radixLetter) ? -168 : -102);
  cursor.position += 2;
  const digits = cursor.take(/[0-9A-Za-z]+/y) ?? "";
  const valid = { 16: /^[0-9A-Fa-f]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[radix];
  if (!valid?.test(digits)) throw new ScpiError(-121);
  return { kind: "number", value: Number.parseInt(digits, radix) };
}
