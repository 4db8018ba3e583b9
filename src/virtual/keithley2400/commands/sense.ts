/**
 * :SENSe subsystem (manual §18, Table 18-6 "SENSe command summary"):
 * measurement functions, ranges, integration time, compliance, filter.
 */

import { rangeFor, stepRange } from "../../ranges.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1, nr3, quoted } from "../../scpi/format.js";
import { bool, choice, list, numeric, type ParamSpec, text } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2400Core } from "../core.js";
import { formatReadings } from "../data-format.js";
import { MAX_CURRENT, MAX_RESISTANCE, MAX_VOLTAGE } from "../ranges.js";
import {
  DEFAULT_COMPLIANCE,
  DEFAULT_CURRENT_RANGE,
  DEFAULT_RESISTANCE_RANGE,
  DEFAULT_VOLTAGE_RANGE,
  rangesOf,
  type SenseFunction,
  type SourceFunction,
} from "../settings.js";

type Core = Keithley2400Core;
const command = commandsFor<Core>();

/** Function names inside the quoted :SENSe:FUNCtion lists, and how queries name them. */
const FUNCTION_NAMES: Readonly<Record<SenseFunction, { pattern: RegExp; reply: string }>> = {
  VOLT: { pattern: /^VOLT(AGE)?(:DC)?$/, reply: "VOLT:DC" },
  CURR: { pattern: /^CURR(ENT)?(:DC)?$/, reply: "CURR:DC" },
  RES: { pattern: /^RES(ISTANCE)?$/, reply: "RES" },
};
const ORDER: readonly SenseFunction[] = ["VOLT", "CURR", "RES"];

/** A quoted function name ("VOLTage[:DC]", "CURRent[:DC]", "RESistance"); -224 for any other. */
const functionName: ParamSpec<SenseFunction, Core> = {
  optional: false,
  parse(tokens, k) {
    const name = text<Core>().parse(tokens, k).trim().toUpperCase();
    const fn = ORDER.find((f) => FUNCTION_NAMES[f].pattern.test(name));
    if (fn === undefined) throw new ScpiError(-224);
    return fn;
  },
};

const replyFunctions = (fns: readonly SenseFunction[]) =>
  fns.map((f) => quoted(FUNCTION_NAMES[f].reply)).join(",");
const enabled = (k: Core) => ORDER.filter((f) => k.settings.senseOn[f]);

/** Measure range, full scale, unit and *RST default of each function. */
const FUNCTIONS: ReadonlyArray<{
  fn: SenseFunction;
  node: string;
  min: number;
  max: number;
  unit: string;
  def: number;
}> = [
  {
    fn: "VOLT",
    node: "VOLTage[:DC]",
    min: -MAX_VOLTAGE,
    max: MAX_VOLTAGE,
    unit: "V",
    def: DEFAULT_VOLTAGE_RANGE,
  },
  {
    fn: "CURR",
    node: "CURRent[:DC]",
    min: -MAX_CURRENT,
    max: MAX_CURRENT,
    unit: "A",
    def: DEFAULT_CURRENT_RANGE,
  },
  { fn: "RES", node: "RESistance", min: 0, max: MAX_RESISTANCE, unit: "OHM", def: DEFAULT_RESISTANCE_RANGE },
];

/** "You cannot set compliance less than 0.1% of the present measurement range" (manual §18 :PROTection). */
const MIN_COMPLIANCE_FRACTION = 0.001;

export function senseCommands(): ReturnType<typeof command>[] {
  return [
    ...functionCommands(),
    ...FUNCTIONS.flatMap(rangeCommands),
    ...complianceCommands(),
    ...filterCommands(),
  ];
}

function functionCommands() {
  return [
    setting<Core, boolean>("[:SENSe[1]]:FUNCtion:CONCurrent", {
      param: bool(),
      get: (k) => k.settings.concurrent,
      // Which function stays on when concurrency is turned off is not documented: the first in V, I, R order.
      set: (k, on) => {
        k.settings.concurrent = on;
        const first = enabled(k)[0];
        if (!on && first !== undefined) setOnly(k, [first]);
      },
      format: boolean,
    }),
    command("[:SENSe[1]]:FUNCtion[:ON]", {
      set: {
        params: [list(functionName, { max: 3 })],
        run: (k, [fns]) => {
          if (k.settings.concurrent) {
            for (const f of fns) k.settings.senseOn[f] = true;
          } else {
            // Without concurrency one function is on at a time (manual §18 :CONCurrent).
            if (fns.length > 1) throw new ScpiError(-221);
            setOnly(k, fns);
          }
        },
      },
      query: { run: (k) => replyFunctions(enabled(k)) },
    }),
    command("[:SENSe[1]]:FUNCtion[:ON]:ALL", {
      set: {
        params: [],
        run: (k) => {
          if (!k.settings.concurrent) throw new ScpiError(-221);
          setOnly(k, ORDER);
        },
      },
    }),
    command("[:SENSe[1]]:FUNCtion[:ON]:COUNt", { query: { run: (k) => nr1(enabled(k).length) } }),
    command("[:SENSe[1]]:FUNCtion:OFF", {
      set: {
        params: [list(functionName, { max: 3 })],
        run: (k, [fns]) => {
          for (const f of fns) k.settings.senseOn[f] = false;
        },
      },
      query: { run: (k) => replyFunctions(ORDER.filter((f) => !k.settings.senseOn[f])) },
    }),
    command("[:SENSe[1]]:FUNCtion:OFF:ALL", { set: { params: [], run: (k) => setOnly(k, []) } }),
    command("[:SENSe[1]]:FUNCtion:OFF:COUNt", {
      query: { run: (k) => nr1(ORDER.length - enabled(k).length) },
    }),
    command("[:SENSe[1]]:FUNCtion:STATe", {
      query: { params: [functionName], run: (k, [fn]) => boolean(k.settings.senseOn[fn]) },
    }),
    setting<Core, "MAN" | "AUTO">("[:SENSe[1]]:RESistance:MODE", {
      param: choice(["MANual", "AUTO"]),
      get: (k) => k.settings.resistanceMode,
      set: (k, mode) => {
        k.settings.resistanceMode = mode;
      },
      format: (mode) => mode,
    }),
    setting<Core, boolean>("[:SENSe[1]]:RESistance:OCOMpensated", {
      param: bool(),
      get: (k) => k.settings.offsetCompensated,
      set: (k, on) => {
        k.settings.offsetCompensated = on;
      },
      format: boolean,
    }),
    command("[:SENSe[1]]:DATA[:LATest]", {
      query: {
        run(k) {
          const latest = k.readings[k.readings.length - 1];
          if (latest === undefined) throw new ScpiError(-230);
          return formatReadings([latest], k.settings.elements);
        },
      },
    }),
  ];
}

