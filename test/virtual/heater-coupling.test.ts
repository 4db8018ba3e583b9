/**
 * Current into the heater through the 2450 moves the chip's ring resonance
 * by the model's thermo-optic amount for the heater's own power, seen
 * through the chip's optical port (`VirtualDemoChip.transmission`) until
 * the optical instruments arrive.
 *
 * The closed form the model implements (src/models/chip/dynamics.ts,
 * `ChipReference.optics`; the netlist of src/models/circuit/demo-chip.ts in
 * closed form). The ring is all-pass (src/models/chip/portable/optics.ts,
 * Bogaerts et al., Laser Photonics Rev. 6, 47 (2012)):
 *
 *   |H|² = g² N/D,  N = (t − u)² + 2tu(1 − cos φ),  D = (1 − tu)² + 2tu(1 − cos φ),
 *
 * and since D − N = (1 − t²)(1 − u²) > 0, |H|² is smallest exactly where
 * cos φ = 1: a resonance is φ(λ) = 2πm. The round-trip phase is the ring
 * waveguide's, the patch's and the heater's. Each waveguide has the
 * first-order dispersion n_eff(λ) = n_g − (n_g − n_eff0) λ/λ_ref
 * (src/models/photonic/waveguide.ts), so 2π n_eff(λ) L/λ = 2π n_g L/λ − const:
 *
 *   φ(λ) = A/λ − B + φ_h,
 *   A = 2π [n_g,ring L_ring + (n_g,patch + Re Δn_patch) L_patch],
 *   B = 2π [(n_g,ring − n_eff,ring) L_ring + (n_g,patch − n_eff,patch) L_patch]/λ_ref,
 *   Re Δn_patch = Γ (n_GST(X) − n_clad), n_GST(0) = n_a (amorphous patch),
 *   φ_h = π P_eq/P_π,  P_eq = (ΔT_h + ΔT_amb)/R_th,
 *
 * the heater's phase being that of a thermal phase shifter at the power
 * that would hold the rise ΔT_h + ΔT_amb in steady state. The heater's rise
 * is an RC (Newton's law of cooling, dynamics.ts `restSubstep`):
 * τ dΔT_h/dt = R_th P − ΔT_h, so ΔT_h = R_th P after several τ, and then
 * φ_h = π P/P_π + π ΔT_amb/(R_th P_π): R_th drops out of the heater's own
 * share. Resonance m sits at λ_m = A/(2πm + B − φ_h), so a change Δφ_h moves it to
 *
 *   1/λ_hot = 1/λ_cold − Δφ_h/A,   Δλ ≈ λ² Δφ_h/A = λ² P/(2 P_π n_g,eff L)
 *
 * with n_g,eff L = A/2π: the textbook Δλ = λ Δn_eff L_h/(n_g L) (Bogaerts
 * 2012) with the model's Δn_eff L_h = (λ/2) P/P_π, i.e. the thermo-optic
 * phase Δφ = 2π L (dn/dT) ΔT/λ with ΔT = R_th P and dn/dT = λ/(2 L R_th P_π)
 * (src/models/chip/parameters.ts: R_th's default is ΔT_π/P_π for silicon's
 * dn/dT = 1.8e-4 /K; the hidden truth moves R_th and P_π apart, so the
 * truth's effective dn/dT is 1.30e-4 /K). Red shift (Δλ > 0) for P > 0.
 *
 * The hidden truth (src/models/chip/truth.ts, `demoChipTruth`) the test reads
 * through `bench.chip.params`: P_π = 28.49 mW (24.77 mW × 1.15), R_th =
 * 3432 K/W (2860 × 1.2), τ = 7.5 µs (10 µs × 0.75), R_h = 1100 Ω,
 * n_eff = 2.4 and n_g = 4.2 at λ_ref = 1550 nm for the ring and the patch,
 * L_ring = 2π·10 µm − 2 µm = 60.83 µm, L_patch = 2 µm, Γ = 0.0425,
 * n_a = 4.073, n_clad = 1.444, ambient drift −2e-4 K/s. So A = 1.6595e-3 m
 * (FSR ≈ 9.1 nm) and 1 mA into the heater (P = 1.1 mW) gives Δλ ≈ 176 pm.
 *
 * Held fixed: the heater line and the standalone memristor's ports stay
 * undriven (no current through the line's memristor, so the heater port
 * sees R_h alone and the 2450's V·I is the heater's own power); the patch
 * stays amorphous (X = 0) and below T_x — its rise s·P·R_th,c = 0.72 ×
 * 1.1 mW × 66 kK/W ≈ 52 K keeps it near 352 K < 423 K, checked on the
 * state. The ambient drift is in the expected shift (under 1e-5 of it).
 *
 * Where each transmission is read: normalised by the reference path
 * (identical grating couplers and buses, no ring: exactly the ring path's
 * envelope), so the minimum found is |H|²'s, not one tilted by the grating
 * couplers' passband — what one does with the chip's reference waveguide.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectKeithley2450 } from "../../src/drivers/instruments/connect-keithley2450.js";
import type { Keithley2450 } from "../../src/drivers/instruments/keithley2450.js";
import { chipLayout } from "../../src/models/chip/index.js";
import { serveVirtualBench, type VirtualBench } from "../../src/virtual/index.js";

/** Current sourced into the heater, A: 1.1 mW on 1.1 kΩ, the patch well below T_x. */
const HEATER_CURRENT = 1e-3;

