/**
 * Optical power and the output (Santec's tsl_instrument.py `set_power`,
 * `power_monitor`, `set_optical_output_status`, `set_internal_shutter_status`,
 * `set_attenuator`, `set_power_control_mode`; QMI's `set_power_level`;
 * PyMeasure's `power_setpoint`, `power`, `output_enabled`, `power_unit`).
 *
 * On the 570 `:POWer:STATe` and `:POWer:SHUTter` act on one state, with
 * inverted parameters: "The function is the same as the Laser ON/OFF
 * command :POWer:STATe (Note, the relationship between parameter and state
 * is reversed)" (Santec's `set_internal_shutter_status`): `:POW:STAT 1`
 * and `:POW:SHUT 0` both let the light out.
 *
 * Power control (`:POWer:ATTenuation:AUTo`): in auto mode (1) the laser
 * emits the `:POWer` setpoint; in manual mode (0) it emits its peak power
 * less the `:POWer:ATTenuation` (0–30 dB), the setpoint aside. That manual
 * mode works so is this model's reading of "Sets the power control mode".
 */
import { ATTENUATION_RANGE, dbmToWatts, MONITOR_FLOOR_DBM, roundTo } from "../ranges.js";
import {
  formatNumber,
  formatPower,
  numberParam,
  plain,
  powerIn,
  powerMax,
  powerMin,
  roundPower,
} from "../wire-format.js";
import { code, command, flag, quantity } from "./quantity.js";

export function powerCommands() {
  return [
    quantity(":POWer", {
      param: numberParam({ min: powerMin, max: powerMax, convert: powerIn, round: roundPower }),
      get: (core) => core.settings.powerSetpoint,
      set: (core, watts) => {
        core.settings.powerSetpoint = watts;
        core.powerChanged();
      },
      format: formatPower,
    }),
    // The built-in monitor: what leaves the laser now, with its noise; with the output off, the monitor's floor.
    command(":POWer:ACTual", {
      query: {
        run: (core) =>
          formatPower(core, Math.max(core.lightAt(core.now).power, dbmToWatts(MONITOR_FLOOR_DBM))),
      },
    }),
    code(
      ":POWer:UNIT",
      [0, 1] as const,
      (core) => core.settings.powerUnit,
      (core, unit) => {
        core.settings.powerUnit = unit;
      },
    ),
    flag(
      ":POWer:STATe",
      (core) => core.latest.outputEnabled,
      (core, on) => core.setOutput(on),
    ),
    flag(
      ":POWer:SHUTter",
      (core) => !core.latest.outputEnabled,
      (core, closed) => core.setOutput(!closed),
    ),
    quantity(":POWer:ATTenuation", {
      param: numberParam({
        ...ATTENUATION_RANGE,
        convert: (_core, value, suffix) => plain(value, suffix),
        round: (_core, value) => roundTo(value, 0.01),
      }),
      get: (core) => core.settings.attenuation,
      set: (core, decibels) => {
        core.settings.attenuation = decibels;
        core.powerChanged();
      },
      format: (core, decibels) => formatNumber(core, decibels, 2),
    }),
    flag(
      ":POWer:ATTenuation:AUTo",
      (core) => core.settings.attenuationAuto,
      (core, auto) => {
        core.settings.attenuationAuto = auto;
        core.powerChanged();
      },
    ),
  ];
}
