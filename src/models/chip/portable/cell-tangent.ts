/**
 * One step of the phase-change cell (src/models/phase-change/portable/
 * cell.ts: exact lumped heat balance, JMAK progress by the log-mean rate
 * integral, melt-quench), with the forward derivative along one direction:
 * every input comes with its tangent (d…), and the step's temperature and
 * fraction come out with theirs. The branches are taken on the values, as
 * the plain step takes them, and the expressions are the plain step's
 * (cell.ts `stepCell`, progress −1: X → Θ only where the cell
 * crystallises), so the value is the plain step's and the tangent the
 * derivative of the branch it takes — as the dual numbers of
 * src/models/phase-change/cell-gradient.ts, with the state, the ambient and
 * the power as directions too. Compiled by tsc and asc (rules:
 * src/models/memristor/portable/README.md; Math.exp, log, expm1, log1p and
 * ** as in the phase-change portable code, whose last bit may differ between
 * the engines). Results in module globals.
 *
 * The step's decay e^{−h/τ} (τ = R_th C) is an argument: the callers take it
 * from `exponential` (src/models/memristor/portable/physics.ts), the same
 * bits in both engines, and this file gives its tangent, e^{−h/τ} h dτ/τ².
 */

/** Temperature (K) and crystalline fraction after the step, and their tangents. */
export let stepTemperature = 0.0;
export let stepFraction = 0.0;
export let stepTemperatureD = 0.0;
export let stepFractionD = 0.0;

// Tangent of the last helper's value.
let tangent = 0.0;

/** τ ln((T0 − T_ss)/(level − T_ss)): when the relaxing temperature crosses `level`; its tangent in `tangent`. */
function crossing(
  t0: number,
  dt0: number,
  steady: number,
  dSteady: number,
  tau: number,
  dTau: number,
  level: number,
  dLevel: number,
): number {
  const log = Math.log((t0 - steady) / (level - steady));
  tangent = dTau * log + tau * ((dt0 - dSteady) / (t0 - steady) - (dLevel - dSteady) / (level - steady));
  return tau * log;
}

/** ∫k dt by the log-mean rule (portable/cell.ts `rateIntegral`); its tangent in `tangent`. */
function rateIntegral(
  duration: number,
  dDuration: number,
  ta: number,
  dTa: number,
  tb: number,
  dTb: number,
  activation: number,
  dActivation: number,
  prefactor: number,
  dPrefactor: number,
): number {
  const boltzmann = Math.exp(-activation / ta);
  const ka = prefactor * boltzmann;
  const dKa = dPrefactor * boltzmann + ka * (-dActivation / ta + (activation * dTa) / (ta * ta));
  const product = ta * tb;
  const delta = (activation * (tb - ta)) / product;
  const dDelta =
    (dActivation * (tb - ta) + activation * (dTb - dTa)) / product -
    (delta * (dTa * tb + ta * dTb)) / product;
  let ratio: number;
  let slope: number;
  if (Math.abs(delta) < 1e-3) {
    ratio = 1 + delta * (0.5 + delta * (1 / 6 + delta * (1 / 24 + delta * (1 / 120 + delta * (1 / 720)))));
    slope = 0.5 + delta * (1 / 3 + delta * (1 / 8 + delta / 30));
  } else {
    const grown = Math.expm1(delta);
    ratio = grown / delta;
    slope = (delta * Math.exp(delta) - grown) / (delta * delta);
  }
  tangent = dDuration * ka * ratio + duration * dKa * ratio + duration * ka * slope * dDelta;
  return duration * ka * ratio;
}

