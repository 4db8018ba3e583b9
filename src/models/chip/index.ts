/**
 * The demo chip's dynamics (DESIGN.md, "Models": the demo chip with its
 * heater terminals, standalone memristor and reference waveguide): a pure
 * stateful model `(state, stimulus, params, dt) → {state, observables}` on
 * flat arrays (STYLE.md §6), with the Jacobians calibration and the twin
 * need. dynamics.ts has the physics; portable/layout.ts the array layouts;
 * the WASM twin and the backend seam are src/core/kernels/chip.ts.
 *
 * State (Float64Array of 6): [x_line (1), w_standalone (m), ΔT_h (K),
 * T_c (K), X (1), ΔT_amb (K)]. Stimulus (Float64Array of 9): per port
 * "heater", "heaterLine", "memristor" the triple [mode, level, limit],
 * mode 0 open, 1 voltage (level V, current limit A), 2 current (level A,
 * voltage limit V); limit may be Infinity. Electrical observables
 * (Float64Array of 10): V and I of each port in that order (I into the
 * port), the heater's power, then 1/0 for each port's compliance limiting.
 */
import { checkState as checkMemristorState, linearIonDriftIdeal } from "../memristor/index.js";
import { checkParameters } from "../parameters.js";
import { dispersionZero } from "../photonic/waveguide.js";
import { ChipReference } from "./dynamics.js";
import { type ChipParams, chipParameters, chipParameterVector } from "./parameters.js";
import * as L from "./portable/layout.js";

export { ChipReference, DIRECTIONS, MAX_SUBSTEP } from "./dynamics.js";
export {
  type ChipParams,
  chipDefaults,
  chipParameters,
  chipParameterVector,
  piTemperatureRise,
  SILICON_THERMO_OPTIC,
} from "./parameters.js";
export * as chipLayout from "./portable/layout.js";
export { CHIP_TRUTH_RATIOS, demoChipTruth, STANDALONE_TRUTH_RATIOS, standaloneTruth } from "./truth.js";

const MODEL = "demo-chip dynamics";

export type DriveMode = "open" | "voltage" | "current";

/** What a source-measure unit does at a port: source `level` (V or A) within `limit` (A or V). */
export interface Drive {
  readonly mode: DriveMode;
  /** Source voltage, V ("voltage"), or source current, A ("current"); ignored when open. */
  readonly level: number;
  /** Compliance: current limit, A ("voltage"), or voltage limit, V ("current"); ≥ 0, may be Infinity. */
  readonly limit: number;
}

export type ChipPort = "heater" | "heaterLine" | "memristor";
export type OpticalPath = "ring" | "reference";

/** No connection. */
export const OPEN: Drive = Object.freeze({ mode: "open", level: 0, limit: Number.POSITIVE_INFINITY });

const MODE_CODES: Readonly<Record<DriveMode, number>> = {
  open: L.MODE_OPEN,
  voltage: L.MODE_VOLTAGE,
  current: L.MODE_CURRENT,
};

/** Offset of each port's [mode, level, limit] in the stimulus. */
export const PORT_OFFSETS: Readonly<Record<ChipPort, number>> = Object.freeze({
  heater: L.HEATER_PORT,
  heaterLine: L.LINE_PORT,
  memristor: L.MEMRISTOR_PORT,
});

export const PATH_CODES: Readonly<Record<OpticalPath, number>> = Object.freeze({
  ring: L.RING_PATH,
  reference: L.REFERENCE_PATH,
});

/** Writes `drive` into the stimulus at `port`. */
export function setDrive(stimulus: Float64Array, port: ChipPort, drive: Drive): void {
  const at = PORT_OFFSETS[port];
  stimulus[at] = MODE_CODES[drive.mode];
  stimulus[at + 1] = drive.mode === "open" ? 0 : drive.level;
  stimulus[at + 2] = drive.limit;
}

/** Whether `stimulus` already drives `port` with `drive` (setting it would change nothing). */
export function holdsDrive(stimulus: Float64Array, port: ChipPort, drive: Drive): boolean {
  const at = PORT_OFFSETS[port];
  return (
    stimulus[at] === MODE_CODES[drive.mode] &&
    stimulus[at + 1] === (drive.mode === "open" ? 0 : drive.level) &&
    stimulus[at + 2] === drive.limit
  );
}

/** A stimulus with the given drives, the other ports open. */
export function chipStimulus(drives: Partial<Readonly<Record<ChipPort, Drive>>> = {}): Float64Array {
  const stimulus = new Float64Array(L.STIMULUS_SIZE);
  for (const port of Object.keys(PORT_OFFSETS) as ChipPort[]) setDrive(stimulus, port, drives[port] ?? OPEN);
  return stimulus;
}

/** The state a fresh chip starts in: both memristors high-resistance, all at the cell's ambient, amorphous. */
export function chipInitialState(p: ChipParams): Float64Array {
  const state = new Float64Array(L.STATE_SIZE);
  state[L.LINE_STATE] = linearIonDriftIdeal.initialState(linearIonDriftIdeal.defaults);
  state[L.STANDALONE_STATE] = p["standalone.wOff"] as number;
  state[L.CELL_TEMPERATURE] = p["cell.ambientTemperature"] as number;
  return state;
}

/** Refuses parameters out of bounds (ParameterRangeError) or unknown; returns the flat vector. */
export function checkChipParams(p: ChipParams): Float64Array {
  checkParameters(MODEL, chipParameters, p);
  return chipParameterVector(p);
}

