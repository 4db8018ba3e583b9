/**
 * Weighted nonlinear least squares by Levenberg–Marquardt with box bounds
 * (DESIGN.md, "Calibration"): minimises χ² = Σ ((f_i(p) − y_i) / σ_i)²
 * over the free parameters of a model's parameter table, using the
 * model's analytic Jacobian.
 *
 * - **The step**: Marquardt's damped Gauss–Newton step with the scaling
 *   D = diag(JᵀJ) (Marquardt 1963, SIAM J. Appl. Math. 11, 431; Moré 1978,
 *   the MINPACK variant: D keeps the largest column norms seen), the
 *   damping updated from the gain ratio as Nielsen (1999, IMM-REP-1999-05;
 *   Madsen, Nielsen & Tingleff, *Methods for Non-Linear Least Squares
 *   Problems*, 2004, eq. 3.15) does.
 * - **Bounds, projected**: a parameter on a bound with the gradient
 *   pushing out of the box is held for the iteration (the active set); the
 *   step of the others is projected onto the box, and the predicted
 *   reduction that judges it is that of the projected step, with the
 *   Jacobian (Kanzow, Yamashita & Fukushima 2004, J. Comput. Appl. Math.
 *   172, 375: the projected Levenberg–Marquardt method). Nothing is
 *   clamped after the fact: a step that the projection spoils is refused
 *   and damped like any other.
 * - **Log scale**: a parameter that spans decades can be fitted in
 *   θ = ln p; its Jacobian column is ∂f/∂p · p, its bounds ln min, ln max,
 *   and its covariance is carried back to p (σ_p = p σ_θ to first order).
 * - **The result**: values, standard errors, covariance and correlation
 *   (from (JᵀJ)⁻¹ at the solution, in the parameters' own units), χ²,
 *   reduced χ², degrees of freedom, weighted residuals, iterations and the
 *   reason it stopped. Without absolute uncertainties the covariance is
 *   scaled by the reduced χ² (as SciPy's curve_fit with
 *   absolute_sigma=False), and the result says which was done.
 * - **Diagnostics instead of garbage**: NaN points, too few points for
 *   the free parameters and a model that is not finite at the start are
 *   refused (FitInputError, naming the points or parameters). A parameter
 *   with no effect on the data, a direction JᵀJ cannot see (named as a
 *   combination of parameters), a pair correlated beyond ±0.99 and a fit
 *   that ends against a bound come back in `diagnostics`, and `usable` is
 *   false: such a fit never looks fine.
 */
import type { ParameterSpec } from "../models/parameters.js";
import { UnknownParameterError } from "../models/parameters.js";
import { FitInputError } from "./errors.js";
import { choleskySolve, symmetricEigen } from "./linalg.js";

/**
 * A model as the engine sees it: its parameter table and, for a full
 * parameter vector in table order, its prediction at every data point and
 * (when asked) the Jacobian ∂f_i/∂p_j, row-major, points × parameters.
 */
export interface FitModel {
  /** For messages: "ring all-pass spectrum". */
  readonly name: string;
  readonly parameters: readonly ParameterSpec[];
  /** Fills `prediction` (length points) and, when given, `jacobian` (points × parameters, row-major). */
  evaluate(parameters: Float64Array, prediction: Float64Array, jacobian?: Float64Array): void;
  /**
   * Pairs of parameters the prediction is symmetric in: swapping their
   * values changes nothing (a ring's self-coupling and round-trip
   * amplitude in |t|²). A fit of both finds one of two equally good
   * solutions; the result says so and gives the other.
   */
  readonly symmetries?: readonly (readonly [string, string])[];
}

export interface FitData {
  /** The measured values, one per point. */
  readonly y: ArrayLike<number>;
  /**
   * Each point's standard uncertainty, in y's unit (or one for all). Where
   * absent, every point weighs the same and the errors are scaled by the
   * reduced χ².
   */
  readonly sigma?: ArrayLike<number> | number;
}

