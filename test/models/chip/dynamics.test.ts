/**
 * The demo chip's dynamics (src/models/chip/dynamics.ts), against what a
 * reader can work out by hand: the heater's exact RC response (Newton's
 * cooling), the steady thermo-optic shift (the static chip's at the same
 * heater power; Δλ ≈ λ²Δφ/A), the ambient drift, the patch crystallising
 * under a source-measure unit's reach, the standalone memristor's
 * acceptance figures at −0.8 V, the line memristor moving exactly as the
 * memristor layer's integrator says, the operator splitting's error, and
 * the steps taken in one substep where that is exact (and only there).
 */
import { describe, expect, it } from "vitest";
import {
  type ChipParams,
  ChipReference,
  chipDefaults,
  chipInitialState,
  chipParameters,
  chipParameterVector,
  chipStimulus,
  demoChipTruth,
  chipLayout as L,
  MAX_SUBSTEP,
  STANDALONE_TRUTH_RATIOS,
  standaloneTruth,
  stepDemoChip,
} from "../../../src/models/chip/index.js";
import { driftingTemperature, peakTemperature } from "../../../src/models/chip/portable/cold-cell.js";
import { demoChip } from "../../../src/models/circuit/index.js";
import { BOLTZMANN } from "../../../src/models/constants.js";
import { advance, holdVoltage, linearIonDriftIdeal, vteam } from "../../../src/models/memristor/index.js";
import { patchIndexChange, patchParameters } from "../../../src/models/phase-change/index.js";
import { minimumOf } from "../photonic/support/spectrum.js";
import { chipState, close, current, STATE_FLOORS, voltage } from "./support.js";

describe("layout", () => {
  it("the parameter table sits where portable/layout.ts says", () => {
    const at = (name: string) => chipParameters.findIndex((s) => s.name === name);
    expect(chipParameters.length).toBe(L.PARAMETER_COUNT);
    expect([
      at("gcIn.peakEfficiency"),
      at("busIn.effectiveIndex"),
      at("coupler.coupling"),
      at("ring.effectiveIndex"),
      at("heater.piPower"),
      at("heater.heaterResistance"),
      at("patch.effectiveIndex"),
      at("patch.amorphousIndex"),
      at("patch.crystallineExtinction"),
      at("busOut.length"),
      at("gcOut.bandwidth1dB"),
      at("memristor.rOn"),
      at("memristor.mobility"),
      at("standalone.rOn"),
      at("standalone.vOff"),
      at("thermal.resistance"),
      at("thermal.timeConstant"),
      at("ambient.driftRate"),
      at("cell.heatingShare"),
      at("cell.heatCapacity"),
      at("cell.avramiExponent"),
    ]).toEqual([
      L.GC_IN_PEAK,
      L.BUS_IN_NEFF,
      L.COUPLING,
      L.RING_NEFF,
      L.PI_POWER,
      L.HEATER_RESISTANCE,
      L.PATCH_NEFF,
      L.GST_AMORPHOUS_INDEX,
      L.GST_CRYSTALLINE_EXTINCTION,
      L.BUS_OUT_LENGTH,
      L.GC_OUT_BANDWIDTH,
      L.LINE_R_ON,
      L.LINE_MOBILITY,
      L.SA_R_ON,
      L.SA_V_OFF,
      L.THERMAL_RESISTANCE,
      L.THERMAL_TIME_CONSTANT,
      L.AMBIENT_DRIFT_RATE,
      L.HEATING_SHARE,
      L.CELL_HEAT_CAPACITY,
      L.CELL_AVRAMI,
    ]);
    expect(chipParameters.every((s) => s.unit.length > 0 && s.meaning.length > 0)).toBe(true);
  });
});

