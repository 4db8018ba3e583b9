/**
 * Ring spectra over many wavelengths: the all-pass and add-drop microring
 * of src/models/photonic/ring.ts (Bogaerts et al., Laser Photonics Rev. 6,
 * 47 (2012)), in the same half-angle forms and the same order of
 * operations, so the only difference from the TypeScript reference
 * (src/core/reference/ring.ts, the model's own functions) is sin and cos.
 *
 * Memory layout (f64; complex interleaved re, im):
 *   params      all-pass [6]: r, a, L, n_eff0, n_g, λ0 — the model's parameter order;
 *               add-drop [7]: r1, r2, a, L, n_eff0, n_g, λ0;
 *   wavelengths [n], m;
 *   power outputs [n]; field outputs [2n], or address 0 to skip them.
 *
 * Per wavelength: φ = (2π/λ)·n_eff(λ)·L exactly as the model rounds it,
 * then sin and cos of h = φ/2 from one shared argument reduction
 * (trig.ts, shared with the mesh kernel: Cody–Waite by π/2 in three 33-bit
 * parts, each n·part exact while n < 2^20, and every subtraction exact or far
 * below the result's ulp, so even h within 1e-12 of mπ — the bottom of a
 * critically coupled dip — keeps full relative accuracy; above
 * |h| = REDUCTION_LIMIT = 10⁶ rad, the mesh's limit too (n < 2^20 holds up
 * to 2^20·π/2 ≈ 1.6e6) — a silicon ring over ~20 cm long — the kernel
 * falls back to Math.sin and Math.cos, whose reduction is exact for any
 * argument) and fdlibm's minimax kernels on [−π/4, π/4]
 * (__kernel_sin / __kernel_cos, as musl and V8 use them, without the
 * reduction's tail term: within 1–2 ulp of V8's Math.sin/Math.cos). The
 * joint reduction halves the trigonometric work of Math.sin + Math.cos,
 * and being branch-free it vectorises: the loop takes two wavelengths per
 * f64x2 (SIMD), with a scalar step for an odd last one that does the same
 * operations lane for lane (trig.ts's `sinCos2` and `sinCos`).
 *
 * `ringAllPassAt` / `ringAddDropAt` evaluate one wavelength from scalar
 * arguments (what a twin does per sample) and leave the other outputs in
 * a static block at `ringScratch()` that no allocation reuses.
 */

import { REDUCTION_LIMIT } from "../../models/photonic/mesh/portable/trig";
import { cosOut, cosOut2, sinOut, sinOut2, Trig } from "./trig";

const TWO_PI: f64 = 6.283185307179586;

// Outputs of the scalar single-sample calls (see ringScratch).
const SCRATCH = memory.data(64, 16);

/** Address of the single-sample outputs: 8 f64 the allocator never hands out. */
export function ringScratch(): usize {
  return SCRATCH;
}

// sin and cos of the half phase; beyond REDUCTION_LIMIT, where trig.ts's are not exact, Math.sin and Math.cos's.
let sinH: f64 = 0;
let cosH: f64 = 0;
let sinH2: v128 = f64x2.splat(0);
let cosH2: v128 = f64x2.splat(0);

// The through response seen from a coupler of self-coupling r while the rest
// of the loop passes q, as ring.ts writes it, in constants set once per ring
// by `throughOf` and read by Steps.throughAt / throughAt2:
//   d0 = (1 − rq)², lift = 4·rq, num0 = (q − r)², nLift = (4r)·q,
//   reCos2 = (r − q)(1 − rq), reSin2 = (r + q)(1 + rq), im = (−2q)(1 − r²).
let d0: f64 = 0;
let lift: f64 = 0;
let num0: f64 = 0;
let nLift: f64 = 0;
let reCos2: f64 = 0;
let reSin2: f64 = 0;
let im: f64 = 0;

function throughOf(r: f64, q: f64): void {
  const rq = r * q;
  d0 = (1 - rq) * (1 - rq);
  lift = 4 * rq;
  num0 = (q - r) * (q - r);
  nLift = 4 * r * q;
  reCos2 = (r - q) * (1 - rq);
  reSin2 = (r + q) * (1 + rq);
  im = -2 * q * (1 - r * r);
}

