/**
 * The portable `power` (src/models/memristor/portable/physics.ts) with its
 * two range reductions done on the bits, to the same results bit for bit.
 *
 * The portable code must run on tsc as well, so it finds a = m·2^k
 * (m ∈ [√½, √2)) for ln a, and applies 2^n for e^y, by chains of exact
 * multiplications by powers of two: some twenty data-dependent branches per
 * call, which Biolek's window pays five times per substep. Here
 * the exponent field gives k and m directly for normal a, and 2^n is built
 * from its exponent field for results that stay normal; m, k and x·2^n are
 * exact either way, so the polynomial parts (shared, `reducedLogarithm`,
 * `reducedExponential`) see the same operands and return the same bits.
 * Subnormal inputs and results take the portable code.
 * test/core/power.test.ts compares the two on every branch.
 *
 * `power` below mirrors the portable `power` line for line; only its
 * logarithm and exponential differ. `Pair.power` does two at once in
 * f64x2 (the same operations lane by lane) on the common path.
 */
import {
  exponentialScale,
  GENERAL,
  INV_2,
  INV_3,
  INV_4,
  INV_5,
  INV_6,
  INV_7,
  INV_8,
  INV_9,
  INV_10,
  INV_11,
  INV_12,
  INV_13,
  INV_LN2,
  LG1,
  LG2,
  LG3,
  LG4,
  LG5,
  LG6,
  LG7,
  LN2_HI,
  LN2_LO,
  logarithm,
  reducedExponential,
  reducedLogarithm,
  specialPower,
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
  const special = specialPower(base, exponent);
  if (special !== GENERAL) return special;
  const whole = Math.floor(exponent);
  const fraction = exponent - whole;
  if (fraction === 0) return wholePower(base, whole, 1);
  const logBase = logarithmByBits(base);
  const y = exponent * logBase;
  if (y <= DIRECT_LIMIT && y >= -DIRECT_LIMIT) return exponentialByBits(y);
  return wholePower(base, whole, exponentialByBits(fraction * logBase));
}

// ---------------------------------------------------------------- two at a time

/** c + a·b lane-wise, as the scalar code writes it (a product, then a sum: two roundings). */
function madd(c: v128, a: v128, b: v128): v128 {
  return f64x2.add(c, f64x2.mul(a, b));
}

function splat(x: f64): v128 {
  return f64x2.splat(x);
}

/**
 * `power` on two lanes at once (the linear-ion-drift kernel's two devices):
 * the common path — a normal base ≠ 1, an exponent with a fraction, and
 * |exponent·ln base| ≤ 16 — in f64x2 arithmetic, the operations of
 * `reducedLogarithm` and `reducedExponential` in the same order, lane by
 * lane, so each lane is `power`'s result to the bit; any other case goes to
 * `power` lane by lane.
 */
