/**
 * MZI mesh propagation (src/models/photonic/mesh/): a 64×64 Clements mesh
 * (2016 MZIs) applied to a batch of 1024 input vectors (a calibration or a
 * training epoch) and to a single vector (what a twin does per sample),
 * WASM kernel vs the TypeScript reference vs NumPy (bench/numpy/mesh.py,
 * in two forms a NumPy user writes: one Python iteration per MZI, vectorised
 * over the vectors, and one per column, all the column's MZIs at once by a
 * batched 2×2 matrix product). The table's numpy figure, and the targets,
 * use the faster of the two; the notes give both (and results.json keeps
 * them as "numpy per-mzi" / "numpy per-column").
 *
 * The first three rows program the mesh once (`programMesh`: every cell's
 * 2×2 matrix), then each timed call propagates: phases that stay put while
 * samples stream — through `meshPropagate`, which copies the programmed
 * cells into the core with every call, or (third row) through
 * `residentMesh`, which keeps them there. The last row passes the phases with every call and works
 * out the cells inside it (2·2016 sines and cosines; in the core for WASM,
 * `meshPropagatePhases`), on all three sides: phases that move with every
 * sample. Phases and inputs are
 * deterministic formulas that bench/numpy/mesh.py evaluates too; the notes
 * compare the NumPy checksum with the TypeScript reference's.
 */
import { meshPropagate, meshPropagatePhases, residentMesh } from "../src/core/kernels/mesh.js";
import { loadCore } from "../src/core/load-node.js";
import { meshPropagateReference } from "../src/core/reference/mesh.js";
import {
  clementsLayout,
  type MeshLayout,
  type MeshPhases,
  programMesh,
} from "../src/models/photonic/mesh/index.js";
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

const SIZE = 64;
/** bench/numpy/mesh.py's propagation loops; the table's numpy figure is the faster. */
const NUMPY_VARIANTS = ["per-mzi", "per-column"] as const;

/** θ_j = (π/2)·frac(j·0.618…), φ_j and ψ_k spread over [−π, π) the same way (j, k from 1). */
export function benchPhases(layout: MeshLayout): MeshPhases {
  const frac = (x: number) => x % 1;
  return {
    theta: Float64Array.from(
      { length: layout.count },
      (_, j) => (Math.PI / 2) * frac((j + 1) * 0.6180339887498949),
    ),
    phi: Float64Array.from(
      { length: layout.count },
      (_, j) => 2 * Math.PI * frac((j + 1) * 0.41421356237309515) - Math.PI,
    ),
    outputPhase: Float64Array.from(
      { length: layout.size },
      (_, k) => 2 * Math.PI * frac((k + 1) * 0.7320508075688772) - Math.PI,
    ),
  };
}

/** x[k][v] = cos(0.7k + 1.3v) + i sin(0.3k − 0.9v), mode-major interleaved. */
export function benchInputs(size: number, vectors: number): Float64Array {
  const x = new Float64Array(2 * size * vectors);
  for (let k = 0; k < size; k++) {
    for (let v = 0; v < vectors; v++) {
      x[2 * (k * vectors + v)] = Math.cos(0.7 * k + 1.3 * v);
      x[2 * (k * vectors + v) + 1] = Math.sin(0.3 * k - 0.9 * v);
    }
  }
  return x;
}

/** Median ms per call, timing `inner` calls together so that microsecond calls are resolved. */
function perCallMs(call: () => unknown, inner: number, options: BenchOptions): number {
  return (
    medianMs(() => {
      for (let i = 0; i < inner; i++) call();
    }, options) / inner
  );
}

/**
 * bench/numpy/mesh.py's checksum of outputs y[k][v] (interleaved complex):
 * Σ Re y, Σ Im y and Σ (k + 1)|y_kv|² — weighted by mode, since the plain
 * Σ|y|² is the same for every unitary mesh.
 */
