/**
 * Crossbar arrays of resistive cells: the vector-matrix product, ideal and
 * with the resistance of the row and column lines.
 *
 * ```
 *            col 0        col 1        col N−1
 *   V_0 ─r─┬──────r─────┬──── … ──r──┬          row line 0 (open end →)
 *          G_00         G_01         G_0,N−1
 *          │            │            │
 *          r            r            r          column segments
 *   V_1 ─r─┼──────r─────┼──── … ──r──┼          row line 1
 *          G_10         G_11         …
 *          ⋮            ⋮            ⋮
 *          r            r            r
 *         [SA]         [SA]         [SA]        sense amplifiers: virtual ground,
 *          I_0          I_1          I_N−1      output currents I_j
 * ```
 *
 * Ideal: I_j = Σ_i G_ij V_i (the lines are perfect conductors; columns at
 * virtual ground). With wire resistance each line is a chain of segments,
 * r_row between the driver and the first cell and between neighbouring
 * cells of a row, r_col between neighbouring cells of a column and between
 * the last cell and the sense amplifier; a cell G_ij joins row node (i, j)
 * to column node (i, j). Node voltages follow from Kirchhoff's current law
 * at every node — nodal analysis (Ho, Ruehli & Brennan, "The modified nodal
 * approach to network analysis", IEEE Trans. Circuits Syst. 22, 504
 * (1975)) — solved as in system.ts. The picture is that of the weighted-sum
 * read in Chen, Peng & Yu, "NeuroSim: a circuit-level macro model for
 * benchmarking neuro-inspired architectures in online learning", IEEE
 * Trans. Comput.-Aided Des. Integr. Circuits Syst. 37(12), 3067–3080
 * (2018), doi:10.1109/TCAD.2018.2789723, Sec. II-B: every row driven at once, currents summed at the column ends, the
 * wire resistance causing an IR drop along the path, and no sneak paths
 * since every cell takes part (sneak paths of selector-less arrays, which a
 * single-cell read suffers, are the subject of Liang & Wong, IEEE Trans.
 * Electron Devices 57(10), 2531 (2010), which that paper cites for them;
 * this model does not take its equations from Liang & Wong). The voltage
 * drop along the interconnect is one of the design limits surveyed by Peng,
 * Madler, Chen & Yu, "Cross-point memory design challenges and survey of
 * selector device characteristics", J. Comput. Electron. 16, 1167 (2017).
 *
 * Zero wire resistance is handled exactly: both zero gives the ideal
 * product; one zero leaves only the other set of lines, one tridiagonal
 * system per line, solved directly.
 */
import { checkParameters, defaultsOf, type ParameterSpec } from "../parameters.js";
import {
  type CrossbarSystem,
  conjugateGradient,
  factorise,
  precondition,
  rightHandSide,
  type Workspace,
  workspace,
} from "./system.js";

export type CrossbarParams = { rowResistance: number; columnResistance: number };

export const crossbarParameters: readonly ParameterSpec<keyof CrossbarParams>[] = [
  {
    name: "rowResistance",
    unit: "Ohm",
    default: 1,
    min: 0,
    max: 1e4,
    meaning: "r_row: resistance of one row-line segment (driver to first cell, cell to cell)",
  },
  {
    name: "columnResistance",
    unit: "Ohm",
    default: 1,
    min: 0,
    max: 1e4,
    meaning: "r_col: resistance of one column-line segment (cell to cell, last cell to sense amplifier)",
  },
];

export const crossbarDefaults: Readonly<CrossbarParams> = Object.freeze(
  defaultsOf(crossbarParameters) as CrossbarParams,
);

/** An M×N array of cells: conductances G_ij, S (≥ 0), row-major (row i, column j at i·N + j). */
export interface CrossbarArray {
  readonly rows: number;
  readonly columns: number;
  readonly conductances: Float64Array;
}

export interface SolverOptions {
  /** Stop when ‖residual‖ ≤ tolerance·‖right-hand side‖ (in cell-current units); default 1e-13. */
  readonly tolerance?: number;
  /** Give up (RangeError) after this many iterations; default 10·(M + N) + 100. */
  readonly maxIterations?: number;
}

/** Node voltages and output currents of one input vector. */
export interface CrossbarSolution {
  /** I_j, A: current into each column's sense amplifier. */
  readonly currents: Float64Array;
  /** Row-line node voltages U_ij, V, M×N row-major. */
  readonly rowVoltages: Float64Array;
  /** Column-line node voltages W_ij, V, M×N row-major. */
  readonly columnVoltages: Float64Array;
  /** CG iterations (0 on the exact paths). */
  readonly iterations: number;
}

/** A crossbar assembled and factorised once per (G, r): solve it for as many inputs as you like. */
export interface CrossbarNetwork {
  readonly array: CrossbarArray;
  readonly params: Readonly<CrossbarParams>;
  solve(voltages: ArrayLike<number>): CrossbarSolution;
}

