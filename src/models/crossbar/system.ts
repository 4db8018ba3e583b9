/**
 * The nodal system of a crossbar with wire resistance, in flat arrays, and
 * its preconditioned conjugate-gradient solve. This file is the executable
 * specification of the WASM kernel (src/core/assembly/crossbar.ts), which
 * does the same arithmetic in the same order (so the two agree to the bit;
 * test/core/crossbar.test.ts holds them to 1e-12).
 *
 * Unknowns: the deviations u = U − V_i of the row-line node voltages from
 * their driver voltage, and the column-line node voltages w = W (the sense
 * amplifiers hold the column ends at 0 V), each M×N row-major (node (i, j)
 * at i·N + j), stacked x = [u; w]. Kirchhoff's current law at every node,
 * with g_r = 1/r_row, g_c = 1/r_col:
 *
 *   row node (i, j):    g_r(2u_ij − u_i,j−1 − u_i,j+1) + G_ij(u_ij − w_ij) = −G_ij V_i
 *   column node (i, j): g_c(2w_ij − w_i−1,j − w_i+1,j) + G_ij(w_ij − u_ij) =  G_ij V_i
 *
 * with u_i,−1 = 0 (the driver), w_M,j = 0 (the sense amplifier), and one
 * neighbour fewer (diagonal g instead of 2g) at the open ends, u_i,N−1 and
 * w_0,j. Solving for deviations keeps the right-hand side at the scale of
 * the cell currents (G·V), not of the wire conductances (V/r), so a
 * relative residual of 1e-12 is 1e-12 of the cell currents at every node.
 *
 * The matrix A is symmetric positive definite (a conductance Laplacian
 * grounded through the drivers and sense amplifiers), so conjugate
 * gradients apply (Hestenes & Stiefel 1952; preconditioned form as in
 * Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM 2003,
 * Algorithm 9.1). The preconditioner P is A without the cell coupling
 * between the two line sets: one tridiagonal matrix per row line
 * (g_r-Laplacian + G_i·) and one per column line — the lines' own
 * resistance, which dominates when wires conduct much better than cells,
 * is solved exactly, and CG only resolves the coupling through the cells.
 * P is factorised once per (G, r) (Thomas algorithm: inverse pivots and
 * multipliers) and reused for every input vector.
 *
 * Inner products sum even and odd indices separately and add the two at
 * the end: the order of a two-lane SIMD accumulator.
 */

/** A crossbar's nodal system, factorised: everything that depends on (G, r) and not on the inputs. */
export interface CrossbarSystem {
  readonly rows: number;
  readonly columns: number;
  /** Cell conductances G, S, M×N row-major. */
  readonly conductances: Float64Array;
  /** 1/r_row and 1/r_col, S (both finite and > 0 here). */
  readonly rowConductance: number;
  readonly columnConductance: number;
  /** Diagonals of A for the u and w blocks, M×N each. */
  readonly rowDiagonal: Float64Array;
  readonly columnDiagonal: Float64Array;
  /** Thomas factors of P: inverse pivots and forward multipliers, per block. */
  readonly rowPivot: Float64Array;
  readonly rowMultiplier: Float64Array;
  readonly columnPivot: Float64Array;
  readonly columnMultiplier: Float64Array;
}

/** Builds and factorises the system of an M×N crossbar (g_r, g_c > 0 and finite). */
export function factorise(
  rows: number,
  columns: number,
  conductances: Float64Array,
  rowConductance: number,
  columnConductance: number,
): CrossbarSystem {
  const n = rows * columns;
  const rowDiagonal = new Float64Array(n);
  const columnDiagonal = new Float64Array(n);
  const rowPivot = new Float64Array(n);
  const rowMultiplier = new Float64Array(n);
  const columnPivot = new Float64Array(n);
  const columnMultiplier = new Float64Array(n);
  const gr = rowConductance;
  const gc = columnConductance;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const k = i * columns + j;
      const g = conductances[k] as number;
      rowDiagonal[k] = (j < columns - 1 ? 2 * gr : gr) + g;
      columnDiagonal[k] = (i > 0 ? 2 * gc : gc) + g;
    }
  }
  // Row lines: the recurrence runs along j.
  for (let i = 0; i < rows; i++) {
    let previous = 0;
    for (let j = 0; j < columns; j++) {
      const k = i * columns + j;
      const pivot = j === 0 ? (rowDiagonal[k] as number) : (rowDiagonal[k] as number) - gr * gr * previous;
      rowMultiplier[k] = j === 0 ? 0 : gr * previous;
      previous = 1 / pivot;
      rowPivot[k] = previous;
    }
  }
  // Column lines: along i, all columns at once.
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const k = i * columns + j;
      const previous = i === 0 ? 0 : (columnPivot[k - columns] as number);
      const pivot =
        i === 0 ? (columnDiagonal[k] as number) : (columnDiagonal[k] as number) - gc * gc * previous;
      columnMultiplier[k] = i === 0 ? 0 : gc * previous;
      columnPivot[k] = 1 / pivot;
    }
  }
  return {
    rows,
    columns,
    conductances,
    rowConductance,
    columnConductance,
    rowDiagonal,
    columnDiagonal,
    rowPivot,
    rowMultiplier,
    columnPivot,
    columnMultiplier,
  };
}

