/**
 * Coherent transfer-matrix method for a thin-film stack (stack.ts), s and p
 * polarisation, oblique incidence, absorbing layers and substrate.
 *
 * Characteristic matrices (H. A. Macleod, "Thin-Film Optical Filters",
 * the characteristic matrix of a thin film with tilted admittances; Born &
 * Wolf, "Principles of Optics", wave propagation in a stratified medium —
 * cited by name, section numbers not checked): layer j, with
 * q_j = N_j cos θ_j and phase thickness δ_j = (2π/λ) d_j q_j, relates the
 * tangential fields at its two faces by
 *
 *   M_j = [ cos δ_j           −i sin δ_j / η_j ]
 *         [ −i η_j sin δ_j    cos δ_j          ]
 *
 * with the tilted admittance (in units of the free-space admittance)
 * η = q for s and η = N²/q = N / cos θ for p. (Macleod writes +i, with his
 * N = n − ik and e^{iωt}; with N = n + ik and e^{−iωt}, as here, the
 * off-diagonal signs flip: E = A e^{ik₀qz} + B e^{−ik₀qz} in the layer gives
 * E(0) = E(d) cos δ − i H(d) sin δ / η.) The stack's
 * [B; C] = M_0 M_1 … M_{L−1} [1; η_sub] gives, with η₀ the ambient's
 * admittance, r_tan = (η₀B − C)/(η₀B + C), t_tan = 2η₀/(η₀B + C) (ratios
 * of tangential E) and T = 4 η₀ Re(η_sub) / |η₀B + C|².
 *
 * Snell's law fixes β = n₀ sin θ₀ in every medium, so
 * q_j = √(N_j² − β²). Of the two roots we take the one of the forward
 * wave, by Byrnes' rule (S. J. Byrnes, "Multilayer optical calculations",
 * arXiv:1603.02720 (2016), Appendix D; `is_forward_angle` in his `tmm`
 * package): the root with Im q > 0 (the wave decays, in an absorbing medium
 * or beyond the critical angle), else the one with Re q > 0 (power flows
 * forward). With n > 0 and k ≥ 0, N² − β² has Im ≥ 0, so the principal
 * square root (Re ≥ 0, Im ≥ 0) is that root. In the layers the choice does
 * not matter (M_j is even in q); in the substrate it decides T.
 *
 * Outputs, per polarisation, follow Byrnes' conventions (those of his `tmm`
 * package and of Born & Wolf's Fresnel equations), so the numbers can be
 * checked against `tmm.coh_tmm`:
 * - r, t: ratios of the reflected and transmitted E amplitudes to the
 *   incident one. For s, E is tangential (r = r_tan, t = t_tan). For p the
 *   field vectors are oriented so that a single interface gives
 *   r_p = (N₂cosθ₁ − N₁cosθ₂)/(N₂cosθ₁ + N₁cosθ₂), t_p = 2N₁cosθ₁/(N₂cosθ₁ + N₁cosθ₂):
 *   r_p = −r_tan and t_p = t_tan·cosθ₀/cosθ_sub, so at normal incidence
 *   r_p = −r_s.
 * - R = |r|²; T = the time-averaged Poynting flux along the normal carried
 *   into the substrate, just past the last interface, over the incident
 *   flux: T_s = Re(N_sub cosθ_sub) / (n₀ cosθ₀) |t_s|²,
 *   T_p = Re(N_sub cos θ_sub*) / (n₀ cosθ₀) |t_p|² (Byrnes' T for s and p).
 *   With an absorbing substrate, T is the power that enters it (and is
 *   absorbed there); beyond the critical angle T = 0.
 * - A = 1 − R − T: the power absorbed in the layers.
 *
 * Numerically: no q = 0 is special (the exact critical angle of a layer or
 * the substrate). The p vector at the substrate is scaled by q_sub
 * ([q_sub; N_sub²] instead of [1; N_sub²/q_sub]), which leaves r unchanged
 * and turns T_p into 4η₀ Re(N_sub² q_sub*)/|D|²; in a layer, sin δ/η and
 * η sin δ are written with S = sin δ / q, taken as k₀d when q = 0. For
 * speed, 1/q is computed once per medium and angle and 1/D once per point
 * (Smith's division), so the work per layer and wavelength is products.
 * cos δ and sin δ grow as e^{Im δ}, so each layer's matrix is scaled by
 * e^{−Im δ} (r, a ratio, does not see it; t and T get e^{−Σ Im δ} back at
 * the end): an opaque stack gives T → 0 instead of overflowing (Byrnes'
 * package clamps Im δ at 35 per layer for the same reason).
 *
 * The WASM kernel src/core/assembly/tmm.ts does this arithmetic operation
 * for operation; `stackSpectrum` (spectrum.ts) is its reference.
 */
