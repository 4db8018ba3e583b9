/**
 * Thin-film transfer matrices (src/core/assembly/tmm.ts): WASM vs the
 * TypeScript reference vs NumPy (bench/numpy/tmm.py: characteristic
 * matrices as (nλ, 2, 2) arrays multiplied with `@`, one Python iteration
 * per layer), s and p together, at 0.3 rad.
 *
 * The stack: 12 layers, alternating quarter waves at 1.55 µm of n = 2.3
 * (the middle one weakly absorbing, k = 0.01) and n = 1.45, on glass
 * (1.5) in air. Batch: 10^4 wavelengths, λ_i = 1.2 µm + 0.07 nm·i (a
 * calibration sweep across the stop band), one call. Single-sample: one
 * wavelength per call (what a twin does per sample), λ_i from the same
 * sweep, timed over CALLS calls and reported per call; each call reads R_s
 * and R_p. The WASM side goes through the spectrum API (validation,
 * arena, copies; the views are reused between calls of the same shape).
 * A third row is the batch with every index given per wavelength, the
 * path a dispersive model takes: each layer's n gets a Cauchy term
 * B·(1/λ² − 1/λ_d²) (B = 0.004 µm², glass-like; zero at the design
 * wavelength), ambient and substrate stay fixed; NumPy builds the same
 * (nλ, L + 2) array from the same recipe.
 *
 * Notes compare WASM with the reference (largest difference relative to
 * each output's scale, and how many values differ at all) and NumPy's
 * checksums with the reference's.
 */
import { tmmSpectrum } from "../src/core/kernels/tmm.js";
import { loadCore } from "../src/core/load-node.js";
import { tmmSpectrumReference } from "../src/core/reference/tmm.js";
import type { Layer, SpectrumInput, SpectrumOutput, Stack } from "../src/models/thin-film/index.js";
import { spectrumInput } from "../src/models/thin-film/index.js";
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
import { numpyCompared } from "./numpy-runner.js";

const N = 10_000;
const CALLS = 10_000;
const START = 1.2e-6;
const STEP = 0.7e-6 / N;
const ANGLE = 0.3;
const DESIGN = 1.55e-6;

const layers: Layer[] = Array.from({ length: 12 }, (_, j) => {
  const n = j % 2 === 0 ? 2.3 : 1.45;
  return { n, k: j === 6 ? 0.01 : 0, thickness: DESIGN / (4 * n) };
});
const stack: Stack = { ambient: { n: 1 }, layers, substrate: { n: 1.5, k: 0 } };

const sweep = (count: number) => Float64Array.from({ length: count }, (_, i) => START + i * STEP);

/**
 * The same case as NumPy gets it. With `dispersion` NumPy builds the
 * per-wavelength indices as `dispersive` does: the recipe rather than 10^4
 * rows of JSON.
 */
function numpyCase(mode: "batch" | "single", count: number, dispersion = false) {
  return {
    mode,
    thicknesses: layers.map((layer) => layer.thickness),
    indices: [[1, 0], ...layers.map((layer) => [layer.n, layer.k]), [1.5, 0]],
    wavelengths: { start: START, step: STEP, count },
    angle: ANGLE,
    ...(dispersion ? { dispersion: { cauchy: CAUCHY, design: DESIGN } } : {}),
  };
}

/** Sums over all points of R_s + T_s + R_p + T_p and of Re r_s + Im t_p (NumPy prints the same). */
function checksum(outputs: readonly SpectrumOutput[]): number[] {
  let power = 0;
  let amplitude = 0;
  for (const { s, p } of outputs) {
    s.R.forEach((R, k) => {
      power += R + (s.T[k] as number) + (p.R[k] as number) + (p.T[k] as number);
      amplitude += (s.r[2 * k] as number) + (p.t[2 * k + 1] as number);
    });
  }
  return [power, amplitude];
}

/** How WASM's outputs compare with the reference's, every output ("wasm = reference to 3e-15 of scale (…)"). */
function agreement(
  wasm: ReturnType<typeof tmmSpectrum>,
  reference: SpectrumOutput,
): { note: string; worst: number } {
  const outputs = (["s", "p"] as const).flatMap((pol) =>
    (["R", "T", "r", "t"] as const).map((o) => [pol, o] as const),
  );
  const got = outputs.map(([pol, o]) => wasm[pol][o].data);
  const expected = outputs.map(([pol, o]) => reference[pol][o]);
  return { note: describeAgreement(got, expected), worst: compare(got, expected).worst };
}

/** NumPy's median per call and how its checksum compares with ours, or why it was skipped. */
const numpy = (params: ReturnType<typeof numpyCase>, ours: readonly number[], options: BenchOptions) =>
  numpyCompared("tmm", params, ours, options);