describe("hidden truth", () => {
  it("keeps the standalone memristor's former TRUE_VTEAM_PARAMS: vteam.defaults × the ratios", () => {
    for (const spec of vteam.parameters) {
      const ratio = STANDALONE_TRUTH_RATIOS[spec.name as keyof typeof STANDALONE_TRUTH_RATIOS] ?? 1;
      expect(standaloneTruth[spec.name as keyof typeof standaloneTruth]).toBe(
        vteam.defaults[spec.name as keyof typeof vteam.defaults] * ratio,
      );
    }
  });

  it("moves the main parameters 10–30 % off the defaults and stays within bounds", () => {
    const moved = chipParameters.filter((s) => demoChipTruth[s.name] !== s.default);
    expect(moved.length).toBeGreaterThanOrEqual(20);
    for (const spec of moved) {
      const value = demoChipTruth[spec.name] as number;
      expect(value >= spec.min && value <= spec.max, spec.name).toBe(true);
      const ratio = value / spec.default;
      if (!spec.name.endsWith("Wavelength") && spec.name !== "ambient.driftRate") {
        expect(Math.abs(ratio - 1), spec.name).toBeGreaterThanOrEqual(0.1 - 1e-12);
        expect(Math.abs(ratio - 1), spec.name).toBeLessThanOrEqual(0.3 + 1e-12);
      }
    }
    expect(Math.sign(demoChipTruth["ambient.driftRate"] as number)).toBe(
      -Math.sign(chipDefaults["ambient.driftRate"] as number),
    );
  });

  it.each([
    [20e-3, 15.9e3],
    [1, 13.1e3],
  ])(
    "standalone memristor at −0.8 V from w_off for %d s: R ≈ %d Ω (advance, and through the chip's port)",
    (t, r) => {
      const w = advance(vteam, standaloneTruth, standaloneTruth.wOff, -0.8, t);
      expect(vteam.resistance(w, standaloneTruth)).toBeCloseTo(r, -2);
      const state = chipInitialState(demoChipTruth);
      const { observables } = stepDemoChip(
        state,
        chipStimulus({ memristor: voltage(-0.8, 0.1) }),
        demoChipTruth,
        t,
      );
      const measured = -0.8 / (observables[L.MEMRISTOR_CURRENT] as number);
      expect(close(measured, vteam.resistance(w, standaloneTruth), 1e-12)).toBe(true);
    },
  );
});

describe("heater temperature", () => {
  const p = demoChipTruth;
  const reference = new ChipReference(chipParameterVector(p));
  const rth = p["thermal.resistance"] as number;
  const tau = p["thermal.timeConstant"] as number;
  const rh = p["heater.heaterResistance"] as number;

  it.each([3.7e-6, 37e-6, 0.4e-3, 5e-3])("follows ΔT_ss (1 − e^{−t/τ}) exactly after %d s of V held", (t) => {
    const v = 1.6;
    const s = chipState({});
    reference.step(s, chipStimulus({ heater: voltage(v) }), t);
    const expected = ((rth * v * v) / rh) * -Math.expm1(-t / tau);
    expect(close(s[L.HEATER_RISE] as number, expected, 1e-12)).toBe(true);
  });

  it("relaxes from any rise towards the new steady state, in one step or in many", () => {
    const stimulus = chipStimulus({ heater: current(0.9e-3) });
    const [once, steps] = [chipState({ rise: 12 }), chipState({ rise: 12 })];
    reference.step(once, stimulus, 30e-6);
    for (let k = 0; k < 30; k++) reference.step(steps, stimulus, 1e-6);
    const steady = rth * 0.9e-3 * 0.9e-3 * rh;
    const expected = steady + (12 - steady) * Math.exp(-30e-6 / tau);
    expect(close(once[L.HEATER_RISE] as number, expected, 1e-12)).toBe(true);
    expect(close(steps[L.HEATER_RISE] as number, expected, 1e-12)).toBe(true);
  });
});