function checksum(y: ArrayLike<number>, vectors: number): [number, number, number] {
  let re = 0;
  let im = 0;
  let power = 0;
  for (let j = 0; j < y.length; j += 2) {
    const mode = Math.floor(j / 2 / vectors);
    re += y[j] as number;
    im += y[j + 1] as number;
    power += (mode + 1) * ((y[j] as number) ** 2 + (y[j + 1] as number) ** 2);
  }
  return [re, im, power];
}

export const meshBench: BenchModule = {
  name: "mesh",
  description:
    "64×64 Clements MZI mesh (2016 MZIs) × 1024 vectors and × 1 vector: WASM vs TypeScript reference vs NumPy",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const layout = clementsLayout(SIZE);
    const phases = benchPhases(layout);
    const mesh = programMesh(layout, phases);
    const resident = residentMesh(core, mesh);
    const cases = [
      { name: "× 1024 vectors", vectors: 1024, path: "copied", inner: 1 },
      { name: "× 1 vector", vectors: 1, path: "copied", inner: 200 },
      { name: "× 1 vector, resident", vectors: 1, path: "resident", inner: 200 },
      { name: "× 1 vector, phases per call", vectors: 1, path: "phases", inner: 100 },
    ] as const;
    const rows: BenchRow[] = [];
    for (const { name, vectors, path, inner } of cases) {
      const programming = path === "phases";
      const inputs = benchInputs(SIZE, vectors);
      const wasmCall =
        path === "phases"
          ? () => meshPropagatePhases(core, layout, phases, inputs, vectors)
          : path === "resident"
            ? () => resident.propagate(inputs, vectors)
            : () => meshPropagate(core, mesh, inputs, vectors);
      const referenceCall = programming
        ? () => meshPropagateReference(programMesh(layout, phases), inputs, vectors)
        : () => meshPropagateReference(mesh, inputs, vectors);
      const wasm = perCallMs(wasmCall, inner, options);
      const reference = perCallMs(referenceCall, inner, options);
      const expected = referenceCall();
      const got = wasmCall().data;
      const differing = expected.filter((v, k) => v !== got[k]).length;
      const medians: Record<string, number> = { wasm, "ts reference": reference };
      const ours = checksum(expected, vectors);
      const numpyNotes: string[] = [];
      const numpyMs: Record<string, number> = {};
      const worstNumpy: Record<string, number> = {};
      for (const variant of NUMPY_VARIANTS) {
        const numpy = numpyRun("mesh", { size: SIZE, vectors, programming, variant }, options);
        if ("skipped" in numpy) {
          numpyNotes.push(`numpy ${variant} skipped: ${numpy.skipped}`);
          continue;
        }
        numpyMs[variant] = numpy.medianMs;
        medians[`numpy ${variant}`] = numpy.medianMs;
        const worst = checksumDisagreement(ours, numpy.extra.checksum as number[], 1);
        worstNumpy[variant] = worst;
        numpyNotes.push(
          `numpy ${variant} ${numpy.medianMs.toPrecision(3)} ms, checksum agrees to ${worst.toExponential(0)}`,
        );
      }
      const fastest = Object.entries(numpyMs).sort((a, b) => a[1] - b[1])[0];
      const agreement: Record<string, number> = { wasm: compare([got], [expected]).worst };
      if (fastest !== undefined) {
        medians.numpy = fastest[1];
        agreement.numpy = worstNumpy[fastest[0]] as number;
        numpyNotes.unshift(`numpy column = ${fastest[0]} (the faster)`);
      }
      const numpyNote = numpyNotes.join("; ");
      rows.push({
        bench: "mesh",
        case: `clements ${SIZE}×${SIZE} ${name}`,
        work: layout.count * vectors,
        workUnit: "MZI-vectors",
        medianMs: medians,
        targets: vectors === 1 ? TARGETS.singleSample : TARGETS.meshBatch,
        notes: `wasm = ts reference ${differing === 0 ? "bit for bit" : `except ${differing} values`}; ${numpyNote}`,
        agreement,
      });
    }
    resident.release();
    return rows;
  },
};
