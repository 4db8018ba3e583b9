/**
 * Closed forms of the demo chip's optics with their partial derivatives,
 * compiled by tsc (../dynamics.ts) and asc (src/core/assembly/chip.ts).
 * Rules: src/models/memristor/portable/README.md. Results of `gstMix` and
 * the partials of `allPassPower` go to module globals.
 *
 * All-pass ring (Bogaerts et al., "Silicon microring resonators", Laser
 * Photonics Rev. 6, 47 (2012)) in the netlist's coupler convention
 * (src/models/photonic/coupler.ts: through g·t, cross g·iκ, t² + κ² = 1,
 * g the excess-loss amplitude): closing the coupler's second port on a loop
 * of field transmission a·e^{iφ} gives, with u = g·a,
 *
 *   H = g (t − u e^{iφ}) / (1 − t u e^{iφ}),
 *   |H|² = g² N/D,  N = (t − u)² + 2tu(1 − cos φ),  D = (1 − tu)² + 2tu(1 − cos φ)
 *
 * (the forms that keep their accuracy near a resonance, where 1 − cos φ → 0).
 */

/** ∂|H|²/∂t, ∂|H|²/∂u and ∂|H|²/∂(cos φ) at fixed g, set by `allPassPower`. */
export let powerDt = 0.0;
export let powerDu = 0.0;
export let powerDc = 0.0;

/** |H|² of the all-pass ring for coupler loss amplitude g, self-coupling t, loop amplitude u = g·a and cos φ. */
export function allPassPower(g: number, t: number, u: number, c: number): number {
  const tu = t * u;
  const lift = 2 * tu * (1 - c);
  const n = (t - u) * (t - u) + lift;
  const d = (1 - tu) * (1 - tu) + lift;
  const g2 = g * g;
  const nt = 2 * (t - u) + 2 * u * (1 - c);
  const nu = -2 * (t - u) + 2 * t * (1 - c);
  const dt = -2 * u * (1 - tu) + 2 * u * (1 - c);
  const du = -2 * t * (1 - tu) + 2 * t * (1 - c);
  const d2 = d * d;
  powerDt = (g2 * (nt * d - n * dt)) / d2;
  powerDu = (g2 * (nu * d - n * du)) / d2;
  powerDc = (g2 * (-2 * tu) * (d - n)) / d2;
  return (g2 * n) / d;
}

/** GST's effective index n + iκ at crystalline fraction X (`gstMix`). */
export let gstIndex = 0.0;
export let gstExtinction = 0.0;
/** ∂n/∂… and ∂κ/∂… with respect to n_a, κ_a, n_c, κ_c and X. */
export let indexDna = 0.0;
export let indexDka = 0.0;
export let indexDnc = 0.0;
export let indexDkc = 0.0;
export let indexDx = 0.0;
export let extinctionDna = 0.0;
export let extinctionDka = 0.0;
export let extinctionDnc = 0.0;
export let extinctionDkc = 0.0;
export let extinctionDx = 0.0;

// Complex quotient of `divide`.
let quotientRe = 0.0;
let quotientIm = 0.0;

/** (a + ib)/(c + id) into quotientRe, quotientIm (Smith's algorithm, as src/models/complex.ts). */
function divide(a: number, b: number, c: number, d: number): void {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const s = c + d * r;
    quotientRe = (a + b * r) / s;
    quotientIm = (b - a * r) / s;
  } else {
    const r = c / d;
    const s = c * r + d;
    quotientRe = (a * r + b) / s;
    quotientIm = (b * r - a) / s;
  }
}

/**
 * n + iκ of GST at crystalline fraction X by Lorentz–Lorenz mixing of the
 * amorphous (n_a + iκ_a) and crystalline (n_c + iκ_c) permittivities, as
 * src/models/phase-change/optics.ts: (ε − 1)/(ε + 2) = X L_c + (1 − X) L_a,
 * L = (ε − 1)/(ε + 2), ε = n², principal square root; and its partials
 * (n is holomorphic in each phase's index: ∂/∂κ = i ∂/∂n;
 * dn/dL = 3/(2n(1 − L)²), dL/dn_phase = 6 n_phase/(ε_phase + 2)²).
 */
export function gstMix(na: number, ka: number, nc: number, kc: number, x: number): void {
  const eaRe = na * na - ka * ka;
  const eaIm = 2 * na * ka;
  const ecRe = nc * nc - kc * kc;
  const ecIm = 2 * nc * kc;
  divide(eaRe - 1, eaIm, eaRe + 2, eaIm);
  const laRe = quotientRe;
  const laIm = quotientIm;
  divide(ecRe - 1, ecIm, ecRe + 2, ecIm);
  const lcRe = quotientRe;
  const lcIm = quotientIm;
  const lRe = lcRe * x + laRe * (1 - x);
  const lIm = lcIm * x + laIm * (1 - x);
  divide(1 + 2 * lRe, 2 * lIm, 1 - lRe, -lIm);
  const eRe = quotientRe;
  const eIm = quotientIm;
  // Principal root (src/models/complex.ts `sqrt`), ε ≠ 0 for any physical index.
  const t = Math.sqrt((Math.sqrt(eRe * eRe + eIm * eIm) + Math.abs(eRe)) / 2);
  let nRe: number;
  let nIm: number;
  if (eRe >= 0) {
    nRe = t;
    nIm = eIm / (2 * t);
  } else {
    nRe = Math.abs(eIm) / (2 * t);
    nIm = eIm < 0 ? -t : t;
  }
  gstIndex = nRe;
  gstExtinction = nIm;
  // dn/dL = 3/(2n(1 − L)²)
  const omRe = 1 - lRe;
  const omIm = -lIm;
  const sqRe = omRe * omRe - omIm * omIm;
  const sqIm = 2 * omRe * omIm;
  divide(3, 0, 2 * (nRe * sqRe - nIm * sqIm), 2 * (nRe * sqIm + nIm * sqRe));
  const dlRe = quotientRe;
  const dlIm = quotientIm;
  // ∂n/∂X = dn/dL (L_c − L_a)
  const dxRe = lcRe - laRe;
  const dxIm = lcIm - laIm;
  indexDx = dlRe * dxRe - dlIm * dxIm;
  extinctionDx = dlRe * dxIm + dlIm * dxRe;
  // ∂n/∂n_a = dn/dL (1 − X) 6 (n_a + iκ_a)/(ε_a + 2)²
  const paRe = (eaRe + 2) * (eaRe + 2) - eaIm * eaIm;
  const paIm = 2 * (eaRe + 2) * eaIm;
  divide(6 * na * (1 - x), 6 * ka * (1 - x), paRe, paIm);
  const aRe = dlRe * quotientRe - dlIm * quotientIm;
  const aIm = dlRe * quotientIm + dlIm * quotientRe;
  indexDna = aRe;
  extinctionDna = aIm;
  indexDka = -aIm;
  extinctionDka = aRe;
  const pcRe = (ecRe + 2) * (ecRe + 2) - ecIm * ecIm;
  const pcIm = 2 * (ecRe + 2) * ecIm;
  divide(6 * nc * x, 6 * kc * x, pcRe, pcIm);
  const cRe = dlRe * quotientRe - dlIm * quotientIm;
  const cIm = dlRe * quotientIm + dlIm * quotientRe;
  indexDnc = cRe;
  extinctionDnc = cIm;
  indexDkc = -cIm;
  extinctionDkc = cRe;
}
