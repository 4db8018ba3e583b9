/**
 * Taking readings: the signal-oriented commands (manual §17, Table 17-1:
 * :CONFigure, :FETCh?, :READ?, :MEASure?) and the trigger model (§18
 * "TRIGger subsystem", :INITiate, :ABORt, :ARM, :TRIGger).
 */
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { nr1, nr3, quoted } from "../../scpi/format.js";
import { choice, list, numeric } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2400Core } from "../core.js";
import { formatReadings } from "../data-format.js";
import type { Keithley2400Settings, SenseFunction, TriggerLink } from "../settings.js";

type Core = Keithley2400Core;
const command = commandsFor<Core>();

/** "The maximum buffer size for the SourceMeter is 2500 readings. The product of the finite values of the two counters cannot exceed 2500" (manual §11 "Counters"). */
const MAX_READINGS = 2500;
const MAX_DELAY = 999.9999;

const SIGNAL_FUNCTIONS: ReadonlyArray<{ fn: SenseFunction; node: string; reply: string }> = [
  { fn: "VOLT", node: "VOLTage[:DC]", reply: "VOLT:DC" },
  { fn: "CURR", node: "CURRent[:DC]", reply: "CURR:DC" },
  { fn: "RES", node: "RESistance", reply: "RES" },
];

export function acquisitionCommands(): ReturnType<typeof command>[] {
  return [...signalCommands(), ...triggerModelCommands()];
}

/**
 * :CONFigure:<function> — "Select specified function. All controls related
 * to the selected function are defaulted to the *RST values. The event
 * control source of the Trigger Model is set to Immediate." and the output
 * turns on (manual §17, Table 17-1). The related controls reset here are
 * the function's autorange.
 */
function configure(k: Core, fn: SenseFunction): void {
  for (const f of SIGNAL_FUNCTIONS) k.settings.senseOn[f.fn] = f.fn === fn;
  k.settings.sense[fn].rangeAuto = true;
  k.settings.arm.source = "IMM";
  k.settings.trigger.source = "IMM";
  k.setOutput(true);
}

function signalCommands() {
  const readings = (k: Core) => k.read((read) => formatReadings(read, k.settings.elements));
  return [
    command(":INITiate[:IMMediate]", { set: { params: [], run: (k) => k.initiate() } }),
    command(":ABORt", { set: { params: [], run: (k) => k.abort() } }),
    command(":READ", { query: { run: readings } }),
    command(":FETCh", { query: { run: (k) => formatReadings(k.fetch(), k.settings.elements) } }),
    // :MEASure? without a function measures with the present functions; it still turns the output on.
    command(":MEASure", {
      query: {
        run: (k) => {
          k.setOutput(true);
          return readings(k);
        },
      },
    }),
    ...SIGNAL_FUNCTIONS.flatMap(({ fn, node }) => [
      command(`:CONFigure:${node}`, { set: { params: [], run: (k) => configure(k, fn) } }),
      command(`:MEASure:${node}`, {
        query: {
          run: (k) => {
            configure(k, fn);
            return readings(k);
          },
        },
      }),
    ]),
    command(":CONFigure", {
      query: {
        run: (k) =>
          SIGNAL_FUNCTIONS.filter((f) => k.settings.senseOn[f.fn])
            .map((f) => quoted(f.reply))
            .join(","),
      },
    }),
  ];
}

/** Arm and trigger counts whose finite product fits the buffer. */
function checkCounts(arm: number, trigger: number): void {
  if (Number.isFinite(arm) && arm * trigger > MAX_READINGS) throw new ScpiError(-221);
}

function linkCommands(layer: string, link: (k: Core) => TriggerLink, events: readonly string[]) {
  return [
    setting<Core, number>(`${layer}:ILINe`, {
      param: numeric({ min: 1, max: 4, def: 1, integer: true }),
      get: (k) => link(k).inputLine,
      set: (k, line) => {
        link(k).inputLine = line;
      },
      format: nr1,
    }),
    setting<Core, number>(`${layer}:OLINe`, {
      param: numeric({ min: 1, max: 4, def: 2, integer: true }),
      get: (k) => link(k).outputLine,
      set: (k, line) => {
        link(k).outputLine = line;
      },
      format: nr1,
    }),
    command(`${layer}:OUTPut`, {
      set: {
        params: [list(choice([...events, "NONE"]), { max: events.length + 1 })],
        run: (k, [chosen]) => {
          link(k).outputEvents = chosen;
        },
      },
      query: { run: (k) => link(k).outputEvents.join(",") },
    }),
  ];
}

function triggerModelCommands() {
  const TRIGGER = ":TRIGger[:SEQuence[1]]";
  const ARM = ":ARM[:SEQuence[1]][:LAYer[1]]";
  const trigger = (k: Core) => k.settings.trigger;
  const arm = (k: Core) => k.settings.arm;
  return [
    setting<Core, number>(`${TRIGGER}:COUNt`, {
      param: numeric({ min: 1, max: MAX_READINGS, def: 1, integer: true }),
      get: (k) => trigger(k).count,
      set: (k, count) => {
        checkCounts(arm(k).count, count);
        trigger(k).count = count;
      },
      format: nr1,
    }),
    setting<Core, number>(`${TRIGGER}:DELay`, {
      param: numeric({ min: 0, max: MAX_DELAY, def: 0, unit: "S" }),
      get: (k) => trigger(k).delay,
      set: (k, delay) => {
        trigger(k).delay = delay;
      },
      format: nr3,
    }),
    setting<Core, "IMM" | "TLIN">(`${TRIGGER}:SOURce`, {
      param: choice(["IMMediate", "TLINk"]),
      get: (k) => trigger(k).source,
      set: (k, source) => {
        trigger(k).source = source;
      },
      format: (v) => v,
    }),
    command(":TRIGger:CLEar", { set: { params: [], run: () => undefined } }),
    ...linkCommands(TRIGGER, (k) => trigger(k).link, ["SOURce", "DELay", "SENSe"]),
    setting<Core, number>(`${ARM}:COUNt`, {
      param: numeric({
        min: 1,
        max: MAX_READINGS,
        def: 1,
        integer: true,
        keywords: { INFinite: Number.POSITIVE_INFINITY },
      }),
      get: (k) => arm(k).count,
      set: (k, count) => {
        checkCounts(count, trigger(k).count);
        arm(k).count = count;
      },
      format: (count) => (Number.isFinite(count) ? nr1(count) : nr3(count)),
    }),
    setting<Core, Keithley2400Settings["arm"]["source"]>(`${ARM}:SOURce`, {
      // Without a Trigger Link cable, front panel or start-of-test line, TLINk, MANual and the
      // *STest sources are satisfied at once, like IMMediate.
      param: choice(["IMMediate", "TLINk", "TIMer", "MANual", "BUS", "NSTest", "PSTest", "BSTest"]),
      get: (k) => arm(k).source,
      set: (k, source) => {
        arm(k).source = source;
      },
      format: (v) => v,
    }),
    setting<Core, number>(`${ARM}:TIMer`, {
      param: numeric({ min: 0.001, max: 99999.99, def: 0.1, unit: "S" }),
      get: (k) => arm(k).timer,
      set: (k, interval) => {
        arm(k).timer = interval;
      },
      format: nr3,
    }),
    ...linkCommands(ARM, (k) => arm(k).link, ["TENTer", "TEXit"]),
  ];
}
