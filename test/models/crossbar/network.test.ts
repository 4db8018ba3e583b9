/**
 * Crossbar arrays: the ideal product, Kirchhoff's law at every node of the
 * wire-resistance network, closed forms of small arrays, the growth of the
 * IR drop, the transfer matrix, and the adjoint gradient against finite
 * differences.
 */
import { describe, expect, it } from "vitest";
import {
  assembleCrossbar,
  type CrossbarArray,
  CrossbarConvergenceError,
  type CrossbarParams,
  crossbarCurrents,
  crossbarJacobian,
  idealCurrents,
  idealCurrentsBatch,
  transferMatrix,
} from "../../../src/models/crossbar/index.js";
import { ParameterRangeError } from "../../../src/models/parameters.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
  seriesRelativeError,
} from "../../support/finite-difference.js";
import { seededRandom } from "../support/waveforms.js";

/** An M×N array with conductances log-uniform in [gMin, gMax] and inputs uniform in ±1 V. */
function randomCase(seed: number, rows: number, columns: number, gMin = 1e-6, gMax = 1e-4) {
  const random = seededRandom(seed);
  const conductances = Float64Array.from({ length: rows * columns }, () => gMin * (gMax / gMin) ** random());
  const voltages = Float64Array.from({ length: rows }, () => 2 * random() - 1);
  return { array: { rows, columns, conductances } as CrossbarArray, voltages };
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) m = Math.max(m, Math.abs(values[k] as number));
  return m;
}

describe("ideal product I_j = Σ_i G_ij V_i", () => {
  it("is the matrix product, one vector or a batch", () => {
    const array = { rows: 2, columns: 3, conductances: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    expect(Array.from(idealCurrents(array, [1, -1]))).toEqual([-3, -3, -3]);
    expect(Array.from(idealCurrentsBatch(array, Float64Array.from([1, -1, 2, 0.5])))).toEqual([
      -3, -3, -3, 4, 6.5, 9,
    ]);
  });

  it.each([
    [1, 1],
    [7, 5],
    [32, 48],
  ])("equals the network with zero line resistance to 1e-12 (%i×%i)", (rows, columns) => {
    const { array, voltages } = randomCase(rows * columns, rows, columns);
    const ideal = idealCurrents(array, voltages);
    const solution = assembleCrossbar(array, { rowResistance: 0, columnResistance: 0 }).solve(voltages);
    expect(seriesRelativeError(ideal, solution.currents)).toBeLessThanOrEqual(1e-12);
    // and the limit r → 0 of the CG solve approaches it
    const tiny = crossbarCurrents(array, { rowResistance: 1e-9, columnResistance: 1e-9 }, voltages);
    expect(seriesRelativeError(ideal, tiny)).toBeLessThan(1e-6);
  });
});

/**
 * Largest |Σ currents into a node| / Σ |branch currents at the node| over
 * all nodes, from the node voltages alone (no solver code).
 */
function kirchhoffError(array: CrossbarArray, params: CrossbarParams, voltages: ArrayLike<number>): number {
  const { rows: m, columns: n, conductances: g } = array;
  const { rowVoltages: U, columnVoltages: W, currents } = assembleCrossbar(array, params).solve(voltages);
  const gr = 1 / params.rowResistance;
  const gc = 1 / params.columnResistance;
  let worst = 0;
  const at = (a: Float64Array, i: number, j: number) => a[i * n + j] as number;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const cell = (g[i * n + j] as number) * (at(U, i, j) - at(W, i, j));
      // row node: in from the left (driver at j = 0), out to the right, out through the cell
      const left = gr * ((j === 0 ? (voltages[i] as number) : at(U, i, j - 1)) - at(U, i, j));
      const right = j < n - 1 ? gr * (at(U, i, j) - at(U, i, j + 1)) : 0;
      worst = Math.max(
        worst,
        Math.abs(left - right - cell) / (Math.abs(left) + Math.abs(right) + Math.abs(cell)),
      );
      // column node: in from the cell and from above, out downwards (to the sense amplifier at i = M − 1)
      const above = i > 0 ? gc * (at(W, i - 1, j) - at(W, i, j)) : 0;
      const below = gc * (at(W, i, j) - (i < m - 1 ? at(W, i + 1, j) : 0));
      worst = Math.max(
        worst,
        Math.abs(cell + above - below) / (Math.abs(cell) + Math.abs(above) + Math.abs(below)),
      );
      if (i === m - 1) expect(currents[j]).toBeCloseTo(below, 15);
    }
  }
  return worst;
}

