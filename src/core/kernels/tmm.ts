/**
 * Typed way into the `tmmSpectrum` WASM kernel (src/core/assembly/tmm.ts):
 * a thin-film stack's r, t, R and T for s and p over angles × wavelengths.
 * Twin of `stackSpectrum` (src/models/thin-film/spectrum.ts), which
 * validates the same way and defines the layout.
 *
 * The outputs are `ndarray` views over the core's memory, shape
 * [nAngles, nWavelengths] (and [nAngles, nWavelengths, 2] for the complex
 * r, t: re, im last): zero-copy, valid until the next kernel call on the
 * same Core, which reuses the memory (src/core/wasm.ts) — copy what you keep
 * (`view.data.slice()`). Each view is made when first read, and the next
 * call of the same shape returns the same objects, updated in place.
 */
import ndarray, { type NdArray } from "ndarray";
import { checkSpectrum, type SpectrumInput } from "../../models/thin-film/spectrum.js";
import type { Core } from "../wasm.js";

/** The kernel's raw export: addresses are byte offsets into the core's memory, arrays f64. */
export interface TmmExports {
  tmmSpectrum(
    nLayers: number,
    thicknesses: number,
    indices: number,
    indexRows: number,
    nWavelengths: number,
    wavelengths: number,
    nAngles: number,
    angles: number,
    work: number,
    out: number,
  ): void;
}

export interface PolarisedSpectrumViews {
  /** Reflectance, [nAngles, nWavelengths]. */
  readonly R: NdArray<Float64Array>;
  /** Transmittance into the substrate, [nAngles, nWavelengths]. */
  readonly T: NdArray<Float64Array>;
  /** Amplitude coefficients, [nAngles, nWavelengths, 2] (re, im). */
  readonly r: NdArray<Float64Array>;
  readonly t: NdArray<Float64Array>;
}

export interface SpectrumViews {
  readonly s: PolarisedSpectrumViews;
  readonly p: PolarisedSpectrumViews;
}

/** Work per medium (src/core/assembly/tmm.ts) and outputs per point (4 real + 4 complex), in f64. */
const WORK_PER_MEDIUM = 16;
const OUT_PER_POINT = 12;

/** Where each output starts in the kernel's output block, in f64 per point (× P points). */
interface Offsets {
  readonly R: number;
  readonly T: number;
  readonly r: number;
  readonly t: number;
}
const S_OFFSETS: Offsets = { R: 0, T: 1, r: 4, t: 6 };
const P_OFFSETS: Offsets = { R: 2, T: 3, r: 8, t: 10 };

/**
 * One polarisation's views, each made on first use: a twin calling per
 * sample pays for the one or two views it reads, not for eight (an
 * `ndarray` costs ~0.2 µs to make, a 12-layer point ~0.3 µs to compute).
 */
class PolarisedViews implements PolarisedSpectrumViews {
  #R?: NdArray<Float64Array>;
  #T?: NdArray<Float64Array>;
  #r?: NdArray<Float64Array>;
  #t?: NdArray<Float64Array>;

  constructor(
    private readonly data: Float64Array,
    private readonly offsets: Offsets,
    private readonly nAngles: number,
    private readonly nWavelengths: number,
  ) {}

  get R(): NdArray<Float64Array> {
    this.#R ??= this.view(this.offsets.R, 1);
    return this.#R;
  }

  get T(): NdArray<Float64Array> {
    this.#T ??= this.view(this.offsets.T, 1);
    return this.#T;
  }

  get r(): NdArray<Float64Array> {
    this.#r ??= this.view(this.offsets.r, 2);
    return this.#r;
  }

  get t(): NdArray<Float64Array> {
    this.#t ??= this.view(this.offsets.t, 2);
    return this.#t;
  }

  private view(offset: number, components: 1 | 2): NdArray<Float64Array> {
    const points = this.nAngles * this.nWavelengths;
    const data = this.data.subarray(offset * points, (offset + components) * points);
    const shape = components === 1 ? [this.nAngles, this.nWavelengths] : [this.nAngles, this.nWavelengths, 2];
    return ndarray(data, shape);
  }
}

/** `stackSpectrum` in the WASM core. */
export function tmmSpectrum(core: Core, input: SpectrumInput): SpectrumViews {
  const { nLayers, indexRows, points } = checkSpectrum(input);
  const nWavelengths = input.wavelengths.length;
  const nAngles = input.angles.length;
  return core.call((arena, exports) => {
    // One block for inputs, work and outputs (offsets in f64): one allocation and one view per call.
    const indicesAt = input.thicknesses.length;
    const wavelengthsAt = indicesAt + input.indices.length;
    const anglesAt = wavelengthsAt + nWavelengths;
    const workAt = anglesAt + nAngles;
    const outAt = workAt + WORK_PER_MEDIUM * (nLayers + 1);
    const total = outAt + OUT_PER_POINT * points;
    const base = arena.reserve(total);
    const memory = arena.view(base, total);
    memory.set(input.thicknesses, 0);
    memory.set(input.indices, indicesAt);
    memory.set(input.wavelengths, wavelengthsAt);
    memory.set(input.angles, anglesAt);
    const address = (offset: number) => base + Float64Array.BYTES_PER_ELEMENT * offset;
    (exports as unknown as TmmExports).tmmSpectrum(
      nLayers,
      base,
      address(indicesAt),
      indexRows,
      nWavelengths,
      address(wavelengthsAt),
      nAngles,
      address(anglesAt),
      address(workAt),
      address(outAt),
    );
    const last = lastViews.get(core);
    if (last && last.buffer === memory.buffer && last.base === base && last.total === total) {
      if (last.nAngles === nAngles && last.nWavelengths === nWavelengths) return last.views;
    }
    const data = memory.subarray(outAt, total);
    const views = {
      s: new PolarisedViews(data, S_OFFSETS, nAngles, nWavelengths),
      p: new PolarisedViews(data, P_OFFSETS, nAngles, nWavelengths),
    };
    lastViews.set(core, { buffer: memory.buffer, base, total, nAngles, nWavelengths, views });
    return views;
  });
}

/**
 * The views a call returned, per core. A call of the same shape writes its
 * outputs to the same memory (the arena starts afresh each call), so it
 * returns the same view objects — which the module doc already says show
 * the latest call's results — and a twin calling per sample does not pay
 * for new ndarrays each time.
 */
const lastViews = new WeakMap<
  Core,
  {
    readonly buffer: ArrayBufferLike;
    readonly base: number;
    readonly total: number;
    readonly nAngles: number;
    readonly nWavelengths: number;
    readonly views: SpectrumViews;
  }
>();
