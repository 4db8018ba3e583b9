/**
 * `pms spectrum`, `pms tune` and `pms pcm` as a user runs them: the
 * compiled bin in a child process (vitest's global setup builds it) on the
 * embedded virtual bench, in simulated time. What they report is held
 * against the demo chip's hidden truth, computed here from the chip model
 * (src/models/chip): the ring's dips with the heater off, and the shift of
 * a dip per heater watt, from the truth's thermal resistance.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  chipInitialState,
  chipLayout,
  demoChipTransmission,
  demoChipTruth,
} from "../../src/models/chip/index.js";
import { type Dip, findDips } from "../../src/plans/spectrum-analysis.js";

const PMS = join("dist", "src", "cli", "pms.js");
const execute = promisify(execFile);

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
}

/** Runs `pms <args> --out <a fresh folder>`; resolves with its exit code and output, whatever it is. */
async function pms(...args: string[]): Promise<Ran> {
  const out = join(mkdtempSync(join(tmpdir(), "pms-optical-")), "run");
  try {
    const store = `sqlite:${join(dirname(out), "runs.sqlite")}`;
    const { stdout, stderr } = await execute(
      process.execPath,
      [PMS, ...args, "--out", out, "--store", store],
      {
        timeout: 15_000,
      },
    );
    return { code: 0, stdout, stderr, out };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, out };
  }
}

const runJson = (out: string) => JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
const csv = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n");

/** The ring's dips on the true chip with the heater `heaterRise` K above ambient, from 1 pm samples. */
function trueDips(startNm: number, stopNm: number, heaterRise = 0): Dip[] {
  const state = chipInitialState(demoChipTruth);
  state[chipLayout.HEATER_RISE] = heaterRise;
  const n = Math.round((stopNm - startNm) * 1000) + 1;
  const wavelength = Float64Array.from({ length: n }, (_, k) => (startNm + k / 1000) * 1e-9);
  const transmission = wavelength.map((λ) => demoChipTransmission(state, demoChipTruth, λ));
  return findDips({ wavelength, transmission });
}

interface DipRecord {
  wavelength_m: number;
  depth_dB: number;
  fwhm_m: number;
  q: number;
}

/** Each recorded dip at the true one: position within `tolerance` m, depth within 0.3 dB, FWHM within 5 %. */
function expectTrueDips(recorded: DipRecord[], truth: Dip[], tolerance: number): void {
  expect(recorded).toHaveLength(truth.length);
  recorded.forEach((dip, k) => {
    const real = truth[k] as Dip;
    expect(Math.abs(dip.wavelength_m - real.wavelength)).toBeLessThan(tolerance);
    expect(dip.depth_dB).toBeCloseTo(real.depthDb, 0);
    expect(Math.abs(dip.depth_dB - real.depthDb)).toBeLessThan(0.3);
    expect(dip.fwhm_m / (real.fwhm as number)).toBeGreaterThan(0.95);
    expect(dip.fwhm_m / (real.fwhm as number)).toBeLessThan(1.05);
    expect(dip.q).toBeCloseTo(dip.wavelength_m / dip.fwhm_m, 6);
  });
}

