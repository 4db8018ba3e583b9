/**
 * Recipe 3 on the embedded virtual bench: the 2400 on the demo chip's
 * standalone VTEAM memristor, whose true parameters (src/models/chip/
 * truth.ts: the model's defaults × 1.2 R_on, 0.8 R_off, 1.25 k_on,
 * 0.75 k_off, 1.1 v_on, 0.9 v_off) the recipe never sees. Three sweeps,
 * one fit, a card, and the card run by the twin on a fresh sweep.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  calibrateMemristor,
  type MemristorRecipeResult,
  sweepsModel,
  vteamParamsOfCard,
} from "../../calibration/memristor.js";
import { formatStudy, memristorCoverageStudy } from "../../calibration/study.js";
import { buildProgram } from "../../src/cli/program.js";
import { readCard } from "../../src/fit/card.js";
import { fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import { memristorIvFitModel } from "../../src/fit/models/memristor-iv.js";
import { standaloneTruth } from "../../src/models/chip/index.js";
import { vteam } from "../../src/models/memristor/vteam.js";
import { runIvJob } from "../../src/plans/iv-job.js";
import { openStore } from "../../src/record/store/open.js";
import { bipolarTriangle } from "../../src/sync/waveforms.js";
import { expectWithin3Sigma } from "./support.js";

const truth = standaloneTruth as unknown as Readonly<Record<string, number>>;

let shared: { result: MemristorRecipeResult; dir: string; store: string } | undefined;
async function recipe() {
  if (!shared) {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-memristor-"));
    const store = `sqlite:${join(dir, "runs.sqlite")}`;
    shared = { result: await calibrateMemristor({ outDir: dir, store }), dir, store };
  }
  return shared;
}

/** A fresh sweep of the virtual device (its own noise seed), the twin's model running with `params`. */
async function freshSweep(params: Record<string, number>, dir: string, name: string) {
  return runIvJob({
    amplitude: 1.2,
    pointsPerCycle: 48,
    cycles: 2,
    compliance: 10e-3,
    nplc: 10,
    sourceDelay: 20e-3,
    model: "vteam",
    params,
    limits: {},
    outDir: join(dir, name),
    store: `sqlite:${join(dir, "fresh.sqlite")}`,
    timeoutMs: 2000,
    seed: 77,
  });
}

