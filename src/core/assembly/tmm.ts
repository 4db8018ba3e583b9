/**
 * Coherent transfer-matrix method over a grid of angles × wavelengths for
 * one stack, both polarisations (src/models/thin-film/tmm.ts: the physics,
 * conventions and citations; src/models/thin-film/spectrum.ts: the layout
 * and `stackSpectrum`, this kernel's TypeScript reference).
 *
 * The arithmetic is the model's, operation for operation: complex
 * products and Smith's division as in complex.ts, the model's
 * `sqrt` (src/models/complex.ts), the same groupings. Only Math's sin, cos, expm1 and hypot are
 * AssemblyScript's (musl's) rather than V8's, so kernel and reference
 * agree to a few units in the last place, not to the bit.
 *
 * SIMD: the s and p polarisations share δ, so cos δ and sin δ/q are
 * computed once per layer and wavelength and the two characteristic
 * matrices are applied side by side in the two f64 lanes of a v128 (lane 0
 * s, lane 1 p). Per lane that is the scalar arithmetic, bit for bit; on the
 * 12-layer, 10^4-wavelength batch of bench/tmm.ts it took 2.5 ms where the
 * same loop with scalar products took 3.2 ms. (Lanes of two wavelengths
 * would save little more: sin, cos and expm1 stay scalar either way.)
 *
 * Memory layout (f64; complex interleaved re, im):
 *   thicknesses [L];
 *   indices     [(L + 2) media × rows] complex, medium-major: ambient,
 *               layers, substrate; rows = 1 or nWavelengths;
 *   wavelengths [nWavelengths], angles [nAngles];
 *   work        [(L + 1) × 16]: per layer and the substrate (offsets below);
 *   out         [12 × P], P = nAngles × nWavelengths, angle-major points:
 *               R_s, T_s, R_p, T_p (P each), then r_s, t_s, r_p, t_p (2P each).
 */

const TWO_PI: f64 = 2 * Math.PI;

// Work per medium, byte offsets: N, N², q, 1/q (complex), then the
// off-diagonal factors f of the characteristic matrices (entry −i·f·S) as
// (s, p) lane pairs: upper f = (1, w/N²), lower f = (w, N²), w = N² − β².
const INDEX = 0;
const PERMITTIVITY = 16;
const Q = 32;
const INVERSE_Q = 48;
const UPPER_RE = 64;
const UPPER_IM = 80;
const LOWER_RE = 96;
const LOWER_IM = 112;
const MEDIUM: usize = 128;

// What the angle (and ambient index) fixes, set by `prepare`.
let n0: f64 = 0;
let eta0s: f64 = 0;
let eta0p: f64 = 0;

// Result of `divide`.
let quotientRe: f64 = 0;
let quotientIm: f64 = 0;

/** (ar + i·ai)/(br + i·bi) by Smith's algorithm, as complex.ts `div`, into quotientRe, quotientIm. */
function divide(ar: f64, ai: f64, br: f64, bi: f64): void {
  if (Math.abs(br) >= Math.abs(bi)) {
    const r = bi / br;
    const d = br + bi * r;
    quotientRe = (ar + ai * r) / d;
    quotientIm = (ai - ar * r) / d;
  } else {
    const r = br / bi;
    const d = br * r + bi;
    quotientRe = (ar * r + ai) / d;
    quotientIm = (ai * r - ar) / d;
  }
}

/** Re and Im of (ar + i·ai)(br + i·bi), lane-wise, grouped as complex.ts `mul`. */
function mulRe(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.sub(f64x2.mul(ar, br), f64x2.mul(ai, bi));
}

function mulIm(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.add(f64x2.mul(ar, bi), f64x2.mul(ai, br));
}

function pair(s: f64, p: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(s), 1, p);
}

/**
 * Fills `work` for index row `row` at the angle whose sine and cosine are
 * given, and sets n0, eta0s, eta0p: the model's `incidence` and `mediumTerms`.
 */
