/** Thermal phase shifter: Δφ = π P/P_π, ohmic heater drive. */
import { describe, expect, it } from "vitest";
import {
  entry,
  heaterPowerFromCurrent,
  heaterPowerFromVoltage,
  thermalPhase,
  thermalPhaseShifter,
} from "../../../src/models/photonic/index.js";

const p = { ...thermalPhaseShifter.defaults, insertionLossDb: 0 };

describe("thermal phase shifter", () => {
  it.each([
    [0, 0],
    [0.5, Math.PI / 2],
    [1, Math.PI],
    [1.5, -Math.PI / 2],
  ])("at P = %d·P_π shifts the phase by %d rad (mod 2π)", (fraction, phase) => {
    const t = entry(
      thermalPhaseShifter.sMatrix({ ...p, heaterPower: fraction * p.piPower }, 1.55e-6),
      "out",
      "in",
    );
    expect(t.re).toBeCloseTo(Math.cos(phase), 14);
    expect(t.im).toBeCloseTo(Math.sin(phase), 14);
  });

  it("gives P = V²/R and P = I²R, so V_π = √(P_π R)", () => {
    const vPi = Math.sqrt(p.piPower * p.heaterResistance);
    expect(thermalPhase(p, heaterPowerFromVoltage(p, vPi))).toBeCloseTo(Math.PI, 14);
    expect(thermalPhase(p, heaterPowerFromCurrent(p, vPi / p.heaterResistance))).toBeCloseTo(Math.PI, 14);
  });

  it("loses its insertion loss", () => {
    const t = entry(thermalPhaseShifter.sMatrix({ ...p, insertionLossDb: 0.23 }, 1.55e-6), "out", "in");
    expect(10 * Math.log10(t.re * t.re + t.im * t.im)).toBeCloseTo(-0.23, 12);
  });
});
