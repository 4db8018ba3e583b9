/**
 * Central finite differences for gradient checks (every model's gradient is
 * held to these, DESIGN.md "Models"). Richardson extrapolation of two
 * central differences (steps h and h/2) cancels the h² error term, leaving
 * O(h⁴) truncation, so a relative tolerance of 1e-6 is meaningful with steps
 * of ~1e-4 of the value.
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
