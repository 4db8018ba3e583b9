/**
 * The one shape of a photonic component, and of a circuit built from them
 * (STYLE.md 6, as SAX models are): a pure function of a parameter object
 * and the wavelength that returns an S-matrix, with the parameters declared
 * once as data and the gradient with respect to each of them.
 *
 * Settings a component is driven with (a heater's power, an MZI's phases)
 * are parameters too, declared in the same table with their units and
 * bounds, so a circuit can expose them and a fit can free them.
 */
import { type Complex, put } from "../complex.js";
import { checkParameters, type ParameterSpec } from "../parameters.js";
import { type SMatrix, zeroSMatrix } from "./s-matrix.js";

export interface PhotonicModel<P extends Record<string, number> = Record<string, number>> {
  /** Stable identifier ("waveguide", "ring-all-pass", ...). */
  readonly id: string;
  /** Paper, book or code whose equations are implemented. */
  readonly citation: string;
  /** Port names, in the order of the S-matrix's rows and columns. */
  readonly ports: readonly string[];
  /** One entry per key of P; this order is the order of gradients. */
  readonly parameters: readonly ParameterSpec[];
  readonly defaults: Readonly<P>;
  /** S at `wavelength` (m); refuses parameters out of bounds (ParameterRangeError). */
  sMatrix(p: P, wavelength: number): SMatrix;
  /** S and ∂S/∂p_j for each parameter, in `parameters` order. */
  sMatrixWithGradient(p: P, wavelength: number): SMatrixGradient;
}

export interface SMatrixGradient {
  readonly s: SMatrix;
  /** gradient[j] = ∂S/∂p_j, entry by entry (same ports, same layout). */
  readonly gradient: readonly SMatrix[];
}

/** Distinct entries of a component's S and their partials. */
export interface EntryValues {
  /** values[k]: the k-th distinct non-zero entry. */
  readonly values: readonly Complex[];
  /** partials[j][k] = ∂values[k]/∂p_j, j in parameter order. */
  readonly partials: readonly (readonly Complex[])[];
}

/**
 * What a component built by `patternModel` declares: which entries of S
 * are non-zero and which of a few distinct values each holds (a
 * reciprocal two-port has one value in two places), and how to compute
 * those values and their partials.
 */
export interface PatternModelSpec<P extends Record<string, number>> {
  readonly id: string;
  readonly citation: string;
  readonly ports: readonly string[];
  readonly parameters: readonly ParameterSpec[];
  /** Non-zero entries: [output port, input port, index of the value it holds]. */
  readonly pattern: readonly (readonly [string, string, number])[];
  /** The distinct values and their partials with respect to each parameter. */
  entries(p: P, wavelength: number): EntryValues;
  /** The values alone, when cheaper than `entries` (defaults to it). */
  values?(p: P, wavelength: number): readonly Complex[];
  /**
   * Refuses a wavelength the model cannot evaluate with `p` (a dispersion
   * that gives n_eff ≤ 0 there); defaults to `checkWavelength` (positive
   * and finite). Runs after the parameters are checked.
   */
  checkWavelength?(p: P, wavelength: number): void;
}

/** Builds a PhotonicModel from the pattern of its S-matrix and its entry values. */
export function patternModel<P extends Record<string, number>>(spec: PatternModelSpec<P>): PhotonicModel<P> {
  const { id, ports, parameters, pattern } = spec;
  const slots = pattern.map(([out, input, value]) => {
    const i = ports.indexOf(out);
    const j = ports.indexOf(input);
    if (i < 0 || j < 0) throw new Error(`${id}: pattern names an unknown port (${out}, ${input})`);
    return [i * ports.length + j, value] as const;
  });
  const fill = (values: readonly Complex[]): SMatrix => {
    const s = zeroSMatrix(ports);
    for (const [slot, value] of slots) put(s.data, slot, values[value] as Complex);
    return s;
  };
  const values = spec.values ?? ((p: P, wavelength: number) => spec.entries(p, wavelength).values);
  const checkInputs = (p: P, wavelength: number) => {
    checkParameters(id, parameters, p);
    if (spec.checkWavelength) spec.checkWavelength(p, wavelength);
    else checkWavelength(id, wavelength);
  };
  return {
    id,
    citation: spec.citation,
    ports,
    parameters,
    defaults: Object.freeze(Object.fromEntries(parameters.map((s) => [s.name, s.default])) as P),
    sMatrix(p, wavelength) {
      checkInputs(p, wavelength);
      return fill(values(p, wavelength));
    },
    sMatrixWithGradient(p, wavelength) {
      checkInputs(p, wavelength);
      const { values: v, partials } = spec.entries(p, wavelength);
      return { s: fill(v), gradient: partials.map(fill) };
    },
  };
}

/** Refuses a wavelength that is not a positive finite number of metres. */
export function checkWavelength(model: string, wavelength: number): void {
  if (!(wavelength > 0 && Number.isFinite(wavelength))) {
    throw new RangeError(`${model}: wavelength ${wavelength} m is not a positive finite length`);
  }
}

/**
 * x·slope, for a slope that is ±∞ at an end of a parameter's range where
 * an amplitude goes as √u (d√u/du at u = 0: a coupler's √κ² at κ² = 0,
 * a ring's κ = √(1 − r²) at r = 1, a grating's √η0 at η0 = 0), with
 * 0·∞ taken as 0. Why 0 is the limit: the entry is √u·x(u) + (terms
 * smooth in u), so its one-sided difference quotient at u = 0 is
 * x(h)/√h + O(1); a component of x that is exactly 0 at u = 0 is O(h)
 * there and contributes O(√h) → 0, while a non-zero one gives the ±∞
 * that the physics has. Elsewhere it is x·slope bit for bit.
 */
export function timesSlope(x: Complex, slope: number): Complex {
  return { re: x.re === 0 ? 0 : x.re * slope, im: x.im === 0 ? 0 : x.im * slope };
}
