/**
 * sin and cos together, scalar and on f64x2 lanes, for the kernels that
 * need both of one angle (mesh.ts: the MZI phases; ring.ts: the round-trip
 * half phase): the operations of src/models/photonic/mesh/portable/trig.ts
 * in its order — quarterTurns, reduced (Cody–Waite by π/2 in three 33-bit
 * parts), sinKernel and cosKernel (fdlibm's __kernel_sin / __kernel_cos
 * minimax polynomials, sharing z = r² and w = z²), sinOfQuadrant and
 * cosOfQuadrant (selection by multiplying with 0 and ±1, branch-free) — so
 * the results are the TypeScript functions' bits, and each lane of
 * `sinCos2` is `sinCos` of that lane.
 *
 * Exact only for |x| ≤ REDUCTION_LIMIT (and finite): callers check their
 * limit and take Math.sin / Math.cos beyond it.
 *
 * Results go to module globals (AssemblyScript has no multiple returns);
 * read them right after the call.
 */
import {
  C1,
  C2,
  C3,
  C4,
  C5,
  C6,
  PIO2_1,
  PIO2_2,
  PIO2_3,
  ROUNDER,
  S1,
  S2,
  S3,
  S4,
  S5,
  S6,
  TWO_OVER_PI,
} from "../../models/photonic/mesh/portable/trig";

/** Results of `Trig.sinCos`. */
export let sinOut: f64 = 0;
export let cosOut: f64 = 0;
/** Results of `Trig.sinCos2`. */
export let sinOut2: v128 = f64x2.splat(0);
export let cosOut2: v128 = f64x2.splat(0);

/**
 * Steps inlined into the kernels. A class only because AssemblyScript's
 * `@inline` on a static method is a form every TypeScript tool parses.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: the form of `@inline` that TypeScript tools parse.
export class Trig {
  /** sin x, cos x into sinOut, cosOut; |x| ≤ REDUCTION_LIMIT. */
  @inline
  static sinCos(x: f64): void {
    const n = x * TWO_OVER_PI + ROUNDER - ROUNDER;
    const r = x - n * PIO2_1 - n * PIO2_2 - n * PIO2_3;
    const z = r * r;
    const w = z * z;
    const ps = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    const ks = r + z * r * (S1 + z * ps);
    const pc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    const hz = 0.5 * z;
    const v = 1.0 - hz;
    const kc = v + (1.0 - v - hz + z * pc);
    const q = n - 4.0 * Math.floor(n * 0.25);
    const half = Math.floor(q * 0.5);
    const odd = q - 2.0 * half;
    const even = 1.0 - odd;
    const negative = half + odd - 2.0 * half * odd;
    sinOut = (even * ks + odd * kc) * (1.0 - 2.0 * half);
    cosOut = (even * kc + odd * ks) * (1.0 - 2.0 * negative);
  }

  /** `sinCos` of both lanes of x into sinOut2, cosOut2, the same operations lane for lane. */
  @inline
  static sinCos2(x: v128): void {
    const n = f64x2.sub(f64x2.add(f64x2.mul(x, splat(TWO_OVER_PI)), splat(ROUNDER)), splat(ROUNDER));
    const r = f64x2.sub(
      f64x2.sub(f64x2.sub(x, f64x2.mul(n, splat(PIO2_1))), f64x2.mul(n, splat(PIO2_2))),
      f64x2.mul(n, splat(PIO2_3)),
    );
    const z = f64x2.mul(r, r);
    const w = f64x2.mul(z, z);
    // sinKernel
    const ps = f64x2.add(
      f64x2.add(splat(S2), f64x2.mul(z, f64x2.add(splat(S3), f64x2.mul(z, splat(S4))))),
      f64x2.mul(f64x2.mul(z, w), f64x2.add(splat(S5), f64x2.mul(z, splat(S6)))),
    );
    const ks = f64x2.add(r, f64x2.mul(f64x2.mul(z, r), f64x2.add(splat(S1), f64x2.mul(z, ps))));
    // cosKernel
    const pc = f64x2.add(
      f64x2.mul(z, f64x2.add(splat(C1), f64x2.mul(z, f64x2.add(splat(C2), f64x2.mul(z, splat(C3)))))),
      f64x2.mul(
        f64x2.mul(w, w),
        f64x2.add(splat(C4), f64x2.mul(z, f64x2.add(splat(C5), f64x2.mul(z, splat(C6))))),
      ),
    );
    const hz = f64x2.mul(splat(0.5), z);
    const v = f64x2.sub(splat(1.0), hz);
    const kc = f64x2.add(v, f64x2.add(f64x2.sub(f64x2.sub(splat(1.0), v), hz), f64x2.mul(z, pc)));
    // sinOfQuadrant, cosOfQuadrant
    const q = f64x2.sub(n, f64x2.mul(splat(4.0), f64x2.floor(f64x2.mul(n, splat(0.25)))));
    const half = f64x2.floor(f64x2.mul(q, splat(0.5)));
    const odd = f64x2.sub(q, f64x2.mul(splat(2.0), half));
    const even = f64x2.sub(splat(1.0), odd);
    const negative = f64x2.sub(f64x2.add(half, odd), f64x2.mul(f64x2.mul(splat(2.0), half), odd));
    sinOut2 = f64x2.mul(
      f64x2.add(f64x2.mul(even, ks), f64x2.mul(odd, kc)),
      f64x2.sub(splat(1.0), f64x2.mul(splat(2.0), half)),
    );
    cosOut2 = f64x2.mul(
      f64x2.add(f64x2.mul(even, kc), f64x2.mul(odd, ks)),
      f64x2.sub(splat(1.0), f64x2.mul(splat(2.0), negative)),
    );
  }
}

/** c in both lanes. */
function splat(c: f64): v128 {
  return f64x2.splat(c);
}
