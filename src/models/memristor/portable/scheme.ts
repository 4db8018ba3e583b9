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

/**
 * Bound of a logit state u = ln(x/(1 − x)) (linear-ion-drift.ts): |u| ≤ 700
 * keeps the distance to the edge, e^{−|u|} ≈ 1e-304 at the bound, a normal
 * double. A drive that would take the state deeper holds it there.
 */
export const LOGIT_BOUND = 700.0;
/** The logit's change worth the whole range of x where it is least stretched: dx/du = x(1 − x) ≤ ¼. */
export const LOGIT_SCALE = 4.0;

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

/**
 * `substepLength` for a state that is a stretched coordinate of the
 * physical one (integrate.ts): the state-step limit as `reach`, the change
 * of state that moves the physical state by MAX_STATE_STEP of its range in
 * the direction of motion (∞ where it reaches its bound first), and the
 * stiffness and error limits of `stiffnessLength`.
 */
export function stretchedSubstepLength(
  remaining: number,
  speed: number,
  reach: number,
  stiffness: number,
  scale: number,
): number {
  return Math.min(Math.min(remaining, reach / speed), stiffnessLength(speed, stiffness, scale));
}

/**
 * The stiffness and error limits of a substep on a stretched state: hλ ≤
 * MAX_STIFFNESS_STEP, and RK4's local error within LOCAL_ERROR·scale, the
 * scale being the state change worth the whole physical range where the
 * stretch is least (4 for the logit: dx/du ≤ ¼), so that an error made deep
 * at an edge is no larger than one made in the middle when the state comes
 * back there. Two error models, the tighter one binding:
 *   - `substepLength`'s (state change)·(hλ)⁴/120, where the rate varies on
 *     the scale of its own motion (|f|/λ);
 *   - an edge tail: deep at an edge the rate approaches a constant as
 *     e^{−depth} (through x(1 − x)), varying on a unit scale of the logit
 *     while λ → 0, which the first model misses. RK4 then integrates the
 *     deviation like Simpson's rule, whose error for e^{−s} over Δs is below
 *     both Δs⁵/2880 and Δs/6, hence below their weighted geometric mean
 *     Δs⁴/TAIL_ERROR; with λ/|f| as the deviation's relative size (its
 *     slope on that unit scale), the state errs by (λ/|f|)·Δs⁴/TAIL_ERROR,
 *     Δs = |f|h.
 */
export function stiffnessLength(speed: number, stiffness: number, scale: number): number {
  const budget = LOCAL_ERROR * scale;
  return Math.min(
    MAX_STIFFNESS_STEP / stiffness,
    Math.min(
      Math.sqrt(Math.sqrt((120 * budget) / (stiffness * stiffness * stiffness * speed))),
      Math.sqrt(Math.sqrt((TAIL_ERROR * budget) / (stiffness * speed * speed * speed))),
    ),
  );
}

/** 2880^{3/4}·6^{1/4} = 615.29, rounded down: Simpson's error for e^{−s} over Δs is below Δs⁴/615. */
const TAIL_ERROR = 615.0;
