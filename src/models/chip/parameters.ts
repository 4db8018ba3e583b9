/**
 * The demo chip's dynamic model declared as data (DESIGN.md, "Models"):
 * every parameter of the static demo chip (src/models/circuit/demo-chip.ts:
 * netlist optics, heater resistance, heater-line memristor), the standalone
 * VTEAM memristor's (`standalone.*`), the heater's thermal RC (`thermal.*`),
 * the ambient drift (`ambient.*`) and the phase-change patch's lumped cell
 * (`cell.*`, src/models/phase-change/cell.ts) with the share of the heater's
 * power that heats it. The order is the flat layout of portable/layout.ts.
 *
 * New defaults, and where they come from:
 *  - thermal.resistance R_th = ΔT_π/P_π = 2.86e3 K/W: the temperature rise
 *    of the ring per heater watt that makes the heater's P_π (Harris et al.
 *    2014, 24.77 mW, src/models/photonic/phase-shifter.ts) a π shift of the
 *    ring, ΔT_π = λ/(2 L dn/dT) = 70.8 K for λ = 1.55 µm, the heated ring
 *    length L = 60.8 µm (the netlist's `ring.length`) and silicon's
 *    dn/dT = 1.8e-4 /K — from the thermo-optic phase Δφ = 2π L (dn/dT) ΔT/λ.
 *  - thermal.timeConstant τ = 10 µs: an assumption, the order of magnitude
 *    of the microsecond-scale response usually quoted for silicon
 *    thermo-optic heaters; not taken from a measurement of this device — fit
 *    it (a step of heater power and the ring's transmission resolve it).
 *  - ambient.driftRate = 1e-4 K/s (0.36 K/h): an assumption, a slow
 *    laboratory drift; the hidden truth (truth.ts) drifts the other way.
 *  - cell.heatingShare = 0.6: an effective coupling, not a measured one —
 *    the patch's steady rise is share·P·R_th,cell. Chosen so that the
 *    heater driven by a 2 V / 0.1 A source-measure unit (P = V²/R_h = 4 mW
 *    on 1 kΩ) takes the cell (R_th,cell = 6e4 K/W) to 300 K + 144 K, past
 *    its T_x = 423 K (reaching T_x needs share ≥ 0.51 there); melting
 *    (T_m = 900 K) needs 10 mW/share and is out of that source's reach.
 *  - cell.activationEnergy = 2.34 eV and cell.prefactor = 1.92e26 /s: the
 *    demo chip's patch is annealed by its heater for milliseconds to
 *    seconds, the slow regime of GST's kinetics, not by the ns SET pulses
 *    the cell model's own defaults describe (cell.ts: 0.49 eV at high
 *    heating rates, 2.34 eV below 40 °C/min, from the same study). The
 *    prefactor follows from Kissinger's condition at a DSC peak,
 *    k(T_p) = β E_a/(k_B T_p²) (H. E. Kissinger, Anal. Chem. 29, 1702
 *    (1957)), with β = 10 K/min and the peak at T_x = 423 K: k(T_x) =
 *    0.025 /s, so ν = k(T_x)·exp(E_a/(k_B T_x)). A heater pulse of 2 V
 *    then anneals the patch (≈ 473 K on the hidden truth) at ~16 /s, one
 *    of 1.9 V (≈ 456 K) at ~2 /s (0.5 /s at 2 V on the defaults): an SMU's
 *    pulses of tens of ms to seconds resolve the kinetics, which the
 *    phase-change recipe (calibration/phase-change.ts) fits. The quench
 *    from a melt recrystallises with these values; the heater cannot melt
 *    the patch at these limits anyway.
 */
import { demoChipParameters } from "../circuit/demo-chip.js";
import { BOLTZMANN, ELECTRONVOLT } from "../constants.js";
import { vteamParameters } from "../memristor/vteam.js";
import { defaultsOf, type ParameterSpec } from "../parameters.js";
import { cellParameters } from "../phase-change/cell.js";
import { PARAMETER_COUNT } from "./portable/layout.js";

