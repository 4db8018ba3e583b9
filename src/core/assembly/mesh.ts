/**
 * MZI meshes (src/models/photonic/mesh/: Clements et al. 2016 rectangular,
 * Reck et al. 1994 triangular) for a batch of input vectors:
 * `meshCells` works out the cells' matrices and the output screen from the
 * phases (TypeScript twin: `programMesh`), `meshPropagate` applies them,
 * Y = D · T_{count−1} ⋯ T_0 · X in place (twin: `propagateInPlace`). The
 * layout (which modes, in which order) is worked out once in TypeScript.
 *
 * Memory layout:
 *   topMode [count] i32: cell j mixes modes topMode[j] and topMode[j] + 1;
 *   cells   [count × 8] f64: cell j's t00, t01, t10, t11, each (re, im);
 *   screen  [size × 2] f64: e^{iψ_k} of the output phase screen;
 *   fields  [size × nVectors × 2] f64, mode-major: X[k][v] at 2(k·nVectors + v),
 *           overwritten by Y.
 *
 * Both compute what their twins compute, operation for operation (no FMA
 * in WASM, and IEEE 754 makes each lane of an f64x2 operation the scalar
 * operation), so they agree to the bit (but for the sign of a zero, below);
 * test/core/mesh.test.ts pins it.
 *
 * Measured on the bench's case (64 modes, 2016 MZIs; kernel alone, one core
 * of the 2-vCPU Xeon the figures in bench/results.json come from):
 * propagation, mode-major with a complex per v128, 3.8 ms for 1024 vectors
 * in its general form; skipping the zero imaginary parts of
 * t01 and t11 where a cell has them (every cell with balanced couplers,
 * lossy or not) 1.9 ms. The skipped products are ±0, and adding ±0 leaves
 * every sum as it is except a sum of −0, which +0 would turn into +0
 * (IEEE 754: −0 + +0 = +0): so the values are the twin's, and the bits
 * too except that an output the twin gives as +0 may come out −0 — equal
 * under ===, which is what the bit-for-bit tests compare with;
 * tiling the vectors for L1 and unrolling gained nothing (the 1 MB batch
 * stays in L2); vector-major 6.4 ms. Cells: V8's Math.sin/cos in
 * TypeScript 66 µs, AssemblyScript's Math.sin/cos 37 µs, the portable sin
 * and cos scalar 38 µs, in f64x2 lanes 23 µs (trig.ts's `sinCos2`).
 */
import { REDUCTION_LIMIT } from "../../models/photonic/mesh/portable/trig";
import { cosOut2, sinOut2, Trig } from "./trig";

/** (−im, im) of the complex at `at`. */
function signedImag(at: usize): v128 {
  const im = load<f64>(at, 8);
  return f64x2.replace_lane(f64x2.splat(im), 0, -im);
}

/** (im, re) of x = (re, im). */
function swap(x: v128): v128 {
  return v128.shuffle<f64>(x, x, 1, 0);
}