describe("thermo-optic shift", () => {
  // Flat grating passbands (so that the dip sits where the ring's does); no ambient drift.
  const p: ChipParams = {
    ...demoChipTruth,
    "gcIn.bandwidth1dB": 1e-6,
    "gcOut.bandwidth1dB": 1e-6,
    "ambient.driftRate": 0,
  };
  const reference = new ChipReference(chipParameterVector(p));
  const heaterVoltage = 1.2;
  const power = (heaterVoltage * heaterVoltage) / (p["heater.heaterResistance"] as number);
  const hot = chipState({});
  reference.step(hot, chipStimulus({ heater: voltage(heaterVoltage) }), 2e-3);

  it("in steady state a heater power P gives the static chip's transmission at heaterPower = P", () => {
    const settings = Object.fromEntries(
      demoChip.circuit.parameters.map((q) => [q.name, p[q.name] as number]),
    );
    for (const wavelength of [1.5493e-6, 1.5501e-6, 1.5512e-6, 1.5525e-6]) {
      const s = demoChip.circuit.sMatrix(
        { ...settings, "heater.heaterPower": power, "patch.fraction": 0 },
        wavelength,
      );
      const t = s.data;
      const expected = (t[4] as number) ** 2 + (t[5] as number) ** 2;
      expect(close(reference.transmission(hot, wavelength, L.RING_PATH), expected, 1e-11)).toBe(true);
    }
  });

  it("moves the resonance red by Δλ ≈ λ²Δφ/A, A = 2π(n_g L_ring + (n_g + Re Δn) L_patch)", () => {
    const cold = chipState({});
    const dip = (s: Float64Array, guess: number) =>
      minimumOf(
        (wavelength) => reference.transmission(s, wavelength, L.RING_PATH),
        guess - 2e-9,
        guess + 2e-9,
      );
    // The dip nearest 1.554 µm (one per free spectral range, ~9 nm).
    const coldDip = dip(cold, 1.554e-6);
    const hotDip = dip(hot, coldDip + 0.1e-9);
    const dPhi = (Math.PI * power) / (p["heater.piPower"] as number);
    const patch = Object.fromEntries(patchParameters.map((s) => [s.name, p[`patch.${s.name}`] as number]));
    const dn = patchIndexChange(patch as never, 0).re;
    const A =
      2 *
      Math.PI *
      ((p["ring.groupIndex"] as number) * (p["ring.length"] as number) +
        ((p["patch.groupIndex"] as number) + dn) * (p["patch.length"] as number));
    const predicted = (coldDip * coldDip * dPhi) / A;
    expect(hotDip - coldDip).toBeGreaterThan(0);
    expect(Math.abs(hotDip - coldDip - predicted)).toBeLessThan(2e-3 * predicted);
  });
});

describe("ambient drift", () => {
  it.each([
    ["defaults (warming)", chipDefaults],
    ["truth (cooling)", demoChipTruth],
  ])("%s: ΔT_amb = r t, shifting the ring like a heater rise and the cell's ambient", (_name, p) => {
    const reference = new ChipReference(chipParameterVector(p));
    const rate = p["ambient.driftRate"] as number;
    const s = chipState({});
    reference.step(s, chipStimulus(), 2);
    // All open and the patch cold: one substep of the whole 2 s (dynamics.ts), adding r·2.
    expect(s[L.AMBIENT_RISE]).toBe(2 * rate);
    // The cell follows the drifting ambient, behind it by r·τ_c (τ_c = R_th,c C ~ 1 ns; portable/cold-cell.ts).
    const lag = rate * (p["cell.thermalResistance"] as number) * (p["cell.heatCapacity"] as number);
    const cellAmbient = (p["cell.ambientTemperature"] as number) + rate * 2 - lag;
    expect(close(s[L.CELL_TEMPERATURE] as number, cellAmbient, 1e-15)).toBe(true);
    // The ring sees ΔT_h + ΔT_amb: the same transmission whichever holds the rise, negative included.
    const asHeater = chipState({ rise: 2 * rate });
    for (const wavelength of [1.5498e-6, 1.5506e-6]) {
      const drifted = reference.transmission(s, wavelength, L.RING_PATH);
      expect(Number.isFinite(drifted) && drifted > 0).toBe(true);
      expect(close(drifted, reference.transmission(asHeater, wavelength, L.RING_PATH), 1e-13)).toBe(true);
    }
  });
});

