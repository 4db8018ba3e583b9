/**
 * The demo chip's hidden truth: the parameters the virtual bench's chip
 * really has (DESIGN.md, "Virtual instruments": readings come from a hidden
 * true chip, not from the model a fit starts with). The main parameters sit
 * 10–30 % off the defaults, as ratios a fit starting from the defaults must
 * find; wavelength-like parameters are moved by a few nanometres, indices
 * not at all (a 1 % error in n_eff moves a resonance by a whole free
 * spectral range: no fit starts that far off). `ambient.driftRate` is given
 * outright: the truth drifts the other way (cooling), so the heater's
 * equivalent power can go negative.
 *
 * The standalone memristor's ratios are those the virtual 2400's default
 * device has always had (formerly TRUTH_RATIOS in
 * src/virtual/default-dut.ts): at −0.8 V held from w_off its resistance is
 * ≈ 15.9 kΩ after 20 ms and ≈ 13.1 kΩ after 1 s
 * (test/models/chip/truth.test.ts) — acceptance figures depend on them.
 */
import type { VteamParams } from "../memristor/vteam.js";
import { vteam } from "../memristor/vteam.js";
import { type ChipParams, chipDefaults } from "./parameters.js";

/** Ratios of the standalone memristor's true parameters to `vteam.defaults`. */
export const STANDALONE_TRUTH_RATIOS: Readonly<Partial<Record<keyof VteamParams, number>>> = Object.freeze({
  rOn: 1.2,
  rOff: 0.8,
  kOn: 1.25,
  kOff: 0.75,
  vOn: 1.1,
  vOff: 0.9,
});

/** Ratios of the other true parameters to the chip's defaults (absent: the default). */
export const CHIP_TRUTH_RATIOS: Readonly<Record<string, number>> = Object.freeze({
  "gcIn.peakEfficiency": 0.8,
  "gcOut.peakEfficiency": 0.75,
  "coupler.coupling": 1.2,
  "ring.propagationLossDbPerM": 1.3,
  "heater.piPower": 1.15,
  "heater.heaterResistance": 1.1,
  "patch.confinementFactor": 0.85,
  "memristor.rOn": 1.2,
  "memristor.rOff": 0.85,
  "memristor.mobility": 1.3,
  "thermal.resistance": 1.2,
  "thermal.timeConstant": 0.75,
  "cell.heatingShare": 1.2,
  "cell.thermalResistance": 1.1,
  "cell.prefactor": 0.75,
  "cell.avramiExponent": 0.9,
  ...Object.fromEntries(Object.entries(STANDALONE_TRUTH_RATIOS).map(([k, v]) => [`standalone.${k}`, v])),
});

/** Shifts, in the parameter's unit, of the true wavelength-like parameters. */
const TRUTH_SHIFTS: Readonly<Record<string, number>> = {
  "gcIn.centreWavelength": 3e-9,
  "gcOut.centreWavelength": -2e-9,
};

/** The true ambient drift, K/s: the chip cools slowly (the default assumes warming). */
const TRUE_DRIFT_RATE = -2e-4;

/** Every chip parameter at its hidden true value. */
export const demoChipTruth: ChipParams = Object.freeze(
  Object.fromEntries(
    Object.entries(chipDefaults).map(([name, value]) => [
      name,
      name === "ambient.driftRate"
        ? TRUE_DRIFT_RATE
        : value * (CHIP_TRUTH_RATIOS[name] ?? 1) + (TRUTH_SHIFTS[name] ?? 0),
    ]),
  ),
);

/** The standalone memristor's true VTEAM parameters (what src/virtual/default-dut.ts calls TRUE_VTEAM_PARAMS). */
export const standaloneTruth: Readonly<VteamParams> = Object.freeze(
  Object.fromEntries(
    vteam.parameters.map((s) => [s.name, demoChipTruth[`standalone.${s.name}`] as number]),
  ) as VteamParams,
);
