/**
 * Typed way into the crossbar WASM kernels (src/core/assembly/crossbar.ts):
 * the ideal product and the wire-resistance solve, each for a batch of input
 * vectors (voltages [K × M], one vector per row). Twins of
 * `crossbarProductReference` and `crossbarSolveReference`
 * (src/core/reference/crossbar.ts), which validate the same way.
 *
 * Outputs are `ndarray` views over the core's memory — currents [K, N],
 * iterations [K] — zero-copy, valid until the next kernel call on the same
 * Core, which reuses the memory (src/core/wasm.ts): copy what you keep
 * (`view.data.slice()`).
 *
 * A batch of K inputs shares one factorisation of the preconditioner. For
 * K > M it is cheaper still to solve once per row (the identity batch, K = M:
 * its currents are the transfer matrix T) and multiply the inputs by T with
 * `crossbarProduct` — the network is linear.
 *
 * A twin that multiplies the same array by one input per sample programs it
 * once (`programCrossbar`): G is checked and copied into resident memory
 * (Core.resident) then, and each product copies and checks only V.
 */
import ndarray, { type NdArray } from "ndarray";
import type { CrossbarArray, CrossbarParams, SolverOptions } from "../../models/crossbar/network.js";
import {
  checkConverged,
  checkCrossbarShape,
  checkCrossbarSolve,
  checkCrossbarValues,
} from "../reference/crossbar.js";
import type { Arena, Core, ResidentArray } from "../wasm.js";

/** The kernels' raw exports: addresses are byte offsets into the core's memory, arrays f64. */
export interface CrossbarExports {
  crossbarProduct(
    m: number,
    n: number,
    nInputs: number,
    conductances: number,
    voltages: number,
    currents: number,
  ): void;
  crossbarSolve(
    m: number,
    n: number,
    nInputs: number,
    conductances: number,
    voltages: number,
    rowConductance: number,
    columnConductance: number,
    tolerance: number,
    maxIterations: number,
    work: number,
    currents: number,
    iterations: number,
  ): void;
  crossbarCheck(count: number, values: number, nonNegative: number): number;
}

/**
 * Places G and the inputs and scans them in the core (finite; G ≥ 0); on a
 * bad value the reference's check throws its message.
 */
function placeChecked(
  arena: Arena,
  exports: CrossbarExports,
  array: CrossbarArray,
  voltages: Float64Array,
): { g: number; v: number } {
  const g = arena.place(array.conductances, "crossbar conductances");
  const v = arena.place(voltages, "crossbar voltages");
  if (
    exports.crossbarCheck(array.conductances.length, g, 1) >= 0 ||
    exports.crossbarCheck(voltages.length, v, 0) >= 0
  ) {
    checkCrossbarValues(array, voltages);
  }
  return { g, v };
}

/**
 * f64 of work per cell: the preconditioner's row and column pivots (one
 * each) and the six CG vectors b, x, r, z, p, q (two each: row and column
 * nodes) — 2 + 12.
 */
const WORK_PER_CELL = 14;

/** I[b][j] = Σ_i G_ij V[b][i] for each input row b: [K, N]. */
export function crossbarProduct(
  core: Core,
  array: CrossbarArray,
  voltages: Float64Array,
): NdArray<Float64Array> {
  const nInputs = checkCrossbarShape(array, voltages);
  const { rows: m, columns: n } = array;
  return core.call((arena, raw) => {
    const exports = raw as unknown as CrossbarExports;
    const { g, v } = placeChecked(arena, exports, array, voltages);
    const out = arena.reserve(nInputs * n, "crossbar currents");
    exports.crossbarProduct(m, n, nInputs, g, v, out);
    return ndarray(arena.view(out, nInputs * n), [nInputs, n]);
  });
}

