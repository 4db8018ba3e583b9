/**
 * Recipe 4 on the embedded virtual bench, whose chip has hidden true
 * parameters (src/models/chip/truth.ts) the recipe never sees: a spectrum
 * for the FSR, pulses each followed by a scan of the resonance, the JMAK
 * fit, a card and a plot, the runs in the store.
 *
 * The truth a reader can check (calibration/study.ts `demoPcmTruth`): the
 * patch's temperature rise per V² on the heater α = share·R_th,cell/R_h =
 * 0.72 × 66 kK/W / 1.1 kΩ = 43.2 K/V²; its rate at A₁,
 * k = ν exp(−E_a/(k_B (300 K + α A₁²))) with ν = 0.75 × 1.92e26 /s and
 * E_a = 2.34 eV; the Avrami exponent 2.7; the confinement factor
 * 0.85 × 0.05.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freeSpectralRange, refineDip } from "../../calibration/heater.js";
import {
  calibratePcm,
  LINE_SHAPE_ACCURACY,
  PulseSchedule,
  SHIFT_SCALE_ACCURACY,
  shiftShareOf,
} from "../../calibration/phase-change.js";
import { demoPcmTruth } from "../../calibration/study.js";
import { buildProgram } from "../../src/cli/program.js";
import { readCard } from "../../src/fit/card.js";
import { fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";
import { airyDipFitModel } from "../../src/fit/models/airy-dip.js";
import { jmakPulseFitModel, jmakPulseParameters, pulseStaircase } from "../../src/fit/models/jmak-pulses.js";
import {
  chipInitialState,
  chipLayout,
  demoChipTransmission,
  demoChipTruth,
} from "../../src/models/chip/index.js";
import { gstIndex } from "../../src/models/phase-change/optics.js";
import { patchDefaults } from "../../src/models/phase-change/patch.js";
import { runOpticalJob } from "../../src/plans/optical-job.js";
import type { ScannedReadout } from "../../src/plans/pcm-programming.js";
import { findDips } from "../../src/plans/spectrum-analysis.js";
import { expectRunsSucceeded, jacobianError } from "./support.js";

const ELECTRONVOLT = 1.602176634e-19;

const FSR = 9.142e-9;
const AT = 1553.94e-9;

/** The demo chip's noise-free ring spectrum at crystalline fraction X over [lo, hi]. */
function spectrumAt(fraction: number, lo: number, hi: number, step: number) {
  const state = chipInitialState(demoChipTruth);
  state[chipLayout.CELL_FRACTION] = fraction;
  const n = Math.round((hi - lo) / step);
  const wavelength = Float64Array.from({ length: n + 1 }, (_, i) => lo + i * step);
  return { wavelength, transmission: wavelength.map((λ) => demoChipTransmission(state, demoChipTruth, λ)) };
}

/** The Airy centre of a spectrum, as the recipe refines it. */
function airyCentre(spectrum: { wavelength: Float64Array; transmission: Float64Array }): number {
  const dip = findDips(spectrum, { minProminenceDb: 0.5 }).sort(
    (a, b) => a.minTransmission - b.minTransmission,
  )[0];
  if (!dip) throw new Error("no dip");
  return refineDip(spectrum, dip, 1e-12, "test", {
    model: (λ) => airyDipFitModel(λ, FSR, AT),
    free: ["roundTripLoss", "depth", "baselineCurvature"],
    initial: (d) => {
      const v = Math.sin((Math.PI * (d.fwhm ?? 1e-10)) / (2 * FSR));
      return { roundTripLoss: 1 - (Math.sqrt(v * v + 1) - v) ** 2, depth: Math.max(1e-3, d.depth) };
    },
    window: Number.POSITIVE_INFINITY,
  }).centre;
}

