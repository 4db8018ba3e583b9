/**
 * :SYSTem (other than the error queue), :DISPlay, :ROUTe and :STATus
 * (manual §18, Tables 18-2 DISPlay, 18-5 ROUTe, 18-8 STATus, 18-9 SYSTem).
 */
import { commandsFor } from "../../scpi/engine.js";
import { formatErrorEntry } from "../../scpi/error-queue.js";
import { ESR, ScpiError } from "../../scpi/errors.js";
import { boolean, nr1, quoted } from "../../scpi/format.js";
import { bool, choice, numeric, type ParamSpec, text } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { EventRegister } from "../../scpi/status.js";
import type { Keithley2400Core } from "../core.js";
import { formatRegister } from "../data-format.js";
import type { Keithley2400Settings } from "../settings.js";

type Core = Keithley2400Core;
const command = commandsFor<Core>();

/** SCPI version the 2400 reports (manual §18 :SYSTem:VERSion?). */
const SCPI_VERSION = "1996.0";
/** Characters a display window shows (manual §18 :DISPlay:TEXT: 20 on the top line, 32 on the bottom). */
const WINDOW_WIDTH: Readonly<Record<number, number>> = { 1: 20, 2: 32 };

/** ON | OFF | ONCE for :SYSTem:AZERo (ONCE forces one refresh and leaves autozero off). */
const autoZeroState: ParamSpec<Keithley2400Settings["autoZero"], Core> = {
  optional: false,
  parse(tokens, k) {
    const [token] = tokens;
    if (token?.kind === "chars" && token.value === "ONCE") return "ONCE";
    return bool<Core>().parse(tokens, k) ? "ON" : "OFF";
  },
};

export function systemCommands(): ReturnType<typeof command>[] {
  return [...systemSettings(), ...displayCommands(), ...statusCommands()];
}

function systemSettings() {
  const s = (k: Core) => k.settings;
  return [
    // :SYSTem:PRESet differs from *RST only in details the virtual bench does not model.
    command(":SYSTem:PRESet", { set: { params: [], run: (k) => k.reset() } }),
    command(":SYSTem:VERSion", { query: { run: () => SCPI_VERSION } }),
    command(":SYSTem:BEEPer[:IMMediate]", {
      set: {
        params: [
          numeric<Core>({ min: 65, max: 2e6, unit: "HZ" }),
          numeric<Core>({ min: 0, max: 7.9, unit: "S" }),
        ],
        run: () => undefined,
      },
    }),
    setting<Core, boolean>(":SYSTem:BEEPer:STATe", {
      param: bool(),
      get: (k) => s(k).beeperEnabled,
      set: (k, on) => {
        s(k).beeperEnabled = on;
      },
      format: boolean,
    }),
    setting<Core, boolean>(":SYSTem:RSENse", {
      param: bool(),
      get: (k) => s(k).remoteSense,
      set: (k, on) => {
        s(k).remoteSense = on;
      },
      format: boolean,
    }),
    setting<Core, Keithley2400Settings["autoZero"]>(":SYSTem:AZERo[:STATe]", {
      param: autoZeroState,
      get: (k) => s(k).autoZero,
      set: (k, state) => {
        s(k).autoZero = state === "ONCE" ? "OFF" : state;
      },
      format: (state) => (state === "ON" ? "1" : "0"),
    }),
    setting<Core, number>(":SYSTem:LFRequency", {
      param: numeric({ min: 50, max: 60, def: 60, unit: "HZ" }),
      get: (k) => s(k).lineFrequency,
      set: (k, hz) => {
        if (hz !== 50 && hz !== 60) throw new ScpiError(-224);
        s(k).lineFrequency = hz;
      },
      format: nr1,
    }),
    command(":SYSTem:TIME:RESet", {
      set: {
        params: [],
        run: (k) => {
          k.timeZero = k.timeline.cursor;
        },
      },
    }),
    // Going to local: "source auto range disables" and "the sourcing mode will default to FIXed" (manual §18 SOURce).
    command(":SYSTem:LOCal", {
      set: {
        params: [],
        run: (k) => {
          k.remoteState = "LOC";
          for (const source of Object.values(k.settings.source)) {
            source.rangeAuto = false;
            source.mode = "FIX";
          }
        },
      },
    }),
    ...(["REMote", "RWLock"] as const).map((state) =>
      command(`:SYSTem:${state}`, {
        set: {
          params: [],
          run: (k) => {
            k.remoteState = state === "REMote" ? "REM" : "RWL";
          },
        },
      }),
    ),
    // A simulated key press: recorded and flagged as a user request; the front panel itself is not modelled.
    command(":SYSTem:KEY", {
      set: {
        params: [numeric<Core>({ min: 1, max: 31, integer: true })],
        run: (k, [key], { engine }) => {
          k.lastKey = key;
          engine.status.events.latch(ESR.URQ);
        },
      },
      query: { run: (k) => nr1(k.lastKey) },
    }),
    setting<Core, "FRON" | "REAR">(":ROUTe:TERMinals", {
      param: choice(["FRONt", "REAR"]),
      get: (k) => s(k).terminals,
      set: (k, side) => {
        s(k).terminals = side;
      },
      format: (v) => v,
    }),
  ];
}

