/** What the recipe tests check alike: every pull of a small study within 3σ, and every run of a recipe in its store. */
import { expect } from "vitest";
import type { StudyPull } from "../../calibration/study.js";
import type { FitModel } from "../../src/fit/levenberg-marquardt.js";
import { openStore } from "../../src/record/store/open.js";

/** Each pull (fitted − true)/σ of `pulls` within 3, named by parameter and chip when not. */
export function expectWithin3Sigma(pulls: readonly StudyPull[], count: number): void {
  expect(pulls).toHaveLength(count);
  for (const pull of pulls) {
    // A real error bar: an infinite or zero one would pass anything or nothing.
    expect(pull.error, `σ of ${pull.parameter} of chip ${pull.chip}`).toBeGreaterThan(0);
    expect(Number.isFinite(pull.error), `σ of ${pull.parameter} of chip ${pull.chip}`).toBe(true);
    expect(
      Math.abs(pull.fitted - pull.truth) / pull.error,
      `${pull.parameter} of chip ${pull.chip}`,
    ).toBeLessThan(3);
  }
}

/** Every run of `uids` is in the store at `store`, ended with success. */
export async function expectRunsSucceeded(store: string, uids: readonly string[]): Promise<void> {
  const reader = await openStore(store, { readonly: true });
  try {
    for (const uid of uids) expect((await reader.run(uid)).summary.status).toBe("success");
  } finally {
    await reader.close();
  }
}

/**
 * Largest difference between a model's analytic Jacobian and central
 * differences of step `steps[j]` (0: column skipped), relative to the
 * column's scale (the larger of the two; a column zero both ways passes).
 */
export function jacobianError(
  model: FitModel,
  p: Float64Array,
  points: number,
  steps: readonly number[],
): number {
  const n = p.length;
  const jacobian = new Float64Array(points * n);
  model.evaluate(p, new Float64Array(points), jacobian);
  let worst = 0;
  for (let j = 0; j < n; j++) {
    const h = steps[j] as number;
    if (h === 0) continue;
    const up = new Float64Array(points);
    const down = new Float64Array(points);
    const shifted = (d: number) => Float64Array.from(p, (v, k) => (k === j ? v + d : v));
    model.evaluate(shifted(h), up);
    model.evaluate(shifted(-h), down);
    const numeric = Array.from(
      { length: points },
      (_, i) => ((up[i] as number) - (down[i] as number)) / (2 * h),
    );
    // The column's scale from both sides: an analytic column left at zero against a numeric one that is not
    // is an error of 1, whatever the units.
    let scale = 0;
    for (let i = 0; i < points; i++) {
      scale = Math.max(scale, Math.abs(jacobian[i * n + j] as number), Math.abs(numeric[i] as number));
    }
    if (scale === 0) continue;
    for (let i = 0; i < points; i++) {
      worst = Math.max(worst, Math.abs((numeric[i] as number) - (jacobian[i * n + j] as number)) / scale);
    }
  }
  return worst;
}
