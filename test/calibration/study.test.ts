/**
 * The coverage study in small (the 50-chip run is `npm run calibration-study`):
 * three chips drawn from the prior, each with its own noise, each calibrated
 * by recipe 1 on the embedded virtual bench. Every fit converges, the
 * ring's two parameters land within 3σ of each chip's truth, and the table
 * counts what it says it counts.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  demoCouplerTruth,
  drawChip,
  drawHeaterChip,
  drawPcmChip,
  formatStudy,
  heaterCoverageStudy,
  pcmCoverageStudy,
  ringCoverageStudy,
} from "../../calibration/study.js";
import { demoChipTruth } from "../../src/models/chip/index.js";
import { SeededRandom } from "../../src/models/random.js";
import { expectWithin3Sigma } from "./support.js";

describe("the coverage study of recipe 1", () => {
  it("draws chips from the stated prior, repeatably", () => {
    const [a, b] = [drawChip(new SeededRandom(5)), drawChip(new SeededRandom(5))];
    expect(a).toEqual(b);
    const truth = demoChipTruth as Readonly<Record<string, number>>;
    const ratio = (a["coupler.coupling"] as number) / (truth["coupler.coupling"] as number);
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(a["ambient.driftRate"]).toBe(0);
    // The combined passband of two identical couplers is each one's: √2 × the combined width.
    const same = {
      ...truth,
      "gcOut.centreWavelength": truth["gcIn.centreWavelength"],
      "gcOut.peakEfficiency": truth["gcIn.peakEfficiency"],
    };
    const couplers = demoCouplerTruth(same as typeof a);
    expect(couplers.bandwidth1dB).toBeCloseTo(truth["gcIn.bandwidth1dB"] as number, 15);
    expect(couplers.centreWavelength).toBeCloseTo(truth["gcIn.centreWavelength"] as number, 15);
  });

  it("three chips: all converge, the ring within 3σ of each truth, the table counts the pulls", async () => {
    const study = await ringCoverageStudy({
      chips: 3,
      outDir: mkdtempSync(join(tmpdir(), "pms-study-")),
      step: 40e-12,
    });
    expect(study.converged).toBe(3);
    for (const pull of study.pulls.filter(
      (p) => p.parameter === "selfCoupling" || p.parameter === "roundTripAmplitude",
    )) {
      expect(
        Math.abs(pull.fitted - pull.truth) / pull.error,
        `${pull.parameter} of chip ${pull.chip}`,
      ).toBeLessThan(3);
    }
    const row = study.table.find((r) => r.parameter === "selfCoupling");
    const pulls = study.pulls
      .filter((p) => p.parameter === "selfCoupling")
      .map((p) => Math.abs(p.fitted - p.truth) / p.error);
    expect(row?.within1).toBe(pulls.filter((z) => z <= 1).length / 3);
    expect(formatStudy(study)).toMatch(
      /Recipe 1 \(ring\) coverage over 3 virtual chips: 3 converged \(100 %\)/,
    );
  }, 120_000);
});

describe("the coverage study of recipe 2", () => {
  it("two chips from the heater's prior: both converge, P_π and R within 3σ of each chip's truth", async () => {
    const truth = demoChipTruth as Readonly<Record<string, number>>;
    const drawn = drawHeaterChip(new SeededRandom(7));
    const ratio = (drawn["heater.piPower"] as number) / (truth["heater.piPower"] as number);
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.2);
    // The drift is left as it is: the recipe models it.
    expect(drawn["ambient.driftRate"]).toBe(truth["ambient.driftRate"]);

    const study = await heaterCoverageStudy({ chips: 2, outDir: mkdtempSync(join(tmpdir(), "pms-study-")) });
    expect(study.converged).toBe(2);
    expect(study.pulls.map((p) => p.parameter)).toEqual([
      "heater.piPower",
      "heater.heaterResistance",
      "heater.piPower",
      "heater.heaterResistance",
    ]);
    expectWithin3Sigma(study.pulls, 4);
    expect(formatStudy(study)).toMatch(
      /Recipe 2 \(heater\) coverage over 2 virtual chips: 2 converged \(100 %\)/,
    );
  }, 180_000);
});

describe("the coverage study of recipe 4", () => {
  it("two chips from the patch's prior: both converge, α, k, n and Γ within 3σ of each chip's truth", async () => {
    const truth = demoChipTruth as Readonly<Record<string, number>>;
    const drawn = drawPcmChip(new SeededRandom(7));
    const share = (drawn["cell.heatingShare"] as number) / (truth["cell.heatingShare"] as number);
    expect(share).toBeGreaterThanOrEqual(0.9);
    expect(share).toBeLessThanOrEqual(1.1);
    // The drift frozen (the recipe's dλ/dT is the design's, not the chip's).
    expect(drawn["ambient.driftRate"]).toBe(0);

    const study = await pcmCoverageStudy({ chips: 2, outDir: mkdtempSync(join(tmpdir(), "pms-study-")) });
    expect(study.converged).toBe(2);
    expect(new Set(study.pulls.map((p) => p.parameter)).size).toBe(4);
    expectWithin3Sigma(study.pulls, 8);
    expect(formatStudy(study)).toMatch(
      /Recipe 4 \(phase-change patch\) coverage over 2 virtual chips: 2 converged \(100 %\)/,
    );
  }, 180_000);
});
