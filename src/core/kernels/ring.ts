/**
 * Typed way into the ring kernels (src/core/assembly/ring.ts): all-pass
 * and add-drop microring spectra over many wavelengths, and one wavelength
 * at a time for a twin. Twins of `allPassSpectrum` / `addDropSpectrum`
 * (src/models/photonic/ring-spectrum.ts), which check their inputs the
 * same way (`checkRingSpectrum`).
 *
 * Spectra come back as `ndarray` views over the core's memory — power
 * [n], field [n, 2] (re, im last) — zero-copy, valid until the next kernel
 * call on the same Core, which reuses the memory (src/core/wasm.ts): copy
 * what you keep (`view.data.slice()`).
 *
 * The samplers check a ring's parameters once and then evaluate one
 * wavelength per call straight from scalar arguments, without the arena:
 * what a twin does per sample, at the cost of a WASM call.
 */
import ndarray, { type NdArray } from "ndarray";
import type { Complex } from "../../models/complex.js";
import { checkParameters } from "../../models/parameters.js";
import {
  type AddDropParams,
  type AllPassParams,
  addDropParameters,
  allPassParameters,
} from "../../models/photonic/ring.js";
import { checkRingSpectrum, type RingSpectrumOptions } from "../../models/photonic/ring-spectrum.js";
import { checkDispersedWavelength, dispersionLimit } from "../../models/photonic/waveguide.js";
import type { Arena, Core } from "../wasm.js";

/** The kernels' raw exports: addresses are byte offsets into the core's memory, arrays f64. */
export interface RingExports {
  readonly memory: WebAssembly.Memory;
  ringAllPassSpectrum(n: number, params: number, wavelengths: number, power: number, field: number): void;
  ringAddDropSpectrum(
    n: number,
    params: number,
    wavelengths: number,
    through: number,
    drop: number,
    throughField: number,
    dropField: number,
  ): void;
  ringAllPassAt(r: number, a: number, length: number, n0: number, ng: number, λ0: number, λ: number): number;
  ringAllPassJacobian(
    n: number,
    params: number,
    wavelengths: number,
    power: number,
    jacobian: number,
    stride: number,
  ): void;
  ringAddDropAt(
    r1: number,
    r2: number,
    a: number,
    length: number,
    n0: number,
    ng: number,
    λ0: number,
    λ: number,
  ): number;
  ringScratch(): number;
}

export interface AllPassSpectrumViews {
  /** |S[out][in]|², [n]. */
  readonly power: NdArray<Float64Array>;
  /** S[out][in], [n, 2] (re, im), when asked for. */
  readonly field?: NdArray<Float64Array>;
}

export interface AddDropSpectrumViews {
  /** |S[through][in]|² and |S[drop][in]|², [n]. */
  readonly through: NdArray<Float64Array>;
  readonly drop: NdArray<Float64Array>;
  /** S[through][in] and S[drop][in], [n, 2] (re, im), when asked for. */
  readonly throughField?: NdArray<Float64Array>;
  readonly dropField?: NdArray<Float64Array>;
}

const F64 = Float64Array.BYTES_PER_ELEMENT;

/** One output of a call: its address for the kernel, and its view once the kernel has run. */
interface Output {
  readonly address: number;
  view(): NdArray<Float64Array>;
}

/**
 * Lays out one call in a single block: the parameters (in the kernel's,
 * i.e. the model's, order), the wavelengths, then per output `width`·n f64
 * (1 for a power, 2 for an interleaved field).
 */
function layOut(
  arena: Arena,
  params: readonly number[],
  wavelengths: Float64Array,
  widths: readonly (1 | 2)[],
) {
  const n = wavelengths.length;
  const total = params.length + n + widths.reduce((sum: number, width) => sum + width * n, 0);
  const base = arena.reserve(total);
  const block = arena.view(base, total);
  block.set(params, 0);
  block.set(wavelengths, params.length);
  let offset = params.length + n;
  const outputs = widths.map((width): Output => {
    const at = offset;
    offset += width * n;
    return {
      address: base + F64 * at,
      view: () => ndarray(block.subarray(at, at + width * n), width === 1 ? [n] : [n, 2]),
    };
  });
  return { params: base, wavelengths: base + F64 * params.length, outputs };
}

/** `allPassSpectrum` in the WASM core. */
export function ringAllPassSpectrum(
  core: Core,
  p: AllPassParams,
  wavelengths: Float64Array,
  options: RingSpectrumOptions = {},
): AllPassSpectrumViews {
  checkRingSpectrum("ring-all-pass", p, wavelengths);
  const values = allPassParameters.map((spec) => p[spec.name]);
  return core.call((arena, exports) => {
    const block = layOut(arena, values, wavelengths, options.field ? [1, 2] : [1]);
    const [power, field] = block.outputs as [Output, Output?];
    (exports as unknown as RingExports).ringAllPassSpectrum(
      wavelengths.length,
      block.params,
      block.wavelengths,
      power.address,
      field?.address ?? 0,
    );
    return field ? { power: power.view(), field: field.view() } : { power: power.view() };
  });
}

/**
 * `allPassPowerJacobian` in the WASM core: the power [n] and the partials
 * [n, stride] (columns 0–5: r, a, L, n_eff0, n_g, λ0; the rest left as
 * the arena had them), as views valid until the next call on `core`.
 */
