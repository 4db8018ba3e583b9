/**
 * The demo chip's dynamics behind the backend seam (DESIGN.md: what runs in
 * real time goes through the seam and uses the WASM core):
 * `createDemoChipBackend({ backend: "wasm" | "ts", params, core })` gives one
 * object whose methods work in place on the model's flat arrays
 * (src/models/chip/index.ts documents the state, stimulus and observables;
 * portable/layout.ts the offsets). The parameters are checked once; on
 * "wasm" they stay in the core's resident memory (like
 * `phaseChangeSampler`), with the state, stimulus and outputs beside them,
 * so a step is one call with nothing allocated. On "ts" the methods are the
 * model's own `ChipReference` (src/models/chip/dynamics.ts), the executable
 * specification the WASM kernel (src/core/assembly/chip.ts) is held to.
 * Each call checks its state, stimulus, dt or wavelength the same way on
 * both backends and throws the model's errors.
 */
import {
  type ChipParams,
  type ChipPort,
  ChipReference,
  checkChipParams,
  checkChipState,
  checkChipStimulus,
  checkChipWavelength,
  checkTimeStep,
  chipWavelengthLimit,
  chipLayout as L,
  type OpticalPath,
  PATH_CODES,
  PORT_OFFSETS,
} from "../../models/chip/index.js";
import type { Core } from "../wasm.js";

export type ChipBackendName = "wasm" | "ts";

/** The raw exports of src/core/assembly/chip.ts: addresses are byte offsets of f64 arrays. */
export interface ChipExports {
  chipLayout(): number;
  chipStep(params: number, state: number, stimulus: number, dt: number): void;
  chipStepJacobian(
    params: number,
    state: number,
    stimulus: number,
    dt: number,
    dState: number,
    dParams: number,
  ): void;
  chipElectrical(params: number, state: number, stimulus: number, out: number): void;
  chipElectricalJacobian(
    params: number,
    state: number,
    stimulus: number,
    dState: number,
    dParams: number,
  ): void;
  chipTransmission(params: number, state: number, wavelength: number, path: number): number;
  chipTransmissionGradient(
    params: number,
    state: number,
    wavelength: number,
    path: number,
    dState: number,
    dParams: number,
  ): number;
  chipThevenin(params: number, state: number, stimulus: number, port: number, out: number): void;
}

export interface DemoChipBackend {
  readonly backend: ChipBackendName;
  /** The checked parameters (a frozen copy). */
  readonly params: ChipParams;
  /** Advances `state` (6) in place by dt (s) with `stimulus` (9) held. */
  step(state: Float64Array, stimulus: Float64Array, dt: number): void;
  /**
   * `step`, and its Jacobians: dState (6 × 6, row-major) ∂state'/∂state,
   * dParams (6 × 63) ∂state'/∂params.
   */
  stepJacobian(
    state: Float64Array,
    stimulus: Float64Array,
    dt: number,
    dState: Float64Array,
    dParams: Float64Array,
  ): void;
  /** Port voltages and currents, heater power and compliance flags (10) at `state` into `out`. */
  electrical(state: Float64Array, stimulus: Float64Array, out: Float64Array): void;
  /** ∂(the 7 differentiable electrical observables)/∂state (7 × 6) and /∂params (7 × 63). */
  electricalJacobian(
    state: Float64Array,
    stimulus: Float64Array,
    dState: Float64Array,
    dParams: Float64Array,
  ): void;
  /** Power transmission, fibre to fibre, of `path` at `wavelength` (m). */
  transmission(state: Float64Array, wavelength: number, path: OpticalPath): number;
  /** `transmission`, with ∂T/∂state into dState (6) and ∂T/∂params into dParams (63). */
  transmissionGradient(
    state: Float64Array,
    wavelength: number,
    path: OpticalPath,
    dState: Float64Array,
    dParams: Float64Array,
  ): number;
  /**
   * Open-circuit voltage (V) and resistance (Ω) seen from `port` with the
   * other ports driven as in `stimulus` (this port's own drive is ignored),
   * into out[0], out[1]; returns `out`.
   */
  thevenin(state: Float64Array, stimulus: Float64Array, port: ChipPort, out?: Float64Array): Float64Array;
  /** Gives the WASM backend's resident memory back; calls throw afterwards. No-op on "ts". */
  release(): void;
}

