/**
 * Recipe 5 on the embedded virtual bench: the meter's dark level and its
 * reading per watt of the laser's monitored light through the reference
 * waveguide. The truth a reader can check (calibration/study.ts
 * demoDetectorTruth): D = I_dark/R(λ) of the virtual S144C head, 20 pA over
 * 9.8 mA/W at 1550 nm = 2.04 nW; F = the reference path's transmission at
 * 1550 nm (the couplers' Gaussian passbands and the buses), the virtual
 * meter and monitor being exact.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calibrateDetector, responseModel } from "../../calibration/detector.js";
import { demoDetectorTruth, detectorCoverageStudy, formatStudy } from "../../calibration/study.js";
import { buildProgram } from "../../src/cli/program.js";
import { readCard } from "../../src/fit/card.js";
import { demoChipTruth } from "../../src/models/chip/index.js";
import { OpticalOptionError, runOpticalJob } from "../../src/plans/optical-job.js";
import { openStore } from "../../src/record/store/open.js";
import { expectWithin3Sigma } from "./support.js";

describe("recipe 5: the detector", () => {
  it("recovers the dark level and the transfer within 3σ, says what it took as known, and keeps its run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-detector-"));
    const store = `sqlite:${join(dir, "runs.sqlite")}`;
    const result = await calibrateDetector({ outDir: dir, store });
    expect(readCard(result.cardFile)).toEqual(result.card);
    expect(result.card.recipe.name).toBe("detector");
    expect(readFileSync(result.plotFile, "utf8")).toMatch(/^<svg[\s\S]*residual[\s\S]*<\/svg>\s*$/);
    expect(result.card.identifiability.join(" ")).toMatch(/Taken as known: the laser's own monitor/);

    const truth = demoDetectorTruth(demoChipTruth, 1550e-9);
    expect(truth.darkLevel).toBeCloseTo(20e-12 / 9.8e-3, 20);
    for (const name of ["darkLevel", "transfer"] as const) {
      const p = result.line.parameters.find((q) => q.name === name);
      expect(Math.abs((p?.value as number) - truth[name]), name).toBeLessThan(
        3 * (p?.standardError as number),
      );
    }
    // Real error bars: the transfer to 1e-4, the dark level to 20 %.
    const error = (name: string) =>
      result.line.parameters.find((q) => q.name === name)?.standardError as number;
    expect(error("transfer") / truth.transfer).toBeLessThan(1e-4);
    expect(error("darkLevel") / truth.darkLevel).toBeLessThan(0.2);
    expect(result.nonLinear).toBe(false);
    // The dark was read with the light off: the meter saw nanowatts, not the ~0.1 mW of the lit levels.
    expect(Math.max(...result.summary.dark)).toBeLessThan(1e-8);
    expect(Math.min(...(result.summary.levels[0]?.readings ?? []))).toBeGreaterThan(1e-5);
    // Each level has a monitor reading per meter reading, near its setpoint.
    for (const level of result.summary.levels) {
      expect(level.monitored).toHaveLength(10);
      for (const m of level.monitored) expect(Math.abs(m / level.setpoint - 1)).toBeLessThan(1e-3);
    }

    const reader = await openStore(store, { readonly: true });
    try {
      const run = await reader.run(result.runs[0] as string);
      expect(run.summary.status).toBe("success");
      expect(run.summary.plan).toBe("detector");
    } finally {
      await reader.close();
    }
  }, 60_000);

  it("gives the response model's Jacobian", () => {
    const x = Float64Array.of(0, 1e-4, 5e-4, 1e-3);
    const model = responseModel(x);
    const out = new Float64Array(4);
    const jacobian = new Float64Array(12);
    model.evaluate(Float64Array.of(2e-9, 0.15, 3), out, jacobian);
    expect(out[3]).toBeCloseTo(2e-9 + 0.15e-3 + 3e-6, 18);
    expect(Array.from(jacobian.slice(9))).toEqual([1, 1e-3, 1e-6]);
  });

  it("refuses too few powers and too few readings before anything starts, naming the option", async () => {
    await expect(
      runOpticalJob({
        plan: { kind: "detector", options: { wavelength: 1550e-9, powers: [1e-3] } },
        outDir: mkdtempSync(join(tmpdir(), "pms-det-")),
      }),
    ).rejects.toThrow(OpticalOptionError);
    for (const [args, message] of [
      [["--powers", "0.5"], /--powers must be 2 or more positive powers in mW/],
      [["--readings", "1"], /--readings must be a whole number ≥ 2/],
      [["--bench", "bench.json"], /--chip: say which chip is on the bench/],
    ] as const) {
      await expect(
        buildProgram().parseAsync(["node", "pms", "calibrate", "detector", ...args]),
      ).rejects.toThrow(message);
    }
  });

  it("the coverage study in small: three chips from recipe 1's prior, each within 3σ", async () => {
    const study = await detectorCoverageStudy({
      chips: 3,
      outDir: mkdtempSync(join(tmpdir(), "pms-study-")),
    });
    expect(study.converged).toBe(3);
    expectWithin3Sigma(study.pulls, 6);
    // The prior moves the couplers: the three chips' transfers differ.
    const transfers = study.pulls.filter((p) => p.parameter === "detector.transfer").map((p) => p.truth);
    expect(new Set(transfers).size).toBe(3);
    expect(formatStudy(study)).toMatch(/Recipe 5 \(detector\) coverage over 3 virtual chips: 3 converged/);
  }, 60_000);
});
