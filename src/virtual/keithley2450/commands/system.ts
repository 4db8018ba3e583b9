/**
 * :SYSTem, :STATus and :ROUTe (2450 Reference Manual §6 "SYSTem
 * subsystem", "STATus subsystem", "ROUTe subsystem"), with the 2450's
 * error entries: `code,"message;type;time stamp"`.
 */
import { commandsFor } from "../../scpi/engine.js";
import type { QueuedError } from "../../scpi/error-queue.js";
import { boolean, nr1 } from "../../scpi/format.js";
import { bool, choice, numeric } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { EventRegister } from "../../scpi/status.js";
import type { Keithley2450Core } from "../core.js";
import type { Calendar } from "../reading.js";

type Core = Keithley2450Core;
const command = commandsFor<Core>();

/**
 * One error/event queue entry as the 2450 sends it (§6 ":SYSTem:ERRor[:NEXT]?"):
 * the code, then in one string the message, the event type (1 for an error)
 * and the time it was logged, `YYYY/MM/DD hh:mm:ss.sss`; the empty queue is
 * `0,"No error;0;0 0"` (INSTRUMENTS.md, "Keithley 2450 (SCPI mode)").
 */
export function formatErrorEntry2450(entry: QueuedError, calendar: Calendar): string {
  if (entry.code === 0) return '0,"No error;0;0 0"';
  const stamp = entry.time === undefined ? "0 0" : logTime(calendar, entry.time);
  return `${entry.code},"${`${entry.text};1;${stamp}`.replaceAll('"', '""')}"`;
}

function logTime(calendar: Calendar, time: number): string {
  const d = new Date(calendar.epochMs + Math.round(time * 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}`
  );
}

export function systemCommands(): ReturnType<typeof command>[] {
  return [
    command(":SYSTem:ERRor:CLEar", {
      set: { params: [], run: (_k, _a, { engine }) => engine.errors.clear() },
    }),
    // "Beeper frequency 20 Hz to 8 kHz, duration 0.001 s to 100 s" (§6 ":SYSTem:BEEPer[:IMMediate]"); no sound here.
    command(":SYSTem:BEEPer[:IMMediate]", {
      set: {
        params: [
          numeric<Core>({ min: 20, max: 8000, unit: "HZ" }),
          numeric<Core>({ min: 0.001, max: 100, unit: "S" }),
        ],
        run: () => undefined,
      },
    }),
    setting<Core, boolean>(":SYSTem:BEEPer:STATe", {
      param: bool(),
      get: (k) => k.settings.beeperEnabled,
      set: (k, on) => {
        k.settings.beeperEnabled = on;
      },
      format: boolean,
    }),
    // The line frequency is detected at power-on: a query only (§6 ":SYSTem:LFRequency?").
    command(":SYSTem:LFRequency", { query: { run: (k) => nr1(k.settings.lineFrequency) } }),
    setting<Core, "FRON" | "REAR">(":ROUTe:TERMinals", {
      param: choice(["FRONt", "REAR"]),
      get: (k) => k.settings.terminals,
      set: (k, side) => {
        k.settings.terminals = side;
      },
      format: (v) => v,
    }),
    ...registerCommands("OPERation", (k) => k.operationEvents),
    ...registerCommands("QUEStionable", (k) => k.questionableEvents),
    command(":STATus:PRESet", {
      set: {
        params: [],
        run: (k) => {
          k.operationEvents.enable = 0;
          k.questionableEvents.enable = 0;
        },
      },
    }),
    // "Clears event registers and the event log" (§6 ":STATus:CLEar").
    command(":STATus:CLEar", {
      set: {
        params: [],
        run: (k, _a, { engine }) => {
          k.operationEvents.clearEvents();
          k.questionableEvents.clearEvents();
          engine.errors.clear();
        },
      },
    }),
  ];
}

function registerCommands(node: string, register: (k: Core) => EventRegister) {
  return [
    command(`:STATus:${node}[:EVENt]`, { query: { run: (k) => nr1(register(k).read()) } }),
    command(`:STATus:${node}:ENABle`, {
      set: {
        params: [numeric<Core>({ min: 0, max: 65535, integer: true })],
        run: (k, [mask]) => {
          register(k).enable = mask;
        },
      },
      query: { run: (k) => nr1(register(k).enable) },
    }),
    command(`:STATus:${node}:CONDition`, { query: { run: (k) => nr1(register(k).condition) } }),
  ];
}
