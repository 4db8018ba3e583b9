/**
 * Batch kernel of the phase-change cell (src/models/phase-change/cell.ts:
 * lumped heat balance, JMAK crystallisation above T_x, melt-quench at T_m)
 * for nCells cells sharing one parameter set, each with its own heating
 * power, over nSteps steps of dt. The step itself is the model's portable
 * code (src/models/phase-change/portable/cell.ts); the TypeScript twin is
 * src/core/reference/phase-change.ts. A cell's X is converted to the
 * Avrami progress (and back) only if it crystallises during the call,
 * here rather than in the portable code (`initialProgress`,
 * `finalFraction`): by cbrt/sqrt and products for n = 2, 3, 4, where
 * AssemblyScript's pow (no fast path for them) cost ~15 of the ~70 ns a
 * cell took in a 1-step batch. They agree with pow to an ulp or two; the
 * model and the reference keep `**` (their dual-number gradient follows
 * the plain model to the bit). The rate integral carries k(T) from one
 * step to the next (`carriedIntegral`), so a crystallising cell's steps
 * after its first pay no exp; the kernel therefore agrees with the
 * reference to within some 1e-13 of each output (element by element)
 * rather than ~1e-15.
 *
 * Scalar on purpose: two cells per f64x2 lane (branches as masks, vector
 * exp/log by range reduction and series) measured 1.4× slower than this —
 * neighbouring cells rarely take the same branch, and a two-lane series is
 * bound by its latency where the scalar libm is table-driven.
 *
 * Memory layout (all f64):
 *   params [8]: heatCapacity, thermalResistance, ambientTemperature,
 *          crystallisationTemperature, meltingTemperature,
 *          activationEnergy, prefactor, avramiExponent (the model's order);
 *   temperature0, fraction0 [nCells]: the state before step 0;
 *   powers [nCells × nSteps] cell-major (perStep = 1), or [nCells] held
 *          for every step (perStep = 0);
 *   temperature, fraction [nCells]: the state after the last step.
 * Returns −1, or the index of the first cell with an input the reference
 * refuses (a temperature not finite and > 0, a fraction outside [0, 1], a
 * power not ≥ 0 or whose T_ss = T_amb + P·R_th is not finite) — checked as
 * the cells are read, so a batch is
 * read once; the wrapper then lets the reference's check name the value.
 */
import {
  advanceProgress,
  crossingTime,
  expm1OverX,
  relaxedTemperature,
} from "../../models/phase-change/portable/cell";

/**
 * `fractionAfter` of the portable code (X = 1 − e^{−Θⁿ}, or x0 if Θ was never needed),
 * with Θⁿ by multiplication for the whole exponents 2–4 (GST's n = 3): AssemblyScript's
 * pow has no fast path for them and costs ~20 ns a cell; the products are within an ulp
 * or two of pow (V8's `**`, which the reference and the model's dual numbers keep).
 */
function finalFraction(progress: f64, x0: f64, avrami: f64): f64 {
  if (progress < 0) return x0;
  let power: f64;
  if (avrami === 3) power = progress * progress * progress;
  else if (avrami === 2) power = progress * progress;
  else if (avrami === 4) {
    const square = progress * progress;
    power = square * square;
  } else power = progress ** avrami;
  // 1 − e^{−y} loses at most ~1.3 bits to cancellation once y ≥ 0.5 (e^{−y} ≤ 0.61),
  // and AssemblyScript's exp is table-driven where its expm1 is not.
  return power >= 0.5 ? 1 - Math.exp(-power) : -Math.expm1(-power);
}

/** `progressOf` of the portable code, Θ = (−ln(1 − X))^{1/n}, with cbrt and sqrt for n = 3, 2, 4. */
function initialProgress(x0: f64, avrami: f64): f64 {
  // From X = ½ on, 1 − X is exact (Sterbenz), so ln(1 − X) by the table-driven log is as good as log1p.
  const value = x0 >= 0.5 ? -Math.log(1 - x0) : -Math.log1p(-x0);
  if (avrami === 3) return Math.cbrt(value);
  if (avrami === 2) return Math.sqrt(value);
  if (avrami === 4) return Math.sqrt(Math.sqrt(value));
  return value ** (1 / avrami);
}

// The rate k(T) = ν e^{−T_a/T} carried from the end of one step of a cell to the
// start of its next, where the temperature is the same (see `carriedIntegral`).
let carriedRate: f64 = 0;
let carriedAt: f64 = NaN;
let carriedLeft: i32 = 0;
/** Steps a carried rate may be reused before k is computed afresh. */
const REANCHOR = 16;

