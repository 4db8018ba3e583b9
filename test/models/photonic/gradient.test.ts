/**
 * ∂S/∂p for every parameter of every S-matrix component, against central
 * finite differences (test/support/finite-difference.ts) to 1e-6
 * entrywise-relative — it.each over each parameter table, so a parameter
 * added later cannot escape. Test points move every parameter off zero
 * (a relative step needs a scale) and off its bounds; the rings are
 * checked on resonance, on a flank and between resonances, with steps of
 * 1e-6 of the value so the phase moves well inside a linewidth.
 */
import { describe, it } from "vitest";
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