/** Y = D · T_{count−1} ⋯ T_0 · X, in place in `fields` (layout above). */
export function meshPropagate(
  size: i32,
  count: i32,
  nVectors: i32,
  topMode: usize,
  cells: usize,
  screen: usize,
  fields: usize,
): void {
  const row = (<usize>nVectors) << 4;
  for (let j = 0; j < count; j++) {
    const t = cells + ((<usize>j) << 6);
    const ar = f64x2.splat(load<f64>(t));
    const ai = signedImag(t);
    const br = f64x2.splat(load<f64>(t, 16));
    const cr = f64x2.splat(load<f64>(t, 32));
    const ci = signedImag(t + 32);
    const dr = f64x2.splat(load<f64>(t, 48));
    let p = fields + <usize>load<i32>(topMode + ((<usize>j) << 2)) * row;
    const end = p + row;
    if (load<f64>(t, 24) === 0 && load<f64>(t, 56) === 0) {
      // t01 and t11 real: every cell with balanced couplers (Clements' T, lossy or not).
      for (; p < end; p += 16) {
        const x = v128.load(p);
        const z = v128.load(p + row);
        const xs = swap(x);
        v128.store(p, f64x2.add(f64x2.add(f64x2.mul(ar, x), f64x2.mul(ai, xs)), f64x2.mul(br, z)));
        v128.store(p + row, f64x2.add(f64x2.add(f64x2.mul(cr, x), f64x2.mul(ci, xs)), f64x2.mul(dr, z)));
      }
    } else {
      const bi = signedImag(t + 16);
      const di = signedImag(t + 48);
      for (; p < end; p += 16) {
        const x = v128.load(p);
        const z = v128.load(p + row);
        const xs = swap(x);
        const zs = swap(z);
        v128.store(
          p,
          f64x2.add(
            f64x2.add(f64x2.add(f64x2.mul(ar, x), f64x2.mul(ai, xs)), f64x2.mul(br, z)),
            f64x2.mul(bi, zs),
          ),
        );
        v128.store(
          p + row,
          f64x2.add(
            f64x2.add(f64x2.add(f64x2.mul(cr, x), f64x2.mul(ci, xs)), f64x2.mul(dr, z)),
            f64x2.mul(di, zs),
          ),
        );
      }
    }
  }
  for (let k = 0; k < size; k++) {
    const e = screen + ((<usize>k) << 4);
    const er = f64x2.splat(load<f64>(e));
    const ei = signedImag(e);
    let p = fields + <usize>k * row;
    const end = p + row;
    for (; p < end; p += 16) {
      const x = v128.load(p);
      v128.store(p, f64x2.add(f64x2.mul(er, x), f64x2.mul(ei, swap(x))));
    }
  }
}

/**
 * Cells' matrices [count × 8] and output screen [size × 2] from the phases
 * (rad) in `angles` = θ_0…θ_{count−1}, φ_0…φ_{count−1}, ψ_0…ψ_{size−1},
 * and the cell constants of src/models/photonic/mesh/cell.ts (amplitude a,
 * σ, C): `programMesh`. With T = 2·count + size rounded up to a multiple
 * of 4, `angles` has room for T f64 and `trig` is scratch for 2T.
 *
 * First sin and cos of every angle, each f64x2 lane doing portable/trig.ts's
 * operations in its order; then the cells, two MZIs at a time, with
 * `writeCell`'s operations in its order. So the cells are the same bits as
 * the TypeScript ones — except around a phase beyond REDUCTION_LIMIT, where
 * TypeScript takes V8's sin and cos and this libm's, for both angles of
 * that pair: agreeing to an ulp there, not to the bit.
 */
