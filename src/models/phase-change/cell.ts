/**
 * Phase-change cell (GST-class): crystalline fraction X under heating
 * pulses, from a lumped heat balance, JMAK crystallisation kinetics and a
 * melt-quench rule.
 *
 * ```
 *   P(t) ──►┌──────────────┐   C dT/dt = P − (T − T_amb)/R_th
 *  (Joule  │ T, X (lumped)│──R_th──┐
 *   or     └──────────────┘        ⏚ T_amb
 *   absorbed optical power)
 * ```
 *
 * Heat: one temperature for the whole cell, C dT/dt = P − (T − T_amb)/R_th,
 * solved exactly for power held constant over a step:
 * T(s) = T_ss + (T0 − T_ss)e^{−s/τ}, T_ss = T_amb + P·R_th, τ = R_th·C.
 * The input is the heating power P: the Joule power V·I of an electrical
 * pulse (through the cell or a heater under it) or the absorbed part of an
 * optical pulse. Latent heat is neglected.
 *
 * Crystallisation: JMAK (Johnson–Mehl–Avrami–Kolmogorov) with an Arrhenius
 * rate k(T) = ν·exp(−E_a/(k_B T)) above the crystallisation temperature
 * and k = 0 at and below it. Isothermally X(t) = 1 − exp(−(kt)ⁿ); at
 * varying temperature we step the rate equation
 *   dX/dt = n k (1 − X) [−ln(1 − X)]^{(n−1)/n}
 * (the "KJMA transformation rate equation" discussed by Farjas & Roura,
 * "Modification of the Kolmogorov–Johnson–Mehl–Avrami rate equation for
 * non-isothermal experiments and its analytical solution", Acta Mater. 54,
 * 5573 (2006), arXiv:0811.1428; they show it is the isothermal form and
 * only approximate under continuous heating). Its solution for any k(t) is
 * X = 1 − exp(−Θⁿ) with Θ = ∫k dt (the additivity rule), so each step adds
 * ∫k dt to Θ (portable/cell.ts: exact temperature, crossing times of T_x
 * and T_m found exactly, and ∫k dt by the logarithmic-mean rule between
 * the ends of the part above T_x — exact for constant temperature; its
 * error grows with the change of ln k within a step, so steps should be
 * short against τ while the cell heats or cools: test/models/phase-change
 * measures it). At X = 0 the rate equation has dX/dt = 0 for n > 1; the
 * progress form picks the physical solution that nucleates.
 *
 * Melt-quench rule: while T ≥ T_m the cell is molten; the lumped model has
 * one temperature, so the melted fraction of the volume is all of it. Once
 * it cools below T_m the melt is amorphous (X = 0, Θ = 0), and whatever
 * recrystallises while it cools through the range T_x < T < T_m is
 * computed by JMAK like any other heating: a slow quench recrystallises, a
 * fast one (τ short) leaves the cell amorphous.
 *
 * Defaults (GST-225 where a source was found, SI units):
 *  - T_x = 423 K: crystallisation "near 150 °C" (Frantz et al., "Optical
 *    constants of germanium antimony telluride (GST) in amorphous,
 *    crystalline, and intermediate states", Opt. Mater. Express 13, 3631
 *    (2023);
 *    "Crystallization behavior of sputter-deposited amorphous Ge2Sb2Te5
 *    thin films", J. Appl. Phys. 86, 774 (1999));
 *  - T_m = 900 K (Branicio et al., Phys. Rev. Materials 2, 043401 (2018));
 *  - E_a = 0.49 eV: the effective activation energy of crystallisation
 *    of amorphous GST films at high heating rates, the regime of ns–µs
 *    pulses; the same study finds 2.34 eV below 40 °C/min, the regime of
 *    retention ("Effect of heating rate on the activation energy for
 *    crystallization of amorphous Ge2Sb2Te5 thin film", abstract). One
 *    Arrhenius law cannot hold both (GST's kinetics are fragile: Pries et
 *    al., Adv. Mater. 31, 1900784 (2019)); in this model the hard threshold
 *    T_x is what keeps a cell from crystallising at room temperature;
 *  - ν = 6e10 s⁻¹: chosen, not fitted, so that k(650 K) ≈ 10⁷ s⁻¹ (a SET
 *    pulse of ~100 ns crystallises the cell) while a melt cooled with the
 *    default τ stays amorphous (test/models/phase-change); with
 *    E_a = 2.34 eV the rate near T_m would be so high that every quench
 *    recrystallised;
 *  - n = 3: GST's average Avrami exponent approaches ~3 (Cr2Ge2Te6 study,
 *    MRS Commun. (2018), doi:10.1557/mrc.2018.176; 4.4 and 1.1 for the two
 *    stages near 150 °C in the 1999 J. Appl. Phys. paper);
 *  - C = 1.25e-14 J/K: ρc_p = 1.25e6 J/(m³K) (as used by Wang et al.,
 *    arXiv:2107.02035) times a 1 µm × 0.5 µm × 20 nm patch;
 *  - R_th = 6e4 K/W: chosen so that ~10 mW absorbed melts the patch; with
 *    C it gives τ = 0.75 ns. Both depend on the geometry: fit them.
 */