describe("phase-change patch", () => {
  it.each([
    ["defaults", chipDefaults],
    ["truth", demoChipTruth],
  ])(
    "%s: a 2 V / 0.1 A source on the heater crystallises it as isothermal JMAK; 1 V does not",
    (_name, chip) => {
      // The ambient held (it drifts 0.1 mK/s by default, which over the seconds of annealing moves k by 1e-4).
      const p: ChipParams = { ...chip, "ambient.driftRate": 0 };
      const reference = new ChipReference(chipParameterVector(p));
      const rh = p["heater.heaterResistance"] as number;
      const steadyAt = (v: number) =>
        (p["cell.ambientTemperature"] as number) +
        (p["cell.heatingShare"] as number) * ((v * v) / rh) * (p["cell.thermalResistance"] as number);
      expect(steadyAt(2)).toBeGreaterThan(p["cell.crystallisationTemperature"] as number);
      // Held for 1/k at the steady temperature (reached within ns, τ_c = R_th,c C): X = 1 − exp(−1^n) = 1 − 1/e,
      // with k = ν exp(−E_a/(k_B T_ss)) — the slow annealing the demo chip's heater does (0.5 /s at 2 V on the defaults, 16 /s on the truth).
      const rate =
        (p["cell.prefactor"] as number) *
        Math.exp(-(p["cell.activationEnergy"] as number) / (BOLTZMANN * steadyAt(2)));
      expect(rate).toBeGreaterThan(0.05);
      expect(rate).toBeLessThan(50);
      const s = chipState({});
      reference.step(s, chipStimulus({ heater: voltage(2, 0.1) }), 1 / rate);
      expect(close(s[L.CELL_TEMPERATURE] as number, steadyAt(2), 1e-9)).toBe(true);
      // Within one substep's Θ: the first substep heats the cell through T_x in ns, and the log-mean rule
      // (portable/cell.ts) takes that substep's ∫k dt between k(T_x) and k(T_ss): dX = n e⁻¹ dΘ, dΘ ≤ k h.
      const n = p["cell.avramiExponent"] as number;
      expect(Math.abs((s[L.CELL_FRACTION] as number) - (1 - Math.exp(-1)))).toBeLessThan(
        n * Math.exp(-1) * rate * MAX_SUBSTEP,
      );
      const cool = chipState({});
      reference.step(cool, chipStimulus({ heater: voltage(1, 0.1) }), 10e-3);
      expect(cool[L.CELL_FRACTION]).toBe(0);
      // Crystallising moves the ring's resonance (the patch's index rises): somewhere across one FSR
      // (1550–1559 nm) the transmission changes by more than 0.01.
      const change = Array.from({ length: 91 }, (_, i) => {
        const λ = 1550e-9 + i * 0.1e-9;
        return Math.abs(
          reference.transmission(s, λ, L.RING_PATH) - reference.transmission(cool, λ, L.RING_PATH),
        );
      });
      expect(Math.max(...change)).toBeGreaterThan(0.01);
    },
  );
});

describe("memristors", () => {
  it("the line memristor moves exactly as holdVoltage does under the divider's voltage (one substep)", () => {
    const p = demoChipTruth;
    const reference = new ChipReference(chipParameterVector(p));
    const params = Object.fromEntries(
      linearIonDriftIdeal.parameters.map((s) => [s.name, p[`memristor.${s.name}`] as number]),
    ) as typeof linearIonDriftIdeal.defaults;
    for (const [x, level, dt] of [
      [0.3, 1.5, MAX_SUBSTEP],
      [0.9, -2, 37e-6],
    ] as const) {
      const s = chipState({ x });
      const rm = linearIonDriftIdeal.resistance(x, params);
      const rh = p["heater.heaterResistance"] as number;
      const v = level - (rh * level) / (rm + rh);
      reference.step(s, chipStimulus({ heaterLine: voltage(level) }), dt);
      expect(s[L.LINE_STATE]).toBe(holdVoltage(linearIonDriftIdeal, params, x, v, dt, 0, 1));
    }
  });

  it("operator splitting: a current-driven line (voltage feeding back through R_m) is first-order in the substep", () => {
    // Current drive: the memristor's voltage J·R_m(x) falls as it switches on. Hold 20 ms, compare the
    // chip's 100 µs substeps with 10 µs and 1 µs ones (steps that short make substeps that short).
    const reference = new ChipReference(chipParameterVector(demoChipTruth));
    const stimulus = chipStimulus({ heaterLine: current(2e-3) });
    const run = (dt: number) => {
      const s = chipState({ x: 0.2 });
      for (let t = 0; t < 20e-3 - 1e-12; t += dt) reference.step(s, stimulus, dt);
      return s[L.LINE_STATE] as number;
    };
    const [coarse, medium, fine] = [run(100e-6), run(10e-6), run(1e-6)];
    expect(fine - 0.2).toBeGreaterThan(0.05);
    const coarseError = Math.abs(coarse - fine);
    const mediumError = Math.abs(medium - fine);
    // Per substep the held voltage is off by h·|d ln R_m/dt|/2 on average: here the state moves 0.6 in 20 ms
    // (dx/dt = μ_v R_on J/D² ≈ 31 /s) and R_m falls ~7-fold, so 100 µs substeps miss ~0.4 % of the move.
    expect(coarseError).toBeLessThan(5e-3 * (fine - 0.2));
    // First order: ten times shorter substeps, about ten times less error.
    expect(coarseError / mediumError).toBeGreaterThan(8);
    expect(coarseError / mediumError).toBeLessThan(13);
  });
});

