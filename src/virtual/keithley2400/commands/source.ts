/**
 * :SOURce and :OUTPut subsystems (manual §18, Table 18-7 "SOURce command
 * summary" and Table 18-4 "OUTPut command summary").
 */

import { isHighestRange, rangeFor, stepRange } from "../../ranges.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1, nr3 } from "../../scpi/format.js";
import { bool, choice, list, numeric } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2400Core } from "../core.js";
import { MAX_CURRENT, MAX_VOLTAGE } from "../ranges.js";
import {
  DEFAULT_CURRENT_RANGE,
  DEFAULT_VOLTAGE_RANGE,
  type Keithley2400Settings,
  rangesOf,
  type SourceFunction,
} from "../settings.js";

type Core = Keithley2400Core;
const command = commandsFor<Core>();

/** Long-form mnemonic, full scale, unit and *RST range of each source. */
const SOURCES: ReadonlyArray<{
  fn: SourceFunction;
  node: string;
  max: number;
  unit: string;
  defaultRange: number;
}> = [
  { fn: "VOLT", node: "VOLTage", max: MAX_VOLTAGE, unit: "V", defaultRange: DEFAULT_VOLTAGE_RANGE },
  { fn: "CURR", node: "CURRent", max: MAX_CURRENT, unit: "A", defaultRange: DEFAULT_CURRENT_RANGE },
];

/** Most list values one command may carry (manual §18 ":LIST:VOLTage", "up to 100"). */
const LIST_CHUNK = 100;
const MAX_LIST = 2500;
/**
 * Longest source delay, s: §18 ":SOURce:DELay" gives 0 to 999.9999; §11
 * ("Delay Action") allows 9999.999 from the front panel. The SCPI figure is used.
 */
const MAX_DELAY = 999.9999;

export function sourceCommands(): ReturnType<typeof command>[] {
  return [
    setting<Core, SourceFunction>("[:SOURce[1]]:FUNCtion[:MODE]", {
      // MEMory (source-memory sweeps) is not simulated: -224 rather than a silent no-op.
      param: choice(["VOLTage", "CURRent"]),
      get: (k) => k.settings.sourceFunction,
      set: (k, fn) => {
        k.settings.sourceFunction = fn;
        k.drive();
      },
      format: (fn) => fn,
    }),
    setting<Core, number>("[:SOURce[1]]:DELay", {
      param: numeric({ min: 0, max: MAX_DELAY, def: 0, unit: "S" }),
      get: (k) => k.settings.sourceDelay,
      set: (k, delay) => {
        k.settings.sourceDelay = delay;
        k.settings.sourceDelayAuto = false;
      },
      format: nr3,
    }),
    setting<Core, boolean>("[:SOURce[1]]:DELay:AUTO", {
      param: bool(),
      get: (k) => k.settings.sourceDelayAuto,
      set: (k, on) => {
        k.settings.sourceDelayAuto = on;
      },
      format: boolean,
    }),
    command("[:SOURce[1]]:CLEar[:IMMediate]", { set: { params: [], run: (k) => k.setOutput(false) } }),
    setting<Core, boolean>("[:SOURce[1]]:CLEar:AUTO", {
      param: bool(),
      get: (k) => k.settings.autoOutputOff,
      set: (k, on) => {
        k.settings.autoOutputOff = on;
      },
      format: boolean,
    }),
    setting<Core, "ALW" | "TCO">("[:SOURce[1]]:CLEar:AUTO:MODE", {
      param: choice(["ALWays", "TCOunt"]),
      get: (k) => k.settings.autoOutputOffMode,
      set: (k, mode) => {
        k.settings.autoOutputOffMode = mode;
      },
      format: (mode) => mode,
    }),
    ...SOURCES.flatMap(levelCommands),
    ...sweepCommands(),
    ...SOURCES.flatMap(listCommands),
    setting<Core, boolean>(":OUTPut[1][:STATe]", {
      param: bool(),
      get: (k) => k.settings.outputEnabled,
      set: (k, on) => k.setOutput(on),
      format: boolean,
    }),
    setting<Core, Keithley2400Settings["outputOffMode"]>(":OUTPut[1]:SMODe", {
      param: choice(["HIMPedance", "NORMal", "ZERO", "GUARd"]),
      get: (k) => k.settings.outputOffMode,
      set: (k, mode) => {
        k.settings.outputOffMode = mode;
      },
      format: (mode) => mode,
    }),
  ];
}

