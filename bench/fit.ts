/**
 * The fitting engine (src/fit/) on issue 18's speed case: a 10^4-point
 * all-pass ring spectrum, six free parameters (r, a, n_eff0, n_g, the
 * scale s and tilt g of the off-resonance level), from the starting values
 * `ringStart` reads off the data; the engine on the WASM core against the
 * engine on the TypeScript twin, and against SciPy's least_squares (method
 * "trf", analytic Jacobian, same bounds and starts, bench/numpy/fit.py).
 * Target: faster than SciPy.
 *
 * The data: the fit model at a known ring plus seeded Gaussian noise of
 * 0.002 (src/models/random.ts). Agreement: how far apart the minima
 * reached are, |Δχ²|/χ² against the TypeScript engine's (both stop within
 * their tolerances of the same minimum, so the values differ by a small
 * fraction of their standard errors, which the notes give, and χ², flat
 * there, agrees to far less).
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ringStart } from "../calibration/ring-start.js";
import { loadCore } from "../src/core/load-node.js";
import { fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import {
  RING_SPECTRUM_FREE,
  ringAllPassFitModel,
  ringFitParameters,
} from "../src/fit/models/ring-all-pass.js";
import { SeededRandom } from "../src/models/random.js";
import { type BenchModule, type BenchOptions, type BenchRow, medianMs, rowCollector } from "./harness.js";
import { numpyRun } from "./numpy-runner.js";

const POINTS = 10_000;
const SIGMA = 0.002;
const FREE = RING_SPECTRUM_FREE;
const TRUTH: Readonly<Record<string, number>> = {
  selfCoupling: 0.985,
  roundTripAmplitude: 0.97,
  circumference: 2 * Math.PI * 10e-6,
  effectiveIndex: 2.43,
  groupIndex: 4.15,
  referenceWavelength: 1.55e-6,
  transmissionScale: 0.8,
  transmissionSlope: 0.6,
};
/** Convergence asked of both engines: SciPy's ftol = xtol = gtol. */
const TOLERANCE = 1e-10;

/** Largest |ours − theirs| over the free values, in units of their standard errors. */
function inErrors(ours: readonly number[], theirs: readonly number[], errors: readonly number[]): number {
  return Math.max(...ours.map((v, k) => Math.abs(v - (theirs[k] as number)) / (errors[k] as number)));
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

export const fitBench: BenchModule = {
  name: "fit",
  description:
    "ring spectrum fit, 10^4 points, 6 free parameters: engine on WASM vs on TypeScript vs SciPy least_squares",
  async run(options: BenchOptions): Promise<readonly BenchRow[]> {
    const core = await loadCore();
    const wavelengths = Float64Array.from({ length: POINTS }, (_, i) => 1.54e-6 + (i * 20e-9) / (POINTS - 1));
    const ts = ringAllPassFitModel(wavelengths);
    const wasm = ringAllPassFitModel(wavelengths, { core });
    const clean = new Float64Array(POINTS);
    ts.evaluate(
      Float64Array.from(ringFitParameters, (spec) => TRUTH[spec.name] as number),
      clean,
    );
    const random = new SeededRandom(18);
    const y = Float64Array.from(clean, (value) => value + SIGMA * random.gaussian());
    const start = ringStart(wavelengths, y, {
      circumference: TRUTH.circumference as number,
      referenceWavelength: TRUTH.referenceWavelength as number,
      effectiveIndex: 2.42,
    });
    const settings = {
      free: FREE,
      initial: start.values,
      gradientTolerance: TOLERANCE,
      stepTolerance: TOLERANCE,
      chiSquareTolerance: TOLERANCE,
    };
    const fitOn = (model: typeof ts) => fitLeastSquares(model, { y, sigma: SIGMA }, settings);
    const reference = fitOn(ts);
    const onWasm = fitOn(wasm);
    const values = (result: typeof reference) => FREE.map((name) => result.values[name] as number);
    const errors = FREE.map(
      (name) => reference.parameters.find((p) => p.name === name)?.standardError as number,
    );
    const rows: BenchRow[] = [];
    const collect = rowCollector("fit", rows);
    const bounds = FREE.map((name) => {
      const spec = ringFitParameters.find((s) => s.name === name);
      return [spec?.min ?? 0, spec?.max ?? 0] as const;
    });
    // The data go in a file: 2 × 10^4 numbers are past what a command line may carry.
    const folder = mkdtempSync(join(tmpdir(), "pms-bench-fit-"));
    const data = join(folder, "spectrum.json");
    writeFileSync(data, JSON.stringify({ wavelengths: [...wavelengths], y: [...y] }));
    const scipy = numpyRun(
      "fit",
      {
        data,
        sigma: SIGMA,
        x0: values({ values: start.values } as typeof reference),
        lower: bounds.map(([lo]) => lo),
        upper: bounds.map(([, hi]) => hi),
        fixed: { circumference: TRUTH.circumference, referenceWavelength: TRUTH.referenceWavelength },
        tol: TOLERANCE,
      },
      options,
    );
    rmSync(folder, { recursive: true, force: true });
    const scipyValues = "skipped" in scipy ? undefined : (scipy.extra.values as number[]);
    const scipyChiSquare = "skipped" in scipy ? undefined : (scipy.extra.chiSquare as number);
    collect(
      "ring all-pass, 10^4 λ, 6 free",
      POINTS,
      "points",
      {
        wasm: medianMs(() => fitOn(wasm), options),
        "ts reference": medianMs(() => fitOn(ts), options),
        scipy: "skipped" in scipy ? undefined : scipy.medianMs,
      },
      `${reference.iterations} iterations, ${reference.evaluations} evaluations (SciPy: ${
        "skipped" in scipy ? scipy.skipped : `${scipy.extra.nfev} evaluations`
      }); χ²/dof ${reference.reducedChiSquare.toFixed(3)}; values: WASM vs TS within ${inErrors(
        values(onWasm),
        values(reference),
        errors,
      ).toExponential(0)} σ, SciPy vs TS within ${
        scipyValues ? inErrors(scipyValues, values(reference), errors).toExponential(0) : "—"
      } σ`,
      [{ against: "scipy", atLeast: 1 }],
      {
        wasm: relative(onWasm.chiSquare, reference.chiSquare),
        ...(scipyChiSquare !== undefined && { scipy: relative(scipyChiSquare, reference.chiSquare) }),
      },
    );
    return rows;
  },
};
