/**
 * A thin-film stack as data: a lossless ambient the light comes from, layers
 * (complex index N = n + ik and thickness), and a semi-infinite substrate
 * the light leaves into.
 *
 *   ambient  n₀          ── light in at θ₀, reflected r ──
 *   layer 0  n + ik, d₀
 *   layer 1  n + ik, d₁
 *   …
 *   substrate n + ik     ── transmitted t ──
 *
 * k > 0 absorbs (fields go as e^{i(kz − ωt)}, the convention of Byrnes,
 * arXiv:1603.02720). Gain (k < 0) is refused: with it, which wave is
 * incoming is ambiguous (Byrnes, Appendix C). The ambient has no k: with an
 * absorbing ambient the incident power is not defined.
 *
 * The parameters of a stack with L layers, in gradient order:
 * `ambient.n`, then `layer<j>.thickness`, `layer<j>.n`, `layer<j>.k` for
 * j = 0 … L−1, then `substrate.n`, `substrate.k` (`stackParameters`).
 */
import { ParameterRangeError, type ParameterSpec } from "../parameters.js";

export interface Layer {
  /** Refractive index, real part (1). */
  readonly n: number;
  /** Extinction coefficient, imaginary part of the index (1, ≥ 0: absorbing). */
  readonly k: number;
  /** Physical thickness, m. */
  readonly thickness: number;
}

export interface Substrate {
  readonly n: number;
  readonly k: number;
}

export interface Ambient {
  readonly n: number;
}

export interface Stack {
  readonly ambient: Ambient;
  /** In the order the light meets them. */
  readonly layers: readonly Layer[];
  readonly substrate: Substrate;
}

/**
 * Bounds: n from 0.01 (silver in the visible has n ≈ 0.05) to 100 and k up
 * to 100 cover dielectrics, semiconductors and metals into the far
 * infrared; thicknesses up to 1 mm. A layer of zero thickness is allowed
 * (it changes nothing).
 */
export const layerParameters: readonly ParameterSpec<keyof Layer>[] = [
  { name: "thickness", unit: "m", default: 100e-9, min: 0, max: 1e-3, meaning: "physical thickness d" },
  { name: "n", unit: "1", default: 1.5, min: 0.01, max: 100, meaning: "refractive index, real part" },
  {
    name: "k",
    unit: "1",
    default: 0,
    min: 0,
    max: 100,
    meaning: "extinction coefficient (imaginary part of the index, > 0 absorbs)",
  },
];

export const substrateParameters: readonly ParameterSpec<keyof Substrate>[] = [
  {
    name: "n",
    unit: "1",
    default: 1.5,
    min: 0.01,
    max: 100,
    meaning: "substrate refractive index, real part",
  },
  {
    name: "k",
    unit: "1",
    default: 0,
    min: 0,
    max: 100,
    meaning: "substrate extinction coefficient (> 0 absorbs what T carries in)",
  },
];

export const ambientParameters: readonly ParameterSpec<keyof Ambient>[] = [
  {
    name: "n",
    unit: "1",
    default: 1,
    min: 1,
    max: 10,
    meaning: "ambient refractive index (lossless; 1 for air, > 1 for a prism or immersion)",
  },
];

/** The flat parameter table of a stack with `nLayers` layers, in gradient order (module doc). */
export function stackParameters(nLayers: number): ParameterSpec[] {
  const prefixed = (prefix: string, table: readonly ParameterSpec[]) =>
    table.map((spec) => ({ ...spec, name: `${prefix}.${spec.name}` }));
  return [
    ...prefixed("ambient", ambientParameters),
    ...Array.from({ length: nLayers }, (_, j) => prefixed(`layer${j}`, layerParameters)).flat(),
    ...prefixed("substrate", substrateParameters),
  ];
}

/** The stack's parameter values, in `stackParameters` order. */
export function stackValues(stack: Stack): Float64Array {
  return Float64Array.from([
    stack.ambient.n,
    ...stack.layers.flatMap((layer) => [layer.thickness, layer.n, layer.k]),
    stack.substrate.n,
    stack.substrate.k,
  ]);
}

/** The stack whose parameter values, in `stackParameters` order, are `values`. */
export function stackFromValues(values: ArrayLike<number>): Stack {
  const nLayers = (values.length - 3) / 3;
  if (!Number.isInteger(nLayers) || nLayers < 0) {
    throw new RangeError(`thin film: ${values.length} values are not 1 + 3·layers + 2`);
  }
  const at = (i: number) => values[i] as number;
  return {
    ambient: { n: at(0) },
    layers: Array.from({ length: nLayers }, (_, j) => ({
      thickness: at(1 + 3 * j),
      n: at(2 + 3 * j),
      k: at(3 + 3 * j),
    })),
    substrate: { n: at(1 + 3 * nLayers), k: at(2 + 3 * nLayers) },
  };
}

/** Refuses (never clips) a stack with a value out of bounds or not finite, naming the parameter. */
export function checkStack(stack: Stack): void {
  const table = stackParameters(stack.layers.length);
  const values = stackValues(stack);
  for (let i = 0; i < values.length; i++)
    checkValue("thin film", table[i] as ParameterSpec, values[i] as number);
}

/** Refuses `value` if it is outside `spec`'s bounds or not finite. */
export function checkValue(model: string, spec: ParameterSpec, value: number): void {
  if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
    throw new ParameterRangeError(model, spec.name, value, spec.min, spec.max);
  }
}
