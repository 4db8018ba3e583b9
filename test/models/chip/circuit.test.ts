/**
 * The demo chip's electrical ports (src/models/chip/portable/circuit.ts
 * through `ChipReference.electrical`): the series divider of the heater
 * line, Joule heating P = I² R_h through the series memristor, energy at
 * the heater's own port (P = V·I), KCL at node N with both ports driven,
 * compliance switching a source to its limit, and the Thevenin equivalent
 * against the circuit it summarises.
 */
import { describe, expect, it } from "vitest";
import {
  ChipReference,
  chipDefaults,
  chipParameterVector,
  chipStimulus,
  type Drive,
  demoChipTruth,
  chipLayout as L,
  PORT_OFFSETS,
} from "../../../src/models/chip/index.js";
import { chipState, close, current, open, voltage } from "./support.js";

const p = demoChipTruth;
const reference = new ChipReference(chipParameterVector(p));
const rh = p["heater.heaterResistance"] as number;
const x = 0.35;
const rm = (p["memristor.rOn"] as number) * x + (p["memristor.rOff"] as number) * (1 - x);
const w = 1.7e-9;
const rv =
  (p["standalone.rOn"] as number) +
  (((p["standalone.rOff"] as number) - (p["standalone.rOn"] as number)) *
    (w - (p["standalone.wOn"] as number))) /
    ((p["standalone.wOff"] as number) - (p["standalone.wOn"] as number));
const state = chipState({ x, w });

function read(drives: { heater?: Drive; heaterLine?: Drive; memristor?: Drive }): Float64Array {
  const out = new Float64Array(L.ELECTRICAL_OUTPUT_SIZE);
  reference.electrical(state, chipStimulus(drives), out);
  return out;
}

const near = (a: number, b: number) => expect(close(a, b, 1e-14, 1e-18), `${a} vs ${b}`).toBe(true);

describe("closed forms", () => {
  it.each([1.5, -0.7, 0])("heater line at %d V, heater open: I = V/(R_m + R_h), P = I² R_h", (v) => {
    const out = read({ heaterLine: voltage(v) });
    const i = v / (rm + rh);
    near(out[L.LINE_CURRENT] as number, i);
    near(out[L.LINE_VOLTAGE] as number, v);
    near(out[L.HEATER_VOLTAGE] as number, (v * rh) / (rm + rh));
    near(out[L.HEATER_CURRENT] as number, 0);
    near(out[L.HEATER_POWER] as number, i * i * rh);
  });

  it.each([
    ["voltage", voltage(1.8)],
    ["current", current(-1.3e-3)],
  ] as const)("heater driven alone (%s): P = V·I at its own port, the line floats at V_N", (_mode, drive) => {
    const out = read({ heater: drive });
    near(
      out[L.HEATER_POWER] as number,
      (out[L.HEATER_VOLTAGE] as number) * (out[L.HEATER_CURRENT] as number),
    );
    near(out[L.HEATER_VOLTAGE] as number, (out[L.HEATER_CURRENT] as number) * rh);
    near(out[L.LINE_VOLTAGE] as number, out[L.HEATER_VOLTAGE] as number);
    near(out[L.LINE_CURRENT] as number, 0);
  });

  it.each([
    ["both voltage", voltage(1.2), voltage(0.4)],
    ["line current, heater voltage", current(0.2e-3), voltage(0.4)],
    ["line voltage, heater current", voltage(1.2), current(0.5e-3)],
    ["both current", current(0.2e-3), current(-0.6e-3)],
  ] as const)(
    "KCL at N, %s: I_line + I_heater = V_N/R_h, I_line = (V_A − V_N)/R_m",
    (_name, line, heater) => {
      const out = read({ heaterLine: line, heater });
      const [va, vn] = [out[L.LINE_VOLTAGE] as number, out[L.HEATER_VOLTAGE] as number];
      near((out[L.LINE_CURRENT] as number) + (out[L.HEATER_CURRENT] as number), vn / rh);
      near(out[L.LINE_CURRENT] as number, (va - vn) / rm);
      near(out[L.HEATER_POWER] as number, (vn * vn) / rh);
      if (line.mode === "voltage") near(va, line.level);
      else near(out[L.LINE_CURRENT] as number, line.level);
      if (heater.mode === "voltage") near(vn, heater.level);
      else near(out[L.HEATER_CURRENT] as number, heater.level);
    },
  );

  it("the standalone memristor is ohmic at its state: I = V/R(w)", () => {
    const out = read({ memristor: voltage(-0.8) });
    near(out[L.MEMRISTOR_CURRENT] as number, -0.8 / rv);
    near(read({ memristor: current(20e-6) })[L.MEMRISTOR_VOLTAGE] as number, 20e-6 * rv);
    expect(Array.from(read({ memristor: open }).subarray(4, 6))).toEqual([0, 0]);
  });
});

