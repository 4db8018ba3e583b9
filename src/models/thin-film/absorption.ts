/**
 * The power absorbed in each layer of a stack, from the Poynting flux at
 * each layer's two faces — a computation independent of tmm.ts's
 * characteristic matrices, so that R + T + Σ A_j = 1 checks both.
 *
 * Method (S. J. Byrnes, "Multilayer optical calculations",
 * arXiv:1603.02720 (2016), the sections on the forward and backward
 * amplitudes and on absorption; `coh_tmm`, `position_resolved` and
 * `absorp_in_each_layer` in his `tmm` package): media 0 (ambient),
 * 1 … L (the layers), L+1 (substrate); in medium i the field is
 * v_i e^{i kz_i z} + w_i e^{−i kz_i z}, z from the medium's first face,
 * kz_i = (2π/λ) N_i cos θ_i, δ_i = kz_i d_i. With the single-interface
 * Fresnel coefficients r_{i,i+1}, t_{i,i+1} (those of tmm.ts's doc, p in
 * Byrnes' orientation),
 *
 *   M_i = (1/t_{i,i+1}) [e^{−iδ_i} 0; 0 e^{iδ_i}] [1 r_{i,i+1}; r_{i,i+1} 1],
 *   M̃ = (1/t_{01}) [1 r_{01}; r_{01} 1] M_1 … M_L,
 *   t = 1/M̃₀₀,  [v_{L+1}; w_{L+1}] = [t; 0],  [v_i; w_i] = M_i [v_{i+1}; w_{i+1}].
 *
 * The normal Poynting flux over the incident flux, with F = v e^{iδ(z)},
 * B = w e^{−iδ(z)} (Byrnes' `position_resolved`):
 *   s: S = Re(N cosθ · (F + B)* (F − B)) / (n₀ cosθ₀),
 *   p: S = Re(N (cosθ)* · (F + B) (F − B)*) / (n₀ cosθ₀).
 * Layer j (0-based, Byrnes' medium j+1) absorbs A_j = S_in − S_out, S_in
 * from (v, w) at its first face and S_out from (v e^{iδ}, w e^{−iδ}) at its
 * last. Byrnes differences the flux at consecutive first faces (which
 * telescopes); taking each layer's own two faces instead means Σ A_j
 * telescopes only if the flux is continuous across every interface, so
 * the sum checks the interface matrices too.
 *
 * Angles: N cosθ = q = √(N² − β²), the forward root (tmm.ts's doc), and
 * cosθ = q/N. As in Byrnes' package, Im δ is clamped at 35 per layer (an
 * opaque layer; what passes it is < e^{−35} of what enters, and the
 * propagation here uses the same clamped δ both ways, so the flux stays
 * consistent). An exact critical angle in a layer (q = 0) makes t_{i,i+1}
 * = 0 and the method fails there (NaN), as Byrnes' does.
 */
import { add, type Complex, complex, conj, div, mul, ONE, scale, sqrt, sub } from "../complex.js";
import { checkStack, type Stack } from "./stack.js";
import { checkIncidence, type Polarisation, TWO_PI } from "./tmm.js";

/** Power absorbed in each layer over incident power, per polarisation, in layer order. */
export interface LayerAbsorption {
  readonly s: Float64Array;
  readonly p: Float64Array;
}

/** Byrnes' per-layer clamp on Im δ (`tmm_core.py`). */
const MAX_ATTENUATION = 35;

interface Medium {
  readonly index: Complex;
  /** N cos θ. */
  readonly q: Complex;
  /** cos θ. */
  readonly cos: Complex;
}

type Pair = readonly [Complex, Complex];
type Matrix = readonly [Complex, Complex, Complex, Complex];

/** Fresnel r and t from medium a into medium b (tmm.ts's doc, Byrnes' conventions). */
function interfaceCoefficients(pol: Polarisation, a: Medium, b: Medium): { r: Complex; t: Complex } {
  if (pol === "s") {
    const denominator = add(a.q, b.q);
    return { r: div(sub(a.q, b.q), denominator), t: div(scale(a.q, 2), denominator) };
  }
  const bCosA = mul(b.index, a.cos);
  const aCosB = mul(a.index, b.cos);
  const denominator = add(bCosA, aCosB);
  return { r: div(sub(bCosA, aCosB), denominator), t: div(scale(mul(a.index, a.cos), 2), denominator) };
}

