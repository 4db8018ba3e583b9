/**
 * Crossbar kernels (src/models/crossbar/): the ideal vector-matrix product
 * for a batch of input vectors, and the wire-resistance network solved by
 * preconditioned conjugate gradients for a batch of input vectors, the
 * preconditioner factorised once per call. Line for line the arithmetic of
 * src/models/crossbar/system.ts (the TypeScript twin and executable
 * specification), in the same order, so the two agree to the bit; f64x2
 * SIMD where the operations are lane-wise (axpy, the column sweeps) or
 * summed in two lanes as the twin sums them (inner products).
 *
 * Layout (all f64, row-major):
 *   conductances [M × N]: G_ij at i·N + j;
 *   voltages [K × M]: input vector b in row b;
 *   currents [K × N]: output currents of input b in row b;
 *   iterations [K]: CG iterations per input (maxIterations + 1: not converged);
 *   work [18·M·N]: the factorised system (6·M·N) and CG vectors (6 × 2·M·N).
 */

// ---------------------------------------------------------------- ideal product

/**
 * currents[b][j] = Σ_i conductances[i][j]·voltages[b][i], i in order.
 * Register-blocked: 8 columns at a time are summed over all rows in four
 * f64x2 accumulators (then pairs, then a last odd column), so the partial
 * sums never go through memory; each column's sum is the same sequence of
 * roundings as the row-by-row axpy (0 + G_0j·v_0 + G_1j·v_1 + …), so the
 * result is unchanged to the bit. Measured at 128×128 (bench/crossbar.ts):
 * 1.9× faster than the row-by-row axpy on 1024 vectors, 1.6× on one.
 */
export function crossbarProduct(
  m: i32,
  n: i32,
  nInputs: i32,
  conductances: usize,
  voltages: usize,
  currents: usize,
): void {
  const rowBytes = (<usize>n) << 3;
  const octets = n & ~7;
  const pairs = n & ~1;
  for (let b = 0; b < nInputs; b++) {
    const out = currents + <usize>b * rowBytes;
    const v = voltages + ((<usize>b * <usize>m) << 3);
    let j = 0;
    for (; j < octets; j += 8) {
      let column = conductances + ((<usize>j) << 3);
      let a0 = f64x2.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      for (let i = 0; i < m; i++) {
        const splat = f64x2.splat(load<f64>(v + ((<usize>i) << 3)));
        a0 = f64x2.add(a0, f64x2.mul(v128.load(column), splat));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(column, 16), splat));
        a2 = f64x2.add(a2, f64x2.mul(v128.load(column, 32), splat));
        a3 = f64x2.add(a3, f64x2.mul(v128.load(column, 48), splat));
        column += rowBytes;
      }
      const at = out + ((<usize>j) << 3);
      v128.store(at, a0);
      v128.store(at, a1, 16);
      v128.store(at, a2, 32);
      v128.store(at, a3, 48);
    }
    for (; j < pairs; j += 2) {
      let column = conductances + ((<usize>j) << 3);
      let a0 = f64x2.splat(0);
      for (let i = 0; i < m; i++) {
        a0 = f64x2.add(a0, f64x2.mul(v128.load(column), f64x2.splat(load<f64>(v + ((<usize>i) << 3)))));
        column += rowBytes;
      }
      v128.store(out + ((<usize>j) << 3), a0);
    }
    if (j < n) {
      let column = conductances + ((<usize>j) << 3);
      let sum: f64 = 0;
      for (let i = 0; i < m; i++) {
        sum += load<f64>(column) * load<f64>(v + ((<usize>i) << 3));
        column += rowBytes;
      }
      store<f64>(out + ((<usize>j) << 3), sum);
    }
  }
}

// ---------------------------------------------------------------- wire-resistance solve

// Offsets (in f64) of the arrays in `work`, set by crossbarSolve.
let rowDiagonal: usize = 0;
let columnDiagonal: usize = 0;
let rowPivot: usize = 0;
let rowMultiplier: usize = 0;
let columnPivot: usize = 0;
let columnMultiplier: usize = 0;

function at(base: usize, k: i32): usize {
  return base + ((<usize>k) << 3);
}