let bench: VirtualBench;
let k: Keithley2450;

/** A parameter of the chip's hidden truth. */
const param = (name: string): number => {
  const value = bench.chip.params[name];
  if (value === undefined) throw new Error(`the chip has no parameter ${name}`);
  return value;
};

/** Ring over reference transmission at λ (m): |H|² of the ring alone. */
const ringResponse = (wavelength: number): number =>
  bench.chip.transmission("ring", wavelength) / bench.chip.transmission("reference", wavelength);

/** Index of the smallest of `values`. */
const argMin = (values: readonly number[]): number =>
  values.reduce((best, v, i) => (v < (values[best] as number) ? i : best), 0);

/** Samples `ringResponse` on `points` wavelengths from `from` in steps of `step` (m). */
const scan = (from: number, step: number, points: number): number[] =>
  Array.from({ length: points }, (_, i) => ringResponse(from + i * step));

const COARSE_STEP = 5e-12;
const FINE_STEP = 0.05e-12;

/**
 * The resonance in [centre − halfWidth, centre + halfWidth] (m): a coarse
 * scan (5 pm, the dip is ≈ 90 pm wide), a fine one (0.05 pm) around its
 * minimum, then the vertex of the parabola through the fine minimum and
 * its neighbours. The dip is symmetric in φ to within the 1/λ curvature of
 * φ(λ), so the vertex is within ~1e-20 m of the minimum: the resolution is
 * set by the doubles (≈ 1e-16 relative in |H|², ~1 fm in λ), not the grid.
 */
function resonance(centre: number, halfWidth: number): number {
  const coarsePoints = Math.round((2 * halfWidth) / COARSE_STEP) + 1;
  const coarseFrom = centre - halfWidth;
  const coarse = coarseFrom + argMin(scan(coarseFrom, COARSE_STEP, coarsePoints)) * COARSE_STEP;
  const finePoints = Math.round((4 * COARSE_STEP) / FINE_STEP) + 1;
  const fineFrom = coarse - 2 * COARSE_STEP;
  const fine = scan(fineFrom, FINE_STEP, finePoints);
  const i = argMin(fine);
  if (i === 0 || i === finePoints - 1) throw new Error("the fine scan's minimum is at its edge");
  const [left, middle, right] = [fine[i - 1], fine[i], fine[i + 1]] as [number, number, number];
  const vertex = (0.5 * (left - right)) / (left - 2 * middle + right);
  return fineFrom + (i + vertex) * FINE_STEP;
}

/** A of the closed form, m (rad·m): the phase's 1/λ coefficient, amorphous patch. */
function phaseNumerator(): number {
  const patchIndexShift =
    param("patch.confinementFactor") * (param("patch.amorphousIndex") - param("patch.claddingIndex"));
  return (
    2 *
    Math.PI *
    (param("ring.groupIndex") * param("ring.length") +
      (param("patch.groupIndex") + patchIndexShift) * param("patch.length"))
  );
}

/** B of the closed form, rad. */
function phaseOffset(): number {
  const ring = (param("ring.groupIndex") - param("ring.effectiveIndex")) * param("ring.length");
  const patch = (param("patch.groupIndex") - param("patch.effectiveIndex")) * param("patch.length");
  return (
    2 * Math.PI * (ring / param("ring.referenceWavelength") + patch / param("patch.referenceWavelength"))
  );
}

/** φ_h for a rise (ΔT_h + ΔT_amb) of `rise` K: π rise/(R_th P_π). */
const heaterPhaseOfRise = (rise: number): number =>
  (Math.PI * rise) / (param("thermal.resistance") * param("heater.piPower"));

/** ΔT_amb at bench time `t` (s): the drift from power-on, linear. */
const ambientRise = (t: number): number => param("ambient.driftRate") * t;

/** The resonance after a change Δφ of the heater's phase from one at `cold` (m): 1/λ = 1/λ_cold − Δφ/A. */
const shifted = (cold: number, phaseChange: number): number =>
  1 / (1 / cold - phaseChange / phaseNumerator());

/**
 * Tolerance on a resonance, m. The grid's vertex is exact to ~1e-20 m and
 * the doubles to ~1 fm (above); the 2450's readings carry seven significant
 * digits (1e-6 of P, 2e-16 m of a 176 pm shift); the patch's absorption,
 * whose 1/λ dependence moves u along the scan, shifts the minimum by
 * < 1e-17 m. 5 fm is all of that with room, and 3e-5 of the shift.
 */
const TOLERANCE = 5e-15;

