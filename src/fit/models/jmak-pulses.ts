/**
 * A phase-change patch on a ring, crystallised by heater pulses, as a
 * model the engine fits: the ring's resonance after each pulse.
 *
 *   λ_j = λ₀ + S·g(X_j) + δ·(t_j − t₀)
 *   X_j = 1 − exp(−Θ_j^n),   Θ_j = Σ_{pulses i ≤ j} Σ_levels dwell·k(A)
 *   k(A) = k_ref · exp((E_a/k_B)(1/T_ref − 1/T(A)))  for T(A) > T_x, else 0
 *   T(A, t) = T_a + α A² + (δ/c)(t − t₀),   T_ref = T_a + α A_ref²
 *
 * Kinetics: JMAK (Avrami, J. Chem. Phys. 7, 1103 (1939)) under the
 * additivity rule, X = 1 − exp(−(∫k dt)ⁿ) for any temperature history
 * (Farjas & Roura, Acta Mater. 54, 5573 (2006)), with an Arrhenius rate
 * above the crystallisation temperature T_x, as the chip model has it
 * (src/models/phase-change/cell.ts). A heater pulse of amplitude A (V or
 * A on a resistive heater) heats the patch to a steady T_a + αA² within
 * its thermal time constant (ns, against pulses of ms): α is the patch's
 * temperature rise per V² (share × R_th,cell / R_heater). Each pulse is the
 * staircase the source ramps through: its levels with their dwells, the
 * top held its programmed width plus an edge time t_e (the source's
 * commands around the top, which the caller cannot time), fitted.
 *
 * Optics: the resonance of a ring moves linearly with the patch's real
 * index, λ_m ∝ n_g L_ring + (n_g + Re Δn_patch) L_patch (the round-trip
 * phase of src/models/circuit/demo-chip.ts), so the shift is S·g(X) with
 * g(X) = Re(n(X) − n_a)/Re(n_c − n_a) of the Lorentz–Lorenz mix
 * (src/models/phase-change/optics.ts) — g is given, from GST's optical
 * constants; S, the shift from amorphous to crystalline, is fitted. δ is
 * the chip's slow drift; when it is the ambient's, the patch drifts with
 * it, by δ/c with c = dλ/dT the resonance's temperature coefficient
 * (`driftCoupling` = 1/c, held; 0: the patch does not drift).
 *
 * k is fitted at a reference amplitude (k_ref = k(A_ref)), not as the
 * Arrhenius prefactor: ν sits at 1/T = 0, far outside any measurement,
 * and its error would be mostly the extrapolation's.
 */
import type { ParameterSpec } from "../../models/parameters.js";
import type { FitModel } from "../levenberg-marquardt.js";

/**
 * Width of the smoothed threshold, K: the chip's rate is 0 at and below
 * T_x and Arrhenius above; the fit takes k·σ((T − T_x)/w), a logistic step,
 * so that χ² is smooth in α (a ramp's level crossing T_x would otherwise
 * make it jump). It changes k only within a few w of T_x, where k is about
 * a tenth of its value 15 K (a tenth of a volt on the demo heater) higher.
 */
export const THRESHOLD_WIDTH = 0.5;

/** eV, J. */
const ELECTRONVOLT = 1.602176634e-19;
/** k_B, J/K. */
const BOLTZMANN = 1.380649e-23;

export const jmakPulseParameters: readonly ParameterSpec[] = [
  {
    name: "resonanceWavelength",
    unit: "m",
    default: 1.55e-6,
    min: 1e-7,
    max: 1e-4,
    meaning: "λ₀: the resonance before any pulse",
  },
  {
    name: "fullShift",
    unit: "m",
    default: 1e-9,
    min: -1e-7,
    max: 1e-7,
    meaning: "S: the resonance's shift from amorphous to crystalline",
  },
  {
    name: "driftRate",
    unit: "m/s",
    default: 0,
    min: -1e-9,
    max: 1e-9,
    meaning: "δ: the resonance's slow drift",
  },
  {
    name: "rate",
    unit: "1/s",
    default: 1,
    min: 1e-12,
    max: 1e12,
    meaning: "k_ref: JMAK rate at the reference amplitude",
  },
  {
    name: "heating",
    unit: "K/V²",
    default: 30,
    min: 1e-3,
    max: 1e6,
    meaning: "α: the patch's temperature rise per amplitude²",
  },
  { name: "avramiExponent", unit: "1", default: 3, min: 0.5, max: 4, meaning: "n: Avrami exponent" },
  {
    name: "edgeTime",
    unit: "s",
    default: 0,
    min: 0,
    max: 1,
    meaning: "t_e: time the top is held beyond the programmed width (the source's commands around it)",
  },
  {
    name: "driftCoupling",
    unit: "K/m",
    default: 0,
    min: 0,
    max: 1e15,
    meaning: "1/c: the patch's temperature change per metre of the resonance's drift (c = dλ/dT)",
  },
  {
    name: "activationEnergy",
    unit: "J",
    default: 2.34 * ELECTRONVOLT,
    min: 0.05 * ELECTRONVOLT,
    max: 10 * ELECTRONVOLT,
    meaning: "E_a: activation energy of the rate",
  },
  {
    name: "ambientTemperature",
    unit: "K",
    default: 300,
    min: 4,
    max: 600,
    meaning: "T_a: the patch's temperature with the heater off",
  },
  {
    name: "crystallisationTemperature",
    unit: "K",
    default: 423,
    min: 200,
    max: 900,
    meaning: "T_x: no crystallisation at or below it",
  },
];

