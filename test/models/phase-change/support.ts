/** Pulse trains for the phase-change cell tests. */
import type { CellInput, CellState } from "../../../src/models/phase-change/index.js";

/** Rectangular pulses on a uniform grid of step dt: [power W, duration s] segments in order. */
export function pulseTrain(
  segments: readonly (readonly [number, number])[],
  dt: number,
  initial: CellState = { temperature: 300, fraction: 0 },
): CellInput {
  const powers: number[] = [];
  for (const [power, duration] of segments) {
    const steps = Math.round(duration / dt);
    for (let k = 0; k < steps; k++) powers.push(power);
  }
  const times = Float64Array.from(powers, (_, k) => (k + 1) * dt);
  return { times, powers: Float64Array.from(powers), initial, t0: 0 };
}
