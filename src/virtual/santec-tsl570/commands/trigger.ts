/**
 * The trigger output and input (Santec's tsl_instrument.py
 * `set_output_trigger_signal`, `set_trigger_step`,
 * `set_output_trigger_period_mode`, `set_trigger_signal_input_mode`;
 * QMI's tsl_570.py `set_trigger_output_*`, `issue_soft_trigger`). The
 * output's timing decides when the wavelength is logged (../sweep.ts).
 * Settings that change a sweep are refused (-200) while one is under way.
 */
import type { Tsl570Core } from "../core.js";
import { roundTo, TRIGGER_STEP_RANGE, WAVELENGTH_RESOLUTION } from "../ranges.js";
import type { TriggerSettings, TriggerTimingCode } from "../settings.js";
import { formatWavelength, numberParam, wavelengthIn } from "../wire-format.js";
import { code, command, flag, quantity } from "./quantity.js";

type Core = Tsl570Core;

function setTrigger<K extends keyof TriggerSettings>(core: Core, key: K, value: TriggerSettings[K]): void {
  core.checkIdle();
  core.settings.trigger[key] = value;
}

/** A 0/1 trigger setting. */
const triggerFlag = (
  pattern: string,
  key: "periodInTime" | "outputActiveLow" | "inputExternal" | "inputActiveLow" | "inputStandby" | "through",
) =>
  flag(
    pattern,
    (core) => core.settings.trigger[key],
    (core, on) => setTrigger(core, key, on),
  );

export function triggerCommands() {
  return [
    // 0 none, 1 stop, 2 start, 3 step.
    code(
      ":TRIGger:OUTPut",
      [0, 1, 2, 3] as const,
      (core) => core.settings.trigger.output,
      (core, timing: TriggerTimingCode) => setTrigger(core, "output", timing),
    ),
    quantity(":TRIGger:OUTPut:STEP", {
      param: numberParam({
        ...TRIGGER_STEP_RANGE,
        convert: wavelengthIn,
        round: (_core, value) => roundTo(value, WAVELENGTH_RESOLUTION),
      }),
      get: (core) => core.settings.trigger.step,
      set: (core, step) => setTrigger(core, "step", step),
      format: formatWavelength,
    }),
    // 0 periodic in wavelength, 1 periodic in time (see ../settings.ts on QMI's docstring).
    triggerFlag(":TRIGger:OUTPut:SETTing", "periodInTime"),
    triggerFlag(":TRIGger:OUTPut:ACTive", "outputActiveLow"),
    triggerFlag(":TRIGger:INPut:EXTernal", "inputExternal"),
    triggerFlag(":TRIGger:INPut:ACTive", "inputActiveLow"),
    triggerFlag(":TRIGger:INPut:STANdby", "inputStandby"),
    triggerFlag(":TRIGger:THRough", "through"),
    command(":TRIGger:INPut:SOFTtrigger", { set: { params: [], run: (core) => core.softTrigger() } }),
  ];
}
