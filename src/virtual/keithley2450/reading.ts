/**
 * The 2450's readings and reading buffers (2450 Reference Manual §6
 * "TRACe subsystem"; "Reading buffers"): each reading keeps its
 * measured value, its source value, its time and status, and a query asks
 * for the buffer elements it wants, in the order it names them
 * (`:READ? "defbuffer1", READ, SOUR, REL`; `:TRACe:DATA?`).
 */
import { ScpiError } from "../scpi/errors.js";
import { nr1, nr3 } from "../scpi/format.js";
import { keywordMatches, type ParamSpec, type ShortForm, shortOf } from "../scpi/params.js";
import type { SenseFunction, SourceFunction } from "./ranges.js";

/** One reading, SI units; ±Infinity is an overflow (sent as ±9.9E37). */
export interface Reading2450 {
  /** When the measurement ended, s on the bench clock. */
  readonly time: number;
  /** READing: the value of the measure function. */
  readonly value: number;
  readonly senseFunction: SenseFunction;
  /** SOURce: the measured source value with read-back on, else the programmed level. */
  readonly source: number;
  readonly sourceFunction: SourceFunction;
  /** STATus bits ({@link READING_STATUS}). */
  readonly status: number;
  /** SOURSTATus bits ({@link SOURCE_STATUS}). */
  readonly sourceStatus: number;
}

/**
 * Bits of the STATus element: the measure status of the 2450's buffers,
 * whose values its manual gives in the TSP chapter (2450-901-01 Rev. B,
 * §8 "bufferVar.statuses": STAT_QUESTIONABLE 2, STAT_ORIGIN 4 (always 0,
 * the main A/D), STAT_TERMINAL 8 (front is 1), limit tests 16 to 128).
 */
export const READING_STATUS = {
  QUESTIONABLE: 2,
  FRONT_TERMINALS: 8,
} as const;

/**
 * Bits of the SOURSTATus element, as the manual gives them (§8
 * "bufferVar.sourcestatuses": STAT_OVER_TEMP 16, STAT_LIMIT 32 "source
 * function was limited because the complementary function would be over
 * the source limit", STAT_SENSE 64, STAT_OUTPUT 128).
 */
export const SOURCE_STATUS = {
  LIMITED: 32,
  REMOTE_SENSE: 64,
  OUTPUT_ON: 128,
} as const;

/**
 * A reading buffer: `capacity` readings, filled continuously (the default
 * buffers' fill mode, §6 ":TRACe:FILL:MODE": the oldest reading goes when
 * it is full). Indices in queries are 1-based from the oldest kept.
 */
export class ReadingBuffer {
  /** Readings, the kept ones from `#head` on (dropped ones are cut off in batches, so a push costs O(1)). */
  #readings: Reading2450[] = [];
  #head = 0;

  constructor(
    readonly name: string,
    public capacity: number,
  ) {}

  get length(): number {
    return this.#readings.length - this.#head;
  }

  /** The reading at 0-based `index` from the oldest kept. */
  at(index: number): Reading2450 | undefined {
    return index >= 0 && index < this.length ? this.#readings[this.#head + index] : undefined;
  }

  get last(): Reading2450 | undefined {
    return this.at(this.length - 1);
  }

  /** The kept readings' values, oldest first. */
  values(): number[] {
    return this.#readings.slice(this.#head).map((r) => r.value);
  }