describe("current into the heater through the 2450 moves the ring's resonance", () => {
  let coldResonance: number;
  let coldTime: number;
  let initialState: Float64Array;

  beforeAll(async () => {
    bench = await serveVirtualBench({
      clock: "event",
      clockControl: false,
      instruments: { smu: { model: "keithley2450", port: "heater", noise: false } },
    });
    const resource = bench.resources.instruments.smu?.tcp;
    if (!resource) throw new Error("the virtual bench did not serve the 2450 on TCP");
    k = await connectKeithley2450(resource, {
      limits: {
        maxAbsVoltage: 5,
        maxAbsCurrent: 5e-3,
        maxCurrentStep: 0.5e-3,
        maxCurrentRate: 0.1,
        maxVoltageStep: 1,
      },
      timeoutMs: 5000,
      timebase: bench.clock,
    });
    await k.outputEnabled.set(false);
    // The compliance first: switching to the current source checks the one it would apply (21 V after *RST).
    await k.complianceVoltage.set(3);
    await k.sourceCurrent.set(0);
    await k.sourceMode.set("current");
    await k.measureFunction.set("voltage");
  });

  afterAll(async () => {
    try {
      await k?.shutdown();
      await k?.close();
    } finally {
      await bench?.close();
    }
  });

  /** Several heater time constants on the bench clock: e^{−20} of a step is left. */
  const settle = () => bench.clock.sleep(20 * param("thermal.timeConstant"));

  it("finds the cold resonance where the closed form puts it, the output off", async () => {
    expect(await k.outputEnabled.get()).toBe(false);
    await settle();
    initialState = bench.chip.state();
    expect(initialState[chipLayout.HEATER_RISE]).toBeCloseTo(0, 12);
    expect(initialState[chipLayout.CELL_FRACTION]).toBe(0);
    coldTime = bench.clock.now();
    // A 9 nm window, under one free spectral range (≈ 9.1 nm): one resonance in it.
    coldResonance = resonance(1550e-9, 4.5e-9);
    // The order m nearest to it, and where the closed form puts that order with the ambient's phase.
    const a = phaseNumerator();
    const b = phaseOffset();
    const m = Math.round((a / coldResonance - b) / (2 * Math.PI));
    const predicted = a / (2 * Math.PI * m + b - heaterPhaseOfRise(ambientRise(coldTime)));
    expect(Math.abs(coldResonance - predicted)).toBeLessThan(TOLERANCE);
  });

  it("moves it red by the closed form's Δλ for P = V·I read by the 2450", async () => {
    await k.outputEnabled.set(true);
    await k.rampTo(HEATER_CURRENT);
    await settle();
    const reading = await k.read();
    const power = reading.voltage * reading.current;
    // The heater's own resistance (the heater line undriven): V/I = R_h.
    expect(reading.current).toBeCloseTo(HEATER_CURRENT, 12);
    expect(reading.voltage / reading.current).toBeCloseTo(param("heater.heaterResistance"), 3);
    const hotTime = bench.clock.now();
    const state = bench.chip.state();
    // Only the heater's phase moved: the patch amorphous and below T_x, the line's memristor untouched.
    expect(state[chipLayout.CELL_FRACTION]).toBe(0);
    expect(state[chipLayout.CELL_TEMPERATURE]).toBeLessThan(param("cell.crystallisationTemperature"));
    expect(state[chipLayout.LINE_STATE]).toBe(initialState[chipLayout.LINE_STATE]);
    // Steady: the rise is R_th·P.
    expect(state[chipLayout.HEATER_RISE]).toBeCloseTo(param("thermal.resistance") * power, 6);

    const hot = resonance(coldResonance, 1e-9);
    const phaseChange =
      (Math.PI * power) / param("heater.piPower") +
      heaterPhaseOfRise(ambientRise(hotTime) - ambientRise(coldTime));
    const expected = shifted(coldResonance, phaseChange);
    const shift = hot - coldResonance;
    expect(shift).toBeGreaterThan(0);
    expect(Math.abs(hot - expected)).toBeLessThan(TOLERANCE);
    // First order, for the reader: λ² P/(2 P_π n_g,eff L) ≈ 176 pm, off by Δλ/λ ≈ 1e-4.
    expect(shift / ((coldResonance ** 2 * phaseChange) / phaseNumerator())).toBeCloseTo(1, 3);
    expect(shift).toBeGreaterThan(170e-12);
    expect(shift).toBeLessThan(180e-12);
  });

  it("comes back to the cold resonance once the output is off and the heater has cooled", async () => {
    await k.rampTo(0);
    await k.outputEnabled.set(false);
    await settle();
    const backTime = bench.clock.now();
    const state = bench.chip.state();
    expect(state[chipLayout.HEATER_RISE]).toBeCloseTo(0, 9);
    expect(state[chipLayout.CELL_FRACTION]).toBe(0);
    const back = resonance(coldResonance, 1e-9);
    const expected = shifted(coldResonance, heaterPhaseOfRise(ambientRise(backTime) - ambientRise(coldTime)));
    expect(Math.abs(back - expected)).toBeLessThan(TOLERANCE);
    expect(Math.abs(back - coldResonance)).toBeLessThan(TOLERANCE);
  });
});
