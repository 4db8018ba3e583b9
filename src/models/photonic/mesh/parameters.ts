/**
 * The non-ideal parts of an MZI mesh, declared as data (DESIGN.md,
 * "Models"). Each is the same for every MZI of the mesh: a systematic error
 * of the process, the kind a calibration fits from a handful of
 * measurements. Defaults are the ideal, lossless mesh of Clements et al.
 * (2016), in which every cell is exactly their T_{m,n}(θ, φ).
 */
import { defaultsOf, type ParameterSpec, type ParamsOf } from "../../parameters.js";

export const meshParameters = [
  {
    name: "excessLossDb",
    unit: "dB",
    default: 0,
    min: 0,
    max: 10,
    meaning:
      "excess loss of each MZI, both couplers together (twice the per-coupler excessLossDb of mzi.ts), common to both outputs (power factor 10^(−L/10))",
  },
  {
    name: "coupling",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 1,
    meaning: "power coupling κ of each directional coupler of each MZI; 0.5 is the ideal 50:50",
  },
] as const satisfies readonly ParameterSpec[];

export type MeshParams = ParamsOf<typeof meshParameters>;

/** The ideal mesh: lossless MZIs with 50:50 couplers. */
export const idealMesh: Readonly<MeshParams> = defaultsOf(meshParameters);
