/**
 * The one shape every memristor model has, so that the virtual instrument,
 * the twin and the fitting engine can drive any of them the same way
 * (DESIGN.md, "Models"; STYLE.md §6: a stateful device is
 * `(state, stimulus, params) → {state, observables}`).
 *
 * A model is a plain object of pure functions of a scalar state, the voltage
 * across the device and a parameter object; time integration lives once, in
 * `integrate.ts`, not in the models.
 */
import type { ParameterSpec } from "../parameters.js";

export interface MemristorModel<P extends Record<string, number> = Record<string, number>> {
  /** Stable identifier ("linear-ion-drift-joglekar", "vteam", ...). */
  readonly id: string;
  /** Paper and equations implemented. */
  readonly citation: string;
  /** One entry per key of P; this order is the order of gradients. */
  readonly parameters: readonly ParameterSpec[];
  readonly defaults: Readonly<P>;
  /** Name and SI unit of the state variable ("x", "1" or "w", "m"). */
  readonly stateName: string;
  readonly stateUnit: string;
  /** Inclusive interval the state lives in, in `stateUnit`. */
  stateBounds(p: P): readonly [number, number];
  /** A sensible state to start from (high resistance, able to move). */
  initialState(p: P): number;
  /** State derivative at state x under voltage v (V), in `stateUnit`/s. */
  dxdt(x: number, v: number, p: P): number;
  /** Current through the device at state x under voltage v, A. */
  current(x: number, v: number, p: P): number;
  /** Resistance at state x, Ω: V/I where the I-V at fixed state is ohmic, the zero-bias dV/dI where it is not (Yakopcic's sinh). */
  resistance(x: number, p: P): number;
  /**
   * The state at which ∂(dx/dt)/∂x jumps under voltage v (Yakopcic's motion
   * function), NaN where dx/dt is smooth in x; absent if it always is. The
   * integrator steps over it in a substep of its own rather than straddle
   * it (RK4 across a kink is accurate to low order only). At the kink
   * itself, `dxdt` and its partials are those of the side the state moves
   * into under v.
   */
  kink?(v: number, p: P): number;
  /**
   * Where the state is a stretched coordinate of the physical one rather
   * than the physical state itself — the linear drift under a window that
   * vanishes at both edges keeps u = logit x, which resolves depths at an
   * edge that x cannot (linear-ion-drift.ts) — the physical state as a
   * fraction of its range, 0 to 1, at state s. Absent: the state is the
   * physical one, and its fraction is (s − lower)/(upper − lower).
   */
  fraction?(s: number, p: P): number;
  /**
   * Present with `fraction`: how far the state can move from s in the
   * direction of `direction`'s sign while the physical fraction moves by at
   * most `step` (∞ where it reaches 0 or 1 first). The integrator limits
   * each substep's move by the physical range through it (integrate.ts),
   * not by the stretched one's.
   */
  stateReach?(s: number, direction: number, step: number, p: P): number;
  /**
   * Present with `fraction`: the change of state worth the whole physical
   * range where the stretch is least (1/max d(fraction)/ds; 4 for the
   * logit). The integrator's error budget is LOCAL_ERROR of it.
   */
  readonly stateScale?: number;
  /** The state at a physical fraction f ∈ [0, 1], present with `fraction` (its inverse, within the bounds). */
  fromFraction?(f: number, p: P): number;
}

/**
 * A model that also gives its partial derivatives, which is what forward
 * sensitivities through the integration (`simulateWithGradient`) need. Every
 * model in this folder is one. Partials with respect to parameters are
 * written into `dp` in `parameters` order; the partial with respect to the
 * state is returned, so the hot loop allocates nothing.
 */
export interface DifferentiableMemristorModel<P extends Record<string, number> = Record<string, number>>
  extends MemristorModel<P> {
  /** Returns ∂(dx/dt)/∂x; writes ∂(dx/dt)/∂p_j into dp[j]. */
  dxdtPartials(x: number, v: number, p: P, dp: Float64Array): number;
  /** Returns ∂i/∂x; writes ∂i/∂p_j into dp[j]. */
  currentPartials(x: number, v: number, p: P, dp: Float64Array): number;
  /** Writes ∂lower/∂p_j into lower[j] and ∂upper/∂p_j into upper[j]. */
  stateBoundsPartials(p: P, lower: Float64Array, upper: Float64Array): void;
}

/** A voltage waveform under zero-order hold, and the state before it. */
export interface SimulationInput {
  /** Sample times, s, non-decreasing. */
  readonly times: Float64Array;
  /** voltages[k], V, is held from times[k-1] (or t0) until times[k]. */
  readonly voltages: Float64Array;
  /** State at t0, in the model's state unit. */
  readonly x0: number;
  /** Time of x0, s; defaults to times[0] (the first sample then sees no evolution). */
  readonly t0?: number;
}

export interface SimulationResult {
  /** State at each sample time. */
  readonly state: Float64Array;
  /** Current at each sample time, A. */
  readonly current: Float64Array;
}

export interface GradientResult extends SimulationResult {
  /** gradient[j][k] = ∂current[k]/∂p_j, in `parameters` order; A per parameter unit. */
  readonly gradient: Float64Array[];
}
