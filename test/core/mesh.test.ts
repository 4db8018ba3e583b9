/**
 * The mesh kernels against their TypeScript reference (the model's
 * `programMesh` and `propagateMesh`) on random meshes and batches: to 1e-12
 * of the largest output, the contract; in fact to the bit, since both
 * compute the same sines and products in the same order
 * (src/core/assembly/mesh.ts), which the bit-for-bit tests pin.
 */
import type { NdArray } from "ndarray";
import { beforeAll, describe, expect, it } from "vitest";
import { meshPropagate, meshPropagatePhases, residentMesh } from "../../src/core/kernels/mesh.js";
import { loadCore } from "../../src/core/load-node.js";
import { meshPropagateReference } from "../../src/core/reference/mesh.js";
import type { Core } from "../../src/core/wasm.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import {
  clementsLayout,
  type MeshLayout,
  type MeshParams,
  type MeshPhases,
  MeshShapeError,
  meshLayout,
  meshPowerJacobian,
  programMesh,
  zeroPhases,
} from "../../src/models/photonic/mesh/index.js";
import { randomPhases } from "../models/photonic/mesh/support/phases.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function randomCase(
  kind: "clements" | "reck",
  n: number,
  nVectors: number,
  params: MeshParams,
  seed: number,
) {
  const layout = meshLayout(kind, n);
  const phases = randomPhases(layout, seed);
  const mesh = programMesh(layout, phases, params);
  const random = seededRandom(seed + 1);
  const inputs = Float64Array.from({ length: 2 * n * nVectors }, () => 2 * random() - 1);
  return { layout, phases, params, mesh, inputs };
}

/**
 * Elementwise: each output field (complex) within 1e-12 of its own modulus.
 * Floor 1e-12 of the largest modulus: an output is a sum of interfering
 * O(scale) terms, so one below ~1e-12 of scale (destructive interference)
 * is rounding noise and only needs to agree to 1e-24 of scale.
 */
function expectClose(view: NdArray<Float64Array>, expected: Float64Array, n: number, nVectors: number) {
  expect(view.shape).toEqual([n, nVectors, 2]);
  let scale = 0;
  for (let k = 0; k < expected.length; k += 2)
    scale = Math.max(scale, Math.hypot(expected[k] as number, expected[k + 1] as number));
  for (let k = 0; k < n; k++) {
    for (let v = 0; v < nVectors; v++) {
      const at = 2 * (k * nVectors + v);
      const [re, im] = [expected[at] as number, expected[at + 1] as number];
      const difference = Math.hypot(view.get(k, v, 0) - re, view.get(k, v, 1) - im);
      const bound = 1e-12 * Math.max(Math.hypot(re, im), 1e-12 * scale);
      if (!(difference <= bound)) expect.fail(`[${k}, ${v}]: differs by ${difference} (bound ${bound})`);
    }
  }
}

const differing = (view: NdArray<Float64Array>, expected: Float64Array) =>
  view.data.filter((v, k) => v !== expected[k]).length;

const cases = (["clements", "reck"] as const).flatMap((kind) =>
  [
    [1, 4],
    [2, 1],
    [5, 7],
    [16, 1],
    [16, 33],
    [64, 1],
    [64, 64],
  ].map(([n, b]) => [kind, n as number, b as number] as const),
);

const nonIdeal: MeshParams = { excessLossDb: 0.3, coupling: 0.47 };

describe("meshPropagate (a mesh programmed in TypeScript)", () => {
  it.each(cases)("matches the reference to 1e-12: %s, N = %i, %i vectors", (kind, n, nVectors) => {
    const { mesh, inputs } = randomCase(kind, n, nVectors, nonIdeal, n + nVectors);
    expectClose(
      meshPropagate(core, mesh, inputs, nVectors),
      meshPropagateReference(mesh, inputs, nVectors),
      n,
      nVectors,
    );
  });

  it.each([
    ["ideal (cells with a real second column)", { excessLossDb: 0, coupling: 0.5 }],
    ["imbalanced", nonIdeal],
  ] as const)(
    "equals the reference bit for bit, %s, on a 64-mode Clements mesh × 256 vectors",
    (_what, params) => {
      const { mesh, inputs } = randomCase("clements", 64, 256, params, 3);
      expect(
        differing(meshPropagate(core, mesh, inputs, 256), meshPropagateReference(mesh, inputs, 256)),
      ).toBe(0);
    },
  );
  it("runs an empty batch", () => {
    const layout = clementsLayout(4);
    expect(
      meshPropagate(core, programMesh(layout, randomPhases(layout, 1)), new Float64Array(0), 0).size,
    ).toBe(0);
  });

  it.each([
    ["a batch of the wrong length", new Float64Array(9), 1],
    ["a non-finite field", new Float64Array(8).fill(Number.NaN), 1],
  ])("refuses %s, like the reference", (_what, fields, nVectors) => {
    const layout = clementsLayout(4);
    const mesh = programMesh(layout, randomPhases(layout, 2));
    expect(() => meshPropagate(core, mesh, fields, nVectors)).toThrow(RangeError);
    expect(() => meshPropagateReference(mesh, fields, nVectors)).toThrow(RangeError);
  });
});

