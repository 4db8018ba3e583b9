/**
 * The fitting engine against answers a reader can check: the weighted
 * straight line's closed form (Bevington & Robinson, *Data Reduction and
 * Error Analysis*, 3rd ed., eqs. 6.12 and 6.21), SciPy's `least_squares`
 * on the same bounded problem (Debian's python3-scipy, run by
 * /usr/bin/python3), first-order covariance under a change of scale, and
 * one test per diagnostic, each on a model built to trigger it.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { FitInputError } from "../../src/fit/errors.js";
import { type FitModel, fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import { UnknownParameterError } from "../../src/models/parameters.js";
import { SeededRandom } from "../../src/models/random.js";

const execute = promisify(execFile);

/** Seeded standard normal deviates (src/models/random.ts: mulberry32 and Box–Muller). */
function normal(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.gaussian();
}

const spec = (name: string, min = -1e6, max = 1e6, value = 0) => ({
  name,
  unit: "1",
  default: value,
  min,
  max,
  meaning: name,
});

/** f = a + b·x. */
function line(x: Float64Array): FitModel {
  return {
    name: "line",
    parameters: [spec("a"), spec("b")],
    evaluate(p, out, jacobian) {
      for (let i = 0; i < x.length; i++) {
        out[i] = (p[0] as number) + (p[1] as number) * (x[i] as number);
        if (jacobian) {
          jacobian[2 * i] = 1;
          jacobian[2 * i + 1] = x[i] as number;
        }
      }
    },
  };
}

/** f = A·exp(−t/τ) + c. */
function decay(t: Float64Array): FitModel {
  return {
    name: "decay",
    parameters: [spec("A", 0, 100, 1), spec("tau", 1e-3, 1e3, 1), spec("c", -10, 10, 0)],
    evaluate(p, out, jacobian) {
      const [amplitude, tau] = [p[0] as number, p[1] as number];
      for (let i = 0; i < t.length; i++) {
        const e = Math.exp(-(t[i] as number) / tau);
        out[i] = amplitude * e + (p[2] as number);
        if (jacobian) {
          jacobian[3 * i] = e;
          jacobian[3 * i + 1] = (amplitude * e * (t[i] as number)) / (tau * tau);
          jacobian[3 * i + 2] = 1;
        }
      }
    },
  };
}

const range = (count: number, step = 1, start = 0) =>
  Float64Array.from({ length: count }, (_, i) => start + i * step);

