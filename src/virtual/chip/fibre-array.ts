/**
 * The fibre array between a bench's light source, the chip and its
 * detector (issue 16, "Which optical path the fibres meet … is part of the
 * bench's state"). On a real bench the input and output fibres sit over one
 * pair of grating couplers at a time: the ring's or the reference
 * waveguide's. Moving them is a move of the array (by hand or by a stage);
 * on the virtual bench it is {@link FibreArray.moveTo}, reached through the
 * bench's control endpoint.
 *
 * The source is a function of time rather than a held value, so that a
 * laser's continuous sweep reaches the chip as a wavelength that moves with
 * the clock: whatever the detector reads at time t is the source's light at
 * t, times the path's transmission at that light's wavelength with the
 * chip's state at t. Light does not heat the chip (see ./optical.ts).
 */
import type { OpticalPath } from "../../models/chip/index.js";
import type { VirtualDemoChip } from "./demo-chip.js";
import { checkLight, DARK, type LightDrive } from "./optical.js";

/** What puts light into the input fibre: the light it emits at a time on the bench clock. */
export interface LightSource {
  /** Light leaving the source at `time` (s on the bench clock): power 0 when off or shuttered. */
  lightAt(time: number): LightDrive;
}

/** Where the detector sits: the power arriving at it. */
export interface LightDetector {
  /** Which path the fibres meet now. */
  readonly path: OpticalPath;
  /** Optical power arriving at the detector now, W, and the light that carried it. */
  read(): { readonly power: number; readonly light: LightDrive };
  /**
   * The same at an earlier `time` of the detector's averaging window (s on
   * the bench clock, not after now): the source's light then, through the
   * path with the chip's state now. A meter that averages samples over a
   * window sees a sweeping laser's wavelength move across it; the chip's
   * optical state moves far slower than a window of milliseconds, unless a
   * heater is switched inside it.
   */
  readAt?(time: number): { readonly power: number; readonly light: LightDrive };
}

const NO_SOURCE: LightSource = { lightAt: () => DARK };

export class FibreArray implements LightDetector {
  readonly chip: VirtualDemoChip;
  #path: OpticalPath;
  #source: LightSource = NO_SOURCE;
  readonly #moves: Array<{ time: number; path: OpticalPath }> = [];

  constructor(chip: VirtualDemoChip, path: OpticalPath = "ring") {
    this.chip = chip;
    this.#path = checkPath(chip, path);
  }

  get path(): OpticalPath {
    return this.#path;
  }

  /** Every move made, with its time on the bench clock (what a plan records next to its data). */
  get moves(): ReadonlyArray<{ readonly time: number; readonly path: OpticalPath }> {
    return this.#moves;
  }

  /** Moves the fibres over `path`'s couplers, now. */
  moveTo(path: OpticalPath): void {
    this.#path = checkPath(this.chip, path);
    this.#moves.push({ time: this.chip.clock.now(), path });
  }

  /** Connects the input fibre to `source` (a laser); one source at a time. */
  attach(source: LightSource): void {
    if (this.#source !== NO_SOURCE && this.#source !== source) {
      throw new Error("the fibre array's input already has a light source attached");
    }
    this.#source = source;
  }

  read(): { power: number; light: LightDrive } {
    return this.readAt(this.chip.clock.now());
  }

  readAt(time: number): { power: number; light: LightDrive } {
    const light = this.#source.lightAt(Math.min(time, this.chip.clock.now()));
    checkLight(this.#path, light);
    if (light.power === 0) return { power: 0, light };
    return { power: light.power * this.chip.transmission(this.#path, light.wavelength), light };
  }
}

function checkPath(chip: VirtualDemoChip, path: OpticalPath): OpticalPath {
  // The chip names its paths in its own error; asking it for the input checks the name.
  chip.opticalInput(path);
  return path;
}
