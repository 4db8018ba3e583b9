/**
 * Analytic gradient of R and T with respect to every stack parameter
 * (stackParameters order: ambient n, each layer's thickness, n, k, the
 * substrate's n, k), by the product rule on the characteristic matrices of
 * tmm.ts, in one backward and one forward sweep.
 *
 * With v_L = the substrate vector, v_j = M_j v_{j+1} and v_0 = [B; C], the
 * two quantities everything depends on are D = η₀B + C and N = η₀B − C,
 * linear forms of v_0. Carrying the row vectors a_0 = [η₀, 1],
 * a_{j+1} = a_j M_j (and b_j likewise from [η₀, −1]) gives
 * ∂D/∂x = a_j (∂M_j/∂x) v_{j+1} for a parameter x of layer j, and
 * ∂D/∂x = a_L ∂v_L/∂x for one of the substrate. Then, with r = N/D
 * (up to the sign of r_p, which R does not see) and T = 4η₀·P/|D|²
 * (P = Re q_sub for s, Re(N_sub² q_sub*) for p):
 *
 *   ∂R/∂x = 2 Re(r* (∂N − r ∂D)/D),
 *   ∂T/∂x = 4(∂η₀·P + η₀·∂P)/|D|² − 2T Re(∂D/D).
 *
 * A layer's matrix depends on its thickness d, on w = N² − β² and (for p)
 * on N² itself; through cos δ and S = sin δ/q, which are even in q, so
 * holomorphic in w:
 *
 *   ∂cos δ/∂w = −(k₀d/2) S,  ∂S/∂w = (k₀d cos δ − S)/(2w),
 *   ∂cos δ/∂d = −k₀ w S,      ∂S/∂d = k₀ cos δ,
 *
 * with ∂S/∂w from its Taylor series where δ² is small (there the closed
 * form cancels). n and k enter through N: ∂/∂n = 2N(∂/∂w + ∂/∂N²),
 * ∂/∂k = i ∂/∂n (everything is holomorphic in N). The ambient index moves
 * β² = n₀² sin²θ₀ in every medium (∂w/∂n₀ = −2n₀ sin²θ₀) and η₀.
 *
 * tmm.ts scales each M_j by e^{−Im δ_j}. D and N scale alike and these
 * formulas are linear in cos δ and S, so r, ∂D/D and ∂N/D come out the same
 * from the scaled matrices and their derivatives; only T takes the factor
 * e^{−2Σ Im δ} back.
 */
import { abs2, add, type Complex, complex, div, mul, scale, sub, ZERO } from "../complex.js";
import { checkStack, type Stack, stackParameters } from "./stack.js";
import {
  checkIncidence,
  incidence,
  layerPhase,
  type MediumTerms,
  mediumTerms,
  respond,
  type StackResponse,
  TWO_PI,
  timesI,
  timesMinusI,
} from "./tmm.js";

/** ∂R/∂p_i and ∂T/∂p_i, in stackParameters order (per unit of each parameter). */
export interface PolarisedGradient {
  readonly R: Float64Array;
  readonly T: Float64Array;
}

export interface StackResponseGradient {
  readonly response: StackResponse;
  readonly s: PolarisedGradient;
  readonly p: PolarisedGradient;
}

/** A characteristic matrix [d u; l d], or its derivative (same shape). */
interface Matrix {
  readonly d: Complex;
  readonly u: Complex;
  readonly l: Complex;
}

type Vector = readonly [Complex, Complex];

function apply(m: Matrix, v: Vector): Vector {
  return [add(mul(m.d, v[0]), mul(m.u, v[1])), add(mul(m.l, v[0]), mul(m.d, v[1]))];
}

function rowTimes(a: Vector, m: Matrix): Vector {
  return [add(mul(a[0], m.d), mul(a[1], m.l)), add(mul(a[0], m.u), mul(a[1], m.d))];
}

function dot(a: Vector, v: Vector): Complex {
  return add(mul(a[0], v[0]), mul(a[1], v[1]));
}

function scaled(m: Matrix, factor: Complex): Matrix {
  return { d: mul(m.d, factor), u: mul(m.u, factor), l: mul(m.l, factor) };
}

function sum(x: Matrix, y: Matrix): Matrix {
  return { d: add(x.d, y.d), u: add(x.u, y.u), l: add(x.l, y.l) };
}

/**
 * e^{−b} ∂S/∂w for S = sin(k₀d√w)/√w, b = Im δ (`attenuation`), given
 * `cos` and `sinOverQ` already times e^{−b} (layerPhase): the closed form
 * is linear in them and so comes out scaled; the series is of the
 * unscaled derivative and takes the factor explicitly.
 */