/** X = 1 − e^{−Θⁿ} into stepFraction, stepFractionD (Θ = ∞: 1, tangent 0). */
function setFraction(progress: number, dProgress: number, avrami: number, dAvrami: number): void {
  const powered = progress ** avrami;
  stepFraction = -Math.expm1(-powered);
  if (progress === Infinity) {
    stepFractionD = 0;
    return;
  }
  let dPowered = 0.0;
  if (progress > 0) dPowered = powered * ((avrami * dProgress) / progress + dAvrami * Math.log(progress));
  else if (avrami === 1) dPowered = dProgress;
  stepFractionD = Math.exp(-powered) * dPowered;
}

/**
 * The cell's step of length h from temperature T0 and fraction X0 under
 * heating power P held, towards T_ss = T_amb + P R_th, with `decay` =
 * e^{−h/(R_th C)}; `activation` is E_a/k_B (K).
 */
export function cellStepTangent(
  t0: number,
  dt0: number,
  x0: number,
  dx0: number,
  ambient: number,
  dAmbient: number,
  power: number,
  dPower: number,
  capacity: number,
  dCapacity: number,
  resistance: number,
  dResistance: number,
  crystallisation: number,
  dCrystallisation: number,
  melting: number,
  dMelting: number,
  activation: number,
  dActivation: number,
  prefactor: number,
  dPrefactor: number,
  avrami: number,
  dAvrami: number,
  h: number,
  decay: number,
): void {
  const tau = resistance * capacity;
  const dTau = dResistance * capacity + resistance * dCapacity;
  const steady = ambient + power * resistance;
  const dSteady = dAmbient + dPower * resistance + power * dResistance;
  const dDecay = (decay * h * dTau) / (tau * tau);
  const t1 = steady + (t0 - steady) * decay;
  const dt1 = dSteady + (dt0 - dSteady) * decay + (t0 - steady) * dDecay;
  stepTemperature = t1;
  stepTemperatureD = dt1;
  if (t1 >= melting) {
    stepFraction = 0;
    stepFractionD = 0;
    return;
  }
  // progressIncrement
  let start = 0.0;
  let dStart = 0.0;
  let ta = t0;
  let dTa = dt0;
  if (t0 >= melting) {
    start = crossing(t0, dt0, steady, dSteady, tau, dTau, melting, dMelting);
    dStart = tangent;
    ta = melting;
    dTa = dMelting;
  }
  let increment = 0.0;
  let dIncrement = 0.0;
  if (!(ta <= crystallisation && t1 <= crystallisation)) {
    let end = h;
    let dEnd = 0.0;
    let tb = t1;
    let dTb = dt1;
    if (ta <= crystallisation) {
      start = crossing(t0, dt0, steady, dSteady, tau, dTau, crystallisation, dCrystallisation);
      dStart = tangent;
      ta = crystallisation;
      dTa = dCrystallisation;
    } else if (t1 <= crystallisation) {
      end = crossing(t0, dt0, steady, dSteady, tau, dTau, crystallisation, dCrystallisation);
      dEnd = tangent;
      tb = crystallisation;
      dTb = dCrystallisation;
    }
    increment = rateIntegral(
      end - start,
      dEnd - dStart,
      ta,
      dTa,
      tb,
      dTb,
      activation,
      dActivation,
      prefactor,
      dPrefactor,
    );
    dIncrement = tangent;
  }
  if (t0 >= melting) {
    setFraction(increment, dIncrement, avrami, dAvrami);
    return;
  }
  if (increment === 0) {
    stepFraction = x0;
    stepFractionD = dx0;
    return;
  }
  // Θ0 = (−ln(1 − X0))^{1/n}; X0 = 1: ∞ whatever the inputs.
  const q = -Math.log1p(-x0);
  const progress = q ** (1 / avrami);
  let dProgress = 0.0;
  if (x0 < 1) {
    const dq = dx0 / (1 - x0);
    if (q > 0) dProgress = progress * (dq / (q * avrami) - (dAvrami * Math.log(q)) / (avrami * avrami));
    else if (avrami === 1) dProgress = dq;
  }
  setFraction(progress + increment, dProgress + dIncrement, avrami, dAvrami);
}
