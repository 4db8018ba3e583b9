/**
 * The demo chip of DESIGN.md: a grating coupler, a bus waveguide past an
 * all-pass microring that carries a thermal phase shifter and a
 * phase-change (GST) patch, a second grating coupler; the heater is driven
 * through a memristor in series.
 *
 * ```
 *   fiber in ─▶[gcIn]══busIn══╗  coupler  ╔══busOut══[gcOut]─▶ fiber out
 *                             ╚════╤╤═════╝
 *                           ╭──────╯╰──────╮
 *                           │     ring     │  loop: ring waveguide → heater → GST patch → coupler
 *                           ╰─[heater]─[GST]╯
 *
 *   heater line:  V ──[ memristor R_m(x) ]──[ heater R_h ]── ground
 * ```
 *
 * Optics: a netlist (netlist.ts) of the photonic models — the ring is the
 * coupler closed on its loop, so the patch's loss and phase and the
 * heater's phase enter the round trip where they sit. Electrics: the
 * memristor and the heater divide the voltage, I = V/(R_h + R_m), so the
 * heater dissipates
 *
 *   P = I² R_h = V² R_h/(R_h + R_m)²,
 *
 * with R_m from the memristor model's `resistance(x, p)` (Strukov et al.'s
 * linear ion drift, src/models/memristor: R_m = R_on x + R_off (1 − x)).
 * A low-resistance memristor lets the heater work; a high-resistance one
 * all but switches it off.
 *
 * The chip is a model: parameters are the netlist's ("coupler.coupling",
 * "heater.piPower", "patch.crystallineIndex", ...) except the two settings
 * the inputs drive (heater.heaterPower, patch.fraction), plus the
 * memristor's ("memristor.rOn", ...); inputs are the wavelength, the
 * heater-line voltage, the memristor's state and the patch's crystalline
 * fraction; outputs the fibre-to-fibre S-matrix and its power
 * transmission, with gradients with respect to every parameter and to the
 * three electrical and material inputs.
 *
 * Where the resonance goes: with n_eff linear in λ the round-trip phase is
 * exactly φ(λ) = A/λ − B + Δφ_heater, A = 2π(n_g L_ring + (n_g + Re Δn_patch) L_patch),
 * so a resonance m sits at λ_m = A/(2πm + B − Δφ): heating (Δφ > 0) and
 * crystallising (Re Δn grows) both shift it red, by Δλ ≈ λ² Δφ/A to first
 * order (test/models/circuit/demo-chip.test.ts measures both).
 */
import {
  checkState,
  type DifferentiableMemristorModel,
  type DriftParams,
  linearIonDriftIdeal,
} from "../memristor/index.js";
import { checkParameters, type ParameterSpec } from "../parameters.js";
import { coupler } from "../photonic/coupler.js";
import { gratingCoupler } from "../photonic/grating-coupler.js";
import { thermalPhaseShifter } from "../photonic/phase-shifter.js";
import { entry, type SMatrix } from "../photonic/s-matrix.js";
import { waveguide } from "../photonic/waveguide.js";
import { compileNetlist, type Netlist } from "./netlist.js";
import { phaseChangePatch } from "./phase-change-patch.js";

const RING_RADIUS = 10e-6;
const PATCH_LENGTH = 2e-6;

export const demoChipNetlist: Netlist = {
  instances: {
    gcIn: { model: "gratingCoupler" },
    busIn: { model: "waveguide" },
    coupler: { model: "coupler", params: { coupling: 0.04 } },
    ring: { model: "waveguide", params: { length: 2 * Math.PI * RING_RADIUS - PATCH_LENGTH } },
    heater: { model: "phaseShifter", params: { insertionLossDb: 0.02 } },
    patch: { model: "patch", params: { length: PATCH_LENGTH } },
    busOut: { model: "waveguide" },
    gcOut: { model: "gratingCoupler" },
  },
  connections: [
    ["gcIn,waveguide", "busIn,in"],
    ["busIn,out", "coupler,in0"],
    ["coupler,out0", "busOut,in"],
    ["busOut,out", "gcOut,waveguide"],
    ["coupler,out1", "ring,in"],
    ["ring,out", "heater,in"],
    ["heater,out", "patch,in"],
    ["patch,out", "coupler,in1"],
  ],
  ports: { in: "gcIn,fiber", out: "gcOut,fiber" },
};

/** The optical circuit, with the heater power and patch fraction as ordinary parameters. */
export const demoChipCircuit = compileNetlist(
  demoChipNetlist,
  {
    gratingCoupler,
    waveguide,
    coupler,
    phaseShifter: thermalPhaseShifter,
    patch: phaseChangePatch,
  },
  "demo-chip",
);