import { BOLTZMANN, ELECTRONVOLT } from "../constants.js";
import { checkParameters, defaultsOf, ParameterRangeError, type ParameterSpec } from "../parameters.js";
import {
  advanceProgress,
  fractionAfter,
  fractionOf as portableFractionOf,
  progressOf as portableProgressOf,
  relaxedTemperature,
} from "./portable/cell.js";

export type CellParams = {
  heatCapacity: number;
  thermalResistance: number;
  ambientTemperature: number;
  crystallisationTemperature: number;
  meltingTemperature: number;
  activationEnergy: number;
  prefactor: number;
  avramiExponent: number;
};

export const cellParameters: readonly ParameterSpec<keyof CellParams>[] = [
  {
    name: "heatCapacity",
    unit: "J/K",
    default: 1.25e-14,
    min: 1e-19,
    max: 1e-9,
    meaning: "C: heat capacity of the lumped cell",
  },
  {
    name: "thermalResistance",
    unit: "K/W",
    default: 6e4,
    min: 10,
    max: 1e9,
    meaning: "R_th: thermal resistance from the cell to the ambient",
  },
  {
    name: "ambientTemperature",
    unit: "K",
    default: 300,
    min: 4,
    max: 600,
    meaning: "T_amb: heat-sink temperature the cell relaxes to",
  },
  {
    name: "crystallisationTemperature",
    unit: "K",
    default: 423,
    min: 300,
    max: 700,
    meaning: "T_x: no crystallisation at or below it",
  },
  {
    name: "meltingTemperature",
    unit: "K",
    default: 900,
    min: 750,
    max: 1500,
    meaning: "T_m: the cell is molten at or above it (amorphous once quenched)",
  },
  {
    name: "activationEnergy",
    unit: "J",
    default: 0.49 * ELECTRONVOLT,
    min: 0.1 * ELECTRONVOLT,
    max: 5 * ELECTRONVOLT,
    meaning: "E_a: activation energy of the JMAK rate (0.49 eV)",
  },
  {
    name: "prefactor",
    unit: "1/s",
    default: 6e10,
    min: 1,
    max: 1e40,
    meaning: "nu: Arrhenius prefactor of the JMAK rate k = nu exp(-E_a/(k_B T))",
  },
  {
    name: "avramiExponent",
    unit: "1",
    default: 3,
    min: 1,
    max: 4,
    meaning: "n: Avrami exponent, X = 1 - exp(-(kt)^n) isothermally",
  },
];

export const cellDefaults: Readonly<CellParams> = Object.freeze(defaultsOf(cellParameters) as CellParams);

/** A cell's state: temperature, K, and crystalline fraction X ∈ [0, 1]. */
export interface CellState {
  readonly temperature: number;
  readonly fraction: number;
}

/** Heating power held in steps (zero-order hold), and the state before it. */
export interface CellInput {
  /** Sample times, s, non-decreasing. */
  readonly times: Float64Array;
  /** powers[k], W (≥ 0), is held from times[k−1] (or t0) until times[k]. */
  readonly powers: Float64Array;
  readonly initial: CellState;
  /** Time of `initial`, s; defaults to times[0]. */
  readonly t0?: number;
}

/** State after each sample time. */
export interface CellTrace {
  readonly temperature: Float64Array;
  readonly fraction: Float64Array;
}

/** Thermal time constant τ = R_th·C, s. */
export function thermalTimeConstant(p: CellParams): number {
  return p.thermalResistance * p.heatCapacity;
}

/** JMAK rate k(T), 1/s: ν·exp(−E_a/(k_B T)) above T_x, 0 at and below it (T finite and > 0, K). */
export function crystallisationRate(p: CellParams, temperature: number): number {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new RangeError(`phase-change cell: temperature ${temperature} K must be finite and > 0`);
  }
  if (temperature <= p.crystallisationTemperature) return 0;
  return p.prefactor * Math.exp(-p.activationEnergy / (BOLTZMANN * temperature));
}

/** Crystalline fraction X = 1 − e^{−Θⁿ} (JMAK) of an Avrami progress Θ ≥ 0 (Θ = ∞: X = 1). */
export function fractionOf(progress: number, avramiExponent: number): number {
  checkAvramiExponent(avramiExponent);
  if (!(progress >= 0)) throw new RangeError(`phase-change cell: progress Θ = ${progress} must be ≥ 0`);
  return portableFractionOf(progress, avramiExponent);
}

/** Avrami progress Θ = (−ln(1 − X))^{1/n} of a crystalline fraction X ∈ [0, 1] (X = 1: Θ = ∞). */
export function progressOf(fraction: number, avramiExponent: number): number {
  checkAvramiExponent(avramiExponent);
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`phase-change cell: crystalline fraction ${fraction} is outside [0, 1]`);
  }
  return portableProgressOf(fraction, avramiExponent);
}

