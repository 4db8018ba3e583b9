/**
 * Multi-start (issue 18, "Robust starts"): when the fit from the recipe's
 * own starting values fails, fit again from other starts within the
 * bounds, and keep the best.
 *
 * A fit has failed when it did not converge, or when, with absolute
 * uncertainties, its reduced χ² is past `chiSquareLimit` (default 4): it
 * converged to a local minimum the data do not fit (a resonance locked
 * onto the wrong dip, a frequency onto a subharmonic). Without absolute
 * uncertainties χ² says nothing on its own, so only convergence counts,
 * and the starts are all tried and the lowest χ² kept.
 *
 * The other starts: those the caller gives (the over-coupled reading of a
 * ring's dip, say), then `random` draws, each free parameter uniform
 * within its bounds (log-uniform for one fitted on a log scale), from a
 * seeded generator, so a run is repeatable.
 */

// The project's one seeded generator (mulberry32), which the virtual instruments' noise uses too.
import { SeededRandom } from "../models/random.js";
import {
  type FitData,
  type FitModel,
  type FitOptions,
  type FitResult,
  fitLeastSquares,
} from "./levenberg-marquardt.js";

export interface MultiStartOptions {
  /** Further starting values to try in turn, by name (unnamed parameters: as `options.initial`). */
  readonly starts?: readonly Readonly<Record<string, number>>[];
  /** Random starts within the bounds after those (default 20). */
  readonly random?: number;
  /** Seed of the random starts (default 1). */
  readonly seed?: number;
  /** Reduced χ² past which a converged fit with absolute uncertainties has failed (default 4). */
  readonly chiSquareLimit?: number;
}

export interface MultiStartResult {
  /** The best fit: the first that did not fail, or the lowest χ² of those that converged, or the first. */
  readonly best: FitResult;
  /** Which start it came from: 0 the first (options.initial), then the given starts, then the random ones. */
  readonly start: number;
  /** Fits run. */
  readonly tried: number;
  /** Whether the first fit failed (and others were tried). */
  readonly firstFailed: boolean;
}

/** `fitLeastSquares`, again from other starts while it fails (see the module doc). */
export function fitWithRestarts(
  model: FitModel,
  data: FitData,
  options: FitOptions,
  restarts: MultiStartOptions = {},
): MultiStartResult {
  const limit = restarts.chiSquareLimit ?? 4;
  const absolute = options.absoluteSigma ?? data.sigma !== undefined;
  const failed = (fit: FitResult) => !fit.converged || (absolute && !(fit.reducedChiSquare <= limit));
  const first = fitLeastSquares(model, data, options);
  if (!failed(first)) return { best: first, start: 0, tried: 1, firstFailed: false };

  const generator = new SeededRandom(restarts.seed ?? 1);
  const random = () => generator.uniform();
  const bounds = options.free.map((name) => {
    const spec = model.parameters.find((s) => s.name === name);
    const [lower, upper] = options.bounds?.[name] ?? [spec?.min ?? 0, spec?.max ?? 0];
    const log = options.logScale?.includes(name) ?? false;
    return { name, lower, upper, log };
  });
  const draw = (): Record<string, number> =>
    Object.fromEntries(
      bounds.map(({ name, lower, upper, log }) => {
        const u = random();
        return [
          name,
          log
            ? Math.exp(Math.log(lower) + u * (Math.log(upper) - Math.log(lower)))
            : lower + u * (upper - lower),
        ];
      }),
    );
  const starts = [...(restarts.starts ?? []), ...Array.from({ length: restarts.random ?? 20 }, draw)];
  let best = first;
  let bestStart = 0;
  let tried = 1;
  for (const [k, start] of starts.entries()) {
    const fit = fitLeastSquares(model, data, { ...options, initial: { ...options.initial, ...start } });
    tried += 1;
    if (!failed(fit)) return { best: fit, start: k + 1, tried, firstFailed: true };
    const better = fit.converged && (!best.converged || fit.chiSquare < best.chiSquare);
    if (better) [best, bestStart] = [fit, k + 1];
  }
  return { best, start: bestStart, tried, firstFailed: true };
}
