/**
 * IEEE 488.2 common commands as the TSL-570 has them, and :SYSTem
 * (Santec's tsl_instrument.py, whose methods quote the manual's entries;
 * QMI's tsl_570.py `_check_error`).
 *
 * - `*OPC?` does not wait: 0 while the laser tunes or sweeps, 1 when done
 *   (INSTRUMENTS.md; Santec: "In operation" / "Operation completed").
 * - `*RST` "Aborts standby operation. Clears … Command input queue, Error
 *   queue" (Santec's `device_reset`): it stops a sweep and empties the
 *   error queue; every setting stays.
 * - Santec's list of common commands has no `*WAI`, `*OPC` (without `?`)
 *   or `*TRG`: here they are undefined headers (-113).
 * - `:SYSTem:ALERt?` answers "No alerts." (QMI waits for exactly that).
 */
import { commonCommands } from "../../scpi/common-commands.js";
import { errorQueueCommands } from "../../scpi/error-commands.js";
import type { Tsl570Core } from "../core.js";
import { code, command, flag } from "./quantity.js";

type Core = Tsl570Core;

export interface SystemIdentity {
  /** The `*IDN?` reply. */
  readonly identity: string;
  /** `:SYSTem:VERSion?`. */
  readonly firmware: string;
}

export function systemCommands({ identity, firmware }: SystemIdentity) {
  const common = commonCommands<Core>({
    identity: () => identity,
    reset: () => undefined,
    clearStatus: () => undefined,
    statusSummary: () => 0,
  }).filter((row) => !["*RST", "*OPC", "*WAI"].includes(row.pattern.text));
  return [
    command("*OPC", { query: { run: (core) => (core.busy() ? "0" : "1") } }),
    command("*RST", {
      set: {
        params: [],
        run: (core, _args, { engine }) => {
          core.stopSweep();
          engine.errors.clear();
        },
      },
    }),
    ...common,
    // `:SYSTem:ERRor?` only: `code,"text"` (QMI compares the empty queue's reply with '0,"No error"').
    ...errorQueueCommands<Core>().filter((row) => row.pattern.text === ":SYSTem:ERRor[:NEXT]"),
    command(":SYSTem:ALERt", { query: { run: () => "No alerts." } }),
    code(
      ":SYSTem:COMMunicate:CODe",
      [0, 1] as const,
      (core) => (core.settings.commandSet === "SCPI" ? 1 : 0),
      (core, set) => {
        core.settings.commandSet = set === 1 ? "SCPI" : "Legacy";
      },
    ),
    command(":SYSTem:VERSion", { query: { run: () => firmware } }),
    // 0: no external interlock (Santec's `external_interlock`).
    command(":SYSTem:LOCK", { query: { run: () => "0" } }),
    flag(
      ":COHCtrl",
      (core) => core.settings.coherenceControlEnabled,
      (core, on) => {
        core.settings.coherenceControlEnabled = on;
      },
    ),
  ];
}
