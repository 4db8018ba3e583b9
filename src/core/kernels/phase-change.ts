/**
 * Typed way into the `phaseChangeBatch` WASM kernel
 * (src/core/assembly/phase-change.ts): nCells phase-change cells with one
 * parameter set and per-cell heating power, advanced nSteps steps of dt.
 * Twin of `phaseChangeBatchReference` (src/core/reference/phase-change.ts),
 * which defines the layout and validates the same way.
 *
 * The outputs are `ndarray` views of shape [nCells] over the core's memory:
 * zero-copy, valid until the next kernel call on the same Core, which
 * reuses the memory (src/core/wasm.ts) — copy what you keep
 * (`view.data.slice()`).
 *
 * `phaseChangeSampler` is the per-sample way in (what a twin does): the
 * parameters are checked once and kept in the core's resident memory, and
 * each step is one cell, scalars in and out (`phaseChangeStep`), no arena
 * and no views.
 */
import ndarray, { type NdArray } from "ndarray";
import { checkParameters } from "../../models/parameters.js";
import {
  type CellParams,
  type CellState,
  cellParameters,
  stepCell,
} from "../../models/phase-change/index.js";
import {
  cellParameterRow,
  checkPhaseChangeShape,
  checkPhaseChangeValues,
  type PhaseChangeBatchInput,
} from "../reference/phase-change.js";
import type { Core } from "../wasm.js";

/** The kernel's raw export: addresses are byte offsets into the core's memory, arrays f64. */
export interface PhaseChangeExports {
  phaseChangeBatch(
    nCells: number,
    nSteps: number,
    params: number,
    dt: number,
    temperature0: number,
    fraction0: number,
    powers: number,
    perStep: number,
    temperature: number,
    fraction: number,
  ): number;
  phaseChangeStep(params: number, temperature: number, fraction: number, power: number, dt: number): number;
  phaseChangeScratch(): number;
}

export interface PhaseChangeBatchViews {
  /** Temperature after the last step, K, [nCells]. */
  readonly temperature: NdArray<Float64Array>;
  /** Crystalline fraction after the last step, [nCells]. */
  readonly fraction: NdArray<Float64Array>;
}

/** `phaseChangeBatchReference` in the WASM core. */
export function phaseChangeBatch(core: Core, input: PhaseChangeBatchInput): PhaseChangeBatchViews {
  const perStep = checkPhaseChangeShape(input);
  const nCells = input.temperature.length;
  return core.call((arena, raw) => {
    const exports = raw as unknown as PhaseChangeExports;
    const params = arena.place(cellParameterRow(input.params), "phase-change params");
    const temperature0 = arena.place(input.temperature, "phase-change temperatures");
    const fraction0 = arena.place(input.fraction, "phase-change fractions");
    const powers = arena.place(input.powers, "phase-change powers");
    const temperature = arena.reserve(nCells, "phase-change temperatures out");
    const fraction = arena.reserve(nCells, "phase-change fractions out");
    // The kernel checks each cell's inputs as it reads them (all of them when there are steps);
    // on a bad one the reference's check names it.
    if (input.nSteps === 0) checkPhaseChangeValues(input);
    const bad = exports.phaseChangeBatch(
      nCells,
      input.nSteps,
      params,
      input.dt,
      temperature0,
      fraction0,
      powers,
      perStep,
      temperature,
      fraction,
    );
    if (bad >= 0) checkPhaseChangeValues(input);
    return {
      temperature: ndarray(arena.view(temperature, nCells), [nCells]),
      fraction: ndarray(arena.view(fraction, nCells), [nCells]),
    };
  });
}

/** One cell stepped per call in the WASM core, its parameters checked once (see `phaseChangeSampler`). */
export interface PhaseChangeSampler {
  readonly params: Readonly<CellParams>;
  /** The state after `power` (W) is held for `dt` (s) from `state`: `stepCell` of the model. */
  step(state: CellState, power: number, dt: number): CellState;
  /** Gives the parameters' resident memory back; `step` throws afterwards. */
  release(): void;
}

/**
 * A phase-change cell whose parameters are checked once (the model's
 * messages) and kept in the core's resident memory, stepped one sample
 * per call with scalar arguments: the twin of `stepCell`. A state, power
 * or dt the model refuses throws the model's error.
 */
export function phaseChangeSampler(core: Core, p: CellParams): PhaseChangeSampler {
  checkParameters("phase-change cell", cellParameters, p);
  const params = Object.freeze({ ...p });
  const row = core.resident(cellParameterRow(params));
  const exports = core.exports as unknown as PhaseChangeExports & { readonly memory: WebAssembly.Memory };
  const at = exports.phaseChangeScratch();
  let scratch = new Float64Array(exports.memory.buffer, at, 1);
  return {
    params,
    step(state, power, dt) {
      if (row.released) throw new Error("phase-change cell: step of a released sampler");
      const temperature = exports.phaseChangeStep(row.address, state.temperature, state.fraction, power, dt);
      // NaN: the core refused an input; the model names it.
      if (Number.isNaN(temperature)) return stepCell(params, state, power, dt);
      if (scratch.buffer !== exports.memory.buffer) scratch = new Float64Array(exports.memory.buffer, at, 1);
      return { temperature, fraction: scratch[0] as number };
    },
    release: () => row.release(),
  };
}