describe("Kirchhoff's current law at every node", () => {
  it.each([
    [1, 8, 8, 1, 1],
    [2, 16, 9, 2.5, 0.5],
    [3, 40, 64, 10, 10],
    [4, 24, 24, 0.1, 50],
  ])("holds to 1e-9 (seed %i, %i×%i, r_row = %s Ω, r_col = %s Ω)", (seed, rows, columns, rr, rc) => {
    const { array, voltages } = randomCase(seed, rows, columns);
    expect(kirchhoffError(array, { rowResistance: rr, columnResistance: rc }, voltages)).toBeLessThan(1e-9);
  });

  it("conserves the total: the drivers' currents sum to the sense amplifiers'", () => {
    const { array, voltages } = randomCase(5, 20, 30);
    const params = { rowResistance: 3, columnResistance: 2 };
    const { rowVoltages, currents } = assembleCrossbar(array, params).solve(voltages);
    let driven = 0;
    for (let i = 0; i < array.rows; i++) {
      driven += ((voltages[i] as number) - (rowVoltages[i * array.columns] as number)) / params.rowResistance;
    }
    const sensed = currents.reduce((a, b) => a + b, 0);
    expect(Math.abs(driven - sensed)).toBeLessThan(1e-10 * maxAbs(currents));
  });
});

