/**
 * The :SYSTem:ERRor subsystem every SCPI instrument has (SCPI-99 Vol. 2
 * §21.8; Keithley 2400 manual §18 "SYSTem subsystem, Error queue"), and
 * :SYSTem:CLEar.
 */

import { NO_ERROR } from "../../scpi/protocol.js";
import { type CommandDefinition, commandsFor } from "./engine.js";
import { formatErrorEntry, type QueuedError } from "./error-queue.js";
import { nr1 } from "./format.js";

/**
 * @param format how one entry is sent (default `code,"text"`); it is also
 * given the empty queue's entry, 0 "No error", with no time.
 */
export function errorQueueCommands<Ctx>(
  format: (entry: QueuedError) => string = formatErrorEntry,
): CommandDefinition<Ctx>[] {
  const command = commandsFor<Ctx>();
  return [
    command(":SYSTem:ERRor[:NEXT]", {
      query: { run: (_ctx, _args, { engine }) => format(engine.errors.next()) },
    }),
    command(":SYSTem:ERRor:ALL", {
      query: {
        run(_ctx, _args, { engine }) {
          const entries = engine.errors.drain();
          return (entries.length > 0 ? entries : [NO_ERROR]).map(format).join(",");
        },
      },
    }),
    command(":SYSTem:ERRor:COUNt", {
      query: { run: (_ctx, _args, { engine }) => nr1(engine.errors.length) },
    }),
    command(":SYSTem:ERRor:CODE[:NEXT]", {
      query: { run: (_ctx, _args, { engine }) => nr1(engine.errors.next().code) },
    }),
    command(":SYSTem:ERRor:CODE:ALL", {
      query: {
        run(_ctx, _args, { engine }) {
          const entries = engine.errors.drain();
          return (entries.length > 0 ? entries : [NO_ERROR]).map((e) => nr1(e.code)).join(",");
        },
      },
    }),
    command(":SYSTem:CLEar", {
      set: { params: [], run: (_ctx, _args, { engine }) => engine.errors.clear() },
    }),
  ];
}
