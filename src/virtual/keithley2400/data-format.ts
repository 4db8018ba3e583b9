/**
 * The ASCII data string of :READ?, :FETCh?, :MEASure? and :TRACe:DATA?
 * (manual §18 "FORMat subsystem", Figure 18-1): for each reading, the
 * elements chosen by :FORMat:ELEMents in the fixed order V, I, R, TIME,
 * STATUS, each in exponent form, all separated by commas.
 */
import { nr3 } from "../scpi/format.js";
import type { Reading } from "./measure.js";
import { type DataElement, ELEMENTS } from "./settings.js";

const VALUE_OF: Readonly<Record<DataElement, (r: Reading) => number>> = {
  VOLT: (r) => r.voltage,
  CURR: (r) => r.current,
  RES: (r) => r.resistance,
  TIME: (r) => r.time,
  STAT: (r) => r.status,
};

/**
 * The getters of an element list, in the fixed order, by list: :FORMat:ELEMents
 * sets a new list, so a list is worked out once rather than for every reply.
 */
const GETTERS = new WeakMap<readonly DataElement[], ReadonlyArray<(r: Reading) => number>>();

function gettersOf(elements: readonly DataElement[]): ReadonlyArray<(r: Reading) => number> {
  let getters = GETTERS.get(elements);
  if (!getters) {
    getters = ELEMENTS.filter((e) => elements.includes(e)).map((e) => VALUE_OF[e]);
    GETTERS.set(elements, getters);
  }
  return getters;
}

export function formatReadings(readings: readonly Reading[], elements: readonly DataElement[]): string {
  const values = gettersOf(elements);
  // Built as one string rather than an array joined: a reply is formatted for every query.
  let text = "";
  for (const reading of readings) {
    for (const value of values) text = text === "" ? nr3(value(reading)) : `${text},${nr3(value(reading))}`;
  }
  return text;
}

/**
 * Buffer timestamps (manual §9 "Timestamp"): ABSolute is time since the
 * first stored reading; DELTa, time since the reading before.
 */
export function bufferTimes(readings: readonly Reading[], format: "ABS" | "DELT"): Reading[] {
  const first = readings[0]?.time ?? 0;
  return readings.map((r, i) => ({
    ...r,
    time: format === "ABS" ? r.time - first : r.time - (readings[i - 1]?.time ?? r.time),
  }));
}

/** :FORMat:SREGister: status register replies in decimal, #H, #Q or #B (manual §18 "Status register format"). */
export function formatRegister(value: number, format: "ASC" | "HEX" | "OCT" | "BIN"): string {
  switch (format) {
    case "ASC":
      return String(value);
    case "HEX":
      return `#H${value.toString(16).toUpperCase()}`;
    case "OCT":
      return `#Q${value.toString(8)}`;
    case "BIN":
      return `#B${value.toString(2)}`;
  }
}
