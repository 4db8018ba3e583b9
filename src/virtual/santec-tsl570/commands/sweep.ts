/**
 * Sweeps (Santec's tsl_instrument.py sweep methods; QMI's tsl_570.py
 * `set_sweep_*`, `start_repeating_sweep`, `get_sweep_state`; PyMeasure's
 * tsl500series.py `sweep_*`, `start_sweep`, `start_repeat`, `wavelength_*`,
 * `frequency_*`, tsl570.py `wavelength_min`…): the settings, starting and
 * stopping, the status (0 stopped, 1 running, 3 standing by trigger, 4
 * preparation for sweep start) and the count of completed cycles. What a
 * sweep does in time is ../sweep.ts.
 *
 * `:WAVelength:SWEep[:STATe]` is written with the `:STATe` node by QMI
 * and without it by PyMeasure and Santec. A frequency sweep setting is
 * the wavelength sweep's (c/f); a frequency step is converted at the
 * sweep's start wavelength, Δλ = λ²Δf/c. Settings are refused (-200)
 * while a sweep is under way.
 */

import { ScpiError } from "../../scpi/errors.js";
import type { Tsl570Core } from "../core.js";
import {
  CYCLES_RANGE,
  DELAY_RANGE,
  DWELL_RANGE,
  FREQUENCY_RANGE,
  FREQUENCY_RESOLUTION,
  MIN_FREQUENCY_STEP,
  MIN_SWEEP_STEP,
  roundTo,
  SPEED_OF_LIGHT,
  SWEEP_SPEEDS_NM_PER_S,
  WAVELENGTH_RANGE,
  WAVELENGTH_RESOLUTION,
} from "../ranges.js";
import type { SweepModeCode, SweepSettings } from "../settings.js";
import {
  codeParam,
  formatFrequency,
  formatNumber,
  formatWavelength,
  frequencyIn,
  numberParam,
  plain,
  secondsIn,
  toFrequency,
  wavelengthIn,
} from "../wire-format.js";
import { code, command, quantity } from "./quantity.js";
import { frequencyParam, wavelengthParam } from "./wavelength.js";

type Core = Tsl570Core;

/** Sets one sweep setting, once no sweep is under way. */
function setSweep<K extends keyof SweepSettings>(core: Core, key: K, value: SweepSettings[K]): void {
  core.checkIdle();
  core.settings.sweep[key] = value;
}

const WIDTH = WAVELENGTH_RANGE.max - WAVELENGTH_RANGE.min;

const seconds = (range: { min: number; max: number }) =>
  numberParam({ ...range, convert: secondsIn, round: (_core, value) => roundTo(value, 0.1) });

/** One of the eight speeds, in nm/s; stored in m/s. */
const speedParam = numberParam({
  min: SWEEP_SPEEDS_NM_PER_S[0],
  max: SWEEP_SPEEDS_NM_PER_S[SWEEP_SPEEDS_NM_PER_S.length - 1] as number,
  convert: (_core, value, suffix) => {
    const speed = plain(value, suffix);
    if (!(SWEEP_SPEEDS_NM_PER_S as readonly number[]).includes(speed)) throw new ScpiError(-222);
    return speed;
  },
});

