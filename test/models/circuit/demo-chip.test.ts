/**
 * The demo chip (src/models/circuit/demo-chip.ts): its S-matrix against
 * the closed-form composition of its parts, its resonance moving red by
 * exactly what the heater's and the patch's phases predict (measured on
 * the computed spectrum), the series memristor gating the heater, and the
 * gradient with respect to every parameter and input.
 *
 * With n_eff linear in λ the ring's round-trip phase is exactly
 * φ(λ) = A/λ − B + Δφ_heater, A = 2π(n_g L_ring + (n_g + Re Δn) L_patch),
 * B = 2π(L_ring (n_g − n_eff0)/λ0 + L_patch (n_g − n_eff0)/λ0) (each
 * section with its own indices), so resonance m is at
 * λ_m = A/(2πm + B − Δφ) — the prediction the measured dips are held to.
 * The grating couplers' passband tilts the chip's dip by a slope the ring's
 * dip does not have, and the patch's absorption k0 Im(Δn) L (k0 = 2π/λ)
 * makes the round-trip loss itself wavelength-dependent: both tilt the
 * transmission minimum off φ = 2πm. The resonance tests flatten the
 * gratings (1 dB bandwidth 1 µm); the remaining offset is that of the
 * patch's loss dispersion, ~1e-5 of the shift once the patch absorbs
 * (crystalline fraction > 0), ~1e-7 while it is amorphous.
 */
import { describe, expect, it } from "vitest";
import {
  type DemoChipPartial,
  demoChip,
  demoChipHeaterPower,
  evaluateDemoChip,
  evaluateDemoChipWithGradient,
  phaseChangePatch,
} from "../../../src/models/circuit/index.js";
import { type Complex, div, mul, scale, sub } from "../../../src/models/complex.js";
import { ParameterRangeError } from "../../../src/models/parameters.js";
import {
  type PatchParams,
  patchIndexChange,
  patchParameters,
  patchTransmission,
} from "../../../src/models/phase-change/index.js";
import {
  entry,
  entryAt,
  gratingCoupler,
  type PhotonicModel,
  thermalPhaseShifter,
  waveguide,
} from "../../../src/models/photonic/index.js";
import {
  centralDifferenceVector,
  entrywiseRelativeError,
  roundingFloor,
} from "../../support/finite-difference.js";
import { expectGradientMatches, parameterRows } from "../photonic/support/gradient.js";
import { minimumOf } from "../photonic/support/spectrum.js";

type Params = Record<string, number>;
const defaults: Params = demoChip.defaults;
const flat: Params = { ...defaults, "gcIn.bandwidth1dB": 1e-6, "gcOut.bandwidth1dB": 1e-6 };

/** p[name], which the chip's tables guarantee is there. */
function get(p: Params, name: string): number {
  const value = p[name];
  if (value === undefined) throw new Error(`no parameter ${name}`);
  return value;
}

/** The instance `name`'s own parameter object, read from the chip's. */
function instance(p: Params, name: string, table: readonly { name: string }[]): Params {
  return Object.fromEntries(table.map((s) => [s.name, get(p, `${name}.${s.name}`)]));
}

/** A and B of φ(λ) = A/λ − B + Δφ at crystalline fraction X. */
function roundTrip(p: Params, fraction: number) {
  const [ring, patch] = [instance(p, "ring", waveguide.parameters), instance(p, "patch", patchParameters)];
  const dn = patchIndexChange(patch as PatchParams, fraction).re;
  const [Lr, Lp] = [get(ring, "length"), get(patch, "length")];
  const slope = (q: Params) =>
    (get(q, "groupIndex") - get(q, "effectiveIndex")) / get(q, "referenceWavelength");
  return {
    A: 2 * Math.PI * (Lr * get(ring, "groupIndex") + Lp * (get(patch, "groupIndex") + dn)),
    B: 2 * Math.PI * (Lr * slope(ring) + Lp * slope(patch)),
  };
}

const inputs = { wavelength: 1.55e-6, heaterVoltage: 0, memristorState: 1, crystallineFraction: 0 };

/** Resonance order nearest 1.55 µm, and the measured dip nearest its predicted wavelength. */
function measuredDip(p: Params, at: typeof inputs, predicted: number): number {
  const fsr = 5e-9;
  return minimumOf(
    (wavelength) => evaluateDemoChip(p, { ...at, wavelength }).transmission,
    predicted - fsr / 2,
    predicted + fsr / 2,
  );
}