export interface FitOptions {
  /** The parameters to fit, by name; the others stay at their initial values. */
  readonly free: readonly string[];
  /** Starting values by name (default: the table's defaults). */
  readonly initial?: Readonly<Record<string, number>>;
  /** Bounds tighter than the table's, by name. */
  readonly bounds?: Readonly<Record<string, readonly [number, number]>>;
  /** Free parameters fitted in ln p (their bounds must be positive). */
  readonly logScale?: readonly string[];
  /**
   * Whether `sigma` holds absolute uncertainties (default: true when sigma
   * is given). When false, the covariance is scaled by the reduced χ².
   */
  readonly absoluteSigma?: boolean;
  /** At most this many iterations (default 200). */
  readonly maxIterations?: number;
  /** Stop when the largest cosine between the residuals and a free column of J is below this (default 1e-10). */
  readonly gradientTolerance?: number;
  /** Stop when an accepted step changes the scaled parameters by less than this, relative (default 1e-10). */
  readonly stepTolerance?: number;
  /** Stop when an accepted step lowers χ² by less than this, relative (default 1e-12). */
  readonly chiSquareTolerance?: number;
  /** |correlation| above which a pair is reported degenerate (default 0.99). */
  readonly correlationLimit?: number;
  /** Smallest eigenvalue of the normalised JᵀJ, relative to the largest, below which a direction is unidentifiable (default 1e-10). */
  readonly identifiabilityLimit?: number;
}

export type FitStopReason =
  /** The gradient vanished (first-order optimality, bounds included). */
  | "gradient"
  /** Steps became too small to change the parameters. */
  | "step"
  /** χ² stopped decreasing. */
  | "chi-square"
  /** χ² reached zero. */
  | "exact"
  /** No step could be found that lowers χ² (the damping ran away). */
  | "stalled"
  | "max-iterations";

export type FitDiagnostic =
  | {
      readonly kind: "no-effect";
      /** The parameter whose Jacobian column is zero at the solution. */
      readonly parameter: string;
      readonly message: string;
    }
  | {
      readonly kind: "unidentifiable";
      /** The direction JᵀJ cannot see, as coefficients on the (scaled) free parameters, largest first. */
      readonly direction: readonly { readonly parameter: string; readonly coefficient: number }[];
      /** Smallest over largest eigenvalue of the normalised JᵀJ. */
      readonly ratio: number;
      readonly message: string;
    }
  | {
      readonly kind: "degenerate";
      readonly parameters: readonly [string, string];
      readonly correlation: number;
      readonly message: string;
    }
  | {
      readonly kind: "at-bound";
      readonly parameter: string;
      readonly bound: "lower" | "upper";
      readonly value: number;
      readonly message: string;
    }
  | {
      readonly kind: "ambiguous";
      /** The pair the model is symmetric in. */
      readonly parameters: readonly [string, string];
      /** The other solution, as good as the one returned: every parameter's value by name. */
      readonly alternative: Readonly<Record<string, number>>;
      readonly message: string;
    }
  | { readonly kind: "not-converged"; readonly reason: FitStopReason; readonly message: string };

export interface FittedParameter {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** Standard error, in `unit`; 0 for a fixed parameter, Infinity along an unidentifiable direction. */
  readonly standardError: number;
  readonly free: boolean;
  readonly scale: "linear" | "log";
  readonly lower: number;
  readonly upper: number;
}

