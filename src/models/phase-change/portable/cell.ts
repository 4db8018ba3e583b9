/**
 * One time step of a phase-change cell: lumped heat balance, JMAK
 * crystallisation and the melt-quench rule. Compiled by tsc (the model,
 * ../cell.ts, and the batch kernel's TypeScript reference) and by asc (the
 * WASM kernel, src/core/assembly/phase-change.ts), so both run one source.
 *
 * Rules for this folder: no imports (tsc wants `./x.js`, asc `./x`), only
 * the type `number` (f64 in AssemblyScript). Unlike the memristor's
 * portable code, this uses Math.exp, expm1, log, log1p and pow, whose last
 * bit can differ between V8 and AssemblyScript's libm, and the batch kernel
 * carries the rate from step to step where this recomputes it: kernel and
 * reference agree to within some 1e-13 relative, not to the bit
 * (test/core holds them to 1e-12, element by element). Nothing here amplifies a last-bit difference except a
 * temperature that lands exactly on T_x or T_m, where the model itself
 * switches branch.
 *
 * The state carried between steps is the Avrami progress Θ = ∫k dt
 * (X = 1 − exp(−Θⁿ)), not X: with Θ the step is the exact solution of the
 * JMAK rate equation for the given k(t) (../cell.ts explains), and it
 * does not lose digits near X = 0 or X = 1 by converting back and forth.
 * Θ is computed from X only when a cell crystallises (`advanceProgress`):
 * a cell that stays cold keeps its X to the bit, and a batch pays the
 * conversions only for the cells that need them.
 */

/** Temperature after a step: T_ss + (T0 − T_ss)·e^{−dt/τ}, exact for constant power (decay = e^{−dt/τ}). */
export function relaxedTemperature(t0: number, steady: number, decay: number): number {
  return steady + (t0 - steady) * decay;
}

/**
 * Time at which T(s) = T_ss + (T0 − T_ss)e^{−s/τ} reaches `level`, s
 * (`level` strictly between T0 and T_ss, so the ratio is > 1).
 */
export function crossingTime(t0: number, steady: number, timeConstant: number, level: number): number {
  return timeConstant * Math.log((t0 - steady) / (level - steady));
}

/**
 * ∫ k dt over `duration` while the temperature goes from ta to tb, with
 * k = ν e^{−T_a/T} (T_a = E_a/k_B, the activation temperature) and ln k
 * taken linear in time between the ends (the logarithmic-mean rule):
 * duration·k(ta)·(e^δ − 1)/δ with δ = ln(k(tb)/k(ta)) = T_a(tb − ta)/(ta·tb).
 * Exact when the temperature is constant (δ = 0: duration·k).
 */
export function rateIntegral(
  duration: number,
  ta: number,
  tb: number,
  activation: number,
  prefactor: number,
): number {
  const ka = prefactor * Math.exp(-activation / ta);
  const delta = (activation * (tb - ta)) / (ta * tb);
  return duration * ka * expm1OverX(delta);
}

/**
 * (e^δ − 1)/δ: 1 + δ/2 + δ²/6 + δ³/24 + δ⁴/120 + δ⁵/720 for |δ| < 1e-3
 * (next term < 2e-22: exact to rounding; this is most steps of a cell near
 * its steady temperature), expm1(δ)/δ beyond.
 */
export function expm1OverX(delta: number): number {
  if (Math.abs(delta) < 1e-3) {
    return 1 + delta * (0.5 + delta * (1 / 6 + delta * (1 / 24 + delta * (1 / 120 + delta * (1 / 720)))));
  }
  return Math.expm1(delta) / delta;
}

/**
 * What a step adds to the Avrami progress Θ (its rule is `advanceProgress`),
 * for a step that does not end molten (t1 < T_m): ∫k dt over the part of the
 * step above T_x, after the cell cooled through T_m if it started molten
 * (T is monotone within a step, so that part is one interval, whose ends
 * are the crossing times).
 */
export function progressIncrement(
  t0: number,
  t1: number,
  steady: number,
  timeConstant: number,
  dt: number,
  crystallisation: number,
  melting: number,
  activation: number,
  prefactor: number,
): number {
  let start = 0.0;
  let ta = t0;
  if (t0 >= melting) {
    start = crossingTime(t0, steady, timeConstant, melting);
    ta = melting;
  }
  if (ta <= crystallisation && t1 <= crystallisation) return 0;
  let end = dt;
  let tb = t1;
  if (ta <= crystallisation) {
    start = crossingTime(t0, steady, timeConstant, crystallisation);
    ta = crystallisation;
  } else if (t1 <= crystallisation) {
    end = crossingTime(t0, steady, timeConstant, crystallisation);
    tb = crystallisation;
  }
  return rateIntegral(end - start, ta, tb, activation, prefactor);
}

/**
 * Avrami progress Θ after a step of length dt in which the temperature
 * relaxes from t0 to t1 towards `steady` with time constant τ:
 *  - molten at the end (t1 ≥ T_m): 0 — the melted volume (all of a lumped
 *    cell) is amorphous once quenched;
 *  - molten at the start only (t0 ≥ T_m > t1): 0 at the time s_m the cell
 *    cools through T_m, then it crystallises again from there;
 *  - crystallisation (k > 0) only while T > T_x.
 * `progress` < 0 stands for "not known yet" (the step then needs it only if
 * the cell crystallises, and takes it from `fraction`): callers that start
 * from a fraction convert it only for cells that crystallise.
 */
export function advanceProgress(
  progress: number,
  fraction: number,
  avrami: number,
  t0: number,
  t1: number,
  steady: number,
  timeConstant: number,
  dt: number,
  crystallisation: number,
  melting: number,
  activation: number,
  prefactor: number,
): number {
  if (t1 >= melting) return 0;
  const increment = progressIncrement(
    t0,
    t1,
    steady,
    timeConstant,
    dt,
    crystallisation,
    melting,
    activation,
    prefactor,
  );
  if (t0 >= melting) return increment;
  if (increment === 0) return progress;
  return (progress < 0 ? progressOf(fraction, avrami) : progress) + increment;
}

/** Fraction after steps that left `progress` (< 0: unchanged, the fraction is still `fraction`). */
export function fractionAfter(progress: number, fraction: number, avrami: number): number {
  return progress < 0 ? fraction : fractionOf(progress, avrami);
}

/** Crystalline fraction X = 1 − e^{−Θⁿ} (JMAK), computed without cancellation near 0. */
export function fractionOf(progress: number, avrami: number): number {
  return -Math.expm1(-(progress ** avrami));
}

/** Progress Θ = (−ln(1 − X))^{1/n}, the inverse of `fractionOf` (∞ at X = 1). */
export function progressOf(fraction: number, avrami: number): number {
  return (-Math.log1p(-fraction)) ** (1 / avrami);
}
