/**
 * Everything a 2450 user can set over SCPI that the virtual instrument
 * models, as plain data, and the values *RST gives them (2450 Reference
 * Manual §6, the "Default" line of each command's entry).
 */
import { CURRENT_RANGES, type SenseFunction, type SourceFunction, VOLTAGE_RANGES } from "./ranges.js";

export interface SourceSettings {
  /** :SOURce:<f>[:LEVel], V or A. */
  level: number;
  /** :SOURce:<f>:RANGe, nominal full scale. */
  range: number;
  rangeAuto: boolean;
  /**
   * The limit of the other quantity while this one is sourced:
   * :SOURce:VOLTage:ILIMit (A) for the V-source, :SOURce:CURRent:VLIMit (V)
   * for the I-source.
   */
  limit: number;
  /** :SOURce:<f>:READ:BACK: the SOURce element is the measured source value, not the programmed one. */
  readBack: boolean;
  /** :SOURce:<f>:DELay, s. */
  delay: number;
  delayAuto: boolean;
  /** :SOURce:LIST:<f> values. */
  list: number[];
}

export interface MeasureSettings {
  /** Nominal full scale; with autorange, the range last used. */
  range: number;
  rangeAuto: boolean;
  /** Integration time, power-line cycles (per function on the 2450). */
  nplc: number;
  /** :SENSe:<f>:RSENse: 4-wire (remote) sense. */
  remoteSense: boolean;
}

export interface Keithley2450Settings {
  outputEnabled: boolean;
  sourceFunction: SourceFunction;
  source: Record<SourceFunction, SourceSettings>;
  /** One measure function at a time (:SENSe:FUNCtion). */
  senseFunction: SenseFunction;
  sense: Record<SenseFunction, MeasureSettings>;
  /** :SENSe:COUNt, readings per :READ? or :MEASure?. */
  count: number;
  terminals: "FRON" | "REAR";
  beeperEnabled: boolean;
  /** Power-line frequency, Hz: detected by the instrument, read-only (:SYSTem:LFRequency?). */
  lineFrequency: 50 | 60;
}

/** *RST limits: 105 µA for the V-source, 21 V for the I-source (2450 manual §6 ":ILIMit", ":VLIMit"). */
export const DEFAULT_LIMIT: Readonly<Record<SourceFunction, number>> = { VOLT: 1.05e-4, CURR: 21 };

function source(fn: SourceFunction): SourceSettings {
  return {
    level: 0,
    range: fn === "VOLT" ? (VOLTAGE_RANGES[0] as number) : (CURRENT_RANGES[0] as number),
    rangeAuto: true,
    limit: DEFAULT_LIMIT[fn],
    readBack: true,
    delay: 0,
    delayAuto: true,
    list: [],
  };
}

function sense(range: number): MeasureSettings {
  return { range, rangeAuto: true, nplc: 1, remoteSense: false };
}

/** The *RST state: source V at 0 V, measure current, autorange, 1 PLC, output off. */
export function resetSettings(lineFrequency: 50 | 60 = 60): Keithley2450Settings {
  return {
    outputEnabled: false,
    sourceFunction: "VOLT",
    source: { VOLT: source("VOLT"), CURR: source("CURR") },
    senseFunction: "CURR",
    sense: { VOLT: sense(20), CURR: sense(1e-4), RES: sense(2e5) },
    count: 1,
    terminals: "FRON",
    beeperEnabled: true,
    lineFrequency,
  };
}