/**
 * Steps inlined into the kernels. A class only because AssemblyScript's
 * `@inline` on a static method is a form every TypeScript tool parses
 * (as in mesh.ts).
 */
// biome-ignore lint/complexity/noStaticOnlyClass: the form of `@inline` that TypeScript tools parse.
class Steps {
  /** sin h and cos h into sinH, cosH. */
  @inline
  static sincos(h: f64): void {
    if (Math.abs(h) > REDUCTION_LIMIT) {
      sinH = Math.sin(h);
      cosH = Math.cos(h);
      return;
    }
    Trig.sinCos(h);
    sinH = sinOut;
    cosH = cosOut;
  }

  /** `sincos` on two lanes, the same operations lane for lane, into sinH2, cosH2. */
  @inline
  static sincos2(h: v128): void {
    if (v128.any_true(f64x2.gt(f64x2.abs(h), f64x2.splat(REDUCTION_LIMIT)))) {
      Steps.sincos(f64x2.extract_lane(h, 0));
      const s0 = sinH;
      const c0 = cosH;
      Steps.sincos(f64x2.extract_lane(h, 1));
      sinH2 = f64x2.replace_lane(f64x2.splat(s0), 1, sinH);
      cosH2 = f64x2.replace_lane(f64x2.splat(c0), 1, cosH);
      return;
    }
    Trig.sinCos2(h);
    sinH2 = sinOut2;
    cosH2 = cosOut2;
  }

  /** h = φ/2, φ = (2π/λ)·n_eff(λ)·L with n_eff(λ) = n0 − ((ng − n0)(λ − λ0))/λ0 — the model's rounding. */
  @inline
  static halfPhase(λ: f64, length: f64, n0: f64, dispersion: f64, λ0: f64): f64 {
    return ((TWO_PI / λ) * (n0 - (dispersion * (λ - λ0)) / λ0) * length) / 2;
  }

  @inline
  static halfPhase2(λ: v128, length: f64, n0: f64, dispersion: f64, λ0: f64): v128 {
    const index = f64x2.sub(
      f64x2.splat(n0),
      f64x2.div(f64x2.mul(f64x2.splat(dispersion), f64x2.sub(λ, f64x2.splat(λ0))), f64x2.splat(λ0)),
    );
    const φ = f64x2.mul(f64x2.mul(f64x2.div(f64x2.splat(TWO_PI), λ), index), f64x2.splat(length));
    return f64x2.div(φ, f64x2.splat(2));
  }

  /**
   * Writes the through power (and, when field ≠ 0, the field) at element k
   * from sin h, cos h and the constants `throughOf` set; returns the denominator.
   */
  @inline
  static throughAt(s: f64, c: f64, power: usize, field: usize, k: usize): f64 {
    const denominator = d0 + lift * s * s;
    store<f64>(power + (k << 3), (num0 + nLift * s * s) / denominator);
    if (field !== 0) {
      store<f64>(field + (k << 4), (reCos2 * (c * c) + reSin2 * (s * s)) / denominator);
      store<f64>(field + (k << 4), (im * s * c) / denominator, 8);
    }
    return denominator;
  }

  /** `throughAt` for elements k and k + 1. */
  @inline
  static throughAt2(s: v128, c: v128, power: usize, field: usize, k: usize): v128 {
    const denominator = f64x2.add(f64x2.splat(d0), f64x2.mul(f64x2.mul(f64x2.splat(lift), s), s));
    const numerator = f64x2.add(f64x2.splat(num0), f64x2.mul(f64x2.mul(f64x2.splat(nLift), s), s));
    v128.store(power + (k << 3), f64x2.div(numerator, denominator));
    if (field !== 0) {
      const re = f64x2.div(
        f64x2.add(
          f64x2.mul(f64x2.splat(reCos2), f64x2.mul(c, c)),
          f64x2.mul(f64x2.splat(reSin2), f64x2.mul(s, s)),
        ),
        denominator,
      );
      const imaginary = f64x2.div(f64x2.mul(f64x2.mul(f64x2.splat(im), s), c), denominator);
      // Interleave [re0, re1], [im0, im1] → [re0, im0], [re1, im1].
      v128.store(field + (k << 4), v128.shuffle<f64>(re, imaginary, 0, 2));
      v128.store(field + (k << 4), v128.shuffle<f64>(re, imaginary, 1, 3), 16);
    }
    return denominator;
  }
}

