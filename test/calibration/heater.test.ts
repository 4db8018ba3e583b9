/**
 * Recipe 2 on the embedded virtual bench, whose chip has hidden true
 * parameters (src/models/chip/truth.ts) the recipe never sees: a heater-off
 * spectrum for the FSR, the tuning run, the line with its drift, a card
 * and a plot, the runs in the store.
 *
 * The truth a reader can check: P_π = heater.piPower (the default × 1.15)
 * and the heater's resistance R_h (the default × 1.1), with no temperature
 * coefficient in the model (src/models/chip/dynamics.ts: P_h = V_N²/R_h);
 * the drift: the heater's phase is π P_eq/P_π with P_eq = (ΔT_h +
 * ΔT_amb)/R_th, so an ambient drift of r K/s moves the resonance by
 * κ·r/R_th per second (κ the fitted slope, m/W).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  calibrateHeater,
  freeSpectralRange,
  palindromicPowers,
  tuningLineModel,
} from "../../calibration/heater.js";
import { buildProgram } from "../../src/cli/program.js";
import { readCard } from "../../src/fit/card.js";
import { lorentzianDipFitModel } from "../../src/fit/models/lorentzian-dip.js";
import { demoChipTruth } from "../../src/models/chip/index.js";
import { expectRunsSucceeded, jacobianError } from "./support.js";

const truth = demoChipTruth as Readonly<Record<string, number>>;
const at = (name: string) => truth[name] as number;

describe("recipe 2's pieces", () => {
  it("orders the powers as a palindrome that starts 0, 1, top: uncorrelated with time, each level twice", () => {
    const powers = palindromicPowers(6, 7);
    expect(powers).toEqual([0, 1, 6, 2, 5, 3, 4, 4, 3, 5, 2, 6, 1, 0]);
    // Steps equally spaced in time: the covariance of step number and power is exactly zero.
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const index = powers.map((_, k) => k);
    const covariance = mean(powers.map((p, k) => (p - mean(powers)) * (k - mean(index))));
    expect(covariance).toBeCloseTo(0, 12);
    expect(palindromicPowers(1, 4).map((p) => p * 3)).toEqual([0, 1, 3, 2, 2, 3, 1, 0]);
  });

  it("gives the tuning line's and the Lorentzian dip's analytic Jacobians (against central differences)", () => {
    const line = tuningLineModel(
      Float64Array.of(0, 1e-3, 2e-3, 0.5e-3),
      Float64Array.of(0, 10, 20, 30),
      0.6 / 1.554e-6,
    );
    // Steps that move the prediction well above its rounding (1.5e-6 m × 1e-16) and stay inside the curvature.
    expect(
      jacobianError(line, Float64Array.of(1.554e-6, 1.6e-7, -1e-14), 4, [1e-12, 1e-11, 1e-12]),
    ).toBeLessThan(1e-6);
    const λ = Float64Array.from({ length: 41 }, (_, i) => 1.5539e-6 + i * 5e-12);
    const dip = lorentzianDipFitModel(λ);
    expect(
      jacobianError(
        dip,
        Float64Array.of(1.554e-6, 45e-12, 0.8, 0.3, 1e5),
        41,
        [1e-16, 1e-16, 1e-6, 1e-6, 1e1],
      ),
    ).toBeLessThan(1e-6);
  });

  it("refuses a heater-off spectrum without a dip either side of the resonance, saying what to widen", () => {
    const wavelength = Float64Array.from({ length: 200 }, (_, i) => 1.55e-6 + i * 10e-12);
    const flat = { wavelength, transmission: new Float64Array(200).fill(0.3) };
    expect(() => freeSpectralRange(flat, 1.551e-6, 1e-12)).toThrow(
      /shows 0 dips; the FSR needs one either side of the resonance near 1551\.000 nm \(widen fsrSpan\)/,
    );
  });
});

describe("pms calibrate heater on the virtual bench", () => {
  it("recovers P_π, the heater's resistance and the chip's drift within 3σ, and keeps its runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-heater-"));
    const store = `sqlite:${join(dir, "runs.sqlite")}`;
    const result = await calibrateHeater({ outDir: dir, store, levels: 5 });

    expect(readCard(result.cardFile)).toEqual(result.card);
    expect(result.card.recipe.name).toBe("heater");
    expect(result.card.instruments.map((i) => i.model)).toEqual(["TSL-570", "PM100USB", "MODEL 2450"]);
    expect(readFileSync(result.plotFile, "utf8")).toMatch(/^<svg[\s\S]*residual[\s\S]*<\/svg>\s*$/);
    expect(result.tuning.usable).toBe(true);
    expect(result.points).toHaveLength(10);

    const piPower = at("heater.piPower");
    expect(Math.abs(result.piPower.value - piPower)).toBeLessThan(3 * result.piPower.error);
    // A real error bar: not so wide that any value passes (P_π to better than 0.1 %).
    expect(result.piPower.error / piPower).toBeLessThan(1e-3);
    const resistance = at("heater.heaterResistance");
    expect(Math.abs(result.resistance.value - resistance)).toBeLessThan(3 * result.resistance.error);
    expect(result.resistance.perWatt).toBeUndefined();

    const κ = result.tuning.values.tuningSlope as number;
    const drift = (κ * at("ambient.driftRate")) / at("thermal.resistance");
    const δ = result.tuning.parameters.find((p) => p.name === "driftRate");
    expect(Math.abs((δ?.value as number) - drift)).toBeLessThan(3 * (δ?.standardError as number));
    expect(drift).toBeLessThan(0);

    await expectRunsSucceeded(store, result.runs);
    expect(result.card.runs).toEqual(result.runs);
  }, 120_000);

  it("refuses a bench without --chip and too few levels, naming the flags, before anything starts", async () => {
    for (const [args, message] of [
      [["--bench", "bench.json"], /--chip: say which chip is on the bench/],
      [["--levels", "2"], /--levels must be a whole number ≥ 3/],
      [["--max-power", "0"], /--max-power must be a positive number, got 0/],
    ] as const) {
      await expect(
        buildProgram().parseAsync(["node", "pms", "calibrate", "heater", ...args]),
      ).rejects.toThrow(message);
    }
  });

  it("--help teaches what it measures, with units and defaults", () => {
    const help = buildProgram()
      .commands.find((c) => c.name() === "calibrate")
      ?.commands.find((c) => c.name() === "heater")
      ?.helpInformation();
    expect(help).toMatch(
      /--max-power <mW> +highest heater power at the design resistance, mW\s+\(default: 2\)/,
    );
  });
});