/** Refuses a state outside the model's domain (RangeError naming the entry). */
export function checkChipState(p: Float64Array, state: Float64Array): void {
  if (state.length !== L.STATE_SIZE)
    throw new RangeError(`${MODEL}: state has ${state.length} entries, not 6`);
  checkMemristorState(linearIonDriftIdeal, state[L.LINE_STATE] as number, 0, 1);
  const w = state[L.STANDALONE_STATE] as number;
  if (!(w >= (p[L.SA_W_ON] as number) && w <= (p[L.SA_W_OFF] as number))) {
    throw new RangeError(
      `${MODEL}: standalone state w = ${w} m is outside [${p[L.SA_W_ON]}, ${p[L.SA_W_OFF]}]`,
    );
  }
  const rise = state[L.HEATER_RISE] as number;
  if (!Number.isFinite(rise)) throw new RangeError(`${MODEL}: heater rise ${rise} K is not finite`);
  const t = state[L.CELL_TEMPERATURE] as number;
  if (!(t > 0 && Number.isFinite(t)))
    throw new RangeError(`${MODEL}: cell temperature ${t} K must be finite and > 0`);
  const x = state[L.CELL_FRACTION] as number;
  if (!(x >= 0 && x <= 1)) throw new RangeError(`${MODEL}: crystalline fraction ${x} is outside [0, 1]`);
  const ambient = state[L.AMBIENT_RISE] as number;
  if (!((p[L.CELL_AMBIENT] as number) + ambient > 0 && Number.isFinite(ambient))) {
    throw new RangeError(
      `${MODEL}: ambient rise ${ambient} K is not finite or takes the cell's ambient below 0 K`,
    );
  }
}

const PORT_NAMES: readonly string[] = ["heater", "heaterLine", "memristor"];

/** Refuses a stimulus with an unknown mode, a level that is not finite or a limit that is not ≥ 0. */
export function checkChipStimulus(stimulus: Float64Array): void {
  if (stimulus.length !== L.STIMULUS_SIZE) {
    throw new RangeError(`${MODEL}: stimulus has ${stimulus.length} entries, not 9`);
  }
  for (let at = 0; at < L.STIMULUS_SIZE; at += 3) {
    const mode = stimulus[at] as number;
    const port = PORT_NAMES[at / 3];
    if (!(mode === L.MODE_OPEN || mode === L.MODE_VOLTAGE || mode === L.MODE_CURRENT)) {
      throw new RangeError(`${MODEL}: port ${port} has drive mode ${mode} (0 open, 1 voltage, 2 current)`);
    }
    if (!Number.isFinite(stimulus[at + 1]))
      throw new RangeError(`${MODEL}: port ${port} level ${stimulus[at + 1]}`);
    if (!((stimulus[at + 2] as number) >= 0)) {
      throw new RangeError(`${MODEL}: port ${port} compliance limit ${stimulus[at + 2]} must be ≥ 0`);
    }
  }
}

/** Refuses a time step that is not finite and ≥ 0. */
export function checkTimeStep(dt: number): void {
  if (!(dt >= 0 && dt < Number.POSITIVE_INFINITY))
    throw new RangeError(`${MODEL}: dt = ${dt} s must be finite and ≥ 0`);
}

/**
 * The wavelength, m, from which the ring's or the patch's first-order
 * dispersion gives n_eff ≤ 0 (src/models/photonic/waveguide.ts
 * `dispersionZero`; ∞ if neither reaches 0): the chip's optics refuse it.
 */
export function chipWavelengthLimit(p: Float64Array): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const neff of [L.RING_NEFF, L.PATCH_NEFF]) {
    const zero = dispersionZero({
      effectiveIndex: p[neff] as number,
      groupIndex: p[neff + 1] as number,
      referenceWavelength: p[neff + 2] as number,
    });
    limit = Math.min(limit, zero);
  }
  return limit;
}

/** Refuses a wavelength that is not positive and below `limit` (`chipWavelengthLimit`). */
export function checkChipWavelength(limit: number, wavelength: number): void {
  if (!(wavelength > 0 && wavelength < limit)) {
    throw new RangeError(
      `${MODEL}: wavelength ${wavelength} m must be > 0 and below ${limit} m (the first-order dispersion's reach)`,
    );
  }
}

const references = new WeakMap<ChipParams, ChipReference>();

function referenceOf(p: ChipParams): ChipReference {
  let reference = references.get(p);
  if (!reference) {
    reference = new ChipReference(checkChipParams(p));
    references.set(p, reference);
  }
  return reference;
}

/**
 * The model in STYLE.md §6's shape: the state after dt (s) with `stimulus`
 * held from `state`, and the electrical observables there (new arrays).
 */
export function stepDemoChip(
  state: Float64Array,
  stimulus: Float64Array,
  p: ChipParams,
  dt: number,
): { state: Float64Array; observables: Float64Array } {
  const reference = referenceOf(p);
  checkChipState(reference.p, state);
  checkChipStimulus(stimulus);
  checkTimeStep(dt);
  const next = Float64Array.from(state);
  reference.step(next, stimulus, dt);
  const observables = new Float64Array(L.ELECTRICAL_OUTPUT_SIZE);
  reference.electrical(next, stimulus, observables);
  return { state: next, observables };
}

/** Power transmission of `path` at `wavelength` (m) in `state`. */
export function demoChipTransmission(
  state: Float64Array,
  p: ChipParams,
  wavelength: number,
  path: OpticalPath = "ring",
): number {
  const reference = referenceOf(p);
  checkChipState(reference.p, state);
  checkChipWavelength(chipWavelengthLimit(reference.p), wavelength);
  return reference.transmission(state, wavelength, PATH_CODES[path]);
}