/** All-pass ring: power [n] and, unless field = 0, field [2n] at `wavelengths` [n]. */
export function ringAllPassSpectrum(
  n: i32,
  params: usize,
  wavelengths: usize,
  power: usize,
  field: usize,
): void {
  throughOf(load<f64>(params), load<f64>(params, 8));
  const length = load<f64>(params, 16);
  const n0 = load<f64>(params, 24);
  const dispersion = load<f64>(params, 32) - n0;
  const λ0 = load<f64>(params, 40);
  const pairs = (<usize>(n >> 1)) << 1;
  for (let k: usize = 0; k < pairs; k += 2) {
    Steps.sincos2(Steps.halfPhase2(v128.load(wavelengths + (k << 3)), length, n0, dispersion, λ0));
    Steps.throughAt2(sinH2, cosH2, power, field, k);
  }
  if (pairs < <usize>n) {
    Steps.sincos(Steps.halfPhase(load<f64>(wavelengths + (pairs << 3)), length, n0, dispersion, λ0));
    Steps.throughAt(sinH, cosH, power, field, pairs);
  }
}

/**
 * All-pass power [n] and its partials in (r, a, L, n_eff0, n_g, λ0), row k
 * at `jacobian` + 8·k·stride: `allPassPowerJacobian` of
 * src/models/photonic/ring-spectrum.ts, the same expressions in the same
 * order (its doc derives them); only sin and cos differ. One wavelength at
 * a time: a fit calls it once an iteration, and its cost is the partials'.
 */
export function ringAllPassJacobian(
  n: i32,
  params: usize,
  wavelengths: usize,
  power: usize,
  jacobian: usize,
  stride: i32,
): void {
  const r = load<f64>(params);
  const a = load<f64>(params, 8);
  const length = load<f64>(params, 16);
  const n0 = load<f64>(params, 24);
  const ng = load<f64>(params, 32);
  const λ0 = load<f64>(params, 40);
  const dispersion = ng - n0;
  const ra = r * a;
  for (let k: usize = 0; k < <usize>n; k++) {
    const λ = load<f64>(wavelengths + (k << 3));
    Steps.sincos(Steps.halfPhase(λ, length, n0, dispersion, λ0));
    const sn = sinH;
    const cs = cosH;
    const s2 = sn * sn;
    const d = (1 - ra) * (1 - ra) + 4 * ra * s2;
    const P = ((a - r) * (a - r) + 4 * ra * s2) / d;
    store<f64>(power + (k << 3), P);
    const dPhase = (4 * ra * sn * cs * (1 - P)) / d;
    const row = jacobian + ((k * <usize>stride) << 3);
    store<f64>(row, (-2 * (a - r) + 4 * a * s2 - P * (-2 * a * (1 - ra) + 4 * a * s2)) / d);
    store<f64>(row, (2 * (a - r) + 4 * r * s2 - P * (-2 * r * (1 - ra) + 4 * r * s2)) / d, 8);
    store<f64>(row, dPhase * ((TWO_PI / λ) * (n0 - (dispersion * (λ - λ0)) / λ0)), 16);
    store<f64>(row, dPhase * ((TWO_PI * length) / λ0), 24);
    store<f64>(row, dPhase * (-(TWO_PI / λ) * length * ((λ - λ0) / λ0)), 32);
    store<f64>(row, dPhase * ((TWO_PI * length * (ng - n0)) / (λ0 * λ0)), 40);
  }
}

/**
 * Add-drop ring: through and drop power [n] and, unless 0, through and
 * drop fields [2n] (S[through][in], S[drop][in]).
 */
