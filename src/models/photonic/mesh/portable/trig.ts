/**
 * sin and cos for the mesh's phases, compiled both by tsc (the model layer)
 * and by asc (src/core/assembly/mesh.ts), so that cells programmed in
 * TypeScript and in the WASM core are the same bits (rules for portable
 * files: src/models/memristor/portable/README.md — no imports, `number`
 * only, + − × ÷ and Math.floor/abs).
 *
 * x = n·π/2 + r with n the nearest integer to x·2/π and r ∈ [−π/4, π/4],
 * reduced by Cody and Waite's method with π/2 split in three 33-bit pieces
 * (exact products n·piece for |n| < 2²⁰, so for |x| ≤ REDUCTION_LIMIT);
 * then sin r and cos r by the minimax polynomials of fdlibm's
 * __kernel_sin and __kernel_cos (Sun Microsystems, k_sin.c and k_cos.c;
 * coefficients and evaluation order as there, with no tail of r; each
 * constant's bits are noted as fdlibm gives them), good to about one unit
 * in the last place. Beyond REDUCTION_LIMIT callers use the
 * engine's Math.sin/Math.cos (accurate, but not the same bits in V8 and
 * AssemblyScript).
 */

/** Largest |x|, rad, the reduction here handles exactly. */
export const REDUCTION_LIMIT = 1.0e6;

export const TWO_OVER_PI = 0.6366197723675814; // 0x3FE45F30 6DC9C883
/** π/2 = PIO2_1 + PIO2_2 + PIO2_3 + O(1e-31), each piece 33 significant bits (fdlibm's pio2_1, pio2_2, pio2_3). */
export const PIO2_1 = 1.5707963267341256; // 0x3FF921FB 54400000
export const PIO2_2 = 6.077100506303966e-11; // 0x3DD0B461 1A600000
export const PIO2_3 = 2.0222662487111665e-21; // 0x3BA3198A 2E000000
/** 1.5·2⁵²: (y + ROUNDER) − ROUNDER rounds y to the nearest integer (ties to even) for |y| < 2⁵¹. */
export const ROUNDER = 6755399441055744.0;

export const S1 = -0.16666666666666632; // 0xBFC55555 55555549
export const S2 = 0.00833333333332249; // 0x3F811111 1110F8A6
export const S3 = -0.0001984126982985795; // 0xBF2A01A0 19C161D5
export const S4 = 2.7557313707070068e-6; // 0x3EC71DE3 57B1FE7D
export const S5 = -2.5050760253406863e-8; // 0xBE5AE5E6 8A2B9CEB
export const S6 = 1.58969099521155e-10; // 0x3DE5D93A 5ACFD57C

export const C1 = 0.0416666666666666; // 0x3FA55555 5555554C
export const C2 = -0.001388888888887411; // 0xBF56C16C 16C15177
export const C3 = 0.00002480158728947673; // 0x3EFA01A0 19CB1590
export const C4 = -2.7557314351390663e-7; // 0xBE927E4F 809C52AD
export const C5 = 2.087572321298175e-9; // 0x3E21EE9E BDB4B1C4
export const C6 = -1.1359647557788195e-11; // 0xBDA8FAE9 BE8838D4

/** n: the nearest integer to x·2/π. */
export function quarterTurns(x: number): number {
  return x * TWO_OVER_PI + ROUNDER - ROUNDER;
}

/** r = x − n·π/2. */
export function reduced(x: number, n: number): number {
  return x - n * PIO2_1 - n * PIO2_2 - n * PIO2_3;
}

/** sin r, |r| ≤ π/4. */
export function sinKernel(r: number): number {
  const z = r * r;
  const w = z * z;
  const p = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  return r + z * r * (S1 + z * p);
}

/** cos r, |r| ≤ π/4. */
export function cosKernel(r: number): number {
  const z = r * r;
  const w = z * z;
  const p = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  const v = 1.0 - hz;
  return v + (1.0 - v - hz + z * p);
}

/**
 * sin x for x = n·π/2 + r, from ks = sinKernel(r) and kc = cosKernel(r):
 * for q = n mod 4, ks, kc, −ks, −kc. Selected by multiplying with 0 and ±1
 * (exact), not by branching: quadrants of successive phases are random.
 */
export function sinOfQuadrant(ks: number, kc: number, n: number): number {
  const q = n - 4.0 * Math.floor(n * 0.25);
  const half = Math.floor(q * 0.5);
  const odd = q - 2.0 * half;
  return ((1.0 - odd) * ks + odd * kc) * (1.0 - 2.0 * half);
}

/** cos x for x = n·π/2 + r: for q = n mod 4, kc, −ks, −kc, ks (negative where exactly one of odd, half is 1). */
export function cosOfQuadrant(ks: number, kc: number, n: number): number {
  const q = n - 4.0 * Math.floor(n * 0.25);
  const half = Math.floor(q * 0.5);
  const odd = q - 2.0 * half;
  const negative = half + odd - 2.0 * half * odd;
  return ((1.0 - odd) * kc + odd * ks) * (1.0 - 2.0 * negative);
}
