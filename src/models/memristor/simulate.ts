/**
 * Public entry points that run a model in time: `advance` for one held
 * voltage (what a virtual instrument does between two readings) and
 * `simulate` for a sampled waveform (what the twin does with a batch).
 * Both validate, then use the one scheme of `integrate.ts`.
 */
import { checkParameters } from "../parameters.js";
import { checkState, holdVoltage } from "./integrate.js";
import type { MemristorModel, SimulationInput, SimulationResult } from "./types.js";

/**
 * Advances state x under constant voltage v (V) for dt ≥ 0 seconds and
 * returns the new state. Refuses out-of-range parameters
 * (ParameterRangeError) and states outside the model's bounds (RangeError).
 */
export function advance<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  x: number,
  v: number,
  dt: number,
): number {
  checkParameters(model.id, model.parameters, p);
  const [lower, upper] = model.stateBounds(p);
  checkState(model, x, lower, upper);
  if (!Number.isFinite(v)) throw new RangeError(`${model.id}: voltage ${v} V is not finite`);
  if (!(dt >= 0 && dt < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`${model.id}: hold time ${dt} s must be finite and ≥ 0`);
  }
  return holdVoltage(model, p, x, v, dt, lower, upper);
}

/**
 * Zero-order-hold simulation: voltages[k] is held from times[k−1] until
 * times[k] (from input.t0, or not at all, before the first sample); state[k]
 * and current[k] are taken at times[k], after the hold.
 */
export function simulate<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  input: SimulationInput,
): SimulationResult {
  const [lower, upper] = checkSimulation(model, p, input);
  const { times, voltages } = input;
  const state = new Float64Array(times.length);
  const current = new Float64Array(times.length);
  let x = input.x0;
  let previous = input.t0 ?? times[0] ?? 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    const v = voltages[k] as number;
    x = holdVoltage(model, p, x, v, t - previous, lower, upper);
    state[k] = x;
    current[k] = model.current(x, v, p);
    previous = t;
  }
  return { state, current };
}

/**
 * Validates parameters, waveform and initial state of a simulation and
 * returns the state bounds. Shared with `simulateWithGradient`.
 */
export function checkSimulation<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  input: SimulationInput,
): readonly [number, number] {
  checkParameters(model.id, model.parameters, p);
  const { times, voltages } = input;
  if (times.length !== voltages.length) {
    throw new RangeError(`${model.id}: ${times.length} times but ${voltages.length} voltages`);
  }
  let previous = input.t0 ?? times[0] ?? 0;
  if (!Number.isFinite(previous)) throw new RangeError(`${model.id}: start time ${previous} s is not finite`);
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    if (!(t >= previous && Number.isFinite(t))) {
      throw new RangeError(`${model.id}: time[${k}] = ${t} s is not finite or goes back from ${previous} s`);
    }
    if (!Number.isFinite(voltages[k])) throw new RangeError(`${model.id}: voltage[${k}] = ${voltages[k]} V`);
    previous = t;
  }
  const bounds = model.stateBounds(p);
  checkState(model, input.x0, bounds[0], bounds[1]);
  return bounds;
}

/**
 * Where state s puts the device in its physical range, 0 (lower bound) to
 * 1 (upper): the model's own `fraction` where its state is a stretched
 * coordinate (the linear drift's logit), else (s − lower)/(upper − lower).
 */
export function stateFraction<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  s: number,
): number {
  if (model.fraction) return model.fraction(s, p);
  const [lower, upper] = model.stateBounds(p);
  return (s - lower) / (upper - lower);
}

/** The state at physical fraction f ∈ [0, 1] of the range: `stateFraction`'s inverse. */
export function stateAtFraction<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  f: number,
): number {
  if (!(f >= 0 && f <= 1))
    throw new RangeError(`${model.id}: fraction ${f} of the state range is outside [0, 1]`);
  if (model.fromFraction) return model.fromFraction(f, p);
  const [lower, upper] = model.stateBounds(p);
  return lower + f * (upper - lower);
}