export function ringAddDropSpectrum(
  n: i32,
  params: usize,
  wavelengths: usize,
  through: usize,
  drop: usize,
  throughField: usize,
  dropField: usize,
): void {
  const r1 = load<f64>(params);
  const r2 = load<f64>(params, 8);
  const a = load<f64>(params, 16);
  const length = load<f64>(params, 24);
  const n0 = load<f64>(params, 32);
  const dispersion = load<f64>(params, 40) - n0;
  const λ0 = load<f64>(params, 48);
  throughOf(r1, r2 * a);
  const q = r1 * r2 * a;
  const dropPower = (1 - r1 * r1) * (1 - r2 * r2) * a;
  const dropAmplitude = -Math.sqrt(dropPower);
  const dropCos = 1 - q;
  const dropSin = 1 + q;
  const pairs = (<usize>(n >> 1)) << 1;
  for (let k: usize = 0; k < pairs; k += 2) {
    Steps.sincos2(Steps.halfPhase2(v128.load(wavelengths + (k << 3)), length, n0, dispersion, λ0));
    const denominator = Steps.throughAt2(sinH2, cosH2, through, throughField, k);
    v128.store(drop + (k << 3), f64x2.div(f64x2.splat(dropPower), denominator));
    if (dropField !== 0) {
      const scale = f64x2.div(f64x2.splat(dropAmplitude), denominator);
      const re = f64x2.mul(f64x2.mul(scale, f64x2.splat(dropCos)), cosH2);
      const im = f64x2.mul(f64x2.mul(scale, f64x2.splat(dropSin)), sinH2);
      v128.store(dropField + (k << 4), v128.shuffle<f64>(re, im, 0, 2));
      v128.store(dropField + (k << 4), v128.shuffle<f64>(re, im, 1, 3), 16);
    }
  }
  if (pairs < <usize>n) {
    Steps.sincos(Steps.halfPhase(load<f64>(wavelengths + (pairs << 3)), length, n0, dispersion, λ0));
    const denominator = Steps.throughAt(sinH, cosH, through, throughField, pairs);
    store<f64>(drop + (pairs << 3), dropPower / denominator);
    if (dropField !== 0) {
      const scale = dropAmplitude / denominator;
      store<f64>(dropField + (pairs << 4), scale * dropCos * cosH);
      store<f64>(dropField + (pairs << 4), scale * dropSin * sinH, 8);
    }
  }
}

/** All-pass power at one wavelength; ringScratch() then holds [field re, field im, power]. */
export function ringAllPassAt(r: f64, a: f64, length: f64, n0: f64, ng: f64, λ0: f64, λ: f64): f64 {
  Steps.sincos(Steps.halfPhase(λ, length, n0, ng - n0, λ0));
  throughOf(r, a); // the rest of the loop passes a, as in the spectrum kernel
  Steps.throughAt(sinH, cosH, SCRATCH + 16, SCRATCH, 0);
  return load<f64>(SCRATCH, 16);
}

/**
 * Add-drop through power at one wavelength; ringScratch() then holds
 * [through re, through im, through power, drop power, drop re, drop im].
 */
export function ringAddDropAt(r1: f64, r2: f64, a: f64, length: f64, n0: f64, ng: f64, λ0: f64, λ: f64): f64 {
  Steps.sincos(Steps.halfPhase(λ, length, n0, ng - n0, λ0));
  throughOf(r1, r2 * a);
  const denominator = Steps.throughAt(sinH, cosH, SCRATCH + 16, SCRATCH, 0);
  const dropPower = (1 - r1 * r1) * (1 - r2 * r2) * a;
  store<f64>(SCRATCH, dropPower / denominator, 24);
  const q = r1 * r2 * a;
  const scale = -Math.sqrt(dropPower) / denominator;
  store<f64>(SCRATCH, scale * (1 - q) * cosH, 32);
  store<f64>(SCRATCH, scale * (1 + q) * sinH, 40);
  return load<f64>(SCRATCH, 16);
}
