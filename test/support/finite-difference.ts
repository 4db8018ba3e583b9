/**
 * Central finite differences for gradient checks (every model's gradient is
 * held to these, DESIGN.md "Models"). Richardson extrapolation of two
 * central differences (steps h and h/2) cancels the h² error term, leaving
 * O(h⁴) truncation, so a relative tolerance of 1e-6 is meaningful with steps
 * of ~1e-4 of the value.
 *
 * Compare entry by entry (`entrywiseRelativeError`), not series-wise: a
 * series-wise error lets a small entry be badly wrong under a large one.
 */

/** d f / d x at x, f scalar. `h` defaults to 1e-4·max(|x|, 1e-300-guarded scale). */
export function centralDifference(
  f: (x: number) => number,
  x: number,
  h = 1e-4 * Math.max(Math.abs(x), 1e-12),
): number {
  const d = (step: number) => (f(x + step) - f(x - step)) / (2 * step);
  return (4 * d(h / 2) - d(h)) / 3;
}

/** Element-wise d f / d x for a vector-valued f. */
export function centralDifferenceVector(
  f: (x: number) => ArrayLike<number>,
  x: number,
  h = 1e-4 * Math.max(Math.abs(x), 1e-12),
): Float64Array {
  const diff = (step: number) => {
    const plus = f(x + step);
    const minus = f(x - step);
    return Float64Array.from(plus, (p, k) => (p - (minus[k] as number)) / (2 * step));
  };
  const full = diff(h);
  const half = diff(h / 2);
  return half.map((value, k) => (4 * value - (full[k] as number)) / 3);
}

/**
 * Largest |analytic − numeric| over the series, relative to the largest
 * |analytic| (series-wise, so a gradient crossing zero at one sample does
 * not make the test meaningless).
 */
export function seriesRelativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let error = 0;
  let scale = 0;
  for (let k = 0; k < analytic.length; k++) {
    error = Math.max(error, Math.abs((analytic[k] as number) - (numeric[k] as number)));
    scale = Math.max(scale, Math.abs(analytic[k] as number));
  }
  return scale === 0 ? error : error / scale;
}

/**
 * How much rounding inside the model a finite difference is allowed: each
 * evaluation of f is taken to be off by at most ROUNDING_ALLOWANCE·ε·Y,
 * Y = max_k |f_k|. Measured over the gradient tests under test/models
 * (photonic S-matrices and meshes, the demo chip, the crossbar, the
 * memristor and phase-change time series), the largest error the floor has
 * to absorb is 0.6 in these units (the demo chip's transmission at a step
 * of 1e-12 m), so 10 leaves a margin of ~15.
 */
export const ROUNDING_ALLOWANCE = 10;

/**
 * The floor for `entrywiseRelativeError`: the absolute size below which an
 * entry of ∂f/∂x cannot be resolved to `tolerance` by
 * `centralDifference(Vector)` with step `step`, for outputs `values` = f(x).
 *
 * Why this level. Each evaluation of f rounds to within δ = A·ε·Y (Y =
 * max_k |f_k(x)|, ε = 2.2e-16, A = ROUNDING_ALLOWANCE), and the difference
 * f(x + h) − f(x − h) keeps that absolute error while the signal shrinks
 * with h. So D(h) is off by up to δ/h, D(h/2) by 2δ/h, and the Richardson
 * combination (4·D(h/2) − D(h))/3 by (8 + 1)/3 · δ/h = 3δ/h (its
 * truncation, O(h⁴), is ~1e-16 relative at h = 1e-4·|x| and is ignored).
 * That noise is absolute: it does not shrink with the entry, and where an
 * output is small because terms cancel (a transmission zero, a current
 * through 0 V) it is set by Y, not by |f_k|. An entry can be held to
 * `tolerance` relative only where tolerance·|∂f_k/∂x| ≥ 3δ/h; below
 * floor = 3δ/(h·tolerance) it is held to the absolute error
 * tolerance·floor = 3δ/h instead — the noise bound itself.
 *
 * In numbers: at tolerance 1e-6 and h = 1e-4·|x|, floor ≈ 7e-5·Y/|x|,
 * i.e. ~1e-4 of the series' scale where the logarithmic sensitivity
 * |x|·max|∂f/∂x|/Y is ~1, and proportionally less where it is large. A
 * fixed fraction like 1e-9 of the series' scale would ask for 1e-15 of it
 * absolute, below the ~1e-12 the difference itself resolves, and fail
 * correct gradients (entries where ∂f_k/∂x crosses zero); the series-wise
 * check this replaces is the same test with floor = the series' scale.
 *
 * Not covered: rounding of a large intermediate that f depends on steeply
 * near an extremum (a ring's ~600 rad round-trip phase at exact
 * resonance), which gives an h-independent error ~|f''|·ε·|x| — move the
 * test point off the extremum (test/models/photonic/gradient.test.ts).
 */
export function roundingFloor(values: ArrayLike<number>, step: number, tolerance: number): number {
  let scale = 0;
  for (let k = 0; k < values.length; k++) scale = Math.max(scale, Math.abs(values[k] as number));
  return (3 * ROUNDING_ALLOWANCE * Number.EPSILON * scale) / (Math.abs(step) * tolerance);
}

/** The entry where `entrywiseRelativeError` is reached, for a failure message. */
export interface WorstEntry {
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  /** |analytic − numeric| / max(|analytic|, floor). */
  readonly error: number;
}

/** The worst entry of `entrywiseRelativeError` (index −1 for an empty series). */
export function worstEntry(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  floor: number,
): WorstEntry {
  let worst: WorstEntry = { index: -1, analytic: 0, numeric: 0, error: 0 };
  for (let k = 0; k < analytic.length; k++) {
    const a = analytic[k] as number;
    const n = numeric[k] as number;
    const error = Math.abs(a - n) / Math.max(Math.abs(a), floor);
    if (!(error <= worst.error)) worst = { index: k, analytic: a, numeric: n, error };
    if (Number.isNaN(error)) break;
  }
  return worst;
}

/**
 * max_k |a_k − n_k| / max(|a_k|, floor): every entry relative to itself,
 * so a small entry cannot hide under a large one. `floor` (absolute, in
 * the units of the gradient; see `roundingFloor`) is where an entry stops
 * being resolvable by the finite difference; entries below it are held to
 * the absolute error tolerance·floor. NaN in either series gives NaN (a
 * failing comparison), and floor = 0 makes an entry that is exactly 0 in
 * `analytic` demand an exactly 0 `numeric`.
 */
export function entrywiseRelativeError(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  floor: number,
): number {
  if (analytic.length !== numeric.length) throw new RangeError("analytic and numeric differ in length");
  return worstEntry(analytic, numeric, floor).error;
}
