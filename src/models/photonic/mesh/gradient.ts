/**
 * Output powers of a mesh for one input vector, and their derivatives with
 * respect to every phase and every parameter of `meshParameters` — what a
 * calibration fits a mesh to, and what training a mesh to a target needs.
 *
 * With y = D · T_{M−1} ⋯ T_0 · x, z_j the field entering cell j and
 * w_j^(k)ᵀ = e_kᵀ · D · T_{M−1} ⋯ T_{j+1} (row k of what follows cell j),
 *
 *   ∂y_k/∂p = Σ_j w_j^(k)ᵀ · (∂T_j/∂p) · z_j,   ∂|y_k|²/∂p = 2 Re(ȳ_k · ∂y_k/∂p)
 *
 * (the adjoint method: one forward pass stores every z_j, one backward pass
 * per output carries w). A phase θ_j or φ_j enters only cell j; a parameter
 * enters every cell. The output phases ψ_k only rotate y_k, so no output
 * power depends on them and they have no column here.
 */
import { CELL_F64, CELL_PARTIALS, cellConstants, writeCellPartials } from "./cell.js";
import type { MeshLayout } from "./layout.js";
import { idealMesh, type MeshParams, meshParameters } from "./parameters.js";
import { type MeshPhases, programMesh } from "./program.js";
import { checkFields } from "./propagate.js";

export interface MeshPowerJacobian {
  /** |y_k|² of each output k, in the unit of |x|² (W when fields are in √W). */
  readonly power: Float64Array;
  /** ∂|y_k|²/∂θ_j at k·M + j (M MZIs, layout order), per rad. */
  readonly theta: Float64Array;
  /** ∂|y_k|²/∂φ_j at k·M + j, per rad. */
  readonly phi: Float64Array;
  /**
   * ∂|y_k|²/∂p_i at k·P + i, for the P parameters in `meshParameters` order, per their unit.
   * Not defined at coupling 0 or 1: the crossing amplitude 2√(κ(1 − κ)) has an
   * infinite slope there, and the entries come out ±∞ or NaN (a fit of κ
   * stays inside (0, 1); the powers themselves are exact at the ends).
   */
  readonly parameters: Float64Array;
}

/** Output powers of `layout` set to `phases` for the input vector `input` (N complex, interleaved), with their Jacobian. */
export function meshPowerJacobian(
  layout: MeshLayout,
  phases: MeshPhases,
  input: Float64Array,
  params: MeshParams = idealMesh,
): MeshPowerJacobian {
  checkFields(layout, input, 1);
  const { cells, screen } = programMesh(layout, phases, params);
  const constants = cellConstants(params);
  const n = layout.size;
  const count = layout.count;
  const stride = CELL_PARTIALS * CELL_F64;
  const partials = new Float64Array(count * stride);
  for (let j = 0; j < count; j++) {
    writeCellPartials(partials, j * stride, phases.theta[j] as number, phases.phi[j] as number, constants);
  }

  // Forward: keep (z_m, z_n) entering each cell.
  const z = input.slice();
  const entering = new Float64Array(4 * count);
  for (let j = 0; j < count; j++) {
    const p = 2 * (layout.topMode[j] as number);
    entering.set(z.subarray(p, p + 4), 4 * j);
    applyCell(cells, CELL_F64 * j, z, p, z, p);
  }
  const y = new Float64Array(2 * n);
  const power = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    y[2 * k] = re(screen, 2 * k, z, 2 * k);
    y[2 * k + 1] = im(screen, 2 * k, z, 2 * k);
    power[k] = (y[2 * k] as number) ** 2 + (y[2 * k + 1] as number) ** 2;
  }

  // Backward, once per output k.
  const nParams = meshParameters.length;
  const theta = new Float64Array(n * count);
  const phi = new Float64Array(n * count);
  const parameters = new Float64Array(n * nParams);
  const w = new Float64Array(2 * n);
  const g = new Float64Array(4);
  for (let k = 0; k < n; k++) {
    w.fill(0);
    w[2 * k] = screen[2 * k] as number;
    w[2 * k + 1] = screen[2 * k + 1] as number;
    const yr = y[2 * k] as number;
    const yi = y[2 * k + 1] as number;
    for (let j = count - 1; j >= 0; j--) {
      const p = 2 * (layout.topMode[j] as number);
      if (w[p] === 0 && w[p + 1] === 0 && w[p + 2] === 0 && w[p + 3] === 0) continue;
      for (let q = 0; q < CELL_PARTIALS; q++) {
        // g = (∂T/∂p)·z_j; ∂y_k/∂p = w_m g_0 + w_n g_1.
        applyCell(partials, j * stride + q * CELL_F64, entering, 4 * j, g, 0);
        const dyr = re(w, p, g, 0) + re(w, p + 2, g, 2);
        const dyi = im(w, p, g, 0) + im(w, p + 2, g, 2);
        const dPower = 2 * (yr * dyr + yi * dyi);
        if (q === 0) theta[k * count + j] = dPower;
        else if (q === 1) phi[k * count + j] = dPower;
        else parameters[k * nParams + q - 2] = (parameters[k * nParams + q - 2] as number) + dPower;
      }
      // wᵀ ← wᵀ T_j: (w_m, w_n) ← (w_m t00 + w_n t10, w_m t01 + w_n t11).
      const t = CELL_F64 * j;
      const mr = re(w, p, cells, t) + re(w, p + 2, cells, t + 4);
      const mi = im(w, p, cells, t) + im(w, p + 2, cells, t + 4);
      const nr = re(w, p, cells, t + 2) + re(w, p + 2, cells, t + 6);
      const ni = im(w, p, cells, t + 2) + im(w, p + 2, cells, t + 6);
      w.set([mr, mi, nr, ni], p);
    }
  }
  return { power, theta, phi, parameters };
}

/** Re(a·b) of complex a at a[i] and b at b[j]. */
function re(a: Float64Array, i: number, b: Float64Array, j: number): number {
  return (a[i] as number) * (b[j] as number) - (a[i + 1] as number) * (b[j + 1] as number);
}

/** Im(a·b). */
function im(a: Float64Array, i: number, b: Float64Array, j: number): number {
  return (a[i] as number) * (b[j + 1] as number) + (a[i + 1] as number) * (b[j] as number);
}

/** out[o…o+3] = t · (x[i…i+3]) for the 2×2 complex matrix t at matrix[at…] (out may alias x). */
function applyCell(
  matrix: Float64Array,
  at: number,
  x: Float64Array,
  i: number,
  out: Float64Array,
  o: number,
): void {
  const r0 = re(matrix, at, x, i) + re(matrix, at + 2, x, i + 2);
  const i0 = im(matrix, at, x, i) + im(matrix, at + 2, x, i + 2);
  const r1 = re(matrix, at + 4, x, i) + re(matrix, at + 6, x, i + 2);
  const i1 = im(matrix, at + 4, x, i) + im(matrix, at + 6, x, i + 2);
  out[o] = r0;
  out[o + 1] = i0;
  out[o + 2] = r1;
  out[o + 3] = i1;
}