describe("small arrays against closed forms", () => {
  const g = [2e-3, 5e-4, 1e-3, 4e-3];
  it("1×1: I = V/(r_row + 1/G + r_col)", () => {
    const array = { rows: 1, columns: 1, conductances: Float64Array.from([g[0] as number]) };
    const I = crossbarCurrents(array, { rowResistance: 7, columnResistance: 13 }, [0.8]);
    expect(I[0]).toBeCloseTo(0.8 / (7 + 1 / (g[0] as number) + 13), 15);
  });

  it("1×2: a row ladder whose two rungs each end in r_col", () => {
    const [g0, g1] = g as [number, number];
    const [rr, rc, v] = [4, 9, 1.2];
    const branch1 = rr + 1 / g1 + rc; // second segment, then the far cell and its column segment
    const node = 1 / (1 / (1 / g0 + rc) + 1 / branch1); // seen from the first row node
    const u0 = (v * node) / (rr + node);
    const I = crossbarCurrents(
      { rows: 1, columns: 2, conductances: Float64Array.from([g0, g1]) },
      { rowResistance: rr, columnResistance: rc },
      [v],
    );
    expect(I[0]).toBeCloseTo(u0 / (1 / g0 + rc), 15);
    expect(I[1]).toBeCloseTo(u0 / branch1, 15);
  });

  it("2×1: two drivers into one column line (superposition of two ladders)", () => {
    const [g0, g1] = g as [number, number];
    const [rr, rc] = [3, 6];
    const [v0, v1] = [1, -0.4];
    // Thevenin sources of the two rows: V_i through r_row + 1/G_i; top node joins the lower one through r_col.
    const r0 = rr + 1 / g0;
    const r1 = rr + 1 / g1;
    // Node voltage W_1 (bottom): (v1 − W1)/r1 + (v0 − W1)/(r0 + rc) = W1/rc
    const w1 = (v1 / r1 + v0 / (r0 + rc)) / (1 / r1 + 1 / (r0 + rc) + 1 / rc);
    const I = crossbarCurrents(
      { rows: 2, columns: 1, conductances: Float64Array.from([g0, g1]) },
      { rowResistance: rr, columnResistance: rc },
      [v0, v1],
    );
    expect(I[0]).toBeCloseTo(w1 / rc, 15);
  });

  it("2×2 with r_col = 0: each row is a ladder into grounded columns", () => {
    const rr = 5;
    const voltages = [0.9, -0.3];
    const expected = [0, 0];
    for (let i = 0; i < 2; i++) {
      const [ga, gb] = [g[2 * i] as number, g[2 * i + 1] as number];
      const far = rr + 1 / gb;
      const node = 1 / (ga + 1 / far);
      const u0 = ((voltages[i] as number) * node) / (rr + node);
      expected[0] = (expected[0] as number) + ga * u0;
      expected[1] = (expected[1] as number) + u0 / far;
    }
    const I = crossbarCurrents(
      { rows: 2, columns: 2, conductances: Float64Array.from(g) },
      { rowResistance: rr, columnResistance: 0 },
      voltages,
    );
    expect(I[0]).toBeCloseTo(expected[0] as number, 15);
    expect(I[1]).toBeCloseTo(expected[1] as number, 15);
  });

  it("2×2 with r_row = 0: each column is a ladder driven through its cells", () => {
    const rc = 8;
    const voltages = [0.9, -0.3];
    const I = crossbarCurrents(
      { rows: 2, columns: 2, conductances: Float64Array.from(g) },
      { rowResistance: 0, columnResistance: rc },
      voltages,
    );
    for (let j = 0; j < 2; j++) {
      const [g0, g1] = [g[j] as number, g[2 + j] as number];
      // Top node: cell 0 and the segment down; bottom node: cell 1, segment up, segment to ground.
      // W1 (bottom) from: (v1 − W1)g1 + (W0 − W1)/rc = W1/rc, W0 = (v0 g0 + W1/rc)/(g0 + 1/rc)
      const a = g0 + 1 / rc;
      const w1 =
        ((voltages[1] as number) * g1 + ((voltages[0] as number) * g0) / (rc * a)) /
        (g1 + 2 / rc - 1 / (rc * rc * a));
      expect(I[j]).toBeCloseTo(w1 / rc, 15);
    }
  });

  it("2×2 with both: equals Kirchhoff's 8 equations written out and solved by elimination", () => {
    const [rr, rc] = [4, 7];
    const voltages = [0.6, 1.1];
    const [g00, g01, g10, g11] = g as [number, number, number, number];
    const [a, c] = [1 / rr, 1 / rc];
    // Unknowns: U00 U01 U10 U11 W00 W01 W10 W11. Rows: KCL at each node (out = in).
    const matrix = [
      [2 * a + g00, -a, 0, 0, -g00, 0, 0, 0],
      [-a, a + g01, 0, 0, 0, -g01, 0, 0],
      [0, 0, 2 * a + g10, -a, 0, 0, -g10, 0],
      [0, 0, -a, a + g11, 0, 0, 0, -g11],
      [-g00, 0, 0, 0, c + g00, 0, -c, 0],
      [0, -g01, 0, 0, 0, c + g01, 0, -c],
      [0, 0, -g10, 0, -c, 0, 2 * c + g10, 0],
      [0, 0, 0, -g11, 0, -c, 0, 2 * c + g11],
    ];
    const rhs = [a * (voltages[0] as number), 0, a * (voltages[1] as number), 0, 0, 0, 0, 0];
    const x = gaussianElimination(matrix, rhs);
    const I = crossbarCurrents(
      { rows: 2, columns: 2, conductances: Float64Array.from(g) },
      { rowResistance: rr, columnResistance: rc },
      voltages,
    );
    expect(I[0]).toBeCloseTo(c * (x[6] as number), 15);
    expect(I[1]).toBeCloseTo(c * (x[7] as number), 15);
  });
});

