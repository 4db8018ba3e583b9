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
 *   iterations [K]: CG iterations per input (maxIterations + 1: not converged,
 *     which the wrapper turns into an error; maxIterations ≤ 2³¹ − 2, so the
 *     i32 count cannot wrap);
 *   work [14·M·N]: the preconditioner's pivots (2·M·N) and CG vectors (6 × 2·M·N).
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

// Offsets (in f64) of the preconditioner's pivots in `work`, set by crossbarSolve.
let rowPivot: usize = 0;
let columnPivot: usize = 0;

function at(base: usize, k: i32): usize {
  return base + ((<usize>k) << 3);
}

/**
 * The pivots of the row-line and column-line Thomas factorisations
 * (system.ts `factorise`). The twin also stores the diagonals and the
 * multipliers; here each is recomputed where it is used, by the same
 * expression on the same operands (a diagonal (2·g_r or g_r) + G_k, a
 * multiplier g_r·pivot_{k−1}), so the values are the same bits and the
 * solve's working set is four arrays smaller — it is bound by memory
 * traffic, not arithmetic.
 */
function factorise(m: i32, n: i32, g: usize, gr: f64, gc: f64): void {
  for (let i = 0; i < m; i++) {
    let previous: f64 = 0;
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const d = (j < n - 1 ? 2 * gr : gr) + load<f64>(at(g, k));
      const pivot = j === 0 ? d : d - gr * gr * previous;
      previous = 1 / pivot;
      store<f64>(at(rowPivot, k), previous);
    }
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const previous = i === 0 ? 0 : load<f64>(at(columnPivot, k - n));
      const d = (i > 0 ? 2 * gc : gc) + load<f64>(at(g, k));
      const pivot = i === 0 ? d : d - gc * gc * previous;
      store<f64>(at(columnPivot, k), 1 / pivot);
    }
  }
}

/**
 * y = A x (system.ts `multiply`), the interior of each line two nodes at a
 * time, the diagonals recomputed from G (see `factorise`). At a line's end
 * the twin adds 0 for the missing neighbour, which changes nothing but
 * perhaps the sign of a zero (0 + a = a otherwise), so leaving the term out
 * here gives the same values.
 */
function multiply(m: i32, n: i32, g: usize, gr: f64, gc: f64, x: usize, y: usize): void {
  const w0 = m * n;
  const vgr = f64x2.splat(gr);
  const vgc = f64x2.splat(gc);
  const inner = 2 * gr;
  const vinner = f64x2.splat(inner);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    // Row-line block: neighbours along j.
    if (n === 1) {
      const gk = load<f64>(at(g, row));
      store<f64>(at(y, row), (gr + gk) * load<f64>(at(x, row)) - gk * load<f64>(at(x, w0 + row)));
    } else {
      const g0 = load<f64>(at(g, row));
      store<f64>(
        at(y, row),
        (inner + g0) * load<f64>(at(x, row)) -
          gr * load<f64>(at(x, row + 1)) -
          g0 * load<f64>(at(x, w0 + row)),
      );
      let j = 1;
      for (; j + 1 < n - 1; j += 2) {
        const k = row + j;
        const gk = v128.load(at(g, k));
        const neighbours = f64x2.add(v128.load(at(x, k - 1)), v128.load(at(x, k + 1)));
        const value = f64x2.sub(
          f64x2.sub(f64x2.mul(f64x2.add(vinner, gk), v128.load(at(x, k))), f64x2.mul(vgr, neighbours)),
          f64x2.mul(gk, v128.load(at(x, w0 + k))),
        );
        v128.store(at(y, k), value);
      }
      for (; j < n - 1; j++) {
        const k = row + j;
        const gk = load<f64>(at(g, k));
        store<f64>(
          at(y, k),
          (inner + gk) * load<f64>(at(x, k)) -
            gr * (load<f64>(at(x, k - 1)) + load<f64>(at(x, k + 1))) -
            gk * load<f64>(at(x, w0 + k)),
        );
      }
      const last = row + n - 1;
      const gl = load<f64>(at(g, last));
      store<f64>(
        at(y, last),
        (gr + gl) * load<f64>(at(x, last)) -
          gr * load<f64>(at(x, last - 1)) -
          gl * load<f64>(at(x, w0 + last)),
      );
    }
    // Column-line block: neighbours along i, all columns of the row at once.
    const hasUp = i > 0;
    const hasDown = i < m - 1;
    const diagonal = hasUp ? 2 * gc : gc;
    const vdiagonal = f64x2.splat(diagonal);
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const k = row + j;
      const wk = at(x, w0 + k);
      const gk = v128.load(at(g, k));
      let neighbours: v128;
      if (hasUp && hasDown)
        neighbours = f64x2.add(v128.load(wk - ((<usize>n) << 3)), v128.load(wk + ((<usize>n) << 3)));
      else if (hasUp) neighbours = v128.load(wk - ((<usize>n) << 3));
      else if (hasDown) neighbours = v128.load(wk + ((<usize>n) << 3));
      else neighbours = f64x2.splat(0);
      const value = f64x2.sub(
        f64x2.sub(f64x2.mul(f64x2.add(vdiagonal, gk), v128.load(wk)), f64x2.mul(vgc, neighbours)),
        f64x2.mul(gk, v128.load(at(x, k))),
      );
      v128.store(at(y, w0 + k), value);
    }
    for (; j < n; j++) {
      const k = row + j;
      const gk = load<f64>(at(g, k));
      const up = hasUp ? load<f64>(at(x, w0 + k - n)) : 0;
      const down = hasDown ? load<f64>(at(x, w0 + k + n)) : 0;
      const neighbours = hasUp && hasDown ? up + down : hasUp ? up : down;
      store<f64>(
        at(y, w0 + k),
        (diagonal + gk) * load<f64>(at(x, w0 + k)) - gc * neighbours - gk * load<f64>(at(x, k)),
      );
    }
  }
}

