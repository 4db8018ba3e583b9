/**
 * The phase-change patch over a step it spends at or below T_x, where it
 * has no kinetics (JMAK's rate is 0 there: src/models/phase-change/
 * portable/cell.ts `progressIncrement`), so X stays and T_c follows the
 * heat balance with the power P held and the ambient drifting,
 * ΔT_amb(t) = ΔT_amb,0 + r t:
 *   C dT/dt = P − (T − T_amb,c − ΔT_amb(t))/R.
 * With T_ss = T_amb,c + ΔT_amb,0 + P R and τ = R C its exact solution is
 *   T(t) = T_ss − rτ + r t + (T0 − T_ss + rτ) e^{−t/τ}
 * (dT/dt = r − (T0 − T_ss + rτ)e^{−t/τ}/τ = (T_ss + r t − T)/τ), which is
 * what makes one step of any length exact for a cold patch (../dynamics.ts
 * says when the chip takes it). Compiled by tsc (../dynamics.ts) and asc
 * (src/core/assembly/chip.ts); rules: src/models/memristor/portable/README.md.
 * The partials go to module globals. The decay e^{−dt/τ} is an argument,
 * from `exponential` (the same bits in both engines).
 */

/** ∂T(dt)/∂T0, ∂T(dt)/∂T_ss, ∂T(dt)/∂r, ∂T(dt)/∂τ after `driftingTemperaturePartials`. */
export let byStart = 0.0;
export let bySteady = 0.0;
export let byRate = 0.0;
export let byTimeConstant = 0.0;

/**
 * An upper bound of T(t) over 0 ≤ t ≤ dt, K: max(T0, T_ss − rτ) + max(0, r dt).
 * T(t) is the line T_ss − rτ + r t plus a transient c e^{−t/τ},
 * c = T0 − T_ss + rτ: if c ≥ 0, T(t) ≤ T0 + r t; if c < 0, T(t) < T_ss − rτ + r t.
 * At most T_x: the patch has no kinetics over the step.
 */
export function peakTemperature(
  t0: number,
  steady: number,
  rate: number,
  timeConstant: number,
  dt: number,
): number {
  return Math.max(t0, steady - rate * timeConstant) + Math.max(0.0, rate * dt);
}

/** T(dt), K, for decay = e^{−dt/τ}. */
export function driftingTemperature(
  t0: number,
  steady: number,
  rate: number,
  timeConstant: number,
  dt: number,
  decay: number,
): number {
  const lag = rate * timeConstant;
  return steady - lag + rate * dt + (t0 - steady + lag) * decay;
}

/** T(dt)'s partials (into the globals above); ∂e^{−dt/τ}/∂τ = e^{−dt/τ} dt/τ². */
export function driftingTemperaturePartials(
  t0: number,
  steady: number,
  rate: number,
  timeConstant: number,
  dt: number,
  decay: number,
): void {
  byStart = decay;
  bySteady = 1 - decay;
  byRate = dt - timeConstant * (1 - decay);
  byTimeConstant =
    -rate * (1 - decay) + ((t0 - steady + rate * timeConstant) * decay * dt) / (timeConstant * timeConstant);
}