export const DEFAULT_TOLERANCE = 1e-13;

/** I_j = Σ_i G_ij V_i. */
export function idealCurrents(array: CrossbarArray, voltages: ArrayLike<number>): Float64Array {
  checkArray(array);
  checkVoltages(array, voltages);
  return idealProduct(array, voltages, 0);
}

/** The ideal product for a batch: voltages K×M row-major (one input vector per row), currents K×N. */
export function idealCurrentsBatch(array: CrossbarArray, voltages: Float64Array): Float64Array {
  checkArray(array);
  const { rows: m, columns: n } = array;
  if (voltages.length % m !== 0) throw new RangeError(`crossbar: ${voltages.length} voltages for ${m} rows`);
  checkFinite(voltages, "voltage");
  const batch = voltages.length / m;
  const out = new Float64Array(batch * n);
  for (let b = 0; b < batch; b++) out.set(idealProduct(array, voltages, b * m), b * n);
  return out;
}

/** Σ_i G_ij V_i, summed over i in order (the kernel's order). */
function idealProduct(array: CrossbarArray, voltages: ArrayLike<number>, offset: number): Float64Array {
  const { rows: m, columns: n, conductances: g } = array;
  const out = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const v = voltages[offset + i] as number;
    for (let j = 0; j < n; j++) out[j] = (out[j] as number) + (g[i * n + j] as number) * v;
  }
  return out;
}

/** Assembles and factorises the nodal system; refuses bad sizes, conductances or parameters. */
export function assembleCrossbar(
  array: CrossbarArray,
  params: CrossbarParams,
  options: SolverOptions = {},
): CrossbarNetwork {
  checkArray(array);
  checkParameters("crossbar", crossbarParameters, params);
  const { tolerance, maxIterations } = solverSettings(array, options);
  const frozen = Object.freeze({ ...params });
  const { rows: m, columns: n, conductances: g } = array;
  const { rowResistance: rr, columnResistance: rc } = params;
  if (rr === 0 && rc === 0) {
    return {
      array,
      params: frozen,
      solve(voltages) {
        checkVoltages(array, voltages);
        const rowVoltages = new Float64Array(m * n);
        for (let i = 0; i < m; i++) rowVoltages.fill(voltages[i] as number, i * n, (i + 1) * n);
        return {
          currents: idealProduct(array, voltages, 0),
          rowVoltages,
          columnVoltages: new Float64Array(m * n),
          iterations: 0,
        };
      },
    };
  }
  // A zero resistance gets a placeholder conductance: that block of the system is never used.
  const system = factorise(m, n, g, rr === 0 ? 1 : 1 / rr, rc === 0 ? 1 : 1 / rc);
  const work = workspace(system);
  return {
    array,
    params: frozen,
    solve(voltages) {
      checkVoltages(array, voltages);
      if (rr === 0) return columnsOnly(system, voltages, work);
      if (rc === 0) return rowsOnly(system, voltages, work);
      return solveNetwork(system, voltages, work, tolerance, maxIterations);
    },
  };
}

/** Output currents of the crossbar with wire resistance for one input vector (assembles each call). */
export function crossbarCurrents(
  array: CrossbarArray,
  params: CrossbarParams,
  voltages: ArrayLike<number>,
  options: SolverOptions = {},
): Float64Array {
  return assembleCrossbar(array, params, options).solve(voltages).currents;
}

/**
 * The array's effective conductance matrix T (M×N, row-major): I_j = Σ_i
 * T_ij V_i for any input, since the network is linear. One solve per row
 * (V = e_i); then any batch of inputs is a matrix product — cheaper than a
 * solve per input when the batch is larger than M. T = G without wire
 * resistance.
 */
export function transferMatrix(network: CrossbarNetwork): Float64Array {
  const { rows: m, columns: n } = network.array;
  const out = new Float64Array(m * n);
  const unit = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    unit.fill(0);
    unit[i] = 1;
    out.set(network.solve(unit).currents, i * n);
  }
  return out;
}

/** Both line resistances > 0: preconditioned CG on the full system. */
function solveNetwork(
  s: CrossbarSystem,
  voltages: ArrayLike<number>,
  work: Workspace,
  tolerance: number,
  maxIterations: number,
): CrossbarSolution {
  const { rows: m, columns: n } = s;
  const b = new Float64Array(2 * m * n);
  rightHandSide(s, voltages, b);
  const x = new Float64Array(2 * m * n);
  const iterations = conjugateGradient(s, b, x, work, tolerance, maxIterations);
  if (iterations > maxIterations) throw new CrossbarConvergenceError(tolerance, maxIterations);
  return solutionOf(s, voltages, x, iterations);
}

