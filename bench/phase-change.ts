/**
 * Phase-change cells (src/core/assembly/phase-change.ts): WASM vs the
 * TypeScript reference vs NumPy (bench/numpy/phase-change.py, the same step
 * vectorised over cells with masks).
 *
 * Batch rows: 10^6 cells sharing the default (GST-225) parameters, each
 * with its own held heating power, advanced 1 and 10 steps of 1 ns (about
 * 1.3 τ). Inputs on all sides: cell c starts at T0 = 280 + 720·frac(c·a1) K
 * and X0 = frac(c·a2) with power 2·P_melt·frac(c·a3)², low-discrepancy
 * sequences each side computes to the same bits — a mix of cold,
 * crystallising and melting cells. Single-sample row: one crystallising
 * cell (600 K, X = 0.3, 5 mW), one step per call (what a twin does per
 * sample), through the batch kernel wrapper
 * (validation, arena, copies, views) and through `phaseChangeSampler`
 * (parameters checked and kept in the core once, scalars per call), the
 * model's `stepCell`, and NumPy on one-element arrays.
 *
 * Notes compare WASM with the reference (largest difference relative to
 * scale; how many values differ at all) and NumPy's checksums (sums of the
 * final temperatures and fractions) with the reference's.
 */
import { phaseChangeBatch, phaseChangeSampler } from "../src/core/kernels/phase-change.js";
import { loadCore } from "../src/core/load-node.js";
import { type PhaseChangeBatchInput, phaseChangeBatchReference } from "../src/core/reference/phase-change.js";
import { cellDefaults, stepCell } from "../src/models/phase-change/index.js";
import {
  agreement,
  type BenchModule,
  type BenchOptions,
  type BenchRow,
  compare,
  medianMs,
  TARGETS,
} from "./harness.js";
import { numpyCompared } from "./numpy-runner.js";

const CELLS = 1_000_000;
const DT = 1e-9;
const CALLS = 10_000;
const A1 = 0.6180339887498949;
const A2 = 0.41421356237309515;
const A3 = 0.7320508075688772;

const frac = (c: number, a: number) => {
  const x = c * a;
  return x - Math.floor(x);
};

function batch(cells: number, nSteps: number): PhaseChangeBatchInput {
  const p = cellDefaults;
  const melt = (p.meltingTemperature - p.ambientTemperature) / p.thermalResistance;
  return {
    params: p,
    temperature: Float64Array.from({ length: cells }, (_, c) => 280 + 720 * frac(c, A1)),
    fraction: Float64Array.from({ length: cells }, (_, c) => frac(c, A2)),
    powers: Float64Array.from({ length: cells }, (_, c) => 2 * melt * frac(c, A3) ** 2),
    nSteps,
    dt: DT,
  };
}

const sum = (values: ArrayLike<number>) => {
  let total = 0;
  for (let k = 0; k < values.length; k++) total += values[k] as number;
  return total;
};

const numpy = (params: Record<string, unknown>, ours: readonly number[], options: BenchOptions) =>
  numpyCompared("phase-change", params, ours, options);