describe("one substep of the whole step where that is exact", () => {
  const p = demoChipTruth;
  const reference = new ChipReference(chipParameterVector(p));
  /** The state after `dt` in steps of dt/n, n = ⌈dt/MAX_SUBSTEP⌉, each one substep: the splitting by hand. */
  const split = (state: Float64Array, stimulus: Float64Array, dt: number) => {
    const n = Math.ceil(dt / MAX_SUBSTEP);
    const h = dt / n;
    expect(Math.ceil(h / MAX_SUBSTEP)).toBe(1);
    const s = Float64Array.from(state);
    for (let k = 0; k < n; k++) reference.step(s, stimulus, h);
    return s;
  };
  const stepped = (state: Float64Array, stimulus: Float64Array, dt: number) => {
    const s = Float64Array.from(state);
    reference.step(s, stimulus, dt);
    return s;
  };

  it("standalone memristor at −0.8 V for 1 s: one hold, advance's bits (10⁴ substeps round differently)", () => {
    const state = chipInitialState(p);
    const stimulus = chipStimulus({ memristor: voltage(-0.8, 0.1) });
    const w = advance(vteam, standaloneTruth, state[L.STANDALONE_STATE] as number, -0.8, 1);
    expect(stepped(state, stimulus, 1)[L.STANDALONE_STATE]).toBe(w);
    const bySubsteps = split(state, stimulus, 1)[L.STANDALONE_STATE] as number;
    expect(bySubsteps).not.toBe(w);
    expect(close(bySubsteps, w, 1e-11)).toBe(true);
  });

  it("standalone memristor at −1.2 V into its 100 µA limit part-way through 0.5 s: split, as by hand", () => {
    const state = chipInitialState(p);
    const stimulus = chipStimulus({ memristor: voltage(-1.2, 100e-6) });
    const out = new Float64Array(L.ELECTRICAL_OUTPUT_SIZE);
    reference.electrical(state, stimulus, out);
    expect(out[L.MEMRISTOR_LIMITED]).toBe(0);
    const after = stepped(state, stimulus, 0.5);
    expect(after[L.STANDALONE_STATE]).toBe(split(state, stimulus, 0.5)[L.STANDALONE_STATE]);
    reference.electrical(after, stimulus, out);
    expect(out[L.MEMRISTOR_LIMITED]).toBe(1);
    // One hold at −1.2 V would have gone further than the limited current lets it.
    const held = advance(vteam, standaloneTruth, state[L.STANDALONE_STATE] as number, -1.2, 0.5);
    expect(held).toBeLessThan((after[L.STANDALONE_STATE] as number) - 1e-10);
  });

  it("heater alone, patch cold: one 1 s step = 1000 of 1 ms = the exact heat balance with the ambient drifting", () => {
    const state = chipState({ x: 0.4, w: 2e-9, rise: 3, cellTemperature: 310, fraction: 0.2, ambient: 0.01 });
    const stimulus = chipStimulus({ heater: voltage(1.2, 0.1) });
    const once = stepped(state, stimulus, 1);
    const many = Float64Array.from(state);
    for (let k = 0; k < 1000; k++) reference.step(many, stimulus, 1e-3);
    for (let i = 0; i < L.STATE_SIZE; i++) {
      expect(close(once[i] as number, many[i] as number, 1e-12, STATE_FLOORS[i]), `state[${i}]`).toBe(true);
    }
    expect([once[L.LINE_STATE], once[L.STANDALONE_STATE], once[L.CELL_FRACTION]]).toEqual([0.4, 2e-9, 0.2]);
    const power = (1.2 * 1.2) / (p["heater.heaterResistance"] as number);
    const rate = p["ambient.driftRate"] as number;
    const tau = (p["cell.thermalResistance"] as number) * (p["cell.heatCapacity"] as number);
    const steady =
      (p["cell.ambientTemperature"] as number) +
      0.01 +
      (p["cell.heatingShare"] as number) * power * (p["cell.thermalResistance"] as number);
    expect(steady).toBeLessThan(p["cell.crystallisationTemperature"] as number);
    expect(close(once[L.CELL_TEMPERATURE] as number, steady + rate * (1 - tau), 1e-14)).toBe(true);
    expect(close(once[L.HEATER_RISE] as number, (p["thermal.resistance"] as number) * power, 1e-14)).toBe(
      true,
    );
    expect(close(once[L.AMBIENT_RISE] as number, 0.01 + rate, 1e-15)).toBe(true);
  });

  it.each([
    ["heater line driven", { heater: voltage(1.2), heaterLine: current(1e-3, 4) }, 300, "rest"],
    ["patch heated past T_x", { heater: voltage(2, 0.1) }, 300, "rest"],
    ["patch held above T_x", { heater: voltage(1.8) }, 430, "rest"],
    ["standalone memristor current-driven", { memristor: current(-60e-6, 5) }, 300, "memristor"],
  ] as const)("%s: still split, bit for bit as by hand", (_name, drives, cellTemperature, part) => {
    const state = chipState({ x: 0.3, w: 2.5e-9, cellTemperature, fraction: 0.1 });
    const stimulus = chipStimulus(drives);
    const dt = 8 * MAX_SUBSTEP;
    const entries = part === "memristor" ? [L.STANDALONE_STATE] : [0, 2, 3, 4, 5];
    const pick = (s: Float64Array) => entries.map((i) => s[i]);
    const after = stepped(state, stimulus, dt);
    expect(pick(after)).toEqual(pick(split(state, stimulus, dt)));
    expect(pick(after)).not.toEqual(pick(state));
  });
});

