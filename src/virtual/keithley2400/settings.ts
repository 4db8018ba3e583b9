/**
 * Everything a 2400 user can set, as plain data, and the values *RST gives
 * them (manual §18 command summary tables 18-2 … 18-10, "Default parameter"
 * column; §11 "Bench defaults" for the trigger model).
 */
import { CURRENT_RANGES, RESISTANCE_RANGES, VOLTAGE_RANGES } from "./ranges.js";

export type SourceFunction = "VOLT" | "CURR";
export type SenseFunction = "VOLT" | "CURR" | "RES";
/** :FORMat:ELEMents items, always sent in this order (manual §18 "Data elements", Figure 18-1). */
export const ELEMENTS = ["VOLT", "CURR", "RES", "TIME", "STAT"] as const;
export type DataElement = (typeof ELEMENTS)[number];

export interface SourceSettings {
  /** Fixed-mode level, V or A. */
  level: number;
  /** Full-scale source range, V or A. */
  range: number;
  rangeAuto: boolean;
  mode: "FIX" | "SWE" | "LIST";
  /** Sweep start and stop, V or A. */
  start: number;
  stop: number;
  /** List-mode levels, V or A (1 to 2500 points, added 100 at a time). */
  list: number[];
}

export interface MeasureSettings {
  /** Full-scale measure range (V, A or Ω); with autorange, the range last used. */
  range: number;
  rangeAuto: boolean;
}

export interface Keithley2400Settings {
  outputEnabled: boolean;
  /** :OUTPut:SMODe, the state the output goes to when turned off. */
  outputOffMode: "HIMP" | "NORM" | "ZERO" | "GUAR";
  sourceFunction: SourceFunction;
  source: Record<SourceFunction, SourceSettings>;
  sweep: {
    /** Source-measure points of a sweep (2 to 2500 in Table 18-7; 1 accepted per :POINts). */
    points: number;
    spacing: "LIN" | "LOG";
    direction: "UP" | "DOWN";
    ranging: "BEST" | "AUTO" | "FIX";
    complianceAbort: "NEV" | "EARL" | "LATE";
  };
  /** :SOURce:DELay, s. */
  sourceDelay: number;
  sourceDelayAuto: boolean;
  /** :SOURce:CLEar:AUTO, output on only during each source-measure cycle. */
  autoOutputOff: boolean;
  autoOutputOffMode: "ALW" | "TCO";
  concurrent: boolean;
  senseOn: Record<SenseFunction, boolean>;
  sense: Record<SenseFunction, MeasureSettings>;
  /**
   * Compliance, keyed by the limited quantity (:SENSe:<fn>:PROTection):
   * CURR is the current limit of the V-source, A; VOLT the voltage limit of
   * the I-source, V. Stored as set (the sign is ignored when applied).
   */
  compliance: Record<SourceFunction, number>;
  /** :PROTection:RSYNchronize: a fixed measure range follows the compliance. */
  complianceRangeSync: boolean;
  resistanceMode: "MAN" | "AUTO";
  offsetCompensated: boolean;
  /** Integration time in power-line cycles, shared by all functions. */
  nplc: number;
  filter: { enabled: boolean; type: "REP" | "MOV"; count: number };
  elements: readonly DataElement[];
  statusRegisterFormat: "ASC" | "HEX" | "OCT" | "BIN";
  byteOrder: "NORM" | "SWAP";
  trigger: { count: number; delay: number; source: "IMM" | "TLIN"; link: TriggerLink };
  /** Arm count may be Infinity (:ARM:COUNt INFinite). */
  arm: {
    count: number;
    source: "IMM" | "TLIN" | "TIM" | "MAN" | "BUS" | "NST" | "PST" | "BST";
    /** :ARM:TIMer interval, s. */
    timer: number;
    link: TriggerLink;
  };
  beeperEnabled: boolean;
  remoteSense: boolean;
  autoZero: "ON" | "OFF" | "ONCE";
  lineFrequency: 50 | 60;
  terminals: "FRON" | "REAR";
  displayEnabled: boolean;
  displayDigits: number;
  displayText: Record<number, { text: string; enabled: boolean }>;
  trace: {
    points: number;
    feed: "SENS" | "CALC1" | "CALC2";
    control: "NEXT" | "NEV";
    timestampFormat: "ABS" | "DELT";
  };
  statisticsFormat: "MEAN" | "SDEV" | "MAX" | "MIN" | "PKPK";
}

