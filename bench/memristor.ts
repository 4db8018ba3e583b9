/**
 * Memristor batch kernels, WASM against their TypeScript references, on 10⁶
 * device-steps in two shapes: 1000 devices × 1000 steps (a crossbar or a
 * Monte Carlo batch: device-to-device parameter spread, one shared drive)
 * and 1 device × 10⁶ steps (a long record of one device). The drive is a
 * ±1.2 V, 1 Hz sine sampled every 1 ms; parameters are the defaults,
 * spread ±20 % (log-uniform, fixed seed) across devices.
 *
 * The VTEAM kernel also computes its voltage-only state speed once per step
 * where the reference, being the generic scheme, evaluates it five times per
 * substep (src/core/assembly/vteam.ts explains why the results are the same
 * bits); the linear drift kernel does the reference's work exactly.
 *
 * NumPy (bench/numpy/memristor.py): the same scheme vectorised over devices,
 * a Python loop over steps and one over substeps on the devices still
 * integrating; it regenerates the same inputs from the seed and its
 * checksum (sum of states, sum of |current|, sum of last states) is compared
 * with the TypeScript reference's in the notes. A Python loop of 10⁶ steps
 * takes minutes per repetition, so shapes longer than NUMPY_MAX_STEPS steps
 * are timed on their first NUMPY_MAX_STEPS steps and the median is scaled
 * by nSteps / NUMPY_MAX_STEPS (the drive is periodic every 1000 steps, so
 * the work per step is the same; the notes say "extrapolated").
 */
import type { BatchInput } from "../src/core/batch.js";
import { loadCore } from "../src/core/load-node.js";
import { linearIonDriftBatchReference } from "../src/core/reference/linear-ion-drift.js";
import { vteamBatchReference } from "../src/core/reference/vteam.js";
import type { BatchViews } from "../src/core/wasm.js";
import {
  linearIonDriftByWindow,
  type MemristorModel,
  vteam,
  type WindowName,
} from "../src/models/memristor/index.js";
import {
  type BenchModule,
  type BenchOptions,
  type BenchRow,
  checksumDisagreement,
  compare,
  medianMs,
  TARGETS,
} from "./harness.js";
import { numpyRun } from "./numpy-runner.js";

const SHAPES = [
  { nDevices: 1000, nSteps: 1000 },
  { nDevices: 1, nSteps: 1_000_000 },
] as const;
const DT = 1e-3;
/** Longest run the NumPy twin is timed on; longer shapes are scaled from it. */
const NUMPY_MAX_STEPS = 10_000;

/** Deterministic uniform [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batch(model: MemristorModel, nDevices: number, nSteps: number): BatchInput {
  const random = seeded(1);
  const nParams = model.parameters.length;
  const params = new Float64Array(nDevices * nParams);
  const x0 = new Float64Array(nDevices);
  for (let d = 0; d < nDevices; d++) {
    const row = Object.fromEntries(
      model.parameters.map((spec, j) => {
        const spread = Math.min(spec.max, Math.max(spec.min, spec.default * 1.2 ** (2 * random() - 1)));
        params[d * nParams + j] = spread;
        return [spec.name, spread];
      }),
    );
    x0[d] = model.initialState(row);
  }
  const voltages = Float64Array.from(
    { length: nSteps },
    (_, k) => 1.2 * Math.sin(2 * Math.PI * (k + 1) * DT),
  );
  return { params, x0, voltages, nSteps, dt: DT };
}

/**
 * bench/numpy/memristor.py's checksum of the first `steps` steps of each
 * device: [Σ state, Σ |current|, Σ state at step steps − 1].
 */
function checksum(
  output: { state: Float64Array; current: Float64Array },
  nDevices: number,
  nSteps: number,
  steps: number,
): [number, number, number] {
  let states = 0;
  let currents = 0;
  let last = 0;
  for (let d = 0; d < nDevices; d++) {
    for (let k = 0; k < steps; k++) {
      states += output.state[d * nSteps + k] as number;
      currents += Math.abs(output.current[d * nSteps + k] as number);
    }
    last += output.state[d * nSteps + steps - 1] as number;
  }
  return [states, currents, last];
}

/** How many outputs differ between the implementations (0: bit for bit). */
function differing(views: BatchViews, reference: { state: Float64Array; current: Float64Array }): number {
  let count = 0;
  for (let n = 0; n < reference.state.length; n++) {
    if (views.state.data[n] !== reference.state[n] || views.current.data[n] !== reference.current[n]) count++;
  }
  return count;
}

export const memristorBench: BenchModule = {
  name: "memristor",
  description: "VTEAM and linear ion drift batch kernels: WASM vs TypeScript reference, 10^6 device-steps",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const kernels: readonly {
      name: string;
      /** The model's name in bench/numpy/memristor.py. */
      numpy: string;
      model: MemristorModel;
      wasm: (input: BatchInput) => BatchViews;
      reference: (input: BatchInput) => { state: Float64Array; current: Float64Array };
    }[] = [
      {
        name: "vteam",
        numpy: "vteam",
        model: vteam as MemristorModel,
        wasm: core.vteamBatch,
        reference: vteamBatchReference,
      },
      ...(["none", "joglekar"] as const satisfies readonly WindowName[]).map((window) => ({
        name: `linear-ion-drift (${window})`,
        numpy: `drift-${window}`,
        model: linearIonDriftByWindow[window] as MemristorModel,
        wasm: (input: BatchInput) => core.linearIonDriftBatch({ ...input, window }),
        reference: (input: BatchInput) => linearIonDriftBatchReference({ ...input, window }),
      })),
    ];
    const rows: BenchRow[] = [];
    for (const kernel of kernels) {
      for (const { nDevices, nSteps } of SHAPES) {
        const input = batch(kernel.model, nDevices, nSteps);
        const wasm = medianMs(() => kernel.wasm(input), options);
        const reference = medianMs(() => kernel.reference(input), options);
        const expected = kernel.reference(input);
        const medians: Record<string, number> = { wasm, "ts reference": reference };
        const views = kernel.wasm(input);
        const agreement: Record<string, number> = {
          wasm: compare([views.state.data, views.current.data], [expected.state, expected.current]).worst,
        };
        const wasmNote = `wasm: ${differing(views, expected)} outputs differ from ts reference`;
        const steps = Math.min(nSteps, NUMPY_MAX_STEPS);
        const numpy = numpyRun(
          "memristor",
          { model: kernel.numpy, devices: nDevices, steps, dt: DT },
          options,
        );
        let numpyNote: string;
        if ("skipped" in numpy) {
          numpyNote = `numpy skipped: ${numpy.skipped}`;
        } else {
          medians.numpy = (numpy.medianMs * nSteps) / steps;
          const worst = checksumDisagreement(
            checksum(expected, nDevices, nSteps, steps),
            numpy.extra.checksum as number[],
          );
          agreement.numpy = worst;
          numpyNote = `${
            steps < nSteps ? `numpy extrapolated ×${nSteps / steps} from ${steps} steps; ` : ""
          }numpy checksum agrees to ${worst.toExponential(0)}`;
        }
        rows.push({
          bench: "memristor",
          case: `${kernel.name} ${nDevices}×${nSteps}`,
          work: nDevices * nSteps,
          workUnit: "device-steps",
          medianMs: medians,
          notes: `${wasmNote}; ${numpyNote}`,
          targets: TARGETS.batch,
          agreement,
        });
      }
    }
    return rows;
  },
};