describe("the weighted straight line, against its closed form", () => {
  const x = range(25, 0.4, -3);
  const sigma = Float64Array.from(x, (_, i) => 0.05 + 0.01 * (i % 5));
  const noise = normal(7);
  const y = Float64Array.from(x, (xi, i) => 1.5 - 0.75 * xi + (sigma[i] as number) * noise());
  // Bevington & Robinson eq. 6.12 (values) and 6.21 (variances), with the covariance −Sx/Δ.
  let [s, sx, sy, sxx, sxy] = [0, 0, 0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const w = 1 / (sigma[i] as number) ** 2;
    const [xi, yi] = [x[i] as number, y[i] as number];
    [s, sx, sy, sxx, sxy] = [s + w, sx + w * xi, sy + w * yi, sxx + w * xi * xi, sxy + w * xi * yi];
  }
  const delta = s * sxx - sx * sx;
  const exact = {
    a: (sxx * sy - sx * sxy) / delta,
    b: (s * sxy - sx * sy) / delta,
    varA: sxx / delta,
    varB: s / delta,
    cov: -sx / delta,
  };
  const chiSquare = (a: number, b: number) =>
    x.reduce((sum, xi, i) => sum + ((a + b * xi - (y[i] as number)) / (sigma[i] as number)) ** 2, 0);

  it("with absolute uncertainties: the values, variances, covariance and χ² of eqs. 6.12 and 6.21", () => {
    const fit = fitLeastSquares(line(x), { y, sigma }, { free: ["a", "b"], initial: { a: 10, b: 10 } });
    expect(fit.usable).toBe(true);
    expect(fit.values.a).toBeCloseTo(exact.a, 10);
    expect(fit.values.b).toBeCloseTo(exact.b, 10);
    expect(fit.covariance[0]).toBeCloseTo(exact.varA, 12);
    expect(fit.covariance[3]).toBeCloseTo(exact.varB, 12);
    expect(fit.covariance[1]).toBeCloseTo(exact.cov, 12);
    expect(fit.correlation[1]).toBeCloseTo(exact.cov / Math.sqrt(exact.varA * exact.varB), 10);
    expect(fit.chiSquare).toBeCloseTo(chiSquare(exact.a, exact.b), 9);
    expect(fit.degreesOfFreedom).toBe(23);
    expect(fit.reducedChiSquare).toBeCloseTo(fit.chiSquare / 23, 12);
    expect(fit.scaledByReducedChiSquare).toBe(false);
    expect(fit.parameters.map((p) => p.standardError)).toEqual([
      Math.sqrt(fit.covariance[0] as number),
      Math.sqrt(fit.covariance[3] as number),
    ]);
    expect(fit.residuals[4]).toBeCloseTo(
      (exact.a + exact.b * (x[4] as number) - (y[4] as number)) / (sigma[4] as number),
      8,
    );
  });

  it("without uncertainties: the errors are scaled by the reduced χ², and the result says so", () => {
    const fit = fitLeastSquares(line(x), { y }, { free: ["a", "b"] });
    // Unit weights: the same formulas with σ = 1, times χ²/(N − 2).
    let [s1, sx1, sy1, sxx1, sxy1] = [0, 0, 0, 0, 0];
    for (let i = 0; i < x.length; i++) {
      const [xi, yi] = [x[i] as number, y[i] as number];
      [s1, sx1, sy1, sxx1, sxy1] = [s1 + 1, sx1 + xi, sy1 + yi, sxx1 + xi * xi, sxy1 + xi * yi];
    }
    const d1 = s1 * sxx1 - sx1 * sx1;
    const [a1, b1] = [(sxx1 * sy1 - sx1 * sxy1) / d1, (s1 * sxy1 - sx1 * sy1) / d1];
    const rss = x.reduce((sum, xi, i) => sum + (a1 + b1 * xi - (y[i] as number)) ** 2, 0);
    expect(fit.scaledByReducedChiSquare).toBe(true);
    expect(fit.values.a).toBeCloseTo(a1, 8);
    expect(fit.covariance[3]).toBeCloseTo(((rss / 23) * s1) / d1, 10);
  });

  it("a slope bounded below its best value ends on the bound, with the intercept that is best there", () => {
    const fit = fitLeastSquares(line(x), { y, sigma }, { free: ["a", "b"], bounds: { b: [-0.5, 5] } });
    expect(fit.values.b).toBe(-0.5);
    // With b fixed at −0.5, χ² is least at the weighted mean of y + 0.5·x.
    expect(fit.values.a).toBeCloseTo((sy + 0.5 * sx) / s, 10);
    expect(fit.converged).toBe(true);
    expect(fit.usable).toBe(false);
    expect(fit.diagnostics).toContainEqual(
      expect.objectContaining({ kind: "at-bound", parameter: "b", bound: "lower" }),
    );
  });
});

