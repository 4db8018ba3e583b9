/**
 * Source-measure readings as the instrument sends them (`:READ?` after
 * `:FORM:ELEM VOLT,CURR,...`: the selected elements of each point, comma
 * separated, point after point) and as the rest of the code wants them:
 * one reading, or columns of Float64Array.
 */
import { parseMeasurement } from "../scpi/values.js";
import type { ReadoutElement, SourceMeterReading, SweepColumns } from "./kinds.js";

export const READOUT_ELEMENTS: readonly ReadoutElement[] = [
  "voltage",
  "current",
  "resistance",
  "time",
  "status",
];

/** SCPI mnemonic of each element (2400 manual, `:FORMat:ELEMents`). */
export const ELEMENT_MNEMONICS: Readonly<Record<ReadoutElement, string>> = {
  voltage: "VOLT",
  current: "CURR",
  resistance: "RES",
  time: "TIME",
  status: "STAT",
};

/** Columns of `points` NaNs. */
export function emptyColumns(points: number): SweepColumns {
  const column = () => new Float64Array(points).fill(Number.NaN);
  return { voltage: column(), current: column(), resistance: column(), time: column(), status: column() };
}

/**
 * Parses `points` readings of `elements` each; undefined if the field count
 * is wrong or a field is not a number. 9.91E37 (not measured) becomes NaN.
 */
export function parseReadings(
  reply: string,
  elements: readonly ReadoutElement[],
  points: number,
): SweepColumns | undefined {
  const fields = reply.split(",");
  if (elements.length === 0 || fields.length !== elements.length * points) return undefined;
  const columns = emptyColumns(points);
  for (let point = 0; point < points; point += 1) {
    for (const [index, element] of elements.entries()) {
      const value = parseMeasurement(fields[point * elements.length + index] ?? "");
      if (value === undefined) return undefined;
      columns[element][point] = value;
    }
  }
  return columns;
}

/** The reading at `point`. */
export function readingAt(columns: SweepColumns, point: number): SourceMeterReading {
  const at = (column: Float64Array) => column[point] ?? Number.NaN;
  return {
    voltage: at(columns.voltage),
    current: at(columns.current),
    resistance: at(columns.resistance),
    time: at(columns.time),
    status: at(columns.status),
  };
}

/** Joins chunks of columns end to end. */
export function concatColumns(parts: readonly SweepColumns[]): SweepColumns {
  const total = parts.reduce((sum, part) => sum + part.voltage.length, 0);
  const joined = emptyColumns(total);
  let offset = 0;
  for (const part of parts) {
    for (const element of READOUT_ELEMENTS) joined[element].set(part[element], offset);
    offset += part.voltage.length;
  }
  return joined;
}

/** Collects readings into columns. */
export function columnsOf(readings: readonly SourceMeterReading[]): SweepColumns {
  const columns = emptyColumns(readings.length);
  for (const [point, reading] of readings.entries()) {
    for (const element of READOUT_ELEMENTS) columns[element][point] = reading[element];
  }
  return columns;
}

/** Encodes an element list for `:FORM:ELEM`; RangeError for an empty list, repeats or unknown names. */
export function encodeElements(elements: readonly ReadoutElement[]): string {
  if (elements.length === 0) throw new RangeError("at least one readout element is needed");
  if (new Set(elements).size !== elements.length)
    throw new RangeError(`repeated readout element in ${elements.join(",")}`);
  return elements
    .map((element) => {
      const mnemonic = ELEMENT_MNEMONICS[element];
      if (mnemonic === undefined) {
        throw new RangeError(`${JSON.stringify(element)} is not one of ${READOUT_ELEMENTS.join(", ")}`);
      }
      return mnemonic;
    })
    .join(",");
}

/** Decodes a `:FORM:ELEM?` reply (short or long mnemonics); undefined if a name is unknown. */
export function decodeElements(reply: string): ReadoutElement[] | undefined {
  const elements: ReadoutElement[] = [];
  for (const token of reply.split(",")) {
    const name = token.trim().replace(/^"|"$/g, "").toUpperCase();
    const element = READOUT_ELEMENTS.find((candidate) => name.startsWith(ELEMENT_MNEMONICS[candidate]));
    if (!element) return undefined;
    elements.push(element);
  }
  return elements;
}