const HEATER_POWER = "heater.heaterPower";
const FRACTION = "patch.fraction";
const HEATER_RESISTANCE = "heater.heaterResistance";
const MEMRISTOR = "memristor";

/** The memristor on the heater line (Strukov's linear ion drift, no window). */
export const demoChipMemristor: DifferentiableMemristorModel<DriftParams> = linearIonDriftIdeal;

export const demoChipParameters: readonly ParameterSpec[] = [
  ...demoChipCircuit.parameters.filter((s) => s.name !== HEATER_POWER && s.name !== FRACTION),
  ...demoChipMemristor.parameters.map((s) => ({
    ...s,
    name: `${MEMRISTOR}.${s.name}`,
    meaning: `${MEMRISTOR}: ${s.meaning}`,
  })),
];

export interface DemoChipInputs {
  /** Optical wavelength, m. */
  readonly wavelength: number;
  /** Voltage across the memristor and heater in series, V. */
  readonly heaterVoltage: number;
  /** Memristor state x ∈ [0, 1] (1: low resistance R_on). */
  readonly memristorState: number;
  /** Crystalline fraction X ∈ [0, 1] of the GST patch. */
  readonly crystallineFraction: number;
}

export interface DemoChipOutput {
  /** Fibre-to-fibre S-matrix over ports ["in", "out"]. */
  readonly s: SMatrix;
  /** |S[out][in]|²: the chip's power transmission. */
  readonly transmission: number;
  /** Power dissipated in the heater, W. */
  readonly heaterPower: number;
  /** The memristor's resistance, Ω. */
  readonly memristorResistance: number;
}

/** ∂S and ∂|S[out][in]|² with respect to one parameter or input. */
export interface DemoChipPartial {
  readonly s: SMatrix;
  readonly transmission: number;
}

export interface DemoChipGradient extends DemoChipOutput {
  /** One per parameter, in `demoChipParameters` order. */
  readonly gradient: readonly DemoChipPartial[];
  /** With respect to the heater voltage (per V), memristor state and crystalline fraction. */
  readonly inputGradient: {
    readonly heaterVoltage: DemoChipPartial;
    readonly memristorState: DemoChipPartial;
    readonly crystallineFraction: DemoChipPartial;
  };
}

type ChipParams = Readonly<Record<string, number>>;

function memristorParams(p: ChipParams): DriftParams {
  return Object.fromEntries(
    demoChipMemristor.parameters.map((s) => [s.name, p[`${MEMRISTOR}.${s.name}`] as number]),
  ) as DriftParams;
}

function checkInputs(p: ChipParams, inputs: DemoChipInputs): void {
  checkParameters("demo-chip", demoChipParameters, p);
  if (!Number.isFinite(inputs.heaterVoltage)) {
    throw new RangeError(`demo-chip: heater voltage ${inputs.heaterVoltage} V is not finite`);
  }
  const m = memristorParams(p);
  const [lower, upper] = demoChipMemristor.stateBounds(m);
  checkState(demoChipMemristor, inputs.memristorState, lower, upper);
  if (!(inputs.crystallineFraction >= 0 && inputs.crystallineFraction <= 1)) {
    throw new RangeError(`demo-chip: crystalline fraction ${inputs.crystallineFraction} is outside [0, 1]`);
  }
}

/** P = V² R_h/(R_h + R_m)², W: the heater's share of the series line. */
export function demoChipHeaterPower(p: ChipParams, heaterVoltage: number, memristorState: number): number {
  const rh = p[HEATER_RESISTANCE] as number;
  const rm = demoChipMemristor.resistance(memristorState, memristorParams(p));
  return (heaterVoltage * heaterVoltage * rh) / ((rh + rm) * (rh + rm));
}

function circuitParams(p: ChipParams, heaterPower: number, fraction: number): Record<string, number> {
  const params: Record<string, number> = {};
  for (const spec of demoChipCircuit.parameters) params[spec.name] = p[spec.name] as number;
  params[HEATER_POWER] = heaterPower;
  params[FRACTION] = fraction;
  return params;
}

function transmissionOf(s: SMatrix): number {
  const t = entry(s, "out", "in");
  return t.re * t.re + t.im * t.im;
}