/** Node voltages and currents from the solved deviations x = [u; w]. */
export function solutionOf(
  s: CrossbarSystem,
  voltages: ArrayLike<number>,
  x: Float64Array,
  iterations: number,
): CrossbarSolution {
  const { rows: m, columns: n } = s;
  const rowVoltages = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) rowVoltages[i * n + j] = (voltages[i] as number) + (x[i * n + j] as number);
  }
  const columnVoltages = x.slice(m * n);
  const currents = new Float64Array(n);
  for (let j = 0; j < n; j++) currents[j] = s.columnConductance * (columnVoltages[(m - 1) * n + j] as number);
  return { currents, rowVoltages, columnVoltages, iterations };
}

/** r_row = 0: the row lines sit at their driver voltage; each column line is one tridiagonal solve. */
function columnsOnly(s: CrossbarSystem, voltages: ArrayLike<number>, work: Workspace): CrossbarSolution {
  const { rows: m, columns: n } = s;
  const b = work.r;
  rightHandSide(s, voltages, b);
  precondition(s, b, work.z);
  const x = new Float64Array(2 * m * n);
  x.set(work.z.subarray(m * n), m * n);
  return solutionOf(s, voltages, x, 0);
}

/** r_col = 0: the column lines sit at 0 V; each row line is one tridiagonal solve. */
function rowsOnly(s: CrossbarSystem, voltages: ArrayLike<number>, work: Workspace): CrossbarSolution {
  const { rows: m, columns: n, conductances: g } = s;
  const b = work.r;
  rightHandSide(s, voltages, b);
  precondition(s, b, work.z);
  const rowVoltages = new Float64Array(m * n);
  const currents = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const u = (voltages[i] as number) + (work.z[k] as number);
      rowVoltages[k] = u;
      currents[j] = (currents[j] as number) + (g[k] as number) * u;
    }
  }
  return { currents, rowVoltages, columnVoltages: new Float64Array(m * n), iterations: 0 };
}

/**
 * Most CG iterations a solve may be given: the WASM kernel counts them in
 * an i32 and reports maxIterations + 1 for "did not converge".
 */
export const MAX_ITERATIONS = 2 ** 31 - 2;

/** The solver's stopping rule for an array: options or their defaults, validated. */
export function solverSettings(
  array: CrossbarArray,
  options: SolverOptions,
): { tolerance: number; maxIterations: number } {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? 10 * (array.rows + array.columns) + 100;
  if (!(tolerance > 0 && tolerance < 1)) {
    throw new RangeError(`crossbar: tolerance ${tolerance} must be in (0, 1)`);
  }
  if (!(Number.isInteger(maxIterations) && maxIterations >= 0 && maxIterations <= MAX_ITERATIONS)) {
    throw new RangeError(`crossbar: maxIterations ${maxIterations} must be an integer in [0, 2³¹ − 2]`);
  }
  return { tolerance, maxIterations };
}

/**
 * Conjugate gradients stopped after maxIterations without reaching
 * ‖residual‖ ≤ tolerance·‖right-hand side‖: the currents would be wrong, so
 * no solve returns them. `subject` says which solve (an input row of a
 * batch, the Jacobian's forward or adjoint solve), when there are several.
 */
export class CrossbarConvergenceError extends RangeError {
  constructor(
    readonly tolerance: number,
    readonly maxIterations: number,
    readonly subject?: string,
  ) {
    super(
      `crossbar: CG did not reach ${tolerance} in ${maxIterations} iterations${subject === undefined ? "" : ` (${subject})`}`,
    );
    this.name = "CrossbarConvergenceError";
  }
}

/** Refuses a bad array (sizes, conductances) or input vector, as every entry point here does. */
export function checkCrossbarInput(array: CrossbarArray, voltages: ArrayLike<number>): void {
  checkArray(array);
  checkVoltages(array, voltages);
}

function checkArray(array: CrossbarArray): void {
  const { rows, columns, conductances } = array;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(columns) && columns > 0)) {
    throw new RangeError(`crossbar: ${rows}×${columns} is not an array size`);
  }
  if (conductances.length !== rows * columns) {
    throw new RangeError(`crossbar: ${conductances.length} conductances for ${rows}×${columns} cells`);
  }
  for (let k = 0; k < conductances.length; k++) {
    const g = conductances[k] as number;
    if (!(g >= 0 && Number.isFinite(g))) {
      throw new RangeError(
        `crossbar: G[${Math.floor(k / columns)}][${k % columns}] = ${g} S must be finite and ≥ 0`,
      );
    }
  }
}

function checkVoltages(array: CrossbarArray, voltages: ArrayLike<number>): void {
  if (voltages.length !== array.rows) {
    throw new RangeError(`crossbar: ${voltages.length} voltages for ${array.rows} rows`);
  }
  checkFinite(voltages, "voltage");
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) throw new RangeError(`crossbar: ${what}[${k}] = ${values[k]}`);
  }
}
