/** Mesh layouts: how many MZIs, how deep, and that each column is a set of disjoint mode pairs. */
import { describe, expect, it } from "vitest";
import {
  clementsLayout,
  type MeshLayout,
  meshLayout,
  reckLayout,
} from "../../../../src/models/photonic/mesh/index.js";

const sizes = [2, 3, 4, 5, 8, 13, 32, 64];

describe.each([
  ["clements", clementsLayout, (n: number) => (n === 2 ? 1 : n)],
  ["reck", reckLayout, (n: number) => 2 * n - 3],
] as const)("%s layout", (kind, layoutOf, depth) => {
  it.each(sizes)("on %i modes has N(N−1)/2 MZIs, in the expected number of columns", (n) => {
    const layout = layoutOf(n);
    expect(layout.count).toBe((n * (n - 1)) / 2);
    expect(layout.depth).toBe(depth(n));
    expect(meshLayout(kind, n)).toEqual(layout);
  });

  it.each(sizes)("on %i modes lists MZIs column by column, each column on disjoint modes", (n) => {
    const layout: MeshLayout = layoutOf(n);
    const used = new Set<string>();
    for (let j = 0; j < layout.count; j++) {
      const [c, m] = [layout.column[j] as number, layout.topMode[j] as number];
      if (j > 0) expect(c).toBeGreaterThanOrEqual(layout.column[j - 1] as number);
      expect(m >= 0 && m + 1 < n).toBe(true);
      for (const mode of [m, m + 1]) {
        expect(used.has(`${c}:${mode}`)).toBe(false);
        used.add(`${c}:${mode}`);
      }
    }
  });
});

describe("clements layout", () => {
  it("couples every pair of neighbours once per two columns: column c holds the pairs (m, m+1), m ≡ c mod 2", () => {
    const layout = clementsLayout(6);
    const columns = Array.from({ length: 6 }, (_, c) =>
      [...layout.topMode].filter((_, j) => layout.column[j] === c),
    );
    expect(columns).toEqual([
      [0, 2, 4],
      [1, 3],
      [0, 2, 4],
      [1, 3],
      [0, 2, 4],
      [1, 3],
    ]);
  });
});

describe("reck layout", () => {
  it("is a triangle: 5 modes give diagonals of 4, 3, 2, 1 MZIs", () => {
    const layout = reckLayout(5);
    const slots = [...layout.topMode].map((m, j) => `${layout.column[j]}:${m}`);
    expect(slots).toEqual(["0:3", "1:2", "2:1", "2:3", "3:0", "3:2", "4:1", "4:3", "5:2", "6:3"]);
  });
});

it("refuses an unknown kind of mesh", () => {
  expect(() => meshLayout("butterfly" as "reck", 4)).toThrow(/unknown kind/);
});

it.each([0, 1.5, -2])("refuses a mesh of %f modes", (n) => {
  expect(() => clementsLayout(n)).toThrow(RangeError);
  expect(() => reckLayout(n)).toThrow(RangeError);
});
