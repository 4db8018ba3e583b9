/**
 * :SOURce and :OUTPut (2450 Reference Manual §6 "SOURce subsystem",
 * "OUTPut subsystem"): the source function, its level, range, limit
 * (compliance), read-back and delay, source lists and the sweeps built
 * from them.
 */

import { stepRange } from "../../ranges.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1 } from "../../scpi/format.js";
import { bool, choice, list, numeric, type ParamSpec } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2450Core, SweepModel } from "../core.js";
import {
  MAX_CURRENT,
  MAX_VOLTAGE,
  OVERRANGE,
  rangeFor2450,
  rangesOf,
  type SourceFunction,
} from "../ranges.js";
import { bufferName, nr3u } from "../reading.js";

type Core = Keithley2450Core;
const command = commandsFor<Core>();

const SOURCES: ReadonlyArray<{
  fn: SourceFunction;
  node: string;
  max: number;
  unit: string;
  /** The limit of the other quantity: its node, bound and unit. */
  limit: { node: string; max: number; min: number; unit: string };
}> = [
  // Limits: 1 nA to 1.05 A (§6 ":SOURce[1]:VOLTage:ILIMit[:LEVel]"), 0.02 V to 210 V (":VLIMit").
  {
    fn: "VOLT",
    node: "VOLTage",
    max: MAX_VOLTAGE,
    unit: "V",
    limit: { node: "ILIMit", min: 1e-9, max: MAX_CURRENT, unit: "A" },
  },
  {
    fn: "CURR",
    node: "CURRent",
    max: MAX_CURRENT,
    unit: "A",
    limit: { node: "VLIMit", min: 0.02, max: MAX_VOLTAGE, unit: "V" },
  },
];

/** Longest source delay, s (§6 ":SOURce[1]:<function>:DELay": 0 to 10 ks). */
const MAX_DELAY = 1e4;
/** Values one list command may carry, and a list's length (§6 ":SOURce[1]:LIST:<function>": "up to 100"; 2500 points). */
const LIST_CHUNK = 100;
const MAX_LIST = 2500;

export function sourceCommands(): ReturnType<typeof command>[] {
  return [
    setting<Core, SourceFunction>(":SOURce[1]:FUNCtion[:MODE]", {
      param: choice(["VOLTage", "CURRent"]),
      get: (k) => k.settings.sourceFunction,
      set: (k, fn) => {
        k.settings.sourceFunction = fn;
        k.drive();
      },
      format: (fn) => fn,
    }),
    ...SOURCES.flatMap(levelCommands),
    ...SOURCES.flatMap(listCommands),
    setting<Core, boolean>(":OUTPut[1][:STATe]", {
      param: bool(),
      get: (k) => k.settings.outputEnabled,
      set: (k, on) => k.setOutput(on),
      format: boolean,
    }),
    ...SOURCES.map(({ node }) =>
      setting<Core, string>(`:OUTPut[1]:${node}:SMODe`, {
        param: choice(["HIMPedance", "NORMal", "ZERO", "GUARd"]),
        get: (k) => k.kept.get(`SMOD:${node}`) ?? "NORM",
        set: (k, mode) => {
          k.kept.set(`SMOD:${node}`, mode);
        },
        format: (mode) => mode,
      }),
    ),
  ];
}

function levelCommands({ fn, node, max, unit, limit }: (typeof SOURCES)[number]) {
  const src = (k: Core) => k.settings.source[fn];
  const ranges = rangesOf(fn);
  const root = `:SOURce[1]:${node}`;
  return [
    setting<Core, number>(`${root}[:LEVel][:IMMediate][:AMPLitude]`, {
      param: numeric({ min: -max, max, def: 0, unit }),
      get: (k) => src(k).level,
      set: (k, value) => {
        const source = src(k);
        // A fixed range caps the level at 105 % of the range; beyond is refused, not clipped.
        if (!source.rangeAuto && Math.abs(value) > source.range * OVERRANGE) throw new ScpiError(-222);
        source.level = value;
        if (source.rangeAuto) source.range = rangeFor2450(fn, value);
        if (k.settings.sourceFunction === fn) k.drive();
      },
      format: nr3u,
    }),
    setting<Core, number>(`${root}:RANGe`, {
      param: numeric({
        min: -max,
        max,
        def: ranges[0] as number,
        unit,
        keywords: {
          MINimum: ranges[0] as number,
          MAXimum: max,
          UP: (k) => stepRange(ranges, src(k).range, "UP"),
          DOWN: (k) => stepRange(ranges, src(k).range, "DOWN"),
        },
      }),
      get: (k) => src(k).range,
      set: (k, value) => {
        const range = rangeFor2450(fn, value);
        if (Math.abs(src(k).level) > range * OVERRANGE) throw new ScpiError(-221);
        src(k).range = range;
        src(k).rangeAuto = false;
      },
      format: nr3u,
    }),
    setting<Core, boolean>(`${root}:RANGe:AUTO`, {
      param: bool(),
      get: (k) => src(k).rangeAuto,
      set: (k, on) => {
        src(k).rangeAuto = on;
        if (on) src(k).range = rangeFor2450(fn, src(k).level);
      },
      format: boolean,
    }),
    setting<Core, number>(`${root}:${limit.node}[:LEVel]`, {
      param: numeric({ min: limit.min, max: limit.max, def: fn === "VOLT" ? 1.05e-4 : 21, unit: limit.unit }),
      get: (k) => src(k).limit,
      set: (k, value) => {
        src(k).limit = value;
        if (k.settings.sourceFunction === fn) k.drive();
      },
      format: nr3u,
    }),
    // "Indicates if the source exceeded the limits that were set" (§6 ":<function>:<x>LIMit[:LEVel]:TRIPped?").
    command(`${root}:${limit.node}[:LEVel]:TRIPped`, {
      query: { run: (k) => boolean(k.limitTripped && k.settings.sourceFunction === fn) },
    }),
    setting<Core, boolean>(`${root}:READ:BACK`, {
      param: bool(),
      get: (k) => src(k).readBack,
      set: (k, on) => {
        src(k).readBack = on;
      },
      format: boolean,
    }),
    setting<Core, number>(`${root}:DELay`, {
      param: numeric({ min: 0, max: MAX_DELAY, def: 0, unit: "S" }),
      get: (k) => src(k).delay,
      set: (k, delay) => {
        src(k).delay = delay;
        src(k).delayAuto = false;
      },
      format: nr3u,
    }),
    setting<Core, boolean>(`${root}:DELay:AUTO`, {
      param: bool(),
      get: (k) => src(k).delayAuto,
      set: (k, on) => {
        src(k).delayAuto = on;
      },
      format: boolean,
    }),
    ...sweepCommands(fn, node, max, unit),
  ];
}

