/**
 * The unit cell: Clements et al.'s eq. (1) when ideal, the product of its
 * device parts (phase shifters and couplers) always, unitary when lossless,
 * and its partial derivatives against central finite differences.
 */
import { describe, expect, it } from "vitest";
import { type Complex, expi, mul } from "../../../../src/models/complex.js";
import { ParameterRangeError } from "../../../../src/models/parameters.js";
import {
  CELL_F64,
  CELL_PARTIALS,
  cellConstants,
  clementsCell,
  idealMesh,
  type MeshParams,
  meshParameters,
  writeCell,
  writeCellPartials,
} from "../../../../src/models/photonic/mesh/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../../../support/finite-difference.js";

type M2 = readonly [readonly [Complex, Complex], readonly [Complex, Complex]];

function times(a: M2, b: M2): M2 {
  const e = (i: 0 | 1, j: 0 | 1): Complex => {
    const p = mul(a[i][0], b[0][j]);
    const q = mul(a[i][1], b[1][j]);
    return { re: p.re + q.re, im: p.im + q.im };
  };
  return [
    [e(0, 0), e(0, 1)],
    [e(1, 0), e(1, 1)],
  ];
}

const c = (re: number, im = 0): Complex => ({ re, im });
const diag = (a: Complex, b: Complex): M2 => [
  [a, c(0)],
  [c(0), b],
];

/** a·diag(−i, i)·B(κ)·diag(e^{iδ}, e^{−iδ})·B(κ)·diag(e^{iφ}, 1), δ = θ + π/2: the cell as a device. */
function deviceProduct(theta: number, phi: number, p: MeshParams): M2 {
  const a = 10 ** (-p.excessLossDb / 20);
  const t = Math.sqrt(1 - p.coupling);
  const k = Math.sqrt(p.coupling);
  const coupler: M2 = [
    [c(t), c(0, k)],
    [c(0, k), c(t)],
  ];
  const delta = theta + Math.PI / 2;
  return [
    diag(c(0, -a), c(0, a)),
    coupler,
    diag(expi(delta), expi(-delta)),
    coupler,
    diag(expi(phi), c(1)),
  ].reduce(times);
}

const flat = (m: M2) => m.flat().flatMap((z) => [z.re, z.im]);
const largestDifference = (a: readonly number[], b: readonly number[]) =>
  Math.max(...a.map((v, k) => Math.abs(v - (b[k] as number))));

const angles = [
  [0, 0],
  [Math.PI / 2, 0],
  [Math.PI / 4, 1],
  [0.3, -2.5],
  [1.2, 3],
  [-0.7, 0.4],
] as const;

describe("Clements' cell T(θ, φ)", () => {
  it.each(angles)(
    "is eq. (1), [[e^{iφ}cos θ, −sin θ], [e^{iφ}sin θ, cos θ]], at θ = %f, φ = %f",
    (theta, phi) => {
      const eq1 = [
        [mul(expi(phi), c(Math.cos(theta))), c(-Math.sin(theta))],
        [mul(expi(phi), c(Math.sin(theta))), c(Math.cos(theta))],
      ] as const;
      const cell = flat(clementsCell(theta, phi));
      expect(largestDifference(cell, flat(eq1))).toBeLessThan(1e-15);
    },
  );

  it.each([
    [0, 0.5],
    [0.4, 0.5],
    [0, 0.3],
    [2.5, 0.85],
  ])("is the device product for a %f dB loss and κ = %f", (excessLossDb, coupling) => {
    const params = { excessLossDb, coupling };
    for (const [theta, phi] of angles) {
      const cell = flat(clementsCell(theta, phi, params));
      expect(largestDifference(cell, flat(deviceProduct(theta, phi, params)))).toBeLessThan(1e-15);
    }
  });

  it.each([0.5, 0.2, 0.93])("is unitary to 1e-12 when lossless, with κ = %f", (coupling) => {
    for (const [theta, phi] of angles) {
      const [[a, b], [d, e]] = clementsCell(theta, phi, { excessLossDb: 0, coupling });
      const columns = [
        a.re ** 2 + a.im ** 2 + d.re ** 2 + d.im ** 2 - 1,
        b.re ** 2 + b.im ** 2 + e.re ** 2 + e.im ** 2 - 1,
        // conj(col 0)·col 1
        a.re * b.re + a.im * b.im + d.re * e.re + d.im * e.im,
        a.re * b.im - a.im * b.re + d.re * e.im - d.im * e.re,
      ];
      for (const v of columns) expect(Math.abs(v)).toBeLessThan(1e-12);
    }
  });

  it("scales both output powers by 10^(−L/10) with a loss of L dB", () => {
    const [[a], [d]] = clementsCell(0.6, 1.1, { excessLossDb: 3, coupling: 0.5 });
    expect(a.re ** 2 + a.im ** 2 + d.re ** 2 + d.im ** 2).toBeCloseTo(10 ** -0.3, 14);
  });

  it.each([
    [0, 0],
    [Math.PI / 8, Math.sin(Math.PI / 8) ** 2],
    [Math.PI / 4, 0.5],
    [Math.PI / 2, 1],
  ])("sends sin²θ of the power across: θ = %f → %f", (theta, cross) => {
    const [, [d]] = clementsCell(theta, 0.7);
    expect(d.re ** 2 + d.im ** 2).toBeCloseTo(cross, 15);
  });

  it.each([0.5, 0.45, 0.3, 0.1])(
    "with couplers of κ = %f cannot cross more than 4κ(1−κ) of the power",
    (kappa) => {
      const params = { excessLossDb: 0, coupling: kappa };
      let most = 0;
      for (let k = 0; k <= 1000; k++) {
        const [, [d]] = clementsCell((k / 1000) * Math.PI, 0, params);
        most = Math.max(most, d.re ** 2 + d.im ** 2);
      }
      expect(most).toBeCloseTo(4 * kappa * (1 - kappa), 12);
    },
  );

  it.each([
    ["excessLossDb", -0.1],
    ["excessLossDb", 11],
    ["coupling", 1.2],
    ["coupling", Number.NaN],
  ])("refuses %s = %f", (name, value) => {
    expect(() => clementsCell(0, 0, { ...idealMesh, [name]: value })).toThrow(ParameterRangeError);
  });
});

describe("cell partial derivatives, against central differences (1e-6)", () => {
  const at = { theta: 0.7, phi: -1.3, excessLossDb: 0.8, coupling: 0.42 };
  const constants = ({ excessLossDb, coupling }: typeof at) => cellConstants({ excessLossDb, coupling });
  const cell = (v: typeof at) => {
    const out = new Float64Array(CELL_F64);
    writeCell(out, 0, v.theta, v.phi, constants(v));
    return out;
  };
  const partials = new Float64Array(CELL_PARTIALS * CELL_F64);
  writeCellPartials(partials, 0, at.theta, at.phi, constants(at));
  const names = ["theta", "phi", ...meshParameters.map((p) => p.name)] as const;
  it.each(names.map((name, q) => [name, q] as const))("∂T/∂%s", (name, q) => {
    const numeric = centralDifferenceVector((x) => cell({ ...at, [name]: x }), at[name]);
    const analytic = partials.subarray(q * CELL_F64, (q + 1) * CELL_F64);
    const floor = roundingFloor(cell(at), 1e-4 * Math.abs(at[name]), 1e-6); // the default step
    expect(entrywiseRelativeError(analytic, numeric, floor)).toBeLessThan(1e-6);
  });
});
