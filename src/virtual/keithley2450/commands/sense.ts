/**
 * :SENSe (2450 Reference Manual §6 "SENSe1 subsystem"): one measure
 * function at a time, named by a quoted string; per function its range,
 * autorange, integration time, 4-wire sense and filter; the count.
 */

import { stepRange } from "../../ranges.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1, quoted } from "../../scpi/format.js";
import { bool, choice, numeric, type ParamSpec, text } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2450Core } from "../core.js";
import {
  MAX_CURRENT,
  MAX_RESISTANCE,
  MAX_VOLTAGE,
  rangeFor2450,
  rangesOf,
  type SenseFunction,
} from "../ranges.js";
import { nr3u } from "../reading.js";

type Core = Keithley2450Core;
const command = commandsFor<Core>();

/** How the quoted names read, and how :SENSe:FUNCtion? answers (§6 ":SENSe[1]:FUNCtion[:ON]"). */
const FUNCTION_NAMES: Readonly<Record<SenseFunction, { pattern: RegExp; reply: string }>> = {
  VOLT: { pattern: /^VOLT(AGE)?(:DC)?$/, reply: "VOLT:DC" },
  CURR: { pattern: /^CURR(ENT)?(:DC)?$/, reply: "CURR:DC" },
  RES: { pattern: /^RES(ISTANCE)?$/, reply: "RES" },
};

const functionName: ParamSpec<SenseFunction, Core> = {
  optional: false,
  parse(tokens, k) {
    const name = text<Core>().parse(tokens, k).trim().toUpperCase();
    const fn = (["VOLT", "CURR", "RES"] as const).find((f) => FUNCTION_NAMES[f].pattern.test(name));
    if (fn === undefined) throw new ScpiError(-224);
    return fn;
  },
};

const FUNCTIONS: ReadonlyArray<{ fn: SenseFunction; node: string; max: number; unit: string }> = [
  { fn: "VOLT", node: "VOLTage[:DC]", max: MAX_VOLTAGE, unit: "V" },
  { fn: "CURR", node: "CURRent[:DC]", max: MAX_CURRENT, unit: "A" },
  { fn: "RES", node: "RESistance", max: MAX_RESISTANCE, unit: "OHM" },
];

export function senseCommands(): ReturnType<typeof command>[] {
  return [
    setting<Core, SenseFunction>("[:SENSe[1]]:FUNCtion[:ON]", {
      param: functionName,
      get: (k) => k.settings.senseFunction,
      set: (k, fn) => {
        k.settings.senseFunction = fn;
      },
      format: (fn) => quoted(FUNCTION_NAMES[fn].reply),
    }),
    setting<Core, number>("[:SENSe[1]]:COUNt", {
      param: numeric({ min: 1, max: 300_000, def: 1, integer: true }),
      get: (k) => k.settings.count,
      set: (k, n) => {
        k.settings.count = n;
      },
      format: nr1,
    }),
    ...FUNCTIONS.flatMap(functionCommands),
  ];
}

function functionCommands({ fn, node, max, unit }: (typeof FUNCTIONS)[number]) {
  const ranges = rangesOf(fn);
  const sense = (k: Core) => k.settings.sense[fn];
  const root = `[:SENSe[1]]:${node}`;
  const kept = (name: string, def: string) => (k: Core) => k.kept.get(`${fn}:${name}`) ?? def;
  return [
    setting<Core, number>(`${root}:RANGe[:UPPer]`, {
      param: numeric({
        min: fn === "RES" ? 0 : -max,
        max,
        def: ranges[0] as number,
        unit,
        keywords: {
          MINimum: ranges[0] as number,
          MAXimum: max,
          UP: (k) => stepRange(ranges, sense(k).range, "UP"),
          DOWN: (k) => stepRange(ranges, sense(k).range, "DOWN"),
        },
      }),
      get: (k) => sense(k).range,
      set: (k, value) => {
        sense(k).range = rangeFor2450(fn, value);
        sense(k).rangeAuto = false;
      },
      format: nr3u,
    }),
    setting<Core, boolean>(`${root}:RANGe:AUTO`, {
      param: bool(),
      get: (k) => sense(k).rangeAuto,
      set: (k, on) => {
        sense(k).rangeAuto = on;
      },
      format: boolean,
    }),
    // 0.01 to 10 PLC (§6 ":SENSe[1]:<function>:NPLCycles").
    setting<Core, number>(`${root}:NPLCycles`, {
      param: numeric({ min: 0.01, max: 10, def: 1 }),
      get: (k) => sense(k).nplc,
      set: (k, nplc) => {
        sense(k).nplc = nplc;
      },
      format: nr3u,
    }),
    setting<Core, boolean>(`${root}:RSENse`, {
      param: bool(),
      get: (k) => sense(k).remoteSense,
      set: (k, on) => {
        sense(k).remoteSense = on;
      },
      format: boolean,
    }),
    // The averaging filter is kept and read back; readings are not averaged (its noise reduction is not modelled).
    setting<Core, boolean>(`${root}:AVERage[:STATe]`, {
      param: bool(),
      get: (k) => kept("AVER", "0")(k) === "1",
      set: (k, on) => {
        k.kept.set(`${fn}:AVER`, on ? "1" : "0");
      },
      format: boolean,
    }),
    setting<Core, string>(`${root}:AVERage:TCONtrol`, {
      param: choice(["REPeat", "MOVing"]),
      get: kept("TCON", "REP"),
      set: (k, type) => {
        k.kept.set(`${fn}:TCON`, type);
      },
      format: (v) => v,
    }),
    setting<Core, number>(`${root}:AVERage:COUNt`, {
      param: numeric({ min: 1, max: 100, def: 10, integer: true }),
      get: (k) => Number(kept("AVERCOUNT", "10")(k)),
      set: (k, n) => {
        k.kept.set(`${fn}:AVERCOUNT`, String(n));
      },
      format: nr1,
    }),
  ];
}
