/**
 * The physics shared by the model layer and the WASM kernels (README.md in
 * this folder: compiled by tsc and by asc, so both compute it to the bit).
 *
 * power: base^exponent from + − × ÷ and floor only — V8's and
 * AssemblyScript's Math.pow differ in the last place, and the Joglekar and
 * Prodromakis windows amplify that near the film edges (where f ∝ distance
 * to the edge) until a kernel and its reference disagree at 1e-9.
 * Method: where |e·ln a| ≤ 16, a^e = e^{e·ln a} directly; beyond (the
 * error of e^y grows with |y|), a^e = a^⌊e⌋ · e^{f·ln a}, f = e − ⌊e⌋, the
 * whole power by repeated squaring, as for integer e. ln a: fdlibm's e_log.c
 * (a = m·2^k, m ∈ [√½, √2), f = m − 1, s = f/(2 + f), its degree-14 minimax
 * polynomial in s, error < 1 ulp), k and m found by exact scalings by
 * 2^±32…2^±1 instead of fdlibm's bit manipulation. e^y = 2^n·e^r as in
 * fdlibm's e_exp.c (n = round(y/ln 2), |r| ≤ ln2/2, ln 2 split so that
 * n·LN2_HI is exact), e^r by its Taylor series to r¹³/13! (next term
 * < 5e-18) evaluated by Estrin's scheme (short dependency chains: each RK4
 * stage waits on the last), 2^n applied by exact multiplications. Costs per
 * call (the linear ion drift kernel makes 5 per substep under Biolek's window, one substep per step
 * in the bench): one division in ln, none in e^y, no loops below |y| ≤ 16.
 * Relative error below 1e-14 over the ranges the models use (test/models/power.test.ts) — far below what any of
 * these models can claim, and the same on both engines, which is the point.
 *
 * The model formulas below are cited in linear-ion-drift.ts, windows.ts and
 * vteam.ts, which wrap them with their parameter tables and derivatives.
 */

/** High part of ln 2 with 32 trailing zero bits (0x3fe62e42fee00000). */
export const LN2_HI = 0.6931471803691238;
export const LN2_LO = 1.9082149292705877e-10;
export const INV_LN2 = Math.LOG2E;
/** ln2/2: the largest |r| for which `exponentialMinusOne` holds (fdlibm's reduced range). */
export const HALF_LN2 = 0.34657359027997264;
const LARGEST = 1.7976931348623157e308;
/** |exponent·ln base| up to which `power` takes e^{exponent·ln base} directly. */
const DIRECT_LIMIT = 16.0;
// Powers of two for the range reductions (products of exact powers of two are exact).
const TWO_1 = 2.0;
const TWO_2 = 4.0;
const TWO_4 = 16.0;
const TWO_8 = 256.0;
const TWO_16 = 65536.0;
const TWO_32 = TWO_16 * TWO_16;
const TWO_64 = TWO_32 * TWO_32;
const TWO_128 = TWO_64 * TWO_64;
const TWO_256 = TWO_128 * TWO_128;
const TWO_512 = TWO_256 * TWO_256;
const TWO_MINUS_1 = 0.5;
const TWO_MINUS_2 = 0.25;
const TWO_MINUS_4 = 0.0625;
const TWO_MINUS_8 = 0.00390625;
const TWO_MINUS_16 = 0.0000152587890625;
const TWO_MINUS_32 = TWO_MINUS_16 * TWO_MINUS_16;
const TWO_MINUS_64 = TWO_MINUS_32 * TWO_MINUS_32;
const TWO_MINUS_128 = TWO_MINUS_64 * TWO_MINUS_64;
const TWO_MINUS_256 = TWO_MINUS_128 * TWO_MINUS_128;
const TWO_MINUS_512 = TWO_MINUS_256 * TWO_MINUS_256;
// fdlibm e_log.c: ln m = 2s + s·R(z), z = s², R(z) = LG1·z + … + LG7·z⁷ minimax (error < 2⁻⁵⁸·⁴⁵).
export const LG1 = 0.6666666666666735;
export const LG2 = 0.3999999999940942;
export const LG3 = 0.2857142874366239;
export const LG4 = 0.22222198432149784;
export const LG5 = 0.1818357216161805;
export const LG6 = 0.15313837699209373;
export const LG7 = 0.14798198605116586;
// 1/j! for e^r's Taylor series (`reducedExponential`).
export const INV_2 = 0.5;
export const INV_3 = 0.16666666666666666;
export const INV_4 = 0.041666666666666664;
export const INV_5 = 0.008333333333333333;
export const INV_6 = 0.001388888888888889;
export const INV_7 = 0.0001984126984126984;
export const INV_8 = 0.0000248015873015873;
export const INV_9 = 0.0000027557319223985893;
export const INV_10 = 2.755731922398589e-7;
export const INV_11 = 2.505210838544172e-8;
export const INV_12 = 2.08767569878681e-9;
export const INV_13 = 1.6059043836821613e-10;