/** Dense Gaussian elimination with partial pivoting, for the 8×8 check. */
function gaussianElimination(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r]?.[col] as number) > Math.abs(a[pivot]?.[col] as number)) pivot = r;
    }
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    for (let r = col + 1; r < n; r++) {
      const f = (a[r]?.[col] as number) / (a[col]?.[col] as number);
      for (let k = col; k <= n; k++)
        (a[r] as number[])[k] = (a[r]?.[k] as number) - f * (a[col]?.[k] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = a[r]?.[n] as number;
    for (let k = r + 1; k < n; k++) sum -= (a[r]?.[k] as number) * (x[k] as number);
    x[r] = sum / (a[r]?.[r] as number);
  }
  return x;
}

describe("IR drop", () => {
  /** Largest relative shortfall of the output currents against the ideal product, all cells 100 µS, all rows 1 V. */
  const drop = (size: number, r: number) => {
    const array = { rows: size, columns: size, conductances: new Float64Array(size * size).fill(1e-4) };
    const voltages = new Float64Array(size).fill(1);
    const ideal = idealCurrents(array, voltages);
    const real = crossbarCurrents(array, { rowResistance: r, columnResistance: r }, voltages);
    return Math.max(...real.map((I, j) => ((ideal[j] as number) - I) / (ideal[j] as number)));
  };

  it("grows with the segment resistance (16×16)", () => {
    const drops = [0.1, 1, 3, 10, 30].map((r) => drop(16, r));
    for (let k = 1; k < drops.length; k++) expect(drops[k]).toBeGreaterThan(drops[k - 1] as number);
    expect(drops[0]).toBeGreaterThan(0);
  });

  it("grows with the array size (r = 2 Ω)", () => {
    const drops = [4, 8, 16, 32, 64].map((size) => drop(size, 2));
    for (let k = 1; k < drops.length; k++) expect(drops[k]).toBeGreaterThan(drops[k - 1] as number);
  });

  it("solves a 256×256 array with Kirchhoff's law holding to 1e-9", () => {
    const { array, voltages } = randomCase(8, 256, 256);
    const network = assembleCrossbar(array, { rowResistance: 1, columnResistance: 1 });
    const { iterations } = network.solve(voltages);
    expect(iterations).toBeGreaterThan(0);
    expect(iterations).toBeLessThan(100);
    expect(kirchhoffError(array, { rowResistance: 1, columnResistance: 1 }, voltages)).toBeLessThan(1e-9);
  });
});

describe("transfer matrix", () => {
  it("gives every solve as a product, I_j = Σ_i T_ij V_i, to 1e-12", () => {
    const { array } = randomCase(6, 12, 9);
    const network = assembleCrossbar(array, { rowResistance: 2, columnResistance: 5 });
    const transfer = transferMatrix(network);
    const random = seededRandom(60);
    for (let trial = 0; trial < 5; trial++) {
      const voltages = Float64Array.from({ length: 12 }, () => 2 * random() - 1);
      const product = idealCurrents({ ...array, conductances: transfer }, voltages);
      expect(seriesRelativeError(network.solve(voltages).currents, product)).toBeLessThan(1e-12);
    }
  });

  it("is G without wire resistance", () => {
    const { array } = randomCase(7, 5, 4);
    const transfer = transferMatrix(assembleCrossbar(array, { rowResistance: 0, columnResistance: 0 }));
    expect(Array.from(transfer)).toEqual(Array.from(array.conductances));
  });
});

