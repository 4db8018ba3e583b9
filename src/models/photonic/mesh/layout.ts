/**
 * Where the MZIs of a mesh sit: which adjacent modes each couples and in
 * which column. Worked out once per mesh size (STYLE.md 7); propagation,
 * the unitary, gradients and the WASM kernel all read these flat arrays.
 *
 * MZI j couples modes topMode[j] and topMode[j] + 1 and sits in
 * column[j]. MZIs are listed column by column (then by mode), which is an
 * order light can take through them: within a column no two MZIs share a
 * mode.
 *
 * Rectangular (Clements et al., Optica 3, 1460 (2016), Fig. 1(b)): column c
 * holds the MZIs on modes (m, m+1) with m ≡ c (mod 2); N(N−1)/2 MZIs in N
 * columns (one for N = 2, whose second column would be empty), so every
 * input crosses the mesh through N or N − 1 MZIs.
 *
 *   N = 4:  mode 0 ─┬─────┬───────
 *           mode 1 ─┴──┬──┴──┬────
 *           mode 2 ─┬──┴──┬──┴────
 *           mode 3 ─┴─────┴───────
 *                  c0 c1 c2 c3
 *
 * Triangular (Reck, Zeilinger, Bernstein & Bertani, "Experimental
 * realization of any discrete unitary operator", Phys. Rev. Lett. 73, 58
 * (1994); adjacent-mode form of Clements et al., Fig. 1(a)): diagonal d =
 * 0 … N−2 holds the MZIs on modes N−2, N−3, …, d, the one on mode N−2−k in
 * column 2d + k; N(N−1)/2 MZIs in 2N − 3 columns.
 */

export type MeshKind = "clements" | "reck";

export interface MeshLayout {
  readonly kind: MeshKind;
  /** Number of modes N (inputs = outputs). */
  readonly size: number;
  /** Number of MZIs, N(N−1)/2. */
  readonly count: number;
  /** Number of columns. */
  readonly depth: number;
  /** MZI j couples modes topMode[j] and topMode[j] + 1. */
  readonly topMode: Int32Array;
  /** Column of MZI j; non-decreasing in j. */
  readonly column: Int32Array;
}

/**
 * Thrown when a mesh's data does not fit together: a layout whose arrays
 * disagree with its size (a hand-built one), or cells, a screen, phases or
 * fields of the wrong length for the layout. `field` names the member,
 * `index` the entry where one entry is wrong (undefined for a length).
 */
export class MeshShapeError extends RangeError {
  constructor(
    readonly field: string,
    readonly index: number | undefined,
    message: string,
  ) {
    super(`MZI mesh: ${message}`);
    this.name = "MeshShapeError";
  }
}

/** Layouts `checkLayout` has passed. */
const checkedLayouts = new WeakSet<MeshLayout>();

/**
 * Refuses a layout that would send a kernel outside its fields: size not a
 * whole number ≥ 1, count not whole, topMode or column not `count` long, a
 * topMode outside [0, N − 2], a column outside [0, depth) or out of order.
 * A layout from this file always passes. Each layout object is checked once
 * (remembered in a WeakSet), so the check costs nothing per call after the
 * first; a layout's arrays changed after that are not seen — build a new
 * layout instead.
 */
export function checkLayout(layout: MeshLayout): void {
  if (checkedLayouts.has(layout)) return;
  const { size, count, depth, topMode, column } = layout;
  const whole = (name: keyof MeshLayout, value: number, min: number) => {
    if (!(Number.isInteger(value) && value >= min)) {
      throw new MeshShapeError(name, undefined, `layout ${name} = ${value} (a whole number ≥ ${min})`);
    }
  };
  whole("size", size, 1);
  whole("count", count, 0);
  whole("depth", depth, 0);
  for (const [name, values] of [
    ["topMode", topMode],
    ["column", column],
  ] as const) {
    if (values.length !== count) {
      throw new MeshShapeError(
        name,
        undefined,
        `layout has ${values.length} ${name} entries for ${count} MZIs`,
      );
    }
  }
  for (let j = 0; j < count; j++) {
    const m = topMode[j] as number;
    if (!(Number.isInteger(m) && m >= 0 && m <= size - 2)) {
      throw new MeshShapeError(
        "topMode",
        j,
        `layout topMode[${j}] = ${m} (in [0, ${size - 2}] for ${size} modes)`,
      );
    }
    const c = column[j] as number;
    const previous = j === 0 ? 0 : (column[j - 1] as number);
    if (!(Number.isInteger(c) && c >= previous && c < depth)) {
      throw new MeshShapeError(
        "column",
        j,
        `layout column[${j}] = ${c} (non-decreasing, from ${previous}, and < depth ${depth})`,
      );
    }
  }
  checkedLayouts.add(layout);
}

/** The rectangular mesh of Clements et al. (2016) on `size` modes. */
export function clementsLayout(size: number): MeshLayout {
  checkSize(size);
  const slots: [number, number][] = [];
  for (let c = 0; c < size; c++) {
    for (let m = c % 2; m + 1 < size; m += 2) slots.push([c, m]);
  }
  return fromSlots("clements", size, slots);
}

/** The triangular mesh of Reck et al. (1994) on `size` modes. */
export function reckLayout(size: number): MeshLayout {
  checkSize(size);
  const slots: [number, number][] = [];
  for (let d = 0; d + 1 < size; d++) {
    for (let k = 0; k + d + 1 < size; k++) slots.push([2 * d + k, size - 2 - k]);
  }
  slots.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return fromSlots("reck", size, slots);
}

/** The layout of `kind` on `size` modes. */
export function meshLayout(kind: MeshKind, size: number): MeshLayout {
  if (kind === "clements") return clementsLayout(size);
  if (kind === "reck") return reckLayout(size);
  throw new RangeError(`MZI mesh: unknown kind "${kind as string}" (clements or reck)`);
}

/**
 * Index of each (column, topMode) slot of a layout, so a sequence of MZIs
 * found in another order (a decomposition) can be placed in it.
 */
export function slotIndex(layout: MeshLayout): Map<number, number> {
  const index = new Map<number, number>();
  for (let j = 0; j < layout.count; j++) {
    index.set((layout.column[j] as number) * layout.size + (layout.topMode[j] as number), j);
  }
  return index;
}

function fromSlots(kind: MeshKind, size: number, slots: readonly (readonly [number, number])[]): MeshLayout {
  return {
    kind,
    size,
    count: slots.length,
    depth: slots.length === 0 ? 0 : (slots[slots.length - 1] as readonly [number, number])[0] + 1,
    topMode: Int32Array.from(slots, ([, m]) => m),
    column: Int32Array.from(slots, ([c]) => c),
  };
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`MZI mesh: size ${size} is not a whole number of modes ≥ 1`);
  }
}