export interface DemoChipBackendOptions {
  readonly backend: ChipBackendName;
  readonly params: ChipParams;
  /** The WASM core (src/core/load-node.ts `loadCore`); required for "wasm". */
  readonly core?: Core;
}

function checkSize(what: string, array: Float64Array, size: number): void {
  if (array.length !== size)
    throw new RangeError(`demo-chip dynamics: ${what} has ${array.length} entries, not ${size}`);
}

/** The demo chip on the chosen backend, its parameters checked once. */
export function createDemoChipBackend(options: DemoChipBackendOptions): DemoChipBackend {
  const vector = checkChipParams(options.params);
  const params = Object.freeze({ ...options.params });
  if (options.backend === "ts") return referenceBackend(params, vector);
  if (options.backend !== "wasm")
    throw new RangeError(`demo-chip dynamics: no backend "${String(options.backend)}"`);
  if (!options.core) throw new Error('demo-chip dynamics: the "wasm" backend needs a core (loadCore())');
  return wasmBackend(options.core, params, vector);
}

function referenceBackend(params: ChipParams, vector: Float64Array): DemoChipBackend {
  const reference = new ChipReference(vector);
  const limit = chipWavelengthLimit(vector);
  return {
    backend: "ts",
    params,
    step(state, stimulus, dt) {
      checkChipState(vector, state);
      checkChipStimulus(stimulus);
      checkTimeStep(dt);
      reference.step(state, stimulus, dt);
    },
    stepJacobian(state, stimulus, dt, dState, dParams) {
      checkChipState(vector, state);
      checkChipStimulus(stimulus);
      checkTimeStep(dt);
      checkSize("dState", dState, L.STATE_SIZE * L.STATE_SIZE);
      checkSize("dParams", dParams, L.STATE_SIZE * L.PARAMETER_COUNT);
      reference.stepJacobian(state, stimulus, dt, dState, dParams);
    },
    electrical(state, stimulus, out) {
      checkChipState(vector, state);
      checkChipStimulus(stimulus);
      checkSize("out", out, L.ELECTRICAL_OUTPUT_SIZE);
      reference.electrical(state, stimulus, out);
    },
    electricalJacobian(state, stimulus, dState, dParams) {
      checkChipState(vector, state);
      checkChipStimulus(stimulus);
      checkSize("dState", dState, L.ELECTRICAL_SIZE * L.STATE_SIZE);
      checkSize("dParams", dParams, L.ELECTRICAL_SIZE * L.PARAMETER_COUNT);
      reference.electricalJacobian(state, stimulus, dState, dParams);
    },
    transmission(state, wavelength, path) {
      checkChipState(vector, state);
      checkChipWavelength(limit, wavelength);
      return reference.transmission(state, wavelength, PATH_CODES[path]);
    },
    transmissionGradient(state, wavelength, path, dState, dParams) {
      checkChipState(vector, state);
      checkChipWavelength(limit, wavelength);
      checkSize("dState", dState, L.STATE_SIZE);
      checkSize("dParams", dParams, L.PARAMETER_COUNT);
      return reference.transmissionGradient(state, wavelength, PATH_CODES[path], dState, dParams);
    },
    thevenin(state, stimulus, port, out = new Float64Array(2)) {
      checkChipState(vector, state);
      checkChipStimulus(stimulus);
      reference.thevenin(state, stimulus, PORT_OFFSETS[port], out);
      return out;
    },
    release() {},
  };
}

// Offsets (f64) in the WASM backend's resident block.
const PARAMS = 0;
const STATE = PARAMS + L.PARAMETER_COUNT;
const STIMULUS = STATE + L.STATE_SIZE;
const OUT = STIMULUS + L.STIMULUS_SIZE;
const D_STATE = OUT + L.ELECTRICAL_OUTPUT_SIZE;
const D_PARAMS = D_STATE + L.ELECTRICAL_SIZE * L.STATE_SIZE;
const BLOCK = D_PARAMS + L.ELECTRICAL_SIZE * L.PARAMETER_COUNT;

