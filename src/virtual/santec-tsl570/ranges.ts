/**
 * What the virtual Santec TSL-570 can be set to, and how long and how well
 * it does it: SI units (m, Hz, W, s) unless a name says otherwise.
 *
 * Sources, as read for this model (INSTRUMENTS.md, "Santec TSL-570"):
 * - Santec's python-samples, samples/tsl_instrument/tsl_instrument.py
 *   (docstrings quoting the manual's command reference): power −15 to
 *   +13 dBm in 0.01 dB steps; wavelength steps of 0.1 pm, frequency steps
 *   of 10 MHz; sweep step 0.1 pm (20 MHz) to the span; speeds 1, 2, 5, 10,
 *   20, 50, 100, 200 nm/s; dwell and delay 0 to 999.9 s in 0.1 s; cycles
 *   0 to 999; trigger step 0.0001 nm to the range; attenuator 0 to 30 dB
 *   in 0.01 dB; fine tuning −100.00 to +100.00; 0 to 500,000 logged points.
 * - QMI, qmi/instruments/santec/tsl_570.py: `POWER_LEVEL_RANGE` −15 to
 *   13 dBm, 0.04 to 20.00 mW ("typical peak power from the datasheet …
 *   13dBm (~20.00mW)").
 * - A public QCoDeS driver for the TSL-570 (`SantecTSL570.MODEL_SPECS`,
 *   "Supported models from TSL-570 datasheet"): type 480640 covers
 *   1480–1640 nm, the model emulated here.
 */

/** Vacuum speed of light, m/s. */
export const SPEED_OF_LIGHT = 299_792_458;

/** Tuning range of the model emulated (TSL-570 type 480640), m. */
export const WAVELENGTH_RANGE = { min: 1480e-9, max: 1640e-9 } as const;

/** The same range as optical frequency, Hz (c/λmax to c/λmin). */
export const FREQUENCY_RANGE = {
  min: SPEED_OF_LIGHT / WAVELENGTH_RANGE.max,
  max: SPEED_OF_LIGHT / WAVELENGTH_RANGE.min,
} as const;

/** Wavelength setting resolution, m (0.1 pm); also the unit of a logged wavelength. */
export const WAVELENGTH_RESOLUTION = 1e-13;
/** Frequency setting resolution, Hz (10 MHz). */
export const FREQUENCY_RESOLUTION = 1e7;

/** Power setpoint range in dBm (−15 to +13 dBm). */
export const POWER_RANGE_DBM = { min: -15, max: 13 } as const;
/** Power setpoint range in mW, as QMI's driver tabulates it (0.04 to 20.00 mW). */
export const POWER_RANGE_MW = { min: 0.04, max: 20 } as const;
/** Peak output power, dBm: what leaves the laser with the attenuator at 0 dB in manual mode. */
export const PEAK_POWER_DBM = 13;
/** Attenuator range, dB (`:POWer:ATTenuation`). */
export const ATTENUATION_RANGE = { min: 0, max: 30 } as const;
/**
 * What `:POWer:ACTual?` reads with the output off, dBm: the sources give
 * the monitor's range only from −15 dBm up, so the floor is an assumption.
 */
export const MONITOR_FLOOR_DBM = -40;

/** The only sweep speeds the TSL-570 takes, nm/s (anything else is -222). */
export const SWEEP_SPEEDS_NM_PER_S = [1, 2, 5, 10, 20, 50, 100, 200] as const;
/** Smallest sweep step, m (0.1 pm), and smallest sweep step in frequency, Hz (20 MHz). */
export const MIN_SWEEP_STEP = 1e-13;
export const MIN_FREQUENCY_STEP = 2e7;
/** Dwell (stepped modes) and delay (between cycles), s: 0 to 999.9 in 0.1 s steps. */
export const DWELL_RANGE = { min: 0, max: 999.9 } as const;
export const DELAY_RANGE = { min: 0, max: 999.9 } as const;
/** Sweep repetitions (`:WAVelength:SWEep:CYCLes`). */
export const CYCLES_RANGE = { min: 0, max: 999 } as const;
/** Trigger output period in wavelength, m: 0.0001 nm to the width of the range. */
export const TRIGGER_STEP_RANGE = {
  min: 1e-13,
  max: WAVELENGTH_RANGE.max - WAVELENGTH_RANGE.min,
} as const;
/** Fine-tuning value range (`:WAVelength:FINe`, unitless, 0.01 steps). */
export const FINE_TUNING_RANGE = { min: -100, max: 100 } as const;
/** Most wavelengths the log holds (`:READout:POINts?` "0 to 500,000"); triggers beyond are not logged. */
export const MAX_LOGGED_POINTS = 500_000;

/**
 * Speed at which the laser moves to a new wavelength outside a sweep
 * (a `:WAVelength` change, the move to a sweep's start, a one-way sweep's
 * return), m/s. No source gives it; it is taken as the fastest sweep
 * speed, 200 nm/s, which the mechanics must at least reach: an assumption.
 */
export const TUNING_SPEED = 200e-9;
/**
 * Time the wavelength takes to settle after such a move, s: an
 * assumption of the order users report (LabExT PR 229, a stepped sweep on
 * a tunable laser, found readings steady after 0.5 s including its power
 * meter's averaging).
 */
export const TUNING_SETTLE = 0.1;

/** Time from a program message's arrival to its effect, s: an assumption (the 2450's is 0.5 ms). */
export const COMMAND_LATENCY_TSL570 = 1e-3;
/** Entries the error queue holds: not in the sources; an assumption. */
export const ERROR_QUEUE_CAPACITY_TSL570 = 32;

/** Time to move the wavelength by `distance` (m) outside a sweep and settle, s. */
export function tuningTime(distance: number): number {
  return Math.abs(distance) / TUNING_SPEED + TUNING_SETTLE;
}

/** Rounds `value` to a multiple of `resolution`. */
export function roundTo(value: number, resolution: number): number {
  return Math.round(value / resolution) * resolution;
}

/** dBm → W. */
export function dbmToWatts(dbm: number): number {
  return 1e-3 * 10 ** (dbm / 10);
}

/** W → dBm (−∞ for 0 W). */
export function wattsToDbm(watts: number): number {
  return 10 * Math.log10(watts / 1e-3);
}