function factorise(m: i32, n: i32, g: usize, gr: f64, gc: f64): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const gk = load<f64>(at(g, k));
      store<f64>(at(rowDiagonal, k), (j < n - 1 ? 2 * gr : gr) + gk);
      store<f64>(at(columnDiagonal, k), (i > 0 ? 2 * gc : gc) + gk);
    }
  }
  for (let i = 0; i < m; i++) {
    let previous: f64 = 0;
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const d = load<f64>(at(rowDiagonal, k));
      const pivot = j === 0 ? d : d - gr * gr * previous;
      store<f64>(at(rowMultiplier, k), j === 0 ? 0 : gr * previous);
      previous = 1 / pivot;
      store<f64>(at(rowPivot, k), previous);
    }
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const previous = i === 0 ? 0 : load<f64>(at(columnPivot, k - n));
      const d = load<f64>(at(columnDiagonal, k));
      const pivot = i === 0 ? d : d - gc * gc * previous;
      store<f64>(at(columnMultiplier, k), i === 0 ? 0 : gc * previous);
      store<f64>(at(columnPivot, k), 1 / pivot);
    }
  }
}

/**
 * y = A x (system.ts `multiply`), the interior of each line two nodes at a
 * time. At a line's end the twin adds 0 for the missing neighbour, which
 * changes nothing (0 + a = a exactly), so leaving the term out here gives
 * the same bits.
 */
function multiply(m: i32, n: i32, g: usize, gr: f64, gc: f64, x: usize, y: usize): void {
  const w0 = m * n;
  const vgr = f64x2.splat(gr);
  const vgc = f64x2.splat(gc);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    // Row-line block: neighbours along j.
    if (n === 1) {
      store<f64>(
        at(y, row),
        load<f64>(at(rowDiagonal, row)) * load<f64>(at(x, row)) -
          load<f64>(at(g, row)) * load<f64>(at(x, w0 + row)),
      );
    } else {
      store<f64>(
        at(y, row),
        load<f64>(at(rowDiagonal, row)) * load<f64>(at(x, row)) -
          gr * load<f64>(at(x, row + 1)) -
          load<f64>(at(g, row)) * load<f64>(at(x, w0 + row)),
      );
      let j = 1;
      for (; j + 1 < n - 1; j += 2) {
        const k = row + j;
        const neighbours = f64x2.add(v128.load(at(x, k - 1)), v128.load(at(x, k + 1)));
        const value = f64x2.sub(
          f64x2.sub(
            f64x2.mul(v128.load(at(rowDiagonal, k)), v128.load(at(x, k))),
            f64x2.mul(vgr, neighbours),
          ),
          f64x2.mul(v128.load(at(g, k)), v128.load(at(x, w0 + k))),
        );
        v128.store(at(y, k), value);
      }
      for (; j < n - 1; j++) {
        const k = row + j;
        store<f64>(
          at(y, k),
          load<f64>(at(rowDiagonal, k)) * load<f64>(at(x, k)) -
            gr * (load<f64>(at(x, k - 1)) + load<f64>(at(x, k + 1))) -
            load<f64>(at(g, k)) * load<f64>(at(x, w0 + k)),
        );
      }
      const last = row + n - 1;
      store<f64>(
        at(y, last),
        load<f64>(at(rowDiagonal, last)) * load<f64>(at(x, last)) -
          gr * load<f64>(at(x, last - 1)) -
          load<f64>(at(g, last)) * load<f64>(at(x, w0 + last)),
      );
    }
    // Column-line block: neighbours along i, all columns of the row at once.
    const hasUp = i > 0;
    const hasDown = i < m - 1;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const k = row + j;
      const wk = at(x, w0 + k);
      let neighbours: v128;
      if (hasUp && hasDown)
        neighbours = f64x2.add(v128.load(wk - ((<usize>n) << 3)), v128.load(wk + ((<usize>n) << 3)));
      else if (hasUp) neighbours = v128.load(wk - ((<usize>n) << 3));
      else if (hasDown) neighbours = v128.load(wk + ((<usize>n) << 3));
      else neighbours = f64x2.splat(0);
      const value = f64x2.sub(
        f64x2.sub(f64x2.mul(v128.load(at(columnDiagonal, k)), v128.load(wk)), f64x2.mul(vgc, neighbours)),
        f64x2.mul(v128.load(at(g, k)), v128.load(at(x, k))),
      );
      v128.store(at(y, w0 + k), value);
    }
    for (; j < n; j++) {
      const k = row + j;
      const up = hasUp ? load<f64>(at(x, w0 + k - n)) : 0;
      const down = hasDown ? load<f64>(at(x, w0 + k + n)) : 0;
      const neighbours = hasUp && hasDown ? up + down : hasUp ? up : down;
      store<f64>(
        at(y, w0 + k),
        load<f64>(at(columnDiagonal, k)) * load<f64>(at(x, w0 + k)) -
          gc * neighbours -
          load<f64>(at(g, k)) * load<f64>(at(x, k)),
      );
    }
  }
}