describe("against SciPy's least_squares on the same bounded problem", () => {
  const t = range(60, 0.25);
  const noise = normal(11);
  const sigma = Float64Array.from(t, (ti) => 0.02 + 0.01 * Math.sqrt(ti));
  const y = Float64Array.from(t, (ti, i) => 3 * Math.exp(-ti / 2.5) + 0.4 + (sigma[i] as number) * noise());

  async function scipy(bounds: number[][]): Promise<{ x: number[]; errors: number[] }> {
    const script = `
import json, sys, numpy as np
from scipy.optimize import least_squares
d = json.load(sys.stdin)
t, y, s = (np.array(d[k]) for k in ("t", "y", "sigma"))
def residual(p): return (p[0] * np.exp(-t / p[1]) + p[2] - y) / s
def jacobian(p):
    e = np.exp(-t / p[1])
    return np.stack([e, p[0] * e * t / p[1] ** 2, np.ones_like(t)], axis=1) / s[:, None]
r = least_squares(residual, d["x0"], jac=jacobian, bounds=d["bounds"], method="trf", x_scale="jac",
                  ftol=1e-15, xtol=1e-15, gtol=1e-15)
cov = np.linalg.inv(r.jac.T @ r.jac)
print(json.dumps({"x": r.x.tolist(), "errors": np.sqrt(np.diag(cov)).tolist()}))
`;
    const child = execute("/usr/bin/python3", ["-c", script]);
    child.child.stdin?.end(
      JSON.stringify({ t: [...t], y: [...y], sigma: [...sigma], x0: [1, 1, 0], bounds }),
    );
    return JSON.parse((await child).stdout);
  }

  it("inside the bounds: the same values and standard errors", async () => {
    const ours = fitLeastSquares(decay(t), { y, sigma }, { free: ["A", "tau", "c"] });
    const theirs = await scipy([
      [0, 1e-3, -10],
      [100, 1e3, 10],
    ]);
    expect(ours.usable).toBe(true);
    ours.free.forEach((_, k) => {
      expect(ours.parameters[k]?.value).toBeCloseTo(theirs.x[k] as number, 6);
      expect((ours.parameters[k]?.standardError as number) / (theirs.errors[k] as number)).toBeCloseTo(1, 5);
    });
  });

  it("with τ bounded below its best value: both end on the bound, with the same other values", async () => {
    const ours = fitLeastSquares(
      decay(t),
      { y, sigma },
      { free: ["A", "tau", "c"], bounds: { tau: [1e-3, 2] } },
    );
    const theirs = await scipy([
      [0, 1e-3, -10],
      [100, 2, 10],
    ]);
    expect(ours.values.tau).toBe(2);
    expect(theirs.x[1]).toBeCloseTo(2, 9);
    expect(ours.values.A).toBeCloseTo(theirs.x[0] as number, 6);
    expect(ours.values.c).toBeCloseTo(theirs.x[2] as number, 6);
    expect(ours.diagnostics.map((d) => d.kind)).toEqual(["at-bound"]);
  });
});

describe("scales", () => {
  const t = range(40, 250);
  const noise = normal(3);
  const k = 2e-4;
  const y = Float64Array.from(t, (ti) => Math.exp(-k * ti) + 0.002 * noise());
  const rate: FitModel = {
    name: "rate",
    parameters: [spec("k", 0, 10, 1)],
    evaluate(p, out, jacobian) {
      for (let i = 0; i < t.length; i++) {
        out[i] = Math.exp(-(p[0] as number) * (t[i] as number));
        if (jacobian) jacobian[i] = -(t[i] as number) * (out[i] as number);
      }
    },
  };

  it("a rate four decades from its start is found on a log scale, with the error of the linear fit", () => {
    const logarithmic = fitLeastSquares(
      rate,
      { y, sigma: 0.002 },
      { free: ["k"], logScale: ["k"], bounds: { k: [1e-9, 10] } },
    );
    expect(logarithmic.usable).toBe(true);
    expect(logarithmic.parameters[0]?.scale).toBe("log");
    expect(Math.abs((logarithmic.values.k as number) - k)).toBeLessThan(
      3 * (logarithmic.parameters[0]?.standardError as number),
    );
    // From the solution, a linear fit has the same minimum and (JᵀJ)⁻¹: σ_k = k·σ_ln k exactly at first order.
    const linear = fitLeastSquares(
      rate,
      { y, sigma: 0.002 },
      { free: ["k"], initial: { k: logarithmic.values.k as number } },
    );
    expect(linear.values.k).toBeCloseTo(logarithmic.values.k as number, 12);
    expect(
      (linear.parameters[0]?.standardError as number) / (logarithmic.parameters[0]?.standardError as number),
    ).toBeCloseTo(1, 8);
  });

  it("refuses a log scale on a parameter whose bounds reach zero", () => {
    expect(() => fitLeastSquares(rate, { y }, { free: ["k"], logScale: ["k"] })).toThrow(
      /log scale, so its lower bound must be positive/,
    );
  });
});

