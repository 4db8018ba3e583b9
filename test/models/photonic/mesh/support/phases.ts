/** Seeded random mesh settings for the tests. */
import type { MeshLayout, MeshPhases } from "../../../../../src/models/photonic/mesh/index.js";
import { seededRandom } from "../../../support/waveforms.js";

/** θ uniform in [0, π/2], φ and ψ uniform in [−π, π). */
export function randomPhases(layout: MeshLayout, seed: number): MeshPhases {
  const random = seededRandom(seed);
  const angle = () => 2 * Math.PI * (random() - 0.5);
  return {
    theta: Float64Array.from({ length: layout.count }, () => (Math.PI / 2) * random()),
    phi: Float64Array.from({ length: layout.count }, angle),
    outputPhase: Float64Array.from({ length: layout.size }, angle),
  };
}