describe("portable/cold-cell.ts", () => {
  it.each([
    // T0, T_ss, r (K/s), τ (s), dt (s): heating, cooling, either drift, a transient against the drift.
    [300, 350, 1e-4, 1e-3, 1],
    [420, 320, -0.5, 2e-3, 5e-3],
    [330, 330.001, -1, 1e-3, 4e-3],
    [350, 340, 0.8, 5e-4, 2e-3],
  ])(
    "T0 %d K, T_ss %d K, r %d K/s, τ %d s over %d s: solves the ODE; the peak bounds it",
    (t0, steady, rate, tau, dt) => {
      const at = (t: number) => driftingTemperature(t0, steady, rate, tau, t, Math.exp(-t / tau));
      expect(at(0)).toBeCloseTo(t0, 10);
      const scale = (Math.abs(steady - t0) + Math.abs(rate) * tau) / tau;
      const e = 1e-4 * tau;
      let max = t0;
      for (let k = 1; k <= 1000; k++) {
        const t = (k / 1000) * dt;
        const slope = (at(t + e) - at(t - e)) / (2 * e);
        expect(Math.abs(slope - (steady + rate * t - at(t)) / tau)).toBeLessThan(1e-6 * scale);
        max = Math.max(max, at(t));
      }
      expect(max).toBeLessThanOrEqual(peakTemperature(t0, steady, rate, tau, dt));
    },
  );
});
