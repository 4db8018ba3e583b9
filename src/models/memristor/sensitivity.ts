/**
 * Forward sensitivities of a simulation with respect to every model
 * parameter: s_j = ∂x/∂p_j is carried through the same RK4 stages as the
 * state (each stage: K = f_x·S + f_p), projected stages taking the
 * derivative of the bound they were projected onto, and then
 * ∂i/∂p_j = i_x·s_j + i_p at each sample.
 *
 * The substep lengths are treated as constants: they are chosen by the
 * accuracy controller of `integrate.ts`, not by the model, and moving them
 * changes the result only by the discretisation error (≲1e-9 relative for
 * the bench waveforms; the gradient tests bound it at 1e-6). The states
 * returned are exactly those of `simulate`.
 */
import { holdVoltage } from "./integrate.js";
import { project } from "./portable/scheme.js";
import { checkSimulation } from "./simulate.js";
import type { DifferentiableMemristorModel, GradientResult, SimulationInput } from "./types.js";

export interface GradientInput extends SimulationInput {
  /** ∂x0/∂p_j, when x0 depends on the parameters (e.g. x0 = initialState(p)); zero if absent. */
  readonly x0Gradient?: ArrayLike<number>;
}

/** `simulate`, plus gradient[j][k] = ∂current[k]/∂p_j in `model.parameters` order. */
export function simulateWithGradient<P extends Record<string, number>>(
  model: DifferentiableMemristorModel<P>,
  p: P,
  input: GradientInput,
): GradientResult {
  const [lower, upper] = checkSimulation(model, p, input);
  const nParams = model.parameters.length;
  const { times, voltages } = input;
  const state = new Float64Array(times.length);
  const current = new Float64Array(times.length);
  const gradient = Array.from({ length: nParams }, () => new Float64Array(times.length));
  const carrier = new SensitivityCarrier(model, p, lower, upper);
  if (input.x0Gradient) {
    if (input.x0Gradient.length !== nParams) {
      throw new RangeError(`${model.id}: x0Gradient has ${input.x0Gradient.length} entries, not ${nParams}`);
    }
    carrier.s.set(Array.from(input.x0Gradient));
  }
  const dp = new Float64Array(nParams);
  let x = input.x0;
  let previous = input.t0 ?? times[0] ?? 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    const v = voltages[k] as number;
    carrier.v = v;
    x = holdVoltage(model, p, x, v, t - previous, lower, upper, carrier.observe);
    state[k] = x;
    current[k] = model.current(x, v, p);
    const ix = model.currentPartials(x, v, p, dp);
    for (let j = 0; j < nParams; j++) {
      (gradient[j] as Float64Array)[k] = ix * (carrier.s[j] as number) + (dp[j] as number);
    }
    previous = t;
  }
  return { state, current, gradient };
}

/** Carries s = ∂x/∂p through the substeps reported by `holdVoltage`. */
class SensitivityCarrier<P extends Record<string, number>> {
  /** ∂x/∂p_j of the current state. */
  readonly s: Float64Array;
  /** Voltage of the hold being integrated. */
  v = 0;
  private readonly lowerGradient: Float64Array;
  private readonly upperGradient: Float64Array;
  private readonly dp: Float64Array;
  private readonly stage: Float64Array;
  private readonly rates: readonly [Float64Array, Float64Array, Float64Array, Float64Array];

  constructor(
    private readonly model: DifferentiableMemristorModel<P>,
    private readonly p: P,
    private readonly lower: number,
    private readonly upper: number,
  ) {
    const n = model.parameters.length;
    this.s = new Float64Array(n);
    this.lowerGradient = new Float64Array(n);
    this.upperGradient = new Float64Array(n);
    model.stateBoundsPartials(p, this.lowerGradient, this.upperGradient);
    this.dp = new Float64Array(n);
    this.stage = new Float64Array(n);
    this.rates = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  }

  readonly observe = (x: number, h: number, k1: number, k2: number, k3: number, k4: number): void => {
    const [r1, r2, r3, r4] = this.rates;
    this.stageRate(x, this.s, r1);
    this.stageRate(this.advanceStage(x + 0.5 * h * k1, 0.5 * h, r1), this.stage, r2);
    this.stageRate(this.advanceStage(x + 0.5 * h * k2, 0.5 * h, r2), this.stage, r3);
    this.stageRate(this.advanceStage(x + h * k3, h, r3), this.stage, r4);
    const s = this.s;
    for (let j = 0; j < s.length; j++) {
      s[j] =
        (s[j] as number) +
        (h / 6) * ((r1[j] as number) + 2 * (r2[j] as number) + 2 * (r3[j] as number) + (r4[j] as number));
    }
    this.projectSensitivity(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), s);
  };

  /** Stage sensitivity s + c·rate into `stage`, projected like the stage state; returns the stage state. */
  private advanceStage(raw: number, c: number, rate: Float64Array): number {
    const stage = this.stage;
    for (let j = 0; j < stage.length; j++) stage[j] = (this.s[j] as number) + c * (rate[j] as number);
    this.projectSensitivity(raw, stage);
    return project(raw, this.lower, this.upper);
  }

  /** A state projected onto a bound takes that bound's derivative. */
  private projectSensitivity(raw: number, sensitivity: Float64Array): void {
    if (raw < this.lower) sensitivity.set(this.lowerGradient);
    else if (raw > this.upper) sensitivity.set(this.upperGradient);
  }

  /** Total rate derivative f_x·S + f_p at stage state x into `out`. */
  private stageRate(x: number, sensitivity: Float64Array, out: Float64Array): void {
    const fx = this.model.dxdtPartials(x, this.v, this.p, this.dp);
    for (let j = 0; j < out.length; j++) out[j] = fx * (sensitivity[j] as number) + (this.dp[j] as number);
  }
}