/**
 * Trigger Link configuration of a trigger-model layer (lines 1–4 and which
 * events pulse the output line). Kept and read back; the virtual bench has
 * no Trigger Link cable, so it has no other effect.
 */
export interface TriggerLink {
  inputLine: number;
  outputLine: number;
  outputEvents: string[];
}

export const DEFAULT_VOLTAGE_RANGE = 21;
export const DEFAULT_CURRENT_RANGE = 1.05e-4;
export const DEFAULT_RESISTANCE_RANGE = 2.1e5;
/** *RST compliance: 105 µA for the V-source, 21 V for the I-source. */
export const DEFAULT_COMPLIANCE: Readonly<Record<SourceFunction, number>> = { CURR: 1.05e-4, VOLT: 21 };

function source(range: number): SourceSettings {
  return { level: 0, range, rangeAuto: true, mode: "FIX", start: 0, stop: 0, list: [0] };
}

/** The *RST state (manual §16 "*RST" and the default columns of §18). */
export function resetSettings(): Keithley2400Settings {
  return {
    outputEnabled: false,
    outputOffMode: "NORM",
    sourceFunction: "VOLT",
    source: { VOLT: source(DEFAULT_VOLTAGE_RANGE), CURR: source(DEFAULT_CURRENT_RANGE) },
    sweep: { points: 2500, spacing: "LIN", direction: "UP", ranging: "BEST", complianceAbort: "NEV" },
    sourceDelay: 0,
    sourceDelayAuto: true,
    autoOutputOff: false,
    autoOutputOffMode: "ALW",
    concurrent: true,
    senseOn: { VOLT: false, CURR: true, RES: false },
    sense: {
      VOLT: { range: DEFAULT_VOLTAGE_RANGE, rangeAuto: true },
      CURR: { range: DEFAULT_CURRENT_RANGE, rangeAuto: true },
      RES: { range: DEFAULT_RESISTANCE_RANGE, rangeAuto: true },
    },
    compliance: { ...DEFAULT_COMPLIANCE },
    complianceRangeSync: false,
    resistanceMode: "AUTO",
    offsetCompensated: false,
    nplc: 1,
    filter: { enabled: false, type: "REP", count: 10 },
    elements: [...ELEMENTS],
    statusRegisterFormat: "ASC",
    byteOrder: "NORM",
    trigger: {
      count: 1,
      delay: 0,
      source: "IMM",
      link: { inputLine: 1, outputLine: 2, outputEvents: ["NONE"] },
    },
    arm: {
      count: 1,
      source: "IMM",
      timer: 0.1,
      link: { inputLine: 1, outputLine: 2, outputEvents: ["NONE"] },
    },
    beeperEnabled: true,
    remoteSense: false,
    autoZero: "ON",
    lineFrequency: 60,
    terminals: "FRON",
    displayEnabled: true,
    displayDigits: 7,
    displayText: { 1: { text: "", enabled: false }, 2: { text: "", enabled: false } },
    trace: { points: 2500, feed: "SENS", control: "NEV", timestampFormat: "ABS" },
    statisticsFormat: "MEAN",
  };
}

/** The ranges of a source or sense function. */
export function rangesOf(fn: SenseFunction): readonly number[] {
  return fn === "VOLT" ? VOLTAGE_RANGES : fn === "CURR" ? CURRENT_RANGES : RESISTANCE_RANGES;
}