  push(reading: Reading2450): void {
    this.#readings.push(reading);
    if (this.length > this.capacity) this.#head = this.#readings.length - this.capacity;
    if (this.#head > this.capacity) {
      this.#readings = this.#readings.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#readings = [];
    this.#head = 0;
  }
}

/** The buffer elements (§6 ":TRACe:DATA?", "bufferElements"), long/short form. */
const ELEMENT_KEYWORDS = [
  "READing",
  "SOURce",
  "RELative",
  "SEConds",
  "FRACtional",
  "TSTamp",
  "STATus",
  "UNIT",
  "DATE",
  "TIME",
  "SOURSTATus",
  "SOURUNIT",
] as const;
export type BufferElement = ShortForm<(typeof ELEMENT_KEYWORDS)[number]>;

/** How readings are placed on the calendar: the bench clock's 0 is this date (ms since the Unix epoch). */
export interface Calendar {
  readonly epochMs: number;
}

const UNIT: Readonly<Record<SenseFunction, string>> = { VOLT: "Volt DC", CURR: "Amp DC", RES: "Ohm" };

/** `MM/DD/YYYY` and `hh:mm:ss.sssssssss` of a bench time on the calendar (UTC). */
function calendarParts(calendar: Calendar, time: number): { date: string; clock: string } {
  const total = calendar.epochMs / 1000 + time;
  const seconds = Math.floor(total);
  const fraction = total - seconds;
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()}`,
    clock: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${fraction.toFixed(9).slice(2)}`,
  };
}

/** A number as the 2450 sends it: `1.000000E-03`, no sign when positive. */
export function nr3u(value: number): string {
  return nr3(value, 6, false);
}

/**
 * One reading's elements, comma-separated, in the order asked; `first` is
 * the time of the buffer's first reading (for RELative). With no elements,
 * READing alone (§6 ":READ?": "If you do not specify … the reading is returned").
 */
export function formatReading(
  reading: Reading2450,
  elements: readonly BufferElement[],
  first: number,
  calendar: Calendar,
): string {
  let text = "";
  for (const element of elements.length > 0 ? elements : (["READ"] as const)) {
    if (text !== "") text += ",";
    text += formatElement(reading, element, first, calendar);
  }
  return text;
}

function formatElement(r: Reading2450, element: BufferElement, first: number, calendar: Calendar): string {
  switch (element) {
    case "READ":
      return nr3u(r.value);
    case "SOUR":
      return nr3u(r.source);
    case "REL":
      return nr3u(r.time - first);
    case "SEC":
      return nr1(Math.floor(calendar.epochMs / 1000 + r.time));
    case "FRAC":
      return nr3u((calendar.epochMs / 1000 + r.time) % 1);
    case "TST": {
      const { date, clock } = calendarParts(calendar, r.time);
      return `${date} ${clock}`;
    }
    case "STAT":
      return nr1(r.status);
    case "UNIT":
      return UNIT[r.senseFunction];
    case "DATE":
      return calendarParts(calendar, r.time).date;
    case "TIME":
      return calendarParts(calendar, r.time).clock;
    case "SOURSTAT":
      return nr1(r.sourceStatus);
    case "SOURUNIT":
      return UNIT[r.sourceFunction];
  }
}

/**
 * `["<bufferName>"[, <element>…]]`: an optional quoted buffer name, then
 * elements; an element unknown (FORMatted, EXTRa… are not modelled) is
 * -224, a second name -104.
 */
export function bufferAndElements<Ctx>(): ParamSpec<{ buffer?: string; elements: BufferElement[] }, Ctx> {
  return {
    optional: true,
    rest: { min: 0, max: 1 + ELEMENT_KEYWORDS.length, tooMany: -108 },
    parse(tokens) {
      let rest = tokens;
      let buffer: string | undefined;
      if (tokens[0]?.kind === "string") {
        buffer = tokens[0].value;
        rest = tokens.slice(1);
      }
      const elements = rest.map((token) => {
        if (token.kind !== "chars") throw new ScpiError(-104);
        const found = ELEMENT_KEYWORDS.find((k) => keywordMatches(k, token.value));
        if (found === undefined) throw new ScpiError(-224);
        return shortOf(found);
      });
      return { ...(buffer !== undefined && { buffer }), elements };
    },
  };
}

/** A quoted buffer name, optional. */
export function bufferName<Ctx>(): ParamSpec<string | undefined, Ctx> {
  return {
    optional: true,
    parse([token]) {
      if (token?.kind !== "string") throw new ScpiError(-104);
      return token.value;
    },
  };
}