describe("residentMesh (a programmed mesh kept in the core)", () => {
  it.each(cases)("equals meshPropagate bit for bit: %s, N = %i, %i vectors", (kind, n, nVectors) => {
    const { mesh, inputs } = randomCase(kind, n, nVectors, nonIdeal, 2 * n + nVectors);
    const resident = residentMesh(core, mesh);
    expect(
      differing(resident.propagate(inputs, nVectors), meshPropagateReference(mesh, inputs, nVectors)),
    ).toBe(0);
    resident.release();
  });

  it("keeps its cells across other kernel calls, memory growth and later residents", () => {
    const { mesh, inputs } = randomCase("clements", 16, 1, nonIdeal, 5);
    const expected = meshPropagateReference(mesh, inputs, 1);
    const resident = residentMesh(core, mesh);
    const other = randomCase("reck", 32, 2000, nonIdeal, 6); // ~2 MB of fields: the memory grows
    meshPropagate(core, other.mesh, other.inputs, 2000);
    const later = residentMesh(core, other.mesh);
    expect(differing(resident.propagate(inputs, 1), expected)).toBe(0);
    expect(
      differing(later.propagate(other.inputs, 2000), meshPropagateReference(other.mesh, other.inputs, 2000)),
    ).toBe(0);
    later.release();
    resident.release();
  });

  it("refuses bad inputs like meshPropagate, a mismatched mesh when kept, and any use once released", () => {
    const layout = clementsLayout(4);
    const mesh = programMesh(layout, randomPhases(layout, 2));
    const resident = residentMesh(core, mesh);
    expect(() => resident.propagate(new Float64Array(9), 1)).toThrow(RangeError);
    expect(() => resident.propagate(new Float64Array(8).fill(Number.NaN), 1)).toThrow(RangeError);
    const three = programMesh(clementsLayout(3), randomPhases(clementsLayout(3), 1));
    expect(() => residentMesh(core, { ...mesh, cells: three.cells })).toThrow(MeshShapeError);
    resident.release();
    expect(() => resident.propagate(new Float64Array(8), 1)).toThrow(/released/);
  });
});

describe("meshPropagatePhases (cells worked out in the core)", () => {
  const fromPhases = (c: ReturnType<typeof randomCase>, nVectors: number) =>
    meshPropagatePhases(core, c.layout, c.phases, c.inputs, nVectors, c.params);

  it.each(cases)("equals the reference bit for bit: %s, N = %i, %i vectors", (kind, n, nVectors) => {
    const c = randomCase(kind, n, nVectors, nonIdeal, 7 * n + nVectors);
    expect(differing(fromPhases(c, nVectors), meshPropagateReference(c.mesh, c.inputs, nVectors))).toBe(0);
  });

  it("matches the reference to 1e-12 with phases in every quadrant and beyond 10⁶ rad (libm there)", () => {
    const c = randomCase("clements", 16, 3, nonIdeal, 5);
    const spread = (p: Float64Array, k: number) => p.map((v, j) => v + 2 * Math.PI * ((j * k) % 50) - 100);
    const phases: MeshPhases = {
      theta: spread(c.phases.theta, 3),
      phi: spread(c.phases.phi, 7).map((v, j) => (j % 11 === 0 ? v + 3e6 : v)),
      outputPhase: spread(c.phases.outputPhase, 5).map((v, k) => (k === 2 ? v - 5e7 : v)),
    };
    const expected = meshPropagateReference(programMesh(c.layout, phases, c.params), c.inputs, 3);
    expectClose(meshPropagatePhases(core, c.layout, phases, c.inputs, 3, c.params), expected, 16, 3);
  });

  it.each([
    ["a non-finite phase", (p: MeshPhases) => ({ ...p, phi: p.phi.map(() => Number.NaN) }), RangeError],
    ["too few phases", (p: MeshPhases) => ({ ...p, theta: p.theta.subarray(1) }), RangeError],
  ])("refuses %s, like the reference", (_what, spoil, error) => {
    const c = randomCase("reck", 4, 1, nonIdeal, 1);
    const phases = spoil(c.phases);
    expect(() => meshPropagatePhases(core, c.layout, phases, c.inputs, 1)).toThrow(error);
    expect(() => programMesh(c.layout, phases)).toThrow(error);
  });

  it("refuses parameters out of range, like the reference", () => {
    const c = randomCase("clements", 4, 1, nonIdeal, 1);
    const params = { excessLossDb: -1, coupling: 0.5 };
    expect(() => meshPropagatePhases(core, c.layout, c.phases, c.inputs, 1, params)).toThrow(
      ParameterRangeError,
    );
    expect(() => programMesh(c.layout, c.phases, params)).toThrow(ParameterRangeError);
  });
});

