/**
 * ∂S/∂p for every parameter of every S-matrix component, against central
 * finite differences (test/support/finite-difference.ts) to 1e-6
 * entrywise-relative — it.each over each parameter table, so a parameter
 * added later cannot escape. Test points move every parameter off zero
 * (a relative step needs a scale) and off its bounds; the rings are
 * checked on resonance, on a flank and between resonances, with steps of
 * 1e-6 of the value so the phase moves well inside a linewidth.
 *
 * At the ends of a range where an amplitude goes as √u (a coupler's √κ²,
 * a grating's √η0, a ring's κ = √(1 − r²) and √a), ∂S/∂u is infinite
 * where that amplitude carries the entry and finite elsewhere, never NaN:
 * checked against one-sided difference quotients (`expectEndSlope`).
 */
import { describe, expect, it } from "vitest";
import {
  coupler,
  gratingCoupler,
  mzi,
  type PhotonicModel,
  resonanceOrder,
  resonanceWavelength,
  ringAddDrop,
  ringAllPass,
  thermalPhaseShifter,
  waveguide,
} from "../../../src/models/photonic/index.js";
import { expectGradientMatches, parameterRows } from "./support/gradient.js";

interface Case {
  readonly name: string;
  readonly model: PhotonicModel;
  readonly p: Record<string, number>;
  readonly wavelength: number;
  readonly relativeStep?: number;
}

const allPass = { ...ringAllPass.defaults, selfCoupling: 0.97, roundTripAmplitude: 0.99 };
const addDrop = {
  ...ringAddDrop.defaults,
  selfCoupling1: 0.97,
  selfCoupling2: 0.95,
  roundTripAmplitude: 0.99,
};
/*
 * "On resonance" is 20 fm (3e-4 of the ~58 pm linewidth) off the computed
 * resonance, not on it: at φ = 2πm exactly, t is real and extremal, so
 * Re ∂t/∂p vanishes by symmetry and its computed value is set by where the
 * ~611 rad round-trip phase rounds (ε·φ ≈ 1e-13 rad) — the finite
 * difference then carries an h-independent error |∂²t/∂φ²|·ε·φ·∂φ/∂p
 * (~5e-8 against |∂S/∂n_eff| ~ 1e4, measured at steps 1e-8…1e-4), which
 * no step resolves to 1e-6 of a zero entry. 20 fm off, that entry is ~5,
 * far above it.
 */
const onResonance = resonanceWavelength(allPass, resonanceOrder(allPass, 1.55e-6)) + 20e-15;

const cases: readonly Case[] = [
  { name: "waveguide", model: waveguide, p: { ...waveguide.defaults }, wavelength: 1.57e-6 },
  { name: "coupler", model: coupler, p: { coupling: 0.3, excessLossDb: 0.4 }, wavelength: 1.55e-6 },
  {
    name: "thermal phase shifter",
    model: thermalPhaseShifter,
    p: { ...thermalPhaseShifter.defaults, heaterPower: 7e-3 },
    wavelength: 1.55e-6,
  },
  {
    name: "mzi",
    model: mzi,
    p: { coupling1: 0.45, coupling2: 0.55, excessLossDb: 0.1, internalPhase: 0.8, externalPhase: -1.3 },
    wavelength: 1.55e-6,
  },
  { name: "grating coupler", model: gratingCoupler, p: { ...gratingCoupler.defaults }, wavelength: 1.563e-6 },
  ...[
    ["on resonance", onResonance],
    ["on a flank", onResonance + 20e-12],
    ["between resonances", onResonance + 4e-9],
  ].flatMap(([where, wavelength]) => [
    {
      name: `all-pass ring ${where}`,
      model: ringAllPass as PhotonicModel,
      p: allPass,
      wavelength: wavelength as number,
      relativeStep: 1e-6,
    },
    {
      name: `add-drop ring ${where}`,
      model: ringAddDrop as PhotonicModel,
      p: addDrop,
      wavelength: wavelength as number,
      relativeStep: 1e-6,
    },
  ]),
];