/**
 * The portable `rateIntegral` (duration·k(ta)·(e^δ − 1)/δ), with k(ta)
 * taken from the previous step when ta is the temperature it ended at:
 * δ = ln(k(tb)/k(ta)) exactly, so k(tb) = k(ta)·e^δ. For |δ| < 0.5 that is
 * k(ta)·(1 + δ·(e^δ − 1)/δ), two products where the reference pays an exp
 * and a division (e^δ > 0.6 there, so the sum cancels nothing); beyond,
 * k(ta)·e^δ with the e^δ the ratio needed anyway — never 1 + (e^δ − 1),
 * which for a step that cools sharply (δ ≪ 0) would keep nothing of e^δ.
 * Each reuse adds a few ulps times |δ| (δ itself is rounded), and k is
 * recomputed every REANCHOR steps: the kernel stays within some 1e-13 of
 * the reference, element by element (test/core holds it to 1e-12, over
 * hundreds of steps and over on/off pulses at the largest E_a).
 */
function carriedIntegral(duration: f64, ta: f64, tb: f64, activation: f64, prefactor: f64): f64 {
  let ka: f64;
  if (ta === carriedAt && carriedLeft > 0) {
    ka = carriedRate;
    carriedLeft--;
  } else {
    ka = prefactor * Math.exp(-activation / ta);
    carriedLeft = REANCHOR;
  }
  const delta = (activation * (tb - ta)) / (ta * tb);
  let ratio: f64;
  if (Math.abs(delta) < 0.5) {
    ratio = expm1Ratio(delta);
    carriedRate = ka + ka * (delta * ratio);
  } else {
    // e^δ − 1 cancels at most ~1.3 bits from |δ| = 0.5 on; exp is table-driven, expm1 is not.
    const growth = Math.exp(delta);
    ratio = (growth - 1) / delta;
    carriedRate = ka * growth;
  }
  carriedAt = tb;
  return duration * ka * ratio;
}

/**
 * (e^δ − 1)/δ for |δ| < 0.5: the portable `expm1OverX` below |δ| = 1e-3
 * (its series); between, where a cell relaxing towards its steady
 * temperature spends most of its steps, the Taylor series
 * Σ_{j≤14} δ^j/(j + 1)! by Estrin's scheme (next term < 0.5^15/16! ≈ 1.5e-18)
 * instead of expm1 and a division.
 */
function expm1Ratio(delta: f64): f64 {
  if (Math.abs(delta) < 1e-3) return expm1OverX(delta);
  const d2 = delta * delta;
  const d4 = d2 * d2;
  const d8 = d4 * d4;
  const a0 = 1 + delta * 0.5; // 1/1!, 1/2!
  const a1 = 0.16666666666666666 + delta * 0.041666666666666664; // 1/3!, 1/4!
  const a2 = 0.008333333333333333 + delta * 0.001388888888888889; // 1/5!, 1/6!
  const a3 = 0.0001984126984126984 + delta * 0.0000248015873015873; // 1/7!, 1/8!
  const a4 = 0.0000027557319223985893 + delta * 2.755731922398589e-7; // 1/9!, 1/10!
  const a5 = 2.505210838544172e-8 + delta * 2.08767569878681e-9; // 1/11!, 1/12!
  const a6 = 1.6059043836821613e-10 + delta * 1.1470745597729725e-11; // 1/13!, 1/14!
  const a7 = 7.647163731819816e-13; // 1/15!
  return a0 + d2 * a1 + d4 * (a2 + d2 * a3) + d8 * (a4 + d2 * a5 + d4 * (a6 + d2 * a7));
}

/**
 * The portable `advanceProgress` (and its `progressIncrement`), branch for
 * branch, with `carriedIntegral` for the rate integral and Θ converted from
 * x0 by `initialProgress` when the cell first crystallises.
 */
function advance(
  progress: f64,
  x0: f64,
  avrami: f64,
  t0: f64,
  t1: f64,
  steady: f64,
  timeConstant: f64,
  dt: f64,
  crystallisation: f64,
  melting: f64,
  activation: f64,
  prefactor: f64,
): f64 {
  if (t1 >= melting) return 0;
  let start = 0.0;
  let ta = t0;
  if (t0 >= melting) {
    start = crossingTime(t0, steady, timeConstant, melting);
    ta = melting;
  }
  let increment: f64 = 0;
  if (ta > crystallisation || t1 > crystallisation) {
    let end = dt;
    let tb = t1;
    if (ta <= crystallisation) {
      start = crossingTime(t0, steady, timeConstant, crystallisation);
      ta = crystallisation;
    } else if (t1 <= crystallisation) {
      end = crossingTime(t0, steady, timeConstant, crystallisation);
      tb = crystallisation;
    }
    increment = carriedIntegral(end - start, ta, tb, activation, prefactor);
  }
  if (t0 >= melting) return increment;
  if (increment === 0) return progress;
  return (progress < 0 ? initialProgress(x0, avrami) : progress) + increment;
}