/** What `specialPower` returns where the general method applies (no power of a base ≥ 0 is negative). */
export const GENERAL = -1.0;

/**
 * base^exponent where it needs no logarithm — a 0 or infinite exponent,
 * a base of 0, 1 or ∞, a negative or NaN base (NaN) — or GENERAL.
 * Shared with src/core/assembly/power.ts.
 */
export function specialPower(base: number, exponent: number): number {
  if (exponent === 0) return 1;
  if (base === 1) return 1;
  if (base === 0) return exponent > 0 ? 0 : 1 / base;
  if (!(base > 0)) return (base - base) / 0; // NaN
  if (base > LARGEST) return exponent > 0 ? base : 0;
  // An infinite exponent (the squaring below would never end): 0 or ∞ as base < 1 or > 1; NaN stays NaN.
  if (!(exponent >= -LARGEST && exponent <= LARGEST)) {
    if (exponent > 0) return base < 1 ? 0 : LARGEST * 2;
    if (exponent < 0) return base < 1 ? LARGEST * 2 : 0;
    return exponent; // NaN
  }
  return GENERAL;
}

/** base^exponent for base ≥ 0; NaN for a negative or NaN base. */
export function power(base: number, exponent: number): number {
  const special = specialPower(base, exponent);
  if (special !== GENERAL) return special;
  const whole = Math.floor(exponent);
  const fraction = exponent - whole;
  // Integer exponents by repeated squaring alone (exact for small integer
  // powers of 2, a few roundings otherwise).
  if (fraction === 0) return wholePower(base, whole, 1);
  // e^{y}, y = e·ln a, carries the roundings of ln a and of the product
  // times |y|: within 16·2·2⁻⁵³ ≈ 4e-15 while |y| ≤ 16, so take it in one
  // go there; beyond, only the fraction goes through e^{f·ln a} and the
  // whole part is squared.
  const logBase = logarithm(base);
  const y = exponent * logBase;
  if (y <= DIRECT_LIMIT && y >= -DIRECT_LIMIT) return exponential(y);
  return wholePower(base, whole, exponential(fraction * logBase));
}

/** start·base^whole for an integer whole, by repeated squaring. */
export function wholePower(base: number, whole: number, start: number): number {
  let result = start;
  let square = whole < 0 ? 1 / base : base;
  let left = whole < 0 ? -whole : whole;
  while (left > 0) {
    const half = Math.floor(left * 0.5);
    if (left - 2 * half === 1) result = result * square;
    left = half;
    if (left > 0) square = square * square;
  }
  return result;
}

