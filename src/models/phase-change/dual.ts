/**
 * Forward-mode dual numbers for the phase-change cell's sensitivities: a
 * value and its partial derivatives with respect to n seeds (the model's
 * parameters). Each function computes the value with the same expression
 * as the plain model code (portable/cell.ts), so a dual run follows the
 * plain run's trajectory exactly and only adds derivatives.
 *
 * Allocation per operation is fine here: gradients are for calibration
 * (a few thousand steps), not for the 10⁶-cell batches.
 */

import { expm1OverX as portableExpm1OverX } from "./portable/cell.js";

export interface Dual {
  readonly v: number;
  /** ∂v/∂seed_j. */
  readonly d: Float64Array;
}

export function constant(v: number, n: number): Dual {
  return { v, d: new Float64Array(n) };
}

/** Seed j of n, with value v. */
export function variable(v: number, n: number, j: number): Dual {
  const d = new Float64Array(n);
  d[j] = 1;
  return { v, d };
}

/** f(a) with f′(a) = slope. */
function chain(a: Dual, v: number, slope: number): Dual {
  return { v, d: a.d.map((x) => x * slope) };
}

/** α·a + β·b with value v. */
function combine(v: number, a: Dual, alpha: number, b: Dual, beta: number): Dual {
  return { v, d: a.d.map((x, j) => alpha * x + beta * (b.d[j] as number)) };
}

export const add = (a: Dual, b: Dual): Dual => combine(a.v + b.v, a, 1, b, 1);
export const sub = (a: Dual, b: Dual): Dual => combine(a.v - b.v, a, 1, b, -1);
export const mul = (a: Dual, b: Dual): Dual => combine(a.v * b.v, a, b.v, b, a.v);
export const div = (a: Dual, b: Dual): Dual => combine(a.v / b.v, a, 1 / b.v, b, -a.v / (b.v * b.v));
export const scale = (a: Dual, s: number): Dual => chain(a, a.v * s, s);
export const neg = (a: Dual): Dual => chain(a, -a.v, -1);

export function exp(a: Dual): Dual {
  const v = Math.exp(a.v);
  return chain(a, v, v);
}

export function expm1(a: Dual): Dual {
  return chain(a, Math.expm1(a.v), Math.exp(a.v));
}

export function log(a: Dual): Dual {
  return chain(a, Math.log(a.v), 1 / a.v);
}

export function log1p(a: Dual): Dual {
  return chain(a, Math.log1p(a.v), 1 / (1 + a.v));
}

/** a^b for a ≥ 0 (at a = 0: 0 with zero derivative, as for b > 1; b = 1 passes a's derivative). */
export function pow(a: Dual, b: Dual): Dual {
  const v = a.v ** b.v;
  if (a.v === 0) return b.v === 1 ? chain(a, v, 1) : chain(a, v, 0);
  return combine(v, a, b.v * a.v ** (b.v - 1), b, v * Math.log(a.v));
}

/**
 * (e^δ − 1)/δ, the factor of the log-mean rate integral: value by the
 * portable code's own `expm1OverX`; derivative (δe^δ − e^δ + 1)/δ², by its
 * series 1/2 + δ/3 + δ²/8 + δ³/30 where that formula cancels.
 */
export function expm1OverX(a: Dual): Dual {
  const x = a.v;
  const slope =
    Math.abs(x) < 1e-3
      ? 0.5 + x * (1 / 3 + x * (1 / 8 + x / 30))
      : (x * Math.exp(x) - Math.expm1(x)) / (x * x);
  return chain(a, portableExpm1OverX(x), slope);
}
