/**
 * The optical ports of a chip (DESIGN.md, "Virtual instruments": an optical
 * input and output for each path). A light source (a tunable laser) drives
 * a path's input with a wavelength and a power, held until it changes; a
 * detector (a power meter) behind the path's output reads the power that
 * leaves it: the input power times the path's transmission at that
 * wavelength, with the chip's state at the clock's now. Light does not
 * heat the chip in this model (the ring's few milliwatts are far below
 * what its heater dissipates).
 */

/** What a source puts into an optical input. */
export interface LightDrive {
  /** Vacuum wavelength, m. */
  readonly wavelength: number;
  /** Optical power into the input, W (0: dark). */
  readonly power: number;
}

export const DARK: LightDrive = Object.freeze({ wavelength: 1.55e-6, power: 0 });

export interface OpticalInput {
  /** The optical path this input feeds ("ring", "reference"). */
  readonly path: string;
  /** Puts `light` into the input from time `at` on (s on the bench clock, default now), held until the next drive. */
  drive(light: LightDrive, at?: number): void;
}

export interface OpticalOutput {
  readonly path: string;
  /** Optical power leaving the output now, W. */
  read(): number;
}

/** Checks light before it reaches a chip: a positive finite wavelength, a finite power ≥ 0. */
export function checkLight(path: string, light: LightDrive): void {
  if (!(light.wavelength > 0 && Number.isFinite(light.wavelength))) {
    throw new RangeError(
      `optical input "${path}": wavelength ${light.wavelength} m is not positive and finite`,
    );
  }
  if (!(light.power >= 0 && Number.isFinite(light.power))) {
    throw new RangeError(`optical input "${path}": power ${light.power} W is not finite and ≥ 0`);
  }
}