/** ln a for finite a > 0 (fdlibm's e_log.c, with its bit tricks replaced by exact scalings). */
export function logarithm(a: number): number {
  // a = m·2^k with m ∈ [√½, √2): exact multiplications by powers of two,
  // halving the distance to [½, 2) at each step.
  let m = a;
  let k = 0.0;
  while (m < TWO_MINUS_64) {
    m = m * TWO_64;
    k = k - 64;
  }
  while (m > TWO_64) {
    m = m * TWO_MINUS_64;
    k = k + 64;
  }
  if (m < TWO_MINUS_32) {
    m = m * TWO_32;
    k = k - 32;
  }
  if (m < TWO_MINUS_16) {
    m = m * TWO_16;
    k = k - 16;
  }
  if (m < TWO_MINUS_8) {
    m = m * TWO_8;
    k = k - 8;
  }
  if (m < TWO_MINUS_4) {
    m = m * TWO_4;
    k = k - 4;
  }
  if (m < TWO_MINUS_2) {
    m = m * TWO_2;
    k = k - 2;
  }
  if (m < TWO_MINUS_1) {
    m = m * TWO_1;
    k = k - 1;
  }
  if (m >= TWO_32) {
    m = m * TWO_MINUS_32;
    k = k + 32;
  }
  if (m >= TWO_16) {
    m = m * TWO_MINUS_16;
    k = k + 16;
  }
  if (m >= TWO_8) {
    m = m * TWO_MINUS_8;
    k = k + 8;
  }
  if (m >= TWO_4) {
    m = m * TWO_MINUS_4;
    k = k + 4;
  }
  if (m >= TWO_2) {
    m = m * TWO_MINUS_2;
    k = k + 2;
  }
  if (m >= TWO_1) {
    m = m * TWO_MINUS_1;
    k = k + 1;
  }
  if (m < Math.SQRT1_2) {
    m = m * 2;
    k = k - 1;
  } else if (m >= Math.SQRT2) {
    m = m * 0.5;
    k = k + 1;
  }
  return reducedLogarithm(m, k);
}

/**
 * ln(m·2^k) for m ∈ [√½, √2) and an integer k: the polynomial part of
 * `logarithm`, shared with the WASM core's bit-level reduction
 * (src/core/assembly/power.ts), which finds the same m and k.
 */
export function reducedLogarithm(m: number, k: number): number {
  // ln m = 2s + s·R(s²), s = f/(2 + f), f = m − 1 (exact).
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  const halfSquare = 0.5 * f * f;
  return k * LN2_HI - (halfSquare - (s * (halfSquare + r) + k * LN2_LO) - f);
}

/** e^y: y = n·ln 2 + r as in fdlibm's e_exp.c, e^r by its Taylor series, 2^n by exact scalings. */
export function exponential(y: number): number {
  if (y > 709.782712893384) return LARGEST * 2; // +∞
  if (y < -745.1332191019412) return 0; // below the least subnormal
  if (!(y <= 709.782712893384)) return y; // NaN
  const n = exponentialScale(y);
  return timesPowerOfTwo(reducedExponential(y, n), n);
}

/** n = round(y/ln 2), the power of two that `exponential` splits off e^y. */
export function exponentialScale(y: number): number {
  return Math.floor(y * INV_LN2 + 0.5);
}

/**
 * e^{y − n·ln 2} for n = exponentialScale(y): the series part of
 * `exponential`, shared with the WASM core (src/core/assembly/power.ts),
 * which applies 2^n by building it from bits.
 */
export function reducedExponential(y: number, n: number): number {
  // y = n·ln2 + r, |r| ≤ ln2/2, r = hi − lo carried in two parts.
  const hi = y - n * LN2_HI;
  const lo = n * LN2_LO;
  return 1 + exponentialMinusOne(hi - lo);
}

/**
 * e^r − 1 for |r| ≤ ln2/2 (`HALF_LN2`), without the cancellation of
 * e^r − 1 near 0: the series part of `reducedExponential`, which adds the 1.
 */
export function exponentialMinusOne(r: number): number {
  // e^r = 1 + (r + r²·T(r)), T the Taylor tail Σ r^j/(j+2)! to r¹¹/13!
  // (next term < 5e-18), by Estrin's scheme: the RK4 stages wait
  // on this, so the depth of the dependency chain is what costs.
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const a0 = INV_2 + r * INV_3;
  const a1 = INV_4 + r * INV_5;
  const a2 = INV_6 + r * INV_7;
  const a3 = INV_8 + r * INV_9;
  const a4 = INV_10 + r * INV_11;
  const a5 = INV_12 + r * INV_13;
  const tail = a0 + r2 * a1 + r4 * (a2 + r2 * a3) + r8 * (a4 + r2 * a5);
  return r + r2 * tail;
}

