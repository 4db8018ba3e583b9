/**
 * Crossbar arrays (src/core/assembly/crossbar.ts): WASM vs the TypeScript
 * reference vs NumPy (bench/numpy/crossbar.py), 128×128 cells.
 *
 * Inputs, the same bits on all sides: G_ij = 1e-6·1e3^frac((iN + j)·a1) S
 * (1 µS–1 mS, log-spread), V_bi = 2·frac((bM + i)·a2) − 1 V; line segments
 * of 1 Ω. Rows:
 *  - ideal product, 1 input vector per call (a twin's sample) — through
 *    `crossbarProduct` (G checked and copied each call) and through
 *    `programCrossbar` (G checked and kept in the core once, V copied per
 *    call) — and 1024 input vectors per call (a calibration or inference
 *    batch);
 *  - wire resistance, 1 input vector: assemble, factorise the
 *    preconditioner and solve by CG (WASM, TS), or build the sparse matrix
 *    and factorise it by sparse LU (SciPy's splu, what a NumPy user with
 *    SciPy does; the notes add the same PCG written in NumPy);
 *  - wire resistance, 1024 input vectors: the network is linear, so each
 *    side computes the transfer matrix T (one solve per row, i.e. the 128
 *    unit inputs as one batch) and multiplies the 1024 inputs by it — WASM:
 *    `crossbarSolve` on the identity batch then `crossbarProduct`; SciPy:
 *    splu once, 128 right-hand sides, then V @ T.
 *
 * Notes compare WASM with the reference (largest difference relative to
 * scale, how many values differ) and the NumPy/SciPy checksum (sum of the
 * currents) with the reference's.
 */
import { crossbarProduct, crossbarSolve, programCrossbar } from "../src/core/kernels/crossbar.js";
import { loadCore } from "../src/core/load-node.js";
import { crossbarProductReference, crossbarSolveReference } from "../src/core/reference/crossbar.js";
import type { CrossbarArray } from "../src/models/crossbar/index.js";
import {
  type BenchModule,
  type BenchOptions,
  type BenchRow,
  compare,
  agreement as describeAgreement,
  medianMs,
  rowCollector,
  TARGETS,
} from "./harness.js";
import { numpyRun } from "./numpy-runner.js";

const M = 128;
const N = 128;
const BATCH = 1024;
const CALLS = 1000;
const A1 = 0.6180339887498949;
const A2 = 0.41421356237309515;
const params = { rowResistance: 1, columnResistance: 1 };

const frac = (c: number, a: number) => {
  const x = c * a;
  return x - Math.floor(x);
};
const array: CrossbarArray = {
  rows: M,
  columns: N,
  conductances: Float64Array.from({ length: M * N }, (_, k) => 1e-6 * 1e3 ** frac(k, A1)),
};
const inputs = (k: number) => Float64Array.from({ length: k * M }, (_, c) => 2 * frac(c, A2) - 1);
const identity = Float64Array.from({ length: M * M }, (_, k) => (k % (M + 1) === 0 ? 1 : 0));

/** How WASM's currents compare with the reference's: a note for the row and the worst relative difference. */
function agreement(wasm: ArrayLike<number>, reference: Float64Array): { note: string; worst: number } {
  return { note: describeAgreement([wasm], [reference]), worst: compare([wasm], [reference]).worst };
}

function numpy(
  spec: Record<string, unknown>,
  ours: Float64Array,
  options: BenchOptions,
): { medianMs?: number; note: string; worst?: number } {
  const run = numpyRun("crossbar", { rows: M, columns: N, params, ...spec }, options);
  if ("skipped" in run) return { note: `numpy skipped: ${run.skipped}` };
  const sum = ours.reduce((a, b) => a + b, 0);
  const scale = ours.reduce((a, b) => a + Math.abs(b), 0);
  const worst = Math.abs(sum - (run.extra.checksum as number)) / scale;
  return {
    medianMs: run.medianMs / ((run.extra.calls as number | undefined) ?? 1),
    note: `${run.extra.solver} checksum agrees to ${worst.toExponential(0)} of Σ|I|`,
    worst,
  };
}