/** y = A x over the stacked vector [u; w] (length 2MN). */
export function multiply(s: CrossbarSystem, x: Float64Array, y: Float64Array): void {
  const { rows: m, columns: n, conductances: g, rowDiagonal, columnDiagonal } = s;
  const gr = s.rowConductance;
  const gc = s.columnConductance;
  const w0 = m * n;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const u = x[k] as number;
      const w = x[w0 + k] as number;
      const gk = g[k] as number;
      const left = j > 0 ? (x[k - 1] as number) : 0;
      const right = j < n - 1 ? (x[k + 1] as number) : 0;
      const up = i > 0 ? (x[w0 + k - n] as number) : 0;
      const down = i < m - 1 ? (x[w0 + k + n] as number) : 0;
      y[k] = (rowDiagonal[k] as number) * u - gr * (left + right) - gk * w;
      y[w0 + k] = (columnDiagonal[k] as number) * w - gc * (up + down) - gk * u;
    }
  }
}

/** z = P⁻¹ r: one tridiagonal solve per row line and per column line. */
export function precondition(s: CrossbarSystem, r: Float64Array, z: Float64Array): void {
  const { rows: m, columns: n, rowPivot, rowMultiplier, columnPivot, columnMultiplier } = s;
  const gr = s.rowConductance;
  const gc = s.columnConductance;
  const w0 = m * n;
  for (let i = 0; i < m; i++) {
    const start = i * n;
    let carry = 0;
    for (let j = 0; j < n; j++) {
      carry = (r[start + j] as number) + (rowMultiplier[start + j] as number) * carry;
      z[start + j] = carry;
    }
    let next = 0;
    for (let j = n - 1; j >= 0; j--) {
      next = (rowPivot[start + j] as number) * ((z[start + j] as number) + gr * next);
      z[start + j] = next;
    }
  }
  for (let j = 0; j < n; j++) z[w0 + j] = r[w0 + j] as number;
  for (let i = 1; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = w0 + i * n + j;
      z[k] = (r[k] as number) + (columnMultiplier[k - w0] as number) * (z[k - n] as number);
    }
  }
  for (let j = 0; j < n; j++) {
    const k = w0 + (m - 1) * n + j;
    z[k] = (columnPivot[k - w0] as number) * (z[k] as number);
  }
  for (let i = m - 2; i >= 0; i--) {
    for (let j = 0; j < n; j++) {
      const k = w0 + i * n + j;
      z[k] = (columnPivot[k - w0] as number) * ((z[k] as number) + gc * (z[k + n] as number));
    }
  }
}

/** Σ a_k b_k, even and odd k summed apart (length even). */
export function dot(a: Float64Array, b: Float64Array): number {
  let even = 0;
  let odd = 0;
  for (let k = 0; k < a.length; k += 2) {
    even += (a[k] as number) * (b[k] as number);
    odd += (a[k + 1] as number) * (b[k + 1] as number);
  }
  return even + odd;
}

/** Work vectors of one solve: residual, preconditioned residual, direction, A·direction. */
export interface Workspace {
  readonly r: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
}

export function workspace(s: CrossbarSystem): Workspace {
  const size = 2 * s.rows * s.columns;
  return {
    r: new Float64Array(size),
    z: new Float64Array(size),
    p: new Float64Array(size),
    q: new Float64Array(size),
  };
}

/**
 * Solves A x = b by preconditioned CG from x = 0, until ‖r‖ ≤ tolerance·‖b‖
 * or maxIterations; returns the iterations taken (maxIterations + 1 if it
 * did not converge). x is overwritten.
 */
export function conjugateGradient(
  s: CrossbarSystem,
  b: Float64Array,
  x: Float64Array,
  work: Workspace,
  tolerance: number,
  maxIterations: number,
): number {
  const { r, z, p, q } = work;
  const size = b.length;
  x.fill(0);
  r.set(b);
  const goal = tolerance * tolerance * dot(b, b);
  if (dot(r, r) <= goal) return 0;
  precondition(s, r, z);
  p.set(z);
  let rz = dot(r, z);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    multiply(s, p, q);
    const alpha = rz / dot(p, q);
    for (let k = 0; k < size; k++) {
      x[k] = (x[k] as number) + alpha * (p[k] as number);
      r[k] = (r[k] as number) - alpha * (q[k] as number);
    }
    if (dot(r, r) <= goal) return iteration;
    precondition(s, r, z);
    const next = dot(r, z);
    const beta = next / rz;
    rz = next;
    for (let k = 0; k < size; k++) p[k] = (z[k] as number) + beta * (p[k] as number);
  }
  return maxIterations + 1;
}

/** b = [−G∘V; G∘V] for row voltages V (length M). */
export function rightHandSide(s: CrossbarSystem, voltages: ArrayLike<number>, b: Float64Array): void {
  const { rows: m, columns: n, conductances: g } = s;
  const w0 = m * n;
  for (let i = 0; i < m; i++) {
    const v = voltages[i] as number;
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const current = (g[k] as number) * v;
      b[k] = -current;
      b[w0 + k] = current;
    }
  }
}