function displayCommands() {
  const window = (k: Core, n: number) => {
    const found = k.settings.displayText[n];
    if (found === undefined) throw new ScpiError(-114);
    return found;
  };
  return [
    setting<Core, boolean>(":DISPlay:ENABle", {
      param: bool(),
      get: (k) => k.settings.displayEnabled,
      set: (k, on) => {
        k.settings.displayEnabled = on;
      },
      format: boolean,
    }),
    setting<Core, number>(":DISPlay:DIGits", {
      param: numeric({ min: 4, max: 7, def: 7, integer: true }),
      get: (k) => k.settings.displayDigits,
      set: (k, digits) => {
        k.settings.displayDigits = digits;
      },
      format: nr1,
    }),
    command(":DISPlay:CNDisplay", {
      set: {
        params: [],
        run: (k) => {
          for (const w of Object.values(k.settings.displayText)) w.enabled = false;
        },
      },
    }),
    command(":DISPlay[:WINDow#]:TEXT[:DATA]", {
      set: {
        params: [text<Core>()],
        run: (k, [message], { suffixes }) => {
          const n = suffixes[0] ?? 1;
          const target = window(k, n);
          if (message.length > (WINDOW_WIDTH[n] ?? 0)) throw new ScpiError(-223);
          target.text = message;
        },
      },
      query: { run: (k, _args, { suffixes }) => quoted(window(k, suffixes[0] ?? 1).text) },
    }),
    command(":DISPlay[:WINDow#]:TEXT:STATe", {
      set: {
        params: [bool<Core>()],
        run: (k, [on], { suffixes }) => {
          window(k, suffixes[0] ?? 1).enabled = on;
        },
      },
      query: { run: (k, _args, { suffixes }) => boolean(window(k, suffixes[0] ?? 1).enabled) },
    }),
  ];
}

/** :STATus:<register> — event (read and clear), enable, condition; replies in :FORMat:SREGister form. */
function registerCommands(node: string, register: (k: Core) => EventRegister) {
  const reply = (k: Core, value: number) => formatRegister(value, k.settings.statusRegisterFormat);
  return [
    command(`:STATus:${node}[:EVENt]`, { query: { run: (k) => reply(k, register(k).read()) } }),
    command(`:STATus:${node}:ENABle`, {
      set: {
        params: [numeric<Core>({ min: 0, max: 65535, integer: true })],
        run: (k, [mask]) => {
          register(k).enable = mask;
        },
      },
      query: { run: (k) => reply(k, register(k).enable) },
    }),
    command(`:STATus:${node}:CONDition`, { query: { run: (k) => reply(k, register(k).condition) } }),
  ];
}

function statusCommands() {
  return [
    ...registerCommands("MEASurement", (k) => k.measurementEvents),
    ...registerCommands("OPERation", (k) => k.operationEvents),
    ...registerCommands("QUEStionable", (k) => k.questionableEvents),
    // :STATus:PRESet clears the enable registers (SCPI-99 Vol. 2 §20.7).
    command(":STATus:PRESet", {
      set: {
        params: [],
        run: (k) => {
          for (const r of [k.measurementEvents, k.operationEvents, k.questionableEvents]) r.enable = 0;
        },
      },
    }),
    // "The :STATus:QUEue? command performs the same function as :SYSTem:ERRor[:NEXT]?" (manual §18).
    command(":STATus:QUEue[:NEXT]", {
      query: {
        run: (_k, _args, { engine }) => formatErrorEntry(engine.errors.next()),
      },
    }),
    command(":STATus:QUEue:CLEar", {
      set: { params: [], run: (_k, _args, { engine }) => engine.errors.clear() },
    }),
  ];
}
