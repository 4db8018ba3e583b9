/**
 * Reading noise of the virtual source-meters (moved here from the 2400's
 * measure.ts so that the 2400 and the 2450 share one model).
 */
import type { SeededRandom } from "../models/random.js";

/**
 * Gaussian reading noise, rms: `gain`·|reading| + `rangeFraction`·range at
 * 1 PLC, falling as 1/√(NPLC·filter count) as integration averages it.
 * The defaults are a tenth of the 2400's 1-year accuracy on its middle
 * ranges (2400 manual Appendix A: 0.012 % + 300 µV on 2 V; 0.029 % + 300 nA
 * on 1 mA); the 2450's specifications on those ranges are of the same
 * order (0.012 % + 200 µV on 2 V; 0.025 % + 200 nA on 1 mA, 2450 datasheet),
 * so both models use them.
 */
export interface NoiseSpec {
  readonly gain: number;
  readonly rangeFraction: number;
}

export const DEFAULT_NOISE: NoiseSpec = { gain: 1e-5, rangeFraction: 2e-5 };

export class MeasurementNoise {
  constructor(
    readonly spec: NoiseSpec,
    readonly random: SeededRandom,
  ) {}

  /** `value` plus a deviate for its range and integration. */
  add(value: number, range: number, averagedPlc: number): number {
    const sigma =
      (this.spec.gain * Math.abs(value) + this.spec.rangeFraction * range) / Math.sqrt(averagedPlc);
    return value + sigma * this.random.gaussian();
  }
}
