/**
 * Microring spectra (src/core/assembly/ring.ts): WASM vs the TypeScript
 * reference vs NumPy (bench/numpy/ring.py, the textbook formulas
 * vectorised over wavelengths).
 *
 * Batch rows: 10^5 wavelengths from 1.5 to 1.6 µm, λ_k = 1.5e-6 +
 * 0.1e-6·k/(n − 1) on all three sides (a calibration sweep; ~11 FSRs of the
 * default 10 µm-radius ring). Single-sample rows: one wavelength per call,
 * λ_i = 1.55e-6 + 1e-13·i, timed over CALLS calls and reported per call
 * (what a twin does per sample): WASM through a sampler (parameters checked
 * once, one WASM call per sample) and, for comparison, through the
 * spectrum API on a one-element array (arena, copies, ndarray views); the
 * TypeScript side calls the model's scalar function; NumPy calls its
 * vectorised function on a one-element array (and, in the notes, on a
 * Python float, where CPython does most of the arithmetic).
 *
 * Notes compare WASM with the reference (largest difference relative to
 * scale, and how many values differ at all) and NumPy's checksums (sums of
 * each output) with the reference's.
 */
import {
  ringAddDropSampler,
  ringAddDropSpectrum,
  ringAllPassSampler,
  ringAllPassSpectrum,
} from "../src/core/kernels/ring.js";
import { loadCore } from "../src/core/load-node.js";
import { ringAddDropSpectrumReference, ringAllPassSpectrumReference } from "../src/core/reference/ring.js";
import { addDropResponse, allPassPower, ringAddDrop, ringAllPass } from "../src/models/photonic/index.js";
import {
  agreement,
  type BenchModule,
  type BenchOptions,
  type BenchRow,
  type BenchTarget,
  compare,
  medianMs,
  rowCollector,
  TARGETS,
} from "./harness.js";
import { numpyCompared } from "./numpy-runner.js";

const N = 100_000;
const CALLS = 10_000;

function sweep(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => 1.5e-6 + (0.1e-6 * k) / (n - 1));
}
const samples = Float64Array.from({ length: CALLS }, (_, i) => 1.55e-6 + 1e-13 * i);

/** Median ms per call, timing `inner` calls together so that nanosecond calls are resolved. */
function perCallMs(call: (i: number) => unknown, inner: number, options: BenchOptions): number {
  return (
    medianMs(() => {
      for (let i = 0; i < inner; i++) call(i);
    }, options) / inner
  );
}

/** Sum of a real output, or of the re and im parts of an interleaved complex one. */
function sums(values: ArrayLike<number>, complex: boolean): number[] {
  const stride = complex ? 2 : 1;
  const totals = [0, 0];
  for (let k = 0; k < values.length; k++)
    totals[k % stride] = (totals[k % stride] as number) + (values[k] as number);
  return totals.slice(0, stride);
}

/** NumPy's median per call and how its checksum compares with ours (sums that may cancel: floor 1). */
const numpy = (params: Record<string, unknown>, ours: readonly number[], options: BenchOptions) =>
  numpyCompared("ring", params, ours, options, 1);

