/**
 * The physics shared by the model layer and the WASM kernels (README.md in
 * this folder: compiled by tsc and by asc, so both compute it to the bit).
 *
 * power: base^exponent from + − × ÷ and floor only — V8's and
 * AssemblyScript's Math.pow differ in the last place, and the Joglekar and
 * Prodromakis windows amplify that near the film edges (where f ∝ distance
 * to the edge) until a kernel and its reference disagree at 1e-9.
 * Method: a^e = a^⌊e⌋ · e^{f·ln a}, f = e − ⌊e⌋; the whole power by repeated
 * squaring; ln a with a = m·2^k, m ∈ [√½, √2), ln m = 2·atanh(s),
 * s = (m−1)/(m+1), |s| ≤ 0.172, summed to s²³ (next term < 1e-18); e^y =
 * 2^n·e^r, n = round(y/ln 2), |r| ≤ ln2/2, Taylor to r¹⁴/14! (next term
 * < 3e-19), with ln 2 split as in fdlibm so that n·LN2_HI is exact; powers of
 * two applied by exact multiplications. Relative error below 1e-14 over the
 * ranges the models use (test/models/power.test.ts) — far below what any of
 * these models can claim, and the same on both engines, which is the point.
 *
 * The model formulas below are cited in linear-ion-drift.ts, windows.ts and
 * vteam.ts, which wrap them with their parameter tables and derivatives.
 */

/** High part of ln 2 with 32 trailing zero bits (0x3fe62e42fee00000). */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const TWO_16 = 65536.0;
const TWO_MINUS_16 = 0.0000152587890625;
const LARGEST = 1.7976931348623157e308;

/** base^exponent for base ≥ 0; NaN for a negative or NaN base. */
export function power(base: number, exponent: number): number {
  if (exponent === 0) return 1;
  if (base === 1) return 1;
  if (base === 0) return exponent > 0 ? 0 : 1 / base;
  if (!(base > 0)) return (base - base) / 0; // NaN
  if (base > LARGEST) return exponent > 0 ? base : 0;
  // Whole part by repeated squaring (exact for small integer powers of 2,
  // a few roundings otherwise); only the fraction goes through exp(f·ln a),
  // whose error grows with |f·ln a|.
  const whole = Math.floor(exponent);
  const fraction = exponent - whole;
  let result = fraction === 0 ? 1 : exponential(fraction * logarithm(base));
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

/** ln a for finite a > 0. */
export function logarithm(a: number): number {
  let m = a;
  let k = 0.0;
  while (m < TWO_MINUS_16) {
    m = m * TWO_16;
    k = k - 16;
  }
  while (m > TWO_16) {
    m = m * TWO_MINUS_16;
    k = k + 16;
  }
  while (m < Math.SQRT1_2) {
    m = m * 2;
    k = k - 1;
  }
  while (m >= Math.SQRT2) {
    m = m * 0.5;
    k = k + 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 0.043478260869565216; // 1/23
  series = series * s2 + 0.047619047619047616; // 1/21
  series = series * s2 + 0.05263157894736842; // 1/19
  series = series * s2 + 0.058823529411764705; // 1/17
  series = series * s2 + 0.06666666666666667; // 1/15
  series = series * s2 + 0.07692307692307693; // 1/13
  series = series * s2 + 0.09090909090909091; // 1/11
  series = series * s2 + 0.1111111111111111; // 1/9
  series = series * s2 + 0.14285714285714285; // 1/7
  series = series * s2 + 0.2; // 1/5
  series = series * s2 + 0.3333333333333333; // 1/3
  series = series * s2 + 1;
  return k * LN2_HI + (k * LN2_LO + 2 * s * series);
}

/** e^y. */
export function exponential(y: number): number {
  if (y > 709.782712893384) return LARGEST * 2; // +∞
  if (y < -745.1332191019412) return 0; // below the least subnormal
  if (!(y <= 709.782712893384)) return y; // NaN
  const n = Math.floor(y / Math.LN2 + 0.5);
  const r = y - n * LN2_HI - n * LN2_LO;
  let sum = 1.1470745597729725e-11; // 1/14!
  sum = sum * r + 1.6059043836821613e-10; // 1/13!
  sum = sum * r + 2.08767569878681e-9; // 1/12!
  sum = sum * r + 2.505210838544172e-8; // 1/11!
  sum = sum * r + 2.755731922398589e-7; // 1/10!
  sum = sum * r + 0.0000027557319223985893; // 1/9!
  sum = sum * r + 0.0000248015873015873; // 1/8!
  sum = sum * r + 0.0001984126984126984; // 1/7!
  sum = sum * r + 0.001388888888888889; // 1/6!
  sum = sum * r + 0.008333333333333333; // 1/5!
  sum = sum * r + 0.041666666666666664; // 1/4!
  sum = sum * r + 0.16666666666666666; // 1/3!
  sum = sum * r + 0.5; // 1/2!
  sum = sum * r + 1;
  sum = sum * r + 1;
  return timesPowerOfTwo(sum, n);
}

/** x·2^n for integer n, by exact multiplications (rounded only where the result is subnormal). */
function timesPowerOfTwo(x: number, n: number): number {
  let result = x;
  let left = n;
  while (left >= 16) {
    result = result * TWO_16;
    left = left - 16;
  }
  while (left <= -16) {
    result = result * TWO_MINUS_16;
    left = left + 16;
  }
  while (left > 0) {
    result = result * 2;
    left = left - 1;
  }
  while (left < 0) {
    result = result * 0.5;
    left = left + 1;
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
