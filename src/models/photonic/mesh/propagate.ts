/**
 * Fields through a programmed mesh, and the mesh's matrix.
 *
 * A batch of input vectors is the N × B complex matrix X whose column v is
 * input vector v, stored mode-major and interleaved: X[k][v] at
 * 2(k·B + v) (re) and 2(k·B + v) + 1 (im). The output is Y = U·X in the
 * same layout. Mode-major keeps the two rows a cell mixes contiguous, so a
 * cell is one pass over two rows (the WASM kernel streams them, with SIMD);
 * B = 1 is a single vector.
 *
 * Convention (test/models/photonic/mesh/convention.test.ts pins it):
 * U[out][in] is the field at output `out` for unit field at input `in`,
 * y_out = Σ_in U[out][in] x_in, and `meshUnitary` stores it row-major,
 * interleaved: U[out][in] at 2(out·N + in).
 *
 * This is also the TypeScript reference of the `meshPropagate` WASM kernel
 * (src/core/assembly/mesh.ts), operation for operation.
 */
import { CELL_F64 } from "./cell.js";
import { checkLayout, type MeshLayout, MeshShapeError } from "./layout.js";
import { idealMesh, type MeshParams } from "./parameters.js";
import { firstNonFinite, type MeshPhases, type ProgrammedMesh, programMesh } from "./program.js";

/** Refuses a layout that does not hold together (`checkLayout`), a batch whose length is not 2·N·B, or values that are not finite. */
export function checkFields(layout: MeshLayout, fields: Float64Array, nVectors: number): void {
  checkLayout(layout);
  if (!Number.isInteger(nVectors) || nVectors < 0) {
    throw new RangeError(`MZI mesh: nVectors = ${nVectors}`);
  }
  if (fields.length !== 2 * layout.size * nVectors) {
    throw new MeshShapeError(
      "fields",
      undefined,
      `${fields.length} f64 of fields for N = ${layout.size} modes × ${nVectors} vectors (expected ${2 * layout.size * nVectors}, complex interleaved)`,
    );
  }
  const bad = firstNonFinite(fields);
  if (bad >= 0) throw new RangeError(`MZI mesh: fields[${bad}] = ${fields[bad]}`);
}

/**
 * Refuses a programmed mesh whose layout does not hold together or whose
 * cells and screen are not the lengths its layout needs (8 f64 per MZI,
 * 2 per mode): cells programmed for another layout. Constant cost after a
 * layout's first check, so it runs on every call.
 */
export function checkProgrammedMesh(mesh: ProgrammedMesh): void {
  const { layout, cells, screen } = mesh;
  checkLayout(layout);
  const expected = [
    ["cells", cells.length, CELL_F64 * layout.count, `${layout.count} MZIs`],
    ["screen", screen.length, 2 * layout.size, `${layout.size} modes`],
  ] as const;
  for (const [field, length, needed, what] of expected) {
    if (length !== needed) {
      throw new MeshShapeError(
        field,
        undefined,
        `${length} f64 of ${field} for the ${layout.kind} layout's ${what} (expected ${needed}): programmed for another layout?`,
      );
    }
  }
}

/** Y = U·X for a batch X of `nVectors` input vectors (layout above); a new array. */
export function propagateMesh(mesh: ProgrammedMesh, inputs: Float64Array, nVectors: number): Float64Array {
  checkProgrammedMesh(mesh);
  checkFields(mesh.layout, inputs, nVectors);
  const fields = inputs.slice();
  propagateInPlace(mesh, fields, nVectors);
  return fields;
}

/** Propagates `fields` (checked by the caller) through the mesh, overwriting them. */
export function propagateInPlace(mesh: ProgrammedMesh, fields: Float64Array, nVectors: number): void {
  const { layout, cells, screen } = mesh;
  const row = 2 * nVectors;
  for (let j = 0; j < layout.count; j++) {
    const t = CELL_F64 * j;
    const ar = cells[t] as number;
    const ai = cells[t + 1] as number;
    const br = cells[t + 2] as number;
    const bi = cells[t + 3] as number;
    const cr = cells[t + 4] as number;
    const ci = cells[t + 5] as number;
    const dr = cells[t + 6] as number;
    const di = cells[t + 7] as number;
    let p = (layout.topMode[j] as number) * row;
    let q = p + row;
    for (let v = 0; v < nVectors; v++, p += 2, q += 2) {
      const xr = fields[p] as number;
      const xi = fields[p + 1] as number;
      const zr = fields[q] as number;
      const zi = fields[q + 1] as number;
      fields[p] = ar * xr + -ai * xi + br * zr + -bi * zi;
      fields[p + 1] = ar * xi + ai * xr + br * zi + bi * zr;
      fields[q] = cr * xr + -ci * xi + dr * zr + -di * zi;
      fields[q + 1] = cr * xi + ci * xr + dr * zi + di * zr;
    }
  }
  for (let k = 0; k < layout.size; k++) {
    const er = screen[2 * k] as number;
    const ei = screen[2 * k + 1] as number;
    for (let p = k * row, end = p + row; p < end; p += 2) {
      const xr = fields[p] as number;
      const xi = fields[p + 1] as number;
      fields[p] = er * xr + -ei * xi;
      fields[p + 1] = er * xi + ei * xr;
    }
  }
}

/** The N×N matrix of `layout` set to `phases`: U[out][in] at 2(out·N + in), interleaved. */
export function meshUnitary(
  layout: MeshLayout,
  phases: MeshPhases,
  params: MeshParams = idealMesh,
): Float64Array {
  const n = layout.size;
  // Propagating the identity (column v = unit input v) leaves U itself, row-major.
  const fields = new Float64Array(2 * n * n);
  for (let k = 0; k < n; k++) fields[2 * (k * n + k)] = 1;
  propagateInPlace(programMesh(layout, phases, params), fields, n);
  return fields;
}