/** A crossbar whose conductances live in the core's memory (see `programCrossbar`). */
export interface ProgrammedCrossbar {
  readonly rows: number;
  readonly columns: number;
  /**
   * I[b][j] = Σ_i G_ij V[b][i] for each input row b (voltages [K × M]):
   * [K, N], a view valid until the next kernel call on the same Core, like
   * `crossbarProduct`'s.
   */
  product(voltages: Float64Array): NdArray<Float64Array>;
  /** Gives G's memory back; `product` throws afterwards. */
  release(): void;
}

/**
 * Checks `array` (shape; G finite and ≥ 0, with the reference's messages)
 * and copies G into resident memory once. The copy is a snapshot: later
 * changes to `array.conductances` are not seen — program again.
 */
export function programCrossbar(core: Core, array: CrossbarArray): ProgrammedCrossbar {
  checkCrossbarShape(array, new Float64Array(0));
  const { rows: m, columns: n } = array;
  const g: ResidentArray = core.resident(array.conductances);
  const exports = core.exports as unknown as CrossbarExports;
  if (exports.crossbarCheck(m * n, g.address, 1) >= 0) {
    g.release();
    checkCrossbarValues(array, new Float64Array(0));
  }
  return {
    rows: m,
    columns: n,
    product(voltages) {
      if (g.released) throw new Error("crossbar: product of a released programmed crossbar");
      if (voltages.length % m !== 0)
        throw new RangeError(`crossbar: ${voltages.length} voltages for ${m} rows`);
      const nInputs = voltages.length / m;
      return core.call((arena, raw) => {
        const kernels = raw as unknown as CrossbarExports;
        const v = arena.place(voltages, "crossbar voltages");
        if (kernels.crossbarCheck(voltages.length, v, 0) >= 0) {
          // Names the bad voltage (against the programmed G, which passed).
          checkCrossbarValues({ rows: m, columns: n, conductances: g.view() }, voltages);
        }
        const out = arena.reserve(nInputs * n, "crossbar currents");
        kernels.crossbarProduct(m, n, nInputs, g.address, v, out);
        return ndarray(arena.view(out, nInputs * n), [nInputs, n]);
      });
    },
    release: () => g.release(),
  };
}

export interface CrossbarSolveViews {
  /** Output currents, A, [K, N]. */
  readonly currents: NdArray<Float64Array>;
  /** CG iterations per input, [K] (each ≤ maxIterations: a batch that does not converge throws). */
  readonly iterations: NdArray<Float64Array>;
}

/**
 * The wire-resistance network (both line resistances > 0) for each input
 * row: [K, N]. Throws CrossbarConvergenceError, naming the first input row
 * that CG did not solve to the tolerance in maxIterations, as the reference
 * and the model do.
 */
export function crossbarSolve(
  core: Core,
  array: CrossbarArray,
  params: CrossbarParams,
  voltages: Float64Array,
  options: SolverOptions = {},
): CrossbarSolveViews {
  const checked = checkCrossbarSolve(array, params, voltages, options, false);
  const { rows: m, columns: n } = array;
  const { nInputs } = checked;
  return core.call((arena, raw) => {
    const exports = raw as unknown as CrossbarExports;
    const { g, v } = placeChecked(arena, exports, array, voltages);
    const work = arena.reserve(WORK_PER_CELL * m * n, "crossbar solve workspace");
    const currents = arena.reserve(nInputs * n, "crossbar currents");
    const iterations = arena.reserve(nInputs, "crossbar iterations");
    exports.crossbarSolve(
      m,
      n,
      nInputs,
      g,
      v,
      checked.rowConductance,
      checked.columnConductance,
      checked.tolerance,
      checked.maxIterations,
      work,
      currents,
      iterations,
    );
    const taken = arena.view(iterations, nInputs);
    for (let input = 0; input < nInputs; input++) checkConverged(checked, taken, input);
    return {
      currents: ndarray(arena.view(currents, nInputs * n), [nInputs, n]),
      iterations: ndarray(taken, [nInputs]),
    };
  });
}