/**
 * A mesh's cells and screen, and a layout built by hand, are checked
 * against each other before the kernel runs: without it, cells programmed
 * for another N give garbage in WASM (NaN in TypeScript), and a topMode
 * past N − 2 makes the kernel write past its fields block.
 */
describe("meshes and layouts that do not fit", () => {
  const layout = clementsLayout(4);
  const three = programMesh(clementsLayout(3), randomPhases(clementsLayout(3), 1));
  const four = programMesh(layout, randomPhases(layout, 1));
  const inputs = new Float64Array(2 * 4 * 2).fill(0.5);

  it.each([
    ["cells programmed for N = 3", { ...four, cells: three.cells }, "cells"],
    ["a screen for N = 3", { ...four, screen: three.screen }, "screen"],
  ])("refuses %s, like the reference", (_what, mesh, field) => {
    for (const run of [
      () => meshPropagate(core, mesh, inputs, 2),
      () => meshPropagateReference(mesh, inputs, 2),
    ]) {
      expect(run).toThrow(MeshShapeError);
      expect(run).toThrow(expect.objectContaining({ field }));
    }
  });

  /** `layout` with entry j of topMode or column set to `value`. */
  const withEntry = (field: "topMode" | "column", j: number, value: number): MeshLayout => {
    const values = layout[field].slice();
    values[j] = value;
    return { ...layout, [field]: values };
  };
  it.each([
    ["topMode[5] = 3 on 4 modes", withEntry("topMode", 5, 3), "topMode", 5],
    ["topMode[2] = −1", withEntry("topMode", 2, -1), "topMode", 2],
    [
      "one topMode too many",
      { ...layout, topMode: Int32Array.of(...layout.topMode, 0) },
      "topMode",
      undefined,
    ],
    ["one column too few", { ...layout, column: layout.column.subarray(1) }, "column", undefined],
    ["columns out of order", withEntry("column", 4, 0), "column", 4],
    ["a column past the depth", withEntry("column", 5, 4), "column", 5],
    ["a count that is not whole", { ...layout, count: 5.5 }, "count", undefined],
    ["a size of 0 modes", { ...layout, size: 0 }, "size", undefined],
  ])("refuses a hand-built layout with %s, in every entry point", (_what, bad, field, index) => {
    const phases = zeroPhases(layout);
    const mesh = { ...four, layout: bad };
    for (const run of [
      () => meshPropagate(core, mesh, inputs, 2),
      () => meshPropagateReference(mesh, inputs, 2),
      () => meshPropagatePhases(core, bad, phases, inputs, 2),
      () => programMesh(bad, phases),
      () => meshPowerJacobian(bad, phases, inputs.subarray(0, 8)),
    ]) {
      expect(run).toThrow(MeshShapeError);
      expect(run).toThrow(expect.objectContaining({ field, index }));
    }
  });

  it("refuses before the kernel runs: the core gives the reference's bits afterwards", () => {
    const bad = withEntry("topMode", 5, 3);
    expect(() => meshPropagate(core, { ...four, layout: bad }, inputs, 2)).toThrow(MeshShapeError);
    expect(differing(meshPropagate(core, four, inputs, 2), meshPropagateReference(four, inputs, 2))).toBe(0);
  });
});