describe("recipe 3: the memristor", () => {
  it("recovers R_on, R_off, both thresholds and both rate constants within 3σ, and keeps its three sweeps", async () => {
    const { result, store } = await recipe();
    expect(readCard(result.cardFile)).toEqual(result.card);
    expect(result.card.recipe.name).toBe("memristor");
    // The source-meter as *IDN? named it, field by field (firmware included), under the bench's name for it.
    expect(result.card.instruments).toEqual([
      expect.objectContaining({ name: "smu1", model: "MODEL 2400", serial: "4090001" }),
    ]);
    expect(result.card.instruments[0]?.firmware).not.toBe("unknown");
    expect(readFileSync(result.plotFile, "utf8")).toMatch(/^<svg[\s\S]*fit 3[\s\S]*<\/svg>\s*$/);
    expect(result.fit.usable).toBe(true);
    expect(result.fit.diagnostics).toEqual([]);
    for (const name of ["rOn", "rOff", "vOn", "vOff"]) {
      const p = result.fit.parameters.find((q) => q.name === name);
      expect(Math.abs((p?.value as number) - (truth[name] as number)), name).toBeLessThan(
        3 * (p?.standardError as number),
      );
    }
    for (const name of ["kOn", "kOff"] as const) {
      const { value, error } = result.rateConstants[name];
      expect(Math.abs(value - (truth[name] as number)), name).toBeLessThan(3 * error);
      // Real error bars: k to better than 1e-3 relative.
      expect(error / Math.abs(truth[name] as number)).toBeLessThan(1e-3);
    }
    // The rates are given where they do not correlate with the thresholds: no pair beyond 0.99, and the
    // rate-threshold pairs themselves near 0.
    const n = result.fit.free.length;
    const corr = (a: string, b: string) =>
      result.fit.correlation[result.fit.free.indexOf(a) * n + result.fit.free.indexOf(b)] as number;
    expect(Math.abs(corr("rateOn", "vOn"))).toBeLessThan(0.05);
    expect(Math.abs(corr("rateOff", "vOff"))).toBeLessThan(0.05);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++)
        expect(Math.abs(result.fit.correlation[i * n + j] as number)).toBeLessThan(0.99);
    }
    const reader = await openStore(store, { readonly: true });
    try {
      expect(result.runs).toHaveLength(3);
      for (const uid of result.runs) expect((await reader.run(uid)).summary.status).toBe("success");
    } finally {
      await reader.close();
    }
  }, 60_000);

  it("says why it does not fit k and v₀ themselves: on the same sweeps they are degenerate, and the fit says which", async () => {
    const { result } = await recipe();
    const model = memristorIvFitModel(vteam, {
      times: result.sweeps[1]?.time as Float64Array,
      voltages: bipolarTriangle(1.2, 48, 2),
      x0: vteam.defaults.wOff,
      t0:
        (result.sweeps[1]?.time[0] as number) -
        ((result.sweeps[1]?.time[1] as number) - (result.sweeps[1]?.time[0] as number)),
    });
    const fit = fitLeastSquares(
      model,
      { y: result.sweeps[1]?.current as Float64Array },
      { free: ["rOn", "rOff", "kOn", "kOff", "vOn", "vOff"], logScale: ["rOn", "rOff", "kOff"] },
    );
    const degenerate = fit.diagnostics.filter((d) => d.kind === "degenerate").map((d) => d.message);
    expect(degenerate.join(" ")).toMatch(/k(On|Off) and v(On|Off) are nearly degenerate/);
    expect(fit.usable).toBe(false);
  }, 60_000);

  it("gives the decorrelated model's Jacobian (against central differences)", () => {
    // Two cycles of 40 levels, 0.2 s each: from w_off the first positive half cannot move it (clamped), the
    // negative half switches it ON, and the second positive half back OFF, so every column has a say.
    const voltages = bipolarTriangle(1.2, 40, 2);
    const times = Float64Array.from(voltages, (_, k) => 0.2 * (k + 1));
    const model = sweepsModel([{ times, voltages }], true, { on: -0.95, off: 0.85 }, vteam.defaults);
    const p = Float64Array.of(1200, 16000, -3e-9, -0.55, 4e-9, 0.45);
    const m = voltages.length;
    const jacobian = new Float64Array(m * 6);
    model.evaluate(p, new Float64Array(m), jacobian);
    for (let j = 0; j < 6; j++) {
      const h = Math.abs(p[j] as number) * 1e-6;
      const [up, down] = [new Float64Array(m), new Float64Array(m)];
      model.evaluate(
        Float64Array.from(p, (v, k) => (k === j ? v + h : v)),
        up,
      );
      model.evaluate(
        Float64Array.from(p, (v, k) => (k === j ? v - h : v)),
        down,
      );
      let scale = 0;
      for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(jacobian[i * 6 + j] as number));
      expect(scale, `column ${j} is not all zero`).toBeGreaterThan(0);
      for (let i = 0; i < m; i++) {
        const numeric = ((up[i] as number) - (down[i] as number)) / (2 * h);
        expect(
          Math.abs(numeric - (jacobian[i * 6 + j] as number)) / scale,
          `column ${j}, point ${i}`,
        ).toBeLessThan(1e-5);
      }
    }
  });

  it("loads back into the twin's model, which predicts a fresh sweep of the same device within its noise", async () => {
    const { result, dir } = await recipe();
    const params = vteamParamsOfCard(readCard(result.cardFile), result.cardFile);
    const withCard = await freshSweep({ ...params }, dir, "with-card");
    const withTruth = await freshSweep({ ...truth }, dir, "with-truth");
    // The same sweep, the same noise: the truth's residual is the noise itself; the card's adds its error.
    expect(withCard.current).toEqual(withTruth.current);
    expect(withCard.rmsResidual / withTruth.rmsResidual).toBeLessThan(1.25);
    // And the model's defaults, which the recipe started from, do not.
    const withDefaults = await freshSweep({}, dir, "with-defaults");
    expect(withDefaults.rmsResidual / withTruth.rmsResidual).toBeGreaterThan(100);
  }, 60_000);

  it("refuses a sweep the job would refuse before the first sweep runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-memristor-bad-"));
    await expect(
      calibrateMemristor({
        outDir: dir,
        store: `sqlite:${join(dir, "runs.sqlite")}`,
        sweeps: [
          { amplitude: 1.2, nplc: 1, sourceDelay: 1e-3 },
          { amplitude: 1.2, nplc: 50, sourceDelay: 1e-3 },
        ],
      }),
    ).rejects.toThrow(/nplc/i);
    expect(existsSync(join(dir, "sweep-1"))).toBe(false);
  });

  it("refuses a card of another recipe, and malformed sweeps, naming what is wrong", async () => {
    const { result } = await recipe();
    const heater = { ...result.card, recipe: { ...result.card.recipe, name: "heater" } };
    expect(() => vteamParamsOfCard(heater, "cal/heater/card.json")).toThrow(
      /cal\/heater\/card\.json: a heater card, not a memristor card/,
    );
    for (const [args, message] of [
      [["--sweeps", "1.2:10"], /--sweeps: each sweep is amplitude:nplc:delay/],
      [["--sweeps", "1.2:10:20"], /--sweeps: two sweeps or more/],
      [["--bench", "bench.json"], /--chip: say which chip is on the bench/],
    ] as const) {
      await expect(
        buildProgram().parseAsync(["node", "pms", "calibrate", "memristor", ...args]),
      ).rejects.toThrow(message);
    }
    await expect(
      buildProgram().parseAsync([
        "node",
        "pms",
        "iv",
        "--card",
        result.cardFile,
        "--model",
        "linear-ion-drift",
      ]),
    ).rejects.toThrow(/--card holds VTEAM parameters; it needs --model vteam/);
  }, 60_000);

  it("the coverage study in small: three devices from the prior, each converged and within 3σ", async () => {
    const study = await memristorCoverageStudy({
      chips: 3,
      outDir: mkdtempSync(join(tmpdir(), "pms-study-")),
    });
    expect(study.converged).toBe(3);
    expectWithin3Sigma(study.pulls, 18);
    expect(formatStudy(study)).toMatch(/Recipe 3 \(memristor\) coverage over 3 virtual chips: 3 converged/);
  }, 60_000);
});