/**
 * One row line's forward and backward Thomas sweeps (system.ts
 * `precondition`), for rows [first, first + count) with count ≤ 4 run in
 * lockstep: the sweeps are chains of dependent multiply-adds, and four
 * independent chains keep the CPU busy where one would wait.
 */
function sweepRows(first: i32, count: i32, n: i32, gr: f64, r: usize, z: usize): void {
  const s0 = first * n;
  const s1 = s0 + (count > 1 ? n : 0);
  const s2 = s0 + (count > 2 ? 2 * n : 0);
  const s3 = s0 + (count > 3 ? 3 * n : 0);
  let c0: f64 = 0;
  let c1: f64 = 0;
  let c2: f64 = 0;
  let c3: f64 = 0;
  for (let j = 0; j < n; j++) {
    c0 = load<f64>(at(r, s0 + j)) + load<f64>(at(rowMultiplier, s0 + j)) * c0;
    c1 = load<f64>(at(r, s1 + j)) + load<f64>(at(rowMultiplier, s1 + j)) * c1;
    c2 = load<f64>(at(r, s2 + j)) + load<f64>(at(rowMultiplier, s2 + j)) * c2;
    c3 = load<f64>(at(r, s3 + j)) + load<f64>(at(rowMultiplier, s3 + j)) * c3;
    store<f64>(at(z, s3 + j), c3);
    store<f64>(at(z, s2 + j), c2);
    store<f64>(at(z, s1 + j), c1);
    store<f64>(at(z, s0 + j), c0);
  }
  c0 = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
  for (let j = n - 1; j >= 0; j--) {
    c0 = load<f64>(at(rowPivot, s0 + j)) * (load<f64>(at(z, s0 + j)) + gr * c0);
    c1 = load<f64>(at(rowPivot, s1 + j)) * (load<f64>(at(z, s1 + j)) + gr * c1);
    c2 = load<f64>(at(rowPivot, s2 + j)) * (load<f64>(at(z, s2 + j)) + gr * c2);
    c3 = load<f64>(at(rowPivot, s3 + j)) * (load<f64>(at(z, s3 + j)) + gr * c3);
    store<f64>(at(z, s3 + j), c3);
    store<f64>(at(z, s2 + j), c2);
    store<f64>(at(z, s1 + j), c1);
    store<f64>(at(z, s0 + j), c0);
  }
}

/** z = P⁻¹ r (system.ts `precondition`). */
function precondition(m: i32, n: i32, gr: f64, gc: f64, r: usize, z: usize): void {
  const w0 = m * n;
  // Rows beyond the last are aliased to the first of the group (count < 4): they
  // recompute and store that row's values, which are the same.
  for (let i = 0; i < m; i += 4) sweepRows(i, min(4, m - i), n, gr, r, z);
  const vgc = f64x2.splat(gc);
  const pairs = n & ~1;
  const rowBytes = (<usize>n) << 3;
  memory.copy(at(z, w0), at(r, w0), rowBytes);
  for (let i = 1; i < m; i++) {
    const k0 = w0 + i * n;
    let j = 0;
    for (; j < pairs; j += 2) {
      const k = k0 + j;
      v128.store(
        at(z, k),
        f64x2.add(
          v128.load(at(r, k)),
          f64x2.mul(v128.load(at(columnMultiplier, k - w0)), v128.load(at(z, k - n))),
        ),
      );
    }
    for (; j < n; j++) {
      const k = k0 + j;
      store<f64>(
        at(z, k),
        load<f64>(at(r, k)) + load<f64>(at(columnMultiplier, k - w0)) * load<f64>(at(z, k - n)),
      );
    }
  }
  {
    const k0 = w0 + (m - 1) * n;
    for (let j = 0; j < n; j++) {
      const k = k0 + j;
      store<f64>(at(z, k), load<f64>(at(columnPivot, k - w0)) * load<f64>(at(z, k)));
    }
  }
  for (let i = m - 2; i >= 0; i--) {
    const k0 = w0 + i * n;
    let j = 0;
    for (; j < pairs; j += 2) {
      const k = k0 + j;
      v128.store(
        at(z, k),
        f64x2.mul(
          v128.load(at(columnPivot, k - w0)),
          f64x2.add(v128.load(at(z, k)), f64x2.mul(vgc, v128.load(at(z, k + n)))),
        ),
      );
    }
    for (; j < n; j++) {
      const k = k0 + j;
      store<f64>(
        at(z, k),
        load<f64>(at(columnPivot, k - w0)) * (load<f64>(at(z, k)) + gc * load<f64>(at(z, k + n))),
      );
    }
  }
}

