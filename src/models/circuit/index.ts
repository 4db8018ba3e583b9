/** Composition: netlists of photonic models compiled into models, and the demo chip. */
export { invert, multiply } from "../complex-matrix.js";
export {
  type DemoChipGradient,
  type DemoChipInputs,
  type DemoChipOutput,
  type DemoChipPartial,
  demoChip,
  demoChipCircuit,
  demoChipHeaterPower,
  demoChipMemristor,
  demoChipNetlist,
  demoChipParameters,
  evaluateDemoChip,
  evaluateDemoChipWithGradient,
} from "./demo-chip.js";
export {
  type Circuit,
  compileNetlist,
  type ModelLibrary,
  type Netlist,
  NetlistError,
  type NetlistInstance,
  SingularCircuitError,
} from "./netlist.js";
export { type PatchSectionParams, patchSectionParameters, phaseChangePatch } from "./phase-change-patch.js";