/** Cauchy B of the layers' dispersion, m² (0.004 µm²). */
const CAUCHY = 4e-15;

/**
 * The input with every index given per wavelength: each layer's n plus
 * CAUCHY·(1/λ² − 1/DESIGN²), ambient and substrate as they are (NumPy builds
 * the same from its case's `dispersion`).
 */
function dispersive(input: SpectrumInput): SpectrumInput {
  const rows = input.wavelengths.length;
  const nMedia = input.indices.length / 2;
  const indices = new Float64Array(2 * nMedia * rows);
  for (let m = 0; m < nMedia; m++) {
    const layer = m > 0 && m < nMedia - 1;
    for (let l = 0; l < rows; l++) {
      const wavelength = input.wavelengths[l] as number;
      const shift = layer ? CAUCHY * (1 / (wavelength * wavelength) - 1 / (DESIGN * DESIGN)) : 0;
      indices[2 * (m * rows + l)] = (input.indices[2 * m] as number) + shift;
      indices[2 * (m * rows + l) + 1] = input.indices[2 * m + 1] as number;
    }
  }
  return { ...input, indices };
}

export const tmmBench: BenchModule = {
  name: "tmm",
  description:
    "thin-film stack, 12 layers, s + p: 10^4 wavelengths (calibration) and 1 wavelength per call (twin), WASM vs TypeScript reference vs NumPy",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const rows: BenchRow[] = [];
    const row = rowCollector("tmm", rows);

    const batch = spectrumInput(stack, sweep(N), [ANGLE]);
    {
      const wasm = medianMs(() => tmmSpectrum(core, batch), options);
      const ts = medianMs(() => tmmSpectrumReference(batch), options);
      const reference = tmmSpectrumReference(batch);
      const np = numpy(numpyCase("batch", N), checksum([reference]), options);
      const ours = agreement(tmmSpectrum(core, batch), reference);
      row(
        "12 layers × 10^4 λ, one call",
        N,
        "wavelengths",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${ours.note}; ${np.note}`,
        TARGETS.batch,
        { wasm: ours.worst, numpy: np.worst },
      );
    }
    {
      const input = dispersive(batch);
      const wasm = medianMs(() => tmmSpectrum(core, input), options);
      const ts = medianMs(() => tmmSpectrumReference(input), options);
      const reference = tmmSpectrumReference(input);
      const np = numpy(numpyCase("batch", N, true), checksum([reference]), options);
      const ours = agreement(tmmSpectrum(core, input), reference);
      row(
        "12 layers × 10^4 λ, indices per λ",
        N,
        "wavelengths",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${ours.note}; ${np.note}`,
        TARGETS.batch,
        { wasm: ours.worst, numpy: np.worst },
      );
    }
    {
      const inputs = Array.from(sweep(CALLS), (wavelength) => spectrumInput(stack, [wavelength], [ANGLE]));
      let sink = 0;
      const perCall = (call: (input: SpectrumInput) => number) =>
        medianMs(() => {
          for (const input of inputs) sink += call(input);
        }, options) / CALLS;
      const wasm = perCall((input) => {
        const { s, p } = tmmSpectrum(core, input);
        return s.R.get(0, 0) + p.R.get(0, 0);
      });
      const ts = perCall((input) => {
        const { s, p } = tmmSpectrumReference(input);
        return (s.R[0] as number) + (p.R[0] as number);
      });
      // The reads feed `sink`, so no engine can drop them; R_s + R_p is never NaN.
      if (Number.isNaN(sink)) throw new Error("tmm bench: a single-sample call returned NaN");
      const references = inputs.map(tmmSpectrumReference);
      const np = numpy(numpyCase("single", CALLS), checksum(references), options);
      // R_s and R_p of every call, WASM against the reference.
      const got = [Float64Array.from(inputs, (input) => tmmSpectrum(core, input).s.R.get(0, 0))];
      got.push(Float64Array.from(inputs, (input) => tmmSpectrum(core, input).p.R.get(0, 0)));
      const expected = (["s", "p"] as const).map((pol) =>
        Float64Array.from(references, (r) => r[pol].R[0] as number),
      );
      const us = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms * 1e3).toFixed(2)} µs`);
      row(
        "12 layers × 1 λ per call",
        1,
        "call",
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `per call: wasm ${us(wasm)}, ts ${us(ts)}, numpy ${us(np.medianMs)}; R_s, R_p ${describeAgreement(got, expected)}; ${np.note}`,
        TARGETS.singleSample,
        { wasm: compare(got, expected).worst, numpy: np.worst },
      );
    }
    return rows;
  },
};