describe("recipe 4's pieces", () => {
  it("gives the JMAK pulse model's and the Airy dip's analytic Jacobians (against central differences)", () => {
    const pulses = [1.7, 1.8, 1.8, 1.9, 1.9, 2].map((a, k) =>
      pulseStaircase(k, a, 0.2 / (1 + (k % 2)), 0.1, 0.03, 0.03),
    );
    const model = jmakPulseFitModel({
      times: Float64Array.from({ length: 7 }, (_, k) => k + 0.5),
      pulsesBefore: [0, 1, 2, 3, 4, 5, 6],
      pulses,
      referenceAmplitude: 1.8,
      shiftShare: shiftShareOf(patchDefaults),
    });
    const p = Float64Array.from(
      jmakPulseParameters,
      (s) =>
        ({
          resonanceWavelength: 1.554e-6,
          fullShift: 1.2e-9,
          driftRate: -1e-14,
          rate: 2,
          heating: 43,
          avramiExponent: 2.7,
          edgeTime: 1.5e-3,
          driftCoupling: 1.5e10,
          activationEnergy: 2.34 * ELECTRONVOLT,
          ambientTemperature: 300,
          crystallisationTemperature: 423,
        })[s.name] as number,
    );
    // Every column, T_x's through the smoothed step (a level 1.7 V sits 2 K above it at α = 43).
    expect(
      jacobianError(model, p, 7, [1e-15, 1e-15, 1e-17, 1e-6, 1e-5, 1e-6, 1e-7, 1e8, 1e-25, 1e-5, 1e-4]),
    ).toBeLessThan(1e-5);
    const λ = Float64Array.from({ length: 121 }, (_, i) => 1.5525e-6 + i * 50e-12);
    expect(
      jacobianError(
        airyDipFitModel(λ, FSR, AT),
        Float64Array.of(1.5551e-6, 0.3, 0.3, 0.14, 1e6, 1e13),
        121,
        [1e-15, 1e-7, 1e-7, 1e-7, 1e-1, 1e6],
      ),
    ).toBeLessThan(1e-5);
  });

  it("isothermal pulses: X = 1 − exp(−(N k w)ⁿ), the closed form of JMAK under additivity", () => {
    const k = 0.8;
    const model = jmakPulseFitModel({
      times: Float64Array.of(0, 1, 2, 3),
      pulsesBefore: [0, 1, 2, 3],
      // Square pulses at one level (no ramp), 0.5 s each.
      pulses: [0, 1, 2].map((t) => ({ time: t, levels: [1.9], dwells: [0.5], top: 0 })),
      referenceAmplitude: 1.9,
      shiftShare: (x) => ({ value: x, slope: 1 }),
    });
    const values: Record<string, number> = {
      resonanceWavelength: 0,
      fullShift: 1,
      driftRate: 0,
      rate: k,
      heating: 43,
      avramiExponent: 2.5,
      edgeTime: 0,
      driftCoupling: 0,
      activationEnergy: 2.34 * ELECTRONVOLT,
      ambientTemperature: 300,
      crystallisationTemperature: 423,
    };
    const y = new Float64Array(4);
    model.evaluate(
      Float64Array.from(jmakPulseParameters, (s) => values[s.name] as number),
      y,
    );
    expect(Array.from(y, (x, n) => x - (1 - Math.exp(-((n * k * 0.5) ** 2.5))))).toEqual(
      [0, 0, 0, 0].map(() => expect.closeTo(0, 15)),
    );
  });

  it("the Airy centre follows the resonance's phase within 1.2 × LINE_SHAPE_ACCURACY, the window centred or off", () => {
    const g = shiftShareOf(patchDefaults);
    const c0 = airyCentre(spectrumAt(0, 1553.34e-9, 1554.54e-9, 10e-12));
    const c1 = airyCentre(spectrumAt(1, 1552.14e-9, 1558.14e-9, 50e-12));
    // The crystalline patch's dip, a nanometre wide, on windows 0.6 nm off either way: the same centre.
    for (const lo of [1551.54e-9, 1552.74e-9]) {
      expect(Math.abs(airyCentre(spectrumAt(1, lo, lo + 6e-9, 50e-12)) - c1)).toBeLessThan(
        1.2 * LINE_SHAPE_ACCURACY,
      );
    }
    // The whole shift against the resonance's phase: Δλ = FSR L_p Γ Re(n_c − n_a)/λ₀ (a ring's resonance
    // moves by an FSR per 2π of round-trip phase), within SHIFT_SCALE_ACCURACY.
    const wide = spectrumAt(0, AT - 11e-9, AT + 11e-9, 10e-12);
    const fsr = freeSpectralRange(wide, AT, 1e-12).value;
    const contrast = gstIndex(patchDefaults, 1).re - gstIndex(patchDefaults, 0).re;
    const at = (name: string) => demoChipTruth[name] as number;
    const phaseShift = (fsr * at("patch.length") * at("patch.confinementFactor") * contrast) / c0;
    expect(Math.abs(c1 - c0 - phaseShift) / phaseShift).toBeLessThan(SHIFT_SCALE_ACCURACY);
    for (const fraction of [0.05, 0.3, 0.6, 0.9]) {
      const expected = c0 + g(fraction).value * (c1 - c0);
      const span = Math.min(6e-9, Math.max(1.2e-9, 8 * (95e-12 + fraction * 1e-9)));
      for (const offset of [0, 0.4e-9]) {
        const lo = expected + offset - span / 2;
        const centre = airyCentre(spectrumAt(fraction, lo, lo + span, Math.max(10e-12, span / 120)));
        expect(Math.abs(centre - expected), `X = ${fraction}, ${offset * 1e9} nm off`).toBeLessThan(
          1.2 * LINE_SHAPE_ACCURACY,
        );
      }
    }
  });

  it("the schedule searches up, then holds three levels with alternating widths, and stops once saturated", () => {
    const schedule = new PulseSchedule({
      first: 1.5,
      searchStep: 0.05,
      max: 2,
      levelStep: 0.1,
      firstWidth: 0.2,
      minWidth: 0.05,
      maxWidth: 5,
      expectedShift: 1.2e-9,
      moved: 5e-12,
    });
    const readouts: ScannedReadout[] = [];
    const shifts: number[] = [];
    // A patch that moves 2 pm below 1.75 V and then 150 pm a pulse, until 1.2 nm.
    const scan = (amplitude: number) => {
      const last = shifts[shifts.length - 1] ?? 0;
      const next = Math.min(1.2e-9, last + (amplitude < 1.75 ? 2e-12 : 150e-12));
      shifts.push(amplitude === 0 ? 0 : next);
      readouts.push({
        resonance: 1.554e-6 + (shifts[shifts.length - 1] as number),
        fwhm: 100e-12,
      } as ScannedReadout);
    };
    scan(0);
    const given: { amplitude: number; width: number }[] = [];
    for (let k = 0; k < 60; k++) {
      const next = schedule.next(readouts);
      if (!next) break;
      given.push({ amplitude: next.amplitude, width: next.width });
      scan(next.amplitude);
    }
    expect(given.slice(0, 6).map((p) => p.amplitude)).toEqual([1.5, 1.55, 1.6, 1.65, 1.7, 1.75]);
    expect(schedule.levels()).toEqual([1.75, 1.7, 1.85]);
    // Alternating widths at a level: two different ones at the first.
    const first = given.filter((p, k) => k >= 6 && p.amplitude === 1.75).map((p) => p.width);
    expect(new Set(first).size).toBe(2);
    // It stopped by itself, well before 60 pulses, after three quiet ones at the upper level.
    expect(given.length).toBeLessThan(60);
    expect(given.slice(-3).every((p) => p.amplitude === 1.85)).toBe(true);
  });
});