/** dn/dT of silicon near 1550 nm, 1/K (as in src/models/photonic/phase-shifter.ts). */
export const SILICON_THERMO_OPTIC = 1.8e-4;

/** ΔT_π = λ/(2 L dn/dT): the temperature rise that shifts a length L of silicon by π at λ, K. */
export function piTemperatureRise(wavelength: number, length: number): number {
  return wavelength / (2 * length * SILICON_THERMO_OPTIC);
}

const ringLength = demoChipParameters.find((s) => s.name === "ring.length")?.default as number;
const piPower = demoChipParameters.find((s) => s.name === "heater.piPower")?.default as number;
/** R_th = ΔT_π/P_π at 1550 nm for the ring and heater defaults, rounded to 3 digits: 2.86e3 K/W. */
const THERMAL_RESISTANCE_DEFAULT = Number((piTemperatureRise(1.55e-6, ringLength) / piPower).toPrecision(3));

/** E_a of GST's crystallisation at low heating rates (cell.ts), J. */
const SLOW_ACTIVATION_ENERGY = 2.34 * ELECTRONVOLT;
/** Kissinger's rate at a DSC peak at T_x = 423 K for β = 10 K/min, 1/s: β E_a/(k_B T_x²). */
const KISSINGER_RATE = (10 / 60) * (SLOW_ACTIVATION_ENERGY / (BOLTZMANN * 423 ** 2));
/** The demo chip's patch kinetics (see the module doc): E_a and ν = k(T_x)·exp(E_a/(k_B T_x)), 3 digits. */
const SLOW_ANNEALING: Readonly<Record<string, number>> = {
  "cell.activationEnergy": SLOW_ACTIVATION_ENERGY,
  "cell.prefactor": Number(
    (KISSINGER_RATE * Math.exp(SLOW_ACTIVATION_ENERGY / (BOLTZMANN * 423))).toPrecision(3),
  ),
};

const prefixed = (prefix: string, table: readonly ParameterSpec[], what: string): ParameterSpec[] =>
  table.map((s) => ({ ...s, name: `${prefix}.${s.name}`, meaning: `${what}: ${s.meaning}` }));

export const chipParameters: readonly ParameterSpec[] = [
  ...demoChipParameters,
  ...prefixed("standalone", vteamParameters, "standalone memristor (VTEAM)"),
  {
    name: "thermal.resistance",
    unit: "K/W",
    default: THERMAL_RESISTANCE_DEFAULT,
    min: 1,
    max: 1e7,
    meaning: "R_th: ring temperature rise per watt in the heater (steady state)",
  },
  {
    name: "thermal.timeConstant",
    unit: "s",
    default: 10e-6,
    min: 1e-9,
    max: 10,
    meaning: "tau = R_th C: time constant of the heater's temperature (assumed 10 us)",
  },
  {
    name: "ambient.driftRate",
    unit: "K/s",
    default: 1e-4,
    min: -1,
    max: 1,
    meaning: "dT_amb/dt: drift of the chip's ambient temperature",
  },
  {
    name: "cell.heatingShare",
    unit: "1",
    default: 0.6,
    min: 0,
    max: 1,
    meaning: "share of the heater's power that heats the phase-change cell",
  },
  ...prefixed("cell", cellParameters, "phase-change cell").map((spec) => {
    const slow = SLOW_ANNEALING[spec.name];
    return slow === undefined ? spec : { ...spec, default: slow };
  }),
];

if (chipParameters.length !== PARAMETER_COUNT) {
  throw new Error(`demo chip dynamics: ${chipParameters.length} parameters, layout has ${PARAMETER_COUNT}`);
}

export type ChipParams = Readonly<Record<string, number>>;

export const chipDefaults: ChipParams = Object.freeze(defaultsOf(chipParameters));

/** The parameter object as the flat vector the kernels read (`chipParameters` order). */
export function chipParameterVector(p: ChipParams): Float64Array {
  return Float64Array.from(chipParameters, (s) => p[s.name] as number);
}