function prepare(nLayers: i32, indices: usize, rows: i32, row: i32, sin: f64, cos: f64, work: usize): void {
  n0 = load<f64>(indices + ((<usize>row) << 4));
  const beta = n0 * sin;
  const beta2 = beta * beta;
  eta0s = n0 * cos;
  eta0p = n0 / cos;
  for (let m = 1; m <= nLayers + 1; m++) {
    const at = indices + ((<usize>(m * rows + row)) << 4);
    const n = load<f64>(at);
    const k = load<f64>(at, 8);
    const er = n * n - k * k;
    const ei = 2 * n * k;
    const wr = er - beta2;
    const wi = ei;
    // The model's `sqrt` (src/models/complex.ts).
    let qr: f64 = 0;
    let qi: f64 = 0;
    if (!(wr === 0 && wi === 0)) {
      const t = Math.sqrt((Math.hypot(wr, wi) + Math.abs(wr)) / 2);
      if (wr >= 0) {
        qr = t;
        qi = wi / (2 * t);
      } else {
        qr = Math.abs(wi) / (2 * t);
        qi = wi < 0 ? -t : t;
      }
    }
    const out = work + <usize>(m - 1) * MEDIUM;
    store<f64>(out, n, INDEX);
    store<f64>(out, k, INDEX + 8);
    store<f64>(out, er, PERMITTIVITY);
    store<f64>(out, ei, PERMITTIVITY + 8);
    store<f64>(out, qr, Q);
    store<f64>(out, qi, Q + 8);
    if (qr === 0 && qi === 0) {
      store<f64>(out, 0, INVERSE_Q);
      store<f64>(out, 0, INVERSE_Q + 8);
    } else {
      divide(1, 0, qr, qi);
      store<f64>(out, quotientRe, INVERSE_Q);
      store<f64>(out, quotientIm, INVERSE_Q + 8);
    }
    divide(wr, wi, er, ei);
    v128.store(out, pair(1, quotientRe), UPPER_RE);
    v128.store(out, pair(0, quotientIm), UPPER_IM);
    v128.store(out, pair(wr, er), LOWER_RE);
    v128.store(out, pair(wi, ei), LOWER_IM);
  }
}

