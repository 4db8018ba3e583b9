/**
 * A mesh's phases, and the mesh programmed with them: every cell's 2×2
 * matrix and the output phase screen worked out once (STYLE.md 7), so that
 * propagating vectors — per sample, in a twin — is only multiply-adds.
 *
 * The mesh implements U = D · T_{M−1} ⋯ T_1 · T_0 (light meets cell 0
 * first; cells in layout order), with D = diag(e^{iψ_0}, …, e^{iψ_{N−1}})
 * the output phase screen of Clements et al. (2016).
 */
import { CELL_F64, cellConstants, cosine, sine, writeCell } from "./cell.js";
import { checkLayout, type MeshLayout, MeshShapeError } from "./layout.js";
import { idealMesh, type MeshParams } from "./parameters.js";

/** The settings of a mesh, rad. */
export interface MeshPhases {
  /** θ_j of MZI j (layout order): splitting, cross power sin²θ. */
  readonly theta: Float64Array;
  /** φ_j of MZI j: phase on its input topMode[j]. */
  readonly phi: Float64Array;
  /** ψ_k of the output phase screen D, one per mode. */
  readonly outputPhase: Float64Array;
}

/** A mesh ready to propagate fields: its layout, cell matrices and output screen. */
export interface ProgrammedMesh {
  readonly layout: MeshLayout;
  /** Cell j's matrix t00, t01, t10, t11 (re, im) at cells[8j…8j+7]. */
  readonly cells: Float64Array;
  /** e^{iψ_k} interleaved (re, im), one per mode. */
  readonly screen: Float64Array;
}

/** All phases zero: every MZI in the bar state, T(0, 0) = 1, so the ideal mesh is the identity. */
export function zeroPhases(layout: MeshLayout): MeshPhases {
  return {
    theta: new Float64Array(layout.count),
    phi: new Float64Array(layout.count),
    outputPhase: new Float64Array(layout.size),
  };
}

/** Refuses a layout that does not hold together (`checkLayout`), phases whose lengths do not fit it, or that are not finite. */
export function checkPhases(layout: MeshLayout, phases: MeshPhases): void {
  checkLayout(layout);
  const expected = [
    ["theta", layout.count],
    ["phi", layout.count],
    ["outputPhase", layout.size],
  ] as const;
  for (const [name, length] of expected) {
    const values = phases[name];
    if (values.length !== length) {
      throw new MeshShapeError(
        name,
        undefined,
        `${values.length} values of ${name} for the ${layout.kind} layout on N = ${layout.size} modes (expected ${length})`,
      );
    }
    const bad = firstNonFinite(values);
    if (bad >= 0) throw new RangeError(`MZI mesh: ${name}[${bad}] = ${values[bad]} rad`);
  }
}

/**
 * Index of the first NaN or ±∞ in `values`, or −1. It runs on every kernel
 * call, so the common case is one pass without branches (x·0 is 0 for
 * finite x and NaN otherwise; four sums keep the additions independent),
 * 3× faster than testing each value; the index is searched for only when
 * something is wrong.
 */
export function firstNonFinite(values: Float64Array): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = 0;
  for (; k + 3 < values.length; k += 4) {
    a += (values[k] as number) * 0;
    b += (values[k + 1] as number) * 0;
    c += (values[k + 2] as number) * 0;
    d += (values[k + 3] as number) * 0;
  }
  for (; k < values.length; k++) a += (values[k] as number) * 0;
  return a + b + c + d === 0 ? -1 : values.findIndex((v) => !Number.isFinite(v));
}

/** Works out every cell matrix and the output screen of `layout` set to `phases` (twin of the WASM `meshCells`). */
export function programMesh(
  layout: MeshLayout,
  phases: MeshPhases,
  params: MeshParams = idealMesh,
): ProgrammedMesh {
  checkPhases(layout, phases);
  const constants = cellConstants(params);
  const cells = new Float64Array(CELL_F64 * layout.count);
  for (let j = 0; j < layout.count; j++) {
    writeCell(cells, CELL_F64 * j, phases.theta[j] as number, phases.phi[j] as number, constants);
  }
  const screen = new Float64Array(2 * layout.size);
  for (let k = 0; k < layout.size; k++) {
    const psi = phases.outputPhase[k] as number;
    screen[2 * k] = cosine(psi);
    screen[2 * k + 1] = sine(psi);
  }
  return { layout, cells, screen };
}
