/** Test stimuli and loop measures shared by the model and core tests. */
import type { SimulationInput } from "../../../src/models/memristor/index.js";

/** `cycles` periods of amp·sin(2πft), sampled `perCycle` times a period, starting after t0 = 0. */
export function sineSweep(
  amplitude: number,
  frequency: number,
  cycles: number,
  perCycle: number,
): Omit<SimulationInput, "x0"> {
  const n = cycles * perCycle;
  const times = new Float64Array(n);
  const voltages = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const t = (k + 1) / (frequency * perCycle);
    times[k] = t;
    voltages[k] = amplitude * Math.sin(2 * Math.PI * frequency * t);
  }
  return { times, voltages, t0: 0 };
}

/**
 * Area of the I-V loop, A·V: |∮ i dv| over the samples at v ≥ 0 plus the
 * same over v < 0 (the two lobes of a pinched loop turn in opposite senses,
 * so the signed total would cancel). Trapezoid rule.
 */
export function lobeArea(voltages: Float64Array, currents: Float64Array): number {
  let positive = 0;
  let negative = 0;
  for (let k = 1; k < voltages.length; k++) {
    const v0 = voltages[k - 1] as number;
    const v1 = voltages[k] as number;
    const piece = 0.5 * ((currents[k] as number) + (currents[k - 1] as number)) * (v1 - v0);
    if (v0 + v1 >= 0) positive += piece;
    else negative += piece;
  }
  return Math.abs(positive) + Math.abs(negative);
}

/** Deterministic uniform [0, 1) generator (mulberry32), so failures replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