export function ringAllPassJacobian(
  core: Core,
  p: AllPassParams,
  wavelengths: Float64Array,
  stride = 6,
): { readonly power: Float64Array; readonly jacobian: Float64Array } {
  checkRingSpectrum("ring-all-pass", p, wavelengths);
  if (!(Number.isInteger(stride) && stride >= 6)) {
    throw new RangeError(`ringAllPassJacobian: stride must be a whole number ≥ 6, got ${stride}`);
  }
  const values = allPassParameters.map((spec) => p[spec.name]);
  const n = wavelengths.length;
  return core.call((arena, exports) => {
    const base = arena.reserve(values.length + n * (2 + stride));
    const block = arena.view(base, values.length + n * (2 + stride));
    block.set(values, 0);
    block.set(wavelengths, values.length);
    const at = values.length + n;
    (exports as unknown as RingExports).ringAllPassJacobian(
      n,
      base,
      base + F64 * values.length,
      base + F64 * at,
      base + F64 * (at + n),
      stride,
    );
    return { power: block.subarray(at, at + n), jacobian: block.subarray(at + n, at + n + n * stride) };
  });
}

/** `addDropSpectrum` in the WASM core. */
export function ringAddDropSpectrum(
  core: Core,
  p: AddDropParams,
  wavelengths: Float64Array,
  options: RingSpectrumOptions = {},
): AddDropSpectrumViews {
  checkRingSpectrum("ring-add-drop", p, wavelengths);
  const values = addDropParameters.map((spec) => p[spec.name]);
  return core.call((arena, exports) => {
    const block = layOut(arena, values, wavelengths, options.field ? [1, 1, 2, 2] : [1, 1]);
    const [through, drop, throughField, dropField] = block.outputs as [Output, Output, Output?, Output?];
    (exports as unknown as RingExports).ringAddDropSpectrum(
      wavelengths.length,
      block.params,
      block.wavelengths,
      through.address,
      drop.address,
      throughField?.address ?? 0,
      dropField?.address ?? 0,
    );
    const powers = { through: through.view(), drop: drop.view() };
    return throughField && dropField
      ? { ...powers, throughField: throughField.view(), dropField: dropField.view() }
      : powers;
  });
}

/** The static single-sample outputs, viewed afresh if the memory has grown since. */
function scratchReader(exports: RingExports): () => Float64Array {
  const at = exports.ringScratch();
  let view = new Float64Array(exports.memory.buffer, at, 8);
  return () => {
    if (view.buffer !== exports.memory.buffer) view = new Float64Array(exports.memory.buffer, at, 8);
    return view;
  };
}

export interface AllPassSampler {
  readonly params: Readonly<AllPassParams>;
  /** |S[out][in]|² at one wavelength (m). */
  power(wavelength: number): number;
  /** S[out][in] at one wavelength (m). */
  field(wavelength: number): Complex;
}

export interface AddDropSample {
  readonly through: number;
  readonly drop: number;
  readonly throughField: Complex;
  readonly dropField: Complex;
}

export interface AddDropSampler {
  readonly params: Readonly<AddDropParams>;
  /** |S[through][in]|² at one wavelength (m). */
  throughPower(wavelength: number): number;
  /** Powers and fields of both ports at one wavelength (m). */
  sample(wavelength: number): AddDropSample;
}

/** An all-pass ring whose parameters are checked once, evaluated one wavelength per call. */
export function ringAllPassSampler(core: Core, p: AllPassParams): AllPassSampler {
  checkParameters("ring-all-pass", allPassParameters, p);
  const params = Object.freeze({ ...p });
  const { selfCoupling: r, roundTripAmplitude: a, circumference: L } = params;
  const { effectiveIndex: n0, groupIndex: ng, referenceWavelength: λ0 } = params;
  const exports = core.exports as unknown as RingExports;
  const scratch = scratchReader(exports);
  const limit = dispersionLimit(params);
  const check = (λ: number) => {
    if (!(λ > 0 && λ < limit)) checkDispersedWavelength("ring-all-pass", params, λ);
  };
  return {
    params,
    power(wavelength) {
      check(wavelength);
      return exports.ringAllPassAt(r, a, L, n0, ng, λ0, wavelength);
    },
    field(wavelength) {
      check(wavelength);
      exports.ringAllPassAt(r, a, L, n0, ng, λ0, wavelength);
      const out = scratch();
      return { re: out[0] as number, im: out[1] as number };
    },
  };
}

/** An add-drop ring whose parameters are checked once, evaluated one wavelength per call. */
export function ringAddDropSampler(core: Core, p: AddDropParams): AddDropSampler {
  checkParameters("ring-add-drop", addDropParameters, p);
  const params = Object.freeze({ ...p });
  const { selfCoupling1: r1, selfCoupling2: r2, roundTripAmplitude: a, circumference: L } = params;
  const { effectiveIndex: n0, groupIndex: ng, referenceWavelength: λ0 } = params;
  const exports = core.exports as unknown as RingExports;
  const scratch = scratchReader(exports);
  const limit = dispersionLimit(params);
  const check = (λ: number) => {
    if (!(λ > 0 && λ < limit)) checkDispersedWavelength("ring-add-drop", params, λ);
  };
  return {
    params,
    throughPower(wavelength) {
      check(wavelength);
      return exports.ringAddDropAt(r1, r2, a, L, n0, ng, λ0, wavelength);
    },
    sample(wavelength) {
      check(wavelength);
      const through = exports.ringAddDropAt(r1, r2, a, L, n0, ng, λ0, wavelength);
      const out = scratch();
      return {
        through,
        drop: out[3] as number,
        throughField: { re: out[0] as number, im: out[1] as number },
        dropField: { re: out[4] as number, im: out[5] as number },
      };
    },
  };
}
