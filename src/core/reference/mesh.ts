/**
 * TypeScript twins of the mesh kernels (src/core/assembly/mesh.ts): the
 * model layer's own code (src/models/photonic/mesh/), which computes the
 * same sines, products and sums in the same order. `meshCells` is
 * `programMesh`; `meshPropagate` is `propagateMesh`.
 */
export {
  programMesh as meshCellsReference,
  propagateMesh as meshPropagateReference,
} from "../../models/photonic/mesh/index.js";
