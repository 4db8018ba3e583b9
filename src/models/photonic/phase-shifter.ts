/**
 * Thermal (thermo-optic) phase shifter: a resistive heater beside a
 * waveguide adds a phase proportional to the power it dissipates,
 *
 *   Δφ = π P/P_π,
 *
 * P_π being the power for a π shift — the figure of merit heaters are
 * specified by (Harris et al., "Efficient, compact and low loss
 * thermo-optic phase shifter in silicon", Opt. Express 22, 10487 (2014)).
 * Linear because the index change is linear in the temperature rise
 * (dn/dT of silicon, 1.8e-4 /K) and the rise linear in the power (a fixed
 * thermal resistance). Defaults are Harris et al.'s device: P_π =
 * 24.77 mW, insertion loss 0.23 dB. P_π is taken at the operating
 * wavelength: the thermo-optic phase 2π Δn L/λ changes by about 0.06 % per
 * nm through the 1/λ alone, below what a P_π is measured to. The heater
 * is ohmic, P = V²/R = I² R.
 *
 * ```
 *           ┌──[ heater R ]──┐   P = V²/R
 *   in ══════════════════════════ out      S[out][in] = S[in][out] = g·e^{iπP/P_π}
 * ```
 *
 * The heater power is a parameter (the setting the phase shifter is driven
 * with), so a circuit exposes it like any other; `heaterPowerFromVoltage`
 * and `heaterPowerFromCurrent` convert the electrical drive.
 */

import { type Complex, mul, scale } from "../complex.js";
import { AMPLITUDE_PER_DB } from "../constants.js";
import type { ParameterSpec } from "../parameters.js";
import { patternModel } from "./component.js";

export type PhaseShifterParams = {
  piPower: number;
  heaterResistance: number;
  insertionLossDb: number;
  heaterPower: number;
};

export const phaseShifterParameters: readonly ParameterSpec<keyof PhaseShifterParams>[] = [
  {
    name: "piPower",
    unit: "W",
    default: 24.77e-3,
    min: 1e-6,
    max: 10,
    meaning: "P_pi: heater power for a pi phase shift (default: Harris et al. 2014)",
  },
  {
    name: "heaterResistance",
    unit: "Ohm",
    default: 1e3,
    min: 1,
    max: 1e8,
    meaning: "R_h: electrical resistance of the heater",
  },
  {
    name: "insertionLossDb",
    unit: "dB",
    default: 0.23,
    min: 0,
    max: 20,
    meaning: "optical power lost through the phase shifter section (default: Harris et al. 2014)",
  },
  {
    name: "heaterPower",
    unit: "W",
    default: 0,
    min: 0,
    max: 10,
    meaning: "P: electrical power dissipated in the heater (the drive setting)",
  },
];

/** Δφ = π P/P_π, rad. */
export function thermalPhase(p: { piPower: number }, heaterPower: number): number {
  return (Math.PI * heaterPower) / p.piPower;
}

/** P = V²/R_h, W, for a voltage V across the heater alone. */
export function heaterPowerFromVoltage(p: { heaterResistance: number }, voltage: number): number {
  return (voltage * voltage) / p.heaterResistance;
}

/** P = I² R_h, W, for a current I through the heater. */
export function heaterPowerFromCurrent(p: { heaterResistance: number }, current: number): number {
  return current * current * p.heaterResistance;
}

function transmission(p: PhaseShifterParams): Complex {
  const g = Math.exp(-AMPLITUDE_PER_DB * p.insertionLossDb);
  const φ = thermalPhase(p, p.heaterPower);
  return { re: g * Math.cos(φ), im: g * Math.sin(φ) };
}

export const thermalPhaseShifter = patternModel<PhaseShifterParams>({
  id: "thermal-phase-shifter",
  citation: "Delta phi = pi P / P_pi (Harris et al., Opt. Express 22, 10487 (2014)); ohmic heater",
  ports: ["in", "out"],
  parameters: phaseShifterParameters,
  pattern: [
    ["out", "in", 0],
    ["in", "out", 0],
  ],
  values: (p) => [transmission(p)],
  entries(p) {
    const t = transmission(p);
    const iT = mul(t, { re: 0, im: 1 });
    return {
      values: [t],
      partials: [
        [scale(iT, (-Math.PI * p.heaterPower) / (p.piPower * p.piPower))],
        [{ re: 0, im: 0 }],
        [scale(t, -AMPLITUDE_PER_DB)],
        [scale(iT, Math.PI / p.piPower)],
      ],
    };
  },
});
