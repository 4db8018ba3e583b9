/** MZI meshes: Clements (rectangular) and Reck (triangular) — propagate, build the unitary, program a matrix. */
export {
  CELL_F64,
  CELL_PARTIALS,
  type CellConstants,
  type CellMatrix,
  cellConstants,
  clementsCell,
  cosine,
  sine,
  writeCell,
  writeCellPartials,
} from "./cell.js";
export {
  type DecomposeOptions,
  decomposeClements,
  decomposeReck,
  type ProgrammedPhases,
} from "./decompose.js";
export { type MeshPowerJacobian, meshPowerJacobian } from "./gradient.js";
export {
  checkLayout,
  clementsLayout,
  type MeshKind,
  type MeshLayout,
  MeshShapeError,
  meshLayout,
  reckLayout,
  slotIndex,
} from "./layout.js";
export { idealMesh, type MeshParams, meshParameters } from "./parameters.js";
export { checkPhases, type MeshPhases, type ProgrammedMesh, programMesh, zeroPhases } from "./program.js";
export {
  checkFields,
  checkProgrammedMesh,
  meshUnitary,
  propagateInPlace,
  propagateMesh,
} from "./propagate.js";