import { abs2, add, type Complex, complex, div, mul, ONE, sqrt, sub, ZERO } from "../complex.js";
import { checkStack, type Stack } from "./stack.js";

export type Polarisation = "s" | "p";

/** The response of a stack to one polarisation at one wavelength and angle. */
export interface PolarisedResponse {
  /** Amplitude reflection coefficient (module doc: sign convention). */
  readonly r: Complex;
  /** Amplitude transmission coefficient. */
  readonly t: Complex;
  /** Reflectance |r|². */
  readonly R: number;
  /** Transmittance: power flux into the substrate over incident flux. */
  readonly T: number;
  /** Absorptance in the layers, 1 − R − T. */
  readonly A: number;
}

export interface StackResponse {
  readonly s: PolarisedResponse;
  readonly p: PolarisedResponse;
}

/** What the angle of incidence fixes, once per angle (and ambient index). */
export interface Incidence {
  /** Ambient index n₀. */
  readonly n0: number;
  /** β² = (n₀ sin θ₀)²: Snell's invariant, squared. */
  readonly beta2: number;
  /** Ambient admittance for s, n₀ cos θ₀. */
  readonly eta0s: number;
  /** Ambient admittance for p, n₀ / cos θ₀. */
  readonly eta0p: number;
}

/** What a medium's index fixes at one angle: N, N², w = q², q, w/N², 1/q (0 when q = 0). */
export interface MediumTerms {
  readonly index: Complex;
  readonly permittivity: Complex;
  readonly w: Complex;
  readonly q: Complex;
  readonly wOverPermittivity: Complex;
  readonly inverseQ: Complex;
}

/** cos δ and S = sin δ / q of a layer, both times e^{−b}, b = Im δ ≥ 0 (`attenuation`). */
export interface LayerPhase {
  readonly cos: Complex;
  readonly sinOverQ: Complex;
  readonly attenuation: number;
}

export const TWO_PI = 2 * Math.PI;

/** The response of `stack` at `wavelength` (m) and angle of incidence `angle` (rad, in the ambient, [0, π/2)). */
export function stackResponse(stack: Stack, wavelength: number, angle = 0): StackResponse {
  checkStack(stack);
  checkIncidence(wavelength, angle);
  const inc = incidence(stack.ambient.n, angle);
  const media = [...stack.layers, stack.substrate].map((m) => mediumTerms(m.n, m.k, inc.beta2));
  return respond(
    stack.layers.map((layer) => layer.thickness),
    media,
    inc,
    wavelength,
  );
}

/** Refuses a wavelength that is not finite and > 0, and an angle outside [0, π/2). */
export function checkIncidence(wavelength: number, angle: number): void {
  checkWavelength(wavelength);
  checkAngle(angle);
}

export function checkWavelength(wavelength: number): void {
  if (!(wavelength > 0 && Number.isFinite(wavelength))) {
    throw new RangeError(`thin film: wavelength = ${wavelength} m (finite, > 0)`);
  }
}

export function checkAngle(angle: number): void {
  if (!(angle >= 0 && angle < Math.PI / 2)) {
    throw new RangeError(`thin film: angle of incidence = ${angle} rad (in [0, π/2))`);
  }
}

export function incidence(n0: number, angle: number): Incidence {
  const sin = Math.sin(angle);
  const cos = Math.cos(angle);
  const beta = n0 * sin;
  return { n0, beta2: beta * beta, eta0s: n0 * cos, eta0p: n0 / cos };
}

export function mediumTerms(n: number, k: number, beta2: number): MediumTerms {
  const permittivity = complex(n * n - k * k, 2 * n * k);
  const w = complex(permittivity.re - beta2, permittivity.im);
  const q = sqrt(w);
  return {
    index: complex(n, k),
    permittivity,
    w,
    q,
    wOverPermittivity: div(w, permittivity),
    inverseQ: q.re === 0 && q.im === 0 ? ZERO : div(ONE, q),
  };
}

