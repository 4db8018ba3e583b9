import { describe, expect, it } from "vitest";
import { choleskySolve, symmetricEigen } from "../../src/fit/linalg.js";

describe("the engine's linear algebra", () => {
  it("solves a symmetric positive definite system, and says when the matrix is not one", () => {
    // [[4, 2], [2, 3]] x = [2, 1]  →  x = [0.5, 0]
    expect(Array.from(choleskySolve(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2) ?? [])).toEqual([
      0.5, 0,
    ]);
    expect(choleskySolve(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBeUndefined();
  });

  it("gives the eigenvalues of the 3 × 3 second-difference matrix, 2 − 2cos(kπ/4), with orthonormal vectors", () => {
    const a = Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2);
    const { values, vectors } = symmetricEigen(a, 3);
    [1, 2, 3].forEach((k, i) => {
      expect(values[i]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / 4), 14);
    });
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let k = 0; k < 3; k++) dot += (vectors[k * 3 + i] as number) * (vectors[k * 3 + j] as number);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 14);
      }
      // A v = λ v
      for (let r = 0; r < 3; r++) {
        let av = 0;
        for (let k = 0; k < 3; k++) av += (a[r * 3 + k] as number) * (vectors[k * 3 + i] as number);
        expect(av).toBeCloseTo((values[i] as number) * (vectors[r * 3 + i] as number), 14);
      }
    }
  });
});