describe.each(cases)("$name", (c) => {
  it.each(parameterRows(c.model))("∂S/∂%s matches finite differences", (_name, j) => {
    expectGradientMatches(c.model, c.p, c.wavelength, j, c.relativeStep);
  });
});

/**
 * ∂S/∂p_j at an end of p_j's range against one-sided difference quotients
 * Q(h) = (S(p + dh) − S(p))/(dh), d = +1 at the minimum and −1 at the
 * maximum, h = 1e-6 and 1e-10. An entry the model gives as ±∞ must be a
 * √-singularity in the data: Q of the same sign, growing ~100× (√(1e4))
 * from the larger step to the smaller. A finite entry must be approached by
 * Q to within √h-sized terms: |analytic − Q(1e-10)| ≤ 1e-4 (1 + |analytic|).
 */
function expectEndSlope(model: PhotonicModel, p: Record<string, number>, wavelength: number, j: number) {
  const spec = model.parameters[j] as PhotonicModel["parameters"][number];
  const value = p[spec.name] as number;
  const direction = value === spec.min ? 1 : -1;
  expect(value === spec.min || value === spec.max, `${spec.name} = ${value} is at an end`).toBe(true);
  const analytic = model.sMatrixWithGradient(p, wavelength).gradient[j]?.data as Float64Array;
  const at = model.sMatrix(p, wavelength).data;
  const quotient = (h: number) => {
    const moved = model.sMatrix({ ...p, [spec.name]: value + direction * h }, wavelength).data;
    return moved.map((x, k) => (x - (at[k] as number)) / (direction * h));
  };
  const [coarse, fine] = [quotient(1e-6), quotient(1e-10)];
  analytic.forEach((a, k) => {
    const where = `∂S/∂${spec.name} entry ${k}: analytic ${a}, quotients ${coarse[k]} (h = 1e-6), ${fine[k]} (1e-10)`;
    expect(a, where).not.toBeNaN();
    if (Number.isFinite(a)) {
      expect(Math.abs(a - (fine[k] as number)), where).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(a)));
    } else {
      expect(Math.sign(fine[k] as number), where).toBe(Math.sign(a));
      const growth = (fine[k] as number) / (coarse[k] as number);
      expect(growth > 50 && growth < 200, where).toBe(true);
    }
  });
}

const index = (model: PhotonicModel, name: string) => model.parameters.findIndex((s) => s.name === name);
const offResonance = onResonance + 20e-12;
const endCases: readonly (readonly [string, string, PhotonicModel, Record<string, number>])[] = [
  ["grating coupler", "peakEfficiency", gratingCoupler, { ...gratingCoupler.defaults, peakEfficiency: 0 }],
  ...(["coupling", "coupling1", "coupling2"] as const).flatMap((name) =>
    [0, 1].map((end) => {
      const model = (name === "coupling" ? coupler : mzi) as PhotonicModel;
      return [model.id, name, model, { ...model.defaults, internalPhase: 0.7, [name]: end }] as const;
    }),
  ),
  ...(
    [
      ["selfCoupling1", 1],
      ["selfCoupling2", 1],
      ["roundTripAmplitude", 0],
    ] as const
  ).map(
    ([name, end]) =>
      ["add-drop ring", name, ringAddDrop as PhotonicModel, { ...addDrop, [name]: end }] as const,
  ),
  ...(
    [
      ["selfCoupling", 1],
      ["roundTripAmplitude", 0],
    ] as const
  ).map(
    ([name, end]) =>
      ["all-pass ring", name, ringAllPass as PhotonicModel, { ...allPass, [name]: end }] as const,
  ),
];

describe("at the ends of a parameter's range", () => {
  it.each(endCases)("%s: ∂S/∂%s at its end is the one-sided limit, never NaN", (_what, name, model, p) => {
    const point = model.id === "coupler" ? { coupling: p.coupling as number, excessLossDb: 0.4 } : p;
    expectEndSlope(model, point, offResonance, index(model, name));
  });
});