export const phaseChangeBench: BenchModule = {
  name: "phase-change",
  description:
    "phase-change cells (thermal + JMAK + melt-quench): 10^6 cells per call and 1 cell per call, WASM vs TypeScript reference vs NumPy",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const rows: BenchRow[] = [];
    for (const nSteps of [1, 10]) {
      const input = batch(CELLS, nSteps);
      const wasm = medianMs(() => phaseChangeBatch(core, input), options);
      const ts = medianMs(() => phaseChangeBatchReference(input), options);
      const reference = phaseChangeBatchReference(input);
      const views = phaseChangeBatch(core, input);
      const got = [views.temperature.data, views.fraction.data];
      const expected = [reference.temperature, reference.fraction];
      const np = numpy(
        { params: cellDefaults, cells: CELLS, steps: nSteps, dt: DT },
        [sum(reference.temperature), sum(reference.fraction)],
        options,
      );
      rows.push({
        bench: "phase-change",
        case: `10^6 cells × ${nSteps} step${nSteps > 1 ? "s" : ""}`,
        work: CELLS * nSteps,
        workUnit: "cell-steps",
        medianMs: { wasm, "ts reference": ts, ...(np.medianMs === undefined ? {} : { numpy: np.medianMs }) },
        notes: `${agreement(got, expected)}; ${np.note}`,
        targets: TARGETS.batch,
        agreement: {
          wasm: compare(got, expected).worst,
          ...(np.worst === undefined ? {} : { numpy: np.worst }),
        },
      });
    }
    {
      // A crystallising cell: 600 K, X = 0.3, held at 600 K by 5 mW.
      const state = { temperature: 600, fraction: 0.3 };
      const power = 5e-3;
      const one: PhaseChangeBatchInput = {
        params: cellDefaults,
        temperature: Float64Array.of(state.temperature),
        fraction: Float64Array.of(state.fraction),
        powers: Float64Array.of(power),
        nSteps: 1,
        dt: DT,
      };
      const perCall = (run: () => unknown) =>
        medianMs(() => {
          for (let i = 0; i < CALLS; i++) run();
        }, options) / CALLS;
      const wasm = perCall(() => phaseChangeBatch(core, one));
      const ts = perCall(() => stepCell(cellDefaults, state, power, DT));
      const stepped = stepCell(cellDefaults, state, power, DT);
      const viaWrapper = phaseChangeBatch(core, one);
      const wrapperWorst = compare(
        [viaWrapper.temperature.data, viaWrapper.fraction.data],
        [Float64Array.of(stepped.temperature), Float64Array.of(stepped.fraction)],
      ).worst;
      const numpyAgreement = (worst: number | undefined): Record<string, number> =>
        worst === undefined ? {} : { numpy: worst };
      const np = numpy(
        { params: cellDefaults, calls: CALLS, dt: DT, cell: [state.temperature, state.fraction, power] },
        [stepped.temperature, stepped.fraction],
        options,
      );
      const ns = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms * 1e6).toFixed(0)} ns`);
      rows.push({
        bench: "phase-change",
        case: "1 cell × 1 step per call",
        work: 1,
        workUnit: "cell-steps",
        medianMs: { wasm, "ts reference": ts, ...(np.medianMs === undefined ? {} : { numpy: np.medianMs }) },
        notes: `per call: wasm ${ns(wasm)} (kernel wrapper), ts ${ns(ts)} (model stepCell), numpy ${ns(np.medianMs)}; wasm = stepCell to ${wrapperWorst.toExponential(0)}; ${np.note}`,
        targets: TARGETS.singleSample,
        agreement: { wasm: wrapperWorst, ...numpyAgreement(np.worst) },
      });
      const sampler = phaseChangeSampler(core, cellDefaults);
      const sampled = perCall(() => sampler.step(state, power, DT));
      const got = sampler.step(state, power, DT);
      const worst = Math.max(
        Math.abs(got.temperature - stepped.temperature) / stepped.temperature,
        Math.abs(got.fraction - stepped.fraction),
      );
      sampler.release();
      rows.push({
        bench: "phase-change",
        case: "1 cell × 1 step per call (sampler)",
        work: 1,
        workUnit: "cell-steps",
        medianMs: {
          wasm: sampled,
          "ts reference": ts,
          ...(np.medianMs === undefined ? {} : { numpy: np.medianMs }),
        },
        notes: `per call: wasm ${ns(sampled)} (sampler: parameters resident, scalars in and out), ts ${ns(ts)}, numpy ${ns(np.medianMs)}; wasm = stepCell to ${worst.toExponential(0)}`,
        targets: TARGETS.singleSample,
        agreement: { wasm: worst, ...numpyAgreement(np.worst) },
      });
    }
    return rows;
  },
};