export const ringBench: BenchModule = {
  name: "ring",
  description:
    "microring spectra: 10^5 wavelengths (calibration) and 1 wavelength per call (twin), WASM vs TypeScript reference vs NumPy",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const allPass = ringAllPass.defaults;
    const addDrop = ringAddDrop.defaults;
    const wavelengths = sweep(N);
    const rows: BenchRow[] = [];
    const collect = rowCollector("ring", rows);
    const row = (
      name: string,
      work: number,
      medians: Readonly<Record<string, number | undefined>>,
      notes: string,
      targets: readonly BenchTarget[] | undefined,
      agreement: Readonly<Record<string, number | undefined>>,
    ) => collect(name, work, "wavelengths", medians, notes, targets, agreement);

    // Batches.
    for (const field of [false, true]) {
      const wasm = medianMs(() => ringAllPassSpectrum(core, allPass, wavelengths, { field }), options);
      const ts = medianMs(() => ringAllPassSpectrumReference(allPass, wavelengths, { field }), options);
      const reference = ringAllPassSpectrumReference(allPass, wavelengths, { field });
      const outputs = field ? [reference.power, reference.field as Float64Array] : [reference.power];
      const views = ringAllPassSpectrum(core, allPass, wavelengths, { field });
      const got = field ? [views.power.data, views.field?.data as Float64Array] : [views.power.data];
      const ours = outputs.flatMap((o, k) => sums(o, k === 1));
      const np = numpy({ kind: "all-pass", params: allPass, field, n: N }, ours, options);
      row(
        `all-pass 10^5 λ, power${field ? " + field" : ""}`,
        N,
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${agreement(got, outputs)}; ${np.note}`,
        undefined,
        { wasm: compare(got, outputs).worst, numpy: np.worst },
      );
    }
    {
      const wasm = medianMs(() => ringAddDropSpectrum(core, addDrop, wavelengths, { field: true }), options);
      const ts = medianMs(() => ringAddDropSpectrumReference(addDrop, wavelengths, { field: true }), options);
      const r = ringAddDropSpectrumReference(addDrop, wavelengths, { field: true });
      const outputs = [r.through, r.drop, r.throughField as Float64Array, r.dropField as Float64Array];
      const v = ringAddDropSpectrum(core, addDrop, wavelengths, { field: true });
      const got = [v.through.data, v.drop.data, v.throughField?.data ?? [], v.dropField?.data ?? []];
      const ours = outputs.flatMap((o, k) => sums(o, k >= 2));
      const np = numpy({ kind: "add-drop", params: addDrop, field: true, n: N }, ours, options);
      row(
        "add-drop 10^5 λ, powers + fields",
        N,
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `${agreement(got, outputs)}; ${np.note}`,
        undefined,
        { wasm: compare(got, outputs).worst, numpy: np.worst },
      );
    }

    // One wavelength per call.
    const sampler = ringAllPassSampler(core, allPass);
    const wasmPower = Float64Array.from(samples, (λ) => sampler.power(λ));
    const tsPower = Float64Array.from(samples, (λ) => allPassPower(allPass, λ));
    const npArray = numpy(
      { kind: "all-pass", params: allPass, field: false, calls: CALLS },
      sums(tsPower, false),
      options,
    );
    const npFloat = numpy(
      { kind: "all-pass", params: allPass, field: false, calls: CALLS, scalar: true },
      sums(tsPower, false),
      options,
    );
    const floatNote =
      npFloat.medianMs === undefined
        ? ""
        : `; numpy on a Python float: ${(npFloat.medianMs * 1e3).toFixed(2)} µs/call`;
    const perCall = (ms: number | undefined) => (ms === undefined ? "—" : `${(ms * 1e6).toFixed(0)} ns`);
    {
      const wasm = perCallMs((i) => sampler.power(samples[i] as number), CALLS, options);
      const ts = perCallMs((i) => allPassPower(allPass, samples[i] as number), CALLS, options);
      row(
        "all-pass 1 λ/call, power (sampler)",
        1,
        { wasm, "ts reference": ts, numpy: npArray.medianMs },
        `per call: wasm ${perCall(wasm)}, ts ${perCall(ts)}, numpy ${perCall(npArray.medianMs)}; ${agreement([wasmPower], [tsPower])}; ${npArray.note}${floatNote}`,
        TARGETS.singleSample,
        { wasm: compare([wasmPower], [tsPower]).worst, numpy: npArray.worst },
      );
    }
    {
      const one = (i: number) => samples.subarray(i, i + 1);
      const wasm = perCallMs((i) => ringAllPassSpectrum(core, allPass, one(i)), CALLS, options);
      const ts = perCallMs((i) => ringAllPassSpectrumReference(allPass, one(i)), CALLS, options);
      const got = Float64Array.from(samples, (_, i) =>
        ringAllPassSpectrum(core, allPass, one(i)).power.get(0),
      );
      row(
        "all-pass 1 λ/call, power (spectrum API)",
        1,
        { wasm, "ts reference": ts, numpy: npArray.medianMs },
        `per call: wasm ${perCall(wasm)}, ts ${perCall(ts)} (arena, copies and an ndarray per call); ${agreement([got], [tsPower])}`,
        TARGETS.singleSample,
        { wasm: compare([got], [tsPower]).worst, numpy: npArray.worst },
      );
    }
    {
      const adSampler = ringAddDropSampler(core, addDrop);
      const wasm = perCallMs((i) => adSampler.sample(samples[i] as number), CALLS, options);
      const ts = perCallMs((i) => addDropResponse(addDrop, samples[i] as number), CALLS, options);
      const responses = Array.from(samples, (λ) => addDropResponse(addDrop, λ));
      const reference = Float64Array.from(responses, (r) => r.dropPower);
      const got = samples.map((λ) => adSampler.sample(λ).drop);
      const ours = [
        ...sums(
          Float64Array.from(responses, (r) => r.throughPower),
          false,
        ),
        ...sums(reference, false),
        ...sums(Float64Array.from(responses.flatMap((r) => [r.through.re, r.through.im])), true),
        ...sums(Float64Array.from(responses.flatMap((r) => [r.drop.re, r.drop.im])), true),
      ];
      const np = numpy({ kind: "add-drop", params: addDrop, field: true, calls: CALLS }, ours, options);
      row(
        "add-drop 1 λ/call, both ports + fields (sampler)",
        1,
        { wasm, "ts reference": ts, numpy: np.medianMs },
        `per call: wasm ${perCall(wasm)}, ts ${perCall(ts)}, numpy ${perCall(np.medianMs)}; drop ${agreement([got], [reference])}; ${np.note}`,
        TARGETS.singleSample,
        { wasm: compare([got], [reference]).worst, numpy: np.worst },
      );
    }
    return rows;
  },
};