export function meshCells(
  count: i32,
  size: i32,
  angles: usize,
  amplitude: f64,
  sigma: f64,
  crossing: f64,
  trig: usize,
  cells: usize,
  screen: usize,
): void {
  const total = 2 * count + size;
  const sines = trig;
  const cosines = trig + ((<usize>((total + 3) & ~3)) << 3);
  sinCosAll(angles, total, sines, cosines);

  const thetaSin = sines;
  const thetaCos = cosines;
  const phiSin = sines + ((<usize>count) << 3);
  const phiCos = cosines + ((<usize>count) << 3);
  const a = f64x2.splat(amplitude);
  const sigmaV = f64x2.splat(sigma);
  const minusACrossing = f64x2.splat(-amplitude * crossing);
  const aCrossing = f64x2.splat(amplitude * crossing);
  const aSigma = f64x2.splat(amplitude * sigma);
  const zero = f64x2.splat(0);
  let j = 0;
  for (; j + 1 < count; j += 2) {
    const at = (<usize>j) << 3;
    const s = v128.load(thetaSin + at);
    const c = v128.load(thetaCos + at);
    const sp = v128.load(phiSin + at);
    const cp = v128.load(phiCos + at);
    const t00re = f64x2.mul(a, f64x2.add(f64x2.mul(cp, c), f64x2.mul(f64x2.mul(sp, sigmaV), s)));
    const t00im = f64x2.mul(a, f64x2.sub(f64x2.mul(sp, c), f64x2.mul(f64x2.mul(cp, sigmaV), s)));
    const t01re = f64x2.mul(minusACrossing, s);
    const cross = f64x2.mul(aCrossing, s);
    const t10re = f64x2.mul(cross, cp);
    const t10im = f64x2.mul(cross, sp);
    const t11re = f64x2.mul(a, c);
    const t11im = f64x2.mul(aSigma, s);
    const t = cells + ((<usize>j) << 6);
    v128.store(t, v128.shuffle<f64>(t00re, t00im, 0, 2));
    v128.store(t, v128.shuffle<f64>(t01re, zero, 0, 2), 16);
    v128.store(t, v128.shuffle<f64>(t10re, t10im, 0, 2), 32);
    v128.store(t, v128.shuffle<f64>(t11re, t11im, 0, 2), 48);
    v128.store(t, v128.shuffle<f64>(t00re, t00im, 1, 3), 64);
    v128.store(t, v128.shuffle<f64>(t01re, zero, 1, 3), 80);
    v128.store(t, v128.shuffle<f64>(t10re, t10im, 1, 3), 96);
    v128.store(t, v128.shuffle<f64>(t11re, t11im, 1, 3), 112);
  }
  if (j < count) {
    const at = (<usize>j) << 3;
    const s = load<f64>(thetaSin + at);
    const c = load<f64>(thetaCos + at);
    const sp = load<f64>(phiSin + at);
    const cp = load<f64>(phiCos + at);
    const t = cells + ((<usize>j) << 6);
    store<f64>(t, amplitude * (cp * c + sp * sigma * s));
    store<f64>(t, amplitude * (sp * c - cp * sigma * s), 8);
    store<f64>(t, -amplitude * crossing * s, 16);
    store<f64>(t, 0, 24);
    store<f64>(t, amplitude * crossing * s * cp, 32);
    store<f64>(t, amplitude * crossing * s * sp, 40);
    store<f64>(t, amplitude * c, 48);
    store<f64>(t, amplitude * sigma * s, 56);
  }
  const first = (<usize>(2 * count)) << 3;
  for (let k = 0; k < size; k++) {
    const at = first + ((<usize>k) << 3);
    store<f64>(screen + ((<usize>k) << 4), load<f64>(cosines + at));
    store<f64>(screen + ((<usize>k) << 4), load<f64>(sines + at), 8);
  }
}

/**
 * sines[k], cosines[k] ← sin, cos of angles[k] for k < total, four angles
 * (two f64x2) an iteration: two independent chains for the processor to
 * overlap, which measured 20 % faster than one. Then pairs of angles with
 * one beyond REDUCTION_LIMIT are redone with libm, in a pass of their own:
 * libm calls in the first loop, even untaken, made it twice as slow.
 */
function sinCosAll(angles: usize, total: i32, sines: usize, cosines: usize): void {
  // A total that is not a multiple of 4 reads and writes up to three f64 past its end, in the room left for them.
  for (let k = 0; k < total; k += 4) {
    const at = (<usize>k) << 3;
    Trig.sinCos2(v128.load(angles + at));
    v128.store(sines + at, sinOut2);
    v128.store(cosines + at, cosOut2);
    Trig.sinCos2(v128.load(angles + at + 16));
    v128.store(sines + at + 16, sinOut2);
    v128.store(cosines + at + 16, cosOut2);
  }
  const limit = f64x2.splat(REDUCTION_LIMIT);
  for (let k = 0; k < total; k += 2) {
    const at = (<usize>k) << 3;
    if (!i64x2.all_true(f64x2.le(f64x2.abs(v128.load(angles + at)), limit))) {
      for (let i: usize = 0; i < 16; i += 8) {
        const x = load<f64>(angles + at + i);
        store<f64>(sines + at + i, Math.sin(x));
        store<f64>(cosines + at + i, Math.cos(x));
      }
    }
  }
}
