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
 * the plain model to the bit).
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
 * power not finite and ≥ 0) — checked as the cells are read, so a batch is
 * read once; the wrapper then lets the reference's check name the value.
 */
import { advanceProgress, relaxedTemperature } from "../../models/phase-change/portable/cell";

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
  return -Math.expm1(-power);
}

/** `progressOf` of the portable code, Θ = (−ln(1 − X))^{1/n}, with cbrt and sqrt for n = 3, 2, 4. */
function initialProgress(x0: f64, avrami: f64): f64 {
  const value = -Math.log1p(-x0);
  if (avrami === 3) return Math.cbrt(value);
  if (avrami === 2) return Math.sqrt(value);
  if (avrami === 4) return Math.sqrt(Math.sqrt(value));
  return value ** (1 / avrami);
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
    for (let k = 0; k < nSteps; k++) {
      // A held power is read, checked and turned into T_ss once per cell.
      if (k === 0 || perStep === 1) {
        const p = load<f64>(power);
        if (!(p >= 0 && Number.isFinite(p))) return c;
        steady = ambient + p * thermalResistance;
        power += stepStride;
      }
      const next = relaxedTemperature(t, steady, decay);
      // The step crystallises (advanceProgress would convert x0 with pow): convert it here.
      if (progress < 0 && next < melting && t < melting && (t > crystallisation || next > crystallisation)) {
        progress = initialProgress(x0, avrami);
      }
      progress = advanceProgress(
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
  if (!(power >= 0 && Number.isFinite(power) && dt >= 0 && Number.isFinite(dt))) return NaN;
  const heatCapacity = load<f64>(params);
  const thermalResistance = load<f64>(params, 8);
  const timeConstant = thermalResistance * heatCapacity;
  const steady = load<f64>(params, 16) + power * thermalResistance;
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
