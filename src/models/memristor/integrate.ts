/**
 * The one time-integration scheme for memristor states, used by the model
 * layer, the TypeScript kernel references (src/core/reference/) and — in
 * AssemblyScript, held to this code by test/core — the WASM kernels.
 *
 * Under a held voltage the state equation dx/dt = f(x) is autonomous and
 * one-dimensional, so the state moves monotonically towards an equilibrium
 * or a bound. We integrate it with classical RK4 over adaptive substeps,
 * each as long as the smallest of
 *   - the time left in the hold;
 *   - MAX_STATE_STEP·range / |f|: the state moves at most 1/128 of its range;
 *   - MAX_STIFFNESS_STEP / λ: hλ ≤ 1 keeps RK4 stable (it is up to 2.78)
 *     and monotone (its amplification R(−hλ) > 0 never crosses a bound);
 *   - (120·LOCAL_ERROR·range / (λ³|f|))^{1/4}: RK4's local error, about
 *     (state change)·(hλ)⁴/120 ≤ (|f|/λ)·(hλ)⁴/120 for hλ ≤ 1, stays below
 *     LOCAL_ERROR·range (a fourth root: two square roots, which IEEE 754
 *     rounds exactly, so the WASM kernels choose bit-identical substeps);
 * where λ = |∂f/∂x| is estimated by a one-sided difference over PROBE_STEP
 * of the range, towards the interior (away from a kink, where that would
 * cross one: λ there is the far side's; within a probe of a kink, on the
 * side the state moves into, whose slope the model gives at the kink). Where the model has a kink ahead (a
 * state at which λ jumps, `MemristorModel.kink`), no substep straddles it:
 * the error control above assumes f smooth, RK4's error across a kink grows
 * as h², not h⁵ (up to 5e-6 of the range for Yakopcic's published device
 * under ±0.45 V), and a stage on the far side would give the sensitivities
 * (`sensitivity.ts`) the far side's partials for a whole stage weight. So a
 * substep ends KINK_MARGIN of the range short of the kink (aimed at with
 * the speed at its start: exact where the speed is constant on the near
 * side, as for Yakopcic), and the next one, moving the state about twice
 * that margin, steps over it. Every stage state and the result are projected onto the
 * state bounds. The hold ends early, exactly, when
 *   - the state is an equilibrium (f = 0), or
 *   - it is within EDGE_RESOLUTION·range of a bound and moving towards it
 *     (the bound is reached, or approached closer than a double can resolve
 *     next to the upper edge; the same limit is used at both edges), or
 *   - it no longer changes in floating point (a fixed point of the step map:
 *     every later substep would land on it again).
 *
 * Where the state is a stretched coordinate (`MemristorModel.fraction`:
 * the linear drift's logit under Joglekar's or Prodromakis' window):
 *   - the state-step limit is on the physical state: the substep moves it
 *     by at most MAX_STATE_STEP of its range (`stateReach`, exact, not
 *     linearised: deep at an edge the logit moves a long way while x
 *     hardly moves);
 *   - the error limit is on the state itself, against LOCAL_ERROR of
 *     `stateScale`, the state change worth the physical range where the
 *     stretch is least: an error in the logit made deep at an edge comes
 *     back to the middle whole, where it moves x by up to a quarter of it;
 *   - the stiffness and error limits hold at the substep's end as well as
 *     at its start (the rate and a probe there, two more evaluations): a
 *     state coming out of an edge moves from where the rate is nearly
 *     constant to where it is not, within one substep.
 * Deep at an edge the logit moves at a nearly constant speed (its
 * stiffness → 0), and a whole hold there is one or a few substeps.
 *
 * The constants and the substep rule live in portable/scheme.ts, which the
 * WASM kernels compile too; the loop below is mirrored line for line in
 * src/core/assembly/, except the kink limit: no model with a kernel has one.
 *
 * Why this and not fixed substeps: the work per hold is bounded by the state
 * range and the error budget, not by dt or by the device's speed — a few to
 * a few hundred substeps for any hold (up to about two thousand for the
 * logit state crossing the whole film at the corners of its parameter box,
 * where it comes out of one edge's depth and goes into the other's),
 * whether the device switches in
 * nanoseconds (the published VTEAM set) or seconds (Strukov's), and whether
 * dt is 1 µs or 50 ms. A fixed substep cannot be both stable for the fast
 * devices and affordable for the slow ones across the parameter bounds
 * calibration needs. The controller uses f (and the kink, where a model
 * has one) only, so it works for any MemristorModel. For every model's
 * defaults under its characteristic sweep (±1 V at 1 Hz for the bench
 * defaults, 100 holds a period) it keeps the state within 1e-8 of its range
 * from a fixed-step RK4 solution with steps of 1e-6 of the period
 * (test/models/integrate.test.ts).
 */
