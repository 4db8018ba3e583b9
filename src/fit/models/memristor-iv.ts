/**
 * A memristor's current under a voltage programme (an I-V sweep, pulses)
 * as a model the engine fits: the prediction is `simulate`'s current at
 * each sample, the Jacobian the forward sensitivities of
 * `simulateWithGradient` (sensitivity.ts: ∂i/∂p_j carried through the
 * integrator's own RK4 stages), for any differentiable model of
 * src/models/memristor/.
 *
 * What an I-V sweep can tell apart depends on the model: the linear ion
 * drift (Strukov et al. 2008) moves its state at k = μ_v R_on/D², so μ_v
 * and D are seen only as μ_v/D²; fitted both, the engine names the
 * direction (δ ln μ_v = 2 δ ln D) it cannot see. Without a window and
 * away from the edges it sees only A = R_off − (R_off − R_on)x0 and
 * B = (R_off − R_on)k, since M(q) = A − B q (the paper's eq. (7)): R_on
 * is then determined only where the state reaches an edge or a window
 * bends the drift.
 */

import { simulateWithGradient } from "../../models/memristor/sensitivity.js";
import { simulate } from "../../models/memristor/simulate.js";
import type { DifferentiableMemristorModel } from "../../models/memristor/types.js";
import type { FitModel } from "../levenberg-marquardt.js";

export interface MemristorProgramme {
  /** Sample times, s. */
  readonly times: Float64Array;
  /** voltages[k], V, held from the previous sample until times[k]. */
  readonly voltages: Float64Array;
  /**
   * The state at t0, in the model's state variable (u = logit x under Joglekar's and Prodromakis'
   * windows; known: a fresh device's, or one read off a first sweep).
   */
  readonly x0: number;
  /** Time of x0, s (default: times[0]). */
  readonly t0?: number;
}

/** `model`'s current over `programme`. */
export function memristorIvFitModel<P extends Record<string, number>>(
  model: DifferentiableMemristorModel<P>,
  programme: MemristorProgramme,
): FitModel {
  const names = model.parameters.map((spec) => spec.name);
  const n = names.length;
  return {
    name: `${model.id} current`,
    parameters: model.parameters,
    evaluate(vector, prediction, jacobian) {
      const p = Object.fromEntries(names.map((name, j) => [name, vector[j] as number])) as P;
      const input = {
        times: programme.times,
        voltages: programme.voltages,
        x0: programme.x0,
        ...(programme.t0 !== undefined && { t0: programme.t0 }),
      };
      if (!jacobian) {
        prediction.set(simulate(model, p, input).current);
        return;
      }
      const { current, gradient } = simulateWithGradient(model, p, input);
      prediction.set(current);
      for (let j = 0; j < n; j++) {
        const column = gradient[j] as Float64Array;
        for (let i = 0; i < column.length; i++) jacobian[i * n + j] = column[i] as number;
      }
    },
  };
}