/** x·2^n for integer n, |n| < 2048, by exact multiplications (rounded only where the result is subnormal). */
export function timesPowerOfTwo(x: number, n: number): number {
  let result = x;
  let left = n;
  if (left > 0) {
    while (left >= 512) {
      result = result * TWO_512;
      left = left - 512;
    }
    if (left >= 256) {
      result = result * TWO_256;
      left = left - 256;
    }
    if (left >= 128) {
      result = result * TWO_128;
      left = left - 128;
    }
    if (left >= 64) {
      result = result * TWO_64;
      left = left - 64;
    }
    if (left >= 32) {
      result = result * TWO_32;
      left = left - 32;
    }
    if (left >= 16) {
      result = result * TWO_16;
      left = left - 16;
    }
    if (left >= 8) {
      result = result * TWO_8;
      left = left - 8;
    }
    if (left >= 4) {
      result = result * TWO_4;
      left = left - 4;
    }
    if (left >= 2) {
      result = result * TWO_2;
      left = left - 2;
    }
    if (left >= 1) result = result * TWO_1;
  } else if (left < 0) {
    while (left <= -512) {
      result = result * TWO_MINUS_512;
      left = left + 512;
    }
    if (left <= -256) {
      result = result * TWO_MINUS_256;
      left = left + 256;
    }
    if (left <= -128) {
      result = result * TWO_MINUS_128;
      left = left + 128;
    }
    if (left <= -64) {
      result = result * TWO_MINUS_64;
      left = left + 64;
    }
    if (left <= -32) {
      result = result * TWO_MINUS_32;
      left = left + 32;
    }
    if (left <= -16) {
      result = result * TWO_MINUS_16;
      left = left + 16;
    }
    if (left <= -8) {
      result = result * TWO_MINUS_8;
      left = left + 8;
    }
    if (left <= -4) {
      result = result * TWO_MINUS_4;
      left = left + 4;
    }
    if (left <= -2) {
      result = result * TWO_MINUS_2;
      left = left + 2;
    }
    if (left <= -1) result = result * TWO_MINUS_1;
  }
  return result;
}

/** Linear ion drift memristance M(x) = R_on·x + R_off·(1 − x) (Strukov et al. 2008, eq. (5)), Ω. */
export function memristance(x: number, rOn: number, rOff: number): number {
  return rOn * x + rOff * (1 - x);
}

/** Joglekar & Wolf window 1 − |2x − 1|^{2p} (as given in Biolek et al. 2009, eq. (5)). */
export function joglekarWindow(x: number, exponent: number): number {
  return 1 - power(Math.abs(2 * x - 1), 2 * exponent);
}

/** Biolek window 1 − |x − stp(−i)|^{2p}, stp(z) = 1 for z ≥ 0, else 0 (Biolek et al. 2009, eqs. (10)–(11)). */
export function biolekWindow(x: number, current: number, exponent: number): number {
  return 1 - power(Math.abs(x - (current <= 0 ? 1.0 : 0.0)), 2 * exponent);
}

/** Prodromakis window j·(1 − [(x − 0.5)² + 0.75]^p). */
export function prodromakisWindow(x: number, exponent: number, scale: number): number {
  return scale * (1 - power((x - 0.5) * (x - 0.5) + 0.75, exponent));
}

/**
 * ln(1 + f) for 1 + f ∈ [√½, √2) (f ∈ [−0.2928, 0.4142]), without the
 * rounding of 1 + f: `reducedLogarithm`'s polynomial with k = 0, which
 * takes f exactly (fdlibm's e_log.c; error < 1 ulp).
 */
export function logOnePlus(f: number): number {
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  const halfSquare = 0.5 * f * f;
  return f - (halfSquare - s * (halfSquare + r));
}

// ------------------------------------------------------------ the logit state
//
// The linear drift under a window that vanishes at both edges (Joglekar's,
// Prodromakis') keeps its state as u = ln(x/(1 − x)), the logit of the doped
// fraction x (linear-ion-drift.ts explains why). From u, the distance to the
// nearer edge e = min(x, 1 − x) = 1/(1 + e^{|u|}) and c = x(1 − x) = e(1 − e)
// come with full relative precision however deep the state is, and both
// windows are functions of c alone:
//   Joglekar:    1 − (2x − 1)^{2p} = 1 − (1 − 4c)^p,
//   Prodromakis: j(1 − [(x − ½)² + ¾]^p) = j(1 − (1 − c)^p),
// so that dx/dt = k·i·f(x) becomes du/dt = (dx/dt)/c = k·i·j·R(c) with
// R(c) = (1 − (1 − s·c)^p)/c (s = 4 and j = 1 for Joglekar, s = 1 for
// Prodromakis), which is finite at the edges (R → s·p).