function levelCommands({ fn, node, max, unit, defaultRange }: (typeof SOURCES)[number]) {
  const ranges = rangesOf(fn);
  const src = (k: Core) => k.settings.source[fn];
  /** MIN and MAX levels are only valid on the highest fixed range (manual §18 "Set amplitude for fixed source"). */
  const extreme = (sign: number) => (k: Core) => {
    if (!src(k).rangeAuto && !isHighestRange(ranges, src(k).range)) throw new ScpiError(-221);
    return sign * max;
  };
  const level = () => numeric<Core>({ min: -max, max, def: 0, unit });
  return [
    setting<Core, number>(`[:SOURce[1]]:${node}[:LEVel][:IMMediate][:AMPLitude]`, {
      param: numeric({
        min: -max,
        max,
        def: 0,
        unit,
        keywords: { MINimum: extreme(-1), MAXimum: extreme(1) },
      }),
      get: (k) => src(k).level,
      set: (k, value) => {
        const source = src(k);
        // "If a manual source range is presently selected, then the specified amplitude cannot exceed
        // that range." The manual does not name the error; -222 is SCPI's for a value out of range.
        if (!source.rangeAuto && Math.abs(value) > source.range) throw new ScpiError(-222);
        source.level = value;
        if (source.rangeAuto) source.range = rangeFor(ranges, value);
        k.drive();
      },
      format: nr3,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:RANGe`, {
      param: numeric({
        min: -max,
        max,
        def: defaultRange,
        unit,
        keywords: {
          MINimum: ranges[0] ?? 0,
          MAXimum: max,
          UP: (k) => stepRange(ranges, src(k).range, "UP"),
          DOWN: (k) => stepRange(ranges, src(k).range, "DOWN"),
        },
      }),
      get: (k) => src(k).range,
      set: (k, value) => {
        const source = src(k);
        const range = rangeFor(ranges, value);
        // A range too small for the present level would change the output: refused, not clipped.
        if (Math.abs(source.level) > range) throw new ScpiError(-221);
        source.range = range;
        source.rangeAuto = false;
      },
      format: nr3,
    }),
    setting<Core, boolean>(`[:SOURce[1]]:${node}:RANGe:AUTO`, {
      param: bool(),
      get: (k) => src(k).rangeAuto,
      set: (k, on) => {
        const source = src(k);
        source.rangeAuto = on;
        if (on) source.range = rangeFor(ranges, source.level);
      },
      format: boolean,
    }),
    setting<Core, "FIX" | "SWE" | "LIST">(`[:SOURce[1]]:${node}:MODE`, {
      param: choice(["FIXed", "SWEep", "LIST"]),
      get: (k) => src(k).mode,
      set: (k, mode) => {
        src(k).mode = mode;
      },
      format: (mode) => mode,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:STARt`, {
      param: level(),
      get: (k) => src(k).start,
      set: (k, v) => {
        src(k).start = v;
      },
      format: nr3,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:STOP`, {
      param: level(),
      get: (k) => src(k).stop,
      set: (k, v) => {
        src(k).stop = v;
      },
      format: nr3,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:STEP`, {
      param: level(),
      get: (k) => {
        const { start, stop } = src(k);
        const points = k.settings.sweep.points;
        return points > 1 ? (stop - start) / (points - 1) : 0;
      },
      // Step and points are coupled: Points = (Stop − Start)/Step + 1 (manual §18 ":STEP").
      set: (k, step) => {
        const span = src(k).stop - src(k).start;
        if (step === 0 && span === 0) return;
        const intervals = span / step;
        if (!(intervals >= 1 - 1e-9) || intervals + 1 > 2500 + 1e-9) throw new ScpiError(-221);
        k.settings.sweep.points = Math.floor(intervals + 1e-9) + 1;
      },
      format: nr3,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:SPAN`, {
      param: numeric({ min: -2 * max, max: 2 * max, def: 0, unit }),
      get: (k) => src(k).stop - src(k).start,
      set: (k, span) => setEnds(src(k), (src(k).start + src(k).stop) / 2, span, max),
      format: nr3,
    }),
    setting<Core, number>(`[:SOURce[1]]:${node}:CENTer`, {
      param: level(),
      get: (k) => (src(k).start + src(k).stop) / 2,
      set: (k, center) => setEnds(src(k), center, src(k).stop - src(k).start, max),
      format: nr3,
    }),
  ];
}

/** CENTer and SPAN are another way to set start and stop (manual §18 "Configure voltage and current sweeps"). */
function setEnds(source: { start: number; stop: number }, center: number, span: number, max: number): void {
  const start = center - span / 2;
  const stop = center + span / 2;
  if (Math.abs(start) > max || Math.abs(stop) > max) throw new ScpiError(-222);
  source.start = start;
  source.stop = stop;
}

function sweepCommands() {
  const sweep = (k: Core) => k.settings.sweep;
  return [
    setting<Core, number>("[:SOURce[1]]:SWEep:POINts", {
      param: numeric({ min: 1, max: 2500, def: 2500, integer: true }),
      get: (k) => sweep(k).points,
      set: (k, points) => {
        sweep(k).points = points;
      },
      format: nr1,
    }),
    setting<Core, "LIN" | "LOG">("[:SOURce[1]]:SWEep:SPACing", {
      param: choice(["LINear", "LOGarithmic"]),
      get: (k) => sweep(k).spacing,
      set: (k, spacing) => {
        sweep(k).spacing = spacing;
      },
      format: (v) => v,
    }),
    setting<Core, "UP" | "DOWN">("[:SOURce[1]]:SWEep:DIRection", {
      param: choice(["UP", "DOWN"]),
      get: (k) => sweep(k).direction,
      set: (k, direction) => {
        sweep(k).direction = direction;
      },
      format: (v) => v,
    }),
    setting<Core, "BEST" | "AUTO" | "FIX">("[:SOURce[1]]:SWEep:RANGing", {
      param: choice(["BEST", "AUTO", "FIXed"]),
      get: (k) => sweep(k).ranging,
      set: (k, ranging) => {
        sweep(k).ranging = ranging;
      },
      format: (v) => v,
    }),
    setting<Core, "NEV" | "EARL" | "LATE">("[:SOURce[1]]:SWEep:CABort", {
      param: choice(["NEVer", "EARLy", "LATE"]),
      get: (k) => sweep(k).complianceAbort,
      set: (k, when) => {
        sweep(k).complianceAbort = when;
      },
      format: (v) => v,
    }),
  ];
}

function listCommands({ fn, node, max, unit }: (typeof SOURCES)[number]) {
  const values = list(numeric<Core>({ min: -max, max, unit }), { max: LIST_CHUNK, tooMany: -223 });
  return [
    command(`[:SOURce[1]]:LIST:${node}`, {
      set: {
        params: [values],
        run: (k, [levels]) => {
          k.settings.source[fn].list = levels;
        },
      },
      query: { run: (k) => k.settings.source[fn].list.map((v) => nr3(v)).join(",") },
    }),
    command(`[:SOURce[1]]:LIST:${node}:APPend`, {
      set: {
        params: [values],
        run: (k, [levels]) => {
          const present = k.settings.source[fn].list;
          if (present.length + levels.length > MAX_LIST) throw new ScpiError(-223);
          present.push(...levels);
        },
      },
    }),
    command(`[:SOURce[1]]:LIST:${node}:POINts`, {
      query: { run: (k) => nr1(k.settings.source[fn].list.length) },
    }),
  ];
}
