/**
 * Derivatives of the output currents of a crossbar with wire resistance,
 * by the adjoint method. With A x = b (system.ts), I_j = g_c·w_{M−1,j} and
 * A symmetric, one adjoint solve A λ_j = e_j (the unit vector at w_{M−1,j})
 * per output gives
 *
 *   ∂I_j/∂θ = g_c λ_jᵀ (∂b/∂θ − (∂A/∂θ) x) + (∂g_c/∂θ) w_{M−1,j}.
 *
 * For a cell, ∂A/∂G_ab adds [[1, −1], [−1, 1]] on (u_ab, w_ab) and
 * ∂b/∂G_ab = (−V_a, +V_a) there, so
 *   ∂I_j/∂G_ab = g_c (λ_j[w_ab] − λ_j[u_ab]) (U_ab − W_ab).
 * For the lines, A = g_r L_r + g_c L_c + (cells), b does not depend on
 * them, and ∂g/∂r = −g², so
 *   ∂I_j/∂r_row = g_r² g_c λ_jᵀ L_r x,
 *   ∂I_j/∂r_col = g_c³ λ_jᵀ L_c x − g_c² w_{M−1,j}.
 * Both line resistances must be > 0 (the ideal limit has ∂I_j/∂G_ij = V_i).
 */
import { checkParameters } from "../parameters.js";
import {
  type CrossbarArray,
  CrossbarConvergenceError,
  type CrossbarParams,
  checkCrossbarInput,
  crossbarParameters,
  type SolverOptions,
  solutionOf,
  solverSettings,
} from "./network.js";
import { conjugateGradient, factorise, rightHandSide, workspace } from "./system.js";

export interface CrossbarJacobian {
  readonly currents: Float64Array;
  /** dConductances[j][i·N + k] = ∂I_j/∂G_ik, A/S. */
  readonly dConductances: readonly Float64Array[];
  /** ∂I_j/∂r_row, A/Ω. */
  readonly dRowResistance: Float64Array;
  /** ∂I_j/∂r_col, A/Ω. */
  readonly dColumnResistance: Float64Array;
}

export function crossbarJacobian(
  array: CrossbarArray,
  params: CrossbarParams,
  voltages: ArrayLike<number>,
  options: SolverOptions = {},
): CrossbarJacobian {
  checkParameters("crossbar", crossbarParameters, params);
  if (!(params.rowResistance > 0 && params.columnResistance > 0)) {
    throw new RangeError("crossbar: the Jacobian needs both line resistances > 0 (ideal: ∂I_j/∂G_ij = V_i)");
  }
  checkCrossbarInput(array, voltages);
  const { rows: m, columns: n, conductances } = array;
  const gr = 1 / params.rowResistance;
  const gc = 1 / params.columnResistance;
  const s = factorise(m, n, conductances, gr, gc);
  const work = workspace(s);
  const { tolerance, maxIterations } = solverSettings(array, options);
  const b = new Float64Array(2 * m * n);
  rightHandSide(s, voltages, b);
  const x = new Float64Array(2 * m * n);
  const iterations = conjugateGradient(s, b, x, work, tolerance, maxIterations);
  if (iterations > maxIterations) {
    throw new CrossbarConvergenceError(tolerance, maxIterations, "the Jacobian's forward solve");
  }
  const solution = solutionOf(s, voltages, x, iterations);
  // L_r u and L_c w: the line Laplacians (without g) applied to the solution.
  const lineRow = new Float64Array(m * n);
  const lineColumn = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const u = x[k] as number;
      const w = x[m * n + k] as number;
      lineRow[k] =
        (j < n - 1 ? 2 : 1) * u - (j > 0 ? (x[k - 1] as number) : 0) - (j < n - 1 ? (x[k + 1] as number) : 0);
      lineColumn[k] =
        (i > 0 ? 2 : 1) * w -
        (i > 0 ? (x[m * n + k - n] as number) : 0) -
        (i < m - 1 ? (x[m * n + k + n] as number) : 0);
    }
  }
  const dConductances: Float64Array[] = [];
  const dRowResistance = new Float64Array(n);
  const dColumnResistance = new Float64Array(n);
  const unit = new Float64Array(2 * m * n);
  const adjoint = new Float64Array(2 * m * n);
  for (let j = 0; j < n; j++) {
    unit.fill(0);
    unit[m * n + (m - 1) * n + j] = 1;
    if (conjugateGradient(s, unit, adjoint, work, tolerance, maxIterations) > maxIterations) {
      throw new CrossbarConvergenceError(tolerance, maxIterations, `the adjoint solve for I_${j}`);
    }
    const dG = new Float64Array(m * n);
    let row = 0;
    let column = 0;
    for (let k = 0; k < m * n; k++) {
      const lu = adjoint[k] as number;
      const lw = adjoint[m * n + k] as number;
      dG[k] = gc * (lw - lu) * ((solution.rowVoltages[k] as number) - (solution.columnVoltages[k] as number));
      row += lu * (lineRow[k] as number);
      column += lw * (lineColumn[k] as number);
    }
    dConductances.push(dG);
    dRowResistance[j] = gr * gr * gc * row;
    dColumnResistance[j] = gc * gc * gc * column - gc * gc * (x[m * n + (m - 1) * n + j] as number);
  }
  return { currents: solution.currents, dConductances, dRowResistance, dColumnResistance };
}
