/**
 * The scattering matrix every photonic component and circuit returns.
 *
 * Convention, S[out][in]: with a_j the complex field amplitude entering
 * port j and b_i the amplitude leaving port i, b = S a, so S[i][j] is what
 * leaves port i per unit entering port j ("S21" of a two-port is
 * S[out][in]). Amplitudes are normalised so |a|² is power in W.
 * Propagation over a length L multiplies a field by e^{+iβL} (time
 * dependence e^{−iωt}, the convention of SAX, github.com/flaport/sax, and
 * of Bogaerts et al. 2012); the directional coupler's cross term is then
 * +iκ (coupler.ts). test/models/photonic/s-matrix.test.ts pins both.
 *
 * Storage: n × n complex, row-major by output port, interleaved re, im
 * (element (i, j) at 2(i·n + j)) — the layout of src/models/complex.ts and
 * of the WASM kernels.
 */
import { type Complex, put } from "../complex.js";
import { unitarityError as matrixUnitarityError } from "../complex-matrix.js";

export interface SMatrix {
  /** Port names; index i of a row or column is port `ports[i]`. */
  readonly ports: readonly string[];
  /** n² complex entries, row (output port) major, interleaved re, im. */
  readonly data: Float64Array;
}

/** An all-zero S-matrix over `ports` (no transmission, no reflection). */
export function zeroSMatrix(ports: readonly string[]): SMatrix {
  return { ports, data: new Float64Array(2 * ports.length * ports.length) };
}

/** Index of `port`, or a RangeError naming the ports there are. */
export function portIndex(s: { readonly ports: readonly string[] }, port: string): number {
  const index = s.ports.indexOf(port);
  if (index < 0) throw new RangeError(`no port "${port}"; the ports are ${s.ports.join(", ")}`);
  return index;
}

/** S[i][j] by indices: field leaving port i per unit field entering port j. */
export function entryAt(s: SMatrix, i: number, j: number): Complex {
  const k = 2 * (i * s.ports.length + j);
  return { re: s.data[k] as number, im: s.data[k + 1] as number };
}

/** S[out][in] by port names. */
export function entry(s: SMatrix, out: string, input: string): Complex {
  return entryAt(s, portIndex(s, out), portIndex(s, input));
}

/** |S[out][in]|²: the power transmission from `input` to `out`. */
export function powerTransmission(s: SMatrix, out: string, input: string): number {
  const { re, im } = entry(s, out, input);
  return re * re + im * im;
}

/** Sets S[i][j]. */
export function setEntry(s: SMatrix, i: number, j: number, value: Complex): void {
  put(s.data, i * s.ports.length + j, value);
}

/** max over (i, j) of |(S†S − I)[i][j]|: 0 for a lossless (unitary) component. */
export function unitarityError(s: SMatrix): number {
  return matrixUnitarityError(s.data, s.ports.length);
}

/** max |S[i][j] − S[j][i]|: 0 for a reciprocal component. */
export function reciprocityError(s: SMatrix): number {
  const n = s.ports.length;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = entryAt(s, i, j);
      const b = entryAt(s, j, i);
      worst = Math.max(worst, Math.hypot(a.re - b.re, a.im - b.im));
    }
  }
  return worst;
}
