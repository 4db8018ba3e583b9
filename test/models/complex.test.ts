import { describe, expect, it } from "vitest";
import {
  abs,
  abs2,
  add,
  at,
  complex,
  conj,
  div,
  exp,
  expi,
  mul,
  put,
  sqrt,
  sub,
} from "../../src/models/complex.js";

describe("complex arithmetic", () => {
  const a = complex(3, -4);
  const b = complex(-1.5, 2);

  it("multiplies and divides as inverses, including a huge divisor (Smith)", () => {
    const q = div(mul(a, b), b);
    expect(q.re).toBeCloseTo(3, 14);
    expect(q.im).toBeCloseTo(-4, 14);
    const big = complex(1e300, 1e300);
    expect(div(big, big)).toEqual({ re: 1, im: 0 });
  });

  it("has |a|² = a·conj(a), |3 − 4i| = 5, and a − a = 0", () => {
    expect(mul(a, conj(a))).toEqual({ re: 25, im: 0 });
    expect(abs2(a)).toBe(25);
    expect(abs(a)).toBe(5);
    expect(sub(add(a, b), b)).toEqual(a);
  });

  it("obeys Euler: e^{iπ} = −1, and exp(a) matches e^{re}·e^{i·im}", () => {
    const e = expi(Math.PI);
    expect(e.re).toBe(-1);
    expect(Math.abs(e.im)).toBeLessThan(1e-15);
    const x = exp(complex(1, Math.PI / 2));
    expect(x.re).toBeCloseTo(0, 15);
    expect(x.im).toBeCloseTo(Math.E, 15);
  });

  it.each([
    [complex(-4, 0), complex(0, 2)],
    [complex(-4, -0), complex(0, 2)],
    [complex(0, 2), complex(1, 1)],
    [complex(3, -4), complex(2, -1)],
  ])("takes the principal square root of %o", (z, root) => {
    const r = sqrt(z);
    expect(r.re).toBeCloseTo(root.re, 14);
    expect(r.im).toBeCloseTo(root.im, 14);
    expect(r.re).toBeGreaterThanOrEqual(0);
  });

  it("reads and writes interleaved arrays", () => {
    const array = new Float64Array(4);
    put(array, 1, a);
    expect(Array.from(array)).toEqual([0, 0, 3, -4]);
    expect(at(array, 1)).toEqual(a);
  });
});