/** Distance of the state u = logit x to the nearer edge, min(x, 1 − x) = e^{−|u|}/(1 + e^{−|u|}). */
export function edgeDistance(u: number): number {
  const t = exponential(-Math.abs(u));
  return t / (1 + t);
}

/** M = R_on·x + R_off·(1 − x) (Strukov et al. 2008, eq. (5)) at u = logit x, from its edge distance e. */
export function logitMemristance(u: number, e: number, rOn: number, rOff: number): number {
  return u >= 0 ? rOn * (1 - e) + rOff * e : rOn * e + rOff * (1 - e);
}

/**
 * R(c) = (1 − (1 − s·c)^p)/c for c = x(1 − x) ∈ (0, ¼] and s·c ≤ 1: the
 * window over c, without the cancellation of 1 − (1 − s·c)^p as c → 0
 * (there (1 − s·c)^p = e^y, y = p·ln(1 − s·c), both by their series).
 */
export function edgeWindowRatio(c: number, sharpness: number, exponent: number): number {
  const z = sharpness * c;
  if (z === 0) return sharpness * exponent;
  if (z <= 0.25) {
    const y = exponent * logOnePlus(-z);
    return -(y >= -HALF_LN2 ? exponentialMinusOne(y) : exponential(y) - 1) / c;
  }
  return (1 - power(1 - z, exponent)) / c;
}

/**
 * du/dt of the linear drift at u = logit x under voltage v: k·i·j·R(c)
 * (see above), with drift = k = μ_v·R_on/D², sharpness s and scale j of
 * the window (Joglekar: 4, 1; Prodromakis: 1, j).
 */
export function logitDriftRate(
  u: number,
  v: number,
  rOn: number,
  rOff: number,
  drift: number,
  sharpness: number,
  exponent: number,
  scale: number,
): number {
  const e = edgeDistance(u);
  const i = v / logitMemristance(u, e, rOn, rOff);
  return drift * i * (scale * edgeWindowRatio(e * (1 - e), sharpness, exponent));
}

/**
 * How far u = logit x can move in the direction of `direction`'s sign in
 * one substep: while x moves by at most `step` (> 0), |logit(x ± step) − u|,
 * or ∞ where x reaches its bound within `step`; and, coming out of an edge,
 * by at most half the depth |u| (or 1, near the middle): x hardly moves
 * until the state is close to the middle, but the rate changes there, and
 * the integrator checks the rate at the substep's end (integrate.ts), which
 * this keeps a short way ahead rather than at the far end of the depth.
 */
export function logitReach(u: number, direction: number, step: number): number {
  const e = edgeDistance(u);
  // x' and 1 − x' after the move, each from the side that keeps its digits.
  const towards = direction > 0 ? step : -step;
  const x = u >= 0 ? 1 - e + towards : e + towards;
  const y = u >= 0 ? e - towards : 1 - e - towards;
  const reach = x > 0 && y > 0 ? Math.abs(logarithm(x) - logarithm(y) - u) : 1 / 0;
  const outward = u >= 0 ? direction > 0 : direction < 0;
  return outward ? reach : Math.min(reach, Math.max(0.5 * Math.abs(u), 1));
}

/** VTEAM state speed, the state equation of Kvatinsky et al. 2015 with f_on = f_off = 1, m/s. */
export function vteamSpeed(
  v: number,
  kOn: number,
  kOff: number,
  alphaOn: number,
  alphaOff: number,
  vOn: number,
  vOff: number,
): number {
  if (v > vOff) return kOff * power(v / vOff - 1, alphaOff);
  if (v < vOn) return kOn * power(v / vOn - 1, alphaOn);
  return 0;
}

/** VTEAM linear resistance, the linear I-V of Kvatinsky et al. 2015, Ω. */
export function vteamResistance(w: number, rOn: number, rOff: number, wOn: number, wOff: number): number {
  return rOn + ((rOff - rOn) * (w - wOn)) / (wOff - wOn);
}