function setOnly(k: Core, fns: readonly SenseFunction[]): void {
  for (const f of ORDER) k.settings.senseOn[f] = fns.includes(f);
}

function rangeCommands({ fn, node, min, max, unit, def }: (typeof FUNCTIONS)[number]) {
  const ranges = rangesOf(fn);
  const sense = (k: Core) => k.settings.sense[fn];
  return [
    setting<Core, number>(`[:SENSe[1]]:${node}:RANGe[:UPPer]`, {
      param: numeric({
        min,
        max,
        def,
        unit,
        keywords: {
          MINimum: ranges[0] ?? 0,
          MAXimum: max,
          UP: (k) => stepRange(ranges, sense(k).range, "UP"),
          DOWN: (k) => stepRange(ranges, sense(k).range, "DOWN"),
        },
      }),
      get: (k) => sense(k).range,
      set: (k, value) => {
        const range = rangeFor(ranges, value);
        if (fn !== "RES" && Math.abs(k.settings.compliance[fn]) < MIN_COMPLIANCE_FRACTION * range) {
          throw new ScpiError(-221);
        }
        sense(k).range = range;
        sense(k).rangeAuto = false;
        k.drive(); // a fixed measure range below the compliance limits the output
      },
      format: nr3,
    }),
    setting<Core, boolean>(`[:SENSe[1]]:${node}:RANGe:AUTO`, {
      param: bool(),
      get: (k) => sense(k).rangeAuto,
      set: (k, on) => {
        sense(k).rangeAuto = on;
        k.drive();
      },
      format: boolean,
    }),
    // The integration time is one setting for all functions (manual §7 "Speed").
    setting<Core, number>(`[:SENSe[1]]:${node}:NPLCycles`, {
      param: numeric({ min: 0.01, max: 10, def: 1 }),
      get: (k) => k.settings.nplc,
      set: (k, nplc) => {
        k.settings.nplc = nplc;
      },
      format: nr3,
    }),
  ];
}

function complianceCommands() {
  const limited: ReadonlyArray<{ fn: SourceFunction; node: string; max: number; unit: string }> = [
    { fn: "CURR", node: "CURRent[:DC]", max: MAX_CURRENT, unit: "A" },
    { fn: "VOLT", node: "VOLTage[:DC]", max: MAX_VOLTAGE, unit: "V" },
  ];
  return limited.flatMap(({ fn, node, max, unit }) => [
    setting<Core, number>(`[:SENSe[1]]:${node}:PROTection[:LEVel]`, {
      param: numeric({ min: -max, max, def: DEFAULT_COMPLIANCE[fn], unit }),
      get: (k) => k.settings.compliance[fn],
      set: (k, limit) => {
        const sense = k.settings.sense[fn];
        if (Math.abs(limit) < MIN_COMPLIANCE_FRACTION * sense.range) throw new ScpiError(-221);
        k.settings.compliance[fn] = limit;
        // Range synchronisation: the fixed measure range follows the compliance (manual §18 :RSYNchronize).
        if (k.settings.complianceRangeSync && !sense.rangeAuto) sense.range = rangeFor(rangesOf(fn), limit);
        k.drive();
      },
      format: nr3,
    }),
    command(`[:SENSe[1]]:${node}:PROTection:TRIPped`, {
      query: { run: (k) => boolean(k.complianceTripped && k.settings.sourceFunction !== fn) },
    }),
    // One setting behind both headers ("changing the state of one will automatically change the other").
    setting<Core, boolean>(`[:SENSe[1]]:${node}:PROTection:RSYNchronize`, {
      param: bool(),
      get: (k) => k.settings.complianceRangeSync,
      set: (k, on) => {
        k.settings.complianceRangeSync = on;
      },
      format: boolean,
    }),
  ]);
}

function filterCommands() {
  const filter = (k: Core) => k.settings.filter;
  return [
    setting<Core, boolean>("[:SENSe[1]]:AVERage[:STATe]", {
      param: bool(),
      get: (k) => filter(k).enabled,
      set: (k, on) => {
        filter(k).enabled = on;
      },
      format: boolean,
    }),
    setting<Core, "REP" | "MOV">("[:SENSe[1]]:AVERage:TCONtrol", {
      param: choice(["REPeat", "MOVing"]),
      get: (k) => filter(k).type,
      set: (k, type) => {
        filter(k).type = type;
      },
      format: (type) => type,
    }),
    setting<Core, number>("[:SENSe[1]]:AVERage:COUNt", {
      param: numeric({ min: 1, max: 100, def: 10, integer: true }),
      get: (k) => filter(k).count,
      set: (k, count) => {
        filter(k).count = count;
      },
      format: nr1,
    }),
  ];
}
