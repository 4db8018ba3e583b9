/**
 * The portable `power` (src/models/memristor/portable/physics.ts) with its
 * two range reductions done on the bits, to the same results bit for bit.
 *
 * The portable code must run on tsc as well, so it finds a = m·2^k
 * (m ∈ [√½, √2)) for ln a, and applies 2^n for e^y, by chains of exact
 * multiplications by powers of two: some twenty data-dependent branches per
 * call, which the linear-ion-drift windows pay five times per substep. Here
 * the exponent field gives k and m directly for normal a, and 2^n is built
 * from its exponent field for results that stay normal; m, k and x·2^n are
 * exact either way, so the polynomial parts (shared, `reducedLogarithm`,
 * `reducedExponential`) see the same operands and return the same bits.
 * Subnormal inputs and results take the portable code.
 * test/core/power.test.ts compares the two on every branch.
 *
 * `power` below mirrors the portable `power` line for line; only its
 * logarithm and exponential differ.
 */
import {
  exponentialScale,
  logarithm,
  reducedExponential,
  reducedLogarithm,
  timesPowerOfTwo,
  wholePower,
} from "../../models/memristor/portable/physics";

const LARGEST: f64 = 1.7976931348623157e308;
const SMALLEST_NORMAL: f64 = 2.2250738585072014e-308;
const DIRECT_LIMIT: f64 = 16.0;
const MANTISSA: u64 = 0x000fffffffffffff;
const ONE_BITS: u64 = 0x3ff0000000000000;

/** ln a for a > 0 (as the portable `logarithm`). */
function logarithmByBits(a: f64): f64 {
  if (!(a >= SMALLEST_NORMAL && a <= LARGEST)) return logarithm(a);
  const bits = reinterpret<u64>(a);
  // a = m1·2^e with m1 ∈ [1, 2); m ∈ [√½, √2) is m1 or m1/2.
  const m1 = reinterpret<f64>((bits & MANTISSA) | ONE_BITS);
  const e = <f64>(<i32>(bits >> 52) - 1023);
  return m1 >= Math.SQRT2 ? reducedLogarithm(m1 * 0.5, e + 1) : reducedLogarithm(m1, e);
}

/** e^y (as the portable `exponential`). */
function exponentialByBits(y: f64): f64 {
  if (y > 709.782712893384) return LARGEST * 2; // +∞
  if (y < -745.1332191019412) return 0; // below the least subnormal
  if (!(y <= 709.782712893384)) return y; // NaN
  const n = exponentialScale(y);
  const x = reducedExponential(y, n);
  // x ∈ (0.7, 1.42): x·2^n is normal, hence exact, for n in [−1021, 1023].
  if (n >= -1021 && n <= 1023) return x * reinterpret<f64>((<u64>(<i64>n + 1023)) << 52);
  return timesPowerOfTwo(x, n);
}

/** base^exponent for base ≥ 0; NaN for a negative or NaN base (the portable `power`, bit for bit). */
export function power(base: f64, exponent: f64): f64 {
  if (exponent === 0) return 1;
  if (base === 1) return 1;
  if (base === 0) return exponent > 0 ? 0 : 1 / base;
  if (!(base > 0)) return (base - base) / 0; // NaN
  if (base > LARGEST) return exponent > 0 ? base : 0;
  const whole = Math.floor(exponent);
  const fraction = exponent - whole;
  if (fraction === 0) return wholePower(base, whole, 1);
  const logBase = logarithmByBits(base);
  const y = exponent * logBase;
  if (y <= DIRECT_LIMIT && y >= -DIRECT_LIMIT) return exponentialByBits(y);
  return wholePower(base, whole, exponentialByBits(fraction * logBase));
}

/** power(bases[k], exponents[k]) into out[k], for the bit-for-bit test against the portable code. */
export function powerBatch(count: i32, bases: usize, exponents: usize, out: usize): void {
  for (let k = 0; k < count; k++) {
    const at = (<usize>k) << 3;
    store<f64>(out + at, power(load<f64>(bases + at), load<f64>(exponents + at)));
  }
}