describe("the pcm-scan plan", () => {
  it("scans after each pulse, asks the programme with every readout so far, and keeps both in its files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-pcm-scan-"));
    const seen: number[] = [];
    const result = await runOpticalJob({
      outDir: dir,
      store: `sqlite:${join(dir, "runs.sqlite")}`,
      path: "ring",
      plan: {
        kind: "pcm-scan",
        options: {
          mode: "voltage",
          compliance: 0.01,
          interval: 0.02,
          power: 1e-3,
          resonance: 1553.94e-9,
          scan: { span: 1.2e-9, step: 20e-12 },
          pulses: (readouts) => {
            seen.push(readouts.length);
            return readouts.length <= 3
              ? { amplitude: 2, width: 0.05, scan: { span: 3e-9, step: 50e-12 } }
              : undefined;
          },
          maxPulses: 10,
        },
      },
    });
    if (result.kind !== "pcm-scan") throw new Error("not a pcm-scan result");
    expect(seen).toEqual([1, 2, 3, 4]);
    const readouts = result.summary.readouts;
    expect(readouts.map((r) => r.pulse)).toEqual([0, 1, 2, 3]);
    // 2 V on the truth's heater: about 16 /s, so each 50 ms pulse moves the resonance red.
    for (let k = 1; k < readouts.length; k++) {
      expect((readouts[k] as ScannedReadout).resonance).toBeGreaterThan(
        (readouts[k - 1] as ScannedReadout).resonance,
      );
      expect((readouts[k] as ScannedReadout).rampUp).toBeGreaterThan(0);
      expect((readouts[k] as ScannedReadout).duration).toBeGreaterThan(0.05);
    }
    const data = readFileSync(join(dir, "data.csv"), "utf8").trimEnd().split("\n");
    expect(data[0]).toBe("time_s,pulse,pulse_amplitude_V,pulse_width_s,wavelength_m,power_W,transmission");
    // 61 points before the first pulse, 61 after each.
    expect(data).toHaveLength(1 + 61 * 4);
    const pulses = readFileSync(join(dir, "pulses.csv"), "utf8").trimEnd().split("\n");
    expect(pulses[0]).toBe(
      "pulse,amplitude,width_s,pulse_start_s,pulse_duration_s,ramp_up_s,ramp_down_s,time_s,resonance_m,fwhm_m",
    );
    expect(pulses).toHaveLength(5);
  }, 60_000);
});

