/**
 * Everything a PM100USB user can set over SCPI that the virtual meter
 * models, as plain data (SI units), its `*RST` values, and the console's
 * photodiode current ranges.
 */
import type { Pm100SensorSpec } from "./sensor.js";

/**
 * Full-scale currents of the photodiode input, A: six decades from 50 nA
 * to 5 mA (PM100USB specifications, "photodiode current ranges"; as
 * recalled, the spec sheet was not reachable from here). A power range is
 * one of these divided by the responsivity at the correction wavelength.
 */
export const CURRENT_RANGES: readonly number[] = Object.freeze([50e-9, 500e-9, 5e-6, 50e-6, 500e-6, 5e-3]);

/** Largest averaging count: the count is an int16 in Thorlabs' VISA driver (PM100D.h `PM100D_setAvgCnt(…, ViInt16 averageCount)`). */
export const MAX_AVERAGE_COUNT = 32767;

export type PowerUnit = "W" | "DBM";

/** What `CONFigure` selects and `READ?`/`FETCh?` return (`CONF?` answers the mnemonic). */
export type MeasureFunction = "POW" | "CURR";

export interface Pm100Settings {
  /** `SENS:CORR:WAV`: the wavelength whose responsivity converts current into power, m. */
  correctionWavelength: number;
  /** `SENS:AVER:COUN`: samples averaged into one reading. */
  averageCount: number;
  /** `SENS:POW:RANG:AUTO` (shared with `SENS:CURR:RANG:AUTO`). */
  rangeAutoEnabled: boolean;
  /** Full-scale current of the present range, A (one of {@link CURRENT_RANGES}). */
  currentRange: number;
  /** `SENS:POW:UNIT`. */
  powerUnit: PowerUnit;
  /** `CONFigure[:SCALar]:<function>`. */
  measureFunction: MeasureFunction;
  /** `SENS:CORR:LOSS:INP:MAGN`: attenuation in front of the head, dB; readings are multiplied by 10^(dB/10). */
  lossDb: number;
  /** `SENS:CORR:BEAM`, m (used only for power density, which is not modelled). */
  beamDiameter: number;
  /** `INP:PDI:FILT:LPAS:STAT`: the photodiode input's low-pass filter (kept; readings are averages anyway). */
  lowPassEnabled: boolean;
  /** `SYST:BEEP:STAT`. */
  beeperEnabled: boolean;
  /** `SYST:LFR`, Hz. */
  lineFrequency: 50 | 60;
}

/**
 * The `*RST` state: the head's default wavelength, averaging 1, autorange
 * on the most sensitive range, W, power, no attenuation, the beam filling
 * the aperture. `*RST` "returns the instrument to the default conditions"
 * (PM100D manual §6.4.2.2.4); which settings that covers is not listed, so
 * all of these are reset and the line frequency (a site setting) is kept.
 */
export function resetSettings(
  sensor: Pm100SensorSpec | undefined,
  lineFrequency: 50 | 60 = 50,
): Pm100Settings {
  return {
    correctionWavelength: sensor?.defaultWavelength ?? 0,
    averageCount: 1,
    rangeAutoEnabled: true,
    currentRange: CURRENT_RANGES[0] as number,
    powerUnit: "W",
    measureFunction: "POW",
    lossDb: 0,
    beamDiameter: sensor?.apertureDiameter ?? 0,
    lowPassEnabled: false,
    beeperEnabled: true,
    lineFrequency,
  };
}