function listCommands({ fn, node, max, unit }: (typeof SOURCES)[number]) {
  const values = list(numeric<Core>({ min: -max, max, unit }), { max: LIST_CHUNK, tooMany: -223 });
  return [
    command(`:SOURce[1]:LIST:${node}`, {
      set: {
        params: [values],
        run: (k, [levels]) => {
          k.settings.source[fn].list = levels;
        },
      },
      query: { run: (k) => k.settings.source[fn].list.map(nr3u).join(",") },
    }),
    command(`:SOURce[1]:LIST:${node}:APPend`, {
      set: {
        params: [values],
        run: (k, [levels]) => {
          const present = k.settings.source[fn].list;
          if (present.length + levels.length > MAX_LIST) throw new ScpiError(-223);
          present.push(...levels);
        },
      },
    }),
    command(`:SOURce[1]:LIST:${node}:POINts`, {
      query: { run: (k) => nr1(k.settings.source[fn].list.length) },
    }),
  ];
}

/** A count of sweep runs: 1 to 268 435 455 (§6), INFinite refused (continuous running is not simulated). */
const count = numeric<Core>({ min: 1, max: 268_435_455, integer: true, optional: true });
/** A sweep point's delay, s; -1 is the auto delay (§6 ":SWEep:<function>:LIST", "delay"). */
const delay = numeric<Core>({ min: -1, max: MAX_DELAY, unit: "S", optional: true, keywords: { AUTO: -1 } });
const failAbort = bool<Core>({ optional: true });

function model(
  k: Core,
  fn: SourceFunction,
  levels: number[],
  options: { delay?: number; count?: number; failAbort?: boolean; buffer?: string },
): SweepModel {
  if (k.settings.sourceFunction !== fn) throw new ScpiError(-221);
  const buffer = options.buffer ?? "defbuffer1";
  k.buffer(buffer);
  return {
    sourceFunction: fn,
    levels,
    delay: options.delay === undefined || options.delay < 0 ? undefined : options.delay,
    count: options.count ?? 1,
    failAbort: options.failAbort ?? false,
    buffer,
  };
}

/**
 * :SOURce:SWEep:<f>:LIST and :LINear build the trigger model :INITiate
 * runs (§6 ":SOURce[1]:SWEep:<function>:LIST <startIndex>, <delay>,
 * <count>, <failAbort>, "<bufferName>"" and ":LINear <start>, <stop>,
 * <points>, <delay>, <count>, <rangeType>, <failAbort>, <dual>,
 * "<bufferName>""). The source function must be the sweep's (-221).
 * rangeType is accepted and kept (the source autoranges per point).
 */
function sweepCommands(fn: SourceFunction, node: string, max: number, unit: string) {
  const level = numeric<Core>({ min: -max, max, unit });
  const rangeType = choice<"AUTO" | "BEST" | "FIXed", Core>(["AUTO", "BEST", "FIXed"], { optional: true });
  const name: ParamSpec<string | undefined, Core> = bufferName<Core>();
  return [
    command(`:SOURce[1]:SWEep:${node}:LIST`, {
      set: {
        params: [numeric<Core>({ min: 1, max: MAX_LIST, integer: true }), delay, count, failAbort, name],
        run: (k, [start, d, n, abort, buffer]) => {
          const levels = k.settings.source[fn].list.slice(start - 1);
          if (levels.length === 0) throw new ScpiError(-221);
          k.sweep = model(k, fn, levels, {
            ...(d !== undefined && { delay: d }),
            ...(n !== undefined && { count: n }),
            ...(abort !== undefined && { failAbort: abort }),
            ...(buffer !== undefined && { buffer }),
          });
        },
      },
    }),
    command(`:SOURce[1]:SWEep:${node}:LINear`, {
      set: {
        params: [
          level,
          level,
          numeric<Core>({ min: 2, max: 1e6, integer: true }),
          delay,
          count,
          rangeType,
          failAbort,
          bool<Core>({ optional: true }),
          name,
        ],
        run: (k, [start, stop, points, d, n, _range, abort, dual, buffer]) => {
          const step = (stop - start) / (points - 1);
          const up = Array.from({ length: points }, (_, i) => (i === points - 1 ? stop : start + i * step));
          const levels = dual ? [...up, ...up.slice(0, -1).reverse()] : up;
          k.sweep = model(k, fn, levels, {
            ...(d !== undefined && { delay: d }),
            ...(n !== undefined && { count: n }),
            ...(abort !== undefined && { failAbort: abort }),
            ...(buffer !== undefined && { buffer }),
          });
        },
      },
    }),
  ];
}
