/**
 * The arithmetic of the integration scheme (`../integrate.ts` explains it):
 * its constants and its substep rule, shared by the model layer and the
 * WASM kernels (README.md in this folder), so both choose the same substeps.
 */

/** Largest state change per substep, as a fraction of the state range. */
export const MAX_STATE_STEP = 1.0 / 128.0;
/** Largest substep times the local stiffness λ = |∂f/∂x|. */
export const MAX_STIFFNESS_STEP = 1.0;
/** Largest estimated RK4 local error per substep, as a fraction of the state range. */
export const LOCAL_ERROR = 1e-10;
/** Distance to a bound, as a fraction of the range, below which a state moving towards it stops (2⁻⁵²). */
export const EDGE_RESOLUTION = 2.220446049250313e-16;
/** Offset of the stiffness probe, as a fraction of the state range. */
export const PROBE_STEP = 1e-6;

/** Nearest point of [lower, upper]. */
export function project(x: number, lower: number, upper: number): number {
  return Math.max(lower, Math.min(upper, x));
}

/**
 * Length of the next substep, s: the smallest of the time left, the
 * state-step limit, the stiffness limit and the local-error limit, for a
 * state speed |f| = speed > 0, a stiffness λ = |∂f/∂x| ≥ 0 and a state range.
 */
export function substepLength(remaining: number, speed: number, stiffness: number, range: number): number {
  return Math.min(
    Math.min(remaining, (MAX_STATE_STEP * range) / speed),
    Math.min(
      MAX_STIFFNESS_STEP / stiffness,
      Math.sqrt(Math.sqrt((120 * LOCAL_ERROR * range) / (stiffness * stiffness * stiffness * speed))),
    ),
  );
}
