/** What the recipe tests check alike: every pull of a small study within 3σ, and every run of a recipe in its store. */
import { expect } from "vitest";
import type { StudyPull } from "../../calibration/study.js";
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