export function sweepCommands() {
  return [
    ...(["STARt", "STOP"] as const).flatMap((node) => {
      const key = node === "STARt" ? "start" : "stop";
      return [
        quantity(`:WAVelength:SWEep:${node}`, {
          param: wavelengthParam,
          get: (core) => core.settings.sweep[key],
          set: (core, wavelength) => setSweep(core, key, wavelength),
          format: formatWavelength,
        }),
        quantity(`[:WAVelength]:FREQuency:SWEep:${node}`, {
          param: frequencyParam,
          get: (core) => toFrequency(core.settings.sweep[key]),
          set: (core, frequency) => setSweep(core, key, SPEED_OF_LIGHT / frequency),
          format: formatFrequency,
        }),
      ];
    }),
    quantity(":WAVelength:SWEep:STEP", {
      param: numberParam({
        min: MIN_SWEEP_STEP,
        max: WIDTH,
        convert: wavelengthIn,
        round: (_core, value) => roundTo(value, WAVELENGTH_RESOLUTION),
      }),
      get: (core) => core.settings.sweep.step,
      set: (core, step) => setSweep(core, "step", step),
      format: formatWavelength,
    }),
    quantity("[:WAVelength]:FREQuency:SWEep:STEP", {
      param: numberParam({
        min: MIN_FREQUENCY_STEP,
        max: FREQUENCY_RANGE.max - FREQUENCY_RANGE.min,
        convert: frequencyIn,
        round: (_core, value) => roundTo(value, FREQUENCY_RESOLUTION),
      }),
      get: (core) => (SPEED_OF_LIGHT * core.settings.sweep.step) / core.settings.sweep.start ** 2,
      set: (core, step) => {
        const wavelengthStep = (core.settings.sweep.start ** 2 * step) / SPEED_OF_LIGHT;
        if (!(wavelengthStep >= MIN_SWEEP_STEP && wavelengthStep <= WIDTH)) throw new ScpiError(-222);
        setSweep(core, "step", wavelengthStep);
      },
      format: formatFrequency,
    }),
    command(":WAVelength:SWEep:RANGe:MINimum", {
      query: { run: (core) => formatWavelength(core, WAVELENGTH_RANGE.min) },
    }),
    command(":WAVelength:SWEep:RANGe:MAXimum", {
      query: { run: (core) => formatWavelength(core, WAVELENGTH_RANGE.max) },
    }),
    command("[:WAVelength]:FREQuency:SWEep:RANGe:MINimum", {
      query: { run: (core) => formatFrequency(core, FREQUENCY_RANGE.min) },
    }),
    command("[:WAVelength]:FREQuency:SWEep:RANGe:MAXimum", {
      query: { run: (core) => formatFrequency(core, FREQUENCY_RANGE.max) },
    }),
    code(
      ":WAVelength:SWEep:MODe",
      [0, 1, 2, 3] as const,
      (core) => core.settings.sweep.mode,
      (core, mode: SweepModeCode) => setSweep(core, "mode", mode),
    ),
    quantity(":WAVelength:SWEep:SPEed", {
      param: speedParam,
      get: (core) => core.settings.sweep.speed * 1e9,
      set: (core, nmPerSecond) => setSweep(core, "speed", nmPerSecond * 1e-9),
      format: (core, nmPerSecond) => formatNumber(core, nmPerSecond, 1),
    }),
    quantity(":WAVelength:SWEep:DWELl", {
      param: seconds(DWELL_RANGE),
      get: (core) => core.settings.sweep.dwell,
      set: (core, dwell) => setSweep(core, "dwell", dwell),
      format: (core, dwell) => formatNumber(core, dwell, 1),
    }),
    quantity(":WAVelength:SWEep:DELay", {
      param: seconds(DELAY_RANGE),
      get: (core) => core.settings.sweep.delay,
      set: (core, delay) => setSweep(core, "delay", delay),
      format: (core, delay) => formatNumber(core, delay, 1),
    }),
    quantity(":WAVelength:SWEep:CYCLes", {
      param: numberParam({
        ...CYCLES_RANGE,
        convert: (_core, value, suffix) => plain(value, suffix),
        round: (_core, value) => Math.round(value),
      }),
      get: (core) => core.settings.sweep.cycles,
      set: (core, cycles) => setSweep(core, "cycles", cycles),
      format: (_core, cycles) => String(cycles),
    }),
    command(":WAVelength:SWEep:COUNt", { query: { run: (core) => String(core.sweep.completed) } }),
    // 1 starts a single sweep, 0 stops one; the query reads the status.
    command(":WAVelength:SWEep[:STATe]", {
      set: {
        params: [codeParam([0, 1] as const)],
        run: (core, [start]) => (start === 1 ? core.startSweep(false) : core.stopSweep()),
      },
      query: { run: (core) => String(core.sweep.status) },
    }),
    command(":WAVelength:SWEep[:STATe]:REPeat", {
      set: { params: [], run: (core) => core.startSweep(true) },
    }),
    // Santec's `software_trigger`; QMI's is :TRIGger:INPut:SOFTtrigger (./trigger.ts).
    command(":WAVelength:SWEep:SOFTtrigger", { set: { params: [], run: (core) => core.softTrigger() } }),
  ];
}