/** The model's `respond` at one wavelength, written to point `point` of `out` (P points). */
function solve(
  nLayers: i32,
  thicknesses: usize,
  work: usize,
  wavelength: f64,
  out: usize,
  P: usize,
  point: usize,
): void {
  const substrate = work + <usize>nLayers * MEDIUM;
  const qsr = load<f64>(substrate, Q);
  const qsi = load<f64>(substrate, Q + 8);
  const esr = load<f64>(substrate, PERMITTIVITY);
  const esi = load<f64>(substrate, PERMITTIVITY + 8);
  const k0 = TWO_PI / wavelength;
  // [B; C] in lanes (s, p): s starts from [1; q_sub], p from [q_sub; N_sub²].
  let Br = pair(1, qsr);
  let Bi = pair(0, qsi);
  let Cr = pair(qsr, esr);
  let Ci = pair(qsi, esi);
  let attenuation: f64 = 0;
  for (let j = nLayers - 1; j >= 0; j--) {
    const m = work + <usize>j * MEDIUM;
    const qr = load<f64>(m, Q);
    const qi = load<f64>(m, Q + 8);
    const k0d = k0 * load<f64>(thicknesses + ((<usize>j) << 3));
    // layerPhase: e^{−b} cos δ and e^{−b} sin δ / q, δ = a + ib.
    const a = k0d * qr;
    const b = k0d * qi;
    NativeMath.sincos(a);
    const sa = NativeMath.sincos_sin;
    const ca = NativeMath.sincos_cos;
    let even: f64 = 1;
    let odd: f64 = 0;
    if (b !== 0) {
      // The model's formulas, which give exactly 1 and 0 at b = 0.
      const m = Math.expm1(-2 * b);
      even = 1 + 0.5 * m;
      odd = -0.5 * m;
      attenuation += b;
    }
    let Sr = k0d;
    let Si: f64 = 0;
    if (!(qr === 0 && qi === 0)) {
      const sinr = sa * even;
      const sini = ca * odd;
      const ir = load<f64>(m, INVERSE_Q);
      const ii = load<f64>(m, INVERSE_Q + 8);
      Sr = sinr * ir - sini * ii;
      Si = sinr * ii + sini * ir;
    }
    const cr = f64x2.splat(ca * even);
    const ci = f64x2.splat(-(sa * odd));
    const S_r = f64x2.splat(Sr);
    const S_i = f64x2.splat(Si);
    // Entries −i·f·S = (Im(fS), −Re(fS)).
    const upperRe = v128.load(m, UPPER_RE);
    const upperIm = v128.load(m, UPPER_IM);
    const lowerRe = v128.load(m, LOWER_RE);
    const lowerIm = v128.load(m, LOWER_IM);
    const Ur = mulIm(upperRe, upperIm, S_r, S_i);
    const Ui = f64x2.neg(mulRe(upperRe, upperIm, S_r, S_i));
    const Lr = mulIm(lowerRe, lowerIm, S_r, S_i);
    const Li = f64x2.neg(mulRe(lowerRe, lowerIm, S_r, S_i));
    // [B; C] ← [c U; L c]·[B; C], as the model's `apply` (products, then sums).
    const nextBr = f64x2.add(mulRe(cr, ci, Br, Bi), mulRe(Ur, Ui, Cr, Ci));
    const nextBi = f64x2.add(mulIm(cr, ci, Br, Bi), mulIm(Ur, Ui, Cr, Ci));
    const nextCr = f64x2.add(mulRe(Lr, Li, Br, Bi), mulRe(cr, ci, Cr, Ci));
    const nextCi = f64x2.add(mulIm(Lr, Li, Br, Bi), mulIm(cr, ci, Cr, Ci));
    Br = nextBr;
    Bi = nextBi;
    Cr = nextCr;
    Ci = nextCi;
  }
  // The matrices were scaled by e^{−Σb}: t and T get it back (exp(−0) = 1 exactly).
  const scale = attenuation === 0 ? 1 : Math.exp(-attenuation);
  const at = point << 3;
  const at2 = point << 4;
  const P8 = P << 3;
  // The model's `terminate`: D = η₀B + C, 1/D by Smith, r = ±(η₀B − C)/D, t = t₀/D·scale,
  // T = 4η₀P/|D|²·scale².
  for (let lane = 0; lane < 2; lane++) {
    const p = lane === 1;
    const eta0 = p ? eta0p : eta0s;
    const B_r = p ? f64x2.extract_lane(Br, 1) : f64x2.extract_lane(Br, 0);
    const B_i = p ? f64x2.extract_lane(Bi, 1) : f64x2.extract_lane(Bi, 0);
    const C_r = p ? f64x2.extract_lane(Cr, 1) : f64x2.extract_lane(Cr, 0);
    const C_i = p ? f64x2.extract_lane(Ci, 1) : f64x2.extract_lane(Ci, 0);
    const eBr = eta0 * B_r;
    const eBi = eta0 * B_i;
    const Dr = eBr + C_r;
    const Di = eBi + C_i;
    const D2 = Dr * Dr + Di * Di;
    divide(1, 0, Dr, Di);
    const ir = quotientRe;
    const ii = quotientIm;
    // s: r = (η₀B − C)/D, t = 2η₀/D, T = 4η₀ Re q_sub/|D|²;
    // p: r = (C − η₀B)/D, t = 2n₀N_sub/D, T = 4η₀ Re(N_sub² q_sub*)/|D|².
    const nr = p ? C_r - eBr : eBr - C_r;
    const ni = p ? C_i - eBi : eBi - C_i;
    const rr = nr * ir - ni * ii;
    const ri = nr * ii + ni * ir;
    const power = p ? esr * qsr + esi * qsi : qsr;
    const R = rr * rr + ri * ri;
    const T = ((4 * eta0 * power) / D2) * (scale * scale);
    const column = p ? 2 : 0;
    store<f64>(out + <usize>column * P8 + at, R);
    store<f64>(out + <usize>(column + 1) * P8 + at, T);
    const amplitudes = out + <usize>(4 + 2 * column) * P8 + at2;
    store<f64>(amplitudes, rr);
    store<f64>(amplitudes, ri, 8);
    if (p) {
      const tr = 2 * n0 * load<f64>(substrate, INDEX);
      const ti = 2 * n0 * load<f64>(substrate, INDEX + 8);
      store<f64>(amplitudes + 2 * P8, (tr * ir - ti * ii) * scale);
      store<f64>(amplitudes + 2 * P8, (tr * ii + ti * ir) * scale, 8);
    } else {
      const tr = 2 * eta0;
      store<f64>(amplitudes + 2 * P8, tr * ir * scale);
      store<f64>(amplitudes + 2 * P8, tr * ii * scale, 8);
    }
  }
}

export function tmmSpectrum(
  nLayers: i32,
  thicknesses: usize,
  indices: usize,
  indexRows: i32,
  nWavelengths: i32,
  wavelengths: usize,
  nAngles: i32,
  angles: usize,
  work: usize,
  out: usize,
): void {
  const P = <usize>nAngles * <usize>nWavelengths;
  for (let a = 0; a < nAngles; a++) {
    const angle = load<f64>(angles + ((<usize>a) << 3));
    const sin = Math.sin(angle);
    const cos = Math.cos(angle);
    if (indexRows === 1) prepare(nLayers, indices, 1, 0, sin, cos, work);
    for (let l = 0; l < nWavelengths; l++) {
      if (indexRows !== 1) prepare(nLayers, indices, indexRows, l, sin, cos, work);
      const point = <usize>a * <usize>nWavelengths + <usize>l;
      solve(nLayers, thicknesses, work, load<f64>(wavelengths + ((<usize>l) << 3)), out, P, point);
    }
  }
}
