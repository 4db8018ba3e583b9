/**
 * `simulateCell` with the derivative of every output with respect to every
 * cell parameter, by forward-mode dual numbers (dual.ts) through the same
 * step as portable/cell.ts: the branches (melted, above T_x, crossing) are
 * taken on the values, so the derivative is that of the branch the plain
 * run takes — exact except where a sample lands on T_x or T_m.
 */
import { BOLTZMANN } from "../constants.js";
import { type CellInput, type CellParams, type CellTrace, cellParameters, checkCellInput } from "./cell.js";
import {
  add,
  constant,
  type Dual,
  div,
  exp,
  expm1,
  expm1OverX,
  log,
  log1p,
  mul,
  neg,
  pow,
  scale,
  sub,
  variable,
} from "./dual.js";

export interface CellGradient extends CellTrace {
  /** temperature[j][k] = ∂T(t_k)/∂p_j, in `cellParameters` order. */
  readonly dTemperature: readonly Float64Array[];
  /** fraction[j][k] = ∂X(t_k)/∂p_j. */
  readonly dFraction: readonly Float64Array[];
}

export function simulateCellWithGradient(p: CellParams, input: CellInput): CellGradient {
  checkCellInput(p, input);
  const n = cellParameters.length;
  const q = Object.fromEntries(
    cellParameters.map((spec, j) => [spec.name, variable(p[spec.name], n, j)]),
  ) as Record<keyof CellParams, Dual>;
  const timeConstant = mul(q.thermalResistance, q.heatCapacity);
  const activation = div(q.activationEnergy, constant(BOLTZMANN, n));
  const { times, powers } = input;
  const temperature = new Float64Array(times.length);
  const fraction = new Float64Array(times.length);
  const dTemperature = cellParameters.map(() => new Float64Array(times.length));
  const dFraction = cellParameters.map(() => new Float64Array(times.length));
  const x0 = constant(input.initial.fraction, n);
  let t = constant(input.initial.temperature, n);
  let progress: Dual | undefined; // not computed until the cell first crystallises
  let previous = input.t0 ?? times[0] ?? 0;
  for (let k = 0; k < times.length; k++) {
    const dt = (times[k] as number) - previous;
    const steady = add(q.ambientTemperature, scale(q.thermalResistance, powers[k] as number));
    const next = add(steady, mul(sub(t, steady), exp(neg(div(constant(dt, n), timeConstant)))));
    progress = advanceProgress(progress, x0, t, next, steady, timeConstant, dt, q, activation);
    t = next;
    const x = progress === undefined ? x0 : fractionOf(progress, q.avramiExponent);
    temperature[k] = t.v;
    fraction[k] = x.v;
    for (let j = 0; j < n; j++) {
      (dTemperature[j] as Float64Array)[k] = t.d[j] as number;
      (dFraction[j] as Float64Array)[k] = x.d[j] as number;
    }
    previous = times[k] as number;
  }
  return { temperature, fraction, dTemperature, dFraction };
}

/**
 * Θ = (−ln(1 − X))^{1/n}. At X = 1, Θ = ∞ whatever the parameters: a
 * constant (the chain rule would multiply X's zero derivative by 1/(1 − X)
 * = ∞ and give NaN).
 */
function progressOf(fraction: Dual, avrami: Dual): Dual {
  const n = fraction.d.length;
  if (fraction.v === 1) return constant(Number.POSITIVE_INFINITY, n);
  return pow(neg(log1p(neg(fraction))), div(constant(1, n), avrami));
}

/** X = 1 − e^{−Θⁿ}; at Θ = ∞, X = 1 with zero derivatives (∞ⁿ and e^{−∞}'s slopes would give NaN). */
function fractionOf(progress: Dual, avrami: Dual): Dual {
  if (progress.v === Number.POSITIVE_INFINITY) return constant(1, progress.d.length);
  return neg(expm1(neg(pow(progress, avrami))));
}

function crossingTime(t0: Dual, steady: Dual, timeConstant: Dual, level: Dual): Dual {
  return mul(timeConstant, log(div(sub(t0, steady), sub(level, steady))));
}

function rateIntegral(duration: Dual, ta: Dual, tb: Dual, activation: Dual, prefactor: Dual): Dual {
  const ka = mul(prefactor, exp(neg(div(activation, ta))));
  const delta = div(mul(activation, sub(tb, ta)), mul(ta, tb));
  return mul(mul(duration, ka), expm1OverX(delta));
}

/** portable/cell.ts `progressIncrement`, branch for branch. */
function progressIncrement(
  t0: Dual,
  t1: Dual,
  steady: Dual,
  timeConstant: Dual,
  dt: number,
  q: Record<keyof CellParams, Dual>,
  activation: Dual,
): Dual {
  const n = t0.d.length;
  const melting = q.meltingTemperature;
  const crystallisation = q.crystallisationTemperature;
  let start = constant(0, n);
  let ta = t0;
  if (t0.v >= melting.v) {
    start = crossingTime(t0, steady, timeConstant, melting);
    ta = melting;
  }
  if (ta.v <= crystallisation.v && t1.v <= crystallisation.v) return constant(0, n);
  let end = constant(dt, n);
  let tb = t1;
  if (ta.v <= crystallisation.v) {
    start = crossingTime(t0, steady, timeConstant, crystallisation);
    ta = crystallisation;
  } else if (t1.v <= crystallisation.v) {
    end = crossingTime(t0, steady, timeConstant, crystallisation);
    tb = crystallisation;
  }
  return rateIntegral(sub(end, start), ta, tb, activation, q.prefactor);
}

/** portable/cell.ts `advanceProgress` (undefined progress: not computed yet). */
function advanceProgress(
  progress: Dual | undefined,
  fraction: Dual,
  t0: Dual,
  t1: Dual,
  steady: Dual,
  timeConstant: Dual,
  dt: number,
  q: Record<keyof CellParams, Dual>,
  activation: Dual,
): Dual | undefined {
  const n = t0.d.length;
  if (t1.v >= q.meltingTemperature.v) return constant(0, n);
  const increment = progressIncrement(t0, t1, steady, timeConstant, dt, q, activation);
  if (t0.v >= q.meltingTemperature.v) return increment;
  if (increment.v === 0) return progress;
  return add(progress ?? progressOf(fraction, q.avramiExponent), increment);
}
