/**
 * Recipe 1 on the embedded virtual bench, whose chip has hidden true
 * parameters (src/models/chip/truth.ts) the recipe never sees: two spectra
 * through the optical job, the couplers and the ring fitted, a card and a
 * plot written, the runs in the store.
 *
 * The truth, from the chip's parameters (calibration/study.ts's demoRingTruth and demoCouplerTruth): the bus coupler's self-coupling
 * t = √(1 − κ²) = √(1 − 0.048) and no excess loss (g = 1, so the
 * normalised spectrum's scale is g² = 1); the loop's amplitude
 * u = exp(−(ln 10/20)·(ring loss·L_ring + heater insertion + patch loss·L_patch)
 * − k0·Γ·κ_GST·L_patch) at the resonance (amorphous patch). t < u: the demo
 * ring is over-coupled, so the fit's under-coupled reading is the swapped
 * one, which the card gives.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calibrateRing } from "../../calibration/ring.js";
import { demoCouplerTruth, demoLoopGroupIndex, demoRingTruth } from "../../calibration/study.js";
import { buildProgram } from "../../src/cli/program.js";
import { readCard } from "../../src/fit/card.js";
import { demoChipTruth } from "../../src/models/chip/index.js";
import { expectRunsSucceeded } from "./support.js";

const truth = demoChipTruth as Readonly<Record<string, number>>;
const at = (name: string) => truth[name] as number;

describe("pms calibrate ring on the virtual bench", () => {
  it("recovers the coupler and the ring's coupling, reports both coupling readings, and keeps its runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-ring-"));
    const store = `sqlite:${join(dir, "runs.sqlite")}`;
    const result = await calibrateRing({ outDir: dir, store, start: 1540e-9, stop: 1570e-9, step: 20e-12 });

    // The card on disk is the one returned, and it loads.
    expect(readCard(result.cardFile)).toEqual(result.card);
    expect(readFileSync(result.plotFile, "utf8")).toMatch(/^<svg[\s\S]*fit[\s\S]*<\/svg>\s*$/);
    expect(result.card.instruments.map((i) => i.model)).toEqual(["TSL-570", "PM100USB"]);

    // The over-coupled reading: the 'ambiguous' alternative when the fit came back under-coupled.
    const fit = result.ring.best;
    const ambiguous = fit.diagnostics.find((d) => d.kind === "ambiguous");
    if (ambiguous?.kind !== "ambiguous") throw new Error("the r ↔ a ambiguity was not reported");
    const fittedOver = (fit.values.selfCoupling as number) < (fit.values.roundTripAmplitude as number);
    const over = fittedOver ? fit.values : ambiguous.alternative;
    const error = (name: string) => fit.parameters.find((p) => p.name === name)?.standardError as number;
    // The error of what the over-coupled reading calls `name`: the fit's own, or its partner's if swapped.
    const overError = (name: "selfCoupling" | "roundTripAmplitude") =>
      error(fittedOver ? name : name === "selfCoupling" ? "roundTripAmplitude" : "selfCoupling");
    // u depends on λ (the patch absorbs as k0 = 2π/λ): at the resonance in the middle of the span.
    const resonances = result.card.derived.filter((d) => d.name.startsWith("resonance")).map((d) => d.value);
    const resonance = resonances[resonances.length >> 1] as number;
    const { t, u } = demoRingTruth(demoChipTruth, resonance);
    // r (the coupler) and a (the loop) within three standard errors of the truth, and closer to it than the
    // under-coupled reading is (which is the same numbers swapped: a 0.017 difference).
    expect(Math.abs((over.selfCoupling as number) - t)).toBeLessThan(3 * overError("selfCoupling"));
    expect(Math.abs((over.roundTripAmplitude as number) - u)).toBeLessThan(
      3 * overError("roundTripAmplitude"),
    );
    const loopLength = at("ring.length") + at("patch.length");
    // The loop's group index, n_g over the ring plus the amorphous patch's Γ(Re n_a − n_clad) over its length
    // (its index does not depend on λ: it adds to n_g as to n_eff), within 3σ: the revisit tells the chip's
    // drift from the FSR. And that drift: dλ/dT·r with dλ/dT = FSR/(2 R_th P_π) (the heater's phase is
    // π ΔT/(R_th P_π) for a temperature rise ΔT, src/models/chip/dynamics.ts), about −9 fm/s.
    const groupIndex = fit.parameters.find((p) => p.name === "groupIndex");
    const trueGroupIndex = demoLoopGroupIndex(demoChipTruth);
    expect(Math.abs((groupIndex?.value as number) - trueGroupIndex)).toBeLessThan(
      3 * (groupIndex?.standardError as number),
    );
    const drift = fit.parameters.find((p) => p.name === "driftRate");
    const fsr = resonance ** 2 / (trueGroupIndex * loopLength);
    const trueDrift = (fsr / (2 * at("thermal.resistance") * at("heater.piPower"))) * at("ambient.driftRate");
    expect(trueDrift).toBeLessThan(-5e-15);
    expect(Math.abs((drift?.value as number) - trueDrift)).toBeLessThan(3 * (drift?.standardError as number));
    // The loaded Q from the fit against the truth's, π n_g L √(tu)/(λ(1 − tu)) with the loop's n_g: within
    // 3σ of its own error.
    const loaded = result.card.derived.find((d) => d.name === "loadedQ");
    const tu = t * u;
    const trueLoaded = (Math.PI * trueGroupIndex * loopLength * Math.sqrt(tu)) / (resonance * (1 - tu));
    expect(Math.abs((loaded?.value as number) - trueLoaded)).toBeLessThan(
      3 * (loaded?.standardError as number),
    );

    // The normalisation cancels the couplers and buses: what is left of the scale is g² = 1 (no excess loss).
    expect(Math.abs((fit.values.transmissionScale as number) - 1)).toBeLessThan(1e-5);

    // The couplers: the pair's product, centre and width, within 3σ of the truth's combined passband.
    const truthCouplers = demoCouplerTruth(demoChipTruth);
    for (const name of ["peakEfficiency", "centreWavelength", "bandwidth1dB"] as const) {
      const fitted = result.couplers.parameters.find((p) => p.name === name);
      expect(Math.abs((fitted?.value as number) - truthCouplers[name]), name).toBeLessThan(
        3 * (fitted?.standardError as number),
      );
    }

    // Both spectra are runs of the store, and the card names them.
    await expectRunsSucceeded(store, result.runs);
    expect(result.card.runs).toEqual(result.runs);
    expect(existsSync(join(dir, "reference"))).toBe(true);
  }, 60_000);

  it("refuses a bench without --chip, and a span that runs backwards, naming the flags, before anything starts", async () => {
    for (const [args, message] of [
      [["--bench", "bench.json"], /--chip: say which chip is on the bench/],
      [["--start", "1570", "--stop", "1540"], /--stop \(1540 nm\) must be above --start \(1570 nm\)/],
    ] as const) {
      await expect(buildProgram().parseAsync(["node", "pms", "calibrate", "ring", ...args])).rejects.toThrow(
        message,
      );
    }
  });

  it("--help gives each option with its unit and default", () => {
    const help = buildProgram()
      .commands.find((c) => c.name() === "calibrate")
      ?.commands.find((c) => c.name() === "ring")
      ?.helpInformation();
    expect(help).toMatch(/--step <pm> +wavelength step, pm \(default: 10\)/);
  });
});