/** What a recipe fits (the rest held: the drift coupling, E_a, T_a, T_x). */
export const JMAK_PULSE_FREE: readonly string[] = [
  "resonanceWavelength",
  "fullShift",
  "driftRate",
  "rate",
  "heating",
  "avramiExponent",
  "edgeTime",
];

/** One pulse as the patch saw it: the source's levels and how long each was held, s (the top: its programmed width, t_e added). */
export interface PulseShape {
  /** When the pulse began, s (on the readouts' timebase). */
  readonly time: number;
  readonly levels: readonly number[];
  readonly dwells: readonly number[];
  /** Index of the top level in `levels`. */
  readonly top: number;
}

export interface JmakPulseData {
  /** Time of each readout, s (readout j follows pulses 1..pulsesBefore[j]). */
  readonly times: Float64Array;
  /** How many pulses came before each readout (non-decreasing; 0: before any). */
  readonly pulsesBefore: readonly number[];
  /** Every pulse, in order. */
  readonly pulses: readonly PulseShape[];
  /** A_ref, the amplitude k_ref is quoted at. */
  readonly referenceAmplitude: number;
  /** g(X) and dg/dX: the shift's share at crystalline fraction X (0 at 0, 1 at 1). */
  readonly shiftShare: (fraction: number) => { readonly value: number; readonly slope: number };
}