import {
  EDGE_RESOLUTION,
  MAX_STATE_STEP,
  PROBE_STEP,
  project,
  stiffnessLength,
  stretchedSubstepLength,
  substepLength,
} from "./portable/scheme.js";
import type { MemristorModel } from "./types.js";

/**
 * How far short of a kink a substep ends, as a fraction of the state range
 * (2⁻³⁰): far above rounding, and the step over it is so short that what it
 * gets wrong (of the order of this margin) stays far below the error budget.
 */
const KINK_MARGIN = 2 ** -30;

/**
 * Called for each substep that changed the state, before the state is
 * updated: the substep's start state, length (s) and the four RK4 stage
 * rates. `sensitivity.ts` uses it to carry parameter derivatives along.
 */
export type SubstepObserver = (x: number, h: number, k1: number, k2: number, k3: number, k4: number) => void;

/**
 * Advances state x (inside [lower, upper], the model's bounds for p) under
 * voltage v held for dt ≥ 0 seconds. Unchecked: callers validate once
 * (`advance`, `simulate`), then call this in their loops.
 */
export function holdVoltage<P extends Record<string, number>>(
  model: MemristorModel<P>,
  p: P,
  x: number,
  v: number,
  dt: number,
  lower: number,
  upper: number,
  observer?: SubstepObserver,
): number {
  const range = upper - lower;
  const edge = EDGE_RESOLUTION * range;
  const probe = PROBE_STEP * range;
  const middle = lower + 0.5 * range;
  const kink = model.kink?.(v, p) ?? Number.NaN;
  const margin = KINK_MARGIN * range;
  let elapsed = 0;
  while (elapsed < dt) {
    const k1 = model.dxdt(x, v, p);
    if (k1 === 0 || (k1 > 0 && x >= upper - edge) || (k1 < 0 && x <= lower + edge)) break;
    const inward = x < middle ? x + probe : x - probe;
    // Not across a kink; within a probe of one, on the side the state moves into (whose slope applies).
    const probed =
      Math.abs(x - kink) < probe
        ? x + Math.sign(k1) * probe
        : (inward - kink) * (x - kink) < 0
          ? 2 * x - inward
          : inward;
    const stiffness = Math.abs(model.dxdt(probed, v, p) - k1) / probe;
    const remaining = dt - elapsed;
    let step: number;
    if (model.stateReach) {
      const reach = model.stateReach(x, k1, MAX_STATE_STEP, p);
      const scale = model.stateScale ?? range;
      const first = stretchedSubstepLength(remaining, Math.abs(k1), reach, stiffness, scale);
      // Coming out of an edge the state moves where it is stiffer: the limits hold at the substep's end too.
      const end = project(x + first * k1, lower, upper);
      const kEnd = model.dxdt(end, v, p);
      const endStiffness =
        Math.abs(model.dxdt(end < middle ? end + probe : end - probe, v, p) - kEnd) / probe;
      step = Math.min(first, stiffnessLength(Math.abs(kEnd), endStiffness, scale));
    } else {
      step = substepLength(remaining, Math.abs(k1), stiffness, range);
    }
    const gap = (kink - x) * Math.sign(k1); // distance to the kink: > 0 if it is ahead, NaN without one
    const h = gap > 0 ? Math.min(step, (gap > 2 * margin ? gap - margin : 2 * margin) / Math.abs(k1)) : step;
    const k2 = model.dxdt(project(x + 0.5 * h * k1, lower, upper), v, p);
    const k3 = model.dxdt(project(x + 0.5 * h * k2, lower, upper), v, p);
    const k4 = model.dxdt(project(x + h * k3, lower, upper), v, p);
    const next = project(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lower, upper);
    if (next === x) break;
    observer?.(x, h, k1, k2, k3, k4);
    x = next;
    elapsed = h === remaining ? dt : elapsed + h;
  }
  return x;
}

/** Throws a RangeError naming the model unless lower ≤ x ≤ upper. */
export function checkState(model: MemristorModel, x: number, lower: number, upper: number): void {
  if (!(x >= lower && x <= upper)) {
    throw new RangeError(
      `${model.id}: state ${model.stateName} = ${x} ${model.stateUnit} is outside [${lower}, ${upper}]`,
    );
  }
}