/**
 * One row line's forward and backward Thomas sweeps (system.ts
 * `precondition`), for rows [first, first + count) with count ≤ 4 run in
 * lockstep: the sweeps are chains of dependent multiply-adds, and four
 * independent chains keep the CPU busy where one would wait. The
 * multiplier g_r·pivot_{j−1} is formed as the twin forms it; at j = 0 the
 * twin's term is 0·0 = +0, kept as "+ 0" (r + 0 turns −0 into +0 there too).
 */
function sweepRows(first: i32, count: i32, n: i32, gr: f64, r: usize, z: usize): void {
  const s0 = first * n;
  const s1 = s0 + (count > 1 ? n : 0);
  const s2 = s0 + (count > 2 ? 2 * n : 0);
  const s3 = s0 + (count > 3 ? 3 * n : 0);
  let c0: f64 = load<f64>(at(r, s0)) + 0;
  let c1: f64 = load<f64>(at(r, s1)) + 0;
  let c2: f64 = load<f64>(at(r, s2)) + 0;
  let c3: f64 = load<f64>(at(r, s3)) + 0;
  store<f64>(at(z, s3), c3);
  store<f64>(at(z, s2), c2);
  store<f64>(at(z, s1), c1);
  store<f64>(at(z, s0), c0);
  for (let j = 1; j < n; j++) {
    c0 = load<f64>(at(r, s0 + j)) + gr * load<f64>(at(rowPivot, s0 + j - 1)) * c0;
    c1 = load<f64>(at(r, s1 + j)) + gr * load<f64>(at(rowPivot, s1 + j - 1)) * c1;
    c2 = load<f64>(at(r, s2 + j)) + gr * load<f64>(at(rowPivot, s2 + j - 1)) * c2;
    c3 = load<f64>(at(r, s3 + j)) + gr * load<f64>(at(rowPivot, s3 + j - 1)) * c3;
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
      const multiplier = f64x2.mul(vgc, v128.load(at(columnPivot, k - w0 - n)));
      v128.store(at(z, k), f64x2.add(v128.load(at(r, k)), f64x2.mul(multiplier, v128.load(at(z, k - n)))));
    }
    for (; j < n; j++) {
      const k = k0 + j;
      store<f64>(
        at(z, k),
        load<f64>(at(r, k)) + gc * load<f64>(at(columnPivot, k - w0 - n)) * load<f64>(at(z, k - n)),
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
  rowPivot = work;
  columnPivot = at(work, cells);
  const b = at(work, 2 * cells);
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
        // x += αp, r −= αq, and r·r summed as `dot` sums it, in the same pass.
        let rr = f64x2.splat(0);
        for (let k = 0; k < size; k += 2) {
          v128.store(at(x, k), f64x2.add(v128.load(at(x, k)), f64x2.mul(a, v128.load(at(p, k)))));
          const rk = f64x2.sub(v128.load(at(r, k)), f64x2.mul(a, v128.load(at(q, k))));
          v128.store(at(r, k), rk);
          rr = f64x2.add(rr, f64x2.mul(rk, rk));
        }
        if (f64x2.extract_lane(rr, 0) + f64x2.extract_lane(rr, 1) <= goal) {
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
