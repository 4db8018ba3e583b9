/**
 * Typed way into the mesh kernels (src/core/assembly/mesh.ts): a batch of
 * input vectors through an MZI mesh. Twin of `propagateMesh` (and
 * `programMesh`) in src/models/photonic/mesh/, which validate the same way
 * and define the layout: X is N × nVectors, mode-major, complex interleaved
 * (column v is input vector v).
 *
 * Three ways in: `meshPropagate` takes a mesh programmed once in TypeScript
 * (phases that stay put while samples stream), `residentMesh` keeps such a
 * mesh in the core's memory so that each call copies only its inputs (a
 * twin's per-sample path), and `meshPropagatePhases` takes the phases and
 * works out the cells in the core on every call (phases that move with
 * every sample). Both give the same bits as the TypeScript twin
 * (for phases within ±10⁶ rad; to an ulp beyond, see the kernel).
 *
 * The output is an `ndarray` view over the core's memory, shape
 * [N, nVectors, 2] (mode, vector, re/im): zero-copy, valid until the next
 * kernel call on the same Core, which reuses the memory (src/core/wasm.ts) —
 * copy what you keep (`view.data.slice()`).
 */
import ndarray, { type NdArray } from "ndarray";
import {
  CELL_F64,
  cellConstants,
  checkFields,
  checkPhases,
  checkProgrammedMesh,
  idealMesh,
  type MeshLayout,
  type MeshParams,
  type MeshPhases,
  type ProgrammedMesh,
} from "../../models/photonic/mesh/index.js";
import type { Arena, Core } from "../wasm.js";

/** The kernels' raw exports: addresses are byte offsets into the core's memory. */
export interface MeshExports {
  meshCells(
    count: number,
    size: number,
    angles: number,
    amplitude: number,
    sigma: number,
    crossing: number,
    trig: number,
    cells: number,
    screen: number,
  ): void;
  meshPropagate(
    size: number,
    count: number,
    nVectors: number,
    topMode: number,
    cells: number,
    screen: number,
    fields: number,
  ): void;
}

/** `propagateMesh(mesh, inputs, nVectors)` in the WASM core: Y = U·X. */
export function meshPropagate(
  core: Core,
  mesh: ProgrammedMesh,
  inputs: Float64Array,
  nVectors: number,
): NdArray<Float64Array> {
  const { layout } = mesh;
  checkProgrammedMesh(mesh);
  checkFields(layout, inputs, nVectors);
  return core.call((arena, exports) => {
    const topMode = placeModes(arena, exports.memory, layout);
    const cells = arena.place(mesh.cells);
    const screen = arena.place(mesh.screen);
    return propagate(
      arena,
      exports as unknown as MeshExports,
      layout,
      topMode,
      cells,
      screen,
      inputs,
      nVectors,
    );
  });
}

/** A programmed mesh whose cells live in the core's memory (see `residentMesh`). */
export interface ResidentMesh {
  readonly layout: MeshLayout;
  /**
   * `meshPropagate(core, mesh, inputs, nVectors)` without copying the mesh:
   * only the inputs go into the core. The same bits; a view valid until
   * the next kernel call on the same Core.
   */
  propagate(inputs: Float64Array, nVectors: number): NdArray<Float64Array>;
  /** Gives the mesh's memory back; `propagate` throws afterwards. */
  release(): void;
}

/**
 * Checks a programmed mesh and copies its cells, output screen and mode
 * indices into resident memory once (what a twin does when the phases
 * stay put and a sample arrives every few microseconds: `meshPropagate`
 * would copy the 64 f64 of every cell again each call — 129 kB for a
 * 64×64 Clements mesh — which costs as much as the propagation). The copy
 * is a snapshot: reprogram the mesh to change it.
 */
export function residentMesh(core: Core, mesh: ProgrammedMesh): ResidentMesh {
  checkProgrammedMesh(mesh);
  const { layout } = mesh;
  const modes = core.resident(new Float64Array(Math.ceil(layout.count / 2)));
  new Int32Array(modes.view().buffer, modes.address, layout.count).set(layout.topMode);
  const cells = core.resident(mesh.cells);
  const screen = core.resident(mesh.screen);
  const kept = [modes, cells, screen];
  return {
    layout,
    propagate(inputs, nVectors) {
      if (cells.released) throw new Error("mesh: propagate through a released resident mesh");
      checkFields(layout, inputs, nVectors);
      return core.call((arena, exports) =>
        propagate(
          arena,
          exports as unknown as MeshExports,
          layout,
          modes.address,
          cells.address,
          screen.address,
          inputs,
          nVectors,
        ),
      );
    },
    release: () => {
      for (const array of kept) array.release();
    },
  };
}

/** `propagateMesh(programMesh(layout, phases, params), inputs, nVectors)` in the WASM core, cells included. */
export function meshPropagatePhases(
  core: Core,
  layout: MeshLayout,
  phases: MeshPhases,
  inputs: Float64Array,
  nVectors: number,
  params: MeshParams = idealMesh,
): NdArray<Float64Array> {
  checkPhases(layout, phases);
  const { amplitude, sigma, crossing } = cellConstants(params);
  checkFields(layout, inputs, nVectors);
  return core.call((arena, exports) => {
    const mesh = exports as unknown as MeshExports;
    const topMode = placeModes(arena, exports.memory, layout);
    // θ…, φ…, ψ… in one array, padded with zeros to a multiple of 4 (the kernel takes angles four at a time).
    const total = 2 * layout.count + layout.size;
    const room = 4 * Math.ceil(total / 4);
    const angles = arena.reserve(room);
    const view = arena.view(angles, room);
    view.set(phases.theta, 0);
    view.set(phases.phi, layout.count);
    view.set(phases.outputPhase, 2 * layout.count);
    view.fill(0, total);
    const trig = arena.reserve(2 * room);
    const cells = arena.reserve(CELL_F64 * layout.count);
    const screen = arena.reserve(2 * layout.size);
    mesh.meshCells(layout.count, layout.size, angles, amplitude, sigma, crossing, trig, cells, screen);
    return propagate(arena, mesh, layout, topMode, cells, screen, inputs, nVectors);
  });
}

/** The layout's i32 mode indices, in f64-sized slots of the arena; returns their address. */
function placeModes(arena: Arena, memory: WebAssembly.Memory, layout: MeshLayout): number {
  const at = arena.reserve(Math.ceil(layout.count / 2));
  // Written at once: a later allocation may grow the memory (keeping its contents) and detach this view.
  new Int32Array(memory.buffer, at, layout.count).set(layout.topMode);
  return at;
}

function propagate(
  arena: Arena,
  mesh: MeshExports,
  layout: MeshLayout,
  topMode: number,
  cells: number,
  screen: number,
  inputs: Float64Array,
  nVectors: number,
): NdArray<Float64Array> {
  const fields = arena.place(inputs);
  mesh.meshPropagate(layout.size, layout.count, nVectors, topMode, cells, screen, fields);
  return ndarray(arena.view(fields, inputs.length), [layout.size, nVectors, 2]);
}
