/**
 * The virtual laser's imperfections (numbers and their sources below,
 * `LaserNoiseSpec`):
 * - wavelength repeatability: each tune lands within ±`wavelengthRepeatability`
 *   of its setpoint, one uniform draw per tune from a seeded generator, so
 *   a run replays exactly;
 * - relative intensity noise: the power at time t is scaled by
 *   1 + σ·g(t), σ = √(RIN·bandwidth), g a standard normal deviate that is
 *   a function of the seed and of t alone. `lightAt(t)` is then a pure
 *   function of time: asked twice for one moment (a detector and a test),
 *   it gives one answer.
 */
import { SeededRandom } from "../../models/random.js";

/** The virtual laser's imperfections; `noise: false` sets both to 0. */
export interface LaserNoiseSpec {
  /**
   * Wavelength repeatability, m: each tune (a `:WAVelength` change, a
   * sweep's start) lands within ± this of the setpoint, drawn uniformly.
   * ±1 pm is an assumption of the datasheet's order: no TSL-570
   * datasheet was in reach to check it.
   */
  readonly wavelengthRepeatability: number;
  /** Relative intensity noise, dB/Hz: an assumption typical of external-cavity lasers (−145 dB/Hz). */
  readonly relativeIntensityNoise: number;
  /** Bandwidth the RIN is integrated over for one value of `lightAt`, Hz (an assumption: 1 MHz, σ ≈ 5.6e-5). */
  readonly noiseBandwidth: number;
}

export const DEFAULT_LASER_NOISE: LaserNoiseSpec = {
  wavelengthRepeatability: 1e-12,
  relativeIntensityNoise: -145,
  noiseBandwidth: 1e6,
};

export class LightNoise {
  readonly #draws: SeededRandom;
  readonly #seed: number;
  readonly #sigma: number;
  readonly #repeatability: number;
  readonly #bits = new DataView(new ArrayBuffer(8));

  constructor(spec: LaserNoiseSpec, seed: number) {
    this.#draws = new SeededRandom(seed);
    this.#seed = seed >>> 0;
    this.#sigma = Math.sqrt(10 ** (spec.relativeIntensityNoise / 10) * spec.noiseBandwidth);
    this.#repeatability = spec.wavelengthRepeatability;
  }

  /** The error of one tune, m: uniform in ±repeatability. */
  tuneError(): number {
    return this.#repeatability * (2 * this.#draws.uniform() - 1);
  }

  /** The relative power deviation at time `t` (0 mean, σ rms). */
  intensityAt(t: number): number {
    if (this.#sigma === 0) return 0;
    this.#bits.setFloat64(0, t);
    const high = this.#bits.getUint32(0);
    const low = this.#bits.getUint32(4);
    const mixed = Math.imul(this.#seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(high, 0xc2b2ae35) ^ low;
    return this.#sigma * new SeededRandom(mixed).gaussian();
  }
}