/** Boltzmann constant, J/K (as in cell.ts). */
const BOLTZMANN: f64 = 1.380649e-23;

export function phaseChangeBatch(
  nCells: i32,
  nSteps: i32,
  params: usize,
  dt: f64,
  temperature0: usize,
  fraction0: usize,
  powers: usize,
  perStep: i32,
  temperature: usize,
  fraction: usize,
): i32 {
  const heatCapacity = load<f64>(params);
  const thermalResistance = load<f64>(params, 8);
  const ambient = load<f64>(params, 16);
  const crystallisation = load<f64>(params, 24);
  const melting = load<f64>(params, 32);
  const activationEnergy = load<f64>(params, 40);
  const prefactor = load<f64>(params, 48);
  const avrami = load<f64>(params, 56);
  const timeConstant = thermalResistance * heatCapacity;
  const decay = Math.exp(-dt / timeConstant);
  const activation = activationEnergy / BOLTZMANN;
  const cellStride: usize = perStep === 1 ? (<usize>nSteps) << 3 : 8;
  const stepStride: usize = perStep === 1 ? 8 : 0;
  for (let c = 0; c < nCells; c++) {
    const at = (<usize>c) << 3;
    const x0 = load<f64>(fraction0 + at);
    let t = load<f64>(temperature0 + at);
    if (!(t > 0 && Number.isFinite(t) && x0 >= 0 && x0 <= 1)) return c;
    let progress: f64 = -1; // computed from x0 only if the cell crystallises
    let power = powers + <usize>c * cellStride;
    let steady: f64 = 0;
    carriedAt = NaN;
    for (let k = 0; k < nSteps; k++) {
      // A held power is read, checked and turned into T_ss once per cell.
      if (k === 0 || perStep === 1) {
        const p = load<f64>(power);
        steady = ambient + p * thermalResistance;
        if (!(p >= 0 && Number.isFinite(steady))) return c;
        power += stepStride;
      }
      const next = relaxedTemperature(t, steady, decay);
      progress = advance(
        progress,
        x0,
        avrami,
        t,
        next,
        steady,
        timeConstant,
        dt,
        crystallisation,
        melting,
        activation,
        prefactor,
      );
      t = next;
    }
    store<f64>(temperature + at, t);
    store<f64>(fraction + at, finalFraction(progress, x0, avrami));
  }
  return -1;
}

// Fraction output of `phaseChangeStep` (see phaseChangeScratch).
const SCRATCH = memory.data(16, 16);

/** Address of `phaseChangeStep`'s fraction output: 1 f64 the allocator never hands out. */
export function phaseChangeScratch(): usize {
  return SCRATCH;
}

/**
 * One cell, one step of dt at power P (what a twin does per sample):
 * `stepCell` of src/models/phase-change/cell.ts with the parameters read
 * from `params` (the 8 f64 above, e.g. resident) and the state as scalars.
 * Returns the temperature after the step and stores the fraction at
 * `phaseChangeScratch()`; returns NaN (and stores nothing) if the state,
 * power or dt is one the model refuses, so the wrapper lets the model name it.
 */
export function phaseChangeStep(params: usize, t0: f64, x0: f64, power: f64, dt: f64): f64 {
  if (!(t0 > 0 && Number.isFinite(t0) && x0 >= 0 && x0 <= 1)) return NaN;
  const heatCapacity = load<f64>(params);
  const thermalResistance = load<f64>(params, 8);
  const timeConstant = thermalResistance * heatCapacity;
  const steady = load<f64>(params, 16) + power * thermalResistance;
  if (!(power >= 0 && Number.isFinite(steady) && dt >= 0 && Number.isFinite(dt))) return NaN;
  const next = relaxedTemperature(t0, steady, Math.exp(-dt / timeConstant));
  const avrami = load<f64>(params, 56);
  const progress = advanceProgress(
    -1,
    x0,
    avrami,
    t0,
    next,
    steady,
    timeConstant,
    dt,
    load<f64>(params, 24),
    load<f64>(params, 32),
    load<f64>(params, 40) / BOLTZMANN,
    load<f64>(params, 48),
  );
  store<f64>(SCRATCH, finalFraction(progress, x0, avrami));
  return next;
}