/**
 * e^{−b} cos δ and e^{−b} sin δ / q for δ = k₀d·q = a + ib, k₀d = 2πd/λ:
 * cos δ = cos a cosh b − i sin a sinh b, sin δ = sin a cosh b + i cos a sinh b,
 * with e^{−b} cosh b = 1 + m/2 and e^{−b} sinh b = −m/2 from
 * m = e^{−2b} − 1 (`expm1`: accurate for small b, where e^b − e^{−b} would
 * cancel; bounded for large b, where cosh would overflow).
 */
export function layerPhase(k0d: number, { q, inverseQ }: MediumTerms): LayerPhase {
  const a = k0d * q.re;
  const b = k0d * q.im;
  const sa = Math.sin(a);
  const ca = Math.cos(a);
  const m = Math.expm1(-2 * b);
  const even = 1 + 0.5 * m;
  const odd = -0.5 * m;
  const sin = complex(sa * even, ca * odd);
  return {
    cos: complex(ca * even, -(sa * odd)),
    sinOverQ: q.re === 0 && q.im === 0 ? complex(k0d, 0) : mul(sin, inverseQ),
    attenuation: b,
  };
}

/** i·a. */
export function timesI(a: Complex): Complex {
  return { re: -a.im, im: a.re };
}

/** −i·a. */
export function timesMinusI(a: Complex): Complex {
  return { re: a.im, im: -a.re };
}

/** [a b; c a]·[x; y] for the symmetric-diagonal characteristic matrices. */
function apply(
  diagonal: Complex,
  upper: Complex,
  lower: Complex,
  x: Complex,
  y: Complex,
): [Complex, Complex] {
  return [add(mul(diagonal, x), mul(upper, y)), add(mul(lower, x), mul(diagonal, y))];
}

/**
 * The response at one point, from what the angle fixed: `thicknesses` of
 * the L layers (m), `media` = terms of the L layers then the substrate.
 */
export function respond(
  thicknesses: ArrayLike<number>,
  media: readonly MediumTerms[],
  inc: Incidence,
  wavelength: number,
): StackResponse {
  const nLayers = thicknesses.length;
  const sub = media[nLayers] as MediumTerms;
  const k0 = TWO_PI / wavelength;
  let [sB, sC] = [complex(1), sub.q];
  let [pB, pC] = [sub.q, sub.permittivity];
  let attenuation = 0;
  const minusI = timesMinusI;
  for (let j = nLayers - 1; j >= 0; j--) {
    const m = media[j] as MediumTerms;
    const phase = layerPhase(k0 * (thicknesses[j] as number), m);
    const { cos, sinOverQ } = phase;
    attenuation += phase.attenuation;
    [sB, sC] = apply(cos, minusI(sinOverQ), minusI(mul(m.w, sinOverQ)), sB, sC);
    [pB, pC] = apply(
      cos,
      minusI(mul(m.wOverPermittivity, sinOverQ)),
      minusI(mul(m.permittivity, sinOverQ)),
      pB,
      pC,
    );
  }
  const scale = Math.exp(-attenuation);
  return {
    s: terminate(inc.eta0s, sB, sC, false, complex(2 * inc.eta0s), 4 * inc.eta0s * sub.q.re, scale),
    p: terminate(
      inc.eta0p,
      pB,
      pC,
      true,
      complex(2 * inc.n0 * sub.index.re, 2 * inc.n0 * sub.index.im),
      4 * inc.eta0p * (sub.permittivity.re * sub.q.re + sub.permittivity.im * sub.q.im),
      scale,
    ),
  };
}

/**
 * r, t, R, T, A from [B; C] = (characteristic product)·(substrate vector),
 * the product's matrices scaled by `scale` = e^{−Σ Im δ} altogether:
 * D = η₀B + C, r = ±(η₀B − C)/D (− for p, module doc),
 * t = tNumerator/D·scale, T = tPowerNumerator/|D|²·scale².
 */
function terminate(
  eta0: number,
  B: Complex,
  C: Complex,
  flip: boolean,
  tNumerator: Complex,
  tPowerNumerator: number,
  scale: number,
): PolarisedResponse {
  const eta0B = complex(eta0 * B.re, eta0 * B.im);
  const denominator = add(eta0B, C);
  const inverse = div(ONE, denominator);
  const r = mul(flip ? sub(C, eta0B) : sub(eta0B, C), inverse);
  const R = abs2(r);
  const T = (tPowerNumerator / abs2(denominator)) * (scale * scale);
  const t = mul(tNumerator, inverse);
  return { r, t: complex(t.re * scale, t.im * scale), R, T, A: 1 - R - T };
}