describe("demo chip", () => {
  it("is the closed-form composition: gratings × buses × g(r − gρ)/(1 − grρ), ρ the loop's round trip", () => {
    const p = { ...defaults, "coupler.excessLossDb": 0.1 };
    const at = { wavelength: 1.5512e-6, heaterVoltage: 3, memristorState: 0.8, crystallineFraction: 0.4 };
    /** S[second port][first port] of two-port instance `name`, with `settings` added. */
    const part = (model: PhotonicModel, name: string, settings: Params = {}): Complex => {
      const own = instance(
        p,
        name,
        model.parameters.filter((spec) => !(spec.name in settings)),
      );
      return entryAt(model.sMatrix({ ...own, ...settings }, at.wavelength), 1, 0);
    };
    const heaterPower = demoChipHeaterPower(p, at.heaterVoltage, at.memristorState);
    const ρ = [
      part(waveguide, "ring"),
      part(thermalPhaseShifter, "heater", { heaterPower }),
      part(phaseChangePatch, "patch", { fraction: at.crystallineFraction }),
    ].reduce(mul);
    // Coupler with excess loss g: through g·r, cross i·g·κ; closing out1 → loop → in1 gives g(r − gρ)/(1 − grρ).
    const g = 10 ** (-0.1 / 20);
    const r = Math.sqrt(1 - get(p, "coupler.coupling"));
    const ring = div(scale(sub({ re: r, im: 0 }, scale(ρ, g)), g), sub({ re: 1, im: 0 }, scale(ρ, g * r)));
    const expected = [
      part(gratingCoupler, "gcIn"),
      part(waveguide, "busIn"),
      ring,
      part(waveguide, "busOut"),
      part(gratingCoupler, "gcOut"),
    ].reduce(mul);
    const got = entry(evaluateDemoChip(p, at).s, "out", "in");
    expect(Math.hypot(got.re - expected.re, got.im - expected.im)).toBeLessThan(1e-12);
  });

  it("heats its heater with P = V² R_h/(R_h + R_m)², R_m = R_on x + R_off (1 − x)", () => {
    for (const [v, x] of [
      [5, 1],
      [5, 0],
      [-2, 0.3],
    ] as const) {
      const rm = get(defaults, "memristor.rOn") * x + get(defaults, "memristor.rOff") * (1 - x);
      const rh = get(defaults, "heater.heaterResistance");
      const output = evaluateDemoChip(defaults, { ...inputs, heaterVoltage: v, memristorState: x });
      expect(output.memristorResistance).toBeCloseTo(rm, 9);
      expect(output.heaterPower).toBeCloseTo((v * v * rh) / (rh + rm) ** 2, 15);
    }
  });

  it("shifts its resonance red with heater power by λ_m = A/(2πm + B − Δφ), ≈ λ² Δφ/A", () => {
    const { A, B } = roundTrip(flat, 0);
    const m = Math.round((A / 1.55e-6 - B) / (2 * Math.PI));
    const cold = measuredDip(flat, inputs, A / (2 * Math.PI * m + B));
    // Δφ = π/2 through a low-resistance memristor: V from P = P_π/2.
    const [rh, rm, pPi] = [
      get(flat, "heater.heaterResistance"),
      get(flat, "memristor.rOn"),
      get(flat, "heater.piPower"),
    ];
    const v = (rh + rm) * Math.sqrt(pPi / (2 * rh));
    const hot = { ...inputs, heaterVoltage: v };
    expect(evaluateDemoChip(flat, hot).heaterPower).toBeCloseTo(pPi / 2, 15);
    const Δφ = Math.PI / 2;
    const warm = measuredDip(flat, hot, A / (2 * Math.PI * m + B - Δφ));
    const shift = warm - cold;
    expect(shift).toBeGreaterThan(0);
    const exact = A / (2 * Math.PI * m + B - Δφ) - A / (2 * Math.PI * m + B);
    expect(Math.abs(shift / exact - 1)).toBeLessThan(1e-6);
    // First order: Δλ = λ Δφ/(2π) · λ/(n_g L)_eff = λ² Δφ/A, good to Δφ/(2πm).
    expect(Math.abs(shift / ((cold * cold * Δφ) / A) - 1)).toBeLessThan((2 * Δφ) / (2 * Math.PI * m));
    // The same voltage through the high-resistance memristor barely heats: the shift scales with P.
    const gated = { ...hot, memristorState: 0 };
    const power = evaluateDemoChip(flat, gated).heaterPower;
    const Δφgated = (Math.PI * power) / pPi;
    expect(power).toBeLessThan(pPi / 100);
    const gatedShift = measuredDip(flat, gated, A / (2 * Math.PI * m + B - Δφgated)) - cold;
    expect(
      Math.abs(gatedShift / (A / (2 * Math.PI * m + B - Δφgated) - A / (2 * Math.PI * m + B)) - 1),
    ).toBeLessThan(1e-5);
  });

  it.each([0.25, 0.5])("shifts its resonance red as the patch crystallises to X = %d", (fraction) => {
    const amorphous = roundTrip(flat, 0);
    const m = Math.round((amorphous.A / 1.55e-6 - amorphous.B) / (2 * Math.PI));
    const cold = measuredDip(flat, inputs, amorphous.A / (2 * Math.PI * m + amorphous.B));
    const crystalline = roundTrip(flat, fraction);
    const predicted = crystalline.A / (2 * Math.PI * m + crystalline.B);
    const shifted = measuredDip(flat, { ...inputs, crystallineFraction: fraction }, predicted);
    expect(shifted - cold).toBeGreaterThan(0);
    expect(Math.abs((shifted - cold) / (predicted - cold) - 1)).toBeLessThan(1e-4);
  });

  describe("gradient", () => {
    // Every parameter off zero (relative steps), the heater on, on a resonance flank.
    const point: Params = { ...defaults, "coupler.excessLossDb": 0.05 };
    const at = { wavelength: 0, heaterVoltage: 2.5, memristorState: 0.9, crystallineFraction: 0.3 };
    {
      const { A, B } = roundTrip(point, 0.3);
      const m = Math.round((A / 1.55e-6 - B) / (2 * Math.PI));
      const power = demoChipHeaterPower(point, at.heaterVoltage, at.memristorState);
      at.wavelength = A / (2 * Math.PI * m + B - (Math.PI * power) / get(point, "heater.piPower")) + 15e-12;
    }
    const result = evaluateDemoChipWithGradient(point, at);
    // Step: 1e-4 of the value, or less where S is steep in it (on a resonance flank a phase
    // parameter moves S by its whole swing within a linewidth): S moves by ≤ 1e-4 per step.
    const step = (value: number, slope: Float64Array) =>
      Math.min(1e-4 * Math.abs(value), 1e-4 / Math.max(...slope.map(Math.abs)));
    const numeric = (f: (x: number) => Params | typeof at, value: number, h: number) =>
      centralDifferenceVector(
        (x) => {
          const q = f(x);
          const out =
            "wavelength" in q ? evaluateDemoChip(point, q as typeof at) : evaluateDemoChip(q as Params, at);
          return Float64Array.of(...out.s.data, out.transmission);
        },
        value,
        h,
      );
    const analytic = (d: { s: { data: Float64Array }; transmission: number }) =>
      Float64Array.of(...d.s.data, d.transmission);
    const outputs = analytic(evaluateDemoChip(point, at));

    it.each(demoChip.parameters.map((s, j) => [s.name, j] as const))(
      "∂/∂%s matches finite differences",
      (name, j) => {
        const value = get(point, name);
        expect(value).not.toBe(0);
        const slope = analytic(result.gradient[j] as DemoChipPartial);
        const h = step(value, slope);
        const fd = numeric((x) => ({ ...point, [name]: x }), value, h);
        expect(entrywiseRelativeError(slope, fd, roundingFloor(outputs, h, 1e-6))).toBeLessThan(1e-6);
      },
    );

    it.each(["heaterVoltage", "memristorState", "crystallineFraction"] as const)(
      "∂/∂%s matches finite differences",
      (name) => {
        const slope = analytic(result.inputGradient[name]);
        const h = step(at[name], slope);
        const fd = numeric((x) => ({ ...at, [name]: x }), at[name], h);
        expect(entrywiseRelativeError(slope, fd, roundingFloor(outputs, h, 1e-6))).toBeLessThan(1e-6);
      },
    );
  });

  it.each([
    ["a memristor state outside [0, 1]", { ...inputs, memristorState: 1.2 }, RangeError],
    ["a crystalline fraction outside [0, 1]", { ...inputs, crystallineFraction: -0.1 }, RangeError],
    ["a non-finite voltage", { ...inputs, heaterVoltage: Number.NaN }, RangeError],
  ] as const)("refuses %s", (_what, bad, error) => {
    expect(() => evaluateDemoChip(defaults, bad)).toThrow(error);
  });

  it("refuses a parameter out of bounds", () => {
    expect(() => evaluateDemoChip({ ...defaults, "coupler.coupling": 2 }, inputs)).toThrow(
      ParameterRangeError,
    );
  });
});

describe("phase-change patch component", () => {
  const p = { ...phaseChangePatch.defaults, fraction: 0.35 };
  it.each(parameterRows(phaseChangePatch))("∂S/∂%s matches finite differences", (_name, j) => {
    expectGradientMatches(phaseChangePatch, p, 1.553e-6, j);
  });

  it("is the phase-change model's patchTransmission, both ways", () => {
    const s = phaseChangePatch.sMatrix(p, 1.553e-6);
    const { fraction, ...patch } = p;
    expect(entry(s, "out", "in")).toEqual(patchTransmission(patch, fraction, 1.553e-6));
    expect(entry(s, "in", "out")).toEqual(entry(s, "out", "in"));
  });
});