function wasmBackend(core: Core, params: ChipParams, vector: Float64Array): DemoChipBackend {
  const exports = core.exports as unknown as ChipExports;
  if (exports.chipLayout() !== 1000 * L.PARAMETER_COUNT + L.STATE_SIZE) {
    throw new Error("demo-chip dynamics: build/core.wasm has another chip layout; run `npm run build:wasm`");
  }
  const limit = chipWavelengthLimit(vector);
  const block = new Float64Array(BLOCK);
  block.set(vector, PARAMS);
  const row = core.resident(block);
  const at = (offset: number) => row.address + offset * Float64Array.BYTES_PER_ELEMENT;
  const [p, stateAt, stimulusAt, outAt, dStateAt, dParamsAt] = [
    PARAMS,
    STATE,
    STIMULUS,
    OUT,
    D_STATE,
    D_PARAMS,
  ].map(at) as [number, number, number, number, number, number];
  // The block's view, made afresh only when memory growth has detached it (length 0): reading
  // `memory.buffer` on every call, as `row.view()` does, costs more than a step's arithmetic.
  let memory = row.view();
  const view = (): Float64Array => {
    if (memory.length === 0) {
      if (row.released) throw new Error("demo-chip dynamics: call on a released WASM backend");
      memory = row.view();
    }
    return memory;
  };
  const put = (block: Float64Array, offset: number, values: Float64Array): void => {
    for (let k = 0; k < values.length; k++) block[offset + k] = values[k] as number;
  };
  const take = (block: Float64Array, offset: number, into: Float64Array): void => {
    for (let k = 0; k < into.length; k++) into[k] = block[offset + k] as number;
  };
  /** Checks and places the state (and stimulus); returns the block's view. */
  const place = (state: Float64Array, stimulus?: Float64Array): void => {
    checkChipState(vector, state);
    if (stimulus) checkChipStimulus(stimulus);
    const block = view();
    put(block, STATE, state);
    if (stimulus) put(block, STIMULUS, stimulus);
  };
  return {
    backend: "wasm",
    params,
    step(state, stimulus, dt) {
      checkTimeStep(dt);
      place(state, stimulus);
      exports.chipStep(p, stateAt, stimulusAt, dt);
      take(view(), STATE, state);
    },
    stepJacobian(state, stimulus, dt, dState, dParams) {
      checkTimeStep(dt);
      checkSize("dState", dState, L.STATE_SIZE * L.STATE_SIZE);
      checkSize("dParams", dParams, L.STATE_SIZE * L.PARAMETER_COUNT);
      place(state, stimulus);
      exports.chipStepJacobian(p, stateAt, stimulusAt, dt, dStateAt, dParamsAt);
      take(view(), STATE, state);
      take(view(), D_STATE, dState);
      take(view(), D_PARAMS, dParams);
    },
    electrical(state, stimulus, out) {
      checkSize("out", out, L.ELECTRICAL_OUTPUT_SIZE);
      place(state, stimulus);
      exports.chipElectrical(p, stateAt, stimulusAt, outAt);
      take(view(), OUT, out);
    },
    electricalJacobian(state, stimulus, dState, dParams) {
      checkSize("dState", dState, L.ELECTRICAL_SIZE * L.STATE_SIZE);
      checkSize("dParams", dParams, L.ELECTRICAL_SIZE * L.PARAMETER_COUNT);
      place(state, stimulus);
      exports.chipElectricalJacobian(p, stateAt, stimulusAt, dStateAt, dParamsAt);
      take(view(), D_STATE, dState);
      take(view(), D_PARAMS, dParams);
    },
    transmission(state, wavelength, path) {
      checkChipWavelength(limit, wavelength);
      place(state);
      return exports.chipTransmission(p, stateAt, wavelength, PATH_CODES[path]);
    },
    transmissionGradient(state, wavelength, path, dState, dParams) {
      checkChipWavelength(limit, wavelength);
      checkSize("dState", dState, L.STATE_SIZE);
      checkSize("dParams", dParams, L.PARAMETER_COUNT);
      place(state);
      const value = exports.chipTransmissionGradient(
        p,
        stateAt,
        wavelength,
        PATH_CODES[path],
        dStateAt,
        dParamsAt,
      );
      take(view(), D_STATE, dState);
      take(view(), D_PARAMS, dParams);
      return value;
    },
    thevenin(state, stimulus, port, out = new Float64Array(2)) {
      place(state, stimulus);
      exports.chipThevenin(p, stateAt, stimulusAt, PORT_OFFSETS[port], outAt);
      out[0] = view()[OUT] as number;
      out[1] = view()[OUT + 1] as number;
      return out;
    },
    release() {
      row.release();
      memory = new Float64Array(0);
    },
  };
}