describe("diagnostics instead of a fit that looks fine", () => {
  const x = range(20, 0.5, 0.5);
  const noise = normal(5);
  const y = Float64Array.from(x, (xi) => 2 * xi + 0.01 * noise());

  /** f = a·b·x + c·x·(1 + ε·x) + 0·d: each test frees what it needs. */
  const model = (epsilon: number): FitModel => ({
    name: "probe",
    parameters: [spec("a", -1e3, 1e3, 1), spec("b", -1e3, 1e3, 1), spec("c"), spec("d")],
    evaluate(p, out, jacobian) {
      const [a, b, c] = [p[0] as number, p[1] as number, p[2] as number];
      for (let i = 0; i < x.length; i++) {
        const xi = x[i] as number;
        out[i] = a * b * xi + c * xi * (1 + epsilon * xi);
        if (jacobian) jacobian.set([b * xi, a * xi, xi * (1 + epsilon * xi), 0], 4 * i);
      }
    },
  });

  it("a parameter with no effect on the data is named, and its error is infinite", () => {
    const fit = fitLeastSquares(model(0), { y, sigma: 0.01 }, { free: ["c", "d"] });
    expect(fit.usable).toBe(false);
    expect(fit.diagnostics).toEqual([expect.objectContaining({ kind: "no-effect", parameter: "d" })]);
    expect(fit.parameters[3]?.standardError).toBe(Number.POSITIVE_INFINITY);
    expect(fit.values.c).toBeCloseTo(1, 2); // a·b = 1 stays fixed: c takes the rest of the slope 2
  });

  it("two parameters the data see only as a product: the null direction, in their names", () => {
    const fit = fitLeastSquares(
      model(0),
      { y, sigma: 0.01 },
      { free: ["a", "b"], initial: { a: 1, b: 1.5 } },
    );
    const unidentifiable = fit.diagnostics.find((d) => d.kind === "unidentifiable");
    expect(unidentifiable).toBeDefined();
    if (unidentifiable?.kind !== "unidentifiable") throw new Error("unreachable");
    expect(unidentifiable.direction.map((d) => d.parameter).sort()).toEqual(["a", "b"]);
    expect(unidentifiable.message).toMatch(/cannot tell apart changes along .*a.*b/);
    // Along a·b = const, d(a·b) = b·da + a·db = 0: the direction is (a, −b), normalised by the columns' norms.
    const [ca, cb] = ["a", "b"].map(
      (name) => unidentifiable.direction.find((d) => d.parameter === name)?.coefficient as number,
    );
    expect(Math.abs(Math.abs(ca as number) - Math.SQRT1_2)).toBeLessThan(1e-6);
    expect(Math.sign(ca as number)).toBe(-Math.sign(cb as number));
    expect((fit.values.a as number) * (fit.values.b as number)).toBeCloseTo(2, 2);
    expect(fit.parameters[0]?.standardError).toBe(Number.POSITIVE_INFINITY);
  });

  it("two parameters nearly degenerate: the pair and their correlation", () => {
    const fit = fitLeastSquares(model(1e-3), { y, sigma: 0.01 }, { free: ["b", "c"], initial: { a: 1 } });
    const degenerate = fit.diagnostics.find((d) => d.kind === "degenerate");
    expect(degenerate).toMatchObject({ kind: "degenerate", parameters: ["b", "c"] });
    if (degenerate?.kind !== "degenerate") throw new Error("unreachable");
    expect(Math.abs(degenerate.correlation)).toBeGreaterThan(0.99);
    expect(fit.usable).toBe(false);
  });

  it("NaN points are refused, named by index, before any fitting", () => {
    const bad = Float64Array.from(y);
    bad[3] = Number.NaN;
    bad[7] = Number.NaN;
    const error = (() => {
      try {
        fitLeastSquares(model(0), { y: bad, sigma: 0.01 }, { free: ["c"] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FitInputError);
    expect(error).toMatchObject({ problem: "nan-points", points: [3, 7] });
    expect((error as Error).message).toMatch(/2 of 20 points .*points 3, 7/);
  });

  it("too few points for the free parameters are refused, naming them", () => {
    const error = (() => {
      try {
        fitLeastSquares(line(range(2)), { y: [1, 2] }, { free: ["a", "b"] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ problem: "too-few-points", parameters: ["a", "b"] });
    expect((error as Error).message).toMatch(/2 points for 2 free parameters \(a, b\): at least 3 needed/);
    // With absolute uncertainties two points determine a line exactly.
    const exact = fitLeastSquares(line(range(2)), { y: [1, 2], sigma: 0.1 }, { free: ["a", "b"] });
    expect(exact.converged).toBe(true);
    expect([exact.values.a, exact.values.b].map((v) => Number((v as number).toFixed(9)))).toEqual([1, 1]);
  });

  it("a misspelt parameter is an UnknownParameterError; a start outside the bounds is refused", () => {
    expect(() => fitLeastSquares(line(x), { y }, { free: ["a", "slope"] })).toThrow(UnknownParameterError);
    expect(() =>
      fitLeastSquares(line(x), { y }, { free: ["a", "b"], initial: { b: 9 }, bounds: { b: [0, 5] } }),
    ).toThrow(/b starts at 9, outside \[0, 5\]/);
  });

  it("a Jacobian that disagrees with its model ends stalled and unusable, not converged at the start", () => {
    const t = Float64Array.from({ length: 50 }, (_, i) => i / 49);
    const data = Float64Array.from(t, (ti) => 2 * Math.exp(-1.5 * ti));
    const wrong: FitModel = {
      name: "exp with a wrong partial",
      parameters: [spec("A", -10, 10, 1), spec("b", -10, 10, 0)],
      evaluate(p, out, jacobian) {
        for (let i = 0; i < t.length; i++) {
          const e = Math.exp((p[1] as number) * (t[i] as number));
          out[i] = (p[0] as number) * e;
          // ∂/∂b has the wrong sign.
          jacobian?.set([e, -(p[0] as number) * (t[i] as number) * e], 2 * i);
        }
      },
    };
    const fit = fitLeastSquares(wrong, { y: data }, { free: ["A", "b"] });
    expect(fit).toMatchObject({ reason: "stalled", converged: false, usable: false });
    expect(fit.diagnostics.map((d) => d.kind)).toContain("not-converged");
  });

  it("a model that refuses a trial point (throws) has that trial refused, and the fit goes on", () => {
    const t = range(60, 0.25);
    const data = Float64Array.from(t, (ti) => 3 * Math.exp(-ti / 2.5) + 0.4);
    let refusals = 0;
    const guarded: FitModel = {
      ...decay(t),
      evaluate(p, out, jacobian) {
        // A model defined only below τ = 2.51 s, say: steps from the start overshoot it.
        if ((p[1] as number) > 2.51) {
          refusals += 1;
          throw new RangeError("tau past what this model allows");
        }
        decay(t).evaluate(p, out, jacobian);
      },
    };
    const fit = fitLeastSquares(
      guarded,
      { y: data, sigma: 0.01 },
      { free: ["A", "tau", "c"], initial: { A: 1, tau: 0.3, c: 0 } },
    );
    expect(refusals).toBeGreaterThan(0);
    expect(fit.converged).toBe(true);
    expect(fit.values.tau).toBeCloseTo(2.5, 6);
  });

  it("a model that is not finite at the start is refused, naming the points", () => {
    const broken: FitModel = { ...line(x), evaluate: (_p, out) => out.fill(Number.NaN) };
    expect(() => fitLeastSquares(broken, { y }, { free: ["a"] })).toThrow(
      /not finite at the starting values/,
    );
  });
});