/** The chip at one operating point: S, transmission, heater power, memristor resistance. */
export function evaluateDemoChip(p: ChipParams, inputs: DemoChipInputs): DemoChipOutput {
  checkInputs(p, inputs);
  const memristorResistance = demoChipMemristor.resistance(inputs.memristorState, memristorParams(p));
  const heaterPower = demoChipHeaterPower(p, inputs.heaterVoltage, inputs.memristorState);
  const s = demoChipCircuit.sMatrix(
    circuitParams(p, heaterPower, inputs.crystallineFraction),
    inputs.wavelength,
  );
  return { s, transmission: transmissionOf(s), heaterPower, memristorResistance };
}

/** `evaluateDemoChip` with its partials with respect to every parameter and to the inputs. */
export function evaluateDemoChipWithGradient(p: ChipParams, inputs: DemoChipInputs): DemoChipGradient {
  checkInputs(p, inputs);
  const m = memristorParams(p);
  const { heaterVoltage: v, memristorState: x } = inputs;
  const rh = p[HEATER_RESISTANCE] as number;
  const rm = demoChipMemristor.resistance(x, m);
  const total = rh + rm;
  const heaterPower = (v * v * rh) / (total * total);
  // ∂P/∂R_h = V²(R_m − R_h)/(R_h + R_m)³, ∂P/∂R_m = −2V² R_h/(R_h + R_m)³, ∂P/∂V = 2V R_h/(R_h + R_m)².
  const dPdRh = (v * v * (rm - rh)) / (total * total * total);
  const dPdRm = (-2 * v * v * rh) / (total * total * total);
  // R_m = 1/i at 1 V, so ∂R_m/∂q = −R_m² ∂i/∂q for the state and each memristor parameter.
  const dCurrent = new Float64Array(demoChipMemristor.parameters.length);
  const dRmdx = -rm * rm * demoChipMemristor.currentPartials(x, 1, m, dCurrent);
  const dRm = dCurrent.map((d) => -rm * rm * d);

  const circuit = demoChipCircuit.sMatrixWithGradient(
    circuitParams(p, heaterPower, inputs.crystallineFraction),
    inputs.wavelength,
  );
  const s = circuit.s;
  const t = entry(s, "out", "in");
  const byName = new Map(
    demoChipCircuit.parameters.map((spec, j) => [spec.name, circuit.gradient[j] as SMatrix]),
  );
  const dSdP = byName.get(HEATER_POWER) as SMatrix;
  const partial = (terms: readonly (readonly [SMatrix, number])[]): DemoChipPartial => {
    const data = new Float64Array(s.data.length);
    for (const [d, weight] of terms) {
      for (let k = 0; k < data.length; k++) data[k] = (data[k] as number) + weight * (d.data[k] as number);
    }
    const ds: SMatrix = { ports: s.ports, data };
    const dt = entry(ds, "out", "in");
    return { s: ds, transmission: 2 * (t.re * dt.re + t.im * dt.im) };
  };
  const gradient = demoChipParameters.map((spec) => {
    if (spec.name.startsWith(`${MEMRISTOR}.`)) {
      const j = demoChipMemristor.parameters.findIndex((q) => `${MEMRISTOR}.${q.name}` === spec.name);
      return partial([[dSdP, dPdRm * (dRm[j] as number)]]);
    }
    const direct = byName.get(spec.name) as SMatrix;
    return spec.name === HEATER_RESISTANCE
      ? partial([
          [direct, 1],
          [dSdP, dPdRh],
        ])
      : partial([[direct, 1]]);
  });
  return {
    s,
    transmission: t.re * t.re + t.im * t.im,
    heaterPower,
    memristorResistance: rm,
    gradient,
    inputGradient: {
      heaterVoltage: partial([[dSdP, (2 * v * rh) / (total * total)]]),
      memristorState: partial([[dSdP, dPdRm * dRmdx]]),
      crystallineFraction: partial([[byName.get(FRACTION) as SMatrix, 1]]),
    },
  };
}

/** The demo chip as one object: its tables, its netlist and its two evaluations. */
export const demoChip = {
  id: "demo-chip",
  citation:
    "DESIGN.md demo chip: netlist of photonic models (Bogaerts et al. 2012 ring physics) with a GST patch, heater and series memristor",
  ports: demoChipCircuit.ports,
  parameters: demoChipParameters,
  defaults: Object.freeze(Object.fromEntries(demoChipParameters.map((s) => [s.name, s.default]))),
  netlist: demoChipNetlist,
  circuit: demoChipCircuit,
  memristor: demoChipMemristor,
  heaterPower: demoChipHeaterPower,
  evaluate: evaluateDemoChip,
  evaluateWithGradient: evaluateDemoChipWithGradient,
} as const;