export interface FitResult {
  readonly model: string;
  /** Every parameter of the table, in table order. */
  readonly parameters: readonly FittedParameter[];
  /** Every parameter's value by name. */
  readonly values: Readonly<Record<string, number>>;
  /** The free parameters, in the order of `covariance` and `correlation`. */
  readonly free: readonly string[];
  /** Covariance of the free parameters, in their units (row-major, free × free). */
  readonly covariance: Float64Array;
  readonly correlation: Float64Array;
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
  /** χ² / degrees of freedom. */
  readonly reducedChiSquare: number;
  /** Whether the covariance was multiplied by the reduced χ² (no absolute uncertainties). */
  readonly scaledByReducedChiSquare: boolean;
  /** (f_i − y_i) / σ_i at the solution. */
  readonly residuals: Float64Array;
  readonly iterations: number;
  /** Model evaluations (with or without the Jacobian). */
  readonly evaluations: number;
  readonly reason: FitStopReason;
  readonly converged: boolean;
  readonly diagnostics: readonly FitDiagnostic[];
  /** Converged with no diagnostic: values and errors mean what they say. */
  readonly usable: boolean;
}

/**
 * Largest cosine between r and a column of J at which a step shrunk to
 * nothing by refused trials still counts as convergence (see the step
 * test in the loop).
 */
const STALL_GRADIENT = 1e-6;

const DEFAULTS = {
  maxIterations: 200,
  gradientTolerance: 1e-10,
  stepTolerance: 1e-10,
  chiSquareTolerance: 1e-12,
  correlationLimit: 0.99,
  identifiabilityLimit: 1e-10,
};

/** Where a free parameter lives in the engine: its table index, scale and bounds in θ. */
interface Free {
  readonly name: string;
  readonly index: number;
  readonly log: boolean;
  readonly lower: number;
  readonly upper: number;
}