/** The model at the readouts of `data` (see the module doc). */
export function jmakPulseFitModel(data: JmakPulseData): FitModel {
  const names = jmakPulseParameters.map((s) => s.name);
  const P = names.length;
  const at = (name: string) => names.indexOf(name);
  const [iλ, iS, iδ, ik, iα, in_, ie, ic, iE, iTa, iTx] = [
    "resonanceWavelength",
    "fullShift",
    "driftRate",
    "rate",
    "heating",
    "avramiExponent",
    "edgeTime",
    "driftCoupling",
    "activationEnergy",
    "ambientTemperature",
    "crystallisationTemperature",
  ].map(at) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const D = 8;
  const t0 = data.times[0] as number;
  const pulseCount = data.pulses.length;
  data.pulsesBefore.forEach((before, j) => {
    const previous = j > 0 ? (data.pulsesBefore[j - 1] as number) : 0;
    if (!(Number.isInteger(before) && before >= previous && before <= pulseCount)) {
      throw new RangeError(
        `JMAK pulse model: readout ${j} follows ${before} pulses; it must be a whole number from ${previous} to ${pulseCount}`,
      );
    }
  });
  return {
    name: "JMAK pulse kinetics with the ring's resonance",
    parameters: jmakPulseParameters,
    evaluate(p, prediction, jacobian) {
      const [λ0, S, δ, kRef, α, n, edge, coupling, E, Ta, Tx] = Array.from(p) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const a = E / BOLTZMANN;
      const A2ref = data.referenceAmplitude ** 2;
      const Tref = Ta + α * A2ref;
      // θ of each pulse and its partials in k_ref, α, E_a, T_a, t_e and δ.
      const θ = new Float64Array(pulseCount);
      const dθ = new Float64Array(pulseCount * D);
      for (let i = 0; i < pulseCount; i++) {
        const pulse = data.pulses[i] as PulseShape;
        const since = pulse.time - t0;
        const drifted = coupling * δ * since;
        for (let l = 0; l < pulse.levels.length; l++) {
          const A2 = (pulse.levels[l] as number) ** 2;
          const T = Ta + α * A2 + drifted;
          // The threshold as a smooth step over ±THRESHOLD_WIDTH (see the module doc).
          const z = (T - Tx) / THRESHOLD_WIDTH;
          if (z < -40) continue;
          const step = 1 / (1 + Math.exp(-z));
          const dStepdT = (step * (1 - step)) / THRESHOLD_WIDTH;
          const k = kRef * Math.exp(a * (1 / Tref - 1 / T));
          const held = (pulse.dwells[l] as number) + (l === pulse.top ? edge : 0);
          const w = held * k * step;
          // ∂w/∂T through the step, for α and T_a: w · (dstep/dT)/step = held·k·dstep/dT.
          const byT = held * k * dStepdT;
          θ[i] = (θ[i] as number) + w;
          const d = D * i;
          dθ[d] = (dθ[d] as number) + w / kRef;
          dθ[d + 1] = (dθ[d + 1] as number) + w * a * (A2 / (T * T) - A2ref / (Tref * Tref)) + byT * A2;
          dθ[d + 2] = (dθ[d + 2] as number) + (w * (1 / Tref - 1 / T)) / BOLTZMANN;
          dθ[d + 3] = (dθ[d + 3] as number) + w * a * (1 / (T * T) - 1 / (Tref * Tref)) + byT;
          if (l === pulse.top) dθ[d + 4] = (dθ[d + 4] as number) + k * step;
          // ∂T/∂δ = coupling·(t − t₀), ∂T/∂coupling = δ·(t − t₀): as T_a's, without T_ref's (k_ref is
          // quoted at t₀); T_x only through the step.
          const byDrift = w * a * (1 / (T * T)) + byT;
          dθ[d + 5] = (dθ[d + 5] as number) + byDrift * coupling * since;
          dθ[d + 6] = (dθ[d + 6] as number) + byDrift * δ * since;
          dθ[d + 7] = (dθ[d + 7] as number) - byT;
        }
      }
      let Θ = 0;
      const dΘ = [0, 0, 0, 0, 0, 0, 0, 0];
      let given = 0;
      for (let j = 0; j < prediction.length; j++) {
        const before = data.pulsesBefore[j] as number;
        for (; given < before; given++) {
          Θ += θ[given] as number;
          for (let q = 0; q < D; q++) dΘ[q] = (dΘ[q] as number) + (dθ[D * given + q] as number);
        }
        const Θn = Θ > 0 ? Θ ** n : 0;
        const survive = Math.exp(-Θn);
        const X = 1 - survive;
        const g = data.shiftShare(X);
        const t = (data.times[j] as number) - t0;
        prediction[j] = λ0 + S * g.value + δ * t;
        if (!jacobian) continue;
        const row = j * P;
        jacobian.fill(0, row, row + P);
        jacobian[row + iλ] = 1;
        jacobian[row + iS] = g.value;
        jacobian[row + iδ] = t;
        if (Θ > 0) {
          // dX/dΘ = n Θ^(n−1) e^(−Θⁿ); dX/dn = Θⁿ ln Θ e^(−Θⁿ).
          const byX = S * g.slope;
          const byΘ = byX * ((n * Θn) / Θ) * survive;
          jacobian[row + ik] = byΘ * (dΘ[0] as number);
          jacobian[row + iα] = byΘ * (dΘ[1] as number);
          jacobian[row + iE] = byΘ * (dΘ[2] as number);
          jacobian[row + iTa] = byΘ * (dΘ[3] as number);
          jacobian[row + ie] = byΘ * (dΘ[4] as number);
          jacobian[row + iδ] = t + byΘ * (dΘ[5] as number);
          jacobian[row + ic] = byΘ * (dΘ[6] as number);
          jacobian[row + iTx] = byΘ * (dΘ[7] as number);
          jacobian[row + in_] = byX * Θn * Math.log(Θ) * survive;
        }
      }
    },
  };
}

/**
 * The staircase a source ramps through for a pulse of `amplitude` held
 * `width`: up in N equal steps no larger than `maxStep` (as the drivers'
 * safety guard plans a ramp), the top held `width`, down through the same
 * levels to zero; each step of the way up held rampUp/N, each of the way
 * down rampDown/N (the ramps' pace, as the plan timed them).
 */
export function pulseStaircase(
  time: number,
  amplitude: number,
  width: number,
  maxStep: number,
  rampUp: number,
  rampDown: number,
): PulseShape {
  const steps = rampSteps(amplitude, maxStep);
  const levels: number[] = [];
  const dwells: number[] = [];
  for (let k = 1; k < steps; k++) {
    levels.push((amplitude * k) / steps);
    dwells.push((rampUp + rampDown) / steps);
  }
  levels.push(amplitude);
  dwells.push(width);
  return { time, levels, dwells, top: levels.length - 1 };
}

/** Number of steps {@link pulseStaircase} ramps through to `amplitude`. */
export function rampSteps(amplitude: number, maxStep: number): number {
  return Math.max(1, Math.ceil(Math.abs(amplitude) / maxStep - 1e-9));
}