function power2(base: v128, exponent: v128): v128 {
  const b0 = f64x2.extract_lane(base, 0);
  const b1 = f64x2.extract_lane(base, 1);
  const e0 = f64x2.extract_lane(exponent, 0);
  const e1 = f64x2.extract_lane(exponent, 1);
  const whole = f64x2.floor(exponent);
  const fraction = f64x2.sub(exponent, whole);
  const common =
    b0 >= SMALLEST_NORMAL &&
    b0 <= LARGEST &&
    b1 >= SMALLEST_NORMAL &&
    b1 <= LARGEST &&
    b0 !== 1 &&
    b1 !== 1 &&
    f64x2.extract_lane(fraction, 0) !== 0 &&
    f64x2.extract_lane(fraction, 1) !== 0;
  if (!common) return f64x2.replace_lane(splat(power(b0, e0)), 1, power(b1, e1));
  // ln base: base = m1·2^e, m1 ∈ [1, 2); m = m1 or m1/2 ∈ [√½, √2), k = e or e + 1.
  const m1 = v128.or(v128.and(base, i64x2.splat(MANTISSA)), i64x2.splat(ONE_BITS));
  const biased = v128.shuffle<i32>(i64x2.shr_u(base, 52), i64x2.splat(0), 0, 2, 4, 4);
  const e = f64x2.sub(f64x2.convert_low_i32x4_s(biased), splat(1023));
  const high = f64x2.ge(m1, splat(Math.SQRT2));
  const m = v128.bitselect(f64x2.mul(m1, splat(0.5)), m1, high);
  const k = v128.bitselect(f64x2.add(e, splat(1)), e, high);
  const f = f64x2.sub(m, splat(1));
  const s = f64x2.div(f, f64x2.add(splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const r = f64x2.add(
    f64x2.mul(z, madd(splat(LG1), w, madd(splat(LG3), w, madd(splat(LG5), w, splat(LG7))))),
    f64x2.mul(w, madd(splat(LG2), w, madd(splat(LG4), w, splat(LG6)))),
  );
  const halfSquare = f64x2.mul(f64x2.mul(splat(0.5), f), f);
  const logBase = f64x2.sub(
    f64x2.mul(k, splat(LN2_HI)),
    f64x2.sub(
      f64x2.sub(halfSquare, f64x2.add(f64x2.mul(s, f64x2.add(halfSquare, r)), f64x2.mul(k, splat(LN2_LO)))),
      f,
    ),
  );
  const y = f64x2.mul(exponent, logBase);
  const y0 = f64x2.extract_lane(y, 0);
  const y1 = f64x2.extract_lane(y, 1);
  if (!(y0 <= DIRECT_LIMIT && y0 >= -DIRECT_LIMIT && y1 <= DIRECT_LIMIT && y1 >= -DIRECT_LIMIT)) {
    return f64x2.replace_lane(splat(power(b0, e0)), 1, power(b1, e1));
  }
  // e^y, |y| ≤ 16: n = round(y/ln 2) ∈ [−24, 24], so 2^n is normal and built from its bits.
  const n = f64x2.floor(madd(splat(0.5), y, splat(INV_LN2)));
  const hi = f64x2.sub(y, f64x2.mul(n, splat(LN2_HI)));
  const lo = f64x2.mul(n, splat(LN2_LO));
  const t = f64x2.sub(hi, lo);
  const t2 = f64x2.mul(t, t);
  const t4 = f64x2.mul(t2, t2);
  const t8 = f64x2.mul(t4, t4);
  const a0 = madd(splat(INV_2), t, splat(INV_3));
  const a1 = madd(splat(INV_4), t, splat(INV_5));
  const a2 = madd(splat(INV_6), t, splat(INV_7));
  const a3 = madd(splat(INV_8), t, splat(INV_9));
  const a4 = madd(splat(INV_10), t, splat(INV_11));
  const a5 = madd(splat(INV_12), t, splat(INV_13));
  const tail = f64x2.add(
    f64x2.add(madd(a0, t2, a1), f64x2.mul(t4, madd(a2, t2, a3))),
    f64x2.mul(t8, madd(a4, t2, a5)),
  );
  const reduced = f64x2.add(splat(1), madd(t, t2, tail));
  const twoToN = i64x2.shl(
    i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n)), i64x2.splat(1023)),
    52,
  );
  return f64x2.mul(reduced, twoToN);
}

/** `power2` for the kernels (a class: AssemblyScript warns on v128 in a module-level export). */
// biome-ignore lint/complexity/noStaticOnlyClass: see above.
export class Pair {
  static power(base: v128, exponent: v128): v128 {
    return power2(base, exponent);
  }
}

/** power(bases[k], exponents[k]) into out[k], for the bit-for-bit test against the portable code. */
export function powerBatch(count: i32, bases: usize, exponents: usize, out: usize): void {
  for (let k = 0; k < count; k++) {
    const at = (<usize>k) << 3;
    store<f64>(out + at, power(load<f64>(bases + at), load<f64>(exponents + at)));
  }
}

/** `power2` over pairs (bases[2j], bases[2j + 1]) into out, count even: the test of the two-lane path. */
export function power2Batch(count: i32, bases: usize, exponents: usize, out: usize): void {
  for (let k = 0; k < count; k += 2) {
    const at = (<usize>k) << 3;
    v128.store(out + at, power2(v128.load(bases + at), v128.load(exponents + at)));
  }
}
