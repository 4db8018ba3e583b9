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
 */
import ndarray, { type NdArray } from "ndarray";
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
    const params = arena.place(cellParameterRow(input.params));
    const temperature0 = arena.place(input.temperature);
    const fraction0 = arena.place(input.fraction);
    const powers = arena.place(input.powers);
    const temperature = arena.reserve(nCells);
    const fraction = arena.reserve(nCells);
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
