/**
 * The dynamic model's optics (src/models/chip/dynamics.ts `optics`): the
 * ring path's closed form against the netlist of the static demo chip
 * (`demoChip.evaluate`, src/models/circuit/demo-chip.ts) with the heater at
 * the equivalent power (ΔT_h + ΔT_amb)/R_th and the patch at the state's X;
 * the reference path against its parts; the thermo-optic resonance shift.
 */
import { describe, expect, it } from "vitest";
import {
  type ChipParams,
  ChipReference,
  chipDefaults,
  chipParameterVector,
  demoChipTruth,
  chipLayout as L,
  piTemperatureRise,
} from "../../../src/models/chip/index.js";
import { demoChip } from "../../../src/models/circuit/index.js";
import { gratingEfficiency } from "../../../src/models/photonic/index.js";

/** The static chip's parameters (its own table) read from the dynamic chip's. */
function staticParams(p: ChipParams): Record<string, number> {
  return Object.fromEntries(demoChip.parameters.map((s) => [s.name, p[s.name] as number]));
}

function state(rise: number, ambient: number, fraction: number): Float64Array {
  const s = new Float64Array(L.STATE_SIZE);
  s[L.HEATER_RISE] = rise;
  s[L.AMBIENT_RISE] = ambient;
  s[L.CELL_FRACTION] = fraction;
  s[L.CELL_TEMPERATURE] = 300;
  return s;
}

const WAVELENGTHS = Array.from({ length: 41 }, (_, k) => 1.545e-6 + k * 0.25e-9);

describe("ring path: closed form = netlist", () => {
  it.each([
    ["defaults, cold, amorphous", chipDefaults, 0, 0, 0],
    ["defaults, heated, half crystalline", chipDefaults, 20, 0.5, 0.5],
    ["truth, heated, crystalline", demoChipTruth, 45, 2, 1],
    ["truth, ambient only", demoChipTruth, 0, 3, 0.2],
  ])("%s", (_name, p, rise, ambient, fraction) => {
    const reference = new ChipReference(chipParameterVector(p));
    const s = state(rise, ambient, fraction);
    const equivalentPower = (rise + ambient) / (p["thermal.resistance"] as number);
    for (const wavelength of WAVELENGTHS) {
      const expected = demoChip.evaluate(
        { ...staticParams(p) },
        {
          wavelength,
          heaterVoltage: 0,
          memristorState: 0.5,
          crystallineFraction: fraction,
        },
      );
      // The static chip takes its heater power from the line voltage; drive it at P_eq through its circuit.
      const direct = demoChip.circuit.sMatrix(
        {
          ...Object.fromEntries(demoChip.circuit.parameters.map((q) => [q.name, p[q.name] as number])),
          "heater.heaterPower": equivalentPower,
          "patch.fraction": fraction,
        },
        wavelength,
      );
      const t = direct.data;
      // S[out][in] of ports ["in", "out"]: entry (1, 0), interleaved re, im.
      const out = { re: t[4] as number, im: t[5] as number };
      const netlist = out.re * out.re + out.im * out.im;
      if (equivalentPower === 0) expect(netlist).toBeCloseTo(expected.transmission, 14);
      const closed = reference.transmission(s, wavelength, L.RING_PATH);
      expect(Math.abs(closed - netlist)).toBeLessThanOrEqual(1e-12 * netlist);
    }
  });
});

describe("reference path", () => {
  it("is the two grating couplers and the bus waveguides' loss, no ring", () => {
    const p = demoChipTruth;
    const reference = new ChipReference(chipParameterVector(p));
    const coupler = (name: string) => ({
      peakEfficiency: p[`${name}.peakEfficiency`] as number,
      centreWavelength: p[`${name}.centreWavelength`] as number,
      bandwidth1dB: p[`${name}.bandwidth1dB`] as number,
    });
    const lossDb =
      (p["busIn.propagationLossDbPerM"] as number) * (p["busIn.length"] as number) +
      (p["busOut.propagationLossDbPerM"] as number) * (p["busOut.length"] as number);
    for (const wavelength of WAVELENGTHS) {
      const expected =
        gratingEfficiency(coupler("gcIn"), wavelength) *
        gratingEfficiency(coupler("gcOut"), wavelength) *
        10 ** (-lossDb / 10);
      const got = reference.transmission(state(30, 1, 1), wavelength, L.REFERENCE_PATH);
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-13 * expected);
    }
  });
});

describe("thermo-optic shift", () => {
  it("R_th's default is ΔT_π/P_π with ΔT_π = λ/(2 L dn/dT)", () => {
    const expected = piTemperatureRise(1.55e-6, chipDefaults["ring.length"] as number) / 0.02477;
    expect(chipDefaults["thermal.resistance"]).toBeCloseTo(expected, -1);
    expect(chipDefaults["thermal.resistance"]).toBe(2860);
  });
});