describe("∂I/∂G and ∂I/∂r against finite differences", () => {
  const { array, voltages } = randomCase(9, 5, 4, 1e-3, 1e-2);
  const params = { rowResistance: 3, columnResistance: 2 };
  const jacobian = crossbarJacobian(array, params, voltages);
  const currentsWith = (conductances: Float64Array, p: CrossbarParams) =>
    crossbarCurrents({ ...array, conductances }, p, voltages);
  // Steps as centralDifferenceVector's default, 1e-4 of the value.
  const floor = (value: number) =>
    roundingFloor(currentsWith(array.conductances, params), 1e-4 * Math.abs(value), 1e-6);

  it.each(
    Array.from({ length: array.rows * array.columns }, (_, k) => [Math.floor(k / 4), k % 4, k] as const),
  )("G[%i][%i]", (_i, _j, k) => {
    const value = array.conductances[k] as number;
    const numeric = centralDifferenceVector((v) => {
      const g = array.conductances.slice();
      g[k] = v;
      return currentsWith(g, params);
    }, value);
    const analytic = jacobian.dConductances.map((d) => d[k] as number);
    expect(entrywiseRelativeError(analytic, numeric, floor(value))).toBeLessThanOrEqual(1e-6);
  });

  it.each(["rowResistance", "columnResistance"] as const)("%s", (name) => {
    const numeric = centralDifferenceVector(
      (v) => currentsWith(array.conductances, { ...params, [name]: v }),
      params[name],
    );
    const analytic = name === "rowResistance" ? jacobian.dRowResistance : jacobian.dColumnResistance;
    expect(maxAbs(analytic)).toBeGreaterThan(0);
    expect(entrywiseRelativeError(analytic, numeric, floor(params[name]))).toBeLessThanOrEqual(1e-6);
  });

  it("gives ∂I_j/∂G_ij ≈ V_i for nearly ideal lines", () => {
    const nearly = crossbarJacobian(array, { rowResistance: 1e-6, columnResistance: 1e-6 }, voltages);
    for (let i = 0; i < array.rows; i++) {
      for (let j = 0; j < array.columns; j++) {
        expect(nearly.dConductances[j]?.[i * array.columns + j]).toBeCloseTo(voltages[i] as number, 6);
      }
    }
  });
});

describe("validation", () => {
  const { array, voltages } = randomCase(10, 3, 3);
  it.each([
    [
      "a negative conductance",
      () =>
        idealCurrents({ ...array, conductances: Float64Array.from([-1, 0, 0, 0, 0, 0, 0, 0, 0]) }, voltages),
      RangeError,
    ],
    ["a wrong number of conductances", () => idealCurrents({ ...array, columns: 4 }, voltages), RangeError],
    [
      "a wrong number of voltages",
      () => crossbarCurrents(array, { rowResistance: 1, columnResistance: 1 }, [1, 2]),
      RangeError,
    ],
    [
      "a NaN voltage",
      () => crossbarCurrents(array, { rowResistance: 1, columnResistance: 1 }, [1, Number.NaN, 0]),
      RangeError,
    ],
    [
      "a negative resistance",
      () => crossbarCurrents(array, { rowResistance: -1, columnResistance: 1 }, voltages),
      ParameterRangeError,
    ],
    [
      "the Jacobian of ideal lines",
      () => crossbarJacobian(array, { rowResistance: 0, columnResistance: 1 }, voltages),
      RangeError,
    ],
    [
      "a maxIterations the WASM kernel's i32 count cannot hold",
      () =>
        assembleCrossbar(array, { rowResistance: 1, columnResistance: 1 }, { maxIterations: 2 ** 31 - 1 }),
      /maxIterations 2147483647 must be an integer in \[0, 2³¹ − 2\]/,
    ],
    [
      "to return currents CG did not converge to",
      () =>
        crossbarCurrents(array, { rowResistance: 1, columnResistance: 1 }, voltages, { maxIterations: 0 }),
      CrossbarConvergenceError,
    ],
    [
      "a Jacobian whose forward solve did not converge",
      () =>
        crossbarJacobian(array, { rowResistance: 1, columnResistance: 1 }, voltages, { maxIterations: 0 }),
      /CG did not reach 1e-13 in 0 iterations \(the Jacobian's forward solve\)/,
    ],
  ] as const)("refuses %s", (_what, run, expected) => expect(run).toThrow(expected));
});