function product([a, b, c, d]: Matrix, [e, f, g, h]: Matrix): Matrix {
  return [
    add(mul(a, e), mul(b, g)),
    add(mul(a, f), mul(b, h)),
    add(mul(c, e), mul(d, g)),
    add(mul(c, f), mul(d, h)),
  ];
}

function apply([a, b, c, d]: Matrix, [x, y]: Pair): Pair {
  return [add(mul(a, x), mul(b, y)), add(mul(c, x), mul(d, y))];
}

/** e^{iδ}. */
function expI(delta: Complex): Complex {
  const magnitude = Math.exp(-delta.im);
  return complex(magnitude * Math.cos(delta.re), magnitude * Math.sin(delta.re));
}

/** Normal Poynting flux of forward F and backward B amplitudes in `medium`, over `incident` = n₀cosθ₀. */
function flux(pol: Polarisation, medium: Medium, [F, B]: Pair, incident: number): number {
  const sum = add(F, B);
  const difference = sub(F, B);
  if (pol === "s") return mul(medium.q, mul(conj(sum), difference)).re / incident;
  return mul(mul(medium.index, conj(medium.cos)), mul(sum, conj(difference))).re / incident;
}

function absorptionFor(
  pol: Polarisation,
  media: readonly Medium[],
  deltas: readonly Complex[],
  incident: number,
): Float64Array {
  const nLayers = deltas.length;
  const interfaces = media.slice(0, -1).map((m, i) => interfaceCoefficients(pol, m, media[i + 1] as Medium));
  const layerMatrices: Matrix[] = deltas.map((delta, j) => {
    const { r, t } = interfaces[j + 1] as { r: Complex; t: Complex };
    const back = div(ONE, mul(t, expI(delta)));
    const ahead = div(expI(delta), t);
    return [back, mul(back, r), mul(ahead, r), ahead];
  });
  const front = interfaces[0] as { r: Complex; t: Complex };
  const inverseT01 = div(ONE, front.t);
  let total: Matrix = [inverseT01, mul(inverseT01, front.r), mul(inverseT01, front.r), inverseT01];
  for (const m of layerMatrices) total = product(total, m);
  const t = div(ONE, total[0]);
  const absorbed = new Float64Array(nLayers);
  let amplitudes: Pair = [t, complex(0)];
  for (let j = nLayers - 1; j >= 0; j--) {
    amplitudes = apply(layerMatrices[j] as Matrix, amplitudes);
    const [v, w] = amplitudes;
    const delta = deltas[j] as Complex;
    const exit: Pair = [mul(v, expI(delta)), div(w, expI(delta))];
    const medium = media[j + 1] as Medium;
    absorbed[j] = flux(pol, medium, amplitudes, incident) - flux(pol, medium, exit, incident);
  }
  return absorbed;
}

/**
 * Power absorbed in each layer of `stack` over incident power, at
 * `wavelength` (m) and angle of incidence `angle` (rad, in the ambient),
 * for s and p (module doc: Byrnes' method, independent of tmm.ts).
 */
export function layerAbsorption(stack: Stack, wavelength: number, angle = 0): LayerAbsorption {
  checkStack(stack);
  checkIncidence(wavelength, angle);
  const n0 = stack.ambient.n;
  const beta = n0 * Math.sin(angle);
  const media: Medium[] = [{ n: n0, k: 0 }, ...stack.layers, stack.substrate].map(({ n, k }) => {
    const index = complex(n, k);
    const q = sqrt(sub(mul(index, index), complex(beta * beta)));
    return { index, q, cos: div(q, index) };
  });
  const k0 = TWO_PI / wavelength;
  const deltas = stack.layers.map((layer, j) => {
    const delta = scale((media[j + 1] as Medium).q, k0 * layer.thickness);
    return complex(delta.re, Math.min(delta.im, MAX_ATTENUATION));
  });
  const incident = n0 * Math.cos(angle);
  return {
    s: absorptionFor("s", media, deltas, incident),
    p: absorptionFor("p", media, deltas, incident),
  };
}