describe("pms calibrate pcm on the virtual bench", () => {
  // One run on the hidden truth, for the recovery and the degeneracy tests.
  const dir = mkdtempSync(join(tmpdir(), "pms-cal-pcm-"));
  const store = `sqlite:${join(dir, "runs.sqlite")}`;
  let onTruth: ReturnType<typeof calibratePcm> | undefined;
  const truthRun = () => {
    onTruth ??= calibratePcm({ outDir: dir, store });
    return onTruth;
  };

  it("recovers α, the rate, the Avrami exponent and Γ within 3σ, and keeps its runs", async () => {
    const result = await truthRun();

    expect(readCard(result.cardFile)).toEqual(result.card);
    expect(result.card.recipe.name).toBe("pcm");
    expect(result.card.instruments.map((i) => i.model)).toEqual(["TSL-570", "PM100USB", "MODEL 2450"]);
    expect(readFileSync(result.plotFile, "utf8")).toMatch(
      /^<svg[\s\S]*JMAK fit[\s\S]*residual[\s\S]*<\/svg>\s*$/,
    );
    expect(result.fit.usable).toBe(true);
    expect(result.levels).toHaveLength(3);

    const truth = demoPcmTruth(demoChipTruth, result.rate.amplitude);
    expect(truth.heating).toBeCloseTo(43.2, 10);
    for (const [name, fitted, expected] of [
      ["heating", result.heating, truth.heating],
      ["rate", result.rate, truth.rate],
      ["avramiExponent", result.avramiExponent, truth.avramiExponent],
      ["confinementFactor", result.confinementFactor, truth.confinementFactor],
    ] as const) {
      expect(fitted.error, name).toBeGreaterThan(0);
      expect(Math.abs(fitted.value - expected), name).toBeLessThan(3 * fitted.error);
    }
    // Real error bars: α to better than 1 %, n to better than 0.5 %.
    expect(result.heating.error / truth.heating).toBeLessThan(0.01);
    expect(result.avramiExponent.error / truth.avramiExponent).toBeLessThan(0.005);

    await expectRunsSucceeded(store, result.runs);
    expect(result.card.runs).toEqual(result.runs);
  }, 180_000);

  it("why E_a and the ambient are held: freed, the same data put E_a within 3σ of GST's, and both only loosely", async () => {
    const result = await truthRun();
    const model = jmakPulseFitModel({
      times: Float64Array.from(result.resonances, (r) => r.time),
      pulsesBefore: result.resonances.map((r) => r.pulse),
      pulses: result.readouts
        .slice(1)
        .map((r) => pulseStaircase(r.pulseStart, r.amplitude, r.width, 0.1, r.rampUp, r.rampDown)),
      referenceAmplitude: result.rate.amplitude,
      shiftShare: shiftShareOf(patchDefaults),
    });
    const data = {
      y: Float64Array.from(result.resonances, (r) => r.centre),
      sigma: Float64Array.from(result.resonances, (r) => Math.hypot(r.error, LINE_SHAPE_ACCURACY)),
    };
    const refit = (extra: readonly string[]) =>
      fitLeastSquares(model, data, {
        free: [...result.fit.free, ...extra],
        initial: result.fit.values,
        logScale: ["rate"],
        absoluteSigma: true,
        correlationLimit: 0.999,
      });
    const errorOf = (fit: ReturnType<typeof refit>, name: string) =>
      fit.parameters.find((p) => p.name === name)?.standardError as number;
    const alone = refit(["activationEnergy"]);
    const both = refit(["activationEnergy", "ambientTemperature"]);
    const truthE = demoChipTruth["cell.activationEnergy"] as number;
    expect(Math.abs((alone.values.activationEnergy as number) - truthE)).toBeLessThan(
      3 * errorOf(alone, "activationEnergy"),
    );
    // The ambient freed too: E_a's error grows tenfold and α's more, which is why the card holds both.
    expect(errorOf(both, "activationEnergy")).toBeGreaterThan(10 * errorOf(alone, "activationEnergy"));
    expect(errorOf(both, "heating")).toBeGreaterThan(10 * result.heating.error);
  }, 180_000);

  it("refuses a patch the bench cannot crystallise, saying so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-pcm-cold-"));
    await expect(
      calibratePcm({
        outDir: dir,
        store: `sqlite:${join(dir, "runs.sqlite")}`,
        virtual: { chip: { ...demoChipTruth, "cell.heatingShare": 0.3 } },
        maxPulses: 12,
      }),
    ).rejects.toThrow(
      /12 pulses up to 2 V moved the resonance by -?\d+\.\d pm: the patch did not crystallise/,
    );
  }, 120_000);

  it("refuses bad flags before anything starts, and --help teaches what it measures", async () => {
    for (const [args, message] of [
      [["--bench", "bench.json"], /--chip: say which chip is on the bench/],
      [["--pulses", "3"], /--pulses must be a whole number ≥ 8/],
      [["--max", "1.4"], /--max \(1\.4 V\) must be at least --first \(1\.5 V\)/],
      [["--width", "0"], /--width must be a positive number, got 0/],
    ] as const) {
      await expect(buildProgram().parseAsync(["node", "pms", "calibrate", "pcm", ...args])).rejects.toThrow(
        message,
      );
    }
    const help = buildProgram()
      .commands.find((c) => c.name() === "calibrate")
      ?.commands.find((c) => c.name() === "pcm")
      ?.helpInformation();
    expect(help).toMatch(
      /--max <V> +highest pulse amplitude, V \(default 2, or the source's\s+maxAbsVoltage if lower\)/,
    );
  });

  it("refuses pulses above the bench file's limit on the heater's source before anything runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-cal-pcm-limit-"));
    const bench = join(dir, "bench.json");
    // Nothing listens on these ports: the refusal must come before any connection.
    writeFileSync(
      bench,
      JSON.stringify({
        name: "a bench that allows the heater 1.5 V",
        instruments: {
          laser: { driver: "santec-tsl570", resource: "TCPIP::127.0.0.1::9::SOCKET" },
          meter: { driver: "thorlabs-pm100", resource: "TCPIP::127.0.0.1::9::SOCKET" },
          smu2: {
            driver: "keithley2450",
            resource: "TCPIP::127.0.0.1::9::SOCKET",
            limits: { maxAbsVoltage: 1.5 },
          },
        },
      }),
    );
    await expect(
      calibratePcm({ outDir: join(dir, "out"), bench, chipId: "chip-7", maxAmplitude: 2 }),
    ).rejects.toThrow(
      /the highest pulse, 2 V, is above the limit on the heater's source \(maxAbsVoltage 1\.5 V in /,
    );
  });
});
