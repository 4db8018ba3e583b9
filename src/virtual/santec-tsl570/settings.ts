/**
 * Everything a TSL-570 user sets that the virtual laser models, as plain
 * data in SI units, and what it holds at power-on. The wavelength, the
 * output state and a running sweep are not here: they change with time on
 * the bench clock and live in the core's optical history (./core.ts).
 *
 * `*RST` leaves all of this alone (INSTRUMENTS.md: "`*RST` only stops a
 * sweep and clears the queues; settings persist"). The real laser keeps
 * its settings across power cycles too, so the power-on values below are
 * this model's choice, not the manual's.
 */
import { dbmToWatts } from "./ranges.js";

/**
 * The command set (`:SYSTem:COMMunicate:CODe`): 1 SCPI (m, Hz, unit
 * suffixes), 0 Legacy (nm, THz, no suffixes).
 */
export type CommandSet = "SCPI" | "Legacy";

/**
 * `:WAVelength:SWEep:MODe` (Santec's tsl_instrument.py, QMI, PyMeasure's
 * `SweepMode`): 0 stepped one-way, 1 continuous one-way, 2 stepped two-way,
 * 3 continuous two-way.
 */
export type SweepModeCode = 0 | 1 | 2 | 3;

/** `:TRIGger:OUTPut`: 0 none, 1 at each sweep's stop, 2 at each sweep's start, 3 at each step. */
export type TriggerTimingCode = 0 | 1 | 2 | 3;

export interface SweepSettings {
  /** First wavelength, m (may be above `stop`: the laser then sweeps down). */
  start: number;
  /** Last wavelength, m. */
  stop: number;
  /** Stepped modes: the step, m. */
  step: number;
  /** Speed, m/s (set in nm/s: one of SWEEP_SPEEDS_NM_PER_S); stepped modes move between steps at it. */
  speed: number;
  /** Stepped modes: wait at each step, s, not counting the move. */
  dwell: number;
  /** Wait between cycles of a repeated sweep, s. */
  delay: number;
  /** Cycles of `:WAVelength:SWEep:REPeat`; 0 repeats until stopped (an assumption: the sources give only the range 0–999). */
  cycles: number;
  mode: SweepModeCode;
}

export interface TriggerSettings {
  /** `:TRIGger:OUTPut`: when the trigger output fires, and so when the wavelength is logged. */
  output: TriggerTimingCode;
  /** `:TRIGger:OUTPut:STEP`: the trigger period in wavelength, m. */
  step: number;
  /**
   * `:TRIGger:OUTPut:SETTing`: 0 periodic in wavelength, 1 periodic in time
   * (Santec's tsl_instrument.py and the QCoDeS driver; QMI's docstring
   * states the reverse). In time, the period is `step` ÷ the sweep speed;
   * the virtual sweep's speed is exact, so both give the same triggers.
   */
  periodInTime: boolean;
  /** `:TRIGger:OUTPut:ACTive` (1 low active): kept, no effect. */
  outputActiveLow: boolean;
  /** `:TRIGger:INPut:EXTernal`: kept; the virtual laser has no trigger input jack. */
  inputExternal: boolean;
  /** `:TRIGger:INPut:ACTive`: kept, no effect. */
  inputActiveLow: boolean;
  /** `:TRIGger:INPut:STANdby`: a started sweep waits, ready at its start, for a soft trigger. */
  inputStandby: boolean;
  /** `:TRIGger:THRough`: kept, no effect. */
  through: boolean;
}

export interface Tsl570Settings {
  commandSet: CommandSet;
  /** `:WAVelength:UNIT` (0 nm, 1 THz): what the front panel shows; remote values do not follow it. */
  displayUnit: 0 | 1;
  /** `:WAVelength:FINe`, −100 to 100: kept and read back; its effect on the light is not modelled. */
  fineTuning: number;
  /** `:POWer:UNIT`: 0 dBm, 1 mW; the unit of `:POWer` and `:POWer:ACTual?` values. */
  powerUnit: 0 | 1;
  /** `:POWer`: the output power setpoint, W. */
  powerSetpoint: number;
  /** `:POWer:ATTenuation` as set, dB: the attenuator in manual power control. */
  attenuation: number;
  /** `:POWer:ATTenuation:AUTo`: 1 the laser holds `powerSetpoint` (auto), 0 the attenuator is fixed (manual). */
  attenuationAuto: boolean;
  /** `:COHCtrl`: kept; the linewidth is not modelled. */
  coherenceControlEnabled: boolean;
  sweep: SweepSettings;
  trigger: TriggerSettings;
}

/** Settings at power-on (this model's choice): 0 dBm, a 1500–1600 nm continuous sweep at 10 nm/s, no trigger. */
export function powerOnSettings(commandSet: CommandSet): Tsl570Settings {
  return {
    commandSet,
    displayUnit: 0,
    fineTuning: 0,
    powerUnit: 0,
    powerSetpoint: dbmToWatts(0),
    attenuation: 0,
    attenuationAuto: true,
    coherenceControlEnabled: false,
    sweep: {
      start: 1500e-9,
      stop: 1600e-9,
      step: 1e-10,
      speed: 10e-9,
      dwell: 0,
      delay: 0,
      cycles: 1,
      mode: 1,
    },
    trigger: {
      output: 0,
      step: 1e-10,
      periodInTime: false,
      outputActiveLow: false,
      inputExternal: false,
      inputActiveLow: false,
      inputStandby: false,
      through: false,
    },
  };
}