function sinOverQDerivative(
  k0d: number,
  w: Complex,
  cos: Complex,
  sinOverQ: Complex,
  attenuation: number,
): Complex {
  const x = scale(w, k0d * k0d);
  if (abs2(x) < 1e-4) {
    // (k₀d)³ Σ_{n≥1} n(−x)^{n−1}(−1)/(2n+1)!, to x³ (next term below 1e-14 relative for |x| < 0.01).
    const series = add(
      complex(-1 / 6),
      mul(x, add(complex(1 / 60), mul(x, add(complex(-1 / 1680), scale(x, 1 / 90720))))),
    );
    return scale(series, k0d * k0d * k0d * Math.exp(-attenuation));
  }
  return div(sub(scale(cos, k0d), sinOverQ), scale(w, 2));
}

interface LayerMatrices {
  /** Im δ: every matrix here is scaled by e^{−Im δ} (tmm.ts), which cancels from r and from ∂D/D. */
  readonly attenuation: number;
  readonly matrix: Matrix;
  /** ∂M/∂w, ∂M/∂N², ∂M/∂d. */
  readonly byW: Matrix;
  readonly byPermittivity: Matrix;
  readonly byThickness: Matrix;
}

function layerMatrices(p: boolean, k0: number, thickness: number, m: MediumTerms): LayerMatrices {
  const k0d = k0 * thickness;
  const { cos, sinOverQ: S, attenuation } = layerPhase(k0d, m);
  const dSdw = sinOverQDerivative(k0d, m.w, cos, S, attenuation);
  const dCosdw = scale(S, -k0d / 2);
  const dCosdd = scale(mul(m.w, S), -k0);
  const dSdd = scale(cos, k0);
  const minusI = timesMinusI;
  // Upper and lower entries are −i·upperFactor·S and −i·lowerFactor·S.
  const upperFactor = p ? m.wOverPermittivity : complex(1);
  const lowerFactor = p ? m.permittivity : m.w;
  const wS = add(S, mul(m.w, dSdw)); // ∂(w S)/∂w
  return {
    attenuation,
    matrix: { d: cos, u: minusI(mul(upperFactor, S)), l: minusI(mul(lowerFactor, S)) },
    byW: p
      ? { d: dCosdw, u: minusI(div(wS, m.permittivity)), l: minusI(mul(m.permittivity, dSdw)) }
      : { d: dCosdw, u: minusI(dSdw), l: minusI(wS) },
    byPermittivity: p
      ? { d: ZERO, u: minusI(scale(div(mul(m.wOverPermittivity, S), m.permittivity), -1)), l: minusI(S) }
      : { d: ZERO, u: ZERO, l: ZERO },
    byThickness: { d: dCosdd, u: minusI(mul(upperFactor, dSdd)), l: minusI(mul(lowerFactor, dSdd)) },
  };
}

/** The response of `stack` at `wavelength` (m) and `angle` (rad), with ∂R/∂p and ∂T/∂p for every parameter. */
export function stackResponseGradient(stack: Stack, wavelength: number, angle = 0): StackResponseGradient {
  checkStack(stack);
  checkIncidence(wavelength, angle);
  const inc = incidence(stack.ambient.n, angle);
  const media = [...stack.layers, stack.substrate].map((m) => mediumTerms(m.n, m.k, inc.beta2));
  const thicknesses = stack.layers.map((layer) => layer.thickness);
  const sin = Math.sin(angle);
  const cos = Math.cos(angle);
  const dBeta2 = 2 * stack.ambient.n * sin * sin;
  const gradient = (p: boolean) =>
    polarisedGradient(
      p,
      thicknesses,
      media,
      TWO_PI / wavelength,
      p ? inc.eta0p : inc.eta0s,
      p ? 1 / cos : cos,
      dBeta2,
    );
  return { response: respond(thicknesses, media, inc, wavelength), s: gradient(false), p: gradient(true) };
}

