/**
 * The output wavelength and frequency (Santec's tsl_instrument.py
 * `set_wavelength`, `set_fine_tuning`; QMI's tsl_570.py `set_wavelength`,
 * `set_frequency`, `get_minimum_wavelength`; PyMeasure's tsl500series.py
 * `wavelength_setpoint`, `frequency_setpoint`).
 *
 * The frequency commands are reached as `:WAVelength:FREQuency` (QMI,
 * QCoDeS) and as `:FREQuency` (PyMeasure, Santec's samples), so the
 * `:WAVelength` node is optional before them. A frequency is a wavelength
 * c/f: the laser holds one setpoint. Setting either starts a tune.
 */
import {
  FINE_TUNING_RANGE,
  FREQUENCY_RANGE,
  FREQUENCY_RESOLUTION,
  roundTo,
  SPEED_OF_LIGHT,
  WAVELENGTH_RANGE,
  WAVELENGTH_RESOLUTION,
} from "../ranges.js";
import {
  formatFrequency,
  formatNumber,
  formatWavelength,
  frequencyIn,
  numberParam,
  plain,
  toFrequency,
  wavelengthIn,
} from "../wire-format.js";
import { code, command, quantity } from "./quantity.js";

/** A wavelength in the laser's range, to 0.1 pm. */
export const wavelengthParam = numberParam({
  min: WAVELENGTH_RANGE.min,
  max: WAVELENGTH_RANGE.max,
  convert: wavelengthIn,
  round: (_core, value) => roundTo(value, WAVELENGTH_RESOLUTION),
});

/** A frequency in the laser's range, to 10 MHz. */
export const frequencyParam = numberParam({
  min: FREQUENCY_RANGE.min,
  max: FREQUENCY_RANGE.max,
  convert: frequencyIn,
  round: (_core, value) => roundTo(value, FREQUENCY_RESOLUTION),
});

export function wavelengthCommands() {
  return [
    quantity(":WAVelength", {
      param: wavelengthParam,
      get: (core) => core.wavelengthSetpoint(),
      set: (core, wavelength) => core.tuneTo(wavelength),
      format: formatWavelength,
    }),
    command(":WAVelength:MINimum", {
      query: { run: (core) => formatWavelength(core, WAVELENGTH_RANGE.min) },
    }),
    command(":WAVelength:MAXimum", {
      query: { run: (core) => formatWavelength(core, WAVELENGTH_RANGE.max) },
    }),
    quantity("[:WAVelength]:FREQuency", {
      param: frequencyParam,
      get: (core) => toFrequency(core.wavelengthSetpoint()),
      set: (core, frequency) => core.tuneTo(SPEED_OF_LIGHT / frequency),
      format: formatFrequency,
    }),
    command("[:WAVelength]:FREQuency:MINimum", {
      query: { run: (core) => formatFrequency(core, FREQUENCY_RANGE.min) },
    }),
    command("[:WAVelength]:FREQuency:MAXimum", {
      query: { run: (core) => formatFrequency(core, FREQUENCY_RANGE.max) },
    }),
    // 0 nm, 1 THz: the front panel's unit; remote values keep the command set's.
    code(
      ":WAVelength:UNIT",
      [0, 1] as const,
      (core) => core.settings.displayUnit,
      (core, unit) => {
        core.settings.displayUnit = unit;
      },
    ),
    quantity(":WAVelength:FINe", {
      param: numberParam({
        ...FINE_TUNING_RANGE,
        convert: (_core, value, suffix) => plain(value, suffix),
        round: (_core, value) => roundTo(value, 0.01),
      }),
      get: (core) => core.settings.fineTuning,
      set: (core, value) => {
        core.settings.fineTuning = value;
      },
      format: (core, value) => formatNumber(core, value, 2),
    }),
    // "Terminates Fine-Tuning operation" (Santec's `disable_fine_tuning`, QMI's `:WAV:FIN:DIS`).
    command(":WAVelength:FINetuning:DISable", {
      set: {
        params: [],
        run: (core) => {
          core.settings.fineTuning = 0;
        },
      },
    }),
  ];
}