function checkAvramiExponent(value: number): void {
  const spec = cellParameters.find((s) => s.name === "avramiExponent") as ParameterSpec<"avramiExponent">;
  if (!(value >= spec.min && value <= spec.max)) {
    throw new ParameterRangeError("phase-change cell", spec.name, value, spec.min, spec.max);
  }
}

/**
 * The step the batch kernel runs: temperature and Avrami progress Θ after
 * power P is held for dt. `progress` < 0 means "not computed yet, the
 * fraction is still `fraction`" (portable/cell.ts `advanceProgress`).
 * Unchecked, so not exported: `stepCell` and `simulateCell` validate first.
 */
function advanceCell(
  p: CellParams,
  temperature: number,
  progress: number,
  fraction: number,
  power: number,
  dt: number,
): { temperature: number; progress: number } {
  const timeConstant = thermalTimeConstant(p);
  const steady = p.ambientTemperature + power * p.thermalResistance;
  const next = relaxedTemperature(temperature, steady, Math.exp(-dt / timeConstant));
  return {
    temperature: next,
    progress: advanceProgress(
      progress,
      fraction,
      p.avramiExponent,
      temperature,
      next,
      steady,
      timeConstant,
      dt,
      p.crystallisationTemperature,
      p.meltingTemperature,
      p.activationEnergy / BOLTZMANN,
      p.prefactor,
    ),
  };
}

/** The state after heating power P (W) is held for dt (s). */
export function stepCell(p: CellParams, state: CellState, power: number, dt: number): CellState {
  checkParameters("phase-change cell", cellParameters, p);
  checkState(state);
  checkPower(p, power, "power");
  if (!(dt >= 0 && Number.isFinite(dt))) throw new RangeError(`phase-change cell: dt = ${dt} s`);
  const next = advanceCell(p, state.temperature, -1, state.fraction, power, dt);
  return {
    temperature: next.temperature,
    fraction: fractionAfter(next.progress, state.fraction, p.avramiExponent),
  };
}

/** Zero-order-hold simulation: the state at each sample time. */
export function simulateCell(p: CellParams, input: CellInput): CellTrace {
  checkCellInput(p, input);
  const { times, powers } = input;
  const temperature = new Float64Array(times.length);
  const fraction = new Float64Array(times.length);
  const x0 = input.initial.fraction;
  let t = input.initial.temperature;
  let progress = -1;
  let previous = input.t0 ?? times[0] ?? 0;
  for (let k = 0; k < times.length; k++) {
    const now = times[k] as number;
    const next = advanceCell(p, t, progress, x0, powers[k] as number, now - previous);
    t = next.temperature;
    progress = next.progress;
    temperature[k] = t;
    fraction[k] = fractionAfter(progress, x0, p.avramiExponent);
    previous = now;
  }
  return { temperature, fraction };
}

/** Validates parameters, waveform and initial state of a cell simulation. */
export function checkCellInput(p: CellParams, input: CellInput): void {
  checkParameters("phase-change cell", cellParameters, p);
  checkState(input.initial);
  const { times, powers } = input;
  if (times.length !== powers.length) {
    throw new RangeError(`phase-change cell: ${times.length} times but ${powers.length} powers`);
  }
  let previous = input.t0 ?? times[0] ?? 0;
  if (!Number.isFinite(previous)) throw new RangeError(`phase-change cell: start time ${previous} s`);
  for (let k = 0; k < times.length; k++) {
    const t = times[k] as number;
    if (!(t >= previous && Number.isFinite(t))) {
      throw new RangeError(
        `phase-change cell: time[${k}] = ${t} s is not finite or goes back from ${previous} s`,
      );
    }
    checkPower(p, powers[k] as number, `power[${k}]`);
    previous = t;
  }
}

function checkState(state: CellState): void {
  if (!(state.temperature > 0 && Number.isFinite(state.temperature))) {
    throw new RangeError(`phase-change cell: temperature ${state.temperature} K`);
  }
  if (!(state.fraction >= 0 && state.fraction <= 1)) {
    throw new RangeError(`phase-change cell: crystalline fraction ${state.fraction} is outside [0, 1]`);
  }
}

/** P ≥ 0 with a finite steady temperature T_ss = T_amb + P·R_th (beyond it the step's arithmetic is NaN). */
function checkPower(p: CellParams, power: number, what: string): void {
  if (!(power >= 0 && Number.isFinite(power))) {
    throw new RangeError(`phase-change cell: ${what} = ${power} W must be finite and ≥ 0`);
  }
  if (!Number.isFinite(p.ambientTemperature + power * p.thermalResistance)) {
    throw new RangeError(
      `phase-change cell: ${what} = ${power} W gives a steady temperature T_amb + P·R_th that is not finite`,
    );
  }
}