describe("compliance", () => {
  it.each([
    // [name, drives, port offsets in the output, expected V, expected I]
    ["heater: 2 V limited to 1 mA", { heater: voltage(2, 1e-3) }, L.HEATER_VOLTAGE, 1e-3 * rh, 1e-3],
    ["heater: −2 V limited to 1 mA", { heater: voltage(-2, 1e-3) }, L.HEATER_VOLTAGE, -1e-3 * rh, -1e-3],
    ["heater: 5 mA limited to 2 V", { heater: current(5e-3, 2) }, L.HEATER_VOLTAGE, 2, 2 / rh],
    [
      "line: 3 V limited to 0.1 mA",
      { heaterLine: voltage(3, 0.1e-3) },
      L.LINE_VOLTAGE,
      0.1e-3 * (rm + rh),
      0.1e-3,
    ],
    [
      "memristor: −1 V limited to 10 µA",
      { memristor: voltage(-1, 10e-6) },
      L.MEMRISTOR_VOLTAGE,
      -10e-6 * rv,
      -10e-6,
    ],
    [
      "memristor: 1 mA limited to 0.3 V",
      { memristor: current(1e-3, 0.3) },
      L.MEMRISTOR_VOLTAGE,
      0.3,
      0.3 / rv,
    ],
  ] as const)("%s: the source becomes its limit", (_name, drives, at, v, i) => {
    const out = read(drives);
    near(out[at] as number, v);
    near(out[at + 1] as number, i);
    const flag =
      at === L.HEATER_VOLTAGE
        ? L.HEATER_LIMITED
        : at === L.LINE_VOLTAGE
          ? L.LINE_LIMITED
          : L.MEMRISTOR_LIMITED;
    expect(out[flag]).toBe(1);
  });

  it("within its limit a source is not limited; at an infinite limit never", () => {
    expect(read({ heater: voltage(0.5, 1e-3) })[L.HEATER_LIMITED]).toBe(0);
    expect(read({ heater: voltage(1e3) })[L.HEATER_LIMITED]).toBe(0);
  });

  it("both ports over their limits: the one further over switches first, then the other is judged again", () => {
    // Line 2 V within 10 mA (never limits by itself); heater 0 V limited to 0.1 mA: it would sink
    // (2 − 0)/R_m ≈ 0.25 mA, so it becomes a −0.1 mA current source and V_N rises; the line stays a voltage source.
    const out = read({ heaterLine: voltage(2, 10e-3), heater: voltage(0, 0.1e-3) });
    expect([out[L.HEATER_LIMITED], out[L.LINE_LIMITED]]).toEqual([1, 0]);
    near(out[L.HEATER_CURRENT] as number, -0.1e-3);
    near(out[L.LINE_VOLTAGE] as number, 2);
    // KCL still holds.
    near(
      (out[L.LINE_CURRENT] as number) + (out[L.HEATER_CURRENT] as number),
      (out[L.HEATER_VOLTAGE] as number) / rh,
    );
    // Both limited: line 3 V within 0.2 mA, heater 0 V within 0.05 mA.
    const both = read({ heaterLine: voltage(3, 0.2e-3), heater: voltage(0, 0.05e-3) });
    expect([both[L.HEATER_LIMITED], both[L.LINE_LIMITED]]).toEqual([1, 1]);
    near(both[L.LINE_CURRENT] as number, 0.2e-3);
    near(both[L.HEATER_CURRENT] as number, -0.05e-3);
  });
});

describe("Thevenin equivalent", () => {
  it.each([
    [
      "heater, line at 1.4 V",
      "heater",
      { heaterLine: voltage(1.4) },
      (1.4 * rh) / (rm + rh),
      (rm * rh) / (rm + rh),
    ],
    ["heater, line at 0.3 mA", "heater", { heaterLine: current(0.3e-3) }, 0.3e-3 * rh, rh],
    ["heater, line open", "heater", {}, 0, rh],
    ["heater line, heater at 0.9 V", "heaterLine", { heater: voltage(0.9) }, 0.9, rm],
    ["heater line, heater at 1 mA", "heaterLine", { heater: current(1e-3) }, 1e-3 * rh, rm + rh],
    ["memristor", "memristor", { heater: voltage(1) }, 0, rv],
  ] as const)("%s", (_name, port, drives, voc, r) => {
    const out = new Float64Array(2);
    reference.thevenin(state, chipStimulus(drives), PORT_OFFSETS[port], out);
    near(out[0] as number, voc);
    near(out[1] as number, r);
  });

  it("predicts the current a source at the port draws: (V_s − V_oc)/R_th", () => {
    const stimulus = chipStimulus({ heaterLine: voltage(1.4) });
    const thevenin = new Float64Array(2);
    reference.thevenin(state, stimulus, L.HEATER_PORT, thevenin);
    const out = read({ heaterLine: voltage(1.4), heater: voltage(0.25) });
    near(out[L.HEATER_CURRENT] as number, (0.25 - (thevenin[0] as number)) / (thevenin[1] as number));
  });

  it("uses the other port's compliance state at open circuit", () => {
    // The line at 3 V within 0.1 mA is limited with the heater port open: a 0.1 mA source behind R_m.
    const out = new Float64Array(2);
    new ChipReference(chipParameterVector(chipDefaults)).thevenin(
      state,
      chipStimulus({ heaterLine: voltage(3, 0.1e-3) }),
      L.HEATER_PORT,
      out,
    );
    near(out[0] as number, 0.1e-3 * (chipDefaults["heater.heaterResistance"] as number));
  });
});