/** Fits `model` to `data` (see the module doc). */
export function fitLeastSquares(model: FitModel, data: FitData, options: FitOptions): FitResult {
  const table = model.parameters;
  const n = table.length;
  const m = data.y.length;
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const names = table.map((spec) => spec.name);
  const known = (name: string) => {
    if (!names.includes(name)) throw new UnknownParameterError(model.name, name, undefined);
  };
  for (const name of options.free) known(name);
  for (const name of Object.keys(options.initial ?? {})) known(name);
  for (const name of Object.keys(options.bounds ?? {})) known(name);
  for (const name of options.logScale ?? []) {
    known(name);
    if (!options.free.includes(name)) {
      throw new FitInputError(model.name, "bad-bounds", `${name} is on a log scale but not free`, [], [name]);
    }
  }
  if (new Set(options.free).size !== options.free.length) {
    throw new FitInputError(
      model.name,
      "shape",
      `a free parameter is named twice: ${options.free.join(", ")}`,
    );
  }

  // The data: finite values, positive finite uncertainties.
  const y = Float64Array.from(data.y);
  const sigmaGiven = data.sigma !== undefined;
  const sigma =
    typeof data.sigma === "number" || data.sigma === undefined
      ? new Float64Array(m).fill(data.sigma ?? 1)
      : Float64Array.from(data.sigma);
  if (sigma.length !== m) {
    throw new FitInputError(model.name, "shape", `${sigma.length} uncertainties for ${m} points`);
  }
  const bad: number[] = [];
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(y[i]) || !((sigma[i] as number) > 0) || !Number.isFinite(sigma[i])) bad.push(i);
  }
  if (bad.length > 0) {
    throw new FitInputError(
      model.name,
      "nan-points",
      `${bad.length} of ${m} points have a value that is not a number or an uncertainty that is not positive: ` +
        `points ${listed(bad)}; drop or repair them before fitting`,
      bad,
    );
  }
  const nFree = options.free.length;
  if (nFree === 0) throw new FitInputError(model.name, "shape", "no parameter is free");
  const absolute = options.absoluteSigma ?? sigmaGiven;
  // Without absolute errors the scale comes from the scatter: at least one degree of freedom.
  const needed = absolute ? nFree : nFree + 1;
  if (m < needed) {
    throw new FitInputError(
      model.name,
      "too-few-points",
      `${m} points for ${nFree} free parameters (${options.free.join(", ")}): at least ${needed} needed`,
      [],
      [...options.free],
    );
  }

  // The parameters: starting values within bounds, free ones mapped to θ.
  const p = Float64Array.from(table, (spec) => options.initial?.[spec.name] ?? spec.default);
  const free: Free[] = options.free.map((name) => {
    const index = names.indexOf(name);
    const spec = table[index] as ParameterSpec;
    const [lower, upper] = options.bounds?.[name] ?? [spec.min, spec.max];
    if (!(lower <= upper) || lower < spec.min || upper > spec.max) {
      throw new FitInputError(
        model.name,
        "bad-bounds",
        `bounds [${lower}, ${upper}] of ${name} are empty or outside its table's [${spec.min}, ${spec.max}]`,
        [],
        [name],
      );
    }
    const log = options.logScale?.includes(name) ?? false;
    if (log && !(lower > 0)) {
      throw new FitInputError(
        model.name,
        "bad-bounds",
        `${name} is on a log scale, so its lower bound must be positive, not ${lower}`,
        [],
        [name],
      );
    }
    return { name, index, log, lower: log ? Math.log(lower) : lower, upper: log ? Math.log(upper) : upper };
  });
  for (const [k, spec] of table.entries()) {
    const value = p[k] as number;
    const entry = free.find((f) => f.index === k);
    const [lower, upper] = entry
      ? [entry.log ? Math.exp(entry.lower) : entry.lower, entry.log ? Math.exp(entry.upper) : entry.upper]
      : [spec.min, spec.max];
    if (!Number.isFinite(value) || value < lower || value > upper) {
      throw new FitInputError(
        model.name,
        "bad-initial",
        `${spec.name} starts at ${value}, outside [${lower}, ${upper}]`,
        [],
        [spec.name],
      );
    }
  }

  const theta = Float64Array.from(free, (f) =>
    f.log ? Math.log(p[f.index] as number) : (p[f.index] as number),
  );
  const prediction = new Float64Array(m);
  const fullJacobian = new Float64Array(m * n);
  const residuals = new Float64Array(m);
  const jacobian = new Float64Array(m * nFree); // ∂r_i/∂θ_k, weighted
  let evaluations = 0;

  // Hot loops below index typed arrays rather than iterate objects: they run points × parameters times.
  const freeIndex = Int32Array.from(free, (f) => f.index);
  const freeLog = Uint8Array.from(free, (f) => (f.log ? 1 : 0));
  const setParameters = (t: Float64Array) => {
    for (let k = 0; k < nFree; k++) {
      p[freeIndex[k] as number] = freeLog[k] === 1 ? Math.exp(t[k] as number) : (t[k] as number);
    }
  };
  /** χ² at θ = t, filling `residuals`; with `withJacobian`, the weighted θ-Jacobian too. */
  const evaluate = (t: Float64Array, withJacobian: boolean): number => {
    setParameters(t);
    evaluations += 1;
    model.evaluate(p, prediction, withJacobian ? fullJacobian : undefined);
    let chiSquare = 0;
    for (let i = 0; i < m; i++) {
      const r = ((prediction[i] as number) - (y[i] as number)) / (sigma[i] as number);
      residuals[i] = r;
      chiSquare += r * r;
    }
    if (withJacobian) {
      for (let k = 0; k < nFree; k++) {
        const index = freeIndex[k] as number;
        const chain = freeLog[k] === 1 ? (p[index] as number) : 1;
        for (let i = 0; i < m; i++) {
          jacobian[i * nFree + k] = ((fullJacobian[i * n + index] as number) * chain) / (sigma[i] as number);
        }
      }
    }
    return chiSquare;
  };

  /** χ² at a trial point; a model that refuses the point (throws) makes it a refused trial, as NaN does. */
  const evaluateTrial = (t: Float64Array): number => {
    try {
      return evaluate(t, false);
    } catch {
      return Number.NaN;
    }
  };

  let chiSquare = evaluate(theta, true);
  if (!Number.isFinite(chiSquare) || !jacobian.every(Number.isFinite)) {
    const points = [...prediction.keys()].filter((i) => !Number.isFinite(prediction[i]));
    throw new FitInputError(
      model.name,
      "model-not-finite",
      `the model is not finite at the starting values (${describeValues(table, p)})` +
        (points.length > 0 ? ` at points ${listed(points)}` : " in its Jacobian"),
      points,
    );
  }

  const a = new Float64Array(nFree * nFree); // JᵀJ
  const g = new Float64Array(nFree); // Jᵀr
  const normalEquations = () => {
    a.fill(0);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      const r = residuals[i] as number;
      for (let k = 0; k < nFree; k++) {
        const jk = jacobian[i * nFree + k] as number;
        if (jk === 0) continue;
        g[k] = (g[k] as number) + jk * r;
        for (let l = k; l < nFree; l++)
          a[k * nFree + l] = (a[k * nFree + l] as number) + jk * (jacobian[i * nFree + l] as number);
      }
    }
    for (let k = 0; k < nFree; k++) for (let l = 0; l < k; l++) a[k * nFree + l] = a[l * nFree + k] as number;
  };
  normalEquations();

  const scaling = new Float64Array(nFree); // MINPACK's D²: the largest diag(JᵀJ) seen
  let damping = 0;
  let growth = 2;
  let iterations = 0;
  let reason: FitStopReason = "max-iterations";
  const trialTheta = new Float64Array(nFree);
  const step = new Float64Array(nFree);

  iterate: while (iterations < settings.maxIterations) {
    if (chiSquare === 0) {
      reason = "exact";
      break;
    }
    for (let k = 0; k < nFree; k++) scaling[k] = Math.max(scaling[k] as number, a[k * nFree + k] as number);
    // Held on a bound this iteration: the gradient of ½χ² (g) points out of the box.
    const held = free.map((f, k) => {
      const t = theta[k] as number;
      return (t <= f.lower && (g[k] as number) > 0) || (t >= f.upper && (g[k] as number) < 0);
    });
    // First-order optimality over the box: the largest cosine between r and a free column of J.
    let cosine = 0;
    for (let k = 0; k < nFree; k++) {
      if (held[k]) continue;
      const column = Math.sqrt(a[k * nFree + k] as number);
      if (column > 0) cosine = Math.max(cosine, Math.abs(g[k] as number) / (column * Math.sqrt(chiSquare)));
    }
    if (cosine <= settings.gradientTolerance) {
      reason = "gradient";
      break;
    }
    if (damping === 0) {
      // Madsen, Nielsen & Tingleff eq. 3.14: τ·max diag(JᵀJ) relative to the scaling, τ = 1e-3.
      damping = 1e-3;
    }
    const moving = free.map((_, k) => k).filter((k) => !held[k]);
    const size = moving.length;
    let refused = 0;
    for (;;) {
      // (JᵀJ + μ D²) δ = −g over the moving parameters.
      const system = new Float64Array(size * size);
      const rhs = new Float64Array(size);
      for (const [u, k] of moving.entries()) {
        rhs[u] = -(g[k] as number);
        for (const [v, l] of moving.entries()) system[u * size + v] = a[k * nFree + l] as number;
        const d = (scaling[k] as number) > 0 ? (scaling[k] as number) : 1;
        system[u * size + u] = (system[u * size + u] as number) + damping * d;
      }
      const delta = choleskySolve(system, rhs, size);
      step.fill(0);
      if (delta !== undefined) for (const [u, k] of moving.entries()) step[k] = delta[u] as number;
      // The trial point, projected onto the box; its actual step judges it.
      let stepNorm = 0;
      let thetaNorm = 0;
      for (let k = 0; k < nFree; k++) {
        const f = free[k] as Free;
        const t = Math.min(f.upper, Math.max(f.lower, (theta[k] as number) + (step[k] as number)));
        trialTheta[k] = t;
        step[k] = t - (theta[k] as number);
        const d = Math.sqrt(Math.max(scaling[k] as number, 0)) || 1;
        stepNorm += (d * (step[k] as number)) ** 2;
        thetaNorm += (d * (theta[k] as number)) ** 2;
      }
      stepNorm = Math.sqrt(stepNorm);
      thetaNorm = Math.sqrt(thetaNorm);
      // Predicted reduction of χ² for the projected step: −(2 gᵀs + sᵀ JᵀJ s).
      let predicted = 0;
      for (let k = 0; k < nFree; k++) {
        const sk = step[k] as number;
        if (sk === 0) continue;
        let as = 0;
        for (let l = 0; l < nFree; l++) as += (a[k * nFree + l] as number) * (step[l] as number);
        predicted -= 2 * (g[k] as number) * sk + sk * as;
      }
      if (delta !== undefined && stepNorm <= settings.stepTolerance * (thetaNorm + settings.stepTolerance)) {
        // A negligible first step is convergence. One reached only by damping refused steps is too when the
        // gradient is already small (rounding refuses steps at a minimum); otherwise no step lowers χ² though
        // the Jacobian says one should: the model and its Jacobian disagree, or the model is rough here.
        reason = refused === 0 || cosine <= STALL_GRADIENT ? "step" : "stalled";
        break iterate;
      }
      const saved = Float64Array.from(residuals);
      const trial = delta === undefined || !(predicted > 0) ? Number.NaN : evaluateTrial(trialTheta);
      const gain = (chiSquare - trial) / predicted;
      if (Number.isFinite(trial) && gain > 0) {
        const reduction = chiSquare - trial;
        theta.set(trialTheta);
        const previous = chiSquare;
        chiSquare = evaluate(theta, true);
        normalEquations();
        damping *= Math.max(1 / 3, 1 - (2 * gain - 1) ** 3);
        growth = 2;
        iterations += 1;
        if (
          reduction <= settings.chiSquareTolerance * previous &&
          predicted <= settings.chiSquareTolerance * previous
        ) {
          reason = "chi-square";
          break iterate;
        }
        continue iterate;
      }
      residuals.set(saved);
      refused += 1;
      damping *= growth;
      growth *= 2;
      if (!Number.isFinite(damping) || damping > 1e32) {
        reason = "stalled";
        break iterate;
      }
    }
  }

  // At the solution: residuals and the Jacobian are those of θ (evaluate(θ, true) was the last accepted call,
  // and refused trials restored the residuals). The covariance over all free parameters.
  setParameters(theta);
  const converged = reason !== "max-iterations" && reason !== "stalled";
  const diagnostics: FitDiagnostic[] = [];
  if (!converged) {
    diagnostics.push({
      kind: "not-converged",
      reason,
      message:
        reason === "stalled"
          ? "no step lowered χ² any more, short of a minimum: the model and its Jacobian may disagree"
          : `stopped after ${iterations} iterations without converging`,
    });
  }
  const degreesOfFreedom = m - nFree;
  const reducedChiSquare = degreesOfFreedom > 0 ? chiSquare / degreesOfFreedom : Number.NaN;
  const scaled = !absolute;
  const factor = scaled ? reducedChiSquare : 1;

  // Identifiability on the normalised JᵀJ (unit diagonal), so that units and scales do not matter.
  const norms = Float64Array.from(free, (_, k) => Math.sqrt(a[k * nFree + k] as number));
  const noEffect = free.filter((_, k) => !((norms[k] as number) > 0)).map((f) => f.name);
  for (const name of noEffect) {
    diagnostics.push({
      kind: "no-effect",
      parameter: name,
      message: `${name} has no effect on the data at the solution (its Jacobian column is zero): fix it, or measure what it changes`,
    });
  }
  const normalised = new Float64Array(nFree * nFree);
  for (let k = 0; k < nFree; k++) {
    for (let l = 0; l < nFree; l++) {
      const nk = norms[k] as number;
      const nl = norms[l] as number;
      normalised[k * nFree + l] =
        nk > 0 && nl > 0 ? (a[k * nFree + l] as number) / (nk * nl) : k === l ? 1 : 0;
    }
  }
  const eigen = symmetricEigen(normalised, nFree);
  const largest = eigen.values[nFree - 1] as number;
  const blind = new Set<string>(noEffect);
  // (JᵀJ)⁻¹ = N⁻¹ V Λ⁻¹ Vᵀ N⁻¹, with directions JᵀJ cannot see left out (their variance is infinite).
  const covTheta = new Float64Array(nFree * nFree);
  for (let e = 0; e < nFree; e++) {
    const value = eigen.values[e] as number;
    const direction = Array.from({ length: nFree }, (_, k) => eigen.vectors[k * nFree + e] as number);
    const ratio = value / largest;
    if (!(ratio > settings.identifiabilityLimit)) {
      const involved = direction
        .map((coefficient, k) => ({ parameter: (free[k] as Free).name, coefficient }))
        .filter(({ parameter, coefficient }) => Math.abs(coefficient) > 0.05 && !noEffect.includes(parameter))
        .sort((x, z) => Math.abs(z.coefficient) - Math.abs(x.coefficient));
      if (involved.length > 0) {
        for (const { parameter } of involved) blind.add(parameter);
        diagnostics.push({
          kind: "unidentifiable",
          direction: involved,
          ratio: Math.max(ratio, 0),
          message:
            `the data cannot tell apart changes along ${involved.map((x) => `${x.coefficient >= 0 ? "+" : "−"}${Math.abs(x.coefficient).toFixed(3)}·${x.parameter}`).join(" ")} ` +
            `(normalised JᵀJ: smallest/largest eigenvalue ${Math.max(ratio, 0).toExponential(1)}): fit a combination of ${involved.map((x) => x.parameter).join(" and ")}, or fix all but one`,
        });
      }
      continue;
    }
    for (let k = 0; k < nFree; k++) {
      for (let l = 0; l < nFree; l++) {
        const nk = norms[k] as number;
        const nl = norms[l] as number;
        if (!(nk > 0 && nl > 0)) continue;
        covTheta[k * nFree + l] =
          (covTheta[k * nFree + l] as number) +
          ((direction[k] as number) * (direction[l] as number)) / (value * nk * nl);
      }
    }
  }
  // Carried back to p: dp/dθ = p on a log scale.
  const covariance = new Float64Array(nFree * nFree);
  const jacobianScale = Float64Array.from(free, (f) => (f.log ? (p[f.index] as number) : 1));
  for (let k = 0; k < nFree; k++) {
    for (let l = 0; l < nFree; l++) {
      const blindPair = blind.has((free[k] as Free).name) || blind.has((free[l] as Free).name);
      covariance[k * nFree + l] = blindPair
        ? k === l
          ? Number.POSITIVE_INFINITY
          : Number.NaN
        : factor *
          (covTheta[k * nFree + l] as number) *
          (jacobianScale[k] as number) *
          (jacobianScale[l] as number);
    }
  }
  const errors = Float64Array.from(free, (_, k) => Math.sqrt(covariance[k * nFree + k] as number));
  const correlation = new Float64Array(nFree * nFree);
  for (let k = 0; k < nFree; k++) {
    for (let l = 0; l < nFree; l++) {
      correlation[k * nFree + l] =
        k === l ? 1 : (covariance[k * nFree + l] as number) / ((errors[k] as number) * (errors[l] as number));
    }
  }
  for (let k = 0; k < nFree; k++) {
    for (let l = k + 1; l < nFree; l++) {
      const r = correlation[k * nFree + l] as number;
      if (Math.abs(r) > settings.correlationLimit) {
        const pair = [(free[k] as Free).name, (free[l] as Free).name] as const;
        diagnostics.push({
          kind: "degenerate",
          parameters: pair,
          correlation: r,
          message: `${pair[0]} and ${pair[1]} are nearly degenerate (correlation ${r.toFixed(4)}): the data see mostly a combination of them`,
        });
      }
    }
  }
  for (const [k, f] of free.entries()) {
    const t = theta[k] as number;
    const bound = t <= f.lower ? "lower" : t >= f.upper ? "upper" : undefined;
    if (bound === undefined) continue;
    const value = p[f.index] as number;
    diagnostics.push({
      kind: "at-bound",
      parameter: f.name,
      bound,
      value,
      message: `${f.name} ended on its ${bound} bound (${value}): the best fit may lie beyond it, and its error bar does not hold there`,
    });
  }

  // Declared symmetries: the swapped solution, where it is another point inside the bounds, is as good.
  for (const [first, second] of model.symmetries ?? []) {
    const [k, l] = [free.findIndex((f) => f.name === first), free.findIndex((f) => f.name === second)];
    if (k < 0 || l < 0) continue;
    const [fk, fl] = [free[k] as Free, free[l] as Free];
    const [vk, vl] = [theta[k] as number, theta[l] as number];
    const swapped = Float64Array.from(theta);
    swapped[k] = fl.log === fk.log ? vl : fk.log ? Math.log(p[fl.index] as number) : (p[fl.index] as number);
    swapped[l] = fk.log === fl.log ? vk : fl.log ? Math.log(p[fk.index] as number) : (p[fk.index] as number);
    const inside = (t: number, f: Free) => t >= f.lower && t <= f.upper;
    const [pk, pl] = [p[fk.index] as number, p[fl.index] as number];
    const distinct = Math.abs(pk - pl) > 1e-9 * Math.max(Math.abs(pk), Math.abs(pl));
    if (!distinct || !inside(swapped[k] as number, fk) || !inside(swapped[l] as number, fl)) continue;
    const kept = Float64Array.from(residuals);
    const other = evaluate(swapped, false);
    const alternative = Object.fromEntries(table.map((spec, index) => [spec.name, p[index] as number]));
    residuals.set(kept);
    setParameters(theta);
    if (Math.abs(other - chiSquare) <= 1e-9 * Math.max(chiSquare, 1)) {
      diagnostics.push({
        kind: "ambiguous",
        parameters: [first, second],
        alternative,
        message:
          `the data cannot tell ${first} = ${p[fk.index]}, ${second} = ${p[fl.index]} from the swapped ` +
          `${first} = ${alternative[first]}, ${second} = ${alternative[second]} (the model is symmetric in them; ` +
          `χ² ${chiSquare.toPrecision(6)} both ways): break the tie with a measurement that tells them apart, or report both`,
      });
    }
  }

  const parameters = table.map((spec, index): FittedParameter => {
    const k = free.findIndex((f) => f.index === index);
    const entry = free[k];
    return {
      name: spec.name,
      unit: spec.unit,
      value: p[index] as number,
      standardError: k < 0 ? 0 : (errors[k] as number),
      free: k >= 0,
      scale: entry?.log ? "log" : "linear",
      lower: entry ? (entry.log ? Math.exp(entry.lower) : entry.lower) : spec.min,
      upper: entry ? (entry.log ? Math.exp(entry.upper) : entry.upper) : spec.max,
    };
  });
  return {
    model: model.name,
    parameters,
    values: Object.fromEntries(parameters.map((x) => [x.name, x.value])),
    free: free.map((f) => f.name),
    covariance,
    correlation,
    chiSquare,
    degreesOfFreedom,
    reducedChiSquare,
    scaledByReducedChiSquare: scaled,
    residuals: Float64Array.from(residuals),
    iterations,
    evaluations,
    reason,
    converged,
    diagnostics,
    usable: converged && diagnostics.length === 0,
  };
}

/** "3, 7, 12 and 4 more". */
function listed(indices: readonly number[]): string {
  const shown = indices.slice(0, 10).join(", ");
  return indices.length > 10 ? `${shown} and ${indices.length - 10} more` : shown;
}

function describeValues(table: readonly ParameterSpec[], p: Float64Array): string {
  return table.map((spec, k) => `${spec.name} = ${p[k]}`).join(", ");
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