describe("pms spectrum, tune and pcm (compiled bin, embedded virtual bench)", () => {
  it("spectrum, stepped: the ring's dip where the true chip has it, every point in data.csv, a plot", async () => {
    const run = await pms("spectrum", "--start", "1553.4", "--stop", "1554.4", "--step", "5");
    expect(run.code, run.stderr).toBe(0);
    const { start, stop } = runJson(run.out);
    expect(start).toMatchObject({
      plan: "spectrum",
      arguments: { mode: "stepped", path: "ring" },
      chip: "demo-chip",
    });
    expect(start.bench.instruments.map((i: { name: string }) => i.name)).toEqual(["laser", "meter"]);
    expect(stop).toMatchObject({ status: "success", rows: 201, summary: { points: 201, path: "ring" } });
    expectTrueDips(stop.summary.dips, trueDips(1553.4, 1554.4), 5e-12);
    const data = csv(join(run.out, "data.csv"));
    expect(data[0]).toBe("time_s,wavelength_m,power_W,transmission");
    expect(data).toHaveLength(202);
    expect(readFileSync(join(run.out, "spectrum.svg"), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(csv(join(run.out, "commands.jsonl")).length).toBeGreaterThan(201);
    expect(run.stdout).toMatch(
      /dips\s+1 found\n\s+wavelength \(nm\)\s+depth \(dB\)\s+FWHM \(pm\)\s+Q\n\s+1553\.94\d\d\s+5\.\d\d/,
    );
  });

  it("spectrum, swept: both of the ring's dips within the stated timing uncertainty, aligned on the laser's log", async () => {
    const run = await pms("spectrum", "--sweep", "--speed", "5");
    expect(run.code, run.stderr).toBe(0);
    const { stop } = runJson(run.out);
    expect(stop.status).toBe("success");
    const { summary } = stop;
    expect(summary.mode).toBe("swept");
    // About 1 ms per reading on the embedded bench: 5 pm at 5 nm/s.
    expect(summary.wavelengthUncertainty_m).toBeGreaterThan(0);
    expect(summary.wavelengthUncertainty_m).toBeLessThan(10e-12);
    expectTrueDips(summary.dips, trueDips(1544, 1555), summary.wavelengthUncertainty_m + 2e-12);
    // data.csv streamed every reading; spectrum.csv keeps those inside the logged span.
    const streamed = csv(join(run.out, "data.csv")).length - 1;
    const aligned = csv(join(run.out, "spectrum.csv"));
    expect(aligned[0]).toBe("time_s,wavelength_m,power_W,transmission");
    expect(aligned.length - 1).toBe(summary.points);
    expect(streamed).toBeGreaterThanOrEqual(summary.points);
    expect(summary.points).toBeGreaterThan(500);
    expect(run.stdout).toMatch(/timing\s+each reading's wavelength within ±\d\.\d pm/);
    expect(run.stdout).toMatch(/free spectral range 9\.0\d\d nm/);
  });

  it("tune: the resonance's shift per heater mW is the true chip's, with a small error", async () => {
    const run = await pms("tune", "--currents", "0:1.5:0.5", "--span", "0.4", "--step", "10");
    expect(run.code, run.stderr).toBe(0);
    const { stop } = runJson(run.out);
    expect(stop.status).toBe("success");
    const { summary } = stop;
    expect(summary.steps.map((s: { current_setpoint_A: number }) => s.current_setpoint_A)).toEqual([
      0, 0.5e-3, 1e-3, 1.5e-3,
    ]);
    // The truth: the dip's shift when the heater is R_th·P above ambient, per P.
    const power = 2e-3;
    const rise = (demoChipTruth["thermal.resistance"] as number) * power;
    const [cold, hot] = [trueDips(1553.5, 1554.5)[0], trueDips(1553.5, 1554.5, rise)[0]] as [Dip, Dip];
    const truePmPerMw = ((hot.wavelength - cold.wavelength) / power) * 1e9;
    expect(summary.efficiency_pm_per_mW / truePmPerMw).toBeGreaterThan(0.99);
    expect(summary.efficiency_pm_per_mW / truePmPerMw).toBeLessThan(1.01);
    expect(summary.efficiencyError_pm_per_mW).toBeGreaterThan(0);
    expect(summary.efficiencyError_pm_per_mW).toBeLessThan(0.01 * truePmPerMw);
    const points = csv(join(run.out, "tuning.csv"));
    expect(points[0]).toBe("step,current_setpoint_A,voltage_V,current_A,heater_power_W,resonance_m,fwhm_m");
    expect(points).toHaveLength(5);
    const scans = csv(join(run.out, "data.csv"));
    expect(scans[0]).toBe("time_s,step,current_setpoint_A,wavelength_m,power_W,transmission");
    expect(scans).toHaveLength(1 + 4 * 41);
    expect(scans.at(-1)).toMatch(/^[^,]+,4,0\.0015,/);
    expect(existsSync(join(run.out, "tuning.svg"))).toBe(true);
    expect(run.stdout).toMatch(/efficiency\s+1\d\d\.\d\d ± 0\.\d\d pm\/mW/);
  });

  it("pcm: the pulses crystallise the patch, and the transmission at the resonance rises", async () => {
    const run = await pms("pcm", "--pulses", "3");
    expect(run.code, run.stderr).toBe(0);
    const { stop } = runJson(run.out);
    expect(stop).toMatchObject({ status: "success", rows: 4, summary: { pulses: 3 } });
    expect(stop.summary.readouts.map((r: { pulse: number }) => r.pulse)).toEqual([0, 1, 2, 3]);
    expect(stop.summary.transmissionChange_dB).toBeGreaterThan(3);
    const data = csv(join(run.out, "data.csv"));
    expect(data[0]).toBe("time_s,pulse,power_W,transmission,pulse_duration_s");
    expect(data).toHaveLength(5);
    expect(existsSync(join(run.out, "pcm.svg"))).toBe(true);
    expect(run.stdout).toMatch(/change\s+-1\d\.\d\d dB before, -\d\.\d\d dB after pulse 3: \+\d\.\d\d dB/);
  });
});

// Each of these starts nothing but the bin: they run side by side.
describe.concurrent("pms spectrum, tune and pcm: help and refused options", () => {
  it.each([
    ["spectrum", [/--sweep/, /T0/, /timing error, times the speed/, /spectrum\.csv/]],
    ["tune", [/--currents <mA>/, /pm\/mW/, /tuning\.csv/]],
    ["pcm", [/--amplitude <V\|mA>/, /crystallis/, /pulse_duration_s/]],
  ] as const)(
    "%s --help teaches: what it does, safety, Ctrl-C, files, examples",
    async (command, specific) => {
      const { stdout } = await execute(process.execPath, [PMS, command, "--help"]);
      for (const pattern of [
        ...specific,
        /Limits come from the bench file/,
        /Ctrl-C \(or SIGTERM\) stops at the/,
        /turns the laser's light off first/,
        /Files written to the run folder:/,
        /run\.json/,
        /commands\.jsonl/,
        /Examples:/,
      ]) {
        expect(stdout).toMatch(pattern);
      }
    },
  );

  it.each([
    [
      ["spectrum", "--sweep", "--speed", "15"],
      /^pms: --speed: the TSL-570 sweeps at one of 1, 2, 5, 10, 20, 50, 100, 200 nm\/s; got 15 nm\/s$/m,
    ],
    [
      ["spectrum", "--sweep", "--step", "2"],
      /^pms: --step: for the stepped mode; a sweep takes --speed and --log-step$/m,
    ],
    [["spectrum", "--stop", "1540"], /^pms: --stop: must be above --start \(1544 nm\); got 1540 nm$/m],
    [["tune", "--currents", "0,1"], /^pms: --currents: must be 3 currents or more/m],
    [
      ["pcm", "--power", "1", "--power-dbm", "0"],
      /^pms: --power and --power-dbm: give the laser power once$/m,
    ],
  ])("%j is refused naming the flag, exit code 2, nothing started", async (args, message) => {
    const run = await pms(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(run.out, "run.json"))).toBe(false);
  });
});