function polarisedGradient(
  p: boolean,
  thicknesses: readonly number[],
  media: readonly MediumTerms[],
  k0: number,
  eta0: number,
  dEta0: number,
  dBeta2: number,
): PolarisedGradient {
  const nLayers = thicknesses.length;
  const layers = thicknesses.map((d, j) => layerMatrices(p, k0, d, media[j] as MediumTerms));

  // The substrate vector and its derivatives: dq/dN = N/q, dq/dn₀ = (dq/dw)(∂w/∂n₀) = −∂β²/(2q).
  const { index, permittivity, q } = media[nLayers] as MediumTerms;
  const dqdIndex = div(index, q);
  const dqdAmbient = div(complex(-dBeta2 / 2), q);
  const substrate: Vector = p ? [q, permittivity] : [complex(1), q];
  const substrateByIndex: Vector = p ? [dqdIndex, scale(index, 2)] : [ZERO, dqdIndex];
  const substrateByAmbient: Vector = p ? [dqdAmbient, ZERO] : [ZERO, dqdAmbient];
  // T = 4η₀P/|D|²: P = Re q (s) or Re(N² q*) (p); dP for changes dq of q and dN of N.
  const P = p ? permittivity.re * q.re + permittivity.im * q.im : q.re;
  const dPower = (dq: Complex, dIndex: Complex): number => {
    if (!p) return dq.re;
    const dPermittivity = mul(scale(index, 2), dIndex);
    return (
      dPermittivity.re * q.re + dPermittivity.im * q.im + permittivity.re * dq.re + permittivity.im * dq.im
    );
  };

  // Backward: v[j] = M_j v[j+1], v[nLayers] = substrate vector.
  const v: Vector[] = new Array(nLayers + 1);
  v[nLayers] = substrate;
  for (let j = nLayers - 1; j >= 0; j--)
    v[j] = apply((layers[j] as LayerMatrices).matrix, v[j + 1] as Vector);
  const [B, C] = v[0] as Vector;
  const D = add(scale(B, eta0), C);
  const N = sub(scale(B, eta0), C);
  const r = div(N, D);
  const scale2 = Math.exp(-2 * layers.reduce((total, layer) => total + layer.attenuation, 0));
  const T = ((4 * eta0 * P) / abs2(D)) * scale2;

  const nParams = stackParameters(nLayers).length;
  const dR = new Float64Array(nParams);
  const dT = new Float64Array(nParams);
  const record = (i: number, dD: Complex, dN: Complex, dEta: number, dP: number) => {
    const dr = div(sub(dN, mul(r, dD)), D);
    dR[i] = 2 * (r.re * dr.re + r.im * dr.im);
    dT[i] = ((4 * (dEta * P + eta0 * dP)) / abs2(D)) * scale2 - 2 * T * div(dD, D).re;
  };

  // Forward: a = [η₀, 1]·M_0⋯M_{j−1}, b = [η₀, −1]·M_0⋯M_{j−1}.
  let a: Vector = [complex(eta0), complex(1)];
  let b: Vector = [complex(eta0), complex(-1)];
  // The ambient index moves η₀ (∂D = ∂N = ∂η₀·B) and w in every medium.
  let ambientD = scale(B, dEta0);
  let ambientN = ambientD;
  const minusDBeta2 = complex(-dBeta2);
  for (let j = 0; j < nLayers; j++) {
    const layer = layers[j] as LayerMatrices;
    const next = v[j + 1] as Vector;
    const twoN = scale((media[j] as MediumTerms).index, 2);
    const byIndex = scaled(sum(layer.byW, layer.byPermittivity), twoN);
    const base = 1 + 3 * j;
    record(base, dot(a, apply(layer.byThickness, next)), dot(b, apply(layer.byThickness, next)), 0, 0);
    const dDn = dot(a, apply(byIndex, next));
    const dNn = dot(b, apply(byIndex, next));
    record(base + 1, dDn, dNn, 0, 0);
    record(base + 2, timesI(dDn), timesI(dNn), 0, 0);
    const byAmbient = apply(scaled(layer.byW, minusDBeta2), next);
    ambientD = add(ambientD, dot(a, byAmbient));
    ambientN = add(ambientN, dot(b, byAmbient));
    a = rowTimes(a, layer.matrix);
    b = rowTimes(b, layer.matrix);
  }
  const substrateIndex = 1 + 3 * nLayers;
  const dDs = dot(a, substrateByIndex);
  const dNs = dot(b, substrateByIndex);
  record(substrateIndex, dDs, dNs, 0, dPower(dqdIndex, complex(1)));
  record(substrateIndex + 1, timesI(dDs), timesI(dNs), 0, dPower(timesI(dqdIndex), complex(0, 1)));
  ambientD = add(ambientD, dot(a, substrateByAmbient));
  ambientN = add(ambientN, dot(b, substrateByAmbient));
  record(0, ambientD, ambientN, dEta0, dPower(dqdAmbient, ZERO));
  return { R: dR, T: dT };
}