export const crossbarBench: BenchModule = {
  name: "crossbar",
  description:
    "128×128 crossbar: ideal product and the wire-resistance network (PCG), 1 and 1024 input vectors, WASM vs TypeScript reference vs NumPy/SciPy",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const rows: BenchRow[] = [];
    const row = rowCollector("crossbar", rows);

    // Ideal product.
    {
      const one = inputs(1);
      const perCall = (run: () => unknown) =>
        medianMs(() => {
          for (let i = 0; i < CALLS; i++) run();
        }, options) / CALLS;
      const wasm = perCall(() => crossbarProduct(core, array, one));
      const ts = perCall(() => crossbarProductReference(array, one));
      const reference = crossbarProductReference(array, one);
      const np = numpy({ kind: "ideal", batch: 1, calls: CALLS }, reference, options);
      const ours = agreement(crossbarProduct(core, array, one).data, reference);
      row(
        "ideal, 1 vector per call",
        M * N,
        "cell-products",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${ours.note}; ${np.note}; wasm includes validating and copying G each call`,
        TARGETS.singleSample,
        { wasm: ours.worst, numpy: np.worst },
      );
      const programmed = programCrossbar(core, array);
      const kept = perCall(() => programmed.product(one));
      const viaProgrammed = agreement(programmed.product(one).data, reference);
      row(
        "ideal, 1 vector per call (programmed)",
        M * N,
        "cell-products",
        { wasm: kept, "ts reference": ts, numpy: np.medianMs },
        `${viaProgrammed.note}; G checked and kept in the core once, V copied per call; per call: wasm ${(kept * 1e3).toFixed(2)} µs, numpy ${np.medianMs === undefined ? "—" : `${(np.medianMs * 1e3).toFixed(2)} µs`}`,
        TARGETS.singleSample,
        { wasm: viaProgrammed.worst, numpy: np.worst },
      );
      programmed.release();
    }
    {
      const batch = inputs(BATCH);
      const wasm = medianMs(() => crossbarProduct(core, array, batch), options);
      const ts = medianMs(() => crossbarProductReference(array, batch), options);
      const reference = crossbarProductReference(array, batch);
      const np = numpy({ kind: "ideal", batch: BATCH }, reference, options);
      const ours = agreement(crossbarProduct(core, array, batch).data, reference);
      row(
        `ideal, ${BATCH} vectors`,
        BATCH * M * N,
        "cell-products",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${ours.note}; ${np.note} (BLAS dgemm)`,
        TARGETS.batch,
        { wasm: ours.worst, numpy: np.worst },
      );
    }

    // Wire resistance.
    {
      const one = inputs(1);
      const wasm = medianMs(() => crossbarSolve(core, array, params, one), options);
      const ts = medianMs(() => crossbarSolveReference(array, params, one), options);
      const reference = crossbarSolveReference(array, params, one);
      const views = crossbarSolve(core, array, params, one);
      const np = numpy({ kind: "single" }, reference.currents, options);
      const cg = numpy({ kind: "single", solver: "numpy-cg" }, reference.currents, options);
      const ours = agreement(views.currents.data, reference.currents);
      row(
        "wire r = 1 Ω, 1 vector (assemble + solve)",
        M * N,
        "cells",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${reference.iterations[0]} CG iterations; ${ours.note}; ${np.note}; numpy PCG ${cg.medianMs?.toFixed(1) ?? "—"} ms (${cg.note})`,
        TARGETS.singleSample,
        { wasm: ours.worst, numpy: np.worst },
      );
    }
    {
      const batch = inputs(BATCH);
      const viaTransfer = () => {
        const transfer = crossbarSolve(core, array, params, identity).currents.data.slice();
        return crossbarProduct(core, { rows: M, columns: N, conductances: transfer }, batch);
      };
      const viaTransferReference = () => {
        const transfer = crossbarSolveReference(array, params, identity).currents;
        return crossbarProductReference({ rows: M, columns: N, conductances: transfer }, batch);
      };
      const wasm = medianMs(viaTransfer, options);
      const ts = medianMs(viaTransferReference, options);
      const reference = viaTransferReference();
      const np = numpy({ kind: "batch", batch: BATCH }, reference, options);
      const ours = agreement(viaTransfer().data, reference);
      row(
        `wire r = 1 Ω, ${BATCH} vectors (transfer matrix: ${M} solves + product)`,
        BATCH * M * N,
        "cell-products",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${ours.note}; ${np.note}`,
        TARGETS.batch,
        { wasm: ours.worst, numpy: np.worst },
      );
    }
    return rows;
  },
};