/** Σ a_k b_k over an even length, even and odd k in the two lanes. */
function dot(a: usize, b: usize, length: i32): f64 {
  let sum = f64x2.splat(0);
  for (let k = 0; k < length; k += 2) {
    sum = f64x2.add(sum, f64x2.mul(v128.load(at(a, k)), v128.load(at(b, k))));
  }
  return f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1);
}

export function crossbarSolve(
  m: i32,
  n: i32,
  nInputs: i32,
  conductances: usize,
  voltages: usize,
  rowConductance: f64,
  columnConductance: f64,
  tolerance: f64,
  maxIterations: i32,
  work: usize,
  currents: usize,
  iterations: usize,
): void {
  const cells = m * n;
  const size = 2 * cells;
  rowDiagonal = work;
  columnDiagonal = at(work, cells);
  rowPivot = at(work, 2 * cells);
  rowMultiplier = at(work, 3 * cells);
  columnPivot = at(work, 4 * cells);
  columnMultiplier = at(work, 5 * cells);
  const b = at(work, 6 * cells);
  const x = at(b, size);
  const r = at(x, size);
  const z = at(r, size);
  const p = at(z, size);
  const q = at(p, size);
  const gr = rowConductance;
  const gc = columnConductance;
  factorise(m, n, conductances, gr, gc);
  const bytes = (<usize>size) << 3;
  for (let input = 0; input < nInputs; input++) {
    // b = [−G∘V; G∘V]
    const v = voltages + ((<usize>input * <usize>m) << 3);
    for (let i = 0; i < m; i++) {
      const vi = load<f64>(at(v, i));
      for (let j = 0; j < n; j++) {
        const k = i * n + j;
        const current = load<f64>(at(conductances, k)) * vi;
        store<f64>(at(b, k), -current);
        store<f64>(at(b, cells + k), current);
      }
    }
    // Preconditioned CG from x = 0 (system.ts `conjugateGradient`).
    memory.fill(x, 0, bytes);
    memory.copy(r, b, bytes);
    const goal = tolerance * tolerance * dot(b, b, size);
    let taken = 0;
    if (!(dot(r, r, size) <= goal)) {
      precondition(m, n, gr, gc, r, z);
      memory.copy(p, z, bytes);
      let rz = dot(r, z, size);
      taken = maxIterations + 1;
      for (let iteration = 1; iteration <= maxIterations; iteration++) {
        multiply(m, n, conductances, gr, gc, p, q);
        const alpha = rz / dot(p, q, size);
        const a = f64x2.splat(alpha);
        for (let k = 0; k < size; k += 2) {
          v128.store(at(x, k), f64x2.add(v128.load(at(x, k)), f64x2.mul(a, v128.load(at(p, k)))));
          v128.store(at(r, k), f64x2.sub(v128.load(at(r, k)), f64x2.mul(a, v128.load(at(q, k)))));
        }
        if (dot(r, r, size) <= goal) {
          taken = iteration;
          break;
        }
        precondition(m, n, gr, gc, r, z);
        const next = dot(r, z, size);
        const beta = f64x2.splat(next / rz);
        rz = next;
        for (let k = 0; k < size; k += 2) {
          v128.store(at(p, k), f64x2.add(v128.load(at(z, k)), f64x2.mul(beta, v128.load(at(p, k)))));
        }
      }
    }
    store<f64>(at(iterations, input), <f64>taken);
    const out = currents + ((<usize>input * <usize>n) << 3);
    for (let j = 0; j < n; j++) {
      store<f64>(at(out, j), gc * load<f64>(at(x, cells + (m - 1) * n + j)));
    }
  }
}

/** Index of the first value that is not finite (or is negative, when nonNegative ≠ 0), or −1. */
export function crossbarCheck(count: i32, values: usize, nonNegative: i32): i32 {
  for (let k = 0; k < count; k++) {
    const value = load<f64>(at(values, k));
    if (!Number.isFinite(value) || (nonNegative !== 0 && !(value >= 0))) return k;
  }
  return -1;
}
